"""The dataset contract: ``validate(ds)`` returns a normalised copy or raises DatasetError.

TA (``attrs["qd_kind"] == "ta"``): ``dA`` (OD) over ``(pump, delay, wavelength)``; optional ``A0``,
``PL`` and ``chirp`` over ``(wavelength,)``; ``delay`` in ps and ``wavelength`` in nm, strictly
increasing; ``pump`` with a ``units`` attr and an optional ``occupancy`` coordinate (⟨N⟩).

ASE (``attrs["qd_kind"] == "ase"``): ``emission`` over ``(feedback, power, wavelength)``; ``power``
in mW; optional attrs ``spot_diameter_mm``, ``beam_profile`` ("tophat" | "gaussian"),
``pump_wavelength_nm``.

A dataset with one pump level (or one feedback condition) may omit that dimension; the
normalised copy always has it. Conversions and assumptions are recorded in
``attrs["qd_history"]``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._choices import BEAM_PROFILES as _BEAM_PROFILES
from . import units as U
from ._checks import (
    _check_axis,
    _check_dims,
    _check_non_negative,
    _check_signal,
    _convert_signal,
    _fail,
    _Notes,
    _set_attrs,
    record_masked,
)
from ._marker import VALIDATED_ATTR, fingerprint, is_validated

TA_DIMS = ("pump", "delay", "wavelength")
ASE_DIMS = ("feedback", "power", "wavelength")
BEAM_PROFILES = _BEAM_PROFILES  # written once, in qdwidgets._choices
#: Plausible probe / emission wavelengths (nm), after unit conversion: deep UV to far IR.
WAVELENGTH_RANGE_NM = (100.0, 20000.0)


def infer_kind(ds: xr.Dataset) -> str:
    """Whether a dataset holds TA or ASE data.

    Parameters
    ----------
    ds : xarray.Dataset
        The dataset, validated or not.

    Returns
    -------
    {"ta", "ase"}
        From ``attrs["qd_kind"]`` when set, else "ta" for a ``dA`` variable, "ase" for an
        ``emission`` variable.

    Raises
    ------
    DatasetError
        For an unknown ``qd_kind``, or when neither variable is present (with how to name it).

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.data.contract import infer_kind
    >>> infer_kind(qdwidgets.examples.ta()), infer_kind(qdwidgets.examples.ase())
    ('ta', 'ase')
    """
    kind = ds.attrs.get("qd_kind")
    if kind is not None:
        kind = str(kind).lower()
        if kind not in ("ta", "ase"):
            raise _fail(
                "attrs['qd_kind']",
                f"unknown kind {kind!r}",
                "set it to 'ta' (transient absorption) or 'ase' (emission vs pump power)",
            )
        return kind
    if "dA" in ds.data_vars:
        return "ta"
    if "emission" in ds.data_vars:
        return "ase"
    names = ", ".join(map(str, ds.data_vars)) or "none"
    raise _fail(
        "dataset",
        f"cannot tell whether this is TA or ASE data (variables: {names})",
        "name the TA signal 'dA' or the ASE spectra 'emission' (ds.rename({'old': 'dA'})), "
        "or set ds.attrs['qd_kind'] = 'ta' or 'ase'",
    )


def validate(ds: xr.Dataset, kind: str | None = None) -> xr.Dataset:
    """Check ``ds`` against the dataset contract and return a normalised deep copy.

    Raises ``DatasetError`` naming the variable, the dimension and the fix. ``ds`` is never
    modified. ``kind`` ('ta' or 'ase') overrides ``attrs["qd_kind"]``.

    Physics: wavelengths within 100–20000 nm after conversion, finite strictly increasing
    axes, non-negative powers and pump levels. Lazy (dask) data stay lazy: coordinates and
    attrs are checked now, the values' finite check is added to the graph block by block.
    The copy carries ``attrs['qd_validated']`` (see ``qdwidgets.data._marker``); a dataset
    whose marker still matches is returned at once (a shallow copy sharing its arrays).

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset (``dA`` over delay and wavelength, optional ``pump`` and ``A0``) or an ASE
        dataset (``emission`` over power and wavelength, optional ``feedback``), with ``units``
        attributes on its coordinates and signals.
    kind : {"ta", "ase"}, optional
        The kind of data; default ``ds.attrs["qd_kind"]``, else inferred from the variables.

    Returns
    -------
    xarray.Dataset
        A copy in canonical units (delay ps, wavelength nm, signals OD, power mW) with strictly
        increasing axes, ``attrs["qd_kind"]`` and what was converted in ``attrs["qd_history"]``.

    Raises
    ------
    DatasetError
        Naming the variable or coordinate, what is wrong and the fix.

    Examples
    --------
    >>> import numpy as np
    >>> import xarray as xr
    >>> from qdwidgets.data import validate
    >>> ds = xr.Dataset(
    ...     {"dA": (("delay", "wavelength"), np.ones((3, 2)), {"units": "mOD"})},
    ...     coords={
    ...         "delay": ("delay", [0.0, 500.0, 1000.0], {"units": "fs"}),
    ...         "wavelength": ("wavelength", [600.0, 640.0], {"units": "nm"}),
    ...     },
    ... )
    >>> out = validate(ds)  # a converted copy: ps and OD
    >>> out.attrs["qd_kind"], out.delay.values.tolist(), float(out.dA.max())
    ('ta', [0.0, 0.5, 1.0], 0.001)
    >>> ds.delay.attrs["units"], float(ds.dA.max())  # the input is unchanged
    ('fs', 1.0)
    """
    if isinstance(ds, xr.DataArray):
        raise _fail(
            "input",
            "got a DataArray, expected a Dataset",
            "wrap it: da.to_dataset(name='dA') for TA or name='emission' for ASE",
        )
    if not isinstance(ds, xr.Dataset):
        raise _fail(
            "input",
            f"got {type(ds).__name__}, expected an xarray.Dataset",
            "load files with qdwidgets.open_dataset(path) or build an xarray.Dataset",
        )
    if is_validated(ds, kind):
        same: xr.Dataset = ds.copy(deep=False)
        return same
    out = ds.copy(deep=True)
    out.attrs.pop(VALIDATED_ATTR, None)
    if kind is not None:
        out.attrs["qd_kind"] = kind
    kind = infer_kind(out)
    notes = _Notes(out)
    out = _validate_ta(out, notes) if kind == "ta" else _validate_ase(out, notes)
    out.attrs["qd_kind"] = kind
    history = notes.text()
    if history:
        out.attrs["qd_history"] = history
    out.attrs[VALIDATED_ATTR] = fingerprint(out)
    return out


# -- TA ------------------------------------------------------------------------------------


def _need_variable(ds: xr.Dataset, var: str, kind: str, what: str) -> None:
    """Raise naming the variables present when ``ds`` lacks ``var`` (``what``: its meaning)."""
    if var not in ds.data_vars:
        names = ", ".join(map(str, ds.data_vars)) or "none"
        raise _fail(
            "dataset",
            f"{kind} data needs a variable {var!r} (variables present: {names})",
            f"rename {what}: ds = ds.rename({{'old_name': {var!r}}})",
        )


PUMP_INDEX = "index"
"""The units of the ``pump`` coordinate added to a TA dataset measured at one unnamed level."""


def pump_level_text(value: float, units: str) -> str:
    """A pump level as people write it: ``"100 nJ"``; ``"pump"`` for the one unnamed level that
    validation adds (units ``'index'``), whose value 0 means nothing.

    Parameters
    ----------
    value : float
        The level, in ``units``.
    units : str
        The ``units`` attribute of the ``pump`` coordinate.

    Returns
    -------
    str
        The label.

    Examples
    --------
    >>> pump_level_text(100.0, "nJ"), pump_level_text(0.0, "index")
    ('100 nJ', 'pump')
    """
    if units == PUMP_INDEX:
        return "pump"
    return f"{value:.4g} {units}".strip()


def _validate_ta(ds: xr.Dataset, notes: _Notes) -> xr.Dataset:
    _need_variable(ds, "dA", "TA", "the ΔA variable")
    _check_dims(ds, "dA", TA_DIMS, ("delay", "wavelength"))
    if "pump" not in ds["dA"].dims:
        ds = ds.assign(dA=ds["dA"].expand_dims("pump"))
        ds = ds.assign_coords(
            pump=("pump", [0.0], {"units": PUMP_INDEX, "long_name": "pump level"})
        )
        notes.add("one pump level: added a pump dimension of length 1 (units 'index')")
    _check_signal(ds, "dA")
    ds = _check_axis(ds, "delay", 2, notes, U.time_to_ps, "ps")
    ds = _check_axis(ds, "wavelength", 1, notes, U.wavelength_to_nm, "nm", WAVELENGTH_RANGE_NM)
    if "pump" not in ds.coords:
        raise _fail(
            "dimension 'pump'",
            "has no coordinate values",
            "assign the pump levels with their unit: ds = ds.assign_coords(pump=('pump', "
            "values, {'units': 'nJ'}))",
        )
    if "units" not in ds["pump"].attrs:
        raise _fail(
            "coordinate 'pump'",
            "has no 'units' attribute",
            "say what the pump levels are: ds['pump'].attrs['units'] = 'nJ' (pulse energy) or "
            "'uJ/cm2' (fluence)",
        )
    ds = _check_axis(ds, "pump", 1, notes, None, None)
    _check_non_negative(ds, "pump", str(ds["pump"].attrs["units"]))
    ds = ds.assign(dA=ds["dA"].transpose(*TA_DIMS))
    _convert_signal(ds, "dA", notes, required_units=True)
    record_masked(ds)  # all-NaN wavelength columns are masked (prepare.mask): attrs["qd_masked"]
    for name in ("A0", "PL"):
        if name in ds.data_vars:
            _check_spectrum(ds, name, notes)
    if "A0" in ds.data_vars:
        _convert_signal(ds, "A0", notes, required_units=True)
    if "chirp" in ds.data_vars:
        _check_spectrum(ds, "chirp", notes)
        chirp = ds["chirp"]
        unit = chirp.attrs.get("units")
        if unit is None:
            unit = "ps"
            notes.add("chirp has no 'units' attribute: assumed ps")
        ds["chirp"] = chirp.copy(data=U.time_to_ps(chirp.data, unit, "chirp"))
        ds["chirp"].attrs.update(chirp.attrs)
        _set_attrs(ds["chirp"], "chirp", "ps")
    if "occupancy" in ds.coords:
        occ = ds["occupancy"]
        if occ.dims != ("pump",):
            raise _fail(
                "coordinate 'occupancy'",
                f"lies along {occ.dims}, not ('pump',)",
                "give one ⟨N⟩ per pump level: ds.assign_coords(occupancy=('pump', values))",
            )
        if occ.dtype.kind not in "biuf":
            raise _fail(
                "coordinate 'occupancy'",
                f"holds {occ.dtype} values, not numbers",
                "give one number ⟨N⟩ per pump level: ds.assign_coords(occupancy=('pump', "
                "[1.0, 3.0]))",
            )
        values = np.asarray(occ.values, dtype=float)
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise _fail(
                "coordinate 'occupancy'",
                "has negative, NaN or infinite values",
                "⟨N⟩ is a mean number of excitons per dot, >= 0; fix the values",
            )
        occ.attrs.setdefault("units", "1")
        occ.attrs.setdefault("long_name", U.LONG_NAMES["occupancy"])
    return ds


def _check_spectrum(ds: xr.Dataset, name: str, notes: _Notes) -> None:
    da = ds[name]
    if da.dims != ("wavelength",):
        raise _fail(
            name,
            f"has dimensions {tuple(map(str, da.dims))}, expected ('wavelength',) on the dA grid",
            "attach it with qdwidgets.data.attach_absorbance(ta, source), which interpolates onto "
            "the TA wavelengths",
        )
    if da.dtype.kind not in "biuf":
        raise _fail(
            name,
            f"holds {da.dtype} values, not real numbers",
            f"convert it to floats: ds['{name}'] = ds['{name}'].astype(float)",
        )
    values = np.asarray(da.values, dtype=float)
    if not np.all(np.isfinite(values)):
        raise _fail(
            name,
            f"has {int((~np.isfinite(values)).sum())} NaN or infinite value(s); usually it was "
            "measured on another wavelength grid or range than dA",
            "attach it with qdwidgets.data.attach_absorbance(ta, source) (interpolates) or crop "
            "dA to the range it covers: ta.sel(wavelength=slice(lo, hi))",
        )


# -- ASE -----------------------------------------------------------------------------------


def _validate_ase(ds: xr.Dataset, notes: _Notes) -> xr.Dataset:
    _need_variable(ds, "emission", "ASE", "the spectra")
    _check_dims(ds, "emission", ASE_DIMS, ("power", "wavelength"))
    if "feedback" not in ds["emission"].dims:
        ds = ds.assign(emission=ds["emission"].expand_dims("feedback"))
        ds = ds.assign_coords(feedback=("feedback", np.array(["none"])))
        notes.add("one feedback condition: added feedback=['none']")
    if "feedback" not in ds.coords:
        raise _fail(
            "dimension 'feedback'",
            "has no labels",
            "label the conditions: ds.assign_coords(feedback=['none', 'lamp', ...]); 'none' is "
            "the reference without lamp or mirror",
        )
    labels = [str(v) for v in np.asarray(ds["feedback"].values).ravel()]
    if len(set(labels)) != len(labels) or any(not s.strip() for s in labels):
        raise _fail(
            "coordinate 'feedback'",
            f"labels must be unique, non-empty strings (got {labels})",
            "give each condition its own name, e.g. ['none', 'lamp', 'mirror']",
        )
    ds = ds.assign_coords(
        feedback=(
            "feedback",
            np.array(labels, dtype=str),
            {"long_name": "optical feedback (none = reference)"},
        )
    )
    _check_signal(ds, "emission")
    ds = _check_axis(ds, "power", 1, notes, U.power_to_mw, "mW")
    ds = _check_axis(ds, "wavelength", 2, notes, U.wavelength_to_nm, "nm", WAVELENGTH_RANGE_NM)
    _check_non_negative(ds, "power", "mW")
    ds = ds.assign(emission=ds["emission"].transpose(*ASE_DIMS))
    _set_attrs(ds["emission"], "emission", ds["emission"].attrs.get("units", "a.u."))
    _check_ase_attrs(ds, notes)
    return ds


def _check_ase_attrs(ds: xr.Dataset, notes: _Notes) -> None:
    for key in ("spot_diameter_mm", "pump_wavelength_nm"):
        if key in ds.attrs:
            try:
                value = float(ds.attrs[key])
            except (TypeError, ValueError):
                value = float("nan")
            if not np.isfinite(value) or value <= 0:
                raise _fail(
                    f"attrs[{key!r}]",
                    f"must be a positive number (got {ds.attrs[key]!r})",
                    f"set ds.attrs[{key!r}] = 1.0 (in {key.rsplit('_', 1)[-1]})",
                )
            ds.attrs[key] = value
    profile = ds.attrs.get("beam_profile")
    if profile is not None and str(profile) not in BEAM_PROFILES:
        raise _fail(
            "attrs['beam_profile']",
            f"unknown beam profile {profile!r}",
            "use 'tophat' (diameter = flat-top diameter) or 'gaussian' (diameter = 1/e² diameter)",
        )
    if "spot_diameter_mm" in ds.attrs and profile is None:
        ds.attrs["beam_profile"] = "tophat"
        notes.add("beam_profile not given: assumed 'tophat' (spot_diameter_mm is its diameter)")
