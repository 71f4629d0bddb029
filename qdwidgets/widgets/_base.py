"""What every qdwidgets view shares: a banner, checked settings, ``result``, state and code.

A widget is a thin view: it reads inputs, calls ``qdwidgets.core``, draws, and exposes the same
result object a script gets. The mechanisms every view gets from :class:`QDWidget`:

- **Banner** (``.qd-error``, always in the layout at a fixed height, so that it never shifts
  what lies below it under the pointer): errors from callbacks in red (:meth:`show_error`), the
  ``warnings`` of a fit result in amber (:meth:`show_warnings`).
- **Settings are traits** (``observe`` fires, ``traitlets.link``/``dlink`` work); fixed choices
  are ``Enum`` traits. A view declares the check of each other setting with
  :meth:`check_traits` (``qdwidgets._args`` functions: finite, in range, allowed choices),
  registered as the trait's cross-validator. Every assignment — from Python, from a link, from
  a control, from a restored state — goes through it; a bad value raises :class:`SettingError`
  (a ``TraitError`` and ``ValueError`` naming the setting, the allowed values and the fix),
  shows in the banner, and the widget keeps its last good state. The widget's own controls are
  tied to traits with :meth:`link_control`: a bad value typed or picked in a control shows in
  the banner and the control returns to the last good value, so no traitlets internals
  ("Broken link", "Invalid selection") reach the user.
- **One re-entrancy guard**: :meth:`quietly` (the widget updates its own controls) and
  :meth:`reaction` (a callback that does nothing meanwhile); see ``_settings``.
- **State**: :meth:`state` is JSON data (no code); the one :meth:`from_state` rebuilds any view
  from it, older saves included (``_renamed_settings``).
- **Keyword arguments**: a constructor refuses an unknown keyword with a ``TypeError`` that names
  it and the closest valid one.
- **Code**: :meth:`to_code` returns Python that recomputes ``result`` from the dataset; the
  "Copy code" button (:meth:`code_panel`) shows it, escaped, ready to select and copy.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import inspect
import keyword
import re
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import ipywidgets as W
import numpy as np
import traitlets
import xarray as xr

from .._args import ArgumentError
from .._html import escape
from ..data.contract import validate
from ..errors import QDError
from ._settings import SettingError as SettingError
from ._settings import Settings

T = TypeVar("T", bound="QDWidget")
STATE_VERSION = 1

#: the banner's reserved height: two lines; a longer message scrolls inside it
BANNER_HEIGHT = "3.1em"
_ERROR_STYLE = "color:#8a1c1c;background:#fdecea;border:1px solid #f5c2c0"
_WARNING_STYLE = "color:#6b4e00;background:#fff6d6;border:1px solid #f0d77b"
_BOX = "padding:2px 8px;border-radius:4px;margin:0 0 2px 0;line-height:1.35"


def to_binary(values: Any) -> dict[str, Any]:
    """An array as the binary float32 ``{view, dtype, shape}`` the JS side decodes."""
    arr = np.ascontiguousarray(values, dtype=np.float32)
    return {"view": memoryview(arr.tobytes()), "dtype": "float32", "shape": list(arr.shape)}


def css_class(cls: type) -> str:
    """The root CSS class of a view: ``TAExplorer`` → ``qd-ta-explorer``."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", cls.__name__)
    return "qd-" + name.lower()


def _box_keywords() -> frozenset[str]:
    return frozenset(n for n in W.VBox.class_trait_names() if not n.startswith("_"))


def _check_keywords(cls: type, init: Callable[..., None]) -> Callable[..., None]:
    """Wrap ``init`` so that an unknown keyword argument raises a TypeError with a suggestion."""
    sig = inspect.signature(init)
    params = list(sig.parameters.values())[1:]
    named = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params)
    renamed = frozenset(getattr(init, "__renamed__", ()))  # old names, see qdwidgets._args.renamed
    allowed = named | renamed | (_box_keywords() if var_kw else frozenset())

    @functools.wraps(init)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in allowed]
        if unknown and type(self).__init__ is wrapper:  # checked once, by the outermost class
            name = unknown[0]
            near = difflib.get_close_matches(name, sorted(named), n=1, cutoff=0.5)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise TypeError(
                f"{cls.__name__}() got an unknown keyword argument {name!r}{hint} "
                f"(valid: {', '.join(sorted(named))})"
            )
        init(self, *args, **kwargs)

    return wrapper


def identifier(name: str, value: Any) -> str:
    """``value`` if it is a Python identifier (a variable name), else ArgumentError."""
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise ArgumentError(f"{name} must be a Python variable name such as 'ta', not {value!r}")
    return value


