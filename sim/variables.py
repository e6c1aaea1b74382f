"""The variable registry: one table of every output variable, with unit, axis label and meaning.

Every name the package puts into a :class:`~sim.result.Result` – course
outputs, drug amounts, reflex traces and summaries, the columns of the
scenario tables and their axes – has one row here.  Units, CSV headers, axis
labels, the explorer and the model card all read from this table, so a unit
is written down once:

* :meth:`sim.result.Result.unit` returns the registry unit of a registered
  name (and of a CSV column ``name[arm]``);
* :func:`axis_label` builds the label a plot shows (``"Plasma concentration
  (ng/mL)"``), falling back to the name's unit suffix for unregistered names;
* :func:`sim.modelcard.render` lists the table in ``docs/model.md``.

Units are written as in code (``"deg"``, ``"N·m"``, ``"1"`` for dimensionless,
``"band"`` for the qualitative sedation bands, ``"bool"`` for yes/no);
:func:`display_unit` turns them into what a slide shows (``"°"``).

Examples
--------
>>> VARIABLES["plasma_ng_ml"].unit
'ng/mL'
>>> VARIABLES["angle_deg"].label
'Joint angle (°)'
>>> lookup("emg_peak[spastic]").label  # a CSV column of one arm
'Peak reflex EMG (a.u.)'
"""

from __future__ import annotations

import dataclasses
import difflib

__all__ = ["Variable", "VARIABLES", "GROUPS", "lookup", "base_name", "axis_label", "display_unit",
           "disagreements"]

#: Groups of the table, in the order the model card lists them.
GROUPS = {
    "axis": "axes of courses, probes and scenario tables",
    "exposure": "drug levels and amounts (sim.pk, sim.course)",
    "course": "course read-outs (sim.course)",
    "trace": "reflex-probe traces (sim.reflex)",
    "summary": "reflex-probe summaries (sim.reflex)",
    "table": "columns of the mechanism tables (sim.runner)",
    "comparators": "baclofen beside the other antispastics (sim.comparators; illustrative)",
    "population": "virtual-cohort summaries over time (sim.population; shares of the cohort, never probabilities)",
    "clonus": "closed-loop clonus probe: traces and read-outs (sim.closed_loop)",
}

# Units as written in code → as printed on a slide.
_PRETTY_UNITS = {"deg": "°", "deg/s": "°/s", "um": "µM", "uM": "µM", "Nm": "N·m", "N m": "N·m",
                 "ug": "µg", "ohm": "Ω"}
# Units that print no parentheses: dimensionless, qualitative bands, yes/no.
_NO_UNIT = {"", "1", "-", "none", "dimensionless", "band", "bool"}


def display_unit(unit: str) -> str:
    """Return *unit* as a slide shows it (``"deg"`` → ``"°"``), ``""`` when there is none.

    Examples
    --------
    >>> display_unit("deg/s"), display_unit("1"), display_unit("ng/mL")
    ('°/s', '', 'ng/mL')
    """
    shown = _PRETTY_UNITS.get(unit, unit)
    return "" if shown in _NO_UNIT else shown


def _with_unit(text: str, unit: str) -> str:
    shown = display_unit(unit)
    if not shown or f"({shown})" in text:
        return text
    return f"{text} ({shown})"


@dataclasses.dataclass(frozen=True)
class Variable:
    """One output variable.

    Attributes
    ----------
    name : str
        As in a :class:`~sim.result.Result` (unit suffix included: ``"torque_nm"``).
    unit : str
        Unit as stored and written to CSV headers; ``"1"`` for dimensionless.
    label : str
        Axis label as plots show it, unit included (``"Joint torque (N·m)"``).
    description : str
        One line: what the number means.
    group : str
        One of :data:`GROUPS`.
    quantity : str
        The label without its unit (used when a plot is given another unit).
    """

    name: str
    unit: str
    label: str
    description: str
    group: str
    quantity: str


