"""Crop, mask, bin, shift time zero, correct the chirp and interpolate bad points.

Each function takes a TA dataset (``dA`` in OD, delays in ps, wavelengths in nm), returns a new
validated dataset with the step recorded in ``attrs["qd_pipeline"]``, and never modifies its
input. Lazy (dask) data stay lazy except in :func:`correct_chirp`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ... import _args
from ...data._marker import is_lazy
from ...data.contract import validate
from ...errors import DatasetError
from .._masked import masked_columns, ranges_text
from ._record import finish


def _range(values: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    keep = np.ones(values.size, dtype=bool)
    if lo is not None:
        keep &= values >= lo
    if hi is not None:
        keep &= values <= hi
    return keep


def _pair(value: Any) -> list[float | None] | None:
    return None if value is None else [None if v is None else float(v) for v in value]


def crop(
    ds: xr.Dataset,
    delay: tuple[float | None, float | None] | None = None,
    wavelength: tuple[float | None, float | None] | None = None,
) -> xr.Dataset:
    """The data within ``delay`` (ps) and ``wavelength`` (nm), both ends included.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset.
    delay, wavelength : (low, high), optional
        The ranges kept; ``None`` for an open end or to keep the whole axis.

    Returns
    -------
    xarray.Dataset
        The cropped dataset.

    Raises
    ------
    ArgumentError
        For a malformed range; DatasetError when fewer than 2 delays or no wavelength remain.
    """
    d = None if delay is None else _args.interval("delay", delay, unit="ps")
    w = None if wavelength is None else _args.interval("wavelength", wavelength, unit="nm")
    ta = validate(ds, "ta")
    t, wl = ta["delay"].values, ta["wavelength"].values
    keep_t = _range(t, *d) if d else np.ones(t.size, dtype=bool)
    keep_w = _range(wl, *w) if w else np.ones(wl.size, dtype=bool)
    if keep_t.sum() < 2 or keep_w.sum() < 1:
        raise DatasetError(
            f"crop: delay={delay}, wavelength={wavelength} leaves {int(keep_t.sum())} delay(s) "
            f"× {int(keep_w.sum())} wavelength(s); the data run {t[0]:g}…{t[-1]:g} ps and "
            f"{wl[0]:g}…{wl[-1]:g} nm. Fix: choose ranges inside the data"
        )
    out = ta.isel(delay=np.flatnonzero(keep_t), wavelength=np.flatnonzero(keep_w))
    args = {"delay": _pair(d), "wavelength": _pair(w)}
    line = f"cropped to {int(keep_t.sum())} delays × {int(keep_w.sum())} wavelengths"
    return finish(out, "crop", args, line)


def _ranges(name: str, value: Any) -> list[tuple[float | None, float | None]]:
    if value is None:
        raise _args.ArgumentError(f"{name} must be a list of (low, high) ranges in nm, not None")
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(items) == 2 and all(v is None or np.isscalar(v) for v in items):
        items = [tuple(items)]  # one range given as a pair
    if not items:
        raise _args.ArgumentError(f"{name} must hold at least one (low, high) range")
    return [_args.interval(name, r, unit="nm") for r in items]


def mask(ds: xr.Dataset, wavelength: Any) -> xr.Dataset:
    """ΔA set to NaN over the wavelength ranges (nm), e.g. the pump scatter.

    Masked columns are accepted by the dataset contract (``attrs["qd_masked"]`` lists them) and
    ignored by the analyses, whose results name the masked range.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset.
    wavelength : list of (low, high)
        The ranges (nm) masked, ends included; one pair is accepted as one range.

    Returns
    -------
    xarray.Dataset
        The dataset with NaN in the masked columns of ``dA`` (and ``dA_stderr``).

    Raises
    ------
    ArgumentError
        For malformed ranges; DatasetError when a range holds no wavelength or the mask would
        cover every wavelength.
    """
    ranges = _ranges("wavelength", wavelength)
    ta = validate(ds, "ta")
    wl = ta["wavelength"].values
    hide = np.zeros(wl.size, dtype=bool)
    for lo, hi in ranges:
        inside = _range(wl, lo, hi)
        if not inside.any():
            raise DatasetError(
                f"mask: the range ({lo}, {hi}) nm holds no wavelength of the data "
                f"({wl[0]:g}…{wl[-1]:g} nm). Fix: choose a range inside the data"
            )
        hide |= inside
    if (hide | masked_columns(ta)).all():
        raise DatasetError(
            "mask: the ranges cover every wavelength; nothing would be left. Fix: mask a "
            "narrower range, or crop instead"
        )
    keep = xr.DataArray(~hide, dims="wavelength", coords={"wavelength": ta["wavelength"]})
    out = ta.copy()
    for name in ("dA", "dA_stderr"):
        if name in out.data_vars:
            out[name] = ta[name].where(keep).astype(ta[name].dtype)
            out[name].attrs = dict(ta[name].attrs)
    if is_lazy(ta["dA"].data):  # validation cannot see lazy NaN columns: say which they are
        out.attrs["qd_masked"] = ",".join(repr(float(w)) for w in wl[hide | masked_columns(ta)])
    args = {"wavelength": [list(r) for r in ranges]}
    return finish(out, "mask", args, f"masked {ranges_text(wl, hide)}")


def bin_wavelength(ds: xr.Dataset, width_nm: float) -> xr.Dataset:
    """Mean over wavelength bins ``width_nm`` wide (from the first wavelength): less noise.

    Every variable along ``wavelength`` is averaged (``dA_stderr`` combined as the standard
    error of a mean); the new wavelength of a bin is the mean of its wavelengths. Masked columns
    are left out of the means; a bin with only masked columns stays masked.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset.
    width_nm : float
        Bin width (nm), > 0.

    Returns
    -------
    xarray.Dataset
        The binned dataset.
    """
    width = _args.positive("width_nm", width_nm, unit="nm")
    ta = validate(ds, "ta")
    wl = ta["wavelength"].values
    label = np.floor((wl - wl[0]) / width + 1e-9).astype(int)
    groups = xr.DataArray(label, dims="wavelength", name="wavelength_bin")
    centres = ta["wavelength"].groupby(groups).mean().values
    pieces = {}
    with np.errstate(all="ignore"):
        for name, var in ta.data_vars.items():
            if "wavelength" not in var.dims:
                continue
            g = var.groupby(groups)
            if name == "dA_stderr":
                n = var.notnull().groupby(groups).sum()
                binned = np.sqrt((var**2).groupby(groups).sum()) / n
            else:
                binned = g.mean(skipna=True)
            pieces[name] = binned.rename(wavelength_bin="wavelength").astype(var.dtype)
    out = ta.drop_dims("wavelength")
    coord = ("wavelength", centres, dict(ta["wavelength"].attrs))
    out = out.assign_coords(wavelength=coord)
    for name, binned in pieces.items():
        binned = binned.assign_coords(wavelength=coord)
        binned.attrs = dict(ta[name].attrs)
        out[name] = binned.transpose(*ta[name].dims)
    if is_lazy(ta["dA"].data):  # masked bins (all members masked), as validation cannot see
        gone = xr.DataArray(masked_columns(ta), dims="wavelength").groupby(groups).all().values
        out.attrs["qd_masked"] = ",".join(repr(float(w)) for w in centres[gone])
    line = f"binned {wl.size} wavelengths into {centres.size} bins of {width:g} nm"
    return finish(out, "bin_wavelength", {"width_nm": width}, line)


def shift_time_zero(ds: xr.Dataset, t0: float) -> xr.Dataset:
    """Delays relabelled so that ``t0`` (ps) becomes 0 ps: delay → delay − t0.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset.
    t0 : float
        The delay (ps) that becomes time zero.

    Returns
    -------
    xarray.Dataset
        The dataset on the shifted delay axis.
    """
    t0 = _args.number("t0", t0, unit="ps")
    ta = validate(ds, "ta")
    coord = ("delay", ta["delay"].values - t0, dict(ta["delay"].attrs))
    out = ta.assign_coords(delay=coord)
    return finish(out, "shift_time_zero", {"t0": t0}, f"time zero moved by {t0:g} ps")


def correct_chirp(ds: xr.Dataset, chirp: Any) -> xr.Dataset:
    """Time zero moved to 0 ps at every wavelength: :func:`qdwidgets.core.chirp.correct`.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset not yet chirp-corrected.
    chirp : xarray.DataArray, array-like or float
        t0 (ps) per wavelength (as from :func:`qdwidgets.core.chirp.estimate`) or one value;
        recorded as the t0 per wavelength of ``ds``.

    Returns
    -------
    xarray.Dataset
        The corrected dataset with ``chirp`` stored: every measured delay kept, NaN only
        where a wavelength has no measurement (see :func:`qdwidgets.core.chirp.correct`).
    """
    from .. import chirp as _chirp

    ta = validate(ds, "ta")
    t0 = _chirp._t0_on_grid(ta, chirp)
    out = _chirp.correct(ta, t0)  # moves the standard error with its ΔA too
    line = f"chirp corrected (t0 {t0.min():g}…{t0.max():g} ps)"
    return finish(out, "correct_chirp", {"chirp": [float(v) for v in t0]}, line)


def _nearest(name: str, values: Any, grid: np.ndarray, unit: str) -> np.ndarray:
    arr = _args.finite_array(name, [] if values is None else values)
    idx = np.array([int(np.argmin(np.abs(grid - v))) for v in arr], dtype=int)
    outside = (arr < grid[0] - 1e-9) | (arr > grid[-1] + 1e-9)
    if outside.any():
        raise _args.ArgumentError(
            f"{name}: {arr[outside][0]:g} {unit} is outside the data ({grid[0]:g}…{grid[-1]:g} "
            f"{unit}); give values inside it"
        )
    edge = (idx == 0) | (idx == grid.size - 1)
    if edge.any():
        raise _args.ArgumentError(
            f"{name}: {grid[idx[edge][0]]:g} {unit} is the first or last point and has no "
            "neighbour on one side to interpolate from. Fix: crop it instead"
        )
    return np.unique(idx)


def interpolate_bad(ds: xr.Dataset, delays: Any = None, wavelengths: Any = None) -> xr.Dataset:
    """Bad delays (whole spectra) and bad wavelengths (whole traces) replaced by linear
    interpolation between their good neighbours.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset.
    delays : list of float, optional
        Bad delays (ps); the nearest measured delay of each is replaced along the delay axis.
    wavelengths : list of float, optional
        Bad wavelengths (nm); the nearest measured wavelength of each is replaced along the
        wavelength axis (masked columns stay masked).

    Returns
    -------
    xarray.Dataset
        The dataset with those points interpolated.
    """
    ta = validate(ds, "ta")
    t, wl = ta["delay"].values, ta["wavelength"].values
    bad_t = _nearest("delays", delays, t, "ps")
    bad_w = _nearest("wavelengths", wavelengths, wl, "nm")
    if bad_t.size == 0 and bad_w.size == 0:
        raise _args.ArgumentError("interpolate_bad needs delays=[...] or wavelengths=[...]")
    if bad_t.size >= t.size - 1 or bad_w.size + int(masked_columns(ta).sum()) >= wl.size - 1:
        raise DatasetError("interpolate_bad: too few good points left to interpolate from")
    da = ta["dA"]
    if is_lazy(da.data):
        da = da.chunk({"delay": -1, "wavelength": -1})
    if bad_t.size:
        rows = xr.DataArray(np.isin(np.arange(t.size), bad_t), dims="delay")
        da = da.where(~rows, da.where(~rows).interpolate_na("delay"))
    if bad_w.size:
        cols = xr.DataArray(np.isin(np.arange(wl.size), bad_w), dims="wavelength")
        filled = da.where(~cols).interpolate_na("wavelength")
        da = da.where(~cols, filled)
    out = ta.copy()
    out["dA"] = da.transpose(*ta["dA"].dims).astype(ta["dA"].dtype)
    out["dA"].attrs = dict(ta["dA"].attrs)
    args = {"delays": [float(t[i]) for i in bad_t], "wavelengths": [float(wl[i]) for i in bad_w]}
    line = f"interpolated {bad_t.size} delay(s) and {bad_w.size} wavelength(s)"
    return finish(out, "interpolate_bad", args, line)
