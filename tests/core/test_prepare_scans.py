"""prepare.average_scans on simulated scans with injected outliers and a bad scan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets._args import ArgumentError
from qdwidgets.core import prepare
from qdwidgets.data import simulate
from qdwidgets.errors import DatasetError

NOISE = 2e-4


@pytest.fixture(scope="module")
def clean() -> xr.Dataset:
    return qdwidgets.examples.ta()


def _scans(clean: xr.Dataset, n: int = 5, seed: int = 3) -> list[xr.Dataset]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        s = clean.copy(deep=True)
        s["dA"] = s["dA"] + rng.normal(0, NOISE, s["dA"].shape).astype("float32")
        out.append(s)
    return out


def test_a_ten_delay_glitch_is_rejected_and_the_mean_is_clean(clean: xr.Dataset) -> None:
    scans = _scans(clean)
    scans[2]["dA"][:, 100:110, :] += np.float32(0.01)
    avg = prepare.average_scans(scans)
    rms = float(np.sqrt(((avg["dA"] - clean["dA"]) ** 2).mean()))
    assert rms < 1.3 * NOISE / np.sqrt(4)
    glitch = np.zeros(avg["dA"].shape, dtype=bool)
    glitch[:, 100:110, :] = True
    assert (avg["n_scans"].values[glitch] == 4).all()  # scan 2 left out at every glitched point
    assert avg["rejected_points"].values[2] >= glitch.sum()
    assert avg["rejected_points"].values.sum() < glitch.sum() * 1.01  # hardly any false alarm
    assert avg["scan_rejected"].values.tolist() == [0, 0, 0, 0, 0]
    stderr = avg["dA_stderr"].values[~glitch]
    assert np.median(stderr) == pytest.approx(NOISE / np.sqrt(5), rel=0.15)
    assert avg["dA_stderr"].attrs["units"] == "OD"
    assert "rejected" in avg.attrs["qd_history"]


def test_a_ten_delay_glitch_in_simulated_raw_scans_is_rejected() -> None:
    """The same on the raw-measurement simulator: chirp, artefact, scatter, noisier edges."""
    raw = simulate.raw_ta(seed=11)
    avg = prepare.average_scans(list(raw.scans))
    noise = float(np.sqrt((raw.noise**2).mean()))  # σ varies with wavelength
    rms = float(np.sqrt(((avg["dA"] - raw.clean["dA"]) ** 2).mean()))
    assert rms < 1.3 * noise / np.sqrt(4)
    glitch = raw.glitched().values
    assert glitch.sum() == 10 * avg.sizes["pump"] * avg.sizes["wavelength"]
    assert (avg["n_scans"].values[glitch] == 4).all()
    assert avg["rejected_points"].values[raw.glitch_scan] >= glitch.sum()
    assert avg["rejected_points"].values.sum() < glitch.sum() * 1.01
    assert avg["scan_rejected"].values.tolist() == [0, 0, 0, 0, 0]


def test_a_noisy_scan_is_rejected_whole(clean: xr.Dataset) -> None:
    scans = _scans(clean, seed=5)
    rng = np.random.default_rng(9)
    scans[4]["dA"] = scans[4]["dA"] + rng.normal(0, 5 * NOISE, clean["dA"].shape).astype("f4")
    avg = prepare.average_scans(scans)
    assert avg["scan_rejected"].values.tolist() == [0, 0, 0, 0, 1]
    assert int(avg["n_scans"].max()) == 4
    rms = float(np.sqrt(((avg["dA"] - clean["dA"]) ** 2).mean()))
    assert rms < 1.3 * NOISE / np.sqrt(4)


def test_without_rejection_the_glitch_stays(clean: xr.Dataset) -> None:
    scans = _scans(clean)
    scans[2]["dA"][:, 100:110, :] += np.float32(0.01)
    avg = prepare.average_scans(scans, reject="none")
    assert int(avg["rejected_points"].sum()) == 0
    assert float(avg["dA"][:, 100:110].mean() - clean["dA"][:, 100:110].mean()) > 1.5e-3


def test_scans_on_another_grid_are_interpolated_and_it_is_said(clean: xr.Dataset) -> None:
    scans = _scans(clean, n=3)
    scans[1] = scans[1].isel(wavelength=slice(2, None))  # a narrower range
    avg = prepare.average_scans(scans)
    assert avg["wavelength"].values[0] == clean["wavelength"].values[2]
    assert "cropped to the range every scan covers" in avg.attrs["qd_history"]
    far = clean.assign_coords(delay=clean["delay"] + 1e5)
    with pytest.raises(DatasetError, match="do not overlap"):
        prepare.average_scans([clean, far])


def test_paths_are_recorded_and_replayed(clean: xr.Dataset, tmp_path: Path) -> None:
    paths = []
    for i, s in enumerate(_scans(clean, n=3)):
        paths.append(str(qdwidgets.save(s, tmp_path / f"scan{i}.nc")))
    avg = prepare.crop(prepare.average_scans(paths), delay=(-1, 50))
    p = prepare.pipeline(avg)
    assert p.steps[0]["args"]["scans"] == paths
    xr.testing.assert_identical(p.apply(), avg)
    ns: dict = {}
    exec(p.to_code(), ns)
    xr.testing.assert_identical(ns["result"], avg)


def test_scans_in_memory_must_be_given_again(clean: xr.Dataset) -> None:
    scans = _scans(clean, n=3)
    avg = prepare.average_scans(scans)
    p = prepare.pipeline(avg)
    assert p.steps[0]["args"]["scans"] == {"$input": "scans"}
    with pytest.raises(DatasetError, match="pass it again"):
        p.apply()
    xr.testing.assert_identical(p.apply(scans), avg)
    ns = {"my_scans": scans}
    exec(p.to_code(data_name="my_scans"), ns)
    xr.testing.assert_identical(ns["result"], avg)


@pytest.mark.parametrize(
    ("scans", "reject", "words"),
    [
        ("a.nc", "auto", "list"),
        ([], "auto", "at least 2"),
        (None, "auto", "list"),
        ([1, 2], "auto", "datasets or"),
        (["a.nc", "b.nc"], "maybe", "reject must be one of"),
        (["a.nc", "b.nc"], 0.5, "reject must be in"),
    ],
)
def test_bad_scans_arguments(scans, reject, words) -> None:
    with pytest.raises(ArgumentError, match=words):
        prepare.average_scans(scans, reject=reject)


def test_scans_with_other_pump_levels_are_refused(clean: xr.Dataset) -> None:
    with pytest.raises(DatasetError, match="pump levels differ"):
        prepare.average_scans([clean, clean.isel(pump=[0])])


def test_a_scan_on_a_shifted_grid_is_interpolated_and_said(clean: xr.Dataset) -> None:
    scans = _scans(clean, n=3)
    wl = clean["wavelength"].values
    scans[2] = scans[2].interp(wavelength=wl[:-1] + 0.5)  # half a step off, one point less
    avg = prepare.average_scans(scans)
    assert "scan 2 interpolated onto the grid of scan 0" in avg.attrs["qd_history"]
    assert avg["wavelength"].values.tolist() == wl[1:-1].tolist()  # the common range 441–719
    rms = float(np.sqrt(((avg["dA"] - clean["dA"].sel(wavelength=avg["wavelength"])) ** 2).mean()))
    assert rms < NOISE


def test_the_standard_error_follows_the_chirp_correction(clean: xr.Dataset) -> None:
    avg = prepare.average_scans(_scans(clean, n=3))
    t0 = 0.3 + 0.002 * (clean["wavelength"].values - 580.0)
    out = prepare.correct_chirp(avg, t0)
    assert out["dA_stderr"].shape == out["dA"].shape
    # NaN exactly where ΔA has no measurement after the shift (a column's ends)
    np.testing.assert_array_equal(np.isfinite(out["dA_stderr"]), np.isfinite(out["dA"]))
