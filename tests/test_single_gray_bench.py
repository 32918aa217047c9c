"""The single-gray benchmark (issue #6): baselines, saturation choice, training fit, outputs."""
from __future__ import annotations

import json

import pytest

from colorstudio.bench import single_gray as bench
from single_gray_fixtures import cheng_file, hsv_file, write_photos


@pytest.fixture
def photos(tmp_path):
    return write_photos(tmp_path / "photos", 8, 40, 56)


def test_the_benchmark_scores_baselines_and_both_methods(tmp_path, photos):
    models = {"hsv2stage": str(hsv_file(tmp_path)[0]), "cheng": str(cheng_file(tmp_path)[0])}
    items = list(bench.run(tmp_path / "out", models, tmp_path / "sheet.png", photos))
    results = items[-1]
    assert len(results["validation_photos"]) == 2          # a quarter of 8 photos
    table = results["table"]
    assert table["gray"]["-"]["psnr"] == pytest.approx(results["gray_psnr"])
    assert table["gray"]["-"]["colourfulness_ratio"] == 0.0
    assert set(results["chosen_saturation"]) == {"hsv2stage", "cheng", "ensemble"}
    for name in list(models) + ["ensemble"]:
        grid = {str(s) for s in bench.SATURATIONS}
        assert set(table[name]) >= grid and len(set(table[name]) - grid) <= bench.TARGET_PASSES  # + the target's
        for extra in set(table[name]) - grid:
            assert table[name][extra]["colourfulness_ratio"] == pytest.approx(bench.TARGET_RATIO, abs=0.05)
        # more saturation, more colour (up to the gamut's clipping)
        ratios = [table[name][str(s)]["colourfulness_ratio"] for s in bench.SATURATIONS]
        assert all(b > a - 1e-3 for a, b in zip(ratios, ratios[1:])) and ratios[-1] > 2 * ratios[0]
        fit = results["training_fit"][name]
        assert fit["photos"] == 6 and fit["saturation"] == results["chosen_saturation"][name]
    for name, r in results["at_chosen"].items():   # the spread over the photos is reported
        assert len(r["per_photo_gain_db"]) == 2 and r["psnr_gain_se_db"] >= 0
        assert sum(r["per_photo_gain_db"]) / 2 == pytest.approx(r["psnr_gain_db"], abs=0.01)
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert written["chosen_saturation"] == results["chosen_saturation"]
    assert "own training photos" in (tmp_path / "out" / "results.md").read_text()
    assert set(results["paired_at_default"]) == {"hsv2stage - cheng", "hsv2stage - ensemble", "cheng - ensemble"}
    assert "Paired, hsv2stage - cheng" in (tmp_path / "out" / "results.md").read_text()
    assert (tmp_path / "sheet.png").stat().st_size > 0
    bench.update_cards(results, models)
    card = json.loads((tmp_path / "hsv2stage.json").read_text())["benchmark"]
    assert card["default_saturation"] == results["chosen_saturation"]["hsv2stage"]
    assert card["on_training_photos"]["photos"] == 6
    assert set(card["paired_at_default"]) == {"hsv2stage - cheng", "hsv2stage - ensemble"}
    assert card["ensemble"]["default_saturation"] == results["chosen_saturation"]["ensemble"]


def test_the_benchmark_homes_in_on_the_factor_that_reaches_the_colourfulness_target(tmp_path, photos, monkeypatch):
    import numpy as np

    def fake_methods(models):     # colour growing with the 6th power of the factor: interpolating
        def colour(g, s):         # between grid steps lands short of the target at first
            offset = 0.067 * s ** 6
            return np.stack([np.full(g.shape, 0.5 + offset), np.full(g.shape, 0.5 - offset)], -1).astype(np.float32)
        return {"convex": (colour, bench.SATURATIONS)}

    monkeypatch.setattr(bench, "_methods", fake_methods)
    results = list(bench.run(tmp_path / "out", {}, tmp_path / "sheet.png", photos))[-1]
    rows = {float(f): r["colourfulness_ratio"] for f, r in results["table"]["convex"].items()}
    extras = sorted(set(rows) - set(bench.SATURATIONS))
    assert len(extras) >= 2 and rows[extras[0]] < bench.TARGET_RATIO    # the first try fell short
    reached = min(f for f, r in rows.items() if r >= bench.TARGET_RATIO)
    short = max(f for f, r in rows.items() if r < bench.TARGET_RATIO)
    assert reached in extras and reached - short == pytest.approx(0.01)
    assert results["chosen_saturation"]["convex"] in (reached,) + bench.SATURATIONS


def test_target_factor_interpolates_where_the_colourfulness_reaches_the_target():
    rows = {None: {"colourfulness_ratio": 0.0}, 1.0: {"colourfulness_ratio": 0.5},
            1.5: {"colourfulness_ratio": 0.9}, 0.5: {"colourfulness_ratio": 0.2}}
    assert bench.target_factor(rows, 0.6) == pytest.approx(1.13)       # 1.125 rounded up
    assert bench.target_factor(rows, 0.5) == pytest.approx(1.0)
    assert bench.target_factor(rows, 0.95) is None                     # never reached
    assert bench.target_factor(rows, 0.1) is None                      # reached at the first step


