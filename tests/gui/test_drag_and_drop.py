"""Dropping files and folders (mocked QMimeData) on the window and on the batch queue."""
from __future__ import annotations

import threading
from pathlib import Path

import cv2
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent

from gui_helpers import write_pair


def mime_for(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_and_drop(widget, paths) -> tuple[bool, bool]:
    mime = mime_for(paths)
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    widget.dragEnterEvent(enter)
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(drop)
    return enter.isAccepted(), drop.isAccepted()


def test_dropping_a_pair_on_the_window_opens_it(qtbot, window, pair_files):
    with qtbot.waitSignal(window.opened, timeout=20000) as blocker:
        accepted = drag_and_drop(window, list(pair_files))
    assert accepted == (True, True)
    assert blocker.args[0].gray.path == pair_files[0]
    assert blocker.args[0].reference.path == pair_files[1]


def test_text_or_remote_urls_are_refused(qtbot, window):
    mime = QMimeData()
    mime.setText("hello")
    mime.setUrls([QUrl("https://example.org/photo.jpg")])
    enter = QDragEnterEvent(QPoint(1, 1), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()


def test_dropping_a_folder_of_pairs_fills_the_batch_and_shows_the_first(qtbot, window, tmp_path):
    folder = tmp_path / "shoot"
    write_pair(folder, "a", seed=1)
    write_pair(folder, "b", seed=2)
    with qtbot.waitSignal(window.batch.planned, timeout=20000):
        with qtbot.waitSignal(window.opened, timeout=20000) as blocker:
            drag_and_drop(window, [folder])
    assert blocker.args[0].name == "a"
    assert window.batch_dock.isVisible()
    assert window.batch.table.rowCount() == 2
    assert window.batch.statuses() == ["queued", "queued"]
    assert window.batch.plan.out_dir == folder / "colorized"          # beside the photos by default


def test_dropping_on_the_batch_panel_adds_to_the_queue(qtbot, window, tmp_path):
    files = list(write_pair(tmp_path / "x", "one", seed=3)) + list(write_pair(tmp_path / "y", "two", seed=4))
    with qtbot.waitSignal(window.batch.planned, timeout=20000):
        assert drag_and_drop(window.batch, files[:2]) == (True, True)
    with qtbot.waitSignal(window.batch.planned, timeout=20000):
        drag_and_drop(window.batch, files[2:])
    names = [window.batch.table.item(r, 0).text() for r in range(window.batch.table.rowCount())]
    assert sorted(names) == ["one", "two"]


def test_a_drop_on_the_window_while_a_job_runs_is_refused_and_the_status_bar_says_why(qtbot, window, pair_files):
    release = threading.Event()

    def job():                         # a colorization that lasts until the test lets it end
        while not release.wait(0.01):
            yield None

    window._run(job, on_done=lambda _: None)
    try:
        mime = mime_for(list(pair_files))
        enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
        enter.accept()
        window.dragEnterEvent(enter)
        assert not enter.isAccepted()                    # the cursor says no during the drag…
        assert "Busy" in window.statusBar().currentMessage()      # …and the status bar why
        window.dragLeaveEvent(QDragLeaveEvent())
        assert window.statusBar().currentMessage() == ""
        drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
        drop.accept()
        window.dropEvent(drop)                            # dropped all the same (the job began mid-drag)
        assert not drop.isAccepted()
        assert "Busy" in window.statusBar().currentMessage()
        with qtbot.waitSignal(window.batch.planned, timeout=20000):   # the batch queue takes drops meanwhile
            assert drag_and_drop(window.batch, list(pair_files)) == (True, True)
    finally:
        release.set()
    qtbot.waitUntil(lambda: window.worker is None, timeout=5000)
    qtbot.wait(200)
    assert window.inputs is None                          # nothing opens later, unasked
    assert drag_and_drop(window, list(pair_files)) == (True, True)   # idle again: accepted
    qtbot.waitUntil(lambda: window.inputs is not None, timeout=20000)


def test_the_folder_note_names_the_pair_shown_not_the_first_item(qtbot, window, tmp_path):
    folder = tmp_path / "shoot"
    write_pair(folder, "zebra", seed=1)
    gray = cv2.cvtColor(cv2.imread(str(write_pair(tmp_path / "other", "a", seed=2)[1])), cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(folder / "aardvark.png"), gray)          # a lone gray, first by name
    with qtbot.waitSignal(window.opened, timeout=20000) as blocker:
        drag_and_drop(window, [folder])
    assert blocker.args[0].name == "zebra"                  # a pair shows the most
    message = window.statusBar().currentMessage()
    assert "showing zebra" in message and "aardvark" not in message


def test_a_folder_of_earlier_results_only_says_so(qtbot, window, tmp_path, monkeypatch):
    folder = tmp_path / "done"
    folder.mkdir()
    colour = cv2.imread(str(write_pair(tmp_path / "src", "trip", seed=3)[1]))
    cv2.imwrite(str(folder / "trip_colorized.png"), colour)      # an earlier batch's colour result
    errors = []
    monkeypatch.setattr(window, "_on_error", lambda exc: errors.append(str(exc)))
    drag_and_drop(window, [folder])
    qtbot.waitUntil(lambda: bool(errors), timeout=20000)
    assert "earlier result(s) of a batch" in errors[0] and "no image found" not in errors[0]
