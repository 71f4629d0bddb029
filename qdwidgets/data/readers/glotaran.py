"""Glotaran ASCII ("Time explicit" and "Wavelength explicit").

Layout: free header lines (a title, ``Original filename: …``), a line ``Time explicit`` or
``Wavelength explicit``, a line ``Intervalnr N``, then the N values of the explicit axis (one
line, or wrapped over several), then one row per value of the other axis: that value followed by
N signal values. Cells are separated by tabs, spaces, commas or semicolons.

Units: Glotaran's convention is delays in ps and wavelengths in nm; the reader uses it and records
it in ``attrs['qd_history']``. The file does not state the ΔA unit: OD is assumed and recorded
(values above 5 then raise, asking for ``signal_unit``); pass ``signal_unit='mOD'`` (or
``'dT/T'``) when needed. ``delay_unit`` and ``wavelength_unit`` override the convention.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr

from ._common import (
    History,
    check_assumed_od,
    check_finite,
    check_unit,
    fill_doc,
    finish,
    ta_dataset,
    to_floats,
)
from ._files import fail, read_text

_MODE = re.compile(r"^\s*(time|wavelength)\s+explicit\s*$", re.I)
_INTERVAL = re.compile(r"^\s*interval\s*nr\.?\s*[:=]?\s*(\S+)\s*$", re.I)
_SPLIT = re.compile(r"[\s,;]+")


def sniff(text: str) -> bool:
    """Whether a text is a Glotaran ASCII export: a 'Time explicit' / 'Wavelength explicit'
    line near the top.

    Parameters
    ----------
    text : str
        The file's text (its first 12 lines suffice).

    Returns
    -------
    bool

    Examples
    --------
    >>> from qdwidgets.data.readers.glotaran import sniff
    >>> sniff("scan 1\\n\\nTime explicit\\nintervalnr 3\\n"), sniff("delay,600,602\\n")
    (True, False)
    """
    lines = [line for line in text.splitlines()[:12] if line.strip()]
    return any(_MODE.match(line) for line in lines[:8])


@fill_doc
def read(
    path: Path,
    *,
    signal_unit: str | None = None,
    delay_unit: str = "ps",
    wavelength_unit: str = "nm",
) -> xr.Dataset:
    """Read a Glotaran ASCII file into a raw (not yet validated) TA dataset.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    signal_unit : str, optional
        Unit of ΔA (OD, mOD, dT/T, dT/T (%)); OD is assumed and recorded when not given.
    delay_unit : str, default "ps"
        Unit of the delays (Glotaran's convention: ps).
    wavelength_unit : str, default "nm"
        Unit of the wavelengths (Glotaran's convention: nm).

    %(raw_ta)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from qdwidgets.data.readers.glotaran import read
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scan.ascii"
    >>> text = "scan\\n\\nTime explicit\\nIntervalnr 3\\n0 1 2\\n600 1 2 3\\n610 2 3 4\\n"
    >>> _ = path.write_text(text)
    >>> dict(read(path).sizes)  # ΔA in OD assumed and recorded
    {'delay': 3, 'wavelength': 2}
    """
    history = History()
    delay_unit = check_unit(delay_unit, "delay", "delay_unit", path)
    wavelength_unit = check_unit(wavelength_unit, "wavelength", "wavelength_unit", path)
    if signal_unit is not None:
        signal_unit = check_unit(signal_unit, "signal", "signal_unit", path)
    lines = read_text(path).splitlines()
    mode_at = next((i for i, line in enumerate(lines[:20]) if _MODE.match(line)), None)
    if mode_at is None:
        raise fail(
            path,
            "has no 'Time explicit' or 'Wavelength explicit' line in its header",
            "check this is a Glotaran ASCII export; for a plain matrix pass format='delimited'",
        )
    mode = _MODE.match(lines[mode_at]).group(1).lower()  # type: ignore[union-attr]
    header = [line.strip() for line in lines[:mode_at] if line.strip()]
    rest = [(i + 1, line.strip()) for i, line in enumerate(lines) if i > mode_at and line.strip()]
    if not rest:
        raise fail(
            path, "ends after the header (truncated file?)", "re-export the data", line=mode_at + 1
        )
    line_no, text = rest[0]
    m = _INTERVAL.match(text)
    if not m:
        raise fail(
            path,
            f"expected 'Intervalnr N' after the '{mode} explicit' line, found {text[:40]!r}",
            "check the header of the Glotaran file",
            line=line_no,
        )
    try:
        n = int(m.group(1))
    except ValueError:
        n = -1
    if n < 1 or n > 10_000_000:
        raise fail(
            path,
            f"'Intervalnr {m.group(1)}' is not a sensible count",
            "it must be the number of explicit axis values",
            line=line_no,
        )
    # the explicit axis, possibly wrapped over several lines
    axis: list[float] = []
    k = 1
    while len(axis) < n:
        if k >= len(rest):
            raise fail(
                path,
                f"the explicit {mode} axis has {len(axis)} values, Intervalnr says {n} "
                "(truncated file?)",
                "re-export the file, or correct Intervalnr",
                line=rest[-1][0],
            )
        line_no, text = rest[k]
        cells = [c for c in _SPLIT.split(text) if c]
        axis += to_floats(cells, path, line_no).tolist()
        k += 1
    if len(axis) != n:
        raise fail(
            path,
            f"the explicit {mode} axis has {len(axis)} values, Intervalnr says {n}",
            "correct Intervalnr or the axis line",
            line=line_no,
        )
    rows, other, row_lines = [], [], []
    for line_no, text in rest[k:]:
        cells = [c for c in _SPLIT.split(text) if c]
        if len(cells) != n + 1:
            raise fail(
                path,
                f"this row has {len(cells)} cells, expected {n + 1} (one "
                f"{'wavelength' if mode == 'time' else 'delay'} and {n} values): a ragged or "
                "truncated row",
                "complete or delete the row",
                line=line_no,
            )
        values = to_floats(cells, path, line_no)
        other.append(values[0])
        rows.append(values[1:])
        row_lines.append(line_no)
    if not rows:
        raise fail(
            path,
            "has an axis line but no data rows (truncated file?)",
            "re-export the data",
            line=line_no,
        )
    matrix = np.asarray(rows, dtype=float)
    check_finite(np.asarray(other)[:, None], path, "the first column", row_lines)
    check_finite(np.asarray(axis)[None, :], path, "the explicit axis line", [rest[1][0]])
    check_finite(matrix, path, "the data", row_lines, col_offset=2)
    if signal_unit is None:
        check_assumed_od(matrix, path)
        signal_unit = "OD"
        history.add(
            "glotaran: the file does not state the ΔA unit; assumed OD "
            "(pass signal_unit= otherwise)"
        )
    else:
        history.add(f"glotaran: ΔA unit {signal_unit} (given as signal_unit)")
    history.add(
        f"glotaran: '{mode} explicit' layout; delays in {delay_unit}, wavelengths in "
        f"{wavelength_unit} (Glotaran convention unless given as options)"
    )
    if mode == "time":
        ds = ta_dataset(
            np.asarray(axis), np.asarray(other), matrix.T, delay_unit, wavelength_unit, signal_unit
        )
    else:
        ds = ta_dataset(
            np.asarray(other), np.asarray(axis), matrix, delay_unit, wavelength_unit, signal_unit
        )
    if header:
        ds.attrs["title"] = header[0]
    for line in header[1:]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "original filename":
            ds.attrs["original_filename"] = value.strip()
    return finish(ds, path, "glotaran", history)