def _rows(group: str, *rows: tuple[str, ...]) -> list[Variable]:
    # A row is (name, unit, quantity, description[, unit shown on the axis]).
    made = []
    for name, unit, quantity, description, *shown in rows:
        label = _with_unit(quantity, shown[0] if shown else unit)
        made.append(Variable(name, unit, label, description, group, quantity))
    return made


_TABLE = [
    *_rows(
        "axis",
        ("t_h", "h", "Time", "Time since the start of a course."),
        ("t_ms", "ms", "Time", "Time since the start of a reflex probe or a slice experiment."),
        ("velocity_deg_s", "deg/s", "Stretch velocity", "Angular velocity of the imposed ramp stretch."),
        ("bath_um", "µM", "Bath baclofen concentration",
         "Baclofen in the bath of a hippocampal-slice experiment."),
        ("daily_dose_mg", "mg/day", "Daily oral dose", "Oral baclofen per day, split into equal doses."),
        ("input_index", "1", "Input",
         "Position of an input in sim.sensitivity.INPUTS (CL/F, V/F, absorption, CSF clearance, penetration, "
         "presynaptic EC50, severity, kidney function)."),
    ),
    *_rows(
        "exposure",
        ("plasma_ng_ml", "ng/mL", "Plasma concentration", "Total baclofen in plasma."),
        ("csf_ng_ml", "ng/mL", "CSF concentration", "Baclofen in the lumped lumbar spinal CSF."),
        ("spinal_effect_ng_ml", "ng/mL", "Spinal cord tissue concentration",
         "Level in cord tissue at the spinal GABA-B receptors: from blood (oral) and from lumbar CSF "
         "behind a steep penetration gradient (intrathecal)."),
        ("csf_transit_ng_ml", "ng/mL", "CSF-to-cord transit level",
         "Lumbar CSF level after the two-stage delay into the cord, before the penetration factor."),
        ("brain_ng_ml", "ng/mL", "Brain concentration", "Level at the brain effect site (drives sedation)."),
        ("gut_mg", "mg", "Drug in the gut", "Oral drug not yet absorbed (tablet and solution)."),
        ("urine_unchanged_mg", "mg", "Excreted unchanged (cumulative)",
         "Drug excreted unchanged by the kidneys since the start."),
        ("metabolised_mg", "mg", "Metabolised (cumulative)", "Drug cleared by metabolism since the start."),
        ("dialysed_mg", "mg", "Removed by dialysis (cumulative)",
         "Drug removed by haemodialysis since the start."),
        ("presystemic_mg", "mg", "Lost before the circulation (cumulative)",
         "Absorbed oral drug that never reaches plasma (1 − bioavailability)."),
        ("eliminated_mg", "mg", "Eliminated (cumulative)",
         "Sum of urine, metabolism, dialysis and presystemic loss."),
        ("dosed_mg", "mg", "Dose given (cumulative)", "Drug given by every route since the start."),
        ("receptor_availability", "1", "GABA-B receptor availability",
         "Fraction of GABA-B receptors left after adaptation (1 = drug-naive; illustrative)."),
    ),
    *_rows(
        "course",
        ("activation_spinal", "1", "Spinal GABA-B activation",
         "Drug-driven presynaptic GABA-B activation, scaled by receptor availability."),
        ("activation_brain", "1", "Brain GABA-B activation", "GABA-B activation at the brain effect site."),
        ("ca_influx_rel", "1", "Presynaptic Ca²⁺ entry (relative)",
         "Ca²⁺ entry per Ia spike relative to the drug-free terminal."),
        ("release_rel", "1", "Glutamate release (relative)",
         "Glutamate released per Ia spike relative to the drug-free synapse."),
        ("girk_conductance_ns", "nS", "GIRK K⁺ conductance",
         "Postsynaptic GIRK conductance opened in the motoneuron by GABA-B activation."),
        ("reflex_gain_rel", "1", "Stretch-reflex gain (relative)",
         "Peak reflex EMG of the standard fast stretch relative to the same patient drug-free."),
        ("threshold_angle_deg", "deg", "Reflex threshold angle",
         "Joint angle when the reflex EMG first crosses the onset threshold."),
        ("h_reflex_ratio", "1", "H-reflex (H/M ratio)",
         "Motoneuron pool recruited by an electrical Ia volley (Hmax/Mmax-like)."),
        ("spasm_index", "ms", "Spasm index",
         "How long PIC-sustained firing outlasts a brief Ia train."),
        ("voluntary_force_rel", "1", "Voluntary force (relative)",
         "Voluntary force relative to drug-free: spinal weakness × central drive left under sedation."),
        ("voluntary_force_spinal_rel", "1", "Voluntary force, spinal part (relative)",
         "Voluntary force relative to drug-free from the spinal effects alone."),
        ("voluntary_force_n", "N", "Voluntary force", "Active force at the end of the standard contraction."),
        ("tone_discomfort_rel", "1", "Discomfort from muscle tone (relative)",
         "Tightness-related discomfort: resistive torque relative to drug-free."),
        ("nociceptive_signal_rel", "1", "Nociceptive (pain) signal (relative)",
         "Nociceptive relay transmission relative to drug-free (untouched by the drug)."),
        ("sedation_index", "1", "Sedation index (qualitative)",
         "Qualitative 0–1 scale of central depression; shown only as bands."),
        ("sedation_band", "band", "Sedation band", "none / mild / moderate / marked – never a probability."),
        ("emg_peak", "1", "Peak reflex EMG",
         "Peak EMG rise above the pre-stimulus level, fraction of maximal EMG.", "a.u."),
        ("torque_peak_nm", "N·m", "Peak reflex torque", "Peak resistive joint torque (passive + reflex)."),
        ("reflex_torque_nm", "N·m", "Reflex torque", "Peak active (reflex) torque of the standard fast stretch."),
        ("reflex_torque_rel", "1", "Reflex torque (relative)",
         "Peak active (reflex) torque of the standard fast stretch relative to the same patient drug-free."),
    ),
    *_rows(
        "trace",
        ("angle_deg", "deg", "Joint angle", "Imposed joint angle."),
        ("ia_rate_hz", "imp/s", "Ia afferent firing rate", "Mean firing rate of the Ia afferents."),
        ("vesicle_pool", "1", "Releasable vesicle pool", "Fraction of the Ia terminal's vesicle pool ready."),
        ("glutamate_mm", "mM", "Synaptic glutamate", "Glutamate in the synaptic cleft."),
        ("ampa_open", "1", "Open AMPA receptors", "Fraction of postsynaptic AMPA receptors open."),
        ("ampa_conductance_ns", "nS", "AMPA conductance", "Ia-evoked AMPA conductance of the motoneuron."),
        ("v_mv", "mV", "Motoneuron membrane potential", "Mean membrane potential of the pool's units."),
        ("pic_activation", "1", "PIC activation", "Open fraction of the persistent inward current (activation × "
         "availability), mean over the pool's units."),
        ("pic_availability", "1", "PIC availability", "Fraction of the persistent inward current not inactivated, "
         "mean over the pool's units."),
        ("mn_rate_hz", "imp/s", "Motoneuron firing rate", "Mean firing rate of the motoneuron pool, weighted by "
         "each unit's share of the EMG."),
        ("recruited_fraction", "1", "Recruited motoneurons", "Share of the pool firing, weighted by each unit's "
         "share of the EMG (of the M-wave)."),
        ("emg", "1", "EMG", "EMG proxy: pool rate as a fraction of the rate at maximal contraction.",
         "a.u."),
        ("muscle_activation", "1", "Muscle activation", "Activation of the extrafusal fibres."),
        ("active_force_n", "N", "Active muscle force", "Force of the contracting fibres."),
        ("passive_force_n", "N", "Passive muscle force", "Force of the stretched passive tissue."),
        ("force_n", "N", "Muscle force", "Active plus passive muscle force."),
        ("torque_nm", "N·m", "Joint torque", "Resistive joint torque of the muscle."),
    ),
    *_rows(
        "summary",
        ("reflex_torque_peak_nm", "N·m", "Peak active reflex torque",
         "Peak rise of the active (reflex) torque above rest."),
        ("trigger_angle_deg", "deg", "Reflex trigger angle (latency-corrected)",
         "Joint angle when the Ia discharge behind the EMG onset left the muscle."),
        ("latency_ms", "ms", "Reflex latency", "From stimulus onset to the EMG threshold crossing."),
        ("reflex_detected", "bool", "Reflex detected", "Whether the EMG crossed the onset threshold."),
        ("recruited_peak", "1", "Peak recruited fraction", "Largest fraction of the motoneuron pool firing."),
        ("sustained_firing_ms", "ms", "Sustained firing",
         "How long the pool keeps firing after the stimulus ends."),
        ("active_force_end_n", "N", "Active force at the end", "Active muscle force at the end of the probe."),
        ("a_pre", "1", "Presynaptic GABA-B activation (total)",
         "Presynaptic activation including the endogenous tone."),
        ("a_post", "1", "Postsynaptic GABA-B activation", "GABA-B activation of the motoneuron."),
        ("resting_release_rel", "1", "Resting release (relative)",
         "Release per Ia spike at rest relative to the drug-free resting synapse."),
    ),
    *_rows(
        "table",
        ("epsc_rel", "1", "Slice EPSC amplitude (relative)",
         "Hippocampal-slice EPSC relative to drug-free, per enantiomer."),
        ("activation_pre", "1", "Presynaptic GABA-B activation",
         "Presynaptic activation by the bath concentration."),
        ("fourth_power", "1", "Pure Ca⁴ law", "(Ca²⁺ entry)⁴: the guide line of the release law."),
        ("gabab_conductance", "1", "GABA-B conductance (normalised)",
         "Slow G-protein-coupled conductance; the quantity of single_pulse and burst."),
        ("single_pulse", "1", "GABA-B conductance after one pulse (normalised)",
         "Response to a single presynaptic pulse."),
        ("burst", "1", "GABA-B conductance after a burst (normalised)",
         "Response to a burst of ten pulses at 100 Hz."),
    ),
    *_rows(
        "clonus",
        ("angular_velocity_deg_s", "deg/s", "Joint angular velocity", "Dorsiflexion velocity of the free foot."),
        ("muscle_torque_nm", "N·m", "Soleus torque", "Plantarflexing torque of the soleus above rest "
         "(active, after the efferent delay, with force–velocity; plus passive)."),
        ("examiner_torque_nm", "N·m", "Examiner's torque", "Dorsiflexing torque of the examiner's hand."),
        ("beats", "1", "Clonus beats", "Reflex bursts (≥ 5 % extra recruitment) after the push's own reflex."),
        ("clonus_frequency_hz", "Hz", "Clonus frequency", "Beats per second between the first and last beat "
         "(0 with fewer than two)."),
        ("clonus_persists", "bool", "Clonus persists", "A beat starts in the last 0.5 s of the window."),
        ("open_loop_gain_rel", "1", "Open-loop reflex gain (relative)", "Peak EMG of the standard open-loop "
         "stretch relative to the same patient drug-free."),
        ("effective_loop_delay_ms", "ms", "Effective loop delay", "1/(4f): the delay of the textbook loop "
         "with the same period (0 without clonus)."),
        ("conduction_delay_ms", "ms", "Conduction delay", "Afferent plus efferent delay of the loop."),
        ("angle_swing_end_deg", "deg", "Last angle swing", "Peak-to-trough angle of the last cycle."),
    ),
]

