"""The gain lesson at slider speed: one ``gain_lesson(⟨N⟩)`` call, one GainLesson ⟨N⟩ step.

Target (issue 8 brief): ≤ 50 ms per slider step. Baseline in the same process: what a naive
lesson would do, a full default-grid noiseless simulation (``simulate.ta`` on 326 delays × 141
wavelengths) followed by the A_ex spectrum and the band-edge gain window of ``qdwidgets.core.gain``.
Reports the median over ``--repeats`` calls, cycling ⟨N⟩ over 0.5 … 4 (and τ_XX over 200 …
1000 ps), and the ratio to the baseline.

    .venv/bin/python benchmarks/bench_lesson.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

from qdwidgets.core.gain import gain_spectrum, gain_window
from qdwidgets.core.lesson import LESSON_DOT, gain_lesson
from qdwidgets.data import simulate

N_VALUES = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
TAU_VALUES = (200.0, 400.0, 600.0, 1000.0)


def median_ms(repeats: int, run: Callable[[float, float], Any]) -> float:
    """Median wall time (ms) of ``run(n_avg, tau_xx)`` over ``repeats`` calls (after a warm-up)."""
    run(1.0, 600.0)
    cases = itertools.cycle(itertools.product(N_VALUES, TAU_VALUES))
    times = []
    for _ in range(repeats):
        n_avg, tau_xx = next(cases)
        start = time.perf_counter()
        run(n_avg, tau_xx)
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def full_simulation(n_avg: float, tau_xx: float) -> Any:
    """Baseline: the default grids of the simulator, then the core gain analysis."""
    ds, _ = simulate.ta(
        (n_avg,), cross_section=1.0, noise=0.0, chirp=(0.0,), trap_fraction=0.0, seed=None,
        tau_xx=tau_xx, **LESSON_DOT,
    )  # fmt: skip
    return gain_spectrum(ds, 5.0), gain_window(ds, 639.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # bqscales' traitlets metadata
    from qdwidgets.widgets.gain_lesson import GainLesson

    widget = GainLesson(1.0)

    def slider_step(n_avg: float, tau_xx: float) -> None:  # the ⟨N⟩ slider only
        widget.n_slider.value = n_avg if widget.n_slider.value != n_avg else n_avg + 0.05

    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, median of {args.repeats}")
    base = median_ms(max(5, args.repeats // 5), full_simulation)
    rows = {
        "full default-grid simulation + core.gain (baseline)": base,
        "gain_lesson(⟨N⟩, tau_xx=...)": median_ms(
            args.repeats, lambda n, t: gain_lesson(n, tau_xx=t)
        ),
        "GainLesson ⟨N⟩ slider step (compute + mark traits)": median_ms(args.repeats, slider_step),
    }
    for name, ms in rows.items():
        print(f"{name:55s} {ms:8.1f} ms   ×{base / ms:6.1f} faster than baseline")


if __name__ == "__main__":
    main()
