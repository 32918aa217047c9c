"""benchmarks/ccdc_cleaner_shots.py: it scores what it says on one pair of each kind, compares
model files side by side, and fails when CCDC is not above DIS flow + guided filter on moving
pairs."""
from __future__ import annotations

import json

import numpy as np
import pytest

from bench_scripts import loaded_script

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def script():
    yield from loaded_script("ccdc_cleaner_shots")


@pytest.fixture
def three_cases(monkeypatch):
    """One Motorcycle pair from the cleaner cameras (4x), one cleaner viewpoint pair (4x) and one
    clean same-frame pair (4x)."""
    from colorstudio.bench import crosscam

    real = crosscam.motorcycle_cases(factors=(4.0,), setups=(1,), cleaner=True)[:1]
    moving = crosscam.synthetic_cases(n=1, factors=(4.0,), kinds=("viewpoint",), cleaner=True)
    same = crosscam.same_frame_cases((4.0,), n=1, clean=True)
    monkeypatch.setattr(crosscam, "motorcycle_cases", lambda **_: real)
    monkeypatch.setattr(crosscam, "synthetic_cases", lambda **_: moving)
    monkeypatch.setattr(crosscam, "same_frame_cases", lambda **_: same)
    return real + moving + same


def test_scores_each_method_and_model_side_by_side(script, three_cases, tmp_path):
    from colorstudio.engine.learned_methods import weight_file

    shipped = str(weight_file("ccdc"))
    out = tmp_path / "r.json"
    code = script.main(["--models", f"{shipped},{shipped}", "--json", str(out)])
    result = json.loads(out.read_text())
    real, moving, same = result["cases"]
    label = "ccdc (ccdc.safetensors)"
    assert set(real) == set(moving) == {"case", "group", label, "dis+gf"}        # no copy for a moving pair
    assert real["group"] == "motorcycle cleaner/4x" and real[label] > real["dis+gf"]
    assert set(same) == {"case", "group", label, "dis+gf", "copy+detail"}
    assert moving["group"] == "viewpoint cleaner/4x" and same["group"] == "same frame clean/4x"
    assert all(25 < r[k] < 60 for r in (moving, same) for k in r if k not in ("case", "group"))
    assert same["copy+detail"] > same[label]           # a noiseless shot of the very frame: copying wins
    assert code == (0 if moving[label] > moving["dis+gf"] else 1)      # (Motorcycle's is above: this one decides)
    assert result["means"]["same frame clean/4x"]["copy+detail"] == same["copy+detail"]


def test_group_means(script):
    rows = [{"case": "a", "group": "g", "x": 1.0}, {"case": "b", "group": "g", "x": 2.0},
            {"case": "c", "group": "h", "x": 5.0}]
    assert script.group_means(rows) == {"g": {"x": 1.5}, "h": {"x": 5.0}}


def test_fails_when_ccdc_is_behind_on_moving_pairs(script, three_cases, monkeypatch, capsys):
    from colorstudio.core.result import ChromaResult
    from colorstudio.engine import crosscam

    monkeypatch.setattr(crosscam, "colorize_crosscam",
                        lambda gray, ref, **_: ChromaResult(np.full(gray.shape + (2,), 0.5, np.float32), {}, {}))
    assert script.main([]) == 1
    assert "FAILED: ccdc is not above dis+gf in motorcycle cleaner/4x, viewpoint cleaner/4x" in capsys.readouterr().out
