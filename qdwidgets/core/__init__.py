"""Pure computations over validated datasets: gain, occupancy, chirp, kinetics, bands, threshold,
fluence.

Imports numpy, scipy, lmfit and xarray only — never a widget library (a test enforces it).
"""

from .._lazy import lazy_getattr

_SUBMODULES = (
    "bands",
    "chirp",
    "fluence",
    "gain",
    "kinetics",
    "lesson",
    "occupancy",
    "prepare",
    "summary",
    "threshold",
)

# ``qdwidgets.core.kinetics`` works after a bare ``import qdwidgets``; nothing loads until used
__getattr__ = lazy_getattr(__name__, {name: f".{name}" for name in _SUBMODULES})


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])
