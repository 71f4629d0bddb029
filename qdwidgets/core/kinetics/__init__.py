"""Kinetics: multi-exponential fits with a Gaussian instrument response (Fig. 2f, Table 1).

- :func:`fit_trace` — one trace, lmfit + variable projection → :class:`KineticsFit`
- :func:`fit_kinetics` — the trace at a wavelength per pump level (what ``ds.qd.fit_kinetics``
  calls) → :class:`KineticsFit` or :class:`KineticsSeries`
- :func:`fit_traces` — independent fits at every wavelength and pump level, vectorised → Dataset
- :func:`fit_global` — lifetimes shared by all wavelengths → :class:`GlobalFit` (DAS or EAS)
- :func:`svd` — singular values to choose the number of components
- :func:`evaluate` — the model itself (cheap; for redraws)
- :data:`MAX_COMPONENTS` — the most exponential components a fit takes
"""

from __future__ import annotations

from ._inputs import MAX_COMPONENTS
from .dataset import extract_trace, fit_kinetics, initial_guess
from .fit import fit_trace
from .global_fit import fit_global, svd
from .model import evaluate
from .results import GlobalFit, KineticsFit, KineticsSeries, SVDResult
from .traces import fit_traces

__all__ = [
    "MAX_COMPONENTS",
    "GlobalFit",
    "KineticsFit",
    "KineticsSeries",
    "SVDResult",
    "evaluate",
    "extract_trace",
    "fit_global",
    "fit_kinetics",
    "fit_trace",
    "fit_traces",
    "initial_guess",
    "svd",
]
