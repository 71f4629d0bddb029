"""Time zero and the delay where the signal is established, detected in the data (ps).

Used by :mod:`qdwidgets.core.gain` (re-exported there as :func:`time_zero` and
:func:`established_delay`) so that widgets and core functions open on the data's own time zero,
never on a paper's delay.
"""

from __future__ import annotations

import numpy as np

from ._traces import band_trace, trace_noise

ESTABLISHED_FRACTION = 0.8
"""|ΔA| (3-point running mean) reaches this fraction of its maximum: the signal is established."""


def _rise(t: np.ndarray, trace: np.ndarray) -> tuple[float, int]:
    """(half-rise time in ps, index where |signal| is established) of one trace.

    The signal is referred to its pre-time-zero level (the median of the samples before the
    half-rise when there are any); its sign is that of its largest excursion. NaN / -1 when the
    trace holds no signal above its noise.
    """
    x = np.asarray(trace, dtype=float)
    if x.size < 3 or not np.all(np.isfinite(x)):
        good = np.isfinite(x)
        if good.sum() < 3:
            return float("nan"), -1
        x = np.where(good, x, np.interp(t, t[good], x[good]))
    smooth = np.convolve(x, np.ones(3) / 3.0, mode="same")
    smooth[0], smooth[-1] = x[0], x[-1]
    m = int(np.argmax(np.abs(smooth)))
    ys = smooth * np.sign(smooth[m] or 1.0)
    amp = float(ys[m])
    sigma = float(trace_noise(t, x[None, :])[0])
    if not amp > 3.0 * sigma or amp <= 0:
        return float("nan"), -1
    peak = int(np.argmax(ys >= ESTABLISHED_FRACTION * amp))
    below = np.flatnonzero(ys[: peak + 1] < amp / 2.0)
    if below.size == 0:  # already established at the first delay
        return float(t[0]), peak
    i = int(below[-1])
    a, b = ys[i], ys[i + 1]
    t0 = float(t[i] + (t[i + 1] - t[i]) * (amp / 2.0 - a) / (b - a)) if b != a else float(t[i])
    return t0, peak


def detect(
    t: np.ndarray, values: np.ndarray, wavelengths: np.ndarray, wavelength: float, band_nm: float
) -> tuple[float, float]:
    """(time zero, established delay) in ps from ΔA ``values`` (pump, delay, wavelength).

    The most strongly excited pump level (largest |ΔA| at the wavelength) decides; the
    established delay is a grid delay ≥ time zero. NaN, NaN when no level shows a signal.
    """
    trace, _ = band_trace(values, wavelengths, wavelength, band_nm)
    trace = np.atleast_2d(trace)
    order = np.argsort(-np.nanmax(np.abs(trace), axis=1))
    for p in order.tolist():
        t0, j = _rise(t, trace[p])
        if j >= 0:
            after = np.flatnonzero(t >= t0)
            k = max(j, int(after[0]) if after.size else j)
            return t0, float(t[k])
    return float("nan"), float("nan")
