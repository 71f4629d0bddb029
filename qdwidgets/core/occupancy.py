"""Poisson statistics of excitons per dot (paper §3): ⟨N⟩ = σ·j, P(n) = ⟨N⟩ⁿ e^−⟨N⟩ / n!.

The 1S level is two-fold degenerate: a dot holding one exciton is transparent, two give gain.
The mean 1S filling (electrons in 1S per dot, 0…2) is P(1) + 2·(1 − P(0) − P(1)); it reaches 1
(transparency on average) at ⟨N⟩ ≈ 1.15, :func:`gain_threshold_occupancy`.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
from scipy import optimize, special

from ..errors import DatasetError, FitError
from ..results import Result


def _nonneg(value: Any, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise DatasetError(f"{name}: must be finite and >= 0 (got {value!r}). Fix: pass ⟨N⟩ >= 0")
    return arr


def poisson(n_avg: Any, n: Any) -> Any:
    """P(n) = ⟨N⟩ⁿ e^−⟨N⟩ / n!: the fraction of dots holding n excitons (n = 0, 1, 2, …)."""
    lam = _nonneg(n_avg, "n_avg")
    k = np.asarray(n)
    if not np.issubdtype(k.dtype, np.integer):
        if not np.all(np.isfinite(k)) or np.any(np.asarray(k, dtype=float) % 1 != 0):
            raise DatasetError(f"n: must be whole numbers of excitons (got {n!r})")
        k = k.astype(int)
    if np.any(k < 0):
        raise DatasetError(f"n: must be >= 0 (got {n!r})")
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = special.xlogy(k, lam) - lam - special.gammaln(k + 1)
    out = np.exp(logp)
    return float(out) if out.ndim == 0 else out


def mean_1s_filling(n_avg: Any) -> Any:
    """Mean number of electrons in the two-fold degenerate 1S level: P(1) + 2(1 − P(0) − P(1)).

    Closed form 2 − (2 + ⟨N⟩) e^−⟨N⟩; 0 for ⟨N⟩ = 0, → 2 for large ⟨N⟩; 1 is transparency.
    """
    lam = _nonneg(n_avg, "n_avg")
    p0, p1 = np.exp(-lam), lam * np.exp(-lam)
    out = p1 + 2.0 * (1.0 - p0 - p1)
    return float(out) if out.ndim == 0 else out


def gain_threshold_occupancy() -> float:
    """⟨N⟩ at which the mean 1S filling reaches 1 (≈ 1.146): above it the ensemble has gain."""
    return float(optimize.brentq(lambda x: float(mean_1s_filling(x)) - 1.0, 0.1, 10.0, xtol=1e-14))


def occupancy(fluence: Any, cross_section: float) -> Any:
    """⟨N⟩ = σ·j: fluence j (photons cm⁻², or any pump unit) × cross section σ (cm², or 1/unit)."""
    j = _nonneg(fluence, "fluence")
    sigma = float(cross_section)
    if not np.isfinite(sigma) or sigma < 0:
        raise DatasetError(f"cross_section: must be finite and >= 0 (got {cross_section!r})")
    out = j * sigma
    return float(out) if out.ndim == 0 else out


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class CrossSectionFit(Result):
    """Saturation fit late_bleach = amplitude·(1 − e^−σ·j) over pump levels j.

    cross_section σ and its standard error in inverse pump units (cm² when the pump is a
    photon fluence in cm⁻²); amplitude (OD, the fully saturated late bleach) and its error;
    occupancy: ⟨N⟩ = σ·j per pump level; rms: residual root-mean-square (OD).
    """

    pump: tuple[float, ...]
    late_bleach: tuple[float, ...]
    pump_units: str
    cross_section: float
    cross_section_stderr: float
    amplitude: float
    amplitude_stderr: float
    occupancy: tuple[float, ...]
    rms: float

    def model(self, pump: Any) -> Any:
        """The fitted saturation curve at ``pump``."""
        return self.amplitude * -np.expm1(-self.cross_section * np.asarray(pump, dtype=float))


def fit_cross_section(pump: Any, late_bleach: Any, *, pump_units: str = "") -> CrossSectionFit:
    """Fit late_bleach(j) = A·(1 − e^−σ·j) (late-time bleach saturates as 1 − P(0)).

    ``pump`` (≥ 2 distinct positive levels) may be an xarray coordinate (its ``units`` attr is
    kept); ``late_bleach`` (OD) the late-time ΔA at the band edge (either sign). With exactly two
    levels the fit is exact and the standard errors are NaN.
    """
    units = pump_units or str(getattr(pump, "attrs", {}).get("units", ""))
    j = np.asarray(pump, dtype=float).ravel()
    y = np.asarray(late_bleach, dtype=float).ravel()
    if j.size != y.size:
        raise FitError(f"pump has {j.size} values but late_bleach {y.size}; give one per level")
    if not (np.all(np.isfinite(j)) and np.all(np.isfinite(y))):
        raise FitError("pump or late_bleach holds NaN/inf; drop those levels before fitting")
    if np.any(j < 0) or np.unique(j[j > 0]).size < 2:
        raise FitError(
            "fit_cross_section needs at least two distinct positive pump levels (and none "
            "negative) to separate σ from the amplitude; measure another pump level"
        )
    sign = np.sign(y[np.argmax(j)]) or 1.0
    ys = sign * y
    if np.all(ys <= 0):
        raise FitError("late_bleach is zero at every level: there is nothing to saturate")

    def f(jj: np.ndarray, amp: float, sig: float) -> np.ndarray:
        return amp * -np.expm1(-sig * jj)

    best: tuple[np.ndarray, np.ndarray] | None = None
    cost = np.inf
    for guess in (0.3, 1.0, 3.0):  # ⟨N⟩ at the highest level
        p0 = [max(ys.max(), 1e-30) / -np.expm1(-guess), guess / j.max()]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optimize.OptimizeWarning)
                popt, pcov = optimize.curve_fit(
                    f, j, ys, p0=p0, bounds=([0.0, 0.0], [np.inf, np.inf]), maxfev=20000
                )
        except (RuntimeError, ValueError):
            continue
        c = float(np.sum((f(j, *popt) - ys) ** 2))
        if c < cost:
            best, cost = (popt, pcov), c
    if best is None:
        raise FitError("the saturation fit did not converge; check the sign and units of the data")
    popt, pcov = best
    err = np.sqrt(np.diag(pcov)) if j.size > 2 and np.all(np.isfinite(pcov)) else [np.nan] * 2
    amp, sig = float(popt[0]) * sign, float(popt[1])
    return CrossSectionFit(
        pump=tuple(j.tolist()),
        late_bleach=tuple(y.tolist()),
        pump_units=units,
        cross_section=sig,
        cross_section_stderr=float(err[1]),
        amplitude=amp,
        amplitude_stderr=float(err[0]),
        occupancy=tuple((sig * j).tolist()),
        rms=float(np.sqrt(cost / j.size)),
    )