_TABLE += _rows(
    "comparators",
    ("target_reflex_torque_rel", "1", "Target reflex torque (relative)",
     "Common target of the antispastic comparison: reflex torque relative to drug-free (sim.comparators)."),
    ("dose_mg_per_day", "mg/day", "Daily oral dose", "Steady daily oral dose of the drug compared (sim.comparators)."),
    ("dose_fraction", "1", "Dose (fraction of the labelled maximum)",
     "Steady daily dose as a fraction of the drug's labelled maximum daily dose (its exposure scale)."),
    ("reflex_emg_rel", "1", "Reflex EMG (relative)",
     "Peak reflex EMG of the standard fast stretch relative to the same patient drug-free."),
    ("inhibitory_conductance_ns", "nS", "Added postsynaptic inhibitory conductance",
     "Inhibitory conductance the drug adds to each motoneuron unit (GIRK K⁺ for baclofen, Cl⁻ for diazepam)."),
    ("stretch_excitation_rel", "1", "Stretch-evoked excitation (relative)",
     "Stretch-evoked excitatory conductance relative to drug-free (less group II / polysynaptic excitation)."),
    ("pic_conductance_rel", "1", "PIC conductance (relative)",
     "Persistent inward current conductance relative to drug-free (less monoaminergic facilitation)."),
    ("force_per_activation_rel", "1", "Force per activation (relative)",
     "Muscle force per unit activation relative to drug-free (excitation–contraction coupling)."),
)

