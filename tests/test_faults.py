"""Faults: unwritable output, a full disk, bad model files, and training killed with SIGKILL.

The tests run as root in CI, where chmod does not stop writes: a read-only folder is simulated
by a path *under a file* and by making the temporary-file creation fail with EACCES (monkeypatch);
a full disk by making the write fail with ENOSPC.
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from bad_inputs import gray_of, hashes, scene
from colorstudio.cli import main
from colorstudio.core import atomic_files
from colorstudio.paths import models_dir

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def pair(tmp_path):
    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    rgb = scene()
    Image.fromarray(gray_of(rgb)).save(folder / "p_mono.png")
    Image.fromarray(rgb[:, ::-1].copy()).save(folder / "p_color.png")
    return folder / "p_mono.png", folder / "p_color.png"


def one_error_line(code: int, err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 1, err
    assert len(lines) == 1 and lines[0].startswith("colorstudio: error: "), err
    return lines[0]


# ------------------------------------------------------------------ unwritable output
def test_output_under_a_file_is_a_clear_error(pair, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(blocker / "out.png"), "--method", "copy"])
    assert "is a file, not a folder" in one_error_line(code, capsys.readouterr().err)


def test_batch_into_a_folder_that_cannot_be_made_is_a_clear_error(pair, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code = main(["batch", str(pair[0].parent), "-o", str(blocker / "out"), "--method", "copy"])
    err = capsys.readouterr().err
    assert code == 1 and "cannot create the output folder" in err and "Traceback" not in err


def test_read_only_folder_is_a_clear_error(pair, tmp_path, capsys, monkeypatch):
    def refuse(*a, **kw):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic_files.tempfile, "mkstemp", refuse)
    out = tmp_path / "ro" / "out.png"
    out.parent.mkdir()
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(out), "--method", "copy"])
    assert "not writable" in one_error_line(code, capsys.readouterr().err)
    assert not out.exists()


def test_read_only_folder_in_a_batch_fails_each_item_in_one_line(pair, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(atomic_files.tempfile, "mkstemp",
                        lambda *a, **kw: (_ for _ in ()).throw(PermissionError(errno.EACCES, "denied")))
    code = main(["batch", str(pair[0].parent), "-o", str(tmp_path / "out"), "--method", "copy"])
    err = capsys.readouterr().err
    assert code == 1 and "not writable" in err and "Traceback" not in err and "internal error" not in err


class _FullDisk:
    """A file object whose writes fail like a full disk."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_is_a_clear_error_and_leaves_the_old_file_and_no_temp(pair, tmp_path, capsys, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "result.png"
    out.write_bytes(b"the previous result")
    before = hashes(pair[0].parent)
    monkeypatch.setattr(atomic_files, "open", lambda path, mode="r": _FullDisk(), raising=False)
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(out), "--method", "copy"])
    assert "No space left" in one_error_line(code, capsys.readouterr().err)
    assert out.read_bytes() == b"the previous result"        # atomic: the old file is whole
    assert [p.name for p in out_dir.iterdir()] == ["result.png"]   # no .part left behind
    assert hashes(pair[0].parent) == before


# ------------------------------------------------------------------ model files
def _bad_models(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    real = (models_dir() / "ccdc.safetensors").read_bytes()
    out = {}
    out["truncated"] = folder / "truncated.safetensors"
    out["truncated"].write_bytes(real[: len(real) // 2])
    out["header garbage"] = folder / "garbage.safetensors"
    out["header garbage"].write_bytes(real[:8] + os.urandom(200) + real[208:])
    out["empty"] = folder / "empty.safetensors"
    out["empty"].write_bytes(b"")
    out["pickle"] = folder / "pickle.safetensors"
    torch.save({"weight": torch.zeros(3, 3)}, out["pickle"])
    out["another net"] = folder / "hsv.safetensors"
    shutil.copy(models_dir() / "hsv2stage.safetensors", out["another net"])
    out["missing"] = folder / "nope.safetensors"
    return out


@pytest.mark.parametrize("kind", ["truncated", "header garbage", "empty", "pickle", "another net", "missing"])
def test_a_bad_pair_model_is_refused_in_one_line(pair, tmp_path, capsys, kind):
    model = _bad_models(tmp_path / "models")[kind]
    out = tmp_path / "o.png"
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(out), "--method", "ccdc", "--model", str(model)])
    line = one_error_line(code, capsys.readouterr().err)
    assert model.name in line or "not found" in line or "does not exist" in line
    assert not out.exists()


@pytest.mark.parametrize("kind", ["truncated", "pickle"])
def test_a_bad_single_model_is_refused_in_one_line(pair, tmp_path, capsys, kind):
    model = _bad_models(tmp_path / "models")[kind]
    code = main(["colorize", str(pair[0]), "-o", str(tmp_path / "o.png"), "--method", "hsv2stage",
                 "--model", str(model)])
    one_error_line(code, capsys.readouterr().err)


def test_a_pickle_renamed_to_safetensors_is_refused_in_a_fresh_process(pair, tmp_path):
    """Also proves it is never unpickled: the pickle would create a marker file when loaded."""
    marker = tmp_path / "unpickled"
    evil = tmp_path / "evil.safetensors"
    code = (f"import pickle, pathlib\n"
            f"class Boom:\n"
            f"    def __reduce__(self):\n"
            f"        return (pathlib.Path.touch, (pathlib.Path({str(marker)!r}),))\n"
            f"pickle.dump(Boom(), open({str(evil)!r}, 'wb'))\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    p = subprocess.run([sys.executable, "-m", "colorstudio", "colorize", str(pair[0]), str(pair[1]),
                        "-o", str(tmp_path / "o.png"), "--method", "ccdc", "--model", str(evil)],
                       capture_output=True, text=True, timeout=120)
    line = one_error_line(p.returncode, p.stderr)
    assert "evil.safetensors" in line and not marker.exists()


