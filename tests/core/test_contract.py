"""The dataset contract: every rule, its conversions, and its error messages (which name the
variable or dimension and say how to fix it)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from qdwidgets import DatasetError
from qdwidgets.data import validate
from qdwidgets.data.contract import infer_kind

DELAY = np.array([-0.5, 0.0, 0.4, 2.3, 10.0])
WL = np.array([560.0, 600.0, 639.0, 680.0])


def ta(**over) -> xr.Dataset:
    """A valid 2-D TA dataset (no pump dim); keyword arguments replace parts of it."""
    data = over.pop("data", np.add.outer(np.arange(DELAY.size), np.arange(WL.size) * 10.0) * 1e-3)
    ds = xr.Dataset(
        {"dA": (("delay", "wavelength"), data, {"units": over.pop("dA_units", "OD")})},
        coords={
            "delay": ("delay", over.pop("delay", DELAY), {"units": over.pop("delay_units", "ps")}),
            "wavelength": ("wavelength", over.pop("wl", WL), {"units": over.pop("wl_units", "nm")}),
        },
    )
    assert not over, over
    return ds


def ase(**attrs) -> xr.Dataset:
    return xr.Dataset(
        {"emission": (("power", "wavelength"), np.arange(12.0).reshape(3, 4))},
        coords={
            "power": ("power", [10.0, 20.0, 30.0], {"units": "mW"}),
            "wavelength": ("wavelength", WL, {"units": "nm"}),
        },
        attrs=attrs,
    )


def raises(ds, *patterns: str, **kw) -> str:
    with pytest.raises(DatasetError) as info:
        validate(ds, **kw)
    msg = str(info.value)
    assert "Fix:" in msg, msg
    for pattern in patterns:
        assert re.search(pattern, msg), (pattern, msg)
    return msg


# -- normal forms ------------------------------------------------------------------------------


def test_ta_normal_form() -> None:
    out = validate(ta())
    assert out.attrs["qd_kind"] == "ta"
    assert out["dA"].dims == ("pump", "delay", "wavelength")
    assert out["pump"].values.tolist() == [0.0]
    assert out["pump"].attrs["units"] == "index"
    assert "added a pump dimension" in out.attrs["qd_history"]
    for name in ("dA", "delay", "wavelength"):
        assert out[name].attrs["long_name"]
    assert out["dA"].attrs["units"] == "OD"
    np.testing.assert_array_equal(out["dA"][0], ta()["dA"])


def test_transposed_dims_are_reordered() -> None:
    ds = ta().transpose("wavelength", "delay")
    out = validate(ds)
    assert out["dA"].dims == ("pump", "delay", "wavelength")
    np.testing.assert_array_equal(out["dA"][0], ta()["dA"])


@pytest.mark.parametrize(
    ("unit", "factor"), [("fs", 1e-3), ("ps", 1.0), ("ns", 1e3), ("picoseconds", 1.0)]
)
def test_delay_units_converted(unit: str, factor: float) -> None:
    out = validate(ta(delay=DELAY / factor, delay_units=unit))
    np.testing.assert_allclose(out["delay"], DELAY, rtol=1e-12)
    assert out["delay"].attrs["units"] == "ps"
    if unit != "ps":
        assert f"delay converted from {unit} to ps" in out.attrs["qd_history"]


def test_wavelength_um_and_ev_converted_and_sorted() -> None:
    out = validate(ta(wl=WL / 1e3, wl_units="µm"))
    np.testing.assert_allclose(out["wavelength"], WL, rtol=1e-12)
    ev = 1239.841984 / WL  # decreasing in energy order -> must be sorted back, data with it
    out = validate(ta(wl=ev, wl_units="eV"))
    np.testing.assert_allclose(out["wavelength"], WL, rtol=1e-12)
    np.testing.assert_array_equal(out["dA"][0], ta()["dA"])
    assert "wavelength sorted" not in out.attrs["qd_history"]  # eV already ascending in nm
    rev = validate(ta(wl=ev[::-1], data=ta()["dA"].values[:, ::-1], wl_units="eV"))
    np.testing.assert_allclose(rev["wavelength"], WL, rtol=1e-12)
    np.testing.assert_array_equal(rev["dA"][0], ta()["dA"])
    assert "wavelength sorted into increasing order" in rev.attrs["qd_history"]


def test_signal_units_converted() -> None:
    base = ta()["dA"].values
    np.testing.assert_allclose(validate(ta(data=base * 1e3, dA_units="mOD"))["dA"][0], base)
    rel = -base  # ΔT/T -> ΔA = -log10(1 + ΔT/T)
    out = validate(ta(data=rel, dA_units="dT/T"))
    np.testing.assert_allclose(out["dA"][0], -np.log10(1 + rel), rtol=1e-12)
    assert "dA converted from dT/T to OD" in out.attrs["qd_history"]
    for unit, scale in (("ΔT/T", 1.0), ("ΔT/T (%)", 100.0), ("dT/T(%)", 100.0)):
        out = validate(ta(data=rel * scale, dA_units=unit))
        np.testing.assert_allclose(out["dA"][0], -np.log10(1 + rel), rtol=1e-12)
    raises(ta(data=np.full((5, 4), -1.5), dA_units="dT/T"), "ΔT/T", "signal_unit")


def test_unsorted_delays_sorted_with_their_data() -> None:
    order = [3, 0, 4, 1, 2]
    ds = ta().isel(delay=order)
    out = validate(ds)
    np.testing.assert_array_equal(out["delay"], DELAY)
    np.testing.assert_array_equal(out["dA"][0], ta()["dA"])
    assert "delay sorted into increasing order" in out.attrs["qd_history"]


def test_a0_pl_chirp_and_occupancy() -> None:
    ds = ta().expand_dims(pump=[5.0, 15.0]).assign_coords(occupancy=("pump", [1.0, 3.0]))
    ds["pump"].attrs["units"] = "nJ"
    ds["A0"] = ("wavelength", np.array([100.0, 200.0, 300.0, 50.0]), {"units": "mOD"})
    ds["PL"] = ("wavelength", np.ones(4))
    ds["chirp"] = ("wavelength", np.array([100.0, 200.0, 300.0, 400.0]), {"units": "fs"})
    out = validate(ds)
    np.testing.assert_allclose(out["A0"], [0.1, 0.2, 0.3, 0.05])
    assert out["A0"].attrs["units"] == "OD"
    np.testing.assert_allclose(out["chirp"], [0.1, 0.2, 0.3, 0.4])
    assert out["chirp"].attrs["units"] == "ps"
    assert out["occupancy"].attrs["units"] == "1"
    assert "⟨N⟩" in out["occupancy"].attrs["long_name"]
    no_unit = ds.copy()
    no_unit["chirp"] = ("wavelength", np.zeros(4))
    assert "chirp has no 'units' attribute: assumed ps" in validate(no_unit).attrs["qd_history"]


def test_ase_normal_form_and_conversions() -> None:
    ds = ase(spot_diameter_mm="1.0")
    ds = ds.assign_coords(power=("power", [0.01, 0.02, 0.03], {"units": "W"}))
    out = validate(ds)
    assert out.attrs["qd_kind"] == "ase"
    assert out["emission"].dims == ("feedback", "power", "wavelength")
    assert out["feedback"].values.tolist() == ["none"]
    np.testing.assert_allclose(out["power"], [10.0, 20.0, 30.0])
    assert out.attrs["spot_diameter_mm"] == 1.0
    assert out.attrs["beam_profile"] == "tophat"
    assert "assumed 'tophat'" in out.attrs["qd_history"]
    assert out["emission"].attrs["units"] == "a.u."


def test_kind_inference_and_override() -> None:
    assert infer_kind(ta()) == "ta"
    assert infer_kind(ase()) == "ase"
    raises(xr.Dataset({"x": ("a", [1.0])}), "cannot tell", "qd_kind")
    raises(ta(), "unknown kind 'xyz'", kind="xyz")
    raises(ta(), "ASE data needs a variable 'emission'", kind="ase")


# -- idempotence and purity ------------------------------------------------------------------


def test_idempotent_and_input_untouched() -> None:
    for ds in (ta(delay=DELAY[::-1] * 1e3, delay_units="fs", dA_units="mOD"), ase()):
        before = ds.copy(deep=True)
        once = validate(ds)
        xr.testing.assert_identical(ds, before)
        assert ds.attrs == before.attrs
        twice = validate(once)
        xr.testing.assert_identical(once, twice)


@given(
    perm_d=st.permutations(range(DELAY.size)),
    perm_w=st.permutations(range(WL.size)),
    t_unit=st.sampled_from([("fs", 1e-3), ("ps", 1.0), ("ns", 1e3)]),
    w_unit=st.sampled_from([("nm", 1.0), ("um", 1e3), ("Å", 0.1)]),
    s_unit=st.sampled_from([("OD", 1.0), ("mOD", 1e-3)]),
    transpose=st.booleans(),
)
def test_property_normalises_any_valid_layout(perm_d, perm_w, t_unit, w_unit, s_unit, transpose):
    truth = ta()
    ds = ta(
        delay=DELAY[list(perm_d)] / t_unit[1],
        delay_units=t_unit[0],
        wl=WL[list(perm_w)] / w_unit[1],
        wl_units=w_unit[0],
        data=truth["dA"].values[np.ix_(perm_d, perm_w)] / s_unit[1],
        dA_units=s_unit[0],
    )
    if transpose:
        ds = ds.transpose()
    before = ds.copy(deep=True)
    out = validate(ds)
    xr.testing.assert_identical(ds, before)
    np.testing.assert_allclose(out["delay"], DELAY, rtol=1e-12)
    np.testing.assert_allclose(out["wavelength"], WL, rtol=1e-12)
    np.testing.assert_allclose(out["dA"][0], truth["dA"], rtol=1e-12, atol=1e-15)
    xr.testing.assert_identical(validate(out), out)


# -- errors ----------------------------------------------------------------------------------


def test_not_a_dataset() -> None:
    raises(ta()["dA"], "DataArray", "to_dataset")
    raises(np.zeros((2, 2)), "ndarray", "open_dataset")


def test_missing_units() -> None:
    raises(ta().drop_attrs(), "has no 'units'")
    ds = ta()
    del ds["delay"].attrs["units"]
    raises(ds, "coordinate 'delay'", "no 'units'", r"attrs\['units'\] = 'ps'")
    ds = ta()
    del ds["wavelength"].attrs["units"]
    raises(ds, "coordinate 'wavelength'", "'nm'")
    ds = ta()
    del ds["dA"].attrs["units"]
    raises(ds, "^dA", "OD, mOD")
    ds = ta().expand_dims(pump=[1.0, 2.0])
    raises(ds, "coordinate 'pump'", "'nJ'")
    ds = ase().assign_coords(power=("power", [1.0, 2.0, 3.0]))
    raises(ds, "coordinate 'power'", "'mW'")


@pytest.mark.parametrize("unit", ["parsec", "furlongs", "", "p_s"])
def test_unknown_units(unit: str) -> None:
    raises(ta(delay_units=unit), "unknown units", "use one of: .*fs.*ps")


def test_nan_and_inf() -> None:
    data = ta()["dA"].values.copy()
    data[2, 1] = np.nan
    raises(ta(data=data), "^dA", "1 NaN or infinite", "delay=0.4", "wavelength=600", "dropna")
    data[2, 1] = np.inf
    raises(ta(data=data), "infinite")
    raises(ta(delay=np.array([0, 1, np.nan, 3, 4.0])), "coordinate 'delay'", "NaN")
    ds = ta()
    ds["A0"] = ("wavelength", [0.1, np.nan, 0.2, 0.3], {"units": "OD"})
    raises(ds, "^A0", "attach_absorbance")


def test_duplicated_axis() -> None:
    raises(
        ta(delay=np.array([0.0, 1.0, 1.0, 2.0, 3.0])),
        "coordinate 'delay'",
        "duplicated",
        "drop_duplicates",
    )
    raises(ta(wl=np.array([500.0, 600.0, 600.0, 700.0])), "coordinate 'wavelength'")


def test_wrong_dims_and_aliases() -> None:
    raises(ta().rename(delay="time"), "'time'", r"rename\(\{'time': 'delay'\}\)")
    raises(ta().rename(wavelength="wl"), r"rename\(\{'wl': 'wavelength'\}\)")
    raises(ta().expand_dims(scan=[1, 2]), "unexpected dimension 'scan'", "isel")
    one_d = xr.Dataset({"dA": ("wavelength", np.zeros(4), {"units": "OD"})})
    raises(one_d, "needs 'delay'")
    ds = ta()
    ds["A0"] = ("delay", np.zeros(5), {"units": "OD"})
    raises(ds, "^A0", "attach_absorbance")
    raises(ase().rename(power="pump_power"), r"rename\(\{'pump_power': 'power'\}\)")


def test_coordinates_missing_or_not_numeric() -> None:
    ds = ta().drop_vars("delay")
    raises(ds, "dimension 'delay'", "assign_coords")
    ds = ta().expand_dims(pump=2).drop_vars("pump", errors="ignore")
    raises(ds, "dimension 'pump'", "assign_coords")
    raises(ta(delay=np.array(list("abcde"))), "coordinate 'delay'", "not real numbers")
    td = ta().assign_coords(delay=("delay", DELAY.astype("timedelta64[ns]")))
    raises(td, "timedelta", "np.timedelta64")


def test_empty_and_non_numeric_data() -> None:
    empty = ta(data=np.zeros((0, 4)), delay=np.array([]))
    raises(empty, "^dA", "empty")
    raises(ta(data=np.full((5, 4), "x")), "^dA", "not real numbers", "to_numeric")
    raises(ta(data=np.ones((5, 4)) * (1 + 1j)), "^dA", "real part")
    raises(ta(delay=np.array([1.0]), data=np.ones((1, 4))), "coordinate 'delay'", "at least 2")


def test_occupancy_rules() -> None:
    ds = ta().expand_dims(pump=[1.0, 2.0])
    ds["pump"].attrs["units"] = "nJ"
    raises(ds.assign_coords(occupancy=("pump", [1.0, -1.0])), "'occupancy'", ">= 0")
    raises(ds.assign_coords(occupancy=("pump", ["a", "b"])), "'occupancy'", "numbers")
    bad = ds.assign_coords(occupancy=("wavelength", np.ones(4)))
    raises(bad, "'occupancy'", "one ⟨N⟩ per pump level")


def test_ase_rules() -> None:
    raises(ase(spot_diameter_mm=-1.0), r"attrs\['spot_diameter_mm'\]", "positive")
    raises(ase(pump_wavelength_nm="blue"), r"attrs\['pump_wavelength_nm'\]")
    raises(ase(beam_profile="square"), "beam profile 'square'", "'tophat'", "'gaussian'")
    two = ase().expand_dims(feedback=["lamp", "lamp"])
    raises(two, "'feedback'", "unique")
    unlabelled = ase().expand_dims(feedback=2).drop_vars("feedback", errors="ignore")
    raises(unlabelled, "dimension 'feedback'", "assign_coords")
    raises(ase().assign_coords(power=("power", [-1.0, 1, 2], {"units": "mW"})), "negative")
    raises(ase().drop_vars("emission"), "'emission'")
