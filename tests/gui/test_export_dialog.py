"""The export dialog's File field: whatever is typed, Save writes a file, never a folder."""
from __future__ import annotations

from pathlib import Path

from colorstudio.gui.export_dialog import ExportDialog


def test_an_emptied_file_field_gets_the_suggested_name(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path / "scene_colorized.png")
    qtbot.addWidget(dialog)
    dialog.path_edit.setText("")
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(".jpg"))   # used to raise ValueError
    assert Path(dialog.path_edit.text()) == tmp_path / "scene_colorized.jpg"
    dialog.path_edit.setText("   ")
    dialog.diagnostics.setChecked(True)
    options = dialog.options()                                              # used to raise ValueError
    assert options.path == tmp_path / "scene_colorized.jpg"
    assert options.diagnostics_dir == tmp_path / "scene_colorized_diagnostics"


def test_a_folder_in_the_file_field_means_the_suggested_name_in_it(qtbot, tmp_path):
    (tmp_path / "out").mkdir()
    dialog = ExportDialog(tmp_path / "scene_colorized.png", fmt=".tif")
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "out"))
    assert dialog.options().path == tmp_path / "out" / "scene_colorized.tif"
    dialog.path_edit.setText(str(tmp_path / "out" / "mine.tif"))
    assert dialog.options().path == tmp_path / "out" / "mine.tif"


def test_a_name_with_dots_of_its_own_keeps_them(qtbot, tmp_path):
    # photos named by date: '2021.06.14' must not become '2021.06.png' (shared by every day's export)
    dialog = ExportDialog(tmp_path / "2021.06.14_colorized")
    qtbot.addWidget(dialog)
    assert Path(dialog.path_edit.text()) == tmp_path / "2021.06.14_colorized.png"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(".jpg"))
    assert Path(dialog.path_edit.text()) == tmp_path / "2021.06.14_colorized.jpg"
    assert dialog.options().diagnostics_dir is None
    dialog.diagnostics.setChecked(True)
    assert dialog.options().diagnostics_dir == tmp_path / "2021.06.14_colorized_diagnostics"
    dialog.path_edit.setText(str(tmp_path / "2021.06.15_mine"))         # typed without extension
    assert dialog.options().path == tmp_path / "2021.06.15_mine.jpg"


def test_exported_diagnostics_get_a_folder_of_their_own(qtbot, window, pair_files, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from test_main_window import colorize, open_pair

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
    open_pair(qtbot, window, *pair_files)
    written = []
    for method in ("dis+gf", "reinhard"):
        colorize(qtbot, window, method)
        window.export_diagnostics_dialog()
        qtbot.waitUntil(lambda: window.worker is None, timeout=20000)
        written.append(sorted(p.name for p in out.iterdir()))
        assert window.side.progress.value() == 100           # not left at the job's last step
        folder = out / written[-1][-1]
        files = len(list(folder.iterdir()))                   # how many, and where: not one map's name
        assert window.side.status.text() == f"Written: {files} diagnostics files in {folder}"
        assert window.statusBar().currentMessage() == window.side.status.text()
    assert written == [["scene_diagnostics"], ["scene_diagnostics", "scene_diagnostics-2"]]
    import json
    assert json.loads((out / "scene_diagnostics-2" / "info.json").read_text())["method"] == "reinhard"
    assert not (out / "scene_diagnostics-2" / "flow.png").exists()      # no map of the other result


def test_a_saved_output_folder_since_removed_falls_back_beside_the_photo(qtbot, window, pair_files, tmp_path):
    from test_main_window import open_pair

    gone = tmp_path / "unplugged_drive"
    gone.mkdir()
    window.settings.output_dir = gone
    open_pair(qtbot, window, *pair_files)
    assert window._default_output().parent == gone
    gone.rmdir()
    assert window._default_output().parent == pair_files[0].parent


def test_a_typed_name_with_a_format_extension_chooses_that_format(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path / "scene_colorized", fmt=".png", bit_depth=16)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "mine.jpg"))
    dialog.path_edit.editingFinished.emit()
    assert dialog.format_box.currentData() == ".jpg"
    assert not dialog.depth_box.isEnabled() and dialog.quality.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "mine.tiff"))                  # typed, Save at once
    options = dialog.options()
    assert options.path == tmp_path / "mine.tiff" and dialog.format_box.currentData() == ".tif"


