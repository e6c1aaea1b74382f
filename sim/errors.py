"""Exceptions raised by :mod:`sim`.

Every error the package raises on purpose derives from :class:`SimError`, so a
caller (the command line, a notebook) can catch the package's own errors and
let genuine bugs propagate.

==========================  ==============================================
class                       raised when
==========================  ==============================================
:class:`ParameterError`     a parameter, argument or patient value is out
                            of its allowed range or of the wrong kind
:class:`ScenarioError`      a scenario file is unreadable or invalid
:class:`SimulationError`    a solver fails, or a result would contain a
                            NaN, an infinity or a negative concentration
:class:`ClaimError`         a scenario's data contradict one of the claims
                            its figure makes (``[[claims]]``)
==========================  ==============================================

``ParameterError`` and ``ScenarioError`` are also :class:`ValueError`, and
``SimulationError`` and ``ClaimError`` are also :class:`RuntimeError`, so generic handlers work.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "SimError", "ParameterError", "ScenarioError", "SimulationError", "ClaimError", "DoseWarning",
    "did_you_mean",
]


class SimError(Exception):
    """Base class of every error raised on purpose by :mod:`sim`."""


class ParameterError(SimError, ValueError):
    """A parameter or argument is invalid; the message names it, its value and the allowed range."""


class ScenarioError(SimError, ValueError):
    """A scenario file is invalid; the message names the file, the key path and the problem(s)."""


class SimulationError(SimError, RuntimeError):
    """A numerical solve failed or produced a non-finite or negative quantity."""


class ClaimError(SimError, RuntimeError):
    """A claim of a scenario (its ``[[claims]]``) does not hold on the computed data.

    The message names the scenario, the claim's text, what was expected and the numbers
    measured; :func:`sim.runner.run` raises it before writing anything.
    """


class DoseWarning(UserWarning):
    """A dose far outside the labelled range was accepted because the caller asked for it."""


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """Return the " (did you mean 'x'?)" hint for a misspelt *name*, or "" if nothing is close.

    The one place that spells the hint, so every error message phrases it the same way.

    Examples
    --------
    >>> did_you_mean("recepter", ["pk", "receptor"])
    " (did you mean 'receptor'?)"
    >>> did_you_mean("zzz", ["pk", "receptor"])
    ''
    """
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
