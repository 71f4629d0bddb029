"""Bad input to the readers (issue 12, "silently wrong reads" and "hangs and unbounded memory"):
units parsed from unit positions with one table, orientation decided from evidence or refused,
BOM / UTF-16 / bytes metadata, and only regular files read, never more than the read limit."""

from __future__ import annotations

import codecs
import os
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdwidgets import DatasetError
from qdwidgets.data import units as U
from qdwidgets.data.io import detect_format, open_dataset

DELAYS = np.array([-1.0, 0.0, 0.5, 2.0, 8.0, 40.0])
WLS = np.array([520.0, 560.0, 600.0, 640.0, 680.0])
MAP = np.add.outer(np.arange(DELAYS.size) * 1e-3, np.arange(WLS.size) * 1e-4)  # (delay, wl)


def matrix(path: Path, top, left, data, corner: str = "", sep: str = ",") -> Path:
    lines = [sep.join([corner, *(f"{v:.10g}" for v in top)])]
    lines += [
        sep.join([f"{a:.10g}", *(f"{v:.10g}" for v in row)])
        for a, row in zip(left, data, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def glotaran_text() -> str:
    rows = ["title", "Original filename: x", "Time explicit", f"Intervalnr {DELAYS.size}"]
    rows.append(" ".join(f"{d:g}" for d in DELAYS))
    rows += [" ".join([f"{w:g}", *(f"{v:g}" for v in MAP[:, j])]) for j, w in enumerate(WLS)]
    return "\n".join(rows) + "\n"


def refused(call, *words: str) -> str:
    with pytest.raises(DatasetError) as info:
        call()
    msg = str(info.value)
    assert "Fix:" in msg, msg
    for word in words:
        assert word in msg, (word, msg)
    return msg


# -- units from unit positions, one table -----------------------------------------------------


@pytest.mark.parametrize(
    ("corner", "delay_scale", "signal"),
    [
        ("time (s)", 1e-12, None),  # delays written in seconds
        ("delay [fs]", 1e3, None),
        ("wavelength (nm) / delay (ns)", 1e-3, None),
        ("dT/T (%)", 1.0, "dtt%"),
        ("sample MS-2", 1.0, None),  # not milliseconds: no unit position
        ("ΔA (mOD)", 1.0, "mOD"),
    ],
)
def test_corner_cell_units(tmp_path: Path, corner: str, delay_scale: float, signal) -> None:
    data = MAP if signal is None else MAP * 10
    path = matrix(tmp_path / "m.csv", WLS, DELAYS * delay_scale, data, corner=corner)
    ds = open_dataset(path)
    np.testing.assert_allclose(ds["delay"].values, DELAYS, rtol=1e-9, atol=1e-15)
    want = {None: MAP, "mOD": MAP * 1e-2, "dtt%": -np.log10(1 + MAP * 10 / 100)}[signal]
    np.testing.assert_allclose(ds["dA"].values[0], want, rtol=1e-9)
    if corner == "sample MS-2":
        assert "assumed ps" in ds.attrs["qd_history"]


def test_corner_cell_angstrom(tmp_path: Path) -> None:
    path = matrix(tmp_path / "m.csv", DELAYS, WLS * 10, MAP.T, corner="wavelength (A)")
    np.testing.assert_allclose(open_dataset(path)["wavelength"].values, WLS)


def test_corner_cell_unknown_unit_of_a_quantity_is_refused(tmp_path: Path) -> None:
    path = matrix(tmp_path / "m.csv", WLS, DELAYS, MAP, corner="delay (parsec)")
    refused(lambda: open_dataset(path), "'parsec'", "fs", "ps", "delay_unit=")


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("power (%),wavelength (nm),emission", ("'%'", "power_unit=", "mW")),
        ("power (mA),wavelength (nm),emission", ("'mA'", "current", "power_unit=")),
        ("power (mW),wavelength (px),emission", ("'px'", "pixels", "wavelength_unit=")),
        (
            "power (mW),wavelength (ps),emission",
            (
                "'ps'",
                "a unit of delay, not of wavelength",
            ),
        ),
    ],
)
def test_ase_headers_with_units_that_are_not_theirs_are_refused(tmp_path, header, words) -> None:
    rows = [header] + [f"{p},{w},{p * w / 1e3}" for p in (10, 20) for w in (600, 620, 640)]
    path = tmp_path / "ase.csv"
    path.write_text("\n".join(rows) + "\n")
    assert detect_format(path) == "ase-table"
    msg = refused(lambda: open_dataset(path), *words)
    assert "one of:" in msg  # the known units are listed


