"""Checkpoint selection of the single-gray trainers: scored by the benchmark's measure on
training photos held apart, the best weights kept."""
from __future__ import annotations

import json

import numpy as np
import pytest

from colorstudio.core.color import luma, rgb_to_ycbcr
from colorstudio.training.selection import gain_at_ratio, selection_score
from single_gray_fixtures import TINY_HSV, scene, write_photos


def test_gain_at_ratio_interpolates_between_saturation_factors():
    points = [(0.8, 0.0), (0.4, 1.0), (1.2, -2.0)]          # any order
    assert gain_at_ratio(points, 0.6) == pytest.approx(0.5)
    assert gain_at_ratio(points, 1.0) == pytest.approx(-1.0)
    assert gain_at_ratio(points, 0.1) == pytest.approx(1.0)  # outside: the nearest end
    assert gain_at_ratio(points, 2.0) == pytest.approx(-2.0)


def test_selection_score_ranks_the_true_colours_above_gray_and_a_wrong_cast():
    photos = [scene(48, 64, seed=s) for s in range(3)]
    truth = {luma(p).tobytes(): rgb_to_ycbcr(p)[..., 1:] for p in photos}

    def oracle(gray, factor):  # the true chroma, scaled around neutral by the factor
        return 0.5 + factor * (truth[gray.tobytes()] - 0.5)

    def gray(g, factor):
        return np.full(g.shape + (2,), 0.5, np.float32)

    def cast(g, factor):
        return np.broadcast_to(np.float32([0.5 + 0.1 * factor, 0.5 - 0.1 * factor]), g.shape + (2,))

    best = selection_score(oracle, photos)
    assert best["by_factor"][1.0][0] == pytest.approx(1.0, abs=0.01)   # colourfulness of the truth
    assert best["gain_db"] > 5
    none = selection_score(gray, photos)
    assert none["gain_db"] == pytest.approx(0.0) and all(r == 0 for r, _ in none["by_factor"].values())
    assert selection_score(cast, photos)["gain_db"] < 0 < best["gain_db"]


def test_training_with_select_holds_photos_apart_and_writes_the_best_weights(tmp_path):
    from colorstudio.nets.weights_file import load_weights
    from colorstudio.training.train_hsv2stage import BEST_FILE, _keep_if_best, train

    photos = write_photos(tmp_path / "photos", 12)
    out, run = tmp_path / "m" / "hsv2stage.safetensors", tmp_path / "run"
    progress = list(train(out, 5, run, photos=photos, cfg=TINY_HSV, batch=2, crop=32, max_steps=2, select=2))
    assert "/ 2 selection" in progress[0].message and "best on the selection photos" in progress[-2].message
    card = json.loads(out.with_suffix(".json").read_text())
    sel = card["selection"]
    assert sel["step"] == 2 and len(sel["photos"]) == 2 and np.isfinite(sel["gain_db"])
    assert not set(sel["photos"]) & set(card["data"]["validation"]) and card["data"]["n_train"] == 7
    assert card["phases"][-1]["select"] == 2 and card["reproduce"][-1].endswith("--select 2")
    shipped, _, _ = load_weights(out, "hsv2stage")
    best, _, _ = load_weights(run / BEST_FILE, "hsv2stage")
    assert all(np.array_equal(shipped[k].numpy(), best[k].numpy()) for k in best)
    # a later, worse score leaves the best weights and their record alone
    from colorstudio.engine.single import load_model
    model, _ = load_model("hsv2stage", out)
    state = {"step": 9, "minutes": 1.0, "selection": dict(sel, gain_db=99.0)}
    before = (run / BEST_FILE).read_bytes()
    score = _keep_if_best(model, [scene(48, 64)], state, run)
    assert np.isfinite(score) and state["selection"]["gain_db"] == 99.0 and state["selection"]["step"] == 2
    assert (run / BEST_FILE).read_bytes() == before
