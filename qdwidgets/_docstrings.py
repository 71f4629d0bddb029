"""Docstring sections shared by several functions, written once and filled in on import.

A docstring names a shared piece as ``%(name)s`` on a line of its own; ``doc_filler(parts)``
returns a decorator that replaces those markers by ``parts[name]``, indented like the marker.
Only the names in ``parts`` are replaced, so a literal ``%`` elsewhere in a docstring stays.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def doc_filler(parts: Mapping[str, str]) -> Callable[[F], F]:
    """A decorator that fills the ``%(name)s`` markers of a docstring from ``parts``.

    Parameters
    ----------
    parts : mapping of str to str
        The shared sections, dedented (an entry's description indented by 4 spaces).

    Returns
    -------
    callable
        ``fill_doc(func) -> func``, with ``func.__doc__`` filled in.

    Examples
    --------
    >>> fill_doc = doc_filler({"x": "x : float\\n    A length (nm)."})
    >>> @fill_doc
    ... def f(x):
    ...     '''Parameters
    ...     ----------
    ...     %(x)s
    ...     '''
    >>> "x : float" in f.__doc__ and "%(x)s" not in f.__doc__
    True
    """
    marker = re.compile(r"^([ \t]*)%\((" + "|".join(map(re.escape, parts)) + r")\)s[ \t]*$", re.M)

    def fill_doc(func: F) -> F:
        if func.__doc__:
            func.__doc__ = marker.sub(
                lambda m: textwrap.indent(parts[m.group(2)], m.group(1)), func.__doc__
            )
        return func

    return fill_doc
