"""Regenerate ``docs/taview.png``: TAExplorer on the TA example, rendered by JupyterLab in chromium.

Run from the repository root after ``make test`` set things up::

    .venv/bin/python docs/screenshot.py

Uses the browser tier's helpers (``tests/ui/conftest.py``): a throwaway JupyterLab server, Debian's
headless chromium, a notebook run to the end, then a screenshot of the widget only.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from conftest import NotebookFactory, launch_chromium, start_lab  # noqa: E402

CELL = """
try:
    from qdwidgets import examples
    ta = examples.ta()
except Exception:  # the embedded example not built yet: the simulator with the same defaults
    from qdwidgets.data import simulate
    ta, _ = simulate.ta()
from qdwidgets.widgets.ta_explorer import TAExplorer
ex = TAExplorer(ta, wavelength=639.0, delay=2.3)
ex.log_delay = True  # symlog delay axis: the sub-ps gain onset and the ns decay both show
ex
"""


def main(out: Path = ROOT / "docs" / "taview.png") -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_lab(Path(tmp)) as lab,
        launch_chromium() as browser,
    ):
        factory = NotebookFactory(lab, browser, "screenshot")
        try:
            nb = factory([CELL])
            widget = nb.page.locator(".qd-ta-explorer")
            widget.wait_for(state="visible", timeout=60_000)
            nb.page.wait_for_timeout(1500)  # let the canvases settle after layout
            widget.screenshot(path=str(out))
        finally:
            factory.close()
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
