"""Single-trace fits: ``fit_trace`` (lmfit + variable projection) and ``fit_kinetics`` (Table 1).

Model (ps, OD): ``y(t) = Σ_i A_i exp(-(t-t0)/τ_i) ⊗ IRF + A_0 step(t-t0) ⊗ IRF``, Gaussian IRF of
FWHM ``irf_fwhm``. The amplitudes A_i and A_0 are solved linearly at every step; lmfit's
``least_squares`` moves τ_i, ``irf_fwhm`` and ``t0`` with an analytic Jacobian.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any

import lmfit
import numpy as np
import xarray as xr

from ...errors import FitError
from .. import _args
from .._status import covariance
from .._status import stderr as std_errors
from ._options import fit_options
from .bootstrap import bootstrap
from .params import Spec as Spec
from .params import _spec as _spec
from .params import _start, from_internal, to_internal, to_params
from .params import make_params as make_params
from .params import start_spec as start_spec
from .results import KineticsFit
from .trust import (
    LN_ERR_MAX,
    bound_warnings,
    kinetics_warnings,
    noise_estimate,
    relative_error,
)
from .varpro import Projection, batch_fit

_ODA = {"units": "OD"}


def _as_trace(trace: Any) -> tuple[np.ndarray, np.ndarray, xr.DataArray]:
    if isinstance(trace, xr.Dataset):
        raise FitError(
            "fit_trace takes one trace (a DataArray over 'delay'); for a dataset use "
            "fit_kinetics(ds, wavelength=...) or fit_traces(ds)"
        )
    if isinstance(trace, tuple) and len(trace) == 2:
        t, y = (np.asarray(v, dtype=float) for v in trace)
        trace = xr.DataArray(y, dims=("delay",), coords={"delay": t})
    if not isinstance(trace, xr.DataArray):
        raise FitError(
            f"fit_trace got {type(trace).__name__}; pass a DataArray over 'delay' (ps) or a "
            "(delay, values) tuple"
        )
    if 1 in trace.shape or trace.ndim == 0:
        trace = trace.squeeze(drop=True)
    if trace.ndim != 1 or "delay" not in trace.dims:
        raise FitError(
            f"the trace must be 1-D over 'delay' (got dims {trace.dims}); select one wavelength "
            "and pump level first, e.g. ds.dA.sel(wavelength=639, method='nearest').isel(pump=0)"
        )
    coord = trace.coords.variables.get("delay")  # (a Variable: cheaper than trace["delay"])
    t = np.asarray(coord.values if coord is not None else trace["delay"].values, dtype=float)
    y = np.asarray(trace.values, dtype=float)
    if t.size < 2 or np.all(np.diff(t) > 0):
        return t, y, trace
    order = np.argsort(t, kind="stable")
    return t[order], y[order], trace.isel(delay=order)


def _check(t: np.ndarray, y: np.ndarray, n_params: int) -> np.ndarray:
    ok = np.isfinite(y) & np.isfinite(t)
    if not ok.any():
        raise FitError("the trace is all NaN (or infinite): there is nothing to fit")
    if ok.sum() <= n_params:
        raise FitError(
            f"the trace has {int(ok.sum())} finite points but the model has {n_params} "
            "parameters; use fewer components (n_components), fix irf_fwhm/t0, or give more delays"
        )
    yo = y[ok]  # finite: plain (not nan-) reductions
    lo, hi = float(yo.min()), float(yo.max())
    if hi == lo or float(yo.std()) <= 1e-12 * max(abs(lo), abs(hi), 1e-300):
        raise FitError(
            "the trace is flat (constant): there is no decay to fit; check the wavelength and "
            "pump level, or that the data are not all zeros"
        )
    if len(np.unique(t[ok])) != ok.sum():
        raise FitError("the delays of the trace repeat; average or drop duplicated delays first")
    return ok


def fit_trace(
    trace: Any,
    n_components: int = 3,
    *,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    offset: bool = True,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    ci: str | None = None,
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
    offset : bool, default True
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
    >>> fit = fit_trace(trace.sel(delay=slice(2.0, None)), irf_fwhm=0.0, t0=0.0)
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
    if ci not in (None, "bootstrap"):
        raise FitError(f"ci must be None or 'bootstrap', not {ci!r}")
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


def _n_components(value: Any) -> int:
    """The number of exponentials, 1–6, or FitError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 6:
        raise FitError(f"n_components must be an integer from 1 to 6, not {value!r}")
    return int(value)


