"""Prepare in JupyterLab: drag, add and remove chirp points, crop and mask with the brushes, undo —
with the mouse — and check the Python side (settings and the prepared dataset) in the kernel."""

from __future__ import annotations

import json
from typing import Any

CELL = """
import numpy as np
import qdwidgets
from qdwidgets.core import prepare
from qdwidgets.widgets import Prepare
ta = qdwidgets.examples.ta()
w = Prepare(ta, height=320)
w
"""

# the prepared dataset equals the core's steps on the widget's settings (ΔA and the record)
MATCHES_CORE = """
s = w.settings
wl = ta['wavelength'].values
c = (wl[0] + wl[-1]) / 2
p = np.asarray(s.chirp_points)
t0 = np.polyval(np.polyfit((p[:, 0] - c) / 100, p[:, 1], min(s.chirp_order, len(p) - 1)),
                (wl - c) / 100)
e = prepare.correct_chirp(prepare.subtract_background(ta), t0)
if s.delay_range or s.wavelength_range:
    e = prepare.crop(e, delay=s.delay_range, wavelength=s.wavelength_range)
if s.mask_bands:
    e = prepare.mask(e, wavelength=[list(b) for b in s.mask_bands])
print(bool(e['dA'].equals(w.result['dA'])) and prepare.pipeline(e).steps == w.pipeline.steps)
"""


# a checksum of a canvas's pixels (to see that it was redrawn)
CHECKSUM_JS = """(sel) => {
  const c = document.querySelector('.qd-prepare-view ' + sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 4) {
    h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) % 1000000007;
  }
  return h;
}"""


def box_of(page: Any, css: str) -> tuple[dict[str, float], list[float]]:
    """The canvas's page box and its plot box (x0, y0, x1, y1 in CSS px of the canvas)."""
    loc = page.locator(f".qd-prepare-view {css}")
    bb = loc.bounding_box()
    assert bb is not None
    return bb, [float(v) for v in loc.get_attribute("data-plot-box").split(",")]


def drag(page: Any, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def test_prepare_mouse_round_trip(notebook: Any) -> None:
    nb = notebook([CELL])
    page = nb.page
    page.locator(".qd-prepare-view").wait_for(state="visible", timeout=30_000)
    assert nb.eval("w.error_message") == "''"
    assert not page.locator(".qd-prepare-view .qd-solvent").is_visible()  # no solvent given
    points = json.loads(nb.eval("import json; print(json.dumps(w.chirp_points))"))
    wl0, wl1 = 440.0, 720.0

    # drag the middle chirp point 40 px to the right (later t0) and 0 px in wavelength
    bb, (x0, y0, x1, y1) = box_of(page, ".qd-chirp-map")
    win = [float(v) for v in page.locator(".qd-chirp-map").get_attribute("data-window").split(",")]
    lam, t0 = points[2]
    px = x0 + (t0 - win[0]) / (win[1] - win[0]) * (x1 - x0)
    py = y1 - (lam - wl0) / (wl1 - wl0) * (y1 - y0)
    start = (bb["x"] + px, bb["y"] + py)
    before = page.evaluate(CHECKSUM_JS, ".qd-corrected-map")
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 40, start[1], steps=12)
    # mid-drag: the corrected map is redrawn in the page; Python has not been told yet
    page.wait_for_function(
        f"() => ({CHECKSUM_JS})('.qd-corrected-map') !== {before}", timeout=10_000
    )
    assert nb.eval("w.chirp_points[2][1]") == repr(t0)
    page.mouse.up()
    expected_t0 = t0 + 40 / (x1 - x0) * (win[1] - win[0])
    nb.wait_for(f"abs(w.chirp_points[2][1] - {expected_t0}) < 0.02", "True", timeout=20)
    assert nb.eval(f"abs(w.chirp_points[2][0] - {lam}) < 1.0") == "True"
    assert nb.eval("len(w.chirp_points)") == "5"
    assert nb.eval(MATCHES_CORE).strip() == "True"
    assert int(page.locator(".qd-prepare-view").get_attribute("data-redraw-times").count(",")) >= 1

    # shift-click on the curve's free space adds a point there; double-click removes it again
    # (the map's delay window follows the settled points: read it again)
    win = [float(v) for v in page.locator(".qd-chirp-map").get_attribute("data-window").split(",")]
    t_new = win[0] + 0.7 * (win[1] - win[0])
    lam_new = 580.0
    spot = (
        bb["x"] + x0 + 0.7 * (x1 - x0),
        bb["y"] + y1 - (lam_new - wl0) / (wl1 - wl0) * (y1 - y0),
    )
    page.keyboard.down("Shift")
    page.mouse.click(*spot)
    page.keyboard.up("Shift")
    nb.wait_for("len(w.chirp_points)", "6", timeout=20)
    added = json.loads(
        nb.eval("print(json.dumps([p for p in w.chirp_points if abs(p[0] - 580) < 2]))")
    )
    assert len(added) == 1 and abs(added[0][1] - t_new) < 0.05, added
    page.mouse.dblclick(*spot)
    nb.wait_for("len(w.chirp_points)", "5", timeout=20)
    assert nb.eval(MATCHES_CORE).strip() == "True"

    # crop: a rectangle on the corrected map, from 20 % to 80 % across and 10 % to 90 % down
    n_delays = int(nb.eval("w.result.sizes['delay']"))
    # the page's corrected axis is the core's: every measured delay kept
    assert int(page.locator(".qd-corrected-map").get_attribute("data-delay-count")) == n_delays
    bb, (x0, y0, x1, y1) = box_of(page, ".qd-corrected-map")
    a = (bb["x"] + x0 + 0.2 * (x1 - x0), bb["y"] + y0 + 0.1 * (y1 - y0))
    b = (bb["x"] + x0 + 0.8 * (x1 - x0), bb["y"] + y0 + 0.9 * (y1 - y0))
    drag(page, a, b)
    nb.wait_for("len(w.delay_range), len(w.wavelength_range)", "(2, 2)", timeout=20)
    lo, hi = wl0 + 0.1 * (wl1 - wl0), wl1 - 0.1 * (wl1 - wl0)  # wavelength grows upwards
    assert (
        nb.eval(f"abs(w.wavelength_range[0] - {lo}) < 2 and abs(w.wavelength_range[1] - {hi}) < 2")
        == "True"
    )
    assert nb.eval("bool(w.result['wavelength'].values.min() >= w.wavelength_range[0])") == "True"
    assert int(nb.eval("w.result.sizes['delay']")) < n_delays
    assert nb.eval(MATCHES_CORE).strip() == "True"

    # mask: a drag on the spectrum panel from 40 % to 50 % of its width
    bb, (x0, y0, x1, y1) = box_of(page, ".qd-spectrum")
    # (the spectrum panel spans the data's wavelengths: the crop does not change its axis)
    ya = bb["y"] + (y0 + y1) / 2
    drag(page, (bb["x"] + x0 + 0.4 * (x1 - x0), ya), (bb["x"] + x0 + 0.5 * (x1 - x0), ya))
    nb.wait_for("len(w.mask_bands)", "1", timeout=20)
    band = json.loads(nb.eval("print(json.dumps(w.mask_bands))"))[0]
    assert (
        abs(band[0] - (wl0 + 0.4 * (wl1 - wl0))) < 2
        and abs(band[1] - (wl0 + 0.5 * (wl1 - wl0))) < 2
    )
    assert nb.eval(MATCHES_CORE).strip() == "True"
    assert page.locator(".qd-prepare-view .qd-band").count() == 1

    # undo (button) removes the band; redo brings it back; the chip follows
    page.locator(".qd-prepare-view .qd-undo").click()
    nb.wait_for("len(w.mask_bands)", "0", timeout=20)
    page.wait_for_function(
        "() => !document.querySelector('.qd-prepare-view .qd-band')", timeout=10_000
    )
    page.locator(".qd-prepare-view .qd-redo").click()
    nb.wait_for("len(w.mask_bands)", "1", timeout=20)

    # a refused value (from Python here) shows in the banner; the canvas keeps the good state
    nb.eval("w.canvas.mask_bands = [[300.0, 900.0]]")
    assert "cover every wavelength" in nb.eval("w.error_message")
    assert nb.eval("len(w.mask_bands)") == "1"
    page.wait_for_function(
        "() => document.querySelectorAll('.qd-prepare-view .qd-band').length === 1", timeout=10_000
    )

    errors = [e for e in nb.console_errors if "Prepare" in e or "prepare" in e]
    assert not errors, errors


