"""Static matplotlib figures of every result (``result.plot()``, ``qdwidgets.plots.plot``).

Every Result subclass in qdwidgets is discovered by walking the package; each must have a
plotter and a builder here (a real instance from the examples/simulators through the public
core functions) and a check of what is drawn: the drawn data equal the result's arrays (to
float64 round-off, rtol 1e-12), labels carry units, markers sit at the result's values.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import qdwidgets
from qdwidgets import plots
from qdwidgets.results import Result

RTOL = 1e-12


# -- discovery --------------------------------------------------------------------------------


def _result_classes() -> dict[str, type]:
    for mod in pkgutil.walk_packages(qdwidgets.__path__, "qdwidgets."):
        importlib.import_module(mod.name)
    found: dict[str, type] = {}
    todo = list(Result.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("qdwidgets."):
            found[cls.__qualname__] = cls
    return found


# -- builders: real instances through the public functions ------------------------------------

_CACHE: dict[str, Any] = {}


def _ta() -> Any:
    if "ta" not in _CACHE:
        _CACHE["ta"] = qdwidgets.examples.ta()
    return _CACHE["ta"]


def _ase() -> Any:
    if "ase" not in _CACHE:
        _CACHE["ase"] = qdwidgets.examples.ase()
    return _CACHE["ase"]


def _small_ta() -> Any:
    """The example TA around the band edge, every 3rd wavelength (fast fits)."""
    return _ta().sel(wavelength=slice(560, 720)).isel(wavelength=slice(None, None, 3))


def _cached(name: str, make: Callable[[], Any]) -> Any:
    if name not in _CACHE:
        _CACHE[name] = make()
    return _CACHE[name]


def _series() -> Any:
    from qdwidgets.core import kinetics

    return _cached("series", lambda: kinetics.fit_kinetics(_ta(), wavelength=639.0))


def _comparison() -> Any:
    from qdwidgets.core import bands

    return _cached("comparison", lambda: bands.compare(_small_ta(), 2.3))


def _threshold() -> Any:
    from qdwidgets.core import threshold

    return _cached("threshold", lambda: threshold.fit_dataset(_ase(), feedback="lamp"))


def _criteria() -> Any:
    from qdwidgets.core import threshold

    return _cached("criteria", lambda: threshold.criteria(_ase(), "lamp"))


def _lamp_curve() -> Any:
    from qdwidgets.core import threshold

    return threshold.signal_curve(_ase(), "lamp", "enhancement")


def _cross_section() -> Any:
    from qdwidgets.core.occupancy import fit_cross_section

    ds, _ = qdwidgets.simulate.ta(
        pump=(25.0, 50.0, 100.0, 200.0, 400.0),
        delay=np.array([-3.0, -2.0, -1.0, 0.0, 1500.0, 2000.0]),
        wavelength=np.array([630.0, 639.0, 648.0]),
        seed=1,
    )
    late = ds["dA"].sel(wavelength=639.0).isel(delay=slice(-2, None)).mean("delay")
    return fit_cross_section(ds["pump"], late)


def _explorer() -> Any:
    from qdwidgets.widgets.ta_explorer import TAExplorer

    return TAExplorer(_ta(), pump=1, delay=2.3).result


def _global() -> Any:
    from qdwidgets.core import kinetics

    sub = _ta().isel(wavelength=slice(150, 250, 4))
    return _cached("global", lambda: kinetics.fit_global(sub, 3))


BUILD: dict[str, Callable[[], Any]] = {
    "GainSpectrum": lambda: __import__("qdwidgets.core.gain").core.gain.gain_spectrum(_ta(), 2.3),
    "GainWindow": lambda: __import__("qdwidgets.core.gain").core.gain.gain_window(_ta(), 639.0),
    "ExplorerResult": _explorer,
    "KineticsSeries": _series,
    "KineticsFit": lambda: _series()[1],
    "GlobalFit": _global,
    "SVDResult": lambda: __import__("qdwidgets.core.kinetics").core.kinetics.svd(_small_ta()),
    "Band": lambda: __import__("qdwidgets.core.bands").core.bands.Band("GSB", 639.0, 25.0, -0.01),
    "BandFit": lambda: _comparison().fits[1],
    "BandComparison": _comparison,
    "ThresholdFit": _threshold,
    "LineFit": lambda: _threshold().below_line,
    "Criterion": lambda: _criteria().criteria[0],
    "ThresholdCriteria": _criteria,
    "CrossSectionFit": _cross_section,
    "TATruth": lambda: qdwidgets.simulate.ta(
        delay=np.array([-1.0, 0.0, 1.0]), wavelength=np.array([630.0, 640.0])
    )[1],
    "ASETruth": lambda: qdwidgets.simulate.ase()[1],
    "GainLessonResult": lambda: __import__("qdwidgets.core.lesson").core.lesson.gain_lesson(2.0),
}

# Result classes that deliberately have no figure (none so far: even Band draws its curve).
EXCLUDED: frozenset[str] = frozenset()


# -- helpers ----------------------------------------------------------------------------------


def gid(fig: Any, name: str) -> list[Any]:
    return fig.findobj(lambda a: a.get_gid() == name)


def line(fig: Any, name: str) -> Any:
    found = [a for a in gid(fig, name) if isinstance(a, matplotlib.lines.Line2D)]
    assert len(found) == 1, f"expected one line {name!r}, found {len(found)}"
    return found[0]


def same(a: Any, b: Any) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=RTOL, atol=0)


def legend_text(ax: Any) -> str:
    leg = ax.get_legend()
    return "\n".join(t.get_text() for t in leg.get_texts()) if leg else ""


@pytest.fixture(autouse=True)
def _close_all() -> Any:
    yield
    plt.close("all")


# -- checks per class: what is drawn ----------------------------------------------------------


def check_gain_spectrum(fig: Figure, res: Any) -> None:
    ax = fig.axes[0]
    wl = res.a_ex["wavelength"].values
    for i in range(len(res.pump)):
        ln = line(fig, f"a_ex[{i}]")
        same(ln.get_xdata(), wl)
        same(ln.get_ydata(), res.a_ex.isel(pump=i).values)
        assert bool(gid(fig, f"gain[{i}]")) == res.has_gain[i]
        if res.has_gain[i]:
            pk = line(fig, f"peak[{i}]")
            same(pk.get_xydata()[0], (res.peak_wavelength[i], res.depth[i]))
    assert res.has_gain[-1]  # ⟨N⟩ ≈ 3 has gain at 2.3 ps
    same(line(fig, "zero").get_ydata(), [0, 0])
    assert "(nm)" in ax.get_xlabel() and "(OD)" in ax.get_ylabel()


def check_gain_window(fig: Figure, res: Any) -> None:
    ax = fig.axes[0]
    for i in range(len(res.pump)):
        x = line(fig, f"gain[{i}]").get_xdata()
        same(x[0], res.onset[i])
        same(x[-1], res.end[i])
    assert "(ps)" in ax.get_xlabel() and ax.get_xscale() == "symlog"


def check_explorer(fig: Figure, res: Any) -> None:
    same(line(fig, "cursor").get_xdata(), [res.wavelength] * 2)
    same(line(fig, "cursor_point").get_xydata()[0], (res.wavelength, res.a_ex))
    a = line(fig, f"a_ex[{res.pump_index}]")
    same(a.get_ydata(), res.gain.a_ex.isel(pump=res.pump_index).values)
    same(line(fig, "crossings").get_ydata(), res.crossings)
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert ticks == [f"{p:g} {res.pump_units}".strip() for p in res.gain.pump]
    assert "(ps)" in fig.axes[1].get_ylabel()


def _check_trace(fig: Figure, ax: Any, fit: Any) -> None:
    data = next(a for a in ax.lines if a.get_gid() == "data")
    model = next(a for a in ax.lines if a.get_gid() == "best_fit")
    same(data.get_xdata(), fit.best_fit["delay"].values)
    same(data.get_ydata(), fit.best_fit.values + fit.residual.values)
    same(model.get_ydata(), fit.best_fit.values)
    assert ax.get_xscale() == "symlog" and "(OD)" in ax.get_ylabel()
    text = legend_text(ax)
    for tau in fit.taus:
        assert plots.kinetics.fmt_time(tau) in text
    for share in fit.fractions:
        assert f"{share:.3g} %" in text


def check_kinetics_fit(fig: Figure, res: Any) -> None:
    _check_trace(fig, fig.axes[0], res)
    same(line(fig, "residual").get_ydata(), res.residual.values)
    assert "(ps)" in fig.axes[1].get_xlabel()
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim()  # shared delay axis


def check_kinetics_series(fig: Figure, res: Any) -> None:
    n = len(res.fits)
    assert len(fig.axes) == 2 * n
    for i, fit in enumerate(res.fits):
        _check_trace(fig, fig.axes[i], fit)
        resid = next(a for a in fig.axes[n + i].lines if a.get_gid() == "residual")
        same(resid.get_ydata(), fit.residual.values)


def check_global_fit(fig: Figure, res: Any) -> None:
    das = res.das
    assert len(fig.axes) == das.sizes["pump"]
    for p in range(das.sizes["pump"]):
        for k, comp in enumerate(das["component"].values):
            ln = line(fig, f"DAS[{comp}][{p}]")
            same(ln.get_ydata(), das.isel(pump=p, component=k).values)
        text = legend_text(fig.axes[p])
        assert all(plots.kinetics.fmt_time(t) in text for t in res.taus)
    assert "(nm)" in fig.axes[0].get_xlabel() and "(OD)" in fig.axes[0].get_ylabel()


def check_svd(fig: Figure, res: Any) -> None:
    same(line(fig, "singular_values").get_ydata(), res.singular_values.values)
    assert len(line(fig, "significant").get_ydata()) == min(
        res.n_significant, res.singular_values.size
    )
    same(line(fig, "noise_level").get_ydata(), [res.noise_level] * 2)
    assert fig.axes[0].get_yscale() == "log"
    for p in range(res.spectra.sizes["pump"]):
        drawn = line(fig, f"spectrum[0][{p}]").get_ydata()
        same(drawn, res.spectra.isel(component=0, pump=p).values)
    same(line(fig, "kinetics[0]").get_ydata(), res.kinetics.isel(component=0).values)


def check_band(fig: Figure, res: Any) -> None:
    ln = line(fig, "band")
    same(ln.get_ydata(), res.curve(ln.get_xdata()))
    assert np.min(ln.get_ydata()) == pytest.approx(res.amplitude, rel=1e-12)  # peak drawn
    blue, red = res.half_max_nm()
    same(line(fig, "handles").get_xdata(), [blue, res.center_nm, red])
    assert "(OD)" in fig.axes[0].get_ylabel()


def _check_band_panel(ax: Any, res: Any) -> None:
    data = next(a for a in ax.lines if a.get_gid() == "data")
    same(data.get_ydata(), res.spectrum.values)
    best = next(a for a in ax.lines if a.get_gid() == "best_fit")
    same(best.get_ydata(), res.best_fit.values)
    fills = [c for c in ax.collections if str(c.get_gid()).startswith("band[")]
    assert [c.get_gid() for c in fills] == [f"band[{n}]" for n in res.names]
    text = legend_text(ax)
    for name, share in res.shares.items():
        assert f"{name} {share:.3g} %" in text
    assert sum(res.shares.values()) == pytest.approx(100.0)


def check_band_fit(fig: Figure, res: Any) -> None:
    _check_band_panel(fig.axes[0], res)
    same(line(fig, "residual").get_ydata(), res.residual.values)
    assert "(nm)" in fig.axes[1].get_xlabel() and "(OD)" in fig.axes[0].get_ylabel()


def check_band_comparison(fig: Figure, res: Any) -> None:
    n = len(res.fits)
    assert len(fig.axes) == 2 * n
    for i, f in enumerate(res.fits):
        _check_band_panel(fig.axes[i], f)
    for ax in fig.axes[:n]:  # a shared ΔA scale, as in Fig. 2d vs 2e
        assert ax.get_ylim() == fig.axes[0].get_ylim()
    colour: dict[str, Any] = {}  # a band keeps its colour from panel to panel
    for c in fig.findobj(lambda a: str(a.get_gid()).startswith("band[")):
        rgba = tuple(np.round(c.get_facecolor()[0], 6))
        assert colour.setdefault(c.get_gid(), rgba) == rgba
    assert len(set(colour.values())) == len(colour)


def _check_threshold_axes(fig: Figure, fit: Any) -> None:
    ax = fig.axes[0]
    same(line(fig, "threshold").get_xdata(), [fit.threshold_mW] * 2)
    ci = gid(fig, "ci")[0]
    same((ci.get_x(), ci.get_x() + ci.get_width()), fit.ci)
    x, y = line(fig, "intersection").get_xydata()[0]
    same(x, fit.threshold_mW)
    np.testing.assert_allclose(y, fit.above_line(x), rtol=1e-9)  # on both lines
    for name, ln in (("below", fit.below_line), ("above", fit.above_line)):
        drawn = line(fig, f"{name}_line")
        same(drawn.get_ydata(), ln(drawn.get_xdata()))
        win = gid(fig, f"{name}_window")[0]
        same((win.get_x(), win.get_x() + win.get_width()), ln.window)
    assert "(mW)" in ax.get_xlabel()
    tops = [c for c in ax.child_axes if "W cm⁻²" in c.xaxis.get_label().get_text()]
    assert len(tops) == 1
    assert fit.summary() in legend_text(ax)


def check_threshold_fit(fig: Figure, res: Any) -> None:
    _check_threshold_axes(fig, res)
    assert not gid(fig, "data")  # the fit holds no points; see the test with data=
    assert res.threshold_mW == pytest.approx(150.0, abs=10.0)  # the example's lamp threshold


def check_line_fit(fig: Figure, res: Any) -> None:
    ln = line(fig, "line")
    same(ln.get_ydata(), res.slope * np.asarray(ln.get_xdata()) + res.intercept)
    same(ln.get_xdata()[[0, -1]], res.window)
    assert "(mW)" in fig.axes[0].get_xlabel()


def check_criterion(fig: Figure, res: Any) -> None:
    assert res.found
    _check_threshold_axes(fig, res.fit)
    assert fig.axes[0].get_title() == res.name
    assert "(a.u.)" in fig.axes[0].get_ylabel()


def check_criteria(fig: Figure, res: Any) -> None:
    assert len(fig.axes) == 1 + len(res.criteria)
    summary = fig.axes[0]
    labels = [t.get_text() for t in summary.get_yticklabels()]
    assert labels == [c.name for c in res.criteria]
    for i, c in enumerate(res.criteria):
        if c.found:
            point = [a for a in gid(fig, f"criterion[{i}]") if isinstance(a, plt.Line2D)]
            same(point[0].get_xydata()[0], (c.threshold_mW, i))
        else:
            assert gid(fig, f"not_found[{i}]")
    assert any(c.found for c in res.criteria)
    titles = [a.get_title() for a in fig.axes[1:] if a.get_title()]
    assert titles == [c.name for c in res.criteria]
    for c, ax in zip(res.criteria, fig.axes[1:], strict=True):  # W cm⁻² on top where found
        tops = [a.xaxis.get_label().get_text() for a in ax.child_axes]
        assert any("W cm⁻²" in t for t in tops) == c.found


def check_cross_section(fig: Figure, res: Any) -> None:
    same(line(fig, "data").get_xydata(), np.column_stack([res.pump, res.late_bleach]))
    model = line(fig, "model")
    same(model.get_ydata(), res.model(model.get_xdata()))
    ax = fig.axes[0]
    assert "(nJ)" in ax.get_xlabel() and "(OD)" in ax.get_ylabel()
    assert any("⟨N⟩" in c.xaxis.get_label().get_text() for c in ax.child_axes)


def check_ta_truth(fig: Figure, res: Any) -> None:
    a0 = line(fig, "A0")
    same(a0.get_ydata(), res.a0(a0.get_xdata()))
    se = line(fig, "shape[se]")
    same(se.get_ydata(), res.shapes(se.get_xdata())["se"])
    for i in range(len(res.pump)):
        n1s = line(fig, f"n_1S[{i}]")
        same(n1s.get_ydata(), res.populations(n1s.get_xdata())["n_1S"].isel(pump=i).values)
    same(line(fig, "transparency").get_ydata(), [1, 1])


def check_ase_truth(fig: Figure, res: Any) -> None:
    for i, f in enumerate(res.feedback):
        ln = line(fig, f"peak[{f}]")
        same(ln.get_ydata(), res.peak(ln.get_xdata())[i])
    for f, p in res.thresholds_mW.items():
        same(line(fig, f"threshold[{f}]").get_xdata(), [p, p])
    assert "(mW)" in fig.axes[0].get_xlabel()


def check_gain_lesson(fig: Figure, res: Any) -> None:
    bars = gid(fig, "occupancy")
    heights = [b.get_height() for b in bars if isinstance(b, matplotlib.patches.Rectangle)]
    same(heights, res.occupancy.values)
    same(line(fig, "spectrum").get_ydata(), res.spectrum.values)
    same(line(fig, "A0").get_ydata(), res.a0.values)
    same(line(fig, "trace").get_ydata(), res.trace.values)
    assert res.has_gain  # ⟨N⟩ = 2 > 1.15
    win = gid(fig, "gain_window")[0]
    same(win.get_x(), res.onset)
    assert "(nm)" in fig.axes[1].get_xlabel() and "(OD)" in fig.axes[1].get_ylabel()
    assert "(ps)" in fig.axes[2].get_xlabel()


CHECK: dict[str, Callable[[Figure, Any], None]] = {
    "GainLessonResult": check_gain_lesson,
    "GainSpectrum": check_gain_spectrum,
    "GainWindow": check_gain_window,
    "ExplorerResult": check_explorer,
    "KineticsFit": check_kinetics_fit,
    "KineticsSeries": check_kinetics_series,
    "GlobalFit": check_global_fit,
    "SVDResult": check_svd,
    "Band": check_band,
    "BandFit": check_band_fit,
    "BandComparison": check_band_comparison,
    "ThresholdFit": check_threshold_fit,
    "LineFit": check_line_fit,
    "Criterion": check_criterion,
    "ThresholdCriteria": check_criteria,
    "CrossSectionFit": check_cross_section,
    "TATruth": check_ta_truth,
    "ASETruth": check_ase_truth,
}


# -- tests ------------------------------------------------------------------------------------


def test_every_result_class_has_a_plotter_and_a_check() -> None:
    classes = _result_classes()
    wanted = set(classes) - EXCLUDED
    missing = []
    for name in sorted(wanted):
        try:
            plots.plotter_for(classes[name])
        except TypeError:
            missing.append(name)
    assert not missing, f"result classes without a plotter: {missing}"
    assert wanted == set(BUILD) == set(CHECK)


@pytest.mark.parametrize("name", sorted(CHECK))
def test_plot_draws_the_result(name: str) -> None:
    res = BUILD[name]()
    assert type(res).__name__ == name
    before = plt.get_fignums()
    fig = res.plot()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before  # detached: shown once in a notebook, nothing leaks
    CHECK[name](fig, res)
    fig.canvas.draw()  # renders without error (Agg)


@pytest.mark.parametrize("name", sorted(CHECK))
def test_plot_into_existing_axes(name: str) -> None:
    res = BUILD[name]()
    fig, ax = plt.subplots()
    out = plots.plot(res, ax=ax)
    assert out is ax
    assert fig.axes[0] is ax
    drawn = [a for a in (*ax.lines, *ax.collections, *ax.patches) if a.get_gid()]
    assert drawn, "nothing identifiable was drawn into the given axes"
    assert ax.get_xlabel()
    fig.canvas.draw()


@pytest.mark.parametrize("name", ["KineticsFit", "BandFit", "GainSpectrum", "ThresholdFit"])
def test_plot_after_round_trip_draws_the_same(name: str) -> None:
    """The figure uses the result's own fields only: from_dict(to_dict()) draws the same."""
    res = BUILD[name]()
    again = type(res).from_dict(res.to_dict())
    a, b = res.plot(), again.plot()
    lines_a = [(ln.get_gid(), ln.get_xydata()) for ln in a.findobj(plt.Line2D) if ln.get_gid()]
    lines_b = [(ln.get_gid(), ln.get_xydata()) for ln in b.findobj(plt.Line2D) if ln.get_gid()]
    assert [g for g, _ in lines_a] == [g for g, _ in lines_b] and lines_a
    for (_, xa), (_, xb) in zip(lines_a, lines_b, strict=True):
        same(xa, xb)


