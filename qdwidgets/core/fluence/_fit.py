"""``fit_cascade``: one cascade model fitted to every pump level of a fluence series."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from scipy import stats

from ... import _args
from ..._choices import OCCUPANCY_MODES, CascadeScaling, OccupancyMode
from ...errors import FitError
from .. import _status
from ..kinetics._options import fit_options
from ..kinetics.lm import levenberg_marquardt
from . import _model
from ._data import Series, series, starts
from ._result import CascadeFit

NAMES = ("cross_section", "tau_xx", "tau_x", "tau_cool", "irf_fwhm", "t0")
#: parameters fitted as logarithms (all but t0)
_LOG = np.array([True, True, True, True, True, False])


class _Problem:
    """Variable projection: the amplitude is solved linearly for every nonlinear θ."""

    def __init__(self, s: Series, scaling: str, fixed_sigma: float | None) -> None:
        self.s, self.scaling, self.fixed_sigma = s, scaling, fixed_sigma
        self.nfev = 0

    def full(self, z: np.ndarray) -> np.ndarray:
        """Natural parameters (σ, τ_XX, τ_X, τ_cool, FWHM, t0) from the fitted vector."""
        if self.fixed_sigma is not None:
            z = np.concatenate([[math.log(self.fixed_sigma)], z])
        return np.where(_LOG, np.exp(np.where(_LOG, z, 0.0)), z)

    def model(self, p: np.ndarray) -> np.ndarray:
        occ = p[0] * self.s.pump
        with np.errstate(all="ignore"):
            return _model.signal(self.s.t, occ, p[1], p[2], p[3], p[4], p[5], self.scaling)

    def residual(self, z: np.ndarray) -> np.ndarray:
        self.nfev += 1
        m = self.model(self.full(z))
        mm = float(np.sum(m * m))
        if not math.isfinite(mm) or mm <= 0:
            return np.full(self.s.y.size, 1e10)
        amp = float(np.sum(m * self.s.y)) / mm
        return np.asarray((self.s.y - amp * m).ravel())

    def state(self, z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, Any]:
        """χ², JᵀJ and Jᵀr of the projected residual (forward differences) for the LM."""
        r = self.residual(z)
        cost = float(r @ r)
        if not math.isfinite(cost):
            return math.inf, np.eye(z.size), np.zeros(z.size), None
        jac = np.empty((r.size, z.size))
        for i in range(z.size):
            h = 1e-6 * max(1.0, abs(float(z[i])))
            zh = z.copy()
            zh[i] += h
            jac[:, i] = (self.residual(zh) - r) / h
        return cost, jac.T @ jac, jac.T @ r, None

    def amplitude(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        m = self.model(self.full(z))
        return float(np.sum(m * self.s.y) / np.sum(m * m)), m


def fit_cascade(
    ta: xr.Dataset,
    wavelength: float | None = None,
    *,
    band_nm: float = 0.0,
    scaling: CascadeScaling = "statistical",
    occupancy: OccupancyMode = "start",
    initial: dict[str, float] | None = None,
) -> CascadeFit:
    """Fit the multi-exciton cascade to the band-edge bleach of every pump level at once.

    Model (:mod:`qdwidgets.core.fluence._model`): Poisson initial occupancy ⟨N⟩_p = σ·pump_p;
    n → n − 1 at n/τ_X + k_A(n), k_A(2) = 1/τ_XX, ``scaling`` "statistical" (n²(n − 1)/4) or
    "pairs" (n(n − 1)/2); the signal is amplitude × the mean 1S filling Σ P_n min(n, 2)/2, built
    up with the cooling time, convolved with the Gaussian IRF — in closed form. One amplitude
    (linear, variable projection); σ, τ_XX, τ_X, τ_cool, IRF FWHM and t0 shared by all levels
    (``scipy.optimize.least_squares``, trust-region reflective, logarithms of the positive
    parameters).

    Parameters
    ----------
    ta : xarray.Dataset
        TA dataset with at least three pump levels; the ``pump`` coordinate must carry units.
    wavelength : float, optional
        Probe wavelength (nm); default :func:`qdwidgets.core.gain.band_edge`.
    band_nm : float
        Average ΔA over ± band_nm/2 around ``wavelength``.
    scaling : {"statistical", "pairs"}
        Auger rates of the higher multi-excitons.
    occupancy : {"start", "fix", "ignore"}
        What the dataset's ``occupancy`` coordinate (⟨N⟩ per level) does: start σ at its
        ⟨N⟩/pump ratio, fix σ there, or nothing (σ then starts from a screen of ⟨N⟩ values).
    initial : dict, optional
        Start values by name (``cross_section``, ``tau_xx``, ``tau_x``, ``tau_cool``,
        ``irf_fwhm``, ``t0``), otherwise read from the data.

    Returns
    -------
    CascadeFit
        σ, ⟨N⟩ per level, the lifetimes, their standard errors (infinite when the data cannot
        determine them), best fit and residual over (pump, delay) and the fit status.

    Raises
    ------
    FitError
        Fewer than three pump levels, a pump without units, no bleach at the wavelength, a
        bleach that does not grow with pump, or no finite fit.
    """
    with fit_options():
        scaling = _args.choice("scaling", scaling, _model.SCALINGS)
        occupancy = _args.choice("occupancy", occupancy, OCCUPANCY_MODES)
        for key, val in (initial or {}).items():
            _args.choice("initial key", key, NAMES)
            if key == "t0":
                _args.number("initial t0", val, unit="ps")
            else:
                _args.positive(f"initial {key}", val)
    s = series(ta, wavelength, band_nm)
    if occupancy == "fix" and s.occupancy is None:
        raise FitError(
            "occupancy='fix' needs an 'occupancy' coordinate (⟨N⟩ per pump level) on the "
            "dataset; it has none. Fix: occupancy='start' (fit σ) or assign ⟨N⟩ along pump"
        )
    ratio = None if s.occupancy is None else float(np.median(s.occupancy / s.pump))
    fixed = ratio if occupancy == "fix" else None
    st = starts(s)
    st.update({k: float(v) for k, v in (initial or {}).items()})
    prob = _Problem(s, scaling, fixed)
    lower, upper = _bounds(s)
    z0 = _screen(prob, st, ratio if occupancy != "ignore" else None, initial or {})
    lo, hi = (lower[1:], upper[1:]) if fixed is not None else (lower, upper)
    z0 = np.clip(z0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
    out = levenberg_marquardt(
        prob.state, z0, np.ones(z0.size, dtype=bool), lo, hi, n_data=s.y.size, max_iter=200
    )
    if not np.all(np.isfinite(out["x"])) or not math.isfinite(out["cost"]):
        raise FitError("the cascade fit gave no finite answer; check the traces and the sign")
    return _result(prob, out, lower, upper)


def _bounds(s: Series) -> tuple[np.ndarray, np.ndarray]:
    t = s.t
    dt = float(np.min(np.diff(t)))
    window = float(t[-1] - t[0])
    pmax = float(s.pump.max())
    lower = np.array(
        [
            math.log(1e-3 / pmax),
            math.log(dt / 10.0),
            math.log(dt),
            math.log(1e-4),
            math.log(1e-4),
            float(t[0]),
        ]
    )
    upper = np.array(
        [
            math.log(30.0 / pmax),
            math.log(1e3 * window),
            math.log(1e4 * window),
            math.log(window / 10.0),
            math.log(window / 10.0),
            float(t[int(np.argmax(-s.y[-1]))]),
        ]
    )
    return lower, upper


def _screen(
    prob: _Problem, st: dict[str, float], ratio: float | None, given: dict[str, float]
) -> np.ndarray:
    """The best start of a small grid of τ_XX (and σ when unknown), by χ² at the start."""
    s = prob.s
    window = float(s.t[-1] - max(st["t0"], float(s.t[0])))
    tx = st["tau_x"]
    xx = [given["tau_xx"]] if "tau_xx" in given else np.geomspace(1.0, window / 2.0, 7)
    if prob.fixed_sigma is not None:
        sigmas: list[float] = [prob.fixed_sigma]
    elif "cross_section" in given:
        sigmas = [given["cross_section"]]
    elif ratio is not None:
        sigmas = [ratio]
    else:
        sigmas = [n / float(s.pump.max()) for n in (0.5, 1.5, 4.0, 10.0)]
    best, best_cost = None, math.inf
    for sig in sigmas:
        for txx in xx:
            z = np.array(
                [
                    math.log(sig),
                    math.log(txx),
                    math.log(max(tx, 2.0 * txx)),
                    math.log(st["tau_cool"]),
                    math.log(st["irf_fwhm"]),
                    st["t0"],
                ]
            )
            z = z[1:] if prob.fixed_sigma is not None else z
            cost = float(np.sum(prob.residual(z) ** 2))
            if cost < best_cost:
                best, best_cost = z, cost
    assert best is not None
    return best


def _jacobian(prob: _Problem, z: np.ndarray, amp: float) -> np.ndarray:
    """∂(amp·model)/∂(θ, amp) by central differences in the fitted coordinates."""
    cols = []
    for i in range(z.size):
        h = 1e-5 * max(1.0, abs(z[i]))
        zp, zm = z.copy(), z.copy()
        zp[i] += h
        zm[i] -= h
        d = (prob.model(prob.full(zp)) - prob.model(prob.full(zm))) / (2.0 * h)
        cols.append(amp * d.ravel())
    cols.append(prob.model(prob.full(z)).ravel())
    return np.column_stack(cols)


def _result(
    prob: _Problem, out: dict[str, Any], lower: np.ndarray, upper: np.ndarray
) -> CascadeFit:
    s = prob.s
    z = out["x"]
    p = prob.full(z)
    amp, m = prob.amplitude(z)
    best = amp * m
    resid = s.y - best
    rss = float(np.sum(resid**2))
    n_free = z.size + 1
    dof = max(s.y.size - n_free, 1)
    jac = _jacobian(prob, z, amp)
    cov = _status.covariance_normal(jac.T @ jac, rss, dof)
    err_z = _status.stderr(cov)
    fixed = prob.fixed_sigma is not None
    err = np.full(6, math.nan if fixed else 0.0)
    k = 1 if fixed else 0
    # errors of logs → relative errors; t0 absolute
    for i in range(k, 6):
        e = float(err_z[i - k])
        err[i] = e * p[i] if _LOG[i] else e
    amp_err = float(err_z[-1])
    z_all = np.concatenate([[math.log(p[0])], z]) if fixed else z
    warnings = _warnings(prob, p, err, z_all, lower, upper, resid)
    t = stats.norm.ppf(0.975)
    ci = {n: (float(v - t * e), float(v + t * e)) for n, v, e in zip(NAMES, p, err, strict=True)}
    return CascadeFit.build(
        s=s,
        params=dict(zip(NAMES, map(float, p), strict=True)),
        errors=dict(zip(NAMES, map(float, err), strict=True)),
        amplitude=(amp, amp_err),
        best=best,
        scaling=prob.scaling,
        n_max=_model.n_max_for(float(p[0] * s.pump.max())),
        redchi=rss / dof,
        status=(bool(out["converged"]), str(out["message"]), int(prob.nfev)),
        warnings=tuple(warnings),
        ci=ci,
        occupancy_fixed=fixed,
    )


def _warnings(
    prob: _Problem,
    p: np.ndarray,
    err: np.ndarray,
    z: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    resid: np.ndarray,
) -> list[str]:
    s = prob.s
    out: list[str] = []
    window = float(s.t[-1] - p[5])
    free = slice(1, None) if prob.fixed_sigma is not None else slice(None)
    names = list(NAMES)[free]
    out += _status.at_bounds(names[:-1], z[free][:-1], lower[free][:-1], upper[free][:-1])
    out += _status.at_bounds(["t0"], [p[5]], [lower[5]], [upper[5]])
    out += _status.undetermined(names, list(err[free]))
    if p[2] > 10.0 * window:
        out.append(
            f"τ_X = {p[2]:.4g} ps is longer than 10× the delay window ({window:.4g} ps): only a "
            "lower bound; measure to longer delays"
        )
    if p[1] > window:
        out.append(
            f"the delay window ({window:.4g} ps) is shorter than τ_XX = {p[1]:.4g} ps: the "
            "biexciton decay is not followed to its end and τ_XX is uncertain; measure longer"
        )
    n_top = p[0] * float(s.pump.max())
    if n_top < 1.0:
        out.append(
            f"the highest level has ⟨N⟩ = {n_top:.3g} < 1: few dots hold multi-excitons, so "
            "τ_XX and σ rest on a small part of the signal; measure higher fluences"
        )
    rms = float(np.sqrt(np.mean(resid**2)))
    out += _status.residual_above_noise(rms, float(np.median(s.noise)))
    return out


def start_values(
    ta: xr.Dataset,
    wavelength: float | None = None,
    *,
    band_nm: float = 0.0,
    scaling: CascadeScaling = "statistical",
) -> dict[str, float]:
    """The parameters :func:`fit_cascade` starts its solver from (read from the data and
    screened), by name — for views that draw the model before any fit."""
    with fit_options():
        scaling = _args.choice("scaling", scaling, _model.SCALINGS)
    s = series(ta, wavelength, band_nm)
    ratio = None if s.occupancy is None else float(np.median(s.occupancy / s.pump))
    prob = _Problem(s, scaling, None)
    z0 = _screen(prob, starts(s), ratio, {})
    return dict(zip(NAMES, map(float, prob.full(z0)), strict=True))
