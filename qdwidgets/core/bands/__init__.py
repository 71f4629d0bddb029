"""Band deconvolution of TA spectra (paper Fig. 2d–e): GSB, SE, further bleaches and PIA bands.

Bands are symmetric in photon energy E = 1239.841984 / λ (eV) and drawn over wavelength (nm); see
``_shapes`` for the exact width mapping. Areas are ∫ band dE in OD·eV; shares are
``|area| / Σ|area|``.

- :class:`Band`, :func:`template_band` (GSB shaped like A0's band-edge peak)
- :func:`deconvolve` (a spectrum) -> :class:`BandFit`; :func:`deconvolve_at` (a TA dataset)
- :func:`initial_bands` (proposals named by what the data show), :func:`default_delay` (the
  delay used when none is given: after the detected time zero, where the signal is established)
- :func:`compare` -> :class:`BandComparison`
- :func:`evaluate`, :func:`handles`, :func:`move_handle` (curves and drag geometry for views)
"""

from __future__ import annotations

from ._band import PARAMS, Band, evaluate, handles, move_handle, template_band
from ._compare import BandComparison, compare
from ._data import (
    deconvolve_at,
    default_delay,
    initial_bands,
    pick_pump,
    spectrum_at,
)
from ._fit import check_bands, deconvolve
from ._result import BandFit, bands_table, build_model, shares_of
from ._shapes import HC, SHAPES, ev_to_nm, fwhm_ev_to_nm, fwhm_nm_to_ev, make_template, nm_to_ev

__all__ = [
    "HC",
    "PARAMS",
    "SHAPES",
    "Band",
    "BandComparison",
    "BandFit",
    "bands_table",
    "build_model",
    "check_bands",
    "compare",
    "deconvolve",
    "deconvolve_at",
    "default_delay",
    "ev_to_nm",
    "evaluate",
    "fwhm_ev_to_nm",
    "fwhm_nm_to_ev",
    "handles",
    "initial_bands",
    "make_template",
    "move_handle",
    "nm_to_ev",
    "pick_pump",
    "shares_of",
    "spectrum_at",
    "template_band",
]
