"""Result objects of the kinetics fits: KineticsFit, KineticsSeries, GlobalFit, SVDResult.

Shares (``fractions``, Table 1's "%") are each exponential amplitude's share of the sum of the
exponential amplitudes, |A_i| / Σ|A_j| × 100; the offset A_0 does NOT count (that is how the
⟨N⟩ ≈ 3 column of Table 1 adds up: 38 + 47.7 + 14.4 ≈ 100 %).
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from ...results import Result


def _fmt(x: float, digits: int = 3) -> str:
    return "nan" if not math.isfinite(x) else f"{x:.{digits}g}"


class _LmfitOnRequest:
    """The deprecated ``.lmfit`` attribute of the kinetics fits (use ``to_lmfit()``)."""

    def to_lmfit(self) -> Any:
        raise NotImplementedError

    @property
    def lmfit(self) -> Any:
        """Deprecated: runs :meth:`to_lmfit` (a new lmfit fit) each time it is read."""
        _warnings.warn(
            "reading .lmfit runs another fit; call .to_lmfit() instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_lmfit()


@dataclass(frozen=True, repr=False, eq=False)
class KineticsFit(_LmfitOnRequest, Result):
    """One trace fitted with Σ A_i exp(-t/τ_i) (+ A_0 offset) ⊗ Gaussian IRF.

    ``taus`` (ps, ascending) with ``taus_stderr``; ``amplitudes`` (OD, aligned with taus) with
    ``amplitudes_stderr``; ``offset`` (OD, long-lived step, 0 when not fitted); ``fractions`` (%,
    offset excluded); ``irf_fwhm`` and ``t0`` (ps); ``stderr`` maps every parameter name to its
    standard error (NaN when fixed); ``best_fit``/``residual`` over ``delay`` (OD); ``redchi``
    (OD²); ``ci`` holds confidence intervals {name: (low, high)} when requested, with the
    method in ``ci_method``. ``wavelength`` (nm) and ``pump`` record where the trace came from
    (NaN if unknown). Whether to trust it: ``converged`` (the solver's own criterion),
    ``message``, ``nfev`` and ``warnings`` (reasons, in words; empty when none); a parameter the
    data cannot determine has an infinite standard error. ``artifact``: amplitudes (OD) of the
    coherent-artefact terms when fitted. ``to_lmfit()`` gives lmfit's report of the same
    optimum.
    """

    taus: tuple[float, ...]
    amplitudes: tuple[float, ...]
    offset: float
    irf_fwhm: float
    t0: float
    taus_stderr: tuple[float, ...]
    amplitudes_stderr: tuple[float, ...]
    stderr: dict[str, float]
    best_fit: xr.DataArray
    residual: xr.DataArray
    redchi: float
    converged: bool = True
    wavelength: float = math.nan
    pump: float = math.nan
    pump_label: str = ""
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    ci_method: str = ""
    message: str = ""
    nfev: int = 0
    warnings: tuple[str, ...] = ()
    has_offset: bool = True
    artifact: tuple[float, ...] = ()

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "taus",
        "taus_stderr",
        "amplitudes",
        "fractions",
        "offset",
        "irf_fwhm",
        "t0",
        "redchi",
        "converged",
        "warnings",
    )

    @property
    def success(self) -> bool:
        """Deprecated name of :attr:`converged`."""
        _warnings.warn(
            "KineticsFit.success is deprecated; use .converged (and read .warnings)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.converged

    @property
    def fractions(self) -> tuple[float, ...]:
        """Each exponential amplitude's share in % (the offset does not count)."""
        total = sum(abs(a) for a in self.amplitudes)
        if total == 0:
            return tuple(math.nan for _ in self.amplitudes)
        return tuple(100.0 * abs(a) / total for a in self.amplitudes)

    @property
    def n_components(self) -> int:
        return len(self.taus)

    def to_lmfit(self) -> Any:
        """lmfit's ``MinimizerResult`` for this fit (params, bounds, ``fit_report()``).

        Runs lmfit's ``least_squares`` on the same variable-projection residual (the data are
        ``best_fit + residual``) from the fitted values, so the report describes this optimum.
        Explicit: nothing runs until you call it.
        """
        from .lmfit_bridge import trace_to_lmfit

        return trace_to_lmfit(self)

    @property
    def noise(self) -> float:
        """Root-mean-square residual (OD)."""
        return float(np.sqrt(np.mean(np.asarray(self.residual) ** 2)))

    def column(self, *, errors: bool = False) -> dict[str, str]:
        """This fit's column of Table 1 as text, keyed by row label."""
        out: dict[str, str] = {}
        for i, tau in enumerate(self.taus):
            err = f" ± {_fmt(self.taus_stderr[i], 2)}" if errors else ""
            out[f"τ_{i + 1} (ps)"] = f"{tau:.4g}{err}"
        out["A_0 (Offset)"] = f"{self.offset:.3g}"
        for i, (a, share) in enumerate(zip(self.amplitudes, self.fractions, strict=True)):
            err = f" ± {_fmt(self.amplitudes_stderr[i], 2)}" if errors else ""
            out[f"A_{i + 1}"] = f"{a:.3g}{err} ({share:.1f}%)"
        return out

    def table(self, *, errors: bool = False) -> pd.DataFrame:
        """A DataFrame laid out like the paper's Table 1 (one column; shares exclude the offset)."""
        label = self.pump_label or "fit"
        frame: pd.DataFrame = pd.DataFrame({label: self.column(errors=errors)})
        return frame

    def values(self) -> dict[str, float]:
        """Numeric parameters (taus ps, amplitudes OD, shares %) for CSV export."""
        out: dict[str, float] = {}
        for i, tau in enumerate(self.taus):
            out[f"tau{i + 1}_ps"] = tau
            out[f"tau{i + 1}_stderr_ps"] = self.taus_stderr[i]
        out["A0_offset_OD"] = self.offset
        out["A0_offset_stderr_OD"] = self.stderr.get("offset", math.nan)
        for i, a in enumerate(self.amplitudes):
            out[f"A{i + 1}_OD"] = a
            out[f"A{i + 1}_stderr_OD"] = self.amplitudes_stderr[i]
            out[f"A{i + 1}_share_pct"] = self.fractions[i]
        out["irf_fwhm_ps"] = self.irf_fwhm
        out["t0_ps"] = self.t0
        out["redchi"] = self.redchi
        return out


@dataclass(frozen=True, repr=False, eq=False)
class KineticsSeries(Result):
    """Kinetics fits at one wavelength (nm, averaged over ``band_nm``), one per pump level."""

    fits: tuple[KineticsFit, ...]
    wavelength: float
    band_nm: float = 0.0

    @property
    def pumps(self) -> tuple[float, ...]:
        return tuple(f.pump for f in self.fits)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f.pump_label or f"pump {i}" for i, f in enumerate(self.fits))

    def __len__(self) -> int:
        return len(self.fits)

    def __getitem__(self, i: int) -> KineticsFit:
        return self.fits[i]

    def sel(self, pump: float) -> KineticsFit:
        """The fit at the pump level nearest ``pump``."""
        i = int(np.argmin([abs(p - pump) for p in self.pumps]))
        return self.fits[i]

    def table(self, *, errors: bool = False) -> pd.DataFrame:
        """Table 1 with the pump levels side by side (shares exclude the offset)."""
        cols = {lab: f.column(errors=errors) for lab, f in zip(self.labels, self.fits, strict=True)}
        frame: pd.DataFrame = pd.DataFrame(cols)
        return frame

    def values(self) -> pd.DataFrame:
        """Numeric parameters, one column per pump level (for CSV export)."""
        frame: pd.DataFrame = pd.DataFrame(
            {lab: f.values() for lab, f in zip(self.labels, self.fits, strict=True)}
        )
        return frame