def test_tampered_weights_are_refused(pair, tmp_path, capsys):
    data = bytearray((models_dir() / "ccdc.safetensors").read_bytes())
    for i in range(len(data) - 4000, len(data) - 8, 4):  # flip bytes in the last tensors' data
        data[i] ^= 0x55
    model = tmp_path / "tampered.safetensors"
    model.write_bytes(bytes(data))
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(tmp_path / "o.png"),
                 "--method", "ccdc", "--model", str(model)])
    assert code == 1


# ------------------------------------------------------------------ SIGKILL
_TRAIN_CHILD = """
import sys, torch
sys.path.insert(0, {tests!r})
torch.set_num_threads(1)
from test_stereo_training import ShiftedPairs, tiny_model
from colorstudio.training.stereo_loop import TrainOptions, train_steps
opts = TrainOptions(steps=100000, checkpoint_every=2, max_disparity=32)
for p in train_steps(tiny_model(), ShiftedPairs(), opts, {run_dir!r}):
    print(p.step, bool(p.checkpoint), flush=True)
"""


def _checkpoint_step(run_dir: Path) -> int:
    import json

    from safetensors import safe_open

    with safe_open(str(run_dir / "checkpoint.safetensors"), "pt") as f:
        return json.loads(f.metadata()["state"])["step"]


def test_training_killed_mid_step_resumes_from_its_last_checkpoint(tmp_path):
    from test_stereo_training import ShiftedPairs, tiny_model

    from colorstudio.training.stereo_loop import TrainOptions, train_steps

    run_dir = tmp_path / "run"
    child = subprocess.Popen([sys.executable, "-c", _TRAIN_CHILD.format(tests=str(TESTS), run_dir=str(run_dir))],
                             stdout=subprocess.PIPE, text=True)
    try:
        seen = 0
        for line in child.stdout:
            seen = int(line.split()[0])
            if seen >= 5:       # step 4 checkpointed; step 5 done; kill during step 6
                break
        time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    step = _checkpoint_step(run_dir)              # loads: not half-written
    assert step in (4, 6), step                   # the last checkpoint before the kill
    leftovers = {p.name for p in run_dir.iterdir()} - {"checkpoint.safetensors"}
    # a kill during the write may leave its temp file (".checkpoint.safetensors.<random>.part")
    assert all(n.startswith(".checkpoint.safetensors.") and n.endswith(".part") for n in leftovers), leftovers

    opts = TrainOptions(steps=step + 2, checkpoint_every=2, max_disparity=32)
    progress = list(train_steps(tiny_model(seed=7), ShiftedPairs(), opts, run_dir))
    assert [p.step for p in progress] == [step + 1, step + 2]
    assert _checkpoint_step(run_dir) == step + 2
    assert all(np.isfinite(p.losses["total"]) for p in progress)


_SAVE_CHILD = """
import sys, torch
sys.path.insert(0, {tests!r})
torch.set_num_threads(1)
from test_stereo_training import tiny_model
from colorstudio.nets.registry import save_model
m = tiny_model()
for i in range(100000):
    save_model(m, {path!r}, card={{"i": i}})
    if i == 0:
        print("saved", flush=True)
"""


