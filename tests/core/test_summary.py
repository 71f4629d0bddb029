"""Triage summaries against the simulators' truth."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core.kinetics import fit_kinetics
from qdwidgets.core.summary import summarize, table_row
from qdwidgets.data import simulate

WAVELENGTHS = np.linspace(560.0, 720.0, 81)


@pytest.fixture(scope="module")
def ta_sim():
    return simulate.ta(pump=(100.0, 300.0), wavelength=WAVELENGTHS, seed=11)


@pytest.fixture(scope="module")
def ase_sim():
    return simulate.ase(seed=12)


def test_ta_summary_matches_truth(ta_sim):
    ds, truth = ta_sim
    s = summarize(ds)
    assert s["kind"] == "ta"
    assert s["shape"] == {"pump": 2, "delay": ds.sizes["delay"], "wavelength": 81}
    assert s["delay_range_ps"] == [float(ds.delay[0]), float(ds.delay[-1])]
    # noise: the simulator's σ (OD) within 15 %
    assert s["noise_OD"] == pytest.approx(truth.noise, rel=0.15)
    # time zero: the chirp's median t0; the half-rise sits late by up to ~0.3 ps (cooling rise)
    t0 = float(np.median(truth.t0(ds["wavelength"].values)))
    assert t0 - 0.05 <= s["time_zero_ps"] <= t0 + 0.5
    # the band edge is the 1S transition (639 nm) within two grid steps (2 nm)
    assert abs(s["band_edge_nm"] - 639.0) <= 4.0
    expected = truth.zero_crossing(s["band_edge_nm"])
    for level, want in zip(s["levels"], expected, strict=True):
        assert level["gain"] == bool(np.isfinite(want))
        if np.isfinite(want):
            assert level["zero_crossing_ps"] == pytest.approx(want, abs=0.1)
        else:
            assert level["zero_crossing_ps"] is None
    assert [lv["occupancy"] for lv in s["levels"]] == list(truth.occupancy)
    assert s["flags"] == []


def test_ta_lifetimes_are_the_band_edge_fit(ta_sim):
    ds, _ = ta_sim
    s = summarize(ds)
    fits = fit_kinetics(ds, wavelength=s["band_edge_nm"], n_components=3, offset=True)
    for level, fit in zip(s["levels"], fits.fits, strict=True):
        np.testing.assert_allclose(level["taus_ps"], fit.taus, rtol=1e-9)


def test_flags_missing_a0_and_no_gain():
    ds, _ = simulate.ta(pump=(30.0,), wavelength=WAVELENGTHS, seed=3)  # ⟨N⟩ = 0.3: no gain
    s = summarize(ds)
    assert "no gain" in s["flags"] and not s["levels"][0]["gain"]
    s = summarize(ds.drop_vars("A0"))
    assert "missing A0" in s["flags"]
    assert "zero_crossing_ps" not in s["levels"][0]


def test_flag_saturation():
    ds, _ = simulate.ta(pump=(300.0,), wavelength=WAVELENGTHS, seed=4)
    clipped = ds.assign(dA=ds["dA"].clip(min=-0.02))  # a detector clipping at -20 mOD
    assert "saturation" in summarize(clipped)["flags"]
    assert "saturation" not in summarize(ds)["flags"]


def test_ase_summary_matches_truth(ase_sim):
    ds, truth = ase_sim
    s = summarize(ds)
    by = {c["feedback"]: c for c in s["feedback"]}
    assert "threshold_mW" not in by["none"]
    for label, want in truth.thresholds_mW.items():
        got = by[label]
        lo, hi = got["ci_mW"]
        assert lo <= want <= hi, (label, got)
        assert got["threshold_mW"] == pytest.approx(want, rel=0.25)
        assert got["threshold_W_cm2"] == pytest.approx(
            got["threshold_mW"] * truth.thresholds_W_cm2[label] / want, rel=1e-9
        )
    # the mirror's ASE narrows the line
    assert by["mirror"]["linewidth_narrowing_nm"] > 5.0
    assert s["flags"] == []


def test_ase_without_threshold_says_so():
    ds, _ = simulate.ase(thresholds_mW={"lamp": 5000.0, "mirror": 8000.0}, seed=5)
    assert "no threshold" in summarize(ds)["flags"]


def test_summary_is_json_and_input_untouched(ta_sim):
    ds, _ = ta_sim
    before = ds.copy(deep=True)
    s = summarize(ds)
    assert json.loads(json.dumps(s)) == s
    xr.testing.assert_identical(ds, before)
    row = table_row(s)
    assert row["kind"] == "ta" and row["gain"] == "1/2 levels"
