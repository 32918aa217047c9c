"""Settings persist per user folder (isolated per test); errors are one line + details + logged."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from colorstudio import paths
from colorstudio.errors import UnreadableImageError
from colorstudio.gui.error_dialog import describe, setup_logging, show_error
from colorstudio.gui.settings import MAX_RECENT, Settings


def test_settings_live_in_the_user_folder_and_persist(isolated_user_dir, tmp_path):
    s = Settings()
    assert s.file.parent == isolated_user_dir
    assert s.output_dir is None and s.device == "auto" and s.model_choice(True) == s.model_choice(False) == ""
    assert s.view_mode == "side"
    s.view_mode = "result"
    s.output_dir = tmp_path / "out"
    s.device = "cpu"
    s.set_model_choice(True, "method:dis+gf")
    s.jpeg_quality = 300
    s.sync()
    again = Settings()
    assert again.output_dir == tmp_path / "out"
    assert again.device == "cpu" and again.model_choice(True) == "method:dis+gf"
    assert again.jpeg_quality == 100                      # clamped
    assert again.view_mode == "result"
    again.view_mode = "somewhere"
    assert again.view_mode == "side"                      # an unknown mode: the first-time one
    with pytest.raises(ValueError, match="device must be one of"):
        again.device = "tpu"


def test_each_test_starts_with_fresh_settings():
    s = Settings()
    assert s.device == "auto" and s.recent() == []


def test_recent_files_most_recent_first_without_duplicates(tmp_path):
    s = Settings()
    a, b = [tmp_path / "a_mono.png", tmp_path / "a_color.png"], [tmp_path / "b.png"]
    s.add_recent(a)
    s.add_recent(b)
    s.add_recent(a)
    assert s.recent() == [a, b]
    for i in range(MAX_RECENT + 5):
        s.add_recent([tmp_path / f"{i}.png"])
    assert len(s.recent()) == MAX_RECENT
    s.clear_recent()
    assert s.recent() == []


def test_a_recent_pair_whose_folder_has_a_bar_in_its_name_reopens(tmp_path):
    s = Settings()
    pair = [tmp_path / "a|b" / "x_mono.png", tmp_path / "a|b" / "x_color.png"]   # '|' is legal in names
    s.add_recent(pair)
    assert Settings().recent() == [pair]
    s._q.setValue("files/recent", [f"{tmp_path}/old_mono.png|{tmp_path}/old_color.png"])  # an older version's
    assert s.recent() == [[tmp_path / "old_mono.png", tmp_path / "old_color.png"]]


def test_an_export_format_setting_is_one_the_export_offers(settings):
    for stored, read in ((".gif", ".png"), (".", ".png"), (".JPEG", ".jpg"), (".tiff", ".tif"), (".webp", ".webp")):
        settings._q.setValue("export/format", stored)              # a hand-edited settings file
        assert settings.export_format == read, stored


def test_a_recent_files_setting_that_is_not_a_list_is_read_as_none(settings):
    settings._q.setValue("files/recent", 7)                    # a hand-edited settings file
    assert settings.recent() == []
    settings.add_recent([Path("/x/a_mono.png")])
    assert settings.recent() == [[Path("/x/a_mono.png")]]


def test_photos_opened_by_relative_paths_are_remembered_by_absolute_ones(qtbot, window, pair_files, monkeypatch):
    monkeypatch.chdir(pair_files[0].parent.parent)           # as the command line gives them
    relative = [Path(pair_files[0].parent.name) / p.name for p in pair_files]
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths(relative)
    assert window.settings.recent()[0] == [p.absolute() for p in pair_files]
    assert Path(window.settings.last_folder).is_absolute()


def test_user_errors_are_one_line_bugs_say_unexpected():
    line, details = describe(UnreadableImageError("x.png: the file is empty (0 bytes)"))
    assert line == "x.png: the file is empty (0 bytes)."          # the file's name keeps its case
    try:
        {}["missing"]
    except KeyError as e:
        line, details = describe(e)
    assert line.startswith("Unexpected error (KeyError") and "Traceback" in details


def test_an_engine_error_in_the_cli_s_words_reads_as_a_sentence_in_a_dialog():
    from colorstudio.errors import OutputError
    from colorstudio.gui.error_dialog import as_sentence

    assert describe(OutputError("the output folder /x is a file, not a folder; choose a folder"))[0] == \
        "The output folder /x is a file, not a folder; choose a folder."
    assert as_sentence("cannot read 'a.png' (damaged).") == "Cannot read 'a.png' (damaged)."
    assert as_sentence("photo.tif: the file is empty") == "photo.tif: the file is empty."
    assert as_sentence("'my model' is missing") == "'my model' is missing."
    assert as_sentence("scan 3.png is all black") == "scan 3.png is all black."          # a name with a space
    assert as_sentence("photo: cannot be read") == "photo: cannot be read."
    assert as_sentence("Telling gray photos from colour ones…") == "Telling gray photos from colour ones…"


def test_running_out_of_memory_is_said_as_the_cli_and_the_batch_say_it_not_as_a_bug(qtbot, window, pair_files,
                                                                                      monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    import colorstudio.gui.jobs as jobs
    import colorstudio.gui.main_window as mw
    from colorstudio.errors import NOT_ENOUGH_MEMORY

    line, _ = describe(MemoryError())
    assert line == "N" + NOT_ENOUGH_MEMORY[1:] + "."
    boxes = []
    real = mw.show_error
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: boxes.append(real(parent, exc, **kw)))

    def too_large(*args, **kwargs):
        raise MemoryError()
        yield

    monkeypatch.setattr(jobs, "colorize_steps", too_large)
    from test_main_window import open_pair

    open_pair(qtbot, window, *pair_files)
    with qtbot.waitSignal(window.jobFailed, timeout=20000):
        window.colorize()
    assert boxes[0].text() == line and boxes[0].icon() == QMessageBox.Icon.Warning
    assert window.side.status.text() == line
    boxes[0].close()


def test_show_error_logs_to_the_user_log_file(qtbot):
    handler = setup_logging()
    try:
        box = show_error(None, UnreadableImageError("y.jpg: cannot be read"), context="open")
        qtbot.addWidget(box)
        assert box.text() == "y.jpg: cannot be read."
        assert str(paths.log_file()) in box.informativeText()
        handler.flush()
        assert "open: y.jpg: cannot be read" in paths.log_file().read_text()
        box.close()
    finally:
        logging.getLogger("colorstudio").removeHandler(handler)
        handler.close()


def test_the_method_chosen_for_pairs_outlives_one_chosen_for_a_single_gray(qtbot, window, pair_files):
    from test_main_window import open_pair

    open_pair(qtbot, window, *pair_files)
    assert window.side.select("method:sgbm+gf")
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    assert window.side.select("method:cheng")
    open_pair(qtbot, window, *pair_files)
    assert window.side.current_choice().key == "method:sgbm+gf"       # not Automatic
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    assert window.side.current_choice().key == "method:cheng"
    again = Settings()
    assert again.model_choice(True) == "method:sgbm+gf" and again.model_choice(False) == "method:cheng"


def test_the_batch_queues_folder_skip_box_and_method_outlive_the_window(qtbot, settings, tmp_path):
    from colorstudio.gui.main_window import MainWindow

    first = MainWindow(settings)
    first.force_close = True
    qtbot.addWidget(first)
    panel = first.batch
    panel.out_edit.setText(str(tmp_path / "my results"))      # typed in, then Enter
    panel.out_edit.editingFinished.emit()
    panel.skip_box.setChecked(True)
    index = next(i for i in range(panel.method_box.count()) if panel.method_box.itemData(i).key == "method:dis+gf")
    panel.method_box.setCurrentIndex(index)
    panel.method_box.activated.emit(index)                     # as a user's pick does
    first.close()

    again = MainWindow(Settings())
    again.force_close = True
    qtbot.addWidget(again)
    assert again.batch.out_dir() == tmp_path / "my results"
    assert again.batch.skip_box.isChecked()
    assert again.batch.method_box.currentData().key == "method:dis+gf"
    again.batch.set_out_dir(None)                              # back to "beside the photos"
    assert Settings().batch_folder == "" and not again.batch.out_edit.text()
    again.close()


def test_a_librarys_failed_allocation_is_said_as_running_out_of_memory_too():
    import torch

    from colorstudio.errors import NOT_ENOUGH_MEMORY

    try:
        torch.empty(2**50, dtype=torch.uint8)
    except RuntimeError as e:
        line, _ = describe(e)
    assert line.lower().startswith(NOT_ENOUGH_MEMORY) and "Unexpected" not in line
