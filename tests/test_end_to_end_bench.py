"""The end-to-end benchmark really runs the command and the in-process path, on real files,
and reports times, memory and ratios (on a tiny input and the classic baseline only, so
the test stays fast; the 12 MP numbers come from ``python -m colorstudio.bench.end_to_end``)."""
from __future__ import annotations

import cv2

from colorstudio.bench import end_to_end


def test_inputs_are_a_gray_png_and_a_colour_jpeg(tmp_path):
    gray, ref = end_to_end.write_inputs(tmp_path, megapixels=0.02)
    g = cv2.imread(str(gray), cv2.IMREAD_UNCHANGED)
    r = cv2.imread(str(ref), cv2.IMREAD_UNCHANGED)
    assert g.ndim == 2 and r.ndim == 3 and g.shape == r.shape[:2]
    assert 0.015e6 < g.size < 0.025e6
    assert r[..., 0].astype(int).mean() != r[..., 2].astype(int).mean()     # it has colour


def test_run_times_both_paths_and_reports_ratios():
    records = end_to_end.run(["dis+gf", "no-such-method"], repeats=1, progress=None, megapixels=0.02)
    base, bad = records
    assert "error" not in base, base
    assert base["command_seconds"] > 0 and base["read_colorize_write_seconds"] > 0
    # the command also pays the interpreter start and the imports
    assert base["command_seconds"] > base["read_colorize_write_seconds"]
    assert base["command_peak_rss_mb"] > 10 and base["command_ratio"] == 1.0
    assert "error" in bad and "no-such-method" in bad["error"]
    text = end_to_end.table(records)
    assert "| dis+gf |" in text and "error" in text


def test_the_methods_run_in_turns(monkeypatch):
    """A ratio compares runs of the same minutes: dis+gf, copy, dis+gf, copy, not each in a block."""
    order = []
    monkeypatch.setattr(end_to_end, "_isolated", lambda kind, method, *a: order.append((method, kind)) or
                        {"wall_seconds": 1.0, "read_colorize_write_seconds": 0.5, "peak_rss_mb": 50,
                         "imports_and_weights_seconds": 0.2})
    records = end_to_end.run(["dis+gf", "copy"], repeats=2, progress=None, megapixels=0.02)
    assert [m for m, kind in order if kind == "command"] == ["dis+gf", "copy", "dis+gf", "copy"]
    assert records[1]["command_all_seconds"] == [1.0, 1.0] and records[1]["command_ratio"] == 1.0


def test_the_run_fails_on_a_method_that_did_not_run_or_one_above_the_targets(monkeypatch, tmp_path, capsys):
    """It printed an error as a table row and exited 0 whatever happened."""
    ok = {"method": "dis+gf", "read_colorize_write_seconds": 1.0, "command_peak_rss_mb": 400,
          "command_seconds": 2.0, "command_all_seconds": [2.0]}
    slow = {"method": "cyclecnn", "read_colorize_write_seconds": 7.5, "command_peak_rss_mb": 3500}
    assert end_to_end.failures([ok]) == []
    assert end_to_end.failures([ok, slow]) == ["cyclecnn: read + colorize + write 7.50 s, above 6 s",
                                               "cyclecnn: peak RSS 3500 MB, above 3072 MB"]
    assert end_to_end.failures([{"method": "x", "error": "unknown method 'x'"}]) == ["x: unknown method 'x'"]
    monkeypatch.setattr(end_to_end, "run", lambda methods, repeats: [ok, {"method": "x", "error": "no such"}])
    assert end_to_end.main(["--methods", "dis+gf,x", "--json", str(tmp_path / "r.json")]) == 1
    assert "FAILED x: no such" in capsys.readouterr().err
    monkeypatch.setattr(end_to_end, "run", lambda methods, repeats: [ok])
    assert end_to_end.main(["--methods", "dis+gf"]) == 0
