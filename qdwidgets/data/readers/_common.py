"""Helpers shared by the readers: errors naming the file and line, text decoding, numeric cells,
unit hints in headers, and the provenance attrs (``source``, ``source_format``, ``qd_history``).
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import os
import re
import stat
from collections.abc import Iterator, Sequence
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


# Largest file read unless ``open_dataset(..., max_bytes=)`` raises it (a guard against reading a
# device or a runaway export until memory runs out).
MAX_BYTES = 2 * 1024**3
_max_bytes: contextvars.ContextVar[int] = contextvars.ContextVar("max_bytes", default=MAX_BYTES)

_SPECIAL = (
    (
        stat.S_ISDIR,
        "is a folder, not a file",
        "pass one file, or format='ase-files' for a folder of ASE spectra",
    ),
    (
        stat.S_ISFIFO,
        "is a named pipe (FIFO), not a regular file; it is not opened (reading it "
        "could wait forever)",
        "save the data to a regular file and pass that",
    ),
    (
        stat.S_ISCHR,
        "is a character device, not a regular file; it is not opened",
        "pass the path of a measurement file",
    ),
    (
        stat.S_ISBLK,
        "is a block device, not a regular file; it is not opened",
        "pass the path of a measurement file",
    ),
    (
        stat.S_ISSOCK,
        "is a socket, not a regular file; it is not opened",
        "pass the path of a measurement file",
    ),
)


@contextlib.contextmanager
def read_limit(max_bytes: int | None) -> Iterator[None]:
    """Within the block, files larger than ``max_bytes`` are refused (None: the default)."""
    if max_bytes is None:
        yield
        return
    token = _max_bytes.set(max_bytes)
    try:
        yield
    finally:
        _max_bytes.reset(token)


def _size_text(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} TB"  # pragma: no cover


def check_file(path: Path) -> int:
    """Refuse what is not a regular file (folders, FIFOs, devices, sockets) or is too large,
    before anything is opened. Returns the size in bytes."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise fail(path, "file not found", "check the path and the working directory") from None
    except OSError as exc:
        raise fail(
            path, f"cannot be read ({exc.strerror or exc})", "check the file permissions"
        ) from None
    for test, problem, fix in _SPECIAL:
        if test(st.st_mode):
            raise fail(path, problem, fix)
    if not stat.S_ISREG(st.st_mode):
        raise fail(path, "is not a regular file; it is not opened", "pass a measurement file")
    limit = _max_bytes.get()
    if st.st_size > limit:
        raise _too_large(path, st.st_size, limit)
    return int(st.st_size)


def _too_large(path: Path, size: int, limit: int) -> DatasetError:
    return fail(
        path,
        f"is {_size_text(size)}, more than the read limit of {_size_text(limit)}",
        f"if you mean it, raise the limit: open_dataset(path, max_bytes={2 * max(size, limit)})",
    )


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes (the first ``limit`` only, if given), with errors that name the file.

    Only regular files are opened, and never more than the read limit is read (a file that
    grows while being read, or reports a wrong size, is still cut off and refused).
    """
    check_file(path)
    cap = _max_bytes.get()
    want = cap + 1 if limit is None else min(limit, cap + 1)
    try:
        with path.open("rb") as f:
            data = f.read(want)
    except OSError as exc:
        raise fail(
            path, f"cannot be read ({exc.strerror or exc})", "check the file permissions"
        ) from None
    if len(data) > cap:
        raise _too_large(path, len(data), cap)
    return data


def looks_binary(data: bytes) -> bool:
    """Whether the bytes are not text (NUL bytes or many control characters)."""
    head = data[:4096]
    if b"\x00" in head:
        return True
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > 0.05 * len(head)


def _utf16(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the bytes look like UTF-16 text without a BOM."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode_text(data: bytes, *, strict: bool = True) -> str | None:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 (with a BOM or without), else
    Latin-1; None for binary content. ``strict=False`` tolerates a cut multi-byte character
    (for sniffing the first kilobytes)."""
    errors = "strict" if strict else "replace"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors=errors)
    enc = _utf16(data)
    if enc is not None:
        return data.decode(enc, errors=errors)
    if looks_binary(data):
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if not strict:
            text = data.decode("utf-8-sig", errors="replace")
            if text.count("\ufffd") <= 2:  # a character cut at the end of the sample
                return text
        return data.decode("latin-1")


def read_text(path: Path) -> str:
    """The file decoded as text (UTF-8, UTF-16 or Latin-1; a BOM is dropped), refusing binary."""
    data = read_bytes(path)
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        text = None
    if text is None:
        raise fail(
            path,
            "is a binary file, not text",
            "check that this is the exported text file (CSV/TSV/ASCII); for netCDF or .npz "
            "files pass format='netcdf' or format='npz'",
        )
    return text


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
