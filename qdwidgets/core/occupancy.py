"""Poisson statistics of excitons per dot (paper §3): ⟨N⟩ = σ·j, P(n) = ⟨N⟩ⁿ e^−⟨N⟩ / n!.

The 1S level is two-fold degenerate: a dot holding one exciton is transparent, two give gain.
The mean 1S filling (electrons in 1S per dot, 0…2) is P(1) + 2·(1 − P(0) − P(1)); it reaches 1
(transparency on average) at ⟨N⟩ ≈ 1.15, :func:`gain_threshold_occupancy`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from .. import _args
from .._args import ArgumentError
from ..errors import FitError
from ..results import Result
from . import _status


def _nonneg(value: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must hold numbers, not {value!r}") from None
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ArgumentError(f"{name} must be finite and >= 0 (got {value!r})")
    return arr


def poisson(n_avg: Any, n: Any) -> Any:
    """P(n) = ⟨N⟩ⁿ e^−⟨N⟩ / n!: the fraction of dots holding n excitons (n = 0, 1, 2, …).

    Parameters
    ----------
    n_avg : float or array-like
        ⟨N⟩, the mean number of excitons per dot (≥ 0).
    n : int or array-like
        Exciton numbers (≥ 0); broadcast against ``n_avg``.

    Returns
    -------
    float or numpy.ndarray
        The Poisson probabilities (dimensionless).

    Examples
    --------
    >>> from qdwidgets.core.occupancy import poisson
    >>> poisson(1.0, [0, 1, 2]).round(3)  # at <N> = 1: empty, one exciton, two
    array([0.368, 0.368, 0.184])
    """
    lam = _nonneg(n_avg, "n_avg")
    k = np.asarray(n)
    if not np.issubdtype(k.dtype, np.integer):
        kf = _nonneg(n, "n")
        if np.any(kf % 1 != 0):
            raise ArgumentError(f"n must be whole numbers of excitons (got {n!r})")
        k = kf.astype(int)
    if np.any(k < 0):
        raise ArgumentError(f"n must be >= 0 (got {n!r})")
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = special.xlogy(k, lam) - lam - special.gammaln(k + 1)
    out = np.exp(logp)
    return float(out) if out.ndim == 0 else out


def mean_1s_filling(n_avg: Any) -> Any:
    """Mean number of electrons in the two-fold degenerate 1S level: P(1) + 2(1 − P(0) − P(1)).

    Closed form 2 − (2 + ⟨N⟩) e^−⟨N⟩; 0 for ⟨N⟩ = 0, → 2 for large ⟨N⟩; 1 is transparency.

    Parameters
    ----------
    n_avg : float or array-like
        ⟨N⟩, the mean number of excitons per dot (≥ 0).

    Returns
    -------
    float or numpy.ndarray
        Mean 1S electrons per dot (0–2).

    Examples
    --------
    >>> from qdwidgets.core.occupancy import mean_1s_filling
    >>> mean_1s_filling([0.5, 1.0, 3.0]).round(2)  # 1 is transparency
    array([0.48, 0.9 , 1.75])
    """
    lam = _nonneg(n_avg, "n_avg")
    p0, p1 = np.exp(-lam), lam * np.exp(-lam)
    out = p1 + 2.0 * (1.0 - p0 - p1)
    return float(out) if out.ndim == 0 else out


def gain_threshold_occupancy() -> float:
    """⟨N⟩ at which the mean 1S filling reaches 1 (≈ 1.146): above it the ensemble has gain.

    Examples
    --------
    >>> from qdwidgets.core.occupancy import gain_threshold_occupancy
    >>> round(gain_threshold_occupancy(), 3)
    1.146
    """
    return float(optimize.brentq(lambda x: float(mean_1s_filling(x)) - 1.0, 0.1, 10.0, xtol=1e-14))


def occupancy(fluence: Any, cross_section: float) -> Any:
    """⟨N⟩ = σ·j: fluence j (photons cm⁻², or any pump unit) × cross section σ (cm², or 1/unit).

    Parameters
    ----------
    fluence : float or array-like
        Pump fluence j (photons cm⁻², or any pump unit such as nJ), ≥ 0.
    cross_section : float
        Absorption cross section σ (cm², or the inverse of the pump unit), ≥ 0.

    Returns
    -------
    float or numpy.ndarray
        ⟨N⟩, excitons per dot.

    Examples
    --------
    >>> from qdwidgets.core.occupancy import occupancy
    >>> occupancy([100.0, 250.0], 0.012)  # pump in nJ, cross section in 1/nJ
    array([1.2, 3. ])
    """
    j = _nonneg(fluence, "fluence")
    sigma = _args.non_negative("cross_section", cross_section)
    out = j * sigma
    return float(out) if out.ndim == 0 else out


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class CrossSectionFit(Result):
    """Saturation fit late_bleach = amplitude·(1 − e^−σ·j) over pump levels j.

    cross_section σ and its standard error in inverse pump units (cm² when the pump is a
    photon fluence in cm⁻²); amplitude (OD, the fully saturated late bleach) and its error;
    occupancy: ⟨N⟩ = σ·j per pump level; rms: residual root-mean-square (OD).

    Fit status (:mod:`qdwidgets.core._status`): ``converged`` (the solver's criterion),
    ``message``, ``nfev``, ``warnings``; ``ci`` = ``{"cross_section": (lo, hi), "amplitude":
    (lo, hi)}``, 95 % Student-t intervals from the covariance (``ci_method`` "covariance"; NaN
    with exactly two levels, where the fit is exact and no noise can be estimated).
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
    converged: bool = True
    message: str = ""
    nfev: int = 0
    warnings: tuple[str, ...] = ()
    ci: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    ci_method: str = "covariance"

    def model(self, pump: Any) -> Any:
        """The fitted saturation curve at ``pump``."""
        return self.amplitude * -np.expm1(-self.cross_section * np.asarray(pump, dtype=float))


def _saturation(jj: np.ndarray, amp: float, sig: float) -> np.ndarray:
    return np.asarray(amp * -np.expm1(-sig * jj))


def _jac(jj: np.ndarray, amp: float, sig: float) -> np.ndarray:
    return np.column_stack([-np.expm1(-sig * jj), amp * jj * np.exp(-sig * jj)])


def _solve(j: np.ndarray, ys: np.ndarray) -> Any:
    """Least squares from three starts (⟨N⟩ = 0.3, 1, 3 at the highest level); the lowest cost."""
    best: Any = None
    for guess in (0.3, 1.0, 3.0):
        p0 = np.array([max(float(ys.max()), 1e-30) / -math.expm1(-guess), guess / float(j.max())])
        try:
            with np.errstate(all="ignore"):
                res = optimize.least_squares(
                    lambda p: _saturation(j, p[0], p[1]) - ys,
                    p0,
                    jac=lambda p: _jac(j, p[0], p[1]),
                    bounds=([0.0, 0.0], [np.inf, np.inf]),
                    x_scale="jac",
                    max_nfev=20000,
                )
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.all(np.isfinite(res.x)) and (best is None or res.cost < best.cost):
            best = res
    return best


def fit_cross_section(pump: Any, late_bleach: Any, *, pump_units: str = "") -> CrossSectionFit:
    """Fit late_bleach(j) = A·(1 − e^−σ·j) (late-time bleach saturates as 1 − P(0)).

    Parameters
    ----------
    pump : array-like or xarray coordinate
        ≥ 2 distinct positive pump levels (its ``units`` attr is kept when it has one).
    late_bleach : array-like
        The late-time ΔA at the band edge (OD, either sign), one per level.
    pump_units : str
        Units of ``pump`` when it carries none.

    Returns
    -------
    CrossSectionFit
        σ, A, their standard errors (through :func:`qdwidgets.core._status.covariance`: NaN with
        exactly two levels, infinite when the data cannot determine them) and the fit status;
        ``warnings`` name a parameter at its bound (0), undetermined parameters, two levels only.

    Raises
    ------
    FitError
        Mismatched lengths, NaN, fewer than two distinct positive levels, an all-zero bleach, or
        a solver that gives no finite answer.
    """
    if not isinstance(pump_units, str):
        raise ArgumentError(f"pump_units must be a string, not {pump_units!r}")
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
    res = _solve(j, ys)
    if res is None:
        raise FitError("the saturation fit gave no finite answer; check the sign and units")
    amp_s, sig = float(res.x[0]), float(res.x[1])
    rss = float(np.sum(res.fun**2))
    dof = j.size - 2
    names = ("amplitude", "cross_section")
    warnings: list[str] = []
    if dof > 0:
        err = _status.stderr(_status.covariance(_jac(j, amp_s, sig), rss, dof))
        t = float(stats.t.ppf(0.975, dof))
        values = (amp_s * sign, sig)
        ci = {n: (v - t * e, v + t * e) for n, v, e in zip(names, values, err, strict=True)}
        warnings += _status.undetermined(names, list(err))
        loose = [
            n
            for n, v, e in zip(names, (amp_s, sig), err, strict=True)
            if math.isfinite(e) and e > 0.5 * v
        ]
        if loose:
            warnings.append(
                f"{' and '.join(loose)} uncertain by more than ±50 %: the levels do not reach "
                "saturation (the curve is nearly straight); measure higher pump levels"
            )
    else:
        err = np.full(2, math.nan)
        ci = dict.fromkeys(names, (math.nan, math.nan))
        warnings.append(
            "two pump levels for two parameters: the curve passes exactly through them and no "
            "uncertainty can be estimated; measure a third level"
        )
    # at the bound 0, judged in units of the data: ⟨N⟩ at the highest level, A vs the bleach
    for name, scaled in (("amplitude", amp_s / float(ys.max())), ("cross_section", sig * j.max())):
        if scaled <= 1e-6:
            warnings.append(
                f"{name} ended at its lower bound 0: the data show no saturation curve; check "
                "the sign of the late bleach and that it grows with pump"
            )
    return CrossSectionFit(
        pump=tuple(j.tolist()),
        late_bleach=tuple(y.tolist()),
        pump_units=units,
        cross_section=sig,
        cross_section_stderr=float(err[1]),
        amplitude=amp_s * sign,
        amplitude_stderr=float(err[0]),
        occupancy=tuple((sig * j).tolist()),
        rms=float(np.sqrt(rss / j.size)),
        converged=bool(res.success),
        message=str(res.message),
        nfev=int(res.nfev),
        warnings=tuple(warnings),
        ci={k: (float(a), float(b)) for k, (a, b) in ci.items()},
    )
