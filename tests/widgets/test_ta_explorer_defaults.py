"""TAExplorer on data that are not the paper's: defaults from the data, labels, rounding, code."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qdwidgets import examples
from qdwidgets.core import gain
from qdwidgets.data import simulate
from qdwidgets.widgets.ta_explorer import TAExplorer, explorer_result

# a sample whose band edge is at 580 nm, its delay axis starting 20 ps before time zero
EARLY = np.concatenate([np.linspace(-20.0, -0.4, 50), np.arange(-0.3, 3.0, 0.03), [4, 8, 20, 50]])


@pytest.fixture(scope="module")
def blue() -> xr.Dataset:
    ds, _ = simulate.ta(
        pump=(150.0,),
        transitions_nm=(580.0, 556.0, 520.0, 480.0),
        pl_peak_nm=595.0,
        chirp_reference_nm=580.0,
        pia_peak_nm=640.0,
        delay=EARLY,
        seed=1,
    )
    return ds


def test_a_580_nm_sample_opens_at_its_band_edge_after_time_zero(blue):
    ex = TAExplorer(blue)
    assert ex.error_message == ""
    assert abs(ex.wavelength - 580.0) <= 3.0
    t0 = gain.time_zero(blue)
    assert np.isfinite(t0) and ex.delay >= t0
    assert ex.delay == ex.result.delay and ex.result.a_ex == ex.result.a_ex  # a number
    # the main control works: a settled delay from the browser updates the readout and result
    ex.view.set_state({"delay": 2.0})
    assert ex.result.delay == pytest.approx(2.01, abs=0.02)
    assert "at 2.01 ps" in ex.view.readout or "at 1.98 ps" in ex.view.readout


def test_a_single_level_without_pump_units_is_labelled_pump(blue):
    one = blue.isel(pump=0, drop=True).drop_vars("occupancy", errors="ignore")
    ex = TAExplorer(one)
    assert ex.view.pump_labels == ["pump"]
    assert "index" not in " ".join(ex.view.pump_labels)
    labelled = TAExplorer(blue)
    assert labelled.view.pump_labels[0].startswith("150 nJ")


def test_numbers_are_rounded_in_the_boxes_and_readout(blue):
    wl = np.linspace(440.0, 720.0, 529)  # a 0.53 nm grid: grid values like 530.2651…
    ds = blue.interp(wavelength=wl)
    ds["wavelength"].attrs["units"] = "nm"
    ex = TAExplorer(ds, wavelength=530.3)
    assert ex.wavelength != round(ex.wavelength, 1)  # the grid value is not round…
    assert ex.wavelength_box.value == round(ex.wavelength, 1)  # …the box shows it rounded
    assert f"A_ex({ex.wavelength:.1f} nm)" in ex.view.readout and str(ex.wavelength)[:8] not in (
        ex.view.readout
    )
    ex.delay = 9.95943
    assert f"at {ex.delay:.3g} ps" in ex.view.readout and "9.95943" not in ex.view.readout


def test_readout_gain_band_uses_the_core_threshold():
    ta = examples.ta()
    ex = TAExplorer(ta, pump=250.0, delay=10.0)
    res = ex.result
    assert res.gain is not None and res.gain.k == gain.GAIN_K
    lo, hi = max(res.gain.bands[1], key=lambda b: b[1] - b[0])
    assert f"gain {lo:.0f}–{hi:.0f} nm" in ex.view.readout
    # the shading's threshold reaches the browser: the same σ and k
    sent = np.frombuffer(ex.view.noise["view"], dtype=np.float32).reshape(ex.view.noise["shape"])
    assert res.gain.noise is not None
    np.testing.assert_allclose(sent, res.gain.noise.values, rtol=1e-6)
    assert ex.view.gain_k == res.gain.k


@pytest.mark.parametrize("name", ["ta", "my_data"])
def test_to_code_reproduces_the_result(name, blue):
    ta = examples.ta()
    ex = TAExplorer(ta, pump=100.0, wavelength=645.0, band_nm=4.0)
    ex.view.set_state({"delay": 3.1})
    code = ex.to_code(name)
    scope: dict = {name: ta}
    exec(code, scope)
    assert scope["result"].to_dict() == ex.result.to_dict()
    assert explorer_result(ta, wavelength=645.0, delay=ex.delay, pump=100.0, band_nm=4.0) == (
        ex.result
    )
    with pytest.raises(ValueError, match="Python variable name"):
        ex.to_code("not a name")


def test_bad_settings_are_refused_by_name_and_the_view_keeps_its_state(blue):
    ex = TAExplorer(blue)
    before = (ex.delay, ex.wavelength, ex.band_nm, ex.vmax)
    for name, value in (
        ("delay", float("nan")),
        ("delay", float("inf")),
        ("wavelength", float("nan")),
        ("band_nm", -2.0),
        ("band_nm", 1e6),
        ("vmax", -1.0),
        ("quantity", "Aex"),
    ):
        with pytest.raises(ValueError, match=name):
            setattr(ex, name, value)
    assert (ex.delay, ex.wavelength, ex.band_nm, ex.vmax) == before
    with pytest.raises(TypeError, match="wavelength"):
        TAExplorer(blue, wavelenght=580.0)
    with pytest.raises(ValueError, match="band_nm"):
        TAExplorer(blue, band_nm=-1.0)


def test_copy_code_button_shows_the_code(blue):
    ex = TAExplorer(blue)
    assert ex.code_button in ex.children[-1].children
    ex.code_button.click()
    assert "explorer_result(" in ex.code_box.value and ex.error_message == ""


def test_results_show_their_units():
    ex = TAExplorer(examples.ta())
    page = ex.result._repr_html_()
    for label in ("delay (ps)", "wavelength (nm)", "pump (nJ)", "a_ex (OD)", "crossing (ps)"):
        assert label in page, label
    assert "width (nm)" in repr(ex.result.gain) and "depth (OD)" in repr(ex.result.gain)
    assert "onset (ps)" in repr(gain.gain_window(examples.ta(), ex.wavelength))
