"""Kinetics figures (paper Fig. 2f, Table 1): traces with fit and residuals, DAS/EAS, SVD."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ._common import (
    ZERO_STYLE,
    colors,
    da_label,
    delay_axis,
    done,
    figure,
    fmt_time,
    label,
    single,
)
from ._doc import fill_doc


def tau_legend(fit: Any) -> str:
    """The legend text of a kinetics fit: ``"fit: τ1 = 14 ps (38 %)…"``.

    Parameters
    ----------
    fit : ~qdwidgets.core.kinetics.KineticsFit
        The fit; its lifetimes (ps) and the shares (%) of the exponential amplitudes, the
        offset excluded.

    Returns
    -------
    str
        One ``τi = value (share %)`` per lifetime, the time with its unit (fs, ps or ns).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> tau_legend(SimpleNamespace(taus=(14.0, 520.0), fractions=(38.0, 62.0)))
    'fit: τ1 = 14 ps (38 %), τ2 = 520 ps (62 %)'
    """
    parts = [
        f"τ{i + 1} = {fmt_time(t)} ({s:.3g} %)"
        for i, (t, s) in enumerate(zip(fit.taus, fit.fractions, strict=True))
    ]
    return "fit: " + ", ".join(parts)


def _trace_panel(ax: Axes, fit: Any, color: Any = "C0", name: str = "", linthresh: float = 2.0):
    t = np.asarray(fit.best_fit["delay"].values, dtype=float)
    model = np.asarray(fit.best_fit.values, dtype=float)
    data = model + np.asarray(fit.residual.values, dtype=float)
    prefix = f"{name}: " if name else ""
    ax.plot(t, data, "o", ms=2.5, alpha=0.6, color=color, label=f"{prefix}data", gid="data")
    ax.plot(t, model, "-", color="k" if not name else color, lw=1.4, label=tau_legend(fit),
            gid="best_fit")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    delay_axis(ax, linthresh)
    ax.set_ylabel(da_label(fit.best_fit, "ΔA", "OD").replace("fitted ", ""))
    where = f" at {fit.wavelength:.4g} nm" if math.isfinite(fit.wavelength) else ""
    ax.set_title(f"{fit.pump_label or 'kinetics'}{where}", fontsize="medium")
    ax.legend(fontsize="x-small")


def _residual_panel(ax: Axes, fit: Any, color: Any = "C0", linthresh: float = 2.0) -> None:
    t = np.asarray(fit.residual["delay"].values, dtype=float)
    ax.plot(t, np.asarray(fit.residual.values, dtype=float), "-", lw=0.8, color=color,
            gid="residual")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    delay_axis(ax, linthresh)
    ax.set_ylabel(label("residual", fit.residual.attrs.get("units", "OD")))


@fill_doc
def plot_kinetics_fit(res: Any, ax: Any = None, linthresh: float = 2.0, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.kinetics.KineticsFit`: data (OD), the IRF-convolved model with
    τ and shares in the legend, residuals below; delay axis linear within ±``linthresh`` ps
    and logarithmic beyond (Fig. 2f).

    Parameters
    ----------
    res : ~qdwidgets.core.kinetics.KineticsFit
        A fit of one ΔA trace.
    %(linthresh)s
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import extract_trace, fit_trace
    >>> ta = qdwidgets.examples.ta()
    >>> from qdwidgets.core.gain import band_edge
    >>> trace = extract_trace(ta, band_edge(ta), pump=ta.pump.values[-1])
    >>> fig = fit_trace(trace, 2).plot()
    """
    if ax is not None:
        _, ax = single(ax)
        _trace_panel(ax, res, linthresh=linthresh)
        return ax
    fig, axes = figure(2, 1, height=5.0, sharex=True, gridspec_kw={"height_ratios": [3, 1]}, **kw)
    _trace_panel(axes[0, 0], res, linthresh=linthresh)
    axes[0, 0].set_xlabel("")
    _residual_panel(axes[1, 0], res, linthresh=linthresh)
    return fig


