"""Dropping files and folders (mocked QMimeData) on the window and on the batch queue."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

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
