"""The fine-tune wizard's pair checks, per network: a pair it calls usable for a network is one
that network's fine-tuner takes, and one it leaves out is one the fine-tuner refuses."""
from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from colorstudio import paths
from colorstudio.core.pairs import PairItem, discover
from colorstudio.errors import ColorStudioError
from colorstudio.gui.finetune_pair_checks import FolderSummary, check_pair_item
from colorstudio.gui.finetune_wizard import EVALUATION, TRAINING
from colorstudio.training.finetune import prepare_pair

from finetune_helpers import go_to_settings
from generator_steps import steps_and_result
from gui_helpers import write_pair


def _item(folder):
    (item,) = [i for i in discover([folder]).items if i.reference is not None]
    return item


def _both_fine_tuners_agree(check, mono, colour):
    """Each network's verdict on the pair is its fine-tuner's, with the same reason."""
    from colorstudio.training.finetune_ccdc import load_shot

    for method, prepare in (("cyclecnn", lambda: prepare_pair(mono, colour, max_disparity=64)),
                            ("ccdc", lambda: load_shot(mono, colour))):
        if check.usable(method):
            prepare()
        else:
            with pytest.raises(ColorStudioError) as refused:
                prepare()
            assert f": {check.left_out[method]}; leave it out" in str(refused.value)


