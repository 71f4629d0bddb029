"""What every qdwidgets view shares: a banner, checked settings, ``result``, state and code.

A widget is a thin view: it reads inputs, calls ``qdwidgets.core``, draws, and exposes the same
result object a script gets. The mechanisms every view gets from :class:`QDWidget`:

- **Banner** (``.qd-error``, always in the layout at a fixed height, so that it never shifts
  what lies below it under the pointer): errors from callbacks in red (:meth:`show_error`), the
  ``warnings`` of a fit result in amber (:meth:`show_warnings`).
- **Checked settings**: a view declares a check per user-settable trait with
  :meth:`check_traits` (``qdwidgets.core._args`` functions: finite, in range, allowed choices).
  Every assignment — from Python, from a linked control, from a restored state — goes through the
  check first; a bad value raises :class:`SettingError` (a ``ValueError`` naming the setting and
  the fix), shows in the banner, and the widget keeps its last good state. Controls are tied to
  traits with :meth:`link_control` (never ``traitlets.link``): a bad value typed or picked in a
  control shows in the banner and the control returns to the last good value, so no traitlets
  internals ("Broken link", "Invalid selection") reach the user.
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

from .._html import escape
from ..core._args import ArgumentError
from ..data.contract import validate
from ..errors import QDError

T = TypeVar("T", bound="QDWidget")
STATE_VERSION = 1

#: the banner's reserved height: two lines; a longer message scrolls inside it
BANNER_HEIGHT = "3.1em"
_ERROR_STYLE = "color:#8a1c1c;background:#fdecea;border:1px solid #f5c2c0"
_WARNING_STYLE = "color:#6b4e00;background:#fff6d6;border:1px solid #f0d77b"
_BOX = "padding:2px 8px;border-radius:4px;margin:0 0 2px 0;line-height:1.35"


class SettingError(ArgumentError, traitlets.TraitError):
    """A widget setting got a bad value (not finite, out of range, not one of the choices)."""


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
    renamed = frozenset(getattr(init, "__renamed__", ()))  # old names, see core._args.renamed
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


class QDWidget(W.VBox):
    """Base view. Subclasses list the settings that ``state()`` saves in ``_state_keys``."""

    _state_keys: ClassVar[tuple[str, ...]] = ()
    _renamed_settings: ClassVar[dict[str, str]] = {}  # old setting name -> new, older saves
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

    # -- checked settings --------------------------------------------------------------------
    def check_traits(self, checks: Mapping[str, Callable[[Any], Any]]) -> None:
        """Declare the check of each user-settable trait.

        Parameters
        ----------
        checks : mapping of str to callable
            ``{name: check}``; ``check(value)`` returns the value to store (it may normalise it,
            e.g. a float for a number) or raises ``ValueError`` (e.g. from
            ``qdwidgets.core._args.number``) with a message naming the setting and the fix.
            Every later assignment of ``name`` goes through it; a refused value raises
            :class:`SettingError` and shows in the banner.
        """
        self._checks.update(checks)

    def __setattr__(self, name: str, value: Any) -> None:
        checks = self.__dict__.get("_checks")
        if checks and name in checks:
            try:
                value = checks[name](value)
            except (ValueError, TypeError) as exc:
                message = str(exc)
                self.show_error(message)
                self._setting_error = message
                raise SettingError(message) from None
            if self._error_text and self._error_text == self.__dict__.get("_setting_error"):
                self.clear_error()  # a good value replaces the refused one
        super().__setattr__(name, value)

    def link_control(
        self,
        control: W.Widget,
        name: str,
        *,
        to_trait: Callable[[Any], Any] = lambda v: v,
        to_control: Callable[[Any], Any] = lambda v: v,
        attr: str = "value",
    ) -> None:
        """Tie ``control.<attr>`` to the trait ``name`` both ways, through the trait's check.

        Parameters
        ----------
        control : ipywidgets.Widget
            The control (slider, box, dropdown, ...).
        name : str
            The widget's trait.
        to_trait, to_control : callable, optional
            Conversions between the control's value and the trait's (e.g. one end of a range).
        attr : str
            The control's trait that holds its value.

        Notes
        -----
        A value the check refuses shows in the banner and the control goes back to the trait's
        value; a trait value the control cannot show (e.g. not among a Dropdown's options) shows
        in the banner too. Nothing is raised into the front end's message handler.
        """
        busy = [False]

        def show(value: Any) -> None:
            busy[0] = True
            try:
                setattr(control, attr, to_control(value))
            except (traitlets.TraitError, ValueError, TypeError) as exc:
                self.show_error(f"{name}: the control cannot show {value!r} ({exc})")
            finally:
                busy[0] = False

        def from_control(change: dict[str, Any]) -> None:
            if busy[0]:
                return
            try:
                setattr(self, name, to_trait(change["new"]))
            except SettingError:
                pass  # already in the banner; the trait keeps its last good value
            except (traitlets.TraitError, ValueError, TypeError) as exc:
                self.show_error(f"{name}: {exc}")
            finally:
                if to_control(getattr(self, name)) != getattr(control, attr):
                    show(getattr(self, name))  # refused or normalised: show the trait's value

        def from_trait(change: dict[str, Any]) -> None:
            if not busy[0]:
                show(change["new"])

        show(getattr(self, name))
        control.observe(from_control, names=attr)
        self.observe(from_trait, names=name)

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
        """The user's settings and current result, as JSON-serialisable data."""
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
    def from_state(cls: type[T], data: xr.Dataset, state: dict[str, Any]) -> T:
        """Rebuild a widget on ``data`` with the settings saved by :meth:`state`."""
        from ..results import decode

        if state.get("widget") != cls.__name__:
            raise QDError(
                f"this state was saved by {state.get('widget')!r}, not {cls.__name__}; "
                f"restore it with qdwidgets.{state.get('widget')}.from_state(data, state)"
            )
        widget = cls(data)
        saved = state.get("settings", {}).items()
        new = cls._renamed_settings
        widget.apply_settings({new.get(k, k): decode(v) for k, v in saved})
        return widget

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings; subclasses with non-trait settings override this."""
        with self.hold_trait_notifications():
            for key, value in settings.items():
                if key in self._state_keys:
                    setattr(self, key, list(value) if isinstance(value, tuple) else value)
