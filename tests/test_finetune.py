"""`colorstudio finetune`: a tiny real run on user-style pairs, then colorize with the result."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio.cli import main
from colorstudio.core.color import luma
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.nets.wac import WACConfig


@pytest.fixture
def tiny_base(tmp_path):
    torch.manual_seed(0)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4), max_disparity=32)
    return save_model(CycleCNN(cfg), tmp_path / "base.safetensors", {"data": "test"})


@pytest.fixture
def user_pairs(tmp_path, motorcycle_small):
    """Three pairs 'from the user's camera': crops of the Motorcycle pair (a test stand-in)."""
    left, right = motorcycle_small
    folder = tmp_path / "mine"
    folder.mkdir()
    for i, x in enumerate((0, 20, 40)):
        crop = (slice(0, 96), slice(x, x + 140))
        Image.fromarray(np.rint(luma(left[crop]) * 255).astype(np.uint8)).save(folder / f"p{i}_mono.png")
        Image.fromarray(np.rint(right[crop] * 255).astype(np.uint8)).save(folder / f"p{i}_color.png")
    return folder


def test_finetune_writes_a_model_that_colorize_uses(tmp_path, tiny_base, user_pairs, capsys):
    out = tmp_path / "mine.safetensors"
    code = main(["finetune", str(user_pairs), "-o", str(out), "--steps", "3", "--base", str(tiny_base),
                 "--crop", "64x96", "--device", "cpu"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "validation cycle PSNR" in err
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["finetune"]["steps"] == 3 and card["data"]["train_pairs"] >= 2
    assert set(card["finetune"]["validation_before"]) == {"cycle_psnr", "cycle_ssim", "cycle_psnr_blocks"}
    assert card["finetune"]["cycle_pool"] == 4      # the default objective: 4x4 block means
    load_model(out)  # a loadable safetensors model
    gray, color = user_pairs / "p0_mono.png", user_pairs / "p0_color.png"
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "c.png"),
                 "--method", "cyclecnn", "--model", str(out)]) == 0


def test_resume_continues_the_same_run(tmp_path, tiny_base, user_pairs):
    out = tmp_path / "m.safetensors"
    run_dir = tmp_path / "m.run"
    assert main(["finetune", str(user_pairs), "-o", str(out), "--steps", "2", "--base", str(tiny_base),
                 "--crop", "64x96"]) == 0
    assert main(["finetune", str(user_pairs), "-o", str(out), "--steps", "4", "--base", str(tiny_base),
                 "--crop", "64x96", "--resume", str(run_dir)]) == 0
    assert json.loads(out.with_suffix(".json").read_text())["finetune"]["steps"] == 4


def test_too_few_pairs_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["finetune", str(tmp_path / "empty"), "-o", str(tmp_path / "x.safetensors"), "--steps", "1"]) == 1
    assert "at least 2" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [["--crop", "big"], ["--crop", "16x16"], ["--cycle-pool", "0"]])
def test_bad_finetune_options_are_one_line_errors(tmp_path, user_pairs, capsys, bad):
    out = tmp_path / "x.safetensors"
    assert main(["finetune", str(user_pairs), "-o", str(out), "--steps", "1", *bad]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and bad[0] in err and "Traceback" not in err
    assert not out.exists()