@fill_doc
def plot_kinetics_series(
    res: Any, ax: Any = None, linthresh: float = 2.0, overlay: bool = False, **kw: Any
) -> Any:
    """:class:`~qdwidgets.core.kinetics.KineticsSeries`: one column per pump level (data, fit
    with τ in the legend, residuals); ``overlay=True`` puts all levels in one panel (as in
    Fig. 2f) above one residual panel; into a given ``ax`` all levels overlaid.

    Parameters
    ----------
    res : ~qdwidgets.core.kinetics.KineticsSeries
        Fits of one trace per pump level.
    %(linthresh)s
    overlay : bool, default False
        All pump levels in one panel above one residual panel (a new figure only).
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import fit_kinetics
    >>> ta = qdwidgets.examples.ta()
    >>> fig = fit_kinetics(ta, wavelength=qdwidgets.core.gain.band_edge(ta)).plot(overlay=True)
    """
    cols = colors(len(res.fits))
    title = f"kinetics at {res.wavelength:.4g} nm"
    if ax is not None:
        _, ax = single(ax)
        for i, (fit, name) in enumerate(zip(res.fits, res.labels, strict=True)):
            _trace_panel(ax, fit, cols[i], name, linthresh)
        ax.set_title(title, fontsize="medium")
        return ax
    n = 1 if overlay else len(res.fits)
    width = 7.5 if overlay else None
    fig, axes = figure(
        2, n, width=width, height=5.0, sharex=True, gridspec_kw={"height_ratios": [3, 1]}, **kw
    )
    for i, (fit, name) in enumerate(zip(res.fits, res.labels, strict=True)):
        col = 0 if overlay else i
        _trace_panel(axes[0, col], fit, cols[i], name if overlay else "", linthresh)
        axes[0, col].set_xlabel("")
        _residual_panel(axes[1, col], fit, cols[i], linthresh)
    if overlay:
        axes[0, 0].set_title(title, fontsize="medium")
    return fig


def _das_panel(ax: Axes, res: Any, pump_index: int | None, overlay: bool = False) -> None:
    das = res.das
    kind = "EAS" if res.model == "sequential" else "DAS"
    wl = np.asarray(das["wavelength"].values, dtype=float)
    comps = [str(c) for c in das["component"].values]
    cols = colors(len(comps))
    has_pump = "pump" in das.dims
    levels = range(das.sizes["pump"]) if (has_pump and overlay) else [pump_index]
    styles = ["-", "--", ":", "-."]
    for li, p in enumerate(levels):
        sub = das.isel(pump=p) if (has_pump and p is not None) else das
        for k, comp in enumerate(comps):
            if k < len(res.taus):
                err = res.taus_stderr[k]
                pm = f" ± {fmt_time(err)}" if math.isfinite(err) else ""
                name = f"τ{k + 1} = {fmt_time(res.taus[k])}{pm}"
            else:
                name = comp
            if overlay and has_pump:
                name += f", pump {float(das['pump'].values[p]):g}"
            y = np.asarray(sub.isel(component=k).values, dtype=float)
            ax.plot(wl, y, styles[li % len(styles)], color=cols[k], label=name,
                    gid=f"{kind}[{comp}]" + (f"[{p}]" if has_pump else ""))  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    ax.set_xlabel(label("wavelength", "nm"))
    ax.set_ylabel(label(kind, das.attrs.get("units", "OD")))
    title = f"{kind} ({res.model} model)"
    if has_pump and not overlay and pump_index is not None:
        title += f", pump {float(das['pump'].values[pump_index]):g}"
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="x-small")


