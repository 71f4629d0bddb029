"""TAExplorer memory: a live view holds at most 1.5× its data; close() gives it all back."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import xarray as xr

from qdwidgets.widgets.ta_explorer import TAExplorer


def big_ta(pumps: int = 3, delays: int = 2000, wavelengths: int = 1920) -> xr.Dataset:
    """~46 MB of float32 ΔA: a bleach rising from t = 0 at 639 nm, with noise."""
    rng = np.random.default_rng(0)
    t = np.concatenate([np.linspace(-5.0, -0.5, 40), np.geomspace(0.01, 5000.0, delays - 40)])
    wl = np.linspace(440.0, 720.0, wavelengths)
    a0 = (0.02 + 0.1 * np.exp(-0.5 * ((wl - 639.0) / 12.0) ** 2)).astype(np.float32)
    rise = (-np.expm1(-np.clip(t, 0, None) / 0.5) * np.exp(-np.clip(t, 0, None) / 800.0)).astype(
        np.float32
    )
    da = np.empty((pumps, t.size, wl.size), dtype=np.float32)
    for p in range(pumps):
        da[p] = -(1.0 + p) * rise[:, None] * a0[None, :]
        da[p] += rng.standard_normal((t.size, wl.size), dtype=np.float32) * np.float32(3e-4)
    return xr.Dataset(
        {
            "dA": (("pump", "delay", "wavelength"), da, {"units": "OD"}),
            "A0": ("wavelength", a0, {"units": "OD"}),
        },
        coords={
            "pump": ("pump", 100.0 * np.arange(1, pumps + 1), {"units": "nJ"}),
            "delay": ("delay", t, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_live_view_holds_at_most_1_5x_and_five_build_close_cycles_leave_nothing() -> None:
    ta = big_ta()
    size = ta.nbytes
    assert 44e6 < size < 48e6
    tracemalloc.start()
    try:
        base = _traced()
        ex = TAExplorer(ta)
        held = _traced() - base
        assert held <= 1.5 * size, f"a live TAExplorer holds {held / size:.2f}× its data"
        ex.close()
        assert ex.view.comm is None and ex.comm is None
        released = _traced() - base
        assert released < 0.05 * size, f"close() kept {released / 1e6:.1f} MB"
        del ex
        for _ in range(4):  # five build-and-close cycles in all
            ex = TAExplorer(ta)
            ex.close()
            del ex
        grown = _traced() - base
        assert grown < size, f"five cycles left {grown / 1e6:.1f} MB behind"
    finally:
        tracemalloc.stop()
