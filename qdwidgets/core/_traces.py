"""Trace-level helpers of :mod:`qdwidgets.core.gain` on plain arrays (ps, nm, OD).

The noise rule of the zero crossing is documented in :mod:`qdwidgets.core.gain`.
"""

from __future__ import annotations

import numpy as np

from ..errors import DatasetError
from ._masked import nan_quiet
from ._noise import column_noise

NOISE_BEFORE_PS = -0.2
"""Delays below this (ps) count as pre-time-zero data for noise and background estimates."""


def trace_noise(t: np.ndarray, x: np.ndarray, before: float = NOISE_BEFORE_PS) -> np.ndarray:
    """σ per row of traces ``x`` (rows, delays) from pre-time-zero samples.

    The scatter (std) of the delays before ``before``, where nothing but noise is measured; with
    fewer than 3 such delays, the model-free estimate of :func:`~qdwidgets.core._noise.column_noise`
    (MAD of second differences along the delays) of the whole trace.
    """
    pre = t < before
    with nan_quiet():  # NaN at the ends of a chirp-corrected trace left out (all NaN → NaN)
        if int(pre.sum()) >= 3:
            return np.asarray(np.nanstd(x[:, pre], axis=1, ddof=1))
    return column_noise(np.asarray(x, dtype=float).T)


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
    k: float = 1.0,
    confirm: int = 5,
    window: int = 1,
) -> tuple[float, float, int]:
    """Earliest robust positive → ≤ 0 crossing of one trace ``x(t)`` after ``after`` ps.

    Returns (delay, stderr, index of the first sample at or below zero); (nan, nan, -1) if none.
    The rule is in the module docstring.
    """
    below = x <= 0
    steps = np.flatnonzero(~below[:-1] & below[1:] & (t[1:] > after))
    for i in steps:
        if _back(x[i + 2 : i + 2 + confirm], sigma, k):
            continue
        root, err = _root(t, x, int(i), sigma, window)
        return root, err, int(i) + 1
    return float("nan"), float("nan"), -1


def band_trace(
    values: np.ndarray, wavelengths: np.ndarray, wavelength: float, band_nm: float
) -> tuple[np.ndarray, float]:
    """Average of ``values[..., w]`` over ``|λ − wavelength|`` ≤ band_nm/2 (at least the nearest λ).

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
    vals = np.asarray(values)
    if vals.dtype.kind == "f":  # masked (all-NaN) columns are left out of the band
        idx = np.flatnonzero(sel)
        part = vals[..., idx]
        masked = np.isnan(part).all(axis=tuple(range(part.ndim - 1)))
        if masked.all():
            raise DatasetError(
                f"wavelength: {wavelength:g} nm is masked (NaN at every delay). Fix: choose "
                "an unmasked wavelength, or widen band_nm to include some"
            )
        sel = np.zeros(wl.size, dtype=bool)
        sel[idx[~masked]] = True
    centre = float(wl[sel].mean())
    return np.asarray(vals[..., sel].mean(axis=-1)), centre


def _step(wl: np.ndarray) -> float:
    return float(np.median(np.diff(wl))) if wl.size > 1 else 1.0


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


def return_above(
    t: np.ndarray, x: np.ndarray, j: int, sigma: float, k: float, confirm: int
) -> float:
    """End of gain: the first ≤ 0 → > 0 step at or after index j after which the trace is
    clearly positive again — the mean of the next ``confirm`` samples (and the sample after the
    step) above +k·σ/√n. The hysteresis (a clear return, not merely a sample above zero) keeps
    a trace lingering at zero within the noise from ending the gain at once. NaN if none.
    """
    above = x > 0
    steps = np.flatnonzero(~above[:-1] & above[1:])
    for i in steps[steps >= j].tolist():
        if _back(x[i + 1 : i + 2 + confirm], sigma, k):
            return _zero(t, x, i)
    return float("nan")


def _back(after: np.ndarray, sigma: float, k: float) -> bool:
    """Whether the samples after a candidate crossing are, on average, back above the noise:
    mean > k·σ/√n (n samples; False when there are none)."""
    if after.size == 0:
        return False
    s = sigma if np.isfinite(sigma) else 0.0
    return bool(after.mean() > k * s / np.sqrt(after.size))
