"""What the CCDC fine-tuning tests share: a tiny CCDC, pairs taken by a known camera, and the
last weights a run's checkpoint holds."""
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio.core import synth
from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.nets.weights_file import save_weights
from colorstudio.training.user_camera import UserCamera

TINY = CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4), decoder_widths=(4, 4, 4, 4), full_width=4)


@pytest.fixture
def tiny_ccdc(tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "tiny_ccdc.safetensors"
    save_weights(path, CCDC(TINY).state_dict(), "ccdc", TINY.to_dict())
    return path


def camera(gamma=1.3, colour_noise=0.05):
    x = np.linspace(0, 1, 33)
    return UserCamera(tone_in=x.tolist(), tone_out=(0.9 * x ** gamma).tolist(), mono_noise=0.01,
                      colour_noise=colour_noise, match_side="right", max_disparity=12, size_factor=1.0)


@pytest.fixture
def user_pairs(tmp_path, motorcycle_small):
    """Three pairs taken by a known camera: crops of the Motorcycle left view as scenes."""
    left, _ = motorcycle_small
    cam = camera()
    folder = tmp_path / "mine"
    folder.mkdir()
    for i, x in enumerate((0, 20, 40)):
        scene = np.ascontiguousarray(left[:, x:x + 160])
        p = synth.synthesize_from_photo(scene, np.random.default_rng(i), 1, max_disparity=12, side="right",
                                        degrade=cam.degrade)
        Image.fromarray(np.rint(p.gray * 255).astype(np.uint8)).save(folder / f"p{i}_mono.png")
        Image.fromarray(np.rint(p.reference * 255).astype(np.uint8)).save(folder / f"p{i}_color.png")
    return folder


def checkpoint_model(run_dir: Path) -> dict:
    """The model weights of the checkpoint in ``run_dir`` (the last weights of its run)."""
    from colorstudio.nets.weights_file import read_weights

    tensors = read_weights(run_dir / "checkpoint.safetensors", require_checksum=False)[0]
    return {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}
