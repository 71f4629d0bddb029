"""TAView's bundle in a plain page with a mock model (js/test/harness.html), in Debian's chromium.

Checks what JupyterLab tests cannot see cheaply: the colour of map pixels against the colormap
(linear and symlog delay axes, device pixel ratio 1 and 2), A_ex = ΔA + A0 on the map, the
automatic colour limit against numpy's percentile, one save per settled change and none while
scrubbing, and that the cleanup removes every model listener.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "qdwidgets" / "static" / "ta_view.js"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def harness_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not BUNDLE.is_file():
        raise RuntimeError(
            f"{BUNDLE} missing: run `npm --prefix js ci && npm --prefix js run build`"
        )
    folder = tmp_path_factory.mktemp("harness")
    shutil.copy(BUNDLE, folder)
    shutil.copy(ROOT / "js" / "src" / "lib" / "colormap.js", folder)
    shutil.copy(ROOT / "js" / "test" / "harness.html", folder / "index.html")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def open_page(chromium: Any, url: str, dpr: float = 1.0) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1000, "height": 900}, device_scale_factor=dpr)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(url)
        page.wait_for_function("window.qdReady === true")
        yield page
        assert not errors, errors
    finally:
        context.close()


def mount(page: Any, dA: np.ndarray, delays: Any, wl: Any, a0: Any = None, **traits: Any) -> int:
    return int(
        page.evaluate(
            "(o) => window.qdMountData(o)",
            {
                "dA": np.asarray(dA, dtype=np.float32).ravel().tolist(),
                "shape": list(np.shape(dA)),
                "a0": None if a0 is None else list(map(float, a0)),
                "delays": list(map(float, delays)),
                "wavelengths": list(map(float, wl)),
                **traits,
            },
        )
    )


PIXEL_JS = """([xs, ys]) => {
  const c = document.querySelector('.qd-map'), dpr = c.width / c.clientWidth;
  const ctx = c.getContext('2d');
  const at = (x, y) => ctx.getImageData(Math.floor(x * dpr), Math.floor(y * dpr), 1, 1).data;
  return xs.map((x, i) => Array.from(at(x, ys[i])));
}"""
EXPECTED_JS = """async (values) => {
  const cm = await import('./colormap.js');
  const lut = cm.buildLut('RdBu_r'), vmax = +document.querySelector('.qd-colorbar').dataset.vmax;
  return values.map((v) => {
    const i = 4 * cm.colorIndex(v === null ? NaN : v, vmax);
    return Array.from(lut.slice(i, i + 4));
  });
}"""


def symlog(x: np.ndarray, c: float) -> np.ndarray:
    """The contract's symlog delay axis: linear within ±c, log10 decades beyond."""
    a = np.abs(x)
    return np.where(a <= c, x / c, np.sign(x) * (1 + np.log10(np.maximum(a, c) / c)))


def cell_centres(coords: np.ndarray, lo: float, hi: float, t: Any = lambda v: v) -> np.ndarray:
    """Pixel centres of each cell on [lo, hi] px, cells split at transformed midpoints."""
    tc = t(np.asarray(coords, dtype=float))
    edges = np.concatenate([[tc[0]], (tc[1:] + tc[:-1]) / 2, [tc[-1]]])
    centres_t = (edges[1:] + edges[:-1]) / 2
    return np.asarray(lo + (centres_t - tc[0]) / (tc[-1] - tc[0]) * (hi - lo))


DELAYS = np.array([-1.0, 0.0, 0.5, 3.0, 40.0, 900.0])  # non-uniform, negative, 3 decades
DELAYS_LIN = np.array([-1.0, 0.0, 0.5, 3.0, 4.0, 6.0])  # cells wide enough on a linear axis
WL = np.array([600.0, 620.0, 630.0, 660.0])  # non-uniform


