"""NumPy ``.npz`` archives with named arrays: a 2-D ΔA array and two 1-D axes.

Loaded with ``allow_pickle=False``: archives holding pickled objects are refused. Arrays are found
by the options ``signal_array``, ``delay_array``, ``wavelength_array``, or by common names
(signal: data, dA, signal, spectra, matrix; delay: t, time, delay(s); wavelength: wl, wavelength(s),
lambda). Orientation comes from matching shapes; square data (as many delays as wavelengths) needs
``delay_axis=0`` or ``1`` (the axis of the signal array that runs along delay).

Units: .npz has no unit metadata. A unit is taken from the array name (``t_ps``, ``delay_fs``,
``wl_nm``) or from a string array ``<name>_units``; else:
- ``delay_unit`` is REQUIRED (fs, ps or ns all occur in practice; the error shows the values),
- wavelengths are assumed nm (recorded; values outside 100–20000 nm raise),
- the signal is assumed OD (recorded; ``|ΔA|`` > 5 raises, asking for ``signal_unit='mOD'``).
Example: skultrafast's test file has ``t`` in ns and ``data`` in (3×) mOD:
``open_dataset(f, delay_unit="ns", signal_unit="mOD")``.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from ..._args import integer
from ...errors import DatasetError
from .. import units as U
from ..contract import WAVELENGTH_RANGE_NM
from ._common import History, check_assumed_od, check_unit, fill_doc, finish, ta_dataset, unit_kind
from ._files import check_unpacked, fail, read_bytes

NAMES = {
    "signal": ("data", "da", "delta_a", "deltaa", "signal", "spectra", "matrix", "mat", "dod"),
    "delay": ("t", "time", "times", "delay", "delays", "delay_time", "delay_times"),
    "wavelength": ("wl", "wavelength", "wavelengths", "lambda", "lam", "wave", "wavelen"),
}


def _load(path: Path) -> dict[str, np.ndarray]:
    raw = read_bytes(path)  # also gives clear errors for missing files and folders
    head = raw[:6]
    if head.startswith(b"\x93NUMPY"):
        raise fail(
            path,
            "is a single .npy array, not an .npz archive of named arrays",
            "save the arrays by name: np.savez(f, data=dA, t=delays, wl=wavelengths)",
        )
    if not head.startswith(b"PK\x03\x04"):
        raise fail(
            path,
            "is not an .npz archive (it does not start with the zip signature)",
            "check the file, or omit format= to detect its format",
        )
    try:
        with warnings.catch_warnings():
            # archives written under Python 2 make numpy warn about their header; harmless
            warnings.simplefilter("ignore", UserWarning)
            # from memory: numpy leaks the file handle when a damaged zip fails to open
            archive = np.load(io.BytesIO(raw), allow_pickle=False)
            with archive:
                unpacked = sum(info.file_size for info in archive.zip.infolist())
                check_unpacked(path, unpacked)  # a small archive may unpack to gigabytes
                return {name: archive[name] for name in archive.files}
    except DatasetError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise fail(
                path,
                "holds pickled Python objects, which are not loaded (unsafe)",
                "re-save with plain numeric arrays: np.savez(f, data=..., t=..., wl=...)",
            ) from None
        raise fail(path, f"is not a readable .npz archive ({exc})", "re-save the file") from None
    except Exception as exc:  # zipfile, zlib, struct, ... on damaged or hostile archives
        raise fail(
            path,
            f"is not a readable .npz archive ({type(exc).__name__}: {exc}); truncated or damaged?",
            "re-save or re-copy the file",
        ) from None


def _pick(arrays: dict[str, np.ndarray], role: str, given: str | None, path: Path) -> str:
    if given is not None:
        if given not in arrays:
            raise fail(
                path,
                f"{role}_array={given!r} is not in the archive (arrays: {sorted(arrays)})",
                f"pass one of those names as {role}_array=",
            )
        return given
    by_base: dict[str, str] = {}
    for name in arrays:
        base = name.lower()
        by_base.setdefault(base, name)
        stem, _, suffix = base.rpartition("_")
        if stem and unit_kind(suffix) is not None:
            by_base.setdefault(stem, name)
    found = [by_base[n] for n in NAMES[role] if n in by_base]
    if not found:
        raise fail(
            path,
            f"no {role} array found among {sorted(arrays)}",
            f"name it with {role}_array='<name>'",
        )
    return found[0]


def _unit_from_name(name: str, arrays: dict[str, np.ndarray], kind: str) -> str | None:
    for key in (f"{name}_units", f"{name}_unit"):
        if key in arrays and arrays[key].dtype.kind in "US" and arrays[key].size == 1:
            item = arrays[key].reshape(()).item()
            unit = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
            if unit_kind(unit) == kind:
                return unit
    suffix = name.rpartition("_")[2]
    if "_" in name and unit_kind(suffix) == kind:
        return suffix
    return None


def _numeric(arr: np.ndarray, name: str, ndim: int, path: Path) -> np.ndarray:
    if arr.dtype.kind not in "biuf":
        raise fail(
            path, f"array {name!r} holds {arr.dtype} values, not real numbers", "re-save as floats"
        )
    if arr.ndim != ndim:
        raise fail(
            path,
            f"array {name!r} has {arr.ndim} dimension(s) {arr.shape}, expected {ndim}",
            "pass the right array with the *_array= options"
            + ("; select one pump level first" if arr.ndim == 3 else ""),
        )
    if arr.size == 0:
        raise fail(
            path,
            f"array {name!r} is empty {arr.shape}",
            "save the measured values into it, or pass the right array with the *_array= options",
        )
    return np.asarray(arr, dtype=float)


@fill_doc
def read(
    path: Path,
    *,
    signal_array: str | None = None,
    delay_array: str | None = None,
    wavelength_array: str | None = None,
    delay_axis: int | None = None,
    delay_unit: str | None = None,
    wavelength_unit: str | None = None,
    signal_unit: str | None = None,
) -> xr.Dataset:
    """Read an .npz archive into a raw (not yet validated) TA dataset.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    signal_array, delay_array, wavelength_array : str, optional
        Names of the 2-D ΔA array and the two axes; found by common names when not given.
    delay_axis : {0, 1}, optional
        The axis of the signal array that runs along delay (needed for square data).
    delay_unit : str, optional
        Unit of the delays (fs, ps, ns); required unless an array name or a
        ``<name>_units`` array states it.
    wavelength_unit : str, optional
        Unit of the wavelength axis (nm, µm, eV, cm-1, ...).
    signal_unit : str, optional
        Unit of ΔA (OD, mOD, dT/T, dT/T (%)).

    %(raw_ta)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> from qdwidgets.data.readers.npz import read
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ta.npz"
    >>> np.savez(path, dA=np.ones((3, 2)), delay=[0.0, 1.0, 2.0], wavelength=[600.0, 610.0])
    >>> dict(read(path, delay_unit="ps").sizes)
    {'delay': 3, 'wavelength': 2}
    """
    history = History()
    arrays = _load(path)
    if not arrays:
        raise fail(path, "is an empty archive", "save the arrays into it")
    names = {
        "signal": _pick(arrays, "signal", signal_array, path),
        "delay": _pick(arrays, "delay", delay_array, path),
        "wavelength": _pick(arrays, "wavelength", wavelength_array, path),
    }
    if len(set(names.values())) < 3:
        raise fail(
            path,
            f"the same array serves two roles ({names})",
            "name each with signal_array=, delay_array=, wavelength_array=",
        )
    history.add(
        "npz: arrays "
        + ", ".join(f"{role}={name!r}" for role, name in names.items())
        + " (loaded with allow_pickle=False)"
    )
    signal = _numeric(arrays[names["signal"]], names["signal"], 2, path)
    delay = _numeric(arrays[names["delay"]], names["delay"], 1, path)
    wl = _numeric(arrays[names["wavelength"]], names["wavelength"], 1, path)
    nd, nw = delay.size, wl.size
    shape = signal.shape
    if delay_axis is not None:
        delay_axis = integer("delay_axis", delay_axis, lo=0, hi=1)
        expected = (nd, nw) if delay_axis == 0 else (nw, nd)
        if shape != expected:
            raise fail(
                path,
                f"{names['signal']!r} has shape {shape}, but delay_axis={delay_axis} with "
                f"{nd} delays and {nw} wavelengths needs {expected}",
                "check delay_axis and the array names",
            )
        axis = delay_axis
        history.add(f"npz: delays along axis {axis} of the signal (given as delay_axis)")
    elif nd == nw and shape == (nd, nw):
        raise fail(
            path,
            f"{names['signal']!r} is square ({shape}) with as many delays as wavelengths, so its "
            "orientation cannot be told from the shapes",
            "say which axis runs along delay: delay_axis=0 (rows are delays) or delay_axis=1",
        )
    elif shape == (nd, nw):
        axis = 0
    elif shape == (nw, nd):
        axis = 1
    else:
        raise fail(
            path,
            f"{names['signal']!r} has shape {shape}, which matches neither ({nd} delays, {nw} "
            "wavelengths) nor its transpose",
            "check the array names (signal_array=, delay_array=, wavelength_array=)",
        )
    if delay_axis is None:
        history.add(f"npz: delays along axis {axis} of the signal (from the shapes)")
    units: dict[str, str] = {}
    for kind, given in (
        ("delay", delay_unit),
        ("wavelength", wavelength_unit),
        ("signal", signal_unit),
    ):
        if given is not None:
            units[kind] = check_unit(given, kind, f"{kind}_unit", path)
            history.add(f"npz: {kind} unit {given} (given as an option)")
            continue
        hinted = _unit_from_name(names[kind], arrays, kind)
        if hinted is not None:
            units[kind] = hinted
            history.add(f"npz: {kind} unit {hinted} (from the array name or its *_units array)")
        elif kind == "delay":
            raise fail(
                path,
                f"the delays {names['delay']!r} ({delay.min():.4g}…{delay.max():.4g}) have no "
                "stated unit, and .npz files carry none",
                "pass delay_unit='fs', 'ps' or 'ns'",
            )
        elif kind == "wavelength":
            units[kind] = "nm"
            history.add("npz: the file does not state the wavelength unit; assumed nm")
        else:
            check_assumed_od(signal, path, f"{names['signal']!r}")
            units[kind] = "OD"
            history.add("npz: the file does not state the signal unit; assumed OD")
    nm = U.wavelength_to_nm(wl, units["wavelength"])
    lo, hi = WAVELENGTH_RANGE_NM
    if not (np.all(np.isfinite(nm)) and nm.min() >= lo and nm.max() <= hi):
        raise fail(
            path,
            f"the wavelengths {names['wavelength']!r} run {wl.min():.4g}…{wl.max():.4g} "
            f"{units['wavelength']}, outside {lo:g}–{hi:g} nm",
            "pass wavelength_unit= (e.g. 'um' or 'eV'), or wavelength_array= if it is the wrong "
            "array",
        )
    data = signal if axis == 0 else signal.T
    ds = ta_dataset(delay, wl, data, units["delay"], units["wavelength"], units["signal"])
    return finish(ds, path, "npz", history)
