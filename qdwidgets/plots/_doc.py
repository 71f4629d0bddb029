"""The docstring sections every plotter shares, written once: ``@fill_doc`` puts them in.

A plotter's docstring names a shared piece as ``%(ax)s`` on a line of its own; :data:`PARTS`
holds the text, indented like the marker when it is put in. Only these names are replaced, so a
literal ``%`` elsewhere in a docstring stays as it is.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

PARTS = {
    "ax": """ax : matplotlib.axes.Axes, optional
    Draw the main panel into this Axes (returned); by default a new figure holds every
    panel.""",
    "kw": """**kw
    ``figsize`` (inches) and ``dpi`` of a new figure; only with ``ax=None``.""",
    "linthresh": """linthresh : float, default 2.0
    Half-width (ps) of the linear part of the delay axis: linear within ±linthresh,
    logarithmic beyond.""",
    "returns": """matplotlib.figure.Figure or matplotlib.axes.Axes
    A new figure, detached from pyplot (a notebook shows it once; ``fig.savefig(path)``
    writes it), or the given ``ax``.""",
    "raises": """TypeError
    For a keyword the plotter does not take, figure options together with ``ax``, or an
    ``ax`` that is not a matplotlib Axes.""",
}
_MARKER = re.compile(r"^([ \t]*)%\((" + "|".join(PARTS) + r")\)s[ \t]*$", re.MULTILINE)


def fill_doc(func: F) -> F:
    """Replace the ``%(name)s`` markers of ``func``'s docstring by :data:`PARTS`."""
    if func.__doc__:
        func.__doc__ = _MARKER.sub(
            lambda m: textwrap.indent(PARTS[m.group(2)], m.group(1)), func.__doc__
        )
    return func
