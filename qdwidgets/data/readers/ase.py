"""ASE spectra versus CW pump power: a long table, or one file per pump power.

Long table (``format='ase-table'``, detected from its header): delimited text whose header names
the columns ``power``, ``wavelength``, ``emission`` and optionally ``feedback`` (case-insensitive;
``wl``/``lambda`` and ``intensity``/``counts`` also work). One row per (feedback, power,
wavelength); every spectrum must share one wavelength grid.

One file per power (``format='ase-files'``; a folder or a list of files): each file has two
numeric columns, wavelength and emission, after optional header lines. The power comes from the
file name (``150mW.csv``, ``0.15W.txt``, ``run_150_mW.dat``) or from ``powers=`` (one per file,
in the order of the list, or of the folder's files sorted by name with numbers compared as
numbers).

Units: a unit in a header (``power (W)``, ``wavelength [nm]``) or a file name is used; the options
``power_unit`` and ``wavelength_unit`` override; otherwise mW and nm are ASSUMED and recorded in
``attrs['qd_history']`` (wavelengths outside 100–20000 nm raise). ``feedback=`` labels a file set
or a table without a feedback column (default "none", the reference without lamp or mirror).
Options ``spot_diameter_mm``, ``beam_profile`` ('tophat' | 'gaussian') and ``pump_wavelength_nm``
go to attrs, where ``validate`` checks them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import units as U
from ._common import (
    History,
    as_path,
    check_unit,
    data_lines,
    detect_separator,
    fail,
    finish,
    read_text,
    split,
    to_float,
    to_floats,
    unit_hint,
    unit_kind,
)
from .delimited import WAVELENGTH_RANGE_NM

_ROLES = {
    "power": ("power", "pump_power", "p", "pump"),
    "wavelength": ("wavelength", "wl", "lambda", "wavelengths"),
    "emission": ("emission", "intensity", "counts", "signal", "pl"),
    "feedback": ("feedback", "condition", "fb"),
}
_NAME = re.compile(r"[A-Za-z_]+")
_POWER_IN_NAME = re.compile(
    r"(?<![\d.])(\d+(?:[.p]\d+)?)\s*[_-]?\s*(mW|uW|µW|kW|W)(?![A-Za-z])", re.IGNORECASE
)
SPECTRUM_SUFFIXES = (".csv", ".txt", ".tsv", ".dat", ".asc")


def _column_role(cell: str) -> str | None:
    m = _NAME.match(cell.strip())
    if not m:
        return None
    name = m.group(0).lower().rstrip("_")
    for role, names in _ROLES.items():
        if name in names:
            return role
    return None


def sniff_table(text: str) -> bool:
    """Whether the first non-comment line names the columns power, wavelength and emission."""
    lines = data_lines(text)
    if not lines:
        return False
    first = lines[0][1]
    roles = {_column_role(c) for c in split(first, detect_separator([first]))}
    return {"power", "wavelength", "emission"} <= roles


def _attrs(
    ds: xr.Dataset,
    spot_diameter_mm: float | None,
    beam_profile: str | None,
    pump_wavelength_nm: float | None,
) -> None:
    for key, value in (
        ("spot_diameter_mm", spot_diameter_mm),
        ("beam_profile", beam_profile),
        ("pump_wavelength_nm", pump_wavelength_nm),
    ):
        if value is not None:
            ds.attrs[key] = value


def _check_wavelengths(wl: np.ndarray, unit: str, source: object) -> None:
    nm = U.wavelength_to_nm(wl, unit)
    lo, hi = WAVELENGTH_RANGE_NM
    if not (np.all(np.isfinite(nm)) and nm.min() >= lo and nm.max() <= hi):
        raise fail(
            source,
            f"the wavelengths run {wl.min():.4g}…{wl.max():.4g} {unit}, outside {lo:g}–{hi:g} nm",
            "pass wavelength_unit= (e.g. 'um') or check which column holds the wavelengths",
        )


def _unit(
    given: str | None, hinted: str | None, kind: str, default: str, history: History, src: object
) -> str:
    if given is not None:
        check_unit(given, kind, f"{kind}_unit", src)
        history.add(f"ase: {kind} unit {given} (given as an option)")
        return given
    if hinted is not None and unit_kind(hinted) == kind:
        history.add(f"ase: {kind} unit {hinted} (from the file)")
        return hinted
    history.add(
        f"ase: the file does not state the {kind} unit; assumed {default} "
        f"(pass {kind}_unit= otherwise)"
    )
    return default


def _build(
    feedback: list[str],
    power: np.ndarray,
    wl: np.ndarray,
    emission: np.ndarray,
    power_unit: str,
    wl_unit: str,
    emission_unit: str,
) -> xr.Dataset:
    return xr.Dataset(
        {
            "emission": (
                ("feedback", "power", "wavelength"),
                emission,
                {"units": emission_unit, "long_name": U.LONG_NAMES["emission"]},
            )
        },
        coords={
            "feedback": ("feedback", np.array(feedback, dtype=str)),
            "power": ("power", power, {"units": power_unit, "long_name": U.LONG_NAMES["power"]}),
            "wavelength": (
                "wavelength",
                wl,
                {"units": wl_unit, "long_name": U.LONG_NAMES["wavelength"]},
            ),
        },
    )


# -- long table -------------------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    power_unit: str | None = None,
    wavelength_unit: str | None = None,
    feedback: str = "none",
    spot_diameter_mm: float | None = None,
    beam_profile: str | None = None,
    pump_wavelength_nm: float | None = None,
) -> xr.Dataset:
    """Read a long ASE table into a raw (not yet validated) ASE dataset."""
    history = History()
    lines = data_lines(read_text(path))
    if len(lines) < 2:
        raise fail(path, "has no data rows under the header", "check the export (truncated?)")
    sep = detect_separator([t for _, t in lines])
    header_line, header = lines[0][0], split(lines[0][1], sep)
    cols: dict[str, int] = {}
    for j, cell in enumerate(header):
        role = _column_role(cell)
        if role is not None and role not in cols:
            cols[role] = j
    missing = [r for r in ("power", "wavelength", "emission") if r not in cols]
    if missing:
        raise fail(
            path,
            f"the header {header} lacks a {missing[0]!r} column",
            "name the columns power, wavelength, emission (and optionally feedback)",
            line=header_line,
        )
    p_unit = _unit(power_unit, unit_hint(header[cols["power"]]), "power", "mW", history, path)
    w_unit = _unit(
        wavelength_unit, unit_hint(header[cols["wavelength"]]), "wavelength", "nm", history, path
    )
    e_unit = unit_hint(header[cols["emission"]]) or "a.u."
    records: dict[tuple[str, float, float], float] = {}
    for line_no, text in lines[1:]:
        cells = split(text, sep)
        if sep is not None and len(cells) == len(header) + 1 and cells[-1] == "":
            cells = cells[:-1]
        if len(cells) != len(header):
            raise fail(
                path,
                f"this row has {len(cells)} cells, the header {len(header)}: a ragged or "
                "truncated row",
                "complete or delete the row",
                line=line_no,
            )
        fb = cells[cols["feedback"]].strip() if "feedback" in cols else feedback
        if not fb:
            raise fail(path, "empty feedback label", "label every row", line=line_no)
        vals = [
            to_float(cells[cols[r]], path, line_no, cols[r] + 1)
            for r in ("power", "wavelength", "emission")
        ]
        p, w, e = vals
        if not all(np.isfinite(vals)):
            raise fail(
                path,
                "NaN or infinite value in power, wavelength or emission",
                "fill or delete the row",
                line=line_no,
            )
        key = (fb, p, w)
        if key in records:
            raise fail(
                path,
                f"a second row for feedback {fb!r}, power {p:g}, wavelength {w:g}",
                "delete or average the duplicated rows",
                line=line_no,
            )
        records[key] = e
    if "feedback" not in cols:
        history.add(f"ase: no feedback column; all rows labelled {feedback!r}")
    fbs = list(dict.fromkeys(k[0] for k in records))
    powers = np.array(sorted({k[1] for k in records}))
    wls = np.array(sorted({k[2] for k in records}))
    em = np.full((len(fbs), powers.size, wls.size), np.nan)
    fi = {f: i for i, f in enumerate(fbs)}
    pi = {p: i for i, p in enumerate(powers)}
    wi = {w: i for i, w in enumerate(wls)}
    for (f, p, w), e in records.items():
        em[fi[f], pi[p], wi[w]] = e
    if np.isnan(em).any():
        i, j, k = (int(n) for n in np.argwhere(np.isnan(em))[0])
        raise fail(
            path,
            f"no emission value for feedback {fbs[i]!r}, power {powers[j]:g}, wavelength "
            f"{wls[k]:g}: the spectra do not share one grid of powers and wavelengths",
            "give every (feedback, power) spectrum the same wavelengths, or split the table",
        )
    _check_wavelengths(wls, w_unit, path)
    ds = _build(fbs, powers, wls, em, p_unit, w_unit, e_unit)
    _attrs(ds, spot_diameter_mm, beam_profile, pump_wavelength_nm)
    return finish(ds, path, "ase-table", history)


# -- one file per power -----------------------------------------------------------------------


def _natural(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def _files(source: Any) -> tuple[list[Path], str]:
    if isinstance(source, (list, tuple)):
        files = [as_path(p) for p in source]
        if not files:
            raise fail("files", "the list of files is empty", "pass at least one file")
        return files, "; ".join(p.name for p in files)
    folder = as_path(source)
    if not folder.is_dir():
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
    """(value, unit) of a pump power written in a file name, e.g. '0.15W.txt' -> (0.15, 'W')."""
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
    w_hint = unit_hint(header_cells[0]) if header_cells else None
    e_hint = unit_hint(header_cells[1]) if len(header_cells) > 1 else None
    return arr[:, 0], arr[:, 1], w_hint, e_hint


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
    """Read one spectrum file per pump power (a folder or a list) into a raw ASE dataset."""
    history = History()
    files, label = _files(source)
    if powers is not None:
        try:
            pw = np.asarray(powers, dtype=float).ravel()
        except (TypeError, ValueError):
            raise fail(
                label, f"powers={powers!r} are not numbers", "pass a list of numbers"
            ) from None
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
