"""Bad options of the kinetics and chirp functions: a clear FitError/DatasetError naming them."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import chirp
from qdwidgets.core.kinetics import fit_global, fit_kinetics, fit_trace, fit_traces, svd
from qdwidgets.errors import DatasetError, FitError


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_components": 9}, "n_components"),
        ({"n_components": "3"}, "n_components"),
        ({"n_components": True}, "n_components"),
        ({"chirp": "fit", "chirp_order": 7}, "chirp_order"),
        ({"chirp": "fit", "chirp_order": 2.5}, "chirp_order"),
        ({"chirp": [0.1, 0.2]}, "one\\s+time zero"),
        ({"chirp": "auto"}, "'fit'"),
        ({"delay_range": (10, 2)}, "delay_range"),
        ({"delay_range": (float("nan"), 2)}, "delay_range"),
        ({"wavelength_range": (600,)}, "wavelength_range"),
        ({"model": "target"}, "model"),
    ],
)
def test_fit_global_refuses(ta: xr.Dataset, kwargs: dict, words: str) -> None:
    kwargs = {"n_components": 3, **kwargs}
    n = kwargs.pop("n_components")
    with pytest.raises(FitError, match=words):
        fit_global(ta, n, **kwargs)


def test_coherent_artifact_needs_delays_before_time_zero(ta: xr.Dataset) -> None:
    late = ta.sel(delay=slice(3.0, None))  # after the rise: no delay before time zero
    with pytest.raises(FitError, match="before time zero"):
        fit_global(late, 3, coherent_artifact=True)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_boot": 0}, "n_boot"),
        ({"starts": 0}, "starts"),
        ({"seed": -1}, "seed"),
        ({"onset": float("inf")}, "onset"),
        ({"chirp": float("nan")}, "NaN"),
        ({"chirp": "x"}, "chirp"),
    ],
)
def test_fit_trace_refuses(ta: xr.Dataset, kwargs: dict, words: str) -> None:
    trace = ta["dA"].isel(pump=0).sel(wavelength=640, method="nearest")
    with pytest.raises(FitError, match=words):
        fit_trace(trace, 2, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"wavelength": float("nan")}, "wavelength"),
        ({"wavelength": 5000.0}, "outside the data"),
        ({"band_nm": -2.0}, "band_nm"),
        ({"delay_range": (5, 1)}, "delay_range"),
    ],
)
def test_fit_kinetics_refuses(ta: xr.Dataset, kwargs: dict, words: str) -> None:
    with pytest.raises(FitError, match=words):
        fit_kinetics(ta, **kwargs)


def test_fit_traces_and_svd_refuse(ta: xr.Dataset) -> None:
    with pytest.raises(FitError, match="max_iter"):
        fit_traces(ta, 2, max_iter=0)
    with pytest.raises(FitError, match="chunk"):
        fit_traces(ta, 2, chunk=-1)
    with pytest.raises(FitError, match="n must"):
        svd(ta, n=0)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"order": 9}, "order"),
        ({"min_snr": -1.0}, "min_snr"),
        ({"window_ps": 0.0}, "window_ps"),
        ({"method": "fitt"}, "did you mean 'fit'"),
        ({"max_wavelengths": 1}, "max_wavelengths"),
    ],
)
def test_chirp_estimate_refuses(ta: xr.Dataset, kwargs: dict, words: str) -> None:
    with pytest.raises(DatasetError, match=words):
        chirp.estimate(ta, **kwargs)


def test_background_before_must_be_finite(ta: xr.Dataset) -> None:
    with pytest.raises(DatasetError, match="before"):
        chirp.subtract_background(ta, before=float("nan"))


def test_a_fit_that_cannot_converge_says_so_without_raising() -> None:
    t = np.linspace(-1, 50, 60)
    y = np.random.default_rng(0).normal(0, 1e-3, t.size)  # pure noise: nothing to converge to
    fit = fit_trace((t, y), 3)
    assert isinstance(fit.converged, bool)
    assert fit.warnings  # noise fitted with three lifetimes is not to be trusted


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"window": 0}, "window"),
        ({"confirm": -1}, "confirm"),
        ({"k": -1.0}, "k must"),
        ({"band_nm": float("nan")}, "band_nm"),
        ({"after": float("inf")}, "after"),
    ],
)
def test_zero_crossing_options_are_checked(ta: xr.Dataset, kwargs: dict, words: str) -> None:
    from qdwidgets.core.gain import zero_crossing

    with pytest.raises(ValueError, match=words):  # ArgumentError, never ZeroDivisionError
        zero_crossing(ta, 639.0, **kwargs)


def test_gain_window_and_noise_level_options_are_checked(ta: xr.Dataset) -> None:
    from qdwidgets.core.gain import gain_window, noise_level

    for kwargs in ({"band_nm": "x"}, {"k": float("nan")}, {"confirm": 1.5}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            gain_window(ta, 639.0, **kwargs)
    with pytest.raises(ValueError, match="before"):
        noise_level(ta, before="x")
