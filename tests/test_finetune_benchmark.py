"""benchmarks/finetune_simulated_camera.py: simulated cameras, the photo split, a tiny real run."""
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from colorstudio.bench.cases import list_photos

from bench_scripts import loaded_script


@pytest.fixture(scope="module")
def bench():
    yield from loaded_script("finetune_simulated_camera")


def _views(seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((24, 32, 3), dtype=np.float32), rng.random((24, 32, 3), dtype=np.float32)


def test_a_camera_degrades_deterministically_and_cameras_differ(bench):
    gray_view, ref_view = _views()
    shots = {}
    for name, cam in bench.CAMERAS.items():
        gray, ref = cam.degrade(gray_view, ref_view, np.random.default_rng(7))
        again = cam.degrade(gray_view, ref_view, np.random.default_rng(7))
        assert gray.shape == (24, 32) and ref.shape == (24, 32, 3) and gray.dtype == np.float32
        np.testing.assert_array_equal(gray, again[0])
        np.testing.assert_array_equal(ref, again[1])
        np.testing.assert_allclose(gray * 255, np.rint(gray * 255), atol=1e-4)  # 8-bit files
        shots[name] = (gray, ref)
    assert len(shots) >= 2
    names = list(shots)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert np.abs(shots[a][0] - shots[b][0]).mean() > 0.02, (a, b)  # the mono tone differs
    # the tone curve is a fixed property of the camera, not drawn per pair
    v = np.linspace(0, 1, 11, dtype=np.float32)
    cam = bench.CAMERAS["bright_gamma"]
    assert np.all(np.diff(cam.mono_response(v)) >= 0)
    rgb = np.random.default_rng(0).random((16, 16, 3)).astype(np.float32)
    quiet = dataclasses.replace(cam, mono_noise=0.0, colour_noise=0.0)
    g1, _ = quiet.degrade(rgb, rgb, np.random.default_rng(1))
    g2, _ = quiet.degrade(rgb, rgb, np.random.default_rng(2))
    np.testing.assert_array_equal(g1, g2)          # the same gray whatever the pair's random draws


def test_training_and_evaluation_photos_are_disjoint(bench):
    files = [Path(f"p{i:02d}.jpg") for i in range(40)]
    card = {"data": {"validation_photos": [f"p{i:02d}.jpg" for i in range(30, 40)]}}
    held = bench.held_apart_by("cyclecnn", card)
    train, evals, unseen = bench.split_photos(files, held, 20, 6, seed=0)
    assert len(train) == 20 and len(evals) == 6 and not set(train) & set(evals)
    assert unseen and all(int(f.stem[1:]) >= 30 for f in evals)
    assert bench.split_photos(files, held, 20, 6, seed=0) == (train, evals, unseen)
    train, evals, unseen = bench.split_photos(files, set(), 30, 10, seed=1)
    assert not unseen and len(set(train) | set(evals)) == 40


def test_a_ccdc_run_is_scored_on_photos_ccdc_never_trained_on(bench):
    # the pool came from the Cycle CNN's card for both networks: 11 of a ccdc run's 12
    # "held-apart" photos were CCDC training photos
    from colorstudio.core.training_photos import list_photos as training_photos
    from colorstudio.training.ccdc_data import photo_split

    if len(training_photos()) < 40:
        pytest.skip("the shared photo folder is not here")
    ccdc_train, ccdc_val = photo_split()
    files = sorted(ccdc_train + ccdc_val)
    _, evals, unseen = bench.split_photos(files, bench.held_apart_by("ccdc", {}), 30, 12, seed=0)
    assert unseen and {f.name for f in evals} <= {p.name for p in ccdc_val}
    assert bench.trained_on_by(evals, {})["ccdc"] == 0


@pytest.mark.slow
def test_quick_run_reports_before_and_after_for_each_camera(bench, tmp_path, capsys):
    if len(list_photos()) < 3:
        pytest.skip("the shared photo folder is not here")
    out = tmp_path / "r.json"
    cameras = ["bright_gamma", "dark_scurve"]
    assert bench.main(["--quick", "--cameras", ",".join(cameras), "--json", str(out)]) == 0
    assert "chroma PSNR" in capsys.readouterr().out
    report = json.loads(out.read_text())
    split = report["split"]
    assert split["train_photos"] and split["eval_photos"]
    assert not set(split["train_photos"]) & set(split["eval_photos"])
    assert set(report["cameras"]) == set(cameras)
    for res in report["cameras"].values():
        assert res["finetune"]["steps"] == 2 and res["finetune"]["train_pairs"] == 1     # of 2: one held apart
        assert {c["group"] for c in res["cases"]} == {"held_apart", "motorcycle"}
        for group in ("held_apart", "motorcycle"):
            for metric in ("chroma_psnr", "cycle_psnr", "cycle_psnr_blocks"):
                cell = res["summary"][group][metric]
                assert all(math.isfinite(cell[k]) for k in ("dis+gf", "before", "after", "delta"))
                assert cell["delta"] == pytest.approx(cell["after"] - cell["before"])
    # the two cameras saw different pixels: the default model scores differ
    a, b = (report["cameras"][c]["summary"]["motorcycle"]["chroma_psnr"]["before"] for c in cameras)
    assert a != b


def test_side_and_colour_noise_overrides_change_only_those_properties(bench):
    a = bench.parse_args(["--quick", "--cameras", "dark_scurve,warm_flat", "--side", "right",
                          "--colour-noise", "0.03"])
    cams = bench.selected_cameras(a)
    assert [c.name for c in cams] == ["dark_scurve", "warm_flat"]
    for cam in cams:
        original = bench.CAMERAS[cam.name]
        assert cam.side == "right" and cam.colour_noise == 0.03
        assert (cam.gamma, cam.gain, cam.s_curve, cam.white_balance) == \
            (original.gamma, original.gain, original.s_curve, original.white_balance)
    plain = bench.selected_cameras(bench.parse_args(["--quick", "--cameras", "dark_scurve"]))
    assert plain == [bench.CAMERAS["dark_scurve"]]


def test_a_reused_workdir_holds_only_this_runs_training_pairs(bench, tmp_path):
    import argparse

    from PIL import Image

    photos = []
    for i in range(2):
        photos.append(tmp_path / f"photo{i}.png")
        Image.fromarray((np.random.default_rng(i).random((60, 80, 3)) * 255).astype(np.uint8)).save(photos[-1])
    folder = tmp_path / "work" / "cam" / "pairs"
    folder.mkdir(parents=True)
    (folder / "earlier_mono.png").write_bytes(b"left by another run")
    a = argparse.Namespace(max_side=80, seed=0, index={p: i for i, p in enumerate(photos)})
    bench.write_training_pairs(folder, bench.CAMERAS["bright_gamma"], 0, photos, a)
    assert sorted(f.name for f in folder.iterdir()) == ["photo0_color.png", "photo0_mono.png",
                                                        "photo1_color.png", "photo1_mono.png"]


def test_a_ccdc_run_has_no_second_column_for_the_shipped_ccdc(bench):
    # with --method ccdc the model fine-tuned is the shipped ccdc: "before" is that column
    assert bench.methods_of("cyclecnn") == ("dis+gf", "ccdc", "before", "after")
    assert bench.methods_of("ccdc") == ("dis+gf", "before", "after")
    cell = {"dis+gf": 30.0, "before": 31.0, "after": 31.5}
    records = [{"case": f"c{i}", "group": g, **{m: dict(cell) for m in bench.METRICS}}
               for i, g in enumerate(bench.GROUPS)]
    summary = bench.summarize(records)
    assert set(summary["motorcycle"]["chroma_psnr"]) == {"dis+gf", "before", "after", "delta"}
    assert summary["motorcycle"]["chroma_psnr"]["delta"] == pytest.approx(0.5)
    finetune = {"steps": 2, "minutes": 0.1, "train_pairs": 2, "validation_pairs": 1, "kept": "after",
                "validation_before": {"chroma_psnr": 30.0}, "validation_after": {"chroma_psnr": 30.5}}
    header = bench.table("cam", {"finetune": finetune, "summary": summary}).splitlines()[2].split()
    assert header[:6] == ["group", "n", "dis+gf", "before", "after", "delta"] and "ccdc" not in header
