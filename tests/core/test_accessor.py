"""The ``qd`` accessor forwards to the core (same numbers) and never modifies the dataset."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import bands, gain, kinetics, summary, threshold
from qdwidgets.data import simulate


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


@pytest.fixture(scope="module")
def ase() -> xr.Dataset:
    return qdwidgets.examples.ase()


def test_validate_kind_and_save_round_trip(ta, ase, tmp_path):
    assert ta.qd.kind == "ta" and ase.qd.kind == "ase"
    xr.testing.assert_identical(ta.qd.validate(), qdwidgets.validate(ta))
    ta.qd.save(tmp_path / "ta.nc")
    xr.testing.assert_identical(qdwidgets.open_dataset(tmp_path / "ta.nc"), ta)


def test_gain_methods_equal_the_core(ta):
    xr.testing.assert_identical(ta.qd.a_ex(), gain.a_ex(ta))
    xr.testing.assert_identical(ta.qd.zero_crossing(639.0), gain.zero_crossing(ta, 639.0))
    assert ta.qd.gain_spectrum(2.3) == gain.gain_spectrum(ta, 2.3)


def test_fit_methods_equal_the_core(ta, ase):
    mine = ta.qd.fit_kinetics(wavelength=639.0, delay_range=(2.0, None))
    core = kinetics.fit_kinetics(ta, wavelength=639.0, delay_range=(2.0, None))
    np.testing.assert_allclose([f.taus for f in mine.fits], [f.taus for f in core.fits])
    band_fit = ta.qd.deconvolve(2.3, lock_to_spectra=True)
    assert band_fit.areas == bands.deconvolve_at(ta, 2.3, lock_to_spectra=True).areas
    fit = ase.qd.fit_threshold(feedback="mirror")
    assert fit == threshold.fit_threshold(ase, feedback="mirror")
    assert ta.qd.summarize() == summary.summarize(ta)


def test_fit_global_forwards(ta):
    small = ta.sel(wavelength=slice(600.0, 680.0))
    mine = small.qd.fit_global(n_components=3)
    np.testing.assert_allclose(
        mine.taus, kinetics.fit_global(small, n_components=3).taus, rtol=1e-9
    )


def test_explore_opens_the_view_of_the_kind(ta, ase):
    from qdwidgets.widgets.ta_explorer import TAExplorer
    from qdwidgets.widgets.threshold_fitter import ThresholdFitter

    assert isinstance(ta.qd.explore(wavelength=639.0), TAExplorer)
    assert isinstance(ase.qd.explore(feedback="mirror"), ThresholdFitter)


def test_inputs_are_never_modified():
    ds, _ = simulate.ta(pump=(300.0,), wavelength=np.linspace(600.0, 680.0, 41), seed=3)
    raw = ds.copy(deep=True)
    raw["dA"].attrs["units"] = "mOD"  # validate converts: the user's copy must stay in mOD
    raw["dA"] = raw["dA"] * 1e3
    before = raw.copy(deep=True)
    raw.qd.validate()
    raw.qd.a_ex()
    raw.qd.zero_crossing(639.0)
    xr.testing.assert_identical(raw, before)


def test_bad_input_raises_dataset_error():
    with pytest.raises(qdwidgets.DatasetError, match="Fix"):
        xr.Dataset({"x": ("t", [1.0, 2.0])}).qd.validate()
