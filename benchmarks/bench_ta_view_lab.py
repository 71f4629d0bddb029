"""TAView vs bqplot's HeatMap in JupyterLab, same run: time from display to the map drawn.

A 500 delays × 1000 wavelengths float32 map, shown from a running kernel into an Output widget;
the clock runs in the page from just before the kernel request until the map is drawn:
  - TAView: its map canvas gets its plot box (set when the colour-mapped image is painted);
  - bqplot HeatMap: its ``image.heatmap`` gets an ``href`` (set when its canvas is rendered).
Both include Python-side serialisation, the transfer and the drawing. Medians over repeats.

Run (it uses the browser tier's fixtures, tests/ui/conftest.py):
  PYTHONPATH=tests/ui .venv/bin/python -m pytest benchmarks/bench_ta_view_lab.py -p conftest -s -q
"""

from __future__ import annotations

import statistics
from typing import Any

SETUP = """
import numpy as np, ipywidgets as W, bqplot as bq
from qdwidgets.widgets.ta_view import TAView
D, NW = 500, 1000
delays = np.linspace(-1.0, 1000.0, D)
wl = np.linspace(450.0, 700.0, NW)
rng = np.random.default_rng(0)
dA = (-0.01 * np.exp(-np.clip(delays, 0, None)[:, None] / 100) * np.exp(-((wl - 639) / 15) ** 2)
      + 1e-4 * rng.normal(size=(D, NW))).astype("float32")
out = W.Output()
out.add_class("qd-bench-out")
out
"""

SHOW = {
    "TAView": "v = TAView(); v.set_data(dA, delays, wl); display(v)",
    "bqplot HeatMap": (
        "sc = {'x': bq.LinearScale(), 'y': bq.LinearScale(),\n"
        "      'color': bq.ColorScale(scheme='RdBu')}\n"
        "hm = bq.HeatMap(x=delays, y=wl, color=dA.T, scales=sc)\n"
        "display(bq.Figure(marks=[hm], axes=[bq.Axis(scale=sc['x']), "
        "bq.Axis(scale=sc['y'], side='left')]))"
    ),
}
DRAWN = {
    "TAView": ".qd-bench-out .qd-map[data-plot-box]",
    "bqplot HeatMap": ".qd-bench-out image.heatmap[href]",
}

ARM_JS = """(selector) => {
  window.__qdDrawn = null;
  const obs = new MutationObserver(() => {
    const el = document.querySelector(selector);
    if (el && (!el.matches('image') || (el.getAttribute('href') || '').length > 100)) {
      window.__qdDrawn = performance.now(); obs.disconnect();
    }
  });
  obs.observe(document.body, {subtree: true, childList: true, attributes: true});
  window.__qdT0 = performance.now();
}"""


def test_bench_taview_vs_bqplot_heatmap(notebook: Any) -> None:
    nb = notebook([SETUP])
    page = nb.page
    page.locator(".qd-bench-out").wait_for(state="attached", timeout=30_000)
    results: dict[str, list[float]] = {}
    for name, repeats in (("TAView", 7), ("bqplot HeatMap", 5)):
        for _ in range(repeats):
            nb.eval("out.clear_output()")
            page.wait_for_function(
                "() => !document.querySelector('.qd-bench-out canvas, .qd-bench-out svg')"
            )
            page.evaluate(ARM_JS, DRAWN[name])
            nb.eval("with out:\n    " + SHOW[name].replace("\n", "\n    "), timeout=120)
            page.wait_for_function("() => window.__qdDrawn !== null", timeout=120_000)
            results.setdefault(name, []).append(
                page.evaluate("() => window.__qdDrawn - window.__qdT0")
            )
    print("\nTA map 500 × 1000 in JupyterLab (headless chromium), display → map drawn, ms")
    print(f"{'widget':<16} {'median':>9} {'min':>9} {'max':>9} {'n':>3}")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"{name:<16} {med:9.1f} {min(times):9.1f} {max(times):9.1f} {len(times):3d}")
    ratio = statistics.median(results["bqplot HeatMap"]) / statistics.median(results["TAView"])
    print(f"bqplot HeatMap / TAView = {ratio:.0f}×")
    assert not [e for e in nb.console_errors if "ta_view" in e or "TAView" in e]
