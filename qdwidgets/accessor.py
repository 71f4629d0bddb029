"""The ``qd`` accessor on xarray Datasets: ``ds.qd.validate()``, ``ds.qd.a_ex()``, ...

Each method forwards to ``qdwidgets.core`` (computations) or ``qdwidgets.widgets`` (views);
the imports are deferred so that the accessor costs nothing until used. Inputs are never
modified: every method validates a copy first.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import xarray as xr

if TYPE_CHECKING:
    from ._choices import (
        BeamProfile,
        CascadeScaling,
        KineticsCI,
        KineticsModel,
        OccupancyMode,
        OutputMethod,
        ThresholdCI,
        ThresholdSignal,
    )
    from .core._gain_spectrum import GainSpectrum
    from .core.bands import Band, BandFit
    from .core.fluence import CascadeFit
    from .core.kinetics import GlobalFit, KineticsFit, KineticsSeries
    from .core.prepare import Pipeline
    from .core.threshold import ThresholdFit


@xr.register_dataset_accessor("qd")
class QDAccessor:
    """qdwidgets on a Dataset. See ``qdwidgets.data.validate`` for the dataset contract."""

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    # -- data ----------------------------------------------------------------------------
    def validate(self, kind: str | None = None) -> xr.Dataset:
        """A normalised, validated copy (raises DatasetError with a fix when it cannot be)."""
        from .data.contract import validate

        return validate(self._ds, kind)

    @property
    def kind(self) -> str:
        """'ta' or 'ase'."""
        from .data.contract import infer_kind

        return infer_kind(self._ds)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the dataset to netCDF; the path written (see ``qdwidgets.save``)."""
        from .data.io import save

        return save(self._ds, path)

    # -- transient absorption -----------------------------------------------------------
    def a_ex(self) -> xr.DataArray:
        """A_ex = ΔA + A0 (OD) over (pump, delay, wavelength) (see core.gain.a_ex)."""
        from .core.gain import a_ex

        return a_ex(self._ds)

    def zero_crossing(
        self,
        wavelength: float,
        *,
        band_nm: float = 0.0,
        after: float = 0.0,
        k: float = 1.0,
        confirm: int = 5,
        window: int = 1,
    ) -> xr.DataArray:
        """First delay (ps) at which A_ex at ``wavelength`` (nm) reaches zero, per pump level
        (see core.gain.zero_crossing)."""
        from .core.gain import zero_crossing

        return zero_crossing(
            self._ds, wavelength, band_nm=band_nm, after=after, k=k, confirm=confirm,
            window=window,
        )  # fmt: skip

    def gain_spectrum(self, delay: float, *, k: float = 3.0) -> GainSpectrum:
        """Where A_ex < −k·σ at ``delay`` (ps) (see core.gain.gain_spectrum)."""
        from .core.gain import gain_spectrum

        return gain_spectrum(self._ds, delay, k=k)

    def fit_kinetics(
        self,
        *,
        wavelength: float | None = None,
        pump: Any = None,
        band_nm: float = 0.0,
        delay_range: tuple[float | None, float | None] | None = None,
        n_components: int = 3,
        irf_fwhm: Any = "fit",
        t0: Any = "fit",
        offset: bool = False,
        initial: Mapping[str, float] | None = None,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        fixed: Iterable[str] = (),
        ci: KineticsCI | None = None,
        n_boot: int = 200,
        seed: int = 0,
        starts: int = 4,
        early_stop: bool = True,
        onset: float | Literal["auto"] | None = "auto",
        chirp: Any = None,
        coherent_artifact: bool = False,
    ) -> KineticsFit | KineticsSeries:
        """Multi-exponential fit at a wavelength per pump level (see core.kinetics.fit_kinetics)."""
        from .core.kinetics import fit_kinetics

        return fit_kinetics(
            self._ds, wavelength=wavelength, pump=pump, band_nm=band_nm,
            delay_range=delay_range, n_components=n_components, irf_fwhm=irf_fwhm, t0=t0,
            offset=offset, initial=initial, bounds=bounds, fixed=fixed, ci=ci, n_boot=n_boot,
            seed=seed, starts=starts, early_stop=early_stop, onset=onset, chirp=chirp,
            coherent_artifact=coherent_artifact,
        )  # fmt: skip

    def fit_global(
        self,
        n_components: int = 3,
        *,
        irf_fwhm: Any = "fit",
        t0: Any = "fit",
        chirp: Any = None,
        chirp_order: int = 3,
        coherent_artifact: bool = False,
        model: KineticsModel = "parallel",
        offset: bool = False,
        pump: Any = None,
        initial: Mapping[str, float] | None = None,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        fixed: Iterable[str] = (),
        delay_range: tuple[float, float] | None = None,
        wavelength_range: tuple[float, float] | None = None,
    ) -> GlobalFit:
        """Global fit with shared lifetimes (see core.kinetics.fit_global)."""
        from .core.kinetics import fit_global

        return fit_global(
            self._ds, n_components, irf_fwhm=irf_fwhm, t0=t0, chirp=chirp,
            chirp_order=chirp_order, coherent_artifact=coherent_artifact, model=model,
            offset=offset, pump=pump, initial=initial, bounds=bounds, fixed=fixed,
            delay_range=delay_range, wavelength_range=wavelength_range,
        )  # fmt: skip

    def fit_cascade(
        self,
        wavelength: float | None = None,
        *,
        band_nm: float = 0.0,
        scaling: CascadeScaling = "statistical",
        occupancy: OccupancyMode = "start",
        initial: dict[str, float] | None = None,
    ) -> CascadeFit:
        """The multi-exciton cascade over every pump level (see core.fluence.fit_cascade)."""
        from .core.fluence import fit_cascade

        return fit_cascade(
            self._ds, wavelength, band_nm=band_nm, scaling=scaling, occupancy=occupancy,
            initial=initial,
        )  # fmt: skip

    def deconvolve(
        self,
        delay: float | None = None,
        *,
        pump: float | None = None,
        bands: Sequence[Band] | None = None,
        lock_to_spectra: bool = False,
        wavelength_range: tuple[float, float] | None = None,
        max_nfev: int | None = None,
    ) -> BandFit:
        """Band fit of the spectrum at ``delay`` (ps; None = from the data, see
        core.bands.default_delay) (see core.bands.deconvolve_at)."""
        from .core.bands import deconvolve_at

        return deconvolve_at(
            self._ds, delay, pump=pump, bands=bands, lock_to_spectra=lock_to_spectra,
            wavelength_range=wavelength_range, max_nfev=max_nfev,
        )  # fmt: skip

    # -- ASE -------------------------------------------------------------------------------
    def fit_threshold(
        self,
        *,
        feedback: str | None = None,
        signal: ThresholdSignal = "enhancement",
        below: tuple[float, float] | None = None,
        above: tuple[float, float] | None = None,
        method: OutputMethod = "max",
        wavelength_range: tuple[float, float] | None = None,
        spot_diameter_mm: float | None = None,
        beam_profile: BeamProfile | None = None,
        ci: ThresholdCI = "bootstrap",
        n_boot: int = 1000,
        seed: int = 0,
        confidence: float = 0.95,
    ) -> ThresholdFit:
        """Threshold of the feedback enhancement (see core.threshold.fit_threshold)."""
        from .core.threshold import fit_threshold

        return fit_threshold(
            self._ds, feedback=feedback, signal=signal, below=below, above=above, method=method,
            wavelength_range=wavelength_range, spot_diameter_mm=spot_diameter_mm,
            beam_profile=beam_profile, ci=ci, n_boot=n_boot, seed=seed, confidence=confidence,
        )  # fmt: skip

    # -- prepare (each returns a new dataset with the step recorded) ----------------------
    def crop(
        self,
        delay: tuple[float | None, float | None] | None = None,
        wavelength: tuple[float | None, float | None] | None = None,
    ) -> xr.Dataset:
        """The data within ``delay`` (ps) and ``wavelength`` (nm) (see core.prepare.crop)."""
        from .core import prepare

        return prepare.crop(self._ds, delay=delay, wavelength=wavelength)

    def mask(self, wavelength: Any) -> xr.Dataset:
        """ΔA set to NaN over wavelength ranges (nm) (see core.prepare.mask)."""
        from .core import prepare

        return prepare.mask(self._ds, wavelength)

    def subtract_background(self, before: float | None = None) -> xr.Dataset:
        """ΔA minus its mean before ``before`` ps (see core.prepare.subtract_background)."""
        from .core import prepare

        return prepare.subtract_background(self._ds, before=before)

    def pipeline(self) -> Pipeline:
        """The recorded preparation: ``.steps``, ``.apply(raw)``, ``.to_code()``."""
        from .core import prepare

        return prepare.pipeline(self._ds)

    # -- both -------------------------------------------------------------------------------
    def summarize(self) -> dict[str, Any]:
        """Triage summary: ranges, noise, gain, lifetimes or thresholds, and flags."""
        from .core.summary import summarize

        return summarize(self._ds)

    def explore(self, **kwargs: Any) -> Any:
        """The interactive view for this kind: TAExplorer (TA) or ThresholdFitter (ASE)."""
        if self.kind == "ta":
            from .widgets.ta_explorer import TAExplorer

            return TAExplorer(self._ds, **kwargs)
        from .widgets.threshold_fitter import ThresholdFitter

        return ThresholdFitter(self._ds, **kwargs)
