"""qdwidgets.open_scans: a pattern or a folder → the scans, natural order, files recorded."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import prepare
from qdwidgets.errors import DatasetError


@pytest.fixture(scope="module")
def small() -> xr.Dataset:
    ta = qdwidgets.examples.ta().isel(pump=[0], delay=slice(0, 120, 3), wavelength=slice(0, 80, 4))
    return qdwidgets.validate(ta.drop_vars(["A0", "PL"], errors="ignore"))


def _scan(small: xr.Dataset, offset: float) -> xr.Dataset:
    out = small.copy(deep=True)
    out["dA"] = out["dA"] + np.float32(offset)
    return out


def _write_csv(ds: xr.Dataset, path: Path) -> Path:
    """ΔA in mOD, delays in fs down the first column, wavelengths (nm) across."""
    da = ds["dA"].isel(pump=0).values * 1e3
    rows = ["delay (fs)," + ",".join(f"{w:g}" for w in ds["wavelength"].values)]
    for t, row in zip(ds["delay"].values * 1e3, da, strict=True):
        rows.append(f"{t:g}," + ",".join(f"{v:.9g}" for v in row))
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_pattern_gives_the_scans_in_natural_order_with_their_files(
    small: xr.Dataset, tmp_path: Path
) -> None:
    for i in (10, 2, 1):  # written out of order; scan10 sorts last, not between 1 and 2
        qdwidgets.save(_scan(small, i * 1e-3), tmp_path / f"scan{i}.nc")
    scans = qdwidgets.open_scans(tmp_path / "scan*.nc")
    assert [Path(s.attrs["scan_file"]).name for s in scans] == ["scan1.nc", "scan2.nc", "scan10.nc"]
    for s, i in zip(scans, (1, 2, 10), strict=True):
        np.testing.assert_allclose(s["dA"].values, small["dA"].values + i * 1e-3, atol=1e-7)
        assert s.attrs["scan_file"] == os.fspath(tmp_path / f"scan{i}.nc")
        assert f"from {tmp_path / f'scan{i}.nc'}" in s.attrs["qd_history"]
        assert s.attrs["qd_kind"] == "ta"
        xr.testing.assert_identical(qdwidgets.validate(s), s)  # validated as returned
    # the same with a str pattern, and from the top-level package or qdwidgets.data
    again = qdwidgets.data.open_scans(str(tmp_path / "scan*.nc"))
    assert [s.attrs["scan_file"] for s in again] == [s.attrs["scan_file"] for s in scans]


def test_a_folder_gives_its_data_files_and_leaves_the_rest(
    small: xr.Dataset, tmp_path: Path
) -> None:
    for name in ("B_scan3.nc", "a_scan1.nc", "a_Scan2.nc"):
        qdwidgets.save(small, tmp_path / name)
    (tmp_path / "notes.md").write_text("scans of sample 1\n")
    (tmp_path / ".hidden.nc").write_text("not a scan")
    (tmp_path / "sub").mkdir()
    qdwidgets.save(small, tmp_path / "sub" / "other.nc")
    scans = qdwidgets.open_scans(tmp_path)
    names = [Path(s.attrs["scan_file"]).name for s in scans]
    assert names == ["a_scan1.nc", "a_Scan2.nc", "B_scan3.nc"]  # case-insensitive
    deep = qdwidgets.open_scans(tmp_path / "**" / "*.nc")  # ** descends into sub-folders
    assert "other.nc" in [Path(s.attrs["scan_file"]).name for s in deep]


def test_reader_options_go_to_every_file(small: xr.Dataset, tmp_path: Path) -> None:
    for i in (1, 2):
        _write_csv(_scan(small, i * 1e-3), tmp_path / f"run_{i}.csv")
    scans = qdwidgets.open_scans(tmp_path / "run_*.csv", signal_unit="mOD")
    assert len(scans) == 2
    np.testing.assert_allclose(scans[0]["delay"].values, small["delay"].values, rtol=1e-6)
    np.testing.assert_allclose(
        scans[1]["dA"].values.ravel(), (small["dA"].values + 2e-3).ravel(), atol=1e-8
    )
    assert scans[1].attrs["source"] == "run_2.csv"  # the reader's own provenance is kept
    with pytest.raises(DatasetError, match=r"run_1\.csv"):
        qdwidgets.open_scans(tmp_path / "run_*.csv", delay_units="fs")  # a misspelt option


def test_nothing_matched_names_the_pattern_and_the_fix(tmp_path: Path) -> None:
    pattern = os.fspath(tmp_path / "scan*.nc")
    with pytest.raises(DatasetError, match=r"no file matches .*scan\*\.nc.*Fix:") as exc:
        qdwidgets.open_scans(pattern)
    assert pattern in str(exc.value)
    with pytest.raises(DatasetError, match=r"neither a folder, a file nor a pattern.*Fix:"):
        qdwidgets.open_scans(tmp_path / "missing")
    (tmp_path / "readme.md").write_text("nothing here\n")
    with pytest.raises(DatasetError, match=r"holds no data file .*readme\.md.*Fix:"):
        qdwidgets.open_scans(tmp_path)


def test_a_file_that_fails_to_read_is_named(small: xr.Dataset, tmp_path: Path) -> None:
    qdwidgets.save(small, tmp_path / "scan1.nc")
    (tmp_path / "scan2.csv").write_text("delay,600,610\n0,1,oops\n1,2,3\n")
    with pytest.raises(DatasetError, match=r"scan 2 of 2, '.*scan2\.csv', cannot be read") as exc:
        qdwidgets.open_scans(tmp_path / "scan*")
    assert "Fix:" in str(exc.value)


@pytest.mark.parametrize(
    ("arg", "words"),
    [
        (["a.nc", "b.nc"], "got a list"),
        (3, "got int"),
        ("", "empty"),
    ],
)
def test_bad_arguments_say_what_to_pass(arg: object, words: str) -> None:
    with pytest.raises(DatasetError, match=words):
        qdwidgets.open_scans(arg)


def test_ase_kind_is_refused(small: xr.Dataset, tmp_path: Path) -> None:
    qdwidgets.save(small, tmp_path / "scan1.nc")
    with pytest.raises(DatasetError, match="scans are TA data"):
        qdwidgets.open_scans(tmp_path, kind="ase")


def test_scans_on_other_grids_go_to_average_scans(small: xr.Dataset, tmp_path: Path) -> None:
    wl = small["wavelength"].values
    qdwidgets.save(_scan(small, 0.0), tmp_path / "scan1.nc")
    shifted = _scan(small, 0.0).interp(wavelength=wl[:-1] + 0.5 * (wl[1] - wl[0]))
    qdwidgets.save(shifted, tmp_path / "scan2.nc")
    qdwidgets.save(_scan(small, 0.0).isel(delay=slice(2, None)), tmp_path / "scan3.nc")
    scans = qdwidgets.open_scans(tmp_path / "scan*.nc")
    avg = prepare.average_scans(scans)
    # onto the first scan's grid within the common range, and said
    assert avg["wavelength"].values.tolist() == wl[1:-1].tolist()  # half a step off: one less
    assert avg["delay"].values.tolist() == small["delay"].values[2:].tolist()
    history = avg.attrs["qd_history"]
    assert "scan 1 interpolated onto the grid of scan 0" in history
    assert "cropped to the range every scan covers" in history
    # scans that do not overlap are refused
    far = _scan(small, 0.0).assign_coords(wavelength=small["wavelength"] + 2000.0)
    qdwidgets.save(far, tmp_path / "far.nc")
    with pytest.raises(DatasetError, match="do not overlap"):
        prepare.average_scans(qdwidgets.open_scans(tmp_path / "*.nc"))
