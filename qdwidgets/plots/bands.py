"""Band figures (paper Fig. 2d–e): spectrum, filled bands, their sum, residual and shares."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ._common import ZERO_STYLE, colors, done, figure, label, single
from ._doc import fill_doc


@fill_doc
def plot_band(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.bands.Band`: the band (OD) over its centre ± 3 FWHM (nm), filled,
    with its peak and half-maximum handles.

    Parameters
    ----------
    res : ~qdwidgets.core.bands.Band
        The band (centre and FWHM in nm, amplitude in OD).
    %(figure)s

    Examples
    --------
    >>> from qdwidgets.core.bands import Band
    >>> fig = Band("bleach", 639.0, 30.0, -0.02).plot()
    """
    fig, ax = single(ax, **kw)
    lo = max(res.center_nm - 3 * res.fwhm_nm, 1.0)
    blue, red = res.half_max_nm()
    grid = np.linspace(lo, res.center_nm + 3 * res.fwhm_nm, 400)
    wl = np.union1d(grid, [blue, res.center_nm, red])  # the peak and half maxima drawn exactly
    y = res.curve(wl)
    ax.plot(wl, y, color="C0", label=f"{res.name} ({res.shape})", gid="band")
    ax.fill_between(wl, y, 0.0, color="C0", alpha=0.3)
    ax.plot([blue, res.center_nm, red], [res.amplitude / 2, res.amplitude, res.amplitude / 2],
            "s", color="k", ms=5, gid="handles")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    ax.set_xlabel(label("wavelength", "nm"))
    ax.set_ylabel(label("ΔA", "OD"))
    ax.set_title(f"{res.name}: {res.center_nm:.4g} nm, FWHM {res.fwhm_nm:.3g} nm, "
                 f"area {res.area:.3g} OD·eV", fontsize="medium")  # fmt: skip
    ax.legend(fontsize="small")
    return done(fig, ax)


def _band_colors(names: list[str]) -> dict[str, Any]:
    """One colour per band name (C0 is the data's), the same in every panel."""
    cols = colors(len(names) + 1)[1:]
    return dict(zip(names, cols, strict=True))


def _fit_panel(ax: Axes, res: Any, cmap: dict[str, Any] | None = None) -> None:
    spec = res.spectrum
    wl = np.asarray(spec["wavelength"].values, dtype=float)
    shares = res.shares
    ax.plot(wl, np.asarray(spec.values, dtype=float), "o", ms=2.5, color="0.3", label="data",
            gid="data")  # fmt: skip
    cmap = cmap or _band_colors(list(res.names))
    cw = np.asarray(res.components["wavelength"].values, dtype=float)
    for band in res.bands:
        col = cmap[band.name]
        y = np.asarray(res.components[band.name].values, dtype=float)
        share = shares[band.name]
        text = f"{band.name} {share:.3g} %" if math.isfinite(share) else band.name
        ax.fill_between(cw, y, 0.0, color=col, alpha=0.35, label=text, gid=f"band[{band.name}]")
    bw = np.asarray(res.best_fit["wavelength"].values, dtype=float)
    ax.plot(bw, np.asarray(res.best_fit.values, dtype=float), "-", color="k", lw=1.4,
            label="sum of bands", gid="best_fit")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    ax.set_ylabel(label("ΔA", spec.attrs.get("units", "OD")))
    ax.set_xlabel(label("wavelength", "nm"))
    where = []
    if math.isfinite(res.delay):
        where.append(f"{res.delay:.3g} ps")
    if math.isfinite(res.pump):
        where.append(f"pump {res.pump:g}")
    ax.set_title("band deconvolution" + (f" at {', '.join(where)}" if where else ""),
                 fontsize="medium")  # fmt: skip
    ax.legend(fontsize="x-small", title="share of |area|", title_fontsize="x-small")
    _warnings_note(ax, res)


def _warnings_note(ax: Axes, res: Any) -> None:
    """The fit's first warning (and how many more) in small print, so a figure of a doubtful
    fit says so; nothing for a clean fit."""
    notes = tuple(getattr(res, "warnings", ()))
    if not notes:
        return
    more = f" (+{len(notes) - 1} more)" if len(notes) > 1 else ""
    ax.text(0.01, 0.01, f"warning: {notes[0]}"[:70] + "…" + more, transform=ax.transAxes,
            fontsize="xx-small", color="C3", va="bottom", gid="warnings")  # fmt: skip


def _residual_panel(ax: Axes, res: Any) -> None:
    r = res.residual
    ax.plot(r["wavelength"].values, np.asarray(r.values, dtype=float), "-", lw=0.8, color="0.3",
            gid="residual")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    ax.set_xlabel(label("wavelength", "nm"))
    ax.set_ylabel(label("residual", r.attrs.get("units", "OD")))


@fill_doc
def plot_band_fit(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.bands.BandFit`: the ΔA spectrum (OD) vs wavelength (nm), each
    band filled with its share of the summed |area| in the legend, their sum, the fit's first
    warning in small print (when it has any), and (new figure) the residual below.

    Parameters
    ----------
    res : ~qdwidgets.core.bands.BandFit
        The band deconvolution of one ΔA spectrum.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.bands import deconvolve_at
    >>> fig = deconvolve_at(qdwidgets.examples.ta(), 2.3).plot()
    """
    if ax is not None:
        _, ax = single(ax)
        _fit_panel(ax, res)
        return ax
    fig, axes = figure(2, 1, height=5.0, sharex=True, gridspec_kw={"height_ratios": [3, 1]}, **kw)
    _fit_panel(axes[0, 0], res)
    axes[0, 0].set_xlabel("")
    _residual_panel(axes[1, 0], res)
    return fig


@fill_doc
def plot_band_comparison(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.bands.BandComparison`: the band fits side by side (Fig. 2d vs
    2e), one column per pump level on a shared ΔA scale; into a given ``ax``, the band shares
    (%) per pump level as grouped bars.

    Parameters
    ----------
    res : ~qdwidgets.core.bands.BandComparison
        The band fits of several pump levels at one delay.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.bands import compare
    >>> fig = compare(qdwidgets.examples.ta(), 2.3).plot()
    """
    if ax is not None:
        _, ax = single(ax)
        _shares_panel(ax, res)
        return ax
    n = len(res.fits)
    names: list[str] = []
    for f in res.fits:
        names += [b for b in f.names if b not in names]
    cmap = _band_colors(names)
    fig, axes = figure(2, n, height=5.0, sharex=True, sharey="row",
                       gridspec_kw={"height_ratios": [3, 1]}, **kw)  # fmt: skip
    for i, fit in enumerate(res.fits):
        _fit_panel(axes[0, i], fit, cmap)
        axes[0, i].set_xlabel("")
        _residual_panel(axes[1, i], fit)
    return fig


def _shares_panel(ax: Axes, res: Any) -> None:
    names: list[str] = []
    for f in res.fits:
        names += [n for n in f.names if n not in names]
    x = np.arange(len(names))
    width = 0.8 / max(len(res.fits), 1)
    for i, f in enumerate(res.fits):
        shares = f.shares
        vals = [shares.get(n, math.nan) for n in names]
        ax.bar(x + (i - (len(res.fits) - 1) / 2) * width, vals, width, label=f"pump {f.pump:g}",
               gid=f"shares[{i}]")  # fmt: skip
    ax.set_xticks(x, names)
    ax.set_xlabel("band")
    ax.set_ylabel(label("share of |area|", "%"))
    ax.set_title(f"band shares at {res.delay:.3g} ps", fontsize="medium")
    ax.legend(fontsize="small")
