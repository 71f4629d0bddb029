"""Open any supported file as a validated dataset, and save datasets to netCDF.

``open_dataset(path, kind=None, *, format=None, **options)`` detects the format from the content
(netCDF/HDF5 and zip signatures, the Glotaran header, the column names of an ASE table) and the
extension, or takes ``format=`` ("netcdf", "glotaran", "delimited", "npz", "ase-table",
"ase-files"). The reader's options are listed in each module of ``qdwidgets.data.readers``.
``save(ds, path)`` validates and writes netCDF (netCDF4 engine); ``save`` → ``open_dataset`` gives
back exactly ``validate(ds)``.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .._args import integer
from ..errors import DatasetError
from ._marker import VALIDATED_ATTR
from .contract import validate
from .readers._common import as_path, is_dir
from .readers._files import decode_text, fail, read_bytes, read_limit

# format name -> (module in qdwidgets.data.readers, function)
FORMATS: dict[str, tuple[str, str]] = {
    "netcdf": ("netcdf", "read"),
    "glotaran": ("glotaran", "read"),
    "delimited": ("delimited", "read"),
    "npz": ("npz", "read"),
    "ase-table": ("ase", "read_table"),
    "ase-files": ("ase_files", "read_files"),
}
_EXTENSIONS = {
    ".nc": "netcdf",
    ".nc4": "netcdf",
    ".netcdf": "netcdf",
    ".cdf": "netcdf",
    ".h5": "netcdf",
    ".npz": "npz",
    ".ascii": "glotaran",
    ".ana": "glotaran",
    ".csv": "delimited",
    ".tsv": "delimited",
    ".txt": "delimited",
    ".dat": "delimited",
}


def _reader(fmt: str) -> Callable[..., xr.Dataset]:
    module, func = FORMATS[fmt]
    mod = importlib.import_module(f".readers.{module}", __package__)
    reader: Callable[..., xr.Dataset] = getattr(mod, func)
    return reader


def detect_format(path: Any) -> str:
    """The format of a file (a key of ``FORMATS``), from its content first, then its extension.

    Parameters
    ----------
    path : str or os.PathLike or list of them
        A file; a folder or a list of files is an ASE series (``"ase-files"``).

    Returns
    -------
    str
        One of "netcdf", "glotaran", "delimited", "npz", "ase-table", "ase-files".

    Raises
    ------
    DatasetError
        When the file is missing, empty, binary of an unknown kind, or too large (with the fix).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import qdwidgets
    >>> from qdwidgets.data.io import detect_format
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ta.nc"
    >>> _ = qdwidgets.save(qdwidgets.examples.ta(), path)
    >>> detect_format(path)
    'netcdf'
    """
    if isinstance(path, (list, tuple)):
        return "ase-files"
    p = as_path(path)
    if is_dir(p):
        return "ase-files"
    data = read_bytes(p, limit=65536)  # enough to sniff; readers read the whole file
    if not data.strip():
        raise fail(p, "is empty", "check that the export finished and the file holds data")
    head = data[:8]
    from .readers import netcdf

    if netcdf.sniff(head):
        return "netcdf"
    if head.startswith(b"PK\x03\x04"):
        return "npz"
    ext = p.suffix.lower()
    text = decode_text(data, strict=False)
    if text is None:
        raise fail(
            p,
            "is a binary file of an unknown format (neither netCDF nor .npz)",
            "export the data as netCDF, .npz or text (CSV/TSV, Glotaran ASCII), or pass "
            f"format= one of {sorted(FORMATS)} if you know it",
        )
    from .readers import ase, glotaran

    if glotaran.sniff(text):
        return "glotaran"
    if ase.sniff_table(text):
        return "ase-table"
    guess = _EXTENSIONS.get(ext)
    if guess in (None, "delimited"):
        return "delimited"
    if guess in ("netcdf", "npz"):
        raise fail(
            p,
            f"has the extension {ext!r} but holds text, not {guess} data",
            "rename the file to its real type, or pass format='delimited' or 'glotaran'",
        )
    return guess


def open_dataset(
    path: Any,
    kind: str | None = None,
    *,
    format: str | None = None,
    max_bytes: int | None = None,
    **options: Any,
) -> xr.Dataset:
    r"""Read ``path`` (a file, or a folder / list of files of ASE spectra) as a validated Dataset.

    ``kind`` ('ta' or 'ase') is passed to ``validate``. ``format`` overrides detection. Other
    keyword options go to the format's reader (e.g. ``delay_unit='fs'``, ``signal_unit='mOD'``,
    ``delays_along='column'``); unknown options raise a DatasetError listing the accepted ones.
    Every assumption a reader makes is recorded in ``attrs['qd_history']``.

    Only regular files are opened (folders of ASE spectra aside): named pipes, devices and
    sockets are refused before any read, and so is a file larger than ``max_bytes`` (default
    2 GiB, ``qdwidgets.data.readers._files.MAX_BYTES``).

    Parameters
    ----------
    path : str, os.PathLike or list of them
        A measurement file, or a folder or list of files of ASE spectra (one per pump power).
    kind : {"ta", "ase"}, optional
        The kind of data, passed to :func:`~qdwidgets.data.validate`.
    format : str, optional
        One of "netcdf", "npz", "glotaran", "delimited", "ase-table", "ase-files"; default
        detected from the content, then the extension (:func:`detect_format`).
    max_bytes : int, optional
        Largest file read (bytes); default 2 GiB.
    **options
        The reader's options (:func:`accepted_options`), e.g. ``delay_unit``, ``signal_unit``,
        ``wavelength_unit``, ``delays_along``.

    Returns
    -------
    xarray.Dataset
        A validated dataset: delays in ps, wavelengths in nm, signals in OD, powers in mW.

    Raises
    ------
    DatasetError
        When the file cannot be read or its contents break the dataset contract; the message
        names the problem and the fix (often a reader option).

    Examples
    --------
    A ΔA matrix in mOD as CSV, delays in fs down the first column, wavelengths (nm) across:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from qdwidgets.data import open_dataset
    >>> text = "delay (fs),600,620,640\n-500,0,0,0\n0,1,2,1\n500,1.5,2.5,1\n1000,2,3,1\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "run.csv"
    ...     _ = path.write_text(text)
    ...     ta = open_dataset(path, signal_unit="mOD")
    >>> ta.delay.values.tolist(), ta.dA.attrs["units"], float(ta.dA.max())
    ([-0.5, 0.0, 0.5, 1.0], 'OD', 0.003)
    """
    if kind is not None and kind not in ("ta", "ase"):
        raise DatasetError(f"kind={kind!r} is not a dataset kind. Fix: pass kind='ta' or 'ase'")
    if max_bytes is not None:
        max_bytes = int(integer("max_bytes", max_bytes, lo=1, hi=2**62))
    with read_limit(max_bytes):
        return _open(path, kind, format, options)


def _open(path: Any, kind: str | None, format: str | None, options: dict[str, Any]) -> xr.Dataset:
    if format is None:
        fmt = detect_format(path)
    else:
        fmt = str(format).lower().replace("_", "-")
        if fmt not in FORMATS:
            raise DatasetError(
                f"format={format!r} is not a known format. Fix: use one of {sorted(FORMATS)}, "
                "or omit format= to detect it"
            )
    if fmt != "ase-files" or not isinstance(path, (list, tuple)):
        path = as_path(path)
    reader = _reader(fmt)
    _check_options(reader, fmt, options)
    ds = reader(path, **options)
    # a file is outside input: its contents are checked in full, whatever marker it carries
    ds.attrs.pop(VALIDATED_ATTR, None)
    try:
        return validate(ds, kind)
    except DatasetError as exc:
        name = ds.attrs.get("source", "the file")
        text = str(exc)
        if "coordinate 'wavelength'" in text and "wavelength_unit" in accepted_options(fmt):
            text += "; for this file: open_dataset(path, wavelength_unit='um') (or 'eV', 'A')"
        raise DatasetError(f"{name} (read as {fmt}): {text}") from None


def accepted_options(fmt: str) -> list[str]:
    """The keyword options the reader of format ``fmt`` accepts (see FORMATS).

    Parameters
    ----------
    fmt : str
        A format name: "netcdf", "npz", "glotaran", "delimited", "ase-table" or "ase-files".

    Returns
    -------
    list of str
        The option names, e.g. for "glotaran" ``delay_unit``, ``signal_unit``,
        ``wavelength_unit``.

    Examples
    --------
    >>> from qdwidgets.data.io import accepted_options
    >>> accepted_options("glotaran")
    ['signal_unit', 'delay_unit', 'wavelength_unit']
    """
    if fmt not in FORMATS:
        return []
    params = inspect.signature(_reader(fmt)).parameters
    return [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _check_options(reader: Callable[..., Any], fmt: str, options: dict[str, Any]) -> None:
    params = inspect.signature(reader).parameters
    accepted = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = [k for k in options if k not in accepted]
    if unknown:
        raise DatasetError(
            f"option {unknown[0]!r} is not understood by the {fmt!r} reader. Fix: use one of "
            f"{accepted or 'no options'} (check the spelling, or pass format= if the format was "
            "detected wrongly)"
        )


# -- writing --------------------------------------------------------------------------------


def _attr_problem(value: Any) -> str | None:
    if isinstance(value, (bool, np.bool_)):
        return "a boolean (netCDF has no booleans)"
    if isinstance(value, (str, int, float, np.integer, np.floating)):
        return None
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        if (
            arr.ndim == 1
            and arr.size
            and (np.issubdtype(arr.dtype, np.number) and arr.dtype != bool)
        ):
            return None
        return "a sequence that is not a non-empty 1-D array of numbers"
    return f"a {type(value).__name__}"


def _check_attrs(ds: xr.Dataset) -> None:
    items: list[tuple[str, dict[Any, Any]]] = [("the dataset", ds.attrs)]
    items += [(f"variable {name!r}", var.attrs) for name, var in ds.variables.items()]
    for where, attrs in items:
        for key, value in attrs.items():
            problem = _attr_problem(value)
            if problem is not None:
                raise DatasetError(
                    f"attrs[{key!r}] of {where} is {problem}, which netCDF cannot store. Fix: "
                    "store it as a string, a number or a 1-D list of numbers (e.g. "
                    f"attrs[{key!r}] = str(value), or json.dumps(value))"
                )


def save(ds: xr.Dataset, path: str | os.PathLike[str]) -> Path:
    """Validate ``ds`` and write it to netCDF at ``path`` (netCDF4 engine, zlib-compressed).

    Attrs must be netCDF-safe (str, numbers, 1-D numeric arrays); the file is written to a
    temporary name and moved into place, so a failed save leaves no half-written file. Returns the
    path. ``open_dataset(path)`` gives back exactly ``validate(ds)``.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA or ASE dataset (validated on the way out).
    path : str or os.PathLike
        Where to write the netCDF file.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DatasetError
        When the dataset breaks the contract or holds attrs netCDF cannot store.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import qdwidgets
    >>> ta = qdwidgets.examples.ta()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = qdwidgets.save(ta, Path(folder) / "ta.nc")
    ...     back = qdwidgets.open_dataset(path)
    ...     print(back.dA.equals(ta.dA), back.attrs["qd_kind"])
    True ta
    """
    out = validate(ds).drop_encoding()
    _check_attrs(out)
    target = as_path(path, "save path")
    if target.suffix.lower() not in (".nc", ".nc4", ".netcdf", ".cdf"):
        raise DatasetError(
            f"{target}: save writes netCDF, so the file name should end in '.nc'. Fix: "
            f"qdwidgets.save(ds, '{target.with_suffix('.nc').name}')"
        )
    if not target.parent.is_dir():
        raise DatasetError(
            f"{target}: the folder {str(target.parent)!r} does not exist. Fix: create it first "
            "(pathlib.Path(folder).mkdir(parents=True))"
        )
    encoding = {
        name: {"zlib": True, "complevel": 4, "_FillValue": None}
        for name, var in out.variables.items()
        if np.issubdtype(var.dtype, np.number)
    }
    fd, tmp = tempfile.mkstemp(suffix=".nc", prefix=".qdsave-", dir=target.parent)
    os.close(fd)
    try:
        out.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)
        os.replace(tmp, target)
    except DatasetError:
        raise
    except Exception as exc:
        raise DatasetError(
            f"{target}: could not be written ({type(exc).__name__}: {exc}). Fix: check the "
            "folder is writable and the disk not full"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target
