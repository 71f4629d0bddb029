"""Shared cases of the plot tests: every result class built for real, and drawing helpers.

Builders make real instances from the examples and simulators through the public core
functions (cached per session); helpers find drawn artists by their ``gid``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
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

    return _cached("comparison", lambda: bands.compare(_small_ta(), 2.3, lock_to_spectra=True))


def _threshold() -> Any:
    from qdwidgets.core import threshold

    return _cached("threshold", lambda: threshold.fit_threshold(_ase(), feedback="lamp"))


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


def _fluence_ta() -> Any:
    ds = qdwidgets.simulate.cascade(wavelength=np.arange(627.0, 652.0, 3.0), seed=3)[0]
    return _cached("fluence_ta", lambda: ds)


def _cascade() -> Any:
    from qdwidgets.core import fluence

    return _cached("cascade", lambda: fluence.fit_cascade(_fluence_ta()))


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
    "RawTA": lambda: qdwidgets.simulate.raw_ta(n_scans=3, seed=2),
    "GainLessonResult": lambda: __import__("qdwidgets.core.lesson").core.lesson.gain_lesson(2.0),
    "CascadeFit": _cascade,
    "SaturationFit": lambda: __import__(
        "qdwidgets.core.fluence"
    ).core.fluence.cross_section_from_saturation(_fluence_ta()),
    "OccupancyThreshold": lambda: __import__(
        "qdwidgets.core.fluence"
    ).core.fluence.gain_threshold_occupancy(_fluence_ta(), 3.0, occupancy=_cascade()),
    "CascadeTruth": lambda: qdwidgets.simulate.cascade(
        pump=(10.0, 100.0, 300.0),
        delay=np.array([-1.0, 0.0, 1.0]),
        wavelength=np.arange(630.0, 650.0, 4.0),
    )[1],
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


def _check_threshold_axes(fig: Figure, fit: Any) -> None:
    ax = fig.axes[0]
    same(line(fig, "threshold").get_xdata(), [fit.threshold_mW] * 2)
    ci = gid(fig, "ci")[0]
    same((ci.get_x(), ci.get_x() + ci.get_width()), fit.ci_mW)
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
