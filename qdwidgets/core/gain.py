"""Optical gain from transient absorption: A_ex = ΔA + A0, its zero crossing, gain spectra.

Paper Eq. 1 / Fig. 2b–c: A_ex(t, λ) = ΔA(t, λ) + A0(λ) (OD) is the absorbance of the excited
sample; A_ex < 0 means gain. Delays are in ps, wavelengths in nm, signals in OD.

Noise-robustness rule of :func:`zero_crossing` (also used by :func:`gain_window`): a candidate
crossing is a step from a sample above zero to a sample at or below zero (after time zero). It is
rejected when any of the next ``confirm`` samples (default 2) lies above ``+k·σ`` (default
k = 2), σ being the noise of the trace from pre-time-zero data: one noisy sample dipping below
zero does not count when the trace is back above the noise right after it. The crossing delay is
the linear interpolation between the bracketing samples (``window=1``) or the root of a straight
line fitted to ``2·window`` samples around it; its standard error propagates σ through that line.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from ..data.contract import validate
from ..errors import DatasetError
from ..results import Result

NOISE_BEFORE_PS = -0.2
"""Delays below this (ps) count as pre-time-zero data for noise and background estimates."""


def _ta(ta: xr.Dataset) -> xr.Dataset:
    return validate(ta, "ta")


def _need_a0(ds: xr.Dataset) -> None:
    if "A0" not in ds.data_vars:
        raise DatasetError(
            "dataset: A_ex = ΔA + A0 needs the steady-state absorbance 'A0', which this dataset "
            "lacks. Fix: attach it with qdwidgets.data.attach_absorbance(ta, source) or "
            "ta['A0'] = ('wavelength', values) with attrs units='OD'"
        )


def a_ex(ta: xr.Dataset) -> xr.DataArray:
    """A_ex = ΔA + A0 (OD) over (pump, delay, wavelength); negative values mean gain."""
    ds = _ta(ta)
    _need_a0(ds)
    out = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength")
    out.name = "A_ex"
    out.attrs = {"units": "OD", "long_name": "excited-state absorbance A_ex = ΔA + A0"}
    return out


def noise_level(ta: xr.Dataset, *, before: float = NOISE_BEFORE_PS) -> xr.DataArray:
    """Noise σ of ΔA (OD) per (pump, wavelength): standard deviation over delays < ``before`` ps.

    Raises DatasetError when fewer than 3 pre-time-zero delays exist.
    """
    ds = _ta(ta)
    pre = ds["delay"].values < before
    if int(pre.sum()) < 3:
        raise DatasetError(
            f"delay: only {int(pre.sum())} delay(s) before {before:g} ps, at least 3 are needed "
            "to estimate the noise. Fix: pass before= a later delay (still before the pump "
            "arrives), or record a few delays before time zero"
        )
    sigma = ds["dA"].isel(delay=pre).std("delay", ddof=1)
    sigma.name = "noise"
    sigma.attrs = {"units": "OD", "long_name": f"noise σ of ΔA (delays < {before:g} ps)"}
    return sigma


# -- zero crossing -------------------------------------------------------------------------------


def trace_noise(t: np.ndarray, x: np.ndarray, before: float = NOISE_BEFORE_PS) -> np.ndarray:
    """σ per row of traces ``x`` (rows, delays) from pre-time-zero samples.

    Falls back to the scatter of successive differences over the last fifth of the delays
    (std(diff)/√2) when fewer than 3 delays lie before ``before``.
    """
    pre = t < before
    if int(pre.sum()) >= 3:
        return np.asarray(np.std(x[:, pre], axis=1, ddof=1))
    tail = x[:, -max(4, t.size // 5) :]
    return np.asarray(np.std(np.diff(tail, axis=1), axis=1, ddof=1) / np.sqrt(2.0))


def _root(t: np.ndarray, x: np.ndarray, i: int, sigma: float, window: int) -> tuple[float, float]:
    """Root (and its standard error) of the line through samples around the step i → i+1."""
    lo, hi = max(0, i + 1 - window), min(t.size, i + 1 + window)
    tt, xx = t[lo:hi], x[lo:hi]
    if tt.size == 2:
        h, d = tt[1] - tt[0], xx[0] - xx[1]
        root = tt[0] + h * xx[0] / d
        err = h * sigma * np.hypot(xx[0], xx[1]) / d**2
        return float(root), float(err)
    tc = tt.mean()
    sxx = float(np.sum((tt - tc) ** 2))
    b = float(np.sum((tt - tc) * (xx - xx.mean())) / sxx)
    a = float(xx.mean())
    if b >= 0:  # the local line does not fall: use the plain interpolation
        return _root(t, x, i, sigma, 1)
    root = tc - a / b
    root = min(max(root, t[i]), t[i + 1])
    var = sigma**2 * (1.0 / tt.size + (root - tc) ** 2 / sxx) / b**2
    return float(root), float(np.sqrt(var))


def first_crossing(
    t: np.ndarray,
    x: np.ndarray,
    sigma: float,
    *,
    after: float = 0.0,
    k: float = 2.0,
    confirm: int = 2,
    window: int = 1,
) -> tuple[float, float, int]:
    """Earliest robust positive → ≤ 0 crossing of one trace ``x(t)`` after ``after`` ps.

    Returns (delay, stderr, index of the first sample at or below zero); (nan, nan, -1) if none.
    The rule is in the module docstring.
    """
    below = x <= 0
    steps = np.flatnonzero(~below[:-1] & below[1:] & (t[1:] > after))
    limit = k * sigma if np.isfinite(sigma) else 0.0
    for i in steps:
        nxt = x[i + 2 : i + 2 + confirm]
        if np.any(nxt > limit):
            continue
        root, err = _root(t, x, int(i), sigma, window)
        return root, err, int(i) + 1
    return float("nan"), float("nan"), -1


def band_trace(
    values: np.ndarray, wavelengths: np.ndarray, wavelength: float, band_nm: float
) -> tuple[np.ndarray, float]:
    """Average of ``values[..., w]`` over |λ − wavelength| ≤ band_nm/2 (at least the nearest λ).

    Returns (trace, centre wavelength used in nm).
    """
    wl = np.asarray(wavelengths, dtype=float)
    if (
        not np.isfinite(wavelength)
        or wavelength < wl[0] - _step(wl)
        or wavelength > wl[-1] + _step(wl)
    ):
        raise DatasetError(
            f"wavelength: {wavelength:g} nm lies outside the measured range "
            f"{wl[0]:g}–{wl[-1]:g} nm. Fix: choose a wavelength inside it"
        )
    if band_nm < 0 or not np.isfinite(band_nm):
        raise DatasetError(f"band_nm: must be >= 0 nm (got {band_nm!r}). Fix: pass band_nm=0.0")
    sel = np.abs(wl - wavelength) <= band_nm / 2.0
    if not sel.any():
        sel = np.zeros(wl.size, dtype=bool)
        sel[int(np.argmin(np.abs(wl - wavelength)))] = True
    centre = float(wl[sel].mean())
    return np.asarray(values[..., sel].mean(axis=-1)), centre


def _step(wl: np.ndarray) -> float:
    return float(np.median(np.diff(wl))) if wl.size > 1 else 1.0


def zero_crossing(
    ta: xr.Dataset,
    wavelength: float,
    *,
    band_nm: float = 0.0,
    after: float = 0.0,
    k: float = 2.0,
    confirm: int = 2,
    window: int = 1,
) -> xr.DataArray:
    """First delay (ps) after ``after`` ps at which A_ex at ``wavelength`` nm goes from > 0 to ≤ 0.

    A_ex is averaged over ± band_nm/2 (the nearest wavelength when band_nm = 0). Result: a
    DataArray over ``pump`` (a scalar when the input had no pump dimension) named
    ``zero_crossing`` in ps, NaN where A_ex never reaches zero, with coordinate
    ``zero_crossing_stderr`` (ps, one standard error from the pre-time-zero noise σ) and
    ``noise`` (OD). The noise rule (k, confirm) is in the module docstring.
    """
    ds = _ta(ta)
    _need_a0(ds)
    t = ds["delay"].values
    x = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength").values
    trace, centre = band_trace(x, ds["wavelength"].values, float(wavelength), band_nm)
    sigma = trace_noise(t, trace)
    vals, errs = [], []
    for p in range(trace.shape[0]):
        root, err, _ = first_crossing(
            t, trace[p], float(sigma[p]), after=after, k=k, confirm=confirm, window=window
        )
        vals.append(root)
        errs.append(err)
    out = xr.DataArray(
        np.asarray(vals),
        dims=("pump",),
        coords={
            "pump": ds["pump"],
            "zero_crossing_stderr": (
                "pump",
                np.asarray(errs),
                {"units": "ps", "long_name": "standard error of the zero crossing"},
            ),
            "noise": ("pump", np.asarray(sigma), {"units": "OD", "long_name": "noise σ"}),
        },
        name="zero_crossing",
        attrs={
            "units": "ps",
            "long_name": f"first zero crossing of A_ex at {centre:.4g} nm",
            "wavelength_nm": centre,
            "band_nm": float(band_nm),
        },
    )
    if "occupancy" in ds.coords:
        out = out.assign_coords(occupancy=ds["occupancy"])
    if "dA" in ta.data_vars and "pump" not in ta["dA"].dims:
        out = out.isel(pump=0, drop=True)
    return out


# -- gain spectrum and window --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainSpectrum(Result):
    """Where A_ex < 0 at one delay.

    delay: the grid delay used (ps). pump: pump levels. a_ex: A_ex (OD) over (pump, wavelength).
    bands: per pump level, the (start, end) wavelengths (nm) of each region where A_ex < 0, edges
    linearly interpolated to the zero. peak_wavelength / depth: where A_ex is most negative
    (nm) and its value (OD) per pump level, NaN without gain. width: total gain width (nm).
    """

    delay: float
    pump: tuple[float, ...]
    a_ex: xr.DataArray
    bands: tuple[tuple[tuple[float, float], ...], ...]
    peak_wavelength: tuple[float, ...]
    depth: tuple[float, ...]
    width: tuple[float, ...]

    _summary_fields = ("delay", "pump", "bands", "peak_wavelength", "depth", "width")

    @property
    def has_gain(self) -> tuple[bool, ...]:
        """Whether A_ex < 0 anywhere, per pump level."""
        return tuple(bool(b) for b in self.bands)


def negative_regions(wl: np.ndarray, y: np.ndarray) -> tuple[tuple[float, float], ...]:
    """(start, end) nm of each run where y < 0, inner edges interpolated to y = 0."""
    neg = np.concatenate(([False], y < 0, [False])).astype(np.int8)
    change = np.diff(neg)
    starts = np.flatnonzero(change == 1)  # first index of each run
    ends = np.flatnonzero(change == -1) - 1  # last index of each run
    out = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        lo = wl[s] if s == 0 else _zero(wl, y, s - 1)
        hi = wl[e] if e == wl.size - 1 else _zero(wl, y, e)
        out.append((float(lo), float(hi)))
    return tuple(out)


def _zero(x: np.ndarray, y: np.ndarray, i: int) -> float:
    """x where the segment i → i+1 of y crosses zero."""
    return float(x[i] + (x[i + 1] - x[i]) * y[i] / (y[i] - y[i + 1]))


def spectrum_summary(
    wl: np.ndarray, y: np.ndarray
) -> tuple[tuple[tuple[float, float], ...], float, float, float]:
    """(bands, peak wavelength, depth, width) of one A_ex spectrum ``y(wl)``."""
    bands = negative_regions(wl, y)
    if not bands:
        return (), float("nan"), float("nan"), 0.0
    j = int(np.argmin(y))
    return bands, float(wl[j]), float(y[j]), float(sum(b - a for a, b in bands))


def gain_spectrum(ta: xr.Dataset, delay: float) -> GainSpectrum:
    """Where A_ex < 0 at the grid delay nearest ``delay`` (ps), per pump level."""
    ds = _ta(ta)
    _need_a0(ds)
    t = ds["delay"].values
    if not np.isfinite(delay) or delay < t[0] or delay > t[-1]:
        raise DatasetError(
            f"delay: {delay!r} ps lies outside the measured range {t[0]:g}–{t[-1]:g} ps. "
            "Fix: choose a delay inside it"
        )
    i = int(np.argmin(np.abs(t - delay)))
    spec = (ds["dA"].isel(delay=i) + ds["A0"]).transpose("pump", "wavelength")
    spec.name = "A_ex"
    spec.attrs = {"units": "OD", "long_name": f"A_ex = ΔA + A0 at {t[i]:.4g} ps"}
    wl = ds["wavelength"].values
    parts = [spectrum_summary(wl, row) for row in spec.values]
    return GainSpectrum(
        delay=float(t[i]),
        pump=tuple(float(p) for p in ds["pump"].values),
        a_ex=spec,
        bands=tuple(p[0] for p in parts),
        peak_wavelength=tuple(p[1] for p in parts),
        depth=tuple(p[2] for p in parts),
        width=tuple(p[3] for p in parts),
    )


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainWindow(Result):
    """When A_ex < 0 at one wavelength, per pump level (all delays in ps).

    onset: first robust zero crossing (as :func:`zero_crossing`); onset_stderr its error.
    end: the first robust return above zero after the onset (NaN when A_ex is still ≤ 0 at the
    last delay, or without gain); duration = end − onset (NaN when either is NaN);
    lasts_to_end: True where the gain persists to the last measured delay.
    """

    wavelength: float
    pump: tuple[float, ...]
    onset: tuple[float, ...]
    onset_stderr: tuple[float, ...]
    end: tuple[float, ...]
    duration: tuple[float, ...]
    lasts_to_end: tuple[bool, ...]


def gain_window(
    ta: xr.Dataset, wavelength: float, *, band_nm: float = 0.0, k: float = 2.0, confirm: int = 2
) -> GainWindow:
    """Onset, end and duration (ps) of A_ex < 0 at ``wavelength`` nm per pump level."""
    ds = _ta(ta)
    _need_a0(ds)
    t = ds["delay"].values
    x = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength").values
    trace, centre = band_trace(x, ds["wavelength"].values, float(wavelength), band_nm)
    sigma = trace_noise(t, trace)
    onset, err, end, lasts = [], [], [], []
    for p in range(trace.shape[0]):
        root, e, j = first_crossing(t, trace[p], float(sigma[p]), k=k, confirm=confirm)
        onset.append(root)
        err.append(e)
        if j < 0:
            end.append(float("nan"))
            lasts.append(False)
            continue
        back = _return_above(t, trace[p], j, float(sigma[p]), k, confirm)
        end.append(back)
        lasts.append(bool(np.isnan(back)))
    return GainWindow(
        wavelength=centre,
        pump=tuple(float(v) for v in ds["pump"].values),
        onset=tuple(onset),
        onset_stderr=tuple(err),
        end=tuple(end),
        duration=tuple(b - a for a, b in zip(onset, end, strict=True)),
        lasts_to_end=tuple(lasts),
    )


def _return_above(
    t: np.ndarray, x: np.ndarray, j: int, sigma: float, k: float, confirm: int
) -> float:
    """First robust ≤ 0 → > 0 step at or after index j (mirror of :func:`first_crossing`).

    A step counts unless one of the next ``confirm`` samples is below −k·σ (back in gain).
    """
    above = x > 0
    steps = np.flatnonzero(~above[:-1] & above[1:])
    limit = k * sigma if np.isfinite(sigma) else 0.0
    for i in steps[steps >= j].tolist():
        if np.any(x[i + 2 : i + 2 + confirm] < -limit):
            continue
        return _zero(t, x, i)
    return float("nan")
