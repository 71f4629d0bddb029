"""Band fits say whether to trust them, their defaults come from the data, their options are
checked: the example, the real Hippius measurement, and a simulated sample whose band edge is at
580 nm (not the paper's 639 nm)."""

from __future__ import annotations

import dataclasses
import math
import pickle
import warnings

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets._args import ArgumentError
from qdwidgets.core import bands as B
from qdwidgets.core import gain
from qdwidgets.data import simulate
from qdwidgets.errors import DatasetError, FitError

WL = np.linspace(560.0, 720.0, 321)
TRUTH = (B.Band("GSB", 639.0, 20.0, -0.012), B.Band("SE", 651.0, 16.0, -0.0096))
ROUGH = (B.Band("GSB", 632.0, 25.0, -0.01), B.Band("SE", 660.0, 25.0, -0.005))


def spectrum(bands, snr=None, seed=0):
    y = sum(b.curve(WL) for b in bands)
    if snr is not None:
        y = y + np.random.default_rng(seed).normal(0.0, np.abs(y).max() / snr, WL.size)
    return xr.DataArray(y, dims="wavelength", coords={"wavelength": WL}, attrs={"units": "OD"})


@pytest.fixture(scope="module")
def example():
    return qdwidgets.examples.ta()


@pytest.fixture(scope="module")
def edge580():
    """The simulator with every transition moved ~60 nm blue: band edge 580 nm, PL 595 nm."""
    ds, _ = simulate.ta(
        pump=(100.0, 300.0),
        transitions_nm=(580.0, 556.0, 520.0, 470.0),
        pl_peak_nm=595.0,
        chirp_reference_nm=580.0,
        pia_peak_nm=650.0,
        seed=3,
    )
    return ds


# -- status of a fit ------------------------------------------------------------------------------


def test_a_clean_fit_converges_without_warnings():
    fit = B.deconvolve(spectrum(TRUTH, snr=1000), ROUGH)
    assert fit.converged and fit.message == "converged" and fit.warnings == ()
    assert fit.nfev > 0
    for b in fit.bands:
        assert all(0 < getattr(b, k) < math.inf for k in ("center_nm_err", "fwhm_nm_err"))


def test_two_identical_bands_are_reported_undetermined():
    """Two copies of one band, only their heights free: the data fix only the sum of the
    heights. Each height has an infinite error (never 0), the fit is not 'converged' and a
    warning says why."""
    data = spectrum(TRUTH[:1], snr=1000)
    twins = tuple(B.Band(n, 639.0, 20.0, -0.006, vary="amplitude") for n in ("a", "b"))
    fit = B.deconvolve(data, twins)
    errors = [b.amplitude_err for b in fit.bands]
    assert errors == [math.inf, math.inf]
    assert [b.area_err for b in fit.bands] == [math.inf, math.inf]
    assert not fit.converged
    assert fit.message == "the solver converged, but the data do not determine every parameter"
    assert any("do not determine a height, b height" in w for w in fit.warnings), fit.warnings


def test_nothing_to_fit_is_a_clear_error():
    locked = (B.Band("GSB", 639.0, 20.0, -0.012, vary=False),)
    with pytest.raises(FitError, match="every parameter of every band is locked"):
        B.deconvolve(spectrum(TRUTH), locked)


def test_a_free_twin_band_that_fits_noise_is_flagged():
    """All free, the twin slides off and fits the noise: its height is within 2σ of zero."""
    data = spectrum(TRUTH[:1], snr=1000)
    twins = (B.Band("a", 639.0, 20.0, -0.006), B.Band("b", 639.0, 20.0, -0.006))
    fit = B.deconvolve(data, twins)
    assert any(
        w.startswith("band(s) b: height within two standard errors of zero") for w in fit.warnings
    ), fit.warnings


def test_a_vanished_band_is_a_warning():
    """A GSB started too wide and the SE too far red (noise-free): the GSB takes the SE's place
    and the SE ends at zero height; the fit is returned with a warning, not hidden."""
    wl = np.linspace(560.0, 720.0, 161)
    y = TRUTH[0].replace(fwhm_nm=20.0).curve(wl) + B.Band("SE", 653, 18, -0.010).curve(wl)
    data = xr.DataArray(y, dims="wavelength", coords={"wavelength": wl})
    start = (B.Band("GSB", 639, 31, -0.012), B.Band("SE", 670, 18, -0.010))
    fit = B.deconvolve(data, start)
    assert abs(fit.band("SE").amplitude) < 1e-8
    assert any("band(s) SE fitted to zero height" in w for w in fit.warnings), fit.warnings


