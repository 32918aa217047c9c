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
