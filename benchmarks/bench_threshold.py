"""Threshold fit with a 1000-sample bootstrap interval: median time vs a naive baseline.

Curve: 50 powers (10–500 mW), sharp knee at 150 mW, noise 0.5 % of the maximum; windows
10–130 and 170–500 mW. Measured, as medians over repeats in one process:
  - ``fit_lines(..., ci="bootstrap", n_boot=1000)``: both lines, the studentized residual
    bootstrap (vectorised: one matrix product per window), the interval;
  - ``fit_lines(..., ci="delta")`` for reference;
  - ``find_threshold`` (breakpoint search + 1000-draw Monte Carlo test + the bootstrap fit);
  - baseline: the same residual bootstrap written the naive way, one ``np.linalg.lstsq`` per
    window per replicate in a Python loop (percentile interval).
Target (issue 6): the bootstrap fit in ≤ 100 ms.

Run:  .venv/bin/python benchmarks/bench_threshold.py [--repeats 31]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from qdwidgets.core.threshold import find_threshold, fit_lines

POWER = np.arange(10.0, 501.0, 10.0)
BELOW, ABOVE = (10.0, 130.0), (170.0, 500.0)


def curve(seed: int = 0) -> np.ndarray:
    y = 5.0 + 0.02 * POWER + np.maximum(POWER - 150.0, 0.0)
    return y + np.random.default_rng(seed).normal(0, 0.005 * y.max(), POWER.size)


def naive_bootstrap(y: np.ndarray, n_boot: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Residual bootstrap with a per-replicate lstsq loop (the baseline)."""
    rng = np.random.default_rng(seed)
    fits = []
    for lo, hi in (BELOW, ABOVE):
        power = POWER
        m = (power >= lo) & (power <= hi)
        X = np.column_stack([POWER[m], np.ones(m.sum())])
        coef, *_ = np.linalg.lstsq(X, y[m], rcond=None)
        fitted = X @ coef
        resid = (y[m] - fitted) * np.sqrt(m.sum() / (m.sum() - 2))
        fits.append((X, fitted, resid))
    xs = np.empty(n_boot)
    for i in range(n_boot):
        lines = []
        for X, fitted, resid in fits:
            ystar = fitted + resid[rng.integers(0, resid.size, resid.size)]
            coef, *_ = np.linalg.lstsq(X, ystar, rcond=None)
            lines.append(coef)
        (m1, b1), (m2, b2) = lines
        xs[i] = (b2 - b1) / (m1 - m2)
    lo, hi = np.quantile(xs, [0.025, 0.975])
    return float(lo), float(hi)


def median_ms(func: Callable[[], object], repeats: int) -> float:
    func()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    args = parser.parse_args()
    y = curve()
    fit = fit_lines(POWER, y, below=BELOW, above=ABOVE, n_boot=1000)
    naive = naive_bootstrap(y)
    print(
        f"threshold {fit.threshold_mW:.2f} mW, bootstrap-t CI {fit.ci[0]:.2f}–{fit.ci[1]:.2f};"
        f" naive percentile CI {naive[0]:.2f}–{naive[1]:.2f} (truth 150)"
    )
    rows = {
        "fit_lines, bootstrap n=1000": median_ms(
            lambda: fit_lines(POWER, y, below=BELOW, above=ABOVE, n_boot=1000), args.repeats
        ),
        "fit_lines, delta": median_ms(
            lambda: fit_lines(POWER, y, below=BELOW, above=ABOVE, ci="delta"), args.repeats
        ),
        "find_threshold (search + test + fit)": median_ms(
            lambda: find_threshold(POWER, y), args.repeats
        ),
        "baseline: lstsq loop, n=1000": median_ms(
            lambda: naive_bootstrap(y), max(5, args.repeats // 4)
        ),
    }
    base = rows["baseline: lstsq loop, n=1000"]
    print(f"{'case':40s} {'median ms':>10s} {'vs baseline':>12s}")
    for name, ms in rows.items():
        print(f"{name:40s} {ms:10.2f} {base / ms:11.1f}x")
    target = rows["fit_lines, bootstrap n=1000"]
    print(f"target ≤ 100 ms for the bootstrap fit: {'met' if target <= 100 else 'MISSED'}")


if __name__ == "__main__":
    main()
