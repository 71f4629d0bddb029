"""Packaging and layering: the wheel ships the JS bundle and the example data; ``qdwidgets.core``
and a bare ``import qdwidgets`` stay free of the widget stack."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qdwidgets"
CORE = PACKAGE / "core"
WIDGET_STACK = ("ipywidgets", "bqplot", "anywidget", "traitlets")


# -- (a) the wheel ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """Build the wheel once, as pip would. Without build isolation when the venv already has the
    build backend (about 1 s), else in an isolated environment from the package index (~10 s)."""
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)]
    if all(importlib.util.find_spec(m) for m in ("hatchling", "hatch_jupyter_builder")):
        cmd.insert(4, "--no-isolation")
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, (
        f"wheel build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    (path,) = out.glob("qdwidgets-*.whl")
    with zipfile.ZipFile(path) as zf:
        yield zf


@pytest.mark.slow
def test_wheel_ships_the_js_bundle(wheel: zipfile.ZipFile) -> None:
    info = wheel.getinfo("qdwidgets/static/ta_view.js")
    assert info.file_size > 1000, "the bundle is suspiciously small"
    source = wheel.read("qdwidgets/static/ta_view.js").decode()
    assert "export" in source, "the bundle must be an ES module (anywidget imports it)"
    remote = re.findall(r"""(?:from|import)\s*\(?\s*["'](?:https?:)?//[^"']+""", source)
    assert not remote, f"the bundle imports remote modules (offline use breaks): {remote[:3]}"


@pytest.mark.slow
def test_wheel_ships_the_example_data(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    examples = [n for n in names if n.startswith("qdwidgets/data/_examples/") and n.endswith(".nc")]
    assert examples, "no qdwidgets/data/_examples/*.nc in the wheel"
    for name in examples:
        assert wheel.read(name)[:4] in (b"CDF\x01", b"CDF\x02", b"\x89HDF"), f"{name}: not netCDF"
    assert not [n for n in names if n.startswith(("tests/", "js/"))], "tests or JS sources leaked"
    (meta,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "qdwidgets = qdwidgets.cli:main" in wheel.read(meta).decode()


@pytest.mark.slow
def test_wheel_ships_py_typed_and_the_one_version(wheel: zipfile.ZipFile) -> None:
    import qdwidgets

    assert "qdwidgets/py.typed" in wheel.namelist(), "type checkers need qdwidgets/py.typed"
    (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    found = re.search(r"^Version: (\S+)$", wheel.read(meta).decode(), re.MULTILINE)
    assert found and found.group(1) == qdwidgets.__version__


def test_version_is_written_once() -> None:
    """pyproject reads ``__version__`` (no second copy); CHANGELOG has a section for it."""
    import qdwidgets

    pyproject = (ROOT / "pyproject.toml").read_text()
    assert not re.search(r"^version\s*=", pyproject, re.MULTILINE), "a static version in pyproject"
    assert re.search(r'^dynamic = \[.*"version"', pyproject, re.MULTILINE)
    assert 'path = "qdwidgets/__init__.py"' in pyproject
    release = re.match(r"\d+\.\d+\.\d+", qdwidgets.__version__)
    assert release, qdwidgets.__version__
    assert f"## {release.group(0)} " in (ROOT / "CHANGELOG.md").read_text()


# -- (b) core imports no widget library ---------------------------------------------------------
def _imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    package = parts[:-1]  # the package a relative import starts from (same for __init__)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{alias.name}" for alias in node.names)
    return names


def _forbidden(names: set[str]) -> list[str]:
    bad = {n for n in names if n.split(".")[0] in WIDGET_STACK}
    bad |= {n for n in names if n == "qdwidgets.widgets" or n.startswith("qdwidgets.widgets.")}
    return sorted(bad)


def test_ast_scan_catches_direct_aliased_and_relative_widget_imports(tmp_path: Path) -> None:
    probe = tmp_path / "qdwidgets" / "core" / "sub" / "x.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "import numpy as np\nimport ipywidgets as W\nfrom bqplot import Figure\n"
        "def f():\n    from ...widgets import _base\n    from .. import gain\n"
    )
    names = _imported_modules(probe, tmp_path)
    assert {"numpy", "qdwidgets.core.gain"} <= names
    assert _forbidden(names) == [
        "bqplot",
        "bqplot.Figure",
        "ipywidgets",
        "qdwidgets.widgets",
        "qdwidgets.widgets._base",
    ]


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_source_imports_no_widget_library(path: Path) -> None:
    bad = _forbidden(_imported_modules(path))
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: core must stay free of widgets"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "qdwidgets" / "data").rglob("*.py")), ids=lambda p: str(p.name)
)
def test_data_source_imports_neither_core_nor_widgets(path: Path) -> None:
    """The layers' arrows point down: widgets → core → data; data imports neither."""
    names = _imported_modules(path)
    bad = _forbidden(names) + sorted(
        n for n in names if n == "qdwidgets.core" or n.startswith("qdwidgets.core.")
    )
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: the data layer sits below core"


def _modules_loaded_after(code: str) -> dict[str, list[str]]:
    probe = (
        "import json, sys\n"
        f"{code}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {WIDGET_STACK!r})))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"loaded": json.loads(proc.stdout.strip().splitlines()[-1])}


def test_importing_every_core_module_loads_no_widget_library() -> None:
    code = (
        "import importlib, pkgutil, qdwidgets.core as core\n"
        "mods = [m.name for m in pkgutil.walk_packages(core.__path__, 'qdwidgets.core.')]\n"
        "for m in mods: importlib.import_module(m)\n"
        "print(len(mods), file=sys.stderr)"
    )
    assert _modules_loaded_after(code)["loaded"] == []


# -- (c) a bare import stays light --------------------------------------------------------------
@pytest.mark.parametrize(
    "statement", ["import qdwidgets", "import qdwidgets.data, qdwidgets.errors"]
)
def test_import_qdwidgets_does_not_load_the_widget_stack(statement: str) -> None:
    assert _modules_loaded_after(statement)["loaded"] == []


def test_widget_stack_probe_can_fail() -> None:
    """The subprocess probe does see a widget library when one is imported."""
    assert "ipywidgets" in _modules_loaded_after("import ipywidgets")["loaded"]
