"""Masked wavelengths (``prepare.mask``): dA columns that are NaN at every pump level and delay.

The dataset contract accepts such columns and lists them in ``attrs["qd_masked"]``; the analyses
use these helpers to leave them out and to say so in their results.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import xarray as xr

from ..data._marker import is_lazy


@contextlib.contextmanager
def nan_quiet() -> Iterator[None]:
    """numpy's nan-reductions without their warnings: an all-NaN slice (a masked column, or
    the ends of a chirp-corrected one) gives NaN, which the caller handles."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def masked_columns(ds: xr.Dataset) -> np.ndarray:
    """Boolean per wavelength: True where ``dA`` is NaN at every pump level and delay."""
    da = ds["dA"]
    if is_lazy(da.data) and "qd_masked" not in ds.attrs:
        return np.zeros(ds.sizes["wavelength"], dtype=bool)
    axis = tuple(i for i, d in enumerate(da.dims) if d != "wavelength")
    return np.asarray(np.isnan(np.asarray(da.values, dtype=float)).all(axis=axis))


def ranges_text(wavelengths: np.ndarray, masked: np.ndarray) -> str:
    """The masked wavelengths as contiguous ranges, e.g. ``"535–545 nm"``; "" when none."""
    wl = np.asarray(wavelengths, dtype=float)
    idx = np.flatnonzero(masked)
    if idx.size == 0:
        return ""
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    parts = [f"{wl[r[0]]:g}–{wl[r[-1]]:g}" if r.size > 1 else f"{wl[r[0]]:g}" for r in runs]
    return ", ".join(parts) + " nm"


def note(ds: xr.Dataset) -> str:
    """A sentence naming the masked range(s), or "" when nothing is masked."""
    masked = masked_columns(ds)
    text = ranges_text(ds["wavelength"].values, masked)
    if not text:
        return ""
    return f"masked wavelengths {text} ({int(masked.sum())} columns) left out"


FULL_WAVELENGTH = "_qd_full_wavelength"
"""attrs key (internal, popped at once): the wavelengths before masked columns were dropped."""


def drop_masked(da: xr.DataArray) -> xr.DataArray:
    """``da`` without its all-NaN wavelength columns; when any were dropped, the full
    wavelength coordinate is in ``attrs[FULL_WAVELENGTH]`` (pop it with :func:`full_grid`)."""
    axis = tuple(i for i, d in enumerate(da.dims) if d != "wavelength")
    masked = np.isnan(np.asarray(da.values, dtype=float)).all(axis=axis)
    if not masked.any() or masked.all():
        return da
    full = da["wavelength"].copy()
    out: xr.DataArray = da.isel(wavelength=np.flatnonzero(~masked))
    out.attrs[FULL_WAVELENGTH] = full
    return out


def full_grid(da: xr.DataArray) -> tuple[xr.DataArray | None, str]:
    """(the full wavelength coordinate or None, the note naming the masked range), popped from
    the attrs :func:`drop_masked` set."""
    full = da.attrs.pop(FULL_WAVELENGTH, None)
    if full is None:
        return None, ""
    masked = ~np.isin(full.values, da["wavelength"].values)
    text = ranges_text(full.values, masked)
    return full, f"masked wavelengths {text} ({int(masked.sum())} columns) left out"


def reinsert(obj: Any, full: xr.DataArray) -> Any:
    """A DataArray or Dataset put back on the ``full`` wavelength grid: NaN (or "masked",
    False, 0 for text, flags and counts) at the masked wavelengths."""
    if isinstance(obj, xr.Dataset):
        fill: dict[Any, Any] = {}
        for name, var in obj.data_vars.items():
            if "wavelength" not in var.dims:
                continue
            kind = var.dtype.kind
            fill[name] = {"U": "masked", "O": "masked", "b": False, "i": 0, "u": 0}.get(
                kind, np.nan
            )
        return obj.reindex(wavelength=full.values, fill_value=fill).assign_coords(wavelength=full)
    if isinstance(obj, xr.DataArray) and "wavelength" in obj.dims:
        return obj.reindex(wavelength=full.values).assign_coords(wavelength=full)
    return obj