def test_threshold_fit_with_data_draws_the_points() -> None:
    res, curve = _threshold(), _lamp_curve()
    fig = res.plot(data=curve)
    same(line(fig, "data").get_xdata(), curve["power"].values)
    same(line(fig, "data").get_ydata(), curve.values)
    _check_threshold_axes(fig, res)
    fig2 = res.plot(data=(curve["power"].values, curve.values))
    same(line(fig2, "data").get_ydata(), curve.values)


def test_threshold_fit_with_the_dataset_is_fig3() -> None:
    """Fig. 3c: outputs without/with the lamp on the left, enhancement and fit on the right."""
    from qdwidgets.core import threshold

    res, ase = _threshold(), _ase()
    fig = res.plot(data=ase, feedback="lamp")
    out = threshold.peak_output(ase)
    for name in ("none", "lamp"):
        same(line(fig, f"output[{name}]").get_ydata(), out.sel(feedback=name).values)
    left = fig.axes[0]
    twin = next(a for a in fig.axes if a.get_gid() == "enhancement_axes")
    assert twin.get_shared_x_axes().joined(left, twin)
    enh = threshold.enhancement(ase, "lamp")
    same(line(fig, "data").get_ydata(), enh.values)
    same(line(fig, "threshold").get_xdata(), [res.threshold_mW] * 2)
    assert "(mW)" in left.get_xlabel()
    assert "enhancement" in twin.get_ylabel() and "peak emission" in left.get_ylabel()


