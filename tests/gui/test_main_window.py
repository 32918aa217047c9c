"""Open a pair, colorize with a classic method, look at the result, export, cancel, errors."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from colorstudio.core.imageio import load_photo
from colorstudio.errors import OutputError


def open_pair(qtbot, window, mono, ref):
    with qtbot.waitSignal(window.opened, timeout=20000) as blocker:
        window.open_paths([mono, ref])
    return blocker.args[0]


def colorize(qtbot, window, method="dis+gf"):
    assert window.side.select(f"method:{method}")
    with qtbot.waitSignal(window.colorized, timeout=30000) as blocker:
        window.colorize()
    return blocker.args[0]


def test_open_a_pair_shows_both_photos_and_the_checks(qtbot, window, pair_files):
    mono, ref = pair_files
    opened = open_pair(qtbot, window, mono, ref)
    assert opened.is_pair and opened.gray.path == mono and opened.reference.path == ref
    assert window.compare.images["gray"].image.shape == (96, 128)
    assert window.compare.images["reference"].image.shape == (96, 128, 3)
    assert window.compare.images["result"].image is None
    assert opened.checks and all(isinstance(m, str) and m for m in opened.checks)
    assert any(m.startswith(("Treated as a stereo pair", "Treated as a cross-camera pair")) for m in opened.checks)
    assert window.side.colorize_button.isEnabled()
    assert window.side.checks_box.title() == "Pair checks"
    assert "scene" in window.windowTitle()
    assert [p.name for p in window.settings.recent()[0]] == [mono.name, ref.name]
    # only pair methods (and Automatic) are offered for a pair
    kinds = {c.kind for c in window.side._choices}
    assert kinds <= {None, "pair"}


def test_the_side_panel_gives_each_photo_its_size_a_smaller_colour_shot_is_seen(qtbot, window, tmp_path):
    import cv2

    from gui_helpers import write_pair

    mono, ref = write_pair(tmp_path, "scene", h=96, w=128)
    cv2.imwrite(str(ref), cv2.resize(cv2.imread(str(ref)), (32, 24), interpolation=cv2.INTER_AREA))
    open_pair(qtbot, window, mono, ref)
    assert window.side.gray_label.full_text() == f"{mono.name}\n128×96, 8 bit"
    assert window.side.reference_label.full_text() == f"{ref.name}\n32×24, 8 bit"


def test_colorize_with_a_classic_method_fills_result_and_diagnostics(qtbot, window, pair_files):
    open_pair(qtbot, window, *pair_files)
    shown = colorize(qtbot, window, "dis+gf")
    c = shown.colorization
    assert c.method == "dis+gf"
    assert c.rgb.shape == (96, 128, 3) and c.rgb.dtype == np.float32
    from colorstudio.engine.colorize import colorize as engine_colorize

    same = engine_colorize(load_photo(pair_files[0]), load_photo(pair_files[1]), method="dis+gf")
    np.testing.assert_array_equal(c.rgb, same.rgb)           # the app shows what the engine (CLI) makes
    assert window.compare.images["result"].image.shape == (96, 128, 3)
    assert window.export_action.isEnabled()
    dock = window.diagnostics
    qtbot.waitUntil(lambda: "Flow" in dock.shown, timeout=5000)     # filled right after the result
    assert "Disparity" in dock.shown
    dock.render("Flow")                                               # as clicking its tab does
    flow_item = next(iter(dock.flow.items.values()))
    assert flow_item.image.shape == (96, 128, 3)          # colour wheel picture of (h, w, 2) flow
    disparity_item = next(iter(dock.disparity.items.values()))
    assert disparity_item.image.shape == (96, 128)
    assert dock.disparity.bar is not None
    # the pixel readout reports full-resolution values of all three images
    text = window.compare.readout(10.5, 20.5)
    gray_value = int(load_photo(pair_files[0]).pixels[20, 10])
    assert f"gray {gray_value}" in text and "reference" in text and "result" in text


def test_split_mode_and_zoom_shortcuts(qtbot, window, pair_files):
    open_pair(qtbot, window, *pair_files)
    colorize(qtbot, window)
    window.set_mode("split")
    assert window.compare.stack.currentIndex() == 1
    window.compare.set_split_position(0.25)
    after = window.compare.split_after.image
    assert after.shape == (96, 32, 3)                      # result covers the left quarter
    window.compare.actual_size()
    assert window.compare.zoom_factor() == pytest.approx(1.0, rel=0.05)
    assert window.zoom_label.text() == "100%"                # the zoom in the status bar
    window.compare.fit()
    assert window.compare.zoom_factor() > 1.0              # a tiny photo fits larger than 100%
    window.result_action.trigger()                         # 3: the result alone
    assert window.compare.mode == "result" and window.result_action.isChecked()
    assert not window.split_action.isChecked() and not window.compare.split_line.isVisible()
    assert window.before_action.shortcut().toString() == "\\"
    window.before_action.trigger()                         # the backslash key: the gray instead
    assert window.compare.showing_before and window.compare.split_after.image is None
    window.before_action.trigger()
    assert not window.compare.showing_before
    window.set_mode("side")
    assert window.compare.stack.currentIndex() == 0 and window.side_action.isChecked()
    from colorstudio.gui.main_window import MainWindow

    window.set_mode("result")
    again = MainWindow(window.settings)                    # the next start: the mode used last
    qtbot.addWidget(again)
    assert again.compare.mode == "result" and again.result_action.isChecked()
    window.set_mode("side")
    window.full_screen_action.trigger()                    # F11 and back
    assert window.isFullScreen() and window.full_screen_action.isChecked()
    window.full_screen_action.trigger()
    assert not window.isFullScreen() and not window.full_screen_action.isChecked()


def test_export_writes_the_full_resolution_result_and_diagnostics(qtbot, window, pair_files, tmp_path):
    open_pair(qtbot, window, *pair_files)
    colorize(qtbot, window)
    out = tmp_path / "out" / "scene_colorized.tif"
    out.parent.mkdir()
    worker = window.export_to(out, bit_depth=16, jpeg_quality=90, diagnostics_dir=tmp_path / "out" / "diag")
    with qtbot.waitSignal(worker.done, timeout=20000):
        pass
    written = load_photo(out)
    assert written.pixels.shape == (96, 128, 3) and written.bit_depth == 16
    assert (tmp_path / "out" / "diag" / "flow.png").is_file()
    assert (tmp_path / "out" / "diag" / "info.json").is_file()


def test_export_over_an_input_is_refused_with_a_one_line_dialog(qtbot, window, pair_files, monkeypatch):
    boxes = []
    import colorstudio.gui.main_window as mw

    real = mw.show_error
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: boxes.append(real(parent, exc, **kw)))
    open_pair(qtbot, window, *pair_files)
    colorize(qtbot, window)
    before = pair_files[0].read_bytes()
    with qtbot.waitSignal(window.jobFailed, timeout=20000) as blocker:
        window.export_to(pair_files[0])
    assert isinstance(blocker.args[0], OutputError)
    assert pair_files[0].read_bytes() == before
    box: QMessageBox = boxes[0]
    assert "refusing to overwrite" in box.text() and "\n" not in box.text()
    assert "Traceback" in box.detailedText()
    box.close()


def test_cancel_stops_the_job_and_keeps_the_window_usable(qtbot, window, pair_files, monkeypatch):
    import colorstudio.gui.jobs as jobs

    def slow_colorize(opened, method=None, model=None, options=None, max_side=None):
        from colorstudio.engine.progress import Progress
        import time

        for i in range(1000):
            time.sleep(0.01)
            yield Progress(i / 1000, "working")
        raise AssertionError("should have been cancelled")

    monkeypatch.setattr(jobs, "colorize_for_view", slow_colorize)
    open_pair(qtbot, window, *pair_files)
    window.colorize()
    assert window.side.cancel_button.isEnabled() and not window.side.colorize_button.isEnabled()
    qtbot.wait(100)
    worker = window.worker
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        window.side.cancel_button.click()
        assert not window.side.cancel_button.isEnabled()           # asked once, while it ends
    qtbot.waitUntil(lambda: window.worker is None, timeout=5000)
    assert window.side.colorize_button.isEnabled()
    assert "Cancel" in window.side.status.text()
    assert window.side.progress.value() == 0 and "working" not in window.side.progress.format()
    assert window.result is None


def test_a_missing_file_shows_its_one_line_error(qtbot, window, tmp_path, monkeypatch):
    import colorstudio.gui.main_window as mw

    errors = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: errors.append(exc))
    window.open_pair(tmp_path / "nope_mono.png", None)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "not found" in str(errors[0])
    assert window.inputs is None


def test_the_sample_pair_opens_from_the_help_menu_and_the_first_start_text(qtbot, window, monkeypatch):
    first_start = window.side.checks_label.text()
    assert "href='sample'" in first_start and "href='open'" in first_start
    with qtbot.waitSignal(window.opened, timeout=20000) as blocker:
        window.open_sample_pair()
    opened = blocker.args[0]
    assert opened.is_pair and "motorcycle" in opened.gray.name
    with qtbot.waitSignal(window.opened, timeout=20000) as blocker:
        window.side.checks_label.linkActivated.emit("sample")      # "Try the sample pair"
    assert "motorcycle" in blocker.args[0].gray.name
    dialogs = []
    monkeypatch.setattr(window, "open_dialog", lambda: dialogs.append(True))
    window.side.checks_label.linkActivated.emit("open")            # "open them"
    assert dialogs == [True]


def test_a_single_gray_hides_the_reference_and_offers_single_methods(qtbot, window, pair_files):
    with qtbot.waitSignal(window.opened, timeout=20000) as blocker:
        window.open_paths([pair_files[0]])
    assert not blocker.args[0].is_pair
    assert window.compare.columns["reference"].isHidden()
    assert window.side.checks_box.title() == "Checks"
    assert {c.kind for c in window.side._choices} <= {None, "single"}
    assert "neutral" in [c.method for c in window.side._choices]


def test_warm_up_loads_the_default_models_beside_the_job_slot(qtbot, window, pair_files, monkeypatch):
    from colorstudio.engine import crosscam, single, warm_up

    import colorstudio.gui.main_window as mw

    loaded, frozen = [], []
    with monkeypatch.context() as m:   # record the loads instead of loading
        m.setattr(warm_up, "LOADERS", {n: ("colorstudio.engine.warm_up", "_record", (n,)) for n in warm_up.LOADERS})
        m.setattr(warm_up, "_record", loaded.append, raising=False)
        m.setattr(mw.gc, "freeze", lambda: frozen.append(True))   # not the test process's objects
        worker = window.warm_up()
        assert window.worker is None            # the job slot stays free: the user can work meanwhile
        open_pair(qtbot, window, *pair_files)
        qtbot.waitUntil(worker.isFinished, timeout=20000)
        qtbot.waitUntil(lambda: bool(frozen), timeout=5000)
    assert worker.result == warm_up.default_learned() and loaded == worker.result
    assert frozen == [True]     # start-up's objects leave the collector's full passes (no stutter)
    assert "ccdc" in loaded and "ensemble" in loaded   # the shipped defaults for a pair and a single gray
    # the real loaders fill the caches the methods use
    names = list(warm_up.warm_up(["ccdc", "hsv2stage"]))
    assert names[-1].fraction == 1.0 and crosscam._CACHE and single._CACHE


def test_a_batch_row_double_clicked_shows_its_photos_and_the_file_the_batch_wrote(qtbot, window, tmp_path):
    from gui_helpers import write_pair

    write_pair(tmp_path / "shoot", "a", seed=1)
    mono_b, _ = write_pair(tmp_path / "later", "b", seed=2)
    batch = window.batch
    batch.set_out_dir(tmp_path / "results")
    with qtbot.waitSignal(batch.planned, timeout=20000):
        batch.add_inputs([tmp_path / "shoot"])
    with qtbot.waitSignal(batch.finishedBatch, timeout=60000):
        batch.start()
    written = batch.plan.items[0].written
    assert written is not None and written.is_file()
    with qtbot.waitSignal(window.opened, timeout=20000):
        batch.table.cellDoubleClicked.emit(0, 2)
    assert window.inputs.name == "a" and window.inputs.is_pair and window.result is None
    shown = window.compare.images["result"].image
    assert shown is not None and np.array_equal(window.compare.full["result"], load_photo(written).pixels)
    assert written.name in window.compare.titles["result"].text()
    assert "as the batch wrote it" in window.side.status.text()
    window._update_menu_states()
    assert not window.export_action.isEnabled()        # nothing to export: it is written already
    window._enable_menu_actions()
    window.export_action.trigger()                     # and Ctrl+E says so
    assert f"{written.name} is written already" in window.statusBar().currentMessage()
    # a row not run yet opens its photos alone; the skipped rows below the items open nothing
    with qtbot.waitSignal(batch.planned, timeout=20000):
        batch.add_inputs([mono_b])
    row = [i.gray for i in batch.plan.items].index(mono_b)
    with qtbot.waitSignal(window.opened, timeout=20000):
        batch.table.cellDoubleClicked.emit(row, 0)
    assert window.inputs.gray.path == mono_b and window.compare.images["result"].image is None
    with qtbot.assertNotEmitted(batch.itemOpened):
        batch.table.cellDoubleClicked.emit(len(batch.plan.items), 0)


def test_the_last_results_of_the_open_photos_can_be_shown_again_to_compare(qtbot, window, pair_files, tmp_path):
    from colorstudio.gui.result_history import LIMIT

    open_pair(qtbot, window, *pair_files)
    side = window.side
    first = colorize(qtbot, window, "dis+gf")
    assert side.results_box.isHidden()                      # one result: nothing to switch between
    second = colorize(qtbot, window, "sgbm+gf")
    assert not side.results_box.isHidden()
    assert [side.results.itemText(i) for i in range(side.results.count())] == ["dis+gf", "sgbm+gf"]
    assert side.results.currentIndex() == 1
    with qtbot.waitSignal(window.colorized, timeout=5000):
        side.results.activated.emit(0)                      # the user picks the first one again
    assert window.result is first and "dis+gf" in window.compare.titles["result"].text()
    window.show_other_result(1)                              # ] and [ go round the list
    assert window.result is second and side.results.currentIndex() == 1
    window.show_other_result(1)
    assert window.result is first
    assert np.array_equal(window.compare.images["result"].image, first.result_view)
    assert window._default_output().name == "scene_colorized_dis+gf"   # several kept: the method named
    worker = window.export_to(tmp_path / "out.png")         # Export writes the one shown
    qtbot.waitUntil(lambda: worker.isFinished() and window.worker is None, timeout=20000)
    assert np.array_equal(load_photo(tmp_path / "out.png").pixels, load_photo_like(first))
    for method in ("copy+gf", "reinhard+gf"):               # only the last LIMIT are kept
        colorize(qtbot, window, method)
    assert side.results.count() == LIMIT and side.results.itemText(0) == "sgbm+gf"
    assert second in [e.shown for e in window.history.entries]
    open_pair(qtbot, window, *pair_files)                   # other photos: a new list
    assert window.history.entries == [] and side.results_box.isHidden()
    colorize(qtbot, window, "dis+gf")
    assert window._default_output().name == "scene_colorized"


def load_photo_like(shown):
    """The 8-bit pixels a result is written as."""
    return np.clip(np.rint(shown.colorization.rgb * 255), 0, 255).astype(np.uint8)


def test_the_split_view_compares_two_results(qtbot, window, pair_files):
    from colorstudio.gui.compare_view import SIDE_BY_SIDE, SPLIT

    open_pair(qtbot, window, *pair_files)
    side, compare = window.side, window.compare
    first = colorize(qtbot, window, "dis+gf")
    second = colorize(qtbot, window, "sgbm+gf")
    assert [side.before.itemText(i) for i in range(side.before.count())] == ["the gray photo", "dis+gf", "sgbm+gf"]
    assert compare.before is None and compare.mode == SIDE_BY_SIDE
    side.before.activated.emit(1)                             # the user picks dis+gf
    assert compare.mode == SPLIT and window.split_action.isChecked() and side.before.currentIndex() == 1
    assert compare.before[2] == "dis+gf" and "After (sgbm+gf)   |   Before (dis+gf)" in compare.split_title.text()
    assert np.array_equal(compare.split_before.image, first.result_view)        # right of the line
    assert np.array_equal(compare.split_after.image, second.result_view[:, :compare.split_after.image.shape[1]])
    w, h = compare.frame_wh
    text = compare.readout(w * 0.75, h / 2)                   # the readout names both
    assert "result " in text and "dis+gf " in text
    window.show_other_result(-1)                              # showing dis+gf itself: it stays the before side
    assert window.result is first and compare.before[2] == "dis+gf" and side.before.currentIndex() == 1
    side.before.activated.emit(0)                             # back to the gray
    assert compare.before is None and np.array_equal(compare.split_before.image, compare.shown["gray"])
    side.before.activated.emit(2)
    open_pair(qtbot, window, *pair_files)                     # other photos: the gray again
    assert compare.before is None and window.before_result is None and "Before (gray)" in compare.split_title.text()


def test_the_shortcuts_list_is_read_from_the_menus_and_no_two_commands_share_a_key(qtbot, window):
    from colorstudio.gui.shortcuts_dialog import shortcut_rows

    rows = shortcut_rows(window.menuBar())
    by_command = {command: keys for _, command, keys in rows}
    assert by_command["Result alone"] == "3" and by_command["Colorize"] == "Ctrl+R"
    assert by_command["Full screen"] == "F11" and all(keys for _, _, keys in rows)
    assert by_command["Fit ↔ 100% (under the mouse; or double-click)"] == "Z"
    keys = [k.strip() for _, _, ks in rows for k in ks.split(",")]
    assert len(keys) == len(set(keys)), "an ambiguous shortcut does nothing in Qt"
    dialog = window.show_shortcuts()
    assert "Result alone" in dialog.findChild(type(window.readout)).text()
    assert window.show_shortcuts() is dialog and dialog.isVisible()      # F1 again: the same one, in front
    # it scrolls: a 540 px screen (1080p at 200 %) showed neither its end nor its Close button
    assert dialog.minimumSizeHint().height() < 200
    assert dialog.height() <= dialog.screen().availableGeometry().height()
    dialog.close()
    assert window.show_shortcuts() is dialog and dialog.isVisible()
    dialog.close()


def test_menu_commands_that_can_do_nothing_are_greyed_and_their_keys_say_why(qtbot, window, pair_files):
    window._update_menu_states()                                   # nothing open
    assert not window.colorize_action.isEnabled() and not window.before_action.isEnabled()
    assert not any(a.isEnabled() for a in window.other_result_actions)
    assert not window.export_action.isEnabled() and not window.export_diag_action.isEnabled()
    window._enable_menu_actions()                                  # the menu closed: the keys work again
    window.colorize()
    assert "Open a gray photo first" in window.statusBar().currentMessage()
    window.export_action.trigger()                                 # Ctrl+E before a result
    assert window.statusBar().currentMessage() == "Nothing to export yet. Open a gray photo first."
    open_pair(qtbot, window, *pair_files)
    window.export_diag_action.trigger()
    assert window.statusBar().currentMessage() == "Nothing to export yet. Colorize first (Ctrl+R)."
    window._update_menu_states()
    assert not window.export_action.isEnabled() and window.colorize_action.isEnabled()
    window._enable_menu_actions()
    colorize(qtbot, window, "dis+gf")
    window._update_menu_states()
    assert window.export_action.isEnabled() and window.export_diag_action.isEnabled()
    window._enable_menu_actions()
    window.show_other_result(1)
    assert "another method first" in window.statusBar().currentMessage()
    window.set_mode("result")
    window._update_menu_states()
    assert window.colorize_action.isEnabled() and window.before_action.isEnabled()


def test_exporting_a_16_bit_gray_as_jpeg_says_it_has_8_bits(qtbot, window, tmp_path):
    import cv2

    ramp = np.linspace(0, 65535, 96 * 128).reshape(96, 128).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "g16.png"), ramp)
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([tmp_path / "g16.png"])
    colorize(qtbot, window, method="neutral")
    worker = window.export_to(tmp_path / "g16_colorized.jpg", bit_depth=None)   # what the dialog gives a JPEG
    with qtbot.waitSignal(worker.done, timeout=20000):
        pass
    assert load_photo(tmp_path / "g16_colorized.jpg").bit_depth == 8
    assert "written with 8 bits a channel" in window.side.status.text()


def test_the_pixel_readout_and_the_zoom_are_apart_in_the_status_bar(qtbot, window):
    window.readout.setText("x 10  y 20   |   result 101 94 79")
    window.zoom_label.setText("39%")
    qtbot.wait(50)
    readout, zoom = window.readout.geometry(), window.zoom_label.geometry()
    # "…94 79 39%" read as four values: the zoom's text starts well after the readout ends
    assert zoom.left() + window.zoom_label.contentsMargins().left() - readout.right() >= 16


def test_a_photo_opened_earlier_and_its_result_are_let_go(qtbot, window, tmp_path):
    """A day's session kept every photo opened and every result made (the finished jobs held
    them: 14 MB a 0.1 MP photo, about a gigabyte a 12 MP one), past the result list's own limit."""
    import gc
    import weakref

    from gui_helpers import write_pair

    from colorstudio.gui import workers

    first = weakref.ref(open_pair(qtbot, window, *write_pair(tmp_path / "a", "a")))
    made = weakref.ref(colorize(qtbot, window))
    for n in range(2):
        open_pair(qtbot, window, *write_pair(tmp_path / f"b{n}", f"b{n}", seed=n + 2))
        colorize(qtbot, window)
    qtbot.waitUntil(lambda: not workers._RUNNING, timeout=5000)
    gc.collect()
    assert first() is None and made() is None