def _trace_t0(chirp: Any, da: xr.DataArray, t0: Any) -> float:
    """The fixed time zero (ps) that ``chirp`` gives this trace."""
    if not (isinstance(t0, str) and t0 == "fit"):
        raise FitError("give either chirp= or a fixed t0=, not both")
    if isinstance(chirp, xr.DataArray):
        if "wavelength" not in chirp.dims or "wavelength" not in da.coords:
            raise FitError(
                "chirp as a DataArray must be over 'wavelength' and the trace must carry a "
                "'wavelength' coordinate; or pass the trace's time zero as a number (ps)"
            )
        wl = float(np.asarray(da["wavelength"].values).mean())
        src = np.asarray(chirp["wavelength"].values, dtype=float)
        if not src.min() - 1e-9 <= wl <= src.max() + 1e-9:
            raise FitError(f"the chirp covers {src.min():g}–{src.max():g} nm, not {wl:g} nm")
        value = float(np.interp(wl, src, np.asarray(chirp.values, dtype=float)))
    else:
        try:
            value = float(chirp)
        except (TypeError, ValueError):
            raise FitError(
                f"chirp must be a time zero in ps or a DataArray over wavelength, not {chirp!r}"
            ) from None
    if not math.isfinite(value):
        raise FitError("chirp gives a NaN or infinite time zero for this trace")
    return value


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
    d = y[2:] - 2.0 * y[1:-1] + y[:-2]
    noise2 = (1.4826 * float(np.median(np.abs(d - np.median(d))))) ** 2 / 6.0
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


