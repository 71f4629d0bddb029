"""Plot options and edge cases: round trips, threshold data and Fig. 3, delay axes, errors,
the registry, real measurements."""

from __future__ import annotations

import dataclasses
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from plot_cases import (
    BUILD,
    _ase,
    _check_threshold_axes,
    _check_trace,
    _criteria,
    _lamp_curve,
    _ta,
    _threshold,
    gid,
    line,
    same,
)

import qdwidgets
from qdwidgets import plots
from qdwidgets.results import Result


@pytest.fixture(autouse=True)
def _close_all() -> Any:
    yield
    plt.close("all")


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
    assert not fit.converged
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


def test_log_log_criterion_on_log_axes() -> None:
    """The log-log criterion is fitted in ln(power), ln(output): drawn on log axes in mW."""
    from qdwidgets.core import threshold

    ds, _ = qdwidgets.simulate.ase(noise=0.002, seed=3)
    crit = next(c for c in threshold.criteria(ds, "mirror").criteria if "log-log" in c.name)
    assert crit.converged
    fig = crit.plot()
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    same(line(fig, "threshold").get_xdata(), [crit.threshold_mW] * 2)
    band = gid(fig, "ci")[0]
    same((band.get_x(), band.get_x() + band.get_width()), crit.ci_mW)
    below = crit.fit.below_line
    drawn = line(fig, "below_line")
    same(np.log(drawn.get_ydata()), below(np.log(drawn.get_xdata())))  # a power law
    assert "(mW)" in ax.get_xlabel()
    assert any("W cm⁻²" in a.xaxis.get_label().get_text() for a in ax.child_axes)


def test_kinetics_series_overlay_is_fig_2f() -> None:
    """overlay=True: both pump levels in one panel (Fig. 2f), residuals in one panel below."""
    res = BUILD["KineticsSeries"]()
    fig = res.plot(overlay=True)
    assert len(fig.axes) == 2
    top, bottom = fig.axes
    data = [a for a in top.lines if a.get_gid() == "data"]
    fits = [a for a in top.lines if a.get_gid() == "best_fit"]
    resid = [a for a in bottom.lines if a.get_gid() == "residual"]
    assert len(data) == len(fits) == len(resid) == len(res.fits)
    for fit, d, m, r in zip(res.fits, data, fits, resid, strict=True):
        same(d.get_ydata(), fit.best_fit.values + fit.residual.values)
        same(m.get_ydata(), fit.best_fit.values)
        same(r.get_ydata(), fit.residual.values)
        assert d.get_color() == m.get_color() == r.get_color()  # one colour per pump level
    assert len({d.get_color() for d in data}) == len(res.fits)
    text = "\n".join(t.get_text() for t in top.get_legend().get_texts())
    assert all(label in text for label in res.labels)


def test_criteria_with_the_dataset_show_each_curve() -> None:
    from qdwidgets.core import threshold

    res, ase = _criteria(), _ase()
    fig = res.plot(data=ase)
    panels = fig.axes[1:]
    wanted = {
        "two-line intersection": threshold.enhancement(ase, "lamp"),
        "linewidth narrowing onset": threshold.linewidth(ase).sel(feedback="lamp", drop=True),
        "log-log slope change": threshold.peak_output(ase).sel(feedback="lamp", drop=True),
    }
    for c, ax in zip(res.criteria, panels, strict=True):
        curve = wanted[c.name].dropna("power")
        curve = curve.where(curve["power"] > 0, drop=True) if "log-log" in c.name else curve
        pts = next(a for a in ax.lines if a.get_gid() == "data")
        same(pts.get_xdata(), curve["power"].values)
        same(pts.get_ydata(), curve.values)
    assert "(nm)" in panels[1].get_ylabel()  # the linewidth panel labels its FWHM in nm


def test_gain_window_lasting_to_the_last_delay_is_open_ended() -> None:
    from qdwidgets.core import gain

    delay = np.concatenate([np.arange(-3.0, 0.0, 0.25), np.arange(0.0, 20.0, 0.1)])
    ds, _ = qdwidgets.simulate.ta(
        pump=(500.0,), delay=delay, wavelength=np.arange(600.0, 680.0), trap_fraction=0.0
    )
    window = gain.gain_window(ds, 639.0)
    assert window.lasts_to_end == (True,)
    fig = window.plot(last_delay=float(delay[-1]))
    bar = line(fig, "gain[0]").get_xdata()
    same(bar, [window.onset[0], delay[-1]])  # drawn to the last measured delay …
    assert gid(fig, "lasts[0]")  # … and says it lasts past it
    bar = line(window.plot(), "gain[0]").get_xdata()  # the last delay unknown: a decade on
    same(bar, [window.onset[0], 10 * window.onset[0]])


def test_real_measurement_global_fit_draws_eas(shared_data: Any) -> None:
    """Hippius et al. 2007, sequential model: one panel of EAS (no pump axis), τ in the legend."""
    from qdwidgets.core import kinetics

    ds = qdwidgets.open_dataset(shared_data / "hippius2007_ta.ascii")
    fit = kinetics.fit_global(ds.isel(wavelength=slice(0, None, 10)), 3, model="sequential")
    assert "pump" not in fit.das.dims
    fig = fit.plot()
    assert len(fig.axes) == 1
    for k, comp in enumerate(fit.das["component"].values):
        same(line(fig, f"EAS[{comp}]").get_ydata(), fit.das.isel(component=k).values)
    ax = fig.axes[0]
    assert ax.get_ylabel().startswith("EAS") and "(nm)" in ax.get_xlabel()
    text = "\n".join(t.get_text() for t in ax.get_legend().get_texts())
    assert all(plots.kinetics.fmt_time(t) in text for t in fit.taus)
