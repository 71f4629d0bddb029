"""The "validated" marker: ``attrs['qd_validated']`` on what ``validate`` returns.

The marker is a fingerprint of everything cheap to read: the contract version, the dataset's
attrs, and for every variable its name, dims, shape, dtype kind and attrs (units!), plus the
values of the coordinates and of every array small enough to hash quickly (≤ 2**20 values, not
lazy). ``validate`` returns a marked dataset without checking it again when the fingerprint
still matches, so an edit of units, coordinates, attrs, structure or of a small array is caught
and the dataset is checked in full. A bare ``qd_kind`` attr never skips anything.
"""

from __future__ import annotations

import hashlib

import numpy as np
import xarray as xr

VALIDATED_ATTR = "qd_validated"
CONTRACT_VERSION = "qdwidgets-contract-1"
_HASH_VALUES_UP_TO = 2**20


def is_lazy(data: object) -> bool:
    """Whether an array is lazy (dask): its values are not computed to check or hash them."""
    return hasattr(data, "dask") and hasattr(data, "chunks")


def _values_bytes(var: xr.Variable) -> bytes:
    values = np.asarray(var.values)
    if values.dtype.kind in "OUS":
        return repr([str(v) for v in values.ravel()]).encode()
    return np.ascontiguousarray(values).tobytes()


def _plain(value: object) -> str:
    """An attr value as text that survives netCDF (numpy scalars, arrays and lists alike)."""
    if isinstance(value, (np.ndarray, list, tuple)):
        items = np.asarray(value).ravel().tolist()
        return repr(items[0]) if len(items) == 1 else repr(tuple(items))
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def fingerprint(ds: xr.Dataset) -> str:
    """A short string that changes when units, coordinates, structure or attrs change."""
    h = hashlib.sha1(CONTRACT_VERSION.encode(), usedforsecurity=False)
    attrs = {str(k): v for k, v in ds.attrs.items() if k != VALIDATED_ATTR}
    h.update(repr(sorted((k, _plain(v)) for k, v in attrs.items())).encode())
    for name in sorted(ds.variables, key=str):
        var = ds.variables[name]
        kind = "str" if var.dtype.kind in "OUS" else var.dtype.str
        var_attrs = sorted((str(k), _plain(v)) for k, v in var.attrs.items())
        h.update(repr((str(name), var.dims, var.shape, kind, var_attrs)).encode())
        if not is_lazy(var.data) and (name in ds.coords or var.size <= _HASH_VALUES_UP_TO):
            h.update(_values_bytes(var))
    return f"{CONTRACT_VERSION}:{h.hexdigest()[:20]}"


def is_validated(ds: xr.Dataset, kind: str | None) -> bool:
    """Whether ``ds`` carries a marker that still matches it (and is of ``kind``, if given)."""
    marker = ds.attrs.get(VALIDATED_ATTR)
    if not isinstance(marker, str) or not marker.startswith(CONTRACT_VERSION + ":"):
        return False
    if kind is not None and ds.attrs.get("qd_kind") != kind:
        return False
    return marker == fingerprint(ds)
