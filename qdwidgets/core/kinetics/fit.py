"""Single-trace fits: ``fit_trace`` (lmfit + variable projection) and ``fit_kinetics`` (Table 1).

Model (ps, OD): ``y(t) = Σ_i A_i exp(-(t-t0)/τ_i) ⊗ IRF + A_0 step(t-t0) ⊗ IRF``, Gaussian IRF of
FWHM ``irf_fwhm``. The amplitudes A_i and A_0 are solved linearly at every step; lmfit's
``least_squares`` moves τ_i, ``irf_fwhm`` and ``t0`` with an analytic Jacobian.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import lmfit
import numpy as np

from ... import _args
from ..._choices import KINETICS_CI, KineticsCI
from ...errors import FitError
from ._build import _build_fit
from ._inputs import _as_trace as _as_trace
from ._inputs import _check, _trace_t0
from ._inputs import _n_components as _n_components
from ._options import fit_options
from .params import Spec as Spec
from .params import _spec as _spec
from .params import _start, from_internal, to_internal, to_params
from .params import make_params as make_params
from .params import start_spec as start_spec
from .results import KineticsFit
from .trust import bound_warnings, noise_estimate
from .varpro import Projection, batch_fit


def fit_trace(
    trace: Any,
    n_components: int = 3,
    *,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    offset: bool = False,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    ci: KineticsCI | None = None,
    n_boot: int = 200,
    seed: int = 0,
    starts: int = 4,
    early_stop: bool = True,
    onset: float | None = None,
    chirp: Any = None,
    coherent_artifact: bool = False,
) -> KineticsFit:
    """Fit one kinetic trace with ``n_components`` exponentials (+ offset) ⊗ Gaussian IRF.

    Lifetimes are nonlinear parameters (least squares); amplitudes and offset are solved
    linearly at every step (variable projection). With automatic lifetimes the ``starts`` best
    grid combinations are screened (a few iterations each, vectorised) and the best is finished,
    and the lower χ² of that and the best start's own fit is kept. Non-finite points are skipped.

    Parameters
    ----------
    trace : xarray.DataArray or (array, array)
        ΔA (OD) over ``delay`` (ps), or a ``(delay, values)`` tuple.
    n_components : int, default 3
        Number of exponentials.
    irf_fwhm : "fit" or float, default "fit"
        FWHM (ps) of the Gaussian instrument response: fitted, or held at this value.
    t0 : "fit" or float, default "fit"
        Time zero (ps): fitted, or held at this value.
    offset : bool, default False
        Add a long-lived step (OD) after time zero.
    initial : mapping, optional
        Start values by name (``tau1``, ``tau2``, ..., ``irf_fwhm``, ``t0``; ps); automatic
        otherwise.
    bounds : mapping, optional
        ``{name: (low, high)}`` (ps).
    fixed : iterable of str, default ()
        Names held at their start value (the widget's locks).
    ci : {"bootstrap"}, optional
        ``"bootstrap"`` adds 95 % residual-bootstrap intervals in ``.ci`` (``ci_method``
        "bootstrap"; ``n_boot`` refits, vectorised).
    n_boot : int, default 200
        Bootstrap refits.
    seed : int, default 0
        Seed of the bootstrap's random resampling.
    starts : int, default 4
        Grid combinations of lifetimes screened when they are automatic.
    early_stop : bool, default True
        Skip the other starts when the best start's fit is already at the noise level with
        white residuals (see ``_at_noise_level``).
    onset : float, optional
        Time zero (ps) of the signal's rise when ``trace`` was cut after it (``fit_kinetics``
        with ``delay_range`` passes the full trace's). When it lies before the first delay, one
        more start has t0 there and an IRF FWHM of twice the gap (``_onset_start``); the lower
        χ² wins.
    chirp : float or xarray.DataArray, optional
        Time zero (ps) held fixed for this trace: a number, or t0(λ) over wavelength (from
        :func:`qdwidgets.core.chirp.estimate` or ``GlobalFit.chirp``) read at the trace's
        ``wavelength`` coordinate.
    coherent_artifact : bool, default False
        Add the coherent artefact at time zero (the IRF and its first two derivatives;
        amplitudes in ``KineticsFit.artifact``).

    Returns
    -------
    KineticsFit
        ``taus`` (ps) with ``taus_stderr``, ``amplitudes`` (OD), ``fractions`` (%), ``offset``
        (OD), ``irf_fwhm`` and ``t0`` (ps), ``best_fit`` and ``residual`` (OD), and the status
        fields ``converged``/``message``/``nfev``/``warnings``.

    Raises
    ------
    FitError
        For flat, all-NaN or too-short traces, and options out of range.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import extract_trace, fit_trace
    >>> trace = extract_trace(qdwidgets.examples.ta(), 639.0, pump=250.0)
    >>> fit = fit_trace(trace.sel(delay=slice(2.0, None)), irf_fwhm=0.0, t0=0.0, offset=True)
    >>> fit.converged, len(fit.taus), fit.irf_fwhm
    (True, 3, 0.0)
    """
    n = _n_components(n_components)
    with fit_options():
        n_boot = _args.integer("n_boot", n_boot, lo=2, hi=1_000_000)
        starts = _args.integer("starts", starts, lo=1, hi=100)
        seed = _args.integer("seed", seed, lo=0, hi=2**63 - 1)
        if onset is not None:
            onset = _args.number("onset", onset, unit="ps")
    t_all, y_all, da = _as_trace(trace)
    if chirp is not None:
        t0 = _trace_t0(chirp, da, t0)
    coh = bool(coherent_artifact)
    vary_w, _ = _spec(irf_fwhm, "irf_fwhm")
    vary_t0, _ = _spec(t0, "t0")
    n_params = 2 * n + int(offset) + int(vary_w) + int(vary_t0) + 3 * int(coh)
    ok = _check(t_all, y_all, n_params)
    t, y = t_all[ok], y_all[ok]
    multi = n > 1 and starts > 1 and not any(f"tau{i + 1}" in (initial or {}) for i in range(n))
    spec, cands = _start(
        t, y, n, irf_fwhm=irf_fwhm, t0=t0, offset=offset, initial=initial, bounds=bounds,
        fixed=fixed, n_best=int(starts) if multi else 1,
    )  # fmt: skip
    if ci is not None and ci not in KINETICS_CI:
        raise FitError(f"ci must be None or one of {list(KINETICS_CI)}, not {ci!r}")
    proj = Projection(t, y[:, None], n, offset, coh)
    free = [name for name, v in spec.items() if v[3]]
    x0, mask, lower, upper = to_internal(spec, n)
    out = batch_fit(t, y[None, :], x0[None, :], n, offset, mask, lower, upper, coherent=coh)
    others = cands[1:] if multi and cands is not None else np.empty((0, n))
    x_on = None
    if onset is not None:
        x_on = _onset_start(t, y, n, float(onset), spec, irf_fwhm=irf_fwhm, t0=t0,
                            offset=offset, initial=initial, bounds=bounds, fixed=fixed)  # fmt: skip
    done = bool(len(others) or x_on is not None) and early_stop and _at_noise_level(y, out, mask)
    if x_on is not None and not done:
        alt = batch_fit(t, y[None, :], np.clip(x_on, lower, upper)[None, :], n, offset, mask,
                        lower, upper, coherent=coh)  # fmt: skip
        if not np.isfinite(out["rss"][0]) or alt["rss"][0] < out["rss"][0]:
            out = alt
    if len(others) and not done:
        # multi-start from the next-best grid combinations: screen every start with a few
        # iterations (vectorised: one batched fit), finish the best, keep the lower χ²
        x_starts = [x0]
        for c in others:
            x = x0.copy()
            x[:n] = np.clip(np.log(c), lower[:n], upper[:n])
            x_starts.append(x)
        k = len(x_starts)
        pre = batch_fit(t, np.tile(y, (k, 1)), np.array(x_starts), n, offset, mask, lower, upper,
                        max_iter=6, coherent=coh)  # fmt: skip
        rss = np.where(np.isfinite(pre["rss"]), pre["rss"], np.inf)
        xb = pre["x"][int(np.argmin(rss))]
        alt = batch_fit(t, y[None, :], xb[None, :], n, offset, mask, lower, upper, coherent=coh)
        if not np.isfinite(out["rss"][0]) or alt["rss"][0] < out["rss"][0]:
            out = alt
    row = 0
    best = from_internal(spec, out["x"][row], n)
    cov = out["cov"][row]
    converged, message = bool(out["converged"][row]), str(out["message"][row])
    nfev = int(out["nfev"][row])
    x_final = out["x"][row]
    if not converged or not np.all(np.isfinite(out["x"][row])):
        # polish with lmfit's trust-region solver from where Levenberg–Marquardt stopped
        lm = _lmfit_minimize(proj, to_params(best), free)
        nfev += int(lm.nfev)
        if np.sum(lm.residual**2) < out["rss"][row]:
            best = {k: [lm.params[k].value, *v[1:]] for k, v in best.items()}
            x_final = to_internal(best, n)[0]
            cov = None
            converged = bool(lm.success)
            message = f"polished by lmfit least_squares: {lm.message}"
    linear = (out["a"][row], out["phi"][row]) if cov is not None else None
    status = {"converged": converged, "message": message, "nfev": nfev}
    bounds_w = bound_warnings(x_final, lower, upper, mask, n)
    return _build_fit(
        proj, best, free, t_all, ok, da, cov, ci=ci, n_boot=n_boot, seed=seed, linear=linear,
        status=status, bounds=bounds_w,
    )  # fmt: skip


def _onset_start(
    t: np.ndarray, y: np.ndarray, n: int, onset: float, spec: Spec, **kw: Any
) -> np.ndarray | None:
    """Internal start vector for a trace cut after its rise (``fit_trace(onset=...)``): t0 at
    ``onset`` and an IRF FWHM of twice the gap to the first delay, so the model's rise spans the
    cut-off part, lifetimes from the grid search at that t0 and width; t0 or the width given
    (``initial``) or fixed keep their value. None when there is nothing to vary (``onset`` not
    before the first delay, or t0 and the width both given or fixed)."""
    given = dict(kw.pop("initial", None) or {})
    free_t0 = bool(spec["t0"][3]) and "t0" not in given
    free_w = bool(spec["irf_fwhm"][3]) and "irf_fwhm" not in given
    z = onset if free_t0 else float(spec["t0"][0])
    if not (free_t0 or free_w) or not math.isfinite(z) or not z < float(t[0]):
        return None
    if free_t0:
        given["t0"] = z
    if free_w:
        given["irf_fwhm"] = 2.0 * (float(t[0]) - z)
    return to_internal(_start(t, y, n, initial=given, **kw)[0], n)[0]


def _at_noise_level(y: np.ndarray, out: dict[str, np.ndarray], mask: np.ndarray) -> bool:
    """Early-stop rule of the multi-start: the fit from the best grid start is accepted when
    it converged, its reduced χ² is at most 1.5× a model-free noise variance (the robust,
    MAD-based spread of the second differences of the data, /6 for white noise) and its
    residual has lag-1 autocorrelation below 0.3 (no systematic misfit left)."""
    if not bool(out["converged"][0]) or not np.all(np.isfinite(out["x"][0])):
        return False
    res = y - out["phi"][0] @ out["a"][0]
    rss = float(res @ res)
    dof = res.size - int(mask.sum()) - out["a"].shape[1]
    noise2 = noise_estimate(y) ** 2
    if dof < 10 or not rss > 0 or not noise2 > 0:
        return False
    return rss / dof <= 1.5 * noise2 and float(res[1:] @ res[:-1]) / rss < 0.3


def _lmfit_minimize(proj: Projection, params: lmfit.Parameters, free: list[str]) -> Any:
    """lmfit ``least_squares`` with the analytic variable-projection Jacobian."""
    if not free:
        return lmfit.minimize(proj.residual, params, method="least_squares")
    return lmfit.minimize(
        proj.residual,
        params,
        method="least_squares",
        Dfun=lambda p, *a, **k: proj.jacobian(p, free),
        x_scale="jac",
        ftol=1e-10,
        xtol=1e-10,
        gtol=1e-10,
    )