#: Series of a cohort course summarised by percentiles across the virtual patients.
COHORT_PERCENTILE_SERIES = ("plasma_ng_ml", "csf_ng_ml", "spinal_effect_ng_ml", "brain_ng_ml", "reflex_gain_rel")
#: The percentiles summarised (5–95 % and 25–75 % bands around the median).
COHORT_PERCENTILES = (5, 25, 50, 75, 95)


def _cohort_rows() -> list[Variable]:
    by_name = {v.name: v for v in _TABLE}
    rows = []
    for base in COHORT_PERCENTILE_SERIES:
        source = by_name[base]
        for p in COHORT_PERCENTILES:
            quantity = f"{source.quantity}, {'median' if p == 50 else f'{p}th percentile'} of the cohort"
            rows.append(Variable(f"{base}_p{p:02d}", source.unit, _with_unit(quantity, source.unit),
                                 f"{p}th percentile across the virtual cohort at each time: {source.description}",
                                 "population", quantity))
    rows += _rows(
        "population",
        *((f"sedation_share_{band}", "1", f"Share of the cohort: sedation {band}",
           f"Share of the virtual cohort whose qualitative sedation band is '{band}' (not a probability).")
          for band in ("none", "mild", "moderate", "marked")),
        ("responder_share", "1", "Share of the cohort: reflex damped",
         "Share of the virtual cohort whose stretch-reflex gain is at or below the scenario's responder "
         "threshold (illustrative definition of a responder)."),
    )
    return rows


