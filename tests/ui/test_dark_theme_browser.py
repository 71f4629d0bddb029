"""The tour in JupyterLab Dark: the TA map, its colour bar and panels take the theme's colours,
and the marks drawn in black on white (the A_ex sum line, the zero-crossing marker) stay visible.

The theme is set through JupyterLab's settings API before the page opens, and set back to
JupyterLab Light afterwards (the session's server is shared by the other browser tests). Pixels
are read from the canvases with ``getImageData``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _theme import set_theme

TOUR = Path(__file__).resolve().parents[2] / "notebooks" / "tour.ipynb"

# per canvas: size, the colour at the top-left corner (the canvas background), the median
# luminance of the map's plot box, and how many pixels are close to a given colour
PIXELS_JS = """([sel, near]) => {
  const c = document.querySelector(sel);
  const ctx = c.getContext('2d');
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const lum = (i) => (0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]) / 255;
  const out = {w: c.width, h: c.height, corner: [d[0], d[1], d[2], d[3]], near: 0, lums: []};
  for (let i = 0; i < d.length; i += 4) {
    const dist = Math.abs(d[i] - near[0]) + Math.abs(d[i + 1] - near[1])
      + Math.abs(d[i + 2] - near[2]);
    if (dist < 40 && d[i + 3] > 200) out.near += 1;
  }
  const box = (c.dataset.plotBox || '').split(',').map(Number);
  if (box.length === 4) {
    const dpr = window.devicePixelRatio || 1;
    for (let y = Math.ceil(box[1] * dpr) + 2; y < box[3] * dpr - 2; y += 3)
      for (let x = Math.ceil(box[0] * dpr) + 2; x < box[2] * dpr - 2; x += 3)
        out.lums.push(lum((y * c.width + x) * 4));
    out.lums.sort((a, b) => a - b);
    out.median = out.lums[Math.floor(out.lums.length / 2)];
    out.lums = out.lums.length;
  }
  return out;
}"""


def _luminance(rgb: list[int]) -> float:
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


@pytest.fixture
def dark(lab: Any) -> Any:
    set_theme(lab, "JupyterLab Dark")
    try:
        yield lab
    finally:
        set_theme(lab, "JupyterLab Light")


def test_tour_in_jupyterlab_dark(dark: Any, notebook: Any) -> None:
    nb = notebook.open_path(TOUR, timeout=240.0)
    page = nb.page
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    explorer = page.locator(".qd-ta-explorer .qd-taview").first
    explorer.wait_for(state="visible", timeout=60_000)
    explorer.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # canvases settle after layout and the theme's stylesheet
    assert page.locator(".qd-ta-explorer .qd-taview.qd-dark").count() >= 1

    scope = ".qd-ta-explorer .qd-taview"
    white = [242, 242, 242]  # the A_ex line on a dark background (#111 on a light one)
    m = page.evaluate(PIXELS_JS, [f"{scope} .qd-map", white])
    assert _luminance(m["corner"]) < 0.25, f"map background {m['corner']} is not dark"
    assert m["lums"] > 100 and m["median"] < 0.45, f"map plot area median luminance {m}"
    bar = page.evaluate(PIXELS_JS, [f"{scope} .qd-colorbar", white])
    assert _luminance(bar["corner"]) < 0.25, f"colour bar background {bar['corner']}"
    spec = page.evaluate(PIXELS_JS, [f"{scope} .qd-spectrum", white])
    assert _luminance(spec["corner"]) < 0.25, f"spectrum background {spec['corner']}"
    assert spec["near"] >= 30, f"the A_ex line is not visible on the dark spectrum: {spec}"
    kin = page.evaluate(PIXELS_JS, [f"{scope} .qd-kinetics", [255, 90, 79]])
    assert _luminance(kin["corner"]) < 0.25, f"kinetics background {kin['corner']}"
    assert kin["near"] >= 10, f"the zero-crossing marker is not visible: {kin}"
    # the readout and labels use the theme's font colour (light on dark)
    color = page.evaluate(
        f"() => getComputedStyle(document.querySelector('{scope} .qd-readout')).color"
    )
    rgb = [int(float(v)) for v in color[color.index("(") + 1 : color.index(")")].split(",")[:3]]
    assert _luminance(rgb) > 0.6, color
    shown = [
        t for t in page.locator(".qd-ta-explorer .qd-error:visible").all_inner_texts() if t.strip()
    ]
    assert not shown, shown
    assert not [e for e in nb.console_errors if "TAView" in e], nb.console_errors
