"""The app for keyboard users and on small screens: pan and zoom from the keyboard, the batch
queue reachable with Tab and opened with Enter, unique menu mnemonics, names for screen
readers, a first window that fits the screen, a Colorize panel that scrolls instead of being
crushed, Escape out of full screen, a batch queue that shows its rows."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QScrollArea, QSlider

from colorstudio.gui.batch_panel import BatchPanel
from colorstudio.gui.split_modes import SPLIT

from gui_helpers import write_pair
from test_main_window import open_pair


def _rect(window) -> QRectF:
    return window.compare.active_view().viewRect()


def test_the_arrows_pan_and_the_zoom_keys_zoom(qtbot, window, pair_files):
    open_pair(qtbot, window, *pair_files)
    window.compare.actual_size()
    qtbot.wait(50)
    before = _rect(window)
    qtbot.keyClick(window.compare, Qt.Key.Key_Right)
    moved = _rect(window)
    assert moved.left() - before.left() == pytest.approx(before.width() / 8, rel=0.02)
    assert moved.top() == pytest.approx(before.top())
    qtbot.keyClick(window.compare, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)      # Shift: half
    assert before.top() - _rect(window).top() == pytest.approx(before.height() / 2, rel=0.02)
    zoom = window.compare.zoom_factor()
    zoom_in = next(a for a in window.findChildren(type(window.export_action)) if a.text() == "Zoom &in")
    zoom_in.trigger()
    assert window.compare.zoom_factor() == pytest.approx(zoom * 1.25, rel=0.02)
    assert "Ctrl+=" in [k.toString() for k in zoom_in.shortcuts()]


def test_alt_arrows_move_the_split_line(qtbot, window, pair_files):
    open_pair(qtbot, window, *pair_files)
    window.set_mode(SPLIT)
    window.compare.set_split_position(0.5)
    width = window.compare.frame_wh[0]
    qtbot.keyClick(window.compare, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.compare.split_line.value() == pytest.approx(width * 0.525, rel=0.01)


def planned_panel(qtbot, tmp_path) -> BatchPanel:
    """A batch panel on screen with one pair queued."""
    panel = BatchPanel(tmp_path / "results")
    qtbot.addWidget(panel)
    panel.show()
    mono, ref = write_pair(tmp_path / "photos")
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs([mono, ref])
    return panel


def test_enter_on_a_batch_row_opens_it_and_tab_leaves_the_table(qtbot, tmp_path):
    panel = planned_panel(qtbot, tmp_path)
    assert not panel.table.tabKeyNavigation()
    panel.table.setFocus()
    panel.table.setCurrentCell(0, 0)
    with qtbot.waitSignal(panel.itemOpened, timeout=2000) as opened:
        qtbot.keyClick(panel.table.viewport(), Qt.Key.Key_Return)
    assert opened.args[0] is panel.plan.items[0]
    panel.stop()


def test_the_batch_drop_hint_leaves_its_line_to_the_rows(qtbot, tmp_path):
    """At 1300 x 850 the queue showed 2.5 rows: the drop hint's line goes to them once there are
    rows (its text stays on the Add button's tooltip) and comes back when the queue is cleared."""
    panel = BatchPanel(tmp_path / "results")
    qtbot.addWidget(panel)
    panel.show()
    assert panel.hint.isVisible() and "x_mono + x_color" in panel.add_button.toolTip()
    mono, ref = write_pair(tmp_path / "photos")
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs([mono, ref])
    assert not panel.hint.isVisible()
    panel.clear()
    assert panel.hint.isVisible()
    panel.stop()


def test_the_batch_dock_opens_at_two_fifths_of_the_window(qtbot, window):
    window.resize(1300, 850)
    window.show_batch()
    qtbot.wait(300)                           # the dock's first height is its size hint's
    assert window.batch_dock.height() == pytest.approx(850 * 2 / 5, abs=20)     # a third: 283 px, 2.5 rows


def test_the_batch_queue_keyboard_focus_and_the_examples_output(qtbot, window):
    from colorstudio import paths

    window.batch_dock.hide()
    window.toggle_batch()                                   # Ctrl+B: shown, the keyboard in it
    assert not window.batch_dock.isHidden()
    qtbot.waitUntil(lambda: window.batch.table.hasFocus() or window.focusWidget() is window.batch.table,
                    timeout=2000)
    window.toggle_batch()                                   # and again: hidden
    assert window.batch_dock.isHidden()
    window.toggle_batch()
    assert not window.batch_dock.isHidden()
    window.tabifyDockWidget(window.diagnostics, window.batch_dock)      # behind another dock's tab
    window.diagnostics.show()
    window.diagnostics.raise_()
    qtbot.waitUntil(lambda: window.batch_dock.visibleRegion().isEmpty(), timeout=2000)
    window.toggle_batch()                                   # brought to the front, not hidden
    assert not window.batch_dock.isHidden()
    qtbot.waitUntil(lambda: not window.batch_dock.visibleRegion().isEmpty(), timeout=2000)
    window.batch.inputs = [paths.examples_dir()]            # the sample pair: not into the app's folder
    assert not paths.in_examples(window.batch.out_dir())
    assert window.batch.out_dir() == paths.results_home() / "colorized"


def test_every_menu_has_unique_mnemonics(window):
    for menu in [a.menu() for a in window.menuBar().actions()] + window.findChildren(type(window.recent_menu)):
        letters = [m.group(1).lower() for a in menu.actions() if (m := re.search(r"&(\w)", a.text()))]
        assert len(letters) == len(set(letters)), (menu.title(), letters)


def test_the_controls_have_names_for_screen_readers(window, wizard):
    """Each input control has its own accessible name or a label naming it (buddy): not only its
    value (Qt on Linux gives a combo box's value as its name, and a tooltip is not a name). A
    slider, line edit or photo may make do with a tooltip."""
    from PySide6.QtWidgets import QProgressBar, QSpinBox

    for root in (window, wizard):
        buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
        strict = [w for cls in (QComboBox, QSpinBox, QProgressBar) for w in root.findChildren(cls)]
        loose = [w for cls in (QSlider, QLineEdit, QPlainTextEdit) for w in root.findChildren(cls)]
        loose += getattr(getattr(root, "compare", None), "canvases", [])
        named = lambda w: bool(w.accessibleName().strip()) or id(w) in buddies     # noqa: E731
        unnamed = [f"{type(w).__name__} {w.objectName()}" for w in strict if not named(w)]
        unnamed += [f"{type(w).__name__} {w.objectName()}" for w in loose
                    if not (isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QSpinBox)))
                    and not (named(w) or w.toolTip().strip())]
        assert unnamed == [], type(root).__name__
    assert window.side.picker.accessibleName() == "Method / model"
    buddies = {id(label.buddy()) for label in window.findChildren(QLabel) if label.buddy() is not None}
    assert id(window.side.picker) in buddies and id(window.batch.out_edit) in buddies
    assert id(window.batch.method_box) in buddies


