"""qdwidgets: Jupyter widgets for exploring quantum-dot optical-gain data.

Transient absorption (A_ex = ΔA + A0, its zero crossing, kinetics, band shares) and amplified
spontaneous emission (thresholds with and without feedback), over validated xarray datasets.
"""

from __future__ import annotations

from . import accessor as _accessor  # noqa: F401  (registers the ``qd`` accessor)
from ._lazy import lazy_getattr
from .errors import DatasetError, FitError, QDError

__version__ = "0.2.0.dev0"  # the one place of the version (pyproject reads it; see CHANGELOG.md)

_LAZY = {
    "validate": ".data.contract:validate",
    "open_dataset": ".data.io:open_dataset",
    "open_scans": ".data.readers._scans:open_scans",
    "save": ".data.io:save",
    "examples": ".examples",
    "simulate": ".data.simulate",
    "data": ".data",
    "core": ".core",
    "plots": ".plots",
    "TAExplorer": ".widgets.ta_explorer:TAExplorer",
    "TAView": ".widgets.ta_view:TAView",
    "GainLesson": ".widgets.gain_lesson:GainLesson",
    "KineticsFitter": ".widgets.kinetics_fitter:KineticsFitter",
    "BandDeconvolver": ".widgets.band_deconvolver:BandDeconvolver",
    "ThresholdFitter": ".widgets.threshold_fitter:ThresholdFitter",
    "FluenceExplorer": ".widgets.fluence_explorer:FluenceExplorer",
    "Triage": ".widgets.triage:Triage",
    "Prepare": ".widgets.prepare:Prepare",
    "triage": ".batch:triage",
}
__getattr__ = lazy_getattr(__name__, _LAZY)
__all__ = ["DatasetError", "FitError", "QDError", "__version__", *_LAZY]


def __dir__() -> list[str]:
    return sorted(__all__)