_TABLE += _cohort_rows()
_TABLE += _rows(
    "population",
    *((f"{kind}_{output}", "1", f"{text} ({label})", f"{what} of the steady-state {label} (sim.sensitivity).")
      for output, label in (("reflex_gain_rel", "reflex gain"), ("sedation_index", "sedation index"))
      # The sedation index is shown only as bands: its tornado values are not tabulated.
      for kind, text, what in (("sobol_first", "First-order Sobol index", "Share of the cohort's variance "
                                "explained by the input alone"),
                               ("sobol_total", "Total Sobol index", "Share of the variance the input "
                                "takes part in, interactions included"),
                               ("tornado_low", "Value with the input at its 5th percentile",
                                "One-at-a-time: the output with this input at its 5th percentile, others typical"),
                               ("tornado_high", "Value with the input at its 95th percentile",
                                "One-at-a-time: the output with this input at its 95th percentile, others typical"))
      if not (output == "sedation_index" and kind.startswith("tornado"))),
)

#: Every output variable by name.
VARIABLES: dict[str, Variable] = {v.name: v for v in _TABLE}
assert len(VARIABLES) == len(_TABLE), "a variable is listed twice"


def base_name(column: str) -> str:
    """Return the variable name of a column: ``"emg[healthy]"`` → ``"emg"``."""
    return column.split("[", 1)[0]


