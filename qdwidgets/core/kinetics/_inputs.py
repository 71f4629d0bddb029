"""What ``fit_trace`` accepts: the trace, its checks, the component count and a fixed chirp."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from ...errors import FitError


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
    ok: np.ndarray = np.isfinite(y) & np.isfinite(t)
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


MAX_COMPONENTS = 6
"""The most exponential components of a kinetics fit (``n_components``), in every fit and in the
KineticsFitter's control."""


def _n_components(value: Any) -> int:
    """The number of exponentials, 1 to :data:`MAX_COMPONENTS`, or FitError."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not 1 <= value <= MAX_COMPONENTS
    ):
        raise FitError(
            f"n_components must be an integer from 1 to {MAX_COMPONENTS}, not {value!r}. "
            "Fix: use fewer components"
        )
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
