"""Global analysis: lifetimes shared by every wavelength (and pump level); DAS / EAS; SVD.

The data matrix Y (delays × columns) enters the variable-projection residual only through
``C = Y Yᵀ``; when there are more columns than delays the fit runs on ``L`` with ``L Lᵀ = C``
(n_t × n_t) — the same residual norm and Jacobian inner products, exactly — so a 400 × 1024 fit
costs what a 400 × 400 one does. The spectra are then solved on the full data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import scipy.linalg
import xarray as xr

from ...data.contract import validate
from ...errors import FitError
from .fit import _lmfit_minimize, from_internal, start_spec, to_internal, to_params
from .results import GlobalFit, SVDResult
from .varpro import Projection, _qr_solve, batch_fit


def _matrix(
    ta: Any, pump: Any, delay_range: Any, wavelength_range: Any
) -> tuple[xr.DataArray, np.ndarray, np.ndarray]:
    """dA as (delay, pump, wavelength), its delays (ps) and the (delay × columns) matrix."""
    if isinstance(ta, xr.DataArray):
        ta = ta.to_dataset(name="dA")
    ds = validate(ta, "ta")
    da = ds["dA"]
    if pump is not None:
        da = da.sel(pump=[pump] if np.isscalar(pump) else pump, method="nearest")
    if delay_range is not None:
        da = da.sel(delay=slice(*delay_range))
    if wavelength_range is not None:
        da = da.sel(wavelength=slice(*wavelength_range))
    da = da.transpose("delay", "pump", "wavelength")
    if da.sizes["delay"] < 3 or da.sizes["wavelength"] < 1:
        raise FitError(
            f"after selection the data hold {da.sizes['delay']} delays × "
            f"{da.sizes['wavelength']} wavelengths; widen delay_range/wavelength_range"
        )
    t = np.asarray(da["delay"].values, dtype=float)
    y = np.asarray(da.values, dtype=float).reshape(len(t), -1)
    return da, t, y


def _dechirp(da: xr.DataArray, chirp: Any) -> xr.DataArray:
    """Shift each wavelength's trace by its time zero (ps) by linear interpolation."""
    if chirp is None:
        return da
    if isinstance(chirp, str):
        raise FitError(
            "chirp must be None, or time zero (ps) per wavelength as an array or a DataArray over "
            "wavelength (e.g. ds['chirp'])"
        )
    wl = da["wavelength"]
    if isinstance(chirp, xr.DataArray):
        c = np.asarray(chirp.interp(wavelength=wl, kwargs={"fill_value": "extrapolate"}).values)
    else:
        c = np.asarray(chirp, dtype=float)
        if c.ndim == 0:
            c = np.full(wl.size, float(c))
        if c.shape != (wl.size,):
            raise FitError(
                f"chirp has {c.size} values but the data have {wl.size} wavelengths; give one "
                "time zero (ps) per wavelength"
            )
    t = np.asarray(da["delay"].values, dtype=float)
    vals = np.asarray(da.values, dtype=float).copy()
    for j, shift in enumerate(c):
        for p in range(vals.shape[1]):
            vals[:, p, j] = np.interp(t + shift, t, vals[:, p, j])
    return da.copy(data=vals)


