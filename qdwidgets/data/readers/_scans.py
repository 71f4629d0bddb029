"""``open_scans``: the scans of one TA measurement (a glob pattern or a folder) as a list.

Each file is read with :func:`qdwidgets.open_dataset` (so every format and reader option works)
and validated as TA data. The list is in natural order of the file paths (``scan2`` before
``scan10``, case-insensitive), so a rerun gives the same list; each scan records its file in
``attrs["scan_file"]`` (the path as matched) and a ``qd_history`` line. The list is ready for
:func:`qdwidgets.core.prepare.average_scans`, which puts scans on other grids onto the first
scan's grid (and says so) and refuses scans that do not overlap.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Any

import xarray as xr

from ...errors import DatasetError
from ..contract import validate

SCAN_FILE_ATTR = "scan_file"
"""The attribute of each scan holding the file it was read from (the path as matched)."""
_GLOB_CHARS = re.compile(r"[*?\[]")


def _natural_key(path: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Sort key: runs of digits compare as numbers, text case-insensitively; ties by the path."""
    parts = re.split(r"(\d+)", path)
    key = tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in parts if p)
    return key, path


def _data_extensions() -> set[str]:
    from ..io import _EXTENSIONS

    return set(_EXTENSIONS)


def _from_folder(folder: Path) -> list[str]:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise DatasetError(
            f"open_scans: the folder {str(folder)!r} cannot be listed ({exc.strerror}). Fix: "
            "check that it exists and that you may read it"
        ) from None
    files = [e for e in entries if not e.name.startswith(".") and e.is_file()]
    known = _data_extensions()
    picked = [os.fspath(f) for f in files if f.suffix.lower() in known]
    if not picked:
        seen = ", ".join(f.name for f in files[:8]) or "no files"
        raise DatasetError(
            f"open_scans: the folder {str(folder)!r} holds no data file (with an extension of "
            f"{sorted(known)}; it holds {seen}). Fix: pass the folder of the scans, or a pattern "
            f"matching them, e.g. qdwidgets.open_scans({os.fspath(folder / 'scan*.csv')!r})"
        )
    return picked


def _from_pattern(pattern: str) -> list[str]:
    found = [p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)]
    if not found:
        raise DatasetError(
            f"open_scans: no file matches {pattern!r} (relative paths start in "
            f"{os.getcwd()!r}). Fix: check the folder and the pattern, e.g. "
            "qdwidgets.open_scans('data/sample1/scan*.csv'), or pass the folder of the scans"
        )
    return found


def scan_files(pattern_or_folder: Any) -> list[str]:
    """The files :func:`open_scans` reads, in its order (natural order of the paths).

    Parameters
    ----------
    pattern_or_folder : str or os.PathLike
        A glob pattern (``*``, ``?``, ``[...]``; ``**`` descends into sub-folders), a folder (its
        data files, by extension: .nc, .npz, .csv, .tsv, .txt, .dat, .ascii, …; hidden files and
        sub-folders left out) or one file.

    Returns
    -------
    list of str
        The paths as matched (relative when the pattern is).
    """
    if isinstance(pattern_or_folder, (list, tuple)):
        raise DatasetError(
            "open_scans: expected one glob pattern or folder, got a list. Fix: pass a pattern "
            "such as 'data/scan*.csv', or open a list yourself: "
            "[qdwidgets.open_dataset(p) for p in files]"
        )
    if not isinstance(pattern_or_folder, (str, os.PathLike)):
        raise DatasetError(
            f"open_scans: expected a glob pattern or folder (str or pathlib.Path), got "
            f"{type(pattern_or_folder).__name__}. Fix: e.g. qdwidgets.open_scans('data/scan*.csv')"
        )
    text = os.path.expanduser(os.fspath(pattern_or_folder))
    if not text.strip():
        raise DatasetError(
            "open_scans: the pattern is empty. Fix: e.g. qdwidgets.open_scans('data/scan*.csv')"
        )
    path = Path(text)
    if path.is_dir():
        files = _from_folder(path)
    elif path.is_file():
        files = [text]
    elif _GLOB_CHARS.search(text):
        files = _from_pattern(text)
    else:
        raise DatasetError(
            f"open_scans: {text!r} is neither a folder, a file nor a pattern matching files "
            f"(relative paths start in {os.getcwd()!r}). Fix: check the path, or pass a pattern "
            "such as 'data/sample1/scan*.csv'"
        )
    return sorted(files, key=_natural_key)


def open_scans(pattern_or_folder: Any, **reader_options: Any) -> list[xr.Dataset]:
    """Read the scans of one TA measurement: every file matching a pattern, or in a folder.

    Parameters
    ----------
    pattern_or_folder : str or os.PathLike
        A glob pattern such as ``"data/sample1/scan*.csv"`` (``**`` descends into sub-folders),
        a folder (its data files by extension; hidden files and sub-folders left out: keep a
        solvent scan in another folder, or use a pattern) or one file.
    **reader_options
        Options for :func:`qdwidgets.open_dataset`, the same for every file, e.g.
        ``format="delimited"``, ``delay_unit="fs"``, ``signal_unit="mOD"``.

    Returns
    -------
    list of xarray.Dataset
        One validated TA dataset per file (delays in ps, wavelengths in nm, ΔA in OD), in natural
        order of the paths (``scan2`` before ``scan10``), each with its file in
        ``attrs["scan_file"]``. Grids may differ: :func:`~qdwidgets.core.prepare.average_scans`
        interpolates them onto the first scan's grid and says so.

    Raises
    ------
    DatasetError
        When nothing matches (the message names the pattern and the working folder), or a file
        cannot be read as TA data (the message names the file).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import qdwidgets
    >>> ta = qdwidgets.examples.ta()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for i in (1, 2, 10):
    ...         _ = qdwidgets.save(ta, Path(folder) / f"scan{i}.nc")
    ...     scans = qdwidgets.open_scans(Path(folder) / "scan*.nc")
    >>> [Path(s.attrs["scan_file"]).name for s in scans]
    ['scan1.nc', 'scan2.nc', 'scan10.nc']
    """
    kind = reader_options.pop("kind", "ta")
    if kind != "ta":
        raise DatasetError(
            f"open_scans: kind={kind!r}, but scans are TA data. Fix: omit kind= (ASE spectra "
            "are read with qdwidgets.open_dataset(folder))"
        )
    from ..io import open_dataset

    files = scan_files(pattern_or_folder)
    out = []
    for i, file in enumerate(files):
        try:
            ds = open_dataset(file, "ta", **reader_options)
        except DatasetError as exc:
            raise DatasetError(
                f"open_scans: scan {i + 1} of {len(files)}, {file!r}, cannot be read: {exc}"
            ) from None
        ds = ds.copy()  # attrs of our own (open_dataset's result is ours already)
        ds.attrs[SCAN_FILE_ATTR] = file
        old = str(ds.attrs.get("qd_history", ""))
        line = f"open_scans: scan {i + 1} of {len(files)} from {file}"
        ds.attrs["qd_history"] = (old + "\n" if old else "") + line
        out.append(validate(ds, "ta"))
    return out
