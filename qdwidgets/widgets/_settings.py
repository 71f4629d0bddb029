"""Checked settings and the one re-entrancy guard of every qdwidgets view (see ``_base``)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as W
import traitlets

from .. import _args
from .._args import ArgumentError


class SettingError(ArgumentError, traitlets.TraitError):
    """A widget setting got a bad value (not finite, out of range, not one of the choices)."""


def _choices(trait: traitlets.TraitType) -> list[str]:
    """The choices of an ``Enum`` trait (as text), [] for any other trait."""
    values = getattr(trait, "values", None) if isinstance(trait, traitlets.Enum) else None
    return [str(v) for v in values] if values else []


def _cross_validate(check: Callable[[Any], Any], widget: Settings, proposal: Any) -> Any:
    """A :meth:`QDWidget.check_traits` check as a traitlets cross-validator."""
    try:
        return check(proposal["value"])
    except (ValueError, TypeError) as exc:
        raise widget.refuse(str(exc), kind=type(exc)) from None


_KINDS: dict[type[Exception], type[SettingError]] = {}


def _setting_error(kind: type[Exception]) -> type[SettingError]:
    """SettingError that is also a ``kind`` (e.g. a DatasetError) when the check raised one."""
    if issubclass(SettingError, kind):
        return SettingError
    if kind not in _KINDS:
        _KINDS[kind] = type(f"Setting{kind.__name__}", (SettingError, kind), {})
    return _KINDS[kind]


class Settings(traitlets.HasTraits):
    """Checked settings (:meth:`check_traits`), controls tied to them (:meth:`link_control`)
    and the re-entrancy guard (:meth:`quietly`, :meth:`reaction`) of
    :class:`~qdwidgets.widgets._base.QDWidget`."""

    _checks: dict[str, Callable[[Any], Any]]
    _error_text: str

    if TYPE_CHECKING:

        def show_error(self, message: str) -> None: ...
        def clear_error(self) -> None: ...
        def reporting(self) -> contextlib.AbstractContextManager[None]: ...

    # -- checked settings --------------------------------------------------------------------
    def check_traits(self, checks: Mapping[str, Callable[[Any], Any]]) -> None:
        """Declare the check of each user-settable trait (its ``@validate``).

        Parameters
        ----------
        checks : mapping of str to callable
            ``{name: check}``; ``check(value)`` returns the value to store (it may normalise it,
            e.g. a float for a number) or raises ``ValueError`` (e.g. from
            ``qdwidgets._args.number``) with a message naming the setting and the fix.
            The check is registered as the trait's cross-validator: every later assignment of
            ``name`` (from Python, ``traitlets.link``, a control, a restored state) goes through
            it; a refused value raises :class:`SettingError` (a ``TraitError``), shows in the
            banner, and the trait keeps its last good value.

        Notes
        -----
        ``Enum`` traits need no check: a value that is not one of their choices is refused the
        same way, with a message naming the choices (see :meth:`refuse`).
        """
        for name, check in checks.items():
            self._checks[name] = check
            self._trait_validators[name] = functools.partial(_cross_validate, check)

    def refuse(self, message: str, kind: type[Exception] = SettingError) -> SettingError:
        """Show ``message`` in the banner and return the :class:`SettingError` to raise.

        Parameters
        ----------
        message : str
            What is wrong with the setting and how to fix it.
        kind : type of Exception
            The error a check raised: the SettingError is also one (a DatasetError stays a
            DatasetError for the caller).
        """
        self.show_error(message)
        self._setting_error = message
        return _setting_error(kind)(message)

    def accepted(self) -> None:
        """A setting was accepted: clear the banner if it shows a refused setting."""
        if self._error_text and self._error_text == self.__dict__.get("_setting_error"):
            self.clear_error()

    def __setattr__(self, name: str, value: Any) -> None:
        trait = getattr(type(self), name, None)
        if not isinstance(trait, traitlets.TraitType) or not (
            name in self.__dict__.get("_checks", ()) or _choices(trait)
        ):
            super().__setattr__(name, value)
            return
        try:
            super().__setattr__(name, value)
        except SettingError:
            raise  # refused by the check, already in the banner
        except traitlets.TraitError as exc:  # refused by the trait's type: say it plainly
            raise self.refuse(self._explain(name, trait, value) or str(exc)) from None
        self.accepted()

    def _explain(self, name: str, trait: traitlets.TraitType, value: Any) -> str:
        """Why the trait's type refused ``value``, in the words of the setting's check."""
        choices = _choices(trait)
        try:
            if choices:
                _args.choice(name, value, choices)
            elif name in self._checks:
                self._checks[name](value)
        except (ValueError, TypeError) as exc:
            return str(exc)
        return ""

    # -- the re-entrancy guard ---------------------------------------------------------------
    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Update controls (or several settings at once) without reacting to the changes.

        The widget's one re-entrancy guard: callbacks made with :meth:`reaction` do nothing
        inside the block (nested blocks are fine); callbacks made with :meth:`guarded` run.
        """
        self._quiet_depth = self.__dict__.get("_quiet_depth", 0) + 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    @property
    def quiet(self) -> bool:
        """True inside :meth:`quietly`: the widget is updating its own controls."""
        return bool(self.__dict__.get("_quiet_depth", 0))

    def reaction(self, func: Callable[..., Any]) -> Callable[..., None]:
        """Like :meth:`guarded`, but the callback does nothing while the widget is
        :meth:`quietly` updating its controls (a user's move, not the widget's own echo)."""

        def wrapper(*args: Any, **kwargs: Any) -> None:
            if not self.quiet:
                with self.reporting():
                    func(*args, **kwargs)

        return wrapper

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
        in the banner too. Nothing is raised into the front end's message handler. Showing a
        value in the control happens :meth:`quietly`.
        """

        def show(value: Any) -> None:
            with self.quietly():
                try:
                    setattr(control, attr, to_control(value))
                except (traitlets.TraitError, ValueError, TypeError) as exc:
                    self.show_error(f"{name}: the control cannot show {value!r} ({exc})")

        def from_control(change: dict[str, Any]) -> None:
            if self.quiet:
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

        show(getattr(self, name))
        control.observe(from_control, names=attr)
        self.observe(lambda change: show(change["new"]), names=name)
