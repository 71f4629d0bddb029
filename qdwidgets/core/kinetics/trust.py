"""The warnings of the kinetics fits: one list of reasons not to trust a fit, for every path.

``fit_trace``, ``fit_traces`` and ``fit_global`` (with or without dispersion) build their
``warnings`` here from the same named checks of :mod:`qdwidgets.core._status`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import _status
from .._noise import column_noise as column_noise
from .._noise import noise_estimate as noise_estimate
from . import model as M

#: a lifetime or width whose standard error in ln units exceeds this (a factor e³ ≈ 20 either
#: way) is not determined by the data: the linearised error means nothing there, report inf
LN_ERR_MAX = 3.0


def relative_error(err_ln: float, value: float) -> float:
    """The standard error (same unit as ``value``) of a parameter fitted as ln(value)."""
    if not math.isfinite(err_ln) or err_ln > LN_ERR_MAX:
        return math.inf
    return err_ln * abs(value)


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
