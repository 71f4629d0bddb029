"""ASE datasets → curves vs pump power: peak output, feedback enhancement, linewidth; fits on them.

The dataset follows the contract (``qdwidgets.data.validate``): ``emission`` over
(feedback, power, wavelength), power in mW, wavelength in nm, ``feedback="none"`` the reference.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr
from scipy import signal

from ...data.contract import validate
from ...errors import DatasetError, FitError
from ...results import Result
from ._lines import ThresholdFit, _finish, fit_threshold, intensity
from ._segmented import find_threshold

SIGNALS = ("enhancement", "output", "reference")


# Datasets validated here and passed on internally (never returned to the caller), so that
# one public call validates its input once, not once per helper it calls.
_CHECKED: weakref.WeakValueDictionary[int, xr.Dataset] = weakref.WeakValueDictionary()


def _ase(ase: xr.Dataset, window_nm: tuple[float, float] | None = None) -> xr.Dataset:
    ds = ase if _CHECKED.get(id(ase)) is ase else validate(ase, "ase")
    if window_nm is not None:
        lo, hi = (float(v) for v in window_nm)
        ds = ds.sel(wavelength=slice(lo, hi))
        if ds.sizes["wavelength"] < 2:
            wl = ase["wavelength"].values
            raise DatasetError(
                f"window_nm=({lo:g}, {hi:g}) holds {ds.sizes['wavelength']} wavelength(s). Fix: "
                f"choose a window inside {np.min(wl):g}–{np.max(wl):g} nm with ≥ 2 points"
            )
    _CHECKED[id(ds)] = ds
    return ds


def _feedback(ds: xr.Dataset, feedback: str) -> None:
    labels = [str(v) for v in ds["feedback"].values]
    if "none" not in labels:
        raise DatasetError(
            f"coordinate 'feedback': no reference 'none' among {labels}, so the enhancement "
            "(with feedback − without) is undefined. Fix: label the measurement without lamp or "
            "mirror 'none'"
        )
    if feedback not in labels or feedback == "none":
        others = [s for s in labels if s != "none"] or ["(none measured)"]
        raise DatasetError(
            f"feedback {feedback!r}: not a feedback condition of this dataset. Fix: use one of "
            f"{others}"
        )


def peak_output(
    ase: xr.Dataset, *, method: str = "max", window_nm: tuple[float, float] | None = None
) -> xr.DataArray:
    """Emission output per spectrum, over (feedback, power).

    ``"max"``: the spectrum's maximum (emission units; biased upwards by noise where the peak is
    weak); ``"at_peak"``: the emission at the wavelength where that condition's spectra, summed
    over power, peak (linear in the data, so noise averages out); ``"integrated"``: the integral
    over wavelength (emission units × nm). ``window_nm=(lo, hi)`` restricts the wavelengths.
    """
    ds = _ase(ase, window_nm)
    em = ds["emission"]
    unit = str(em.attrs.get("units", "a.u."))
    if method == "max":
        out = em.max("wavelength")
        out.attrs = {"units": unit, "long_name": "peak emission"}
    elif method == "at_peak":
        idx = em.sum("power").argmax("wavelength")
        out = em.isel(wavelength=idx).drop_vars("wavelength")
        out.attrs = {"units": unit, "long_name": "emission at the peak wavelength"}
    elif method == "integrated":
        out = em.integrate("wavelength")
        out.attrs = {"units": f"{unit} nm", "long_name": "spectrally integrated emission"}
    else:
        raise FitError(f"method must be 'max', 'at_peak' or 'integrated', got {method!r}")
    return out.rename("output")


def enhancement(
    ase: xr.Dataset,
    feedback: str = "lamp",
    *,
    method: str = "max",
    window_nm: tuple[float, float] | None = None,
) -> xr.DataArray:
    """Output with ``feedback`` minus output without (``"none"``), over power (as in Fig. 3c, e)."""
    ds = _ase(ase, window_nm)
    _feedback(ds, feedback)
    out = peak_output(ds, method=method)
    enh = out.sel(feedback=feedback, drop=True) - out.sel(feedback="none", drop=True)
    enh.attrs = {"units": out.attrs["units"], "long_name": f"enhancement ({feedback} − none)"}
    return enh.rename("enhancement")


def _fwhm(wl: np.ndarray, s: np.ndarray) -> float:
    i = int(np.argmax(s))
    half = s[i] / 2.0
    if not s[i] > 0:
        return float("nan")
    left = np.flatnonzero(s[:i] < half)
    right = np.flatnonzero(s[i:] < half)
    if left.size == 0 or right.size == 0:
        return float("nan")
    j = int(left[-1])
    x_left = wl[j] + (half - s[j]) * (wl[j + 1] - wl[j]) / (s[j + 1] - s[j])
    k = i + int(right[0])
    x_right = wl[k - 1] + (half - s[k - 1]) * (wl[k] - wl[k - 1]) / (s[k] - s[k - 1])
    return float(x_right - x_left)


def linewidth(ase: xr.Dataset, *, window_nm: tuple[float, float] | None = None) -> xr.DataArray:
    """Full width at half maximum (nm) of each spectrum, over (feedback, power).

    Half of the spectrum's maximum (above zero), crossings interpolated linearly. NaN where the
    spectrum does not fall below half maximum on both sides inside the measured range.
    """
    ds = _ase(ase, window_nm)
    em = ds["emission"]
    wl = ds["wavelength"].values
    vals = np.asarray(em.values, dtype=float)
    out = np.array([[_fwhm(wl, s) for s in row] for row in vals])
    return xr.DataArray(
        out,
        dims=("feedback", "power"),
        coords={"feedback": ds["feedback"], "power": ds["power"]},
        name="linewidth",
        attrs={"units": "nm", "long_name": "emission linewidth (FWHM)"},
    )


def spectral_snr(ase: xr.Dataset, *, window_nm: tuple[float, float] | None = None) -> xr.DataArray:
    """Peak over noise of each spectrum, over (feedback, power) (dimensionless).

    Noise: the robust (MAD) standard deviation of the residual from a Savitzky–Golay smooth
    (cubic, 9 points) along wavelength, corrected for the filter (÷ sqrt(1 − c₀)); smooth
    spectral structure does not count as noise.
    """
    ds = _ase(ase, window_nm)
    em = np.asarray(ds["emission"].values, dtype=float)
    n = em.shape[-1]
    win = min(9, n if n % 2 else n - 1)
    if win < 5:
        raise DatasetError(
            f"wavelength: {n} points are too few to estimate the spectral noise (need ≥ 5)"
        )
    resid = em - signal.savgol_filter(em, win, 3, axis=-1)
    c0 = float(signal.savgol_coeffs(win, 3)[win // 2])
    mad = np.median(np.abs(resid - np.median(resid, axis=-1, keepdims=True)), axis=-1)
    sigma = 1.4826 * mad / math.sqrt(1.0 - c0)
    with np.errstate(divide="ignore", invalid="ignore"):
        snr = np.where(sigma > 0, em.max(axis=-1) / sigma, np.inf)
    return xr.DataArray(
        snr,
        dims=("feedback", "power"),
        coords={"feedback": ds["feedback"], "power": ds["power"]},
        name="snr",
        attrs={"units": "1", "long_name": "spectrum peak / noise"},
    )


def _spot_profile(ds: xr.Dataset, kw: dict[str, Any]) -> tuple[float | None, str]:
    spot = kw.pop("spot_diameter_mm", ds.attrs.get("spot_diameter_mm"))
    profile = kw.pop("profile", ds.attrs.get("beam_profile", "tophat"))
    return (None if spot is None else float(spot)), str(profile)


def signal_curve(
    ase: xr.Dataset,
    feedback: str = "lamp",
    signal: str = "enhancement",
    *,
    method: str = "max",
    window_nm: tuple[float, float] | None = None,
) -> xr.DataArray:
    """The curve to fit: "enhancement", "output" (with feedback) or "reference" (none)."""
    ds = _ase(ase, window_nm)
    if signal == "enhancement":
        return enhancement(ds, feedback, method=method)
    if signal not in SIGNALS:
        raise FitError(f"signal must be one of {SIGNALS}, got {signal!r}")
    label = "none" if signal == "reference" else feedback
    labels = [str(v) for v in ds["feedback"].values]
    if label not in labels:
        raise DatasetError(f"feedback {label!r}: not in this dataset. Fix: use one of {labels}")
    return peak_output(ds, method=method).sel(feedback=label, drop=True)


def fit_dataset(
    ase: xr.Dataset,
    *,
    feedback: str = "lamp",
    signal: str = "enhancement",
    below: tuple[float, float] | None = None,
    above: tuple[float, float] | None = None,
    method: str = "max",
    window_nm: tuple[float, float] | None = None,
    **kw: Any,
) -> ThresholdFit:
    """Threshold of an ASE dataset (what ``ds.qd.fit_threshold(**kw)`` calls).

    ``signal`` picks the curve (see :func:`signal_curve`). With both windows (mW) the lines are
    fitted there (:func:`fit_threshold`); with neither, :func:`find_threshold` chooses them and
    tests for a breakpoint. Spot diameter and beam profile come from the dataset attrs unless
    ``spot_diameter_mm=`` / ``profile=`` are passed. Other ``kw``: ci, n_boot, seed, confidence.
    """
    ds = _ase(ase, window_nm)
    spot, profile = _spot_profile(ds, kw)
    curve = signal_curve(ds, feedback, signal, method=method)
    p, y = curve["power"].values, curve.values
    if below is None and above is None:
        return find_threshold(p, y, spot_diameter_mm=spot, profile=profile, **kw)
    if below is None or above is None:
        raise FitError(
            "give both windows (below=(lo, hi), above=(lo, hi) in mW) or neither (then the "
            "windows are found by segmented regression)"
        )
    return fit_threshold(
        p, y, below=below, above=above, spot_diameter_mm=spot, profile=profile, **kw
    )


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


__all__ = [
    "Criterion",
    "ThresholdCriteria",
    "criteria",
    "enhancement",
    "fit_dataset",
    "fit_threshold",
    "intensity",
    "linewidth",
    "peak_output",
    "signal_curve",
    "spectral_snr",
]