@dataclass(frozen=True, repr=False, eq=False)
class GlobalFit(_LmfitOnRequest, Result):
    """Global fit with lifetimes shared over all wavelengths (and pump levels).

    ``taus`` (ps, ascending) with ``taus_stderr``; ``das`` (OD) over ``(component, [pump,]
    wavelength)``: decay-associated spectra (``model="parallel"``) or evolution-associated spectra
    (``"sequential"``, compartments ordered fast → slow, an ``offset`` component last when fitted);
    ``irf_fwhm``/``t0`` (ps); ``stderr`` of every nonlinear parameter; ``best_fit``/``residual``
    like the input ``dA``; ``redchi`` (OD²). ``.lmfit`` is the lmfit MinimizerResult.
    """

    taus: tuple[float, ...]
    taus_stderr: tuple[float, ...]
    das: xr.DataArray
    irf_fwhm: float
    t0: float
    stderr: dict[str, float]
    best_fit: xr.DataArray
    residual: xr.DataArray
    redchi: float
    model: str = "parallel"
    offset: bool = False
    chirp: xr.DataArray | None = None
    artifact: xr.DataArray | None = None
    converged: bool = True
    message: str = ""
    nfev: int = 0
    warnings: tuple[str, ...] = ()

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "taus",
        "taus_stderr",
        "irf_fwhm",
        "t0",
        "model",
        "redchi",
        "converged",
        "warnings",
        "das",
    )

    def to_lmfit(self) -> Any:
        """lmfit's ``MinimizerResult`` on the same problem, from the fitted values (explicit).

        The data are ``best_fit + residual``; with dispersion the residual is evaluated per
        wavelength on its own delays, as in the fit.
        """
        from .lmfit_bridge import global_to_lmfit

        return global_to_lmfit(self)

    @property
    def eas(self) -> xr.DataArray:
        """The spectra when ``model="sequential"`` (same array as ``das``)."""
        return self.das

    @property
    def noise(self) -> float:
        """Root-mean-square residual (OD)."""
        return float(np.sqrt(np.mean(np.asarray(self.residual) ** 2)))


@dataclass(frozen=True, repr=False, eq=False)
class SVDResult(Result):
    """Singular value decomposition of ΔA (delay × wavelength, pump levels side by side).

    ``singular_values`` (OD) over ``component``; ``kinetics`` (delay, component) and ``spectra``
    (component, wavelength) the leading left/right vectors; ``noise_level`` (OD): the singular value
    expected from noise alone; ``n_significant`` the count above it (a start for ``n_components``).
    """

    singular_values: xr.DataArray
    kinetics: xr.DataArray
    spectra: xr.DataArray
    noise_level: float
    n_significant: int

    _summary_fields: ClassVar[tuple[str, ...]] = ("n_significant", "noise_level", "singular_values")
