"""What a review of the app's screenshots found hard to read: unticked boxes as smudges on the
dark theme, "CPU (1 threads)" said twice, a cut export message, an opening note the status bar
cut short and a hovered menu wiped."""
from __future__ import annotations


def test_unticked_boxes_and_radios_get_a_light_border(qapp):
    from colorstudio.gui.theme import UNTICKED_INDICATORS, apply_dark_palette

    palette, sheet = qapp.palette(), qapp.styleSheet()
    try:
        apply_dark_palette(qapp)
        assert UNTICKED_INDICATORS in qapp.styleSheet() and "#8a8a8a" in UNTICKED_INDICATORS
    finally:                                  # the other tests' app as it was
        qapp.setPalette(palette)
        qapp.setStyleSheet(sheet)


def test_the_cpu_is_named_once_with_its_thread_count_in_words(monkeypatch):
    import torch

    from colorstudio.gui import devices

    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    info = devices.detect("auto")
    assert info.name == "CPU (1 thread)" and info.message.endswith("(1 thread)")


def test_a_long_export_problem_wraps_instead_of_being_cut(qtbot, tmp_path):
    from colorstudio.gui.export_dialog import ExportDialog

    dialog = ExportDialog(tmp_path / "a_colorized.png", ".png", 0, 95, 8)
    qtbot.addWidget(dialog)
    assert dialog.problem_label.wordWrap()


def test_an_opening_note_stays_in_the_side_panel(qtbot, window, pair_files):
    note = "2 items found: they are in the batch queue; showing scene."
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_pair(*pair_files, note=note)
    assert note in window.side.status.text()
