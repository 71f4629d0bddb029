"""KineticsFitter headless: controls moved and buttons clicked as the front end sends them.

ipywidgets front ends send ``{"method": "update", "state": {...}}`` for a control change and
``{"method": "custom", "content": {"event": "click"}}`` for a button press; these tests deliver
exactly those messages through ``Widget._handle_msg``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core.kinetics import MAX_COMPONENTS, KineticsFit, KineticsSeries, evaluate
from qdwidgets.widgets.kinetics_fitter import KineticsFitter

DELAYS = np.concatenate([np.linspace(-2, 10, 120), np.geomspace(10.2, 3000, 200)])
TRUTHS = (
    {"taus": (2.0, 20.0, 300.0), "amplitudes": (-3e-3, -2e-3, -1.5e-3), "offset": -1e-3},
    {"taus": (4.0, 40.0, 600.0), "amplitudes": (-1e-3, -4e-3, -2e-3), "offset": -1e-3},
)


def dataset() -> xr.Dataset:
    wl = np.array([630.0, 635.0, 639.0, 643.0, 648.0])
    rows = []
    for truth in TRUTHS:
        y = evaluate(DELAYS, **truth, irf_fwhm=0.3, t0=0.2)
        rows.append(np.outer(y, np.exp(-(((wl - 639) / 20) ** 2))))
    d = np.stack(rows) + np.random.default_rng(0).normal(0, 5e-6, (2, DELAYS.size, wl.size))
    return xr.Dataset(
        {"dA": (("pump", "delay", "wavelength"), d, {"units": "OD"})},
        coords={
            "pump": ("pump", [100.0, 300.0], {"units": "nJ"}),
            "occupancy": ("pump", [1.0, 3.0]),
            "delay": ("delay", DELAYS, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


def send(widget, **state) -> None:
    """A front-end control change."""
    widget._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


def click(button) -> None:
    button._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []}
    )


@pytest.fixture
def fitter() -> KineticsFitter:
    return KineticsFitter(dataset(), wavelength=639)


def model_y(fitter: KineticsFitter, side: str = "log") -> np.ndarray:
    return np.array(fitter.marks[side]["model"].y, dtype=float)


def test_construct_draws_data_and_model_per_pump(fitter: KineticsFitter) -> None:
    assert fitter.error_message == ""
    assert fitter.result is None
    data = np.array(fitter.marks["log"]["data"].y)
    assert data.shape == (2, int(np.sum(fitter.split_ps < DELAYS)))
    lin_x = np.array(fitter.marks["lin"]["data"].x)
    assert lin_x.max() <= fitter.split_ps and lin_x.min() == DELAYS[0]
    assert isinstance(fitter.xs_log, type(fitter.fig_log.axes[0].scale))
    assert fitter.fig_log.axes[0].scale.__class__.__name__ == "LogScale"
    # automatic start values are close to the truth already
    assert np.allclose(fitter.params[0]["taus"], TRUTHS[0]["taus"], rtol=0.4)
    resid = np.array(fitter.marks["log"]["resid"].y)
    assert np.allclose(resid + model_y(fitter), data)


def test_tau_slider_redraws_the_model_at_once(fitter: KineticsFitter) -> None:
    before = model_y(fitter).copy()
    send(fitter.rows[2]["tau"], value=1000.0)
    assert fitter.params[0]["taus"][2] == 1000.0
    after = model_y(fitter)
    assert not np.allclose(after[0], before[0])
    assert np.allclose(after[1], before[1])  # the other pump level is untouched
    expected = evaluate(
        DELAYS, fitter.params[0]["taus"], fitter.params[0]["amplitudes"],
        offset=fitter.params[0]["offset"], irf_fwhm=fitter.params[0]["irf_fwhm"],
        t0=fitter.params[0]["t0"],
    )  # fmt: skip
    assert np.allclose(after[0], expected[fitter.split_ps < DELAYS])


def test_amplitude_offset_irf_t0_controls(fitter: KineticsFitter) -> None:
    send(fitter.rows[0]["amp"], value=-0.01)
    assert fitter.params[0]["amplitudes"][0] == -0.01
    assert "%" in fitter.rows[0]["share"].value
    send(fitter.offset_amp, value=-0.002)
    assert fitter.params[0]["offset"] == -0.002
    send(fitter.irf_slider, value=0.5)
    assert fitter.params[0]["irf_fwhm"] == pytest.approx(0.5, abs=fitter.irf_slider.step)
    lin_before = np.array(fitter.marks["lin"]["model"].y)[0].copy()
    send(fitter.t0_slider, value=0.0)
    assert fitter.params[0]["t0"] == pytest.approx(0.0, abs=fitter.t0_slider.step)
    assert not np.allclose(np.array(fitter.marks["lin"]["model"].y)[0], lin_before)
    send(fitter.offset_check, value=False)
    assert fitter.offset_on is False and fitter.params[0]["offset"] == 0.0


def test_edit_pick_switches_the_edited_pump_level(fitter: KineticsFitter) -> None:
    send(fitter.edit_pick, index=1)
    assert fitter.edit_index == 1
    assert fitter.rows[0]["tau"].value == pytest.approx(fitter.params[1]["taus"][0], rel=1e-6)
    before = model_y(fitter).copy()
    send(fitter.rows[0]["tau"], value=9.0)
    assert fitter.params[1]["taus"][0] == 9.0 and fitter.params[0]["taus"][0] != 9.0
    assert np.allclose(model_y(fitter)[0], before[0])


def test_fit_button_matches_the_core_and_fills_the_table(fitter: KineticsFitter) -> None:
    click(fitter.fit_button)
    assert fitter.error_message == ""
    res = fitter.result
    assert isinstance(res, KineticsSeries) and len(res) == 2
    assert (
        0.2 < fitter.delay_range[0] < 2.0 and fitter.delay_range[1] == DELAYS[-1]
    )  # after the rise
    for mine, truth in zip(res.fits, TRUTHS, strict=True):
        assert np.allclose(mine.taus, truth["taus"], rtol=0.02)
        assert abs(mine.t0 - 0.2) < 0.05 and abs(mine.irf_fwhm - 0.3) < 0.05  # held at the rise
    assert fitter.params[1]["taus"] == list(res[1].taus)
    assert "⟨N⟩ ≈ 3" in fitter.table_html.value and "τ2 (ps)" in fitter.table_html.value
    assert " ± " in fitter.table_html.value  # uncertainties in the table
    text = fitter.copy_text.value
    assert text == fitter.table_text and text.splitlines()[0].split("\t")[1:] == list(res.labels)
    assert "fitted" in fitter.status.value


def test_lock_holds_a_lifetime(fitter: KineticsFitter) -> None:
    send(fitter.rows[1]["tau"], value=25.0)
    send(fitter.rows[1]["lock"], value=True)
    assert fitter.locks == [False, True, False]
    click(fitter.fit_button)
    fit0 = fitter.result[0]
    assert 25.0 in fit0.taus and math.isnan(fit0.taus_stderr[fit0.taus.index(25.0)])
    assert fitter.locks[fit0.taus.index(25.0)] is True
    send(fitter.irf_lock, value=True)
    send(fitter.irf_slider, value=0.4)
    click(fitter.fit_button)
    assert fitter.result[0].irf_fwhm == pytest.approx(fitter.irf_slider.value)


def test_add_and_remove_components(fitter: KineticsFitter) -> None:
    click(fitter.add_button)
    assert fitter.n_components == 4 and len(fitter.params[0]["taus"]) == 4
    assert fitter.rows[3]["box"].layout.display is None
    assert not fitter.add_button.disabled
    for _ in range(MAX_COMPONENTS - 4):
        click(fitter.add_button)
    assert fitter.n_components == MAX_COMPONENTS  # the core's limit, the same in the widget
    assert fitter.add_button.disabled
    click(fitter.add_button)
    assert fitter.n_components == MAX_COMPONENTS
    assert f"at most {MAX_COMPONENTS}" in fitter.error_message
    for _ in range(MAX_COMPONENTS - 1):
        click(fitter.remove_button)
    assert fitter.n_components == 1 and fitter.rows[1]["box"].layout.display == "none"
    click(fitter.remove_button)
    assert "at least one" in fitter.error_message
    click(fitter.fit_button)
    assert fitter.error_message == "" and fitter.result[0].n_components == 1
    click(fitter.add_button)
    click(fitter.add_button)
    click(fitter.guess_button)
    click(fitter.fit_button)
    assert np.allclose(fitter.result[0].taus, TRUTHS[0]["taus"], rtol=0.02)


def test_wavelength_and_band_controls(fitter: KineticsFitter) -> None:
    click(fitter.fit_button)
    send(fitter.wl_slider, value=630.0)
    assert fitter.wavelength == 630.0 and fitter.result is None  # the old fit no longer applies
    assert "630.0 nm" in fitter.legend.value
    send(fitter.band_box, value=10.0)
    assert fitter.band_nm == 10.0
    assert float(fitter._traces["wavelength"]) == pytest.approx(np.mean([630.0, 635.0]))
    data = np.array(fitter.marks["log"]["data"].y)
    ds = dataset()
    expected = ds.dA.sel(wavelength=[630.0, 635.0]).mean("wavelength").values[:, DELAYS > 5]
    assert np.allclose(data, expected)


def test_table_csv_and_text(fitter: KineticsFitter, tmp_path) -> None:
    with pytest.raises(qdwidgets.FitError):
        fitter.to_csv(tmp_path / "none.csv")
    fitter.fit()
    fitter.csv_path.value = str(tmp_path / "table.csv")
    click(fitter.csv_button)
    assert fitter.error_message == ""
    text = (tmp_path / "table.csv").read_text(encoding="utf-8")
    assert "τ1 (ps)" in text and "tau1_stderr_ps" in text and "⟨N⟩ ≈ 3" in text
    table = fitter.table()
    assert isinstance(table, pd.DataFrame) and table.shape == (7, 2)


def test_state_round_trip(fitter: KineticsFitter) -> None:
    send(fitter.rows[1]["lock"], value=True)
    send(fitter.band_box, value=5.0)
    fitter.fit()
    state = json.loads(json.dumps(fitter.state()))
    again = KineticsFitter.from_state(dataset(), state)
    assert again.result == fitter.result
    assert again.params == fitter.params and again.locks == fitter.locks
    assert again.band_nm == 5.0 and again.n_components == 3
    assert np.allclose(model_y(again), model_y(fitter))
    one = KineticsFitter(dataset(), pump=300.0, n_components=2)
    one.fit()
    assert isinstance(one.result, KineticsFit)
    again = KineticsFitter.from_state(dataset(), json.loads(json.dumps(one.state())))
    assert again.pumps == [300.0] and again.result == one.result


def test_errors_are_shown_in_the_banner() -> None:
    ds = dataset()
    ds["dA"][:] = 1e-3  # flat: no kinetics
    fitter = KineticsFitter(ds)
    click(fitter.fit_button)
    assert "flat" in fitter.error_message
    assert fitter.result is None


def test_top_level_name() -> None:
    assert qdwidgets.KineticsFitter is KineticsFitter


def test_a_slider_never_writes_a_fitted_value_back_quantised(fitter: KineticsFitter) -> None:
    fitter.fit()
    exact = fitter.params[0]["taus"][1]
    slider = fitter.rows[1]["tau"]
    assert slider.value == exact  # shown exactly (the readout formats it)
    lo, step = slider.min, slider.step
    grid = 10 ** (lo + round((math.log10(exact) - lo) / step) * step)
    assert grid != exact
    send(slider, value=grid)  # what a front end sends after snapping the handle to its grid
    assert fitter.params[0]["taus"][1] == exact
    send(slider, value=grid * 10**step)  # one step further: the user's move
    assert fitter.params[0]["taus"][1] == pytest.approx(grid * 10**step)
    t0 = fitter.params[0]["t0"]
    snapped_t0 = (
        fitter.t0_slider.min
        + round((t0 - fitter.t0_slider.min) / fitter.t0_slider.step) * fitter.t0_slider.step
    )
    send(fitter.t0_slider, value=snapped_t0)
    assert fitter.params[0]["t0"] == t0