@fill_doc
def plot_global_fit(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.kinetics.GlobalFit`: decay- (or evolution-) associated spectra
    (OD) vs wavelength (nm), one curve per lifetime (τ ± error in the legend), one panel per
    pump level (overlaid by line style into a given ``ax``).

    Parameters
    ----------
    res : ~qdwidgets.core.kinetics.GlobalFit
        A global fit with lifetimes shared over the wavelengths.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import fit_global
    >>> fig = fit_global(qdwidgets.examples.ta(), 2, delay_range=(2, None), offset=True).plot()
    """
    has_pump = "pump" in res.das.dims
    if ax is not None:
        _, ax = single(ax)
        _das_panel(ax, res, None, overlay=True)
        return ax
    n = res.das.sizes["pump"] if has_pump else 1
    fig, axes = figure(1, n, sharey=True, **kw)
    for i in range(n):
        _das_panel(axes[0, i], res, i if has_pump else None)
    return fig


def _singular_panel(ax: Axes, res: Any) -> None:
    s = np.asarray(res.singular_values.values, dtype=float)
    k = np.arange(1, s.size + 1)
    sig = k <= res.n_significant
    ax.semilogy(k, s, "o", mfc="none", color="C0", gid="singular_values", label="singular value")
    ax.semilogy(k[sig], s[sig], "o", color="C0", gid="significant",
                label=f"{res.n_significant} above noise")  # fmt: skip
    ax.axhline(res.noise_level, color="r", ls="--", lw=0.8, gid="noise_level",
               label="noise level")  # fmt: skip
    ax.set_xlabel("component")
    ax.set_ylabel(da_label(res.singular_values, "singular value", "OD"))
    ax.legend(fontsize="small")


@fill_doc
def plot_svd(res: Any, ax: Any = None, n: int = 3, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.kinetics.SVDResult`: singular values (log scale) against the
    noise level; with a new figure also the first ``n`` spectra (vs nm) and kinetics (vs ps).

    Parameters
    ----------
    res : ~qdwidgets.core.kinetics.SVDResult
        The singular value decomposition of the ΔA matrix.
    n : int, default 3
        How many spectra and kinetics to draw (a new figure only).
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import svd
    >>> fig = svd(qdwidgets.examples.ta()).plot(n=2)
    """
    if ax is not None:
        fig, ax = single(ax)
        _singular_panel(ax, res)
        return done(fig, ax)
    fig, axes = figure(1, 3, **kw)
    _singular_panel(axes[0, 0], res)
    m = min(n, res.spectra.sizes["component"])
    pumps = range(res.spectra.sizes["pump"]) if "pump" in res.spectra.dims else [None]
    cols = colors(m)
    for i in range(m):
        for p in pumps:
            sp = res.spectra.isel(component=i)
            sp = sp if p is None else sp.isel(pump=p)
            name = f"{i + 1}" if not p else None
            tag = f"spectrum[{i}]" + ("" if p is None else f"[{p}]")
            axes[0, 1].plot(sp["wavelength"].values, sp.values, ["-", "--", ":"][(p or 0) % 3],
                            color=cols[i], label=name, gid=tag)  # fmt: skip
        kin = res.kinetics.isel(component=i)
        axes[0, 2].plot(kin["delay"].values, kin.values, color=cols[i], label=f"{i + 1}",
                        gid=f"kinetics[{i}]")  # fmt: skip
    if "pump" in res.spectra.dims and res.spectra.sizes["pump"] > 1:
        styles = ("solid", "dashed", "dotted")
        levels = [float(v) for v in res.spectra["pump"].values]
        axes[0, 1].set_title(", ".join(f"{styles[k % 3]}: pump {v:g}" for k, v in
                                       enumerate(levels)), fontsize="small")  # fmt: skip
    axes[0, 1].set_xlabel(label("wavelength", "nm"))
    axes[0, 1].set_ylabel("right singular vector")
    delay_axis(axes[0, 2])
    axes[0, 2].set_ylabel("left singular vector")
    for a in axes[0, 1:]:
        a.legend(fontsize="small", title="component")
    return fig
