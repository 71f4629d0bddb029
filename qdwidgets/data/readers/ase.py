"""ASE spectra: a long table, or one file per pump power (readers added below)."""

from __future__ import annotations

import re

_COLUMN = re.compile(r"[A-Za-z_]+")


def _header_names(line: str) -> list[str]:
    return [
        m.group(0).lower()
        for m in (_COLUMN.match(c.strip()) for c in re.split(r"[,;\t]|\s{2,}| ", line))
        if m
    ]


def sniff_table(text: str) -> bool:
    """Whether the first non-comment line names the columns power, wavelength and emission."""
    for line in text.splitlines()[:20]:
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        names = set(_header_names(s))
        return {"power", "wavelength", "emission"} <= names
    return False
