"""The base of every result object: a small frozen dataclass that survives a kernel restart.

Fields hold plain values (floats, strings, tuples), xarray objects, or other results.
``to_dict()`` gives JSON-serialisable plain data; ``from_dict()`` rebuilds an equal object.
"""

from __future__ import annotations

import dataclasses
import html
import importlib
import math
from typing import Any, ClassVar, TypeVar

import numpy as np
import xarray as xr

R = TypeVar("R", bound="Result")

_DA, _DS, _ND, _RES = "__dataarray__", "__dataset__", "__ndarray__", "__result__"


def encode(value: Any) -> Any:
    """Turn a value into JSON-serialisable plain data (NaN stays a float NaN)."""
    if isinstance(value, Result):
        cls = type(value)
        out = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        out[_RES] = f"{cls.__module__}:{cls.__qualname__}"
        return out
    if isinstance(value, xr.DataArray):
        return {_DA: value.to_dict(data="list", encoding=False)}
    if isinstance(value, xr.Dataset):
        return {_DS: value.to_dict(data="list", encoding=False)}
    if isinstance(value, np.ndarray):
        return {_ND: value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`; lists come back as tuples (results are immutable)."""
    if isinstance(value, dict):
        if _RES in value:
            module, _, qualname = value[_RES].partition(":")
            obj: Any = importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part)
            return obj.from_dict(value)
        if _DA in value:
            return xr.DataArray.from_dict(value[_DA])
        if _DS in value:
            return xr.Dataset.from_dict(value[_DS])
        if _ND in value:
            return np.asarray(value[_ND], dtype=value["dtype"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    return value


def _short(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, (xr.DataArray, xr.Dataset)):
        dims = ", ".join(f"{d}: {n}" for d, n in value.sizes.items())
        return f"<{type(value).__name__} ({dims})>"
    if isinstance(value, Result):
        return f"<{type(value).__name__}>"
    if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
        return "(" + ", ".join(_short(float(v)) for v in value) + ")"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class Result:
    """Base class for result dataclasses (subclasses use ``@dataclass(frozen=True)``)."""

    _summary_fields: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data; ``type(self).from_dict(d)`` rebuilds the result."""
        out: dict[str, Any] = encode(self)
        return out

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        """Rebuild a result from :meth:`to_dict` output."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: decode(v) for k, v in data.items() if k in names}
        return cls(**kwargs)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """A static matplotlib figure of this result, for papers and exported notebooks.

        Draws into ``ax`` when given; see ``qdwidgets.plots`` for what each result draws.
        """
        from .plots import plot

        return plot(self, ax=ax, **kwargs)

    def _fields_for_display(self) -> list[tuple[str, Any]]:
        names = self._summary_fields or tuple(f.name for f in dataclasses.fields(self))
        return [(n, getattr(self, n)) for n in names]

    def __repr__(self) -> str:
        body = "\n".join(f"  {n}: {_short(v)}" for n, v in self._fields_for_display())
        return f"{type(self).__name__}(\n{body}\n)"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(n)}</th>"
            f"<td style='text-align:left'>{html.escape(_short(v))}</td></tr>"
            for n, v in self._fields_for_display()
        )
        return f"<b>{html.escape(type(self).__name__)}</b><table>{rows}</table>"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            _equal(getattr(self, f.name), getattr(other, f.name)) for f in dataclasses.fields(self)
        )

    __hash__ = None  # type: ignore[assignment]


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (xr.DataArray, xr.Dataset)):
        return isinstance(b, type(a)) and a.identical(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)
