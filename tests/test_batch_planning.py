"""Planning a batch: its output folder inside an input folder is not searched, a manifest row
with a typo does not let its gray go alone, a manifest's output gets a format that can be written."""
from __future__ import annotations

from colorstudio.engine.batch import plan_batch, run_batch

from test_pairs import colour_img, gray_img


def _run(plan, method="neutral"):
    for _ in run_batch(plan, method=method):
        pass
    return plan


def test_a_second_batch_into_a_folder_inside_the_inputs_does_not_take_its_results_as_inputs(tmp_path):
    gray_img(tmp_path / "shoot" / "solo.png")
    out = tmp_path / "shoot" / "colorized"
    first = _run(plan_batch([tmp_path / "shoot"], out))
    assert [i.written.name for i in first.items] == ["solo_colorized.png"]
    again = plan_batch([tmp_path / "shoot"], out)
    assert [i.gray.name for i in again.items] == ["solo.png"] and again.unmatched == []


def test_a_manifest_row_with_a_typo_does_not_colorize_its_gray_alone(tmp_path):
    gray_img(tmp_path / "shot1.png")
    colour_img(tmp_path / "ref1.png")
    (tmp_path / "pairs.csv").write_text("shot1.png,ref1_typo.png\n")
    plan = plan_batch([tmp_path], tmp_path / "out")
    assert plan.items == []                                       # not shot1.png as a single gray
    reasons = {p.name: r for p, r in plan.unmatched}
    assert "not found" in reasons["ref1_typo.png"]


def test_a_manifest_output_gets_a_writable_format_or_the_one_asked_for(tmp_path):
    gray_img(tmp_path / "g1.png")
    gray_img(tmp_path / "g2.png")
    (tmp_path / "pairs.csv").write_text("g1.png,,result\ng2.png,,r2.heic\n")
    names = sorted(i.output.name for i in plan_batch([tmp_path], tmp_path / "out").items)
    assert names == ["r2.jpg", "result.png"]
    names = sorted(i.output.name for i in plan_batch([tmp_path], tmp_path / "out", ext="tif").items)
    assert names == ["r2.tif", "result.tif"]


def test_manifest_outputs_keep_their_subfolders(tmp_path):
    for name in ("d.png", "n.png", "x.png"):
        gray_img(tmp_path / "in" / name)
    (tmp_path / "in" / "pairs.csv").write_text("d.png,,day/out.png\nn.png,,night/out.png\nx.png,,../../escape.png\n")
    plan = _run(plan_batch([tmp_path / "in"], tmp_path / "out"))
    written = sorted(str(i.written.relative_to(tmp_path / "out")) for i in plan.items)
    assert written == ["day/out.png", "escape.png", "night/out.png"]      # not out.png and out-2.png
    assert not (tmp_path / "escape.png").exists()
