"""Planning a batch: its output folder inside an input folder is not searched, a manifest row
with a typo does not let its gray go alone, a manifest's output gets a format that can be written."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from colorstudio.engine.batch import plan_batch, run_batch

from test_pairs import colour_img, gray_img


def _run(plan, method="neutral", model=None):
    for _ in run_batch(plan, method=method, model=model):
        pass
    return plan


def test_a_second_batch_into_a_folder_inside_the_inputs_does_not_take_its_results_as_inputs(tmp_path):
    gray_img(tmp_path / "shoot" / "solo.png")
    out = tmp_path / "shoot" / "colorized"
    first = _run(plan_batch([tmp_path / "shoot"], out))
    assert [i.written.name for i in first.items] == ["solo_colorized.png"]
    again = plan_batch([tmp_path / "shoot"], out)
    assert [i.gray.name for i in again.items] == ["solo.png"] and again.unmatched == []


def test_a_manifest_row_with_a_typo_does_not_colorize_its_gray_alone(tmp_path):
    gray_img(tmp_path / "shot1.png")
    colour_img(tmp_path / "ref1.png")
    (tmp_path / "pairs.csv").write_text("shot1.png,ref1_typo.png\n")
    plan = plan_batch([tmp_path], tmp_path / "out")
    assert plan.items == []                                       # not shot1.png as a single gray
    reasons = {p.name: r for p, r in plan.unmatched}
    assert "not found" in reasons["ref1_typo.png"]


def test_a_manifest_output_gets_a_writable_format_or_the_one_asked_for(tmp_path):
    gray_img(tmp_path / "g1.png")
    gray_img(tmp_path / "g2.png")
    (tmp_path / "pairs.csv").write_text("g1.png,,result\ng2.png,,r2.heic\n")
    names = sorted(i.output.name for i in plan_batch([tmp_path], tmp_path / "out").items)
    assert names == ["r2.jpg", "result.png"]
    names = sorted(i.output.name for i in plan_batch([tmp_path], tmp_path / "out", ext="tif").items)
    assert names == ["r2.tif", "result.tif"]


def test_manifest_outputs_keep_their_subfolders(tmp_path):
    for name in ("d.png", "n.png", "x.png"):
        gray_img(tmp_path / "in" / name)
    (tmp_path / "in" / "pairs.csv").write_text("d.png,,day/out.png\nn.png,,night/out.png\nx.png,,../../escape.png\n")
    plan = _run(plan_batch([tmp_path / "in"], tmp_path / "out"))
    written = sorted(str(i.written.relative_to(tmp_path / "out")) for i in plan.items)
    assert written == ["day/out.png", "escape.png", "night/out.png"]      # not out.png and out-2.png
    assert not (tmp_path / "escape.png").exists()


def test_an_output_folder_that_is_the_input_folder_or_above_it_leaves_the_inputs_found(tmp_path, monkeypatch):
    gray_img(tmp_path / "trip" / "x_mono.png")
    colour_img(tmp_path / "trip" / "x_color.png")
    monkeypatch.chdir(tmp_path)
    for out in (Path("."), Path("trip")):                   # `batch trip -o .`, `batch trip -o trip`
        plan = plan_batch([Path("trip")], out)
        assert [(i.gray.name, i.reference.name) for i in plan.items] == [("x_mono.png", "x_color.png")], out


def test_a_file_given_before_its_folder_keeps_its_mono_and_color_folders(tmp_path):
    gray_img(tmp_path / "sh" / "mono" / "day" / "x.png")
    colour_img(tmp_path / "sh" / "color" / "day" / "x.png")
    for inputs in ([tmp_path / "sh" / "mono" / "day" / "x.png", tmp_path / "sh"],
                   [tmp_path / "sh", tmp_path / "sh" / "mono" / "day" / "x.png"]):
        plan = plan_batch(inputs, tmp_path / "out")
        assert len(plan.items) == 1 and plan.items[0].reference is not None and not plan.unmatched, inputs


def test_a_long_name_is_cut_to_the_file_systems_limit_and_written(tmp_path):
    name = "é" * 115 + "x"                                  # 231 bytes: + "_colorized.png" is over 255
    gray_img(tmp_path / "in" / f"{name}.png")
    plan = _run(plan_batch([tmp_path / "in"], tmp_path / "out"))
    written = plan.items[0].written
    assert written is not None and written.exists() and len(os.fsencode(written.name)) <= 255
    assert written.name.endswith("_colorized.png") and written.name.startswith("éé")


def test_a_read_only_output_folder_is_told_before_any_work(tmp_path, monkeypatch):
    import errno
    import tempfile

    import pytest

    from colorstudio.errors import OutputError

    gray_img(tmp_path / "in" / "a.png")
    plan = plan_batch([tmp_path / "in"], tmp_path / "out")
    colorized = []
    monkeypatch.setattr("colorstudio.engine.batch.run_item", lambda *a, **k: colorized.append(a))

    def read_only(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    with pytest.raises(OutputError, match="cannot write to the output folder"):
        _run(plan)
    assert colorized == []


@pytest.mark.parametrize("asked", ["cyclecnn", None])
def test_a_pair_model_goes_with_the_pairs_only(tmp_path, monkeypatch, asked):
    # `batch [--method cyclecnn] --model mine.safetensors` on a pair and a lone gray: the gray gets
    # the default single-gray method, without the pair model's file (it failed "needs a colour
    # reference; give one"); without --method, the file's own method goes with the pairs
    from colorstudio import paths
    from colorstudio.engine import batch

    gray_img(tmp_path / "in" / "x_mono.png")
    colour_img(tmp_path / "in" / "x_color.png")
    gray_img(tmp_path / "in" / "lone.png")
    seen = {}

    def record(gray, reference, method, model, options):
        seen[gray.path.name] = (method, model and Path(model).read_bytes() == mine.read_bytes())   # (its copy)
        raise RuntimeError("recorded")
        yield
    monkeypatch.setattr(batch, "colorize_steps", record)
    mine = paths.models_dir() / "cyclecnn.safetensors"
    _run(plan_batch([tmp_path / "in"], tmp_path / "out"), method=asked, model=mine)
    assert seen == {"x_mono.png": ("cyclecnn", True), "lone.png": (None, None)}


def test_an_output_folder_that_is_a_file_is_refused_not_taken_out_of_the_inputs(tmp_path):
    import cv2
    import numpy as np
    import pytest

    from colorstudio.errors import OutputError

    gray = tmp_path / "x_mono.png"
    cv2.imwrite(str(gray), np.zeros((40, 40), np.uint8))
    with pytest.raises(OutputError, match="is a file, not a folder"):
        plan_batch([tmp_path], gray)


def test_an_lr_pair_given_the_other_way_round_names_the_setting_that_turns_it(tmp_path):
    colour_img(tmp_path / "in" / "x_L.png")          # the left camera is the colour one here
    gray_img(tmp_path / "in" / "x_R.png")
    plan = _run(plan_batch([tmp_path / "in"], tmp_path / "out"), method="dis+gf")
    (item,) = plan.items
    assert "is in colour and" in item.error and "their names seem swapped" in item.error \
        and "give --lr-mono-side R" in item.error
    plan = _run(plan_batch([tmp_path / "in"], tmp_path / "out", lr_mono_side="R"), method="dis+gf")
    assert plan.items[0].error is None


def test_a_gray_colorized_alone_beside_its_partner_says_so_beside_its_result(tmp_path):
    from colorstudio.core.generator_steps import run_to_end

    gray = gray_img(tmp_path / "m_mono.png")
    colour_img(tmp_path / "m_color.png")
    plan = run_to_end(run_batch(plan_batch([gray], tmp_path / "out"), "neutral"))
    assert plan.items[0].status == "done"
    assert "its partner m_color.png is next to it but was not given" in plan.items[0].how


def test_a_command_line_batch_keeps_no_thumbnails_the_apps_queue_does(tmp_path):
    """Each item kept a 20 KB picture of its result for the app's queue, also in `colorstudio
    batch`, where nothing shows it: 2 MB more per 100 items (benchmarks/batch_memory.py)."""
    from colorstudio.core.generator_steps import run_to_end

    for name in ("a", "b"):
        gray_img(tmp_path / "in" / f"{name}_mono.png")
    for thumbnails in (False, True):
        plan = run_to_end(run_batch(plan_batch([tmp_path / "in"], tmp_path / f"out{thumbnails}"), "neutral",
                                    thumbnails=thumbnails))
        assert all(i.status == "done" for i in plan.items)
        assert all((i.thumbnail is not None) == thumbnails for i in plan.items)


def test_a_folder_that_cannot_be_listed_is_said_not_passed_over(tmp_path, monkeypatch):
    # os.walk dropped its error: a locked subfolder's photos were left out, exit 0, not a word
    gray_img(tmp_path / "shoot" / "a.png")
    gray_img(tmp_path / "shoot" / "locked" / "d.png")
    real_scandir, locked = os.scandir, tmp_path / "shoot" / "locked"

    def scandir(path="."):          # as chmod 000 does for anyone but root
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    plan = plan_batch([tmp_path / "shoot"], tmp_path / "out")
    assert [i.gray.name for i in plan.items] == ["a.png"]
    assert plan.unmatched == [(locked, "the folder cannot be read (Permission denied)")]


def test_an_output_folder_that_is_empty_or_a_link_loop_is_refused_in_one_line(tmp_path, monkeypatch):
    from colorstudio.errors import OutputError

    gray_img(tmp_path / "shoot" / "a.png")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="the output folder is empty"):      # -o "$OUT", OUT unset
        plan_batch([tmp_path / "shoot"], "")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    for out in (tmp_path / "loop", tmp_path / "loop" / "sub"):                  # was an internal error
        with pytest.raises(OutputError, match="symbolic link that leads back to itself"):
            plan_batch([tmp_path / "shoot"], out)


def test_every_item_has_its_own_output_and_an_empty_one_is_not_taken_for_done(tmp_path):
    gray_img(tmp_path / "p" / "p00.png")
    gray_img(tmp_path / "p" / "p01.png")
    (tmp_path / "p" / "pairs.csv").write_text("p00.png,,res.png\np01.png,,res.png\n")
    plan = plan_batch([tmp_path / "p"], tmp_path / "out")
    assert [i.output.name for i in plan.items] == ["res.png", "res-2.png"]
    _run(plan)                                                   # both written, neither over the other
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["res-2.png", "res.png"]
    (tmp_path / "out" / "res-2.png").write_bytes(b"")            # what a stop could leave
    again = plan_batch([tmp_path / "p"], tmp_path / "out", skip_existing=True)
    assert [i.gray.name for i in again.items] == ["p01.png"]
    assert again.already_there == [tmp_path / "out" / "res.png"]


def test_skip_existing_leaves_out_a_result_another_batch_wrote_meanwhile_instead_of_numbering_it(tmp_path,
                                                                                                    monkeypatch):
    # two batches into one folder: the second, with --skip-existing, wrote "-2" copies of what the
    # first wrote after it had planned (before an item ran, and while it was being colorized)
    from colorstudio.engine import batch

    for n in range(3):
        gray_img(tmp_path / "in" / f"g{n}.png")
    out = tmp_path / "out"
    plan = plan_batch([tmp_path / "in"], out, skip_existing=True)
    assert len(plan.items) == 3 and plan.skip_existing
    out.mkdir()
    (out / plan.items[0].output.name).write_bytes(b"written by the other batch")      # before it runs
    real = batch.colorize_steps

    def other_batch_finishes_it_meanwhile(gray, *args, **kwargs):
        result = yield from real(gray, *args, **kwargs)
        if gray.name == "g1.png":
            (out / plan.items[1].output.name).write_bytes(b"written by the other batch")
        return result

    monkeypatch.setattr(batch, "colorize_steps", other_batch_finishes_it_meanwhile)
    progress = list(run_batch(plan, method="neutral"))
    assert [i.status for i in plan.items] == [batch.SKIPPED, batch.SKIPPED, batch.DONE]
    assert sorted(p.name for p in out.iterdir()) == ["g0_colorized.png", "g1_colorized.png", "g2_colorized.png"]
    assert (out / "g0_colorized.png").read_bytes() == b"written by the other batch"
    said = [p.message for p in progress if p.status == batch.SKIPPED]
    assert said == [f"g{n}: {batch.WRITTEN_MEANWHILE}" for n in (0, 1)]


def test_after_a_full_disk_only_the_items_that_could_fit_are_worked_on(tmp_path, monkeypatch):
    # a 400-item batch computed each result it then could not write; and the first rule (nothing
    # until 16 MB were freed) refused small results that fitted in the 600 KB left
    from colorstudio.engine import batch
    from colorstudio.errors import DiskFullError

    for n, size in enumerate([(400, 300), (24, 16), (24, 16), (400, 300)]):
        gray_img(tmp_path / "p" / f"g{n}.png", size=size)
    plan = plan_batch([tmp_path / "p"], tmp_path / "out")
    free, worked = [20000], []             # room for a small result (about 1 KB), not a 400x300 one
    real_save = batch.save_result

    def save(result, target, **kw):
        worked.append(target.name)
        if target.name.startswith("g0"):
            raise DiskFullError(f"{target.name}: cannot be written (No space left on device)")
        return real_save(result, target, **kw)

    monkeypatch.setattr(batch, "save_result", save)
    monkeypatch.setattr(batch, "_free_bytes", lambda folder: free[0])
    _run(plan)
    assert worked == ["g0_colorized.png", "g1_colorized.png", "g2_colorized.png"]      # g3 not worked on
    assert [i.status for i in plan.items] == [batch.FAILED, batch.DONE, batch.DONE, batch.FAILED]
    assert plan.items[3].error == batch.DISK_STILL_FULL and "No space left" in plan.items[0].error
    plan.items[3].status, free[0] = batch.QUEUED, 10**10          # room made: run again
    _run(plan)
    assert worked[-1] == "g3_colorized.png" and plan.items[3].status == batch.DONE


def test_folders_a_batch_made_are_removed_when_nothing_was_written_into_them(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    gray_img(tmp_path / "p" / "good.png")
    plan = plan_batch([tmp_path / "p"], tmp_path / "nd" / "deep" / "out")
    (tmp_path / "p" / "good.png").unlink()                      # gone before its turn: every item fails
    _run(plan)
    assert all(i.status == "failed" for i in plan.items) and plan.items
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]   # nd/deep was left behind before
    gray_img(tmp_path / "p" / "good.png")
    _run(plan_batch([tmp_path / "p"], tmp_path / "nd" / "deep" / "out"))
    assert (tmp_path / "nd" / "deep" / "out" / "good_colorized.png").is_file()


def test_hidden_and_system_folders_that_cannot_be_listed_are_not_said(tmp_path, monkeypatch):
    # a drive's lost+found, a Mac volume's .Trashes: their files were never looked at, and saying
    # them made every batch of such a drive "1 skipped", exit 1
    gray_img(tmp_path / "drive" / "a.png")
    locked = [tmp_path / "drive" / ".Trashes", tmp_path / "drive" / "lost+found"]
    for folder in locked:
        gray_img(folder / "x.png")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) in locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    plan = plan_batch([tmp_path / "drive"], tmp_path / "out")
    assert [i.gray.name for i in plan.items] == ["a.png"] and plan.unmatched == []


def test_after_a_full_disk_results_as_large_as_the_one_that_failed_are_not_worked_on(tmp_path, monkeypatch):
    # a share of the raw size fitting JPEGs let five 16-bit TIFFs be computed, each then failing
    from colorstudio.engine import batch
    from colorstudio.errors import DiskFullError

    for n in range(5):
        gray_img(tmp_path / "p" / f"g{n}.png", size=(80, 60))
    plan = plan_batch([tmp_path / "p"], tmp_path / "out")
    worked = []

    def save(result, target, **kw):
        worked.append(target.name)
        raise DiskFullError(f"{target.name}: cannot be written (No space left on device)")

    monkeypatch.setattr(batch, "save_result", save)
    monkeypatch.setattr(batch, "_free_bytes", lambda folder: 200_000)
    _run(plan)
    assert worked == ["g0_colorized.png"] and [i.error for i in plan.items[1:]] == [batch.DISK_STILL_FULL] * 4


def test_a_photo_added_beside_one_of_its_name_in_another_format_does_not_rename_the_others_result(tmp_path):
    """RAW + JPEG, or a JPEG and a PNG of one shot: two items named alike whose results differ in
    format keep their names, so a later run with --skip-existing still finds the first result."""
    gray_img(tmp_path / "in" / "b.png")
    out = tmp_path / "out"
    first = _run(plan_batch([tmp_path / "in"], out))
    assert [i.written.name for i in first.items] == ["b_colorized.png"]
    gray_img(tmp_path / "in" / "b.jpg")
    again = plan_batch([tmp_path / "in"], out, skip_existing=True)
    assert [i.output.name for i in again.items] == ["b_colorized.jpg"]
    assert [p.name for p in again.already_there] == ["b_colorized.png"]
    assert [i.name for i in again.items] == ["b"]          # the queue's rows still tell them apart
    both = plan_batch([tmp_path / "in"], tmp_path / "elsewhere")
    assert [(i.gray.name, i.name, i.output.name) for i in both.items] == [
        ("b.jpg", "b", "b_colorized.jpg"), ("b.png", "b-2", "b_colorized.png")]
    # one format for both: the photo of that format keeps the plain name, the other is numbered
    as_png = plan_batch([tmp_path / "in"], tmp_path / "elsewhere", ext="png")
    assert [i.output.name for i in as_png.items] == ["b_colorized-2.png", "b_colorized.png"]


def test_a_photo_sorted_first_never_takes_the_result_of_one_in_the_results_own_format(tmp_path):
    """b.jpg and b.png colorized, then b.gif added (written as PNG, sorted before b.png): b.png
    keeps b_colorized.png, so --skip-existing leaves out the right photos and b.gif is done."""
    for name in ("b.jpg", "b.png"):
        gray_img(tmp_path / "in" / name)
    out = tmp_path / "out"
    assert sorted(i.written.name for i in _run(plan_batch([tmp_path / "in"], out)).items) == [
        "b_colorized.jpg", "b_colorized.png"]
    gray_img(tmp_path / "in" / "b.gif")
    again = plan_batch([tmp_path / "in"], out, skip_existing=True)
    assert [(i.gray.name, i.output.name) for i in again.items] == [("b.gif", "b_colorized-2.png")]
    assert sorted(p.name for p in again.already_there) == ["b_colorized.jpg", "b_colorized.png"]
    everything = plan_batch([tmp_path / "in"], tmp_path / "fresh")
    outputs = [i.output.name for i in everything.items]
    assert len(set(outputs)) == 3 and dict(zip([i.gray.name for i in everything.items], outputs))["b.png"] == \
        "b_colorized.png"


@pytest.mark.parametrize("first, added, ext", [("b.jpg", "b.png", "png"), ("b.gif", "b.png", None)])
def test_skip_existing_gives_a_result_to_the_photo_it_was_made_from(tmp_path, first, added, ext):
    """b.jpg written as b_colorized.png (--ext png; a GIF is written as PNG), then a different
    b.png added: b.png, whose own format it is, took b_colorized.png for its result and was never
    colorized, and b.jpg was colorized again as b-2."""
    photos, out = tmp_path / "in", tmp_path / "out"
    gray_img(photos / first, size=(40, 30))
    _run(plan_batch([photos], out, ext=ext))
    assert sorted(p.name for p in out.iterdir()) == ["b_colorized.png"]
    gray_img(photos / added, size=(40, 30))                     # another photo, of the same size
    again = plan_batch([photos], out, ext=ext, skip_existing=True)
    assert [(i.gray.name, i.output.name) for i in again.items] == [(added, "b-2_colorized.png")]
    assert again.already_there == [out / "b_colorized.png"]
    _run(again)
    assert plan_batch([photos], out, ext=ext, skip_existing=True).items == []     # both done now


def test_a_result_resembles_its_own_photo_most_even_as_a_low_quality_jpeg(tmp_path):
    import cv2
    import numpy as np
    from skimage import data

    from colorstudio.core.result_source import MADE_FROM, resemblance

    gray = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY), (370, 370), interpolation=cv2.INTER_AREA)
    own, burst, other = tmp_path / "own.png", tmp_path / "burst.png", tmp_path / "other.png"
    cv2.imwrite(str(own), gray)
    cv2.imwrite(str(burst), np.clip(np.roll(gray, 3, axis=1).astype(int) + 4, 0, 255).astype(np.uint8))  # a frame later
    cv2.imwrite(str(other), cv2.resize(data.camera(), (370, 370), interpolation=cv2.INTER_AREA))
    (written,) = [i.written for i in _run(plan_batch([own], tmp_path / "out", ext="jpg")).items]
    assert written.suffix == ".jpg"
    low = tmp_path / "low.jpg"
    cv2.imwrite(str(low), cv2.imread(str(written)), [cv2.IMWRITE_JPEG_QUALITY, 20])
    for result in (written, low):
        assert resemblance(result, own) >= MADE_FROM > resemblance(result, burst) > resemblance(result, other)
    assert resemblance(written, gray_img(tmp_path / "small.png", size=(30, 20))) < 0      # another size
    (tmp_path / "damaged.png").write_bytes(b"\x89PNG\r\n")
    assert resemblance(tmp_path / "damaged.png", own) < 0


def test_a_result_whose_maker_cannot_be_told_goes_to_neither_photo(tmp_path):
    """A foggy frame (15 levels) beside a gray card of its mean level: the card scored 1.0 (only
    one side was flat) and took the result. Two copies of one photo cannot be told apart: neither
    takes the result, and both are colorized anew, never one taken for done by another's result."""
    import cv2
    import numpy as np

    photos, out = tmp_path / "in", tmp_path / "out"
    photos.mkdir()
    fog = (120 + 15 * np.random.default_rng(4).random((30, 40))).astype(np.uint8)
    cv2.imwrite(str(photos / "b.jpg"), fog, [cv2.IMWRITE_JPEG_QUALITY, 95])
    _run(plan_batch([photos], out, ext="png"))
    cv2.imwrite(str(photos / "b.png"), np.full((30, 40), int(round(fog.mean())), np.uint8))     # a gray card
    again = plan_batch([photos], out, ext="png", skip_existing=True)
    assert [(i.gray.name, i.output.name) for i in again.items] == [("b.png", "b-2_colorized.png")]
    assert again.already_there == [out / "b_colorized.png"]
    cv2.imwrite(str(photos / "b.png"), cv2.imread(str(photos / "b.jpg"), cv2.IMREAD_GRAYSCALE))   # the same photo
    again = plan_batch([photos], out, ext="png", skip_existing=True)
    assert sorted(i.output.name for i in again.items) == ["b-2_colorized.png", "b_colorized-2.png"]
    assert again.already_there == []


def test_flat_and_float_photos_resemble_only_what_they_are(tmp_path):
    import cv2
    import numpy as np

    from colorstudio.core.result_source import MADE_FROM, resemblance

    ramp = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (48, 1))
    cv2.imwrite(str(tmp_path / "float.tiff"), ramp)                                # 32-bit float gray
    cv2.imwrite(str(tmp_path / "ramp.png"), np.rint(ramp * 255).astype(np.uint8))
    cv2.imwrite(str(tmp_path / "card.png"), np.full((48, 64), 128, np.uint8))
    cv2.imwrite(str(tmp_path / "card2.png"), np.full((48, 64), 128, np.uint8))
    assert resemblance(tmp_path / "ramp.png", tmp_path / "float.tiff") >= MADE_FROM
    assert resemblance(tmp_path / "ramp.png", tmp_path / "card.png") == 0.0         # one flat side: nothing alike
    assert resemblance(tmp_path / "card2.png", tmp_path / "card.png") == 1.0


def test_rows_whose_result_cannot_be_told_take_names_no_file_has(tmp_path):
    """Two manifest rows naming one output with two copies of one photo: the tie made the first
    row's result nobody's, and the row then took res-2.png, the other row's result, for done."""
    import shutil

    shot = gray_img(tmp_path / "shot.png", size=(40, 30))
    shutil.copy(shot, tmp_path / "shot_copy.png")
    colour_img(tmp_path / "refA.png", size=(40, 30)), colour_img(tmp_path / "refB.png", size=(40, 30))
    (tmp_path / "pairs.csv").write_text("shot.png,refA.png,res.png\nshot_copy.png,refB.png,res.png\n")
    out = tmp_path / "out"
    _run(plan_batch([tmp_path / "pairs.csv"], out), method="dis+gf")
    assert sorted(p.name for p in out.iterdir()) == ["res-2.png", "res.png"]
    again = plan_batch([tmp_path / "pairs.csv"], out, skip_existing=True)
    assert sorted(i.output.name for i in again.items) == ["res-3.png", "res-4.png"] and again.already_there == []


def test_a_signed_tiff_resembles_its_own_result(tmp_path):
    import numpy as np
    import tifffile

    from colorstudio.core.result_source import MADE_FROM, resemblance

    ramp = np.tile(np.linspace(-3000, 3000, 64), (48, 1)).astype(np.int16)
    tifffile.imwrite(tmp_path / "signed.tif", ramp)
    (written,) = [i.written for i in _run(plan_batch([tmp_path / "signed.tif"], tmp_path / "out")).items]
    assert resemblance(written, tmp_path / "signed.tif") >= MADE_FROM


def test_a_result_of_another_photo_of_that_name_is_not_taken_for_done(tmp_path, capsys):
    """Card by card into one folder: card001's IMG_0001 was left out as done by card000's
    result (exit 0, never colorized); a photo's own result is still left out."""
    from colorstudio.cli import main

    for card in ("card000", "card001"):
        gray_img(tmp_path / card / "DCIM" / "IMG_0001.png", size=(40, 30))
    out = tmp_path / "out"
    for card in ("card000", "card001", "card000", "card001"):
        assert main(["batch", str(tmp_path / card), "-o", str(out), "--method", "neutral", "--skip-existing"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["IMG_0001_colorized-2.png", "IMG_0001_colorized.png"]
    assert "telling which photo each earlier result was made from" not in capsys.readouterr().out