def _root(y: np.ndarray) -> np.ndarray:
    """A matrix L with L Lᵀ = Y Yᵀ and at most n_t columns."""
    if y.shape[1] <= y.shape[0]:
        return y
    c = y @ y.T
    try:
        return scipy.linalg.cholesky(c, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(c)
        return v * np.sqrt(np.clip(w, 0, None))


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


def fit_global(
    ta: Any,
    n_components: int = 3,
    *,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    chirp: Any = None,
    model: str = "parallel",
    offset: bool = False,
    pump: Any = None,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    delay_range: tuple[float, float] | None = None,
    wavelength_range: tuple[float, float] | None = None,
) -> GlobalFit:
    """Global fit: ``n_components`` lifetimes (ps) shared by every wavelength and pump level.

    ``model="parallel"`` gives decay-associated spectra (DAS); ``"sequential"`` the evolution-
    associated spectra (EAS) of 1 → 2 → … (fast → slow; same fit, transformed spectra).
    ``offset`` adds a non-decaying component. ``chirp``: time zero (ps) per wavelength (array or
    DataArray over wavelength), removed by interpolation before fitting. ``pump`` selects levels
    (nearest); all levels are fitted jointly by default. ``irf_fwhm``/``t0``: ``"fit"`` or fixed
    (ps); ``initial``/``bounds``/``fixed`` as in ``fit_trace``.
    """
    if model not in ("parallel", "sequential"):
        raise FitError(f"model must be 'parallel' or 'sequential', not {model!r}")
    n = int(n_components)
    if not 1 <= n <= 6:
        raise FitError(f"n_components must be between 1 and 6, got {n_components}")
    da, t, y = _matrix(ta, pump, delay_range, wavelength_range)
    da = _dechirp(da, chirp)
    y = np.asarray(da.values, dtype=float).reshape(len(t), -1)
    if np.ptp(y) == 0:
        raise FitError("ΔA is constant: there is no kinetics to fit")
    n_free = n + int(irf_fwhm == "fit") + int(t0 == "fit")
    if len(t) <= n_free + n + int(offset):
        raise FitError(
            f"{len(t)} delays are too few for {n} components; use fewer components or more delays"
        )
    lroot = _root(y)
    spec = start_spec(
        t,
        lroot,
        n,
        irf_fwhm=irf_fwhm,
        t0=t0,
        offset=offset,
        initial=initial,
        bounds=bounds,
        fixed=fixed,
        rise=y[:, int(np.argmax(np.max(np.abs(y), axis=0)))],
    )
    free = [k for k, v in spec.items() if v[3]]
    proj = Projection(t, lroot, n, offset)
    x0, mask, lower, upper = to_internal(spec, n)
    m = n + int(offset)
    dof = max(y.size - len(free) - m * y.shape[1], 1)
    out = batch_fit(t, lroot[None], x0[None], n, offset, mask, lower, upper, dof=dof)
    best = from_internal(spec, out["x"][0], n)
    taus = np.array([best[f"tau{i + 1}"][0] for i in range(n)])
    order = np.argsort(taus)
    # spectra on the full data
    phi = proj.basis(best)
    _, amp, res = _qr_solve(phi, y)
    rss = float(np.sum(res * res))
    err = np.sqrt(np.clip(np.diag(out["cov"][0]), 0, None))
    stderr = dict.fromkeys(proj.names, math.nan)
    for name, e in zip(free, err, strict=True):
        stderr[name] = float(e) * (1.0 if name == "t0" else abs(best[name][0]))
    rows = [amp[i] for i in order] + ([amp[n]] if offset else [])
    spectra = np.stack(rows)
    labels = [f"tau{i + 1}" for i in range(n)] + (["offset"] if offset else [])
    if model == "sequential":
        spectra = np.linalg.solve(sequential_matrix(taus[order], offset), spectra)
    npump, nwl = da.sizes["pump"], da.sizes["wavelength"]
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
    if npump == 1:
        das = das.isel(pump=0)
    fitted = (phi @ amp).reshape(da.shape)
    best_fit = da.copy(data=fitted).transpose("pump", "delay", "wavelength")
    best_fit.attrs = {"units": "OD", "long_name": "fitted ΔA"}
    residual = (da - da.copy(data=fitted)).transpose("pump", "delay", "wavelength")
    residual.attrs = {"units": "OD", "long_name": "ΔA - fit"}
    std = {f"tau{j + 1}": stderr[f"tau{i + 1}"] for j, i in enumerate(order)}
    std["irf_fwhm"] = stderr["irf_fwhm"]
    std["t0"] = stderr["t0"]
    fit = GlobalFit(
        taus=tuple(float(v) for v in taus[order]),
        taus_stderr=tuple(std[f"tau{j + 1}"] for j in range(n)),
        das=das,
        irf_fwhm=float(best["irf_fwhm"][0]),
        t0=float(best["t0"][0]),
        stderr=std,
        best_fit=best_fit,
        residual=residual,
        redchi=rss / dof,
        model=model,
        offset=bool(offset),
    )
    object.__setattr__(fit, "_lmfit_factory", lambda: _lmfit_minimize(proj, to_params(best), free))
    return fit


def svd(ta: Any, *, pump: Any = None, n: int = 10) -> SVDResult:
    """Singular values and vectors of ΔA (delay × wavelength; pump levels side by side).

    ``noise_level`` = σ (√n_t + √n_cols), the largest singular value pure noise of standard
    deviation σ would give (σ from point-to-point differences over the last third of the delays,
    median over wavelengths);
    ``n_significant`` counts the singular values above it.
    """
    da, _t, y = _matrix(ta, pump, None, None)
    u, s, vt = np.linalg.svd(y, full_matrices=False)
    k = min(n, len(s))
    vals = np.asarray(da.values, dtype=float)  # (delay, pump, wavelength)
    late = vals[-max(3, vals.shape[0] // 3) :]
    d1 = np.diff(late, axis=0) / math.sqrt(2.0)  # slow signal at late delays: mostly noise
    sigma = float(np.median(np.std(d1, axis=0))) if d1.size else 0.0
    level = sigma * (math.sqrt(y.shape[0]) + math.sqrt(y.shape[1]))
    comp = np.arange(1, k + 1)
    spectra = vt[:k].reshape(k, da.sizes["pump"], da.sizes["wavelength"])
    spec_da = xr.DataArray(
        spectra,
        dims=("component", "pump", "wavelength"),
        coords={"component": comp, "pump": da["pump"], "wavelength": da["wavelength"]},
        attrs={"units": "1", "long_name": "right singular vector"},
    )
    if da.sizes["pump"] == 1:
        spec_da = spec_da.isel(pump=0)
    return SVDResult(
        singular_values=xr.DataArray(
            s[:k],
            dims=("component",),
            coords={"component": comp},
            attrs={"units": "OD", "long_name": "singular value"},
        ),
        kinetics=xr.DataArray(
            u[:, :k],
            dims=("delay", "component"),
            coords={"delay": da["delay"], "component": comp},
            attrs={"units": "1", "long_name": "left singular vector"},
        ),
        spectra=spec_da,
        noise_level=level,
        n_significant=int(np.sum(s > level)),
    )
