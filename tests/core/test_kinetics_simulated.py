"""The kinetics engine on the project's chirped simulator, ``simulate.decays`` (issue 11).

``simulate.decays`` computes the exponentials ⊗ Gaussian IRF with its own implementation
(``qdwidgets.data.simulate._kinetics.exp_irf``, not the fit's basis) and its default truth
(lifetimes 0.7 / 14 / 320 ps, IRF 0.12 ps, a cubic chirp putting time zero at 0.2–0.9 ps on an
axis that starts at 0 ps) was chosen before the fits were run, not tuned to them.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core import chirp
from qdwidgets.core.kinetics import GlobalFit, fit_global
from qdwidgets.data import simulate


@pytest.fixture(scope="module")
def data() -> tuple[xr.Dataset, simulate.DecaysTruth]:
    return simulate.decays(seed=11)


@pytest.fixture(scope="module")
def joint(data: tuple[xr.Dataset, simulate.DecaysTruth]) -> GlobalFit:
    return fit_global(data[0], 3, chirp="fit", chirp_order=3)


def _t0_rms(curve: xr.DataArray, truth: simulate.DecaysTruth) -> float:
    diff = curve.values - truth.t0(curve["wavelength"].values)
    return float(np.sqrt(np.mean(diff**2)))


def test_the_axis_starts_before_every_time_zero(data) -> None:
    ds, truth = data
    t0 = truth.t0(ds["wavelength"].values)
    assert float(ds["delay"][0]) == 0.0 and 0.15 < t0.min() < t0.max() < 1.0


def test_the_joint_fit_recovers_the_truth(data, joint: GlobalFit) -> None:
    _, truth = data
    assert joint.converged, joint.message
    assert joint.warnings == ()
    np.testing.assert_allclose(joint.taus, truth.taus, rtol=0.01)
    assert joint.irf_fwhm == pytest.approx(truth.irf_fwhm, rel=0.02)
    assert joint.chirp is not None and _t0_rms(joint.chirp, truth) < 0.005  # 5 fs
    # the reported errors cover the deviations
    dev = np.abs(np.array(joint.taus) - truth.taus)
    assert np.all(dev < 4 * np.array(joint.taus_stderr))
    assert joint.noise == pytest.approx(truth.noise, rel=0.05)  # residual on the measured grid


def test_the_estimate_is_unbiased_and_starts_the_joint_fit(data) -> None:
    ds, truth = data
    est = chirp.estimate(ds)
    assert _t0_rms(est, truth) < 0.005
    diff = est.values - truth.t0(ds["wavelength"].values)
    assert abs(float(np.mean(diff))) < 0.002  # no systematic shift (2 fs)


@pytest.mark.parametrize("shift", [3.0, -3.0])
def test_relabelling_the_axis_moves_only_time_zero(data, joint: GlobalFit, shift: float) -> None:
    ds, _ = data
    moved = ds.assign_coords(delay=ds["delay"] + shift)
    moved["delay"].attrs["units"] = "ps"
    fit = fit_global(moved, 3, chirp="fit", chirp_order=3)
    np.testing.assert_allclose(fit.taus, joint.taus, rtol=0.005)
    assert fit.chirp is not None and joint.chirp is not None
    np.testing.assert_allclose(fit.chirp.values - joint.chirp.values, shift, atol=1e-4)
    est, est0 = chirp.estimate(moved), chirp.estimate(ds)
    np.testing.assert_allclose(est.values - est0.values, shift, atol=1e-9)


def test_correct_then_fit_agrees_with_the_joint_fit(data, joint: GlobalFit) -> None:
    """Correcting with the fitted t0(λ) keeps every delay, and a one-time-zero fit of the
    corrected data (each wavelength where it has data) gives the joint fit's lifetimes."""
    ds, _ = data
    assert joint.chirp is not None
    corrected = chirp.correct(ds, joint.chirp)
    assert corrected.sizes["delay"] >= ds.sizes["delay"]
    finite = np.isfinite(corrected["dA"].isel(pump=0).values)  # (delay, wavelength)
    assert (finite.sum(axis=0) >= ds.sizes["delay"] - 1).all()
    fit = fit_global(corrected, 3)
    assert fit.converged, fit.message
    np.testing.assert_allclose(fit.taus, joint.taus, rtol=0.01)
    assert abs(fit.t0) < 0.005  # time zero is at 0 ps after the correction
    back = chirp.uncorrect(corrected)
    np.testing.assert_array_equal(back["delay"].values, ds["delay"].values)
    err = np.abs(back["dA"].values - ds["dA"].transpose(*back["dA"].dims).values)[0]
    # inside: two linear interpolations of a 120 fs rise; at the last measured delay each
    # wavelength is extended by at most one (log-spaced, 80 ps) step from two noisy values
    noise = 2e-4
    assert float(np.sqrt(np.mean(err[1:-1] ** 2))) < 0.5 * noise
    assert err[1:-1].max() < 4 * noise and err[-1].max() < 10 * noise
