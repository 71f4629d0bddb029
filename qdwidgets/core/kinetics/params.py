"""Start values, bounds and the internal parameter vector of the kinetics fits.

A *spec* is ``{name: [value, min, max, vary]}`` for ``tau1..n`` (ps), ``irf_fwhm`` (ps) and ``t0``
(ps); the solvers work on the internal vector ``x = [ln τ_1..n, ln σ, t0]`` (σ the IRF standard
deviation, ps). Start lifetimes come from the log-grid search of :mod:`.start`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import lmfit
import numpy as np

from ...errors import FitError
from . import model as M
from .start import grid_taus, guess_t0_fwhm


def _spec(value: Any, name: str) -> tuple[bool, float | None]:
    """('fit' → free) or a number → fixed; returns (vary, value)."""
    if isinstance(value, str):
        if value != "fit":
            raise FitError(f"{name} must be 'fit' or a number in ps, not {value!r}")
        return True, None
    if value is None:
        return True, None
    v = float(value)
    if not math.isfinite(v) or (name == "irf_fwhm" and v < 0):
        raise FitError(f"{name} must be a finite number of ps (irf_fwhm ≥ 0), not {value!r}")
    return False, v


Spec = dict[str, list[Any]]  # name -> [value, min, max, vary]


def make_params(t: np.ndarray, y: np.ndarray, n: int, **kw: Any) -> lmfit.Parameters:
    """lmfit Parameters ``tau1..n``, ``irf_fwhm``, ``t0`` with automatic start values and bounds.

    Keywords as in :func:`fit_trace` (``irf_fwhm``, ``t0``, ``offset``, ``initial``, ``bounds``,
    ``fixed``).
    """
    return to_params(start_spec(t, y, n, **kw))


def to_params(spec: Spec) -> lmfit.Parameters:
    params = lmfit.Parameters()
    for name, (value, lo, hi, vary) in spec.items():
        params.add(name, value=value, min=lo, max=hi, vary=vary)
    return params


def start_spec(
    t: np.ndarray,
    y: np.ndarray,
    n: int,
    *,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    offset: bool = False,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    rise: np.ndarray | None = None,
) -> Spec:
    """Start values, bounds and vary flags ``{name: [value, min, max, vary]}``.

    ``rise`` is the trace t0 and the IRF width are guessed from (default: the column of ``y``
    with the largest range).
    """
    return _start(
        t, y, n, irf_fwhm=irf_fwhm, t0=t0, offset=offset, initial=initial, bounds=bounds,
        fixed=fixed, rise=rise,
    )[0]  # fmt: skip


def _start(
    t: np.ndarray,
    y: np.ndarray,
    n: int,
    *,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    offset: bool = False,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    rise: np.ndarray | None = None,
    n_best: int = 1,
) -> tuple[Spec, np.ndarray | None]:
    """:func:`start_spec`, and the ``n_best`` best grid lifetime sets (rows, best first; None
    when every lifetime is given) from the same grid search."""
    initial = dict(initial or {})
    bounds = dict(bounds or {})
    fixed = set(fixed)
    unknown = (set(initial) | set(bounds) | fixed) - (
        {f"tau{i + 1}" for i in range(n)} | {"irf_fwhm", "t0"}
    )
    if unknown:
        raise FitError(
            f"unknown parameter name(s) {sorted(unknown)}; use tau1..tau{n}, irf_fwhm, t0"
        )
    vary_w, w_val = _spec(irf_fwhm, "irf_fwhm")
    vary_t0, t0_val = _spec(t0, "t0")
    y2 = y if y.ndim == 2 else y[:, None]
    if rise is None:
        rise = y2[:, int(np.argmax(np.ptp(y2, axis=0)))]
    t0_g, w_g = guess_t0_fwhm(t, rise)
    t0_s = initial.get("t0", t0_val if t0_val is not None else t0_g)
    w_s = initial.get("irf_fwhm", w_val if w_val is not None else w_g)
    given = {i: float(initial[f"tau{i + 1}"]) for i in range(n) if f"tau{i + 1}" in initial}
    cands = None
    if len(given) < n:
        cands = grid_taus(t, y2, n, t0_s, w_s, offset, fixed=given, n_best=max(1, n_best))
        cands = cands.reshape(-1, n)
    taus = cands[0] if cands is not None else None
    span = float(t[-1] - t[0])
    dt = np.diff(t)
    res = float(np.min(dt[dt > 0]))
    spec: Spec = {}
    for i in range(n):
        name = f"tau{i + 1}"
        val = given.get(i, float(taus[i]) if taus is not None else 1.0)
        lo, hi = bounds.get(name, (min(res * 0.05, val * 0.5), max(50.0 * span, val * 2)))
        spec[name] = [_clip(val, lo, hi), float(lo), float(hi), name not in fixed]
    lo, hi = bounds.get("irf_fwhm", (0.0, max(0.1 * span, 2 * w_s)))
    spec["irf_fwhm"] = [_clip(w_s, lo, hi), lo, hi, vary_w and "irf_fwhm" not in fixed]
    lo, hi = bounds.get("t0", (float(t[0]) - 0.1 * span, float(t[-1])))
    spec["t0"] = [_clip(t0_s, lo, hi), lo, hi, vary_t0 and "t0" not in fixed]
    return spec, cands


def _clip(v: float, lo: float, hi: float) -> float:
    """``np.clip`` for one number (NaN stays NaN), without numpy's per-call overhead."""
    return float(min(max(float(v), lo), hi))


def to_internal(spec: Spec, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Internal vector ``[ln τ_1..n, ln σ, t0]``, its free mask and clip bounds."""
    names = [f"tau{i + 1}" for i in range(n)]

    def ln_sigma(v: float) -> float:
        return math.log(max(float(M.sigma_from_fwhm(v)), M.MIN_SIGMA))

    x0 = [math.log(spec[k][0]) for k in names]
    lo = [math.log(max(spec[k][1], 1e-12)) for k in names]
    hi = [math.log(spec[k][2]) for k in names]
    w = spec["irf_fwhm"]
    x0.append(ln_sigma(w[0]))
    lo.append(ln_sigma(max(w[1], 0.0)))
    hi.append(ln_sigma(w[2]))
    x0.append(spec["t0"][0])
    lo.append(spec["t0"][1])
    hi.append(spec["t0"][2])
    mask = np.array([spec[k][3] for k in [*names, "irf_fwhm", "t0"]], dtype=bool)
    return np.array(x0), mask, np.array(lo), np.array(hi)


def from_internal(spec: Spec, x: np.ndarray, n: int) -> Spec:
    """A copy of ``spec`` with the free values taken from an internal vector (clipped)."""
    out = {k: list(v) for k, v in spec.items()}
    values = [math.exp(v) for v in x[:n]]
    values.append(math.exp(x[n]) * M.FWHM_PER_SIGMA if x[n] > math.log(M.MIN_SIGMA) + 1e-9 else 0.0)
    values.append(float(x[n + 1]))
    for name, v in zip([*(f"tau{i + 1}" for i in range(n)), "irf_fwhm", "t0"], values, strict=True):
        p = out[name]
        if p[3]:
            p[0] = _clip(v, p[1], p[2])
    return out
