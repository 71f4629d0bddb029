"""The widgets speak the core's names: ``wavelength_range``, ``delay_range``, ``beam_profile``;
the old names warn for one version and states saved with them still load."""

from __future__ import annotations

import pytest

import qdwidgets
from qdwidgets.widgets.band_deconvolver import BandDeconvolver
from qdwidgets.widgets.kinetics_fitter import KineticsFitter
from qdwidgets.widgets.threshold_fitter import ThresholdFitter


@pytest.fixture(scope="module")
def ta():
    return qdwidgets.examples.ta()


def test_band_deconvolver_x_range_is_wavelength_range(ta):
    with pytest.warns(DeprecationWarning, match="wavelength_range"):
        old = BandDeconvolver(ta, x_range=(560.0, 700.0), fit=False)
    new = BandDeconvolver(ta, wavelength_range=(560.0, 700.0), fit=False)
    assert old.wavelength_range == new.wavelength_range == [560.0, 700.0]
    state = new.state()
    state["settings"]["x_range"] = state["settings"].pop("wavelength_range")  # saved in 0.1
    assert BandDeconvolver.from_state(ta, state).wavelength_range == [560.0, 700.0]


def test_kinetics_fitter_window_is_delay_range(ta):
    with pytest.warns(DeprecationWarning, match="delay_range"):
        old = KineticsFitter(ta, window=(2.0, 3000.0))
    new = KineticsFitter(ta, delay_range=(2.0, 3000.0))
    assert old.delay_range == new.delay_range == [2.0, 3000.0]
    state = new.state()
    state["settings"]["window"] = state["settings"].pop("delay_range")
    assert KineticsFitter.from_state(ta, state).delay_range == [2.0, 3000.0]


def test_threshold_fitter_profile_is_beam_profile():
    ase = qdwidgets.examples.ase()
    f = ThresholdFitter(ase)
    f.beam_profile = "gaussian"
    assert f.result.beam_profile == "gaussian"
    with pytest.warns(DeprecationWarning, match="beam_profile"):
        assert f.profile == "gaussian"
    with pytest.warns(DeprecationWarning, match="beam_profile"):
        f.profile = "tophat"
    assert f.beam_profile == "tophat" and f.result.beam_profile == "tophat"
    state = f.state()
    state["settings"]["profile"] = "gaussian"  # saved in 0.1
    del state["settings"]["beam_profile"]
    assert ThresholdFitter.from_state(ase, state).beam_profile == "gaussian"


def test_unknown_keywords_are_still_refused(ta):
    with pytest.raises(TypeError, match="did you mean 'wavelength_range'"):
        BandDeconvolver(ta, wavelength_rang=(560.0, 700.0), fit=False)
