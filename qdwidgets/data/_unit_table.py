"""The unit table of :mod:`qdwidgets.data.units`: every accepted unit name and its factor onto
the canonical unit of its quantity, the names of the quantities, and what common non-units mean.
Look units up through :mod:`qdwidgets.data.units`, never here.
"""

from __future__ import annotations

from .constants import HC_EV_NM

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
