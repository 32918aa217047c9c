"""benchmarks/occlusion_map.py: its scores are what they say, it runs on a Motorcycle case and a
same-frame pair (CCDC's maps, and the Cycle CNN's beside its entropy), and it fails when the red
map is no more precise than the largest |V0| (or entropy) or marks too much of the same-frame pairs."""
from __future__ import annotations

import json

import numpy as np
import pytest

from bench_scripts import loaded_script

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def script():
    yield from loaded_script("occlusion_map")


def test_scores_and_the_largest_pixels(script):
    found = np.array([[True, True, False, False]])
    truth = np.array([[True, False, True, False]])
    known = np.array([[True, True, True, False]])
    s = script.scores(found, truth, known)
    assert (s["precision"], s["recall"], s["f1"]) == (0.5, 0.5, 0.5) and s["share"] == pytest.approx(0.667, abs=1e-3)
    assert script.largest(np.array([[3.0, 1.0], [5.0, 2.0]]), 2).tolist() == [[True, False], [True, False]]
    assert not script.largest(np.ones((2, 2)), 0).any()


@pytest.fixture
def one_case(script, monkeypatch):
    """One Motorcycle case, and one same-frame pair per group (clean and degraded, 8x)."""
    from colorstudio.bench import crosscam as bench

    case = bench.motorcycle_cases(factors=(4.0,), setups=(1,))[0]
    monkeypatch.setattr(bench, "motorcycle_cases", lambda **_: [case])
    monkeypatch.setattr(script, "SAME_FRAME_PAIRS", 1)
    monkeypatch.setattr(script, "SAME_FRAME_FACTORS", (8.0,))
    return case


def test_scores_the_engines_maps_and_writes_them(script, one_case, monkeypatch, tmp_path):
    monkeypatch.setattr(script, "FACTORS", (4.0,))
    out = tmp_path / "r.json"
    assert script.main(["--json", str(out)]) == 0
    (row,) = json.loads(out.read_text())["cases"]
    assert row["case"] == one_case.name and row["forward"] == "dis"
    assert row["red"]["precision"] > row["largest |V0|, as many"]["precision"]
    assert 0.3 < row["red"]["recall"] < 0.9 and 0.3 < row["green"]["recall"] < 0.9
    same = json.loads(out.read_text())["same_frame"]
    assert [r["group"] for r in same] == ["clean 8x", "degraded 8x"]
    assert all(0 <= r["red_share"] < script.FALSE_ALARM_LIMIT and 0 <= r["green_share"] < 0.1 for r in same)


