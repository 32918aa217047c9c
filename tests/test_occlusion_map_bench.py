"""benchmarks/occlusion_map.py: its scores are what they say, it runs on a Motorcycle case, and
it fails when the red map is no more precise than the largest |V0|."""
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
def one_case(monkeypatch):
    from colorstudio.bench import crosscam as bench

    case = bench.motorcycle_cases(factors=(4.0,), setups=(1,))[0]
    monkeypatch.setattr(bench, "motorcycle_cases", lambda **_: [case])
    return case


def test_scores_the_engines_maps_and_writes_them(script, one_case, monkeypatch, tmp_path):
    monkeypatch.setattr(script, "FACTORS", (4.0,))
    out = tmp_path / "r.json"
    assert script.main(["--json", str(out)]) == 0
    (row,) = json.loads(out.read_text())["cases"]
    assert row["case"] == one_case.name and row["forward"] == "dis"
    assert row["red"]["precision"] > row["largest |V0|, as many"]["precision"]
    assert 0.3 < row["red"]["recall"] < 0.9 and 0.3 < row["green"]["recall"] < 0.9


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
