"""TAView in JupyterLab: clicks, keys, play and toggles reach Python; Python reaches the page."""

from __future__ import annotations

from typing import Any

# 100 delays 0..99 ps (1 ps apart) × 200 wavelengths 500..699 nm (1 nm apart): every grid value is
# an integer, so the settled cursor is checked exactly.
CELL = """
import numpy as np
from qdwidgets.widgets.ta_view import TAView
delays = np.arange(100.0)
wl = 500.0 + np.arange(200.0)
dA = -0.01 * np.exp(-delays[:, None] / 30) * np.exp(-((wl - 639) / 15) ** 2)
w = TAView(height=400)
w.set_data(np.stack([dA, 3 * dA]), delays, wl, A0=np.full(wl.size, 0.02), pump_labels=['N1', 'N3'])
w.delay, w.wavelength = 0.0, 500.0
w
"""


def plot_box(root: Any) -> list[float]:
    """The map's plot area (x0, y0, x1, y1 in CSS px of the canvas), as the widget reports it."""
    canvas = root.locator(".qd-map")
    assert canvas.bounding_box() is not None
    return [float(v) for v in canvas.get_attribute("data-plot-box").split(",")]


def test_taview_interactions_round_trip(notebook: Any) -> None:
    nb = notebook([CELL])
    page = nb.page
    root = page.locator(".qd-taview")
    root.wait_for(state="visible", timeout=30_000)

    # click the map at the pixel of (30 ps, 600 nm): Python gets exactly those grid values
    x0, y0, x1, y1 = plot_box(root)
    x = x0 + (30.0 - 0.0) / 99.0 * (x1 - x0)
    y = y1 - (600.0 - 500.0) / 199.0 * (y1 - y0)  # wavelength increases upwards
    root.locator(".qd-map").click(position={"x": x, "y": y})
    nb.wait_for("(w.delay, w.wavelength)", "(30.0, 600.0)")
    assert page.locator(".qd-delay-slider").input_value() == "30"

    # keyboard on the slider: each arrow step is a settled change
    slider = root.locator(".qd-delay-slider")
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    nb.wait_for("w.delay", "33.0")
    slider.press("End")
    nb.wait_for("w.delay", "99.0")
    assert nb.eval("w.wavelength") == "600.0"  # the slider moves the delay only

    # Python → page: readout text, cursor position, slider
    nb.eval("w.readout = 'A_ex(600 nm) crosses zero at 2.31 ± 0.05 ps'")
    page.wait_for_function(
        "() => document.querySelector('.qd-taview .qd-readout').textContent"
        " === 'A_ex(600 nm) crosses zero at 2.31 ± 0.05 ps'",
        timeout=10_000,
    )
    nb.eval("w.delay = 49.6")  # snapped to the grid in Python, the slider follows
    assert nb.eval("w.delay") == "50.0"
    page.wait_for_function(
        "() => document.querySelector('.qd-taview .qd-delay-slider').value === '50'",
        timeout=10_000,
    )
    label = root.locator(".qd-cursor-label")
    assert label.inner_text().startswith("delay 50 ps, wavelength 600 nm, ΔA = ")

    # hovering shows the value under the mouse without a kernel round trip
    root.locator(".qd-map").hover(position={"x": x0 + 0.1 * (x1 - x0), "y": (y0 + y1) / 2})
    page.wait_for_function(
        "() => document.querySelector('.qd-taview .qd-cursor-label').textContent"
        ".startsWith('delay 10 ps')",
        timeout=10_000,
    )
    assert nb.eval("w.delay") == "50.0"

    # controls: quantity, log delay, pump level
    root.locator(".qd-quantity").click()
    nb.wait_for("w.quantity", "'A_ex'")
    root.locator(".qd-logdelay").check()
    nb.wait_for("w.log_delay", "True")
    root.locator(".qd-pump").select_option("1")
    nb.wait_for("w.pump_index", "1")
    assert "A_ex = " in label.inner_text()

    # play from 90 ps: runs to the end, stops, and settles the last delay once
    nb.eval("w.play_step_ms = 5; w.delay = 90.0")
    page.wait_for_function(
        "() => document.querySelector('.qd-taview .qd-delay-slider').value === '90'",
        timeout=10_000,
    )
    root.locator(".qd-play").click()
    nb.wait_for("(w.playing, w.delay)", "(False, 99.0)", timeout=20)

    errors = [e for e in nb.console_errors if "TAView" in e or "ta_view" in e]
    assert not errors, errors
