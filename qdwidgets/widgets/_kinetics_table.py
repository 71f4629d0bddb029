"""KineticsFitter: control syncing (sliders centred on the current values) and the Table-1 output.

A component whose amplitude has the opposite sign to the trace's main signal is a *rise* (the
signal grows with that lifetime): it is labelled "rise" and is not a share of the decay. Shares
(%) are over the decaying components only; the offset never counts.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._html import escape
from ..core.kinetics import MAX_COMPONENTS, KineticsFit
from ..errors import FitError

#: τ sliders span this many decades either side of the current value
TAU_DECADES = 1.5
#: the t0 slider spans this many IRF widths either side of the current value
T0_WIDTHS = 4.0


def _pm(value: float, err: float) -> str:
    if not math.isfinite(err):
        return f"{value:.4g} ± ∞" if err == math.inf else f"{value:.4g}"
    return f"{value:.4g} ± {err:.2g}"


def roles(amplitudes: Any, sign: float) -> tuple[list[bool], list[float]]:
    """Which components are rises (opposite sign to ``sign``) and each decay's share (%)."""
    amps = np.asarray(amplitudes, dtype=float)
    rise = [bool(a * sign < 0) for a in amps]
    total = float(sum(abs(a) for a, r in zip(amps, rise, strict=True) if not r))
    shares = [
        math.nan if r or total == 0 else 100.0 * abs(a) / total
        for a, r in zip(amps, rise, strict=True)
    ]
    return rise, shares


def column(fit: KineticsFit, sign: float) -> dict[str, str]:
    """One fit's column of Table 1: τ ± error, the offset, A ± error with the share or 'rise'."""
    rise, shares = roles(fit.amplitudes, sign)
    out = {f"τ{i + 1} (ps)": _pm(t, fit.taus_stderr[i]) for i, t in enumerate(fit.taus)}
    out["offset (OD)"] = _pm(fit.offset, fit.stderr.get("offset", math.nan))
    for i, a in enumerate(fit.amplitudes):
        role = "rise" if rise[i] else f"{shares[i]:.1f} %"
        out[f"A{i + 1} (OD)"] = f"{_pm(a, fit.amplitudes_stderr[i])} ({role})"
    return out


