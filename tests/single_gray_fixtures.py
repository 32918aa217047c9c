"""Small photos and tiny model files shared by the single-gray tests."""
from __future__ import annotations

import numpy as np
import torch

from colorstudio.core import cheng_features as cf
from colorstudio.core.image_write import save_photo
from colorstudio.nets.cheng_mlp import ChengConfig, ChengModel
from colorstudio.nets.hsv2stage import HSV2Stage, HSV2StageConfig
from colorstudio.nets.weights_file import save_weights

TINY_HSV = HSV2StageConfig(lr_width=4, lr_layers=3, lr_dilations=(1, 2, 1), rcn_width=4)


def scene(h=48, w=64, seed=0):
    """A smooth colourful RGB test image (H, W, 3) float32."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    rgb = np.stack([0.5 + 0.4 * np.sin(6 * x + rng.random()), 0.5 + 0.4 * np.cos(5 * y),
                    0.5 + 0.3 * np.sin(4 * (x + y))], -1)
    return rgb.astype(np.float32)


def hsv_file(tmp_path, cfg=TINY_HSV, seed=0):
    torch.manual_seed(seed)
    net = HSV2Stage(cfg)
    path = tmp_path / "hsv2stage.safetensors"
    save_weights(path, net.state_dict(), "hsv2stage", cfg.to_dict(), {"working_long_side": "64"})
    return path, net


def cheng_file(tmp_path, centroids=None, k=2, context=False):
    torch.manual_seed(0)
    net = ChengModel(ChengConfig(in_dim=cf.feature_dim(context), n_clusters=k, context=context))
    if centroids is not None:
        net.centroids.copy_(torch.as_tensor(centroids))
    path = tmp_path / "cheng.safetensors"
    save_weights(path, net.state_dict(), "cheng", net.cfg.to_dict(), {"working_long_side": "64"})
    return path, net


def write_photos(folder, n, h=60, w=80):
    """``n`` smooth colourful photos p0.png.. in a new ``folder``; returns it."""
    folder.mkdir()
    for i in range(n):
        save_photo(folder / f"p{i}.png", scene(h, w, seed=i))
    return folder
