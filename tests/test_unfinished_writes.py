"""A batch killed mid-write (SIGKILL, a power cut) leaves its hidden temp file; the next batch
into that folder removes the stale ones, and nothing else."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from colorstudio.cli import main
from colorstudio.core.atomic_files import atomic_write
from colorstudio.core.output_formats import WRITE_EXTENSIONS
from colorstudio.core.unfinished_writes import STALE_AFTER_S, unfinished_writes
from colorstudio.engine.batch import plan_batch, run_batch

from test_pairs import gray_img

KILLED_MID_WRITE = """
import sys, time
from colorstudio.core.atomic_files import atomic_write
from colorstudio.core.output_formats import WRITE_EXTENSIONS

def write(f):
    f.write(b"half a photo")
    f.flush()
    print("writing", flush=True)
    time.sleep(60)

atomic_write(sys.argv[1], write)
"""


def age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_a_writer_killed_outright_leaves_its_temp_file_and_the_next_batch_removes_it(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", KILLED_MID_WRITE, str(out / "solo_colorized.png")],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    left = [p for p in out.iterdir()]
    assert len(left) == 1 and left[0].name.startswith(".solo_colorized.png.") and left[0].name.endswith(".part")
    assert unfinished_writes(out, WRITE_EXTENSIONS) == []                  # fresh: another batch may be writing it now
    age(left[0], STALE_AFTER_S + 1)
    # what is not ours stays: a browser's download, a user's hidden file, a folder of that shape
    for name in ("photo.jpg.part", ".notes.part", ".x.png.abcdefgh.part.txt", ".diary.20230512.part",
                 ".model.json.abcdefgh.part"):
        (out / name).write_text("theirs")
        age(out / name, STALE_AFTER_S + 1)
    (out / ".y.png.abcdefgh.part").mkdir()
    age(out / ".y.png.abcdefgh.part", STALE_AFTER_S + 1)
    gray_img(tmp_path / "in" / "solo.png")
    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--method", "neutral"]) == 0
    err = capsys.readouterr().err
    assert f"removed 1 unfinished file a batch killed mid-write had left ({left[0].name})" in err
    assert sorted(p.name for p in out.iterdir()) == [".diary.20230512.part", ".model.json.abcdefgh.part",
                                                      ".notes.part", ".x.png.abcdefgh.part.txt",
                                                      ".y.png.abcdefgh.part", "photo.jpg.part",
                                                      "solo_colorized.png"]


def test_a_fresh_temp_file_of_a_batch_writing_now_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    fresh = out / ".a_colorized.png.abcd1234.part"
    fresh.write_bytes(b"being written")
    gray_img(tmp_path / "in" / "solo.png")
    plan = plan_batch([tmp_path / "in"], out)
    for _ in run_batch(plan, method="neutral"):
        pass
    assert plan.unfinished_removed == [] and fresh.exists()


def test_the_temp_file_of_a_long_name_is_recognised_too(tmp_path):
    name = "é" * 120 + ".png"                    # 240 bytes: the temp name is cut
    seen = []

    def write(f):
        seen.extend(p for p in tmp_path.iterdir())
        f.write(b"x")

    atomic_write(tmp_path / name, write)
    assert len(seen) == 1
    seen[0].write_bytes(b"left")                  # as if its writer had been killed
    age(seen[0], STALE_AFTER_S + 1)
    assert unfinished_writes(tmp_path, WRITE_EXTENSIONS) == [seen[0]]


def test_a_write_removes_what_a_killed_writer_of_its_name_left(tmp_path):
    """colorize, the diagnostics, a fine-tune's checkpoint, an imported model: a process killed
    while it wrote left its hidden temp file for good (a batch cleaned only the photos' results,
    and not when --skip-existing found nothing left to do)."""
    from colorstudio.core import unfinished_writes
    from colorstudio.core.atomic_files import atomic_write_bytes
    from colorstudio.core.unfinished_writes import part_prefix

    old_time = time.time() - 3600
    left = tmp_path / f"{part_prefix('checkpoint.safetensors')}ab12cd34.part"
    fresh = tmp_path / f"{part_prefix('checkpoint.safetensors')}zz99yy88.part"   # another writer, now
    other = tmp_path / f"{part_prefix('out.png')}ab12cd34.part"                  # another file's
    for path in (left, fresh, other):
        path.write_bytes(b"x" * 100)
    for path in (left, other):
        os.utime(path, (old_time, old_time))
    long_name = "é" * 120 + ".npz"                                               # its temp name is cut
    long_left = tmp_path / f"{part_prefix(long_name)}cd34ef56.part"
    long_left.write_bytes(b"x")
    os.utime(long_left, (old_time, old_time))
    atomic_write_bytes(tmp_path / "checkpoint.safetensors", b"new")
    assert not left.exists() and other.exists() and fresh.exists()    # only the name written: others' are theirs
    assert (tmp_path / "checkpoint.safetensors").read_bytes() == b"new"
    listed = []
    real_scandir = unfinished_writes.os.scandir
    unfinished_writes.os.scandir = lambda folder: listed.append(folder) or real_scandir(folder)
    try:
        atomic_write_bytes(tmp_path / "out.png", b"png")
        atomic_write_bytes(tmp_path / long_name, b"npz")
    finally:
        unfinished_writes.os.scandir = real_scandir
    assert listed == []                             # the folder is listed once a process, not at each write
    assert not other.exists() and not long_left.exists()


def test_an_import_killed_before_its_weights_does_not_hold_the_name(tmp_path):
    import os
    import time

    from colorstudio.engine.model_import import free_name

    card = tmp_path / "base.json"
    card.write_text("{}")
    assert free_name(tmp_path, "base").name == "base_2.safetensors"   # just copied: its weights come next
    os.utime(card, (time.time() - 3600,) * 2)
    assert free_name(tmp_path, "base").name == "base.safetensors" and not card.exists()
    (tmp_path / "base.safetensors").write_bytes(b"w")
    (tmp_path / "base.json").write_text("{}")
    os.utime(tmp_path / "base.json", (time.time() - 3600,) * 2)
    assert free_name(tmp_path, "base").name == "base_2.safetensors" and (tmp_path / "base.json").exists()


def test_a_batch_with_nothing_left_to_do_still_removes_what_a_killed_one_left(tmp_path, capsys):
    from colorstudio.core.unfinished_writes import part_prefix

    gray_img(tmp_path / "in" / "a.png")
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--method", "neutral"]) == 0
    left = out / f"{part_prefix('a-2_colorized.png')}ab12cd34.part"
    left.write_bytes(b"half")
    os.utime(left, (time.time() - 2 * STALE_AFTER_S,) * 2)
    capsys.readouterr()
    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--method", "neutral", "--skip-existing"]) == 0
    err = capsys.readouterr().err
    assert not left.exists() and "removed 1 unfinished file" in err and "nothing left to colorize" in err


def test_an_empty_result_a_killed_claim_left_is_replaced_not_copied_beside_each_run(tmp_path):
    """Where a file system has no hard links, a result's name is made empty, then replaced: a
    kill between the two left it, and each later --skip-existing run wrote another -2, -3, …"""
    gray_img(tmp_path / "in" / "single1.png")
    out = tmp_path / "out"
    out.mkdir()
    empty = out / "single1_colorized.png"
    empty.touch()
    age(empty, STALE_AFTER_S + 1)
    for _ in range(2):
        assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--method", "neutral", "--skip-existing"]) == 0
    assert [p.name for p in out.iterdir()] == ["single1_colorized.png"] and empty.stat().st_size > 0
