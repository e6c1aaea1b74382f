r"""Baclofen beside the other antispastics, on the same chain (illustrative, sourced, labelled).

Baclofen stays the subject; the comparison explains why its *site* matters.  Each
comparator acts on stages that already exist in the chain – no equation is copied
(:mod:`sim.actions` changes the rows the reflex kernel reads):

===============  ===========================  ==================================================
drug             receptor / target            stages it changes in the model
===============  ===========================  ==================================================
**baclofen**     GABA-B (the real chain)      oral steady state → cord tissue (:mod:`sim.pk`) →
                                              presynaptic and GIRK activation (:mod:`sim.receptor`);
                                              sedation from the brain level (:mod:`sim.outcomes`)
**diazepam**     GABA-A (benzodiazepine)      less Ia release per spike (presynaptic inhibition,
                                              primary afferent depolarisation) and a postsynaptic
                                              Cl⁻ conductance at :math:`E_{inh}`; strong sedation
**tizanidine**   α2-adrenoceptor              less stretch-evoked excitation through group II /
                                              polysynaptic pathways and less monoaminergic
                                              facilitation of the PIC
**dantrolene**   RyR1 in muscle               less force per unit activation (excitation–contraction
                                              coupling): reflex EMG unchanged, torque and strength fall
===============  ===========================  ==================================================

Exposure model (all three comparators)
--------------------------------------
Dose is a **steady daily oral dose**, mg/day.  With linear kinetics the average
steady-state concentration is proportional to the daily dose, so exposure is
written as the *fraction of the labelled maximum daily dose*
:math:`x = D / D_{max}` (the label's maximum is a sourced number; no clearance
is needed).  Every action is a saturating function of that exposure,

.. math::  E(x) = \frac{x}{x + x_{50}},\qquad
           \text{action}_k = \text{max}_k \; E(x),

with one potency :math:`x_{50}` per drug, and sedation uses the shape of
baclofen's own index (:func:`sim.outcomes.sedation_index`) with a drug-specific
potency :math:`x_{S}`:  :math:`S = 1 - 2^{-(x/x_S)^{n}}`, the same bands.

**Calibration** (status ``calibrated``): each :math:`x_{50}` is chosen so that a
clinically *equivalent* dose – from head-to-head trials that found the drugs of
similar efficacy (Chou, Peterson & Helfand 2004 review; Stien et al. 1987;
Roussan et al. 1985) – gives the same reflex-torque reduction as baclofen's
matched dose in severe spasticity.  The sizes of the individual actions are
illustrative.  Nothing here is dosing advice; the doses are those of labels and
trials, used only to place the drugs on one axis.

Examples
--------
>>> float(DIAZEPAM.exposure(20.0))        # fraction of the labelled maximum (40 mg/day)
0.5
>>> bool(DANTROLENE.actions(200.0).force_scale < 1.0), float(DANTROLENE.actions(200.0).release_scale)
(True, 1.0)
>>> sorted(COMPARATORS)
['dantrolene', 'diazepam', 'tizanidine']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from . import outcomes, pk, receptor
from . import readouts as ro
from .actions import ChainActions
from .errors import ParameterError
from .parameters import Parameters, check_choice, check_range, param
from .synapse import release_rel
from .units import ng_ml_to_um

__all__ = ["Comparator", "DiazepamParameters", "TizanidineParameters", "DantroleneParameters", "DIAZEPAM",
           "TIZANIDINE", "DANTROLENE", "COMPARATORS", "DRUGS", "DRUG_LABELS", "DRUG_SITES", "COMPARISON_SERIES",
           "MAX_DOSE_FACTOR", "BACLOFEN_MAX_MG_PER_DAY", "compare", "matched_doses", "label_max_mg_per_day",
           "DEFAULT_TARGET_REFLEX_TORQUE_REL", "DEFAULT_SPASTICITY"]

#: The drugs compared, baclofen first (it is the subject).
DRUGS = ("baclofen", "diazepam", "tizanidine", "dantrolene")
#: Short legend text of each drug.
DRUG_LABELS = {"baclofen": "Baclofen (GABA-B)", "diazepam": "Diazepam (GABA-A)", "tizanidine": "Tizanidine (α2)",
               "dantrolene": "Dantrolene (RyR1, muscle)"}
#: Where each drug acts on the chain, in words (the figure's callouts).
DRUG_SITES = {
    "baclofen": "Ia terminal: less glutamate release;\nmotoneuron: GIRK K⁺ conductance",
    "diazepam": "Ia terminal: presynaptic inhibition;\nmotoneuron: Cl⁻ conductance; brain: sedation",
    "tizanidine": "interneurons: less group II / polysynaptic\nexcitation; less monoaminergic PIC drive",
    "dantrolene": "muscle fibre (RyR1): less Ca²⁺ release,\nless force per activation; EMG unchanged",
}
#: Baclofen's labelled oral maximum, mg/day (its dose axis; :data:`sim.dosing.ORAL_LABEL_MAX_MG_PER_DAY`).
BACLOFEN_MAX_MG_PER_DAY = 80.0
#: Doses accepted, as a multiple of each drug's labelled maximum daily dose.
MAX_DOSE_FACTOR = 2.0
#: Default common target: reflex torque of the fast stretch at 70 % of drug-free (illustrative).
DEFAULT_TARGET_REFLEX_TORQUE_REL = 0.70
#: Default patient: moderate spasticity (as the dose-response scenario), normal kidneys.
DEFAULT_SPASTICITY = 0.5
#: What :func:`compare` returns for every drug and dose.
COMPARISON_SERIES = ("dose_mg_per_day", "dose_fraction", "reflex_emg_rel", "reflex_torque_rel", "voluntary_force_rel",
                     "sedation_index", "release_rel", "inhibitory_conductance_ns", "stretch_excitation_rel",
                     "pic_conductance_rel", "force_per_activation_rel")

_SEDATION_SHAPE = ("same shape as baclofen's index (sim.outcomes, exponent n of SedationParameters) so that the "
                   "bands mean the same")


class Comparator(Parameters):
    """Shared behaviour of the comparator parameter sets: exposure, actions on the chain, sedation.

    Subclasses are frozen keyword-only dataclasses with the fields ``label_max_mg_per_day``,
    ``half_effect_fraction`` and ``sedation_half_fraction`` plus their action maxima (any of
    ``release_cut_max``, ``chloride_conductance_max_ns``, ``stretch_excitation_cut_max``,
    ``pic_cut_max``, ``force_cut_max``; a missing one is 0).
    """

    drug: ClassVar[str] = ""

    def exposure(self, dose_mg_per_day: Any) -> np.ndarray:
        """Steady-state exposure as the fraction of the labelled maximum daily dose, :math:`x = D/D_{max}`."""
        high = MAX_DOSE_FACTOR * self.label_max_mg_per_day
        dose = check_range(f"{self.drug} dose_mg_per_day", dose_mg_per_day, 0.0, high, "mg/day")
        return dose / self.label_max_mg_per_day

    def effect(self, dose_mg_per_day: Any) -> np.ndarray:
        """Saturating effect :math:`E = x/(x + x_{50})` in [0, 1)."""
        x = self.exposure(dose_mg_per_day)
        return x / (x + self.half_effect_fraction)

    def actions(self, dose_mg_per_day: Any, motoneuron: Any = None) -> ChainActions:
        """The drug's actions on the chain's stages at a steady daily dose (:class:`sim.actions.ChainActions`)."""
        from .motoneuron import MotoneuronParameters

        m = motoneuron or MotoneuronParameters()
        e = self.effect(dose_mg_per_day)
        cut = lambda name: 1.0 - getattr(self, name, 0.0) * e  # noqa: E731
        return ChainActions(release_scale=cut("release_cut_max"),
                            added_conductance_ns=getattr(self, "chloride_conductance_max_ns", 0.0) * e,
                            added_reversal_mv=m.inhibitory_reversal_mv,
                            stretch_excitation_scale=cut("stretch_excitation_cut_max"),
                            pic_scale=cut("pic_cut_max"), force_scale=cut("force_cut_max"))

    def sedation_index(self, dose_mg_per_day: Any, sedation: Any = None) -> np.ndarray:
        """Qualitative sedation index :math:`S = 1 - 2^{-(x/x_S)^n}` (bands of :mod:`sim.outcomes`; not a probability)."""
        sedation = sedation or outcomes.SedationParameters()
        x = self.exposure(dose_mg_per_day)
        return -np.expm1(-np.log(2.0) * (x / self.sedation_half_fraction) ** sedation.exponent)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DiazepamParameters(Comparator):
    """Diazepam: GABA-A positive modulator – presynaptic inhibition of Ia terminals, a postsynaptic Cl⁻ conductance."""

    drug: ClassVar[str] = "diazepam"

    label_max_mg_per_day: float = param(
        40.0, symbol="D_max", unit="mg/day", bounds=(1.0, 200.0), status="literature",
        source="diazepam label, adjunct in skeletal muscle spasm: 2–10 mg three or four times daily (≤ 40 mg/day); "
        "trial range 10–40 mg/day (Roussan et al., Pharmatherapeutica 1985;4:278)",
        description="labelled maximum daily dose (the exposure scale)",
    )
    half_effect_fraction: float = param(
        0.81, symbol="x_50", unit="1", bounds=(0.01, 10.0), status="calibrated",
        source="calibrated: 35 mg/day (≈ 0.6× baclofen's ≈ 59 mg/day, the ratio of the mid-ranges in Roussan 1985: "
        "diazepam 10–40 vs baclofen 25–60 mg/day, equal improvement) brings reflex torque to 70 % of drug-free "
        "in moderate spasticity, as baclofen's matched dose does",
        description="exposure giving half the maximal spinal action",
    )
    release_cut_max: float = param(
        0.15, symbol="c_rel", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="illustrative size; benzodiazepines enhance presynaptic (GABA-A, primary afferent depolarisation) "
        "inhibition of Ia terminals, thought to be their main direct spinal action (Stratten & Barnes 1971; "
        "Choi, Farb & Fischbach, Nature 1977;269:342)",
        description="largest fractional cut of Ia release per spike",
    )
    chloride_conductance_max_ns: float = param(
        25.0, symbol="g_Cl,max", unit="nS", bounds=(0.0, 5000.0), status="illustrative",
        source="illustrative: GABA-A opens Cl⁻ channels (more frequent openings with a benzodiazepine; NCI "
        "thesaurus C0012010) – postsynaptic inhibition at E_inh, smaller than the presynaptic action",
        description="largest added postsynaptic Cl⁻ conductance on each motoneuron unit",
    )
    sedation_half_fraction: float = param(
        1.1, symbol="x_S", unit="1", bounds=(0.01, 10.0), status="illustrative",
        source="illustrative, " + _SEDATION_SHAPE + ": excessive daytime sedation more common on diazepam than on "
        "baclofen at equal antispastic effect (Roussan 1985; drowsiness, imbalance worse on diazepam than on "
        "dantrolene, Dantrium label); 35 mg/day lands in 'moderate', above baclofen's 'mild' at equal effect",
        description="exposure giving a sedation index of 0.5",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class TizanidineParameters(Comparator):
    """Tizanidine: α2 agonist – less group II / polysynaptic excitation, less monoaminergic PIC facilitation."""

    drug: ClassVar[str] = "tizanidine"

    label_max_mg_per_day: float = param(
        36.0, symbol="D_max", unit="mg/day", bounds=(1.0, 200.0), status="literature",
        source="tizanidine label (Zanaflex): titration to the maximum tolerated dose up to 36 mg/day in three "
        "divided doses; median plateau dose 20–28 mg/day",
        description="labelled maximum daily dose (the exposure scale)",
    )
    half_effect_fraction: float = param(
        0.96, symbol="x_50", unit="1", bounds=(0.01, 10.0), status="calibrated",
        source="calibrated: 30 mg/day, half baclofen's ≈ 59 mg/day in mg (equal efficacy at a 1:2 mg ratio, mean 23 "
        "vs 59 mg/day, Stien et al., Acta Neurol Scand 1987;75:190; roughly equivalent, Chou, Peterson & Helfand "
        "2004), brings reflex torque to 70 % of drug-free in moderate spasticity",
        description="exposure giving half the maximal spinal action",
    )
    stretch_excitation_cut_max: float = param(
        0.2, symbol="c_exc", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="illustrative: the model's stretch-evoked excitatory conductance lumps mono- and oligosynaptic "
        "excitation; α2 agonism depresses interneuronal (group II, polysynaptic) transmission (Coward, Neurology "
        "1994; group II facilitation −34 % after tizanidine, Maupas et al. 2004 (wikigenes 14707322)); the "
        "monosynaptic Ia share is left alone",
        description="largest fractional cut of the stretch-evoked excitation (its group II / polysynaptic share)",
    )
    pic_cut_max: float = param(
        0.3, symbol="c_PIC", unit="1", bounds=(0.0, 1.0), status="illustrative",
        source="illustrative: tizanidine removes descending noradrenergic (coeruleospinal) facilitation of spinal "
        "reflexes (Palmeri 1991, monkeys; Coward 1994); PICs depend on monoaminergic drive (calibration notes §5, "
        "from memory)",
        description="largest fractional cut of the PIC conductance (its monoaminergic share)",
    )
    sedation_half_fraction: float = param(
        1.8, symbol="x_S", unit="1", bounds=(0.01, 10.0), status="illustrative",
        source="illustrative, " + _SEDATION_SHAPE + ": somnolence is among the most common adverse reactions "
        "(label; more than with baclofen, Bass et al., Can J Neurol Sci 1988) but rated mild to moderate by "
        "three quarters of patients; placed near baclofen's band at equal effect",
        description="exposure giving a sedation index of 0.5",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class DantroleneParameters(Comparator):
    """Dantrolene: RyR1 in muscle – less Ca²⁺ release per action potential, less force per activation."""

    drug: ClassVar[str] = "dantrolene"

    label_max_mg_per_day: float = param(
        400.0, symbol="D_max", unit="mg/day", bounds=(10.0, 2000.0), status="literature",
        source="dantrolene label (Dantrium capsules): 25 mg daily increased weekly to at most 100 mg four times "
        "daily; usual 75 mg three times daily (national formulary summary)",
        description="labelled maximum daily dose (the exposure scale)",
    )
    half_effect_fraction: float = param(
        0.94, symbol="x_50", unit="1", bounds=(0.01, 10.0), status="calibrated",
        source="calibrated: the usual 225 mg/day (75 mg three times daily) brings reflex torque to 70 % of drug-free "
        "in moderate spasticity, as baclofen's matched dose does; head-to-head data are poor (Chou, Peterson & Helfand 2004: similar to "
        "diazepam in fair-quality trials)",
        description="exposure giving half the maximal action",
    )
    force_cut_max: float = param(
        0.8, symbol="c_F", unit="1", bounds=(0.0, 1.0), status="literature",
        source="rat hemidiaphragm: dantrolene reduced twitch tension to ≈ 20 % of the original, with no change "
        "of membrane potential or end-plate potentials (excitation–contraction uncoupling; Ellis & Bryant, "
        "Naunyn-Schmiedeberg's Arch Pharmacol 1972;274:107)",
        description="largest fractional cut of force per unit activation",
    )
    sedation_half_fraction: float = param(
        3.3, symbol="x_S", unit="1", bounds=(0.01, 10.0), status="illustrative",
        source="illustrative, " + _SEDATION_SHAPE + ": drowsiness and dizziness are listed but generally "
        "transient and early, and less than with diazepam (Dantrium label); no direct CNS target is known",
        description="exposure giving a sedation index of 0.5",
    )


#: Default parameter sets.
DIAZEPAM = DiazepamParameters()
TIZANIDINE = TizanidineParameters()
DANTROLENE = DantroleneParameters()
#: The comparators by name.
COMPARATORS: dict[str, Comparator] = {"diazepam": DIAZEPAM, "tizanidine": TIZANIDINE, "dantrolene": DANTROLENE}


def label_max_mg_per_day(drug: str, comparators: dict[str, Comparator] | None = None) -> float:
    """Labelled maximum daily dose of *drug*, mg/day (baclofen: 80 mg/day)."""
    check_choice("drug", drug, DRUGS)
    return BACLOFEN_MAX_MG_PER_DAY if drug == "baclofen" else (comparators or COMPARATORS)[drug].label_max_mg_per_day


def _baclofen_steady_state(dose: np.ndarray, patient: Any, params: Any) -> dict[str, np.ndarray]:
    """Baclofen's real chain at a steady oral daily dose: average cord-tissue and brain levels (sim.pk)."""
    p = params.pk
    plasma = pk.steady_state_plasma_ng_ml(dose, 0.0, patient, p)
    csf = pk.steady_state_csf_ng_ml(0.0, p, patient=patient, oral_mg_per_day=dose)
    spinal = pk.steady_state_spinal_ng_ml(dose, 0.0, patient, p)
    brain = p.brain_plasma_ratio * plasma + p.rostral_fraction * csf  # steady state of the brain effect site
    return {"spinal_effect_ng_ml": np.asarray(spinal, dtype=float), "brain_ng_ml": np.asarray(brain, dtype=float)}


