"""The data layer: the dataset contract, readers and writers, simulators and examples."""

from __future__ import annotations

from .._lazy import lazy_getattr
from .contract import validate

_LAZY = {
    "open_dataset": ".io:open_dataset",
    "open_scans": ".readers._scans:open_scans",
    "save": ".io:save",
    "attach_absorbance": ".absorbance:attach_absorbance",
    "simulate": ".simulate",
    "examples": ".examples",
}
__getattr__ = lazy_getattr(__name__, _LAZY)
__all__ = ["validate", *_LAZY]