def test_threshold_fit_not_found_says_so() -> None:
    from qdwidgets.core import threshold

    power = np.linspace(0.0, 500.0, 51)
    signal = 2.0 * power + 1.0 + np.random.default_rng(2).normal(0.0, 1.0, power.size)
    fit = threshold.find_threshold(power, signal, spot_diameter_mm=1.0)  # a straight line
    assert not fit.found
    fig = fit.plot(data=(power, signal))
    assert "no threshold" in gid(fig, "no_threshold")[0].get_text()
    assert not gid(fig, "threshold") and not gid(fig, "ci")
    same(line(fig, "data").get_ydata(), signal)


def test_kinetics_delay_axis_is_linear_then_log() -> None:
    fig = BUILD["KineticsFit"]().plot(linthresh=5.0)
    scale = fig.axes[0].xaxis.get_transform()
    assert scale.linthresh == 5.0
    # equal steps inside ±5 ps map to equal distances; beyond it decades do
    f = scale.transform
    same(
        f(np.array([2.0]))[0] - f(np.array([1.0]))[0], f(np.array([4.0]))[0] - f(np.array([3.0]))[0]
    )
    np.testing.assert_allclose(
        f(np.array([1000.0]))[0] - f(np.array([100.0]))[0],
        f(np.array([100.0]))[0] - f(np.array([10.0]))[0],
        rtol=1e-12,
    )


