"""Thresholds by several criteria side by side: published thresholds depend on the method.

Criteria: the two-line intersection on the enhancement, the onset of linewidth narrowing, and
the slope change on log-log axes (see :func:`criteria`). Power in mW, intensity in W cm⁻².
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from ... import _args, _html
from ..._choices import BeamProfile, OutputMethod, ThresholdCI
from ...errors import FitError
from ...results import Result
from ._dataset import METHODS, _ase, _feedback, linewidth, peak_output, spectral_snr
from ._fit import fit_threshold, spot_and_profile
from ._lines import _finish
from ._results import NAN, NAN_CI, ThresholdFit, ThresholdVocabulary, deprecated, renamed_fields
from ._segmented import find_threshold


@dataclass(frozen=True, repr=False, eq=False)
class Criterion(ThresholdVocabulary, Result):
    """One threshold criterion: ``threshold_mW`` and ``threshold_W_cm2`` (NaN without a spot
    size) with their 95 % intervals in ``ci`` (``{"threshold_mW": (lo, hi), "threshold_W_cm2":
    (lo, hi)}``, method in ``ci_method``), the fit status (``converged``: a threshold was found;
    ``message``; ``nfev``; ``warnings``) and the ``fit`` behind it (for "log-log slope change"
    that fit is in ln(mW) vs ln(output)). ``found``/``note`` are deprecated aliases of
    ``converged``/``message``."""

    name: str
    threshold_mW: float
    threshold_W_cm2: float
    ci: dict[str, tuple[float, float]]
    converged: bool
    message: str
    fit: ThresholdFit
    ci_method: str = ""
    nfev: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, repr=False, eq=False)
class ThresholdCriteria(Result):
    """Thresholds of one feedback condition by several criteria, side by side.

    Published thresholds depend on the criterion: compare them before quoting one.
    """

    feedback: str
    beam_profile: BeamProfile
    spot_diameter_mm: float
    criteria: tuple[Criterion, ...]

    _summary_fields: ClassVar[tuple[str, ...]] = ("feedback", "beam_profile", "spot_diameter_mm")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThresholdCriteria:
        """Rebuild from :meth:`to_dict` output (older saves with ``profile`` too)."""
        return super().from_dict(renamed_fields(data))

    @property
    def profile(self) -> str:
        """Deprecated alias of ``beam_profile``."""
        return str(deprecated("profile", "beam_profile", self.beam_profile))

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: threshold and interval in mW and W cm⁻², status, warnings."""
        rows = [
            {
                "criterion": c.name,
                "threshold_mW": c.threshold_mW,
                "ci_low_mW": c.ci_mW[0],
                "ci_high_mW": c.ci_mW[1],
                "threshold_W_cm2": c.threshold_W_cm2,
                "ci_low_W_cm2": c.ci_W_cm2[0],
                "ci_high_W_cm2": c.ci_W_cm2[1],
                "converged": c.converged,
                "message": c.message,
                "warnings": "; ".join(c.warnings),
            }
            for c in self.criteria
        ]
        frame: pd.DataFrame = pd.DataFrame(rows).set_index("criterion")
        return frame

    def _repr_html_(self) -> str:
        esc = _html.escape
        head = (
            f"<b>Threshold criteria</b> ({esc(self.feedback)}; {esc(self.beam_profile)}, "
            f"{self.spot_diameter_mm:g} mm)"
        )
        cols = (
            "criterion",
            "threshold (mW)",
            "95 % CI (mW)",
            "threshold (W cm⁻²)",
            "95 % CI (W cm⁻²)",
            "found",
            "note",
        )
        rows = []
        for c in self.criteria:
            lo, hi = c.ci_mW
            ilo, ihi = c.ci_W_cm2
            text = "; ".join((c.message, *c.warnings)) if c.warnings else c.message
            cells = (
                c.name,
                f"{c.threshold_mW:.4g}",
                f"{lo:.4g}–{hi:.4g}",
                f"{c.threshold_W_cm2:.4g}",
                f"{ilo:.4g}–{ihi:.4g}",
                "yes" if c.converged else "no",
                text,
            )
            rows.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in cells) + "</tr>")
        header = "<tr>" + "".join(f"<th>{esc(v)}</th>" for v in cols) + "</tr>"
        return f"{head}<table>{header}{''.join(rows)}</table>"


def _criterion(
    name: str,
    fit: ThresholdFit,
    spot: float | None,
    profile: BeamProfile,
    log: bool = False,
    want: str = "",
) -> Criterion:
    x0, ci, found, note = fit.threshold_mW, fit.ci_mW, fit.converged, fit.message
    if found and fit.below_line is not None and fit.above_line is not None:
        bends_up = fit.above_line.slope > fit.below_line.slope
        if want == "never":
            found = False
            note = f"the linewidth does not fall after the bend: {note}"
        elif (want == "up" and not bends_up) or (want == "down" and bends_up):
            found = False
            note = f"the curve bends the wrong way ({'down' if want == 'up' else 'up'}): {note}"
    if log:
        x0, ci = math.exp(x0), (math.exp(ci[0]), math.exp(ci[1]))
        note = f"fitted on ln(power) vs ln(output); {note}"
        fit = dataclasses.replace(fit, power=None, signal=None)  # its curve is in ln units
    if not found:
        x0, ci = NAN, NAN_CI
    conv = _finish(x0, ci, fit.ci_method, None, None, NAN, spot, profile, "")
    return Criterion(
        name=name,
        threshold_mW=x0,
        threshold_W_cm2=conv.threshold_W_cm2,
        ci=conv.ci,
        converged=found,
        message=note,
        fit=fit,
        ci_method=fit.ci_method,
        nfev=fit.nfev,
        warnings=fit.warnings if found else (),
    )


