"""One vocabulary for results: per-pump values are DataArrays over ``pump`` with units; ``ci`` is
``{name: (low, high)}`` with ``ci_method`` a name; results pickle and round-trip exactly."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest
import xarray as xr
from plot_cases import BUILD

import qdwidgets
from qdwidgets.core import gain, threshold
from qdwidgets.results import Result

PER_PUMP = {
    "GainSpectrum": {"peak_wavelength": "nm", "depth": "OD", "width": "nm"},
    "GainWindow": {
        "onset": "ps",
        "onset_stderr": "ps",
        "end": "ps",
        "duration": "ps",
        "lasts_to_end": None,
    },
}


@pytest.mark.parametrize("name", sorted(PER_PUMP))
def test_per_pump_values_are_dataarrays_over_pump(name):
    res = BUILD[name]()
    for field, units in PER_PUMP[name].items():
        da = getattr(res, field)
        assert isinstance(da, xr.DataArray) and da.dims == ("pump",), field
        assert da["pump"].values.tolist() == list(res.pump)
        assert da["pump"].attrs.get("units") == "nJ"  # the dataset's pump unit travels along
        assert da.attrs.get("units") == units, field
        assert da.attrs["long_name"]
        # indexing, as with the tuples before 0.2, still gives each level's value
        for i, value in enumerate(da.values):
            assert float(da[i]) == float(value) or (math.isnan(value) and np.isnan(da[i]))


@pytest.mark.parametrize("name", sorted(PER_PUMP))
def test_round_trip_through_json_and_pickle_is_exact(name):
    res = BUILD[name]()
    again = type(res).from_dict(json.loads(json.dumps(res.to_dict())))
    assert again == res
    for field in PER_PUMP[name]:
        assert getattr(again, field).identical(getattr(res, field))
    assert pickle.loads(pickle.dumps(res)) == res


def test_saves_with_tuples_per_pump_level_still_load():
    res = BUILD["GainWindow"]()
    old = res.to_dict()
    for field in PER_PUMP["GainWindow"]:
        old[field] = getattr(res, field).values.tolist()  # how 0.1 saved them
    again = gain.GainWindow.from_dict(old)
    for field in PER_PUMP["GainWindow"]:
        np.testing.assert_array_equal(getattr(again, field).values, getattr(res, field).values)
        assert getattr(again, field).dims == ("pump",)
    spec = BUILD["GainSpectrum"]()
    old = spec.to_dict()
    for field in PER_PUMP["GainSpectrum"]:
        old[field] = getattr(spec, field).values.tolist()
    again = gain.GainSpectrum.from_dict(old)
    np.testing.assert_array_equal(again.peak_wavelength.values, spec.peak_wavelength.values)
    assert again.has_gain.values.tolist() == spec.has_gain.values.tolist()


def test_has_gain_is_over_pump():
    spec = BUILD["GainSpectrum"]()
    assert spec.has_gain.dims == ("pump",)
    assert spec.has_gain.values.tolist() == [bool(b) for b in spec.bands]


CI_METHODS = {"", "bootstrap", "percentile", "profile", "covariance", "delta"}


@pytest.mark.parametrize(
    "name",
    ["KineticsFit", "ThresholdFit", "Criterion", "CrossSectionFit", "CascadeFit", "GlobalFit"],
)
def test_ci_is_a_dict_of_pairs_and_ci_method_a_name(name):
    res = BUILD[name]()
    assert isinstance(res, Result)
    ci = getattr(res, "ci", {})
    assert isinstance(ci, dict)
    for key, pair in ci.items():
        assert isinstance(key, str) and len(pair) == 2
    assert getattr(res, "ci_method", "") in CI_METHODS


def test_threshold_ci_method_is_a_name_even_in_old_saves():
    fit = threshold.fit_threshold(qdwidgets.examples.ase(), feedback="lamp", ci="delta")
    old = fit.to_dict()
    old["ci"] = list(old["ci"]["threshold_mW"])
    old["ci_method"] = "delta (first-order error propagation)"  # a sentence, as saved in 0.1
    again = threshold.ThresholdFit.from_dict(old)
    assert again.ci_method == "delta" and again.ci_mW == fit.ci_mW


def test_segmented_returns_a_result_object_not_a_dict():
    power = np.arange(10.0, 501.0, 10.0)
    signal = np.where(power < 150.0, 0.01 * power, 1.5 + 0.2 * (power - 150.0))
    seg = threshold.segmented(power, signal, n_sim=100)
    assert not isinstance(seg, dict) and seg.converged
    assert pickle.loads(pickle.dumps(seg)) == seg
