"""Physics-based, seeded simulators returning a validated dataset and its truth.

``ta(...) -> (xr.Dataset, TATruth)``: transient absorption of quantum dots (Poisson excitons,
cooling, Auger cascade, trapping, band-edge GSB/SE spectra, IRF, chirp, noise).
``cascade(...) -> (xr.Dataset, CascadeTruth)``: a fluence series governed by the multi-exciton
cascade (Poisson occupancy, cooling, Auger rates, IRF) at the band edge.
``ase(...) -> (xr.Dataset, ASETruth)``: emission vs CW pump power without and with feedback.
"""

from __future__ import annotations

from ._ase import ASETruth, ase
from ._cascade import CascadeTruth, cascade, default_fluence_delays
from ._ta import default_delays, default_wavelengths, ta
from ._ta_truth import COMPONENTS, TATruth

__all__ = [
    "COMPONENTS",
    "ASETruth",
    "CascadeTruth",
    "TATruth",
    "ase",
    "cascade",
    "default_delays",
    "default_fluence_delays",
    "default_wavelengths",
    "ta",
]