def test_unregistered_result_raises_a_clear_type_error() -> None:
    @dataclasses.dataclass(frozen=True, repr=False, eq=False)
    class Lonely(Result):
        x: float = 1.0

    with pytest.raises(TypeError, match="Lonely") as info:
        Lonely().plot()
    assert "register" in str(info.value)
    with pytest.raises(TypeError, match="Axes"):
        plots.plot(BUILD["Band"](), ax="not an axes")


def test_explorer_without_a0_and_window_without_gain() -> None:
    res = dataclasses.replace(BUILD["ExplorerResult"](), gain=None, a_ex=float("nan"))
    fig = res.plot()
    same(line(fig, "cursor_point").get_xydata()[0], (res.wavelength, res.dA))
    assert "no A0" in fig.axes[0].get_title()
    from qdwidgets.core import gain

    window = gain.gain_window(_ta(), 500.0)  # the blue: A_ex stays positive
    assert all(np.isnan(window.onset))
    fig = window.plot()
    assert [bool(gid(fig, f"no_gain[{i}]")) for i in range(2)] == [True, True]
    assert not gid(fig, "gain[0]")


def test_real_measurement_kinetics_figure_shows_the_measured_trace(shared_data: Any) -> None:
    """Hippius et al. 2007 (real TA): the figure's data points are the measured ΔA trace."""
    from qdwidgets.core import kinetics

    ds = qdwidgets.open_dataset(shared_data / "hippius2007_ta.ascii")
    fit = kinetics.fit_kinetics(ds, wavelength=600.0)
    fig = fit.plot()
    measured = ds["dA"].isel(pump=0).sel(wavelength=600.0, method="nearest")
    drawn = line(fig, "data")
    same(drawn.get_xdata(), measured["delay"].values)
    np.testing.assert_allclose(drawn.get_ydata(), measured.values, rtol=0, atol=1e-9)
    assert f"{fit.wavelength:.4g} nm" in fig.axes[0].get_title()
    _check_trace(fig, fig.axes[0], fit)


