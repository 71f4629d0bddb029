"""Text from data into HTML or a spreadsheet, safely: the one escaping helper of qdwidgets.

Every string that came from a file, an attribute, a label, a unit or an error message goes
through :func:`escape` before it becomes part of HTML, and through :func:`csv_cell` before it
becomes a CSV cell.
"""

from __future__ import annotations

import html
from typing import Any


def escape(value: Any) -> str:
    """``str(value)`` with ``& < > " '`` escaped for HTML text and attribute values.

    >>> escape("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(str(value), quote=True)


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula.

    Strings starting with ``= + - @`` (or a tab / carriage return) get a leading apostrophe;
    numbers pass unchanged.

    >>> csv_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> csv_cell(-1.5)
    -1.5
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
