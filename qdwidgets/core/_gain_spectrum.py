"""Gain spectra: where A_ex = ΔA + A0 < −k·σ at one delay (ps, nm, OD).

Part of :mod:`qdwidgets.core.gain`, which re-exports everything here (import from there).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import xarray as xr
from scipy import ndimage

from .. import _args
from ..data.contract import validate
from ..errors import DatasetError
from ..results import Result
from ._masked import masked_columns, note
from ._traces import negative_regions, trace_noise

GAIN_K = 3.0
"""Default k of the gain threshold: a wavelength has gain where A_ex < −k·σ (σ: noise of ΔA)."""


def _ta(ta: xr.Dataset) -> xr.Dataset:
    return validate(ta, "ta")


def _need_a0(ds: xr.Dataset) -> None:
    if "A0" not in ds.data_vars:
        raise DatasetError(
            "dataset: A_ex = ΔA + A0 needs the steady-state absorbance 'A0', which this dataset "
            "lacks. Fix: attach it with qdwidgets.data.attach_absorbance(ta, source) or "
            "ta['A0'] = ('wavelength', values) with attrs units='OD'"
        )


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainSpectrum(Result):
    """Where A_ex < −k·σ at one delay (σ: the noise of ΔA at each wavelength and pump level).

    delay: the grid delay used (ps). pump: pump levels. a_ex: A_ex (OD) over (pump, wavelength).
    bands: per pump level, the (start, end) wavelengths (nm) of each region where
    A_ex < −k·σ, edges linearly interpolated to that threshold (see :func:`gain_bands`).
    peak_wavelength / depth: DataArrays over ``pump``, where A_ex is most negative inside
    those regions (nm) and its value (OD), NaN without gain. width: the total gain width (nm)
    over ``pump``. k: the threshold in units of σ; noise: σ (OD) over (pump, wavelength)
    (None: threshold 0). Saves written before 0.2 (tuples per pump level) still load.
    """

    delay: float
    pump: tuple[float, ...]
    a_ex: xr.DataArray
    bands: tuple[tuple[tuple[float, float], ...], ...]
    peak_wavelength: xr.DataArray
    depth: xr.DataArray
    width: xr.DataArray
    k: float = GAIN_K
    noise: xr.DataArray | None = None

    _summary_fields = ("delay", "pump", "bands", "peak_wavelength", "depth", "width", "k")
    _units: ClassVar[dict[str, str]] = {
        "delay": "ps",
        "bands": "nm",
        "peak_wavelength": "nm",
        "depth": "OD",
        "width": "nm",
        "k": "σ",
    }

    _per_pump: ClassVar[dict[str, tuple[str, str]]] = {
        "peak_wavelength": ("nm", "wavelength of the deepest gain"),
        "depth": ("OD", "A_ex at the deepest gain"),
        "width": ("nm", "total width of the gain bands"),
    }

    def _fields_for_display(self) -> list[tuple[str, Any]]:
        return with_units(super()._fields_for_display(), self._units)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GainSpectrum:
        """Rebuild from :meth:`to_dict` output (older saves with tuples per pump level too)."""
        return super().from_dict(legacy_per_pump(data, cls._per_pump))

    @property
    def has_gain(self) -> xr.DataArray:
        """Whether A_ex < −k·σ anywhere, over ``pump`` (bool)."""
        flags = [bool(b) for b in self.bands]
        return per_pump(flags, self.width["pump"], "has_gain", "", "A_ex < −k·σ somewhere")


# its public home, named by saved states and pickles (set after the class is made: the dataclass
# decorator reads the module of the name it carries, which may not be imported yet)
GainSpectrum.__module__ = "qdwidgets.core.gain"


def per_pump(
    values: Any, pump: xr.DataArray, name: str, units: str, long_name: str
) -> xr.DataArray:
    """``values`` (one per pump level) as a DataArray over ``pump`` with CF ``units`` (none
    when empty) and ``long_name``, like :func:`qdwidgets.core.gain.zero_crossing`."""
    attrs = {"units": units, "long_name": long_name} if units else {"long_name": long_name}
    coord = xr.DataArray(np.asarray(pump.values), dims=("pump",), attrs=dict(pump.attrs))
    return xr.DataArray(
        np.asarray(values), dims=("pump",), coords={"pump": coord}, name=name, attrs=attrs
    )


def legacy_per_pump(data: dict[str, Any], fields: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A saved result's dict with the per-pump tuples of saves before 0.2 made DataArrays
    (over the saved ``pump`` levels), so that older saves still load."""
    out = dict(data)
    pump = xr.DataArray(np.asarray(out.get("pump", ()), dtype=float), dims=("pump",))
    for name, (units, long_name) in fields.items():
        if isinstance(out.get(name), (list, tuple)):
            out[name] = per_pump(out[name], pump, name, units, long_name)
    return out


