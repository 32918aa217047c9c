"""Planning a batch is a generator: it says how far it got while the files are read and their
pixels looked at (a folder of a thousand PNGs takes minutes), and a caller can stop it. The CLI
says such progress, and a long colorization's, past two seconds."""
from __future__ import annotations

import pytest

from colorstudio.cli import main
from colorstudio.cli_progress import run_saying
from colorstudio.core import pairs
from colorstudio.core.pairs import LOOKING, READING, Looking, discover, discover_steps
from colorstudio.engine.batch import plan_batch, plan_batch_steps

from generator_steps import steps_and_result
from test_pairs import colour_img, gray_img


def shoot(folder):
    """Two pairs (roles by name: no pixels looked at), two lone grays, a lone colour photo, a
    mono shot whose colour partner is missing, and a file that cannot be read."""
    gray_img(folder / "a_mono.png")
    colour_img(folder / "a_color.png")
    gray_img(folder / "b_L.png")
    colour_img(folder / "b_R.png")
    gray_img(folder / "old1.png")
    gray_img(folder / "old2.png")
    colour_img(folder / "holiday.png")
    gray_img(folder / "c_mono.png")
    (folder / "broken.png").write_bytes(b"not a png")
    return folder


def test_every_file_is_read_once_and_only_the_files_without_a_partner_are_looked_at(tmp_path):
    said, found = steps_and_result(discover_steps([shoot(tmp_path / "s")]))
    reads = [s for s in said if s.stage == READING]
    looks = [s for s in said if s.stage == LOOKING]
    assert [(s.done, s.total) for s in reads] == [(n, 9) for n in range(1, 10)]
    # the pairs are made from their names; old1, old2, holiday and c_mono need their pixels
    assert [(s.done, s.total) for s in looks] == [(n, 4) for n in range(0, 5)]
    assert said.index(looks[0]) > said.index(reads[-1])
    assert found == discover([tmp_path / "s"])          # the same answer as the blocking form
    assert sorted(i.name for i in found.items) == ["a", "b", "c_mono", "old1", "old2"]
    assert sorted(p.name for p, _ in found.unmatched) == ["broken.png", "holiday.png"]


def test_stopping_the_planning_looks_at_no_more_photos(tmp_path, monkeypatch):
    looked = []
    monkeypatch.setattr(pairs, "classify_reason", lambda path: (looked.append(path), ("gray", None))[1])
    steps = plan_batch_steps([shoot(tmp_path / "s")], tmp_path / "out")
    for looking in steps:
        if looking.stage == LOOKING and looking.done == 1:
            break
    steps.close()
    assert len(looked) == 1
    assert not (tmp_path / "out").exists()


def test_the_steps_end_in_the_same_plan_as_the_blocking_form(tmp_path):
    folder = shoot(tmp_path / "s")
    said, stepped = steps_and_result(plan_batch_steps([folder], tmp_path / "out"))
    assert len(said) == 9 + 5 and all(isinstance(s, Looking) for s in said)
    blocking = plan_batch([folder], tmp_path / "out")
    assert stepped == blocking
    assert [i.output.name for i in blocking.items] == [
        "a_colorized.png", "b_colorized.png", "c_mono_colorized.png", "old1_colorized.png", "old2_colorized.png"]


def test_the_sentences_say_the_stage_and_the_count():
    assert Looking(READING, 3, 1000).message == "looking for pairs: 3 of 1000 files read"
    assert Looking(LOOKING, 12, 300).message == "telling gray photos from colour ones: 12 of 300 looked at"
    assert Looking(READING, 1, 4).fraction == pytest.approx(0.05) and Looking(READING, 4, 4).fraction == 0.2
    assert Looking(LOOKING, 0, 3).fraction == 0.2 and Looking(LOOKING, 3, 3).fraction == 1.0


def fake_steps(n, clock, step_s):
    for k in range(1, n + 1):
        clock[0] += step_s
        yield Looking(LOOKING, k, n)
    return "plan"


