"""The cross-camera benchmark's own logic: the true-disparity oracle row, the summary and
the table (with a tiny untrained CCDC, so only the bookkeeping and the oracle are judged)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from colorstudio.bench import crosscam as bench
from colorstudio.bench.cases import Case
from colorstudio.core.color import luma
from colorstudio.core.resize import area_reduce
from colorstudio.nets.ccdc import CCDC, CCDCConfig

SHIFT = 6   # the right view sees the left view's content SHIFT px further left


def _colour_texture(h, w, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    chans = [0.5 + 0.4 * np.sin(x * rng.uniform(0.1, 0.2) + y * rng.uniform(0.03, 0.1) + rng.uniform(0, 6))
             for _ in range(3)]
    return np.stack(chans, -1).astype(np.float32)


def _shifted_case(group="motorcycle/2x", with_disparity=True) -> Case:
    wide = _colour_texture(64, 96 + SHIFT)
    left, right = wide[:, :96], wide[:, SHIFT:SHIFT + 96]   # right[x] = left[x + SHIFT]
    info = {"factor": 2.0, "direction": "L<-R"}
    if with_disparity:
        info["disparity_left"] = np.full((64, 96), SHIFT, np.float32)
    return Case(f"{group}/0", group, 1, luma(left), area_reduce(right, 2.0), left, info)


@pytest.fixture
def tiny():
    torch.manual_seed(0)
    return CCDC(CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4),
                           decoder_widths=(4, 4, 4, 4), full_width=4, max_working_pixels=20_000)).eval()


def test_oracle_row_uses_the_true_disparity(tiny):
    rows = bench.evaluate([_shifted_case()], model=tiny, progress=None)
    psnr = {r["method"]: r["chroma_psnr"] for r in rows}
    assert set(psnr) == {"ccdc", bench.BASELINE, "dis", "copy+gf", bench.ORACLE}
    # copying the reference unmoved is SHIFT px off; the oracle puts every pixel back
    assert psnr[bench.ORACLE] > psnr["copy+gf"] + 5
    assert psnr[bench.ORACLE] > 30


def test_summary_and_table_with_and_without_the_oracle(tiny):
    cases = [_shifted_case(), _shifted_case("viewpoint/2x", with_disparity=False)]
    summary = bench.summarize(bench.evaluate(cases, model=tiny, progress=None))
    assert bench.ORACLE in summary["motorcycle/2x"] and bench.ORACLE not in summary["viewpoint/2x"]
    for g in summary.values():
        assert g["gain_db"] == pytest.approx(g["ccdc"]["chroma_psnr"] - g[bench.BASELINE]["chroma_psnr"], abs=1e-3)
    lines = bench.table(summary).splitlines()
    assert bench.ORACLE in lines[0] and len(lines) == 3
    assert lines[2].split()[-2] == "-"          # no oracle for the synthesized group


def test_true_disparity_cases_are_also_scored_on_matched_and_unmatched_pixels(tiny):
    cases = [_shifted_case(), _shifted_case("viewpoint/2x", with_disparity=False)]
    rows = bench.evaluate(cases, model=tiny, progress=None)
    oracle = next(r for r in rows if r["method"] == bench.ORACLE)
    # only the first SHIFT columns lack a counterpart (they look outside the right view);
    # everywhere else the oracle puts the colours back, so the matched pixels score higher
    assert oracle["chroma_psnr_matched"] > oracle["chroma_psnr"] > oracle["chroma_psnr_unmatched"]
    assert not any("chroma_psnr_matched" in r for r in rows if r["group"] == "viewpoint/2x")
    summary = bench.summarize(rows)
    assert "chroma_psnr_unmatched" in summary["motorcycle/2x"]["ccdc"]
    assert "chroma_psnr_unmatched" not in summary["viewpoint/2x"]["ccdc"]


def test_same_frame_cases_are_one_frame_and_the_clean_ones_noiseless():
    """The colour shot is the gray's own frame reduced: its luma brought back to the gray's size
    is the gray up to the reduction's blur, much closer than the same shot moved 2 of its pixels.
    The clean pairs' gray is the truth's luma on the 8-bit grid; the degraded ones' is not."""
    import cv2

    from colorstudio.bench.crosscam import same_frame_cases
    from colorstudio.core.color import luma

    (clean,) = same_frame_cases((4.0,), n=1, clean=True)
    (noisy,) = same_frame_cases((4.0,), n=1, clean=False)
    assert clean.group == "same frame clean/4x" and noisy.group == "same frame degraded/4x"
    gray, shot = clean.gray, clean.reference
    assert gray.shape == (360, 480) and shot.shape == (90, 120, 3)
    back = cv2.resize(luma(shot).astype(np.float32), (480, 360), interpolation=cv2.INTER_CUBIC)
    moved = cv2.resize(luma(shot[:, 2:]).astype(np.float32), (472, 360), interpolation=cv2.INTER_CUBIC)
    assert np.abs(back - gray).mean() < 0.5 * np.abs(moved - gray[:, :-8]).mean()
    assert np.abs(gray - np.round(luma(clean.truth_rgb) * 255) / 255).max() < 1e-6
    assert np.abs(noisy.gray - luma(noisy.truth_rgb)).mean() > 2 / 255


