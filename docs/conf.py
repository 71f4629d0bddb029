"""Sphinx configuration of the qdwidgets docs (``make docs``: offline, warnings are errors).

The user guide pages are the notebooks of ``notebooks/``, copied into ``guide/notebooks/`` (git
ignored) before each build and executed by myst-nb; the API reference is autosummary over the
public modules, and :mod:`_api_check` fails the build when a public name is missing from it.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
# the notebooks' kernels import this checkout too (not another install of qdwidgets)
_paths = (str(ROOT), os.environ.get("PYTHONPATH", ""))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in _paths if p)

from sphinx.application import Sphinx  # noqa: E402

import qdwidgets  # noqa: E402

project = "qdwidgets"
author = "qdwidgets developers"
copyright = "qdwidgets developers, BSD-3-Clause"
release = qdwidgets.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "_api_check",
]

# -- notebooks: the user guide ---------------------------------------------------------------
GUIDE_NOTEBOOKS = ("tour", "prepare", "gain", "kinetics", "bands", "threshold", "teaching", "paper")
_target = HERE / "guide" / "notebooks"
_target.mkdir(parents=True, exist_ok=True)
for _name in GUIDE_NOTEBOOKS:
    _src = ROOT / "notebooks" / f"{_name}.ipynb"
    _dst = _target / _src.name
    if not _dst.exists() or _dst.read_bytes() != _src.read_bytes():
        shutil.copyfile(_src, _dst)  # an unchanged copy keeps its mtime: no re-read, no re-run

# executed at build time, cached in _build/.jupyter_cache (a rebuild with unchanged notebooks
# costs nothing); the notebooks themselves carry no outputs
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# widget views need the widget manager's JavaScript from a CDN: the offline pages show each
# widget's text form instead, and every figure the notebooks draw as a PNG
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js: dict[str, dict[str, str]] = {}  # no widget manager fetched from a CDN
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "screenshot.py", "README*"]
templates_path = ["_templates"]

# -- API reference ---------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autosummary_ignore_module_all = False
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry the types and units
autodoc_preserve_defaults = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False
numpydoc_xref_param_type = False

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"qdwidgets {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path: list[str] = []
# single pages need no section navigation: their tables get the width
html_sidebars = {page: [] for page in ("index", "getting-started", "concepts", "changelog")}
html_show_sourcelink = False
suppress_warnings: list[str] = []
nitpicky = False


# -- docstrings ------------------------------------------------------------------------------
# Docstrings are written to be read as plain text too, where |x| is an absolute value; reST would
# take it for an (undefined) substitution. No substitutions are defined here, so the bars of
# |x| outside inline literals are escaped before parsing.
_ABS = re.compile(r"(``.*?``)|(?<![\w|\\])\|(?=[^\s|])([^|\n`]*?[^\s|\\])\|(?![\w|])")


def _escape_bars(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    for i, line in enumerate(lines):
        lines[i] = _ABS.sub(lambda m: m.group(1) or rf"\|{m.group(2)}\|", line)


def setup(app: Sphinx) -> None:
    app.connect("autodoc-process-docstring", _escape_bars)
