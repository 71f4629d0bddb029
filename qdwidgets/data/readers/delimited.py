"""Delimited matrix text (CSV, TSV, semicolons or whitespace): one ΔA map.

Layout: the first row holds one axis (after an optional corner cell), the first column the other
axis, the rest is the ΔA matrix. Lines starting with ``#`` are comments. Which axis is the delay is
DETECTED and refused when unclear:

- an axis with a zero or negative value is the delay axis (wavelengths are positive);
- otherwise the axis evenly spaced in wavelength or photon energy is the wavelength axis, provided
  the other one is not;
- anything else raises a DatasetError asking for ``delays_along='row'`` (delays in the first row)
  or ``delays_along='column'`` (delays in the first column).

Units: text files rarely state them. ``delay_unit`` (fs, ps, ns), ``wavelength_unit`` (nm, µm,
eV, ...) and ``signal_unit`` (OD, mOD, dT/T) options win; otherwise a unit written in the corner
cell ("wavelength (nm) / delay (fs)") is used; otherwise ps, nm and OD are ASSUMED, recorded in
``attrs['qd_history']``, and implausible magnitudes (|ΔA| > 5 "OD", wavelengths outside
100–20000 nm) raise asking for the option.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr

from .. import units as U
from ._common import (
    History,
    check_assumed_od,
    check_finite,
    check_unit,
    data_lines,
    detect_separator,
    fail,
    finish,
    read_text,
    split,
    ta_dataset,
    to_floats,
    unit_kind,
)

WAVELENGTH_RANGE_NM = (100.0, 20000.0)
_ROW = ("row", "rows", "first row", "first_row", "columns-are-delays")
_COLUMN = ("column", "columns", "col", "first column", "first_column", "rows-are-delays")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _even(values: np.ndarray) -> bool:
    """Evenly spaced within a factor 1.5, in the values or in their reciprocals (energy)."""
    if values.size < 3 or np.any(values <= 0):
        return False
    with np.errstate(all="ignore"):
        for v in (values, 1.0 / values):
            steps = np.abs(np.diff(np.sort(v)))
            if np.all(np.isfinite(steps)) and steps.min() > 0 and steps.max() < 1.5 * steps.min():
                return True
    return False


def _corner_units(corner: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for token in re.findall(r"[dΔ]T/T|[A-Za-zµμÅå]+", corner):
        if len(token) < 2:
            continue
        kind = unit_kind(token)
        if kind in ("delay", "wavelength", "signal") and kind not in found:
            found[kind] = token
    return found


def _orientation(first_row: np.ndarray, first_col: np.ndarray, source: Path) -> str:
    """'row' if delays are along the first row, 'column' if along the first column."""
    row_nonpos, col_nonpos = bool(np.any(first_row <= 0)), bool(np.any(first_col <= 0))
    if row_nonpos and col_nonpos:
        raise fail(
            source,
            "both the first row and the first column hold zero or negative values, so neither "
            "can be wavelengths",
            "check the file layout: one axis must be the (positive) probe wavelengths",
        )
    if row_nonpos:
        return "row"
    if col_nonpos:
        return "column"
    row_even, col_even = _even(first_row), _even(first_col)
    if row_even != col_even:
        return "column" if row_even else "row"
    raise fail(
        source,
        "cannot tell whether the delays run along the first row or the first column (both axes "
        "are positive and "
        + ("evenly spaced" if row_even else "unevenly spaced")
        + f"; first row {first_row.min():g}…{first_row.max():g}, first column "
        f"{first_col.min():g}…{first_col.max():g})",
        "say it: delays_along='row' (delays in the first row) or delays_along='column'",
    )


def read(
    path: Path,
    *,
    delays_along: str | None = None,
    delay_unit: str | None = None,
    wavelength_unit: str | None = None,
    signal_unit: str | None = None,
    sep: str | None = None,
) -> xr.Dataset:
    """Read a delimited ΔA matrix into a raw (not yet validated) TA dataset."""
    history = History()
    for value, kind, name in (
        (delay_unit, "delay", "delay_unit"),
        (wavelength_unit, "wavelength", "wavelength_unit"),
        (signal_unit, "signal", "signal_unit"),
    ):
        if value is not None:
            check_unit(value, kind, name, path)
    along = None
    if delays_along is not None:
        key = str(delays_along).strip().lower()
        along = "row" if key in _ROW else "column" if key in _COLUMN else None
        if along is None:
            raise fail(
                path,
                f"delays_along={delays_along!r} is not understood",
                "use delays_along='row' (delays in the first row) or 'column'",
            )
    lines = data_lines(read_text(path))
    if len(lines) < 2:
        raise fail(
            path,
            f"holds {len(lines)} non-empty line(s); a matrix needs an axis row and data rows",
            "check that the export finished (truncated file?)",
        )
    if sep is None:
        sep = detect_separator([text for _, text in lines])
    rows = [split(text, sep) for _, text in lines]
    if sep is not None:
        rows = [r[:-1] if len(r) > 1 and r[-1] == "" else r for r in rows]
    widths = [len(r) for r in rows[1:]]
    width = max(set(widths), key=lambda n: (widths.count(n), -widths.index(n)))
    header_line, header = lines[0][0], rows[0]
    if len(header) == width - 1:
        corner, axis_cells = "", header
    elif len(header) == width:
        corner, axis_cells = header[0], header[1:]
    else:
        raise fail(
            path,
            f"the first row has {len(header)} cells but the data rows have {width}",
            "the first row must hold a corner cell (or nothing) and one axis value per data "
            "column; delete title lines or start them with '#'",
            line=header_line,
        )
    if not axis_cells:
        raise fail(path, "has no data columns", "a matrix needs at least two columns")
    if not all(_is_number(c) for c in axis_cells):
        bad = next(c for c in axis_cells if not _is_number(c))
        raise fail(
            path,
            f"the first row should hold axis values but contains {bad[:30]!r}",
            "delete title/header lines above the matrix or start them with '#'",
            line=header_line,
        )
    top = to_floats(axis_cells, path, header_line, 2)
    side, matrix, row_lines = [], [], []
    for (line_no, _), cells in zip(lines[1:], rows[1:], strict=True):
        if len(cells) != width:
            raise fail(
                path,
                f"this row has {len(cells)} cells, the others {width}: a ragged or truncated row",
                "complete or delete the row (and check the separator: sep=',' or sep='\\t')",
                line=line_no,
            )
        values = to_floats(cells, path, line_no)
        side.append(values[0])
        matrix.append(values[1:])
        row_lines.append(line_no)
    left = np.asarray(side)
    data = np.asarray(matrix, dtype=float)
    check_finite(top[None, :], path, "the first row", [header_line], col_offset=2)
    check_finite(left[:, None], path, "the first column", row_lines)
    check_finite(data, path, "the data", row_lines, col_offset=2)
    if along is None:
        along = _orientation(top, left, path)
        history.add(f"delimited: delays detected along the first {along}")
    else:
        history.add(f"delimited: delays along the first {along} (given as delays_along)")
    delay, wl = (top, left) if along == "row" else (left, top)
    signal = data.T if along == "row" else data
    hints = _corner_units(corner)
    units = {}
    for kind, given, default in (
        ("delay", delay_unit, "ps"),
        ("wavelength", wavelength_unit, "nm"),
        ("signal", signal_unit, "OD"),
    ):
        if given is not None:
            units[kind] = given
            history.add(f"delimited: {kind} unit {given} (given as an option)")
        elif kind in hints:
            units[kind] = hints[kind]
            history.add(f"delimited: {kind} unit {hints[kind]} (from the corner cell)")
        else:
            units[kind] = default
            history.add(
                f"delimited: the file does not state the {kind} unit; assumed {default} "
                f"(pass {kind}_unit= otherwise)"
            )
            if kind == "signal":
                check_assumed_od(data, path)
    nm = U.wavelength_to_nm(wl, units["wavelength"])
    lo, hi = WAVELENGTH_RANGE_NM
    if np.any(nm < lo) or np.any(nm > hi):
        raise fail(
            path,
            f"the wavelength axis runs {wl.min():g}…{wl.max():g} {units['wavelength']}, outside "
            f"{lo:g}–{hi:g} nm: wrong unit or wrong orientation",
            "pass wavelength_unit= (e.g. 'um' or 'eV') or delays_along= ('row' or 'column')",
        )
    ds = ta_dataset(delay, wl, signal, units["delay"], units["wavelength"], units["signal"])
    if corner:
        ds.attrs["corner_label"] = corner
    return finish(ds, path, "delimited", history)