def test_cleaner_synthetic_cases_share_geometry_but_not_noise():
    from colorstudio.bench.crosscam import synthetic_cases

    setup = synthetic_cases(n=1, factors=(4.0,), kinds=("viewpoint",))[0]
    cleaner = synthetic_cases(n=1, factors=(4.0,), kinds=("viewpoint",), cleaner=True)[0]
    assert cleaner.group == "viewpoint cleaner/4x" and setup.group == "viewpoint/4x"
    assert np.array_equal(setup.truth_rgb, cleaner.truth_rgb)          # the same scene and motion
    noise = lambda c: float(np.abs(c.gray - np.round(c.gray * 255) / 255).max())
    assert noise(cleaner) < 1e-6 and np.abs(cleaner.gray - setup.gray).mean() > 1 / 255


def test_cleaner_motorcycle_cases_are_the_real_views_without_setup_noise():
    from colorstudio.bench.crosscam import motorcycle_cases

    (setup,) = motorcycle_cases(factors=(4.0,), setups=(1,))[:1]
    cleaner = motorcycle_cases(factors=(4.0,), setups=(1, 3), cleaner=True)
    assert [c.group for c in cleaner] == ["motorcycle cleaner/4x"] * 4 and {c.setup for c in cleaner} == {0}
    assert [c.name for c in cleaner[:2]] == ["motorcycle cleaner/L<-R/4x/draw1", "motorcycle cleaner/R<-L/4x/draw1"]
    first = cleaner[0]
    assert np.array_equal(first.truth_rgb, setup.truth_rgb) and first.reference.shape == setup.reference.shape
    assert first.info["direction"] == "L<-R" and "disparity_left" in first.info
    _, right = bench.load_motorcycle()
    noise = lambda c: float(np.abs(c.reference - area_reduce(right, 4.0)).mean())   # the colour shot's
    assert noise(first) < 0.5 * noise(setup)
    assert np.abs(first.gray - np.round(first.gray * 255) / 255).max() < 1e-6     # on the 8-bit grid


def test_the_12mp_speed_run_is_a_crosscam_child_and_its_failure_one_line(monkeypatch):
    """The 12 MP run goes to a child interpreter of this benchmark, with the model asked for; a
    child that fails gives its last error line, not a traceback."""
    import subprocess

    from colorstudio.bench import speed

    seen = []

    def child(cmd, **kw):
        seen.append(cmd[1:])
        return subprocess.CompletedProcess(cmd, 1, stdout="", stderr="Traceback ...\nModelError: no weights\n")

    monkeypatch.setattr(speed.subprocess, "run", child)
    assert bench.speed_run("m.safetensors") == {"error": "ModelError: no weights"}
    assert seen == [["-m", "colorstudio.bench.crosscam", "--speed-child", "--model", "m.safetensors"]]
