"""Malformed and hostile input, hypothesis-driven: every reader and validate either return a valid
dataset that agrees with the truth, or raise a DatasetError whose message says what is wrong and
how to fix it. Never a raw numpy/pandas/netCDF4 exception; never a wrong orientation or unit.

Known limit (documented in the readers): a text file cut exactly at a row boundary is a valid,
smaller matrix; such results are checked to agree with the truth on every cell they hold.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qdwidgets import DatasetError
from qdwidgets.data import validate
from qdwidgets.data.io import FORMATS, open_dataset, save
from qdwidgets.data.readers.ase_files import power_from_name

DELAYS = np.array([-1.0, -0.25, 0.0, 0.5, 2.0, 8.0, 40.0])
WLS = np.array([520.0, 560.0, 600.0, 640.0, 680.0])
TRUTH = np.round(np.add.outer(np.sin(DELAYS), np.cos(WLS / 50.0)) * 1e-3, 9)  # (delay, wl)
_COUNTER = itertools.count()
FEW = settings(max_examples=25)  # every example writes and reads a file
_BASE = xr.Dataset(
    {"dA": (("delay", "wavelength"), TRUTH, {"units": "OD"})},
    coords={
        "delay": ("delay", DELAYS, {"units": "ps"}),
        "wavelength": ("wavelength", WLS, {"units": "nm"}),
    },
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad")


def new_path(workdir: Path, suffix: str) -> Path:
    return workdir / f"f{next(_COUNTER)}{suffix}"


def outcome(call, *must_mention: str):
    """The dataset returned, or the DatasetError raised (checked to be actionable)."""
    try:
        return call()
    except DatasetError as exc:
        msg = str(exc)
        assert "Fix" in msg, msg
        assert len(msg) < 2000, msg
        for text in must_mention:
            assert text in msg, (text, msg)
        return exc


def agrees_with_truth(ds: xr.Dataset, truth_delays=DELAYS, truth_wls=WLS, truth=TRUTH) -> int:
    """Assert coordinates are a subset of the truth, in ps/nm/OD; return cells that differ."""
    xr.testing.assert_identical(validate(ds), ds)
    assert ds["delay"].attrs["units"] == "ps" and ds["wavelength"].attrs["units"] == "nm"
    di = np.searchsorted(truth_delays, ds["delay"].values)
    wi = np.searchsorted(truth_wls, ds["wavelength"].values)
    assert np.all(di < truth_delays.size) and np.all(wi < truth_wls.size)
    np.testing.assert_allclose(truth_delays[di], ds["delay"].values, rtol=1e-9)
    np.testing.assert_allclose(truth_wls[wi], ds["wavelength"].values, rtol=1e-9)
    expected = truth[np.ix_(di, wi)]
    return int((~np.isclose(ds["dA"].values[0], expected, rtol=1e-6, atol=1e-12)).sum())


# -- valid files of each text format, as lines ----------------------------------------------


def matrix_lines(top, left, data, sep: str = ",", corner: str = "") -> list[str]:
    lines = [sep.join([corner, *(f"{v:.12g}" for v in top)])]
    lines += [
        sep.join([f"{a:.12g}", *(f"{v:.12g}" for v in row)])
        for a, row in zip(left, data, strict=True)
    ]
    return lines


def delimited_lines(layout: str = "column", sep: str = ",") -> list[str]:
    if layout == "column":
        return matrix_lines(WLS, DELAYS, TRUTH, sep)
    return matrix_lines(DELAYS, WLS, TRUTH.T, sep)


def glotaran_lines() -> list[str]:
    head = ["Header", "Original filename: x", "Time explicit", f"Intervalnr {DELAYS.size}"]
    axis = ["\t" + "\t".join(f"{v:.10g}" for v in DELAYS)]
    rows = [
        "\t".join([f"{w:.10g}", *(f"{v:.10g}" for v in TRUTH[:, j])]) for j, w in enumerate(WLS)
    ]
    return head + axis + rows


def ase_lines() -> list[str]:
    rows = ["feedback,power,wavelength,emission"]
    for fb, p, w in itertools.product(["none", "lamp"], [10.0, 20.0], WLS):
        rows.append(f"{fb},{p:g},{w:g},{p * w / 1000:g}")
    return rows


TEXT_FORMATS = {
    "delimited": (delimited_lines, ".csv", 1),  # (lines, suffix, first data line index)
    "glotaran": (glotaran_lines, ".ascii", 5),
    "ase-table": (ase_lines, ".csv", 1),
}


def write(workdir: Path, lines: list[str], suffix: str = ".csv") -> Path:
    path = new_path(workdir, suffix)
    path.write_text("\n".join(lines) + "\n")
    return path


_VALID: dict[str, bytes] = {}


def valid_bytes(workdir: Path, fmt: str) -> bytes:
    if fmt not in _VALID:
        _VALID[fmt] = _valid_bytes(workdir, fmt)
    return _VALID[fmt]


def _valid_bytes(workdir: Path, fmt: str) -> bytes:
    if fmt in TEXT_FORMATS:
        return ("\n".join(TEXT_FORMATS[fmt][0]()) + "\n").encode()
    ds = open_dataset(write(workdir, delimited_lines()))
    path = new_path(workdir, ".nc" if fmt == "netcdf" else ".npz")
    if fmt == "netcdf":
        save(ds, path)
    else:
        np.savez(path, data=TRUTH, t=DELAYS, wl=WLS)
    return path.read_bytes()


# -- binary garbage and truncation ----------------------------------------------------------

SIGNATURES = [
    b"",
    b"\x89HDF\r\n\x1a\n",
    b"CDF\x01",
    b"PK\x03\x04",
    b"\x93NUMPY",
    b"Time explicit\n",
]


@FEW
@given(
    prefix=st.sampled_from(SIGNATURES),
    body=st.binary(max_size=600),
    suffix=st.sampled_from([".nc", ".npz", ".csv", ".ascii", ".txt", ""]),
    fmt=st.sampled_from([None, *FORMATS]),
)
def test_binary_garbage(workdir: Path, prefix: bytes, body: bytes, suffix: str, fmt) -> None:
    path = new_path(workdir, suffix)
    path.write_bytes(prefix + body)
    result = outcome(lambda: open_dataset(path, format=fmt))
    if isinstance(result, xr.Dataset):  # garbage that happens to be a tiny valid matrix
        xr.testing.assert_identical(validate(result), result)


@pytest.mark.parametrize("fmt", ["delimited", "glotaran", "ase-table", "netcdf", "npz"])
@FEW
@given(cut=st.floats(0.0, 1.0, exclude_max=True))
def test_truncated_files(workdir: Path, fmt: str, cut: float) -> None:
    data = valid_bytes(workdir, fmt)
    path = new_path(
        workdir, {"netcdf": ".nc", "npz": ".npz", "glotaran": ".ascii"}.get(fmt, ".csv")
    )
    path.write_bytes(data[: int(cut * len(data))])
    opts = {"delay_unit": "ps"} if fmt == "npz" else {}
    result = outcome(lambda: open_dataset(path, format=fmt, **opts))
    if isinstance(result, xr.Dataset):
        assert fmt in ("delimited", "glotaran", "ase-table"), "binary truncation must fail"
        if fmt != "ase-table":
            # only the last cell can have been cut inside its number
            assert agrees_with_truth(result) <= 1
        else:
            assert set(result["power"].values) <= {10.0, 20.0}


# -- damaged text ------------------------------------------------------------------------------

NOT_LINE_BREAKS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("fmt", list(TEXT_FORMATS))
@FEW
@given(data=st.data())
def test_ragged_rows(workdir: Path, fmt: str, data) -> None:
    make, suffix, first = TEXT_FORMATS[fmt]
    lines = make()
    i = data.draw(st.integers(first, len(lines) - 1), label="row")
    sep = "\t" if fmt == "glotaran" else ","
    cells = lines[i].split(sep)
    if data.draw(st.booleans(), label="drop a cell"):
        del cells[data.draw(st.integers(0, len(cells) - 1))]
    else:
        cells.insert(data.draw(st.integers(0, len(cells))), "1.0")
    lines[i] = sep.join(cells)
    path = write(workdir, lines, suffix)
    result = outcome(lambda: open_dataset(path, format=fmt), f"line {i + 1}")
    assert isinstance(result, DatasetError)


@pytest.mark.parametrize("fmt", list(TEXT_FORMATS))
@FEW
@given(data=st.data(), text=st.text(NOT_LINE_BREAKS, min_size=1, max_size=12))
def test_text_in_numeric_cells(workdir: Path, fmt: str, data, text: str) -> None:
    assume(not _is_number(text.strip()) and text.strip())
    make, suffix, first = TEXT_FORMATS[fmt]
    lines = make()
    i = data.draw(st.integers(first, len(lines) - 1), label="row")
    sep = "\t" if fmt == "glotaran" else ","
    cells = lines[i].split(sep)
    numeric = [j for j, c in enumerate(cells) if _is_number(c)]
    j = data.draw(st.sampled_from(numeric), label="cell")
    cells[j] = text
    lines[i] = sep.join(cells)
    path = write(workdir, lines, suffix)
    if j == 0 and text.lstrip().startswith("#") and fmt == "delimited":
        result = outcome(lambda: open_dataset(path, format=fmt))  # the row became a comment
        assert isinstance(result, DatasetError) or agrees_with_truth(result) == 0
        return
    result = outcome(lambda: open_dataset(path, format=fmt), f"line {i + 1}")
    assert isinstance(result, DatasetError)


@pytest.mark.parametrize("fmt", list(TEXT_FORMATS))
@FEW
@given(data=st.data(), bad=st.sampled_from(["nan", "NaN", "inf", "-inf", "1e999"]))
def test_nan_or_inf_cells(workdir: Path, fmt: str, data, bad: str) -> None:
    make, suffix, first = TEXT_FORMATS[fmt]
    lines = make()
    sep = "\t" if fmt == "glotaran" else ","
    i = data.draw(st.integers(first - 1 if fmt != "ase-table" else first, len(lines) - 1))
    cells = lines[i].split(sep)
    numeric = [j for j, c in enumerate(cells) if _is_number(c)]
    j = data.draw(st.sampled_from(numeric), label="cell")
    cells[j] = bad
    lines[i] = sep.join(cells)
    path = write(workdir, lines, suffix)
    result = outcome(lambda: open_dataset(path, format=fmt), "NaN or infinite", f"line {i + 1}")
    assert isinstance(result, DatasetError)


@FEW
@given(data=st.data(), layout=st.sampled_from(["column", "row"]))
def test_duplicated_axis_values(workdir: Path, data, layout: str) -> None:
    lines = delimited_lines(layout)
    i = data.draw(st.integers(1, len(lines) - 1), label="row")
    lines.insert(data.draw(st.integers(1, len(lines))), lines[i])
    path = write(workdir, lines)
    result = outcome(lambda: open_dataset(path), "duplicated", "drop_duplicates")
    assert isinstance(result, DatasetError)


@FEW
@given(
    rows=st.permutations(range(DELAYS.size)),
    cols=st.permutations(range(WLS.size)),
    layout=st.sampled_from(["column", "row"]),
    sep=st.sampled_from([",", "\t", ";", " "]),
)
def test_unsorted_axes_are_sorted_correctly(workdir: Path, rows, cols, layout, sep) -> None:
    d, w, t = DELAYS[list(rows)], WLS[list(cols)], TRUTH[np.ix_(rows, cols)]
    top, left, mat = (w, d, t) if layout == "column" else (d, w, t.T)
    lines = matrix_lines(top, left, mat, sep, corner="x")
    ds = open_dataset(write(workdir, lines))
    np.testing.assert_array_equal(ds["delay"], DELAYS)
    np.testing.assert_array_equal(ds["wavelength"], WLS)
    np.testing.assert_allclose(ds["dA"][0], TRUTH, rtol=1e-9)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n  \n",
        "# only a comment\n",
        ",520,560\n",
        "Header\nx\nTime explicit\n",
        "Header\nx\nTime explicit\nIntervalnr 3\n",
        "power,wavelength,emission\n",
        "\x00\x01\x02",
    ],
)
@pytest.mark.parametrize("fmt", [None, "delimited", "glotaran", "ase-table"])
def test_empty_inputs(workdir: Path, text: str, fmt) -> None:
    path = new_path(workdir, ".txt")
    path.write_text(text)
    assert isinstance(outcome(lambda: open_dataset(path, format=fmt)), DatasetError)


def test_empty_folder_and_list(workdir: Path) -> None:
    folder = new_path(workdir, "")
    folder.mkdir()
    assert isinstance(outcome(lambda: open_dataset(folder), "no spectrum files"), DatasetError)
    assert isinstance(outcome(lambda: open_dataset([]), "empty"), DatasetError)
    assert isinstance(
        outcome(lambda: open_dataset(folder / "missing.csv"), "not found"), DatasetError
    )


@FEW
@given(header=st.text(NOT_LINE_BREAKS, min_size=1, max_size=40))
def test_absurd_headers(workdir: Path, header: str) -> None:
    lines = [header, *delimited_lines()]
    path = write(workdir, lines)
    result = outcome(lambda: open_dataset(path, format="delimited"))
    if isinstance(result, xr.Dataset):  # a comment line, or a header that became the corner row
        assert header.strip().startswith("#") or header.strip() == ""
        assert agrees_with_truth(result) == 0


@FEW
@given(count=st.one_of(st.integers(-10, 10**9).map(str), st.text(NOT_LINE_BREAKS, max_size=8)))
def test_absurd_intervalnr(workdir: Path, count: str) -> None:
    assume(count.strip() != str(DELAYS.size))
    lines = glotaran_lines()
    lines[3] = f"Intervalnr {count}"
    result = outcome(lambda: open_dataset(write(workdir, lines, ".ascii")))
    assert isinstance(result, DatasetError)


# -- units and orientation are never silently wrong ------------------------------------------


@FEW
@given(
    unit=st.text(NOT_LINE_BREAKS, max_size=10),
    which=st.sampled_from(["delay_unit", "wavelength_unit", "signal_unit"]),
)
def test_unknown_unit_options(workdir: Path, unit: str, which: str) -> None:
    known = {"delay_unit": r"(?i)^\s*(f|p|n|u|µ|μ|m)?s(ec(onds)?)?\s*$"}
    assume(not re.match(known.get(which, "^$"), unit))
    path = write(workdir, delimited_lines())
    result = outcome(lambda: open_dataset(path, **{which: unit}))
    if isinstance(result, xr.Dataset):  # the text was a real unit name: then it was applied
        assert which + "=" not in result.attrs["qd_history"]
        assert f"unit {unit} (given as an option)" in result.attrs["qd_history"]


@FEW
@given(unit=st.text(NOT_LINE_BREAKS, min_size=1, max_size=10))
def test_unknown_units_in_netcdf(workdir: Path, unit: str) -> None:
    ds = validate(_BASE)
    ds["delay"].attrs["units"] = unit
    path = new_path(workdir, ".nc")
    ds.to_netcdf(path, engine="netcdf4")
    result = outcome(lambda: open_dataset(path))
    if isinstance(result, xr.Dataset):
        assert result["delay"].attrs["units"] == "ps"
        if unit.strip().lower() not in ("ps", "picoseconds"):
            assert f"delay converted from {unit}" in result.attrs["qd_history"]


@FEW
@given(
    delays=st.lists(st.floats(-5, 5000, allow_nan=False), min_size=3, max_size=8, unique=True),
    start=st.floats(200, 1500),
    step=st.floats(0.5, 20),
    n_wl=st.integers(3, 8),
    layout=st.sampled_from(["column", "row"]),
)
def test_orientation_never_silently_wrong(workdir, delays, start, step, n_wl, layout) -> None:
    d = np.array(sorted(delays))
    assume(np.all(np.diff(d) > 1e-6 * np.abs(d).max()))
    w = start + step * np.arange(n_wl)
    data = np.round(np.add.outer(np.arange(d.size), np.arange(n_wl) / 10.0) * 1e-3, 9)
    top, left, mat = (w, d, data) if layout == "column" else (d, w, data.T)
    lines = matrix_lines(top, left, mat)
    result = outcome(lambda: open_dataset(write(workdir, lines)))
    if isinstance(result, DatasetError):
        assert "delays_along" in str(result) or "wavelength" in str(result)
    else:
        np.testing.assert_allclose(result["delay"], d, rtol=1e-9)
        np.testing.assert_allclose(result["wavelength"], w, rtol=1e-9)
        np.testing.assert_allclose(result["dA"][0], data, rtol=1e-9)


@FEW
@given(peak=st.floats(5.01, 1e4), fmt=st.sampled_from(["delimited", "glotaran", "npz"]))
def test_large_signal_not_taken_for_od(workdir: Path, peak: float, fmt: str) -> None:
    data = TRUTH / np.abs(TRUTH).max() * peak  # e.g. mOD values, file silent about the unit
    if fmt == "npz":
        path = new_path(workdir, ".npz")
        np.savez(path, data=data, t=DELAYS, wl=WLS)
        opts = {"delay_unit": "ps"}
    elif fmt == "glotaran":
        lines = glotaran_lines()[:5] + [
            "\t".join([f"{w:.10g}", *(f"{v:.10g}" for v in data[:, j])]) for j, w in enumerate(WLS)
        ]
        path, opts = write(workdir, lines, ".ascii"), {}
    else:
        lines = matrix_lines(WLS, DELAYS, data)
        path, opts = write(workdir, lines), {}
    result = outcome(lambda: open_dataset(path, **opts), "signal_unit='mOD'")
    assert isinstance(result, DatasetError)
    ds = open_dataset(path, signal_unit="mOD", **opts)
    np.testing.assert_allclose(ds["dA"][0], data * 1e-3, rtol=1e-9)


# -- hostile npz and hostile datasets --------------------------------------------------------

ARRAYS = st.one_of(
    st.builds(np.zeros, st.tuples(st.integers(0, 4), st.integers(0, 4))),
    st.builds(np.arange, st.integers(0, 6)).map(lambda a: a.astype(float)),
    st.sampled_from(
        [
            np.array("ps"),
            np.array(["a", "b"]),
            np.ones(3, complex),
            np.ones((2, 2, 2)),
            np.array([True, False]),
            np.array([np.nan, 1, 2]),
        ]
    ),
)


@FEW
@given(
    arrays=st.dictionaries(
        st.sampled_from(["data", "t", "wl", "x", "t_units", "dA"]), ARRAYS, max_size=4
    )
)
def test_hostile_npz(workdir: Path, arrays: dict) -> None:
    path = new_path(workdir, ".npz")
    np.savez(path, **arrays)
    result = outcome(lambda: open_dataset(path, delay_unit="ps"))
    if isinstance(result, xr.Dataset):
        xr.testing.assert_identical(validate(result), result)


def test_pickled_npz_refused(workdir: Path) -> None:
    path = new_path(workdir, ".npz")
    np.savez(path, data=np.array([object()], dtype=object), t=DELAYS, wl=WLS)
    assert isinstance(outcome(lambda: open_dataset(path, delay_unit="ps"), "pickled"), DatasetError)
    npy = new_path(workdir, ".npy")
    np.save(npy, TRUTH)
    assert isinstance(outcome(lambda: open_dataset(npy, format="npz"), ".npy"), DatasetError)


DIMS = st.sampled_from(["delay", "wavelength", "pump", "time", "x"])
UNITS = st.sampled_from([None, "ps", "fs", "nm", "eV", "um", "OD", "mOD", "", "bogus", "mW"])
VALUES = st.floats(allow_nan=True, allow_infinity=True, width=32)


@st.composite
def datasets(draw):
    dims = draw(st.lists(DIMS, min_size=1, max_size=3, unique=True))
    shape = [draw(st.integers(0, 4)) for _ in dims]
    n = int(np.prod(shape))
    data = np.array(draw(st.lists(VALUES, min_size=n, max_size=n)), dtype=float).reshape(shape)
    name = draw(st.sampled_from(["dA", "emission", "signal"]))
    coords = {}
    for dim, size in zip(dims, shape, strict=True):
        if draw(st.booleans()):
            vals = np.array(draw(st.lists(VALUES, min_size=size, max_size=size)), dtype=float)
            unit = draw(UNITS)
            coords[dim] = (dim, vals, {} if unit is None else {"units": unit})
    unit = draw(UNITS)
    attrs = {} if unit is None else {"units": unit}
    ds = xr.Dataset({name: (dims, data, attrs)}, coords=coords)
    kind = draw(st.sampled_from([None, "ta", "ase", "other"]))
    if kind is not None:
        ds.attrs["qd_kind"] = kind
    return ds


@FEW
@given(ds=datasets())
def test_validate_fuzz(ds: xr.Dataset) -> None:
    before = ds.copy(deep=True)
    result = outcome(lambda: validate(ds))
    xr.testing.assert_identical(ds, before)
    if isinstance(result, xr.Dataset):
        kind = result.attrs["qd_kind"]
        var = "dA" if kind == "ta" else "emission"
        dims = (
            ("pump", "delay", "wavelength") if kind == "ta" else ("feedback", "power", "wavelength")
        )
        assert result[var].dims == dims
        assert np.all(np.isfinite(result[var].values))
        for dim in dims[1:]:
            assert np.all(np.diff(result[dim].values) > 0)
        assert result["wavelength"].attrs["units"] == "nm"
        xr.testing.assert_identical(validate(result), result)


@FEW
@given(name=st.text(NOT_LINE_BREAKS.filter(lambda c: c not in "/\\"), min_size=1, max_size=30))
def test_power_from_any_file_name(workdir: Path, name: str) -> None:
    parsed = power_from_name(name + ".csv")
    if parsed is not None:  # the number and unit must be written in the name
        value, unit = parsed
        assert unit.lower() in ("mw", "w", "uw", "µw", "kw")
        assert value >= 0 and np.isfinite(value)
        assert unit in name
    try:
        path = new_path(workdir, "")
        path.mkdir()
        (path / (name + ".csv")).write_text("600,1\n610,2\n620,3\n")
    except (OSError, ValueError):  # a name the file system refuses
        return
    result = outcome(lambda: open_dataset(path))
    if isinstance(result, xr.Dataset):
        assert parsed is not None
        np.testing.assert_allclose(result["emission"].values.ravel(), [1.0, 2.0, 3.0])
