"""The benchmark compares like with like: photos the stereo net never trained on, a note on
the ones another learned model did, and no "best" mean taken over fewer cases."""
from __future__ import annotations

import cv2
import numpy as np

from colorstudio.bench import table
from colorstudio.bench.cases import ccdc_training_photos, held_apart_photos, list_photos, photo_cases
from colorstudio.bench.runner import BenchResult
from colorstudio.training.datasets import split_photos


def _folder(tmp_path, n):
    rng = np.random.default_rng(0)
    for i in range(n):
        img = cv2.GaussianBlur((rng.random((60, 80, 3)) * 255).astype(np.uint8), (0, 0), 2)
        cv2.imwrite(str(tmp_path / f"p{i:02d}.png"), img)
    return tmp_path


def test_photo_cases_come_from_the_stereo_training_split_held_apart(tmp_path):
    folder = _folder(tmp_path, 30)
    held = {p.name for p in split_photos(list_photos(folder))[1]}
    assert len(held) == 3 and {p.name for p in held_apart_photos(list_photos(folder))} == held
    cases = photo_cases(10, setups=(1,), folder=folder)
    assert {c.info["photo"] for c in cases} == held            # never a photo cyclecnn trained on
    ccdc_train = {p.name for p in ccdc_training_photos(folder)}
    for c in cases:
        assert c.info["trained_on_by"] == (["ccdc"] if c.info["photo"] in ccdc_train else [])


def _record(case, method, psnr, seen=False):
    return {"case": case, "group": "photos/setup1", "method": method, "chroma_psnr": psnr,
            "seen_in_training": seen}


def test_a_method_that_failed_on_some_cases_is_never_the_bold_best():
    records = [_record("a", "dis+gf", 40.0), _record("b", "dis+gf", 30.0),
               _record("a", "learned", 39.0), _record("b", "learned", float("nan"))]
    text = table.summary_table(BenchResult(records, {}), "photos")
    assert "| learned | 39.00 (1 of 2 cases) |" in text
    assert "| dis+gf | **35.00** |" in text


def test_the_report_names_a_learned_method_trained_on_the_photos():
    records = [_record("a", "dis+gf", 40.0), _record("a", "ccdc", 41.0, seen=True),
               _record("b", "dis+gf", 30.0), _record("b", "ccdc", 31.0)]
    text = table.report(BenchResult(records, {}))
    assert "ccdc was trained on the photos of 1 of these 2 cases." in text
