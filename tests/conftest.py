"""Shared fixtures. Every test gets its own user folder (settings, logs, models)."""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dir(tmp_path_factory, monkeypatch):
    user = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(user))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user / "config"))
    yield user


@pytest.fixture(scope="session")
def motorcycle_small():
    """The Middlebury Motorcycle pair at 1/4 size: (left RGB, right RGB) float32 [0,1]."""
    import cv2
    from skimage import data

    left, right, _ = data.stereo_motorcycle()
    size = (left.shape[1] // 4, left.shape[0] // 4)
    f = lambda im: cv2.resize(im, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    return f(left), f(right)


@pytest.fixture
def small_pair_files(tmp_path, motorcycle_small):
    """A small gray (mono) + colour pair written as files: (gray_path, color_path)."""
    from PIL import Image

    from colorstudio.core.color import luma

    left, right = motorcycle_small
    gray = tmp_path / "moto_mono.png"
    color = tmp_path / "moto_color.png"
    Image.fromarray(np.rint(luma(left) * 255).astype(np.uint8)).save(gray)
    Image.fromarray(np.rint(right * 255).astype(np.uint8)).save(color)
    return gray, color
