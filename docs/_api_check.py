"""Sphinx extension: the API reference pages, and a check that they name every public object.

:data:`PAGES` lists the modules users import from, page by page; :func:`write_pages` writes one
``api/<page>.rst`` per entry (the module's docstring and an autosummary of its public names, each
object once, under the first module that exports it), so a name added to an ``__all__`` appears
without editing the docs. :func:`check` then fails the build (a warning, an error under ``-W``)
when a public object has no entry. Public: every name in the ``__all__`` of the modules of
:data:`MODULES` (their public functions and classes when a module has no ``__all__``), and
every :class:`qdwidgets.results.Result` subclass wherever it is defined. A name counts as
documented when some entry of the Python domain resolves to the same object (a function
re-exported by a package is documented once, under the package users import it from).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

# page name -> (title, modules users import from); implementation modules below them are covered
PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "data": (
        "Data: the dataset contract, reading and writing",
        (
            "qdwidgets.data",
            "qdwidgets.data.contract",
            "qdwidgets.data.io",
            "qdwidgets.data.absorbance",
            "qdwidgets.examples",
            "qdwidgets.data.units",
            "qdwidgets.data.constants",
            "qdwidgets.errors",
        ),
    ),
    "readers": (
        "File readers",
        (
            "qdwidgets.data.readers.netcdf",
            "qdwidgets.data.readers.glotaran",
            "qdwidgets.data.readers.delimited",
            "qdwidgets.data.readers.npz",
            "qdwidgets.data.readers.ase",
            "qdwidgets.data.readers.ase_files",
        ),
    ),
    "simulate": ("Simulators", ("qdwidgets.data.simulate",)),
    "summary": ("Summary and triage", ("qdwidgets.core.summary", "qdwidgets.batch")),
    "results": ("Results and static figures", ("qdwidgets.results", "qdwidgets.plots")),
    "accessor": ("The qd accessor", ("qdwidgets.accessor",)),
}
# the widgets page: these first, then every other public module of qdwidgets.widgets (a new
# widget module gets its section without editing this file)
WIDGETS_FIRST = ("ta_explorer", "ta_view", "gain_lesson", "kinetics_fitter", "band_deconvolver")


def _widget_modules() -> tuple[str, ...]:
    import qdwidgets.widgets

    found = {m.name for m in pkgutil.iter_modules(qdwidgets.widgets.__path__)}
    public = sorted(n for n in found if not n.startswith("_"))
    ordered = [n for n in WIDGETS_FIRST if n in found]
    ordered += [n for n in public if n not in ordered]
    return tuple(f"qdwidgets.widgets.{n}" for n in ordered)


PAGES["widgets"] = ("Widgets", _widget_modules())
# one page per subpackage of qdwidgets.core (a new one gets its page without editing this file;
# its title is the first sentence of its docstring unless named here)
CORE_TITLES = {
    "gain": "Gain: A_ex, zero crossings, gain spectra",
    "kinetics": "Kinetics: exponential fits with an instrument response",
    "chirp": "Chirp: time zero per wavelength",
    "bands": "Bands: ground-state bleach and stimulated emission",
    "threshold": "Threshold: ASE with and without feedback",
    "occupancy": "Occupancy: Poisson statistics of excitons",
    "lesson": "Lesson: the teaching model",
}


def _core_pages() -> dict[str, tuple[str, tuple[str, ...]]]:
    import qdwidgets.core

    pages = {}
    for name in qdwidgets.core._SUBMODULES:
        modname = f"qdwidgets.core.{name}"
        if modname in {m for _, mods in PAGES.values() for m in mods}:
            continue
        doc = (importlib.import_module(modname).__doc__ or name).strip()
        title = CORE_TITLES.get(name) or doc.split("\n")[0].split(": ")[0].rstrip(".")
        pages[name] = (title, (modname,))
    return pages


_FIRST = ("data", "readers", "simulate")
PAGES = {
    **{k: PAGES[k] for k in _FIRST},
    **_core_pages(),
    **{k: v for k, v in PAGES.items() if k not in _FIRST},
}
INDEX = """API reference
=============

Every public module, function, result class and widget, page by page. Units follow the dataset
contract: delays in ps, wavelengths in nm, absorbance signals (ΔA, A0, A_ex) in OD, CW pump power
in mW (see :doc:`../concepts`).

.. toctree::
   :maxdepth: 1

