"""The batch queue: a bad file is marked failed with its error while the others are done;
nothing is overwritten; cancel stops between steps; pause holds."""
from __future__ import annotations

import time

import numpy as np

from colorstudio.engine import batch as engine_batch
from colorstudio.gui import batch_panel as panel_module
from colorstudio.gui import batch_planner
from colorstudio.gui.batch_panel import BatchPanel

from gui_helpers import write_pair


def plan(qtbot, panel, inputs):
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs(inputs)


def truncated_jpeg(path, source):
    """A JPEG whose header reads fine but whose pixels stop half-way."""
    import cv2

    ok, enc = cv2.imencode(".jpg", cv2.imread(str(source), cv2.IMREAD_GRAYSCALE))
    data = enc.tobytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_bad_item_fails_with_its_error_and_the_others_are_done(qtbot, panel, tmp_path, monkeypatch):
    folder = tmp_path / "shoot"
    write_pair(folder, "a", seed=1)
    mono_b, _ = write_pair(folder, "b", seed=2)
    truncated_jpeg(folder / "c_mono.jpg", mono_b)       # header fine, pixels cut off
    (folder / "lonely_color.png").write_bytes((folder / "a_color.png").read_bytes())
    (folder / "notes.txt").write_text("not a photo")
    plan(qtbot, panel, [folder])
    assert panel.statuses() == ["queued", "queued", "queued", "skipped"]
    assert not panel.folder_button.isEnabled()             # no output folder yet
    kinds = [panel.table.item(r, 1).text() for r in range(3)]
    assert kinds == ["pair", "pair", "single"]
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000) as blocker:
        panel.start_button.click()
    assert blocker.args == [2, 1]
    assert panel.statuses() == ["done", "done", "failed", "skipped"]
    failed_text = panel.table.item(2, 4).text()
    assert "c_mono.jpg" in failed_text and "\n" not in failed_text
    outputs = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert outputs == ["a_colorized.png", "b_colorized.png"]
    assert "no gray partner" in panel.table.item(3, 4).text()
    # each written result's picture beside its name, from the file's own pixels
    from colorstudio.core.imageio import load_photo

    items = panel.plan.items
    written = load_photo(items[0].written).pixels
    assert items[0].thumbnail.shape == (72, 96, 3)                      # 96 x 128 photo: 96 px long side
    import cv2

    expected = cv2.resize(written, (96, 72), interpolation=cv2.INTER_AREA).astype(int)
    assert np.abs(items[0].thumbnail.astype(int) - expected).mean() < 2
    assert [not panel.table.item(r, 0).icon().isNull() for r in range(4)] == [True, True, False, False]
    assert panel.total.value() == 100
    opened = []
    monkeypatch.setattr(panel_module.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    assert panel.folder_button.isEnabled()
    panel.folder_button.click()
    assert opened == [str(tmp_path / "results")]


def test_nothing_is_overwritten_on_a_second_run(qtbot, panel, tmp_path):
    mono, ref = write_pair(tmp_path / "p", "a")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a_colorized.png").write_bytes(b"precious")
    plan(qtbot, panel, [mono, ref])
    assert panel.table.item(0, 4).text().endswith("a_colorized-2.png")   # planned: the name it will take
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start()
    assert (tmp_path / "results" / "a_colorized.png").read_bytes() == b"precious"
    assert (tmp_path / "results" / "a_colorized-2.png").is_file()
    assert panel.table.item(0, 4).text().endswith("a_colorized-2.png  (with ccdc)")   # and how


def slow_run_batch(plan, method=None, model=None, *args, **kwargs):
    gen = engine_batch.run_batch(plan, method, model, *args, **kwargs)
    result = yield from _slowed(gen)
    return result


def _slowed(gen):
    while True:
        try:
            value = next(gen)
        except StopIteration as stop:
            return stop.value
        time.sleep(0.15)
        yield value


def test_cancel_stops_between_steps_and_start_resumes(qtbot, panel, tmp_path, monkeypatch):
    monkeypatch.setattr(panel_module, "run_batch", slow_run_batch)
    for i in range(3):
        write_pair(tmp_path / "s", f"p{i}", seed=i)
    plan(qtbot, panel, [tmp_path / "s"])
    seen = []
    panel.start()
    panel.worker.progress.connect(seen.append)
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=20000)
    assert panel.pause_button.isEnabled() and not panel.start_button.isEnabled()
    with qtbot.waitSignal(panel.finishedBatch, timeout=20000) as blocker:
        panel.cancel_button.click()
    done, failed = blocker.args
    assert done < 3 and failed == 0
    assert "running" not in panel.statuses()
    assert "Cancelled" in panel.status.text()
    outputs = [panel.table.item(r, 4).text() for r in range(3)]
    assert not any(":" in text and "/" not in text for text in outputs), outputs   # no step left over
    assert panel.start_button.isEnabled()
    monkeypatch.setattr(panel_module, "run_batch", engine_batch.run_batch)
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000) as blocker:
        panel.start()
    assert blocker.args == [3, 0]                      # the rest ran; nothing ran twice
    assert len(list((tmp_path / "results").iterdir())) == 3