def test_the_sample_pair_is_not_exported_into_the_apps_own_folder(qtbot, window, monkeypatch, tmp_path):
    from pathlib import Path

    from colorstudio import paths

    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    window.settings.last_folder = str(tmp_path)
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_sample_pair()
    assert window._default_output().parent == home / "Pictures"
    assert window.settings.last_folder == str(tmp_path)          # File ▸ Open not sent into the app
    assert paths.in_examples(paths.examples_dir() / "motorcycle_mono.png") and not paths.in_examples(tmp_path)


def test_a_bare_or_relative_name_is_saved_in_the_suggested_folder(qtbot, tmp_path, monkeypatch):
    elsewhere = tmp_path / "started-here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)                     # the folder the app was started from
    photos = tmp_path / "photos"
    photos.mkdir()
    dialog = ExportDialog(photos / "scene_colorized.png")
    qtbot.addWidget(dialog)
    dialog.path_edit.setText("final.png")
    assert dialog.options().path == photos / "final.png"
    dialog.path_edit.setText("sub/final.png")
    assert dialog.options().path == photos / "sub" / "final.png"


def test_exporting_over_an_input_is_refused_before_any_replace_question(qtbot, window, pair_files, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from colorstudio.gui import export_actions
    from test_main_window import colorize, open_pair

    open_pair(qtbot, window, *pair_files)
    colorize(qtbot, window, "dis+gf")
    gray_path = pair_files[0]
    before = gray_path.read_bytes()
    monkeypatch.setattr(ExportDialog, "exec", lambda self: ExportDialog.DialogCode.Accepted)
    monkeypatch.setattr(ExportDialog, "options", lambda self: _options(gray_path, None))
    asked, errors = [], []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.Yes)[1])
    monkeypatch.setattr(export_actions, "show_error", lambda parent, exc, **k: errors.append(str(exc)))
    window.export_dialog()
    assert not asked and errors and "refusing to overwrite an input" in errors[0]
    assert window.side.status.text().startswith("Not written"), window.side.status.text()
    assert window.worker is None and gray_path.read_bytes() == before


def test_diagnostics_written_with_a_replaced_result_get_a_folder_of_their_own(qtbot, window, pair_files, tmp_path,
                                                                              monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from test_main_window import colorize, open_pair

    out = tmp_path / "moto.png"
    monkeypatch.setattr(ExportDialog, "exec", lambda self: ExportDialog.DialogCode.Accepted)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    open_pair(qtbot, window, *pair_files)
    for method in ("dis+gf", "reinhard"):
        colorize(qtbot, window, method)
        monkeypatch.setattr(ExportDialog, "options", lambda self: _options(out, tmp_path / "moto_diagnostics"))
        window.export_dialog()
        qtbot.waitUntil(lambda: window.worker is None, timeout=20000)
    import json
    assert json.loads((tmp_path / "moto_diagnostics" / "info.json").read_text())["method"] == "dis+gf"
    assert json.loads((tmp_path / "moto_diagnostics-2" / "info.json").read_text())["method"] == "reinhard"
    assert not (tmp_path / "moto_diagnostics-2" / "flow.png").exists()
    assert "moto_diagnostics-2" in window.side.status.text()             # where the maps went


def _options(path, diagnostics):
    from colorstudio.gui.export_dialog import ExportOptions

    return ExportOptions(path, None, 95, diagnostics)


def test_bmp_is_listed_and_a_format_that_cannot_be_written_is_refused_in_one_line(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path / "scene_colorized", fmt=".png")
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "out.bmp"))               # typed, Save at once
    assert dialog.options().path == tmp_path / "out.bmp"
    assert dialog.format_box.currentData() == ".bmp"                  # the box says what is written
    assert not dialog.depth_box.isEnabled()
    for name in ("out.gif", "out.heic"):
        dialog.path_edit.setText(str(tmp_path / name))
        dialog.accept()
        assert dialog.result() != ExportDialog.DialogCode.Accepted and not (tmp_path / f"{name}.png").exists()
        message = dialog.problem_label.text()
        assert dialog.problem_label.isVisibleTo(dialog) and "\n" not in message
        assert message.startswith(f"{name}: ") and "cannot be written" in message and ".bmp" in message
    dialog.path_edit.setText(str(tmp_path / "photo.final"))          # dots of the name's own: no refusal
    assert dialog.problem() == "" and not dialog.problem_label.isVisibleTo(dialog)
    assert dialog.options().path == tmp_path / "photo.final.bmp"