def compare(drugs: Sequence[str], doses_mg_per_day: Any, *, patient: Any = None, params: Any = None,
            comparators: dict[str, Comparator] | None = None, dt_ms: float | None = None) -> dict[str, np.ndarray]:
    """Reflex EMG, reflex torque, voluntary strength and sedation for several drugs and doses, in one batch.

    Every (drug, dose) pair is a probe of the same chain; all of them run in one batched call of
    the reflex kernel per protocol (fast stretch, maximal contraction), with one drug-free
    reference per protocol.

    Parameters
    ----------
    drugs : sequence of str
        Names from :data:`DRUGS`; axis 0 of the result.
    doses_mg_per_day : array_like
        Steady daily oral doses, mg/day, shape ``(n,)`` (the same for every drug) or
        ``(len(drugs), n)``; each in [0, :data:`MAX_DOSE_FACTOR` × the drug's labelled maximum].
    patient : sim.Patient, optional
        One patient (default: moderate spasticity, :data:`DEFAULT_SPASTICITY`, normal kidneys).
    params : sim.model.ModelParameters, optional
        Stage parameters (baclofen's chain and the shared reflex stages).
    comparators : dict, optional
        Parameter sets by drug name (default :data:`COMPARATORS`).
    dt_ms : float, optional
        Integration step of the probes.

    Returns
    -------
    dict of str to numpy.ndarray
        :data:`COMPARISON_SERIES`, each of shape ``(len(drugs), n)``; relative read-outs are
        against the same patient drug-free.  ``inhibitory_conductance_ns`` is the drug's added
        postsynaptic inhibitory conductance (GIRK for baclofen, Cl⁻ for diazepam).

    Examples
    --------
    >>> out = compare(["baclofen", "dantrolene"], [0.0, 40.0])
    >>> out["reflex_torque_rel"].shape, float(out["reflex_torque_rel"][0, 0])
    ((2, 2), 1.0)
    """
    from .model import ModelParameters
    from .patient import Patient

    params = params or ModelParameters()
    comparators = comparators or COMPARATORS
    patient = patient or Patient(condition="spastic", spasticity=DEFAULT_SPASTICITY)
    if not isinstance(patient, Patient) or patient.batch_shape != ():
        raise ParameterError(f"patient = {patient!r}: expected one sim.Patient")
    drugs = [check_choice("drug", d, DRUGS) for d in drugs]
    if not drugs:
        raise ParameterError("drugs is empty; name at least one of " + ", ".join(DRUGS))
    doses = np.asarray(doses_mg_per_day, dtype=float)
    doses = np.broadcast_to(doses if doses.ndim == 2 else doses.reshape(1, -1), (len(drugs), doses.shape[-1]))
    shape = doses.shape
    endogenous = params.receptor.endogenous_presynaptic_activation
    a_pre, a_post = np.full(shape, endogenous), np.zeros(shape)
    fields = {name: np.broadcast_to(getattr(ChainActions(), name), shape).copy()
              for name in ("release_scale", "added_conductance_ns", "added_reversal_mv", "stretch_excitation_scale",
                           "pic_scale", "force_scale")}
    sedation, fraction, release, inhibitory = (np.zeros(shape) for _ in range(4))
    for row, drug in enumerate(drugs):
        dose = doses[row]
        if drug == "baclofen":
            dose = check_range("baclofen dose_mg_per_day", dose, 0.0, MAX_DOSE_FACTOR * BACLOFEN_MAX_MG_PER_DAY,
                               "mg/day")
            levels = _baclofen_steady_state(dose, patient, params)
            a_pre[row], a_post[row] = receptor.site_activations(ng_ml_to_um(levels["spinal_effect_ng_ml"]),
                                                                params=params.receptor)
            sedation[row] = outcomes.sedation_index(levels["brain_ng_ml"], params.sedation,
                                                    receptor_params=params.receptor)
            fraction[row] = dose / BACLOFEN_MAX_MG_PER_DAY
            release[row] = release_rel(a_pre[row], params.synapse, params.receptor)
            inhibitory[row] = params.motoneuron.girk_conductance_max_ns * a_post[row]
            continue
        drug_params = comparators[drug]
        acts = drug_params.actions(dose, params.motoneuron)
        for name in fields:
            fields[name][row] = getattr(acts, name)
        sedation[row] = drug_params.sedation_index(dose, params.sedation)
        fraction[row] = drug_params.exposure(dose)
        release[row] = acts.release_scale
        inhibitory[row] = acts.added_conductance_ns
    actions = ChainActions(**fields)
    names = ("reflex_gain_rel", "reflex_torque_rel", "voluntary_force_spinal_rel")
    severity = np.broadcast_to(patient.severity, shape)
    requested, _ = _with_relative(names, a_pre, a_post, severity, params, dt_ms, actions)
    return {
        "dose_mg_per_day": np.array(doses), "dose_fraction": fraction,
        "reflex_emg_rel": requested["reflex_gain_rel"], "reflex_torque_rel": requested["reflex_torque_rel"],
        "voluntary_force_rel": requested["voluntary_force_spinal_rel"]
        * outcomes.central_drive_factor(sedation, params.sedation),
        "sedation_index": sedation, "release_rel": release, "inhibitory_conductance_ns": inhibitory,
        "stretch_excitation_rel": fields["stretch_excitation_scale"], "pic_conductance_rel": fields["pic_scale"],
        "force_per_activation_rel": fields["force_scale"],
    }


