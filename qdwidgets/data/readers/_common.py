"""Helpers shared by the readers: errors naming the file and line, text decoding, numeric cells,
unit hints in headers, and the provenance attrs (``source``, ``source_format``, ``qd_history``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..._docstrings import doc_filler
from ...errors import DatasetError
from .. import units as U
from ._files import fail

PathLike = str | os.PathLike[str]

# the docstring sections the readers share: Returns and Raises, and the ASE attrs options
_RAISES = """

Raises
------
DatasetError
    Naming the file, the line or array, the problem and the fix (often an option)."""
fill_doc = doc_filler(
    {
        "raw_ta": """Returns
-------
xarray.Dataset
    A raw TA dataset: ``open_dataset`` validates it (delays in ps, wavelengths in nm, ΔA in
    OD); what was assumed is recorded in ``attrs['qd_history']``."""
        + _RAISES,
        "raw_ase": """Returns
-------
xarray.Dataset
    A raw ASE dataset: ``open_dataset`` validates it (powers in mW, wavelengths in nm);
    what was assumed is recorded in ``attrs['qd_history']``."""
        + _RAISES,
        "ase_attrs": """spot_diameter_mm : float, optional
    Pump spot diameter (mm), stored in attrs.
beam_profile : {"tophat", "gaussian"}, optional
    What the diameter means, stored in attrs.
pump_wavelength_nm : float, optional
    CW pump wavelength (nm), stored in attrs.""",
    }
)

# Largest |ΔA| accepted when the unit was assumed to be OD: an OD change of 5 means the sample
# went from transmitting to blocking 99.999 % of the probe, which no TA measurement does.
MAX_ASSUMED_OD = 5.0


def as_path(path: object, what: str = "path") -> Path:
    """``path`` as a Path; anything that is not a usable path raises a DatasetError."""
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str) and text.strip() and "\x00" not in text:
            return Path(text)
        raise DatasetError(
            f"{what}: {str(text)[:80]!r} is not a usable path (empty, or with a NUL character). "
            "Fix: pass the path of the file, e.g. qdwidgets.open_dataset('data/run1.csv')"
        )
    raise DatasetError(
        f"{what}: expected a file path (str or pathlib.Path), got {type(path).__name__}. "
        "Fix: pass the path of the file, e.g. qdwidgets.open_dataset('data/run1.csv')"
    )


def is_dir(path: Path) -> bool:
    """Whether ``path`` is a folder; False (not an exception) for names the OS refuses."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def data_lines(text: str, comment: str = "#") -> list[tuple[int, str]]:
    """(1-based line number, stripped line) for non-blank, non-comment lines."""
    out = []
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith(comment):
            out.append((i, line))
    return out


def detect_separator(lines: Sequence[str]) -> str | None:
    """',' ';' or tab if every sample line has it, else None (runs of whitespace)."""
    sample = list(lines[:20])
    for sep in ("\t", ";", ","):
        if sample and all(sep in line for line in sample):
            return sep
    return None


def split(line: str, sep: str | None) -> list[str]:
    cells = line.split(sep) if sep is not None else line.split()
    return [c.strip() for c in cells]


def to_float(cell: str, source: object, line: int, column: int) -> float:
    """One numeric cell (Python float syntax), or a DatasetError naming the line and column."""
    text = cell.strip()
    try:
        return float(text)
    except ValueError:
        pass
    shown = text if len(text) <= 30 else text[:27] + "..."
    hint = " (a decimal comma? write 1.5, not 1,5)" if re.match(r"^[+-]?\d+,\d+$", text) else ""
    raise fail(
        source,
        f"column {column} holds {shown!r}, which is not a number{hint}",
        "correct or delete that cell; the matrix must be numbers only (apart from the "
        "header and the corner cell)",
        line=line,
    )


def to_floats(cells: Sequence[str], source: object, line: int, first_column: int = 1) -> np.ndarray:
    """A row of numeric cells as floats (fast path through numpy; errors name line and column)."""
    try:
        return np.array(cells, dtype=str).astype(float)
    except ValueError:
        return np.array([to_float(c, source, line, first_column + j) for j, c in enumerate(cells)])


