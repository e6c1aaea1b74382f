r"""Dosing regimens as data: what goes in, when, and by which route.

A regimen says *what the prescriber did*; it knows nothing about the body.
:func:`sim.pk.simulate` turns it into concentrations.  Four building blocks
exist, each a frozen (hashable) value with a readable ``repr`` and a
``to_dict()`` for provenance files:

=============================  ===============================================
block                          meaning
=============================  ===============================================
:class:`Oral`                  tablets or oral solution, one dose or a series
                               every ``every_h`` hours (enters the gut depot)
:class:`IntrathecalBolus`      a lumbar intrathecal injection, µg (enters CSF)
:class:`IntrathecalInfusion`   a pump rate in µg/day between ``start_h`` and
                               ``stop_h`` (``None`` = runs on); an abrupt stop
                               (pump failure) is just ``stop_h``
:class:`Haemodialysis`         a session that adds an extracorporeal
                               clearance to plasma while it runs
=============================  ===============================================

Blocks combine with ``+`` into a :class:`Regimen`, which checks the
combination (overlapping infusions or dialysis sessions are rejected) and
lists its instantaneous doses with :meth:`Regimen.events`.  Missed and extra
doses are made by editing that list: :meth:`Regimen.without_dose`,
:meth:`Regimen.with_extra_dose` and :meth:`Regimen.from_events`.
:meth:`Oral.titration` and :meth:`Oral.taper` build stepped schedules.

Safety rails (teaching, not advice)
-----------------------------------
Every dose and rate must be finite and ≥ 0.  A dose more than
``OVERDOSE_FACTOR`` = 10 times the labelled range is refused unless the block
is built with ``allow_overdose=True``; it is then accepted with a
:class:`~sim.errors.DoseWarning`.  The labelled limits used are: oral
80 mg/day (single doses and every 24-hour window of the whole regimen;
OZOBAX PI / tablet label), intrathecal maintenance rarely above 1000 µg/day and
screening boluses of 50–100 µg (Gablofen / Lioresal Intrathecal labels;
calibration notes §1, §3).

Examples
--------
>>> import sim
>>> week = sim.Oral(20, every_h=8, n_doses=21)
>>> week
Oral(20.0, every_h=8.0, n_doses=21)
>>> len(week.events()), week.total_oral_mg
(21, 420.0)
>>> missed = week.without_dose(4)          # the 5th tablet is forgotten
>>> len(missed.events()), missed.total_oral_mg
(20, 400.0)
>>> pump = sim.IntrathecalInfusion(400, stop_h=48) + sim.IntrathecalInfusion(300, start_h=48)
>>> [inf.rate_ug_per_day for inf in pump.infusions]
[400.0, 300.0]
>>> sim.IntrathecalInfusion(-5)
Traceback (most recent call last):
...
sim.errors.ParameterError: IntrathecalInfusion.rate_ug_per_day = -5.0 is outside the allowed range [0.0, 10000.0] µg/day (above 10000 needs allow_overdose=True)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from .errors import DoseWarning, ParameterError, did_you_mean

__all__ = [
    "FORMULATIONS",
    "ROUTES",
    "OVERDOSE_FACTOR",
    "ORAL_LABEL_MAX_MG_PER_DAY",
    "IT_BOLUS_LABEL_MAX_UG",
    "IT_INFUSION_LABEL_MAX_UG_PER_DAY",
    "DoseEvent",
    "Oral",
    "IntrathecalBolus",
    "IntrathecalInfusion",
    "Haemodialysis",
    "Regimen",
    "regimen_from_dict",
]

#: Oral formulations; the solution is absorbed faster (see :class:`sim.pk.PKParameters`).
FORMULATIONS = ("tablet", "solution")
#: Routes of an instantaneous dose.
ROUTES = ("oral", "intrathecal")
#: A dose above this multiple of the labelled maximum needs ``allow_overdose=True``.
OVERDOSE_FACTOR = 10.0
#: Labelled oral maximum, mg/day (20 mg QID; OZOBAX PI, baclofen tablet label).
ORAL_LABEL_MAX_MG_PER_DAY = 80.0
#: Largest labelled intrathecal screening bolus, µg (Gablofen / Lioresal IT label).
IT_BOLUS_LABEL_MAX_UG = 100.0
#: Intrathecal maintenance is "rarely > 1000 µg/day" (Gablofen / Lioresal IT label).
IT_INFUSION_LABEL_MAX_UG_PER_DAY = 1000.0

_MAX_TIME_H = 1.0e6  # ≈ 114 years: anything later is a unit error


# --------------------------------------------------------------------------- checks
def _number(label: str, value: Any, low: float, high: float, unit: str, hint: str = "") -> float:
    """Return *value* as a float, or raise a ParameterError naming it and the range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{label} = {value!r} is not a real number ({unit})")
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise ParameterError(
            f"{label} = {number!r} is outside the allowed range [{low!r}, {high!r}] {unit}{hint}"
        )
    return number


