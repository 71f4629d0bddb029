"""prepare: crop, mask, bin, background, solvent, time zero, chirp, bad points; the pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets._args import ArgumentError
from qdwidgets.core import chirp, prepare
from qdwidgets.errors import DatasetError


@pytest.fixture(scope="module")
def raw() -> xr.Dataset:
    return qdwidgets.examples.ta()


def test_crop_keeps_the_ranges_and_leaves_the_input(raw: xr.Dataset) -> None:
    before = raw.copy(deep=True)
    out = prepare.crop(raw, delay=(-1, 100), wavelength=(500, None))
    assert out["delay"].values.min() >= -1 and out["delay"].values.max() <= 100
    assert out["wavelength"].values.min() >= 500
    assert out["wavelength"].values.max() == raw["wavelength"].values.max()
    assert out["A0"].sizes["wavelength"] == out["dA"].sizes["wavelength"]
    assert out["dA"].attrs["units"] == "OD" and "long_name" in out["dA"].attrs
    xr.testing.assert_identical(raw, before)


def test_mask_sets_whole_columns_to_nan_and_the_contract_records_them(raw: xr.Dataset) -> None:
    out = prepare.mask(raw, wavelength=[(540, 549.5), (700, 705)])
    wl = out["wavelength"].values
    hidden = ((wl >= 540) & (wl <= 549.5)) | ((wl >= 700) & (wl <= 705))
    assert np.isnan(out["dA"].values[..., hidden]).all()
    assert np.isfinite(out["dA"].values[..., ~hidden]).all()
    recorded = [float(v) for v in out.attrs["qd_masked"].split(",")]
    assert recorded == wl[hidden].tolist()
    assert np.isfinite(raw["dA"].values).all()  # input untouched
    one = prepare.mask(raw, wavelength=(540, 549.5))  # a single pair is one range
    assert int(np.isnan(one["dA"].values[0, 0]).sum()) == 10


def test_partial_nan_is_still_refused(raw: xr.Dataset) -> None:
    bad = prepare.mask(raw, wavelength=[(540, 550)]).copy(deep=True)
    bad["dA"][0, 3, 10] = np.nan
    with pytest.raises(DatasetError, match="NaN"):
        qdwidgets.data.validate(bad)


def test_bin_wavelength_averages_and_reduces_noise(raw: xr.Dataset) -> None:
    rng = np.random.default_rng(0)
    noisy = raw.copy(deep=True)
    noisy["dA"] = noisy["dA"] + rng.normal(0, 1e-3, noisy["dA"].shape).astype("float32")
    out = prepare.bin_wavelength(noisy, 4.0)
    assert out.sizes["wavelength"] == int(np.ceil(raw.sizes["wavelength"] / 4))
    np.testing.assert_allclose(out["wavelength"].values[0], 441.5)
    first = noisy["dA"].isel(wavelength=slice(0, 4)).mean("wavelength")
    np.testing.assert_allclose(out["dA"].isel(wavelength=0), first, rtol=1e-5, atol=1e-9)
    resid_in = (noisy["dA"] - raw["dA"]).std().item()
    binned_clean = prepare.bin_wavelength(raw, 4.0)
    resid_out = (out["dA"] - binned_clean["dA"]).std().item()
    assert resid_out == pytest.approx(resid_in / 2, rel=0.05)  # mean of 4: noise / 2


def test_bin_keeps_a_wholly_masked_bin_masked(raw: xr.Dataset) -> None:
    out = prepare.bin_wavelength(prepare.mask(raw, wavelength=[(540, 551)]), 4.0)
    masked = np.isnan(out["dA"].values).all(axis=(0, 1))
    assert masked.sum() >= 2 and np.isfinite(out["dA"].values[..., ~masked]).all()


def test_background_defaults_to_before_the_detected_time_zero(raw: xr.Dataset) -> None:
    shifted = raw.copy(deep=True)
    shifted["dA"] = shifted["dA"] + np.float32(2e-3)
    out = prepare.subtract_background(shifted)
    before = prepare.pipeline(out).steps[-1]["args"]["before"]
    t0 = qdwidgets.core.gain.time_zero(raw)
    assert before < t0
    pre = out["dA"].isel(delay=np.flatnonzero(out["delay"].values < before))
    assert float(np.abs(pre.mean("delay")).max()) < 1e-6  # the pre-t0 level is zero
    same = prepare.subtract_background(raw, before=before)  # the constant offset drops out
    np.testing.assert_allclose(out["dA"], same["dA"], atol=1e-6)


def test_chirp_background_is_the_same_implementation(raw: xr.Dataset) -> None:
    a = chirp.subtract_background(raw, before=-1.0)
    b = prepare.subtract_background(raw, before=-1.0)
    xr.testing.assert_identical(a, b)


def test_solvent_scale_is_fitted_around_time_zero(raw: xr.Dataset) -> None:
    t, wl = raw["delay"].values, raw["wavelength"].values
    artefact = np.exp(-((t[:, None] / 0.3) ** 2)) * np.cos(wl[None, :] / 5.0) * 4e-3
    solvent = raw.isel(pump=[0]).copy(deep=True)
    solvent["dA"] = (("pump", "delay", "wavelength"), artefact[None].astype("float32"),
                     {"units": "OD"})  # fmt: skip
    solvent = solvent.drop_vars(["A0", "PL"])
    dirty = raw.copy(deep=True)
    dirty["dA"] = dirty["dA"] + np.float32(1.7) * solvent["dA"].values
    out = prepare.subtract_solvent(dirty, solvent)
    scales = prepare.pipeline(out).steps[-1]["args"]["scale"]
    assert scales == pytest.approx([1.7, 1.7], rel=0.05)  # the sample rises under it too
    assert float(np.abs(out["dA"] - raw["dA"]).max()) < 0.05 * 1.7 * 4e-3 + 1e-4
    fixed = prepare.subtract_solvent(dirty, solvent, scale=1.7)
    assert float(np.abs(fixed["dA"] - raw["dA"]).max()) < 1e-6
    with pytest.raises(DatasetError, match="Fix: measure or crop"):
        prepare.subtract_solvent(dirty, solvent.isel(delay=slice(0, 50)))
    with pytest.raises(ArgumentError, match="scale"):
        prepare.subtract_solvent(dirty, solvent, scale="fit")


def test_shift_time_zero_and_interpolate_bad(raw: xr.Dataset) -> None:
    out = prepare.shift_time_zero(raw, 0.5)
    np.testing.assert_allclose(out["delay"].values, raw["delay"].values - 0.5)
    spiky = raw.copy(deep=True)
    i = int(np.argmin(np.abs(raw["delay"].values - 10.0)))
    j = int(np.argmin(np.abs(raw["wavelength"].values - 600.0)))
    spiky["dA"][:, i, :] = 1.0
    spiky["dA"][:, :, j] = -1.0
    fixed = prepare.interpolate_bad(spiky, delays=[10.0], wavelengths=[600.2])
    t = raw["delay"].values
    expect = raw["dA"].isel(delay=i - 1) + (raw["dA"].isel(delay=i + 1) - raw["dA"].isel(
        delay=i - 1)) * (t[i] - t[i - 1]) / (t[i + 1] - t[i - 1])  # fmt: skip
    got = fixed["dA"].isel(delay=i).drop_vars("delay")
    keep = np.arange(raw.sizes["wavelength"]) != j
    np.testing.assert_allclose(got[:, keep], expect.drop_vars("delay")[:, keep], atol=1e-7)
    assert float(np.abs(fixed["dA"].isel(wavelength=j)).max()) < 0.1
    assert prepare.pipeline(fixed).steps[-1]["args"]["wavelengths"] == [600.0]


def test_correct_chirp_forwards_to_chirp_correct(raw: xr.Dataset) -> None:
    t0 = 0.2 + 0.001 * (raw["wavelength"].values - 580.0)
    out = prepare.correct_chirp(raw, t0)
    xr.testing.assert_allclose(out["dA"], chirp.correct(raw, t0)["dA"])
    assert out.attrs["qd_chirp_corrected"] == 1
    assert prepare.pipeline(out).steps[-1]["args"]["chirp"] == pytest.approx(t0.tolist())


def test_pipeline_replays_crop_mask_background_and_its_code(raw: xr.Dataset, tmp_path: Path):
    ds = prepare.crop(raw, delay=(None, 3000), wavelength=(460, 700))
    ds = prepare.mask(ds, wavelength=[(540, 550)])
    ds = prepare.subtract_background(ds)
    ds = prepare.correct_chirp(ds, 0.05)
    ds = prepare.bin_wavelength(ds, 2.0)
    p = prepare.pipeline(ds)
    assert [s["step"] for s in p.steps] == [
        "crop", "mask", "subtract_background", "correct_chirp", "bin_wavelength"
    ]  # fmt: skip
    assert np.isnan(ds["dA"].sel(wavelength=545, method="nearest")).all()
    xr.testing.assert_identical(p.apply(raw), ds)
    ns: dict = {"raw_data": raw}
    exec(p.to_code(data_name="raw_data"), ns)
    xr.testing.assert_identical(ns["result"], ds)
    path = qdwidgets.save(ds, tmp_path / "prepared.nc")
    back = qdwidgets.open_dataset(path)
    assert prepare.pipeline(back).steps == p.steps
    assert back.attrs["qd_masked"] == ds.attrs["qd_masked"]
    xr.testing.assert_allclose(prepare.pipeline(back).apply(raw)["dA"], back["dA"])


def test_pipeline_of_the_real_hippius_file(shared_data: Path) -> None:
    raw = qdwidgets.open_dataset(shared_data / "hippius2007_ta.ascii", signal_unit="mOD")
    ds = prepare.crop(raw, wavelength=(400, 800))
    ds = prepare.mask(ds, wavelength=[(525, 535)])  # around the 530 nm pump
    ds = prepare.subtract_background(ds, before=0.03)  # the file starts at time zero
    ds = prepare.bin_wavelength(ds, 5.0)
    assert np.isnan(ds["dA"].sel(wavelength=530, method="nearest")).all()
    assert ds.sizes["wavelength"] < raw.sizes["wavelength"] / 3
    xr.testing.assert_identical(prepare.pipeline(ds).apply(raw), ds)


def test_a_solvent_given_in_memory_must_be_passed_again(raw: xr.Dataset) -> None:
    solvent = raw.isel(pump=[0]).drop_vars(["A0", "PL"]) * 0.1
    solvent["dA"].attrs["units"] = "OD"
    ds = prepare.subtract_solvent(raw, solvent, scale=1.0)
    p = prepare.pipeline(ds)
    assert p.steps[0]["args"]["solvent"] == {"$input": "solvent"}
    with pytest.raises(DatasetError, match=r"solvent=\.\.\."):
        p.apply(raw)
    xr.testing.assert_identical(p.apply(raw, solvent=solvent), ds)
    ns = {"ds": raw, "solvent": solvent}
    exec(p.to_code(), ns)
    xr.testing.assert_identical(ns["result"], ds)


def test_lazy_data_stay_lazy_and_give_the_same_result(raw: xr.Dataset) -> None:
    from qdwidgets.data._marker import is_lazy

    lazy = raw.chunk({"delay": 100})
    steps = [
        lambda d: prepare.crop(d, delay=(-2, 500)),
        lambda d: prepare.mask(d, wavelength=[(590, 599)]),
        lambda d: prepare.subtract_background(d, before=-1.0),
        lambda d: prepare.bin_wavelength(d, 3.0),
        lambda d: prepare.interpolate_bad(d, delays=[1.0]),
        lambda d: prepare.shift_time_zero(d, 0.1),
    ]
    a, b = lazy, raw
    for step in steps:
        a, b = step(a), step(b)
        assert is_lazy(a["dA"].data)
    assert a.attrs["qd_masked"] == b.attrs["qd_masked"]
    np.testing.assert_allclose(a["dA"].values, b["dA"].values, rtol=1e-6, atol=1e-9)


def test_the_accessor_forwards_the_prepare_steps(raw: xr.Dataset) -> None:
    chained = raw.qd.crop(wavelength=(460, 700)).qd.mask([(540, 550)]).qd.subtract_background()
    direct = prepare.subtract_background(
        prepare.mask(prepare.crop(raw, wavelength=(460, 700)), [(540, 550)])
    )
    xr.testing.assert_identical(chained, direct)
    assert chained.qd.pipeline().steps == prepare.pipeline(direct).steps


@pytest.mark.parametrize("background_first", [False, True])
def test_the_solvent_scale_on_a_simulated_raw_measurement(background_first: bool) -> None:
    """simulate.raw_ta: a chirped, noisy artefact under a baseline offset, the sample rising under
    it; the scale comes out right whether or not the background was subtracted first."""
    from qdwidgets.data import simulate

    raw = simulate.raw_ta(seed=3)
    avg = prepare.average_scans(list(raw.scans))
    if background_first:
        avg = prepare.subtract_background(avg)
    out = prepare.subtract_solvent(avg, raw.solvent)
    scales = prepare.pipeline(out).steps[-1]["args"]["scale"]
    assert scales == pytest.approx(list(raw.solvent_scale), rel=0.03)