def check_finite(
    values: np.ndarray, source: object, what: str, lines: Sequence[int], col_offset: int = 1
) -> None:
    """Refuse NaN/inf in a 2-D parsed block, naming the line and column of the first one.

    ``lines[r]`` is the file line of row r; ``col_offset`` the file column of block column 0.
    """
    bad = ~np.isfinite(np.atleast_2d(values))
    if bad.any():
        r, c = (int(i) for i in np.argwhere(bad)[0])
        raise fail(
            source,
            f"{what} holds {int(bad.sum())} NaN or infinite value(s), the first in column "
            f"{c + col_offset}",
            "fill or remove the missing measurements in the file (or crop the range) before "
            "loading",
            line=lines[r] if r < len(lines) else None,
        )


def unit_hint(label: str) -> str | None:
    """A unit written in a header label, in a unit position only (see ``units.unit_in_label``)."""
    return U.unit_in_label(label)


def unit_kind(unit: str) -> str | None:
    """Which axis a unit belongs to: 'delay', 'wavelength', 'power', 'signal', or None."""
    return U.kind_of(unit)


def header_unit(label: str, kind: str, option: str, source: object) -> str | None:
    """The unit of ``kind`` written in a column header, None when none is written; a unit that
    is unknown or of another quantity ('power (%)', 'power (mA)', 'wavelength (px)') raises a
    DatasetError naming the option that settles it and the known units."""
    unit = U.unit_in_label(label)
    if unit is None:
        return None
    if U.kind_of(unit) == kind:
        return unit
    if U.quantity_of(label) is None and U.kind_of(unit) is None and "(" not in label:
        return None  # a trailing word that is not a unit ('sample MS-2'): no unit written
    raise fail(
        source,
        f"the header {label!r} gives the unit {unit!r}{U.meaning(unit, kind)}, which is not a "
        f"{kind} unit",
        f"convert that column to one of: {U.known_units(kind)}; or, if the header is wrong, "
        f"pass {option}= to say the unit",
    )


def check_unit(unit: object, kind: str, option: str, source: object) -> str:
    """Validate a unit given as an option, raising a DatasetError naming the option."""
    func = U.CONVERTERS[kind]
    if not isinstance(unit, str):
        raise fail(
            source,
            f"{option}={unit!r} is not a unit name",
            f"pass a string, e.g. {option}='{U.CANONICAL[kind]}'",
        )
    if U.kind_of(unit) != kind:
        raise fail(
            source,
            f"{option}={unit!r} is not a known unit",
            str(U.unknown_unit(unit, option, kind)),
        )
    func(np.ones(1), unit, option)
    return unit


def check_assumed_od(values: np.ndarray, source: object, what: str = "the signal") -> None:
    """Refuse implausibly large values when the OD unit was only assumed (probably mOD)."""
    finite = np.abs(values[np.isfinite(values)])
    peak = float(finite.max()) if finite.size else 0.0
    if peak > MAX_ASSUMED_OD:
        raise fail(
            source,
            f"{what} reaches {peak:.4g}, implausible for an absorbance change in OD (the file "
            "does not state its unit)",
            "say which unit it is in: signal_unit='mOD' (milli-OD), 'dT/T', or 'OD' if these "
            "really are OD",
        )


class History:
    """Lines for attrs['qd_history'], prefixed 'read: '."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(f"read: {line}")

    def text(self) -> str:
        return "\n".join(self.lines)


def finish(ds: xr.Dataset, path: Path, fmt: str, history: History) -> xr.Dataset:
    """Set source, source_format and qd_history on the reader's dataset."""
    ds.attrs["source"] = path.name
    ds.attrs["source_format"] = fmt
    old = str(ds.attrs.get("qd_history", ""))
    lines = [line for line in old.splitlines() if line] + history.lines
    if lines:
        ds.attrs["qd_history"] = "\n".join(lines)
    return ds


def coord(values: Any, name: str, unit: str) -> tuple[str, np.ndarray, dict[str, str]]:
    return (
        name,
        np.asarray(values, dtype=float),
        {"units": unit, "long_name": U.LONG_NAMES.get(name, name)},
    )


def ta_dataset(
    delay: np.ndarray,
    wavelength: np.ndarray,
    signal: np.ndarray,
    delay_unit: str,
    wavelength_unit: str,
    signal_unit: str,
) -> xr.Dataset:
    """A raw TA dataset (delay, wavelength) in the stated units; validate() converts them."""
    return xr.Dataset(
        {
            "dA": (
                ("delay", "wavelength"),
                np.asarray(signal, dtype=float),
                {"units": signal_unit, "long_name": U.LONG_NAMES["dA"]},
            )
        },
        coords={
            "delay": coord(delay, "delay", delay_unit),
            "wavelength": coord(wavelength, "wavelength", wavelength_unit),
        },
    )