def start_slow_batch(qtbot, panel, tmp_path, monkeypatch):
    """Two pairs, a batch that takes its time, started and running."""
    monkeypatch.setattr(panel_module, "run_batch", slow_run_batch)
    for i in range(2):
        write_pair(tmp_path / "s", f"p{i}", seed=i)
    plan(qtbot, panel, [tmp_path / "s"])
    panel.start()
    qtbot.waitUntil(lambda: "running" in panel.statuses(), timeout=20000)


def test_pause_holds_the_queue(qtbot, panel, tmp_path, monkeypatch):
    start_slow_batch(qtbot, panel, tmp_path, monkeypatch)
    panel.toggle_pause()
    assert panel.pause_button.text() == "Resume" and "Paused" in panel.status.text()
    qtbot.wait(600)
    snapshot = panel.statuses()
    qtbot.wait(600)
    assert panel.statuses() == snapshot                 # nothing moves while paused
    assert "paused" in snapshot and "running" not in snapshot     # and the row says so
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000) as blocker:
        panel.toggle_pause()
    assert blocker.args == [2, 0]


def test_cancelling_is_asked_once(qtbot, panel, tmp_path, monkeypatch):
    start_slow_batch(qtbot, panel, tmp_path, monkeypatch)
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000) as blocker:
        panel.cancel()
        assert panel.status.text() == "Cancelling…"
        assert not panel.pause_button.isEnabled() and not panel.cancel_button.isEnabled()
    done, failed = blocker.args
    assert panel.total.value() == round(100 * (done + failed) / 2)     # the cancelled item's part not counted


def test_the_colour_strength_the_batch_uses_is_said(qtbot, tmp_path):
    mono, ref = write_pair(tmp_path / "p", "a")
    for options, said in (({"device": "cpu", "saturation": 1.5}, True), ({"device": "cpu"}, False)):
        p = BatchPanel(tmp_path / "results", options=lambda options=options: options)
        qtbot.addWidget(p)
        plan(qtbot, p, [mono])
        with qtbot.waitSignal(p.finishedBatch, timeout=60000):
            p.start()
            assert ("colour strength ×1.50" in p.status.text()) is said
        p.stop()


def test_photos_added_while_a_batch_runs_join_the_queue_when_it_ends(qtbot, panel, tmp_path, monkeypatch):
    monkeypatch.setattr(panel_module, "run_batch", slow_run_batch)
    write_pair(tmp_path / "first", "p0", seed=0)
    write_pair(tmp_path / "later", "q0", seed=1)
    plan(qtbot, panel, [tmp_path / "first"])
    panel.start()
    qtbot.waitUntil(lambda: "running" in panel.statuses(), timeout=20000)
    panel.add_inputs([tmp_path / "later"])
    assert "1 more file or folder to look through when this batch ends" in panel.status.text()
    with qtbot.waitSignal(panel.planned, timeout=60000):     # planned once the batch has finished
        pass
    assert panel.statuses() == ["done", "queued"]
    assert panel.start_button.isEnabled()


