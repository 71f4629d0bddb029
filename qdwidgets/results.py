"""The base of every result object: a small frozen dataclass that survives a kernel restart.

Fields hold plain values (floats, strings, tuples), xarray objects, or other results.
``to_dict()`` gives JSON-serialisable plain data; ``from_dict()`` rebuilds an equal object.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import importlib
import math
from typing import Any, ClassVar, TypeVar

import numpy as np
import xarray as xr

from .errors import QDError

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


# Result classes of qdwidgets, by "module:qualname" and by bare qualname (registered when their
# class is created); ``decode`` rebuilds only these. Nothing named in a state is ever imported:
# only the fixed modules below, which define result classes, are imported when needed.
_REGISTRY: dict[str, type[Result]] = {}
_BY_NAME: dict[str, list[type[Result]]] = {}
_HOMES = (
    "qdwidgets.core.gain",
    "qdwidgets.core.occupancy",
    "qdwidgets.core.kinetics",
    "qdwidgets.core.bands",
    "qdwidgets.core.threshold",
    "qdwidgets.core.lesson",
    "qdwidgets.core.fluence",
    "qdwidgets.data.simulate",
)
_WIDGET_HOMES = ("qdwidgets.widgets._ta_explorer_result",)


def _register(cls: type[Result]) -> None:
    if not cls.__module__.startswith("qdwidgets."):
        return
    _REGISTRY[f"{cls.__module__}:{cls.__qualname__}"] = cls
    _BY_NAME.setdefault(cls.__qualname__, []).append(cls)


def allow(cls: type[R]) -> type[R]:
    """Let :func:`decode` rebuild a Result subclass defined outside qdwidgets (a decorator).

    The program opts in, class by class; a saved state never can.
    """
    if not (isinstance(cls, type) and issubclass(cls, Result)):
        raise QDError(f"allow() takes a Result subclass, not {cls!r}")
    _REGISTRY[f"{cls.__module__}:{cls.__qualname__}"] = cls
    return cls


def _find(name: str) -> type[Result] | None:
    cls = _REGISTRY.get(name)
    if cls is None:
        found = _BY_NAME.get(name.rpartition(":")[2], [])
        cls = found[0] if len(found) == 1 else None  # a class moved to another module
    return cls


def result_class(name: object) -> type[Result]:
    """The qdwidgets result class a state names ("module:qualname"), from the allow-list.

    Raises QDError for anything else: a state is data, it never chooses what gets imported.
    """
    if isinstance(name, str) and name in _REGISTRY:
        return _REGISTRY[name]
    if not isinstance(name, str) or not name.startswith("qdwidgets.") or ":" not in name:
        raise QDError(
            f"saved state names {str(name)[:80]!r}, which is not a qdwidgets result class; "
            "refused (a state is data and never imports code). Fix: load a state written by "
            "qdwidgets' to_dict()"
        )
    homes = _HOMES + (_WIDGET_HOMES if name.startswith("qdwidgets.widgets.") else ())
    cls = _find(name)
    for home in homes:
        if cls is not None:
            break
        with contextlib.suppress(ImportError):  # a home that cannot load holds no classes
            importlib.import_module(home)  # fixed module names, never taken from the state
        cls = _find(name)
    if cls is None:
        raise QDError(
            f"saved state names {name[:80]!r}, which is not a qdwidgets result class; "
            "refused. Fix: load a state written by this version's to_dict()"
        )
    return cls


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`; lists come back as tuples (results are immutable).

    Only qdwidgets' own result classes are rebuilt (an allow-list, see :func:`result_class`);
    a state naming any other class or module, or a damaged state, raises ``QDError``.
    """
    try:
        return _decode(value)
    except QDError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        raise QDError(
            f"saved state cannot be restored ({type(exc).__name__}: {str(exc)[:200]}). Fix: "
            "load a state written by this version's to_dict(), unmodified"
        ) from None


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if _RES in value:
            return result_class(value[_RES]).from_dict(value)
        if _DA in value:
            return xr.DataArray.from_dict(value[_DA])
        if _DS in value:
            return xr.Dataset.from_dict(value[_DS])
        if _ND in value:
            dtype = np.dtype(str(value.get("dtype", "float64")))
            if dtype.kind in "OV":
                raise QDError(
                    f"saved state holds an array of dtype {dtype}, which is not plain data; "
                    "refused. Fix: store numbers or strings"
                )
            return np.asarray(value[_ND], dtype=dtype)
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _register(cls)

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
