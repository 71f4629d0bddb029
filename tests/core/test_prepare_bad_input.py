"""prepare: bad input to every function gets a clear error naming the argument or the fix."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import prepare
from qdwidgets.errors import DatasetError, QDError


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


CASES = [
    (prepare.crop, {"delay": (5, 1)}, "low < high"),
    (prepare.crop, {"delay": "all"}, "pair"),
    (prepare.crop, {"wavelength": (900, 1000)}, "inside the data"),
    (prepare.crop, {"delay": (1e6, None)}, "inside the data"),
    (prepare.mask, {"wavelength": [(300, 400)]}, "holds no wavelength"),
    (prepare.mask, {"wavelength": [(None, None)]}, "every wavelength"),
    (prepare.mask, {"wavelength": []}, "at least one"),
    (prepare.mask, {"wavelength": [(600, float("nan"))]}, "finite"),
    (prepare.bin_wavelength, {"width_nm": 0}, "width_nm must be in"),
    (prepare.bin_wavelength, {"width_nm": "wide"}, "width_nm must be a number"),
    (prepare.subtract_background, {"before": float("inf")}, "before must be finite"),
    (prepare.subtract_background, {"before": -100.0}, "at least 2"),
    (prepare.shift_time_zero, {"t0": None}, "t0 must be a number"),
    (prepare.correct_chirp, {"chirp": [0.1, 0.2]}, "one finite t0"),
    (prepare.correct_chirp, {"chirp": 1e4}, "not inside the measured delays"),
    (prepare.interpolate_bad, {}, "needs delays"),
    (prepare.interpolate_bad, {"delays": [1e6]}, "outside the data"),
    (prepare.interpolate_bad, {"wavelengths": [440.0]}, "crop it instead"),
    (prepare.interpolate_bad, {"delays": ["soon"]}, "delays must hold numbers"),
    (prepare.subtract_solvent, {"solvent": 3}, "solvent must be a TA dataset"),
]


@pytest.mark.parametrize(("fn", "kwargs", "words"), CASES)
def test_bad_options(ta: xr.Dataset, fn, kwargs, words) -> None:
    with pytest.raises(QDError, match=words):
        fn(ta, **kwargs)


def test_every_error_is_also_a_value_error_or_dataset_error(ta: xr.Dataset) -> None:
    with pytest.raises(ValueError):
        prepare.crop(ta, delay=(5, 1))


def test_not_a_dataset() -> None:
    with pytest.raises(DatasetError, match=r"expected an xarray\.Dataset"):
        prepare.crop(np.zeros((3, 3)), delay=(0, 1))
    with pytest.raises(DatasetError, match=r"expected an xarray\.Dataset"):
        prepare.pipeline({"dA": 1})


def test_a_corrupt_record_is_named(ta: xr.Dataset) -> None:
    bad = ta.copy()
    bad.attrs["qd_pipeline"] = "{not json"
    with pytest.raises(DatasetError, match="qd_pipeline"):
        prepare.pipeline(bad)
    bad.attrs["qd_pipeline"] = '[{"step": "explode", "args": {}}]'
    with pytest.raises(DatasetError, match="unknown step"):
        prepare.pipeline(bad).apply(ta)
    with pytest.raises(DatasetError, match="Python name"):
        prepare.pipeline(ta).to_code(data_name="my data")


def test_solvent_of_another_shape_and_pump_count(ta: xr.Dataset) -> None:
    solvent = ta.drop_vars(["A0", "PL"])
    with pytest.raises(DatasetError, match="wavelength axis"):
        prepare.subtract_solvent(ta, solvent.isel(wavelength=slice(0, 100)))
    three = xr.concat([solvent, solvent.isel(pump=[0]).assign_coords(pump=[500.0])], "pump")
    with pytest.raises(DatasetError, match="pump levels"):
        prepare.subtract_solvent(ta, three)
    with pytest.raises(QDError, match="scale has 3 values"):
        prepare.subtract_solvent(ta, solvent, scale=[1, 2, 3])
