"""benchmarks/stereo_motorcycle.py: the margin is over classic methods only; a checkpoint is
scored as the net it was trained as."""

import pytest
import torch

from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.registry import load_model
from colorstudio.training.checkpoints import save_checkpoint

from bench_scripts import loaded_script


@pytest.fixture(scope="module")
def bench():
    yield from loaded_script("stereo_motorcycle")


def test_the_margin_is_over_the_best_classic_method_not_over_ccdc(bench):
    row = {"cyclecnn": 34.7, "dis+gf": 34.3, "sgbm+gf": 34.5, "ccdc": 35.6}
    assert bench.margin_over_classic(row, ["cyclecnn", "dis+gf", "sgbm+gf", "ccdc"]) == pytest.approx(0.2)
    assert bench.margin_over_classic(row, ["cyclecnn", "ccdc"]) is None


def _checkpoint(run_dir, cfg, with_config):
    torch.manual_seed(0)
    model = CycleCNN(cfg)
    save_checkpoint(run_dir, model, torch.optim.RMSprop(model.parameters()), {"step": 1},
                    config=cfg.to_dict() if with_config else None)
    return model


@pytest.mark.parametrize("with_config", [True, False])
def test_a_checkpoint_is_exported_as_the_net_it_was_trained_as(bench, tmp_path, with_config):
    # train_stereo trains with BatchNorm on each image's own statistics: exported with the
    # config's default ("running"), never-updated running averages would be used (25 dB, not 34)
    cfg = CycleCNNConfig(batchnorm_statistics="image")
    if with_config:
        cfg.wac.attention = False               # an ablation: only a stored config can say so
    trained = _checkpoint(tmp_path / "run", cfg, with_config)
    out = bench.export_checkpoint(tmp_path / "run", tmp_path / "ckpt.safetensors")
    exported = load_model(out)
    assert exported.cfg.batchnorm_statistics == "image"
    if with_config:
        assert exported.wac.attention is None                     # an ablation stays ablated
    assert all(torch.equal(exported.state_dict()[k], v) for k, v in trained.state_dict().items())
