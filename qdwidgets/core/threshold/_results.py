"""Result classes of the threshold fits: ``LineFit`` and ``ThresholdFit`` (units: mW, W cm⁻²).

Every fit result speaks the vocabulary of :mod:`qdwidgets.core._status`: ``converged``,
``message``, ``nfev``, ``warnings``; intervals are ``ci = {name: (low, high)}`` with the method's
name in ``ci_method``. The old names ``found`` and ``note`` are read-only aliases of
``converged`` and ``message`` for one version (they warn with a ``DeprecationWarning``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ... import _args
from ..._choices import BeamProfile
from ...results import Result

NAN = float("nan")
NAN_CI = (NAN, NAN)


def deprecated(old: str, new: str, value: Any) -> Any:
    """``value`` of the new field, with a DeprecationWarning naming the old and the new name."""
    _args.warn_renamed(old, new, stacklevel=4)
    return value


def renamed_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A saved result's dict with ``profile`` (the name before 0.2) read as ``beam_profile``."""
    out = dict(data)
    if "profile" in out and "beam_profile" not in out:
        out["beam_profile"] = out.pop("profile")
    return out


def legacy_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A saved result's dict in the current vocabulary (``found``/``note``, a tuple ``ci`` with
    a separate ``ci_W_cm2``, a sentence in ``ci_method``), so older saves still load."""
    out = renamed_fields(data)
    if "found" in out and "converged" not in out:
        out["converged"] = out.pop("found")
    if "note" in out and "message" not in out:
        out["message"] = out.pop("note")
    ci = out.get("ci")
    if isinstance(ci, (list, tuple)):
        out["ci"] = {
            "threshold_mW": tuple(ci),
            "threshold_W_cm2": tuple(out.get("ci_W_cm2", NAN_CI)),
        }
    out.pop("ci_W_cm2", None)
    if isinstance(out.get("ci_method"), str):
        out["ci_method"] = out["ci_method"].split(" ")[0]
    return out


class ThresholdVocabulary:
    """What a threshold result and a criterion share: the intervals in mW and W cm⁻² read from
    ``ci``, the deprecated ``found``/``note``, and rebuilding older saves that used them."""

    ci: dict[str, tuple[float, float]]
    converged: bool
    message: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        """Rebuild from :meth:`to_dict` output (older saves with ``found``/``note`` too)."""
        return super().from_dict(legacy_fields(data))  # type: ignore[misc]

    @property
    def ci_mW(self) -> tuple[float, float]:
        """The interval of ``threshold_mW`` (mW)."""
        return self.ci.get("threshold_mW", NAN_CI)

    @property
    def ci_W_cm2(self) -> tuple[float, float]:
        """The interval of ``threshold_W_cm2`` (W cm⁻²; NaN without a spot size)."""
        return self.ci.get("threshold_W_cm2", NAN_CI)

    @property
    def found(self) -> bool:
        """Deprecated alias of ``converged``."""
        return bool(deprecated("found", "converged", self.converged))

    @property
    def note(self) -> str:
        """Deprecated alias of ``message``."""
        return str(deprecated("note", "message", self.message))


@dataclass(frozen=True, repr=False, eq=False)
class LineFit(Result):
    """A straight line y = slope·P + intercept fitted by least squares in one power window.

    ``slope`` in signal units per mW, ``intercept`` in signal units; ``*_stderr`` are standard
    errors, ``covariance`` the slope–intercept covariance; ``window`` (lo, hi) in mW, inclusive.
    """

    slope: float
    intercept: float
    slope_stderr: float
    intercept_stderr: float
    covariance: float
    window: tuple[float, float]
    n_points: int
    residual_std: float

    def __call__(self, power: Any) -> Any:
        """The line evaluated at ``power`` (mW)."""
        return self.slope * np.asarray(power, dtype=float) + self.intercept


@dataclass(frozen=True, repr=False, eq=False)
class ThresholdFit(ThresholdVocabulary, Result):
    """Threshold as the intersection of a below- and an above-threshold line.

    - ``threshold_mW`` and ``threshold_W_cm2`` (for the ``beam_profile`` and
      ``spot_diameter_mm`` used; NaN without a spot size). ``profile`` is a deprecated alias of
      ``beam_profile``.
    - ``ci``: ``{"threshold_mW": (low, high), "threshold_W_cm2": (low, high)}``, the 95 %
      interval (or the ``confidence`` asked for); ``ci_method``: "bootstrap", "percentile" or
      "delta" (see :mod:`qdwidgets.core.threshold._lines`).
    - ``slope_ratio`` = above / below slope; ``p_value``: the breakpoint test's (NaN when the
      windows were given).
    - ``converged``: a threshold was determined (False when no breakpoint was detected: then the
      threshold is NaN and ``message`` says why); ``message``: what was done, in words;
      ``nfev``: straight-line fits evaluated (bootstrap replicates and breakpoint candidates
      included); ``warnings``: reasons not to trust the number (too few points in a window, a
      threshold outside the data or between-window gap, an unbounded interval).
    - ``power`` and ``signal``: the curve the lines were fitted to (mW, signal units).
    """

    threshold_mW: float
    threshold_W_cm2: float
    ci: dict[str, tuple[float, float]]
    ci_method: str
    below_line: LineFit | None
    above_line: LineFit | None
    slope_ratio: float
    spot_diameter_mm: float
    beam_profile: BeamProfile
    converged: bool = True
    message: str = ""
    nfev: int = 0
    warnings: tuple[str, ...] = ()
    p_value: float = NAN
    power: tuple[float, ...] | None = None
    signal: tuple[float, ...] | None = None

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "threshold_mW",
        "threshold_W_cm2",
        "ci",
        "ci_method",
        "slope_ratio",
        "beam_profile",
        "spot_diameter_mm",
        "converged",
        "message",
        "warnings",
        "p_value",
    )

    @property
    def profile(self) -> str:
        """Deprecated alias of ``beam_profile``."""
        return str(deprecated("profile", "beam_profile", self.beam_profile))

    def summary(self) -> str:
        """One line: the threshold with its interval in mW and W cm⁻²."""
        if not self.converged:
            return f"no threshold: {self.message}"
        lo, hi = self.ci_mW
        text = f"{self.threshold_mW:.4g} mW (95 % CI {lo:.4g}–{hi:.4g})"
        if math.isfinite(self.threshold_W_cm2):
            ilo, ihi = self.ci_W_cm2
            text += (
                f" = {self.threshold_W_cm2:.4g} W cm⁻² ({ilo:.4g}–{ihi:.4g}; {self.beam_profile}, "
                f"{self.spot_diameter_mm:g} mm)"
            )
        return text


_BREAKPOINT_KEYS = {"found": "converged", "note": "message"}


@dataclass(frozen=True)
class Breakpoint:
    """The segmented-regression search of :func:`~qdwidgets.core.threshold.segmented`.

    An intermediate outcome, not a saved result (it holds no curve to draw or restore): the
    result of a threshold search is :func:`~qdwidgets.core.threshold.find_threshold`'s
    ``ThresholdFit``. It speaks the same vocabulary and pickles.

    ``converged``: a breakpoint exists (sup-F test p < alpha and a broken line beats a parabola);
    ``psi``: where (the curve's x units; NaN if none); ``p_value``; ``k``: points at or below
    ``psi``; ``message``: the verdict in words; ``nfev``: straight- and broken-line fits
    evaluated; ``warnings``: none are raised by the search itself (kept for the vocabulary).
    ``seg["found"]``-style access to the old dict keys still works for one version (with a
    DeprecationWarning).
    """

    converged: bool
    psi: float
    p_value: float
    k: int
    message: str
    nfev: int
    warnings: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        new = _BREAKPOINT_KEYS.get(key, key)
        if key not in {"found", "psi", "p_value", "k", "note", "nfev"}:
            raise KeyError(key)
        return deprecated(f"segmented(...)[{key!r}]", f"segmented(...).{new}", getattr(self, new))
