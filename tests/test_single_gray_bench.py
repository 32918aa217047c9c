"""The single-gray benchmark (issue #6): baselines, saturation choice, training fit, outputs."""
from __future__ import annotations

import json

import pytest

from colorstudio.bench import single_gray as bench
from test_single_gray import _cheng_file, _hsv_file, write_photos


@pytest.fixture
def photos(tmp_path):
    return write_photos(tmp_path / "photos", 8, 40, 56)


def test_the_benchmark_scores_baselines_and_both_methods(tmp_path, photos):
    models = {"hsv2stage": str(_hsv_file(tmp_path)[0]), "cheng": str(_cheng_file(tmp_path)[0])}
    items = list(bench.run(tmp_path / "out", models, tmp_path / "sheet.png", photos))
    results = items[-1]
    assert len(results["validation_photos"]) == 2          # a quarter of 8 photos
    table = results["table"]
    assert table["gray"]["-"]["psnr"] == pytest.approx(results["gray_psnr"])
    assert table["gray"]["-"]["colourfulness_ratio"] == 0.0
    for name in models:
        assert set(table[name]) == {str(s) for s in bench.SATURATIONS}
        # more saturation, more colour (up to the gamut's clipping)
        ratios = [table[name][str(s)]["colourfulness_ratio"] for s in bench.SATURATIONS]
        assert all(b > a - 1e-3 for a, b in zip(ratios, ratios[1:])) and ratios[-1] > 2 * ratios[0]
        fit = results["training_fit"][name]
        assert fit["photos"] == 6 and fit["saturation"] == results["chosen_saturation"][name]
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert written["chosen_saturation"] == results["chosen_saturation"]
    assert "own training photos" in (tmp_path / "out" / "results.md").read_text()
    assert (tmp_path / "sheet.png").stat().st_size > 0
    bench.update_cards(results, models)
    card = json.loads((tmp_path / "hsv2stage.json").read_text())["benchmark"]
    assert card["default_saturation"] == results["chosen_saturation"]["hsv2stage"]
    assert card["on_training_photos"]["photos"] == 6


def test_choose_saturation_prefers_meeting_both_targets_then_doing_no_harm():
    g = 20.0
    rows = {0.5: {"psnr": 21.2, "colourfulness_ratio": 0.4}, 0.75: {"psnr": 21.1, "colourfulness_ratio": 0.65},
            1.0: {"psnr": 21.05, "colourfulness_ratio": 0.9}}
    assert bench.choose_saturation(rows, g) == 0.75          # meets both, best PSNR among those
    rows = {0.5: {"psnr": 20.4, "colourfulness_ratio": 0.4}, 0.75: {"psnr": 20.1, "colourfulness_ratio": 0.6},
            1.0: {"psnr": 19.5, "colourfulness_ratio": 0.9}}
    assert bench.choose_saturation(rows, g) == 0.75          # the most colourful that does no harm
    rows = {0.5: {"psnr": 19.9, "colourfulness_ratio": 0.4}, 1.0: {"psnr": 19.0, "colourfulness_ratio": 0.9}}
    assert bench.choose_saturation(rows, g) == 0.5           # else the best PSNR
