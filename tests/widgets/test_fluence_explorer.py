"""FluenceExplorer, headless: defaults from the data, sliders redraw the model, Fit is
fit_cascade, state and code round trips, bad settings in the banner."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets._args import ArgumentError
from qdwidgets.core import fluence, gain
from qdwidgets.errors import FitError
from qdwidgets.widgets.fluence_explorer import FluenceExplorer


def click(button: Any) -> None:
    button._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []}
    )


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    return qdwidgets.examples.fluence()


@pytest.fixture
def explorer(ds: xr.Dataset) -> FluenceExplorer:
    return FluenceExplorer(ds)


def test_opens_on_the_data(explorer: FluenceExplorer, ds: xr.Dataset) -> None:
    assert explorer.error_message == "" and explorer.result is None
    assert explorer.wavelength == gain.band_edge(ds)
    start = fluence._fit.start_values(ds)
    assert explorer.max_occupancy == pytest.approx(start["cross_section"] * 330.0)
    assert explorer.tau_xx == pytest.approx(start["tau_xx"])
    p = explorer.panels
    t = ds["delay"].values
    np.testing.assert_array_equal(p.data.x, t[t > 0])  # the log axis: delays after zero
    trace = ds["dA"].sel(wavelength=explorer.wavelength).values
    np.testing.assert_allclose(p.data.y, trace[:, t > 0])
    assert p.data.y.shape == p.fit.y.shape == (7, int((t > 0).sum()))
    assert p.traces_fig.axes[0].scale.__class__.__name__ == "LogScale"
    np.testing.assert_allclose(p.bars.y.sum(axis=1), 1.0, rtol=1e-12)
    assert "press Fit" in p.table.value
    assert qdwidgets.FluenceExplorer is FluenceExplorer


def test_sliders_redraw_the_model(explorer: FluenceExplorer) -> None:
    before = np.array(explorer.panels.fit.y)
    explorer.tau_xx_slider.value = explorer.tau_xx / 3.0
    assert explorer.tau_xx == pytest.approx(explorer.tau_xx_slider.value)
    after = np.array(explorer.panels.fit.y)
    assert not np.allclose(before, after)
    bars = np.array(explorer.panels.bars.y)
    explorer.occupancy_slider.value = 1.0
    assert explorer.max_occupancy == pytest.approx(1.0)
    assert not np.allclose(bars, explorer.panels.bars.y)
    assert explorer.panels.bars.y[-1][0] == pytest.approx(np.exp(-1.0))  # P(0) at ⟨N⟩ = 1
    explorer.scaling_toggle.value = "pairs"
    assert explorer.scaling == "pairs"
    assert not np.allclose(after, explorer.panels.fit.y)


def test_fit_button_is_fit_cascade(explorer: FluenceExplorer, ds: xr.Dataset) -> None:
    explorer.tau_xx = 30.0  # sliders far off: the fit does not depend on them
    explorer.scaling = "pairs"
    click(explorer.fit_button)
    assert explorer.error_message == ""
    core = fluence.fit_cascade(ds, scaling="pairs")
    assert explorer.result == core
    assert explorer.tau_xx == pytest.approx(core.tau_xx)
    assert explorer.max_occupancy == pytest.approx(core.max_occupancy)
    np.testing.assert_allclose(explorer.model_traces, core.best_fit.values, rtol=1e-9)
    assert "±" in explorer.panels.table.value and "τ_XX" in explorer.panels.table.value
    assert explorer.warning_messages == core.warnings


def test_slider_rounding_of_the_fit_is_not_a_move(explorer: FluenceExplorer) -> None:
    """A log slider shows a fitted value rounded to its 0.01-decade grid and the front end sends
    that rounding back (seen in JupyterLab): the fitted value stays, a real move still moves."""
    res = explorer.fit()
    sliders = {"tau_xx": explorer.tau_xx_slider, "tau_x": explorer.tau_x_slider,
               "max_occupancy": explorer.occupancy_slider}  # fmt: skip
    grids = {}
    for name, slider in sliders.items():
        exact = getattr(res, name)
        lo, step = float(slider.min), float(slider.step)
        grids[name] = 10 ** (lo + round((np.log10(exact) - lo) / step) * step)
        assert grids[name] != exact
        slider.value = grids[name]  # the echo
        assert getattr(explorer, name) == exact and slider.value == grids[name]
    np.testing.assert_allclose(explorer.model_traces, res.best_fit.values, rtol=1e-9)
    for name, slider in sliders.items():
        slider.value = grids[name] * 10 ** float(slider.step)  # one step: the user's move
        assert getattr(explorer, name) == pytest.approx(grids[name] * 10 ** float(slider.step))
    assert not np.allclose(explorer.model_traces, res.best_fit.values, rtol=1e-3)
    assert explorer.result is res  # moving a slider keeps the last fit in the table


def test_state_and_code(explorer: FluenceExplorer, ds: xr.Dataset) -> None:
    res = explorer.fit()
    state = json.loads(json.dumps(explorer.state()))
    back = FluenceExplorer.from_state(ds, state)
    assert back.result == res and back.tau_x == pytest.approx(explorer.tau_x)
    assert back.scaling == explorer.scaling
    scope: dict[str, Any] = {"ta": ds}
    exec(compile(explorer.to_code(), "<to_code>", "exec"), scope)
    assert scope["result"] == res
    with pytest.raises(ArgumentError, match="data_name"):
        explorer.to_code("1x")


def test_bad_settings_and_data_in_the_banner(explorer: FluenceExplorer, ds: xr.Dataset) -> None:
    with pytest.raises(ArgumentError, match="did you mean 'pairs'"):
        explorer.scaling = "pair"
    assert "scaling must be one of" in explorer.error_message
    assert explorer.scaling == "statistical"  # the last good value
    explorer.tau_xx_slider.value = 50.0  # a good value clears it
    assert explorer.error_message == ""
    noise = np.random.default_rng(1).normal(0.0, 1e-3, ds["dA"].shape)
    red = FluenceExplorer(ds.assign(dA=ds["dA"].where(ds["wavelength"] < 660.0, noise)))
    drawn = np.array(red.panels.data.y)
    with pytest.raises(ArgumentError, match="no bleach at 667 nm"):
        red.wavelength = 667.0  # no bleach there: the banner says so, the traces stay
    assert "no bleach at 667 nm" in red.error_message and red.wavelength == 639.0
    np.testing.assert_array_equal(red.panels.data.y, drawn)
    red.wavelength = 645.0  # a good one: its traces are drawn
    assert red.error_message == "" and red.header.value.startswith("<b>645 nm")
    at645 = ds["dA"].sel(wavelength=645.0).values[:, ds["delay"].values > 0]
    np.testing.assert_allclose(red.panels.data.y, at645)
    with pytest.raises(FitError, match="at least 3 pump levels"):
        FluenceExplorer(ds.isel(pump=[0, 6]))
    with pytest.raises(TypeError, match="did you mean 'scaling'"):
        FluenceExplorer(ds, scalling="pairs")