def lookup(name: str) -> Variable:
    """Return the registry entry of *name* or of a CSV column ``name[arm]``.

    Raises
    ------
    KeyError
        For an unregistered name, with the closest registered name as a hint.

    Examples
    --------
    >>> lookup("torque_nm[severe]").unit
    'N·m'
    >>> lookup("plasma_ng_m")
    Traceback (most recent call last):
    ...
    KeyError: "no variable 'plasma_ng_m' in sim.variables (did you mean 'plasma_ng_ml'?)"
    """
    base = base_name(name)
    if base in VARIABLES:
        return VARIABLES[base]
    close = difflib.get_close_matches(base, list(VARIABLES), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise KeyError(f"no variable {base!r} in sim.variables{hint}")


def disagreements(units: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Names in *units* whose unit differs from the registry: ``{name: (given, registry)}``.

    Names outside the registry are not checked.

    Examples
    --------
    >>> disagreements({"plasma_ng_ml": "ng/mL", "emg": "mV", "my_series": "kg"})
    {'emg': ('mV', '1')}
    """
    return {name: (unit, VARIABLES[base_name(name)].unit) for name, unit in units.items()
            if base_name(name) in VARIABLES and VARIABLES[base_name(name)].unit != unit}


# Unit suffixes of unregistered names, longest first so "_deg_s" wins over "_s".
_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_nmol_per_l", "nmol/L"),
    ("_umol_per_l", "µmol/L"),
    ("_ml_per_min", "mL/min"),
    ("_mg_per_day", "mg/day"),
    ("_mg_day", "mg/day"),
    ("_ug_day", "µg/day"),
    ("_ng_ml", "ng/mL"),
    ("_deg_s", "°/s"),
    ("_per_h", "1/h"),
    ("_per_s", "1/s"),
    ("_rel", "relative"),
    ("_deg", "°"),
    ("_min", "min"),
    ("_hz", "Hz"),
    ("_ms", "ms"),
    ("_ns", "nS"),
    ("_mv", "mV"),
    ("_mm", "mM"),
    ("_um", "µM"),
    ("_nm", "N·m"),
    ("_mg", "mg"),
    ("_ug", "µg"),
    ("_kg", "kg"),
    ("_ml", "mL"),
    ("_n", "N"),
    ("_h", "h"),
    ("_s", "s"),
)


def _split_suffix(name: str) -> tuple[str, str]:
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], unit
    return name, ""


def axis_label(name: str, unit: str | None = None) -> str:
    """Return a slide-ready axis label such as ``"Plasma concentration (ng/mL)"``.

    Parameters
    ----------
    name : str
        Variable name (``"plasma_ng_ml"``), a column ``name[arm]`` or any text.
        Registered names take their label from :data:`VARIABLES`; other names
        are turned into words and their unit is read from the suffix
        (``"_hz"`` → Hz, ``"_deg"`` → °).
    unit : str, optional
        Unit to print, e.g. from ``result.unit(name)``; a unit other than the
        registry's replaces it.  ``"1"`` or ``""`` means dimensionless (no
        parentheses), or for a registered name: its own unit.

    Returns
    -------
    str

    Examples
    --------
    >>> axis_label("plasma_ng_ml")
    'Plasma concentration (ng/mL)'
    >>> axis_label("angle_deg", "deg")
    'Joint angle (°)'
    >>> axis_label("reflex_gain_rel", "1")
    'Stretch-reflex gain (relative)'
    >>> axis_label("tibialis_stiffness_nm")
    'Tibialis stiffness (N·m)'
    """
    variable = VARIABLES.get(base_name(name))
    if variable is not None:
        if unit is None or unit in ("", variable.unit):
            return variable.label
        return _with_unit(variable.quantity, unit)
    stem, default_unit = _split_suffix(name)
    text = "Time" if stem == "t" else stem.replace("_", " ").strip()
    text = text[:1].upper() + text[1:]
    if default_unit == "relative":
        text, default_unit = f"{text} (relative)", "1"
    return _with_unit(text, default_unit if unit is None or unit == "" else unit)