def _build_fit(
    proj: Projection,
    best: Spec,
    free: list[str],
    t_all: np.ndarray,
    ok: np.ndarray,
    da: xr.DataArray,
    cov: np.ndarray | None,
    *,
    ci: str | None,
    n_boot: int,
    seed: int,
    linear: tuple[np.ndarray, np.ndarray] | None = None,
    status: dict[str, Any] | None = None,
    bounds: list[str] | None = None,
) -> KineticsFit:
    n, offset = proj.n, proj.offset
    if linear is None:
        a, phi = proj.amplitudes(best)[:, 0], proj.basis(best)
    else:  # amplitudes and basis at the optimum, from the solver
        a, phi = linear
    res = proj.y[:, 0] - phi @ a
    rss = float(res @ res)
    n_pts = len(res)
    if cov is None:
        jac = proj.full_jacobian(best, free)
        cov = covariance(jac, rss, n_pts - jac.shape[1])
        err = std_errors(cov)
    else:  # internal covariance: ln τ, ln σ → relative errors
        err = std_errors(cov)
        for j, name in enumerate(free):
            if name != "t0":
                err[j] = relative_error(float(err[j]), best[name][0])
    stderr = dict.fromkeys(proj.names, math.nan)
    for name, e in zip(free, err[: len(free)], strict=True):
        stderr[name] = float(e)
    lin = err[len(free) :]
    for i in range(n):
        stderr[f"A{i + 1}"] = float(lin[i])
    stderr["offset"] = float(lin[n]) if offset else math.nan
    for i in range(n):  # no lifetime is known better than its own amplitude
        tau_i = best[f"tau{i + 1}"][0]
        loose = not math.isfinite(stderr[f"A{i + 1}"]) or stderr[f"tau{i + 1}"] > LN_ERR_MAX * tau_i
        if loose and not math.isnan(stderr[f"tau{i + 1}"]):
            stderr[f"tau{i + 1}"] = math.inf
    taus = np.array([best[f"tau{i + 1}"][0] for i in range(n)])
    order = np.argsort(taus)
    full_model = np.full(t_all.shape, np.nan)
    full_model[ok] = phi @ a
    y_all = np.asarray(da.values, dtype=float)
    fit = KineticsFit(
        taus=tuple(float(taus[i]) for i in order),
        amplitudes=tuple(float(a[i]) for i in order),
        offset=float(a[n]) if offset else 0.0,
        irf_fwhm=float(best["irf_fwhm"][0]),
        t0=float(best["t0"][0]),
        taus_stderr=tuple(stderr[f"tau{i + 1}"] for i in order),
        amplitudes_stderr=tuple(stderr[f"A{i + 1}"] for i in order),
        stderr=_renumber(stderr, order, n),
        best_fit=_over_delay(da, full_model, "fitted ΔA"),
        residual=_over_delay(da, y_all - full_model, "ΔA - fit"),
        redchi=rss / max(n_pts - len(free) - a.size, 1),
        has_offset=bool(offset),
        artifact=tuple(float(v) for v in a[n + int(offset) :]) if proj.coherent else (),
        wavelength=_scalar(da, "wavelength"),
        pump=_scalar(da, "pump"),
        pump_label=_pump_label(da),
        ci=bootstrap(proj, best, free, a, res, n_boot, seed) if ci == "bootstrap" else {},
        ci_method="bootstrap" if ci == "bootstrap" else "",
        **(status or {"converged": bool(np.isfinite(rss)), "message": "", "nfev": 0}),
    )
    tau_err = list(fit.taus_stderr)
    warn = kinetics_warnings(
        taus=list(fit.taus),
        tau_errors=tau_err,
        irf_error=stderr_map(fit, "irf_fwhm"),
        amplitudes=np.asarray(fit.amplitudes),
        peak=float(np.max(np.abs(proj.y))),
        delay_min=float(proj.t[0]),
        delay_max=float(proj.t[-1]),
        rms=math.sqrt(rss / max(n_pts, 1)),
        noise=noise_estimate(proj.y[:, 0]),
        bounds=bounds or [],
        converged=fit.converged,
        message=fit.message,
    )
    return dataclasses.replace(fit, warnings=warn)


def stderr_map(fit: KineticsFit, name: str) -> float:
    """The standard error of a parameter, 0 when it was held fixed (NaN in ``stderr``)."""
    v = fit.stderr.get(name, math.nan)
    return 0.0 if math.isnan(v) else v


def _over_delay(da: xr.DataArray, values: np.ndarray, long_name: str) -> xr.DataArray:
    """``values`` over the delay coordinate of ``da`` (OD); a shallow copy, which is cheap."""
    attrs = {**_ODA, "long_name": long_name}
    if "delay" not in da.coords:
        return xr.DataArray(values, dims=("delay",), coords={"delay": da["delay"]}, attrs=attrs)
    base = da if len(da.coords) == 1 else da.reset_coords(drop=True)
    out = base.copy(deep=False, data=values)
    out.attrs = attrs
    out.name = None
    return out


def _renumber(stderr: dict[str, float], order: np.ndarray, n: int) -> dict[str, float]:
    out = dict(stderr)
    for new, old in enumerate(order):
        out[f"tau{new + 1}"] = stderr[f"tau{old + 1}"]
        out[f"A{new + 1}"] = stderr[f"A{old + 1}"]
    return out


def _scalar(da: xr.DataArray, name: str) -> float:
    if name in da.coords and da[name].size == 1:
        try:
            return float(da[name].values)
        except (TypeError, ValueError):
            return math.nan
    return math.nan


def _pump_label(da: xr.DataArray) -> str:
    if "occupancy" in da.coords and da["occupancy"].size == 1:
        return f"⟨N⟩ ≈ {float(da['occupancy'].values):.3g}"
    if "pump" in da.coords and da["pump"].size == 1:
        unit = da["pump"].attrs.get("units", "")
        return f"{da['pump'].values.item():g} {unit}".strip()
    return ""
