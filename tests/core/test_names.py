"""One name per concept: every old name still works for one version, with a DeprecationWarning
naming the new one, and gives the same result; the ``qd`` accessor has the core's signatures."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pytest
import xarray as xr
from plot_cases import BUILD

import qdwidgets
from qdwidgets import _args
from qdwidgets._args import ArgumentError
from qdwidgets.accessor import QDAccessor
from qdwidgets.core import bands, fluence, gain, kinetics, prepare, summary, threshold
from qdwidgets.data import contract, io

POWERS = np.arange(10.0, 501.0, 10.0)  # mW
SIGNAL = np.where(POWERS < 150.0, 0.01 * POWERS, 1.5 + 0.2 * (POWERS - 150.0))


@pytest.fixture(scope="module")
def ase() -> xr.Dataset:
    return qdwidgets.examples.ase()


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


def same(a, b) -> None:
    if isinstance(a, xr.DataArray):
        xr.testing.assert_identical(a, b)
    elif isinstance(a, float):
        assert a == b
    else:
        assert a == b


def old_and_new(call, old: dict, new: dict):
    """``call`` with the old keywords (must warn, naming the new name) and with the new ones."""
    with pytest.warns(DeprecationWarning) as record:
        before = call(**old)
    text = " ".join(str(w.message) for w in record)
    for name in new:
        assert name in text, text
    return before, call(**new)


# every renamed keyword: (function, its other arguments, {old: value}, {new: value})
RENAMED_KEYWORDS = [
    ("intensity", lambda **k: threshold.intensity(150.0, 1.0, **k), "profile", "gaussian"),
    (
        "fit_lines",
        lambda **k: threshold.fit_lines(
            POWERS,
            SIGNAL,
            below=(10, 140),
            above=(160, 500),
            spot_diameter_mm=1.0,
            ci="delta",
            **k,
        ),
        "profile",
        "gaussian",
    ),
    (
        "find_threshold",
        lambda **k: threshold.find_threshold(POWERS, SIGNAL, spot_diameter_mm=1.0, n_sim=100, **k),
        "profile",
        "gaussian",
    ),
]

RENAMED_WITH_DATA = [
    ("fit_threshold", "ase", lambda d, **k: threshold.fit_threshold(d, ci="delta", **k)),
    ("peak_output", "ase", lambda d, **k: threshold.peak_output(d, **k)),
    ("enhancement", "ase", lambda d, **k: threshold.enhancement(d, **k)),
    ("linewidth", "ase", lambda d, **k: threshold.linewidth(d, **k)),
    ("spectral_snr", "ase", lambda d, **k: threshold.spectral_snr(d, **k)),
    ("signal_curve", "ase", lambda d, **k: threshold.signal_curve(d, **k)),
]


@pytest.mark.parametrize(("name", "call", "old", "value"), RENAMED_KEYWORDS)
def test_old_keyword_names_warn_and_agree(name, call, old, value):
    before, after = old_and_new(call, {old: value}, {"beam_profile": value})
    same(before, after)


@pytest.mark.parametrize(("name", "kind", "call"), RENAMED_WITH_DATA)
def test_window_nm_is_wavelength_range(name, kind, call, ase):
    window = (600.0, 700.0)
    before, after = old_and_new(
        lambda **k: call(ase, **k), {"window_nm": window}, {"wavelength_range": window}
    )
    same(before, after)


def test_profile_is_beam_profile_on_datasets(ase):
    for func in (threshold.fit_threshold, threshold.criteria):
        before, after = old_and_new(
            lambda f=func, **k: f(ase, ci="delta", spot_diameter_mm=1.0, **k),
            {"profile": "gaussian"},
            {"beam_profile": "gaussian"},
        )
        same(before, after)


def test_criteria_window_nm(ase):
    before, after = old_and_new(
        lambda **k: threshold.criteria(ase, ci="delta", **k),
        {"window_nm": (600.0, 700.0)},
        {"wavelength_range": (600.0, 700.0)},
    )
    same(before, after)


def test_x_range_is_wavelength_range(ta):
    spec = bands.spectrum_at(ta, 2.3)
    start = bands.initial_bands(ta, 2.3)
    lo, hi = float(spec.wavelength.min()) + 5.0, float(spec.wavelength.max()) - 5.0
    before, after = old_and_new(
        lambda **k: bands.deconvolve(spec, start, **k),
        {"x_range": (lo, hi)},
        {"wavelength_range": (lo, hi)},
    )
    same(before, after)
    before, after = old_and_new(
        lambda **k: bands.deconvolve_at(ta, 2.3, **k),
        {"x_range": (lo, hi)},
        {"wavelength_range": (lo, hi)},
    )
    same(before, after)
    before, after = old_and_new(
        lambda **k: bands.compare(ta, 2.3, **k),
        {"x_range": (lo, hi)},
        {"wavelength_range": (lo, hi)},
    )
    same(before, after)
    after = bands.deconvolve_at(ta, 2.3, wavelength_range=(lo, hi))
    assert after.wavelength_range == (lo, hi)
    with pytest.warns(DeprecationWarning, match="wavelength_range"):
        assert after.x_range == after.wavelength_range


def test_fit_threshold_on_arrays_and_fit_dataset_warn_and_agree(ase):
    with pytest.warns(DeprecationWarning, match="fit_lines"):
        old = threshold.fit_threshold(POWERS, SIGNAL, below=(10, 140), above=(160, 500))
    assert old == threshold.fit_lines(POWERS, SIGNAL, below=(10, 140), above=(160, 500))
    with pytest.warns(DeprecationWarning, match="fit_lines"):
        by_name = threshold.fit_threshold(
            power=POWERS, signal=SIGNAL, below=(10, 140), above=(160, 500)
        )
    assert by_name == old
    with pytest.warns(DeprecationWarning, match="fit_threshold"):
        old = threshold.fit_dataset(ase, feedback="lamp", ci="delta")
    assert old == threshold.fit_threshold(ase, feedback="lamp", ci="delta")


def test_both_names_at_once_is_an_error():
    with pytest.raises(ArgumentError, match="pass only beam_profile"):
        threshold.intensity(1.0, 1.0, profile="tophat", beam_profile="tophat")


def test_renamed_result_fields_keep_a_deprecated_property_and_old_saves_load(ase):
    fit = threshold.fit_threshold(ase, feedback="lamp", ci="delta", beam_profile="gaussian")
    assert fit.beam_profile == "gaussian"
    with pytest.warns(DeprecationWarning, match="beam_profile"):
        assert fit.profile == "gaussian"
    saved = fit.to_dict()
    saved["profile"] = saved.pop("beam_profile")  # a save from before 0.2
    assert threshold.ThresholdFit.from_dict(saved) == fit
    crit = threshold.criteria(ase, "lamp", ci="delta")
    with pytest.warns(DeprecationWarning, match="beam_profile"):
        assert crit.profile == crit.beam_profile
    saved = crit.to_dict()
    saved["profile"] = saved.pop("beam_profile")
    assert threshold.ThresholdCriteria.from_dict(saved) == crit
    assert pickle.loads(pickle.dumps(crit)) == crit


def test_saturation_fit_delay_window_is_delay_range():
    sat = BUILD["SaturationFit"]()
    with pytest.warns(DeprecationWarning, match="delay_range"):
        assert sat.delay_window == sat.delay_range
    saved = sat.to_dict()
    saved["delay_window"] = saved.pop("delay_range")  # a save from before 0.2
    assert type(sat).from_dict(saved) == sat


def test_band_fit_saved_with_x_range_loads(ta):
    fit = bands.deconvolve_at(ta, 2.3)
    saved = fit.to_dict()
    saved["x_range"] = saved.pop("wavelength_range")
    assert bands.BandFit.from_dict(saved) == fit


# the renamed keywords tested above, by function: a rename added later needs a test here
TESTED = {
    "intensity": {"profile"},
    "fit_lines": {"profile"},
    "find_threshold": {"profile"},
    "fit_threshold": {"profile", "window_nm"},
    "criteria": {"profile", "window_nm"},
    "peak_output": {"window_nm"},
    "enhancement": {"window_nm"},
    "linewidth": {"window_nm"},
    "spectral_snr": {"window_nm"},
    "signal_curve": {"window_nm"},
    "deconvolve": {"x_range"},
    "deconvolve_at": {"x_range"},
    "compare": {"x_range"},
}


def test_every_renamed_keyword_of_the_core_is_tested():
    found = {}
    for module in (threshold, bands, kinetics, gain, fluence, prepare):
        for name in getattr(module, "__all__", ()):
            renames = getattr(getattr(module, name), "__renamed__", None)
            if renames:
                found[name] = set(renames)
    assert found == TESTED


def test_the_helper_keeps_the_new_signature():
    @_args.renamed(old="new")
    def f(x: float, *, new: int = 1) -> float:
        return x * new

    assert list(inspect.signature(f).parameters) == ["x", "new"]
    with pytest.warns(
        DeprecationWarning, match=r"f\(old=\.\.\.\)' is deprecated.*f\(new=\.\.\.\)'"
    ):
        assert f(2.0, old=3) == f(2.0, new=3) == 6.0


# -- one default, one limit -------------------------------------------------------------------


def test_offset_has_one_default():
    for func in (kinetics.fit_trace, kinetics.fit_traces, kinetics.fit_global):
        assert inspect.signature(func).parameters["offset"].default is False
    assert inspect.signature(kinetics.fit_kinetics).parameters["offset"].default is False


def test_one_component_limit(ta):
    from qdwidgets.widgets._kinetics_layout import MAX_COMPONENTS as widget_limit

    assert widget_limit == kinetics.MAX_COMPONENTS
    trace = kinetics.extract_trace(ta, 639.0, pump=250.0).sel(delay=slice(2.0, None))
    too_many = kinetics.MAX_COMPONENTS + 1
    for call in (
        lambda: kinetics.fit_trace(trace, too_many),
        lambda: kinetics.fit_global(ta, too_many),
    ):
        with pytest.raises(qdwidgets.FitError, match=f"from 1 to {kinetics.MAX_COMPONENTS}"):
            call()


# -- the accessor ------------------------------------------------------------------------------

ACCESSOR = {
    "validate": contract.validate,
    "save": io.save,
    "crop": prepare.crop,
    "mask": prepare.mask,
    "subtract_background": prepare.subtract_background,
    "pipeline": prepare.pipeline,
    "summarize": summary.summarize,
    "a_ex": gain.a_ex,
    "zero_crossing": gain.zero_crossing,
    "gain_spectrum": gain.gain_spectrum,
    "fit_kinetics": kinetics.fit_kinetics,
    "fit_global": kinetics.fit_global,
    "fit_cascade": fluence.fit_cascade,
    "deconvolve": bands.deconvolve_at,
    "fit_threshold": threshold.fit_threshold,
}


@pytest.mark.parametrize("name", sorted(ACCESSOR))
def test_accessor_methods_have_the_core_signatures(name):
    core = inspect.signature(ACCESSOR[name])
    mine = inspect.signature(getattr(QDAccessor, name))
    assert list(mine.parameters.values())[1:] == list(core.parameters.values())[1:]
    assert mine.return_annotation == core.return_annotation
    kinds = {p.kind for p in mine.parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds


def test_every_accessor_method_is_compared():
    public = {n for n, v in vars(QDAccessor).items() if not n.startswith("_") and callable(v)}
    assert public - set(ACCESSOR) == {"explore"}  # a view, its options those of the widget


def test_accessor_fit_threshold_is_the_core_function(ase):
    assert ase.qd.fit_threshold(feedback="lamp", ci="delta") == threshold.fit_threshold(
        ase, feedback="lamp", ci="delta"
    )


def test_fixed_choices_are_checked_at_run_time_and_named(ase):
    with pytest.raises(
        ArgumentError, match=r"beam_profile must be one of \['tophat', 'gaussian'\]"
    ):
        threshold.fit_threshold(ase, beam_profile="flat")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="method must be one of"):
        threshold.peak_output(ase, method="mean")  # type: ignore[arg-type]
    with pytest.raises(qdwidgets.FitError, match="model must be one of"):
        kinetics.fit_global(qdwidgets.examples.ta(), model="serial")  # type: ignore[arg-type]
