"""The Prepare widget's settings, and the calls to :mod:`qdwidgets.core.prepare` they stand for.

No widget library here: :class:`PrepareSettings` (a small frozen dataclass), the chirp curve
through the user's points, the prepared dataset (:func:`run`) and its code (:func:`code`).
Order of the steps: average the kept scans → subtract the solvent → subtract the background →
correct the chirp → crop → mask. Delays in ps, wavelengths in nm, signals in OD.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import _args
from ..core import chirp, prepare
from ..core.prepare._record import INPUT, steps_of
from ..errors import DatasetError

MAX_ORDER = 4

Pair = tuple[float, float]


@dataclasses.dataclass(frozen=True)
class PrepareSettings:
    """What the user set in :class:`~qdwidgets.widgets.Prepare`.

    ``chirp_points``: (wavelength nm, t0 ps) pairs, sorted by wavelength (none: no chirp
    correction); ``chirp_order``: degree 0–4 of the polynomial t0(λ) through them (at most the
    number of points − 1); ``delay_range`` (ps, in the corrected frame) and ``wavelength_range``
    (nm): the crop (None: the whole axis); ``mask_bands``: wavelength bands (nm) set to NaN;
    ``background``/``solvent``: those subtractions on; ``rejected``: indices of scans left out.
    """

    chirp_points: tuple[Pair, ...] = ()
    chirp_order: int = 3
    delay_range: Pair | None = None
    wavelength_range: Pair | None = None
    mask_bands: tuple[Pair, ...] = ()
    background: bool = False
    solvent: bool = False
    rejected: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (lists for tuples)."""
        return {
            "chirp_points": [list(p) for p in self.chirp_points],
            "chirp_order": self.chirp_order,
            "delay_range": None if self.delay_range is None else list(self.delay_range),
            "wavelength_range": (
                None if self.wavelength_range is None else list(self.wavelength_range)
            ),
            "mask_bands": [list(b) for b in self.mask_bands],
            "background": self.background,
            "solvent": self.solvent,
            "rejected": list(self.rejected),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PrepareSettings:
        """Inverse of :meth:`to_dict`."""
        return cls(
            chirp_points=points("chirp_points", d.get("chirp_points", [])),
            chirp_order=order(d.get("chirp_order", 3)),
            delay_range=window("delay_range", d.get("delay_range"), "ps"),
            wavelength_range=window("wavelength_range", d.get("wavelength_range"), "nm"),
            mask_bands=bands(d.get("mask_bands", [])),
            background=bool(d.get("background", False)),
            solvent=bool(d.get("solvent", False)),
            rejected=tuple(sorted({int(i) for i in d.get("rejected", [])})),
        )


# -- checks of single settings (shape and numbers; the data are checked by running) ----------
def _pair(name: str, value: Any, unit: str) -> Pair:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise _args.ArgumentError(
            f"{name} must be a pair of numbers ({unit}), not {value!r}. Fix: give [low, high]"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise _args.ArgumentError(f"{name} must be finite, got [{lo}, {hi}] {unit}")
    return lo, hi


def window(name: str, value: Any, unit: str) -> Pair | None:
    """A (low, high) range with low < high, or None for the whole axis ([] too)."""
    if value is None or (isinstance(value, (list, tuple)) and len(value) == 0):
        return None
    lo, hi = _pair(name, value, unit)
    if not lo < hi:
        raise _args.ArgumentError(
            f"{name} must have low < high, got [{lo:g}, {hi:g}] {unit}. Fix: swap the ends"
        )
    return lo, hi


def bands(value: Any) -> tuple[Pair, ...]:
    """Mask bands (nm): (low, high) pairs, each low < high, sorted."""
    out = [window("mask_bands", b, "nm") for b in (value or [])]
    return tuple(sorted(b for b in out if b is not None))


def points(name: str, value: Any) -> tuple[Pair, ...]:
    """Chirp points (wavelength nm, t0 ps), sorted by wavelength, wavelengths distinct."""
    pts = sorted(_pair(name, p, "(nm, ps)") for p in (value or []))
    for a, b in itertools.pairwise(pts):
        if b[0] - a[0] < 1e-9:
            raise _args.ArgumentError(
                f"{name}: two points at {a[0]:g} nm. Fix: keep one point per wavelength"
            )
    return tuple(pts)


def order(value: Any) -> int:
    """The chirp polynomial degree, an integer 0–4."""
    if isinstance(value, bool) or not float(value).is_integer():
        raise _args.ArgumentError(f"chirp_order must be an integer 0–{MAX_ORDER}, not {value!r}")
    return _args.integer("chirp_order", int(value), lo=0, hi=MAX_ORDER)


# -- the chirp curve ------------------------------------------------------------------------
def degree(s: PrepareSettings) -> int:
    """The degree used: ``chirp_order``, at most the number of points − 1."""
    return max(min(s.chirp_order, len(s.chirp_points) - 1), 0)


def chirp_curve(s: PrepareSettings, wavelengths: np.ndarray, centre: float) -> np.ndarray:
    """t0 (ps) at ``wavelengths`` (nm) through the points:
    :func:`qdwidgets.core.chirp.through_points` (the call :func:`code` writes)."""
    return chirp.through_points(s.chirp_points, wavelengths, s.chirp_order, centre=centre)


def check_points(s: PrepareSettings, ta: xr.Dataset) -> None:
    """Every chirp point lies on the map (wavelength and delay inside the data)."""
    wl, t = ta["wavelength"].values, ta["delay"].values
    for w, t0 in s.chirp_points:
        if not (wl[0] - 1e-9 <= w <= wl[-1] + 1e-9 and t[0] <= t0 <= t[-1]):
            raise DatasetError(
                f"chirp point ({w:g} nm, {t0:g} ps) is outside the map ({wl[0]:g}…{wl[-1]:g} nm, "
                f"{t[0]:g}…{t[-1]:g} ps). Fix: drag it onto the map or remove it"
            )


def normalise(name: str, value: Any) -> Any:
    """A setting's value checked and normalised (tuples; the widget stores lists)."""
    if name == "chirp_points":
        return points(name, value)
    if name == "chirp_order":
        return order(value)
    if name in ("delay_range", "wavelength_range"):
        return window(name, value, "ps" if name == "delay_range" else "nm")
    if name == "mask_bands":
        return bands(value)
    if name in ("background", "solvent"):
        if not isinstance(value, (bool, np.bool_)):
            raise _args.ArgumentError(f"{name} must be True or False, not {value!r}")
        return bool(value)
    if isinstance(value, (str, bytes)) or not all(
        isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in value
    ):
        raise _args.ArgumentError(f"rejected must be a list of scan indices, not {value!r}")
    return tuple(sorted({int(i) for i in value}))


# -- running the steps ----------------------------------------------------------------------
def kept(n_scans: int, rejected: Sequence[int]) -> list[int]:
    """The indices of the scans kept; an error when none is left."""
    bad = [i for i in rejected if not 0 <= i < n_scans]
    if bad:
        raise _args.ArgumentError(
            f"rejected: scan {bad[0]} does not exist (there are {n_scans} scans, 0…{n_scans - 1})"
        )
    keep = [i for i in range(n_scans) if i not in set(rejected)]
    if not keep:
        raise DatasetError("every scan is rejected; nothing is left. Fix: keep at least one scan")
    return keep


def before_chirp(
    data: xr.Dataset | list[xr.Dataset], solvent: xr.Dataset | None, s: PrepareSettings
) -> xr.Dataset:
    """The kept scans averaged, then the solvent and background subtracted, as set."""
    if isinstance(data, list):
        keep = kept(len(data), s.rejected)
        ds = prepare.average_scans([data[i] for i in keep]) if len(keep) > 1 else data[keep[0]]
    else:
        ds = data
    if s.solvent:
        if solvent is None:
            raise DatasetError("no solvent scan was given. Fix: Prepare(data, solvent=solvent_ds)")
        ds = prepare.subtract_solvent(ds, solvent)
    if s.background:
        ds = prepare.subtract_background(ds)
    return ds


def corrected(stage: xr.Dataset, s: PrepareSettings, centre: float) -> xr.Dataset:
    """``stage`` chirp-corrected through the points (as it is without points)."""
    if not s.chirp_points:
        return stage
    check_points(s, stage)
    return prepare.correct_chirp(stage, chirp_curve(s, stage["wavelength"].values, centre))


def trimmed(ds: xr.Dataset, s: PrepareSettings) -> xr.Dataset:
    """``ds`` cropped and masked, as set."""
    if s.delay_range is not None or s.wavelength_range is not None:
        ds = prepare.crop(ds, delay=s.delay_range, wavelength=s.wavelength_range)
    if s.mask_bands:
        ds = prepare.mask(ds, wavelength=[list(b) for b in s.mask_bands])
    return ds


def after_chirp(stage: xr.Dataset, s: PrepareSettings, centre: float) -> xr.Dataset:
    """``stage`` chirp-corrected through the points, cropped and masked, as set."""
    return trimmed(corrected(stage, s, centre), s)


# -- defaults from the data ----------------------------------------------------------------
def defaults(
    source: xr.Dataset | list[xr.Dataset],
    solvent: xr.Dataset | None,
    rejected: Any,
    notes: list[str],
    n_points: int = 5,
) -> tuple[PrepareSettings, str]:
    """The starting settings, from the data: the solvent on when given and usable, the
    background on when the data hold delays before time zero, ``n_points`` chirp points on
    :func:`qdwidgets.core.chirp.estimate` of the data (none when no rise is found). Returns the
    settings and why the solvent is unusable ('' when it is fine); ``notes`` gets the rest."""

    rej = normalise("rejected", rejected or [])
    if isinstance(source, list):
        kept(len(source), rej)
    base = PrepareSettings(rejected=rej, solvent=solvent is not None)
    problem = ""
    if base.solvent:
        try:
            before_chirp(source, solvent, base)
        except (DatasetError, _args.ArgumentError) as exc:
            problem = str(exc)
            base = dataclasses.replace(base, solvent=False)
    try:
        stage = before_chirp(source, solvent, dataclasses.replace(base, background=True))
        base = dataclasses.replace(base, background=True)
    except DatasetError as exc:
        notes.append(f"background subtraction off: {exc}")
        stage = before_chirp(source, solvent, base)
    if int(stage.attrs.get(chirp.CORRECTED, 0)):
        notes.append("the data are chirp-corrected already: no chirp points")
        return base, problem
    try:
        est = chirp.estimate(stage, order=3)
        used = np.flatnonzero(np.isfinite(est["t0_half_rise"].values))
        lo, hi = (int(used[0]), int(used[-1])) if used.size >= 2 else (0, est.size - 1)
        idx = np.unique(np.round(np.linspace(lo, hi, n_points)).astype(int))
        wl = stage["wavelength"].values
        pts = tuple((float(wl[i]), round(float(est.values[i]), 4)) for i in idx)
        s = dataclasses.replace(base, chirp_points=pts, chirp_order=3)
        corrected(stage, s, float((wl[0] + wl[-1]) / 2.0))  # usable on these data?
    except DatasetError as exc:
        notes.append(f"no chirp estimated ({exc}); shift-click the map to add points")
        return base, problem
    return s, problem


# -- code -----------------------------------------------------------------------------------
def _value(v: Any, names: dict[str, str]) -> str:
    if isinstance(v, dict) and set(v) == {INPUT}:
        return names.get(str(v[INPUT]), str(v[INPUT]))
    return repr(v)


def code(
    result: xr.Dataset,
    n_before: int,
    s: PrepareSettings,
    *,
    data_name: str,
    solvent_name: str,
    n_scans: int | None,
    centre: float,
) -> str:
    """Python that leaves ``result`` (the prepared dataset) in ``result``: the steps the widget
    added to the record of its input (``n_before`` steps were there already)."""
    names = {"solvent": solvent_name}
    lines = ["from qdwidgets.core import prepare", ""]
    if n_scans is not None:
        keep = kept(n_scans, s.rejected)
        if len(keep) == 1:
            lines.append(f"result = {data_name}[{keep[0]}]")
    else:
        lines.append(f"result = {data_name}")
    for step in steps_of(result)[n_before:]:
        name, args = step["step"], dict(step["args"])
        if name == "average_scans":
            args.pop("scans")
            if args.get("reader_options") == {}:
                args.pop("reader_options")
            assert n_scans is not None
            scans = f"[{data_name}[i] for i in {kept(n_scans, s.rejected)!r}]"
            rest = "".join(f", {k}={_value(v, names)}" for k, v in args.items())
            lines.append(f"result = prepare.average_scans({scans}{rest})")
        elif name == "correct_chirp":
            pts = ", ".join(f"({w!r}, {t!r})" for w, t in s.chirp_points)
            lines[:0] = ["from qdwidgets.core import chirp"]
            lines += [
                f"points = [{pts}]  # (wavelength nm, t0 ps)",
                'wavelength = result["wavelength"].values',
                f"t0 = chirp.through_points(points, wavelength, {s.chirp_order}, "
                f"centre={centre!r})",
                "result = prepare.correct_chirp(result, t0)",
            ]
        else:
            rest = "".join(f", {k}={_value(v, names)}" for k, v in args.items())
            lines.append(f"result = prepare.{name}(result{rest})")
    return "\n".join(lines) + "\n"
