"""Unit names and conversions onto the canonical units of the dataset contract.

Canonical units: delay in ps, wavelength in nm, dA and A0 in OD, power in mW.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import DatasetError

Converter = Callable[[np.ndarray], np.ndarray]

# alias (lower case, spaces removed) -> (canonical name, factor); values are multiplied by factor.
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
_POWER = {
    "mw": 1.0,
    "w": 1e3,
    "uw": 1e-3,
    "µw": 1e-3,
    "μw": 1e-3,
    "kw": 1e6,
    "milliwatts": 1.0,
    "milliwatt": 1.0,
    "watts": 1e3,
    "watt": 1e3,
}
_EV_NM = 1239.841984  # h c / e in eV nm

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


def _key(unit: object) -> str:
    return str(unit).strip().lower().replace(" ", "").replace("−", "-")


def _lookup(unit: object, table: dict[str, float], what: str, canonical: str) -> float:
    key = _key(unit)
    if key in table:
        return table[key]
    known = ", ".join(sorted({k for k in table if k.isascii()}))
    raise DatasetError(
        f"{what}: unknown units {unit!r}. Fix: use one of: {known}; e.g. set "
        f"attrs['units'] = {canonical!r} if the values are already in {canonical}."
    )


def time_to_ps(values: np.ndarray, unit: object, what: str = "delay") -> np.ndarray:
    """Delay values in ``unit`` (fs, ps, ns, µs, ms, s) converted to ps."""
    return np.asarray(values, dtype=float) * _lookup(unit, _TIME, what, "ps")


def wavelength_to_nm(values: np.ndarray, unit: object, what: str = "wavelength") -> np.ndarray:
    """Wavelength (nm, µm, Å, m) or photon energy (eV, cm-1) converted to wavelength in nm."""
    key = _key(unit)
    values = np.asarray(values, dtype=float)
    if key == "ev":
        with np.errstate(divide="ignore"):
            return _EV_NM / values
    if key in ("cm-1", "cm^-1", "1/cm", "wavenumber"):
        with np.errstate(divide="ignore"):
            return 1e7 / values
    return values * _lookup(unit, _LENGTH, what, "nm")


def signal_to_od(values: np.ndarray, unit: object, what: str = "dA") -> np.ndarray:
    """Absorbance change in OD, mOD, µOD, or a relative transmission change ΔT/T, to OD.

    ΔT/T is converted exactly: ΔA = −log10(1 + ΔT/T). ΔT/T (in %) is divided by 100 first.
    """
    key = _key(unit)
    values = np.asarray(values, dtype=float)
    if key in ("dt/t", "δt/t", "deltat/t", "dt/t(%)", "δt/t(%)", "%dt/t"):
        scale = 0.01 if "%" in key else 1.0
        rel = values * scale
        if np.any(rel <= -1):
            raise DatasetError(
                f"{what}: ΔT/T values at or below -1 (transmission fell to zero or less) cannot be "
                "converted to absorbance. Fix: check the signal unit (is it ΔT/T in %? pass "
                "signal_unit='dT/T (%)') or the sign convention."
            )
        return -np.log10(1.0 + rel)
    return values * _lookup(unit, _OD, what, "OD")


def power_to_mw(values: np.ndarray, unit: object, what: str = "power") -> np.ndarray:
    """CW pump power in W, mW, µW or kW converted to mW."""
    return np.asarray(values, dtype=float) * _lookup(unit, _POWER, what, "mW")


def is_canonical(unit: object, kind: str) -> bool:
    """Whether ``unit`` already names the canonical unit of ``kind`` (delay, wavelength, ...)."""
    return _key(unit) == _key(CANONICAL[kind])
