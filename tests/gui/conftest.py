"""GUI tests run offscreen, each with its own user folder (so its own QSettings and log)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_user_dir(tmp_path, monkeypatch, qapp):
    """A fresh COLORSTUDIO_USER_DIR per test (settings, logs, user models)."""
    from colorstudio.gui import qt_compat

    qt_compat.install()
    user = tmp_path / "user"
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(user))
    return user


def _texture(h: int, w: int, seed: int) -> np.ndarray:
    """A smooth colourful scene with edges: RGB uint8 (h, w, 3)."""
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.uniform(0, 255, (h // 8, w // 8, 3)).astype(np.float32), (w, h),
                     interpolation=cv2.INTER_CUBIC)
    for _ in range(6):
        c = tuple(int(v) for v in rng.integers(0, 255, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.circle(img, (x, y), int(rng.integers(6, h // 4)), c, -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def write_pair(folder: Path, name: str = "scene", h: int = 96, w: int = 128, shift: int = 6,
               seed: int = 0) -> tuple[Path, Path]:
    """x_mono.png (gray, the colour view shifted by ``shift`` px) + x_color.png."""
    folder.mkdir(parents=True, exist_ok=True)
    colour = _texture(h, w + shift, seed)
    gray_view = colour[:, shift:]
    ref_view = colour[:, :w]
    gray = cv2.cvtColor(gray_view, cv2.COLOR_RGB2GRAY)
    mono, ref = folder / f"{name}_mono.png", folder / f"{name}_color.png"
    cv2.imwrite(str(mono), gray)
    cv2.imwrite(str(ref), ref_view[..., ::-1])
    return mono, ref


@pytest.fixture
def pair_files(tmp_path) -> tuple[Path, Path]:
    return write_pair(tmp_path / "photos")


@pytest.fixture
def settings(isolated_user_dir):
    from colorstudio.gui.settings import Settings

    return Settings()


@pytest.fixture
def window(qtbot, settings):
    from colorstudio.gui.main_window import MainWindow

    w = MainWindow(settings)
    w.force_close = True
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    yield w
    if w.worker is not None:
        w.worker.stop(10000)
    w.batch.stop()