def dataset() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    dA = rng.uniform(-1.2, 1.2, size=(2, DELAYS.size, WL.size)).astype(np.float32)
    dA[0, 2, 1] = np.nan
    return dA, np.array([0.3, -0.2, 0.1, 0.5])


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("log_delay", [False, True])
@pytest.mark.parametrize("quantity", ["dA", "A_ex"])
def test_map_pixels_follow_the_data(
    chromium: Any, harness_url: str, dpr: float, log_delay: bool, quantity: str
) -> None:
    dA, a0 = dataset()
    with open_page(chromium, harness_url, dpr) as page:
        delays = DELAYS if log_delay else DELAYS_LIN
        mount(page, dA, delays, WL, a0, vmax=1.0, log_delay=log_delay, linthresh=1.0,
              quantity=quantity, pump_index=1, delay=-1.0, wavelength=600.0)  # fmt: skip
        canvas = page.locator(".qd-map")
        x0, y0, x1, y1 = map(float, canvas.get_attribute("data-plot-box").split(","))
        assert page.evaluate("() => document.querySelector('.qd-map').width") == round(
            page.evaluate("() => document.querySelector('.qd-map').clientWidth") * dpr
        )
        t = (lambda v: symlog(v, 1.0)) if log_delay else (lambda v: v)
        cx = cell_centres(delays, x0, x1, t)
        assert np.diff(cx).min() > 20  # every cell is many pixels wide: the test reads its middle
        cy = cell_centres(WL, y1, y0)  # wavelength increases upwards
        values = dA[1] + (a0 if quantity == "A_ex" else 0)
        xs, ys, expect_values = [], [], []
        for d in range(delays.size):
            for w in range(WL.size):
                xs.append(float(cx[d]))
                ys.append(float(cy[w]))
                expect_values.append(float(values[d, w]))
        got = page.evaluate(PIXEL_JS, [xs, ys])
        expected = page.evaluate(EXPECTED_JS, expect_values)
        assert got == expected


def test_nan_cell_is_grey_and_pump_switch_is_client_side(chromium: Any, harness_url: str) -> None:
    dA, a0 = dataset()
    with open_page(chromium, harness_url) as page:
        mount(page, dA, DELAYS_LIN, WL, a0, vmax=1.0, delay=-1.0, wavelength=600.0)
        x0, y0, x1, y1 = map(
            float, page.locator(".qd-map").get_attribute("data-plot-box").split(",")
        )
        x, y = cell_centres(DELAYS_LIN, x0, x1)[2], cell_centres(WL, y1, y0)[1]
        assert page.evaluate(PIXEL_JS, [[float(x)], [float(y)]]) == [[200, 200, 200, 255]]
        page.select_option(".qd-pump", "1")  # the mock model applies it as anywidget would
        assert page.evaluate("() => window.qdLast.model.get('pump_index')") == 1
        got = page.evaluate(PIXEL_JS, [[float(x)], [float(y)]])
        assert got == page.evaluate(EXPECTED_JS, [float(dA[1, 2, 1])])


def test_auto_vmax_is_the_995th_percentile(chromium: Any, harness_url: str) -> None:
    rng = np.random.default_rng(5)
    dA = rng.normal(0, 1e-3, size=(1, 60, 80)).astype(np.float32)
    dA[0, :3, :5] = 1.0  # a few outliers must not set the scale
    a0 = np.linspace(0.0, 2e-3, 80)
    delays, wl = np.arange(60.0), 500 + np.arange(80.0)
    with open_page(chromium, harness_url) as page:
        for quantity, values in (("dA", dA[0]), ("A_ex", dA[0] + a0.astype(np.float32))):
            mount(page, dA, delays, wl, a0, quantity=quantity)
            got = float(
                page.evaluate(
                    "() => +[...document.querySelectorAll('.qd-colorbar')].at(-1).dataset.vmax"
                )
            )
            want = float(np.percentile(np.abs(values.astype(np.float64)), 99.5))
            assert got == pytest.approx(want, rel=1e-6)
            assert got < 0.01  # the outliers (1.0) are beyond the limit