def test_results_pickle_and_round_trip(example):
    fit = B.deconvolve_at(example)
    assert fit.to_lmfit() is not None
    back = pickle.loads(pickle.dumps(fit))
    assert back == fit and back.to_lmfit() is None
    assert B.BandFit.from_dict(fit.to_dict()) == fit
    cmp = B.compare(example)
    assert cmp.converged and cmp.warnings == ()
    assert pickle.loads(pickle.dumps(cmp)) == cmp
    assert B.BandComparison.from_dict(cmp.to_dict()) == cmp
    assert "<li>" not in fit._repr_html_()  # no warnings to list
    loud = B.deconvolve(spectrum(TRUTH, snr=100), ROUGH, max_nfev=3)
    html = loud._repr_html_()
    assert "<li>" in html and "did not converge" in html
    both = B.BandComparison(fits=(fit, dataclasses.replace(loud, pump=7.0)), delay=fit.delay)
    assert not both.converged
    assert both.warnings[0].startswith("pump 7: the band fit did not converge")


# -- defaults from the data -----------------------------------------------------------------------


def test_example_default_fit_is_clean(example):
    """The BandDeconvolver opens with these: a delay after time zero (not 2.3 ps), GSB/SE named
    from A0 and PL, and a fit with no warning (no band pushed to the edge of the range)."""
    delay = B.default_delay(example)
    assert delay == gain.established_delay(example)
    assert gain.time_zero(example) < delay < 2.3
    bands = B.initial_bands(example)
    assert [b.name for b in bands][:2] == ["GSB", "SE"]
    assert "PIA" in [b.name for b in bands]
    for pump in example["pump"].values:
        fit = B.deconvolve_at(example, pump=pump)
        assert fit.delay == pytest.approx(delay)
        assert fit.converged and fit.warnings == (), fit.warnings
    # the induced absorption peaks beyond the red edge: its centre is held, not fitted
    pia = B.initial_bands(example, 2.3)[-1]
    assert pia.name == "PIA" and "center_nm" not in pia.vary
    assert B.deconvolve_at(example, 2.3).warnings == ()


def test_defaults_follow_a_band_edge_at_580_nm(edge580):
    delay = B.default_delay(edge580)
    assert gain.time_zero(edge580) < delay < 3.0
    bands = {b.name: b for b in B.initial_bands(edge580)}
    assert bands["GSB"].center_nm == pytest.approx(580.0, abs=3.0)
    assert bands["SE"].center_nm == pytest.approx(595.0, abs=3.0)
    fit = B.deconvolve_at(edge580)
    assert fit.converged and fit.warnings == (), fit.warnings
    assert fit.band("GSB").center_nm == pytest.approx(580.0, abs=3.0)
    assert fit.delay == pytest.approx(delay)


def test_real_measurement_defaults(shared_data):
    """The dye (no A0, no PL): neutral names, a default delay after its time zero (1.10 ps at
    its 530 nm bleach: 1.15 ps), and a fit that converges."""
    path = shared_data / "hippius2007_ta.ascii"
    ds = qdwidgets.open_dataset(path, format="glotaran", signal_unit="mOD")
    delay = B.default_delay(ds)
    assert gain.time_zero(ds) < delay < 2.0
    fit = B.deconvolve_at(ds)
    names = [b.name for b in fit.bands]
    assert "GSB" not in names and "SE" not in names and names[0] == "band 1"
    assert fit.converged
    assert fit.band("band 1").center_nm == pytest.approx(531, abs=3)
    cmp = B.compare(ds)
    with pytest.raises(FitError, match=r"no band 'SE' in the fit at pump 0; bands are \['band 1'"):
        cmp.ratio()
    assert cmp.ratio("band 2", "band 1")[0] > 0


