"""The model-free noise estimator of core, and the MAD → σ constant every robust σ uses.

:func:`column_noise` is the one estimate of white noise from the data alone: the MAD of the
second differences along an axis (a signal that varies smoothly, or steps a few times, hardly
moves it). The other σ of core are different estimators on purpose and say so where they live:
the scatter before time zero (:func:`qdwidgets.core.gain.noise_level`, ``trace_noise``), the scatter
over repeated scans (``prepare.average_scans``) and the residual of a smooth (the ASE
signal-to-noise ratio); the robust ones among them share :data:`MAD_TO_SIGMA`.
"""

from __future__ import annotations

import math

import numpy as np

from ._masked import nan_quiet

MAD_TO_SIGMA = 1.4826
"""σ / MAD of Gaussian noise (1 / Φ⁻¹(3/4)): turns a median absolute deviation into a σ."""


def column_noise(y: np.ndarray) -> np.ndarray:
    """Model-free noise (OD) per column of ``y`` (delays × columns): the MAD of the second
    differences along the delays, / √6 for white noise. Robust to the signal's steps and
    independent of where zero sits on the delay axis; NaN values (a column's ends after a
    chirp correction) are left out; NaN with fewer than 5 delays."""
    y2 = np.asarray(y, dtype=float)
    y2 = y2[:, None] if y2.ndim == 1 else y2
    if y2.shape[0] < 5:
        return np.full(y2.shape[1], math.nan)
    d = y2[2:] - 2.0 * y2[1:-1] + y2[:-2]
    if np.isnan(d).any():  # NaN at a column's ends (chirp-corrected data): left out
        with nan_quiet():  # an all-NaN column → NaN
            mad = np.nanmedian(np.abs(d - np.nanmedian(d, axis=0)), axis=0)
    else:
        mad = np.median(np.abs(d - np.median(d, axis=0)), axis=0)
    return np.asarray(MAD_TO_SIGMA * mad / math.sqrt(6.0))


def noise_estimate(y: np.ndarray) -> float:
    """The noise (OD) of traces (delays × columns): the median of :func:`column_noise` over (at
    most 64 evenly spaced) columns."""
    y2 = np.asarray(y, dtype=float)
    y2 = y2[:, None] if y2.ndim == 1 else y2
    if y2.shape[1] > 64:
        y2 = y2[:, np.linspace(0, y2.shape[1] - 1, 64).astype(int)]
    return float(np.median(column_noise(y2)))
