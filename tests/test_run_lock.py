"""One fine-tune at a time in a run folder: two runs with the same -o both trained into one
checkpoint and both said they wrote the model (one of the two lost)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from colorstudio.errors import ColorStudioError
from colorstudio.training.run_lock import LOCK_NAME, RunFolderLock


HOLD = """
import sys, time
from colorstudio.training.run_lock import RunFolderLock
RunFolderLock(sys.argv[1]).claim()
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def other_process(tmp_path):
    """Another process holding ``tmp_path / "m.run"``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "m.run")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()


def test_a_run_folder_held_by_another_living_process_is_refused_at_once(tmp_path, other_process):
    run_dir = tmp_path / "m.run"
    with pytest.raises(ColorStudioError, match=f"another fine-tune \\(process {other_process.pid}\\) is training"):
        RunFolderLock(run_dir).claim()
    assert (run_dir / LOCK_NAME).read_text() == str(other_process.pid)       # its lock left as it is


def test_a_lock_ends_with_its_process_even_killed_and_a_reused_id_does_not_hold_it(tmp_path, other_process):
    other_process.kill()
    other_process.wait()
    run_dir = tmp_path / "m.run"
    assert (run_dir / LOCK_NAME).exists()                 # what a killed run leaves
    (run_dir / LOCK_NAME).write_text("1")                  # an id that another process has now
    lock = RunFolderLock(run_dir).claim()
    assert lock.held and (run_dir / LOCK_NAME).read_text() == str(os.getpid())
    lock.release()
    assert not (run_dir / LOCK_NAME).exists()
    RunFolderLock(run_dir).claim().release()               # and again


def test_finetune_into_a_folder_another_run_holds_says_so_in_one_line(tmp_path, other_process, capsys):
    import numpy as np
    from PIL import Image

    from colorstudio.cli import main

    (tmp_path / "pairs").mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (64, 96), dtype=np.uint8)).save(tmp_path / "pairs" / "s_mono.png")
    Image.fromarray(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)).save(tmp_path / "pairs" / "s_color.png")
    run_dir = tmp_path / "m.run"
    assert main(["finetune", str(tmp_path / "pairs"), "-o", str(tmp_path / "m.safetensors"), "--steps", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"colorstudio: error: another fine-tune (process {other_process.pid}) is training in "
                       f"{run_dir}: wait for it to end, or write to another -o")
    assert not (tmp_path / "m.safetensors").exists()


def test_the_wizard_lets_go_of_the_run_folder_when_its_trainer_fails_to_start(tmp_path):
    from colorstudio.gui import training_adapter as ta    # no Qt in it

    plan = ta.FineTunePlan(train_pairs=[], held_out=[], base_model=None, run_dir=tmp_path / "run",
                           minutes=None, steps=2, device="cpu", crop=None, method="ccdc")

    def cannot_start(plan):
        raise ColorStudioError("the checkpoint cannot be read")

    with pytest.raises(ColorStudioError, match="cannot be read"):
        next(ta.training_steps(plan, cannot_start))
    RunFolderLock(plan.run_dir).claim().release()          # free: it held it until the app quit
    assert not (plan.run_dir / LOCK_NAME).exists()
