"""Model-light cross-checks of the cascade fit: σ from saturation, τ_XX by subtraction.

:func:`cross_section_from_saturation` reads the late bleach only once the multi-excitons are
gone: after the Auger decay every level holds at most one exciton per dot, so its bleach is
A·(1 − P_0)·e^{−t/τ_X} = A·(1 − e^{−σ·j})·e^{−t/τ_X}, and the ratio of the highest to the lowest
level's bleach stops falling. That delay is read from the data (the start of the plateau of that
ratio), and the bleach averaged from there to the end of the usable window is fitted with
:func:`qdwidgets.core.occupancy.fit_cross_section`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr
from scipy import optimize, stats

from ... import _args
from ..._choices import CascadeScaling
from .. import _status
from ..kinetics import KineticsFit
from ..kinetics._options import fit_options
from ..occupancy import CrossSectionFit, fit_cross_section
from . import _model
from ._data import series
from ._excess import PLATEAU_TOL as PLATEAU_TOL
from ._excess import _default_level, _iterate, _late_rate, _plateau


@dataclass(frozen=True, repr=False, eq=False)
class SaturationFit(CrossSectionFit):
    """:class:`~qdwidgets.core.occupancy.CrossSectionFit` of the late bleach after the Auger
    decay, with the delay window it was averaged over (``delay_range``, ps, chosen from the
    data; ``delay_window`` before 0.2, a deprecated alias) and the ``wavelength`` (nm) of the
    traces."""

    delay_range: tuple[float, float] = (math.nan, math.nan)
    wavelength: float = math.nan
    clock_factors: tuple[float, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SaturationFit:
        """Rebuild from :meth:`to_dict` output (older saves with ``delay_window`` too)."""
        out = dict(data)
        if "delay_window" in out and "delay_range" not in out:
            out["delay_range"] = out.pop("delay_window")
        return super().from_dict(out)

    @property
    def delay_window(self) -> tuple[float, float]:
        """Deprecated alias of ``delay_range`` (ps)."""
        _args.warn_renamed("SaturationFit.delay_window", "SaturationFit.delay_range")
        return self.delay_range

    @property
    def clock_correction(self) -> float:
        """ε = G_2 − 1 = k_1/(k_2 − k_1): the biexciton's delay of the single-exciton clock."""
        return self.clock_factors[1] - 1.0 if len(self.clock_factors) > 1 else 0.0

    def model(self, pump: Any) -> Any:
        """The fitted late bleach A·Σ_n P_n(σ·pump)·G_n (G: ``clock_factors``, n ≥ 1)."""
        lam = self.cross_section * np.asarray(pump, dtype=float)
        return self.amplitude * _shape(lam, self.clock_factors)

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "cross_section",
        "cross_section_stderr",
        "occupancy",
        "delay_range",
        "clock_correction",
        "wavelength",
        "converged",
        "warnings",
    )


def _shape(lam: Any, factors: tuple[float, ...]) -> np.ndarray:
    """Σ_{n≥1} P_n(λ)·G_n, the tail above the last factor weighted by it (1 − e^{−λ} for G = 1)."""
    lam = np.asarray(lam, dtype=float)
    g = np.asarray(factors if factors else (1.0,), dtype=float)
    n = np.arange(1, g.size + 1)
    p = _model.poisson_start(np.atleast_1d(lam).ravel(), g.size)  # tail lumped into the last
    p[:, :-1] = np.where(n[:-1] > 0, p[:, :-1], 0.0)
    return np.asarray((p @ g).reshape(lam.shape))


def clock_factors(k1: float, k2: float, scaling: str, n_max: int = 40) -> tuple[float, ...]:
    """G_n = Π_{m=2..n} k_m/(k_m − k_1), n = 1..n_max: how much longer a dot that started with
    n excitons keeps one, late, than a dot that started with one (its single-exciton clock
    starts after the multi-excitons have decayed). k_m = m·k_1 + (k_2 − 2k_1)·s(m), s(2) = 1
    (the ``scaling`` of the Auger rates)."""
    m = np.arange(2, n_max + 1, dtype=float)
    s = m**2 * (m - 1) / 4.0 if scaling == "statistical" else m * (m - 1) / 2.0
    km = m * k1 + max(k2 - 2.0 * k1, 0.0) * s
    ratio = np.where(km > 1.5 * k1, km / np.maximum(km - k1, 1e-300), 3.0)
    return (1.0, *np.cumprod(ratio).tolist())


