"""Screenshots of qdwidgets' views in JupyterLab (light and dark), rendered by chromium.

Run from the repository root after ``make test`` set things up::

    .venv/bin/python docs/screenshot.py            # docs/taview.png (TAExplorer, light)
    .venv/bin/python docs/screenshot.py --all DIR  # every view, light and dark, into DIR

Uses the browser tier's helpers (``tests/ui/conftest.py``): a throwaway JupyterLab server, Debian's
headless chromium, a notebook run to the end, then a screenshot of each widget only. The dark
pictures set JupyterLab Dark through the settings API before the page opens.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from conftest import NotebookFactory, launch_chromium, start_lab  # noqa: E402

EXPLORER = """
from qdwidgets import examples
from qdwidgets.widgets.ta_explorer import TAExplorer
ta = examples.ta()
ex = TAExplorer(ta)  # opens at the band edge and the crossing of the highest level
ex
"""

EVERY_VIEW = {
    "ta_explorer": (
        EXPLORER,
        ".qd-ta-explorer",
    ),
    "ta_explorer_580nm": (
        """
from qdwidgets.data import simulate
from qdwidgets.widgets.ta_explorer import TAExplorer
blue, _ = simulate.ta(pump=(150.0,), transitions_nm=(580.0, 556.0, 520.0, 480.0),
                      pl_peak_nm=595.0, chirp_reference_nm=580.0, pia_peak_nm=640.0, seed=1)
TAExplorer(blue.isel(pump=0, drop=True).drop_vars("occupancy", errors="ignore"))
""",
        ".qd-ta-explorer",
    ),
    "prepare": (
        """
from qdwidgets.data import simulate
from qdwidgets.widgets.prepare import Prepare
raw = simulate.raw_ta(seed=1)
Prepare(list(raw.scans), solvent=raw.solvent)
""",
        ".qd-widget",
    ),
    "kinetics_fitter": (
        "from qdwidgets import examples\nfrom qdwidgets.widgets.kinetics_fitter import "
        "KineticsFitter\nKineticsFitter(examples.hippius())",
        ".qd-widget",
    ),
    "band_deconvolver": (
        "from qdwidgets import examples\nfrom qdwidgets.widgets.band_deconvolver import "
        "BandDeconvolver\nBandDeconvolver(examples.ta())",
        ".qd-widget",
    ),
    "threshold_fitter": (
        "from qdwidgets import examples\nfrom qdwidgets.widgets.threshold_fitter import "
        "ThresholdFitter\nThresholdFitter(examples.ase())",
        ".qd-widget",
    ),
    "fluence_explorer": (
        "from qdwidgets import examples\nfrom qdwidgets.widgets.fluence_explorer import "
        "FluenceExplorer\nFluenceExplorer(examples.fluence())",
        ".qd-widget",
    ),
    "gain_lesson": (
        "from qdwidgets.widgets.gain_lesson import GainLesson\nGainLesson(1.5)",
        ".qd-gain-lesson",
    ),
    "triage": (
        """
import tempfile, pathlib
from qdwidgets import Triage, save
from qdwidgets.data import simulate
folder = pathlib.Path(tempfile.mkdtemp())
save(simulate.ta(pump=(300.0,), seed=1)[0], folder / "ta_300nJ.nc")
save(simulate.ta(pump=(150.0,), transitions_nm=(580.0, 556.0, 520.0, 480.0), pl_peak_nm=595.0,
                 chirp_reference_nm=580.0, seed=2)[0], folder / "ta_580nm.nc")
save(simulate.ase(seed=3)[0], folder / "ase.nc")
(folder / "<i>broken.csv").write_text("a,b\\n1,2,3\\n")
t = Triage(folder, scheduler="sync").wait(120)
t
""",
        ".qd-triage",
    ),
}


def _set_theme(lab: object, theme: str) -> None:
    body = json.dumps({"raw": json.dumps({"theme": theme})}).encode()
    req = urllib.request.Request(
        lab.url + "lab/api/settings/@jupyterlab/apputils-extension:themes",  # type: ignore[attr-defined]
        data=body,
        method="PUT",
        headers={
            "Authorization": f"token {lab.token}",  # type: ignore[attr-defined]
            "Content-Type": "application/json",
        },
    )
    urllib.request.urlopen(req, timeout=10).close()


def shoot(views: dict[str, tuple[str, str]], out: Path, themes: tuple[str, ...]) -> list[Path]:
    """One PNG per view and theme (``NAME-light.png`` / ``NAME-dark.png``) in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_lab(Path(tmp)) as lab,
        launch_chromium() as browser,
    ):
        for theme in themes:
            _set_theme(lab, "JupyterLab Dark" if theme == "dark" else "JupyterLab Light")
            factory = NotebookFactory(lab, browser, f"shots_{theme}")
            try:
                for name, (cell, css) in views.items():
                    nb = factory([cell], timeout=240.0)
                    widget = nb.page.locator(css).first
                    widget.wait_for(state="visible", timeout=60_000)
                    nb.page.wait_for_timeout(2000)  # canvases and bqplot settle after layout
                    path = out / f"{name}-{theme}.png"
                    widget.screenshot(path=str(path))
                    written.append(path)
                    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
            finally:
                factory.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", metavar="DIR", help="every view, light and dark, into DIR")
    parser.add_argument("--only", nargs="+", choices=sorted(EVERY_VIEW), help="with --all")
    args = parser.parse_args(argv)
    if args.all:
        views = {k: v for k, v in EVERY_VIEW.items() if not args.only or k in args.only}
        shoot(views, Path(args.all), ("light", "dark"))
        return
    (path,) = shoot({"taview": (EXPLORER, ".qd-ta-explorer")}, ROOT / "docs", ("light",))
    path.replace(ROOT / "docs" / "taview.png")
    print(f"docs/taview.png from {path.name}")


if __name__ == "__main__":
    main()