def test_the_cli_is_silent_for_a_quick_plan_and_says_a_slow_one_every_few_seconds(monkeypatch):
    import colorstudio.cli_progress as cli_progress

    clock = [0.0]
    monkeypatch.setattr(cli_progress.time, "monotonic", lambda: clock[0])
    said = []
    assert run_saying(fake_steps(10, clock, 0.1), said.append) == "plan"          # 1 s in all
    assert said == []
    clock[0] = 0.0
    assert run_saying(fake_steps(40, clock, 0.5), said.append) == "plan"          # 20 s in all
    # first past 2 s, then every 5 s
    assert said == [f"telling gray photos from colour ones: {k} of 40 looked at" for k in (4, 14, 24, 34)]


def test_a_batch_that_plans_slowly_says_so_on_the_terminal(tmp_path, capsys, monkeypatch):
    import colorstudio.cli_progress as cli_progress

    monkeypatch.setattr(cli_progress, "SILENT_S", 0.0)
    monkeypatch.setattr(cli_progress, "EVERY_S", 0.0)
    gray_img(tmp_path / "in" / "solo.png")
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--method", "neutral"]) == 0
    err = capsys.readouterr().err
    assert "looking for pairs: 1 of 1 files read" in err
    assert "telling gray photos from colour ones: 1 of 1 looked at" in err
    assert err.index("looked at") < err.index("item(s) to colorize")


def test_a_folder_looked_through_again_is_not_decoded_again_unless_a_file_changed(tmp_path, monkeypatch):
    import os

    from colorstudio.core import photo_kind

    folder = shoot(tmp_path / "s")
    looked = []
    real = photo_kind._look
    monkeypatch.setattr(photo_kind, "_look", lambda path: (looked.append(path.name), real(path))[1])
    first = discover([folder])
    assert sorted(looked) == ["c_mono.png", "holiday.png", "old1.png", "old2.png"]
    looked.clear()
    assert discover([folder]) == first and looked == []        # the queue's replan: nothing decoded
    colour_img(folder / "old1.png", size=(30, 20))              # a gray replaced by a colour photo
    later = os.stat(folder / "old1.png").st_mtime_ns + 5_000_000_000
    os.utime(folder / "old1.png", ns=(later, later))
    again = discover([folder])
    assert looked == ["old1.png"]
    assert "old1" not in [i.name for i in again.items]


def test_a_long_colorization_says_how_far_it_got_and_a_quick_one_says_nothing_more(tmp_path, capsys, monkeypatch):
    import colorstudio.cli_progress as cli_progress

    gray = gray_img(tmp_path / "g.png")
    assert main(["colorize", str(gray), "-o", str(tmp_path / "quick.png"), "--method", "neutral"]) == 0
    assert "colorizing:" not in capsys.readouterr().err
    monkeypatch.setattr(cli_progress, "SILENT_S", 0.0)
    monkeypatch.setattr(cli_progress, "EVERY_S", 0.0)
    assert main(["colorize", str(gray), "-o", str(tmp_path / "slow.png"), "--method", "neutral"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("colorizing: 5% (preparing (neutral))")
    assert lines[-2] == "colorizing: 100% (writing slow.png)"
    assert lines[-1].startswith(f"{tmp_path / 'slow.png'}: colorized with neutral in ")


def test_a_file_copied_over_with_its_times_kept_is_looked_at_again(tmp_path):
    """`cp -p` of a colour TIFF over a gray one of the same size keeps the size and the
    modified time; the change time tells the file is another."""
    import os
    import shutil
    import time

    import numpy as np
    from PIL import Image

    from colorstudio.core.photo_kind import classify_file

    rng = np.random.default_rng(5)
    g = rng.integers(0, 256, (30, 40), dtype=np.uint8)
    Image.fromarray(np.dstack([g, g, g]), "RGB").save(tmp_path / "scan.tif")
    Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8), "RGB").save(tmp_path / "colour.tif")
    st = os.stat(tmp_path / "scan.tif")
    os.utime(tmp_path / "colour.tif", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.path.getsize(tmp_path / "colour.tif") == st.st_size
    assert classify_file(tmp_path / "scan.tif") == "gray"
    time.sleep(0.01)
    shutil.copy2(tmp_path / "colour.tif", tmp_path / "scan.tif")       # as cp -p
    after = os.stat(tmp_path / "scan.tif")
    assert (after.st_mtime_ns, after.st_size, after.st_ino) == (st.st_mtime_ns, st.st_size, st.st_ino)
    assert classify_file(tmp_path / "scan.tif") == "colour"
