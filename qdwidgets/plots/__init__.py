"""Static matplotlib figures of every result object (``result.plot()``), for papers and exports.

``plot(result, ax=None, **kw)`` dispatches on the result's class through a registry keyed by
``"module:qualname"``, so importing this package imports neither matplotlib's plotters nor any
core module until a result is drawn. Subclasses inherit their parent's plotter.

Return value: with ``ax=None`` a new :class:`matplotlib.figure.Figure` (every panel of the
result: e.g. data, fit and residuals), detached from pyplot, so a notebook cell shows it exactly
once and ``fig.savefig("fig2f.pdf")`` works; with ``ax`` an Axes, the main panel is drawn into it
and that Axes is returned. Other keywords: ``figsize``/``dpi`` for a new figure, and each
plotter's own (``data=`` for threshold fits, ``linthresh=`` for delay axes, …; see its
docstring); anything else raises TypeError. Key artists carry a ``gid`` ("data", "best_fit",
"residual", "threshold", …) so that they can be found and restyled.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["plot", "plotter_for", "register", "registered"]

_CORE = "qdwidgets.core"
# Keys name a class by a module it is exported from and its qualname; a class defined in that
# module or any submodule of it matches (private modules may be reorganised freely).
_REGISTRY: dict[str, str | Callable[..., Any]] = {
    f"{_CORE}.gain:GainSpectrum": "gain:plot_gain_spectrum",
    f"{_CORE}.gain:GainWindow": "gain:plot_gain_window",
    "qdwidgets.widgets:ExplorerResult": "gain:plot_explorer",
    f"{_CORE}.lesson:GainLessonResult": "lesson:plot_gain_lesson",
    f"{_CORE}.kinetics:KineticsFit": "kinetics:plot_kinetics_fit",
    f"{_CORE}.kinetics:KineticsSeries": "kinetics:plot_kinetics_series",
    f"{_CORE}.kinetics:GlobalFit": "kinetics:plot_global_fit",
    f"{_CORE}.kinetics:SVDResult": "kinetics:plot_svd",
    f"{_CORE}.bands:Band": "bands:plot_band",
    f"{_CORE}.bands:BandFit": "bands:plot_band_fit",
    f"{_CORE}.bands:BandComparison": "bands:plot_band_comparison",
    f"{_CORE}.threshold:LineFit": "threshold:plot_line_fit",
    f"{_CORE}.threshold:ThresholdFit": "threshold:plot_threshold_fit",
    f"{_CORE}.threshold:Criterion": "threshold:plot_criterion",
    f"{_CORE}.threshold:ThresholdCriteria": "threshold:plot_criteria",
    f"{_CORE}.occupancy:CrossSectionFit": "occupancy:plot_cross_section",
    f"{_CORE}.fluence:CascadeFit": "fluence:plot_cascade_fit",
    f"{_CORE}.fluence:SaturationFit": "occupancy:plot_cross_section",
    f"{_CORE}.fluence:OccupancyThreshold": "fluence:plot_occupancy_threshold",
    "qdwidgets.data.simulate:CascadeTruth": "fluence:plot_cascade_truth",
    "qdwidgets.data.simulate:TATruth": "simulate:plot_ta_truth",
    "qdwidgets.data.simulate:RawTA": "simulate:plot_raw_ta",
    "qdwidgets.data.simulate:ASETruth": "simulate:plot_ase_truth",
}


def _key(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def register(cls: type | str, plotter: Callable[..., Any] | str) -> None:
    """Register the plotter of a result class (later registrations win).

    Parameters
    ----------
    cls : type or str
        The result class, or ``"module:qualname"`` (matching that module and its submodules,
        so that private modules may be reorganised).
    plotter : callable or str
        ``plotter(result, ax=None, **kw)`` returning a Figure (``ax=None``) or ``ax``; a string
        names ``"module:function"`` inside ``qdwidgets.plots``, imported when first drawn.

    Examples
    --------
    >>> import qdwidgets.plots as plots
    >>> class Custom:
    ...     pass
    >>> plots.register(Custom, lambda result, ax=None, **kw: ax)
    >>> plots.plotter_for(Custom())(Custom(), ax="axes")
    'axes'
    """
    _REGISTRY[cls if isinstance(cls, str) else _key(cls)] = plotter


def registered() -> tuple[str, ...]:
    """The result classes that have a plotter.

    Returns
    -------
    tuple of str
        Their ``"module:qualname"`` keys.

    Examples
    --------
    >>> import qdwidgets.plots as plots
    >>> "qdwidgets.core.gain:GainSpectrum" in plots.registered()
    True
    """
    return tuple(_REGISTRY)


def _find(cls: type) -> str | Callable[..., Any] | None:
    exact = _REGISTRY.get(_key(cls))
    if exact is not None:
        return exact
    for key, target in _REGISTRY.items():
        module, _, qualname = key.partition(":")
        if qualname == cls.__qualname__ and cls.__module__.startswith(module + "."):
            return target
    return None


def plotter_for(result: Any) -> Callable[..., Any]:
    """The plotter of a result (or result class), or of its nearest registered base class.

    Parameters
    ----------
    result : object or type
        A result object or its class.

    Returns
    -------
    callable
        ``plotter(result, ax=None, **kw)``.

    Raises
    ------
    TypeError
        Naming the class when neither it nor a base class has a plotter.

    Examples
    --------
    >>> import qdwidgets.plots as plots
    >>> from qdwidgets.core.gain import GainSpectrum
    >>> plots.plotter_for(GainSpectrum).__name__
    'plot_gain_spectrum'
    """
    cls = result if isinstance(result, type) else type(result)
    for base in cls.__mro__:
        target = _find(base)
        if target is None:
            continue
        if callable(target):
            return target
        module, _, name = target.partition(":")
        func: Callable[..., Any] = getattr(importlib.import_module(f".{module}", __name__), name)
        return func
    raise TypeError(
        f"no static plot for {cls.__module__}.{cls.__qualname__}: qdwidgets.plots has no plotter "
        "registered for this class. Register one with qdwidgets.plots.register(cls, func)"
    )


def plot(result: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Draw ``result`` with matplotlib: a new Figure (``ax=None``) or into ``ax`` (returned).

    Parameters
    ----------
    result : object
        A result object with a registered plotter (every result of ``qdwidgets``).
    ax : matplotlib.axes.Axes, optional
        Draw the main panel into this Axes; by default a new figure holds every panel.
    **kwargs
        ``figsize`` (inches) and ``dpi`` of a new figure, and the plotter's own keywords
        (see its docstring).

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.axes.Axes
        A new figure, detached from pyplot, or the given ``ax``.

    Raises
    ------
    TypeError
        When no plotter is registered for the result's class, or for an unknown keyword.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import gain_spectrum
    >>> fig = qdwidgets.plots.plot(gain_spectrum(qdwidgets.examples.ta(), 2.3))
    >>> len(fig.axes)
    1
    """
    return plotter_for(result)(result, ax=ax, **kwargs)