@_args.renamed(window_nm="wavelength_range", profile="beam_profile")
def criteria(
    ase: xr.Dataset,
    feedback: str | None = None,
    *,
    below: tuple[float, float] | None = None,
    above: tuple[float, float] | None = None,
    method: OutputMethod = "max",
    wavelength_range: tuple[float, float] | None = None,
    min_snr: float = 20.0,
    spot_diameter_mm: float | None = None,
    beam_profile: BeamProfile | None = None,
    ci: ThresholdCI = "bootstrap",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ThresholdCriteria:
    """Threshold of ``feedback`` (default: the first condition that is not "none") by three
    criteria, side by side.

    1. "two-line intersection": lines on the enhancement (given windows, else found).
    2. "linewidth narrowing onset": breakpoint of FWHM vs power (with feedback), where it
       starts to fall, searched from the power where the line is widest on; spectra whose peak
       is below ``min_snr`` × their noise (see :func:`spectral_snr`) are left out, since their
       FWHM is noise.
    3. "log-log slope change": breakpoint of ln(output with feedback) vs ln(power), where the
       slope steepens (superlinear growth).

    A criterion that finds no breakpoint says so (``converged=False``, NaN threshold, and
    ``message`` says why).

    Parameters
    ----------
    ase : xarray.Dataset
        An ASE dataset (``power`` in mW, ``wavelength`` in nm) with a "none" condition.
    feedback : str, optional
        The condition judged; default the first that is not "none".
    below, above : (float, float), optional
        Power windows (mW) of the two-line criterion; found when not given.
    method : {"max", "at_peak", "integrated"}, default "max"
        How the output is read from each spectrum (:func:`peak_output`).
    wavelength_range : (float, float), optional
        Wavelength range (nm) read (was ``window_nm``).
    min_snr : float, default 20
        Spectra below this signal-to-noise ratio are left out of the linewidth criterion (≥ 0).
    spot_diameter_mm : float, optional
        Spot diameter (mm); default the dataset's attribute.
    beam_profile : {"tophat", "gaussian"}, optional
        Beam profile (was ``profile``); default the dataset's attribute, else "tophat".
    ci, n_boot, seed, confidence
        The interval options of :func:`fit_threshold`.

    Returns
    -------
    ThresholdCriteria
        One :class:`Criterion` per criterion (threshold in mW and W cm⁻², ``ci``, status).
    """
    method = _args.choice("method", method, METHODS)
    min_snr = _args.non_negative("min_snr", min_snr)
    ds = _ase(ase, wavelength_range)
    spot, profile = spot_and_profile(ds, spot_diameter_mm, beam_profile)
    feedback = _feedback(ds, feedback)
    kw: dict[str, Any] = {"ci": ci, "n_boot": n_boot, "seed": seed, "confidence": confidence}
    two = fit_threshold(
        ds,
        feedback=feedback,
        below=below,
        above=above,
        method=method,
        spot_diameter_mm=spot,
        beam_profile=profile,
        ci=ci,
        n_boot=n_boot,
        seed=seed,
        confidence=confidence,
    )
    out = [_criterion("two-line intersection", two, spot, profile)]
    fw = linewidth(ds).sel(feedback=feedback)
    snr = spectral_snr(ds).sel(feedback=feedback).values
    ok = np.isfinite(fw.values) & (snr >= min_snr)
    dropped = int(ok.size - ok.sum())
    # the line can only start to narrow once it is at its widest: search from there on (before
    # it, e.g. a lamp's narrow line being swamped by the broad PL, the FWHM may rise)
    from_note = ""
    if ok.any():
        widest = int(np.flatnonzero(ok)[np.argmax(fw.values[ok])])
        if ok[:widest].any():
            from_note = f"searched from the widest line ({fw['power'].values[widest]:g} mW) on; "
        ok[:widest] = False
    fit = _safe_find(fw["power"].values[ok], fw.values[ok], kw)
    crit = _criterion("linewidth narrowing onset", fit, spot, profile, want="down")
    if fit.converged and fit.above_line is not None and fit.above_line.slope >= 0:
        crit = _criterion("linewidth narrowing onset", fit, spot, profile, want="never")
    if dropped:
        from_note = f"{dropped} spectra with peak < {min_snr:g}× noise left out; {from_note}"
    if from_note:
        crit = dataclasses.replace(crit, message=from_note + crit.message)
    out.append(crit)
    po = peak_output(ds, method=method).sel(feedback=feedback)
    p, y = po["power"].values, po.values
    pos = (p > 0) & (y > 0)
    fit = _safe_find(np.log(p[pos]), np.log(y[pos]), kw)
    crit = _criterion("log-log slope change", fit, spot, profile, log=True, want="up")
    if not pos.all():
        n_bad = int((~pos).sum())
        crit = dataclasses.replace(
            crit,
            message=f"{n_bad} point(s) with power or output ≤ 0 left out (no logarithm); "
            + crit.message,
        )
    out.append(crit)
    return ThresholdCriteria(
        feedback=feedback,
        beam_profile=profile,
        spot_diameter_mm=float("nan") if spot is None else spot,
        criteria=tuple(out),
    )


def _safe_find(x: np.ndarray, y: np.ndarray, kw: dict[str, Any]) -> ThresholdFit:
    try:
        return find_threshold(x, y, **kw)
    except FitError as exc:
        nan = float("nan")
        return _finish(
            nan,
            (nan, nan),
            str(kw.get("ci", "bootstrap")),
            None,
            None,
            nan,
            None,
            "tophat",
            str(exc),
            converged=False,
        )
