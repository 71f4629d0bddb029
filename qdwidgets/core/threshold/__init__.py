"""ASE threshold (paper Fig. 3c, 3e): output vs CW pump power, two-line fits, criteria.

- :func:`peak_output`, :func:`enhancement`, :func:`linewidth`: curves vs power from a dataset.
- :func:`intensity`: mW on a spot → W cm⁻² (top hat or Gaussian peak).
- :func:`fit_threshold`: lines in two given windows, intersection, 95 % interval.
- :func:`find_threshold`: segmented regression that also tests whether a breakpoint exists.
- :func:`criteria`: the threshold by several criteria side by side.
- :func:`fit_dataset`: what ``ds.qd.fit_threshold(**kw)`` calls.
"""

from __future__ import annotations

from ._criteria import Criterion, ThresholdCriteria, criteria
from ._dataset import (
    enhancement,
    fit_dataset,
    linewidth,
    peak_output,
    signal_curve,
    spectral_snr,
)
from ._intensity import intensity
from ._lines import CI_METHODS, LineFit, ThresholdFit, fit_threshold
from ._segmented import find_threshold, segmented

__all__ = [
    "CI_METHODS",
    "Criterion",
    "LineFit",
    "ThresholdCriteria",
    "ThresholdFit",
    "criteria",
    "enhancement",
    "find_threshold",
    "fit_dataset",
    "fit_threshold",
    "intensity",
    "linewidth",
    "peak_output",
    "segmented",
    "signal_curve",
    "spectral_snr",
]
