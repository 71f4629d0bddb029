"""Threshold fits and criteria in the common vocabulary (converged/message/nfev/warnings,
``ci = {name: (lo, hi)}``), the default feedback from the data, and checked options."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets._args import ArgumentError
from qdwidgets.core import threshold as T
from qdwidgets.errors import DatasetError

POWERS = np.arange(10.0, 501.0, 10.0)


def hinge(p, threshold=150.0, noise=0.0, seed=0):
    y = 5.0 + 0.02 * p + np.maximum(p - threshold, 0.0)
    return y + np.random.default_rng(seed).normal(0.0, noise * y.max(), p.size)


def ase_dataset(labels=("none", "mirror", "lamp"), knees=(250.0, 150.0)):
    """Gaussian spectra at 654 nm; 'none' grows linearly, each feedback adds a knee."""
    wl = np.arange(600.0, 710.1, 1.0)
    heights = [0.05 * POWERS]
    for knee in knees[: len(labels) - 1]:
        heights.append(0.05 * POWERS + 0.2 * np.maximum(POWERS - knee, 0.0) + 1.0)
    spectra = np.stack(heights)[..., None] * np.exp(-0.5 * ((wl - 654.0) / 10.0) ** 2)
    return xr.Dataset(
        {"emission": (("feedback", "power", "wavelength"), spectra, {"units": "nW"})},
        coords={
            "feedback": list(labels),
            "power": ("power", POWERS, {"units": "mW"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ase", "spot_diameter_mm": 1.0, "beam_profile": "tophat"},
    )


# -- status ---------------------------------------------------------------------------------------


def test_a_clean_two_window_fit():
    fit = T.fit_lines(POWERS, hinge(POWERS, noise=0.005), below=(10, 140), above=(160, 500))
    assert fit.converged and fit.warnings == ()
    assert fit.message == "lines fitted in 10–140 and 160–500 mW"
    assert fit.nfev == 2 + 2 * 1000  # two lines, and both again per bootstrap replicate
    assert fit.ci_method == "bootstrap"
    assert set(fit.ci) == {"threshold_mW", "threshold_W_cm2"}
    lo, hi = fit.ci["threshold_mW"]
    assert lo < fit.threshold_mW < hi and fit.ci_mW == (lo, hi)
    assert all(math.isnan(v) for v in fit.ci_W_cm2)  # no spot size given


def test_windows_with_few_points_and_a_crossing_outside_the_data_are_warnings():
    p = np.arange(10.0, 501.0, 40.0)  # 3 points in the below window
    fit = T.fit_lines(p, hinge(p, noise=0.005, seed=2), below=(10, 90), above=(210, 290))
    assert fit.ci_method == "delta"
    assert any("below window holds only 3 points" in w for w in fit.warnings), fit.warnings
    # two lines that meet beyond the measured powers: 1 + 0.1 P = −1 + 0.102 P at P = 1000 mW
    y = np.where(POWERS < 250, 1.0 + 0.1 * POWERS, -1.0 + 0.102 * POWERS)
    far = T.fit_lines(POWERS, y, below=(10, 200), above=(300, 500), ci="delta")
    assert far.threshold_mW == pytest.approx(1000.0)
    assert any("outside the measured powers" in w for w in far.warnings), far.warnings


def test_no_breakpoint_is_not_converged_and_says_why():
    rng = np.random.default_rng(1)
    fit = T.find_threshold(POWERS, 2.0 * POWERS + 1.0 + rng.normal(0, 1, POWERS.size))
    assert not fit.converged and math.isnan(fit.threshold_mW)
    assert fit.message.startswith("no breakpoint") and fit.nfev > 0
    assert fit.summary() == f"no threshold: {fit.message}"


def test_old_names_are_deprecated_aliases():
    fit = T.fit_lines(POWERS, hinge(POWERS, noise=0.005), below=(10, 140), above=(160, 500))
    with pytest.warns(DeprecationWarning, match="'found' is deprecated.*'converged'"):
        assert fit.found is True
    with pytest.warns(DeprecationWarning, match="'note' is deprecated.*'message'"):
        assert fit.note == fit.message
    crit = T.criteria(ase_dataset()).criteria[0]
    with pytest.warns(DeprecationWarning, match="'found'"):
        assert crit.found == crit.converged


def test_results_pickle_round_trip_and_older_saves_load():
    fit = T.fit_lines(
        POWERS, hinge(POWERS, noise=0.005), below=(10, 140), above=(160, 500), spot_diameter_mm=1
    )
    assert pickle.loads(pickle.dumps(fit)) == fit
    assert T.ThresholdFit.from_dict(json.loads(json.dumps(fit.to_dict()))) == fit
    crit = T.criteria(ase_dataset())
    assert pickle.loads(pickle.dumps(crit)) == crit
    assert T.ThresholdCriteria.from_dict(json.loads(json.dumps(crit.to_dict()))) == crit
    # a result saved before the common vocabulary (found/note, a tuple ci, a sentence)
    old = fit.to_dict()
    for key in ("converged", "message", "nfev", "warnings"):
        old.pop(key)
    old.update(
        found=True,
        note="old note",
        ci=list(fit.ci_mW),
        ci_W_cm2=list(fit.ci_W_cm2),
        ci_method="delta (a window has < 5 points, too few to resample)",
    )
    back = T.ThresholdFit.from_dict(old)
    assert back.converged and back.message == "old note" and back.ci_method == "delta"
    assert back.ci == fit.ci


# -- the default feedback comes from the data ----------------------------------------------------


def test_default_feedback_is_the_first_that_is_not_none():
    ds = ase_dataset(("none", "mirror", "lamp"))
    assert T.default_feedback(ds) == "mirror"
    assert T.default_feedback(qdwidgets.examples.ase()) == "lamp"
    np.testing.assert_array_equal(T.enhancement(ds), T.enhancement(ds, "mirror"))
    assert T.fit_threshold(ds).threshold_mW == pytest.approx(250.0, rel=0.03)
    assert T.criteria(ds).feedback == "mirror"
    # a dataset without any 'lamp' works with every default
    only = ase_dataset(("none", "grating"), knees=(200.0,))
    assert T.fit_threshold(only).threshold_mW == pytest.approx(200.0, rel=0.03)
    assert T.signal_curve(only, signal="output").sizes["power"] == POWERS.size


def test_no_feedback_condition_is_a_clear_error():
    ds = ase_dataset(("none", "mirror")).isel(feedback=[0])
    with pytest.raises(DatasetError, match="no condition besides 'none'"):
        T.default_feedback(ds)


def test_criteria_table_is_readable_and_escaped():
    crit = T.criteria(ase_dataset(("none", "<img src=x onerror=alert(1)>")))
    html = crit._repr_html_()
    assert "<img" not in html and "&lt;img" in html
    assert "threshold (mW)" in html and "threshold_mW" not in html
    assert list(crit.to_frame().columns)[-3:] == ["converged", "message", "warnings"]


# -- options checked at the entry ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ci": "boot"}, r"ci must be one of .* \(did you mean 'bootstrap'\?\)"),
        ({"n_boot": 10}, r"n_boot must be an integer in \[100"),
        ({"confidence": 1.5}, r"confidence must be in \(0, 1\)"),
        ({"confidence": math.nan}, "confidence must be finite"),
        ({"seed": -1}, "seed must be an integer"),
        ({"beam_profile": "flat"}, "beam_profile must be one of"),
    ],
)
def test_fit_threshold_options(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        T.fit_lines(POWERS, hinge(POWERS), below=(10, 140), above=(160, 500), **kwargs)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda ds: T.find_threshold(POWERS, hinge(POWERS), alpha=0.0), "alpha must be in"),
        (lambda ds: T.find_threshold(POWERS, hinge(POWERS), gap_mW=-1), "gap_mW must be in"),
        (lambda ds: T.find_threshold(POWERS, hinge(POWERS), n_sim=5), "n_sim must be an integer"),
        (lambda ds: T.peak_output(ds, method="mean"), "method must be one of"),
        (lambda ds: T.signal_curve(ds, signal="out"), r"did you mean 'output'"),
        (lambda ds: T.criteria(ds, min_snr=math.nan), "min_snr must be finite"),
        (
            lambda ds: T.criteria(ds, wavelength_range=(700, 600)),
            "wavelength_range must have low < high",
        ),
        (lambda ds: T.fit_threshold(ds, beam_profile="flat"), "profile must be one of"),
        (lambda ds: T.intensity(100.0, 1.0, "donut"), "profile must be one of"),
    ],
)
def test_dataset_options(call, match):
    with pytest.raises(ArgumentError, match=match):
        call(ase_dataset())


def test_the_figure_of_a_fit_with_warnings_says_so():
    import matplotlib.pyplot as plt

    p = np.arange(10.0, 501.0, 40.0)
    few = T.fit_lines(p, hinge(p, noise=0.005, seed=2), below=(10, 90), above=(210, 290))
    ok = T.fit_lines(POWERS, hinge(POWERS, noise=0.005), below=(10, 140), above=(160, 500))
    notes = [t for t in few.plot().axes[0].texts if t.get_gid() == "warnings"]
    assert len(notes) == 1 and notes[0].get_text().startswith("warning: the below window")
    assert not [t for t in ok.plot().axes[0].texts if t.get_gid() == "warnings"]
    plt.close("all")


def test_segmented_returns_a_result_in_the_common_vocabulary():
    x = POWERS
    seg = T.segmented(x, hinge(x, noise=0.005))
    assert isinstance(seg, T.Breakpoint)
    assert seg.converged and seg.psi == pytest.approx(150.0, rel=0.03) and seg.p_value < 0.05
    assert seg.message.startswith("breakpoint search") and seg.nfev > 0
    assert pickle.loads(pickle.dumps(seg)) == seg
    with pytest.warns(DeprecationWarning, match=r"segmented\(...\)\['found'\]"):
        assert seg["found"] is True
    with pytest.warns(DeprecationWarning):
        assert seg["note"] == seg.message
    line = T.segmented(x, 2.0 * x + 1.0)
    assert not line.converged and math.isnan(line.psi)
