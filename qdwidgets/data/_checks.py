"""Checks shared by the TA and ASE rules of the dataset contract (see ``contract.validate``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DatasetError
from . import units as U
from ._marker import is_lazy

_ALIASES = {
    "delay": ("time", "t", "delay_time", "delays"),
    "wavelength": ("wl", "wavelengths", "lambda", "lam", "spectral"),
    "power": ("pump_power", "p", "powers"),
}


def _fail(where: str, problem: str, fix: str) -> DatasetError:
    return DatasetError(f"{where}: {problem}. Fix: {fix}")


class _Notes:
    """Collects what validation did, for attrs["qd_history"]."""

    def __init__(self, ds: xr.Dataset) -> None:
        old = str(ds.attrs.get("qd_history", ""))
        self.lines = [line for line in old.splitlines() if line]

    def add(self, line: str) -> None:
        line = f"validate: {line}"
        if line not in self.lines:
            self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines)


# -- shared checks ----------------------------------------------------------------------------


def _check_signal(ds: xr.Dataset, name: str) -> None:
    """Real, finite values; in ``dA`` a wavelength column that is NaN everywhere is accepted
    (masked, see ``record_masked``), and in a chirp-corrected dataset (attrs
    ``qd_chirp_corrected = 1``) NaN at the start or end of a column along delay (no
    measurement there); other NaN are refused. Lazy (dask) data are not computed:
    the finite check is added to their graph, block by block, and raises when those values are
    computed."""
    da = ds[name]
    if da.size == 0:
        raise _fail(name, f"is empty (shape {dict(da.sizes)})", "load a file that holds data")
    if da.dtype.kind not in "biuf":
        raise _fail(
            name,
            f"holds {da.dtype} values, not real numbers",
            "convert text cells to numbers (e.g. pandas.to_numeric) before building the dataset"
            + (
                "; for complex data keep the real part (ds[name].real)"
                if da.dtype.kind == "c"
                else ""
            ),
        )
    if is_lazy(da.data):
        ds[name] = da.copy(data=_lazy_finite(da, name))
        return
    values = np.asarray(da.values, dtype=float)
    bad = ~np.isfinite(values)
    if name == "dA" and "wavelength" in da.dims and bad.any():
        # a wavelength column that is NaN everywhere is masked (prepare.mask), not bad data
        axis = tuple(i for i, d in enumerate(da.dims) if d != "wavelength")
        masked = np.isnan(values).all(axis=axis)
        if masked.all():
            raise _fail(
                name, "is NaN at every wavelength (everything masked)", "mask a narrower range"
            )
        bad &= ~np.expand_dims(masked, axis)
        if int(ds.attrs.get("qd_chirp_corrected", 0)) and "delay" in da.dims:
            bad &= ~_edge_nan(values, da.dims.index("delay"))
    if bad.any():
        where = np.argwhere(bad)[0]
        at = ", ".join(f"{d}={_coord_text(da, d, i)}" for d, i in zip(da.dims, where, strict=True))
        raise _non_finite(tuple(da.dims), name, int(bad.sum()), at)


def _edge_nan(values: np.ndarray, delay_axis: int) -> np.ndarray:
    """True at the NaN that start or end a column along delay (no measurement there after a
    chirp correction, which moves each wavelength's time zero); NaN between two finite values
    of a column stay bad data."""
    v = np.moveaxis(values, delay_axis, -1)
    finite = np.isfinite(v)
    idx = np.arange(v.shape[-1])
    first = np.where(finite.any(-1), np.argmax(finite, axis=-1), v.shape[-1])
    last = np.where(finite.any(-1), v.shape[-1] - 1 - np.argmax(finite[..., ::-1], axis=-1), -1)
    outside = (idx < first[..., None]) | (idx > last[..., None])
    return np.moveaxis(np.isnan(v) & outside, -1, delay_axis)


MASKED_ATTR = "qd_masked"
"""attrs key: the masked wavelengths (nm) as a comma-separated string, set by validation."""


def record_masked(ds: xr.Dataset) -> None:
    """Set (or drop) attrs["qd_masked"] from the all-NaN wavelength columns of an in-memory dA
    (lazy data keep the attrs they came with)."""
    da = ds["dA"]
    if is_lazy(da.data):
        return
    axis = tuple(i for i, d in enumerate(da.dims) if d != "wavelength")
    masked = np.isnan(np.asarray(da.values, dtype=float)).all(axis=axis)
    if masked.any():
        wl = np.asarray(da["wavelength"].values, dtype=float)[masked]
        ds.attrs[MASKED_ATTR] = ",".join(repr(float(w)) for w in wl)
    else:
        ds.attrs.pop(MASKED_ATTR, None)


def _non_finite(dims: tuple[Any, ...], name: str, count: int | str, at: str) -> DatasetError:
    return _fail(
        name,
        f"has {count} NaN or infinite value(s) (first at {at})",
        f"remove or fill them, e.g. ds = ds.dropna('{dims[-1]}') or "
        f"ds['{name}'] = ds['{name}'].interpolate_na('{dims[-1]}')",
    )


def _lazy_finite(da: xr.DataArray, name: str) -> Any:
    """``da.data`` with a block-wise finite check in its graph (still lazy; the check holds
    only the small coordinate arrays, not the data array)."""
    coords = {d: np.asarray(da[d].values) if d in da.coords else None for d in da.dims}
    dims = tuple(da.dims)

    wl_axis = dims.index("wavelength") if name == "dA" and "wavelength" in dims else None

    def check(block: np.ndarray, block_info: Any = None) -> np.ndarray:
        bad = ~np.isfinite(block)
        if wl_axis is not None and bad.any():  # masked columns (NaN over the whole block)
            axis = tuple(i for i in range(block.ndim) if i != wl_axis)
            bad &= ~np.expand_dims(np.isnan(block).all(axis=axis), axis)
        if bad.any():
            first = np.argwhere(bad)[0]
            info = block_info[0]["array-location"] if block_info else [(0, 0)] * len(dims)
            parts = []
            for d, i, (start, _) in zip(dims, first, info, strict=True):
                j = int(i) + int(start)
                c = coords[d]
                parts.append(f"{d}={c[j]}" if c is not None else f"{d}=#{j}")
            raise _non_finite(dims, name, f"{int(bad.sum())} (in one block)", ", ".join(parts))
        return block

    data = da.data if da.dtype.kind == "f" else da.data.astype(float)
    return data.map_blocks(check, dtype=data.dtype)


def _coord_text(da: xr.DataArray, dim: object, i: int) -> str:
    if dim in da.coords:
        return str(np.asarray(da[dim].values)[i])
    return f"#{i}"


def _check_aliases(ds: xr.Dataset, var: str, wanted: tuple[str, ...]) -> None:
    """Refuse a common alias (``time``, ``wl``, ...) of a needed dimension, naming the rename."""
    for dim in wanted:
        if dim in ds[var].dims:
            continue
        for alias in _ALIASES.get(dim, ()):
            if alias in ds[var].dims:
                raise _fail(
                    f"{var}",
                    f"has a dimension {alias!r} but no {dim!r}",
                    f"rename it: ds = ds.rename({{'{alias}': '{dim}'}})",
                )


def _check_dims(
    ds: xr.Dataset, var: str, allowed: tuple[str, ...], required: tuple[str, ...]
) -> None:
    dims = ds[var].dims
    _check_aliases(ds, var, required)
    missing = [d for d in required if d not in dims]
    if missing:
        raise _fail(
            var,
            f"has dimensions {tuple(map(str, dims))} but needs {missing[0]!r}",
            f"give {var} the dimensions {allowed} (an optional leading {allowed[0]!r} may be "
            "left out)",
        )
    extra = [d for d in dims if d not in allowed]
    if extra:
        raise _fail(
            var,
            f"has an unexpected dimension {extra[0]!r}",
            f"select one slice (ds.isel({extra[0]}=0)) or merge it into {allowed[0]!r}; "
            f"allowed dimensions are {allowed}",
        )


def _check_axis(
    ds: xr.Dataset,
    dim: str,
    min_size: int,
    notes: _Notes,
    convert: Callable[..., np.ndarray] | None,
    canonical: str | None,
    plausible: tuple[float, float] | None = None,
) -> xr.Dataset:
    """Coordinate checks: numbers with units (converted to ``canonical``), finite, no
    duplicates, sorted (recorded), within ``plausible`` after conversion when given."""
    if dim not in ds.coords:
        raise _fail(
            f"dimension {dim!r}",
            "has no coordinate values",
            f"assign them: ds = ds.assign_coords({dim}=values)",
        )
    coord = ds[dim]
    n = coord.size
    if n < min_size:
        raise _fail(
            f"coordinate {dim!r}",
            f"has {n} value(s), at least {min_size} are needed",
            "load a file with more points along this axis",
        )
    if coord.dtype.kind == "m":
        raise _fail(
            f"coordinate {dim!r}",
            "holds timedelta values, not numbers with a unit",
            f"convert them: ds = ds.assign_coords({dim}=('{dim}', ds['{dim}'].values / "
            f"np.timedelta64(1, 'ps'), {{'units': 'ps'}}))",
        )
    if coord.dtype.kind not in "biuf":
        raise _fail(
            f"coordinate {dim!r}",
            f"holds {coord.dtype} values, not real numbers",
            f"convert it: ds = ds.assign_coords({dim}=ds['{dim}'].astype(float))",
        )
    values = np.asarray(coord.values, dtype=float)
    attrs = dict(coord.attrs)
    attrs_unit = attrs.get("units")
    if convert is not None and canonical is not None:
        unit = attrs.get("units")
        if unit is None:
            raise _fail(
                f"coordinate {dim!r}",
                "has no 'units' attribute, so its values cannot be interpreted safely",
                f"set it: ds['{dim}'].attrs['units'] = '{canonical}' (or the unit the values "
                "are in; it will be converted)",
            )
        if not U.is_canonical(unit, dim):
            values = convert(values, unit, f"coordinate {dim!r}")
            notes.add(f"{dim} converted from {unit} to {canonical}")
        attrs["units"] = canonical
    if not np.all(np.isfinite(values)):
        raise _fail(
            f"coordinate {dim!r}",
            "has NaN or infinite values",
            f"drop those points: ds = ds.isel({dim}=np.isfinite(ds['{dim}'].values))",
        )
    if plausible is not None:
        _check_plausible(dim, values, attrs_unit, canonical, plausible)
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    dup = np.flatnonzero(np.diff(sorted_values) == 0)
    if dup.size:
        raise _fail(
            f"coordinate {dim!r}",
            f"has duplicated values (e.g. {sorted_values[dup[0]]:g} appears more than once)",
            f"average or drop duplicates: ds = ds.groupby('{dim}').mean() or "
            f"ds.drop_duplicates('{dim}')",
        )
    attrs.setdefault("long_name", U.LONG_NAMES.get(dim, dim))
    ds = ds.assign_coords({dim: (dim, values, attrs)})
    if np.any(order != np.arange(n)):
        ds = ds.isel({dim: order})
        notes.add(f"{dim} sorted into increasing order")
    return ds


def _check_plausible(
    dim: str,
    values: np.ndarray,
    unit: object,
    canonical: str | None,
    plausible: tuple[float, float],
) -> None:
    lo, hi = plausible
    if values.min() >= lo and values.max() <= hi:
        return
    was = "" if unit is None or U.is_canonical(unit, dim) else f" (converted from {unit})"
    fix = f"check the values and ds['{dim}'].attrs['units']"
    if dim == "wavelength":
        fix = (
            "state the unit the values are really in: ds['wavelength'].attrs['units'] = 'um' for "
            "micrometres, 'eV' for photon energies, 'A' for ångström (they are converted to nm); "
            "wavelengths must be positive"
        )
    raise _fail(
        f"coordinate {dim!r}",
        f"runs {values.min():g}…{values.max():g} {canonical}{was}, outside the plausible "
        f"{lo:g}–{hi:g} {canonical}",
        fix,
    )


def _check_non_negative(ds: xr.Dataset, dim: str, unit: str) -> None:
    values = np.asarray(ds[dim].values, dtype=float)
    if np.any(values < 0):
        raise _fail(
            f"coordinate {dim!r}",
            f"has negative values (min {values.min():g} {unit})",
            f"{dim} levels must be >= 0; fix the values",
        )


def _set_attrs(da: xr.DataArray, name: str, units: str | None = None) -> None:
    if units is not None:
        da.attrs["units"] = units
    da.attrs.setdefault("long_name", U.LONG_NAMES.get(name, name))


def _convert_signal(ds: xr.Dataset, name: str, notes: _Notes, required_units: bool) -> None:
    da = ds[name]
    unit = da.attrs.get("units")
    if unit is None:
        if required_units:
            raise _fail(
                name,
                "has no 'units' attribute (OD, mOD or ΔT/T?)",
                f"set it: ds['{name}'].attrs['units'] = 'OD' (or 'mOD', 'dT/T'; it will be "
                "converted)",
            )
        unit = "OD"
    if not U.is_canonical(unit, "signal"):
        ds[name] = da.copy(data=U.signal_to_od(da.data, unit, name))
        ds[name].attrs.update(da.attrs)
        notes.add(f"{name} converted from {unit} to OD")
    _set_attrs(ds[name], name, "OD")
