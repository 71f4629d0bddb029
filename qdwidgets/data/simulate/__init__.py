"""Physics-based, seeded simulators returning a validated dataset and its truth.

``ta(...) -> (xr.Dataset, TATruth)``: transient absorption of quantum dots (Poisson excitons,
cooling, Auger cascade, trapping, band-edge GSB/SE spectra, IRF, chirp, noise).
``cascade(...) -> (xr.Dataset, CascadeTruth)``: a fluence series governed by the multi-exciton
cascade (Poisson occupancy, cooling, Auger rates, IRF) at the band edge.
``decays(...) -> (xr.Dataset, DecaysTruth)``: the global-analysis test pattern (parallel
exponential decays, Gaussian IRF on a chirp polynomial, an axis starting near time zero).
``ase(...) -> (xr.Dataset, ASETruth)``: emission vs CW pump power without and with feedback.
``raw_ta(...) -> RawTA``: a raw TA measurement (several noisy scans, one glitched; a solvent scan;
chirp, pump scatter, baseline offset, noisy detector edges) and its truth.
"""

from __future__ import annotations

from ._ase import ASETruth, ase
from ._cascade import CascadeTruth, cascade, default_fluence_delays
from ._decays import DecaysTruth, decays, default_decay_delays
from ._raw import default_raw_delays, raw_ta
from ._raw_result import RawTA
from ._ta import default_delays, default_wavelengths, ta
from ._ta_truth import COMPONENTS, TATruth

__all__ = [
    "COMPONENTS",
    "ASETruth",
    "CascadeTruth",
    "DecaysTruth",
    "RawTA",
    "TATruth",
    "ase",
    "cascade",
    "decays",
    "default_decay_delays",
    "default_delays",
    "default_fluence_delays",
    "default_raw_delays",
    "default_wavelengths",
    "raw_ta",
    "ta",
]
