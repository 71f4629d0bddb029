"""``fit_traces``: an independent multi-exponential fit at every wavelength and pump level.

All traces are fitted at once by a vectorised Levenberg–Marquardt on the variable-projection
problem (``varpro.batch_fit``), started from a global fit (shared lifetimes) of the same data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from ... import _args
from ...errors import FitError
from .._masked import full_grid, reinsert
from .._status import stderr as std_errors
from ._options import fit_options, windows
from .dispersion import _fixed_chirp
from .fit import _n_components, _spec, start_spec
from .global_fit import _matrix, fit_global
from .model import FWHM_PER_SIGMA
from .params import from_internal, to_internal
from .trust import LN_ERR_MAX, bound_warnings, kinetics_warnings, noise_estimate
from .varpro import batch_fit


def fit_traces(
    ta: Any,
    n_components: int = 3,
    *,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    offset: bool = False,
    pump: Any = None,
    delay_range: tuple[float, float] | None = None,
    wavelength_range: tuple[float, float] | None = None,
    max_iter: int = 60,
    chunk: int = 64,
    chirp: Any = None,
    coherent_artifact: bool = False,
) -> xr.Dataset:
    """Fit every (pump, wavelength) trace of ``dA`` independently; vectorised.

    Returns a Dataset over ``(pump, wavelength[, component])``: ``tau`` (ps, ascending per
    trace), ``tau_stderr``, ``amplitude`` (OD), ``amplitude_stderr``, ``fraction`` (%, offset
    excluded), ``offset`` (OD), ``offset_stderr``, ``irf_fwhm``, ``t0`` (ps) with stderr,
    ``redchi`` (OD²), ``converged`` (bool) and ``best_fit`` (OD, like ``dA``). Start values come
    from a global fit of the same data; ``irf_fwhm``/``t0`` ``"fit"`` (per trace) or fixed (ps).
    Traces are fitted in vectorised blocks of ``chunk``. ``chirp`` (t0 per wavelength, ps, as
    in :func:`fit_global`) holds each trace's time zero fixed; ``coherent_artifact`` adds the
    coherent-artefact terms. Whether to trust each fit: ``converged``, ``message``, ``nfev`` and
    ``warnings`` ('; '-separated) per trace; undetermined parameters have infinite errors.

    Parameters
    ----------
    ta : xarray.Dataset or xarray.DataArray
        A TA dataset (``dA`` in OD, ``delay`` in ps, ``wavelength`` in nm) or its ``dA``.
    n_components : int, default 3
        Exponentials per trace.
    irf_fwhm, t0 : "fit" or float, default "fit"
        The Gaussian IRF's FWHM and time zero (ps): fitted per trace, or fixed.
    offset : bool, default False
        Add a long-lived step (OD) per trace.
    pump : float or list, optional
        Pump levels to fit (nearest); all by default.
    delay_range, wavelength_range : (float, float), optional
        Fit window (ps, nm).
    max_iter : int, default 60
        Most Levenberg–Marquardt iterations per block.
    chunk : int, default 64
        Traces per vectorised block.
    chirp : xarray.DataArray or array-like, optional
        t0 (ps) per wavelength, held fixed.
    coherent_artifact : bool, default False
        Add the coherent-artefact terms at time zero.

    Returns
    -------
    xarray.Dataset
        The per-trace parameters over ``(pump, wavelength[, component])`` with their units.

    Raises
    ------
    FitError
        When an option is out of range or the data cannot carry the model.
    """
    n = _n_components(n_components)
    windows(delay_range, wavelength_range)
    with fit_options():
        max_iter = _args.integer("max_iter", max_iter, lo=1, hi=100_000)
        chunk = _args.integer("chunk", chunk, lo=1, hi=1_000_000)
    coh = bool(coherent_artifact)
    da, t, y = _matrix(ta, pump, delay_range, wavelength_range)
    full, note = full_grid(da)  # masked columns are left out, put back as NaN at the end
    if chirp is not None:
        if not (isinstance(t0, str) and t0 == "fit"):
            raise FitError("give either chirp= or a fixed t0=, not both")
        t0_wl = _fixed_chirp(chirp, da["wavelength"], FitError)
    vary_w, _ = _spec(irf_fwhm, "irf_fwhm")
    vary_t0, _ = _spec(t0, "t0")
    n_par = 2 * n + int(offset) + int(vary_w) + int(vary_t0) + 3 * int(coh)
    if len(t) <= n_par:
        raise FitError(
            f"{len(t)} delays are too few for {n_par} parameters per trace; use fewer components"
        )
    flat = np.ptp(y, axis=0) == 0
    if flat.all():
        raise FitError("every trace is flat (constant): there is no kinetics to fit")
    g = fit_global(
        ta,
        n,
        irf_fwhm=irf_fwhm,
        t0=t0,
        offset=offset,
        pump=pump,
        delay_range=delay_range,
        wavelength_range=wavelength_range,
        chirp=chirp,
        coherent_artifact=coh,
    )
    spec = start_spec(
        t,
        y[:, ~flat][:, :1],
        n,
        irf_fwhm=irf_fwhm,
        t0=t0,
        offset=offset,
        initial={
            **{f"tau{i + 1}": v for i, v in enumerate(g.taus)},
            "irf_fwhm": g.irf_fwhm,
            "t0": g.t0,
        },
    )
    x0, mask, lower, upper = to_internal(spec, n)
    x0s = np.tile(x0, (y.shape[1], 1))
    if chirp is not None:  # rows are (pump, wavelength), pump-major: t0 fixed per wavelength
        x0s[:, n + 1] = np.tile(t0_wl, da.sizes["pump"])
        mask = mask.copy()
        mask[n + 1] = False
        lower, upper = lower.copy(), upper.copy()
        lower[n + 1], upper[n + 1] = -np.inf, np.inf
    out = batch_fit(
        t, y.T, x0s, n, offset, mask, lower, upper, max_iter=max_iter, block=chunk, coherent=coh,
    )  # fmt: skip
    if chirp is not None:
        spec["t0"][3] = False
    ds = _to_dataset(da, t, y, out, spec, n, offset, flat, coh)
    if full is not None:
        ds = reinsert(ds, full)
        ds.attrs["masked"] = note
    return ds


def _to_dataset(
    da: xr.DataArray,
    t: np.ndarray,
    y: np.ndarray,
    out: dict[str, np.ndarray],
    spec: dict[str, list[Any]],
    n: int,
    offset: bool,
    flat: np.ndarray,
    coherent: bool = False,
) -> xr.Dataset:
    b = y.shape[1]
    x, a, cov = out["x"], out["a"], out["cov"]
    fidx = out["free_index"]
    err_all = std_errors(cov)  # inf where the data do not determine a parameter
    nf = fidx.size
    xerr = np.full((b, n + 2), np.nan)
    xerr[:, fidx] = err_all[:, :nf]
    aerr = err_all[:, nf:]
    taus = np.exp(x[:, :n])
    tau_err = np.where(xerr[:, :n] > LN_ERR_MAX, np.inf, taus * xerr[:, :n])
    order = np.argsort(taus, axis=1)
    taus = np.take_along_axis(taus, order, 1)
    tau_err = np.take_along_axis(tau_err, order, 1)
    amps = np.take_along_axis(a[:, :n], order, 1)
    amp_err = np.take_along_axis(aerr[:, :n], order, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = 100 * np.abs(amps) / np.sum(np.abs(amps), axis=1, keepdims=True)
    sigma = np.exp(x[:, n])
    fwhm = sigma * FWHM_PER_SIGMA
    fwhm_err = fwhm * xerr[:, n]
    if not mask_free(spec, "irf_fwhm"):
        fwhm = np.full(b, from_internal(spec, x[0], n)["irf_fwhm"][0])
    # model on the data grid
    from .model import basis

    (phi,) = basis(t, np.exp(x[:, :n]), sigma, x[:, n + 1], offset, coherent=coherent)
    model = np.einsum("btm,bm->bt", phi, a)
    dof = max(len(t) - nf - a.shape[1], 1)
    redchi = out["rss"] / dof
    for arr in (taus, tau_err, amps, amp_err, frac):
        arr[flat] = np.nan
    npump, nwl = da.sizes["pump"], da.sizes["wavelength"]

    def grid(v: np.ndarray) -> np.ndarray:  # (B, ...) -> (pump, wavelength, ...)
        return v.reshape(npump, nwl, *v.shape[1:])

    comp = np.arange(1, n + 1)
    dims2, dims3 = ("pump", "wavelength"), ("pump", "wavelength", "component")

    def var(v: np.ndarray, dims: tuple[str, ...], units: str, name: str) -> xr.DataArray:
        return xr.DataArray(grid(v), dims=dims, attrs={"units": units, "long_name": name})

    ds = xr.Dataset(
        {
            "tau": var(taus, dims3, "ps", "lifetime"),
            "tau_stderr": var(tau_err, dims3, "ps", "standard error of the lifetime"),
            "amplitude": var(amps, dims3, "OD", "amplitude"),
            "amplitude_stderr": var(amp_err, dims3, "OD", "standard error of the amplitude"),
            "fraction": var(frac, dims3, "%", "share of the exponential amplitudes"),
            "offset": var(a[:, n] if offset else np.zeros(b), dims2, "OD", "long-lived offset"),
            "offset_stderr": var(
                aerr[:, n] if offset else np.full(b, np.nan),
                dims2,
                "OD",
                "standard error of offset",
            ),
            "irf_fwhm": var(fwhm, dims2, "ps", "IRF full width at half maximum"),
            "irf_fwhm_stderr": var(fwhm_err, dims2, "ps", "standard error of the IRF FWHM"),
            "t0": var(x[:, n + 1], dims2, "ps", "time zero"),
            "t0_stderr": var(xerr[:, n + 1], dims2, "ps", "standard error of time zero"),
            "redchi": var(redchi, dims2, "OD^2", "reduced chi-square"),
            "converged": var(out["converged"], dims2, "1", "fit converged"),
            "nfev": var(out["nfev"], dims2, "1", "model evaluations"),
            "message": var(out["message"].astype(str), dims2, "", "why the solver stopped"),
            "warnings": var(
                _warnings(taus, tau_err, fwhm_err, amps, y, t, out, spec, n, mask_free),
                dims2,
                "",
                "reasons not to trust the fit ('; '-separated, empty when none)",
            ),
        },
        coords={"pump": da["pump"], "wavelength": da["wavelength"], "component": comp},
    )
    best = model.T.reshape(len(t), npump, nwl)
    ds["best_fit"] = da.copy(data=best).transpose("pump", "delay", "wavelength")
    ds["best_fit"].attrs = {"units": "OD", "long_name": "fitted ΔA"}
    ds.attrs["n_components"] = n
    ds.attrs["offset"] = int(offset)
    ds.attrs["fraction_note"] = "shares of the exponential amplitudes; the offset does not count"
    return ds


def _warnings(
    taus: np.ndarray,
    tau_err: np.ndarray,
    fwhm_err: np.ndarray,
    amps: np.ndarray,
    y: np.ndarray,
    t: np.ndarray,
    out: dict[str, np.ndarray],
    spec: dict[str, list[Any]],
    n: int,
    free: Any,
) -> np.ndarray:
    """Per-trace warnings (see :mod:`.trust`), joined with '; '."""
    _, mask, lower, upper = to_internal(spec, n)
    model = y  # (delays, traces): the data, for the peak and the noise
    rows = []
    for b in range(y.shape[1]):
        if not np.all(np.isfinite(taus[b])):
            rows.append("")
            continue
        rms = math.sqrt(float(out["rss"][b]) / max(len(t), 1))
        w = kinetics_warnings(
            taus=list(taus[b]),
            tau_errors=list(tau_err[b]),
            irf_error=float(fwhm_err[b]) if free(spec, "irf_fwhm") else 0.0,
            amplitudes=amps[b],
            peak=float(np.max(np.abs(model[:, b]))),
            delay_min=float(t[0]),
            delay_max=float(t[-1]),
            rms=rms,
            noise=noise_estimate(model[:, b]),
            bounds=bound_warnings(out["x"][b], lower, upper, mask, n),
            converged=bool(out["converged"][b]),
            message=str(out["message"][b]),
        )
        rows.append("; ".join(w))
    return np.array(rows, dtype=object).astype(str)


def mask_free(spec: dict[str, list[Any]], name: str) -> bool:
    return bool(spec[name][3])
