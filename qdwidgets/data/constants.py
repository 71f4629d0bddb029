"""Physical constants and the pump-intensity conversion, written once for data, core and plots.

The data layer holds them because it imports nothing from ``qdwidgets.core``; core and the plots
import them from here.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import DatasetError

__all__ = ["HC_EV_NM", "check_spot_diameter", "w_cm2_per_mW"]

HC_EV_NM = 1239.841984
"""h·c/e (eV nm): a photon of wavelength λ (nm) has the energy E = HC_EV_NM / λ (eV)."""

_PEAK_FACTOR = {"tophat": 1.0, "gaussian": 2.0}  # peak intensity × area / power


def check_spot_diameter(spot_diameter_mm: Any) -> float:
    """The spot diameter (mm) as a float, checked to be a positive finite number.

    Parameters
    ----------
    spot_diameter_mm : float or str
        The diameter (mm) as given by the user or a file's attrs.

    Returns
    -------
    float
        The diameter (mm).

    Raises
    ------
    DatasetError
        If it is not a positive finite number (with how to pass one).

    Examples
    --------
    >>> from qdwidgets.data.constants import check_spot_diameter
    >>> check_spot_diameter("1.5")
    1.5
    """
    try:
        d = float(spot_diameter_mm)
    except (TypeError, ValueError):
        d = math.nan
    if not math.isfinite(d) or d <= 0:
        raise DatasetError(
            f"spot diameter: must be a positive number of mm (got {spot_diameter_mm!r}). "
            "Fix: pass spot_diameter_mm=1.0 or set ds.attrs['spot_diameter_mm']"
        )
    return d


def w_cm2_per_mW(spot_diameter_mm: float, beam_profile: str = "tophat") -> float:
    """Pump intensity per unit of CW pump power on a round spot.

    ``"tophat"``: a uniform disc of diameter d, I = P / (π (d/2)²). ``"gaussian"``: d is the
    1/e² diameter (d = 2w), the peak intensity I = 2P / (π w²).

    Parameters
    ----------
    spot_diameter_mm : float
        Spot diameter (mm): the flat-top diameter, or the 1/e² diameter for ``"gaussian"``.
    beam_profile : {"tophat", "gaussian"}, default "tophat"
        The beam profile the diameter refers to.

    Returns
    -------
    float
        Intensity (W cm⁻²) per mW of power: uniform for ``"tophat"``, the peak for
        ``"gaussian"``.

    Raises
    ------
    DatasetError
        If the diameter is not a positive finite number of mm or the profile is unknown.

    Examples
    --------
    >>> from qdwidgets.data.constants import w_cm2_per_mW
    >>> round(150.0 * w_cm2_per_mW(1.0), 1)  # 150 mW on a 1 mm top-hat spot, W cm⁻²
    19.1
    >>> w_cm2_per_mW(1.0, "gaussian") / w_cm2_per_mW(1.0, "tophat")
    2.0
    """
    d = check_spot_diameter(spot_diameter_mm)
    if beam_profile not in _PEAK_FACTOR:
        raise DatasetError(
            f"beam profile: {beam_profile!r} is not one of {tuple(_PEAK_FACTOR)}. "
            "Fix: pass beam_profile='tophat' or 'gaussian'"
        )
    radius_cm = d / 20.0  # mm diameter -> cm radius
    return _PEAK_FACTOR[beam_profile] * 1e-3 / (math.pi * radius_cm**2)
