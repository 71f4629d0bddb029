"""TAView in headless chromium: first draw of a 500 × 1000 TA map and one scrub frame.

Loads the built bundle (qdwidgets/static/ta_view.js) in a static page on a loopback HTTP server
with a mock anywidget model (js/test/harness.html), and measures, as medians over
repeats in one browser session:
  - first draw: render() → map, colour bar and both panels drawn (pixels read back);
  - to next frame: the same until the next requestAnimationFrame;
  - scrub frame: one slider `input` event → crosshair and both panels redrawn (read back);
  - hover frame: one mouse move over the map → the same;
  - baseline: a naive draw of the same map, one fillRect per data cell, same canvas size.
Targets (issue 3): first draw ≤ 100 ms, scrub frame ≤ 16 ms.

Run:  .venv/bin/python benchmarks/bench_ta_view_browser.py [--repeats 11] [--screenshot out.png]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "qdwidgets" / "static" / "ta_view.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@contextlib.contextmanager
def serve_page() -> Iterator[str]:
    """A loopback HTTP server over a temporary folder holding the page, bundle and colormap."""
    if not BUNDLE.is_file():
        raise SystemExit(f"{BUNDLE} missing: run `npm --prefix js ci && npm --prefix js run build`")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(BUNDLE, tmp)
        shutil.copy(ROOT / "js" / "src" / "lib" / "colormap.js", tmp)
        shutil.copy(ROOT / "js" / "test" / "harness.html", Path(tmp) / "index.html")
        handler = functools.partial(QuietHandler, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
        finally:
            server.shutdown()
            server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def browser_page(url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        page.wait_for_function("window.qdReady === true", timeout=10_000)
        try:
            yield page
        finally:
            browser.close()
        if errors:
            raise SystemExit("browser errors: " + "; ".join(errors))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=11)
    ap.add_argument("--delays", type=int, default=500)
    ap.add_argument("--wavelengths", type=int, default=1000)
    ap.add_argument("--screenshot", type=Path, default=None)
    args = ap.parse_args()
    d, w = args.delays, args.wavelengths
    configs = [(1, d, w, False), (1, d, w, True), (3, 400, 1024, True)]
    with serve_page() as url, browser_page(url) as page:
        rows = []
        for p, nd, nw, log in configs:
            stats = page.evaluate(  # type: ignore[attr-defined]
                "(o) => window.qdBench(o)",
                {"P": p, "D": nd, "W": nw, "repeats": args.repeats, "log": log},
            )
            rows.append((p, nd, nw, log, stats))
        if args.screenshot:
            page.evaluate(  # type: ignore[attr-defined]
                "() => window.qdMount(3, 400, 1024, {log_delay: true})"
            )
            page.locator(".qd-taview").last.screenshot(path=str(args.screenshot))  # type: ignore[attr-defined]
    print("TAView in headless chromium (software canvas, --disable-gpu), milliseconds")
    print(f"{'P×D×W, delay axis':<22} {'measure':<26} {'median':>8} {'min':>8} {'max':>8} {'n':>4}")
    for p, nd, nw, log, s in rows:
        case = f"{p}×{nd}×{nw} {'symlog' if log else 'linear'}"
        for key, name in [
            ("first", "first draw (sync)"),
            ("firstToFrame", "first draw → next frame"),
            ("scrub", "scrub frame (slider)"),
            ("hover", "hover frame (mousemove)"),
            ("naive", "baseline: fillRect/cell"),
        ]:
            m = s[key]
            spread = f"{m['median']:8.2f} {m['min']:8.2f} {m['max']:8.2f} {m['n']:4d}"
            print(f"{case:<22} {name:<26} {spread}")
        ratio = s["naive"]["median"] / s["first"]["median"]
        size = f"{s['canvas'][0]}×{s['canvas'][1]} px"
        print(f"{case:<22} map canvas {size}; baseline / first draw = {ratio:.0f}×")
    print("targets: first draw ≤ 100 ms, scrub frame ≤ 16 ms; bqplot HeatMap 500×1000: 1.6 s")


if __name__ == "__main__":
    main()
