"""netCDF, the native format (written by ``qdwidgets.save``).

Units come from the CF ``units`` attributes in the file, so nothing is assumed; ``validate``
converts them and records that it did. Time-like units ('seconds', 'ns') are kept as numbers, not
decoded into timedeltas. The file is read fully into memory and closed.

Unlike the other readers, this one adds nothing to the attrs (no ``source``, no ``qd_history``
line): a file written by ``qdwidgets.save`` already carries the provenance of its data, and
``save`` → ``open_dataset`` must give back exactly the dataset that was saved.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from ...errors import DatasetError
from ._files import check_unpacked, fail, read_bytes

NETCDF_MAGIC = (b"\x89HDF\r\n\x1a\n", b"CDF\x01", b"CDF\x02", b"CDF\x05")


def sniff(head: bytes) -> bool:
    """Whether a file is netCDF (classic or netCDF-4/HDF5), from its first bytes.

    Parameters
    ----------
    head : bytes
        The file's first bytes (8 suffice).

    Returns
    -------
    bool

    Examples
    --------
    >>> from qdwidgets.data.readers.netcdf import sniff
    >>> sniff(b"\\x89HDF\\r\\n\\x1a\\n"), sniff(b"CDF\\x01"), sniff(b"PK\\x03\\x04")
    (True, True, False)
    """
    return head.startswith(NETCDF_MAGIC)


def read(path: Path) -> xr.Dataset:
    """Read a netCDF file into memory (no validation here).

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    xarray.Dataset
        The file's dataset, units as stored in its CF ``units`` attributes.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import qdwidgets
    >>> from qdwidgets.data.readers.netcdf import read
    >>> path = qdwidgets.save(qdwidgets.examples.ta(), pathlib.Path(tempfile.mkdtemp()) / "ta.nc")
    >>> dict(read(path).sizes)
    {'pump': 2, 'delay': 286, 'wavelength': 281}
    """
    head = read_bytes(path, limit=8)
    if not sniff(head):
        raise fail(
            path,
            "is not a netCDF file (it does not start with a netCDF/HDF5 signature)",
            "check the file; for text exports omit format= or pass format='delimited' or "
            "'glotaran'",
        )
    try:
        with xr.open_dataset(path, engine="netcdf4", decode_timedelta=False) as f:
            check_unpacked(path, int(f.nbytes))  # compressed variables may unpack to gigabytes
            ds = f.load()
    except DatasetError:
        raise
    except Exception as exc:  # netCDF4/HDF5 raise many types on damaged files
        raise fail(
            path,
            f"cannot be read as netCDF ({type(exc).__name__}: {exc}); the file may be truncated "
            "or damaged",
            "re-export or re-copy the file; qdwidgets.save(ds, path) writes a valid one",
        ) from None
    out: xr.Dataset = ds.drop_encoding()
    return out