def test_photo_spread_is_the_standard_error_of_the_per_photo_gains():
    spread = bench.photo_spread([21.0, 23.0, 25.0], [20.0, 20.0, 20.0])
    assert spread["per_photo_gain_db"] == [1.0, 3.0, 5.0]
    assert spread["psnr_gain_se_db"] == pytest.approx(2.0 / 3 ** 0.5)


def test_paired_differences_compare_methods_photo_by_photo():
    psnrs = {("a", 1.0): [30.0, 20.0, 25.0], ("b", 0.5): [29.0, 19.5, 26.0], ("c", 2.0): [30.0, 20.0, 25.0]}
    paired = bench.paired_differences(psnrs, {"a": 1.0, "b": 0.5, "c": 2.0})
    assert set(paired) == {"a - b", "a - c", "b - c"}
    d = paired["a - b"]                              # differences +1, +0.5, -1
    assert d["mean_db"] == pytest.approx(1 / 6) and d["better_on"] == 2 and d["photos"] == 3
    assert d["se_db"] == pytest.approx(((1 - 1 / 6) ** 2 + (0.5 - 1 / 6) ** 2 + (-1 - 1 / 6) ** 2) ** 0.5
                                       / 2 ** 0.5 / 3 ** 0.5)
    assert paired["a - c"] == {"mean_db": 0.0, "se_db": 0.0, "better_on": 0, "photos": 3}


def test_choose_saturation_prefers_meeting_both_targets_then_doing_no_harm():
    g = 20.0
    rows = {0.5: {"psnr": 21.2, "colourfulness_ratio": 0.4}, 0.75: {"psnr": 21.1, "colourfulness_ratio": 0.65},
            1.0: {"psnr": 21.05, "colourfulness_ratio": 0.9}}
    assert bench.choose_saturation(rows, g) == 0.75          # meets both, best PSNR among those
    rows = {0.5: {"psnr": 20.4, "colourfulness_ratio": 0.4}, 0.75: {"psnr": 20.1, "colourfulness_ratio": 0.6},
            1.0: {"psnr": 19.5, "colourfulness_ratio": 0.9}}
    assert bench.choose_saturation(rows, g) == 0.75          # colourful enough, no harm, best PSNR
    rows[0.9] = {"psnr": 20.2, "colourfulness_ratio": 0.7}
    assert bench.choose_saturation(rows, g) == 0.9           # ... the more accurate of the two
    rows = {0.5: {"psnr": 20.4, "colourfulness_ratio": 0.4}, 0.75: {"psnr": 20.1, "colourfulness_ratio": 0.55},
            1.0: {"psnr": 19.5, "colourfulness_ratio": 0.9}}
    assert bench.choose_saturation(rows, g) == 0.75          # else the most colourful that does no harm
    rows = {0.5: {"psnr": 19.9, "colourfulness_ratio": 0.4}, 1.0: {"psnr": 19.0, "colourfulness_ratio": 0.9}}
    assert bench.choose_saturation(rows, g) == 0.5           # else the best PSNR


def test_with_several_hsv_nets_the_benchmark_scores_their_average_and_each_alone(tmp_path, photos):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    models = {"hsv2stage": str(hsv_file(tmp_path / "a")[0]),
              "hsv2stage_seed3": str(hsv_file(tmp_path / "b", seed=3)[0]), "cheng": str(cheng_file(tmp_path)[0])}
    results = list(bench.run(tmp_path / "out", models, tmp_path / "sheet.png", photos))[-1]
    assert set(results["chosen_saturation"]) == {"hsv2stage", "hsv2stage alone", "hsv2stage_seed3 alone",
                                                 "cheng", "ensemble"}
    assert results["table"]["hsv2stage"]["1.0"]["psnr"] != results["table"]["hsv2stage alone"]["1.0"]["psnr"]
    bench.update_cards(results, models)
    card = json.loads((tmp_path / "b" / "hsv2stage.json").read_text())["benchmark"]
    assert card["scored_as"] == "hsv2stage_seed3 alone"
    assert card["default_saturation"] == results["chosen_saturation"]["hsv2stage_seed3 alone"]
    assert card["hsv2stage_average"]["nets"] == ["hsv2stage", "hsv2stage_seed3"]
    assert card["ensemble"]["members"] == list(models)


def test_the_cross_fitted_gain_scores_each_photo_at_a_factor_fitted_without_it():
    """Two photos: each one's factor comes from the other's colourfulness alone (ratio 0.6 at
    factor 1.0 for photo 0, at 2.0 for photo 1), so each is scored where the other put it."""
    from colorstudio.bench.single_gray import cross_fitted

    truth = [10.0, 10.0]
    scores = {("m", 1.0): {"psnr": [21.0, 20.0], "colour": [6.0, 3.0]},
              ("m", 2.0): {"psnr": [19.0, 22.0], "colour": [12.0, 6.0]},
              ("gray", None): {"psnr": [20.0, 20.0], "colour": [0.0, 0.0]}}
    out = cross_fitted(scores, "m", truth, [20.0, 20.0])
    # photo 0 at photo 1's factor 2.0: 19 dB (-1); photo 1 at photo 0's factor 1.0: 20 dB (0)
    assert out["psnr_gain_db"] == pytest.approx(-0.5)
    assert out["colourfulness_ratio"] == pytest.approx((12.0 + 3.0) / 20.0)
    assert out["factor_range"] == [1.0, 2.0]
