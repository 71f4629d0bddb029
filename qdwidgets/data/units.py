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

from ..errors import DatasetError
from .constants import HC_EV_NM

Converter = Callable[..., Any]

# alias (lower case, spaces removed) -> factor onto the canonical unit; values are multiplied.
_TIME = {
    "fs": 1e-3,
    "ps": 1.0,
    "ns": 1e3,
    "us": 1e6,
    "µs": 1e6,
    "μs": 1e6,
    "ms": 1e9,
    "s": 1e12,
    "femtoseconds": 1e-3,
    "picoseconds": 1.0,
    "nanoseconds": 1e3,
    "microseconds": 1e6,
    "milliseconds": 1e9,
    "seconds": 1e12,
    "sec": 1e12,
}
_LENGTH = {
    "nm": 1.0,
    "um": 1e3,
    "µm": 1e3,
    "μm": 1e3,
    "micron": 1e3,
    "a": 0.1,
    "å": 0.1,
    "angstrom": 0.1,
    "m": 1e9,
    "nanometers": 1.0,
    "nanometres": 1.0,
    "nanometer": 1.0,
    "nanometre": 1.0,
    "micrometers": 1e3,
    "micrometres": 1e3,
    "microns": 1e3,
}
# photon energies: value -> wavelength in nm is constant / value
_ENERGY = {"ev": HC_EV_NM, "mev": HC_EV_NM * 1e3, "cm-1": 1e7, "cm^-1": 1e7, "1/cm": 1e7}
_ENERGY["wavenumber"] = 1e7
_OD = {
    "od": 1.0,
    "mod": 1e-3,
    "µod": 1e-6,
    "uod": 1e-6,
    "μod": 1e-6,
    "δod": 1.0,
    "dod": 1.0,
    "δmod": 1e-3,
    "dmod": 1e-3,
    "absorbance": 1.0,
}
# relative transmission change ΔT/T -> factor onto the plain ratio
_DTT = {
    "dt/t": 1.0,
    "δt/t": 1.0,
    "deltat/t": 1.0,
    "dt/t(%)": 0.01,
    "δt/t(%)": 0.01,
    "dt/t[%]": 0.01,
    "δt/t[%]": 0.01,
    "%dt/t": 0.01,
    "dt/t%": 0.01,
}
_POWER = {
    "mw": 1.0,
    "w": 1e3,
    "uw": 1e-3,
    "µw": 1e-3,
    "μw": 1e-3,
    "nw": 1e-6,
    "kw": 1e6,
    "milliwatts": 1.0,
    "milliwatt": 1.0,
    "watts": 1e3,
    "watt": 1e3,
}

CANONICAL = {"delay": "ps", "wavelength": "nm", "signal": "OD", "power": "mW"}
LONG_NAMES = {
    "delay": "pump-probe delay",
    "wavelength": "probe wavelength",
    "dA": "transient absorption ΔA",
    "A0": "steady-state absorbance A0",
    "A_ex": "excited-state absorbance A_ex = ΔA + A0",
    "power": "CW pump power",
    "emission": "emission intensity",
    "pump": "pump level",
    "occupancy": "average excitons per dot ⟨N⟩",
    "PL": "photoluminescence",
    "chirp": "time zero per wavelength (chirp)",
}
_TABLES: dict[str, tuple[dict[str, float], ...]] = {
    "delay": (_TIME,),
    "wavelength": (_LENGTH, _ENERGY),
    "signal": (_OD, _DTT),
    "power": (_POWER,),
}
# what a unit that is NOT one of ours usually means, for the error message
_NOT_UNITS = {
    "%": "a percentage (of what? give the absolute quantity)",
    "ma": "a current (mA), not a power: convert with the laser's calibration",
    "a.u.": "arbitrary units",
    "au": "arbitrary units",
    "px": "detector pixels: calibrate the axis into nm first",
    "pixel": "detector pixels: calibrate the axis into nm first",
    "pixels": "detector pixels: calibrate the axis into nm first",
    "counts": "detector counts",
}


_SHOWN = {
    "ev": "eV",
    "mev": "meV",
    "a": "A (ångström)",
    "mw": "mW",
    "w": "W",
    "uw": "uW",
    "nw": "nW",
    "kw": "kW",
}


def _key(unit: object) -> str:
    return str(unit).strip().lower().replace(" ", "").replace("−", "-")


