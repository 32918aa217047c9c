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