def test_the_first_window_fits_a_small_screen(qtbot, isolated_user_dir):
    from colorstudio.gui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.force_close = True
    screen = w.screen().availableGeometry()
    assert w.width() <= screen.width() and w.height() <= screen.height()


@pytest.mark.parametrize("width", [1229, 1366, 1500, 1920])
def test_at_the_first_start_the_photos_keep_half_the_window(width):
    from colorstudio.gui.main_window import first_dock_widths

    side, diagnostics = first_dock_widths(width)
    assert width - side - diagnostics >= width / 2 and diagnostics >= 300    # the maps and bars still fit


def test_the_colorize_panel_scrolls_and_the_batch_queue_takes_the_middle(window):
    assert isinstance(window.side_dock.widget(), QScrollArea)
    assert window.side_dock.widget().widget() is window.side
    assert window.corner(Qt.Corner.BottomLeftCorner) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_escape_leaves_full_screen_and_the_menu_says_so(qtbot, window):
    window.toggle_full_screen()
    assert window.isFullScreen() and window.full_screen_action.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen() and not window.full_screen_action.isChecked()


def test_the_focused_photo_view_shows_a_frame(qtbot, window):
    import numpy as np

    def pixels(widget):
        image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB32)
        return np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).copy()

    window.activateWindow()
    canvas = window.compare.canvases[0]
    window.side.picker.setFocus()
    qtbot.waitUntil(lambda: window.side.picker.hasFocus(), timeout=2000)
    unfocused = pixels(canvas)
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus, timeout=2000)
    assert (pixels(canvas) != unfocused).any()         # the arrow keys' view is marked