def test_delay_without_a_rise_is_where_the_band_edge_signal_is_largest():
    y = TRUTH[0].curve(WL)
    ds = xr.Dataset(
        {"dA": (("delay", "wavelength"), np.stack([y, 2 * y, 1.5 * y]), {"units": "OD"})},
        coords={
            "delay": ("delay", [2.0, 5.0, 9.0], {"units": "ps"}),
            "wavelength": ("wavelength", WL, {"units": "nm"}),
        },
    )
    assert B.default_delay(ds) == 5.0
    flat = ds.assign(dA=ds["dA"] * 0.0)
    with pytest.raises(FitError, match="zero at the band edge"):
        B.default_delay(flat)


def test_band_fits_always_validate():
    """A dataset tagged qd_kind='ta' with ΔA in mOD is converted to OD, not trusted as is."""
    y = TRUTH[0].curve(WL) * 1000.0  # mOD
    ds = xr.Dataset(
        {"dA": (("pump", "delay", "wavelength"), np.stack([y, y])[None], {"units": "mOD"})},
        coords={
            "pump": ("pump", [1.0], {"units": "nJ"}),
            "delay": ("delay", [1.0, 2.0], {"units": "ps"}),
            "wavelength": ("wavelength", WL, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )
    spec = B.spectrum_at(ds, 1.0)
    assert float(spec.min()) == pytest.approx(-0.012, rel=1e-6)
    assert spec.attrs.get("units") in (None, "OD")
    with pytest.raises(DatasetError):
        B.spectrum_at(ds.assign_attrs(qd_kind="ta").drop_vars("wavelength"), 1.0)


# -- options checked at the entry -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda ds, s: B.deconvolve(s, ROUGH, wavelength_range=(700, 600)),
            "wavelength_range must have low < high",
        ),
        (
            lambda ds, s: B.deconvolve(s, ROUGH, wavelength_range=(600, math.nan)),
            "wavelength_range must be finite",
        ),
        (lambda ds, s: B.deconvolve(s, ROUGH, max_nfev=0), r"max_nfev must be an integer in \[1"),
        (lambda ds, s: B.deconvolve(s, ROUGH, max_nfev=2.5), "max_nfev must be an integer"),
        (lambda ds, s: B.spectrum_at(ds, math.nan), "delay must be finite"),
        (lambda ds, s: B.spectrum_at(ds, 1.0, pump=math.inf), "pump must be finite"),
        (lambda ds, s: B.initial_bands(ds, 1.0, se_shift_nm=-5), "se_shift_nm must be in"),
        (lambda ds, s: B.initial_bands(ds, 1.0, gsb_shape="lorentz"), "gsb_shape must be one of"),
        (lambda ds, s: B.compare(ds, 1.0, pumps=[1.0, math.nan]), "pumps holds NaN"),
        (lambda ds, s: B.compare(ds, 1.0, pumps=[]), "pumps"),
        (lambda ds, s: B.evaluate(TRUTH, [600.0, math.nan]), "wavelength holds NaN"),
        (lambda ds, s: B.evaluate(TRUTH, [-600.0]), "wavelength must be > 0"),
        (lambda ds, s: B.make_template(s, max_points=2), r"max_points must be an integer in \[5"),
    ],
)
def test_bad_options_name_the_argument(call, match):
    s = spectrum(TRUTH)
    ds = xr.Dataset(
        {"dA": (("delay", "wavelength"), np.stack([s.values, s.values]), {"units": "OD"})},
        coords={
            "delay": ("delay", [1.0, 2.0], {"units": "ps"}),
            "wavelength": ("wavelength", WL, {"units": "nm"}),
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ArgumentError, match=match):
            call(ds, s)


def test_the_figure_of_a_doubtful_fit_says_so():
    import matplotlib.pyplot as plt

    clean = B.deconvolve(spectrum(TRUTH, snr=1000), ROUGH)
    loud = B.deconvolve(spectrum(TRUTH, snr=100), ROUGH, max_nfev=3)
    texts = [t for t in clean.plot().axes[0].texts if t.get_gid() == "warnings"]
    assert texts == []
    texts = [t for t in loud.plot().axes[0].texts if t.get_gid() == "warnings"]
    assert len(texts) == 1 and texts[0].get_text().startswith("warning: the band fit did not")
    plt.close("all")
