"""TAExplorer, kernel side: Python time and bytes sent per settled slider change.

Dataset: 3 pump levels × 400 delays × 1024 wavelengths (analytic A_ex with noise). A settled
change is what TAView's JS sends when a scrub ends: ``set_state({"delay": ...})`` (delay only)
or ``set_state({"delay": ..., "wavelength": ...})`` (a click on the map). The widget's comm is
wrapped to record every message it sends (JSON length + binary buffers). Medians over repeats.

Baseline (the naive way, same process): on each change recompute A_ex with the core API
(``gain.a_ex(ds)``, which validates a copy), recompute the zero crossings
(``gain.zero_crossing(ds, λ)``) and send the spectrum and kinetics of every pump level (ΔA,
A0, A_ex) as JSON lists.

Targets (issue 3): ≤ 5 ms of Python work and ≤ 64 KB sent per settled change.

Run:  .venv/bin/python benchmarks/bench_ta_explorer.py [--repeats 41]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np
import xarray as xr

from qdwidgets.core import gain
from qdwidgets.widgets.ta_explorer import TAExplorer

P, D, W = 3, 400, 1024


def dataset(seed: int = 0) -> xr.Dataset:
    """3 × 400 × 1024 TA data: A_ex = A0·(1 − (1 + c)(1 − e^{−t/1 ps})) plus 1 mOD noise."""
    rng = np.random.default_rng(seed)
    wl = np.linspace(440.0, 720.0, W)
    delay = np.concatenate(
        [np.linspace(-5, -0.25, 20), np.linspace(0, 5, 250), np.geomspace(5.1, 7000, D - 270)]
    )
    a0 = 0.05 + 0.1 * np.exp(-0.5 * ((wl - 639) / 12) ** 2)
    rise = -np.expm1(-np.clip(delay, 0, None))[:, None]
    da = np.stack([-(1 + c) * rise * a0 for c in (0.3, 1.0, 3.0)])
    da += 1e-3 * rng.standard_normal(da.shape)
    return xr.Dataset(
        {
            "dA": (("pump", "delay", "wavelength"), da, {"units": "OD"}),
            "A0": ("wavelength", a0, {"units": "OD"}),
        },
        coords={
            "pump": ("pump", [30.0, 100.0, 300.0], {"units": "nJ"}),
            "occupancy": ("pump", [0.3, 1.0, 3.0]),
            "delay": ("delay", delay, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


class Recorder:
    """Wraps a widget comm's publish_msg and counts the bytes it would put on the wire."""

    def __init__(self, widget: Any) -> None:
        self.nbytes = 0
        self.messages = 0
        comm = widget.comm
        original = comm.publish_msg

        def publish(
            msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any
        ) -> None:
            self.messages += 1
            self.nbytes += len(json.dumps(data, default=str).encode()) + sum(
                memoryview(b).nbytes for b in (buffers or [])
            )
            original(msg_type, data=data, metadata=metadata, buffers=buffers, **keys)

        comm.publish_msg = publish

    def take(self) -> tuple[int, int]:
        out = (self.nbytes, self.messages)
        self.nbytes = self.messages = 0
        return out


def naive_change(ds: xr.Dataset, delay: float, wavelength: float) -> int:
    """The baseline: recompute everything through the core API and send JSON lists."""
    aex = gain.a_ex(ds)
    zc = gain.zero_crossing(ds, wavelength)
    spec = aex.sel(delay=delay, method="nearest")
    kin = aex.sel(wavelength=wavelength, method="nearest")
    dspec = ds["dA"].sel(delay=delay, method="nearest")
    dkin = ds["dA"].sel(wavelength=wavelength, method="nearest")
    msg = {
        "a_ex_spectrum": spec.values.tolist(),
        "dA_spectrum": dspec.values.tolist(),
        "A0": ds["A0"].values.tolist(),
        "a_ex_kinetics": kin.values.tolist(),
        "dA_kinetics": dkin.values.tolist(),
        "crossings": [None if np.isnan(v) else float(v) for v in zc.values],
    }
    return len(json.dumps(msg).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=41)
    args = parser.parse_args()
    ds = dataset()
    t = time.perf_counter()
    ex = TAExplorer(ds)
    build = time.perf_counter() - t
    init_bytes = len(ex.view.dA["view"]) + len(ex.view.A0["view"])
    rec = Recorder(ex.view)
    rng = np.random.default_rng(1)
    delays, wls = ds["delay"].values, ds["wavelength"].values
    rows: dict[str, list[tuple[float, int]]] = {"delay": [], "click": [], "naive": []}
    for _ in range(args.repeats):
        d = float(delays[rng.integers(0, D)])
        w = float(wls[rng.integers(0, W)])
        t = time.perf_counter()
        ex.view.set_state({"delay": d})
        rows["delay"].append((time.perf_counter() - t, rec.take()[0]))
        d = float(delays[rng.integers(0, D)])
        t = time.perf_counter()
        ex.view.set_state({"delay": d, "wavelength": w})
        rows["click"].append((time.perf_counter() - t, rec.take()[0]))
        t = time.perf_counter()
        nbytes = naive_change(ds, d, w)
        rows["naive"].append((time.perf_counter() - t, nbytes))
    assert not ex.error_message, ex.error_message
    med = {
        k: (statistics.median(r[0] for r in v) * 1e3, statistics.median(r[1] for r in v))
        for k, v in rows.items()
    }
    print(
        f"dataset {P} × {D} × {W}; explorer built in {build * 1e3:.0f} ms, arrays sent once: "
        f"{init_bytes / 1e6:.1f} MB (float32)"
    )
    print(f"{'settled change':<38}{'median ms':>10}{'median bytes':>14}")
    names = {
        "delay": "delay (slider release / key / play)",
        "click": "delay + wavelength (map click)",
        "naive": "baseline: recompute + JSON resend",
    }
    for k, (ms, nb) in med.items():
        print(f"{names[k]:<38}{ms:>10.2f}{nb:>14.0f}")
    for k in ("delay", "click"):
        print(
            f"ratio baseline/{k}: time {med['naive'][0] / med[k][0]:.0f}×, "
            f"bytes {med['naive'][1] / max(med[k][1], 1):.0f}×"
        )
    ok = all(med[k][0] <= 5.0 and med[k][1] <= 64 * 1024 for k in ("delay", "click"))
    print("targets (≤ 5 ms, ≤ 64 KB per settled change):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
