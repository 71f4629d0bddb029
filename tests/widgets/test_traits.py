"""Widget settings are traits: ``observe`` fires, ``traitlets.link`` propagates, a bad choice is
refused with a TraitError naming the allowed values (the widget keeping its state), and
``from_state(state())`` gives the same settings — for every widget."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
import pytest
import traitlets
import xarray as xr

import qdwidgets
from qdwidgets.errors import QDError
from qdwidgets.widgets._base import QDWidget, SettingError
from qdwidgets.widgets.band_deconvolver import BandDeconvolver
from qdwidgets.widgets.fluence_explorer import FluenceExplorer
from qdwidgets.widgets.gain_lesson import GainLesson
from qdwidgets.widgets.kinetics_fitter import KineticsFitter
from qdwidgets.widgets.ta_explorer import TAExplorer
from qdwidgets.widgets.ta_view import TAView
from qdwidgets.widgets.threshold_fitter import ThresholdFitter
from qdwidgets.widgets.triage import Triage


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


@pytest.fixture(scope="module")
def ase() -> xr.Dataset:
    return qdwidgets.examples.ase()


@pytest.fixture(scope="module")
def series() -> xr.Dataset:
    return qdwidgets.examples.fluence()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from qdwidgets import save
    from qdwidgets.data import simulate

    root = tmp_path_factory.mktemp("traits_triage")
    ds, _ = simulate.ta(pump=(300.0,), wavelength=np.linspace(560.0, 720.0, 41), seed=40)
    save(ds, root / "ta_300.nc")
    save(simulate.ase(seed=42)[0], root / "ase.nc")
    return root


@dataclass
class Case:
    """How to open a widget, new valid values of its settings, and one bad choice."""

    make: Callable[[], QDWidget]
    data: Any  # what from_state takes first
    new: dict[str, Any]  # setting -> a valid value different from the one it opens with
    bad: tuple[str, Any, tuple[str, ...]]  # setting, refused value, words the error names


@pytest.fixture(scope="module")
def cases(ta, ase, series, folder) -> dict[str, Case]:
    delays = ta["delay"].values

    def on_grid(delay: float) -> float:  # the explorer settles on measured delays
        return float(delays[np.argmin(np.abs(delays - delay))])

    return {
        "TAExplorer": Case(
            lambda: TAExplorer(ta, wavelength=639.0, delay=on_grid(2.0)),
            ta,
            {
                "delay": on_grid(5.0),
                "wavelength": 650.0,
                "pump_index": 0,
                "band_nm": 4.0,
                "quantity": "dA",
                "log_delay": False,
                "vmax": 0.05,
            },
            ("quantity", "Aex", ("'A_ex'", "'dA'")),
        ),
        "KineticsFitter": Case(
            lambda: KineticsFitter(ta),
            ta,
            {
                "wavelength": 650.0,
                "band_nm": 4.0,
                "n_components": 2,
                "offset_on": False,
                "split_ps": 10.0,
                "delay_range": [2.0, 1000.0],
                "edit_index": 1,
                "locks": [True, False, False],
                "irf_locked": True,
                "t0_locked": True,
            },
            ("n_components", 9, ("n_components", "6")),
        ),
        "BandDeconvolver": Case(
            lambda: BandDeconvolver(ta, fit=False),
            ta,
            {"delay": 3.0, "wavelength_range": [560.0, 700.0], "pumps": (250.0,), "selected": "SE"},
            ("selected", "GBS", ("'GSB'",)),
        ),
        "ThresholdFitter": Case(
            lambda: ThresholdFitter(ase),
            ase,
            {
                "feedback": "mirror",
                "below": [10.0, 100.0],
                "above": [200.0, 450.0],
                "spot_diameter_mm": 0.5,
                "beam_profile": "gaussian",
                "scale": "log",
                "selected_power": 250.0,
                "method": "integrated",
            },
            ("method", "maximum", ("'max'", "'at_peak'", "'integrated'")),
        ),
        "FluenceExplorer": Case(
            lambda: FluenceExplorer(series),
            series,
            {
                "band_nm": 4.0,
                "scaling": "pairs",
                "max_occupancy": 2.0,
                "tau_xx": 100.0,
                "tau_x": 2000.0,
                "tau_cool": 0.3,
                "irf_fwhm": 0.3,
                "t0": 0.1,
            },
            ("scaling", "pair", ("'statistical'", "'pairs'")),
        ),
        "GainLesson": Case(
            lambda: GainLesson(1.0),
            None,
            {"n_avg": 2.5, "tau_xx": 300.0, "delay": 50.0},
            ("n_avg", 7.0, ("n_avg", "[0, 5]")),
        ),
        "Triage": Case(
            lambda: Triage(folder, scheduler="sync").wait(120),
            folder,
            {"sort_by": "kind", "ascending": False, "query": "ta", "selected": 0},
            ("sort_by", "size", ("'source'", "'kind'", "'threshold_mW'")),
        ),
    }


WIDGETS = [
    "TAExplorer",
    "KineticsFitter",
    "BandDeconvolver",
    "ThresholdFitter",
    "FluenceExplorer",
    "GainLesson",
    "Triage",
]
#: saved settings that are not traits, and why: KineticsFitter's ``pumps`` picks the data it is
#: opened on (a constructor argument, restored through ``_init_keys``), not a setting to move
FIXED_AT_CONSTRUCTION = {"KineticsFitter": {"pumps"}}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-9, atol=0))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.parametrize("name", WIDGETS)
def test_every_saved_setting_is_a_trait(name, cases):
    w = cases[name].make()
    settings = set(type(w)._state_keys) - FIXED_AT_CONSTRUCTION.get(name, set())
    assert settings <= set(w.trait_names()), settings - set(w.trait_names())
    assert set(cases[name].new) <= settings  # the cases below cover saved settings


@pytest.mark.parametrize("name", WIDGETS)
def test_observe_fires_on_each_setting(name, cases):
    case = cases[name]
    w = case.make()
    for setting, value in case.new.items():
        seen: list[Any] = []
        w.observe(lambda change, seen=seen: seen.append(change["new"]), names=setting)
        setattr(w, setting, value)
        assert seen, f"{name}.{setting}: observe did not fire"
        assert _same(seen[-1], getattr(w, setting)) and _same(getattr(w, setting), value)
    assert w.error_message == ""  # every new value was a good one


@pytest.mark.parametrize("name", WIDGETS)
def test_a_bad_choice_raises_trait_error_and_the_state_is_unchanged(name, cases):
    case = cases[name]
    w = case.make()
    setting, bad, words = case.bad
    before = json.dumps(w.state(), sort_keys=True)
    with pytest.raises(traitlets.TraitError) as info:
        setattr(w, setting, bad)
    assert isinstance(info.value, SettingError)
    message = str(info.value)
    assert setting in message and all(word in message for word in words), message
    assert "trait of a" not in message  # no traitlets internals
    assert message in w.error_message  # shown in the widget too
    assert json.dumps(w.state(), sort_keys=True) == before


@pytest.mark.parametrize("name", WIDGETS)
def test_from_state_round_trips(name, cases):
    case = cases[name]
    w = case.make()
    for setting, value in case.new.items():
        if setting not in ("selected", "query"):  # Triage: the filter could hide the row
            setattr(w, setting, value)
    state = json.loads(json.dumps(w.state()))  # data only: JSON
    back = type(w).from_state(case.data, state)
    assert type(back) is type(w)
    saved, restored = state["settings"], json.loads(json.dumps(back.state()))["settings"]
    assert saved.keys() == restored.keys()
    for key in saved:
        assert _same(restored[key], saved[key]), (key, restored[key], saved[key])


def test_one_from_state_in_the_base():
    for cls in (
        TAExplorer,
        KineticsFitter,
        BandDeconvolver,
        ThresholdFitter,
        FluenceExplorer,
        GainLesson,
        Triage,
    ):
        assert cls.from_state.__func__ is QDWidget.from_state.__func__, cls  # type: ignore[attr-defined]


def test_two_explorers_linked_move_together(ta):
    a, b = TAExplorer(ta), TAExplorer(ta)
    link = traitlets.link((a, "delay"), (b, "delay"))
    delays = ta["delay"].values
    a.delay = float(delays[100])
    assert b.delay == b.view.delay == delays[100]
    assert f"at {delays[100]:.3g} ps" in b.view.readout
    b.view.set_state({"delay": float(delays[120])})  # the browser moves b: a follows
    assert a.delay == a.view.delay == delays[120]
    link.unlink()
    slider = W.IntSlider(min=0, max=1)
    traitlets.link((slider, "value"), (a, "pump_index"))
    slider.value = 0
    assert a.pump_index == 0 and a.view.pump_index == 0 and "(⟨N⟩ ≈ 1.2)" in a.view.readout
    a.pump_index = 1
    assert slider.value == 1


def test_links_between_each_widget_and_a_control(ta, ase, series):
    lesson = GainLesson(1.0)
    slider = W.FloatSlider(min=0.0, max=5.0)
    traitlets.link((slider, "value"), (lesson, "n_avg"))
    slider.value = 3.0
    assert lesson.n_avg == 3.0 and lesson.result.n_avg == 3.0

    fitter = ThresholdFitter(ase)
    pick = W.Dropdown(options=["tophat", "gaussian"])
    traitlets.dlink((pick, "value"), (fitter, "beam_profile"))
    pick.value = "gaussian"
    assert fitter.beam_profile == "gaussian" and fitter.result is not None
    assert fitter.result.beam_profile == "gaussian"

    k = KineticsFitter(ta, pump=250.0)
    count = W.IntSlider(min=1, max=4, value=3)
    traitlets.link((count, "value"), (k, "n_components"))
    count.value = 2
    assert k.n_components == 2 and len(k.params[0]["taus"]) == 2

    fl = FluenceExplorer(series)
    toggle = W.ToggleButtons(options=["statistical", "pairs"])
    traitlets.link((toggle, "value"), (fl, "scaling"))
    fl.scaling = "pairs"
    assert toggle.value == "pairs" and fl.scaling_toggle.value == "pairs"

    bd = BandDeconvolver(ta, fit=False)
    box = W.FloatText()
    traitlets.link((box, "value"), (bd, "delay"))
    box.value = 3.0
    assert bd.delay == 3.0 and bd.delay_input.value == 3.0


def test_ta_view_settings_are_synced_traits():
    view = TAView()
    view.delays, view.wavelengths = [0.0, 1.0, 2.0], [600.0, 610.0]
    seen: list[str] = []
    view.observe(lambda c: seen.append(c["name"]), names=["quantity", "delay", "log_delay"])
    view.quantity, view.delay, view.log_delay = "A_ex", 1.2, True
    assert seen == ["quantity", "delay", "log_delay"] and view.delay == 1.0  # snapped
    slider = W.FloatSlider(min=0.0, max=2.0)
    traitlets.link((slider, "value"), (view, "vmax"))
    slider.value = 0.5
    assert view.vmax == 0.5
    with pytest.raises(traitlets.TraitError, match=r"'dA', 'A_ex'|'A_ex', 'dA'"):
        view.quantity = "Aex"
    assert view.quantity == "A_ex"
    assert {"delay", "wavelength", "quantity", "log_delay", "vmax"} <= set(view.keys)


def test_older_saves_load(ta):
    w = TAExplorer(ta, wavelength=650.0)
    state = w.state()
    old = {
        "widget": "TAExplorer",  # no "version", no "result", an unknown and a missing setting
        "settings": {k: v for k, v in state["settings"].items() if k != "vmax"} | {"x": 1},
    }
    back = TAExplorer.from_state(ta, old)
    assert back.wavelength == 650.0 and back.vmax == 0.0


def test_a_renamed_setting_of_an_older_save_is_read_under_its_new_name(ta):
    class Renamed(QDWidget):
        window = traitlets.List(traitlets.Float(), [0.0, 1.0])
        _state_keys = ("window",)
        _renamed_settings = {"range": "window"}  # noqa: RUF012

        @property
        def result(self) -> None:
            return None

    back = Renamed.from_state(ta, {"widget": "Renamed", "settings": {"range": [2.0, 3.0]}})
    assert back.window == [2.0, 3.0]
    with pytest.raises(QDError, match=r"Fix: restore it with qdwidgets.Renamed"):
        TAExplorer.from_state(ta, {"widget": "Renamed", "settings": {}})