def test_a_name_longer_than_a_file_system_takes_is_refused_in_one_line(qtbot, tmp_path):
    """Python 3.11 raised "File name too long" from the dialog's own look at the name (a
    traceback dialog); a name that fits whose diagnostics' folder would not is refused too."""
    dialog = ExportDialog(tmp_path / "scene_colorized", fmt=".png")
    qtbot.addWidget(dialog)
    for name, diagnostics in (("a" * 300 + ".png", False), ("b" * 248 + ".png", True)):
        dialog.diagnostics.setChecked(diagnostics)
        dialog.path_edit.setText(str(tmp_path / name))
        dialog.accept()
        assert dialog.result() != ExportDialog.DialogCode.Accepted
        message = dialog.problem_label.text()
        assert "bytes long; a file system takes at most 255" in message and "\n" not in message
        assert ("diagnostics' folder" in message) == diagnostics
    dialog.diagnostics.setChecked(False)                  # the second name itself fits
    assert dialog.problem() == ""


def test_the_suggested_name_drops_only_a_trailing_gray_tag(qtbot, window, tmp_path):
    from gui_helpers import write_pair
    from test_main_window import open_pair

    mono, colour = write_pair(tmp_path / "photos", "my_monolith")      # my_monolith_mono.png + _color.png
    open_pair(qtbot, window, mono, colour)
    assert window._default_output().name == "my_monolith_colorized"     # was 'mylith_colorized'
    lone_gray = mono.rename(mono.with_name("Harbour_MONO.png"))          # opened alone: named by its stem
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_pair(lone_gray, None)
    assert window._default_output().name == "Harbour_colorized"


def test_the_next_export_dialog_shows_the_format_and_bit_depth_chosen_last(qtbot, window, pair_files, tmp_path,
                                                                            monkeypatch):
    from colorstudio.gui.export_dialog import ExportOptions
    from test_main_window import colorize, open_pair

    open_pair(qtbot, window, *pair_files)
    colorize(qtbot, window, "dis+gf")
    monkeypatch.setattr(ExportDialog, "exec", lambda self: ExportDialog.DialogCode.Accepted)
    written = []
    monkeypatch.setattr(window, "export_to", lambda path, bit_depth, *a: written.append((path.name, bit_depth)))

    def export(name, bit_depth):
        monkeypatch.setattr(ExportDialog, "options", lambda self: ExportOptions(tmp_path / name, bit_depth, 90, None))
        window.export_dialog()
        following = ExportDialog(tmp_path / "next", window.settings.export_format, window.settings.export_bit_depth)
        qtbot.addWidget(following)
        return following

    after_tiff = export("x.tiff", 16)                       # typed with the longer spelling
    assert after_tiff.format_box.currentData() == ".tif" and after_tiff.depth_box.currentData() == 16
    after_jpeg = export("x.jpeg", None)                     # 8 bit only: no bit depth was chosen
    assert after_jpeg.format_box.currentData() == ".jpg"
    assert window.settings.export_bit_depth == 16           # the 16 chosen for PNG/TIFF is kept
    after_png = export("x.png", None)                       # 'as the gray photo' chosen for a PNG
    assert after_png.format_box.currentData() == ".png" and after_png.depth_box.currentData() == 0
    assert written == [("x.tiff", 16), ("x.jpeg", None), ("x.png", None)]
