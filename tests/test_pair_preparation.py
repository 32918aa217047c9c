"""What the fine-tuners refuse to learn from: a pair of two different scenes (a wrong file
paired), whose chance matches would give the camera a made-up tone curve and parallax."""
import cv2
import numpy as np
import pytest

from colorstudio import paths
from colorstudio.core.imageio import load_photo
from colorstudio.training.pair_preparation import PairRefused, ccdc_shot, stereo_pair


def _blobs(h, w, seed=3):
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.random((h // 16, w // 16, 3)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(img + 0.1 * rng.random((h, w, 3), np.float32), 0, 1).astype(np.float32)


@pytest.fixture(scope="module")
def pair():
    gray = load_photo(paths.examples_dir() / "motorcycle_mono.png").gray_float()
    colour = load_photo(paths.examples_dir() / "motorcycle_color.jpg").rgb_float()
    return gray, colour


@pytest.mark.parametrize("prepare", [lambda n, g, c: stereo_pair(n, g, c, 64), ccdc_shot])
def test_a_pair_of_two_scenes_is_refused_and_a_real_one_is_not(pair, prepare):
    gray, colour = pair
    with pytest.raises(PairRefused, match="do not seem to show the same scene"):
        prepare("wrong_mono.png", gray, _blobs(*colour.shape[:2]))
    assert prepare("moto_mono.png", gray, colour) is not None
