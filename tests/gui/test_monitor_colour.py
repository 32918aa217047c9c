"""The views converted for the monitor's profile: off the GUI thread, latest picture wins,
the readout and the files keep the photo's own numbers, the choice is a saved menu setting."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from colorstudio.gui.monitor_profile import SRGB, MonitorProfile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from icc_profiles import rgb_profile  # noqa: E402

P3 = MonitorProfile(rgb_profile("Test Display P3"), source="test")
RED = (255, 0, 0)


@pytest.fixture
def view(view):
    """The compare view (conftest) over a 400x300 frame."""
    view.set_frame(400, 300)
    return view


def _settle(view, qtbot):
    qtbot.waitUntil(lambda: not view.colour.pending(), timeout=5000)


def _filled(rgb, shape=(300, 400)):
    return np.broadcast_to(np.array(rgb, np.uint8), (*shape, 3)).copy()


def test_on_a_wide_gamut_monitor_the_result_is_shown_converted_and_read_as_it_is(view, qtbot):
    view.set_monitor(P3)
    red = _filled(RED)
    view.set_image("gray", np.full((300, 400), 76, np.uint8))
    view.set_image("result", red)
    _settle(view, qtbot)
    shown = view.images["result"].image
    assert view.shown["result"] is not red and shown[0, 0, 0] < 240 and shown[0, 0, 1] > 30     # less saturated numbers
    assert view.raw["result"] is red and red[0, 0].tolist() == list(RED)           # the copy given is kept
    assert "result 255 0 0" in view.readout(10, 10)                                # the photo's own numbers
    assert "values in" not in view.readout(10, 10)                                 # sRGB goes without saying
    view.set_monitor(photo_icc=rgb_profile("Test Display P3"))
    assert view.readout(10, 10).endswith("values in Test Display P3")             # the numbers' space named


def test_an_srgb_monitor_shows_the_copies_as_given_at_once(view):
    red = _filled(RED)
    view.set_image("result", red)
    assert not view.colour.pending() and view.shown["result"] is red


def test_a_later_picture_wins_over_one_still_being_converted(view, qtbot):
    view.set_monitor(P3)
    for level in (40, 80, 120, 160):               # e.g. previews while the strength slider moves
        view.set_image("result", _filled((level, level, level)))
    _settle(view, qtbot)
    qtbot.wait(50)                                  # any late conversion of an older picture would land now
    assert view.raw["result"][0, 0, 0] == 160
    assert abs(int(view.images["result"].image[0, 0, 0]) - 160) <= 3


def test_changing_the_monitor_converts_what_is_shown_again(view, qtbot):
    gray, red = np.full((300, 400), 128, np.uint8), _filled(RED)
    view.set_image("gray", gray)
    view.set_image("result", red)
    view.set_monitor(P3)
    _settle(view, qtbot)
    assert view.images["result"].image[0, 0, 0] < 240
    assert view.images["gray"].image.ndim == 2                 # a gray stays a one-channel picture
    view.set_monitor(SRGB)
    assert np.array_equal(view.images["result"].image, red) and view.images["gray"].image.ndim == 2
    assert view.shown["result"] is red and view.shown["gray"] is gray


def test_a_photo_in_the_monitors_own_space_is_not_converted(view):
    view.set_monitor(P3, photo_icc=P3.icc)
    red = _filled(RED)
    view.set_image("result", red)
    assert not view.colour.converts and view.shown["result"] is red


def test_the_split_view_and_the_100_percent_tiles_are_converted_too(view, qtbot):
    big = _filled(RED, (1500, 2000))
    view.set_frame(2000, 1500)
    view.set_monitor(P3)
    view.set_image("gray", np.full((150, 200), 90, np.uint8), np.full((1500, 2000), 90, np.uint8))
    view.set_image("result", big[::10, ::10].copy(), big)
    other = _filled((0, 0, 255), (150, 200))
    view.set_split_before(other, label="other")
    view.set_mode("split")
    _settle(view, qtbot)
    before = view.split_before.image
    assert before is not other and before[0, 0, 2] < 245 and before[0, 0, 0] > 0    # sRGB blue on P3
    view.actual_size()                          # 100 %: a full-resolution tile over the result
    assert view.shows_detail("result")          # at once, while the tile is still being converted
    _settle(view, qtbot)
    tile = view.details["split_after"].image
    assert tile is not None and view.shows_detail("result")
    assert tile[0, 0, 0] < 240 and tile[0, 0, 1] > 30


def test_the_menu_choice_is_saved_and_a_bad_profile_file_falls_back(qtbot, settings, tmp_path):
    from colorstudio.gui.main_window import MainWindow
    from colorstudio.gui.monitor_menu import FILE, SRGB_CHOICE, SYSTEM

    profile_file = tmp_path / "monitor.icc"
    profile_file.write_bytes(P3.icc)
    settings.monitor_profile = profile_file
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.compare.colour.monitor.name == "Test Display P3"
    assert window.monitor_actions[FILE].isChecked() and "Test Display P3" in window.monitor_actions[FILE].text()
    window.choose_monitor(SRGB_CHOICE)
    assert settings.monitor_profile == SRGB_CHOICE and window.compare.colour.monitor is SRGB
    assert window.monitor_actions[SRGB_CHOICE].isChecked()

    profile_file.write_bytes(b"not a profile any more" * 20)
    settings.monitor_profile = profile_file
    window.apply_monitor_setting()
    assert window.monitor_actions[SYSTEM].isChecked()
    assert "monitor.icc is not an ICC profile" in window.statusBar().currentMessage()
    window.close()


def test_the_batch_thumbnails_are_shown_for_the_monitor(qtbot, tmp_path):
    from colorstudio.engine.batch import DONE, BatchItem, BatchPlan
    from colorstudio.gui.batch_panel import BatchPanel

    panel = BatchPanel(tmp_path)
    qtbot.addWidget(panel)
    item = BatchItem(tmp_path / "a.png", None, "a", tmp_path / "a_out.png", status=DONE,
                     thumbnail=_filled(RED, (72, 96)))
    panel._planned(BatchPlan(items=[item], unmatched=[], out_dir=tmp_path), (panel.out_dir(), False))
    red_of = lambda: panel.table.item(0, 0).icon().pixmap(96, 72).toImage().pixelColor(48, 36).getRgb()[:3]
    assert red_of() == RED
    panel.set_monitor(P3)
    r, g, b = red_of()
    assert r < 240 and g > 30
    assert item.thumbnail[0, 0].tolist() == list(RED)          # the engine's picture is not changed


def test_photos_in_their_own_rgb_profile_are_converted_from_it(window, qtbot, pair_files, tmp_path):
    from PIL import Image

    gray_path, ref_path = pair_files
    gray = np.asarray(Image.open(gray_path).convert("L"))
    tagged = tmp_path / "gray_p3.png"                  # a mono camera's shot saved as RGB in Display P3
    Image.fromarray(np.repeat(gray[..., None], 3, 2)).save(tagged, icc_profile=P3.icc)
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([tagged, ref_path])
    assert window.compare.colour.photo_icc == P3.icc                  # the output's space
    assert window.compare.colour.converts                             # shown on an sRGB monitor
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([gray_path, ref_path])
    assert window.compare.colour.photo_icc is None and not window.compare.colour.converts
    p3_ref = tmp_path / "ref_p3.png"                   # a phone's colour shot in Display P3
    Image.open(ref_path).convert("RGB").save(p3_ref, icc_profile=P3.icc)
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([gray_path, p3_ref])
    assert window.compare.colour.photo_icc == P3.icc and window.compare.colour.converts   # the result is P3


def test_on_another_screen_the_system_profile_of_that_screen_is_used(window, monkeypatch):
    from colorstudio.gui import monitor_menu

    given = {"profile": P3}
    monkeypatch.setattr(monitor_menu, "system_profile", lambda *args: given["profile"])
    window.screen_changed()                      # as when the window is moved to a P3 screen
    assert window.compare.colour.monitor is P3 and "Test Display P3" in window.monitor_actions["system"].text()
    assert "Test Display P3" in window.statusBar().currentMessage()
    given["profile"] = None                       # a screen the system gives no profile for
    window.screen_changed()
    assert window.compare.colour.monitor is SRGB and "sRGB assumed" in window.monitor_actions["system"].text()
    window.choose_monitor("srgb")
    given["profile"] = P3
    window.screen_changed()                       # the user's own choice stays
    assert window.compare.colour.monitor is SRGB and "Test Display P3" in window.monitor_actions["system"].text()


def test_the_fine_tune_preview_is_shown_for_the_monitor(window, qtbot):
    from colorstudio.gui import training_adapter as ta

    window.compare.set_monitor(P3)
    window.open_finetune_wizard()
    page = window.wizard.training_page
    assert page.monitor is P3
    page._update(ta.TrainUpdate(1, 10, {"total": 0.5}, 1e-4, 1.0, 9.0, preview=_filled(RED, (24, 32))))
    r, g, _ = page.preview.image[0, 0].astype(int)
    assert r < 240 and g > 30
    window.wizard.force_close = True
    window.wizard.close()


def test_the_result_colour_space_setting_applies_to_photos_opened_next(window, qtbot, pair_files, tmp_path):
    from PIL import Image

    gray_path, ref_path = pair_files
    p3_ref = tmp_path / "ref_p3.png"
    Image.open(ref_path).convert("RGB").save(p3_ref, icc_profile=P3.icc)
    assert window.settings.colour_space == "auto" and window.colour_space_actions["auto"].isChecked()
    window.set_colour_space("srgb")
    assert window.settings.colour_space == "srgb" and window.engine_options()["colour_space"] == "srgb"
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([gray_path, p3_ref])
    assert window.inputs.colour_space == "srgb" and window.compare.colour.photo_icc is None
    assert any("converted from Test Display P3 to sRGB" in m for m in window.inputs.checks)
    window.set_colour_space("auto")                   # the open photos keep sRGB
    assert "open them again" in window.statusBar().currentMessage()
    window.side.select("method:copy")
    with qtbot.waitSignal(window.colorized, timeout=60000) as done:
        window.colorize()
    assert done.args[0].colorization.output_icc is None


def test_a_p3_result_is_exported_in_p3_and_the_app_says_so(window, qtbot, pair_files, tmp_path):
    from PIL import Image

    from colorstudio.core.imageio import load_photo

    gray_path, ref_path = pair_files
    p3_ref = tmp_path / "ref_p3.png"
    Image.open(ref_path).convert("RGB").save(p3_ref, icc_profile=P3.icc)
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([gray_path, p3_ref])
    window.side.select("method:copy")
    with qtbot.waitSignal(window.colorized, timeout=60000):
        window.colorize()
    out = tmp_path / "out.jpg"
    worker = window.export_to(out)
    with qtbot.waitSignal(worker.done, timeout=20000):
        pass
    qtbot.waitUntil(lambda: "Written" in window.statusBar().currentMessage(), timeout=5000)
    assert load_photo(out).icc_profile == P3.icc
    assert window.statusBar().currentMessage().endswith("out.jpg (in Test Display P3)")
