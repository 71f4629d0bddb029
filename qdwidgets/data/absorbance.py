"""Attach the steady-state absorbance A0 to a TA dataset, on the TA wavelength grid.

``attach_absorbance(ta, source)`` takes A0 from

- a two-column text file (wavelength, absorbance; CSV/TSV/whitespace, optional header lines, ``#``
  comments; a unit in the header, e.g. ``wavelength (nm), A (mOD)``, is used),
- an ``xarray.DataArray`` with a wavelength coordinate (its ``units`` attrs are used),
- a ``(wavelengths, values)`` pair,
- or a 1-D array already on the TA wavelength grid (one value per TA wavelength).

Units not stated by the source are the options ``wavelength_unit`` (default nm; µm, eV, cm-1
also work) and ``signal_unit`` (default OD; mOD, ...). A0 is linearly interpolated onto the TA
wavelengths (nm); the source must cover them, since extrapolating an absorbance spectrum would
invent data. What was done is recorded in ``A0.attrs`` and ``attrs['qd_history']``. The input is
never modified: a new, validated dataset is returned.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DatasetError
from . import units as U
from .contract import validate
from .readers._common import check_unit, data_lines, detect_separator, split, to_floats, unit_hint
from .readers._files import fail, read_text

_ALIASES = ("wavelength", "wl", "wavelengths", "lambda", "energy", "wavenumber")


def _read_two_columns(path: Path) -> tuple[np.ndarray, np.ndarray, str | None, str | None]:
    lines = data_lines(read_text(path))
    sep = detect_separator([t for _, t in lines[-20:]]) if lines else None
    header: list[str] = []
    rows: list[list[float]] = []
    for line_no, text in lines:
        cells = split(text, sep)
        if sep is not None and len(cells) == 3 and cells[-1] == "":
            cells = cells[:-1]
        if not rows and not all(re.match(r"^[+-]?[\d.]", c) for c in cells if c):
            header = cells
            continue
        if len(cells) != 2:
            raise fail(
                path,
                f"this row has {len(cells)} cells; an absorbance file needs two columns "
                "(wavelength, absorbance)",
                "keep only those two columns, or load the file yourself and pass "
                "(wavelengths, values)",
                line=line_no,
            )
        rows.append(to_floats(cells, path, line_no).tolist())
    if len(rows) < 2:
        raise fail(path, "holds fewer than two data rows", "check the file (truncated?)")
    arr = np.asarray(rows)
    w_hint = unit_hint(header[0]) if header else None
    a_hint = unit_hint(header[1]) if len(header) > 1 else None
    return arr[:, 0], arr[:, 1], w_hint, a_hint


def _from_dataarray(da: xr.DataArray) -> tuple[np.ndarray, np.ndarray, str | None, str | None]:
    if da.ndim != 1:
        raise DatasetError(
            f"A0 source: a DataArray with dimensions {da.dims}, expected one wavelength "
            "dimension. Fix: select a single spectrum, e.g. da.isel(other=0)"
        )
    dim = str(da.dims[0])
    if dim not in _ALIASES or dim not in da.coords:
        raise DatasetError(
            f"A0 source: the DataArray's dimension {dim!r} is not a wavelength coordinate. Fix: "
            "name it 'wavelength' and give it values: da.rename({'x': 'wavelength'})"
        )
    return (
        np.asarray(da[dim].values),
        np.asarray(da.values),
        da[dim].attrs.get("units"),
        da.attrs.get("units"),
    )


def _source(source: Any, n_ta: int) -> tuple[str, Any, Any, str | None, str | None]:
    """(label, wavelengths or None for 'on the grid', values, stated λ unit, stated A unit)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return (path.name, *_read_two_columns(path))
    if isinstance(source, xr.DataArray):
        return ("DataArray", *_from_dataarray(source))
    if isinstance(source, tuple) and len(source) == 2:
        return ("(wavelengths, values)", source[0], source[1], None, None)
    if isinstance(source, (np.ndarray, list)):
        arr = np.asarray(source)
        if arr.ndim == 2 and arr.shape[1] == 2 and arr.shape[0] != n_ta:
            return ("two-column array", arr[:, 0], arr[:, 1], None, None)
        if arr.ndim == 1 and arr.size == n_ta:
            return ("array on the TA grid", None, arr, None, None)
        raise DatasetError(
            f"A0 source: an array of shape {arr.shape} is neither one value per TA wavelength "
            f"({n_ta}) nor a two-column (wavelength, value) table. Fix: pass "
            "(wavelengths, values) or a DataArray with a wavelength coordinate"
        )
    raise DatasetError(
        f"A0 source: cannot use a {type(source).__name__}. Fix: pass a file path, a DataArray "
        "with a wavelength coordinate, a (wavelengths, values) pair or an array on the TA grid"
    )


