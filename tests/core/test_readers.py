"""Readers: every format, the two real files, orientation and unit handling, format detection."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from qdwidgets import DatasetError
from qdwidgets.data.absorbance import attach_absorbance
from qdwidgets.data.io import detect_format, open_dataset, save
from qdwidgets.data.readers.ase_files import power_from_name

# -- a known ΔA map: delays log-spaced with negatives, wavelengths evenly spaced -------------

DELAYS = np.array([-1.0, -0.2, 0.0, 0.3, 1.0, 2.5, 10.0, 50.0, 300.0])
WLS = np.linspace(500.0, 700.0, 6)
MAP = np.add.outer(np.arange(DELAYS.size) * 1e-3, np.arange(WLS.size) * 1e-4)  # (delay, wl)


def write_matrix(path: Path, top, left, data, sep=",", corner="") -> Path:
    lines = [sep.join([corner, *(f"{v:.10g}" for v in top)])]
    lines += [
        sep.join([f"{a:.10g}", *(f"{v:.10g}" for v in row)])
        for a, row in zip(left, data, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def assert_map(ds: xr.Dataset, delays=DELAYS, wls=WLS, data=MAP, scale=1.0) -> None:
    assert ds["dA"].dims == ("pump", "delay", "wavelength")
    np.testing.assert_allclose(ds["delay"], delays, rtol=1e-12)
    np.testing.assert_allclose(ds["wavelength"], wls, rtol=1e-12)
    np.testing.assert_allclose(ds["dA"][0], data * scale, rtol=1e-9, atol=1e-15)
    assert ds["delay"].attrs["units"] == "ps"
    assert ds["wavelength"].attrs["units"] == "nm"
    assert ds["dA"].attrs["units"] == "OD"


# -- the real files ----------------------------------------------------------------------------


def test_hippius_glotaran(shared_data: Path) -> None:
    path = shared_data / "hippius2007_ta.ascii"
    assert detect_format(path) == "glotaran"
    ds = open_dataset(path)
    assert ds.sizes == {"pump": 1, "delay": 335, "wavelength": 346}
    assert ds["wavelength"].values[0] == pytest.approx(377.96045)
    assert ds["wavelength"].values[-1] == pytest.approx(854.40436)
    assert ds["delay"].values[0] == pytest.approx(-0.00095)
    assert 909 < ds["delay"].values[-1] < 911
    # independent parse: rows are wavelengths, columns delays ("Time explicit")
    lines = path.read_text().splitlines()
    delays = np.array(lines[4].split(), dtype=float)
    raw = np.array([line.split() for line in lines[5:]], dtype=float)
    np.testing.assert_array_equal(ds["delay"], delays)
    np.testing.assert_array_equal(ds["wavelength"], raw[:, 0])
    np.testing.assert_array_equal(ds["dA"][0].values, raw[:, 1:].T)
    assert ds.attrs["source"] == "hippius2007_ta.ascii"
    assert ds.attrs["source_format"] == "glotaran"
    assert "assumed OD" in ds.attrs["qd_history"]
    assert "delays in ps, wavelengths in nm" in ds.attrs["qd_history"]


def test_skultrafast_npz(shared_data: Path) -> None:
    path = shared_data / "skultrafast_test.npz"
    assert detect_format(path) == "npz"
    ds = open_dataset(path, delay_unit="ns", signal_unit="mOD")
    assert ds.sizes == {"pump": 1, "delay": 409, "wavelength": 800}
    assert ds["wavelength"].values[0] == pytest.approx(479.5342592)
    assert ds["wavelength"].values[-1] == pytest.approx(710.81984)
    assert ds["delay"].values[0] == pytest.approx(-1.0)  # -0.001 ns
    assert ds["delay"].values[-1] == pytest.approx(49.9)  # 0.0499 ns
    with warnings.catch_warnings():  # the file was written by Python 2: numpy warns
        warnings.simplefilter("ignore", UserWarning)
        with np.load(path, allow_pickle=False) as z:
            data = z["data"]
    np.testing.assert_allclose(ds["dA"][0].values, data * 1e-3, rtol=1e-15)
    assert "delay converted from ns to ps" in ds.attrs["qd_history"]
    assert "dA converted from mOD to OD" in ds.attrs["qd_history"]


def test_skultrafast_needs_the_units(shared_data: Path) -> None:
    path = shared_data / "skultrafast_test.npz"
    with pytest.raises(DatasetError, match=r"delay_unit='fs', 'ps' or 'ns'"):
        open_dataset(path)
    with pytest.raises(DatasetError, match=r"387.*signal_unit='mOD'"):
        open_dataset(path, delay_unit="ns")


# -- Glotaran ---------------------------------------------------------------------------------


def write_glotaran(path: Path, mode: str, wrap: int = 0) -> Path:
    if mode == "Time":
        axis, other, data = DELAYS, WLS, MAP.T
    else:
        axis, other, data = WLS, DELAYS, MAP
    axis_cells = [f"{v:.10g}" for v in axis]
    axis_lines = (
        ["\t" + "\t".join(axis_cells)]
        if not wrap
        else ["\t".join(axis_cells[i : i + wrap]) for i in range(0, len(axis_cells), wrap)]
    )
    rows = [
        "\t".join([f"{a:.10g}", *(f"{v:.10g}" for v in row)])
        for a, row in zip(other, data, strict=True)
    ]
    text = ["Header", "Original filename: x.txt", f"{mode} explicit", f"Intervalnr {axis.size}"]
    path.write_text("\n".join(text + axis_lines + rows) + "\n")
    return path


@pytest.mark.parametrize("mode", ["Time", "Wavelength"])
def test_glotaran_both_layouts(tmp_path: Path, mode: str) -> None:
    path = write_glotaran(tmp_path / "g.txt", mode)
    assert detect_format(path) == "glotaran"
    ds = open_dataset(path)
    assert_map(ds)
    assert ds.attrs["original_filename"] == "x.txt"


def test_glotaran_wrapped_axis_and_options(tmp_path: Path) -> None:
    path = write_glotaran(tmp_path / "g.ascii", "Time", wrap=4)
    ds = open_dataset(path, signal_unit="mOD", delay_unit="fs")
    assert_map(ds, delays=DELAYS * 1e-3, scale=1e-3)


# -- delimited text ---------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", "\t", ";", " "])
@pytest.mark.parametrize("along", ["row", "column"])
def test_delimited_orientation_detected(tmp_path: Path, sep: str, along: str) -> None:
    if along == "row":
        path = write_matrix(tmp_path / "m.csv", DELAYS, WLS, MAP.T, sep=sep)
    else:
        path = write_matrix(tmp_path / "m.csv", WLS, DELAYS, MAP, sep=sep)
    assert detect_format(path) == "delimited"
    ds = open_dataset(path)
    assert_map(ds)
    assert f"delays detected along the first {along}" in ds.attrs["qd_history"]
    assert "assumed ps" in ds.attrs["qd_history"]
    assert "assumed OD" in ds.attrs["qd_history"]


def test_delimited_positive_delays_detected_by_spacing(tmp_path: Path) -> None:
    delays = np.array([0.1, 0.2, 0.5, 1.0, 3.0, 10.0, 100.0])
    data = np.outer(np.arange(delays.size), np.ones(WLS.size)) * 1e-3
    path = write_matrix(tmp_path / "m.csv", WLS, delays, data)
    assert_map(open_dataset(path), delays=delays, data=data)


def test_delimited_ambiguous_orientation_asks(tmp_path: Path) -> None:
    # positive, evenly spaced and within 100–20000 like the wavelengths (fs-like delays)
    delays = np.linspace(200.0, 1200.0, 6)
    data = np.zeros((delays.size, WLS.size))
    path = write_matrix(tmp_path / "m.csv", WLS, delays, data)
    with pytest.raises(DatasetError, match="delays_along='row'"):
        open_dataset(path)
    ds = open_dataset(path, delays_along="column")
    assert_map(ds, delays=delays, data=data)


def test_delimited_units_from_options_and_corner(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "m.csv", DELAYS * 1e3, WLS, MAP.T * 1e3)
    ds = open_dataset(path, delay_unit="fs", signal_unit="mOD")
    assert_map(ds)
    path = write_matrix(tmp_path / "c.csv", DELAYS * 1e3, WLS, MAP.T, corner="wl (nm) / t (fs)")
    ds = open_dataset(path)
    assert_map(ds)
    assert "delay unit fs (from the corner cell)" in ds.attrs["qd_history"]
    assert ds.attrs["corner_label"] == "wl (nm) / t (fs)"


def test_delimited_um_wavelengths(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "m.csv", DELAYS, WLS / 1e3, MAP.T)
    with pytest.raises(DatasetError, match="wavelength_unit="):
        open_dataset(path)
    assert_map(open_dataset(path, wavelength_unit="um"))


def test_delimited_dt_over_t(tmp_path: Path) -> None:
    rel = -MAP  # ΔT/T
    path = write_matrix(tmp_path / "m.csv", DELAYS, WLS, rel.T)
    ds = open_dataset(path, signal_unit="dT/T")
    assert_map(ds, data=-np.log10(1 + rel))


def test_delimited_mod_refused_as_od(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "m.csv", DELAYS, WLS, MAP.T * 1e4)
    with pytest.raises(DatasetError, match="signal_unit='mOD'"):
        open_dataset(path)


def test_delimited_comments_and_trailing_separator(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "m.csv", DELAYS, WLS, MAP.T)
    lines = path.read_text().splitlines()
    text = "# exported by a spectrometer\n" + "\n".join(line + "," for line in lines)
    path.write_text(text)
    assert_map(open_dataset(path))


# -- npz --------------------------------------------------------------------------------------


def test_npz_transposed_and_named(tmp_path: Path) -> None:
    path = tmp_path / "a.npz"
    np.savez(path, spectra=MAP.T * 1e3, delay_fs=DELAYS * 1e3, wavelength=WLS)
    ds = open_dataset(path, signal_unit="mOD")
    assert_map(ds)
    assert "delays along axis 1" in ds.attrs["qd_history"]
    assert "delay unit fs (from the array name" in ds.attrs["qd_history"]


def test_npz_explicit_names_and_units_array(tmp_path: Path) -> None:
    path = tmp_path / "a.npz"
    np.savez(path, a=MAP, b=DELAYS, c=WLS, b_units=np.array("ps"))
    with pytest.raises(DatasetError, match="signal_array="):
        open_dataset(path)
    ds = open_dataset(path, signal_array="a", delay_array="b", wavelength_array="c")
    assert_map(ds)


def test_npz_square_needs_delay_axis(tmp_path: Path) -> None:
    delays = DELAYS[:6]
    data = MAP[:6]
    path = tmp_path / "sq.npz"
    np.savez(path, data=data, t=delays, wl=WLS)
    with pytest.raises(DatasetError, match="delay_axis=0"):
        open_dataset(path, delay_unit="ps")
    assert_map(open_dataset(path, delay_unit="ps", delay_axis=0), delays=delays, data=data)
    ds = open_dataset(path, delay_unit="ps", delay_axis=1)  # says the rows are wavelengths
    np.testing.assert_allclose(ds["dA"][0], data.T)


def test_npz_refuses_pickles(tmp_path: Path) -> None:
    path = tmp_path / "p.npz"
    np.savez(path, data=np.array([{"a": 1}], dtype=object), t=DELAYS, wl=WLS)
    with pytest.raises(DatasetError, match="pickled"):
        open_dataset(path, delay_unit="ps")


# -- ASE --------------------------------------------------------------------------------------

POWERS = np.array([50.0, 150.0, 250.0])
AWL = np.linspace(600.0, 660.0, 5)


def ase_truth(fb: int) -> np.ndarray:
    return (fb + 1) * np.outer(POWERS, np.linspace(1, 2, AWL.size))


def test_ase_table_with_feedback(tmp_path: Path) -> None:
    rows = ["feedback,power (W),wavelength (nm),emission (counts)"]
    for f, fb in enumerate(["none", "lamp"]):
        for i, p in enumerate(POWERS):
            for j, w in enumerate(AWL):
                rows.append(f"{fb},{p / 1e3},{w},{ase_truth(f)[i, j]}")
    path = tmp_path / "ase.csv"
    path.write_text("\n".join(rows[:1] + rows[:0:-1]) + "\n")  # rows reversed: sorting needed
    assert detect_format(path) == "ase-table"
    ds = open_dataset(path, spot_diameter_mm=1.0, pump_wavelength_nm=405)
    assert ds.attrs["qd_kind"] == "ase"
    assert set(ds["feedback"].values) == {"none", "lamp"}
    np.testing.assert_allclose(ds["power"], POWERS)
    np.testing.assert_allclose(ds["wavelength"], AWL)
    for f, fb in enumerate(["none", "lamp"]):
        np.testing.assert_allclose(ds["emission"].sel(feedback=fb), ase_truth(f))
    assert ds["emission"].attrs["units"] == "counts"
    assert ds.attrs["spot_diameter_mm"] == 1.0
    assert ds.attrs["beam_profile"] == "tophat"  # validate's documented default, recorded
    assert "power converted from W to mW" in ds.attrs["qd_history"]


def test_ase_table_without_feedback_and_with_a_gap(tmp_path: Path) -> None:
    rows = ["power\twavelength\temission"]
    rows += [
        f"{p}\t{w}\t{ase_truth(0)[i, j]}" for i, p in enumerate(POWERS) for j, w in enumerate(AWL)
    ]
    path = tmp_path / "ase.tsv"
    path.write_text("\n".join(rows) + "\n")
    ds = open_dataset(path, feedback="mirror")
    assert ds["feedback"].values.tolist() == ["mirror"]
    np.testing.assert_allclose(ds["emission"][0], ase_truth(0))
    assert "assumed mW" in ds.attrs["qd_history"]
    path.write_text("\n".join(rows[:-1]) + "\n")
    with pytest.raises(DatasetError, match="do not share one grid"):
        open_dataset(path)


def write_spectra(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir()
    paths = []
    for i, name in enumerate(names):
        lines = ["wavelength (nm),intensity"] + [
            f"{w},{v}" for w, v in zip(AWL, ase_truth(0)[i], strict=True)
        ]
        p = folder / name
        p.write_text("\n".join(lines) + "\n")
        paths.append(p)
    return paths


def test_ase_files_powers_from_names(tmp_path: Path) -> None:
    write_spectra(tmp_path / "run", ["50mW.csv", "0.15W.csv", "250 mW.csv"])
    ds = open_dataset(
        tmp_path / "run", feedback="lamp", spot_diameter_mm=1.0, beam_profile="gaussian"
    )
    np.testing.assert_allclose(ds["power"], POWERS)
    np.testing.assert_allclose(ds["emission"].sel(feedback="lamp"), ase_truth(0))
    assert ds.attrs["beam_profile"] == "gaussian"
    assert ds.attrs["source_format"] == "ase-files"


def test_ase_files_list_with_powers_option(tmp_path: Path) -> None:
    paths = write_spectra(tmp_path / "run", ["c.txt", "a.txt", "b.txt"])
    # c.txt holds the 50 mW spectrum, a.txt 150 mW, b.txt 250 mW: powers pair with list order
    ds = open_dataset([paths[2], paths[0], paths[1]], powers=[250, 50, 150])
    np.testing.assert_allclose(ds["power"], POWERS)
    np.testing.assert_allclose(ds["emission"][0], ase_truth(0))
    assert ds.attrs["files"] == "c.txt; a.txt; b.txt"
    with pytest.raises(DatasetError, match="no pump power found"):
        open_dataset(paths)


def test_ase_files_grid_mismatch(tmp_path: Path) -> None:
    paths = write_spectra(tmp_path / "run", ["50mW.csv", "150mW.csv"])
    paths[1].write_text("600,1\n610,2\n620,3\n")
    with pytest.raises(DatasetError, match="wavelengths differ"):
        open_dataset(tmp_path / "run")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("150mW.csv", (150.0, "mW")),
        ("0.15W.txt", (0.15, "W")),
        ("run_2p5_mW.dat", (2.5, "mW")),
        ("sample3.csv", None),
        ("1mW_2mW.csv", None),
        ("1e5mW.csv", None),
        ("150mw_lamp.txt", (150.0, "mw")),
    ],
)
def test_power_from_name(name: str, value) -> None:
    assert power_from_name(name) == value


# -- detection and options --------------------------------------------------------------------


def test_detection_is_by_content_not_only_extension(tmp_path: Path) -> None:
    glot = write_glotaran(tmp_path / "g.csv", "Time")
    assert detect_format(glot) == "glotaran"
    nc = save(open_dataset(glot), tmp_path / "x.nc")
    renamed = nc.rename(tmp_path / "x.dat")
    assert detect_format(renamed) == "netcdf"
    npz = tmp_path / "a.npz"
    np.savez(npz, data=MAP, t=DELAYS, wl=WLS)
    assert detect_format(npz.rename(tmp_path / "a.bin")) == "npz"


def test_format_override_and_unknown_options(tmp_path: Path) -> None:
    path = write_matrix(tmp_path / "m.csv", DELAYS, WLS, MAP.T)
    with pytest.raises(DatasetError, match="not a netCDF file"):
        open_dataset(path, format="netcdf")
    with pytest.raises(DatasetError, match="not a known format"):
        open_dataset(path, format="excel")
    with pytest.raises(DatasetError, match=r"'delay_units'.*delay_unit"):
        open_dataset(path, delay_units="fs")
    with pytest.raises(DatasetError, match="not a known unit"):
        open_dataset(path, delay_unit="parsec")


# -- attach_absorbance ------------------------------------------------------------------------


def a0_truth(nm: np.ndarray) -> np.ndarray:
    return 0.2 + 1e-4 * (nm - 500.0)  # linear: interpolation is exact


def test_attach_absorbance_from_file_interpolates(tmp_path: Path) -> None:
    ta = open_dataset(write_matrix(tmp_path / "m.csv", DELAYS, WLS, MAP.T))
    before = ta.copy(deep=True)
    src = np.linspace(450.0, 750.0, 31)
    path = tmp_path / "abs.csv"
    path.write_text(
        "wavelength (nm),A (mOD)\n" + "".join(f"{w},{a0_truth(w) * 1e3}\n" for w in src[::-1])
    )
    out = attach_absorbance(ta, path)
    xr.testing.assert_identical(ta, before)
    np.testing.assert_allclose(out["A0"], a0_truth(WLS), rtol=1e-12)
    assert out["A0"].attrs["units"] == "OD"
    assert out["A0"].attrs["interpolation"] == "linear"
    assert out["A0"].attrs["source"] == "abs.csv"
    np.testing.assert_allclose(out["A0"].attrs["source_range_nm"], [450.0, 750.0])
    assert "attach_absorbance: A0 from abs.csv" in out.attrs["qd_history"]
    assert "mOD (stated by the source)" in out.attrs["qd_history"]
    back = open_dataset(save(out, tmp_path / "with_a0.nc"))
    xr.testing.assert_identical(back, out)


def test_attach_absorbance_other_sources(tmp_path: Path) -> None:
    ta = open_dataset(write_matrix(tmp_path / "m.csv", DELAYS, WLS, MAP.T))
    on_grid = attach_absorbance(ta, a0_truth(WLS))
    np.testing.assert_array_equal(on_grid["A0"], a0_truth(WLS))
    assert on_grid["A0"].attrs["interpolation"].startswith("none")
    ev = np.linspace(1.6, 2.6, 50)  # photon energies covering 477–775 nm
    out = attach_absorbance(ta, (ev, a0_truth(1239.841984 / ev)), wavelength_unit="eV")
    np.testing.assert_allclose(out["A0"], a0_truth(WLS), atol=2e-6)  # linear in nm between
    da = xr.DataArray(
        a0_truth(WLS / 1.0) * 1e3,
        dims="wavelength",
        coords={"wavelength": ("wavelength", WLS / 1e3, {"units": "um"})},
        attrs={"units": "mOD"},
    )
    out = attach_absorbance(ta, da)
    np.testing.assert_allclose(out["A0"], a0_truth(WLS), rtol=1e-12)
    again = attach_absorbance(out, a0_truth(WLS) * 2)
    assert "replaced the previous A0" in again.attrs["qd_history"]


def test_attach_absorbance_refuses_to_extrapolate(tmp_path: Path) -> None:
    ta = open_dataset(write_matrix(tmp_path / "m.csv", DELAYS, WLS, MAP.T))
    src = np.linspace(520.0, 800.0, 10)
    with pytest.raises(DatasetError, match=r"sel\(wavelength=slice\(520, 800\)\)"):
        attach_absorbance(ta, (src, a0_truth(src)))
    cropped = ta.sel(wavelength=slice(520, 800))
    out = attach_absorbance(cropped, (src, a0_truth(src)))
    np.testing.assert_allclose(out["A0"], a0_truth(cropped["wavelength"].values), rtol=1e-12)
    with pytest.raises(DatasetError, match="neither one value per TA wavelength"):
        attach_absorbance(ta, np.ones(WLS.size + 1))
    with pytest.raises(DatasetError, match="NaN"):
        attach_absorbance(ta, (src, np.full(src.size, np.nan)))
