"""Option checks at the entry of the kinetics functions: a FitError naming the argument."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ... import _args
from ...errors import FitError


@contextmanager
def fit_options() -> Iterator[None]:
    """Turn the ArgumentError of a :mod:`qdwidgets._args` check into a FitError."""
    try:
        yield
    except _args.ArgumentError as exc:
        raise FitError(str(exc)) from None


def windows(delay_range: Any, wavelength_range: Any) -> None:
    """``delay_range`` (ps) and ``wavelength_range`` (nm): None or (low, high), None ends open."""
    with fit_options():
        if delay_range is not None:
            _args.interval("delay_range", delay_range, unit="ps")
        if wavelength_range is not None:
            _args.interval("wavelength_range", wavelength_range, unit="nm")
