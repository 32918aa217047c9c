"""The picker's user models: a broken file or card in the models folder never stops the app
from starting, and each model is offered for the input its method takes."""
from __future__ import annotations

import os

from colorstudio.engine.methods import PAIR, SINGLE
from colorstudio.engine.model_catalog import user_models

from gui_helpers import STAND_IN_WEIGHTS


def test_broken_cards_and_dangling_links_are_passed_over(tmp_path):
    for name, card in (("null_card", "null"), ("list_card", "[]"), ("text_card", '"hello"'), ("bad_json", "{")):
        (tmp_path / f"{name}.safetensors").write_bytes(STAND_IN_WEIGHTS)
        (tmp_path / f"{name}.json").write_text(card)
    os.symlink(tmp_path / "gone.bin", tmp_path / "gone.safetensors")
    found = {c.model.stem: c for c in user_models(tmp_path)}
    assert set(found) == {"null_card", "list_card", "text_card", "bad_json"}    # no card: cyclecnn
    assert all(c.method == "cyclecnn" and c.kind == PAIR for c in found.values())


def test_each_model_is_offered_for_the_input_its_method_takes(tmp_path):
    for name, method in (("mine_hsv", "hsv2stage"), ("mine_stereo", "cyclecnn"), ("mine_odd", "no_such")):
        (tmp_path / f"{name}.safetensors").write_bytes(STAND_IN_WEIGHTS)
        (tmp_path / f"{name}.json").write_text(f'{{"method": "{method}"}}')
    found = {c.model.stem: c for c in user_models(tmp_path)}
    assert set(found) == {"mine_hsv", "mine_stereo"}                # an unknown method is not offered
    assert found["mine_hsv"].kind == SINGLE and found["mine_hsv"].fits(is_pair=False)
    assert not found["mine_hsv"].fits(is_pair=True)
    assert found["mine_stereo"].kind == PAIR


def test_the_window_starts_with_a_broken_models_folder(qtbot, isolated_user_dir):
    from colorstudio import paths
    from colorstudio.gui.main_window import MainWindow

    folder = paths.user_models_dir()
    (folder / "broken.safetensors").write_bytes(b"x")                # not a model file: not offered
    (folder / "broken_card.safetensors").write_bytes(STAND_IN_WEIGHTS)
    (folder / "broken_card.json").write_text("null")
    os.symlink(folder / "gone.bin", folder / "gone.safetensors")
    window = MainWindow()
    qtbot.addWidget(window)
    window.force_close = True
    labels = [window.side.picker.itemText(i) for i in range(window.side.picker.count())]
    assert any("broken_card (your model, cyclecnn)" in label for label in labels)
    assert not any(label.startswith("broken (") for label in labels)


def test_a_choice_given_to_the_picker_is_remembered_for_the_next_photos(qtbot, window, pair_files):
    from test_main_window import open_pair

    window.refresh_choices("method:sgbm+gf")            # as after the wizard saved a model
    open_pair(qtbot, window, *pair_files)
    assert window.side.current_choice().key == "method:sgbm+gf"


def test_the_weights_own_header_decides_over_the_card(tmp_path):
    import shutil

    from colorstudio import paths

    shutil.copy(paths.models_dir() / "cheng.safetensors", tmp_path / "copied.safetensors")
    (tmp_path / "copied.json").write_text('{"method": "cyclecnn"}')        # a card that says otherwise
    (found,) = user_models(tmp_path)
    assert found.method == "cheng" and found.kind == SINGLE


def test_two_models_with_one_name_are_told_apart_by_their_files(tmp_path):
    for stem in ("mycam", "mycam-copy", "other"):
        (tmp_path / f"{stem}.safetensors").write_bytes(STAND_IN_WEIGHTS)
        (tmp_path / f"{stem}.json").write_text('{"name": "%s"}' % ("other" if stem == "other" else "My camera"))
    labels = {c.model.name: c.label for c in user_models(tmp_path)}
    assert labels["mycam.safetensors"] == "My camera (your model, cyclecnn, mycam.safetensors)"
    assert labels["mycam-copy.safetensors"] == "My camera (your model, cyclecnn, mycam-copy.safetensors)"
    assert labels["other.safetensors"] == "other (your model, cyclecnn)"        # a unique name stays short


