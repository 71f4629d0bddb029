"""The ``qd`` accessor on xarray Datasets: ``ds.qd.validate()``, ``ds.qd.a_ex()``, ...

Each method forwards to ``qdwidgets.core`` (computations) or ``qdwidgets.widgets`` (views);
the imports are deferred so that the accessor costs nothing until used. Inputs are never
modified: every method validates a copy first.
"""

from __future__ import annotations

from typing import Any

import xarray as xr


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

    def save(self, path: Any) -> None:
        """Write the dataset to netCDF (see ``qdwidgets.save``)."""
        from .data.io import save

        save(self._ds, path)

    # -- transient absorption -----------------------------------------------------------
    def a_ex(self) -> xr.DataArray:
        """A_ex = ΔA + A0 (OD) over (pump, delay, wavelength)."""
        from .core.gain import a_ex

        return a_ex(self._ds)

    def zero_crossing(self, wavelength: float, **kwargs: Any) -> xr.DataArray:
        """First delay (ps) at which A_ex at ``wavelength`` (nm) reaches zero, per pump level."""
        from .core.gain import zero_crossing

        return zero_crossing(self._ds, wavelength, **kwargs)

    def gain_spectrum(self, delay: float) -> Any:
        """Where A_ex < 0 at ``delay`` (ps)."""
        from .core.gain import gain_spectrum

        return gain_spectrum(self._ds, delay)

    def fit_kinetics(self, **kwargs: Any) -> Any:
        """Multi-exponential fit at a wavelength (see core.kinetics.fit_kinetics)."""
        from .core.kinetics import fit_kinetics

        return fit_kinetics(self._ds, **kwargs)

    def fit_global(self, **kwargs: Any) -> Any:
        """Global fit with shared lifetimes (see core.kinetics.fit_global)."""
        from .core.kinetics import fit_global

        return fit_global(self._ds, **kwargs)

    def fit_cascade(
        self,
        wavelength: float | None = None,
        *,
        band_nm: float = 0.0,
        scaling: str = "statistical",
        occupancy: str = "start",
        initial: dict[str, float] | None = None,
    ) -> Any:
        """The multi-exciton cascade over every pump level (see core.fluence.fit_cascade)."""
        from .core.fluence import fit_cascade

        return fit_cascade(
            self._ds, wavelength, band_nm=band_nm, scaling=scaling, occupancy=occupancy,
            initial=initial,
        )  # fmt: skip

    def deconvolve(self, delay: float | None = None, **kwargs: Any) -> Any:
        """Band fit of the spectrum at ``delay`` (ps; None = from the data, see
        core.bands.default_delay) (see core.bands.deconvolve_at)."""
        from .core.bands import deconvolve_at

        return deconvolve_at(self._ds, delay, **kwargs)

    # -- ASE -------------------------------------------------------------------------------
    def fit_threshold(self, **kwargs: Any) -> Any:
        """Threshold of the feedback enhancement (see core.threshold.fit_dataset)."""
        from .core.threshold import fit_dataset

        return fit_dataset(self._ds, **kwargs)

    # -- prepare (each returns a new dataset with the step recorded) ----------------------
    def crop(self, delay: Any = None, wavelength: Any = None) -> xr.Dataset:
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

    def pipeline(self) -> Any:
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