def test_figure_options_and_unknown_keywords() -> None:
    res = BUILD["KineticsFit"]()
    fig = res.plot(figsize=(6.0, 4.0), dpi=50)
    assert tuple(fig.get_size_inches()) == (6.0, 4.0) and fig.dpi == 50
    with pytest.raises(TypeError, match="colour"):
        res.plot(colour="r")
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match="new figure only"):
        BUILD["Band"]().plot(ax=ax, figsize=(3, 3))


def test_register_and_subclasses_inherit() -> None:
    @dataclasses.dataclass(frozen=True, repr=False, eq=False)
    class Mine(Result):
        x: float = 2.0

    @dataclasses.dataclass(frozen=True, repr=False, eq=False)
    class Child(Mine):
        pass

    calls: list[tuple[Any, Any, dict[str, Any]]] = []
    plots.register(Mine, lambda r, ax=None, **kw: calls.append((r, ax, kw)) or "drawn")
    try:
        assert Child().plot(color="r") == "drawn"
        assert isinstance(calls[0][0], Child) and calls[0][2] == {"color": "r"}
    finally:
        plots._REGISTRY.pop(f"{Mine.__module__}:{Mine.__qualname__}")


def test_importing_plots_imports_no_plotter() -> None:
    import subprocess
    import sys

    code = (
        "import sys, qdwidgets.plots; "
        "print(sorted(m for m in sys.modules if m.startswith('qdwidgets.plots.') "
        "or m.startswith('qdwidgets.core') or m == 'matplotlib.pyplot'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
