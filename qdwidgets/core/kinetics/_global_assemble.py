"""The :class:`GlobalFit` of a finished global fit: spectra (DAS/EAS), errors, warnings."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from .. import _status
from . import model as M
from .results import GlobalFit
from .trust import bound_warnings, kinetics_warnings, noise_estimate, relative_error


def sequential_matrix(taus: np.ndarray, offset: bool) -> np.ndarray:
    """B with DAS = B · EAS for an unbranched sequential scheme 1 → 2 → … (fast → slow)."""
    k = list(1.0 / np.asarray(taus, dtype=float))
    if offset:
        k.append(0.0)
    m = len(k)
    b = np.zeros((m, m))
    for j in range(m):
        num = float(np.prod(k[:j]))
        for i in range(j + 1):
            den = np.prod([k[lv] - k[i] for lv in range(j + 1) if lv != i])
            b[i, j] = num / den
    return b


def _assemble(
    da: xr.DataArray,
    t: np.ndarray,
    y: np.ndarray,
    n: int,
    core: dict[str, Any],
    *,
    model: str,
    offset: bool,
    coherent: bool,
) -> GlobalFit:
    """The GlobalFit: spectra, best fit and residual on the measured grid, errors, warnings."""
    x, cov = core["x"], core["cov"]
    taus = np.exp(x[:n])
    order = np.argsort(taus)
    err_int = _status.stderr(cov)
    names = [f"tau{i + 1}" for i in range(n)] + ["irf_fwhm"]
    stderr = dict.fromkeys([*names, "t0"], math.nan)
    fidx = np.flatnonzero(core["mask"])
    for j, k in enumerate(fidx):
        if k < n + 1:  # relative errors of ln τ, ln σ
            value = taus[k] if k < n else math.exp(x[n]) * M.FWHM_PER_SIGMA
            stderr[names[k]] = relative_error(float(err_int[j]), value)
        elif core["chirp"] is None:
            stderr["t0"] = float(err_int[j])
    amp = core["amp"]  # (m, columns)
    npump, nwl = da.sizes["pump"], da.sizes["wavelength"]
    m_dec = n + int(offset)
    rows = [amp[i] for i in order] + ([amp[n]] if offset else [])
    spectra = np.stack(rows)
    labels = [f"tau{i + 1}" for i in range(n)] + (["offset"] if offset else [])
    if model == "sequential":
        spectra = np.linalg.solve(sequential_matrix(taus[order], offset), spectra)
    kind = "EAS" if model == "sequential" else "DAS"
    das = xr.DataArray(
        spectra.reshape(len(rows), npump, nwl),
        dims=("component", "pump", "wavelength"),
        coords={
            "component": labels,
            "tau": ("component", [*taus[order].tolist(), *([math.inf] if offset else [])]),
            "pump": da["pump"],
            "wavelength": da["wavelength"],
        },
        attrs={"units": "OD", "long_name": f"{kind} (amplitude per component)"},
    )
    das["tau"].attrs.update(units="ps", long_name="lifetime")
    artifact = None
    if coherent:
        artifact = xr.DataArray(
            amp[m_dec : m_dec + 3].reshape(3, npump, nwl),
            dims=("term", "pump", "wavelength"),
            coords={"term": ["irf", "d1", "d2"], "pump": da["pump"],
                    "wavelength": da["wavelength"]},
            attrs={"units": "OD", "long_name": "coherent artefact amplitude"},
        )  # fmt: skip
    if npump == 1:
        das = das.isel(pump=0)
        artifact = None if artifact is None else artifact.isel(pump=0)
    fitted = core["fitted"].reshape(da.shape)
    best_fit = da.copy(data=fitted).transpose("pump", "delay", "wavelength")
    best_fit.attrs = {"units": "OD", "long_name": "fitted ΔA"}
    resid = y.reshape(da.shape) - fitted
    residual = da.copy(data=resid).transpose("pump", "delay", "wavelength")
    residual.attrs = {"units": "OD", "long_name": "ΔA - fit"}
    rss = float(np.nansum(resid * resid))  # NaN where a wavelength has no measurement
    std = {f"tau{j + 1}": stderr[f"tau{i + 1}"] for j, i in enumerate(order)}
    std["irf_fwhm"] = stderr["irf_fwhm"]
    std["t0"] = stderr["t0"]
    chirp = core["chirp"]
    if chirp is not None:
        std.update(core["chirp_stderr_by_name"])
        std["t0"] = float(core["t0_stderr"])
    tau_sorted = taus[order]
    warnings = _fit_warnings(t, y, tau_sorted, std, amp[:m_dec], core, n, core["fitted"])
    return GlobalFit(
        taus=tuple(float(v) for v in tau_sorted),
        taus_stderr=tuple(std[f"tau{j + 1}"] for j in range(n)),
        das=das,
        irf_fwhm=math.exp(x[n]) * M.FWHM_PER_SIGMA,
        t0=float(core["t0"]) if "t0" in core else float(x[n + 1]),
        stderr=std,
        best_fit=best_fit,
        residual=residual,
        redchi=rss / core["dof"],
        model=model,
        offset=bool(offset),
        chirp=chirp,
        artifact=artifact,
        converged=bool(core["converged"]),
        message=str(core["message"]),
        nfev=int(core["nfev"]),
        warnings=warnings,
    )


def _fit_warnings(
    t: np.ndarray,
    y: np.ndarray,
    taus: np.ndarray,
    std: dict[str, float],
    amps: np.ndarray,
    core: dict[str, Any],
    n: int,
    fitted: np.ndarray,
) -> tuple[str, ...]:
    """The reasons not to trust a global fit (see :mod:`.trust`)."""
    resid = y - fitted
    return kinetics_warnings(
        taus=list(taus),
        tau_errors=[std[f"tau{j + 1}"] for j in range(n)],
        irf_error=std["irf_fwhm"] if core["mask"][n] else 0.0,
        amplitudes=amps[:n],
        peak=float(np.nanmax(np.abs(y))),
        delay_min=float(t[0]),
        delay_max=float(t[-1]),
        rms=float(np.sqrt(np.nanmean(resid * resid))),
        noise=noise_estimate(y),
        bounds=bound_warnings(core["x"], core["lower"], core["upper"], core["mask"], n),
        converged=bool(core["converged"]),
        message=str(core["message"]),
    )
