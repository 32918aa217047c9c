"""benchmarks/ccdc_working_size.py on a few made-up photos: it runs, and what it prints is
measured (a same-frame pair is an easy case for DIS flow + guided filter; each bound's run is
its own)."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from bench_scripts import loaded_script


@pytest.fixture(scope="module")
def script():
    yield from loaded_script("ccdc_working_size")


def test_runs_and_reports_each_bound(script, tmp_path):
    rng = np.random.default_rng(0)
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(8):
        img = cv2.resize(rng.random((6, 8, 3)), (160, 120), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(photos / f"p{i}.png"), np.clip(img * 255, 0, 255).astype(np.uint8))
    out = tmp_path / "r.json"
    assert script.main(["--size", "96,128", "--factors", "4", "--pairs", "1", "--kinds", "same,viewpoint",
                        "--bounds", "12288,3000", "--photos-dir", str(photos), "--json", str(out)]) == 0
    records = json.loads(out.read_text())["records"]
    assert [r["kind"] for r in records] == ["same", "viewpoint"]
    for r in records:
        assert all(np.isfinite(r[k]) for k in ("dis+gf", "ccdc@12288", "ccdc@3000"))
        assert r["ccdc@12288"] != r["ccdc@3000"]        # the bound reached the engine
    assert records[0]["dis+gf"] > 30                     # the same frame, only reduced
