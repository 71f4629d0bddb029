"""Masked wavelengths (``prepare.mask``): dA columns that are NaN at every pump level and delay.

The dataset contract accepts such columns and lists them in ``attrs["qd_masked"]``; the analyses
use these helpers to leave them out and to say so in their results.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..data._marker import is_lazy


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