class TableMixin:
    """Syncing the controls and the table output of KineticsFitter (see that class)."""

    params: list[dict[str, Any]]
    locks: list[bool]
    rows: list[dict[str, Any]]
    _traces: Any
    _result: Any
    _tau_range: tuple[float, float]
    n_components: int
    offset_on: bool
    edit_index: int
    delay: np.ndarray
    add_button: Any
    remove_button: Any
    copy_text: Any
    irf_slider: Any
    t0_slider: Any
    offset_amp: Any
    offset_check: Any
    status: Any
    table_html: Any

    def _sign(self, i: int) -> float:
        """The sign of pump level ``i``'s main signal (its largest |ΔA|)."""
        y = np.asarray(self._traces.isel(pump=i).values, dtype=float)
        if not np.isfinite(y).any():
            return -1.0
        return float(np.sign(y[int(np.nanargmax(np.abs(y)))]) or -1.0)

    def _sync_controls(self) -> None:
        """Show the edited pump level's parameters in the controls (without feedback), each
        slider centred on its value: τ over ±1.5 decades, t0 within ±4 IRF widths."""
        if not self.params:
            return
        p = self.params[min(self.edit_index, len(self.params) - 1)]
        t = self.delay
        dt = np.diff(t)
        res = float(np.min(dt[dt > 0])) if np.any(dt > 0) else 0.1
        with self.quietly():  # type: ignore[attr-defined]
            for i, row in enumerate(self.rows):
                visible = i < self.n_components
                row["box"].layout.display = None if visible else "none"
                if visible:
                    tau = float(p["taus"][i])
                    c = math.log10(tau) if tau > 0 else self._tau_range[0]
                    lo = max(self._tau_range[0], c - TAU_DECADES)
                    hi = min(self._tau_range[1], c + TAU_DECADES)
                    _recentre(row["tau"], lo, hi, tau)
                    row["amp"].value = shown(p["amplitudes"][i])
                    row["lock"].value = bool(self.locks[i]) if i < len(self.locks) else False
            self.offset_check.value = self.offset_on
            self.offset_amp.value = shown(p["offset"])
            self.offset_amp.disabled = not self.offset_on
            irf = float(p["irf_fwhm"])
            _recentre(self.irf_slider, 0.0, max(4 * irf, 10 * res), irf)
            t0 = float(p["t0"])
            half = max(T0_WIDTHS * irf, 10 * res)
            _recentre(self.t0_slider, max(float(t[0]), t0 - half), min(float(t[-1]), t0 + half), t0)
            self.add_button.disabled = self.n_components >= MAX_COMPONENTS
            self.remove_button.disabled = self.n_components <= 1
        self._update_shares()

    def _update_shares(self) -> None:
        if not self.params or self._traces is None:
            return
        k = min(self.edit_index, len(self.params) - 1)
        rise, shares = roles(self.params[k]["amplitudes"], self._sign(k))
        for i, row in enumerate(self.rows[: self.n_components]):
            row["share"].value = (
                "<b>rise</b>"
                if rise[i]
                else (f"{shares[i]:.1f} %" if shares[i] == shares[i] else "")
            )

    # -- table ----------------------------------------------------------------
    def _fits(self) -> list[KineticsFit]:
        r = self._result
        return [r] if isinstance(r, KineticsFit) else list(r.fits)

    def table(self) -> pd.DataFrame:
        """Table 1 for the last fit, pump levels side by side.

        Returns
        -------
        pandas.DataFrame
            Lifetimes (ps) and amplitudes (OD) with their standard errors, each decay's share
            (%; rises labelled, the offset excluded), one column per pump level.

        Raises
        ------
        FitError
            There is no fit yet.
        """
        if self._result is None:
            raise FitError("no fit yet: press Fit (or call fitter.fit()) first")
        cols = {}
        for i, f in enumerate(self._fits()):
            cols[f.pump_label or f"pump {i}"] = column(f, self._sign(i))
        return pd.DataFrame(cols)

    @property
    def table_text(self) -> str:
        """The table as tab-separated text (pastes into a spreadsheet)."""
        return "" if self._result is None else self.table().to_csv(sep="\t")

    def to_csv(self, path: str | Path) -> Path:
        """Write the table, with the numeric values and standard errors below it, as CSV.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        FitError
            There is no fit yet.
        """
        if self._result is None:
            raise FitError("no fit yet: press Fit before exporting the table")
        path = Path(path)
        values = self._result.values()
        if isinstance(values, dict):
            values = pd.DataFrame({self._result.pump_label or "fit": values})
        with path.open("w", encoding="utf-8") as fh:
            self.table().to_csv(fh)
            fh.write("\n")
            values.to_csv(fh)
        self.status.value = f"table written to {escape(path)}"
        return path

    def _update_table(self) -> None:
        if self._result is None:
            self.table_html.value = "<i>no fit yet: press Fit</i>"
            self.copy_text.value = ""
            return
        self.table_html.value = self.table().to_html(classes="qd-table")  # pandas escapes
        self.copy_text.value = self.table_text


def _recentre(slider: Any, lo: float, hi: float, value: float) -> None:
    """Give ``slider`` the range [lo, hi] and the exact ``value`` (min/max set in an order that
    never clamps the value)."""
    if not hi > lo:
        hi = lo + (abs(lo) or 1.0)
    log = type(slider).__name__ == "FloatLogSlider"  # its min/max are exponents
    value = float(np.clip(value, 10**lo, 10**hi) if log else np.clip(value, lo, hi))
    with slider.hold_sync():
        slider.min = min(float(slider.min), lo)
        slider.max = max(float(slider.max), hi)
        slider.value = value
        slider.max = hi
        slider.min = lo


def snapped(slider: Any, exact: float, new: float) -> bool:
    """Whether ``new`` is only ``slider``'s rounding of ``exact`` to its step grid (what a front
    end sends back after showing a fitted value), not a move by the user."""
    step = float(slider.step or 0.0)
    if step <= 0 or new == exact:
        return False
    if type(slider).__name__ == "FloatLogSlider":
        if exact <= 0 or new <= 0:
            return False
        x, lo = math.log10(exact), float(slider.min)
        grid = 10 ** (lo + round((x - lo) / step) * step)
    else:
        lo = float(slider.min)
        grid = lo + round((exact - lo) / step) * step
    return math.isclose(new, grid, rel_tol=1e-9, abs_tol=1e-12)


def shown(value: float) -> float:
    """``value`` rounded to 4 significant digits for a text box (the exact value stays in
    ``params``; the box writes back only what the user types)."""
    value = float(value)
    return float(f"{value:.4g}") if math.isfinite(value) else value
