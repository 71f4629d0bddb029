"""The ASE simulator: thresholds, feedback, linewidth and noise hold against its data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qdwidgets import DatasetError
from qdwidgets.data import simulate, validate
from qdwidgets.data.simulate import ASETruth


def _two_line_threshold(p: np.ndarray, y: np.ndarray, below: float, above: float) -> float:
    """Intersection of straight lines fitted (numpy polyfit) to p <= below and p >= above."""
    lo, hi = p <= below, p >= above
    a1, b1 = np.polyfit(p[lo], y[lo], 1)
    a2, b2 = np.polyfit(p[hi], y[hi], 1)
    return float((b1 - b2) / (a2 - a1))


def _fwhm(wl: np.ndarray, y: np.ndarray) -> float:
    half = y.max() / 2
    above = np.flatnonzero(y >= half)
    i, j = above[0], above[-1]
    left = np.interp(half, [y[i - 1], y[i]], [wl[i - 1], wl[i]])
    right = np.interp(half, [y[j + 1], y[j]], [wl[j + 1], wl[j]])
    return float(right - left)


def test_dataset_meets_the_contract() -> None:
    ds, truth = simulate.ase()
    assert validate(ds).identical(ds)
    assert ds["emission"].dims == ("feedback", "power", "wavelength")
    assert list(ds["feedback"].values) == ["none", "lamp", "mirror"]
    assert ds.attrs["spot_diameter_mm"] == 1.0 and ds.attrs["beam_profile"] == "tophat"
    assert ds.attrs["pump_wavelength_nm"] == 532.0
    assert ds["power"].attrs["units"] == "mW" and float(ds["power"].max()) == 500.0
    assert truth.feedback == ("none", "lamp", "mirror")


def test_thresholds_in_intensity_for_a_1mm_top_hat() -> None:
    _, truth = simulate.ase()
    assert truth.thresholds_W_cm2["lamp"] == pytest.approx(19.1, abs=0.05)
    assert truth.thresholds_W_cm2["mirror"] == pytest.approx(31.8, abs=0.05)
    _, gauss = simulate.ase(beam_profile="gaussian")
    assert gauss.thresholds_W_cm2["lamp"] == pytest.approx(2 * 19.0986, rel=1e-4)


@pytest.mark.parametrize("knee", [0.0, 8.0])
def test_thresholds_are_visible_in_the_noiseless_peak_emission(knee: float) -> None:
    ds, truth = simulate.ase(noise=0.0, knee_mW=knee, power=np.arange(0.0, 501.0, 5.0))
    peak = ds["emission"].max("wavelength")
    p = ds["power"].values
    for feedback, th in truth.thresholds_mW.items():
        y = peak.sel(feedback=feedback).values
        found = _two_line_threshold(p, y, th - 6 * knee - 20, th + 6 * knee + 20)
        assert found == pytest.approx(th, rel=0.01)
        # also on the enhancement, feedback minus the reference
        enh = y - peak.sel(feedback="none").values
        assert _two_line_threshold(p, enh, th - 6 * knee - 20, th + 6 * knee + 20) == (
            pytest.approx(th, rel=0.01)
        )


def test_feedback_below_threshold_lamp_adds_its_spectrum_mirror_doubles() -> None:
    ds, truth = simulate.ase(noise=0.0)
    e = ds["emission"].sel(power=slice(0, 140))
    lamp = (e.sel(feedback="lamp") - e.sel(feedback="none")).values
    # the lamp's own light: constant in power, 654 nm, FWHM 18 nm, matched to 10 mW of PL
    np.testing.assert_allclose(lamp, np.broadcast_to(lamp[0], lamp.shape), atol=1e-12)
    assert _fwhm(ds["wavelength"].values, lamp[0]) == pytest.approx(18.0, abs=0.3)
    assert lamp[0].max() == pytest.approx(float(e.sel(feedback="none", power=10).max()), 1e-3)
    ratio = (e.sel(feedback="mirror") / e.sel(feedback="none")).sel(power=slice(10, None))
    np.testing.assert_allclose(ratio.values, 1 + truth.mirror_reflectance, rtol=1e-12)


def test_linewidth_narrows_above_threshold() -> None:
    ds, _ = simulate.ase(noise=0.0)
    wl = ds["wavelength"].values
    e = ds["emission"].sel(feedback="mirror")
    below = _fwhm(wl, e.sel(power=100).values)
    above = _fwhm(wl, e.sel(power=500).values)
    assert below == pytest.approx(34.5, abs=0.5)  # the PL line
    assert _fwhm(wl, e.sel(power=250).values) == pytest.approx(below, abs=1e-9)
    widths = [_fwhm(wl, e.sel(power=p).values) for p in (300, 400, 500)]
    assert np.all(np.diff(widths) < 0) and above < 0.8 * below
    assert float(e.sel(power=500).idxmax()) == pytest.approx(654.0, abs=1.0)


def test_noise_is_relative_to_the_maximum_and_seeded() -> None:
    ds, truth = simulate.ase(noise=0.01, seed=5)
    clean = truth.emission(ds["power"].values, ds["wavelength"].values)
    resid = ds["emission"].values - clean
    for i, feedback in enumerate(truth.feedback):
        assert resid[i].std() == pytest.approx(0.01 * clean[i].max(), rel=0.05)
        assert truth.noise_std[feedback] == pytest.approx(0.01 * clean[i].max())
    again, _ = simulate.ase(noise=0.01, seed=5)
    other, _ = simulate.ase(noise=0.01, seed=6)
    assert again.identical(ds) and not other.identical(ds)


def test_custom_thresholds_and_none_with_its_own_threshold() -> None:
    ds, truth = simulate.ase(
        thresholds_mW={"none": 400.0, "mirror": 200.0},
        slopes={"none": 0.5, "mirror": 2.0},
        noise=0.0,
    )
    assert truth.feedback == ("none", "mirror")
    y = ds["emission"].sel(feedback="none").max("wavelength").values
    assert _two_line_threshold(ds["power"].values, y, 380, 420) == pytest.approx(400, rel=1e-3)


def test_truth_round_trips() -> None:
    _, truth = simulate.ase(knee_mW=3.0)
    back = ASETruth.from_dict(json.loads(json.dumps(truth.to_dict())))
    assert back == truth
    np.testing.assert_array_equal(back.peak(np.array([0.0, 300.0])), truth.peak([0.0, 300.0]))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"power": [0.0, 10.0, 5.0]}, "power"),
        ({"thresholds_mW": {"lamp": 100.0}, "slopes": {"mirror": 1.0}}, "slope"),
        ({"beam_profile": "donut"}, "beam_profile"),
        ({"knee_mW": -1.0}, "knee_mW"),
        ({"power": [-10.0, 0.0]}, "power"),
    ],
)
def test_bad_parameters_say_what_to_fix(kwargs: dict, words: str) -> None:
    with pytest.raises(DatasetError, match=words) as info:
        simulate.ase(**kwargs)
    assert "Fix:" in str(info.value)
