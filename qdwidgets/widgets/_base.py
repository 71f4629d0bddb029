"""What every qdwidgets view shares: an error banner, ``result``, and ``state()``/``from_state()``.

A widget is a thin view: it reads inputs, calls ``qdwidgets.core``, draws, and exposes the same
result object a script gets. Errors from callbacks appear in the widget (``.qd-error``), never
only in the log.
"""

from __future__ import annotations

import contextlib
import html
import re
import traceback
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

import ipywidgets as W
import numpy as np
import xarray as xr

from ..data.contract import validate
from ..errors import QDError

T = TypeVar("T", bound="QDWidget")
STATE_VERSION = 1


def to_binary(values: Any) -> dict[str, Any]:
    """An array as the binary float32 ``{view, dtype, shape}`` the JS side decodes."""
    arr = np.ascontiguousarray(values, dtype=np.float32)
    return {"view": memoryview(arr.tobytes()), "dtype": "float32", "shape": list(arr.shape)}


def css_class(cls: type) -> str:
    """The root CSS class of a view: ``TAExplorer`` → ``qd-ta-explorer``."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", cls.__name__)
    return "qd-" + name.lower()


class QDWidget(W.VBox):
    """Base view. Subclasses list the settings that ``state()`` saves in ``_state_keys``."""

    _state_keys: ClassVar[tuple[str, ...]] = ()
    _kind: ClassVar[str] = "ta"
    data: xr.Dataset

    def __init__(self, data: xr.Dataset | None, **kwargs: Any) -> None:
        if data is not None:  # views of many datasets (or none) pass None and have no .data
            self.data = validate(data, self._kind)  # a copy: the user's data is untouched
        self.error = W.HTML(value="", layout=W.Layout(display="none"))
        self.error.add_class("qd-error")
        super().__init__(**kwargs)
        self.add_class("qd-widget")
        self.add_class(css_class(type(self)))

    # -- errors ------------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """Show ``message`` in the widget's error banner."""
        self.error.value = (
            "<div style='color:#8a1c1c;background:#fdecea;border:1px solid #f5c2c0;"
            f"padding:4px 8px;border-radius:4px'>⚠ {html.escape(message)}</div>"
        )
        self.error.layout.display = None

    def clear_error(self) -> None:
        self.error.value = ""
        self.error.layout.display = "none"

    @property
    def error_message(self) -> str:
        """The text of the banner ('' when there is no error)."""
        if not self.error.value:
            return ""
        text = self.error.value.split("⚠ ", 1)[-1].rsplit("</div>", 1)[0]
        return html.unescape(text)

    @contextlib.contextmanager
    def reporting(self) -> Iterator[None]:
        """Run a callback body; a failure is shown in the widget instead of vanishing in a log."""
        try:
            yield
        except (QDError, ValueError, KeyError, IndexError, RuntimeError) as exc:
            self.show_error(str(exc) or type(exc).__name__)
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
        widget.apply_settings({k: decode(v) for k, v in state.get("settings", {}).items()})
        return widget

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings; subclasses with non-trait settings override this."""
        with self.hold_trait_notifications():
            for key, value in settings.items():
                if key in self._state_keys:
                    setattr(self, key, list(value) if isinstance(value, tuple) else value)