def _check_dose(
    label: str, value: Any, label_max: float, unit: str, allow_overdose: bool, what: str
) -> float:
    """Validate a dose or rate; beyond ``OVERDOSE_FACTOR × label_max`` it needs the opt-in."""
    limit = OVERDOSE_FACTOR * label_max
    high = math.inf if allow_overdose else limit
    hint = "" if allow_overdose else f" (above {limit:g} needs allow_overdose=True)"
    number = _number(label, value, 0.0, high, unit, hint)
    if number > limit:
        _warn_overdose(f"{label} = {number!r} {unit}", limit, unit, what)
    return number


def _warn_overdose(quantity: str, limit: float, unit: str, what: str) -> None:
    warnings.warn(
        f"{quantity} exceeds {OVERDOSE_FACTOR:g}× the labelled {what} (limit {limit:g} {unit}); "
        "accepted because allow_overdose=True – an overdose scenario, for teaching only",
        DoseWarning,
        stacklevel=4,
    )


def _check_flag(label: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(f"{label} = {value!r} must be True or False")
    return value


def _max_daily_total(times_h: np.ndarray, doses: np.ndarray) -> tuple[float, float]:
    """Largest total dose in any 24-hour window ``[t, t + 24)``, and that window's start."""
    if times_h.size == 0:
        return 0.0, 0.0
    order = np.argsort(times_h, kind="stable")
    t, d = times_h[order], doses[order]
    cumulative = np.concatenate([[0.0], np.cumsum(d)])
    ends = np.searchsorted(t, t + 24.0, side="left")
    totals = cumulative[ends] - cumulative[np.arange(t.size)]
    best = int(np.argmax(totals))
    return float(totals[best]), float(t[best])


# --------------------------------------------------------------------------- events
@dataclasses.dataclass(frozen=True)
class DoseEvent:
    """One instantaneous dose.

    Parameters
    ----------
    time_h : float
        When it is given, h.
    route : {"oral", "intrathecal"}
        Oral doses enter the gut depot; intrathecal doses enter lumbar CSF.
    dose : float
        Amount in the route's own unit: mg (oral) or µg (intrathecal).
    formulation : {"tablet", "solution"} or None
        Oral formulation (``None`` for intrathecal doses).
    allow_overdose : bool
        Carried over so that an edited regimen keeps the caller's opt-in.
    """

    time_h: float
    route: str
    dose: float
    formulation: str | None = None
    allow_overdose: bool = False

    @property
    def unit(self) -> str:
        """Unit of :attr:`dose` ("mg" oral, "µg" intrathecal)."""
        return "mg" if self.route == "oral" else "µg"

    @property
    def amount_mg(self) -> float:
        """The dose in mg, whatever the route."""
        return self.dose if self.route == "oral" else self.dose / 1000.0

    def as_regimen(self) -> Oral | IntrathecalBolus:
        """The single-dose block that gives exactly this event.

        Examples
        --------
        >>> DoseEvent(8.0, "oral", 10.0, "tablet").as_regimen()
        Oral(10.0, start_h=8.0)
        """
        if self.route == "oral":
            return Oral(self.dose, start_h=self.time_h, formulation=self.formulation or "tablet",
                        allow_overdose=self.allow_overdose)
        if self.route == "intrathecal":
            return IntrathecalBolus(self.dose, at_h=self.time_h, allow_overdose=self.allow_overdose)
        raise ParameterError(f"DoseEvent.route = {self.route!r} is not one of {ROUTES}")


# --------------------------------------------------------------------------- blocks
class _Block:
    """Behaviour shared by every regimen block (combination, listing, editing)."""

    kind: ClassVar[str] = ""

    def __add__(self, other: Any) -> Regimen:
        if not isinstance(other, (_Block, Regimen)):
            return NotImplemented
        return Regimen(self, other)

    def __radd__(self, other: Any) -> Regimen:
        if other == 0:  # so that sum([...]) works
            return Regimen(self)
        return NotImplemented

    def _regimen(self) -> Regimen:
        return Regimen(self)

    def events(self) -> tuple[DoseEvent, ...]:
        """Instantaneous doses of this block, in time order."""
        return ()

    # the listing and editing API of Regimen, for a single block
    @property
    def doses(self) -> tuple[DoseEvent, ...]:
        """Same as :meth:`events`."""
        return self.events()

    def without_dose(self, index: int) -> Regimen:
        """See :meth:`Regimen.without_dose`."""
        return self._regimen().without_dose(index)

    def with_extra_dose(self, dose: Oral | IntrathecalBolus) -> Regimen:
        """See :meth:`Regimen.with_extra_dose`."""
        return self._regimen().with_extra_dose(dose)

    def stopped_at(self, time_h: float) -> Regimen:
        """See :meth:`Regimen.stopped_at`."""
        return self._regimen().stopped_at(time_h)

    def __getattr__(self, name: str) -> Any:
        # Regimen-level summaries (infusions, total_oral_mg, …) also work on a block.
        if name.startswith("_") or name not in _REGIMEN_PASSTHROUGH:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self._regimen(), name)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (TOML/JSON-safe: ``None`` fields and default opt-ins are left out).

        Examples
        --------
        >>> IntrathecalBolus(50).to_dict()
        {'kind': 'intrathecal_bolus', 'dose_ug': 50.0, 'at_h': 0.0}
        """
        out: dict[str, Any] = {"kind": self.kind}
        for spec in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, spec.name)
            if value is None or (spec.name == "allow_overdose" and not value):
                continue
            out[spec.name] = value
        return out

    def __repr__(self) -> str:
        # First field positionally; the others only when they differ from the default.
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        parts = [repr(getattr(self, fields[0].name))]
        for spec in fields[1:]:
            value = getattr(self, spec.name)
            if value != spec.default:
                parts.append(f"{spec.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


@dataclasses.dataclass(frozen=True, repr=False)
class Oral(_Block):
    """Oral baclofen: one dose, or ``n_doses`` doses every ``every_h`` hours.

    Parameters
    ----------
    dose_mg : float
        Dose per administration, mg (≥ 0; above 10 × 80 mg needs ``allow_overdose``).
    every_h : float, optional
        Dosing interval, h (required when ``n_doses > 1``).
    n_doses : int
        Number of doses (≥ 1).
    start_h : float
        Time of the first dose, h (≥ 0).
    formulation : {"tablet", "solution"}
        The oral solution is absorbed faster (Tmax ≈ 0.75 h vs ≈ 1.25–1.5 h).
    allow_overdose : bool
        Accept single doses or 24-hour totals beyond 10× the label maximum
        (80 mg/day), with a :class:`~sim.errors.DoseWarning`.

    Examples
    --------
    >>> Oral(10, every_h=8, n_doses=3).events()[-1]
    DoseEvent(time_h=16.0, route='oral', dose=10.0, formulation='tablet', allow_overdose=False)
    >>> Oral(10, formulation="syrup")
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: Oral.formulation = 'syrup' is not one of the allowed values: 'tablet', 'solution'
    """

    kind: ClassVar[str] = "oral"

    dose_mg: float
    _: dataclasses.KW_ONLY
    every_h: float | None = None
    n_doses: int = 1
    start_h: float = 0.0
    formulation: str = "tablet"
    allow_overdose: bool = False

    def __post_init__(self) -> None:
        allow = _check_flag("Oral.allow_overdose", self.allow_overdose)
        if self.formulation not in FORMULATIONS:
            allowed = ", ".join(repr(f) for f in FORMULATIONS)
            raise ParameterError(f"Oral.formulation = {self.formulation!r} is not one of the "
                                 f"allowed values: {allowed}")
        dose = _check_dose("Oral.dose_mg", self.dose_mg, ORAL_LABEL_MAX_MG_PER_DAY, "mg", allow,
                           "oral maximum of 80 mg/day")
        if isinstance(self.n_doses, bool) or not isinstance(self.n_doses, numbers.Integral):
            raise ParameterError(f"Oral.n_doses = {self.n_doses!r} must be a whole number ≥ 1")
        n_doses = int(_number("Oral.n_doses", self.n_doses, 1, 100_000, "doses"))
        start = _number("Oral.start_h", self.start_h, 0.0, _MAX_TIME_H, "h")
        every = self.every_h
        if every is None:
            if n_doses > 1:
                raise ParameterError(f"Oral.every_h = None but n_doses = {n_doses}; give the "
                                     "dosing interval every_h (h) for repeated doses")
        else:
            every = _number("Oral.every_h", every, 0.25, 24.0 * 28, "h")
        for name, value in (("dose_mg", dose), ("every_h", every), ("n_doses", n_doses),
                            ("start_h", start)):
            object.__setattr__(self, name, value)
        daily, _ = _max_daily_total(self._times(), np.full(n_doses, dose))
        limit = OVERDOSE_FACTOR * ORAL_LABEL_MAX_MG_PER_DAY
        if daily > limit and dose <= limit:
            if not allow:
                raise ParameterError(
                    f"Oral: {n_doses} doses of {dose:g} mg every {every:g} h give {daily:g} mg in "
                    f"24 h, outside the allowed range [0, {limit:g}] mg/day "
                    "(needs allow_overdose=True)"
                )
            _warn_overdose(f"Oral daily total = {daily:g} mg", limit, "mg/day",
                           "oral maximum of 80 mg/day")

    def _times(self) -> np.ndarray:
        return self.start_h + (self.every_h or 0.0) * np.arange(self.n_doses)

    @property
    def start(self) -> float:
        """Time of the first dose, h."""
        return self.start_h

    def events(self) -> tuple[DoseEvent, ...]:
        """One :class:`DoseEvent` per administration, in time order."""
        return tuple(
            DoseEvent(float(t), "oral", self.dose_mg, self.formulation, self.allow_overdose)
            for t in self._times()
        )

    @classmethod
    def titration(
        cls,
        steps: Sequence[tuple[float, float]],
        *,
        every_h: float = 8.0,
        start_h: float = 0.0,
        formulation: str = "tablet",
        allow_overdose: bool = False,
    ) -> Regimen:
        """A stepped schedule: each step gives one dose every ``every_h`` h for some days.

        Parameters
        ----------
        steps : sequence of (dose_mg, days)
            Dose per administration and how many days that step lasts; the
            number of doses per step, ``days × 24 / every_h``, must be whole.
        every_h : float
            Dosing interval, h (8 h = three times daily).
        start_h : float
            Time of the first dose, h.
        formulation : {"tablet", "solution"}
            Oral formulation.
        allow_overdose : bool
            Passed to every step.

        Returns
        -------
        Regimen

        Examples
        --------
        The label's titration 5 → 10 → 15 → 20 mg TID, three days each:

        >>> r = Oral.titration([(5, 3), (10, 3), (15, 3), (20, 3)], every_h=8)
        >>> len(r.events()), r.total_oral_mg, r.events()[9].time_h
        (36, 450.0, 72.0)
        """
        every = _number("Oral.titration every_h", every_h, 0.25, 24.0 * 28, "h")
        time = _number("Oral.titration start_h", start_h, 0.0, _MAX_TIME_H, "h")
        if len(steps) == 0:
            raise ParameterError("Oral.titration steps = [] is empty; give (dose_mg, days) pairs")
        blocks = []
        for i, step in enumerate(steps):
            try:
                dose, days = step
            except (TypeError, ValueError):
                raise ParameterError(
                    f"Oral.titration steps[{i}] = {step!r} is not a (dose_mg, days) pair"
                ) from None
            days = _number(f"Oral.titration steps[{i}] days", days, 0.0, 3650.0, "days")
            count = days * 24.0 / every
            if abs(count - round(count)) > 1e-9 or round(count) < 1:
                raise ParameterError(
                    f"Oral.titration steps[{i}] days = {days!r} is not a whole number (≥ 1) of "
                    f"{every:g}-hour dosing intervals"
                )
            blocks.append(cls(dose, every_h=every, n_doses=int(round(count)), start_h=time,
                              formulation=formulation, allow_overdose=allow_overdose))
            time += days * 24.0
        return Regimen(*blocks)

    @classmethod
    def taper(cls, steps: Sequence[tuple[float, float]], **kwargs: Any) -> Regimen:
        """A descending :meth:`titration` (doses must not increase), e.g. for discontinuation.

        The label advises tapering over about 1–2 weeks rather than stopping abruptly.

        Examples
        --------
        >>> Oral.taper([(20, 3), (10, 3), (5, 3)]).total_oral_mg
        315.0
        >>> Oral.taper([(5, 3), (10, 3)])
        Traceback (most recent call last):
        ...
        sim.errors.ParameterError: Oral.taper steps[1] dose_mg = 10.0 is above the previous step (5.0 mg); a taper must not increase
        """
        previous = math.inf
        for i, step in enumerate(steps):
            dose = float(step[0])
            if dose > previous:
                raise ParameterError(
                    f"Oral.taper steps[{i}] dose_mg = {dose!r} is above the previous step "
                    f"({previous!r} mg); a taper must not increase"
                )
            previous = dose
        return cls.titration(steps, **kwargs)


@dataclasses.dataclass(frozen=True, repr=False)
class IntrathecalBolus(_Block):
    """A lumbar intrathecal injection (barbotage), µg, entering spinal CSF at once.

    Parameters
    ----------
    dose_ug : float
        Amount, µg (≥ 0; screening doses 50–100 µg; above 10 × 100 µg needs
        ``allow_overdose``).
    at_h : float
        Time of the injection, h (≥ 0).
    allow_overdose : bool
        Accept a bolus above 1000 µg with a :class:`~sim.errors.DoseWarning`.

    Examples
    --------
    >>> IntrathecalBolus(50, at_h=2).events()[0].amount_mg
    0.05
    """

    kind: ClassVar[str] = "intrathecal_bolus"

    dose_ug: float
    _: dataclasses.KW_ONLY
    at_h: float = 0.0
    allow_overdose: bool = False

    def __post_init__(self) -> None:
        allow = _check_flag("IntrathecalBolus.allow_overdose", self.allow_overdose)
        dose = _check_dose("IntrathecalBolus.dose_ug", self.dose_ug, IT_BOLUS_LABEL_MAX_UG, "µg",
                           allow, "intrathecal screening bolus of 100 µg")
        object.__setattr__(self, "dose_ug", dose)
        object.__setattr__(self, "at_h", _number("IntrathecalBolus.at_h", self.at_h, 0.0,
                                                 _MAX_TIME_H, "h"))

    @property
    def start(self) -> float:
        """Time of the injection, h."""
        return self.at_h

    def events(self) -> tuple[DoseEvent, ...]:
        """The single :class:`DoseEvent`."""
        return (DoseEvent(self.at_h, "intrathecal", self.dose_ug, None, self.allow_overdose),)


@dataclasses.dataclass(frozen=True, repr=False)
class IntrathecalInfusion(_Block):
    """A constant intrathecal pump rate between ``start_h`` and ``stop_h``.

    A rate change is two successive infusions (the first stops when the next
    starts); an abrupt stop (pump failure, empty reservoir) is ``stop_h``.

    Parameters
    ----------
    rate_ug_per_day : float
        Rate, µg/day (≥ 0; maintenance usually 300–800 µg/day; above
        10 × 1000 µg/day needs ``allow_overdose``).
    start_h : float
        When the pump starts, h (≥ 0).
    stop_h : float, optional
        When it stops, h (> ``start_h``); ``None`` = runs to the end.
    allow_overdose : bool
        Accept a rate above 10 000 µg/day with a :class:`~sim.errors.DoseWarning`.

    Examples
    --------
    >>> IntrathecalInfusion(400, start_h=0, stop_h=240).amount_mg_until(24.0)
    0.4
    >>> IntrathecalInfusion(400, start_h=10, stop_h=5)
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: IntrathecalInfusion.stop_h = 5.0 is outside the allowed range [10.0, 1000000.0] h (the pump cannot stop before it starts at start_h = 10.0)
    """

    kind: ClassVar[str] = "intrathecal_infusion"

    rate_ug_per_day: float
    _: dataclasses.KW_ONLY
    start_h: float = 0.0
    stop_h: float | None = None
    allow_overdose: bool = False

    def __post_init__(self) -> None:
        allow = _check_flag("IntrathecalInfusion.allow_overdose", self.allow_overdose)
        rate = _check_dose("IntrathecalInfusion.rate_ug_per_day", self.rate_ug_per_day,
                           IT_INFUSION_LABEL_MAX_UG_PER_DAY, "µg/day", allow,
                           "intrathecal maintenance of 1000 µg/day")
        start = _number("IntrathecalInfusion.start_h", self.start_h, 0.0, _MAX_TIME_H, "h")
        stop = self.stop_h
        if stop is not None:
            # stop == start is a zero-length infusion: harmless but almost surely a mistake.
            stop = _number("IntrathecalInfusion.stop_h", stop, start, _MAX_TIME_H, "h",
                           f" (the pump cannot stop before it starts at start_h = {start!r})")
            if stop == start:
                raise ParameterError(
                    f"IntrathecalInfusion.stop_h = {stop!r} equals start_h: the infusion would "
                    "deliver nothing; stop_h must be later than start_h"
                )
        object.__setattr__(self, "rate_ug_per_day", rate)
        object.__setattr__(self, "start_h", start)
        object.__setattr__(self, "stop_h", stop)

    @property
    def start(self) -> float:
        """When the pump starts, h."""
        return self.start_h

    @property
    def end_h(self) -> float:
        """When the pump stops, h (``inf`` if it runs on)."""
        return math.inf if self.stop_h is None else self.stop_h

    @property
    def rate_mg_per_h(self) -> float:
        """The rate in mg/h."""
        return self.rate_ug_per_day / 1000.0 / 24.0

    def amount_mg_until(self, time_h: float) -> float:
        """Amount delivered from ``start_h`` up to *time_h*, mg."""
        running = max(0.0, min(time_h, self.end_h) - self.start_h)
        return self.rate_mg_per_h * running


@dataclasses.dataclass(frozen=True, repr=False)
class Haemodialysis(_Block):
    """A haemodialysis session: extra plasma clearance while it runs.

    Parameters
    ----------
    start_h : float
        Start of the session, h (≥ 0).
    duration_h : float
        Length, h (0.5–24; a usual session is 4 h).
    clearance_ml_min : float
        Dialyser clearance of baclofen, mL/min (Brvar et al. 2007:
        2.14 mL/s ≈ 128 mL/min, "about as effective as normal kidneys").

    Examples
    --------
    >>> Haemodialysis(48.0)
    Haemodialysis(48.0)
    >>> Haemodialysis(48.0).end_h
    52.0
    """

    kind: ClassVar[str] = "haemodialysis"

    start_h: float
    duration_h: float = 4.0
    _: dataclasses.KW_ONLY
    clearance_ml_min: float = 128.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_h", _number("Haemodialysis.start_h", self.start_h, 0.0,
                                                    _MAX_TIME_H, "h"))
        object.__setattr__(self, "duration_h", _number("Haemodialysis.duration_h",
                                                       self.duration_h, 0.5, 24.0, "h"))
        object.__setattr__(self, "clearance_ml_min", _number(
            "Haemodialysis.clearance_ml_min", self.clearance_ml_min, 0.0, 500.0, "mL/min"))

    @property
    def start(self) -> float:
        """Start of the session, h."""
        return self.start_h

    @property
    def end_h(self) -> float:
        """End of the session, h."""
        return self.start_h + self.duration_h

    @property
    def allow_overdose(self) -> bool:
        """Dialysis gives no drug (always False)."""
        return False


_BLOCK_TYPES: dict[str, type[_Block]] = {
    cls.kind: cls for cls in (Oral, IntrathecalBolus, IntrathecalInfusion, Haemodialysis)
}
_KIND_ORDER = {kind: i for i, kind in enumerate(_BLOCK_TYPES)}


# --------------------------------------------------------------------------- regimen
@dataclasses.dataclass(frozen=True, init=False, eq=False)
class Regimen:
    """A combination of regimen blocks (built with ``+`` or from a list).

    The blocks are stored in a canonical order (by start time, then kind), so
    two regimens that give the same doses in the same way compare equal
    regardless of the order they were added in.  ``Regimen()`` is "no drug".

    Parameters
    ----------
    *parts : Oral, IntrathecalBolus, IntrathecalInfusion, Haemodialysis or Regimen
        The blocks (nested regimens are flattened).

    Raises
    ------
    ParameterError
        If intrathecal infusions overlap in time (a rate change is one
        infusion stopping when the next starts), if dialysis sessions overlap,
        or if the oral doses of the whole regimen exceed 10 × 80 mg in some
        24-hour window without ``allow_overdose=True`` on an oral block.

    Examples
    --------
    >>> r = IntrathecalBolus(50) + Oral(10, start_h=24)
    >>> r
    Regimen(IntrathecalBolus(50.0), Oral(10.0, start_h=24.0))
    >>> same = Oral(10, start_h=24) + IntrathecalBolus(50)     # order does not matter
    >>> r == same, hash(r) == hash(same)
    (True, True)
    >>> IntrathecalInfusion(400, stop_h=48) + IntrathecalInfusion(300, start_h=24)
    Traceback (most recent call last):
    ...
    sim.errors.ParameterError: IntrathecalInfusion.start_h = 24.0 overlaps the infusion running from 0.0 h to 48.0 h; a rate change is one infusion stopping (stop_h) when the next starts
    """

    parts: tuple[_Block, ...]

    def __init__(self, *parts: _Block | Regimen) -> None:
        flat: list[_Block] = []
        for part in parts:
            if isinstance(part, Regimen):
                flat.extend(part.parts)
            elif isinstance(part, _Block):
                flat.append(part)
            else:
                raise ParameterError(
                    f"Regimen part {part!r} is not a regimen block (Oral, IntrathecalBolus, "
                    "IntrathecalInfusion, Haemodialysis)"
                )
        flat.sort(key=lambda p: (p.start, _KIND_ORDER[p.kind], repr(p)))
        object.__setattr__(self, "parts", tuple(flat))
        self._validate()

    def _validate(self) -> None:
        for name, items in (("IntrathecalInfusion", self.infusions),
                            ("Haemodialysis", self.dialysis_sessions)):
            for earlier, later in zip(items[:-1], items[1:], strict=True):
                if later.start_h < earlier.end_h:
                    what = "infusion" if name == "IntrathecalInfusion" else "dialysis session"
                    hint = ("; a rate change is one infusion stopping (stop_h) when the next starts"
                            if what == "infusion" else "")
                    raise ParameterError(
                        f"{name}.start_h = {later.start_h!r} overlaps the {what} running from "
                        f"{earlier.start_h!r} h to {earlier.end_h!r} h{hint}"
                    )
        oral = [e for e in self.events() if e.route == "oral"]
        times = np.array([e.time_h for e in oral])
        doses = np.array([e.dose for e in oral])
        daily, window = _max_daily_total(times, doses)
        limit = OVERDOSE_FACTOR * ORAL_LABEL_MAX_MG_PER_DAY
        if daily > limit:
            if not any(e.allow_overdose for e in oral):
                raise ParameterError(
                    f"Regimen oral total = {daily:g} mg in the 24 h from {window:g} h is outside "
                    f"the allowed range [0, {limit:g}] mg/day (needs allow_overdose=True)"
                )
            # A block that alone exceeds the limit has already warned.
            if not any(isinstance(p, Oral) and _max_daily_total(p._times(), np.full(
                    p.n_doses, p.dose_mg))[0] > limit for p in self.parts):
                _warn_overdose(f"Regimen oral total = {daily:g} mg in 24 h", limit, "mg/day",
                               "oral maximum of 80 mg/day")

    def __repr__(self) -> str:
        return f"Regimen({', '.join(repr(p) for p in self.parts)})"

    def __eq__(self, other: Any) -> bool:
        # A one-block regimen equals that block (hash kept consistent below).
        if isinstance(other, _Block):
            other = Regimen(other)
        if not isinstance(other, Regimen):
            return NotImplemented
        return self.parts == other.parts

    def __hash__(self) -> int:
        return hash(self.parts[0]) if len(self.parts) == 1 else hash(self.parts)

    def __add__(self, other: Any) -> Regimen:
        if not isinstance(other, (_Block, Regimen)):
            return NotImplemented
        return Regimen(self, other)

    def __radd__(self, other: Any) -> Regimen:
        if other == 0:
            return self
        return NotImplemented

    # -- listing ------------------------------------------------------------
    def events(self) -> tuple[DoseEvent, ...]:
        """Every instantaneous dose (oral and intrathecal bolus), sorted by time (stable)."""
        events = [e for part in self.parts for e in part.events()]
        return tuple(sorted(events, key=lambda e: e.time_h))

    @property
    def doses(self) -> tuple[DoseEvent, ...]:
        """Same as :meth:`events`."""
        return self.events()

    @property
    def infusions(self) -> tuple[IntrathecalInfusion, ...]:
        """The intrathecal infusions, by start time."""
        return tuple(p for p in self.parts if isinstance(p, IntrathecalInfusion))

    @property
    def dialysis_sessions(self) -> tuple[Haemodialysis, ...]:
        """The haemodialysis sessions, by start time."""
        return tuple(p for p in self.parts if isinstance(p, Haemodialysis))

    @property
    def total_oral_mg(self) -> float:
        """Sum of all oral doses, mg."""
        return float(sum(e.dose for e in self.events() if e.route == "oral"))

    def total_intrathecal_mg(self, until_h: float) -> float:
        """Intrathecal drug (boluses and infusions) given up to *until_h*, mg."""
        boluses = sum(e.amount_mg for e in self.events()
                      if e.route == "intrathecal" and e.time_h <= until_h)
        return float(boluses + sum(i.amount_mg_until(until_h) for i in self.infusions))

    def breakpoints(self) -> tuple[float, ...]:
        """Sorted times at which the inputs or coefficients jump (known discontinuities)."""
        times = {e.time_h for e in self.events()}
        for item in (*self.infusions, *self.dialysis_sessions):
            times.add(item.start_h)
            if math.isfinite(item.end_h):
                times.add(item.end_h)
        return tuple(sorted(times))

    def infusion_rate_mg_per_h(self, time_h: Any) -> np.ndarray:
        """Total intrathecal infusion rate at *time_h* (right-continuous), mg/h."""
        t = np.asarray(time_h, dtype=float)
        rate = np.zeros_like(t)
        for item in self.infusions:
            rate = rate + np.where((t >= item.start_h) & (t < item.end_h), item.rate_mg_per_h, 0.0)
        return rate

    def dialysis_clearance_ml_min(self, time_h: Any) -> np.ndarray:
        """Extracorporeal clearance at *time_h* (right-continuous), mL/min."""
        t = np.asarray(time_h, dtype=float)
        clearance = np.zeros_like(t)
        for item in self.dialysis_sessions:
            clearance = clearance + np.where((t >= item.start_h) & (t < item.end_h),
                                             item.clearance_ml_min, 0.0)
        return clearance

    # -- editing --------------------------------------------------------------
    @classmethod
    def from_events(cls, events: Iterable[DoseEvent], *others: _Block | Regimen) -> Regimen:
        """Build a regimen from an explicit list of doses (plus infusions, dialysis, …).

        Examples
        --------
        >>> doses = Oral(10, every_h=8, n_doses=3).events()
        >>> Regimen.from_events(doses[:2]).events() == Oral(10, every_h=8, n_doses=2).events()
        True
        """
        return cls(*(e.as_regimen() for e in events), *others)

    def _non_dose_parts(self) -> tuple[_Block, ...]:
        return tuple(p for p in self.parts if isinstance(p, (IntrathecalInfusion, Haemodialysis)))

    def without_dose(self, index: int) -> Regimen:
        """The same regimen with the dose ``events()[index]`` left out (a missed dose).

        Examples
        --------
        >>> Oral(10, every_h=8, n_doses=3).without_dose(-1).total_oral_mg
        20.0
        """
        events = list(self.events())
        try:
            events.pop(index)
        except (IndexError, TypeError):
            raise ParameterError(
                f"without_dose index = {index!r} is outside the allowed range "
                f"[{-len(events)}, {len(events) - 1}] of this regimen's {len(events)} doses"
            ) from None
        return Regimen.from_events(events, *self._non_dose_parts())

    def with_extra_dose(self, dose: Oral | IntrathecalBolus) -> Regimen:
        """The same regimen plus one more dose (same as ``regimen + dose``).

        Examples
        --------
        >>> Oral(10).with_extra_dose(Oral(10, start_h=2)).total_oral_mg
        20.0
        """
        if not isinstance(dose, (Oral, IntrathecalBolus)):
            raise ParameterError(
                f"with_extra_dose dose = {dose!r} must be Oral or IntrathecalBolus")
        return Regimen(self, dose)

    def stopped_at(self, time_h: float) -> Regimen:
        """Everything stops abruptly at *time_h*: later doses dropped, infusions cut.

        Dialysis sessions are kept (they give no drug).

        Examples
        --------
        >>> IntrathecalInfusion(400).stopped_at(240.0).infusions
        (IntrathecalInfusion(400.0, stop_h=240.0),)
        """
        stop = _number("stopped_at time_h", time_h, 0.0, _MAX_TIME_H, "h")
        events = [e for e in self.events() if e.time_h < stop]
        kept: list[_Block] = list(self.dialysis_sessions)
        for item in self.infusions:
            if item.start_h < stop:
                kept.append(dataclasses.replace(item, stop_h=min(item.end_h, stop)))
        return Regimen.from_events(events, *kept)

    # -- provenance -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain-data form ``{"parts": [...]}``; :func:`regimen_from_dict` reverses it.

        Examples
        --------
        >>> r = Oral(5, every_h=8, n_doses=9) + IntrathecalInfusion(400, start_h=72)
        >>> regimen_from_dict(r.to_dict()) == r
        True
        """
        return {"parts": [p.to_dict() for p in self.parts]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Regimen:
        """Inverse of :meth:`to_dict` (also accepts a single block's dict)."""
        return regimen_from_dict(data)


# Regimen summaries that a single block also answers (through Regimen(block)).
_REGIMEN_PASSTHROUGH = frozenset(
    {"infusions", "dialysis_sessions", "total_oral_mg", "total_intrathecal_mg", "breakpoints",
     "infusion_rate_mg_per_h", "dialysis_clearance_ml_min", "parts"}
)


def regimen_from_dict(data: Mapping[str, Any]) -> Regimen:
    """Rebuild a :class:`Regimen` from :meth:`Regimen.to_dict` or a block's ``to_dict()``.

    Parameters
    ----------
    data : mapping
        ``{"parts": [{"kind": "oral", ...}, ...]}`` or one ``{"kind": ...}`` mapping.

    Returns
    -------
    Regimen

    Raises
    ------
    ParameterError
        For an unknown kind or field (with a "did you mean" hint).

    Examples
    --------
    >>> regimen_from_dict({"kind": "intrathecal_bolus", "dose_ug": 75, "at_h": 24})
    Regimen(IntrathecalBolus(75.0, at_h=24.0))
    """
    if not isinstance(data, Mapping):
        raise ParameterError(f"regimen data = {data!r} is not a mapping")
    if "parts" in data:
        extra = set(data) - {"parts"}
        if extra:
            raise ParameterError(
                f"regimen data has unknown key(s) {sorted(extra)}; expected 'parts'")
        return Regimen(*(_block_from_dict(d) for d in data["parts"]))
    return Regimen(_block_from_dict(data))


def _block_from_dict(data: Mapping[str, Any]) -> _Block:
    if not isinstance(data, Mapping) or "kind" not in data:
        raise ParameterError(f"regimen part {data!r} needs a 'kind' ({', '.join(_BLOCK_TYPES)})")
    kind = data["kind"]
    if kind not in _BLOCK_TYPES:
        hint = did_you_mean(kind, _BLOCK_TYPES)
        raise ParameterError(
            f"regimen kind = {kind!r} is unknown{hint}; known: {', '.join(_BLOCK_TYPES)}")
    cls = _BLOCK_TYPES[kind]
    names = [f.name for f in dataclasses.fields(cls) if f.name != "_"]
    kwargs = {k: v for k, v in data.items() if k != "kind"}
    for key in kwargs:
        if key not in names:
            hint = did_you_mean(key, names)
            raise ParameterError(
                f"{cls.__name__} has no field {key!r}{hint}; known: {', '.join(names)}")
    first = names[0]
    if first not in kwargs:
        raise ParameterError(f"{cls.__name__} needs {first!r}")
    return cls(kwargs.pop(first), **kwargs)
