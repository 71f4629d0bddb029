"""Physics-based, seeded simulators returning a validated dataset and its truth.

``ta(...) -> (xr.Dataset, TATruth)``: transient absorption of quantum dots (Poisson excitons,
cooling, Auger cascade, trapping, band-edge GSB/SE spectra, IRF, chirp, noise).
``ase(...) -> (xr.Dataset, ASETruth)``: emission vs CW pump power without and with feedback.
"""

from __future__ import annotations

from ._ase import ASETruth, ase
from ._ta import default_delays, default_wavelengths, ta
from ._ta_truth import COMPONENTS, TATruth

__all__ = [
    "COMPONENTS",
    "ASETruth",
    "TATruth",
    "ase",
    "default_delays",
    "default_wavelengths",
    "ta",
]
