"""ASE spectra versus CW pump power, as a long table (``format='ase-table'``).

Delimited text whose header names the columns ``power``, ``wavelength``, ``emission`` and
optionally ``feedback`` (case-insensitive; ``wl``/``lambda`` and ``intensity``/``counts`` also
work); detected from that header. One row per (feedback, power, wavelength); every spectrum must
share one wavelength grid. One file per power is read by ``ase_files``.

Units: a unit in a header (``power (W)``, ``wavelength [nm]``) is used; the options
``power_unit`` and ``wavelength_unit`` override; otherwise mW and nm are ASSUMED and recorded in
``attrs['qd_history']`` (wavelengths outside 100–20000 nm raise). ``feedback=`` labels a table
without a feedback column (default "none", the reference without lamp or mirror). Options
``spot_diameter_mm``, ``beam_profile`` ('tophat' | 'gaussian') and ``pump_wavelength_nm`` go to
attrs, where ``validate`` checks them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr

from ..._args import ArgumentError, choice, positive
from ..._choices import BEAM_PROFILES, BeamProfile
from .. import units as U
from ..contract import WAVELENGTH_RANGE_NM
from ._common import (
    History,
    check_unit,
    data_lines,
    detect_separator,
    fill_doc,
    finish,
    header_unit,
    split,
    to_float,
    unit_hint,
)
from ._files import fail, read_text

_ROLES = {
    "power": ("power", "pump_power", "p", "pump"),
    "wavelength": ("wavelength", "wl", "lambda", "wavelengths"),
    "emission": ("emission", "intensity", "counts", "signal", "pl"),
    "feedback": ("feedback", "condition", "fb"),
}
_NAME = re.compile(r"[A-Za-z_]+")


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
    """Whether a text is an ASE table: its first non-comment line names the columns power,
    wavelength and emission.

    Parameters
    ----------
    text : str
        The file's text (its first lines suffice).

    Returns
    -------
    bool

    Examples
    --------
    >>> from qdwidgets.data.readers.ase import sniff_table
    >>> sniff_table("power (mW), wavelength (nm), emission\\n1, 600, 2\\n")
    True
    """
    lines = data_lines(text)
    if not lines:
        return False
    first = lines[0][1]
    roles = {_column_role(c) for c in split(first, detect_separator([first]))}
    return {"power", "wavelength", "emission"} <= roles


def check_options(
    feedback: object,
    spot_diameter_mm: float | None,
    beam_profile: str | None,
    pump_wavelength_nm: float | None,
) -> None:
    """Entry checks of the options both ASE readers take.

    Parameters
    ----------
    feedback : str
        The feedback label (non-empty).
    spot_diameter_mm : float or None
        Pump spot diameter (mm), positive.
    beam_profile : {"tophat", "gaussian"} or None
        What the diameter means.
    pump_wavelength_nm : float or None
        CW pump wavelength (nm), positive.

    Raises
    ------
    ArgumentError
        Naming the option that is wrong and what it takes.

    Examples
    --------
    >>> from qdwidgets.data.readers.ase import check_options
    >>> check_options("lamp", 1.0, "tophat", 532.0)  # fine: returns None
    """
    if not isinstance(feedback, str) or not feedback.strip():
        raise ArgumentError(f"feedback must be a non-empty label such as 'none', not {feedback!r}")
    if spot_diameter_mm is not None:
        positive("spot_diameter_mm", spot_diameter_mm, unit="mm")
    if pump_wavelength_nm is not None:
        positive("pump_wavelength_nm", pump_wavelength_nm, unit="nm")
    if beam_profile is not None:
        choice("beam_profile", beam_profile, BEAM_PROFILES)


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
    given: str | None, label: str | None, kind: str, default: str, history: History, src: object
) -> str:
    """The unit of a column: the option, else the unit in its header ``label`` (a unit of
    another quantity or an unknown one raises), else ``default`` (recorded)."""
    if given is not None:
        check_unit(given, kind, f"{kind}_unit", src)
        history.add(f"ase: {kind} unit {given} (given as an option)")
        return given
    hinted = header_unit(label, kind, f"{kind}_unit", src) if label else None
    if hinted is not None:
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


@fill_doc
def read_table(
    path: Path,
    *,
    power_unit: str | None = None,
    wavelength_unit: str | None = None,
    feedback: str = "none",
    spot_diameter_mm: float | None = None,
    beam_profile: BeamProfile | None = None,
    pump_wavelength_nm: float | None = None,
) -> xr.Dataset:
    """Read a long ASE table into a raw (not yet validated) ASE dataset.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    power_unit : str, optional
        Unit of the powers (W, mW, µW, ...); a unit in the header wins, else mW is assumed.
    wavelength_unit : str, optional
        Unit of the wavelengths (nm, µm, eV, ...); a unit in the header wins, else nm.
    feedback : str, default "none"
        Label of a table without a feedback column ("none": the reference without lamp or
        mirror).
    %(ase_attrs)s

    %(raw_ase)s

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from qdwidgets.data.readers.ase import read_table
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ase.csv"
    >>> rows = "10,600,1\\n10,610,2\\n20,600,2\\n20,610,5\\n"
    >>> _ = path.write_text("power (mW),wavelength (nm),emission\\n" + rows)
    >>> dict(read_table(path, feedback="lamp").sizes)
    {'feedback': 1, 'power': 2, 'wavelength': 2}
    """
    check_options(feedback, spot_diameter_mm, beam_profile, pump_wavelength_nm)
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
    p_unit = _unit(power_unit, header[cols["power"]], "power", "mW", history, path)
    w_unit = _unit(wavelength_unit, header[cols["wavelength"]], "wavelength", "nm", history, path)
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
