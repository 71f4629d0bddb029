"""Reading files safely: only regular files (never FIFOs, devices, sockets or folders), never
more than the read limit, and text decoded from UTF-8, UTF-16 (with or without BOM) or Latin-1.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from ...errors import DatasetError


def fail(source: object, problem: str, fix: str, line: int | None = None) -> DatasetError:
    """A DatasetError naming the file (and 1-based line), the problem and the fix."""
    where = f"{source}" if line is None else f"{source}, line {line}"
    return DatasetError(f"{where}: {problem}. Fix: {fix}")


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


def check_unpacked(path: Path, size: int) -> None:
    """Refuse a compressed file (npz, netCDF) whose contents unpack to more than the limit."""
    limit = _max_bytes.get()
    if size > limit:
        raise fail(
            path,
            f"unpacks to {_size_text(size)}, more than the read limit of {_size_text(limit)}",
            f"if you mean it, raise the limit: open_dataset(path, max_bytes={2 * size}), or "
            "open it lazily with xarray.open_dataset(path, chunks={}) and validate that",
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
