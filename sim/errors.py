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
==========================  ==============================================

``ParameterError`` and ``ScenarioError`` are also :class:`ValueError`, and
``SimulationError`` is also :class:`RuntimeError`, so generic handlers work.
"""

from __future__ import annotations

__all__ = ["SimError", "ParameterError", "ScenarioError", "SimulationError", "DoseWarning"]


class SimError(Exception):
    """Base class of every error raised on purpose by :mod:`sim`."""


class ParameterError(SimError, ValueError):
    """A parameter or argument is invalid; the message names it, its value and the allowed range."""


class ScenarioError(SimError, ValueError):
    """A scenario file is invalid; the message names the file, the key path and the problem(s)."""


class SimulationError(SimError, RuntimeError):
    """A numerical solve failed or produced a non-finite or negative quantity."""


class DoseWarning(UserWarning):
    """A dose far outside the labelled range was accepted because the caller asked for it."""
