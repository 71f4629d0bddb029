"""ThresholdFitter in JupyterLab: a real mouse drag of a window handle moves the threshold."""

from __future__ import annotations

from typing import Any

SETUP = """
import numpy as np, xarray as xr
from qdwidgets.core.threshold import fit_threshold
P = np.arange(10.0, 501.0, 10.0)
wl = np.arange(600.0, 710.1, 1.0)
rng = np.random.default_rng(0)
none = 0.05 * P
lamp = none + 2.0 + 0.02 * np.maximum(P - 150.0, 0) + rng.normal(0, 0.03, P.size)
heights = np.stack([none, lamp])
spectra = heights[..., None] * np.exp(-0.5 * ((wl - 654.0) / 10.0) ** 2)
ds = xr.Dataset(
    {"emission": (("feedback", "power", "wavelength"), spectra, {"units": "nW"})},
    coords={"feedback": ["none", "lamp"], "power": ("power", P, {"units": "mW"}),
            "wavelength": ("wavelength", wl, {"units": "nm"})},
    attrs={"qd_kind": "ase", "spot_diameter_mm": 1.0, "beam_profile": "tophat"},
)
"""

WIDGET = """
from qdwidgets import ThresholdFitter
f = ThresholdFitter(ds, below=(10, 140), above=(160, 500))
first = f.result.threshold_mW
f
"""


def _handles(page: Any) -> tuple[Any, list[dict[str, float]]]:
    fig = page.locator(".qd-enhancement-figure")
    fig.wait_for(state="visible", timeout=30_000)
    dots = fig.locator("path.dot")
    # 50 enhancement points, the intersection, then the 4 handles (the figure's last mark)
    page.wait_for_function(
        "() => document.querySelectorAll('.qd-enhancement-figure path.dot').length >= 55",
        timeout=30_000,
    )
    n = dots.count()
    fig.scroll_into_view_if_needed()  # the handles sit low in a tall widget
    page.wait_for_timeout(200)
    boxes = [dots.nth(i).bounding_box() for i in range(n - 4, n)]
    assert all(b is not None for b in boxes), boxes
    return dots, boxes


def _center(box: dict[str, float]) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_dragging_a_window_handle_refits_in_python(notebook: Any) -> None:
    nb = notebook([SETUP, WIDGET])
    page = nb.page
    _, boxes = _handles(page)
    (x_lo, y), (x_hi, _) = _center(boxes[0]), _center(boxes[1])
    assert x_hi > x_lo + 50, boxes  # 10 mW and 140 mW handles, left to right
    px_per_mw = (x_hi - x_lo) / 130.0
    assert nb.eval("f.below") == "[10.0, 140.0]"

    # drag the below window's upper edge from 140 mW to about 90 mW with the real mouse
    page.mouse.move(x_hi, y)
    page.mouse.down()
    page.mouse.move(x_hi - 50 * px_per_mw, y, steps=10)
    page.mouse.up()
    # positions stream in while the mouse moves (update_on_move): wait for where it settled
    nb.wait_for("abs(f.below[1] - 90.0) < 8", "True", timeout=15)
    assert nb.eval("f.below[0]") == "10.0"
    assert nb.eval("f.error_message") == "''"
    # the new threshold is exactly the core fit on the windows Python received, and it moved
    same = "f.result == fit_threshold(ds, below=tuple(f.below), above=tuple(f.above))"
    assert nb.eval(same) == "True"
    assert nb.eval("f.result.threshold_mW != first") == "True"
    assert nb.eval("abs(f.result.threshold_mW - 150) < 10") == "True"
    shown = page.locator(".qd-threshold-fitter .qd-threshold-mW")
    expected = nb.eval("print(f'{f.result.threshold_mW:.4g}')").strip()
    page.wait_for_function(
        "t => document.querySelector('.qd-threshold-fitter .qd-threshold-mW')?.textContent === t",
        arg=expected,
        timeout=10_000,
    )
    assert shown.inner_text() == expected

    # drag an above-window handle into the below window: it stops one power step after it
    _, boxes = _handles(page)
    x_a, y_a = _center(boxes[2])
    page.mouse.move(x_a, y_a)
    page.mouse.down()
    page.mouse.move(x_a - 110 * px_per_mw, y_a, steps=10)
    page.mouse.up()
    nb.wait_for("f.above[0] == f.below[1] + 10", "True", timeout=15)
    assert "overlap" not in nb.eval("f.error_message")