@pytest.mark.parametrize("delay", [0.0, 0.013, 0.037])
def test_a_model_file_is_never_half_written_when_killed(tmp_path, delay):
    from colorstudio.nets.registry import load_model

    path = tmp_path / "user_model.safetensors"
    child = subprocess.Popen([sys.executable, "-c", _SAVE_CHILD.format(tests=str(TESTS), path=str(path))],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "saved"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(30)
    model = load_model(path)      # whole: raises ModelError if half-written
    assert sum(p.numel() for p in model.parameters()) > 0
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in (path.name, path.with_suffix(".json").name)]
    assert all(n.endswith(".part") for n in leftovers), leftovers   # temp files only, never the model


@pytest.mark.parametrize("method", ["hsv2stage", "cheng", "ccdc", "cyclecnn"])
def test_a_folder_given_as_model_is_called_a_folder(pair, tmp_path, capsys, method):
    # A user who gives --model a folder meant a file in it: "does not exist" would be untrue.
    inputs = [str(pair[0])] if method in ("hsv2stage", "cheng") else [str(pair[0]), str(pair[1])]
    code = main(["colorize", *inputs, "-o", str(tmp_path / "o.png"), "--method", method,
                 "--model", str(tmp_path)])
    line = one_error_line(code, capsys.readouterr().err)
    assert "is a folder, not a model file" in line and method in line


def test_a_mode_the_chosen_method_cannot_run_in_is_refused_not_ignored(pair, tmp_path, capsys):
    out = tmp_path / "o.png"
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(out), "--method", "cyclecnn",
                 "--mode", "crosscam"])
    line = one_error_line(code, capsys.readouterr().err)
    assert "cyclecnn" in line and "stereo pairs only" in line and not out.exists()


def test_a_mode_given_with_a_method_is_used_and_said(pair):
    from colorstudio.core.imageio import load_photo
    from colorstudio.engine.colorize import colorize

    res = colorize(load_photo(pair[0]), load_photo(pair[1]), method="dis+gf", options={"mode": "crosscam"})
    assert res.info["mode"] == "crosscam" and "chosen by the user" in res.info["mode_reason"]


@pytest.mark.parametrize("method", ["ccdc", "dis+gf"])
def test_a_gray_reference_gives_a_gray_result_as_the_warning_says(pair, tmp_path, method, monkeypatch):
    from PIL import Image

    from colorstudio.engine import methods as registry

    from colorstudio.core.imageio import load_photo
    from colorstudio.engine.colorize import colorize

    gray_ref = tmp_path / "ref_gray.png"
    Image.open(pair[1]).convert("L").save(gray_ref)
    ran = []
    monkeypatch.setattr(registry.Method, "load", lambda self: lambda *a, **k: ran.append(1))
    res = colorize(load_photo(pair[0]), load_photo(gray_ref), method=method)
    assert ran == [] and "stays gray" in res.info["warning"]      # nothing to take colour from: not run
    assert "mode_reason" not in res.info              # no mode was used: "stereo mode" is not said
    assert np.all(res.chroma == 0.5)                  # neutral
    assert np.ptp(res.rgb, axis=-1).max() < 1e-6


def test_a_fine_tuned_model_can_be_named_instead_of_its_path(pair, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path / "user"))
    mine = tmp_path / "user" / "models" / "mycam.safetensors"
    mine.parent.mkdir(parents=True)
    shutil.copy(models_dir() / "cyclecnn.safetensors", mine)
    out = tmp_path / "o.png"
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(out), "--model", "mycam"])
    assert code == 0 and out.exists()
    assert "colorized with cyclecnn (model mycam.safetensors)" in capsys.readouterr().err   # the file it used
    folder = tmp_path / "shoot"
    folder.mkdir()
    shutil.copy(pair[0], folder / f"a_mono{pair[0].suffix}")
    shutil.copy(pair[1], folder / f"a_color{pair[1].suffix}")
    assert main(["batch", str(folder), "-o", str(tmp_path / "done"), "--model", "mycam"]) == 0
    assert "with cyclecnn (model mycam.safetensors)" in capsys.readouterr().err
    code = main(["colorize", str(pair[0]), str(pair[1]), "-o", str(out), "--model", "nobody"])
    assert "model file not found: nobody" in one_error_line(code, capsys.readouterr().err)


def test_methods_lists_your_fine_tuned_models(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path / "user"))
    assert main(["methods"]) == 0 and "Your fine-tuned models" not in capsys.readouterr().out
    mine = tmp_path / "user" / "models" / "mycam.safetensors"
    mine.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(models_dir() / "cyclecnn.safetensors", mine)
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    assert "Your fine-tuned models" in out and "mycam" in out and "cyclecnn, for pairs" in out
