"""Analyses on data with a masked 10-nm band: the masked columns are ignored and said."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import kinetics, prepare

BAND = (590.0, 599.0)  # 10 wavelengths of the example


@pytest.fixture(scope="module")
def raw() -> xr.Dataset:
    return qdwidgets.examples.ta()


@pytest.fixture(scope="module")
def masked(raw: xr.Dataset) -> xr.Dataset:
    return prepare.mask(raw, wavelength=[BAND])


def _hidden(wl: np.ndarray) -> np.ndarray:
    return (wl >= BAND[0]) & (wl <= BAND[1])


def test_global_fit_ignores_the_masked_band_and_says_so(raw: xr.Dataset, masked: xr.Dataset):
    sub = {"delay": slice(0, None, 3), "wavelength": slice(100, 200, 2)}
    g = kinetics.fit_global(masked.isel(**sub), 2, offset=True)
    ref = kinetics.fit_global(raw.isel(**sub), 2, offset=True)
    wl = g.das["wavelength"].values
    assert wl.tolist() == raw.isel(**sub)["wavelength"].values.tolist()
    assert np.isnan(g.das.values[..., _hidden(wl)]).all()
    assert np.isfinite(g.das.values[..., ~_hidden(wl)]).all()
    assert np.isnan(g.best_fit.values[..., _hidden(wl)]).all()
    assert any("masked wavelengths 590–598 nm" in w for w in g.warnings)
    assert g.taus == pytest.approx(ref.taus, rel=0.1)


def test_fit_traces_puts_nan_back_at_the_masked_columns(masked: xr.Dataset) -> None:
    sub = masked.isel(delay=slice(0, None, 4), wavelength=slice(145, 160))
    out = kinetics.fit_traces(sub, 2, pump=250.0)
    wl = out["wavelength"].values
    assert wl.size == 15
    assert np.isnan(out["tau"].values[:, _hidden(wl)]).all()
    assert np.isfinite(out["tau"].values[:, ~_hidden(wl)]).all()
    assert (out["message"].values[:, _hidden(wl)] == "masked").all()
    assert "masked wavelengths" in out.attrs["masked"]


def test_svd_ignores_the_masked_band(raw: xr.Dataset, masked: xr.Dataset) -> None:
    s = kinetics.svd(masked, n=3)
    wl = s.spectra["wavelength"].values
    assert np.isnan(s.spectra.values[..., _hidden(wl)]).all()
    assert "590–599 nm" in s.spectra.attrs["masked"]
    assert s.n_significant == kinetics.svd(raw.isel(wavelength=~_hidden(wl)), n=3).n_significant


EDGE_BAND = (630.0, 639.0)  # the band edge (639 nm from A0) inside the mask


def test_gain_functions_leave_the_masked_band_out(raw: xr.Dataset, masked: xr.Dataset) -> None:
    from qdwidgets.core import gain

    g = gain.gain_spectrum(masked, 2.0)
    assert "590–599 nm" in g.a_ex.attrs["masked"]
    assert np.isfinite(g.a_ex.values).all()
    expected = gain.gain_spectrum(raw, 2.0).peak_wavelength.values
    assert g.peak_wavelength.values == pytest.approx(expected)
    zc = gain.zero_crossing(masked, 639.0)
    np.testing.assert_allclose(zc.values, gain.zero_crossing(raw, 639.0).values)
    at_edge = prepare.mask(raw, wavelength=[EDGE_BAND])
    with pytest.raises(qdwidgets.errors.DatasetError, match="639 nm is masked"):
        gain.zero_crossing(at_edge, 639.0)
    wide = gain.zero_crossing(at_edge, 639.0, band_nm=24.0)  # the unmasked neighbours only
    assert np.isfinite(wide.values).all()
    assert np.isfinite(gain.time_zero(at_edge))  # the default moves to an unmasked wavelength
    no_a0 = masked.drop_vars("A0")
    assert not BAND[0] <= gain.band_edge(no_a0) <= BAND[1]


def test_band_deconvolution_leaves_the_masked_band_out(masked: xr.Dataset) -> None:
    from qdwidgets.core import bands

    spectrum = bands.spectrum_at(masked, 2.3)
    assert np.isfinite(spectrum.values).all()
    assert spectrum.sizes["wavelength"] == masked.sizes["wavelength"] - 10
    fit = bands.deconvolve(spectrum, bands.initial_bands(masked, 2.3))
    assert any("masked wavelengths 590–599 nm" in w for w in fit.warnings)


def test_summary_says_what_was_masked(raw: xr.Dataset) -> None:
    import json

    from qdwidgets.core import summary

    out = summary.summarize(prepare.mask(raw, wavelength=[EDGE_BAND]))
    assert any("masked wavelengths 630–639 nm" in f for f in out["flags"])
    assert out["noise_OD"] is not None and out["band_edge_nm"] is not None
    json.dumps(out, allow_nan=False)  # no NaN leaks into the JSON summary
