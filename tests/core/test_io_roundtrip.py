"""save → open_dataset is exact: values, dtypes, coords, attrs, the string feedback coordinate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from qdwidgets import DatasetError
from qdwidgets.data import validate
from qdwidgets.data.io import open_dataset, save


def ta_dataset(dtype: type = np.float64) -> xr.Dataset:
    rng = np.random.default_rng(1)
    delay = np.array([-1.0, 0.0, 0.5, 2.3, 10.0, 100.0])
    wl = np.linspace(560.0, 680.0, 7)
    da = rng.normal(0, 1e-3, (2, delay.size, wl.size)).astype(dtype)
    return xr.Dataset(
        {
            "dA": (("pump", "delay", "wavelength"), da, {"units": "OD"}),
            "A0": ("wavelength", np.linspace(0.1, 0.3, wl.size), {"units": "OD"}),
        },
        coords={
            "pump": ("pump", [10.0, 30.0], {"units": "nJ"}),
            "occupancy": ("pump", [1.0, 3.0]),
            "delay": ("delay", delay, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={
            "qd_kind": "ta",
            "sample": "CdZnSe/ZnSe QDs",
            "solvent": "toluene",
            "pump_wavelength_nm": 400.0,
            "n_scans": 6,
            "window": [560.0, 680.0],
        },
    )


def ase_dataset() -> xr.Dataset:
    power = np.array([50.0, 100.0, 150.0, 200.0])
    wl = np.linspace(600.0, 700.0, 11)
    em = np.arange(3 * power.size * wl.size, dtype=float).reshape(3, power.size, wl.size)
    return xr.Dataset(
        {"emission": (("feedback", "power", "wavelength"), em, {"units": "counts"})},
        coords={
            "feedback": ["none", "lamp", "mirror"],
            "power": ("power", power, {"units": "mW"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={
            "qd_kind": "ase",
            "spot_diameter_mm": 1.0,
            "beam_profile": "tophat",
            "pump_wavelength_nm": 405.0,
        },
    )


def roundtrip(ds: xr.Dataset, tmp_path: Path) -> xr.Dataset:
    path = save(ds, tmp_path / "x.nc")
    return open_dataset(path)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ta_roundtrip_is_exact(tmp_path: Path, dtype: type) -> None:
    ds = ta_dataset(dtype)
    back = roundtrip(ds, tmp_path)
    xr.testing.assert_identical(back, validate(ds))
    assert back["dA"].dtype == dtype
    # a second round trip changes nothing either
    xr.testing.assert_identical(roundtrip(back, tmp_path), back)


def test_ase_roundtrip_keeps_string_feedback(tmp_path: Path) -> None:
    ds = ase_dataset()
    back = roundtrip(ds, tmp_path)
    xr.testing.assert_identical(back, validate(ds))
    assert back["feedback"].values.tolist() == ["none", "lamp", "mirror"]
    assert back["feedback"].dtype.kind == "U"


def test_roundtrip_after_unit_conversion(tmp_path: Path) -> None:
    ds = ta_dataset()
    ds = ds.assign_coords(delay=("delay", ds["delay"].values * 1e3, {"units": "fs"}))
    ds["dA"] = ds["dA"] * 1e3
    ds["dA"].attrs["units"] = "mOD"
    back = roundtrip(ds, tmp_path)
    xr.testing.assert_identical(back, validate(ds))
    assert back["delay"].attrs["units"] == "ps"
    np.testing.assert_allclose(back["delay"], ta_dataset()["delay"], rtol=1e-12)
    assert "delay converted from fs to ps" in back.attrs["qd_history"]


def test_hippius_roundtrip(tmp_path: Path, shared_data: Path) -> None:
    ds = open_dataset(shared_data / "hippius2007_ta.ascii")
    back = roundtrip(ds, tmp_path)
    xr.testing.assert_identical(back, ds)
    assert back.attrs["source_format"] == "glotaran"


def test_save_does_not_modify_input(tmp_path: Path) -> None:
    ds = ta_dataset()
    ds = ds.isel(delay=slice(None, None, -1))  # unsorted: validate sorts a copy
    before = ds.copy(deep=True)
    save(ds, tmp_path / "x.nc")
    xr.testing.assert_identical(ds, before)


def test_save_refuses_attrs_netcdf_cannot_store(tmp_path: Path) -> None:
    ds = ta_dataset()
    ds.attrs["flag"] = True
    with pytest.raises(DatasetError, match=r"attrs\['flag'\].*boolean.*Fix"):
        save(ds, tmp_path / "x.nc")
    ds.attrs["flag"] = {"a": 1}
    with pytest.raises(DatasetError, match=r"dict.*json"):
        save(ds, tmp_path / "x.nc")
    assert not (tmp_path / "x.nc").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary left behind


def test_save_refuses_missing_folder_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        save(ta_dataset(), tmp_path / "nope" / "x.nc")
    with pytest.raises(DatasetError, match=r"x\.nc"):
        save(ta_dataset(), tmp_path / "x.csv")


def test_save_validates_first(tmp_path: Path) -> None:
    ds = ta_dataset()
    ds["dA"][0, 0, 0] = np.nan
    with pytest.raises(DatasetError, match="NaN"):
        save(ds, tmp_path / "x.nc")


def test_netcdf_with_time_units_is_not_decoded_to_timedelta(tmp_path: Path) -> None:
    ds = ta_dataset()
    ds = ds.assign_coords(delay=("delay", ds["delay"].values * 1e-3, {"units": "nanoseconds"}))
    path = tmp_path / "raw.nc"
    ds.to_netcdf(path, engine="netcdf4")
    back = open_dataset(path)
    np.testing.assert_allclose(back["delay"], ta_dataset()["delay"], rtol=1e-12)
    assert back["delay"].attrs["units"] == "ps"


def test_open_netcdf_does_not_keep_the_file_open(tmp_path: Path) -> None:
    path = save(ta_dataset(), tmp_path / "x.nc")
    open_dataset(path)
    path.unlink()  # would fail on locked files; and the data must already be in memory
    assert not path.exists()


def test_simulator_outputs_roundtrip(tmp_path: Path) -> None:
    from qdwidgets.data import simulate

    ta, _ = simulate.ta(delay=np.linspace(-1.0, 50.0, 40), wavelength=np.linspace(520, 700, 30))
    xr.testing.assert_identical(roundtrip(ta, tmp_path), ta)
    ase, _ = simulate.ase(power=np.linspace(0.0, 400.0, 9), wavelength=np.linspace(600, 700, 21))
    back = roundtrip(ase, tmp_path)
    xr.testing.assert_identical(back, ase)
    assert back["feedback"].values.tolist() == ase["feedback"].values.tolist()


def test_text_with_netcdf_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.nc"
    path.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(DatasetError, match=r"extension '\.nc' but holds text"):
        open_dataset(path)


def test_integer_counts_and_typed_attrs_keep_their_dtypes(tmp_path: Path) -> None:
    ds = ase_dataset()
    ds["emission"] = ds["emission"].astype("int32")
    ds.attrs.update(n_frames=np.int16(3), gain=np.float32(1.5), roi=np.array([2, 9], "int8"))
    back = roundtrip(ds, tmp_path)
    xr.testing.assert_identical(back, validate(ds))
    assert back["emission"].dtype == np.int32
    assert type(back.attrs["n_frames"]) is np.int16
    assert type(back.attrs["gain"]) is np.float32
    assert back.attrs["roi"].dtype == np.int8