def test_a_drop_on_the_queue_while_a_batch_runs_waits_for_it_and_does_not_reach_the_window(
        qtbot, panel, tmp_path, monkeypatch):
    from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent

    start_slow_batch(qtbot, panel, tmp_path, monkeypatch)
    later = write_pair(tmp_path / "later", "q0", seed=1)[0]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(later))])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    panel.dragEnterEvent(enter)
    assert enter.isAccepted()          # refused, Qt hands the drag on to the main window, which opens it
    panel.add_inputs([later])          # what dropEvent does with it
    assert "1 more file or folder to look through when this batch ends" in panel.status.text()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=60000)


def test_clear_while_the_queue_is_being_planned_stays_clear(qtbot, panel, tmp_path, monkeypatch):
    real = batch_planner.plan_batch_steps

    def slow_plan(*args, **kwargs):
        time.sleep(0.5)
        return (yield from real(*args, **kwargs))

    monkeypatch.setattr(batch_planner, "plan_batch_steps", slow_plan)
    write_pair(tmp_path / "s", "p0", seed=0)
    panel.add_inputs([tmp_path / "s"])
    stale = panel.planner
    panel.clear()
    qtbot.waitUntil(lambda: stale.isFinished(), timeout=20000)
    qtbot.wait(100)                                   # the stale planner's signals are delivered
    assert panel.table.rowCount() == 0 and panel.plan.items == []
    assert not panel.start_button.isEnabled()


def test_a_relative_output_folder_goes_beside_the_photos_and_requeued_done_items_are_not_counted(
        qtbot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / ".." if (tmp_path / "..").is_dir() else tmp_path)   # started elsewhere
    panel = BatchPanel(None)
    qtbot.addWidget(panel)
    write_pair(tmp_path / "s", "p0", seed=0)
    panel.out_edit.setText("results")
    panel._out_dir_edited()
    plan(qtbot, panel, [tmp_path / "s"])
    assert panel.out_dir() == tmp_path / "s" / "results"
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start()
    assert (tmp_path / "s" / "results").is_dir()
    plan(qtbot, panel, [tmp_path / "s"])                   # the same folder dropped again
    assert panel.status.text().startswith("0 items queued (1 already done"), panel.status.text()
    panel.stop()


def test_a_batch_stopped_by_an_error_is_not_called_cancelled(qtbot, panel, tmp_path, monkeypatch):
    from colorstudio.errors import OutputError

    def failing(plan, *a, **k):
        raise OutputError("cannot write to the output folder")
        yield                                                  # a generator
    monkeypatch.setattr(panel_module, "run_batch", failing)
    monkeypatch.setattr(panel_module, "show_error", lambda *a, **k: None)
    write_pair(tmp_path / "s", "p0", seed=0)
    plan(qtbot, panel, [tmp_path / "s"])
    with qtbot.waitSignal(panel.finishedBatch, timeout=20000):
        panel.start()
    assert panel.status.text().startswith("Stopped by an error"), panel.status.text()


def test_another_output_folder_after_a_batch_queues_the_photos_again_there(qtbot, panel, tmp_path):
    mono, ref = write_pair(tmp_path / "p", "a")
    plan(qtbot, panel, [mono, ref])
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start()
    assert panel.statuses()[0] == "done" and not panel.start_button.isEnabled()
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.set_out_dir(tmp_path / "second")
    assert panel.statuses()[0] == "queued" and panel.start_button.isEnabled()
    assert panel.total.value() == 0                      # not the last batch's 100 %
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start()
    assert (tmp_path / "second" / "a_colorized.png").is_file()