def test_ase_header_units_are_converted_and_options_win(tmp_path: Path) -> None:
    rows = ["power (W),wavelength (um),emission"]
    rows += [f"{p},{w},1.0" for p in (0.01, 0.02) for w in (0.6, 0.62, 0.64)]
    path = tmp_path / "ase.csv"
    path.write_text("\n".join(rows) + "\n")
    ds = open_dataset(path)
    np.testing.assert_allclose(ds["power"].values, [10.0, 20.0])
    np.testing.assert_allclose(ds["wavelength"].values, [600.0, 620.0, 640.0])
    ds = open_dataset(path, power_unit="mW")  # the header was wrong: the option settles it
    np.testing.assert_allclose(ds["power"].values, [0.01, 0.02])


@given(st.text(min_size=1, max_size=8))
def test_every_unit_is_in_the_one_table_or_refused_with_the_list(unit: str) -> None:
    for kind, convert in U.CONVERTERS.items():
        if U.kind_of(unit) == kind:
            assert np.all(np.isfinite(convert(np.array([2.0]), unit)))
            continue
        with pytest.raises(DatasetError, match="Fix: use one of: ") as info:
            convert(np.array([2.0]), unit)
        assert U.known_units(kind) in str(info.value)


# -- orientation from evidence, or refused -----------------------------------------------------


def test_evenly_spaced_delays_and_gapped_wavelengths_are_not_swapped(tmp_path: Path) -> None:
    """The issue's example: delays positive and evenly spaced, wavelengths with a gap."""
    delays = np.linspace(200.0, 1200.0, 6)  # fs, plausible as nm too
    wls = np.array([500.0, 510.0, 520.0, 600.0, 610.0])
    data = np.outer(np.arange(delays.size), np.ones(wls.size)) * 1e-3
    path = matrix(tmp_path / "m.csv", wls, delays, data)
    refused(lambda: open_dataset(path), "delays_along='row'")
    ds = open_dataset(path, delays_along="column", delay_unit="fs")
    np.testing.assert_allclose(ds["wavelength"].values, wls)
    np.testing.assert_allclose(ds["delay"].values, delays / 1e3)


def test_ranges_decide_when_only_one_axis_can_be_wavelengths(tmp_path: Path) -> None:
    delays = np.linspace(1.0, 6.0, 6)  # evenly spaced, but 1–6 nm is no probe wavelength
    data = np.outer(np.arange(delays.size), np.ones(WLS.size)) * 1e-3
    ds = open_dataset(matrix(tmp_path / "m.csv", WLS, delays, data))
    np.testing.assert_allclose(ds["delay"].values, delays)
    np.testing.assert_allclose(ds["wavelength"].values, WLS)


@settings(max_examples=30)
@given(
    n_delay=st.integers(4, 9),
    start=st.floats(100.0, 5000.0),
    step=st.floats(1.0, 400.0),
    gap=st.integers(1, 3),
    along=st.sampled_from(["row", "column"]),
)
def test_orientation_is_right_or_refused(tmp_path_factory, n_delay, start, step, gap, along):
    delays = start + step * np.arange(n_delay)
    wls = np.r_[np.arange(500.0, 540.0, 10.0), np.arange(540.0 + 40 * gap, 600.0 + 40 * gap, 10)]
    data = np.add.outer(np.arange(n_delay) * 1e-3, np.arange(wls.size) * 1e-5)
    folder = tmp_path_factory.mktemp("o")
    if along == "row":
        path = matrix(folder / "m.csv", delays, wls, data.T)
    else:
        path = matrix(folder / "m.csv", wls, delays, data)
    try:
        ds = open_dataset(path)
    except DatasetError as exc:
        assert "delays_along=" in str(exc) or "wavelength_unit=" in str(exc)
        return
    np.testing.assert_allclose(ds["wavelength"].values, wls)
    np.testing.assert_allclose(ds["dA"].values[0], data)


