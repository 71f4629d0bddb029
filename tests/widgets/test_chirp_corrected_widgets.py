"""The widgets on chirp-corrected data (NaN where a wavelength has no measurement, at the ends
of the delay axis): they open without an error and their main button works."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import chirp
from qdwidgets.widgets.kinetics_fitter import KineticsFitter
from qdwidgets.widgets.ta_explorer import TAExplorer


def click(button) -> None:
    button._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []}
    )


@pytest.fixture(scope="module", params=["ta", "hippius"])
def pair(request) -> tuple[xr.Dataset, xr.Dataset]:
    raw = getattr(qdwidgets.examples, request.param)()
    out = chirp.correct(raw, chirp.estimate(raw))
    assert np.isnan(out["dA"].values).any()  # the edges the shift left unmeasured
    return raw, out


@pytest.fixture(scope="module")
def corrected(pair: tuple[xr.Dataset, xr.Dataset]) -> xr.Dataset:
    return pair[1]


def test_ta_explorer_opens_and_follows_the_delay(pair: tuple[xr.Dataset, xr.Dataset]) -> None:
    raw, corrected = pair
    ex = TAExplorer(corrected)
    # no error of its own (Hippius has no A0: the same "ΔA only" note as the raw file)
    assert ex.error_message == TAExplorer(raw).error_message
    ex.view.set_state({"delay": 3.0})
    assert ex.error_message == TAExplorer(raw).error_message
    assert ex.result.delay == pytest.approx(3.0, abs=0.1)


def test_kinetics_fitter_fits_the_corrected_trace(corrected: xr.Dataset) -> None:
    fitter = KineticsFitter(corrected)
    assert fitter.error_message == ""
    click(fitter.fit_button)
    assert fitter.error_message == ""
    fits = [fitter.result] if hasattr(fitter.result, "converged") else list(fitter.result)
    assert all(f.converged for f in fits)
    assert all(np.isfinite(f.taus).all() for f in fits)
