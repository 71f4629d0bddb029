"""Triage's table cells: the columns shown, their fixed widths, one cell."""

from __future__ import annotations

import ipywidgets as W

from .._html import escape

SHOWN = (
    ("kind", "kind"),
    ("flags", "flags"),
    ("gain", "gain"),
    ("first_crossing_ps", "first A_ex = 0 (ps)"),
    ("tau_ps", "τ (ps)"),
    ("threshold_mW", "threshold (mW)"),
    ("error", "error"),
)


# column widths (px): fixed, so that header and rows line up (no flex shrinking)
_WIDTHS = {
    "preview": 110,
    "source": 170,
    "kind": 50,
    "flags": 130,
    "gain": 80,
    "first_crossing_ps": 90,
    "tau_ps": 110,
    "threshold_mW": 110,
    "error": 240,
    "open": 70,
}


def cell_layout(column: str) -> W.Layout:
    width = f"{_WIDTHS[column]}px"
    return W.Layout(width=width, min_width=width, flex="0 0 auto", overflow="hidden")


def cell(html_text: str, column: str, *, title: str = "") -> W.HTML:
    """One table cell; ``html_text`` already escaped; ``title`` (plain text) as its tooltip."""
    tip = f" title='{escape(title)}'" if title else ""
    value = f"<div{tip} style='overflow-wrap:anywhere;line-height:1.3'>{html_text}</div>"
    return W.HTML(value, layout=cell_layout(column))