# -- text encodings and metadata types ----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_bom_and_utf16_glotaran_files_are_detected_and_read(tmp_path: Path, encoding) -> None:
    plain = tmp_path / "plain.ascii"
    plain.write_text(glotaran_text(), encoding="utf-8")
    other = tmp_path / "other.ascii"
    other.write_bytes(glotaran_text().encode(encoding))
    if encoding == "utf-8-sig":
        assert other.read_bytes().startswith(codecs.BOM_UTF8)
    assert detect_format(other) == "glotaran"
    want, got = open_dataset(plain), open_dataset(other)
    np.testing.assert_array_equal(got["dA"].values, want["dA"].values)
    np.testing.assert_array_equal(got["wavelength"].values, want["wavelength"].values)


def test_utf16_delimited_matrix(tmp_path: Path) -> None:
    path = matrix(tmp_path / "m.csv", WLS, DELAYS, MAP, corner="wl (nm) / t (ps)")
    path.write_bytes(path.read_text().encode("utf-16"))
    np.testing.assert_allclose(open_dataset(path)["dA"].values[0], MAP)


@pytest.mark.parametrize("as_bytes", [True, False])
def test_npz_units_stored_as_bytes(tmp_path: Path, as_bytes: bool) -> None:
    unit = b"fs" if as_bytes else "fs"
    path = tmp_path / "d.npz"
    np.savez(path, data=MAP, t=DELAYS * 1e3, t_units=np.array(unit), wl=WLS)
    ds = open_dataset(path)
    np.testing.assert_allclose(ds["delay"].values, DELAYS)
    assert "delay unit fs" in ds.attrs["qd_history"]


def test_npz_empty_arrays_are_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "d.npz"
    np.savez(path, t=np.array([0.0]), data=np.zeros((0, 1)), wl=np.array([]))
    with pytest.raises(DatasetError, match=r"array 'data' is empty .*Fix: "):
        open_dataset(path, delay_unit="ps")


# -- only regular files, never more than the limit --------------------------------------------