def test_no_a0_disables_quantity(chromium: Any, harness_url: str) -> None:
    dA, _ = dataset()
    with open_page(chromium, harness_url) as page:
        mount(page, dA, DELAYS, WL, None, quantity="A_ex", vmax=1.0)
        assert page.locator(".qd-quantity").is_disabled()
        assert page.locator(".qd-quantity").inner_text() == "map: ΔA"
        assert "ΔA = " in page.locator(".qd-cursor-label").inner_text()


def test_scrub_saves_nothing_settle_saves_once_cleanup_removes_listeners(
    chromium: Any, harness_url: str
) -> None:
    dA, a0 = dataset()
    with open_page(chromium, harness_url) as page:
        n_handlers = mount(page, dA, DELAYS_LIN, WL, a0, delay=-1.0, wavelength=600.0)
        assert n_handlers > 10
        saved = "() => window.qdLast.model.saved"
        label = page.locator(".qd-cursor-label")
        # scrubbing: input events redraw, nothing is written
        page.evaluate(
            """() => { const s = document.querySelector('.qd-delay-slider');
              for (const v of ['1', '2', '3']) {
                s.value = v; s.dispatchEvent(new Event('input'));
              } }"""
        )
        assert label.inner_text().startswith("delay 3 ps, wavelength 600 nm")
        assert page.evaluate(saved) == []
        page.locator(".qd-map").hover()
        assert page.evaluate(saved) == []
        # settled: one change event → one save with both cursor values
        page.evaluate(
            "() => document.querySelector('.qd-delay-slider').dispatchEvent(new Event('change'))"
        )
        assert page.evaluate(saved) == [{"delay": 3.0, "wavelength": 600.0, "playing": False}]
        x0, y0, x1, y1 = map(
            float, page.locator(".qd-map").get_attribute("data-plot-box").split(",")
        )
        page.locator(".qd-map").click(
            position={
                "x": float(cell_centres(DELAYS_LIN, x0, x1)[4]),
                "y": float(cell_centres(WL, y1, y0)[3]),
            }
        )
        assert page.evaluate(saved)[1:] == [{"delay": 4.0, "wavelength": 660.0, "playing": False}]
        # Python-side changes redraw without writing back
        page.evaluate(
            "() => { const m = window.qdLast.model; m.set('delay', 0.4); m.set('readout', 'hi'); }"
        )
        assert page.locator(".qd-readout").inner_text() == "hi"
        assert page.locator(".qd-delay-slider").input_value() == "2"
        assert len(page.evaluate(saved)) == 2
        # cleanup: every listener removed, the DOM gone
        page.evaluate("() => window.qdLast.cleanup()")
        assert page.evaluate("() => window.qdLast.model.nHandlers()") == 0
        assert page.locator(".qd-taview").count() == 0


def test_new_data_of_another_shape_arrives_consistently(chromium: Any, harness_url: str) -> None:
    """Traits of one kernel message change one by one in JS: no transient mismatch error."""
    dA, a0 = dataset()
    rng = np.random.default_rng(9)
    new = rng.uniform(-1, 1, size=(1, 3, 7)).astype(np.float32)
    delays, wl = np.array([0.0, 2.0, 4.0]), 600 + 10 * np.arange(7.0)
    with open_page(chromium, harness_url) as page:  # asserts no console error on exit
        mount(page, dA, DELAYS_LIN, WL, a0, vmax=1.0, delay=-1.0, wavelength=600.0)
        page.evaluate(
            """(o) => { const m = window.qdLast.model, f = Float32Array.from(o.dA);
              m.set('delays', o.delays); m.set('wavelengths', o.wl);
              m.set('dA', {view: new DataView(f.buffer), dtype: 'float32', shape: [1, 3, 7]});
              m.set('A0', {view: new DataView(new ArrayBuffer(0)), dtype: 'float32', shape: [0]});
              m.set('pump_labels', ['only']); }""",
            {"dA": new.ravel().tolist(), "delays": delays.tolist(), "wl": wl.tolist()},
        )
        page.wait_for_function("() => document.querySelector('.qd-delay-slider').max === '2'")
        assert page.locator(".qd-pump option").all_inner_texts() == ["only"]
        x0, y0, x1, y1 = map(
            float, page.locator(".qd-map").get_attribute("data-plot-box").split(",")
        )
        cx, cy = cell_centres(delays, x0, x1), cell_centres(wl, y1, y0)
        xs = [float(cx[d]) for d in range(3) for _ in range(7)]
        ys = [float(cy[w]) for _ in range(3) for w in range(7)]
        got = page.evaluate(PIXEL_JS, [xs, ys])
        assert got == page.evaluate(EXPECTED_JS, new[0].ravel().astype(float).tolist())


