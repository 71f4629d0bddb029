"""The docstring sections every plotter shares, written once: ``@fill_doc`` puts them in.

A plotter's docstring names a shared piece as ``%(figure)s`` on a line of its own (see
:mod:`qdwidgets._docstrings`).
"""

from __future__ import annotations

from .._docstrings import doc_filler

PARTS = {
    # the end of a plotter's Parameters section, and its Returns and Raises sections
    "figure": """ax : matplotlib.axes.Axes, optional
    Draw the main panel into this Axes (returned); by default a new figure holds every
    panel.
**kw
    ``figsize`` (inches) and ``dpi`` of a new figure; only with ``ax=None``.

Returns
-------
matplotlib.figure.Figure or matplotlib.axes.Axes
    A new figure, detached from pyplot (a notebook shows it once; ``fig.savefig(path)``
    writes it), or the given ``ax``.

Raises
------
TypeError
    For a keyword the plotter does not take, figure options together with ``ax``, or an
    ``ax`` that is not a matplotlib Axes.""",
    "linthresh": """linthresh : float, default 2.0
    Half-width (ps) of the linear part of the delay axis: linear within ±linthresh,
    logarithmic beyond.""",
}
fill_doc = doc_filler(PARTS)
