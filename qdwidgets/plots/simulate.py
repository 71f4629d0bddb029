"""Figures of the simulators' truths: what a simulated dataset was made of."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data.constants import w_cm2_per_mW
from ._common import ZERO_STYLE, colors, delay_axis, done, figure, label, secondary_x, single
from ._doc import fill_doc


def _shapes_panel(ax: Any, res: Any, wavelength: np.ndarray) -> None:
    ax.plot(wavelength, res.a0(wavelength), color="k", lw=1.6, label="A0", gid="A0")
    for name, y in res.shapes(wavelength).items():
        ax.plot(wavelength, y, lw=1.0, label=name, gid=f"shape[{name}]")
    ax.axhline(0.0, **ZERO_STYLE)
    ax.set_xlabel(label("wavelength", "nm"))
    ax.set_ylabel(label("A0 and ΔA per unit population", "OD"))
    ax.set_title("simulated spectra", fontsize="medium")
    ax.legend(fontsize="x-small")


def _filling_panel(ax: Any, res: Any, delay: np.ndarray) -> None:
    pops = res.populations(delay)
    cols = colors(len(res.pump))
    for i, (p, n) in enumerate(zip(res.pump, res.occupancy, strict=True)):
        ax.plot(delay, pops["n_1S"].isel(pump=i).values, color=cols[i], gid=f"n_1S[{i}]",
                label=f"pump {p:g} nJ, ⟨N⟩ = {n:.3g}")  # fmt: skip
    ax.axhline(1.0, color="C3", ls="--", lw=0.8, gid="transparency",
               label="transparency (1 electron in 1S)")  # fmt: skip
    delay_axis(ax)
    ax.set_xlim(0.0, float(np.max(delay)))
    ax.set_ylabel("mean 1S electrons per dot")
    ax.set_ylim(0.0, 2.05)
    ax.set_title(f"τ_XX = {res.tau_xx:g} ps, τ_X = {res.tau_x:g} ps", fontsize="medium")
    ax.legend(fontsize="x-small")


@fill_doc
def plot_ta_truth(
    res: Any, ax: Any = None, wavelength: Any = None, delay: Any = None, **kw: Any
) -> Any:
    """:class:`~qdwidgets.data.simulate.TATruth`: A0 and each ΔA component's shape (OD) vs
    wavelength (nm), and the mean 1S filling vs delay (ps) per pump level, with transparency
    (one 1S electron per dot) marked. Grids default to the simulator's.

    Parameters
    ----------
    res : ~qdwidgets.data.simulate.TATruth
        The truth of a simulated TA dataset.
    wavelength : array-like, optional
        Wavelengths (nm) of the spectra; default the simulator's grid.
    delay : array-like, optional
        Delays (ps) of the filling panel (those ≥ 0 are drawn); default the simulator's grid.
    %(figure)s

    Examples
    --------
    >>> from qdwidgets.data import simulate
    >>> ds, truth = simulate.ta()
    >>> fig = truth.plot()
    """
    from ..data.simulate import default_delays, default_wavelengths

    wl = default_wavelengths() if wavelength is None else np.asarray(wavelength, dtype=float)
    t = default_delays() if delay is None else np.asarray(delay, dtype=float)
    t = t[t >= 0]
    if ax is not None:
        fig, ax = single(ax)
        _filling_panel(ax, res, t)
        return done(fig, ax)
    fig, axes = figure(1, 2, **kw)
    _shapes_panel(axes[0, 0], res, wl)
    _filling_panel(axes[0, 1], res, t)
    return fig


@fill_doc
def plot_ase_truth(res: Any, ax: Any = None, power: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.data.simulate.ASETruth`: noiseless peak emission (a.u.) vs pump power
    (mW; W cm⁻² on top) per feedback condition, each threshold marked.

    Parameters
    ----------
    res : ~qdwidgets.data.simulate.ASETruth
        The truth of a simulated ASE dataset.
    power : array-like, optional
        CW pump powers (mW) to draw; default 0 to 1.5× the highest threshold (at least
        500 mW).
    %(figure)s

    Examples
    --------
    >>> from qdwidgets.data import simulate
    >>> ds, truth = simulate.ase()
    >>> fig = truth.plot()
    """
    fig, ax = single(ax, **kw)
    if power is None:
        top = max([500.0, *(1.5 * v for v in res.thresholds_mW.values())])
        power = np.linspace(0.0, top, 201)
    p = np.asarray(power, dtype=float)
    peak = res.peak(p)
    cols = colors(len(res.feedback))
    for i, f in enumerate(res.feedback):
        ax.plot(p, peak[i], color=cols[i], label=f"feedback {f}", gid=f"peak[{f}]")
        if f in res.thresholds_mW:
            ax.axvline(res.thresholds_mW[f], color=cols[i], ls="--", lw=0.8,
                       gid=f"threshold[{f}]",
                       label=f"threshold {res.thresholds_mW[f]:g} mW "
                       f"({res.thresholds_W_cm2[f]:.3g} W cm⁻²)")  # fmt: skip
    ax.set_xlabel(label("pump power", "mW"))
    ax.set_ylabel(label("peak emission", "a.u."))
    factor = w_cm2_per_mW(res.spot_diameter_mm, res.beam_profile)
    secondary_x(ax, factor, label(f"pump intensity ({res.beam_profile})", "W cm⁻²"))
    ax.set_title("simulated ASE truth (noiseless)", fontsize="medium")
    ax.legend(fontsize="x-small")
    return done(fig, ax)