SCANS_CELL = """
import json
from qdwidgets.core import prepare
from qdwidgets.data import simulate
from qdwidgets.widgets import Prepare
raw = simulate.raw_ta()
w = Prepare(raw.scans, solvent=raw.solvent, height=260)
w
"""


def test_prepare_scans_toggles_and_order(notebook: Any) -> None:
    nb = notebook([SCANS_CELL])
    page = nb.page
    view = page.locator(".qd-prepare-view")
    view.wait_for(state="visible", timeout=30_000)
    assert nb.eval("w.error_message") == "''"
    n = int(nb.eval("len(raw.scans)"))
    assert view.locator(".qd-scan canvas").count() == n
    glitched = int(nb.eval("raw.glitch_scan"))
    label = view.locator(".qd-scan label").nth(glitched).inner_text()
    assert "points out" in label, label  # the average's own rejection, shown per scan

    # reject a scan with its box: Python averages the others
    view.locator(f".qd-reject[data-scan='{glitched}']").check()
    nb.wait_for("w.rejected", f"[{glitched}]", timeout=20)
    kept = [i for i in range(n) if i != glitched]
    same = (  # the widget's code averages the kept scans and gives the widget's result
        "ns = {'ds': raw.scans, 'solvent': raw.solvent}; code = w.to_code(); exec(code, ns)\n"
        f"print(bool(ns['result']['dA'].equals(w.result['dA'])) and '{kept}' in code)"
    )
    assert nb.eval(same).strip() == "True"
    assert view.locator(".qd-scan.qd-rejected").count() == 1

    # toggles and the order menu
    view.locator(".qd-solvent").uncheck()
    nb.wait_for("w.solvent", "False", timeout=20)
    view.locator(".qd-background").uncheck()
    nb.wait_for("w.background", "False", timeout=20)
    steps = "print([s['step'] for s in w.pipeline.steps])"
    assert nb.eval(steps).strip() == "['average_scans', 'correct_chirp']"
    view.locator(".qd-order").select_option("1")
    nb.wait_for("w.chirp_order", "1", timeout=20)

    # undo three times: order, background, solvent come back in turn
    for expected in ("w.chirp_order == 3", "w.background", "w.solvent"):
        view.locator(".qd-undo").click()
        nb.wait_for(expected, "True", timeout=20)
    page.wait_for_function(
        "() => document.querySelector('.qd-prepare-view .qd-solvent').checked", timeout=10_000
    )
    errors = [e for e in nb.console_errors if "prepare" in e.lower()]
    assert not errors, errors