def test_a_model_added_or_deleted_in_the_folder_shows_in_the_picker(qtbot, window):
    from colorstudio import paths

    def offered() -> list[str]:
        return [window.side.picker.itemData(i) for i in range(window.side.picker.count())]

    weights = paths.user_models_dir() / "dropped.safetensors"
    key = f"model:{weights}"
    assert key not in offered()
    weights.write_bytes(STAND_IN_WEIGHTS)                      # copied in by hand, app running
    qtbot.waitUntil(lambda: key in offered(), timeout=5000)
    weights.unlink()
    qtbot.waitUntil(lambda: key not in offered(), timeout=5000)


def test_a_model_file_added_from_elsewhere_is_copied_checked_and_chosen(qtbot, window, pair_files, tmp_path):
    """Tools ▸ Add a model file…: the copy runs as a job; the model is then chosen for pairs,
    the user's file is left where it was, and a file that cannot run says why in one line."""
    from colorstudio import paths
    from colorstudio.nets.ccdc import CCDC, CCDCConfig
    from colorstudio.nets.weights_file import save_weights
    from test_main_window import open_pair

    cfg = CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4), decoder_widths=(4, 4, 4, 4),
                     full_width=4)
    source = tmp_path / "from_a_colleague.safetensors"
    save_weights(source, CCDC(cfg).state_dict(), "ccdc", cfg.to_dict())
    open_pair(qtbot, window, *pair_files)
    window.add_model_file(source)
    target = paths.user_models_dir() / source.name
    qtbot.waitUntil(lambda: window.worker is None and window.side.current_choice().model == target, timeout=20000)
    assert source.is_file() and target.is_file()
    assert window.side.current_choice().model == target and window.side.current_choice().method == "ccdc"
    assert window.settings.model_choice(pair=True) == f"model:{target}"
    assert "Added from_a_colleague (ccdc, for pairs)" in window.side.status.text()

    bad = tmp_path / "pickled.safetensors"
    bad.write_bytes(b"\x80\x04\x95 not a model")
    shown = []
    import colorstudio.gui.main_window as main_window

    original = main_window.show_error
    main_window.show_error = lambda parent, exc, **kw: shown.append(str(exc))
    try:
        with qtbot.waitSignal(window.jobFailed, timeout=20000):
            window.add_model_file(bad)
    finally:
        main_window.show_error = original
    assert len(shown) == 1 and "pickled.safetensors" in shown[0] and "\n" not in shown[0]
    assert "Added" not in window.statusBar().currentMessage()     # the earlier success is not left there
    assert window.side.progress.format() == ""                    # not "0%", as if a job had run and done nothing
    assert not (paths.user_models_dir() / bad.name).exists()


def test_a_single_gray_model_added_while_a_pair_is_open_says_when_it_is_chosen(qtbot, window, pair_files,
                                                                                 tmp_path):
    from colorstudio import paths
    from colorstudio.engine.single import read_model
    from test_main_window import open_pair

    shipped = paths.models_dir() / "cheng.safetensors"
    source = tmp_path / "my_cheng.safetensors"
    source.write_bytes(shipped.read_bytes())
    read_model("cheng", source)                               # a real cheng model
    open_pair(qtbot, window, *pair_files)
    before = window.side.current_choice().key
    window.add_model_file(source)
    qtbot.waitUntil(lambda: window.worker is None and "Added my_cheng" in window.side.status.text(), timeout=20000)
    assert "it is chosen when you open a single gray" in window.side.status.text()
    assert window.side.current_choice().key == before        # the pair's choice stays
    assert window.settings.model_choice(pair=False) == f"model:{paths.user_models_dir() / source.name}"


def test_text_from_files_and_cards_is_never_read_as_markup(window):
    """A card named '<b>bold</b><img src=…>' put the bold word and a whole photo into the result's
    title; a model file named '<u>bad' underlined the error box's text."""
    from PySide6.QtCore import Qt

    from colorstudio.errors import ModelError
    from colorstudio.gui.error_dialog import make_error_box

    plain = Qt.TextFormat.PlainText
    side = window.side
    labels = [*window.compare.titles.values(), window.compare.split_title, side.gray_label,
              side.reference_label, side.summary, side.status, window.batch.status]
    assert all(label.textFormat() == plain for label in labels)
    window.compare.titles["result"].setText("Result · <b>bold</b><img src='x.png'>")
    assert "<b>" in window.compare.titles["result"].text()          # shown as the characters it has
    box = make_error_box(window, ModelError("<u>bad.safetensors is not a model file"))
    assert box.textFormat() == plain
    box.deleteLater()