def _with_relative(names: Sequence[str], a_pre: Any, a_post: Any, severity: Any, params: Any, dt_ms: Any,
                   actions: ChainActions) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """:func:`sim.readouts.with_relative` with the comparators' actions (drug-free reference without them)."""
    values = ro.evaluate(names, a_pre, a_post, severity, params, dt_ms=dt_ms, actions=actions)
    reference = ro.drug_free(names, severity, params, dt_ms=dt_ms)
    requested = {name: values[ro.READOUTS[name].relative_to] / reference[ro.READOUTS[name].relative_to]
                 for name in names}
    return requested, values


def matched_doses(target_reflex_torque_rel: float = DEFAULT_TARGET_REFLEX_TORQUE_REL, drugs: Sequence[str] = DRUGS,
                  *, patient: Any = None, params: Any = None, comparators: dict[str, Comparator] | None = None,
                  iterations: int = 30, dt_ms: float | None = None) -> np.ndarray:
    """Each drug's steady daily dose that brings reflex torque to *target_reflex_torque_rel* of drug-free.

    A batched bisection: every iteration is one :func:`compare` call for all drugs at once, on
    [0, :data:`MAX_DOSE_FACTOR` × the labelled maximum] (reflex torque falls monotonically with
    dose for every drug).

    Parameters
    ----------
    target_reflex_torque_rel : float in [0.2, 0.99]
        Common target: reflex torque of the fast stretch relative to drug-free.
    drugs : sequence of str
        Drugs (default all four).
    patient, params, comparators, dt_ms
        As in :func:`compare`.
    iterations : int
        Bisection steps (30 halvings: doses to ≈ 1e-9 of the bracket).

    Returns
    -------
    numpy.ndarray
        Matched doses, mg/day, one per drug.

    Raises
    ------
    ParameterError
        If a drug cannot reach the target within its dose range.

    Examples
    --------
    >>> dose = matched_doses(0.70, ["baclofen"])
    >>> bool(40.0 < dose[0] < 80.0)
    True
    """
    target = float(check_range("target_reflex_torque_rel", target_reflex_torque_rel, 0.2, 0.99))
    drugs = list(drugs)
    high = np.array([MAX_DOSE_FACTOR * label_max_mg_per_day(d, comparators) for d in drugs])
    top = compare(drugs, high[:, None], patient=patient, params=params, comparators=comparators, dt_ms=dt_ms)
    short = [d for d, value in zip(drugs, top["reflex_torque_rel"][:, 0], strict=True) if value > target]
    if short:
        raise ParameterError(f"target_reflex_torque_rel = {target}: not reached by {', '.join(short)} even at "
                             f"{MAX_DOSE_FACTOR:g}× the labelled maximum daily dose")
    low = np.zeros(len(drugs))
    for _ in range(int(iterations)):
        middle = 0.5 * (low + high)
        torque = compare(drugs, middle[:, None], patient=patient, params=params, comparators=comparators,
                         dt_ms=dt_ms)["reflex_torque_rel"][:, 0]
        above = torque > target
        low, high = np.where(above, middle, low), np.where(above, high, middle)
    return 0.5 * (low + high)