def cross_section_from_saturation(
    ta: xr.Dataset,
    wavelength: float | None = None,
    *,
    band_nm: float = 0.0,
    scaling: CascadeScaling = "statistical",
) -> SaturationFit:
    """σ from the late bleach after the Auger decay: A·[(1 − e^{−σj}) + ε·(1 − e^{−σj}(1 + σj))].

    Parameters
    ----------
    ta : xarray.Dataset
        TA dataset with at least three pump levels (``pump`` with units).
    wavelength : float, optional
        Probe wavelength (nm); default :func:`qdwidgets.core.gain.band_edge`.
    band_nm : float
        Average ΔA over ± band_nm/2.
    scaling : {"statistical", "pairs"}
        Auger scaling assumed for the clock factors of the tri- and higher excitons (a small
        correction; the biexciton's is measured).

    Returns
    -------
    SaturationFit
        σ (1/pump unit), ⟨N⟩ per level, errors and status; ``delay_range`` (ps): the delays
        averaged — from where the multi-excitons are gone (see the module docstring) to where
        the lower levels' bleach sinks to 10× its noise; ``clock_factors`` G_n (measured
        k_1, k_2; see the module docstring).

    Raises
    ------
    FitError
        Fewer than three levels, a pump without units, no bleach, or lower levels without a
        late bleach above their noise.
    """
    with fit_options():
        scaling = _args.choice("scaling", scaling, _model.SCALINGS)
    s = series(ta, wavelength, band_nm)
    i0, i1, warn = _plateau(s)
    k = _default_level(s, None)
    exc, i0 = _iterate(s, k, i0, i1, 1, warn)
    tau_bx = exc["taus"][-1]
    k1 = _late_rate(s, i0)
    k2 = 1.0 / tau_bx
    factors = clock_factors(k1, k2, scaling)
    late = s.y[:, i0 : i1 + 1].mean(axis=1)
    fit = fit_cross_section(s.pump, late, pump_units=s.pump_units)  # the start values
    fields = {f.name: getattr(fit, f.name) for f in dataclasses.fields(fit)}
    fields.update(_corrected(s.pump, late, fit, factors))
    # the clock factors' own uncertainty (through that of the biexciton lifetime) joins σ's
    d_tau = float(exc["taus_stderr"][-1])
    if math.isfinite(d_tau) and 0 < d_tau < tau_bx:
        shifted = [
            _corrected(s.pump, late, fit, clock_factors(k1, 1.0 / (tau_bx + sgn * d_tau), scaling))
            for sgn in (-1.0, 1.0)
        ]
        spread = abs(shifted[1]["cross_section"] - shifted[0]["cross_section"]) / 2.0
        old = fields["cross_section_stderr"]
        err = math.hypot(old, spread)
        fields["cross_section_stderr"] = err
        t95 = fields["ci"]["cross_section"]
        half = (t95[1] - t95[0]) / 2.0 * err / max(old, 1e-300)
        sig = fields["cross_section"]
        fields["ci"] = {**fields["ci"], "cross_section": (sig - half, sig + half)}
    corr = factors[1] - 1.0 if len(factors) > 1 else 0.0
    if corr > 0.05:
        warn.append(
            f"the biexcitons delay the single-exciton decay by {100 * corr:.3g} % of the late "
            "bleach (τ_XX not ≪ τ_X): σ from saturation rests on that measured correction and "
            "its error; fit_cascade models it directly"
        )
    fields["warnings"] = tuple(fields["warnings"]) + tuple(warn)
    return SaturationFit(
        **fields,
        delay_range=(float(s.t[i0]), float(s.t[i1])),
        wavelength=s.wavelength,
        clock_factors=factors,
    )


def _corrected(
    j: np.ndarray, y: np.ndarray, fit: CrossSectionFit, factors: tuple[float, ...]
) -> dict[str, Any]:
    """The saturation fit with the clock factors (from fit_cross_section's optimum)."""
    sign = -1.0 if fit.amplitude < 0 else 1.0
    ys = sign * y

    def resid(p: np.ndarray) -> np.ndarray:
        return np.asarray(p[0] * _shape(p[1] * j, factors) - ys)

    p0 = np.array([abs(fit.amplitude), max(fit.cross_section, 1e-12)])
    res = optimize.least_squares(resid, p0, bounds=([0.0, 0.0], [np.inf, np.inf]), x_scale="jac")
    amp, sig = float(res.x[0]), float(res.x[1])
    rss = float(np.sum(res.fun**2))
    dof = j.size - 2
    err = _status.stderr(_status.covariance(res.jac, rss, dof))
    t = float(stats.t.ppf(0.975, max(dof, 1)))
    warnings = [w for w in fit.warnings if "uncertain" not in w]
    warnings += _status.undetermined(("amplitude", "cross_section"), list(err))
    return {
        "cross_section": sig,
        "cross_section_stderr": float(err[1]),
        "amplitude": sign * amp,
        "amplitude_stderr": float(err[0]),
        "occupancy": tuple((sig * j).tolist()),
        "rms": float(np.sqrt(rss / j.size)),
        "converged": bool(res.success),
        "message": str(res.message),
        "nfev": int(res.nfev),
        "warnings": tuple(warnings),
        "ci": {
            "amplitude": (sign * amp - t * float(err[0]), sign * amp + t * float(err[0])),
            "cross_section": (sig - t * float(err[1]), sig + t * float(err[1])),
        },
    }