def _same_picture_at_half_size(folder):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    img = cv2.normalize(cv2.GaussianBlur((rng.random((960, 1280, 3)) * 255).astype(np.uint8), (0, 0), 3),
                        None, 0, 255, cv2.NORM_MINMAX)           # both shots are 640 x 480 at CCDC's scale
    cv2.imwrite(str(folder / "s_mono.png"), cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    cv2.imwrite(str(folder / "s_color.png"), cv2.resize(img, (640, 480), interpolation=cv2.INTER_AREA))
    return folder / "s_mono.png", folder / "s_color.png"


def test_each_network_is_offered_the_pairs_its_fine_tuner_takes(tmp_path):
    cases = {"level": {}, "unrectified": {"rows_apart": 10}, "colour_4x_smaller": {"colour_smaller": 4},
             "colour_8x_smaller": {"colour_smaller": 8}, "tiny": {"h": 60, "w": 80, "shift": 3},
             "colour_4x_smaller_rows_2px_apart": {"colour_smaller": 4, "rows_apart": 2}}
    checks = {}
    for name, options in cases.items():
        big = {} if "h" in options else {"h": 480, "w": 640} if "colour_smaller" in options else {"h": 120, "w": 160}
        mono, colour = write_pair(tmp_path / name, name, **{"shift": 5, "seed": 3, **big, **options})
        check = checks[name] = check_pair_item(_item(tmp_path / name))
        _both_fine_tuners_agree(check, mono, colour)
    mono, colour = write_pair(tmp_path / "gray", "gray", h=120, w=160)
    shutil.copy(mono, colour)                      # the "colour" shot is the gray one
    checks["gray"] = check_pair_item(_item(tmp_path / "gray"))
    _both_fine_tuners_agree(checks["gray"], mono, colour)
    checks["same_half"] = check_pair_item(_item(_same_picture_at_half_size(tmp_path / "same_half")[0].parent))
    _both_fine_tuners_agree(checks["same_half"], *_same_picture_at_half_size(tmp_path / "again"))
    usable = {name: sorted(m for m in ("ccdc", "cyclecnn") if c.usable(m)) for name, c in checks.items()}
    assert usable == {"level": ["ccdc", "cyclecnn"], "unrectified": ["ccdc"], "colour_4x_smaller": ["ccdc", "cyclecnn"],
                      "colour_8x_smaller": ["cyclecnn"], "tiny": [], "colour_4x_smaller_rows_2px_apart": ["ccdc"],
                      "gray": [], "same_half": []}
    assert checks["unrectified"].line.endswith("not rectified (rows 10.0 px apart) — left out for the Cycle CNN")
    assert "colour shot is too small" in checks["colour_8x_smaller"].line
    assert checks["colour_8x_smaller"].line.endswith("left out for CCDC")
    assert checks["level"].line.startswith("level: usable, rectified, parallax")
    assert checks["gray"].line == "gray: the colour shot has no colour — left out"     # said once for both
    assert checks["same_half"].line.endswith("both shots are the same picture — left out")


def test_an_unreadable_file_is_left_out_for_both_and_the_scan_goes_on(tmp_path, monkeypatch):
    mono, colour = write_pair(tmp_path / "broken", "b", h=120, w=160)
    colour.write_bytes(b"not a picture")                 # (discovery skips it; a file may also break later)
    check = check_pair_item(PairItem(mono, colour, name="b"))
    assert set(check.left_out) == {"ccdc", "cyclecnn"} and check.line.startswith("b: ")
    from colorstudio.gui.finetune_pair_checks import FolderSummary

    good = check_pair_item(PairItem(*write_pair(tmp_path / "fine", "g", h=120, w=160), name="g"))
    lines = FolderSummary(tmp_path, [check, good], []).lines()
    assert any(line.startswith("Sizes: 160×120") for line in lines) and "0×0" not in " ".join(lines)
    from colorstudio.gui import finetune_pair_checks

    def surprise(*a, **k):
        raise ValueError("an unexpected failure")
    monkeypatch.setattr(finetune_pair_checks, "ccdc_shot", surprise)
    write_pair(tmp_path / "two", "a", h=120, w=160)
    write_pair(tmp_path / "two", "c", h=120, w=160, seed=4)
    summary = steps_and_result(finetune_pair_checks.scan_folder(tmp_path / "two"))[1]
    assert [c.left_out["ccdc"] for c in summary.checks] == ["could not be checked (an unexpected failure)"] * 2
    assert len(summary.usable("cyclecnn")) == 2


def test_a_build_without_ccdc_weights_checks_for_the_cycle_cnn_only(tmp_path):
    folder = tmp_path / "handheld"
    for i in range(2):
        write_pair(folder, f"shot{i}", h=120, w=160, shift=5, seed=30 + i, rows_apart=8)
    from colorstudio.gui.finetune_pair_checks import scan_folder

    summary = steps_and_result(scan_folder(folder, ("cyclecnn",)))[1]
    assert not summary.any_usable() and not summary.usable("ccdc")
    assert summary.lines()[0] == "2 pair(s) found in handheld; usable: 0 for the Cycle CNN."
    assert "Nothing to train on" in summary.lines()[-1]


def test_the_summary_counts_and_splits_per_network(tmp_path):
    folder = tmp_path / "cam"
    for i in range(4):
        write_pair(folder, f"level{i}", h=120, w=160, shift=5, seed=i)
    for i in range(2):
        write_pair(folder, f"moved{i}", h=120, w=160, shift=5, seed=10 + i, rows_apart=10)
    gray = (folder / "level0_mono.png").read_bytes()
    (folder / "flat_mono.png").write_bytes(gray)
    (folder / "flat_color.png").write_bytes(gray)            # no colour: left out for both networks
    items = sorted((i for i in discover([folder]).items if i.reference is not None), key=lambda i: i.name)
    summary = FolderSummary(folder, [check_pair_item(i) for i in items], [])
    assert summary.lines()[0] == "7 pair(s) found in cam; usable: 6 for CCDC, 4 for the Cycle CNN."
    assert "Rectified: 4 of the 6 usable" in summary.lines()            # the left-out pair is not counted
    train, held = summary.split("ccdc")
    assert len(train) == 5 and len(held) == 1 and held[0] not in train
    train, held = summary.split("cyclecnn")
    assert len(train) == 3 and len(held) == 1 and all(p.name.startswith("level") for p in train + held)
    assert summary.usable_line("cyclecnn") == ("The Cycle CNN can use 4 of the 7 pair(s): it trains on 3 and "
                                               "holds 1 apart to score the result.")


def test_one_pair_is_trained_and_scored_on_and_said_to_be(tmp_path):
    folder = tmp_path / "cam"
    write_pair(folder, "only", h=120, w=160, shift=5, seed=0)
    items = [i for i in discover([folder]).items if i.reference is not None]
    summary = FolderSummary(folder, [check_pair_item(i) for i in items],
                            [(folder / "bad_color.png", "bad_color.png: cannot read this file")])
    assert summary.split("ccdc") == (items, [])        # none held apart: the fine-tuner says it scores the training pair
    assert "trains on it and is scored on it too" in summary.usable_line("ccdc")
    assert summary.skipped_lines() == ["bad_color.png: cannot read this file"]     # the name once
    assert "1 file(s) not used (not part of a pair, or unreadable: see the list)." in summary.lines()


def test_the_wizard_trains_ccdc_on_unrectified_pairs_and_evaluates_it(qtbot, wizard, tmp_path):
    folder = tmp_path / "handheld"
    for i in range(3):
        write_pair(folder, f"shot{i}", h=120, w=160, shift=5, seed=30 + i, rows_apart=8)
    go_to_settings(qtbot, wizard, folder)
    page = wizard.settings_page
    assert "usable: 3 for CCDC, 0 for the Cycle CNN" in wizard.checks_page.summary.text()
    assert page.method() == "ccdc" and page.pairs_label.text() == ("CCDC can use 3 of the 3 pair(s): it trains on 2 "
                                                                 "and holds 1 apart to score the result.")
    page.network.setCurrentIndex(page.network.findData("cyclecnn"))
    assert not page.isComplete() and page.pairs_label.text().startswith("None of the 3 pair(s) suits the Cycle CNN")
    page.network.setCurrentIndex(page.network.findData("ccdc"))
    assert page.isComplete()

    def copy_of_the_shipped_model(plan):          # stands in for training; the evaluation is real
        shutil.copy(paths.models_dir() / "ccdc.safetensors", plan.weights_out)
        yield {"step": 1, "total_steps": 1, "lr": 1e-3, "seconds": 0.1, "eta": 0.0, "losses": {"colour": 0.1},
               "preview": np.full((24, 32, 3), 0.5, np.float32)}
    wizard.training_page.trainer = copy_of_the_shipped_model
    page.budget_steps.setChecked(True)
    page.steps.setValue(1)
    wizard.next()
    assert wizard.currentId() == TRAINING
    assert (len(wizard.plan.train_pairs), len(wizard.plan.held_out)) == (2, 1)
    qtbot.waitUntil(lambda: wizard.training_page.isComplete(), timeout=30000)
    wizard.next()
    assert wizard.currentId() == EVALUATION
    qtbot.waitUntil(lambda: wizard.evaluation_page.result is not None, timeout=60000)
    result = wizard.evaluation_page.result
    assert np.isfinite(result.before.cycle_psnr) and result.after.cycle_psnr == pytest.approx(result.before.cycle_psnr)


def test_when_only_the_cycle_cnn_has_pairs_the_settings_start_with_it(qtbot, wizard, tmp_path):
    folder = tmp_path / "small-colour"
    for i in range(2):
        write_pair(folder, f"shot{i}", h=480, w=640, shift=5, seed=40 + i, colour_smaller=8)
    go_to_settings(qtbot, wizard, folder)
    assert wizard.settings_page.method() == "cyclecnn" and wizard.settings_page.isComplete()
    wizard.settings_page.stop_detection()


def test_looking_through_the_folder_says_how_far_it_got_before_the_checks(tmp_path):
    from colorstudio.gui.finetune_pair_checks import scan_folder

    folder = tmp_path / "cam"
    write_pair(folder, "a", h=120, w=160)
    write_pair(folder, "b", h=120, w=160, seed=3)
    cv2.imwrite(str(folder / "lonely.png"), np.zeros((40, 50), np.uint8))
    steps, summary = steps_and_result(scan_folder(folder, ("cyclecnn",)))
    said = [s.message for s in steps]
    assert said[:6] == ["looking for pairs"] + [f"looking for pairs: {n} of 5 files read" for n in range(1, 6)]
    assert said[6:8] == ["telling gray photos from colour ones: 0 of 1 looked at",
                         "telling gray photos from colour ones: 1 of 1 looked at"]
    assert said[8:] == ["checking a", "checking b", "checked"]
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions) and fractions[7] <= 0.05 and len(summary.checks) == 2