"""
MODULES = ("qdwidgets", *(m for _, mods in PAGES.values() for m in mods))
# names that are not objects to document (dunder, or the subpackages listed in ``__all__``)
NOT_OBJECTS = {"__version__"}


def public_names(modname: str) -> list[str]:
    """The public names of one module: its ``__all__``, else what it defines."""
    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [
            k
            for k, v in vars(mod).items()
            if not k.startswith("_")
            and (inspect.isfunction(v) or inspect.isclass(v))
            and v.__module__ == modname
        ]
    out = []
    for name in names:
        if name in NOT_OBJECTS or inspect.ismodule(getattr(mod, name)):
            continue
        out.append(name)
    return out


def _import_all() -> None:
    import qdwidgets

    for info in pkgutil.walk_packages(qdwidgets.__path__, "qdwidgets."):
        if info.name.endswith(("__main__", "make_examples")):
            continue
        importlib.import_module(info.name)


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("qdwidgets."):
            out.append(sub)
        out.extend(_subclasses(sub))
    return out


def required() -> dict[str, Any]:
    """Every object the reference must name, by a dotted name to report it under."""
    from qdwidgets.results import Result

    need: dict[Any, tuple[str, Any]] = {}
    for modname in MODULES:
        mod = importlib.import_module(modname)
        for name in public_names(modname):
            obj = getattr(mod, name)
            dotted = f"{modname}.{name}"
            need.setdefault(_identity(obj, dotted), (dotted, obj))
    _import_all()
    for cls in _subclasses(Result):
        dotted = f"{cls.__module__}.{cls.__qualname__}"
        need.setdefault(_identity(cls, dotted), (dotted, cls))
    return dict(need.values())


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")  # unchanged pages keep their mtime


def write_pages(api_dir: Path) -> None:
    """Write ``api_dir/<page>.rst`` for every entry of :data:`PAGES`, and their index."""
    api_dir.mkdir(exist_ok=True)  # generated only: a fresh clone has no docs/api/
    _write(api_dir / "index.rst", INDEX + "".join(f"   {page}\n" for page in PAGES))
    seen: set[Any] = set()
    for page, (title, modules) in PAGES.items():
        lines = [title, "=" * len(title), ""]
        for modname in modules:
            mod = importlib.import_module(modname)
            names = []
            for name in public_names(modname):
                key = _identity(getattr(mod, name), f"{modname}.{name}")
                if key not in seen:
                    seen.add(key)
                    names.append(name)
            heading = f"``{modname}``"
            lines += [heading, "-" * len(heading), "", f".. automodule:: {modname}"]
            lines += ["   :no-members:", "", f".. currentmodule:: {modname}", ""]
            if names:
                lines += [".. autosummary::", "   :toctree: generated", ""]
                lines += [f"   {name}" for name in names] + [""]
        _write(api_dir / f"{page}.rst", "\n".join(lines))


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _identity(obj: Any, dotted: str) -> Any:
    """Functions, classes and modules by identity; plain values (constants) by their name."""
    plain = isinstance(obj, (int, float, str, bytes, tuple, frozenset, dict, list)) or obj is None
    return dotted if plain else id(obj)


def undocumented_parameters(obj: Any) -> list[str]:
    """Parameters of a function whose numpydoc Parameters section leaves them out.

    A docstring without a Parameters section is not judged (prose docstrings are still
    accepted); one that has the section must name every parameter (``a, b : ...`` counts).
    """
    from numpydoc.docscrape import FunctionDoc

    if not inspect.isfunction(obj):
        return []
    section = FunctionDoc(obj)["Parameters"]
    if not section:
        return []
    named = {n.strip().lstrip("*") for p in section for n in p.name.split(",")}
    params = inspect.signature(obj).parameters
    return [p for p in params if p not in named and p not in {"self", "cls"}]


def check(app: Sphinx, env: Any) -> None:
    """Compare the Python domain with :func:`required`; warn naming what is missing."""
    if app.builder.name not in {"html", "dummy"}:
        return
    documented = {_identity(_resolve(name), name) for name in env.domains["py"].objects}
    missing = sorted(
        name for name, obj in required().items() if _identity(obj, name) not in documented
    )
    for name, obj in required().items():
        left_out = undocumented_parameters(obj)
        if left_out:
            LOGGER.warning("%s: its Parameters section leaves out %s", name, ", ".join(left_out))
    if missing:
        LOGGER.warning(
            "the API reference misses public names (export them from a module of PAGES in "
            "docs/_api_check.py, or add that module there): %s",
            ", ".join(missing),
        )


def setup(app: Sphinx) -> dict[str, Any]:
    """Write the API pages before Sphinx reads them; check them once everything is read."""
    write_pages(Path(app.srcdir) / "api")
    app.connect("env-check-consistency", check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