def with_units(fields: list[tuple[str, Any]], units: dict[str, str]) -> list[tuple[str, Any]]:
    """Display rows ``(name, value)`` with the unit in the name: ``("delay (ps)", 2.3)``."""
    return [(f"{n} ({units[n]})" if n in units else n, v) for n, v in fields]


def spectral_noise(t: np.ndarray, dA: np.ndarray) -> np.ndarray:
    """Noise σ (OD) of ΔA (pump, delay, wavelength) per (pump, wavelength).

    From the delays before ``NOISE_BEFORE_PS`` (at least 3), else from the second differences
    along the delays (see :func:`trace_noise`); then a running
    median over 9 neighbouring wavelengths, since a few samples per wavelength give a noisy σ
    (10 samples: ±25 %) and noise varies slowly with wavelength.

    Parameters
    ----------
    t : numpy.ndarray
        Delays (ps).
    dA : numpy.ndarray
        ΔA (OD) over (pump, delay, wavelength).

    Returns
    -------
    numpy.ndarray
        σ (OD) over (pump, wavelength).
    """
    arr = np.asarray(dA)  # no copy: one pump level at a time, as (wavelength, delay) views
    t = np.asarray(t, dtype=float)
    sigma = np.stack([np.asarray(trace_noise(t, level.T), dtype=float) for level in arr])
    w = arr.shape[2]
    return np.asarray(ndimage.median_filter(sigma, size=(1, min(9, w)), mode="nearest"))


def gain_bands(
    wl: np.ndarray, a_ex: np.ndarray, noise: np.ndarray | None = None, k: float = GAIN_K
) -> tuple[tuple[float, float], ...]:
    """(start, end) nm of each region of one spectrum where A_ex < −k·σ, edges interpolated to
    the threshold; two regions split by a single sample above it (a gap under two grid steps:
    noise at the edge of one band) count as one.

    Parameters
    ----------
    wl : numpy.ndarray
        Wavelengths (nm), increasing.
    a_ex : numpy.ndarray
        A_ex (OD) at those wavelengths.
    noise : numpy.ndarray, optional
        Noise σ (OD) per wavelength; without it the threshold is 0.
    k : float, default GAIN_K
        Gain counts only where A_ex < −k·σ.

    Returns
    -------
    tuple of (float, float)
        The gain regions (nm).

    Examples
    --------
    >>> import numpy as np
    >>> from qdwidgets.core.gain import gain_bands
    >>> wl = np.arange(600.0, 701.0, 10.0)
    >>> a_ex = np.array([0.1, 0.05, -0.02, -0.05, -0.06, -0.04, -0.01, 0.02, 0.03, 0.03, 0.03])
    >>> [(round(lo, 1), round(hi, 1)) for lo, hi in gain_bands(wl, a_ex, np.full(11, 0.005))]
    [(619.3, 658.3)]
    """
    wl = np.asarray(wl, dtype=float)
    y = np.asarray(a_ex, dtype=float)
    floor = 0.0 if noise is None else k * np.asarray(noise, dtype=float)
    bands = negative_regions(wl, y + floor)
    gap = 2.0 * float(np.median(np.diff(wl))) if wl.size > 1 else 0.0
    merged: list[tuple[float, float]] = []
    for lo, hi in bands:
        if merged and lo - merged[-1][1] < gap:
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return tuple(merged)


