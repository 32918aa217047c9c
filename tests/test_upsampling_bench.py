"""The upsampling benchmark's bookkeeping, with a stand-in method that copies the reference's
colour (the reference is the gray's own view, so its chroma is the truth at the working size)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.bench import upsampling as bench
from colorstudio.bench.cases import Case
from colorstudio.core.color import luma, rgb_to_ycbcr


def _case(seed=0, h=90, w=124) -> Case:
    rng = np.random.default_rng(seed)
    colour = cv2.GaussianBlur(rng.random((h, w, 3)).astype(np.float32), (0, 0), 3)
    colour = (colour - colour.min()) / (colour.max() - colour.min())
    tex = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 1.0)[..., None]
    rgb = np.clip(0.2 + 0.5 * colour + 0.3 * (tex - tex.mean()), 0, 1).astype(np.float32)
    return Case(f"synthetic/{seed}", "synthetic", 1, luma(rgb), rgb, rgb, {})


def _copy(gray, ref):
    return rgb_to_ycbcr(ref)[..., 1:]


def test_records_summary_and_table():
    cases = [("copy", _case(0)), ("copy", _case(1))]
    rows = bench.evaluate(cases, factors=(2.0, 3.5), methods={"copy": _copy}, progress=None)
    assert len(rows) == 2 * 2 * 2 * len(bench.UPSAMPLERS)        # cases x factors x sources x upsamplers
    assert {r["working_size"][0] for r in rows} == {62, 35}
    summary = bench.summarize(rows)
    assert list(summary) == ["copy/2x", "copy/3.5x"]
    for g in summary.values():
        assert g["cases"] == 2
        # the copy is the reduced truth, so the two sources agree up to the reference's own area reduction
        for u in bench.UPSAMPLERS:
            assert g["copy"][u] == pytest.approx(g["truth"][u], abs=0.5)
        assert g["detail_minus_guided_filter_db"] == pytest.approx(
            g["copy"]["detail"] - g["copy"]["guided-filter"], abs=1e-3)
        assert g["detail_minus_guided_filter_db"] > 0      # smoothing loses on clean chroma
    lines = bench.table(summary).splitlines()
    assert len(lines) == 1 + 2 * 2 and all(u in lines[0] for u in bench.UPSAMPLERS)


def test_a_fixed_size_method_runs_once_at_its_own_size(monkeypatch):
    monkeypatch.setitem(bench.FIXED_LONG_SIDE, "copy", 31)
    rows = bench.evaluate([("copy", _case())], factors=(2.0, 3.5), methods={"copy": _copy}, progress=None)
    assert {r["group"] for r in rows} == {"copy/31px"}
    assert {tuple(r["working_size"]) for r in rows} == {(31, 22)}
