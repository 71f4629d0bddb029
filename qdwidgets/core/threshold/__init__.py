"""ASE threshold (paper Fig. 3c, 3e): output vs CW pump power, two-line fits, criteria.

- :func:`peak_output`, :func:`enhancement`, :func:`linewidth`: curves vs power from a dataset.
- :func:`intensity`: mW on a spot → W cm⁻² (top hat or Gaussian peak).
- :func:`fit_threshold`: the threshold of an ASE dataset (``ds.qd.fit_threshold`` is it):
  lines in two given windows, or windows found by segmented regression.
- :func:`fit_lines`: lines in two given windows of a curve (arrays), intersection, 95 % interval.
- :func:`find_threshold`: segmented regression on a curve that also tests whether a breakpoint
  exists.
- :func:`criteria`: the threshold by several criteria side by side.
- ``fit_dataset``: the old name of :func:`fit_threshold` (deprecated).
- :func:`default_feedback`: the condition used when none is named (the first that is not "none").

Every result carries the fit status of :mod:`qdwidgets.core._status` (``converged``, ``message``,
``nfev``, ``warnings``) and its intervals as ``ci = {name: (low, high)}`` with ``ci_method``.
"""

from __future__ import annotations

from ._criteria import Criterion, ThresholdCriteria, criteria
from ._dataset import (
    default_feedback,
    enhancement,
    linewidth,
    peak_output,
    signal_curve,
    spectral_snr,
)
from ._fit import fit_dataset, fit_threshold
from ._intensity import intensity
from ._lines import CI_METHODS, fit_lines
from ._results import Breakpoint, LineFit, ThresholdFit
from ._segmented import find_threshold, segmented

__all__ = [
    "CI_METHODS",
    "Breakpoint",
    "Criterion",
    "LineFit",
    "ThresholdCriteria",
    "ThresholdFit",
    "criteria",
    "default_feedback",
    "enhancement",
    "find_threshold",
    "fit_dataset",
    "fit_lines",
    "fit_threshold",
    "intensity",
    "linewidth",
    "peak_output",
    "segmented",
    "signal_curve",
    "spectral_snr",
]