def _numbers(values: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise DatasetError(
            f"A0 source: the {what} are not numbers. Fix: pass numeric arrays"
        ) from None
    if arr.ndim != 1:
        raise DatasetError(
            f"A0 source: the {what} must be 1-D, got shape {arr.shape}. Fix: flatten"
        )
    if not np.all(np.isfinite(arr)):
        raise DatasetError(
            f"A0 source: the {what} hold {int((~np.isfinite(arr)).sum())} NaN or infinite "
            "value(s). Fix: drop those points before attaching"
        )
    return arr


def attach_absorbance(
    ta: xr.Dataset, source: Any, *, wavelength_unit: str = "nm", signal_unit: str = "OD"
) -> xr.Dataset:
    """A copy of ``ta`` with ``A0`` (OD, over wavelength) taken from ``source``.

    ``source``: a two-column file, a DataArray with a wavelength coordinate, a
    ``(wavelengths, values)`` pair, or an array already on the TA wavelength grid. Units stated by
    the source win; otherwise ``wavelength_unit`` and ``signal_unit`` apply. Raises DatasetError
    when the source does not cover the TA wavelengths (no extrapolation).

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (wavelengths in nm).
    source : path, xarray.DataArray, (array, array) or array
        The steady-state absorbance: a two-column text file (wavelength, absorbance), a
        DataArray with a wavelength coordinate, a ``(wavelengths, values)`` pair, or one value
        per TA wavelength.
    wavelength_unit : str, default "nm"
        Unit of the source's wavelengths when it does not state one (nm, µm, eV, cm-1, ...).
    signal_unit : str, default "OD"
        Unit of the source's absorbance when it does not state one (OD, mOD, ...).

    Returns
    -------
    xarray.Dataset
        A validated copy of ``ta`` with ``A0`` (OD) over ``wavelength``.

    Raises
    ------
    DatasetError
        When the source cannot be read, states unknown units, or does not cover the TA
        wavelengths.

    Examples
    --------
    >>> import numpy as np
    >>> import qdwidgets
    >>> from qdwidgets.data import attach_absorbance
    >>> ta = qdwidgets.examples.ta()
    >>> wl = np.linspace(400.0, 750.0, 36)  # nm, wider than the TA grid
    >>> out = attach_absorbance(ta, (wl, 50.0 * np.ones_like(wl)), signal_unit="mOD")
    >>> float(out.A0.max()), out.A0.attrs["units"], float(ta.A0.max()) != 0.05
    (0.05, 'OD', True)
    """
    out = validate(ta, "ta")
    check_unit(wavelength_unit, "wavelength", "wavelength_unit", "attach_absorbance")
    check_unit(signal_unit, "signal", "signal_unit", "attach_absorbance")
    grid = out["wavelength"].values
    label, wl, values, w_stated, a_stated = _source(source, grid.size)
    a_unit = str(a_stated) if a_stated is not None else signal_unit
    values = _numbers(values, "absorbance values")
    od = U.signal_to_od(values, a_unit, "A0")
    notes = [f"values in {a_unit}" + (" (stated by the source)" if a_stated else "")]
    if wl is None:
        a0, how = od, "none (already on the TA grid)"
        lo, hi = float(grid[0]), float(grid[-1])
    else:
        w_unit = str(w_stated) if w_stated is not None else wavelength_unit
        wl = _numbers(wl, "wavelengths")
        if wl.size != values.size:
            raise DatasetError(
                f"A0 source: {wl.size} wavelengths but {values.size} values. Fix: pass arrays "
                "of equal length"
            )
        if wl.size < 2:
            raise DatasetError("A0 source: fewer than two points. Fix: pass a spectrum")
        nm = U.wavelength_to_nm(wl, w_unit, "A0 wavelengths")
        notes.append(f"wavelengths in {w_unit}" + (" (stated by the source)" if w_stated else ""))
        order = np.argsort(nm)
        nm, od = nm[order], od[order]
        if not np.all(np.isfinite(nm)) or np.any(np.diff(nm) == 0):
            raise DatasetError(
                f"A0 source ({label}): duplicated or invalid wavelengths. Fix: average or drop "
                "duplicated points"
            )
        lo, hi = float(nm[0]), float(nm[-1])
        tol = 1e-9 * max(abs(hi), 1.0)
        if grid[0] < lo - tol or grid[-1] > hi + tol:
            raise DatasetError(
                f"A0 source ({label}) covers {lo:.6g}–{hi:.6g} nm but the TA data span "
                f"{grid[0]:.6g}–{grid[-1]:.6g} nm; extrapolating A0 would invent data. Fix: "
                f"crop the TA data first: ta = ta.sel(wavelength=slice({lo:.6g}, {hi:.6g})), "
                "or measure A0 over the whole range"
            )
        if nm.size == grid.size and np.allclose(nm, grid, rtol=0, atol=tol):
            a0, how = od, "none (same wavelength grid)"
        else:
            a0, how = np.interp(grid, nm, od), "linear"
    previous = "A0" in out.data_vars
    out["A0"] = (
        "wavelength",
        np.asarray(a0, dtype=float),
        {
            "units": "OD",
            "long_name": U.LONG_NAMES["A0"],
            "source": label,
            "interpolation": how,
            "source_range_nm": np.array([lo, hi]),
        },
    )
    line = (
        f"attach_absorbance: A0 from {label} ({', '.join(notes)}); interpolation onto the "
        f"{grid.size} TA wavelengths: {how}" + ("; replaced the previous A0" if previous else "")
    )
    history = [h for h in str(out.attrs.get("qd_history", "")).splitlines() if h]
    out.attrs["qd_history"] = "\n".join([*history, line])
    return validate(out)