def test_panels_follow_cursor_crossings_and_pump(chromium: Any, harness_url: str) -> None:
    """The panels' cached static layers are repainted when what they show changes, and only then."""
    dA, a0 = dataset()
    # pixels of a panel canvas that differ (any channel by > 8 levels) from a saved snapshot
    page_js = """() => {
      const px = (css) => { const c = document.querySelector(css);
        return c.getContext('2d').getImageData(0, 0, c.width, c.height).data; };
      window.snap = {spec: px('.qd-spectrum'), kin: px('.qd-kinetics')};
      window.changed = (name, css) => { const a = window.snap[name], b = px(css); let n = 0;
        for (let i = 0; i < a.length; i += 4) {
          if (Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]),
                       Math.abs(a[i + 2] - b[i + 2])) > 8) { n++; } }
        return n; };
    }"""
    spec = "() => window.changed('spec', '.qd-spectrum')"
    kin = "() => window.changed('kin', '.qd-kinetics')"
    set_js = "([k, v]) => { window.qdLast.model.set(k, v); }"
    with open_page(chromium, harness_url) as page:
        mount(page, dA, DELAYS_LIN, WL, a0, vmax=1.0, delay=0.0, wavelength=620.0,
              crossings=[None, None])  # fmt: skip
        page.evaluate(page_js)
        page.evaluate(set_js, ["crossings", [0.25, None]])  # a marker appears in the kinetics
        page.wait_for_function(f"() => ({kin})() > 20")
        assert page.evaluate(spec) == 0
        page.evaluate(set_js, ["crossings", [None, None]])
        page.wait_for_function(f"() => ({kin})() === 0")
        page.evaluate(set_js, ["delay", 3.0])  # a new spectrum; in the kinetics only the cursor
        page.wait_for_function(f"() => ({spec})() > 100")
        assert 0 < page.evaluate(kin) < 300
        page.evaluate(set_js, ["delay", 0.0])
        page.wait_for_function(f"() => ({spec})() === 0 && ({kin})() === 0")
        page.evaluate(set_js, ["pump_index", 1])
        page.wait_for_function(f"() => ({spec})() > 100 && ({kin})() > 100")


def test_infinite_values_take_the_end_colours(chromium: Any, harness_url: str) -> None:
    dA = np.array([[[np.inf, -np.inf], [0.5, -0.5]]], dtype=np.float32)
    delays, wl = np.array([0.0, 1.0]), np.array([600.0, 610.0])
    with open_page(chromium, harness_url) as page:
        mount(page, dA, delays, wl, None, vmax=1.0, delay=1.0, wavelength=610.0)
        x0, y0, x1, y1 = map(
            float, page.locator(".qd-map").get_attribute("data-plot-box").split(",")
        )
        cx, cy = cell_centres(delays, x0, x1), cell_centres(wl, y1, y0)
        got = page.evaluate(PIXEL_JS, [[float(cx[0])] * 2, [float(cy[0]), float(cy[1])]])
        assert got == page.evaluate(EXPECTED_JS, [10.0, -10.0])  # clamped like any large value


