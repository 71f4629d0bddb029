"""Delimited matrix text (CSV, TSV, semicolons or whitespace): one ΔA map.

Layout: the first row holds one axis (after an optional corner cell), the first column the other
axis, the rest is the ΔA matrix. Lines starting with ``#`` are comments. Which axis is the delay is
DECIDED FROM EVIDENCE, all of it together, and refused when the evidence is not clear:

- wavelengths are positive and lie within 100–20000 nm in the wavelength unit (the option, the
  corner cell, else nm): an axis that cannot be wavelengths is the delay axis;
- a corner cell that names one axis only ("wavelength (nm)", "delay", "t/ps") labels the first
  column, as pandas' ``to_csv`` writes the index name; it must agree with the ranges;
- when both axes could be wavelengths, an evenly spaced axis (in nm or energy) is the wavelength
  axis only if the other is monotonic with the growing steps of a delay stage;
- anything else raises a DatasetError asking for ``delays_along='row'`` (delays in the first row)
  or ``delays_along='column'`` (delays in the first column).

Units: text files rarely state them. ``delay_unit`` (fs, ps, ns), ``wavelength_unit`` (nm, µm,
eV, ...) and ``signal_unit`` (OD, mOD, dT/T) options win; otherwise a unit written in the corner
cell ("wavelength (nm) / delay (fs)") is used; otherwise ps, nm and OD are ASSUMED, recorded in
``attrs['qd_history']``, and implausible magnitudes (``|ΔA|`` > 5 "OD", wavelengths outside
100–20000 nm) raise asking for the option.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr

from ..._args import ArgumentError
from .. import units as U
from ..contract import WAVELENGTH_RANGE_NM
from ._common import (
    History,
    check_assumed_od,
    check_finite,
    check_unit,
    data_lines,
    detect_separator,
    fill_doc,
    finish,
    split,
    ta_dataset,
    to_floats,
)
from ._files import fail, read_text

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


def _growing(values: np.ndarray) -> bool:
    """Steps that grow along the axis (log-like or piecewise delays), never shrinking by > 20 %:
    the spacing of a delay stage, not of a spectrometer (an even grid with a gap is not this)."""
    order = np.diff(values)
    if not (np.all(order > 0) or np.all(order < 0)):
        return False  # a delay scan is monotonic as recorded
    steps = np.diff(np.sort(values))
    if steps.size < 3:
        return False
    return bool(steps[-1] >= 3 * steps[0] and np.all(steps[1:] >= 0.8 * steps[:-1]))


_SEPARATORS = re.compile(r"[\\/;|,]")
_DTT_TOKEN = re.compile(r"(?<![A-Za-z])[dΔ]T\s*/\s*T", re.I)


def _corner_units(corner: str, source: Path) -> dict[str, str]:
    """Units written in the corner cell, in unit positions only: in brackets after a quantity
    ('wavelength (nm) / delay (fs)'), or alone between separators ('nm/ps'), or after a
    quantity word ('delay fs'). 'sample MS-2' holds none. A bracketed unit after a quantity
    word that is not a unit of that quantity raises."""
    found: dict[str, str] = {}

    def add(kind: str | None, unit: str) -> None:
        if kind in ("delay", "wavelength", "signal") and kind not in found:
            found[kind] = unit

    text = _DTT_TOKEN.sub("dT÷T", corner)
    for m in re.finditer(r"([^\s()\[\]\\/;|,]*)\s*[\(\[]\s*([^\)\]]*?)\s*[\)\]]", text):
        word, unit = m.group(1).replace("÷", "/"), m.group(2).replace("÷", "/")
        label = f"{word} ({unit})"
        unit = U.unit_in_label(label) or unit
        kind = U.kind_of(unit)
        quantity = U.quantity_of(word) if word else None
        if kind is None and quantity in ("delay", "wavelength", "signal"):
            raise fail(
                source,
                f"the corner cell {corner!r} gives the unit {unit!r} for {word!r}, which is not a "
                f"known {quantity} unit",
                f"use one of: {U.known_units(quantity)}; or pass {quantity}_unit= to say it",
            )
        if quantity is None or kind == quantity:
            add(kind, unit)
    rest = re.sub(r"[\(\[][^\)\]]*[\)\]]", " ", text)
    for segment in _SEPARATORS.split(rest):
        words = [w.replace("÷", "/") for w in segment.split()]
        if len(words) == 1:
            add(U.kind_of(words[0]), words[0])
        elif len(words) == 2 and U.quantity_of(words[0]) is not None:
            add(U.kind_of(words[1]), words[1])
    return found


def _can_be_wavelengths(values: np.ndarray, unit: str) -> bool:
    if np.any(values <= 0):
        return False
    nm = U.wavelength_to_nm(values, unit)
    lo, hi = WAVELENGTH_RANGE_NM
    return bool(np.all(np.isfinite(nm)) and nm.min() >= lo and nm.max() <= hi)


def _corner_axis(corner: str) -> str | None:
    """The one axis ('delay' or 'wavelength') a corner cell names, else None."""
    text = _DTT_TOKEN.sub(" ", re.sub(r"[\(\[][^\)\]]*[\)\]]", " ", corner))
    named = {U.quantity_of(w) for w in re.split(r"[\s\\/;|,]+", text) if w}
    named &= {"delay", "wavelength"}
    return named.pop() if len(named) == 1 else None


def _orientation(
    first_row: np.ndarray,
    first_col: np.ndarray,
    source: Path,
    wl_unit: str = "nm",
    first_column: str | None = None,
) -> str:
    """'row' if delays are along the first row, 'column' if along the first column.

    Evidence, together: wavelengths are positive and lie within 100–20000 nm in ``wl_unit``;
    when both axes could be wavelengths, an evenly spaced axis (in nm or energy) is the
    wavelength axis only when the other has the growing steps of a delay stage. Anything else
    raises a DatasetError naming ``delays_along=`` (never a guess).
    """
    row_nonpos, col_nonpos = bool(np.any(first_row <= 0)), bool(np.any(first_col <= 0))
    if row_nonpos and col_nonpos:
        raise fail(
            source,
            "both the first row and the first column hold zero or negative values, so neither "
            "can be wavelengths",
            "check the file layout: one axis must be the (positive) probe wavelengths",
        )
    row_wl, col_wl = (
        _can_be_wavelengths(first_row, wl_unit),
        _can_be_wavelengths(first_col, wl_unit),
    )
    ranges = (
        f"first row {first_row.min():g}…{first_row.max():g}, first column "
        f"{first_col.min():g}…{first_col.max():g}"
    )
    if first_column is not None:
        along = "row" if first_column == "wavelength" else "column"
        if col_wl if along == "row" else row_wl:
            return along
        raise fail(
            source,
            f"the corner cell says the first column holds the {first_column}s, but the "
            f"{'first column' if along == 'row' else 'first row'} cannot be wavelengths in "
            f"{wl_unit} ({ranges})",
            "say it: delays_along='row' or 'column' (and wavelength_unit= if it is not nm)",
        )
    if row_wl != col_wl:
        return "column" if row_wl else "row"
    if not row_wl:
        raise fail(
            source,
            f"neither axis can be wavelengths in {wl_unit} (positive, within "
            f"{WAVELENGTH_RANGE_NM[0]:g}–{WAVELENGTH_RANGE_NM[1]:g} nm; {ranges})",
            "say the wavelength unit (wavelength_unit='um', 'eV', ...) and, if needed, "
            "delays_along='row' or 'column'",
        )
    if _even(first_row) and _growing(first_col):
        return "column"
    if _even(first_col) and _growing(first_row):
        return "row"
    raise fail(
        source,
        "cannot tell whether the delays run along the first row or the first column (both axes "
        f"are positive, could be wavelengths in {wl_unit}, and their spacing does not tell; "
        f"{ranges})",
        "say it: delays_along='row' (delays in the first row) or delays_along='column'",
    )


@fill_doc
def read(
    path: Path,
    *,
    delays_along: str | None = None,
    delay_unit: str | None = None,
    wavelength_unit: str | None = None,
    signal_unit: str | None = None,
    sep: str | None = None,
) -> xr.Dataset:
    """Read a delimited ΔA matrix into a raw (not yet validated) TA dataset.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    delays_along : {"row", "column"}, optional
        Where the delays are: the first row or the first column; decided from the data when
        the evidence is clear (see the module docstring).
    delay_unit : str, optional
        Unit of the delays (fs, ps, ns, ...).
    wavelength_unit : str, optional
        Unit of the wavelength axis (nm, µm, eV, cm-1, ...).
    signal_unit : str, optional
        Unit of ΔA (OD, mOD, dT/T, dT/T (%)).
    sep : str, optional
        Cell separator (",", ";", "\\t"); default detected, runs of whitespace included.

    %(raw_ta)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from qdwidgets.data.readers.delimited import read
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ta.csv"
    >>> _ = path.write_text("delay (ps),600,610,620\\n-1,0,0,0\\n0.5,1,2,3\\n1,2,3,4\\n5,1,1,1\\n")
    >>> ds = read(path, signal_unit="mOD")
    >>> dict(ds.sizes), ds["dA"].attrs["units"]
    ({'delay': 4, 'wavelength': 3}, 'mOD')
    """
    history = History()
    for value, kind, name in (
        (delay_unit, "delay", "delay_unit"),
        (wavelength_unit, "wavelength", "wavelength_unit"),
        (signal_unit, "signal", "signal_unit"),
    ):
        if value is not None:
            check_unit(value, kind, name, path)
    if sep is not None and (not isinstance(sep, str) or not sep or sep.isspace()):
        raise ArgumentError(
            f"sep must be a separator such as ',' ';' or '\\t', not {sep!r} (omit it for runs "
            "of whitespace)"
        )
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
    hints = _corner_units(corner, path)
    if along is None:
        named = _corner_axis(corner)
        wl_unit = wavelength_unit or hints.get("wavelength", "nm")
        along = _orientation(top, left, path, wl_unit, named)
        how = f"; the corner cell names the first column ({named})" if named else ""
        history.add(f"delimited: delays detected along the first {along}{how}")
    else:
        history.add(f"delimited: delays along the first {along} (given as delays_along)")
    delay, wl = (top, left) if along == "row" else (left, top)
    signal = data.T if along == "row" else data
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
