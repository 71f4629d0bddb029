"""ASE spectra, one file per pump power (``format='ase-files'``): a folder or a list of files.

Each file has two numeric columns, wavelength and emission, after optional header lines (a unit
in the header, ``wavelength (nm)``, is used). The power comes from the file name (``150mW.csv``,
``0.15W.txt``, ``run_2p5_mW.dat``; exactly one power per name, no exponents) or from ``powers=``
(one per file, in the order of the list, or of the folder's files sorted by name with numbers
compared as numbers; unit ``power_unit``, else mW assumed and recorded). All files must share one
wavelength grid. ``feedback=`` labels the set (default "none"); ``spot_diameter_mm``,
``beam_profile`` and ``pump_wavelength_nm`` go to attrs. Wavelengths are nm unless stated or
given as ``wavelength_unit``, recorded in ``attrs['qd_history']``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..._args import ArgumentError, finite_array
from .. import units as U
from ._common import (
    History,
    as_path,
    data_lines,
    detect_separator,
    fill_doc,
    finish,
    is_dir,
    split,
    to_floats,
    unit_hint,
)
from ._files import fail, read_text
from .ase import _attrs, _build, _check_wavelengths, _unit, check_options

_POWER_IN_NAME = re.compile(
    r"(?<![\d.])(\d+(?:[.p]\d+)?)\s*[_-]?\s*(mW|uW|µW|kW|W)(?![A-Za-z])", re.IGNORECASE
)
SPECTRUM_SUFFIXES = (".csv", ".txt", ".tsv", ".dat", ".asc")


def _natural(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def _files(source: Any) -> tuple[list[Path], str]:
    if isinstance(source, (list, tuple)):
        files = [as_path(p) for p in source]
        if not files:
            raise fail("files", "the list of files is empty", "pass at least one file")
        return files, "; ".join(p.name for p in files)
    folder = as_path(source)
    if not is_dir(folder):
        return [folder], folder.name
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SPECTRUM_SUFFIXES),
        key=_natural,
    )
    if not files:
        raise fail(
            folder,
            f"holds no spectrum files ({', '.join(SPECTRUM_SUFFIXES)})",
            "point to the folder with one text file per pump power",
        )
    return files, folder.name


def power_from_name(name: str) -> tuple[float, str] | None:
    """The pump power written in a file name.

    Parameters
    ----------
    name : str
        A file name or path (only the stem is read); ``p`` may stand for the decimal point.

    Returns
    -------
    (float, str) or None
        The value and its unit, or None when the name holds no power or more than one.

    Examples
    --------
    >>> from qdwidgets.data.readers.ase_files import power_from_name
    >>> power_from_name("0.15W.txt"), power_from_name("150mW_2.txt"), power_from_name("a.txt")
    ((0.15, 'W'), (150.0, 'mW'), None)
    """
    stem = Path(name).stem
    if re.search(r"\d[eE][+-]?\d", stem):  # '1e5mW': exponents are not read from names
        return None
    found = _POWER_IN_NAME.findall(stem)
    if len(found) != 1:
        return None
    number, unit = found[0]
    return float(number.replace("p", ".")), unit


def _spectrum(path: Path) -> tuple[np.ndarray, np.ndarray, str | None, str | None]:
    lines = data_lines(read_text(path))
    sep = detect_separator([t for _, t in lines[-20:]]) if lines else None
    header_cells: list[str] = []
    rows: list[list[float]] = []
    row_lines: list[int] = []
    for line_no, text in lines:
        cells = split(text, sep)
        if sep is not None and len(cells) == 3 and cells[-1] == "":
            cells = cells[:-1]
        if not rows and not all(re.match(r"^[+-]?[\d.]", c) for c in cells if c):
            header_cells = cells  # a header line above the numbers
            continue
        if len(cells) != 2:
            raise fail(
                path,
                f"this row has {len(cells)} cells; a spectrum file needs two columns "
                "(wavelength, emission)",
                "keep only the wavelength and emission columns",
                line=line_no,
            )
        rows.append(to_floats(cells, path, line_no).tolist())
        row_lines.append(line_no)
    if len(rows) < 2:
        raise fail(path, "holds fewer than two spectrum rows", "check the file (truncated?)")
    arr = np.asarray(rows)
    bad = ~np.isfinite(arr)
    if bad.any():
        r = int(np.argwhere(bad)[0][0])
        raise fail(path, "NaN or infinite value", "fill or delete the row", line=row_lines[r])
    w_label = header_cells[0] if header_cells else None
    e_hint = unit_hint(header_cells[1]) if len(header_cells) > 1 else None
    return arr[:, 0], arr[:, 1], w_label, e_hint


@fill_doc
def read_files(
    source: Any,
    *,
    powers: Sequence[float] | None = None,
    power_unit: str | None = None,
    wavelength_unit: str | None = None,
    feedback: str = "none",
    spot_diameter_mm: float | None = None,
    beam_profile: str | None = None,
    pump_wavelength_nm: float | None = None,
) -> xr.Dataset:
    """Read one spectrum file per pump power (a folder or a list) into a raw ASE dataset.

    Parameters
    ----------
    source : path or list of paths
        A folder of spectrum files, or the files.
    powers : sequence of float, optional
        One power per file (in the order of the list, or of the folder's files sorted by name);
        read from the file names when not given.
    power_unit : str, optional
        Unit of ``powers`` (W, mW, µW, ...); mW is assumed when not given.
    wavelength_unit : str, optional
        Unit of the wavelengths (nm, µm, eV, ...); a unit in the header wins, else nm.
    feedback : str, default "none"
        Feedback label of the measurement ("none" is the reference without lamp or mirror).
    %(ase_attrs)s

    %(raw_ase)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from qdwidgets.data.readers.ase_files import read_files
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> spectrum = "wavelength (nm)\\temission\\n600\\t1\\n610\\t2\\n"
    >>> for mw in (10, 20):  # one spectrum per power, the power in the file name
    ...     _ = (folder / f"{mw}mW.txt").write_text(spectrum)
    >>> read_files(folder)["power"].values.tolist()
    [10.0, 20.0]
    """
    check_options(feedback, spot_diameter_mm, beam_profile, pump_wavelength_nm)
    history = History()
    files, label = _files(source)
    if powers is not None:
        pw = finite_array("powers", powers)
        if np.any(pw < 0):
            raise ArgumentError(f"powers must be >= 0, got {pw.min():g}")
        if pw.size != len(files):
            raise fail(
                label,
                f"powers= has {pw.size} values for {len(files)} files "
                f"({', '.join(f.name for f in files)})",
                "give one power per file, in the same order",
            )
        p_unit = _unit(power_unit, None, "power", "mW", history, label)
        history.add("ase: powers from the powers= option, in file order")
    else:
        parsed = [power_from_name(f.name) for f in files]
        missing = [f.name for f, p in zip(files, parsed, strict=True) if p is None]
        if missing:
            raise fail(
                label,
                f"no pump power found in the file name {missing[0]!r} (expected e.g. '150mW.csv' "
                "or '0.15W.txt')",
                "rename the files, or pass powers=[...] (one per file, in order) and power_unit=; "
                "move other files (notes, dark spectra) out of the folder or pass a list of files",
            )
        units_found = {p[1].lower() for p in parsed if p is not None}
        if len(units_found) > 1:
            mw = [U.power_to_mw(np.array([p[0]]), p[1])[0] for p in parsed if p is not None]
            pw, p_unit = np.asarray(mw), "mW"
        else:
            pw = np.array([p[0] for p in parsed if p is not None])
            p_unit = parsed[0][1] if parsed[0] is not None else "mW"
        if power_unit is not None:
            raise fail(label, "power_unit= is only used with powers=", "drop power_unit=")
        history.add(f"ase: powers read from the file names ({p_unit})")
    spectra = [_spectrum(f) for f in files]
    wl0 = spectra[0][0]
    for f, (wl, _, _, _) in zip(files, spectra, strict=True):
        if wl.shape != wl0.shape or not np.allclose(wl, wl0, rtol=0, atol=1e-9 * abs(wl0).max()):
            raise fail(
                f,
                f"its wavelengths differ from those of {files[0].name}",
                "export all spectra on one wavelength grid (or interpolate them first)",
            )
    order = np.argsort(pw, kind="stable")
    if np.any(np.diff(pw[order]) == 0):
        dup = pw[order][np.flatnonzero(np.diff(pw[order]) == 0)[0]]
        raise fail(
            label,
            f"two files have the same pump power {dup:g} {p_unit}",
            "average repeated spectra first, or fix the powers",
        )
    w_unit = _unit(wavelength_unit, spectra[0][2], "wavelength", "nm", history, label)
    _check_wavelengths(wl0, w_unit, label)
    e_unit = spectra[0][3] or "a.u."
    em = np.stack([spectra[i][1] for i in order])[None]
    history.add(f"ase: {len(files)} spectrum files, feedback {feedback!r}")
    ds = _build([feedback], pw[order], wl0, em, p_unit, w_unit, e_unit)
    ds.attrs["files"] = "; ".join(files[i].name for i in order)
    _attrs(ds, spot_diameter_mm, beam_profile, pump_wavelength_nm)
    return finish(ds, Path(label), "ase-files", history)
