"""core.lesson: the gain lesson against closed forms and the simulator's own truth."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qdwidgets.core.lesson import (
    BAND_EDGE_NM,
    LESSON_DOT,
    GainLessonResult,
    filling_curve,
    gain_lesson,
)
from qdwidgets.data import simulate
from qdwidgets.errors import DatasetError

# an ideal band edge: nothing but the 1S band (and its SE twin) at 639 nm
CLEAN = {"background_od": 0.0, "pia_od": 0.0, "shell_bleach": 0.0}


@pytest.mark.parametrize("n_avg", [0.0, 0.3, 1.0, 1.5, 4.0])
def test_poisson_occupancy_and_filling_match_closed_forms(n_avg: float) -> None:
    r = gain_lesson(n_avg)
    n = r.occupancy["n"].values
    expected = np.array([n_avg**k * math.exp(-n_avg) / math.factorial(k) for k in n])
    np.testing.assert_allclose(r.occupancy.values, expected, rtol=1e-12, atol=1e-300)
    assert list(n) == list(range(9))
    assert r.multi == pytest.approx(1.0 - (1.0 + n_avg) * math.exp(-n_avg), abs=1e-12)
    assert r.filling == pytest.approx(2.0 - (2.0 + n_avg) * math.exp(-n_avg), abs=1e-12)


def test_threshold_is_where_the_mean_filling_reaches_one() -> None:
    r = gain_lesson(1.0)
    assert r.threshold == pytest.approx(1.1462, abs=5e-4)
    assert 2.0 - (2.0 + r.threshold) * math.exp(-r.threshold) == pytest.approx(1.0, abs=1e-12)
    curve = filling_curve(5.0, 501)
    i = int(np.argmin(np.abs(curve.values - 1.0)))
    assert float(curve["n_avg"][i]) == pytest.approx(r.threshold, abs=0.01)
    assert curve.attrs["units"] == "1" and "filling" in curve.attrs["long_name"]


def test_se_band_has_the_shape_of_the_bleach() -> None:
    """The lesson dot's SE band equals the 1S bleach (the simulator's 'se_strength = 1, no
    Stokes shift' case), so at the band edge A_ex/A0 = 1 − ⟨n_1S⟩."""
    _, truth = simulate.ta(
        (1.0,), cross_section=1.0, noise=0.0, delay=[0.0, 1.0], wavelength=[600.0, 700.0],
        trap_fraction=0.0, **LESSON_DOT,
    )  # fmt: skip
    wl = np.arange(560.0, 720.0, 0.5)
    shapes = truth.shapes(wl)
    np.testing.assert_allclose(shapes["se"], shapes["gsb_1s"], atol=1e-6 * 0.05)


@pytest.mark.parametrize("n_avg", [0.6, 1.1, 1.3, 2.5])
def test_band_edge_a_ex_is_one_minus_filling_on_a_clean_edge(n_avg: float) -> None:
    r = gain_lesson(n_avg, dot=CLEAN)
    late = r.trace["delay"].values > 3.0  # cooling (0.5 ps) and the IRF are over
    a0 = float(r.a0.sel(wavelength=BAND_EDGE_NM))
    ratio = r.trace.values[late] / a0
    # the 1P band's far tail (575 nm) is the only other absorption at 639 nm: < 0.3 % of A0
    np.testing.assert_allclose(ratio, 1.0 - r.filling_trace.values[late], atol=3e-3)


@pytest.mark.parametrize("n_avg", [0.5, 1.0, 1.10, 1.20, 1.5, 3.0])
def test_band_edge_gain_iff_mean_filling_above_one(n_avg: float) -> None:
    r = gain_lesson(n_avg)
    assert r.has_gain == (r.filling > 1.0)
    assert r.has_gain == (n_avg > r.threshold)
    # and over time: wherever the filling is clearly above/below 1, A_ex has the opposite sign
    t = r.trace["delay"].values
    clear = (t > 3.0) & (np.abs(r.filling_trace.values - 1.0) > 0.01)
    assert np.array_equal(r.trace.values[clear] < 0, r.filling_trace.values[clear] > 1)


@settings(max_examples=25, deadline=None)
@given(
    n_avg=st.floats(0.0, 5.0, allow_nan=False),
    tau_xx=st.floats(50.0, 1500.0, allow_nan=False),
    delay=st.floats(0.5, 3000.0, allow_nan=False),
)
def test_gain_iff_filling_above_one_for_any_lesson(
    n_avg: float, tau_xx: float, delay: float
) -> None:
    """Whatever ⟨N⟩, τ_XX and delay: gain at the band edge exactly when ⟨N⟩ passes the
    closed-form threshold (outside ±0.03 around it, where background absorption decides), and
    the spectrum has gain at ``delay`` only inside the band-edge gain window."""
    threshold = 1.14619
    assume(abs(n_avg - threshold) > 0.03)
    r = gain_lesson(n_avg, tau_xx=tau_xx, delay=delay)
    assert r.has_gain == (n_avg > threshold)
    edge = float(r.spectrum.sel(wavelength=BAND_EDGE_NM))
    if edge < 0:
        assert r.onset <= delay * 1.02 and (r.lasts_to_end or delay <= r.end * 1.02)


