"""Lazy attribute loading, so that ``import qdwidgets`` does not import the widget stack."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(package: str, table: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving ``name`` to ``module:attr`` in ``table`` on first use."""

    def __getattr__(name: str) -> Any:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = target.partition(":")
        mod = importlib.import_module(module, package)
        return getattr(mod, attr) if attr else mod

    return __getattr__
