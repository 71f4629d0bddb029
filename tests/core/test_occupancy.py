"""Poisson occupancy: closed forms, the transparency threshold, and the saturation fit of σ."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from qdwidgets._args import ArgumentError
from qdwidgets.core import occupancy as occ
from qdwidgets.errors import FitError


@pytest.mark.parametrize("n_avg", [0.0, 0.3, 1.0, 3.0, 12.5])
def test_poisson_matches_closed_form_and_scipy(n_avg):
    n = np.arange(0, 80)
    p = occ.poisson(n_avg, n)
    closed = [n_avg**k * math.exp(-n_avg) / math.factorial(k) for k in range(80)]
    np.testing.assert_allclose(p, closed, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(p, stats.poisson.pmf(n, n_avg), rtol=1e-12, atol=1e-300)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert (n * p).sum() == pytest.approx(n_avg, abs=1e-10)
    assert isinstance(occ.poisson(n_avg, 1), float)


@pytest.mark.parametrize(("n_avg", "n"), [(-1.0, 0), (float("nan"), 1), (1.0, -1), (1.0, 1.5)])
def test_poisson_bad_input(n_avg, n):
    with pytest.raises(ArgumentError, match=r"^n(_avg)? must"):
        occ.poisson(n_avg, n)


def test_mean_1s_filling_closed_form_and_definition():
    n_avg = np.linspace(0, 10, 101)
    filling = occ.mean_1s_filling(n_avg)
    np.testing.assert_allclose(filling, 2 - (2 + n_avg) * np.exp(-n_avg), rtol=1e-12, atol=1e-15)
    # definition: sum over n of min(n, 2)·P(n) (two electrons fill the 1S level)
    direct = sum(min(k, 2) * occ.poisson(n_avg, k) for k in range(80))
    np.testing.assert_allclose(filling, direct, rtol=1e-10, atol=1e-14)
    assert occ.mean_1s_filling(0.0) == 0.0 and occ.mean_1s_filling(50.0) == pytest.approx(2.0)
    assert np.all(np.diff(filling) > 0)


def test_gain_threshold_occupancy():
    thr = occ.gain_threshold_occupancy()
    assert occ.mean_1s_filling(thr) == pytest.approx(1.0, abs=1e-12)
    assert (2 + thr) * math.exp(-thr) == pytest.approx(1.0, abs=1e-12)
    assert 1.0 < thr < 1.2  # the paper's "gain needs ⟨N⟩ > 1"


def test_occupancy_is_sigma_times_fluence():
    j = np.array([1e14, 5e14, 2e15])
    np.testing.assert_allclose(occ.occupancy(j, 1.5e-15), [0.15, 0.75, 3.0], rtol=1e-12)
    assert occ.occupancy(1e15, 1e-15) == pytest.approx(1.0)
    with pytest.raises(ArgumentError, match="fluence must be finite and >= 0"):
        occ.occupancy(-1.0, 1e-15)
    with pytest.raises(ArgumentError, match="cross_section must be finite"):
        occ.occupancy(1.0, float("nan"))


def test_fit_cross_section_recovers_sigma_from_noisy_saturation():
    sigma, amp = 0.02, -0.05  # per nJ; bleach is negative ΔA
    pump = xr.DataArray([10.0, 25, 50, 100, 150, 200, 300], dims="pump", attrs={"units": "nJ"})
    rng = np.random.default_rng(0)
    bleach = amp * -np.expm1(-sigma * pump.values) + 5e-4 * rng.standard_normal(pump.size)
    res = occ.fit_cross_section(pump, bleach)
    assert res.cross_section == pytest.approx(sigma, rel=0.05)
    assert res.amplitude == pytest.approx(amp, rel=0.03)
    assert abs(res.cross_section - sigma) < 3 * res.cross_section_stderr
    assert res.pump_units == "nJ"
    np.testing.assert_allclose(res.occupancy, res.cross_section * pump.values, rtol=1e-12)
    assert res.rms == pytest.approx(5e-4, rel=0.6)
    np.testing.assert_allclose(res.model(pump.values), bleach, atol=2e-3)
    assert occ.CrossSectionFit.from_dict(res.to_dict()) == res
    # the status of a clean fit: converged, nothing to warn about, a 95 % interval per parameter
    assert res.converged and res.warnings == () and res.nfev > 0 and res.message
    assert res.ci_method == "covariance" and set(res.ci) == {"cross_section", "amplitude"}
    lo, hi = res.ci["cross_section"]
    assert lo < res.cross_section < hi
    assert hi - lo == pytest.approx(2 * stats.t.ppf(0.975, 5) * res.cross_section_stderr)
    assert pickle.loads(pickle.dumps(res)) == res


def test_fit_cross_section_in_linear_regime_says_sigma_is_not_determined():
    """Far below saturation (⟨N⟩ ≤ 1e-4) A·(1 − e^−σj) ≈ Aσ·j: only the product is fixed by the
    data; the curvature the fit finds is noise. The errors say so (never 0) and a warning
    names the parameters."""
    pump = np.array([1.0, 2.0, 3.0, 4.0])
    bleach = -0.5 * -np.expm1(-1e-5 * pump)
    res = occ.fit_cross_section(pump, bleach * (1 + 1e-3 * np.array([1, -1, 1, -1])))
    assert res.cross_section_stderr > 0.5 * res.cross_section
    assert any("cross_section" in w and "saturation" in w for w in res.warnings), res.warnings


def test_fit_cross_section_two_levels_is_exact():
    pump = np.array([100.0, 300.0])  # the paper's two levels, ⟨N⟩ ≈ 1 and 3
    bleach = 0.04 * -np.expm1(-0.01 * pump)
    res = occ.fit_cross_section(pump, bleach, pump_units="nJ")
    assert res.cross_section == pytest.approx(0.01, rel=1e-5)
    np.testing.assert_allclose(res.occupancy, [1.0, 3.0], rtol=1e-5)
    assert np.isnan(res.cross_section_stderr)
    assert res.converged and any("two pump levels" in w for w in res.warnings)
    assert all(np.isnan(v) for v in res.ci["cross_section"])


@pytest.mark.parametrize(
    ("pump", "bleach", "match"),
    [
        ([1.0], [0.1], "two distinct"),
        ([1.0, 1.0], [0.1, 0.1], "two distinct"),
        ([1.0, 2.0], [0.1], "one per level"),
        ([1.0, np.nan], [0.1, 0.2], "NaN"),
        ([1.0, 2.0], [0.0, 0.0], "nothing to saturate"),
    ],
)
def test_fit_cross_section_bad_input(pump, bleach, match):
    with pytest.raises(FitError, match=match):
        occ.fit_cross_section(pump, bleach)