def known_units(kind: str) -> str:
    """The unit names accepted for ``kind`` ('delay', 'wavelength', 'signal', 'power')."""
    names = {k for table in _TABLES[kind] for k in table if k.isascii()}
    if kind == "signal":
        names = (names - set(_DTT)) | {"dT/T", "dT/T (%)"}
        names = {n if n.startswith("dT") else n.replace("od", "OD") for n in names}
    names = {_SHOWN.get(n, n) for n in names}
    return ", ".join(sorted(names, key=str.lower))


def kind_of(unit: object) -> str | None:
    """Which quantity a unit measures: 'delay', 'wavelength', 'signal', 'power', or None."""
    key = _key(unit)
    for kind, tables in _TABLES.items():
        if any(key in table for table in tables):
            return kind
    return None


def meaning(unit: object, kind: str) -> str:
    """' (what the unit is)' when it is known but not a unit of ``kind``, else ''."""
    text = _NOT_UNITS.get(_key(unit))
    if text:
        return f" ({text})"
    other = kind_of(unit)
    return f" (a unit of {other}, not of {kind})" if other and other != kind else ""


def unknown_unit(unit: object, what: str, kind: str) -> DatasetError:
    """The DatasetError for a unit that is not in the table for ``kind`` (lists the known ones)."""
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


def time_to_ps(values: Any, unit: object, what: str = "delay") -> Any:
    """Delay values in ``unit`` (fs, ps, ns, µs, ms, s) converted to ps.

    Parameters
    ----------
    values : float or array-like
        The values, in ``unit`` (NumPy or dask arrays; lazy values stay lazy).
    unit : str
        Their unit: fs, ps, ns, µs, ms, s.
    what : str, default "delay"
        The name used in an error message.

    Returns
    -------
    float or array
        The values in ps.

    Raises
    ------
    DatasetError
        For an unknown unit (the message lists the known ones).

    Examples
    --------
    >>> from qdwidgets.data.units import time_to_ps
    >>> time_to_ps([100.0, 2500.0], "fs")
    array([0.1, 2.5])
    """
    return _floats(values) * _factor(unit, _TIME, what, "delay")


def wavelength_to_nm(values: Any, unit: object, what: str = "wavelength") -> Any:
    """Wavelength (nm, µm, Å, m) or photon energy (eV, meV, cm-1) converted to wavelength in nm.

    Parameters
    ----------
    values : float or array-like
        The values, in ``unit`` (NumPy or dask arrays; lazy values stay lazy).
    unit : str
        Their unit: nm, µm, Å, m, or eV, meV, cm-1.
    what : str, default "wavelength"
        The name used in an error message.

    Returns
    -------
    float or array
        The values in nm.

    Raises
    ------
    DatasetError
        For an unknown unit (the message lists the known ones).

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


def signal_to_od(values: Any, unit: object, what: str = "dA") -> Any:
    """Absorbance change in OD, mOD, µOD, or a relative transmission change ΔT/T, to OD.

    ΔT/T is converted exactly: ΔA = −log10(1 + ΔT/T); ΔT/T in % is divided by 100 first. Lazy
    (dask) values stay lazy; only the "ΔT/T ≤ −1" check is computed, as one scalar.

    Parameters
    ----------
    values : float or array-like
        The values, in ``unit`` (NumPy or dask arrays; lazy values stay lazy).
    unit : str
        Their unit: OD, mOD, µOD, dT/T or dT/T (%).
    what : str, default "dA"
        The name used in an error message.

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


def power_to_mw(values: Any, unit: object, what: str = "power") -> Any:
    """CW pump power in W, mW, µW, nW or kW converted to mW.

    Parameters
    ----------
    values : float or array-like
        The values, in ``unit`` (NumPy or dask arrays; lazy values stay lazy).
    unit : str
        Their unit: W, mW, µW, nW, kW.
    what : str, default "power"
        The name used in an error message.

    Returns
    -------
    float or array
        The values in mW.

    Raises
    ------
    DatasetError
        For an unknown unit (the message lists the known ones).

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
    """Whether ``unit`` already names the canonical unit of ``kind`` (delay, wavelength, ...)."""
    return _key(unit) == _key(CANONICAL[kind])


# units written in header labels (re-exported: one unit table, one place to parse labels)
from ._labels import quantity_of as quantity_of  # noqa: E402
from ._labels import unit_in_label as unit_in_label  # noqa: E402