def test_gain_window_matches_the_simulator_truth_crossing() -> None:
    r = gain_lesson(2.0)
    _, truth = simulate.ta(
        (2.0,), cross_section=1.0, noise=0.0, chirp=(0.0,), delay=[0.0, 1.0],
        wavelength=[638.0, 639.0], trap_fraction=0.0, tau_xx=600.0, **LESSON_DOT,
    )  # fmt: skip
    exact = float(truth.zero_crossing(BAND_EDGE_NM, chirp_corrected=True)[0])
    assert r.onset == pytest.approx(exact, rel=0.03)  # linear interpolation on the log grid
    # the gain ends where the mean filling falls back to one (clean edge)
    c = gain_lesson(2.0, dot=CLEAN)
    t, f = c.filling_trace["delay"].values, c.filling_trace.values
    i = int(np.flatnonzero((f[:-1] > 1) & (f[1:] <= 1) & (t[:-1] > 3))[0])
    t_fill = t[i] + (t[i + 1] - t[i]) * (f[i] - 1) / (f[i] - f[i + 1])
    assert c.end == pytest.approx(t_fill, rel=0.01)
    assert c.duration == pytest.approx(c.end - c.onset)


def test_gain_lasts_longer_with_a_longer_auger_lifetime() -> None:
    durations = [gain_lesson(2.0, tau_xx=txx).duration for txx in (100.0, 300.0, 600.0, 1200.0)]
    assert all(np.isfinite(durations))
    assert np.all(np.diff(durations) > 0), durations
    # gain ends by Auger recombination: the window scales with tau_xx (here 1.0–1.5 tau_xx)
    for txx, d in zip((100.0, 300.0, 600.0, 1200.0), durations, strict=True):
        assert 0.8 * txx < d < 2.0 * txx


def test_traps_shorten_the_gain() -> None:
    free = gain_lesson(2.0)
    trapped = gain_lesson(2.0, trap_fraction=0.5, tau_trap=20.0)
    assert trapped.duration < 0.5 * free.duration


def test_no_excitons_means_a_ex_is_a0_and_no_gain() -> None:
    r = gain_lesson(0.0)
    np.testing.assert_allclose(r.spectrum.values, r.a0.values, rtol=0, atol=1e-15)
    assert not r.has_gain and not r.gain_at_delay
    assert math.isnan(r.onset) and math.isnan(r.end) and math.isnan(r.duration)
    assert "no gain at 639 nm" in r.describe()


def test_gain_spectrum_sits_at_the_band_edge() -> None:
    r = gain_lesson(2.0, delay=5.0)
    assert r.gain_at_delay and len(r.gain_bands) == 1
    lo, hi = r.gain_bands[0]
    assert lo < BAND_EDGE_NM < hi
    neg = r.spectrum.where(r.spectrum < 0, drop=True)
    assert float(neg["wavelength"].min()) >= lo - 1 and float(neg["wavelength"].max()) <= hi + 1


def test_readout_sentence() -> None:
    r = gain_lesson(1.5)
    text = r.describe()
    assert text.startswith("⟨N⟩ = 1.50: 44 % of dots hold two or more excitons")
    assert "mean 1S filling 1.22 > 1 → gain at 639 nm for" in text
    assert f"{r.duration:.0f} ps" in text
    low = gain_lesson(0.8).describe()
    assert "0.74 < 1 → no gain" in low and "⟨N⟩ > 1.15" in low


def test_outputs_carry_units_and_names() -> None:
    r = gain_lesson(1.5)
    for da, unit in (
        (r.occupancy, "1"),
        (r.a0, "OD"),
        (r.spectrum, "OD"),
        (r.trace, "OD"),
        (r.filling_trace, "1"),
    ):
        assert da.attrs["units"] == unit and da.attrs["long_name"]
    assert r.trace["delay"].attrs["units"] == "ps"
    assert r.spectrum["wavelength"].attrs["units"] == "nm"


def test_round_trip() -> None:
    r = gain_lesson(1.7, tau_xx=400.0, delay=20.0)
    d = json.loads(json.dumps(r.to_dict()))
    back = GainLessonResult.from_dict(d)
    assert back == r
    assert isinstance(back.lasts_to_end, bool)
    assert back.describe() == r.describe()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_avg": -0.1},
        {"n_avg": float("nan")},
        {"n_avg": 1.0, "tau_xx": 0.0},
        {"n_avg": 1.0, "delay": 1e5},
        {"n_avg": 1.0, "trap_fraction": 1.5},
    ],
)
def test_bad_input_is_explained(kwargs: dict[str, float]) -> None:
    with pytest.raises(DatasetError, match=r"gain_lesson: .* Fix:"):
        gain_lesson(**kwargs)


def test_the_2s_band_tail_raises_the_threshold_as_documented() -> None:
    """With the paper-like 615 nm band put back, its tail absorbs at 639 nm: gain then needs
    ⟨N⟩ ≈ 1.2 instead of 1.15 (module docstring)."""
    paper_like = {"transition_od": (0.05, 0.025, 0.045, 0.08)}
    assert not gain_lesson(1.17, dot=paper_like).has_gain
    assert gain_lesson(1.17).has_gain
    assert gain_lesson(1.25, dot=paper_like).has_gain
