"""Time zero moved per wavelength and back (:func:`qdwidgets.core.chirp.correct` and
:func:`~qdwidgets.core.chirp.uncorrect`), keeping every measured delay."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..data._marker import is_lazy
from ..data.contract import validate
from ..errors import DatasetError

CORRECTED = "qd_chirp_corrected"
"""attrs key: 1 when the dataset's chirp is corrected (time zero at 0 ps at every wavelength)."""


def _history(ds: xr.Dataset, line: str) -> None:
    old = str(ds.attrs.get("qd_history", ""))
    ds.attrs["qd_history"] = (old + "\n" if old else "") + line


def _t0_on_grid(ds: xr.Dataset, chirp: Any) -> np.ndarray:
    wl = ds["wavelength"].values
    if isinstance(chirp, xr.DataArray) and "wavelength" in chirp.dims:
        src = np.asarray(chirp["wavelength"].values, dtype=float)
        vals = np.asarray(chirp.values, dtype=float)
        t0 = vals if np.array_equal(src, wl) else np.interp(wl, src, vals)
    else:
        t0 = np.asarray(chirp, dtype=float).ravel()
        if t0.size == 1:
            t0 = np.full(wl.size, float(t0[0]))
    if t0.shape != wl.shape or not np.all(np.isfinite(t0)):
        raise DatasetError(
            f"chirp: need one finite t0 (ps) per wavelength ({wl.size}), got shape {t0.shape}. "
            "Fix: pass the DataArray returned by qdwidgets.core.chirp.estimate(ta)"
        )
    return t0


def _column_interp(t: np.ndarray, x: np.ndarray, tq: np.ndarray, *, reach: float) -> np.ndarray:
    """Linear interpolation per column: ``x`` (pump, delay, wavelength) on delays ``t`` (NaN
    allowed at a column's ends), sampled at ``tq`` (new delays, wavelength). A query outside
    a column's finite values is NaN, except within ``reach`` ps of them, where the column is
    extended linearly from its two outermost values."""
    n_p, _, n_wl = x.shape
    out = np.full((n_p, tq.shape[0], n_wl), np.nan)
    for p in range(n_p):
        for j in range(n_wl):
            ok = np.isfinite(x[p, :, j])
            if ok.sum() < 2:
                continue
            tc, xc, q = t[ok], x[p, ok, j], tq[:, j]
            inside = (q >= tc[0] - reach - 1e-12) & (q <= tc[-1] + reach + 1e-12)
            i = np.clip(np.searchsorted(tc, q[inside], side="right") - 1, 0, tc.size - 2)
            frac = (q[inside] - tc[i]) / (tc[i + 1] - tc[i])
            out[p, inside, j] = xc[i] + (xc[i + 1] - xc[i]) * frac
    return out


def _corrected_delays(t: np.ndarray, t0: np.ndarray) -> np.ndarray:
    """The delay axis after the correction: the measured delays minus the earliest t0, and
    before them the earliest measured delays minus the latest t0, so that every wavelength's
    measured span [t_first − t0(λ), t_last − t0(λ)] lies on the axis."""
    lo, hi = float(t0.min()), float(t0.max())
    head = t[t < t[0] + (hi - lo) - 1e-12] - hi
    return np.concatenate([head, t - lo])


def _apply(ds: xr.Dataset, t0: np.ndarray, sign: float, delays: np.ndarray) -> xr.Dataset:
    """Every variable over delay and wavelength (``dA``, a standard error, …) sampled on
    ``delays`` at ``delays + sign·t0(λ)`` of the lab-frame axis (sign +1: correct) or of the
    corrected axis (sign −1: undo, extended by up to one step at a column's ends)."""
    t = ds["delay"].values.astype(float)
    tq = delays[:, None] + sign * t0[None, :]
    reach = 0.0 if sign > 0 else float(np.max(np.diff(t)))
    shifted = [v for v in ds.data_vars if {"delay", "wavelength"} <= set(ds[v].dims)]
    dropped = [v for v in ds.data_vars if "delay" in ds[v].dims and v not in shifted]
    out: xr.Dataset = ds.drop_vars(dropped).drop_dims("delay")
    out = out.assign_coords(delay=("delay", delays, dict(ds["delay"].attrs)))
    for name in shifted:
        var = ds[name]
        dims = ("pump", "delay", "wavelength") if "pump" in var.dims else ("delay", "wavelength")
        x = var.transpose(*dims).values.astype(float)
        x3 = x if x.ndim == 3 else x[None]
        new = _column_interp(t, x3, tq, reach=reach)
        out[name] = (dims, new if x.ndim == 3 else new[0], dict(var.attrs))
        out[name] = out[name].transpose(*var.dims)
    return out


MEASURED_DELAYS = "qd_chirp_delays"
"""attrs key: the lab-frame delays (ps) of a chirp-corrected dataset, for :func:`uncorrect`."""