def test_fails_when_red_marks_a_tenth_of_same_frame_pairs(script, one_case, monkeypatch, capsys):
    """Red marks a tenth of every same-frame pair, and is perfect on Motorcycle: exit 1."""
    from colorstudio.bench.stereo_oracle import unmatched_mask
    from colorstudio.core.result import ChromaResult
    from colorstudio.engine import crosscam

    def colorize(gray, reference, **_):
        if gray.shape == script.SAME_FRAME_SIZE:
            red = np.zeros(gray.shape, np.float32)
            red[: gray.shape[0] // 10] = -1.0
        else:
            red = -unmatched_mask(one_case.info["disparity_left"], True).astype(np.float32)
        maps = {"occlusion": red, "occlusion_colour_shot": np.zeros(gray.shape, np.float32),
                "visibility_0": np.zeros(gray.shape, np.float32), "flow": np.zeros(gray.shape + (2,), np.float32)}
        return ChromaResult(None, maps, {})

    monkeypatch.setattr(crosscam, "colorize_crosscam", colorize)
    monkeypatch.setattr(script, "FACTORS", (4.0,))
    assert script.main([]) == 1
    out = capsys.readouterr().out
    assert "FAILED: the red map marks 10% or more of same-frame pairs (clean 8x, degraded 8x)" in out
    assert "not more precise" not in out


def test_fails_when_red_is_no_better_than_v0(script, one_case, monkeypatch, capsys):
    """Red drawn at random, V0 strongest exactly where the truth says no counterpart: exit 1."""
    from colorstudio.bench.stereo_oracle import unmatched_mask
    from colorstudio.core.result import ChromaResult
    from colorstudio.engine import crosscam

    truth = unmatched_mask(one_case.info["disparity_left"], True)
    rng = np.random.default_rng(0)
    maps = {"occlusion": -(rng.random(truth.shape) < 0.1).astype(np.float32),
            "occlusion_colour_shot": np.zeros(truth.shape, np.float32),
            "visibility_0": truth.astype(np.float32), "flow": np.zeros(truth.shape + (2,), np.float32)}
    monkeypatch.setattr(crosscam, "colorize_crosscam", lambda *a, **k: ChromaResult(None, maps, {}))
    monkeypatch.setattr(script, "FACTORS", (4.0,))
    assert script.main([]) == 1
    assert "FAILED: the red map is not more precise than the largest |V0|" in capsys.readouterr().out


def test_the_recomputed_maps_are_the_engines_and_the_gray_pixel_margin_marks_more(script):
    """``--margin gray`` and ``--forward net`` recompute the maps; with neither asked for, the
    recomputation is the engine's own check, so the rows compare like with like."""
    from argparse import Namespace

    from colorstudio.bench.crosscam import same_frame_cases
    from colorstudio.core.occlusion import BETA

    (case,) = same_frame_cases((8.0,), n=1, clean=False)
    gray, shot = case.gray, case.reference
    _, red, green = script.engine_maps(gray, shot, Namespace(method="ccdc", model=None, forward="dis", margin="colour"))
    again_red, again_green = script.recomputed_maps(gray, shot)
    assert np.array_equal(red, again_red) and np.array_equal(green, again_green)
    _, gray_red, _ = script.engine_maps(gray, shot, Namespace(method="ccdc", model=None, forward="dis", margin="gray"))
    assert np.array_equal(gray_red, script.recomputed_maps(gray, shot, beta=BETA)[0])
    assert gray_red.mean() > 2 * red.mean() and (gray_red | ~red).all()   # a wider margin only unmarks


def test_scores_the_cyclecnn_maps_beside_its_entropy(script, one_case, monkeypatch, tmp_path):
    """The Cycle CNN's maps (at its working size, brought to the gray's) against the same number
    of its most uncertain pixels."""
    monkeypatch.setattr(script, "FACTORS", (4.0,))
    out = tmp_path / "r.json"
    assert script.main(["--method", "cyclecnn", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    (row,) = result["cases"]
    assert result["method"] == row["method"] == "cyclecnn" and "largest |V0|, as many" not in row
    assert row["red"]["precision"] > row["largest entropy, as many"]["precision"]
    assert 0.3 < row["red"]["recall"] < 0.9 and 0.3 < row["green"]["recall"] < 0.9
    assert all(0 <= r["red_share"] < script.FALSE_ALARM_LIMIT for r in result["same_frame"])


def test_fails_when_red_is_no_better_than_the_cyclecnn_entropy(script, one_case, monkeypatch, capsys):
    from colorstudio.bench.stereo_oracle import unmatched_mask
    from colorstudio.core.result import ChromaResult
    from colorstudio.engine import stereo

    truth = unmatched_mask(one_case.info["disparity_left"], True)
    small = (truth.shape[0] // 2, truth.shape[1] // 2)          # a working size: brought to the gray's
    rng = np.random.default_rng(0)
    maps = {"occlusion": -(rng.random(small) < 0.1).astype(np.float32),
            "occlusion_colour_shot": np.zeros(small, np.float32),
            "entropy": truth[::2, ::2][: small[0], : small[1]].astype(np.float32)}
    monkeypatch.setattr(stereo, "colorize_stereo", lambda *a, **k: ChromaResult(None, maps, {}))
    monkeypatch.setattr(script, "FACTORS", (4.0,))
    assert script.main(["--method", "cyclecnn"]) == 1
    assert "FAILED: the red map is not more precise than the largest entropy" in capsys.readouterr().out


def test_the_net_flow_going_forward_needs_ccdc(script, capsys):
    with pytest.raises(SystemExit):
        script.main(["--method", "cyclecnn", "--forward", "net"])
    assert "needs CCDC's flow" in capsys.readouterr().err
