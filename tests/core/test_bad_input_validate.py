"""Bad input to ``validate``: physics (wavelength range, signs), lazy (dask) data kept lazy with
bounded memory, and the "validated once" marker (a bare ``qd_kind`` never skips a check).
Issue 12 classes: silently wrong reads (units), skipped validation, unbounded memory, core calls.
"""

from __future__ import annotations

import tracemalloc

import dask.array as dsk
import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from qdwidgets import DatasetError
from qdwidgets.core.gain import a_ex, zero_crossing
from qdwidgets.data import validate
from qdwidgets.data._marker import VALIDATED_ATTR, fingerprint, is_lazy
from qdwidgets.data.io import open_dataset

DELAYS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 5.0, 10.0])
WLS = np.array([560.0, 600.0, 640.0, 680.0])


def ta(wl=WLS, wl_unit="nm", signal_unit="OD", pump=(1.0, 2.0), data=None) -> xr.Dataset:
    shape = (len(pump), DELAYS.size, len(wl))
    values = np.linspace(-1e-3, 1e-3, int(np.prod(shape))).reshape(shape) if data is None else data
    return xr.Dataset(
        {
            "dA": (("pump", "delay", "wavelength"), values, {"units": signal_unit}),
            "A0": ("wavelength", np.full(len(wl), 0.2), {"units": "OD"}),
        },
        coords={
            "pump": ("pump", np.asarray(pump, dtype=float), {"units": "nJ"}),
            "delay": ("delay", DELAYS, {"units": "ps"}),
            "wavelength": ("wavelength", np.asarray(wl, dtype=float), {"units": wl_unit}),
        },
        attrs={"qd_kind": "ta"},
    )


