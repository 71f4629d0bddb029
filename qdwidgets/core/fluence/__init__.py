"""Fluence series: the multi-exciton cascade fitted across pump levels.

- :func:`fit_cascade` — Poisson occupancy ⟨N⟩ = σ·pump, Auger cascade (statistical or pair
  scaling), cooling and IRF: one closed-form model for every pump level at the band edge
  → :class:`CascadeFit`
- :func:`cross_section_from_saturation` — σ from the late bleach after the Auger decay (the
  delay read from the data) → :class:`SaturationFit`
- :func:`biexciton_lifetime_by_subtraction` — normalise late, subtract the lowest level, fit
  the excess → :class:`~qdwidgets.core.kinetics.KineticsFit`
- :func:`gain_threshold_occupancy` — the ⟨N⟩ where A_ex at the band edge crosses zero at a
  delay → :class:`OccupancyThreshold`
"""

from __future__ import annotations

from ._fit import fit_cascade
from ._light import SaturationFit, biexciton_lifetime_by_subtraction, cross_section_from_saturation
from ._model import SCALINGS
from ._result import CascadeFit
from ._threshold import OccupancyThreshold, gain_threshold_occupancy

__all__ = [
    "SCALINGS",
    "CascadeFit",
    "OccupancyThreshold",
    "SaturationFit",
    "biexciton_lifetime_by_subtraction",
    "cross_section_from_saturation",
    "fit_cascade",
    "gain_threshold_occupancy",
]