def test_a_double_click_opens_a_batch_row_once(qtbot, tmp_path):
    panel = planned_panel(qtbot, tmp_path)
    opened = []
    panel.itemOpened.connect(opened.append)
    rect = panel.table.visualItemRect(panel.table.item(0, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())   # a double click:
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # press, then this
    qtbot.wait(50)
    assert len(opened) == 1
    panel.stop()


def test_the_colorize_panel_is_never_narrower_than_its_controls(window):
    area = window.side_dock.widget()
    assert area.minimumWidth() >= window.side.minimumSizeHint().width()


def test_escape_never_enters_full_screen_and_the_menu_follows_the_window(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen()
    window.toggle_full_screen()
    window.showNormal()                         # as a window manager may do
    qtbot.wait(20)
    assert not window.full_screen_action.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen()


def test_the_picker_follows_a_models_folder_deleted_and_made_again(qtbot, window):
    import shutil

    from colorstudio import paths

    shutil.rmtree(paths.user_models_dir())
    qtbot.wait(600)                              # the watch notices, the folder is made again
    from gui_helpers import STAND_IN_WEIGHTS

    weights = paths.user_models_dir() / "later.safetensors"
    weights.write_bytes(STAND_IN_WEIGHTS)
    qtbot.waitUntil(lambda: any(window.side.picker.itemData(i) == f"model:{weights}"
                                for i in range(window.side.picker.count())), timeout=5000)


def test_escape_cancels_a_running_colorize_and_the_tools_menu_says_so(qtbot, window, pair_files):
    import threading

    from test_main_window import open_pair

    open_pair(qtbot, window, *pair_files)
    release = threading.Event()

    def job():                                   # a colorization that lasts until it is cancelled
        while not release.wait(0.02):
            yield None
    window._run(job, on_done=lambda _: None)
    try:
        window._update_menu_states()             # the Tools menu opened during the job
        assert window.cancel_action.isEnabled() and window.cancel_action.shortcut().toString() == "Esc"
        window.toggle_full_screen()
        with qtbot.waitSignal(window.worker.cancelled, timeout=10000):
            qtbot.keyClick(window, Qt.Key.Key_Escape)
        assert window.side.status.text() == "Cancelled." and window.isFullScreen()   # the job, not the screen
        qtbot.keyClick(window, Qt.Key.Key_Escape)                                  # nothing runs: leaves it
        assert not window.isFullScreen()
    finally:
        release.set()
    window._update_menu_states()
    assert not window.cancel_action.isEnabled()
    window._enable_menu_actions()


def test_the_first_diagnostics_do_not_widen_a_small_window(qtbot, window):
    """The dock's tab bar had all ten tabs for a moment before the unused ones were hidden, and
    the split view's one-line title held the photos 332 px wide in every view, and three photos
    in a row 144 px until they were stacked: the first result widened an 800 px window to 978 px,
    past a small screen's edge."""
    import numpy as np

    from test_diagnostics_dock import stereo_like_diagnostics

    window.resize(640, 480)
    qtbot.waitUntil(lambda: window.width() == 640)
    for diagnostics in (stereo_like_diagnostics(), {"flow": np.zeros((10, 12, 2), np.float32)}):
        window.diagnostics.clear()
        window.diagnostics.show_diagnostics(diagnostics, {}, frame_wh=(120, 80))
        qtbot.wait(50)
        assert window.width() == 640
    assert max(window.compare.stack.widget(i).minimumSizeHint().width() for i in (0, 1)) < 100


def test_tab_stops_are_only_what_shows_focus(window):
    """The Colorize panel's scroll area and the pair checks' text (its links gone) took a Tab
    each and showed nothing: a keyboard user lost track twice a round."""
    assert window.side_dock.widget().focusPolicy() == Qt.FocusPolicy.NoFocus
    assert window.batch_dock.widget().focusPolicy() == Qt.FocusPolicy.NoFocus
    label = window.side.checks_label
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard   # its links
    window.side.show_inputs("g.png", "c.png", ["The two shots match."])
    assert label.focusPolicy() == Qt.FocusPolicy.NoFocus and "<a " not in label.text()


def test_the_picker_follows_a_models_folder_moved_away_and_made_again(qtbot, window):
    """A moved folder (a file manager's delete to the Trash) sends no event of its own: the watch
    stayed on it, the picker kept its models and never saw the new folder's."""
    import os

    from colorstudio import paths
    from gui_helpers import STAND_IN_WEIGHTS

    first = paths.user_models_dir() / "first.safetensors"
    first.write_bytes(STAND_IN_WEIGHTS)
    offered = lambda path: any(window.side.picker.itemData(i) == f"model:{path}"        # noqa: E731
                               for i in range(window.side.picker.count()))
    qtbot.waitUntil(lambda: offered(first), timeout=5000)
    folder = paths.user_models_dir()
    os.rename(folder, folder.with_name("models_moved_away"))
    qtbot.waitUntil(lambda: not offered(first), timeout=5000)
    second = paths.user_models_dir() / "second.safetensors"         # (made again on demand)
    second.write_bytes(STAND_IN_WEIGHTS)
    qtbot.waitUntil(lambda: offered(second), timeout=5000)


def test_a_long_file_name_is_shortened_in_the_middle_not_the_panel_cut(qtbot, window, tmp_path):
    """A name without spaces could not wrap: it held the panel 113 px wider than its dock, whose
    scroll area then cut the panel's right side (the Cancel button read "Ca…")."""
    from gui_helpers import write_pair

    from colorstudio.gui.plain_tooltip import plain_tooltip

    side, area = window.side, window.side_dock.widget()
    narrowest = side.minimumSizeHint().width()
    name = "2024-06-14_Family-Trip_Zurich-Lakeside_Sunset_DSC04567_and_some_more_words_on_it"
    files = write_pair(tmp_path, name)
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths(list(files))
    qtbot.waitUntil(lambda: side.gray_label.full_text().startswith(name))
    assert side.minimumSizeHint().width() == narrowest
    assert side.width() <= area.viewport().width()                  # nothing cut on the right
    shown = side.gray_label.text()
    assert "…" in shown and shown.startswith("2024-06") and shown.endswith("mono.png\n128×96, 8 bit")
    assert side.gray_label.toolTip() == plain_tooltip(side.gray_label.full_text())
    side.gray_label.set_full_text("<b>bold</b>_" + "x" * 200 + ".png")       # a name is never markup
    assert "&lt;b&gt;bold&lt;/b&gt;_xxx" in side.gray_label.toolTip()
