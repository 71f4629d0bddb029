"""A chirp-corrected real measurement (the shared Hippius file: chirped, mOD, an axis from ~0 ps,
time zero at 0.3–1.7 ps) keeps every measured delay and goes through every analysis as it is."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import chirp, gain, summary
from qdwidgets.core.kinetics import fit_global, fit_kinetics, svd
from qdwidgets.data import validate
from qdwidgets.errors import DatasetError


@pytest.fixture(scope="module")
def raw() -> xr.Dataset:
    return qdwidgets.examples.hippius()


@pytest.fixture(scope="module")
def corrected(raw: xr.Dataset) -> xr.Dataset:
    return chirp.correct(raw, chirp.estimate(raw))


def test_every_measured_delay_is_kept(raw: xr.Dataset, corrected: xr.Dataset) -> None:
    t = raw["delay"].values
    t0 = corrected["chirp"].values
    tau = corrected["delay"].values
    x = corrected["dA"].isel(pump=0).transpose("delay", "wavelength").values
    # values over each wavelength's whole measured span, NaN only outside it
    span = (tau[:, None] >= t[0] - t0 - 1e-9) & (tau[:, None] <= t[-1] - t0 + 1e-9)
    assert np.array_equal(np.isfinite(x), span)
    assert np.isfinite(x).sum(axis=0).min() >= t.size - 1
    assert 0.0 < np.isnan(x).mean() < 0.2  # the edges only
    # and the lab frame comes back on the measured delays
    back = chirp.uncorrect(corrected)
    np.testing.assert_array_equal(back["delay"].values, t)
    assert np.isfinite(back["dA"].values).all()


def test_the_contract_accepts_edge_nan_only_after_a_correction(
    raw: xr.Dataset, corrected: xr.Dataset
) -> None:
    inner = corrected.copy(deep=True)
    inner["dA"].values[0, 200, 10] = np.nan  # inside a column: bad data
    with pytest.raises(DatasetError, match="NaN or infinite"):
        validate(inner, "ta")
    edge = raw.copy(deep=True)
    edge["dA"].values[0, :3, 10] = np.nan  # at the start, but nothing was corrected
    with pytest.raises(DatasetError, match="NaN or infinite"):
        validate(edge, "ta")
    assert validate(corrected, "ta")["dA"].shape == corrected["dA"].shape


def test_correct_then_fit_agrees_with_the_model_fit(raw: xr.Dataset) -> None:
    joint = fit_global(raw, 4, chirp="fit", chirp_order=3)
    assert joint.chirp is not None
    fit = fit_global(chirp.correct(raw, joint.chirp), 4)
    assert fit.converged, fit.message
    np.testing.assert_allclose(fit.taus[1:], joint.taus[1:], rtol=0.015)
    assert fit.irf_fwhm == pytest.approx(joint.irf_fwhm, rel=0.05)
    assert abs(fit.t0) < 0.01


def test_the_analyses_take_the_corrected_data_as_they_are(
    raw: xr.Dataset, corrected: xr.Dataset
) -> None:
    edge = gain.band_edge(corrected)
    # the half-rise at the band edge moves by that wavelength's t0 (it also holds the cooling)
    t0_edge = float(corrected["chirp"].sel(wavelength=edge, method="nearest"))
    assert gain.time_zero(corrected, edge) == pytest.approx(
        gain.time_zero(raw, edge) - t0_edge, abs=0.05
    )
    kin = fit_kinetics(corrected, wavelength=edge)  # one pump level: one fit
    assert kin.converged, kin.message
    assert np.isfinite(kin.taus).all() and abs(kin.t0) < 0.3
    s = svd(corrected)
    assert s.n_significant >= 2 and np.isfinite(s.singular_values.values).all()
    report = summary.summarize(corrected)
    assert not any("error" in str(f).lower() for f in report.get("flags", []))


def test_gain_on_a_corrected_example_with_a0() -> None:
    ta = qdwidgets.examples.ta()
    corrected = chirp.correct(ta, chirp.estimate(ta))
    before = gain.gain_spectrum(ta, delay=5.0)
    after = gain.gain_spectrum(corrected, delay=5.0)
    assert np.isfinite(after.a_ex.values).all()  # 5 ps is measured at every wavelength
    np.testing.assert_allclose(after.width.values, before.width.values, rtol=0.1, atol=2.0)
    report = summary.summarize(corrected)
    assert not any("error" in str(f).lower() for f in report.get("flags", []))