def test_empty_view_renders_without_errors(chromium: Any, harness_url: str) -> None:
    """A TAView before set_data (the Python defaults): 'no data', nothing raises, clicks ignored."""
    with open_page(chromium, harness_url) as page:  # asserts no console error on exit
        mount(page, np.zeros((0, 0, 0)), [], [], None)
        assert page.locator(".qd-map").is_visible()
        page.locator(".qd-map").click(position={"x": 200, "y": 100})
        page.locator(".qd-play").click()
        assert page.evaluate("() => window.qdLast.model.saved") == []
        assert page.locator(".qd-delay-slider").get_attribute("max") == "0"
        page.evaluate("() => window.qdLast.model.set('playing', true)")  # from Python: refused
        page.wait_for_function("() => window.qdLast.model.get('playing') === false")


def test_play_writes_only_start_and_stop(chromium: Any, harness_url: str) -> None:
    dA, a0 = dataset()
    with open_page(chromium, harness_url) as page:
        mount(page, dA, DELAYS_LIN, WL, a0, delay=0.5, wavelength=620.0, play_step_ms=5)
        page.locator(".qd-play").click()
        page.wait_for_function("() => window.qdLast.model.get('playing') === false", timeout=10_000)
        assert page.evaluate("() => window.qdLast.model.saved") == [
            {"delay": 0.5, "wavelength": 620.0, "playing": True},
            {"delay": 6.0, "wavelength": 620.0, "playing": False},
        ]
        assert page.locator(".qd-delay-slider").input_value() == "5"
        assert page.locator(".qd-play").inner_text() == "▶ play"
        # pressing play at the end starts again from the first delay; pause settles where it is
        page.evaluate("() => window.qdLast.model.set('play_step_ms', 60000)")
        page.locator(".qd-play").click()
        assert page.locator(".qd-delay-slider").input_value() == "0"
        page.locator(".qd-play").click()
        assert page.evaluate("() => window.qdLast.model.saved")[2:] == [
            {"delay": 6.0, "wavelength": 620.0, "playing": True},  # frames are not written
            {"delay": -1.0, "wavelength": 620.0, "playing": False},
        ]


def test_crosshair_is_drawn_on_the_overlay_at_the_cursor(chromium: Any, harness_url: str) -> None:
    dA, a0 = dataset()
    # summed alpha of the overlay over a rectangle (CSS px) centred on (x, y)
    alpha_js = """([x, y, w, h]) => { const c = document.querySelector('.qd-map-overlay');
      const k = c.width / c.clientWidth, ctx = c.getContext('2d');
      const r = (v) => Math.max(1, Math.round(v * k));
      const d = ctx.getImageData(r(x - w / 2), r(y - h / 2), r(w), r(h)).data;
      let s = 0; for (let i = 3; i < d.length; i += 4) { s += d[i]; } return s; }"""
    with open_page(chromium, harness_url) as page:
        mount(page, dA, DELAYS_LIN, WL, a0, vmax=1.0, delay=3.0, wavelength=630.0)
        x0, y0, x1, y1 = map(
            float, page.locator(".qd-map").get_attribute("data-plot-box").split(",")
        )
        px = x0 + (3.0 + 1.0) / 7.0 * (x1 - x0)  # linear axis from -1 to 6 ps
        py = y1 - (630.0 - 600.0) / 60.0 * (y1 - y0)
        mid_y = (y0 + py) / 2
        assert page.evaluate(alpha_js, [px, mid_y, 4, 24]) > 0  # the vertical line
        assert page.evaluate(alpha_js, [(x0 + px) / 2, py, 24, 4]) > 0  # the horizontal line
        assert page.evaluate(alpha_js, [(x0 + px) / 2, mid_y, 20, 20]) == 0  # clear elsewhere
        page.evaluate("() => window.qdLast.model.set('delay', 6.0)")
        page.wait_for_function(f"() => ({alpha_js})([{x1 - 2}, {mid_y}, 4, 24]) > 0")
        assert page.evaluate(alpha_js, [px, mid_y, 4, 24]) == 0  # the old line is gone