def _returns_within(seconds: float, call) -> object:
    """Run ``call`` in a thread; fail (instead of hanging the suite) if it does not return."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the call hung"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


@pytest.mark.parametrize("fmt", [None, "delimited", "glotaran", "npz", "netcdf", "ase-table"])
def test_a_fifo_is_refused_before_it_is_opened(tmp_path: Path, fmt) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "stream.csv"
    os.mkfifo(fifo)
    with pytest.raises(DatasetError, match=r"named pipe \(FIFO\).*Fix:"):
        _returns_within(20, lambda: open_dataset(fifo, format=fmt))


@pytest.mark.parametrize("fmt", [None, "delimited", "npz", "netcdf", "glotaran"])
def test_dev_zero_fails_fast(fmt) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(DatasetError, match="character device"):
        _returns_within(20, lambda: open_dataset("/dev/zero", format=fmt))


def test_sockets_and_folders_are_refused(tmp_path: Path) -> None:
    sock_path = tmp_path / "s.csv"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        refused(lambda: open_dataset(sock_path), "socket")
    folder = tmp_path / "d.csv"
    folder.mkdir()
    refused(lambda: open_dataset(folder, format="delimited"), "is a folder")


def test_the_read_limit_refuses_large_files_and_names_the_option(tmp_path: Path) -> None:
    path = matrix(tmp_path / "m.csv", WLS, DELAYS, MAP)
    size = path.stat().st_size
    msg = refused(lambda: open_dataset(path, max_bytes=size // 2), "read limit", "max_bytes=")
    assert "max_bytes=" in msg
    np.testing.assert_allclose(open_dataset(path, max_bytes=size)["dA"].values[0], MAP)
    with pytest.raises(ValueError, match="max_bytes"):
        open_dataset(path, max_bytes=-1)


# -- numeric and choice options are checked at the entry ----------------------------------------


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"spot_diameter_mm": -1.0}, "spot_diameter_mm"),
        ({"spot_diameter_mm": float("nan")}, "spot_diameter_mm"),
        ({"pump_wavelength_nm": 0.0}, "pump_wavelength_nm"),
        ({"beam_profile": "gausian"}, "did you mean 'gaussian'"),
        ({"feedback": ""}, "feedback"),
        ({"powers": [10.0, float("inf")]}, "powers"),
        ({"powers": [-10.0, 20.0]}, "powers"),
    ],
)
def test_ase_reader_options_are_checked(tmp_path: Path, options: dict, name: str) -> None:
    folder = tmp_path / "spectra"
    folder.mkdir()
    for p in (10, 20):
        (folder / f"{p}mW.csv").write_text("600,1\n620,2\n640,1\n")
    with pytest.raises(ValueError, match=name):
        open_dataset(folder, **options)


def test_matrix_reader_options_are_checked(tmp_path: Path) -> None:
    path = matrix(tmp_path / "m.csv", WLS, DELAYS, MAP)
    with pytest.raises(ValueError, match="sep must be a separator"):
        open_dataset(path, sep="")
    np.savez(tmp_path / "d.npz", data=MAP, t_ps=DELAYS, wl=WLS)
    with pytest.raises(ValueError, match="delay_axis must be an integer in"):
        open_dataset(tmp_path / "d.npz", delay_axis=2)


@pytest.mark.parametrize("path", ["", "   ", "a\x00b.csv", "x" * 5000, None, b"data.csv", 3.5])
def test_unusable_paths_are_dataset_errors(path) -> None:
    with pytest.raises(DatasetError, match="Fix:"):
        open_dataset(path)


@pytest.mark.parametrize("fmt", ["npz", "netcdf"])
def test_compressed_files_that_unpack_beyond_the_limit_are_refused(tmp_path: Path, fmt) -> None:
    """A zip or HDF5 bomb: a few kB on disk, megabytes once unpacked."""
    big = np.zeros((500, 1000))  # 4 MB of zeros compress to a few kB
    if fmt == "npz":
        path = tmp_path / "bomb.npz"
        np.savez_compressed(path, data=big, t_ps=np.arange(500.0), wl=np.linspace(400, 800, 1000))
    else:
        import xarray as xr

        path = tmp_path / "bomb.nc"
        xr.Dataset({"dA": (("delay", "wavelength"), big)}).to_netcdf(
            path, engine="netcdf4", encoding={"dA": {"zlib": True}}
        )
    assert path.stat().st_size < 500_000
    refused(lambda: open_dataset(path, max_bytes=1_000_000), "unpacks to", "max_bytes=")


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("pump_power", None),
        ("delay_time", None),
        ("sample MS-2", None),
        ("power_mW", "mW"),
        ("P/W", "W"),
        ("delay, fs", "fs"),
        ("wavelength [nm]", "nm"),
        ("dT/T (%)", "dT/T (%)"),
        ("power (mA)", "mA"),
    ],
)
def test_units_are_read_from_unit_positions_only(label: str, unit) -> None:
    assert U.unit_in_label(label) == unit


def test_ase_header_without_units_assumes_mw_and_says_so(tmp_path: Path) -> None:
    rows = ["pump_power,wavelength,emission"]
    rows += [f"{p},{w},1.0" for p in (10, 20) for w in (600, 620, 640)]
    path = tmp_path / "ase.csv"
    path.write_text("\n".join(rows) + "\n")
    ds = open_dataset(path)
    np.testing.assert_allclose(ds["power"].values, [10.0, 20.0])
    assert "does not state the power unit; assumed mW" in ds.attrs["qd_history"]


def test_a_corner_naming_the_first_column_settles_an_ambiguous_matrix(tmp_path: Path) -> None:
    """Both axes plausible as nm and evenly spaced: the corner's header word decides (pandas'
    to_csv writes the index name there), and a corner that contradicts the ranges is refused."""
    delays = np.linspace(200.0, 1200.0, 6)
    data = np.outer(np.arange(delays.size), np.ones(WLS.size)) * 1e-3
    for corner in ("delay (fs)", "time"):
        ds = open_dataset(matrix(tmp_path / "m.csv", WLS, delays, data, corner=corner))
        np.testing.assert_allclose(ds["wavelength"].values, WLS)
        assert "corner cell names the first column (delay)" in ds.attrs["qd_history"]
    wrong = matrix(tmp_path / "w.csv", WLS, DELAYS, MAP, corner="wavelength")
    refused(lambda: open_dataset(wrong), "corner cell says the first column", "delays_along=")
