"""Jupyter views over ``qdwidgets.core``: state in traits, no science. One file per widget."""

from __future__ import annotations

from .._lazy import lazy_getattr

_LAZY = {
    "Prepare": ".prepare:Prepare",
}
__getattr__ = lazy_getattr(__name__, _LAZY)
__all__ = list(_LAZY)
