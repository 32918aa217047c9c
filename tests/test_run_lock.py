"""One fine-tune at a time in a run folder: two runs with the same -o both trained into one
checkpoint and both said they wrote the model (one of the two lost)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from colorstudio.errors import ColorStudioError
from colorstudio.training.run_lock import LOCK_NAME, RunFolderLock


@pytest.fixture
def other_process():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_a_run_folder_held_by_another_living_process_is_refused_at_once(tmp_path, other_process):
    run_dir = tmp_path / "m.run"
    run_dir.mkdir()
    (run_dir / LOCK_NAME).write_text(str(other_process.pid))
    with pytest.raises(ColorStudioError, match=f"another fine-tune \\(process {other_process.pid}\\) is training"):
        RunFolderLock(run_dir).claim()
    assert (run_dir / LOCK_NAME).read_text() == str(other_process.pid)       # its lock left as it is


def test_a_lock_left_by_a_process_that_is_gone_is_taken_over_and_released(tmp_path, other_process):
    other_process.kill()
    other_process.wait()
    run_dir = tmp_path / "new" / "m.run"
    for left in (str(other_process.pid), "", "not a number"):     # killed, or cut short
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / LOCK_NAME).write_text(left)
        lock = RunFolderLock(run_dir).claim()
        assert lock.held and (run_dir / LOCK_NAME).read_text() == str(__import__("os").getpid())
        lock.release()
        assert not (run_dir / LOCK_NAME).exists()


def test_finetune_into_a_folder_another_run_holds_says_so_in_one_line(tmp_path, other_process, capsys):
    import numpy as np
    from PIL import Image

    from colorstudio.cli import main

    (tmp_path / "pairs").mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (64, 96), dtype=np.uint8)).save(tmp_path / "pairs" / "s_mono.png")
    Image.fromarray(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)).save(tmp_path / "pairs" / "s_color.png")
    run_dir = tmp_path / "m.run"
    run_dir.mkdir()
    (run_dir / LOCK_NAME).write_text(str(other_process.pid))
    assert main(["finetune", str(tmp_path / "pairs"), "-o", str(tmp_path / "m.safetensors"), "--steps", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"colorstudio: error: another fine-tune (process {other_process.pid}) is training in "
                       f"{run_dir}: wait for it to end, or write to another -o")
    assert not (tmp_path / "m.safetensors").exists()