def gain_spectrum(ta: xr.Dataset, delay: float, *, k: float = GAIN_K) -> GainSpectrum:
    """Where A_ex < −k·σ at the grid delay nearest ``delay`` (ps), per pump level.

    σ is the noise of ΔA at each wavelength and pump level (:func:`spectral_noise`: from the
    pre-time-zero delays); ``k`` (default 3) keeps noise dipping below zero from counting as
    gain (k = 0: every A_ex < 0). TAExplorer shades the same regions.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset with ``dA`` and ``A0`` (OD).
    delay : float
        Delay (ps); the nearest grid delay is used.
    k : float, default 3
        Gain counts only where A_ex < −k·σ (σ in OD).

    Returns
    -------
    GainSpectrum
        Per pump level: the gain ``bands`` (nm), the ``peak_wavelength`` (nm), ``depth`` (OD)
        and ``width`` (nm).

    Raises
    ------
    DatasetError
        When the dataset is not a valid TA dataset or has no ``A0``.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import gain_spectrum
    >>> spectrum = gain_spectrum(qdwidgets.examples.ta(), 2.3)
    >>> spectrum.peak_wavelength.round().values.tolist()  # nm, at <N> = 1.2 and 3.0
    [658.0, 656.0]
    """
    ds = _ta(ta)
    _need_a0(ds)
    k = _args.non_negative("k", k)
    t = ds["delay"].values
    delay = _args.number("delay", delay, unit="ps")
    if delay < t[0] or delay > t[-1]:
        raise DatasetError(
            f"delay: {delay!r} ps lies outside the measured range {t[0]:g}–{t[-1]:g} ps. "
            "Fix: choose a delay inside it"
        )
    i = int(np.argmin(np.abs(t - delay)))
    masked, said = masked_columns(ds), note(ds)
    if masked.any():  # masked (all-NaN) columns are left out: a band may span the gap
        ds = ds.isel(wavelength=np.flatnonzero(~masked))
    spec = (ds["dA"].isel(delay=i) + ds["A0"]).transpose("pump", "wavelength").values
    noise = spectral_noise(t, ds["dA"].transpose("pump", "delay", "wavelength").values)
    out = gain_spectrum_of(float(t[i]), ds["pump"], ds["wavelength"], spec, noise=noise, k=k)
    if said:
        out.a_ex.attrs["masked"] = said
    return out


def gain_spectrum_of(
    delay: float,
    pump: xr.DataArray,
    wavelength: xr.DataArray,
    a_ex: np.ndarray,
    *,
    noise: np.ndarray | None = None,
    k: float = GAIN_K,
) -> GainSpectrum:
    """:class:`GainSpectrum` from an A_ex array (pump, wavelength) in OD at ``delay`` ps.

    ``noise``: σ (OD) over (pump, wavelength), see :func:`spectral_noise`; None: threshold 0.
    """
    spec = xr.DataArray(
        np.asarray(a_ex, dtype=float),
        dims=("pump", "wavelength"),
        coords={"pump": pump, "wavelength": wavelength},
        name="A_ex",
        attrs={"units": "OD", "long_name": f"A_ex = ΔA + A0 at {delay:.4g} ps"},
    )
    sigma = None
    if noise is not None:
        sigma = xr.DataArray(
            np.broadcast_to(np.asarray(noise, dtype=float), spec.shape).copy(),
            dims=("pump", "wavelength"),
            coords={"pump": pump, "wavelength": wavelength},
            name="noise",
            attrs={"units": "OD", "long_name": "noise σ of ΔA"},
        )
    wl = np.asarray(wavelength.values, dtype=float)
    parts: list[tuple[tuple[tuple[float, float], ...], float, float, float]] = []
    for p, row in enumerate(spec.values):
        floor = 0.0 if sigma is None else k * sigma.values[p]
        bands = gain_bands(wl, row, None if sigma is None else sigma.values[p], k)
        if not bands:
            parts.append(((), float("nan"), float("nan"), 0.0))
            continue
        j = int(np.argmin(np.where(row + floor < 0, row, np.inf)))
        parts.append((bands, float(wl[j]), float(row[j]), float(sum(b - a for a, b in bands))))
    field = GainSpectrum._per_pump
    return GainSpectrum(
        delay=float(delay),
        pump=tuple(float(p) for p in pump.values),
        a_ex=spec,
        bands=tuple(p[0] for p in parts),
        peak_wavelength=per_pump(
            [p[1] for p in parts], pump, "peak_wavelength", *field["peak_wavelength"]
        ),
        depth=per_pump([p[2] for p in parts], pump, "depth", *field["depth"]),
        width=per_pump([p[3] for p in parts], pump, "width", *field["width"]),
        k=float(k),
        noise=sigma,
    )
