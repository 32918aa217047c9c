"""The benchmark: a tiny run covers every classic pair method with finite numbers."""
from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from colorstudio.bench import cli, speed, table
from colorstudio.bench.memory import PeakMemory
from colorstudio.bench.runner import BenchConfig, pair_methods, run_benchmark
from colorstudio.errors import MethodError
from generator_steps import steps_and_result

CLASSIC = ["copy", "copy+gf", "reinhard", "reinhard+gf", "sgbm", "sgbm+gf", "dis", "dis+gf"]


@pytest.fixture
def photo_dir(tmp_path):
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur((rng.random((90, 120, 3)) * 255).astype(np.uint8), (0, 0), 2)
    cv2.imwrite(str(tmp_path / "scene.png"), img)
    return tmp_path


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    img = cv2.GaussianBlur((np.random.default_rng(0).random((90, 120, 3)) * 255).astype(np.uint8), (0, 0), 2)
    cv2.imwrite(str(folder / "scene.png"), img)
    config = BenchConfig(setups=(1, 3), photos=1, photos_dir=str(folder), motorcycle_scale=0.2)
    seen = []
    result = run_benchmark(config, progress=seen.append)
    return result, seen


def test_tiny_benchmark_has_every_classic_method_with_finite_numbers(tiny_result):
    result, seen = tiny_result
    assert set(CLASSIC) <= set(result.methods())
    cases = {r["case"] for r in result.records}
    assert len(cases) == 2 * 2 + 2          # Motorcycle 2 directions x 2 setups + 1 photo x 2 setups
    for r in result.records:
        if r["method"] in CLASSIC:
            assert "error" not in r, r
            for key in ("chroma_psnr", "rgb_psnr", "ssim", "cycle_psnr", "seconds", "peak_mb"):
                assert math.isfinite(r[key]), (r["method"], key)
    assert seen[-1].fraction == 1.0
    # aligning beats copying on the real pair
    assert result.mean("dis+gf", "chroma_psnr", "motorcycle") > result.mean("copy", "chroma_psnr", "motorcycle") + 3


def test_report_is_a_markdown_table_naming_every_method(tiny_result):
    result, _ = tiny_result
    text = table.report(result)
    assert "| method | chroma PSNR (dB)" in text and "motorcycle/setup3" in text
    for name in CLASSIC:
        assert f"| {name} |" in text


def test_unknown_method_names_are_refused():
    with pytest.raises(MethodError):
        pair_methods(["copy", "no-such-method"])
    assert cli.main(["--methods", "no-such-method"]) == 1


def test_main_writes_json(tmp_path, photo_dir, capsys, monkeypatch):
    monkeypatch.setattr(BenchConfig, "quick", classmethod(
        lambda cls, **kw: cls(photos=1, motorcycle_scale=0.15, photo_max_side=96, **kw)))
    out = tmp_path / "bench.json"
    code = cli.main(["--quick", "--methods", "copy,dis+gf", "--setups", "2", "--no-cycle",
                     "--photos-dir", str(photo_dir), "--json", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert {r["method"] for r in data["records"]} == {"copy", "dis+gf"}
    assert all(r["cycle_psnr"] is None for r in data["records"])
    assert all("error" not in r and math.isfinite(r["chroma_psnr"]) for r in data["records"])
    assert "| dis+gf |" in capsys.readouterr().out


def test_a_method_failing_makes_the_benchmark_fail(tmp_path, photo_dir, capsys, monkeypatch):
    from colorstudio.bench import runner

    monkeypatch.setattr(BenchConfig, "quick", classmethod(
        lambda cls, **kw: cls(photos=1, motorcycle_scale=0.15, photo_max_side=96, **kw)))

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(runner, "_score", broken)
    code = cli.main(["--quick", "--methods", "copy", "--setups", "2", "--no-cycle", "--photos-dir", str(photo_dir)])
    assert code != 0
    assert "runs failed, e.g. copy: RuntimeError: out of memory" in capsys.readouterr().err


def test_peak_memory_sees_a_large_numpy_allocation():
    # large enough that it cannot come from memory earlier tests freed but the allocator kept
    # resident (a 40 MB block sometimes did, after the single-gray ensemble ran)
    with PeakMemory() as mem:
        block = np.ones(300 * 1024 * 1024 // 8)
        del block
    if mem.extra_mb is None:
        pytest.skip("no RSS measurement on this platform")
    assert mem.extra_mb > 250


def test_speed_run_in_child_processes_reports_ratios_to_dis_gf(monkeypatch):
    """The times of one size come from one child, the methods in turns (a ratio compares runs of
    the same minutes); each method's memory from a child of its own."""
    children, run = [], speed.subprocess.run
    monkeypatch.setattr(speed.subprocess, "run", lambda cmd, **kw: children.append(cmd[3:]) or run(cmd, **kw))
    _, records = steps_and_result(speed.speed_steps(["copy", "dis+gf"], sizes=(0.05,), repeats=2))
    assert children == [["--times", "0.05", "2", "copy", "dis+gf"], ["--memory", "copy", "0.05"],
                        ["--memory", "dis+gf", "0.05"]]
    assert [r["method"] for r in records] == ["copy", "dis+gf"]
    for r in records:
        assert "error" not in r, r
        assert r["seconds"] > 0 and r["peak_rss_mb"] > 0
        assert len(r["all_seconds"]) == 2 and r["seconds"] == pytest.approx(min(r["all_seconds"]), abs=1e-3)
    assert records[1]["seconds_ratio"] == pytest.approx(1.0)
    copy, dis = records                          # each method's own time over the baseline's
    assert copy["seconds_ratio"] == pytest.approx(copy["seconds"] / dis["seconds"], rel=0.02, abs=0.01)
    assert "| copy |" in table.speed_table(records)


def test_a_method_that_fails_in_the_speed_run_leaves_the_others_timed():
    """All methods of a size share one timing process: one that cannot load carries its error,
    the others keep their times and ratios (one bad name wiped out the whole size)."""
    _, records = steps_and_result(speed.speed_steps(["copy", "no-such-method", "dis+gf"], sizes=(0.05,)))
    copy, bad, dis = records
    assert "no-such-method" in bad["error"] and "seconds" not in bad
    assert "error" not in copy and "error" not in dis and dis["seconds_ratio"] == pytest.approx(1.0)
