"""The warnings of the kinetics fits: one list of reasons not to trust a fit, for every path.

``fit_trace``, ``fit_traces`` and ``fit_global`` (with or without dispersion) build their
``warnings`` here from the same named checks of :mod:`qdwidgets.core._status`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import _status
from . import model as M

#: a lifetime or width whose standard error in ln units exceeds this (a factor e³ ≈ 20 either
#: way) is not determined by the data: the linearised error means nothing there, report inf
LN_ERR_MAX = 3.0


def relative_error(err_ln: float, value: float) -> float:
    """The standard error (same unit as ``value``) of a parameter fitted as ln(value)."""
    if not math.isfinite(err_ln) or err_ln > LN_ERR_MAX:
        return math.inf
    return err_ln * abs(value)


def column_noise(y: np.ndarray) -> np.ndarray:
    """Model-free noise (OD) per column of ``y`` (delays × columns): the MAD of the second
    differences along the delays, / √6 for white noise. Robust to the signal's steps and
    independent of where zero sits on the delay axis; NaN values (a column's ends after a
    chirp correction) are left out; NaN with fewer than 5 delays."""
    y2 = np.asarray(y, dtype=float)
    y2 = y2[:, None] if y2.ndim == 1 else y2
    if y2.shape[0] < 5:
        return np.full(y2.shape[1], math.nan)
    d = y2[2:] - 2.0 * y2[1:-1] + y2[:-2]
    if np.isnan(d).any():  # NaN at a column's ends (chirp-corrected data): left out
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column → NaN
                mad = np.nanmedian(np.abs(d - np.nanmedian(d, axis=0)), axis=0)
        return np.asarray(1.4826 * mad / math.sqrt(6.0))
    mad = np.median(np.abs(d - np.median(d, axis=0)), axis=0)
    return np.asarray(1.4826 * mad / math.sqrt(6.0))


def noise_estimate(y: np.ndarray) -> float:
    """The noise (OD) of traces (delays × columns): the median of :func:`column_noise` over (at
    most 64 evenly spaced) columns."""
    y2 = np.asarray(y, dtype=float)
    y2 = y2[:, None] if y2.ndim == 1 else y2
    if y2.shape[1] > 64:
        y2 = y2[:, np.linspace(0, y2.shape[1] - 1, 64).astype(int)]
    return float(np.median(column_noise(y2)))


def bound_warnings(
    x: np.ndarray, lower: np.ndarray, upper: np.ndarray, mask: np.ndarray, n: int
) -> list[str]:
    """Lifetimes and the IRF width (internal ``[ln τ, ln σ, …]``) that ended at a bound, in ps."""

    def conv(k: int, v: float) -> float:
        if not math.isfinite(v):
            return v
        return math.exp(v) * (float(M.FWHM_PER_SIGMA) if k == n else 1.0)

    names = ["a lifetime (ps)"] * n + ["irf_fwhm (ps)"]
    free = [k for k in range(n + 1) if mask[k]]
    return _status.at_bounds(
        [names[k] for k in free],
        [conv(k, float(x[k])) for k in free],
        [conv(k, float(lower[k])) if np.isfinite(lower[k]) else 0.0 for k in free],
        [conv(k, float(upper[k])) for k in free],
        log=True,
    )


def kinetics_warnings(
    *,
    taus: Sequence[float],
    tau_errors: Sequence[float],
    irf_error: float,
    amplitudes: np.ndarray,
    peak: float,
    delay_min: float,
    delay_max: float,
    rms: float,
    noise: float,
    bounds: list[str],
    converged: bool,
    message: str,
) -> tuple[str, ...]:
    """Every warning of a kinetics fit (lifetimes sorted ascending; amplitudes (n, …) in OD)."""
    names = [f"tau{i + 1}" for i in range(len(taus))]
    out = _status.close_values(names, list(taus))
    out += bounds
    amps = np.asarray(amplitudes, dtype=float).reshape(len(taus), -1)
    if amps.size and np.all(np.isfinite(amps)):
        out += _status.cancelling(list(np.max(np.abs(amps), axis=1)), float(peak))
    out += _status.outside_window(names, list(taus), delay_min, delay_max)
    out += _status.undetermined([*names, "irf_fwhm"], [*tau_errors, irf_error])
    out += _status.residual_above_noise(rms, noise, factor=2.0)
    if not converged:
        out.append(f"the fit did not converge: {message}")
    return tuple(dict.fromkeys(out))
