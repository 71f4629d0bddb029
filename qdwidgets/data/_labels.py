"""Units and quantities written in header labels (``delay (ps)``, ``power_mW``, ``dT/T (%)``).

Part of :mod:`qdwidgets.data.units`, which re-exports both functions (the table: ``_unit_table``).
"""

from __future__ import annotations

import re

from ._unit_table import _NOT_UNITS
from .units import _key, kind_of

_BRACKETED = re.compile(r"[\(\[]\s*([^\)\]]*?)\s*[\)\]]")
_TRAILING = re.compile(r"(?:^|[\s,_/])([A-Za-zµμÅå][A-Za-zµμÅå^\-1]*)\s*$")
_DTT_WORD = re.compile(r"(?<![A-Za-z])(?:d|Δ|delta\s*)T\s*/\s*T", re.I)
_QUANTITY_WORDS = {
    "delay": ("delay", "time", "t", "delays", "times"),
    "wavelength": ("wavelength", "wavelengths", "wl", "lambda", "λ", "energy", "wavenumber"),
    "power": ("power", "p", "pump_power", "pump power"),
    "signal": ("signal", "da", "δa", "dod", "δod", "od", "absorbance", "delta a"),
}


def quantity_of(label: str) -> str | None:
    """The quantity a header word names ('delay', 'wavelength', 'power', 'signal') or None."""
    if _DTT_WORD.search(label):
        return "signal"
    text = _BRACKETED.sub(" ", label).strip().lower()
    first = re.split(r"[\s,;:_/]", text)[0]
    for kind, words in _QUANTITY_WORDS.items():
        if text in words or first in words:
            return kind
    return None


def unit_in_label(label: str) -> str | None:
    """The unit written in a label, in a unit position only, or None.

    Unit positions: inside parentheses or brackets (``delay (ps)``, ``wavelength [nm]``), or the
    last word after a space, comma, underscore or slash when it is a unit (``delay ps``,
    ``power_mW``, ``P/W``; not ``pump_power``).
    A ΔT/T label with a percent (``dT/T (%)``) gives ``'dT/T (%)'``; a bare ``dT/T`` gives
    ``'dT/T'``. ``sample MS-2`` gives None.
    """
    text = str(label).strip()
    m = _BRACKETED.search(text)
    if m:
        unit = m.group(1).strip()
        if _DTT_WORD.search(text):
            if unit == "%":
                return "dT/T (%)"
            if _DTT_WORD.fullmatch(unit):
                return "dT/T"
        return unit or None
    if _DTT_WORD.search(text):
        return "dT/T (%)" if "%" in text else "dT/T"
    m = _TRAILING.search(text)
    if m and m.start(1) > 0:
        word = m.group(1)  # a trailing word counts only when it is a unit ('pump_power' is not)
        if kind_of(word) is not None or _key(word) in _NOT_UNITS:
            return word
    return None
