"""The analysis widgets on the embedded examples and on a sample whose band edge is at 580 nm:
they open with no error banner, their main button gives a sane result, their defaults come from
the data, and ``to_code()`` gives Python that recomputes exactly ``widget.result``."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets._args import ArgumentError
from qdwidgets.core import gain
from qdwidgets.data import simulate
from qdwidgets.widgets.band_deconvolver import BandDeconvolver
from qdwidgets.widgets.kinetics_fitter import KineticsFitter
from qdwidgets.widgets.threshold_fitter import ThresholdFitter

# Table 1 of the paper (ps): ⟨N⟩ ≈ 1 and ⟨N⟩ ≈ 3
TABLE1 = ((14.0, 615.0, 3374.0), (37.0, 587.0, 3548.0))


def click(button: Any) -> None:
    button._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []}
    )


def run(code: str, **names: xr.Dataset) -> Any:
    """Execute ``code`` where ``names`` are defined; return its ``result``."""
    scope: dict[str, Any] = dict(names)
    exec(compile(code, "<to_code>", "exec"), scope)
    return scope["result"]


def same(a: Any, b: Any) -> bool:
    return json.dumps(a.to_dict(), default=str) == json.dumps(b.to_dict(), default=str)


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


@pytest.fixture(scope="module")
def ase() -> xr.Dataset:
    return qdwidgets.examples.ase()


@pytest.fixture(scope="module")
def edge580() -> xr.Dataset:
    ds, _ = simulate.ta(
        pump=(100.0, 300.0),
        transitions_nm=(580.0, 556.0, 520.0, 470.0),
        pl_peak_nm=595.0,
        chirp_reference_nm=580.0,
        pia_peak_nm=650.0,
        seed=3,
    )
    return ds


# -- KineticsFitter ---------------------------------------------------------------------------


def test_kinetics_default_fit_on_the_example_is_table_1(ta):
    w = KineticsFitter(ta)
    assert w.error_message == "" and w.wavelength == gain.band_edge(ta)
    t0 = gain.time_zero(ta)
    assert w.delay_range[0] > t0 and w.delay_range[1] == float(ta["delay"][-1])  # after the rise
    click(w.fit_button)
    assert w.error_message == ""
    for fit, paper in zip(w.result.fits, TABLE1, strict=True):
        np.testing.assert_allclose(fit.taus, paper, rtol=0.2)
    assert "rise" not in w.table_html.value and " ± " in w.table_html.value
    assert "offset (OD)" in w.table_html.value and "A0" not in w.table_html.value
    # the τ sliders are centred on the fitted values, ±1.5 decades, and show them exactly
    for i, row in enumerate(w.rows[:3]):
        tau = w.result.fits[0].taus[i]
        assert row["tau"].value == tau
        assert row["tau"].min == pytest.approx(np.log10(tau) - 1.5)
        assert row["tau"].max == pytest.approx(np.log10(tau) + 1.5)
    irf = w.params[0]["irf_fwhm"]
    assert w.t0_slider.max - w.t0_slider.min <= 8 * irf + 1e-9


def test_kinetics_to_code_reproduces_the_result(ta):
    w = KineticsFitter(ta)
    with pytest.raises(qdwidgets.FitError, match="press Fit"):
        w.to_code()
    w.fit()
    assert same(run(w.to_code(), ta=ta), w.result)
    # a user's own window, a lock and one pump level
    one = KineticsFitter(ta, pump=250.0, n_components=2)
    one.delay_range = [1.0, 3000.0]
    one.rows[1]["lock"].value = True
    one.fit()
    code = one.to_code("data")
    assert same(run(code, data=ta), one.result)
    with pytest.raises(ArgumentError, match="variable name"):
        one.to_code("ta; import os")


def test_kinetics_a_rise_is_labelled_a_rise_not_a_share(ta):
    w = KineticsFitter(ta, pump=250.0, n_components=4)
    w.delay_range = [
        float(ta["delay"][0]),
        float(ta["delay"][-1]),
    ]  # the whole trace, rise included
    w.auto_start()
    w.fit()
    amps = np.asarray(w.result.amplitudes)
    assert amps[0] > 0 and np.all(amps[1:] < 0) and w.result.taus[0] < 2.0  # the 1S fill rise
    np.testing.assert_allclose(w.result.taus[1:], TABLE1[1], rtol=0.2)  # then Table 1
    table = w.table()
    assert table.iloc[5, 0].endswith("(rise)") and w.rows[0]["share"].value == "<b>rise</b>"
    shares = [float(v.split("(")[1].split(" %")[0]) for v in table.iloc[6:, 0]]
    assert sum(shares) == pytest.approx(100.0, abs=0.2)  # shares of the decay only


def test_kinetics_on_a_580_nm_sample_defaults_to_its_band_edge(edge580):
    w = KineticsFitter(edge580)
    assert w.error_message == ""
    assert abs(w.wavelength - 580.0) <= 3.0
    assert w.delay_range[0] > gain.time_zero(edge580)
    click(w.fit_button)
    assert w.error_message == "" and all(np.isfinite(f.taus).all() for f in w.result.fits)
    assert same(run(w.to_code(), ta=edge580), w.result)


# -- BandDeconvolver ----------------------------------------------------------------------------


def test_bands_on_the_example_open_and_fit_without_a_banner(ta):
    w = BandDeconvolver(ta)
    assert w.error_message == "" and w.warning_messages == ()
    assert w.result is not None and w.delay != 2.3 and w.delay > gain.time_zero(ta)
    assert w.names[:2] == ["GSB", "SE"]
    click(w.fit_button)
    assert w.error_message == "" and w.warning_messages == ()
    gsb = w.result.fits[0].band("GSB")
    assert abs(gsb.center_nm - gain.band_edge(ta)) < 5
    for i, name in enumerate(w.names):  # the legend names every band, after a swatch
        colour = w.panels[0].band_mark.colors[i]  # in the colour it is drawn with
        assert (
            f"{colour};vertical-align:middle;margin:0 4px 0 10px'></span>{name}" in w.legend.value
        )
    assert same(run(w.to_code(), ta=ta), w.result)


def test_bands_x_range_is_a_checked_control(ta):
    w = BandDeconvolver(ta, pump=250.0)
    w.range_from.value = 500.0
    assert (
        w.wavelength_range == [500.0, 720.0] and w.result is None
    )  # the old fit no longer applies
    w.remove_band("bleach526")
    click(w.fit_button)
    assert w.error_message == "" and w.result.fits[0].wavelength_range[0] >= 500.0
    assert "wavelength_range=(500.0, 720.0)" in w.to_code()
    assert same(run(w.to_code(), ta=ta), w.result)
    w.range_to.value = float("nan")  # a bad value typed: banner, the control goes back
    assert "wavelength_range" in w.error_message and "finite" in w.error_message
    assert w.wavelength_range == [500.0, 720.0] and w.range_to.value == 720.0
    w.range_to.value = 900.0
    assert "within the data" in w.error_message and w.wavelength_range == [500.0, 720.0]


def test_bands_on_a_580_nm_sample(edge580):
    w = BandDeconvolver(edge580)
    assert w.error_message == "" and w.delay > gain.time_zero(edge580)
    gsb = next(b for b in w.panels[0].bands if b.name == "GSB")
    assert abs(gsb.center_nm - 580.0) <= 6.0


# -- ThresholdFitter ----------------------------------------------------------------------------


def test_threshold_on_the_example_log_axes_and_code(ase):
    f = ThresholdFitter(ase)
    assert f.error_message == "" and f.feedback == "lamp"  # the first that is not 'none'
    assert float(ase["power"][0]) == 0.0
    f.scale_toggle.value = "log"
    assert f.error_message == "" and f.scale == "log" and f.scale_toggle.value == "log"
    assert type(f.out_fig.axes[0].scale).__name__ == "LogScale"
    assert np.all(np.asarray(f.out_none.x) > 0) and np.all(np.asarray(f.out_none.y) > 0)
    assert "not drawn" in f.scale_note.value
    f.scale_toggle.value = "linear"
    assert f.scale_note.value == "" and len(f.out_none.x) == ase.sizes["power"]
    assert abs(f.result.threshold_mW - 150.0) < 15
    assert same(run(f.to_code(), ase=ase), f.result)
    f.feedback_select.value = "mirror"
    f.spot_input.value = 2.0
    assert same(run(f.to_code("ase"), ase=ase), f.result)


def test_threshold_criteria_follow_the_spot_and_profile(ase):
    f = ThresholdFitter(ase)
    click(f.criteria_button)
    assert "1 mm" in f.criteria_html.value and f.criteria_result.spot_diameter_mm == 1.0
    f.spot_input.value = 2.0
    assert f.criteria_result.spot_diameter_mm == 2.0 and "2 mm" in f.criteria_html.value
    f.profile_select.value = "gaussian"
    assert f.criteria_result.beam_profile == "gaussian"
    assert "threshold_mW" not in f.criteria_html.value  # readable headers


def test_threshold_units_on_every_axis(ase):
    f = ThresholdFitter(ase)
    for fig in (f.out_fig, f.enh_fig, f.spec_fig, f.width_fig):
        for axis in fig.axes:
            assert "(" in axis.label and ")" in axis.label, axis.label


def test_a_restored_fit_asks_for_a_new_fit_before_giving_code(ta):
    w = BandDeconvolver(ta, pump=250.0)
    again = BandDeconvolver.from_state(ta, json.loads(json.dumps(w.state())))
    with pytest.raises(qdwidgets.FitError, match="restored from a saved state"):
        again.to_code()
    click(again.code_button)
    assert "restored from a saved state" in again.error_message
    click(again.fit_button)
    assert same(run(again.to_code(), ta=ta), again.result)
    k = KineticsFitter(ta, pump=100.0)
    k.fit()
    k2 = KineticsFitter.from_state(ta, json.loads(json.dumps(k.state())))
    with pytest.raises(qdwidgets.FitError, match="restored from a saved state"):
        k2.to_code()
