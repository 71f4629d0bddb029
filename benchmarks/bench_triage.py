"""Triage at scale: 100 TA files of 400 delays × 512 wavelengths on this machine's cores.

Target (issue 7): ≤ 60 s with the default scheduler on 2 cores, and the time falls as workers
are added on a ``dask.distributed.LocalCluster``. Baseline in the same process: the serial
("sync") scheduler. Reports the median of ``--repeats`` runs per configuration.

    .venv/bin/python benchmarks/bench_triage.py [--files 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from qdwidgets import save, triage
from qdwidgets.data import simulate

DELAYS = np.concatenate([np.linspace(-5.0, 5.0, 160), np.geomspace(5.2, 7000.0, 240)])
WAVELENGTHS = np.linspace(450.0, 720.0, 512)


def make_files(folder: Path, n: int) -> None:
    """``n`` simulated single-pump TA files (⟨N⟩ from 0.3 to 3, seeded)."""
    for i in range(n):
        pump = 30.0 + 270.0 * i / max(n - 1, 1)
        ds, _ = simulate.ta(pump=(pump,), delay=DELAYS, wavelength=WAVELENGTHS, seed=i)
        save(ds, folder / f"ta_{i:03d}.nc")


def timed(repeats: int, run) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder, args.files)
        print(
            f"{args.files} TA files of {DELAYS.size} × {WAVELENGTHS.size}, "
            f"{os.cpu_count()} cores, median of {args.repeats}"
        )
        results = {}
        results["sync (baseline, 1 core)"], base = timed(
            args.repeats, lambda: triage(folder, progress=False, scheduler="sync")
        )
        results["processes (default)"], default = timed(
            args.repeats, lambda: triage(folder, progress=False)
        )
        assert default.drop(columns="summary").equals(base.drop(columns="summary"))
        for workers in (1, 2):
            with (
                LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster,
                Client(cluster) as client,
            ):
                client.run(lambda: __import__("qdwidgets.core.summary"))  # warm the workers
                results[f"LocalCluster {workers} worker(s)"], _ = timed(
                    args.repeats, lambda c=client: triage(folder, client=c, progress=False)
                )
        ref = results["sync (baseline, 1 core)"]
        print(f"{'configuration':32s} {'median s':>9s} {'speed-up':>9s}")
        for name, seconds in results.items():
            print(f"{name:32s} {seconds:9.2f} {ref / seconds:8.2f}×")
        failed = int((~default["ok"]).sum())
        print(f"rows: {len(default)}, failed: {failed}")


if __name__ == "__main__":
    main()