def correct(ta: xr.Dataset, chirp: Any) -> xr.Dataset:
    """ΔA with time zero moved to 0 ps at every wavelength: dA'(t, λ) = dA(t + t0(λ), λ).

    Every measured delay is kept. The new delay axis is the measured one minus the earliest
    t0, extended before by the earliest measured delays minus the latest t0, so that each
    wavelength's measured span [t_first − t0(λ), t_last − t0(λ)] lies on it. A wavelength has
    values (linear interpolation between its measured delays) wherever it was measured and NaN
    only where it was not: at the start of the axis for early time zeros, at its end for late
    ones. The dataset contract accepts such edge NaN in a chirp-corrected dataset, and the
    analyses use each wavelength where it has data. Every variable over delay and wavelength
    (``dA``, a standard error) is shifted alike.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD, ``delay`` in ps, ``wavelength`` in nm), not yet corrected.
    chirp : xarray.DataArray, array-like or float
        t0 (ps) per wavelength (DataArray from :func:`estimate`, array), or one t0 for all.

    Returns
    -------
    xarray.Dataset
        A new dataset, time zero at 0 ps at every wavelength, with the variable ``chirp`` (t0
        in ps per wavelength), attrs ``qd_chirp_corrected = 1`` and the measured delays in
        attrs ``qd_chirp_delays`` (for :func:`uncorrect`). The input is not modified.

    Raises
    ------
    DatasetError
        When the dataset is already corrected, or the chirp is not one finite t0 per
        wavelength, or shifts the data by more than the delay range (fs given as ps?).

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core import chirp
    >>> ta = qdwidgets.examples.ta()
    >>> corrected = chirp.correct(ta, chirp.estimate(ta))
    >>> corrected.attrs["qd_chirp_corrected"], "qd_chirp_corrected" in ta.attrs
    (1, False)
    >>> corrected.sizes["delay"] >= ta.sizes["delay"]  # nothing dropped
    True
    """
    ds = validate(ta, "ta")
    if int(ds.attrs.get(CORRECTED, 0)):
        raise DatasetError(
            "dataset: the chirp is already corrected (attrs['qd_chirp_corrected'] = 1). Fix: "
            "uncorrect(ta) first, or skip the correction"
        )
    if is_lazy(ds["dA"].data):
        ds = ds.compute()
    t0 = _t0_on_grid(ds, chirp)
    t = ds["delay"].values.astype(float)
    if t0.min() < t[0] or t0.max() > t[-1] or float(np.ptp(t0)) >= float(t[-1] - t[0]):
        raise DatasetError(
            f"chirp: t0 runs {t0.min():g}…{t0.max():g} ps, not inside the measured delays "
            f"({t[0]:g}…{t[-1]:g} ps). Fix: check the chirp (ps, not fs?)"
        )
    out = _apply(ds, t0, +1.0, _corrected_delays(t, t0))
    attrs = dict(chirp.attrs) if isinstance(chirp, xr.DataArray) else {}
    attrs = {  # what netCDF can store
        k: v
        for k, v in attrs.items()
        if isinstance(v, (int, float, str))
        or (isinstance(v, list) and v and all(isinstance(e, (int, float)) for e in v))
    }
    attrs.update(units="ps", long_name="time zero per wavelength (chirp)")
    out["chirp"] = (("wavelength",), t0, attrs)
    out.attrs[CORRECTED] = 1
    out.attrs[MEASURED_DELAYS] = [float(v) for v in t]
    _history(out, f"chirp: time zero per wavelength removed ({t0.min():.4g}…{t0.max():.4g} ps)")
    return validate(out, "ta")


def uncorrect(ta: xr.Dataset) -> xr.Dataset:
    """Undo :func:`correct` with the stored ``chirp``: dA(t, λ) = dA'(t − t0(λ), λ).

    The data come back on the measured delays (stored by :func:`correct`), to within the
    linear-interpolation error (exact where ΔA is linear in delay); at a wavelength's first
    and last measured delay the corrected values are extended linearly by at most one step.

    Parameters
    ----------
    ta : xarray.Dataset
        A dataset returned by :func:`correct` (it stores ``chirp``, t0 in ps per wavelength).

    Returns
    -------
    xarray.Dataset
        A new dataset on the lab-frame delays (ps), without NaN where the original had none.

    Raises
    ------
    DatasetError
        When the dataset holds no chirp correction to undo.
    """
    ds = validate(ta, "ta")
    if not int(ds.attrs.get(CORRECTED, 0)) or "chirp" not in ds.data_vars:
        raise DatasetError(
            "dataset: no chirp correction to undo (needs attrs['qd_chirp_corrected'] = 1 and a "
            "'chirp' variable, as written by qdwidgets.core.chirp.correct)"
        )
    t0 = ds["chirp"].values.astype(float)
    measured = ds.attrs.get(MEASURED_DELAYS)
    if measured is None:  # corrected by qdwidgets 0.1, which kept only the common delays
        delays = ds["delay"].values.astype(float)
    else:
        delays = np.asarray(measured, dtype=float).ravel()
    out = _apply(ds, t0, -1.0, delays)
    out.attrs[CORRECTED] = 0
    out.attrs.pop(MEASURED_DELAYS, None)
    _history(out, "chirp: put back (uncorrect)")
    return validate(out, "ta")
