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

from ...errors import DatasetError
from .. import units as U

PathLike = str | os.PathLike[str]

# Largest |ΔA| accepted when the unit was assumed to be OD: an OD change of 5 means the sample
# went from transmitting to blocking 99.999 % of the probe, which no TA measurement does.
MAX_ASSUMED_OD = 5.0


def fail(source: object, problem: str, fix: str, line: int | None = None) -> DatasetError:
    """A DatasetError naming the file (and 1-based line), the problem and the fix."""
    where = f"{source}" if line is None else f"{source}, line {line}"
    return DatasetError(f"{where}: {problem}. Fix: {fix}")


def as_path(path: object, what: str = "path") -> Path:
    if isinstance(path, (str, os.PathLike)):
        return Path(path)
    raise DatasetError(
        f"{what}: expected a file path (str or pathlib.Path), got {type(path).__name__}. "
        "Fix: pass the path of the file, e.g. qdwidgets.open_dataset('data/run1.csv')"
    )


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes (the first ``limit`` only, if given), with errors that name the file."""
    try:
        if limit is not None:
            with path.open("rb") as f:
                return f.read(limit)
        return path.read_bytes()
    except FileNotFoundError:
        raise fail(path, "file not found", "check the path and the working directory") from None
    except IsADirectoryError:
        raise fail(
            path,
            "is a folder, not a file",
            "pass one file, or format='ase-files' for a folder of ASE spectra",
        ) from None
    except OSError as exc:
        raise fail(
            path, f"cannot be read ({exc.strerror or exc})", "check the file permissions"
        ) from None


def looks_binary(data: bytes) -> bool:
    """Whether the bytes are not text (NUL bytes or many control characters)."""
    head = data[:4096]
    if b"\x00" in head:
        return True
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > 0.05 * len(head)


def read_text(path: Path) -> str:
    """The file decoded as UTF-8 (or Latin-1), refusing binary content."""
    data = read_bytes(path)
    if looks_binary(data):
        raise fail(
            path,
            "is a binary file, not text",
            "check that this is the exported text file (CSV/TSV/ASCII; text saved as UTF-16 "
            "must be re-saved as UTF-8); for netCDF or .npz files pass format='netcdf' or "
            "format='npz'",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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


_UNIT_IN_TEXT = re.compile(r"[\(\[]\s*([^\)\]]+?)\s*[\)\]]|[_/ ]([A-Za-zµμ/]+)$")


def unit_hint(label: str) -> str | None:
    """A unit written in a header label: 'delay (ps)', 'wavelength [nm]', 'power_mW', 'P/W'."""
    m = _UNIT_IN_TEXT.search(label.strip())
    if not m:
        return None
    return (m.group(1) or m.group(2)).strip()


def unit_kind(unit: str) -> str | None:
    """Which axis a unit belongs to: 'delay', 'wavelength', 'power', 'signal', or None."""
    for kind, func in (
        ("delay", U.time_to_ps),
        ("wavelength", U.wavelength_to_nm),
        ("power", U.power_to_mw),
        ("signal", U.signal_to_od),
    ):
        try:
            func(np.ones(1), unit)
        except DatasetError:
            continue
        return kind
    return None


def check_unit(unit: object, kind: str, option: str, source: object) -> str:
    """Validate a unit given as an option, raising a DatasetError naming the option."""
    func = {
        "delay": U.time_to_ps,
        "wavelength": U.wavelength_to_nm,
        "power": U.power_to_mw,
        "signal": U.signal_to_od,
    }[kind]
    if not isinstance(unit, str):
        raise fail(
            source,
            f"{option}={unit!r} is not a unit name",
            f"pass a string, e.g. {option}='{U.CANONICAL[kind]}'",
        )
    try:
        func(np.ones(1), unit, option)
    except DatasetError as exc:
        raise fail(source, f"{option}={unit!r} is not a known unit", str(exc)) from None
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
