"""simulate.raw_ta: a raw multi-scan measurement whose parts are what its truth says."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pytest
import xarray as xr

from qdwidgets import DatasetError
from qdwidgets.core import chirp, prepare
from qdwidgets.data import simulate, validate
from qdwidgets.data.simulate import RawTA


@pytest.fixture(scope="module")
def raw() -> RawTA:
    return simulate.raw_ta(seed=4)


def _noise_rms(raw: RawTA) -> float:
    return float(np.sqrt((raw.noise**2).mean()))


def test_the_parts_are_validated_ta_datasets_in_cf_units(raw: RawTA) -> None:
    assert raw.n_scans == len(raw.scans) == 5
    for part in (*raw.scans, raw.solvent, raw.clean, raw.truth):
        assert validate(part).identical(part)
        assert part["dA"].attrs["units"] == "OD"
        assert part["delay"].attrs["units"] == "ps" and part["wavelength"].attrs["units"] == "nm"
    assert [s.attrs["scan_index"] for s in raw.scans] == [0, 1, 2, 3, 4]
    assert raw.solvent.sizes["pump"] == 1 and float(raw.solvent["pump"][0]) == max(raw.sample.pump)
    assert "A0" not in raw.solvent and "A0" in raw.scans[0]
    for arr in (raw.noise, raw.baseline, raw.scatter, raw.artefact):
        assert arr.attrs["units"] == "OD"
    assert raw.scans[0].attrs["pump_wavelength_nm"] == raw.scatter_nm == 500.0
    # the delay axis starts near time zero: before every wavelength's t0, by at most 1.1 ps
    t0 = raw.t0(raw.clean["wavelength"].values)
    first = float(raw.clean["delay"][0])
    assert t0.min() - 1.1 < first < t0.min()
    assert t0.max() - t0.min() > 1.0  # a chirp worth correcting


def test_clean_is_the_sample_plus_artefact_scatter_and_baseline(raw: RawTA) -> None:
    extras = raw.scatter + raw.baseline
    scale = xr.DataArray(list(raw.solvent_scale), dims="pump", coords={"pump": raw.clean["pump"]})
    sample = raw.clean["dA"] - extras - scale * raw.artefact
    ds, _ = simulate.ta(
        raw.sample.pump,
        delay=raw.clean["delay"].values,
        wavelength=raw.clean["wavelength"].values,
        chirp=raw.sample.chirp,
        chirp_reference_nm=raw.sample.chirp_reference_nm,
        noise=0.0,
    )
    np.testing.assert_allclose(sample.transpose(*ds["dA"].dims).values, ds["dA"].values, atol=1e-12)
    # before time zero only the baseline and the scatter are left
    early = raw.clean["dA"].sel(delay=slice(None, -0.6))
    np.testing.assert_allclose(early.values, np.broadcast_to(extras.values, early.shape), atol=1e-9)
    # the scatter: a narrow band of large signal at the pump wavelength
    lo, hi = raw.scatter_band()
    inside = (raw.scatter["wavelength"] > lo) & (raw.scatter["wavelength"] < hi)
    assert float(raw.scatter.max()) == pytest.approx(0.02, rel=0.01)
    assert float(raw.scatter.where(~inside).max()) < 0.1 * float(raw.scatter.max())
    assert 3 <= int(inside.sum()) <= 8
    assert 0.5e-3 < float(raw.baseline.min()) < float(raw.baseline.max()) <= 1e-3


def _rise(x: np.ndarray, t: np.ndarray) -> float:
    """The first delay (ps, interpolated) where |x| reaches half its largest value."""
    a = np.abs(x) / np.abs(x).max()
    i = int(np.argmax(a >= 0.5))
    return float(t[i - 1] + (0.5 - a[i - 1]) / (a[i] - a[i - 1]) * (t[i] - t[i - 1]))


@pytest.mark.parametrize("wavelength", [520.0, 600.0, 640.0, 680.0])
def test_the_raw_data_are_chirped_and_the_truth_is_not(raw: RawTA, wavelength: float) -> None:
    t = raw.clean["delay"].sel(delay=slice(None, 2.0)).values
    scale = raw.solvent_scale[-1]
    sample = (raw.clean["dA"] - raw.scatter - raw.baseline - scale * raw.artefact).isel(pump=-1)
    lab = _rise(sample.sel(wavelength=wavelength, delay=t).values, t)
    true = _rise(raw.truth["dA"].isel(pump=-1).sel(wavelength=wavelength, delay=t).values, t)
    assert lab - true == pytest.approx(float(raw.t0(wavelength)), abs=0.01)
    # the artefact is centred on the same time zero
    art = raw.artefact.sel(wavelength=wavelength)
    assert float(art["delay"][int(np.argmax(art.values))]) == pytest.approx(
        float(raw.t0(wavelength)), abs=0.0125
    )


def test_scans_are_noisy_around_clean_with_noisier_detector_edges(raw: RawTA) -> None:
    quiet = [s for i, s in enumerate(raw.scans) if i != raw.glitch_scan]
    resid = xr.concat([s["dA"] - raw.clean["dA"] for s in quiet], "scan")
    std = resid.std(("scan", "pump", "delay"))
    np.testing.assert_allclose(std.values, raw.noise.values, rtol=0.1)
    mid = float(raw.noise.sel(wavelength=600.0))
    assert mid == pytest.approx(3e-4, rel=0.01)
    assert float(raw.noise[0]) > 3.5 * mid and float(raw.noise[-1]) > 3.5 * mid
    assert float(raw.noise.sel(wavelength=raw.scatter_nm)) > 3 * mid  # the scatter fluctuates


def test_one_scan_holds_a_ten_delay_glitch_after_the_rise(raw: RawTA) -> None:
    assert raw.glitch_scan == 2 and len(raw.glitch_delays) == 10
    assert min(raw.glitch_delays) > float(raw.t0(raw.clean["wavelength"].values).max()) + 1.0
    g = raw.glitched()
    assert int(g.sum()) == 10 * raw.clean.sizes["pump"] * raw.clean.sizes["wavelength"]
    jump = (raw.scans[2]["dA"] - raw.clean["dA"]).where(g).mean()
    assert float(jump) == pytest.approx(raw.glitch_od, abs=1e-4)
    others = xr.concat([(s["dA"] - raw.clean["dA"]).where(g) for s in raw.scans[:2]], "s")
    assert abs(float(others.mean())) < 1e-4


def test_the_solvent_scan_holds_the_artefact_only(raw: RawTA) -> None:
    resid = raw.solvent["dA"].isel(pump=0) - raw.artefact
    assert abs(float(resid.mean())) < 2e-5  # no scatter, no baseline, no sample
    at_scatter = float(resid.sel(wavelength=raw.scatter_nm).std())
    assert at_scatter < 1.2 * float(raw.noise.sel(wavelength=600.0))
    # the artefact lives around time zero only
    assert float(abs(raw.artefact).sel(delay=slice(3.0, None)).max()) < 1e-12
    assert float(abs(raw.artefact).max()) == pytest.approx(0.02, rel=0.05)


def test_averaging_five_scans_rejects_the_glitch_and_gives_the_clean_map(raw: RawTA) -> None:
    """Done when: within 1.3 × noise/√4 RMS of the clean map, the glitched points rejected."""
    avg = prepare.average_scans(list(raw.scans))
    rms = float(np.sqrt(((avg["dA"] - raw.clean["dA"]) ** 2).mean()))
    assert rms < 1.3 * _noise_rms(raw) / np.sqrt(4)
    g = raw.glitched().values
    assert (avg["n_scans"].values[g] == 4).all()
    rejected = avg["rejected_points"].values
    assert rejected[raw.glitch_scan] >= g.sum()
    assert rejected.sum() < 1.01 * g.sum()  # hardly a false alarm
    assert avg["scan_rejected"].values.tolist() == [0] * 5


def test_the_preparation_recovers_the_truth(raw: RawTA) -> None:
    avg = prepare.average_scans(list(raw.scans))
    ds = prepare.subtract_solvent(prepare.subtract_background(avg), raw.solvent)
    found = [float(v) for v in ds.attrs["qd_history"].split("scale ")[-1].split(", ")]
    np.testing.assert_allclose(found, raw.solvent_scale, rtol=0.06)
    ds = prepare.mask(ds, wavelength=[raw.scatter_band()])
    t0 = chirp.estimate(ds, order=2)
    wl = t0["wavelength"].values
    assert np.abs(t0.values - raw.t0(wl)).max() < 0.05  # ps
    out = prepare.correct_chirp(ds, t0)
    assert bool(out["dA"].sel(wavelength=raw.scatter_nm).isnull().all())
    # after the rise: the truth within the noise of the mean of 5 scans and of the scaled solvent
    exact = replace(raw.sample, chirp=(0.0,)).dA(out["delay"].values, out["wavelength"].values)
    late = (out["dA"] - exact).sel(delay=slice(3.0, None))
    scale = xr.DataArray(list(raw.solvent_scale), dims="pump", coords={"pump": out["pump"]})
    expected = np.sqrt(raw.noise**2 / 5 + (scale * raw.noise) ** 2)  # the scatter band is masked
    ratio = np.sqrt((late**2).mean(("pump", "delay")) / (expected**2).mean("pump"))
    assert 0.8 < float(ratio.mean(skipna=True)) < 1.2


def test_seeded_saved_and_restored(raw: RawTA) -> None:
    again = simulate.raw_ta(seed=4)
    assert again == raw
    other = simulate.raw_ta(seed=5)
    assert not other.scans[0]["dA"].equals(raw.scans[0]["dA"])
    assert other.clean["dA"].equals(raw.clean["dA"])
    assert RawTA.from_dict(raw.to_dict()) == raw
    assert pickle.loads(pickle.dumps(raw)) == raw
    text = repr(raw)
    assert "n_scans: 5" in text and "glitch_scan: 2" in text


def test_options_reach_the_sample_and_the_glitch_can_be_left_out() -> None:
    raw = simulate.raw_ta(
        3, pump=(200.0,), wavelength=np.arange(560.0, 700.0, 4.0), glitch_scan=None, tau_x=2000.0
    )
    assert raw.sample.tau_x == 2000.0 and raw.sample.pump == (200.0,)
    assert raw.glitch_scan == -1 and raw.glitch_delays == () and not bool(raw.glitched().any())
    assert raw.solvent_scale == (0.8,)
    assert raw.scans[0].sizes["wavelength"] == 35


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_scans": 0}, "n_scans"),
        ({"glitch_scan": 5}, "glitch_scan"),
        ({"glitch_delays": 0}, "glitch_delays"),
        ({"noise": -1.0}, "noise"),
        ({"scatter_fwhm_nm": 0.0}, "scatter_fwhm_nm"),
        ({"scatter_nm": float("nan")}, "scatter_nm"),
        ({"store_chirp": True}, "option of raw_ta itself"),
        ({"delay": [0.0, 0.0]}, "strictly increasing"),
    ],
)
def test_bad_options_say_what_to_pass(kwargs: dict, words: str) -> None:
    with pytest.raises(DatasetError, match=words) as exc:
        simulate.raw_ta(**kwargs)
    assert "Fix:" in str(exc.value)
