"""Bad input of the fluence functions, what the data cannot determine, and saved results."""

from __future__ import annotations

import json
import pickle
from typing import Any

import numpy as np
import pytest

import qdwidgets
from qdwidgets.core import fluence
from qdwidgets.errors import DatasetError, FitError
from qdwidgets.results import decode

WL = np.arange(621.0, 660.0, 3.0)
_CACHE: dict[str, Any] = {}


def _series() -> Any:
    if "ds" not in _CACHE:
        _CACHE["ds"] = qdwidgets.simulate.cascade(
            pump=(10.0, 20.0, 40.0, 80.0, 160.0, 300.0), wavelength=WL, seed=11
        )
    return _CACHE["ds"]


def test_fewer_than_three_levels() -> None:
    ds, _ = _series()
    with pytest.raises(FitError, match="at least 3 pump levels"):
        fluence.fit_cascade(ds.isel(pump=[0, 5]))
    with pytest.raises(FitError, match="at least 3 pump levels"):
        fluence.cross_section_from_saturation(ds.isel(pump=[0, 5]))


def test_pump_without_units() -> None:
    ds, _ = _series()
    bad = ds.copy()
    bad["pump"].attrs["units"] = " "
    with pytest.raises(FitError, match=r"no units.*attrs\['units'\]"):
        fluence.fit_cascade(bad)
    bad["pump"].attrs.pop("units")  # the dataset contract refuses it first
    with pytest.raises(DatasetError, match="'pump': has no 'units'"):
        fluence.fit_cascade(bad)


def test_pump_not_increasing_with_the_signal() -> None:
    ds, _ = _series()
    swapped = ds.assign_coords(pump=("pump", ds["pump"].values[::-1], ds["pump"].attrs))
    with pytest.raises(FitError, match="does not grow with the pump"):
        fluence.fit_cascade(swapped)


def test_wavelength_without_a_bleach() -> None:
    ds, _ = _series()
    noise = np.random.default_rng(0).normal(0.0, 1e-3, ds["dA"].shape)
    far = ds.assign(dA=ds["dA"].where(ds["wavelength"] < 650.0, noise))
    with pytest.raises(FitError, match=r"no bleach at 657 nm.*band_edge"):
        fluence.fit_cascade(far, wavelength=657.0)
    flipped = ds.assign(dA=-ds["dA"])  # induced absorption, not a bleach
    with pytest.raises(FitError, match="no bleach"):
        fluence.fit_cascade(flipped)


def test_window_shorter_than_tau_xx_warns() -> None:
    ds, _ = qdwidgets.simulate.cascade(
        pump=(10.0, 30.0, 80.0, 160.0, 300.0),
        tau_xx=300.0,
        tau_x=3000.0,
        delay=np.concatenate(
            [[-3.0, -2.0, -1.5], np.arange(-1.0, 3.0, 0.04), np.geomspace(3, 150, 60)]
        ),
        wavelength=WL,
        seed=2,
    )
    fit = fluence.fit_cascade(ds)
    text = " ".join(fit.warnings)
    assert "shorter than τ_XX" in text
    assert "only a lower bound" in text  # τ_X ≫ 10 × 150 ps


def test_tau_x_beyond_the_window_is_a_lower_bound() -> None:
    ds, _ = qdwidgets.simulate.cascade(
        pump=(10.0, 30.0, 80.0, 160.0, 300.0),
        tau_xx=50.0,
        tau_x=200000.0,
        delay=qdwidgets.simulate.default_fluence_delays(3000.0),
        wavelength=WL,
        seed=3,
    )
    fit = fluence.fit_cascade(ds)
    assert any("τ_X" in w and "only a lower bound" in w for w in fit.warnings)
    assert fit.tau_xx == pytest.approx(50.0, rel=0.07)  # what the data do determine


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scaling": "statistic"}, "scaling must be one of.*did you mean 'statistical'"),
        ({"occupancy": "fixed"}, "occupancy must be one of"),
        ({"band_nm": -1.0}, "band_nm"),
        ({"wavelength": float("nan")}, "wavelength must be finite"),
        ({"initial": {"tau_xx": -5.0}}, "initial tau_xx"),
        ({"initial": {"tau": 5.0}}, "initial key"),
    ],
)
def test_option_checks(kwargs: dict[str, Any], match: str) -> None:
    ds, _ = _series()
    with pytest.raises(FitError, match=match):
        fluence.fit_cascade(ds, **kwargs)


def test_fix_without_an_occupancy_coordinate() -> None:
    ds, _ = _series()
    with pytest.raises(FitError, match="occupancy='fix' needs an 'occupancy' coordinate"):
        fluence.fit_cascade(ds.drop_vars("occupancy"), occupancy="fix")


def test_gain_threshold_needs_occupancy_and_a_delay_inside() -> None:
    ds, _ = _series()
    with pytest.raises(FitError, match=r"no 'occupancy' coordinate.*fit_cascade"):
        fluence.gain_threshold_occupancy(ds.drop_vars("occupancy"), 3.0)
    with pytest.raises(FitError, match="delay must be in"):
        fluence.gain_threshold_occupancy(ds, 1e7)
    with pytest.raises(FitError, match="occupancy has 2 values; 6 are needed"):
        fluence.gain_threshold_occupancy(ds, 3.0, occupancy=[1.0, 2.0])


def test_subtraction_options() -> None:
    ds, _ = _series()
    with pytest.raises(FitError, match="n_components"):
        fluence.biexciton_lifetime_by_subtraction(ds, n_components=4)
    with pytest.raises(FitError, match="level above the lowest"):
        fluence.biexciton_lifetime_by_subtraction(ds, pump=1.0)


def _results() -> list[Any]:
    ds, truth = _series()
    fit = fluence.fit_cascade(ds)
    return [
        fit,
        fluence.cross_section_from_saturation(ds),
        fluence.gain_threshold_occupancy(ds, 3.0, occupancy=fit),
        fluence.biexciton_lifetime_by_subtraction(ds),
        truth,
    ]


def test_results_round_trip_and_pickle() -> None:
    for res in _results():
        plain = json.loads(json.dumps(res.to_dict()))
        assert type(res).from_dict(plain) == res
        assert decode(plain) == res  # through the allow-listed class name
        assert pickle.loads(pickle.dumps(res)) == res
        assert type(res).__name__ in repr(res) and "<table>" in res._repr_html_()


def test_restored_cascade_fit_still_evaluates() -> None:
    fit = _results()[0]
    back = fluence.CascadeFit.from_dict(json.loads(json.dumps(fit.to_dict())))
    t = back.best_fit["delay"].values
    np.testing.assert_allclose(back.model(t), fit.best_fit.values, rtol=1e-9, atol=1e-12)
    assert back.ci.keys() == {"cross_section", "tau_xx", "tau_x", "tau_cool", "irf_fwhm", "t0"}