def test_skip_photos_already_colorized_leaves_out_results_there_and_keeps_this_batchs_rows(qtbot, panel, tmp_path):
    mono, _ = write_pair(tmp_path / "p", "a", seed=1)
    write_pair(tmp_path / "p", "b", seed=2)
    (tmp_path / "results").mkdir()
    earlier = mono.read_bytes()                        # an earlier batch's result: a's luma (in gray)
    (tmp_path / "results" / "a_colorized.png").write_bytes(earlier)
    plan(qtbot, panel, [tmp_path / "p"])
    assert panel.statuses() == ["queued", "queued"]                     # unticked: a runs again, beside it
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.skip_box.setChecked(True)
    assert [i.name for i in panel.plan.items] == ["b"]
    assert "1 item queued" in panel.status.text() and "1 already colorized there, left out" in panel.status.text()
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000) as blocker:
        panel.start()
    assert blocker.args == [1, 0]
    assert (tmp_path / "results" / "a_colorized.png").read_bytes() == earlier
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["a_colorized.png", "b_colorized.png"]
    write_pair(tmp_path / "more", "c", seed=3)
    plan(qtbot, panel, [tmp_path / "more"])            # b ran in this batch: its row stays, done
    assert [(i.name, i.status) for i in panel.plan.items] == [("b", "done"), ("c", "queued")]
    assert "1 already colorized there, left out" in panel.status.text()
    assert panel.start_button.isEnabled()
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.skip_box.setChecked(False)               # unticked again: a is queued once more
    assert sorted((i.name, i.status) for i in panel.plan.items) == [("a", "queued"), ("b", "done"), ("c", "queued")]


def test_a_result_another_batch_wrote_after_the_queue_was_planned_is_left_out_and_the_queue_ends(qtbot, panel,
                                                                                                   tmp_path):
    write_pair(tmp_path / "p", "a", seed=1)
    write_pair(tmp_path / "p", "b", seed=2)
    panel.skip_box.setChecked(True)                    # (an empty queue: nothing to plan again)
    plan(qtbot, panel, [tmp_path / "p"])
    assert panel.statuses() == ["queued", "queued"]
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a_colorized.png").write_bytes(b"another batch's result")    # meanwhile
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000) as blocker:
        panel.start()
    assert blocker.args == [1, 0] and panel.statuses() == ["skipped", "done"]
    assert (tmp_path / "results" / "a_colorized.png").read_bytes() == b"another batch's result"
    assert not (tmp_path / "results" / "a_colorized-2.png").exists()
    assert "1 left out, written meanwhile by another batch" in panel.status.text()
    assert panel.total.value() == 100 and not panel.start_button.isEnabled()


def test_the_skip_box_is_locked_while_a_batch_runs(qtbot, panel, tmp_path, monkeypatch):
    monkeypatch.setattr(panel_module, "run_batch", slow_run_batch)
    write_pair(tmp_path / "p", "a", seed=1)
    plan(qtbot, panel, [tmp_path / "p"])
    panel.start()
    qtbot.waitUntil(lambda: "running" in panel.statuses(), timeout=20000)
    assert not panel.skip_box.isEnabled()
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        pass
    assert panel.skip_box.isEnabled()


def test_an_output_folder_chosen_while_a_batch_runs_is_where_the_next_start_writes(qtbot, panel, tmp_path,
                                                                                    monkeypatch):
    """The panel's folder controls are locked while a batch runs; the Tools menu's folder, chosen
    meanwhile, takes effect when the batch ends: what the panel shows is where the next Start writes."""
    monkeypatch.setattr(panel_module, "run_batch", slow_run_batch)
    mono, ref = write_pair(tmp_path / "p", "a", seed=1)
    plan(qtbot, panel, [mono, ref])
    panel.start()
    qtbot.waitUntil(lambda: "running" in panel.statuses(), timeout=20000)
    assert not panel.out_edit.isEnabled() and not panel.browse_button.isEnabled()
    panel.set_out_dir(tmp_path / "later")            # what Tools ▸ Choose the output folder does
    with qtbot.waitSignal(panel.planned, timeout=60000):     # replanned once the batch has ended
        pass
    assert panel.plan.out_dir == panel.out_dir() == tmp_path / "later"
    assert panel.browse_button.isEnabled() and panel.statuses() == ["queued"]
    monkeypatch.undo()
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start()
    assert (tmp_path / "later" / "a_colorized.png").is_file()