def ase(power=(0.0, 10.0, 20.0)) -> xr.Dataset:
    wl = np.linspace(600.0, 700.0, 5)
    em = np.ones((1, len(power), wl.size))
    return xr.Dataset(
        {"emission": (("feedback", "power", "wavelength"), em, {"units": "counts"})},
        coords={
            "feedback": ["none"],
            "power": ("power", np.asarray(power, dtype=float), {"units": "mW"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ase"},
    )


def refuses(ds: xr.Dataset, *words: str) -> str:
    with pytest.raises(DatasetError) as info:
        validate(ds)
    msg = str(info.value)
    assert "Fix:" in msg, msg
    for word in words:
        assert word in msg, (word, msg)
    return msg


# -- physics -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wl", "unit", "words"),
    [
        ([-10.0, 0.0, 10.0, 20.0], "nm", ("outside the plausible 100–20000 nm",)),
        ([0.0, 400.0, 500.0, 600.0], "nm", ("outside the plausible",)),
        ([0.45, 0.5, 0.55, 0.6], "nm", ("'um'",)),  # micrometres labelled nm
        ([1.8, 2.0, 2.2, 2.4], "nm", ("'eV'",)),  # photon energies labelled nm
        ([1.0, 2.0, 3.0, 50000.0], "um", ("converted from um",)),
    ],
)
def test_wavelengths_outside_the_plausible_range_are_refused(wl, unit, words) -> None:
    refuses(ta(wl=wl, wl_unit=unit), "coordinate 'wavelength'", *words)


def test_wavelengths_in_other_units_are_converted_not_refused() -> None:
    out = validate(ta(wl=[0.56, 0.6, 0.64, 0.68], wl_unit="um"))
    np.testing.assert_allclose(out["wavelength"].values, WLS)
    energies = 1239.841984 / WLS[::-1]
    out = validate(ta(wl=energies, wl_unit="eV"))
    np.testing.assert_allclose(out["wavelength"].values, WLS)


def test_glotaran_micrometres_labelled_nm_are_refused(tmp_path) -> None:
    rows = ["title", "Time explicit", "Intervalnr 3", "-1 0 1"]
    rows += [f"{w} 0.001 0.002 0.003" for w in (0.5, 0.55, 0.6)]
    path = tmp_path / "um.ascii"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DatasetError, match=r"outside the plausible.*wavelength_unit='um'"):
        open_dataset(path)
    ds = open_dataset(path, wavelength_unit="um")
    np.testing.assert_allclose(ds["wavelength"].values, [500.0, 550.0, 600.0])


def test_negative_pump_levels_and_powers_are_refused() -> None:
    refuses(ta(pump=(-1.0, 2.0)), "coordinate 'pump'", "negative")
    refuses(ase(power=(-5.0, 10.0, 20.0)), "coordinate 'power'", "negative")
    assert validate(ase())["power"].values[0] == 0.0


def test_non_finite_axes_are_refused() -> None:
    refuses(ta(wl=[560.0, np.nan, 640.0, 680.0]), "coordinate 'wavelength'", "NaN or infinite")
    bad = ta().assign_coords(delay=("delay", np.r_[DELAYS[:-1], np.inf], {"units": "ps"}))
    refuses(bad, "coordinate 'delay'", "NaN or infinite")


# -- validated once: the marker ------------------------------------------------------------------


def test_a_validated_dataset_is_returned_at_once_sharing_its_arrays() -> None:
    once = validate(ta(signal_unit="mOD"))
    assert once.attrs[VALIDATED_ATTR] == fingerprint(once)
    twice = validate(once, "ta")
    assert twice["dA"].data is once["dA"].data  # no copy, no second conversion
    xr.testing.assert_identical(twice, once)
    np.testing.assert_allclose(np.abs(twice["dA"]).max(), 1e-6)


def test_a_bare_qd_kind_never_skips_validation() -> None:
    raw = ta(signal_unit="mOD")
    assert raw.attrs["qd_kind"] == "ta"
    np.testing.assert_allclose(a_ex(raw).sel(pump=2.0).values, 0.2 + raw["dA"].values[1] * 1e-3)
    forged = raw.copy()
    forged.attrs[VALIDATED_ATTR] = "qdwidgets-contract-1:0000000000"
    np.testing.assert_allclose(validate(forged)["dA"].values, raw["dA"].values * 1e-3)


UNITS = {
    "delay": ["fs", "ps", "ns"],
    "wavelength": ["um", "A", "eV"],
    "dA": ["mOD", "OD", "uOD", "dT/T"],
}


@given(var=st.sampled_from(sorted(UNITS)), data=st.data())
def test_an_edit_after_validation_is_caught(var: str, data) -> None:
    """Changing a unit (or a coordinate) of a validated dataset invalidates its marker: the
    result equals validating the edited dataset from scratch."""
    once = validate(ta())
    unit = data.draw(st.sampled_from(UNITS[var]))
    edited = once.copy(deep=True)
    values = edited[var].values
    if var == "wavelength":  # values that are plausible in the new unit
        values = {"um": WLS / 1e3, "A": WLS * 10, "eV": 1239.841984 / WLS[::-1]}[unit]
        edited = edited.assign_coords(wavelength=("wavelength", values, {"units": unit}))
    else:
        edited[var].attrs["units"] = unit
    fresh = edited.copy(deep=True)
    fresh.attrs.pop(VALIDATED_ATTR)
    xr.testing.assert_identical(validate(edited), validate(fresh))


def test_a_file_is_checked_in_full_whatever_marker_it_carries(tmp_path) -> None:
    bad = validate(ta())
    bad["dA"].values[0, 3, 1] = np.nan
    bad.attrs[VALIDATED_ATTR] = fingerprint(bad)  # forged to match
    path = tmp_path / "forged.nc"
    bad.to_netcdf(path)
    with pytest.raises(DatasetError, match="NaN or infinite"):
        open_dataset(path)


# -- lazy (dask) data ----------------------------------------------------------------------------


def lazy(ds: xr.Dataset) -> xr.Dataset:
    return ds.chunk({"delay": 4})


def test_lazy_data_stay_lazy_and_are_converted_lazily() -> None:
    raw = ta(signal_unit="mOD")
    out = validate(lazy(raw))
    assert is_lazy(out["dA"].data)
    np.testing.assert_allclose(out["dA"].values, validate(raw)["dA"].values)
    dtt = validate(lazy(ta(signal_unit="dT/T (%)")))
    assert is_lazy(dtt["dA"].data)
    np.testing.assert_allclose(dtt["dA"].values, -np.log10(1 + ta()["dA"].values / 100))


def test_lazy_float32_stays_float32() -> None:
    raw = ta(data=ta()["dA"].values.astype(np.float32))
    out = validate(lazy(raw))
    assert is_lazy(out["dA"].data) and out["dA"].dtype == np.float32
    np.testing.assert_array_equal(out["dA"].values, raw["dA"].values)


def test_lazy_non_finite_values_raise_when_computed_naming_the_place() -> None:
    values = ta()["dA"].values.copy()
    values[1, 6, 2] = np.inf
    out = validate(lazy(ta(data=values)))  # nothing computed yet
    assert is_lazy(out["dA"].data)
    with pytest.raises(DatasetError, match=r"dA: has 1 .*delay=5\.0, wavelength=640\.0"):
        out["dA"].values  # noqa: B018


def test_lazy_dtt_below_minus_one_is_refused_at_once() -> None:
    data = np.full((2, DELAYS.size, WLS.size), -1.5)
    with pytest.raises(DatasetError, match="at or below -1"):
        validate(lazy(ta(data=data, signal_unit="dT/T")))


def test_lazy_100_million_values_validate_and_cross_with_bounded_memory() -> None:
    """Done-when of issue 12: validate + zero_crossing at one wavelength on a lazy dataset of
    100 million values (800 MB) with a peak traced memory below 25 % of its size."""
    n_delay, n_wl = 2000, 50_000
    size = 8 * n_delay * n_wl
    signal = dsk.random.RandomState(0).normal(0.0, 1e-3, (1, n_delay, n_wl), chunks=(1, -1, 500))
    ds = xr.Dataset(
        {
            "dA": (("pump", "delay", "wavelength"), signal, {"units": "mOD"}),
            "A0": ("wavelength", np.full(n_wl, 0.5), {"units": "OD"}),
        },
        coords={
            "pump": ("pump", [1.0], {"units": "nJ"}),
            "delay": ("delay", np.linspace(-1.0, 100.0, n_delay), {"units": "ps"}),
            "wavelength": ("wavelength", np.linspace(400.0, 900.0, n_wl), {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )
    tracemalloc.start()
    try:
        out = validate(ds)
        assert is_lazy(out["dA"].data)
        crossing = zero_crossing(out, 650.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert crossing.sizes == {"pump": 1}
    assert np.isnan(crossing.values[0])  # A_ex ≈ 0.5 OD: no gain
    assert peak < 0.25 * size, f"peak {peak / 1e6:.0f} MB for {size / 1e6:.0f} MB of data"


# -- core calls never trust a qd_kind tag ---------------------------------------------------------


def test_core_calls_convert_a_dataset_tagged_ta_in_mod_and_fs() -> None:
    """Issue 12 "validation skipped": `ds.qd.deconvolve` and core.bands trusted qd_kind='ta'."""
    from qdwidgets import examples

    ds = examples.ta()
    raw = ds.copy(deep=True)
    raw["dA"] = raw["dA"] * 1000
    raw["dA"].attrs["units"] = "mOD"
    raw = raw.assign_coords(delay=("delay", ds["delay"].values * 1000, {"units": "fs"}))
    raw.attrs = {k: v for k, v in raw.attrs.items() if k != VALIDATED_ATTR}
    assert raw.attrs["qd_kind"] == "ta"
    want, got = ds.qd.deconvolve(5.0), raw.qd.deconvolve(5.0)
    np.testing.assert_allclose(got.spectrum.values, want.spectrum.values, rtol=1e-5)  # float32
    assert got.spectrum.attrs.get("units", "OD") == "OD"
    xr.testing.assert_allclose(zero_crossing(raw, 640.0), zero_crossing(ds, 640.0))