def boolean(name: str, value: Any) -> bool:
    """``value`` if it is True or False (numpy's too), else ArgumentError."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ArgumentError(f"{name} must be True or False, not {value!r}")


class QDWidget(Settings, W.VBox):
    """Base view. Subclasses list the settings that ``state()`` saves in ``_state_keys``."""

    #: the settings ``state()`` saves (traits of the widget)
    _state_keys: ClassVar[tuple[str, ...]] = ()
    #: saved settings passed to the constructor by ``from_state``: ``{setting: keyword}``
    _init_keys: ClassVar[Mapping[str, str]] = {}
    #: settings renamed since an older save: ``{old name: new name}``
    _renamed_settings: ClassVar[Mapping[str, str]] = {}
    #: whether the constructor takes the data first (False: ``from_state(None, state)``)
    _takes_data: ClassVar[bool] = True
    _kind: ClassVar[str] = "ta"
    data: xr.Dataset

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _check_keywords(cls, cls.__dict__["__init__"])  # type: ignore[method-assign]

    def __init__(self, data: xr.Dataset | None, **kwargs: Any) -> None:
        if data is not None:  # views of many datasets (or none) pass None and have no .data
            self.data = validate(data, self._kind)  # a copy: the user's data is untouched
        self._checks: dict[str, Callable[[Any], Any]] = {}
        self._error_text = ""
        self._warning_texts: tuple[str, ...] = ()
        self.error = W.HTML(
            value="", layout=W.Layout(height=BANNER_HEIGHT, overflow="auto", margin="0 0 2px 0")
        )
        self.error.add_class("qd-error")
        self.code_button = W.Button(description="Copy code", icon="code", tooltip="show the code")
        self.code_button.add_class("qd-code-button")
        self.code_box = W.HTML(layout=W.Layout(display="none", width="100%"))
        self.code_box.add_class("qd-code")
        self.code_button.on_click(self.guarded(lambda _b: self.show_code()))
        super().__init__(**kwargs)
        self.add_class("qd-widget")
        self.add_class(css_class(type(self)))

    # -- banner ------------------------------------------------------------------------------
    def _render_banner(self) -> None:
        parts = []
        if self._error_text:
            parts.append(
                f"<div class='qd-banner-error' style='{_ERROR_STYLE};{_BOX}'>⚠ "
                f"{escape(self._error_text)}</div>"
            )
        for text in self._warning_texts:
            parts.append(
                f"<div class='qd-banner-warning' style='{_WARNING_STYLE};{_BOX}'>△ "
                f"{escape(text)}</div>"
            )
        self.error.value = "".join(parts)
        self.error.tooltip = " · ".join([self._error_text, *self._warning_texts]).strip(" ·")

    def show_error(self, message: str) -> None:
        """Show ``message`` in the widget's banner (red), above any warnings."""
        self._error_text = str(message)
        self._render_banner()

    def clear_error(self) -> None:
        """Remove the error (warnings stay; the banner keeps its place in the layout)."""
        if self._error_text:
            self._error_text = ""
            self._render_banner()

    def show_warnings(self, warnings: Sequence[str]) -> None:
        """Show a result's ``warnings`` in the banner, amber, one line each.

        Parameters
        ----------
        warnings : sequence of str
            The fit result's ``warnings`` (an empty one clears them); errors stay above them.
        """
        self._warning_texts = tuple(str(w) for w in warnings)
        self._render_banner()

    @property
    def error_message(self) -> str:
        """The text of the error in the banner ('' when there is none)."""
        return self._error_text

    @property
    def warning_messages(self) -> tuple[str, ...]:
        """The warnings shown in the banner."""
        return self._warning_texts

    @contextlib.contextmanager
    def reporting(self) -> Iterator[None]:
        """Run a callback body; a failure is shown in the widget instead of vanishing in a log."""
        try:
            yield
        except (QDError, ValueError, KeyError, IndexError, RuntimeError, traitlets.TraitError) as e:
            self.show_error(str(e) or type(e).__name__)
        except Exception as exc:  # last resort: the user must see it
            tb = traceback.format_exception_only(type(exc), exc)
            self.show_error("unexpected error: " + "".join(tb).strip())
        else:
            self.clear_error()

    def guarded(self, func: Callable[..., Any]) -> Callable[..., None]:
        """Wrap an observer or button callback with :meth:`reporting`."""

        def wrapper(*args: Any, **kwargs: Any) -> None:
            with self.reporting():
                func(*args, **kwargs)

        return wrapper

    # -- code --------------------------------------------------------------------------------
    def to_code(self, data_name: str = "ta") -> str:
        """The widget's analysis as Python code.

        Parameters
        ----------
        data_name : str
            The variable that names the dataset the widget was opened on, where the code runs.

        Returns
        -------
        str
            Code that, run where ``data_name`` names the same dataset, leaves this widget's
            current result in a variable ``result`` (``result.to_dict()`` equals
            ``widget.result.to_dict()``).
        """
        raise NotImplementedError(f"{type(self).__name__} cannot give its analysis as code yet")

    def show_code(self) -> str:
        """Show :meth:`to_code` under the "Copy code" button (select it all with one click)."""
        code = self.to_code(self._kind)
        self.code_box.value = (
            "<pre class='qd-code-text' style='user-select:all;white-space:pre-wrap;"
            "font-size:12px;padding:6px;border:1px solid var(--jp-border-color2,#ccc);"
            "border-radius:4px;background:var(--jp-layout-color2,#f7f7f7);"
            f"color:var(--jp-content-font-color1,#111)'>{escape(code)}</pre>"
        )
        self.code_box.layout.display = None
        return code

    def code_panel(self) -> W.VBox:
        """The "Copy code" button and the box that shows the code, for a view's layout."""
        return W.VBox([self.code_button, self.code_box])

    # -- state -------------------------------------------------------------------------------
    @property
    def result(self) -> Any:
        """The current result object (the same type a script gets from qdwidgets.core)."""
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """The user's settings and the current result, as data.

        Returns
        -------
        dict
            ``{"widget": class name, "version": 1, "settings": {name: value},
            "result": result.to_dict() or None}``, JSON-serialisable and holding no code; give
            it to :meth:`from_state` to rebuild the widget.
        """
        from ..results import Result, encode

        settings = {key: encode(getattr(self, key)) for key in self._state_keys}
        result = self.result
        return {
            "widget": type(self).__name__,
            "version": STATE_VERSION,
            "settings": settings,
            "result": result.to_dict() if isinstance(result, Result) else None,
        }

    @classmethod
    def from_state(cls: type[T], data: Any, state: Mapping[str, Any]) -> T:
        """Rebuild a widget on ``data`` with the settings (and result) saved by :meth:`state`.

        Parameters
        ----------
        data : xarray.Dataset or None
            The dataset the widget was opened on (what its constructor takes first: the sources
            for :class:`~qdwidgets.widgets.triage.Triage`, None for a view without data such as
            :class:`~qdwidgets.widgets.gain_lesson.GainLesson`).
        state : dict
            What :meth:`state` returned (JSON data, no code). Saves of older versions load too:
            settings renamed since are read under their new names, unknown ones are ignored.

        Returns
        -------
        QDWidget
            A new widget of this class with the saved settings, showing the saved result where
            one was saved.

        Raises
        ------
        QDError
            The state was saved by another widget, or ``data`` is given to a view without data.
        """
        from ..results import decode

        saved_by = state.get("widget")
        if saved_by != cls.__name__:
            raise QDError(
                f"this state was saved by {saved_by!r}, not {cls.__name__}. "
                f"Fix: restore it with qdwidgets.{saved_by}.from_state(data, state)"
            )
        if not cls._takes_data and data is not None:
            raise QDError(
                f"{cls.__name__} has no input dataset. "
                f"Fix: call {cls.__name__}.from_state(None, state)"
            )
        settings = {
            cls._renamed_settings.get(key, key): decode(value)
            for key, value in dict(state.get("settings") or {}).items()
        }
        init = {
            keyword: _plain(settings.pop(key))
            for key, keyword in cls._init_keys.items()
            if _given(settings.get(key))
        }
        widget = cls(data, **init) if cls._takes_data else cls(**init)
        widget.apply_settings(settings)
        if state.get("result"):
            widget.restore_result(state["result"])
        return widget

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings (the keys of ``_state_keys``; others are ignored) at once.

        Parameters
        ----------
        settings : dict
            ``{name: value}`` as in ``state()["settings"]``; tuples are set as lists.
        """
        with self.hold_trait_notifications():
            for key, value in settings.items():
                if key in self._state_keys:
                    setattr(self, key, _plain(value))

    def restore_result(self, saved: Mapping[str, Any]) -> None:
        """Show a saved result (``state()["result"]``, a ``to_dict``); views that recompute
        theirs from the settings ignore it."""


def _given(value: Any) -> bool:
    """Whether a saved constructor argument was given (None or an empty list: the default)."""
    return value is not None and not (isinstance(value, (list, tuple)) and len(value) == 0)


def _plain(value: Any) -> Any:
    """A saved value as a trait takes it: a tuple as a list."""
    return list(value) if isinstance(value, tuple) else value
