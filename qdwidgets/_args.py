"""Checks of the numeric and choice options at the entry of every public core function.

Each raises :class:`qdwidgets.errors.QDError` subclasses (``ValueError`` too) whose message names
the argument, what is wrong and what would be right.
"""

from __future__ import annotations

import difflib
import functools
import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np

from .errors import QDError

F = TypeVar("F", bound=Callable[..., Any])
S = TypeVar("S", bound=str)


class ArgumentError(QDError, ValueError):
    """An option of a qdwidgets function is out of range, not finite or not one of its choices."""


def number(
    name: str,
    value: Any,
    *,
    lo: float = -math.inf,
    hi: float = math.inf,
    lo_open: bool = False,
    hi_open: bool = False,
    unit: str = "",
) -> float:
    """``value`` as a finite float within [lo, hi] (open ends when asked), or ArgumentError."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a number, not {value!r}") from None
    u = f" {unit}" if unit else ""
    if not math.isfinite(x):
        raise ArgumentError(f"{name} must be finite, got {x}{u}")
    below = x <= lo if lo_open else x < lo
    above = x >= hi if hi_open else x > hi
    if below or above:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise ArgumentError(f"{name} must be in {left}{lo:g}, {hi:g}{right}{u}, got {x:g}{u}")
    return x


def positive(name: str, value: Any, *, unit: str = "") -> float:
    """A finite number > 0."""
    return number(name, value, lo=0.0, lo_open=True, unit=unit)


def non_negative(name: str, value: Any, *, unit: str = "") -> float:
    """A finite number ≥ 0."""
    return number(name, value, lo=0.0, unit=unit)


def integer(name: str, value: Any, *, lo: int, hi: int) -> int:
    """An integer in [lo, hi] (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ArgumentError(f"{name} must be an integer in [{lo}, {hi}], not {value!r}")
    if not lo <= int(value) <= hi:
        raise ArgumentError(f"{name} must be an integer in [{lo}, {hi}], got {value}")
    return int(value)


def interval(
    name: str, value: Any, *, unit: str = "", allow_none_ends: bool = True
) -> tuple[Any, Any]:
    """A (low, high) pair with low < high; ``None`` ends allowed (open)."""
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a pair (low, high), not {value!r}") from None
    out: list[float | None] = []
    for end in (lo, hi):
        if end is None and allow_none_ends:
            out.append(None)
        else:
            out.append(number(name, end, unit=unit))
    if out[0] is not None and out[1] is not None and not out[0] < out[1]:
        raise ArgumentError(f"{name} must have low < high, got ({out[0]:g}, {out[1]:g})")
    return out[0], out[1]


def choice(name: str, value: Any, choices: Iterable[S]) -> S:
    """One of ``choices`` (typed as they are, e.g. a ``Literal``); the error names the closest."""
    opts = list(choices)
    for opt in opts:
        if value == opt:
            return opt
    near = difflib.get_close_matches(str(value), opts, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    raise ArgumentError(f"{name} must be one of {opts}, not {value!r}{hint}")


def finite_array(name: str, value: Any, *, length: int | None = None) -> np.ndarray:
    """A 1-D float array of finite values (and the given length)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must hold numbers, not {value!r}") from None
    if arr.ndim != 1:
        arr = np.atleast_1d(arr)
        if arr.ndim != 1:
            raise ArgumentError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if length is not None and arr.size != length:
        raise ArgumentError(f"{name} has {arr.size} values; {length} are needed")
    if not np.all(np.isfinite(arr)):
        raise ArgumentError(f"{name} holds NaN or infinite values; give finite numbers")
    return arr


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """A DeprecationWarning: ``old`` is an old name of ``new``, kept for one version."""
    warnings.warn(
        f"'{old}' is deprecated and will be removed in the next version; use '{new}'",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def renamed_kwargs(kwargs: dict[str, Any], renames: dict[str, str], where: str) -> dict[str, Any]:
    """``kwargs`` with the old keyword names of ``renames`` (``{old: new}``) replaced by the
    new ones, each with a DeprecationWarning; ArgumentError when both names are given."""
    out = dict(kwargs)
    for old, new in renames.items():
        if old not in out:
            continue
        if new in out:
            raise ArgumentError(
                f"{where}: both {old}= and {new}= given; {old} is the old name of {new}. "
                f"Fix: pass only {new}="
            )
        warn_renamed(f"{where}({old}=...)", f"{where}({new}=...)", stacklevel=4)
        out[new] = out.pop(old)
    return out


def renamed(**renames: str) -> Callable[[F], F]:
    """Decorator: the function also accepts the old keyword names ``old=new`` for one version.

    Passing an old name warns (DeprecationWarning naming the new one) and forwards the value
    under the new name; the function's signature (``inspect.signature``) is the new one.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if kwargs and not renames.keys().isdisjoint(kwargs):
                kwargs = renamed_kwargs(kwargs, renames, func.__qualname__)
            return func(*args, **kwargs)

        wrapper.__renamed__ = dict(renames)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