def biexciton_lifetime_by_subtraction(
    ta: xr.Dataset,
    wavelength: float | None = None,
    *,
    band_nm: float = 0.0,
    pump: float | None = None,
    n_components: int = 1,
) -> KineticsFit:
    """The biexciton lifetime by the subtraction method (a model-light check of τ_XX).

    Each trace is normalised to its bleach averaged over the late window of
    :func:`cross_section_from_saturation` (single excitons only), the lowest level's
    normalised trace is subtracted from level ``pump``'s, and the difference — the
    multi-exciton excess — is fitted with ``n_components`` exponentials from where it has
    fallen to half its maximum. (The band-edge bleach does not see n ≥ 3 → n − 1: the 1S level
    stays full, so the excess has a shoulder while the higher multi-excitons decay; from half
    its maximum on, the biexcitons dominate.) The late window starts at least five biexciton
    lifetimes after that point (iterated): excess left in it would lengthen the lifetime.

    Parameters
    ----------
    ta : xarray.Dataset
        TA dataset with at least three pump levels.
    wavelength : float, optional
        Probe wavelength (nm); default the band edge.
    band_nm : float
        Average ΔA over ± band_nm/2.
    pump : float, optional
        The level whose excess is fitted (nearest); default the level with ⟨N⟩ nearest 1.5
        (from the dataset's ``occupancy``), else the middle level. Near ⟨N⟩ ≈ 1–2 the excess is
        mostly biexcitons; at higher ⟨N⟩ faster multi-exciton decay adds (n_components=2).
    n_components : int
        Exponentials fitted to the difference (1 or 2); the slowest is the biexciton.

    Returns
    -------
    KineticsFit
        The fit of the difference over delay (``t0``: where the fit starts); ``taus[-1]`` (ps)
        is the biexciton lifetime 1/(1/τ_XX + 2/τ_X), its total decay rate (Auger and two
        radiative channels); no offset.
    """
    with fit_options():
        n_components = _args.integer("n_components", n_components, lo=1, hi=2)
        if pump is not None:
            pump = _args.positive("pump", pump)
    s = series(ta, wavelength, band_nm)
    i0, i1, warn = _plateau(s)
    k = _default_level(s, pump)
    exc, i0 = _iterate(s, k, i0, i1, n_components, warn)
    coords = {"delay": exc["delay"], "wavelength": s.wavelength, "pump": s.pump[k]}

    def over(v: np.ndarray, name: str) -> xr.DataArray:
        attrs = {"units": "1", "long_name": f"normalised excess ({name})"}
        return xr.DataArray(v, dims="delay", coords=coords, name=name, attrs=attrs)

    names = [f"tau{i + 1}" for i in range(n_components)]
    stderr = dict(zip(names, exc["taus_stderr"], strict=True))
    stderr.update({f"A{i + 1}": e for i, e in enumerate(exc["amplitudes_stderr"])})
    warnings = list(warn) + _status.undetermined(names, list(exc["taus_stderr"]))
    return KineticsFit(
        taus=exc["taus"],
        amplitudes=exc["amplitudes"],
        offset=0.0,
        irf_fwhm=0.0,
        t0=exc["t0"],
        taus_stderr=exc["taus_stderr"],
        amplitudes_stderr=exc["amplitudes_stderr"],
        stderr=stderr,
        best_fit=over(exc["best_fit"], "best_fit"),
        residual=over(exc["data"] - exc["best_fit"], "residual"),
        redchi=exc["redchi"],
        converged=exc["converged"],
        wavelength=s.wavelength,
        pump=float(s.pump[k]),
        pump_label=f"{s.pump[k]:g} {s.pump_units} − {s.pump[0]:g} {s.pump_units}",
        message=exc["message"],
        nfev=exc["nfev"],
        warnings=tuple(warnings),
        has_offset=False,
    )
