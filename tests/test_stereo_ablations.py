"""benchmarks/stereo_ablations.py: each variant really switches its part off; a tiny real run."""
import json

import pytest

from colorstudio.nets.registry import load_model

from bench_scripts import loaded_script


@pytest.fixture(scope="module")
def bench():
    yield from loaded_script("stereo_ablations")


def test_tiny_ablation_run_trains_each_variant_and_scores_it(bench, tmp_path, capsys):
    out = tmp_path / "ablations.json"
    argv = ["--variants", "full,attention,refine,smoothness", "--supervised-steps", "2", "--cycle-steps", "1",
            "--crop", "64x96", "--validation-pairs", "1", "--setups", "1", "--working-pixels", "20000",
            "--workdir", str(tmp_path / "w"), "--json", str(out)]
    assert bench.main(argv) == 0
    res = json.loads(out.read_text())
    assert [r["case"] for r in res["rows"]] == ["motorcycle/L<-R/setup1", "motorcycle/R<-L/setup1"]
    for variant in ("full", "attention", "refine", "smoothness", "dis+gf"):
        assert all(0 < r[variant] < 100 and 0 < r[variant + "_cycle"] < 100 for r in res["rows"])
    assert set(res["delta_vs_full_db"]) == {"attention", "refine", "smoothness"}
    # the parts really are off
    assert load_model(tmp_path / "w" / "full.safetensors").wac.attention is not None
    assert load_model(tmp_path / "w" / "attention.safetensors").wac.attention is None
    cards = {v: json.loads((tmp_path / "w" / f"{v}.json").read_text()) for v in ("full", "refine")}
    assert cards["full"]["ablation"] is None and cards["refine"]["ablation"] == "refine"
    assert res["cards"]["full"]["training"]["supervised"]["steps"] == 2 and res["cards"]["full"]["training"]["seed"] == 0
    # a second run reuses the trained variants
    assert bench.main(argv) == 0
    assert "already trained" in capsys.readouterr().err
    # ... but never relabels them as another budget or seed
    for change in (["--supervised-steps", "3"], ["--seed", "1"], ["--cosine"]):
        with pytest.raises(SystemExit, match="was not trained as this run asks"):
            bench.main(argv + change)


def test_a_card_from_before_seeds_were_recorded_gives_its_seed_from_the_command(bench):
    assert bench._seed_of({"reproduce": "python -m x --seed 1 --cosine"}) == 1
    assert bench._seed_of({"reproduce": "python -m x --cosine"}) == 0


def test_ablation_options_switch_off_what_they_name():
    from colorstudio.training.stereo_loop import TrainOptions
    from colorstudio.training.train_stereo import ABLATIONS

    assert not TrainOptions(**ABLATIONS["gca"]).use_gca
    assert not TrainOptions(**ABLATIONS["refine"]).use_refine
    assert TrainOptions(**ABLATIONS["smoothness"]).smooth_weight == 0


def test_train_stereo_init_starts_from_a_model_file_and_the_card_says_how(tmp_path):
    import numpy as np
    import torch
    from PIL import Image

    from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
    from colorstudio.nets.registry import save_model
    from colorstudio.training.train_stereo import main

    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(10):
        base = rng.integers(0, 255, (12, 16, 3)).astype(np.uint8)
        Image.fromarray(base).resize((320, 240), Image.BICUBIC).save(photos / f"p{i}.png")
    torch.manual_seed(3)
    start = CycleCNN(CycleCNNConfig())
    save_model(start, tmp_path / "start.safetensors")
    out = tmp_path / "more.safetensors"
    common = ["--photos-dir", str(photos), "--crop", "64x96", "--validation-pairs", "1", "--threads", "1",
              "--init", str(tmp_path / "start.safetensors"), "--supervised-warmup", "10", "--supervised-lr", "5e-4"]
    assert main(["--out", str(out), "--run-dir", str(tmp_path / "run0"), "--supervised-steps", "0",
                 "--cycle-steps", "0", *common]) == 0
    kept = load_model(out).state_dict()
    assert all(torch.equal(kept[k], v) for k, v in start.state_dict().items()
               if not k.endswith("num_batches_tracked"))                              # no step: the same net
    assert load_model(out).cfg.batchnorm_statistics == "image"                         # the default
    assert main(["--out", str(out), "--run-dir", str(tmp_path / "run1"), "--supervised-steps", "2",
                 "--cycle-steps", "1", *common]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["training"]["supervised"]["steps"] == 2 and card["training"]["supervised"]["init"].endswith("start.safetensors")
    assert "--init " in card["reproduce"] and "--supervised-lr 0.0005" in card["reproduce"]
    assert f"--photos-dir {photos}" in card["reproduce"]
    assert "--supervised-warmup 10" in card["reproduce"]
    trained = load_model(out).state_dict()
    assert any(not torch.equal(trained[k], v) for k, v in start.state_dict().items())
