"""Unit names and conversions onto the canonical units of the dataset contract: ONE unit table.

Canonical units: delay in ps, wavelength in nm, dA and A0 in OD, power in mW. Every reader and
``validate`` look units up here; a unit that is not in the table is refused with the list of
known ones (never guessed). :func:`unit_in_label` finds a unit written in a header or a corner
cell, looking only in unit positions (``delay (ps)``, ``wavelength [nm]``, ``power_mW``,
``delay, fs``), so that ``sample MS-2`` is not read as milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._docstrings import doc_filler
from ..errors import DatasetError
from ._unit_table import (
    _DTT,
    _ENERGY,
    _LENGTH,
    _NOT_UNITS,
    _OD,
    _POWER,
    _SHOWN,
    _TABLES,
    _TIME,
)
from ._unit_table import CANONICAL as CANONICAL
from ._unit_table import LONG_NAMES as LONG_NAMES

Converter = Callable[..., Any]

# the docstring sections the four converters share
_fill_doc = doc_filler(
    {
        "values": "values : float or array-like\n"
        "    The values, in ``unit`` (NumPy or dask arrays; lazy values stay lazy).",
        "what": "what : str, optional\n"
        "    The name of the values in an error message; default the quantity's name.",
        "unknown_unit": "DatasetError\n    For an unknown unit (the message lists the known ones).",
    }
)


def _key(unit: object) -> str:
    return str(unit).strip().lower().replace(" ", "").replace("−", "-")


def known_units(kind: str) -> str:
    """The unit names accepted for one quantity, for error messages.

    Parameters
    ----------
    kind : {"delay", "wavelength", "signal", "power"}
        The quantity.

    Returns
    -------
    str
        The names, comma-separated, sorted ignoring case.

    Examples
    --------
    >>> from qdwidgets.data.units import known_units
    >>> known_units("power")
    'kW, milliwatt, milliwatts, mW, nW, uW, W, watt, watts'
    """
    names = {k for table in _TABLES[kind] for k in table if k.isascii()}
    if kind == "signal":
        names = (names - set(_DTT)) | {"dT/T", "dT/T (%)"}
        names = {n if n.startswith("dT") else n.replace("od", "OD") for n in names}
    names = {_SHOWN.get(n, n) for n in names}
    return ", ".join(sorted(names, key=str.lower))


def kind_of(unit: object) -> str | None:
    """Which quantity a unit measures.

    Parameters
    ----------
    unit : str
        A unit name (case and spaces do not matter).

    Returns
    -------
    {"delay", "wavelength", "signal", "power"} or None
        None for a name in none of the tables.

    Examples
    --------
    >>> from qdwidgets.data.units import kind_of
    >>> kind_of("fs"), kind_of("mW"), kind_of("furlong")
    ('delay', 'power', None)
    """
    key = _key(unit)
    for kind, tables in _TABLES.items():
        if any(key in table for table in tables):
            return kind
    return None


def meaning(unit: object, kind: str) -> str:
    """What a unit is, for an error message about a unit that is not one of ``kind``.

    Parameters
    ----------
    unit : str
        The unit found.
    kind : {"delay", "wavelength", "signal", "power"}
        The quantity it was given for.

    Returns
    -------
    str
        ``" (what the unit is)"`` when it is known but not a unit of ``kind``, else ``""``.

    Examples
    --------
    >>> from qdwidgets.data.units import meaning
    >>> meaning("ms", "wavelength"), meaning("nm", "wavelength")
    (' (a unit of delay, not of wavelength)', '')
    """
    text = _NOT_UNITS.get(_key(unit))
    if text:
        return f" ({text})"
    other = kind_of(unit)
    return f" (a unit of {other}, not of {kind})" if other and other != kind else ""


def unknown_unit(unit: object, what: str, kind: str) -> DatasetError:
    """The error for a unit that is not in the table of ``kind``.

    Parameters
    ----------
    unit : str
        The unit found.
    what : str
        The name of the values, first in the message.
    kind : {"delay", "wavelength", "signal", "power"}
        The quantity.

    Returns
    -------
    DatasetError
        To raise: says what the unit is when known, lists the known ones, and how to fix it.

    Examples
    --------
    >>> from qdwidgets.data.units import unknown_unit
    >>> str(unknown_unit("furlong", "delay", "delay"))[:52]
    "delay: unknown units 'furlong'. Fix: use one of: fem"
    """
    why = meaning(unit, kind)
    canonical = CANONICAL[kind]
    return DatasetError(
        f"{what}: unknown units {unit!r}{why}. Fix: use one of: {known_units(kind)}; e.g. set "
        f"attrs['units'] = {canonical!r} if the values are already in {canonical}."
    )


def _factor(unit: object, table: dict[str, float], what: str, kind: str) -> float:
    key = _key(unit)
    if key in table:
        return table[key]
    raise unknown_unit(unit, what, kind)


def _floats(values: Any) -> Any:
    """Float values: a numpy array, or a lazy (dask) array kept lazy."""
    if hasattr(values, "dask"):
        return values.astype(float)
    return np.asarray(values, dtype=float)


@_fill_doc
def time_to_ps(values: Any, unit: object, what: str = "delay") -> Any:
    """Delay values in ``unit`` (fs, ps, ns, µs, ms, s) converted to ps.

    Parameters
    ----------
    %(values)s
    unit : str
        Their unit: fs, ps, ns, µs, ms, s.
    %(what)s

    Returns
    -------
    float or array
        The values in ps.

    Raises
    ------
    %(unknown_unit)s

    Examples
    --------
    >>> from qdwidgets.data.units import time_to_ps
    >>> time_to_ps([100.0, 2500.0], "fs")
    array([0.1, 2.5])
    """
    return _floats(values) * _factor(unit, _TIME, what, "delay")


@_fill_doc
def wavelength_to_nm(values: Any, unit: object, what: str = "wavelength") -> Any:
    """Wavelength (nm, µm, Å, m) or photon energy (eV, meV, cm-1) converted to wavelength in nm.

    Parameters
    ----------
    %(values)s
    unit : str
        Their unit: nm, µm, Å, m, or eV, meV, cm-1.
    %(what)s

    Returns
    -------
    float or array
        The values in nm.

    Raises
    ------
    %(unknown_unit)s

    Examples
    --------
    >>> from qdwidgets.data.units import wavelength_to_nm
    >>> wavelength_to_nm([1.94, 2.0], "eV").round(1)
    array([639.1, 619.9])
    """
    key = _key(unit)
    values = _floats(values)
    if key in _ENERGY:
        with np.errstate(divide="ignore"):
            return _ENERGY[key] / values
    return values * _factor(unit, _LENGTH, what, "wavelength")


@_fill_doc
def signal_to_od(values: Any, unit: object, what: str = "dA") -> Any:
    """Absorbance change in OD, mOD, µOD, or a relative transmission change ΔT/T, to OD.

    ΔT/T is converted exactly: ΔA = −log10(1 + ΔT/T); ΔT/T in % is divided by 100 first. Lazy
    (dask) values stay lazy; only the "ΔT/T ≤ −1" check is computed, as one scalar.

    Parameters
    ----------
    %(values)s
    unit : str
        Their unit: OD, mOD, µOD, dT/T or dT/T (%).
    %(what)s

    Returns
    -------
    float or array
        The values in OD.

    Raises
    ------
    DatasetError
        For an unknown unit (the message lists the known ones), or ΔT/T at or below −1.

    Examples
    --------
    >>> from qdwidgets.data.units import signal_to_od
    >>> signal_to_od([-1.0, 2.0], "mOD")
    array([-0.001,  0.002])
    >>> signal_to_od([-0.1], "dT/T").round(4)  # ΔA = −log10(1 + ΔT/T)
    array([0.0458])
    """
    key = _key(unit)
    values = _floats(values)
    if key in _DTT:
        rel = values * _DTT[key]
        if bool((rel <= -1).any()):
            raise DatasetError(
                f"{what}: ΔT/T values at or below -1 (transmission fell to zero or less) cannot be "
                "converted to absorbance. Fix: check the signal unit (is it ΔT/T in %? pass "
                "signal_unit='dT/T (%)') or the sign convention."
            )
        return -np.log10(1.0 + rel)
    return values * _factor(unit, _OD, what, "signal")


@_fill_doc
def power_to_mw(values: Any, unit: object, what: str = "power") -> Any:
    """CW pump power in W, mW, µW, nW or kW converted to mW.

    Parameters
    ----------
    %(values)s
    unit : str
        Their unit: W, mW, µW, nW, kW.
    %(what)s

    Returns
    -------
    float or array
        The values in mW.

    Raises
    ------
    %(unknown_unit)s

    Examples
    --------
    >>> from qdwidgets.data.units import power_to_mw
    >>> power_to_mw([0.15, 0.25], "W")
    array([150., 250.])
    """
    return _floats(values) * _factor(unit, _POWER, what, "power")


CONVERTERS: dict[str, Converter] = {
    "delay": time_to_ps,
    "wavelength": wavelength_to_nm,
    "signal": signal_to_od,
    "power": power_to_mw,
}


def is_canonical(unit: object, kind: str) -> bool:
    """Whether ``unit`` already names the canonical unit of ``kind``.

    Parameters
    ----------
    unit : str
        A unit name (case and spaces do not matter).
    kind : {"delay", "wavelength", "signal", "power"}
        The quantity (canonical: ps, nm, OD, mW).

    Returns
    -------
    bool

    Examples
    --------
    >>> from qdwidgets.data.units import is_canonical
    >>> is_canonical(" PS ", "delay"), is_canonical("fs", "delay")
    (True, False)
    """
    return _key(unit) == _key(CANONICAL[kind])


# units written in header labels (re-exported: one unit table, one place to parse labels)
from ._labels import quantity_of as quantity_of  # noqa: E402
from ._labels import unit_in_label as unit_in_label  # noqa: E402