def plot_raw_ta(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.data.simulate.RawTA`: the parts of the raw measurement per wavelength
    (noise σ, baseline offset, pump scatter; OD vs nm), and the kinetics (OD vs ps) at the
    strongest wavelength of every scan (the glitched one marked), of the clean measurement and
    of the solvent scan. With ``ax``: the kinetics panel only."""
    clean = res.clean["dA"].transpose("pump", "delay", "wavelength")
    j = int(np.argmax(np.abs(clean.values[-1]).max(axis=0)))
    wl_j = float(clean["wavelength"][j])
    t = clean["delay"].values

    def kinetics(axk: Any) -> None:
        for i, scan in enumerate(res.scans):
            trace = scan["dA"].transpose("pump", "delay", "wavelength").values[-1, :, j]
            glitched = i == res.glitch_scan
            name = "glitched scan" if glitched else ("scans" if i == 0 else None)
            axk.plot(scan["delay"].values, trace, lw=0.8 if glitched else 0.5,
                     color="C3" if glitched else "0.6", gid=f"scan[{i}]", label=name)  # fmt: skip
        axk.plot(t, clean.values[-1, :, j], color="k", lw=1.4, gid="clean", label="clean")
        solvent = res.solvent["dA"].transpose("pump", "delay", "wavelength")
        axk.plot(solvent["delay"].values, solvent.values[0, :, j], color="C0", lw=0.8,
                 gid="solvent", label="solvent scan")  # fmt: skip
        axk.axhline(0.0, **ZERO_STYLE)
        delay_axis(axk)
        axk.set_ylabel(label("ΔA", "OD"))
        axk.set_title(f"at {wl_j:g} nm", fontsize="medium")
        axk.legend(fontsize="x-small")

    if ax is not None:
        fig, ax = single(ax)
        kinetics(ax)
        return done(fig, ax)
    fig, axes = figure(1, 2, **kw)
    axp = axes[0, 0]
    wl = res.noise["wavelength"].values
    for name in ("noise", "baseline", "scatter"):
        axp.plot(wl, getattr(res, name).values, lw=1.0, gid=name, label=name)
    axp.axhline(0.0, **ZERO_STYLE)
    axp.set_xlabel(label("wavelength", "nm"))
    axp.set_ylabel(label("σ, offset, scatter", "OD"))
    axp.set_title(f"{res.n_scans} scans, scatter at {res.scatter_nm:g} nm", fontsize="medium")
    axp.legend(fontsize="x-small")
    kinetics(axes[0, 1])
    return fig
