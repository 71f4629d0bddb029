"""The :class:`KineticsFit` of a finished single-trace fit: errors, shares, warnings."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import xarray as xr

from .._status import covariance
from .._status import stderr as std_errors
from .bootstrap import bootstrap
from .params import Spec
from .results import KineticsFit
from .trust import LN_ERR_MAX, kinetics_warnings, noise_estimate, relative_error
from .varpro import Projection

_ODA = {"units": "OD"}


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
    out: xr.DataArray = base.copy(deep=False, data=values)
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
