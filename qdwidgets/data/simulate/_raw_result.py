"""The result of ``simulate.raw_ta``: the raw scans, the solvent scan and what was put in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr

from ...results import Result
from ._ta_truth import TATruth


@dataclass(frozen=True, repr=False, eq=False)
class RawTA(Result):
    """A simulated raw TA measurement (``scans``, ``solvent``) and its truth.

    Delays in ps, wavelengths in nm, signals in OD. ``clean`` is what averaging the scans should
    give (the measurement without noise or glitch); ``truth`` is what a full preparation aims at
    (the sample's ΔA alone: no chirp, coherent artefact, pump scatter or baseline offset).
    """

    scans: tuple[xr.Dataset, ...]  # the noisy scans, one of them glitched (validated TA datasets)
    solvent: xr.Dataset  # the solvent scan: the coherent artefact only, with noise (one pump level)
    clean: xr.Dataset  # the noiseless raw measurement: sample + artefact + scatter + baseline
    truth: xr.Dataset  # the sample's ΔA alone, time zero at 0 ps for every wavelength
    sample: TATruth  # the sample simulation (``simulate.ta``), with the chirp polynomial
    noise: xr.DataArray  # σ of the noise per wavelength (OD): base, detector edges, scatter
    baseline: xr.DataArray  # the baseline offset per wavelength (OD), at every delay
    scatter: xr.DataArray  # the pump scatter per wavelength (OD), at every delay
    artefact: xr.DataArray  # the solvent scan's coherent artefact (OD) over (delay, wavelength)
    solvent_scale: tuple[float, ...]  # the sample's artefact / the solvent's, per pump level
    glitch_scan: int  # index of the glitched scan (−1: none)
    glitch_delays: tuple[float, ...]  # the delays (ps) the glitch covers
    glitch_od: float  # the glitch: added to ΔA at those delays, every wavelength (OD)
    scatter_nm: float  # the pump wavelength, centre of the scatter band (nm)
    scatter_fwhm_nm: float  # FWHM of the scatter band (nm)
    seed: int | None  # noise seed

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "n_scans",
        "solvent",
        "solvent_scale",
        "glitch_scan",
        "glitch_delays",
        "glitch_od",
        "scatter_nm",
        "scatter_fwhm_nm",
        "seed",
    )

    @property
    def n_scans(self) -> int:
        """The number of scans."""
        return len(self.scans)

    def t0(self, wavelength: np.ndarray | float) -> np.ndarray:
        """Time zero (ps) at ``wavelength`` (nm): the chirp of the raw data."""
        return self.sample.t0(wavelength)

    def glitched(self) -> xr.DataArray:
        """True where the glitched scan holds the glitch, over (pump, delay, wavelength)."""
        grid = self.clean["dA"]
        hit = np.isin(grid["delay"].values, np.asarray(self.glitch_delays))
        out: xr.DataArray = xr.zeros_like(grid, dtype=bool) | xr.DataArray(hit, dims="delay")
        glitched: xr.DataArray = out.transpose(*grid.dims).rename("glitched")
        return glitched

    def scatter_band(self) -> tuple[float, float]:
        """The wavelengths (nm) where the scatter exceeds a tenth of its peak: a mask window."""
        half = self.scatter_fwhm_nm / 2.0 * np.sqrt(np.log(10.0) / np.log(2.0))
        return (self.scatter_nm - half, self.scatter_nm + half)
