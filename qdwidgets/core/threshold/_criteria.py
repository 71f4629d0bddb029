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

from ...errors import FitError
from ...results import Result
from ._dataset import (
    _ase,
    _feedback,
    _spot_profile,
    fit_dataset,
    linewidth,
    peak_output,
    spectral_snr,
)
from ._lines import ThresholdFit, _finish
from ._segmented import find_threshold


@dataclass(frozen=True, repr=False, eq=False)
class Criterion(Result):
    """One threshold criterion: ``threshold_mW`` with its 95 % interval ``ci`` (mW), the same in
    W cm⁻² (NaN without a spot size), whether it was ``found``, and the ``fit`` behind it (for
    "log-log slope change" that fit is in ln(mW) vs ln(output))."""

    name: str
    threshold_mW: float
    threshold_W_cm2: float
    ci: tuple[float, float]
    ci_W_cm2: tuple[float, float]
    found: bool
    note: str
    fit: ThresholdFit


@dataclass(frozen=True, repr=False, eq=False)
class ThresholdCriteria(Result):
    """Thresholds of one feedback condition by several criteria, side by side.

    Published thresholds depend on the criterion: compare them before quoting one.
    """

    feedback: str
    profile: str
    spot_diameter_mm: float
    criteria: tuple[Criterion, ...]

    _summary_fields: ClassVar[tuple[str, ...]] = ("feedback", "profile", "spot_diameter_mm")

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: threshold and interval in mW and W cm⁻², found, note."""
        rows = [
            {
                "criterion": c.name,
                "threshold_mW": c.threshold_mW,
                "ci_low_mW": c.ci[0],
                "ci_high_mW": c.ci[1],
                "threshold_W_cm2": c.threshold_W_cm2,
                "ci_low_W_cm2": c.ci_W_cm2[0],
                "ci_high_W_cm2": c.ci_W_cm2[1],
                "found": c.found,
                "note": c.note,
            }
            for c in self.criteria
        ]
        return pd.DataFrame(rows).set_index("criterion")

    def _repr_html_(self) -> str:
        head = (
            f"<b>ThresholdCriteria</b> ({self.feedback}; {self.profile}, "
            f"{self.spot_diameter_mm:g} mm)"
        )
        return head + self.to_frame().to_html(float_format=lambda v: f"{v:.4g}")


def _criterion(
    name: str,
    fit: ThresholdFit,
    spot: float | None,
    profile: str,
    log: bool = False,
    want: str = "",
) -> Criterion:
    x0, ci, found, note = fit.threshold_mW, fit.ci, fit.found, fit.note
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
        x0, ci = float("nan"), (float("nan"), float("nan"))
    conv = _finish(x0, ci, fit.ci_method, None, None, float("nan"), spot, profile, "")
    return Criterion(
        name=name,
        threshold_mW=x0,
        threshold_W_cm2=conv.threshold_W_cm2,
        ci=ci,
        ci_W_cm2=conv.ci_W_cm2,
        found=found,
        note=note,
        fit=fit,
    )


def criteria(
    ase: xr.Dataset,
    feedback: str = "lamp",
    *,
    below: tuple[float, float] | None = None,
    above: tuple[float, float] | None = None,
    method: str = "max",
    window_nm: tuple[float, float] | None = None,
    min_snr: float = 20.0,
    **kw: Any,
) -> ThresholdCriteria:
    """Threshold of ``feedback`` by three criteria, side by side.

    1. "two-line intersection": lines on the enhancement (given windows, else found).
    2. "linewidth narrowing onset": breakpoint of FWHM vs power (with feedback), where it
       starts to fall, searched from the power where the line is widest on; spectra whose peak
       is below ``min_snr`` × their noise (see :func:`spectral_snr`) are left out, since their
       FWHM is noise.
    3. "log-log slope change": breakpoint of ln(output with feedback) vs ln(power), where the
       slope steepens (superlinear growth).
    A criterion that finds no breakpoint says so (``found=False``, NaN threshold).
    """
    ds = _ase(ase, window_nm)
    spot, profile = _spot_profile(ds, kw)
    _feedback(ds, feedback)
    two = fit_dataset(
        ds,
        feedback=feedback,
        below=below,
        above=above,
        method=method,
        spot_diameter_mm=spot,
        profile=profile,
        **kw,
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
    if fit.found and fit.above_line is not None and fit.above_line.slope >= 0:
        crit = _criterion("linewidth narrowing onset", fit, spot, profile, want="never")
    if dropped:
        from_note = f"{dropped} spectra with peak < {min_snr:g}× noise left out; {from_note}"
    if from_note:
        crit = dataclasses.replace(crit, note=from_note + crit.note)
    out.append(crit)
    po = peak_output(ds, method=method).sel(feedback=feedback)
    p, y = po["power"].values, po.values
    pos = (p > 0) & (y > 0)
    fit = _safe_find(np.log(p[pos]), np.log(y[pos]), kw)
    out.append(_criterion("log-log slope change", fit, spot, profile, log=True, want="up"))
    return ThresholdCriteria(
        feedback=feedback,
        profile=profile,
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
            found=False,
        )
