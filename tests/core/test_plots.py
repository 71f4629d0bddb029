"""Static matplotlib figures of every result (``result.plot()``, ``qdwidgets.plots.plot``).

Every Result subclass in qdwidgets is discovered by walking the package; each must have a
plotter, a builder in ``plot_cases`` (a real instance from the examples/simulators through the
public core functions) and a check here of what is drawn: the drawn data equal the result's
arrays (rtol 1e-12), labels carry units, markers sit at the result's values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from plot_cases import (
    BUILD,
    EXCLUDED,
    _check_threshold_axes,
    _check_trace,
    _result_classes,
    gid,
    legend_text,
    line,
    same,
)

from qdwidgets import plots


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


def check_threshold_fit(fig: Figure, res: Any) -> None:
    _check_threshold_axes(fig, res)
    points = line(fig, "data")  # the fit keeps the curve it was fitted to
    same(points.get_xdata(), res.power)
    same(points.get_ydata(), res.signal)
    assert res.threshold_mW == pytest.approx(150.0, abs=10.0)  # the example's lamp threshold


def check_line_fit(fig: Figure, res: Any) -> None:
    ln = line(fig, "line")
    same(ln.get_ydata(), res.slope * np.asarray(ln.get_xdata()) + res.intercept)
    same(ln.get_xdata()[[0, -1]], res.window)
    assert "(mW)" in fig.axes[0].get_xlabel()


def check_criterion(fig: Figure, res: Any) -> None:
    assert res.converged
    _check_threshold_axes(fig, res.fit)
    assert fig.axes[0].get_title() == res.name
    assert "(a.u.)" in fig.axes[0].get_ylabel()


def check_criteria(fig: Figure, res: Any) -> None:
    assert len(fig.axes) == 1 + len(res.criteria)
    summary = fig.axes[0]
    labels = [t.get_text() for t in summary.get_yticklabels()]
    assert labels == [c.name for c in res.criteria]
    for i, c in enumerate(res.criteria):
        if c.converged:
            point = [a for a in gid(fig, f"criterion[{i}]") if isinstance(a, plt.Line2D)]
            same(point[0].get_xydata()[0], (c.threshold_mW, i))
        else:
            assert gid(fig, f"not_found[{i}]")
    assert any(c.converged for c in res.criteria)
    titles = [a.get_title() for a in fig.axes[1:] if a.get_title()]
    assert titles == [c.name for c in res.criteria]
    for c, ax in zip(res.criteria, fig.axes[1:], strict=True):  # W cm⁻² on top where found
        tops = [a.xaxis.get_label().get_text() for a in ax.child_axes]
        assert any("W cm⁻²" in t for t in tops) == c.converged


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


def check_raw_ta(fig: Figure, res: Any) -> None:
    for name in ("noise", "baseline", "scatter"):
        same(line(fig, name).get_ydata(), getattr(res, name).values)
    clean = res.clean["dA"].transpose("pump", "delay", "wavelength").values[-1]
    j = int(np.argmax(np.abs(clean).max(axis=0)))
    same(line(fig, "clean").get_ydata(), clean[:, j])
    for i, scan in enumerate(res.scans):
        values = scan["dA"].transpose("pump", "delay", "wavelength").values[-1, :, j]
        same(line(fig, f"scan[{i}]").get_ydata(), values)
    same(
        line(fig, "solvent").get_ydata(), res.solvent["dA"].values.reshape(-1, clean.shape[1])[:, j]
    )


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


def check_cascade_fit(fig: Figure, res: Any) -> None:
    for i in range(res.best_fit.sizes["pump"]):
        same(line(fig, f"data[{i}]").get_ydata(), res.data.values[i])
        same(line(fig, f"best_fit[{i}]").get_ydata(), res.best_fit.values[i])
    same(line(fig, "late_bleach").get_xydata(), np.column_stack([res.pump, res.late_bleach()]))
    model = line(fig, "late_model")
    same(model.get_ydata(), res.late_bleach(model.get_xdata()))
    assert fig.axes[0].get_xscale() == "symlog" and "(OD)" in fig.axes[0].get_ylabel()
    assert "(nJ)" in fig.axes[1].get_xlabel()


def check_occupancy_threshold(fig: Figure, res: Any) -> None:
    n = res.a_ex["occupancy"].values
    same(line(fig, "a_ex").get_xydata(), np.column_stack([n, res.a_ex.values]))
    assert res.has_gain
    marker = next(a for a in gid(fig, "threshold") if isinstance(a, matplotlib.lines.Line2D))
    same(marker.get_xydata()[0], (res.occupancy, 0.0))
    assert "(OD)" in fig.axes[0].get_ylabel()


def check_cascade_truth(fig: Figure, res: Any) -> None:
    for i in range(len(res.pump)):
        ln = line(fig, f"filling[{i}]")
        same(ln.get_ydata(), res.filling(ln.get_xdata())[i])
    same(line(fig, "transparency").get_ydata(), [0.5, 0.5])


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
    "RawTA": check_raw_ta,
    "ASETruth": check_ase_truth,
    "CascadeFit": check_cascade_fit,
    "SaturationFit": check_cross_section,
    "OccupancyThreshold": check_occupancy_threshold,
    "CascadeTruth": check_cascade_truth,
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
