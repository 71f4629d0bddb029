"""CW pump power → intensity for a spot size and beam profile (power in mW, intensity W cm⁻²)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _args
from ..._choices import BEAM_PROFILES, BeamProfile
from ...data.constants import check_spot_diameter, w_cm2_per_mW


@_args.renamed(profile="beam_profile")
def intensity(power_mW: Any, spot_diameter_mm: float, beam_profile: BeamProfile = "tophat") -> Any:
    """Pump intensity in W cm⁻² for a CW power in mW on a spot of diameter ``spot_diameter_mm``.

    ``"tophat"``: uniform disc of diameter d, I = P / (π (d/2)²).
    ``"gaussian"``: d is the 1/e² diameter (d = 2w); the peak intensity I = 2P / (π w²).
    A scalar gives a float, an array an array of the same shape.

    Parameters
    ----------
    power_mW : float or array-like
        CW pump power (mW).
    spot_diameter_mm : float
        Spot diameter (mm): the flat-top diameter, or the 1/e² diameter for "gaussian".
    beam_profile : {"tophat", "gaussian"}, default "tophat"
        Beam profile the diameter refers to.

    Returns
    -------
    float or numpy.ndarray
        Intensity (W cm⁻²): uniform for "tophat", the peak for "gaussian".

    Examples
    --------
    >>> from qdwidgets.core.threshold import intensity
    >>> round(intensity(150.0, 1.0), 1)  # 150 mW on a 1 mm top-hat spot, W cm⁻²
    19.1
    """
    d = check_spot_diameter(spot_diameter_mm)
    beam_profile = _args.choice("beam_profile", beam_profile, BEAM_PROFILES)
    out = np.asarray(power_mW, dtype=float) * w_cm2_per_mW(d, beam_profile)
    return float(out) if out.ndim == 0 else out