def test_a_failed_item_dropped_again_is_tried_again_and_new_items_come_last(qtbot, panel, tmp_path):
    """A photographer mends the file that failed and drops it again: it runs again. Photos added
    to a queue that has run are appended, so row numbers keep meaning the same photos."""
    from PIL import Image

    folder = tmp_path / "p"
    write_pair(folder, "b")
    broken = folder / "a_single.png"
    good = np.asarray(Image.open(folder / "b_mono.png"))
    Image.fromarray(good).save(broken)
    data = broken.read_bytes()
    broken.write_bytes(data[:len(data) // 3])             # cut: it fails when colorized
    plan(qtbot, panel, [folder])
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start()
    assert panel.table.statuses() == ["failed", "done"]
    Image.fromarray(good).save(broken)                     # mended
    write_pair(tmp_path / "later", "0")                    # sorts before everything by name
    plan(qtbot, panel, [folder, tmp_path / "later"])
    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert names[:2] == ["a_single", "b"] and names[2] == "0"
    assert panel.table.statuses()[:2] == ["queued", "done"]
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start()
    assert panel.table.statuses() == ["done", "done", "done"]


def test_a_folder_with_nothing_to_colorize_says_so_not_zero_items_queued(qtbot, panel, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a photo")
    plan(qtbot, panel, [tmp_path / "empty"])
    assert panel.status.text().startswith("Nothing to colorize: no pairs or gray photos found"), panel.status.text()
    assert not panel.start_button.isEnabled()
    mono, _ = write_pair(tmp_path / "p", "a", seed=1)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a_colorized.png").write_bytes(mono.read_bytes())      # a's earlier result
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.skip_box.setChecked(True)
    plan(qtbot, panel, [tmp_path / "p"])
    assert panel.status.text().startswith("Nothing left to colorize, 1 already colorized there"), panel.status.text()


def test_the_queue_says_it_removed_what_a_killed_batch_had_left(qtbot, panel, tmp_path):
    import os

    from colorstudio.core.unfinished_writes import STALE_AFTER_S

    out = tmp_path / "results"
    out.mkdir()
    left = out / ".a_colorized.png.k3j_x9q2.part"
    left.write_bytes(b"half")
    old = time.time() - STALE_AFTER_S - 1
    os.utime(left, (old, old))
    write_pair(tmp_path / "shoot", "a", seed=1)
    plan(qtbot, panel, [tmp_path / "shoot"])
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start_button.click()
    assert not left.exists()
    assert panel.status.text().endswith("; removed 1 unfinished file(s) a batch killed mid-write had left")
    assert sorted(p.name for p in out.iterdir()) == ["a_colorized.png"]


def test_a_long_output_path_is_shortened_in_the_middle_keeping_its_file_name(panel):
    from PySide6.QtCore import Qt

    assert panel.table.textElideMode() == Qt.TextElideMode.ElideMiddle      # "…/colorized/ét…" hid the name


def test_the_queue_columns_are_sized_once_a_fill_is_done_not_on_every_change(qtbot, panel, tmp_path):
    """Sized to their contents on every change, each status change re-measured the whole column:
    at 500 rows 14 ms an update and 3.6 s to fill the queue again (the window froze)."""
    from PySide6.QtWidgets import QHeaderView

    write_pair(tmp_path / "p", "a_rather_long_name_for_a_scene", seed=1)
    plan(qtbot, panel, [tmp_path / "p"])
    header, table = panel.table.horizontalHeader(), panel.table
    assert all(header.sectionResizeMode(c) != QHeaderView.ResizeMode.ResizeToContents for c in range(5))
    metrics = table.fontMetrics()
    assert table.columnWidth(0) >= metrics.horizontalAdvance("a_rather_long_name_for_a_scene") + table.iconSize().width()
    assert table.columnWidth(2) >= metrics.horizontalAdvance("cancelled")      # the longest status fits


def test_a_column_the_user_sized_keeps_its_width_when_the_queue_fills_again(qtbot, panel, tmp_path):
    """Each fill (a drop, a new output folder, a batch's end) set every column to its contents,
    so a name column dragged wider to read long names sprang back."""
    write_pair(tmp_path / "p", "scene", seed=1)
    plan(qtbot, panel, [tmp_path / "p"])
    header, table = panel.table.horizontalHeader(), panel.table
    fitted_kind = table.columnWidth(1)
    header.resizeSection(0, 420)                     # as a drag of the header's divider does
    write_pair(tmp_path / "q", "a_much_longer_name_for_another_scene", seed=2)
    plan(qtbot, panel, [tmp_path / "q"])
    assert table.rowCount() == 2
    assert table.columnWidth(0) == 420 and table.columnWidth(1) == fitted_kind
