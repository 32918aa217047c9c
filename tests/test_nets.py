"""Cycle CNN networks: shapes, softmax, mirroring, the GCA curve, model files."""
import pickle

import numpy as np
import pytest
import torch

from colorstudio.errors import ModelError
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig, apply_curve, fit_curve
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.nets.wac import WACConfig, expected_disparity, shift_stack, weighted_average


def tiny(seed=0, **wac):
    torch.manual_seed(seed)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4), **wac),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4),
                         max_disparity=16)
    return CycleCNN(cfg).eval()


def inputs(h=24, w=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(1, 1, h, w, generator=g), torch.rand(1, 3, h, w, generator=g)


def test_shapes_and_softmax_normalisation():
    m = tiny()
    gray, ref = inputs(23, 37)          # odd sizes on purpose
    with torch.no_grad():
        out = m(gray, ref, 16)
    D = out["weights"].shape[1]
    assert D == 17
    for key, ch in [("chroma", 2), ("wac_ycc", 3), ("confidence", 1), ("aligned", 1),
                    ("residue", 2), ("disparity", 1), ("entropy", 1)]:
        assert out[key].shape == (1, ch, 23, 37), key
    assert torch.allclose(out["weights"].sum(1), torch.ones(1, 23, 37), atol=1e-5)
    assert (out["weights"] >= 0).all()
    assert ((out["confidence"] > 0) & (out["confidence"] < 1)).all()
    assert out["curve"][0].shape == (64,) and out["curve"][1].shape == (1, 64)


def test_other_side_equals_mirrored_case():
    m = tiny()
    gray, ref = inputs()
    with torch.no_grad():
        left = m(gray, ref, 16, side="left")
        right = m(torch.flip(gray, [-1]), torch.flip(ref, [-1]), 16, side="right")
    assert torch.allclose(left["chroma"], torch.flip(right["chroma"], [-1]), atol=1e-5)
    assert torch.allclose(left["disparity"], -torch.flip(right["disparity"], [-1]), atol=1e-4)


def test_weighted_average_and_shift_stack_follow_eq1():
    ref = torch.arange(10.0).view(1, 1, 1, 10).repeat(1, 3, 2, 1)
    w = torch.zeros(1, 4, 2, 10)
    w[:, 3] = 1.0                              # all weight on k = 3
    out = weighted_average(w, ref)
    assert torch.equal(out[0, 0, 0], torch.tensor([3., 4, 5, 6, 7, 8, 9, 9, 9, 9]))
    with torch.no_grad():                      # the loop path gives the same
        assert torch.equal(weighted_average(w, ref), out)
    assert torch.equal(expected_disparity(w), torch.full((1, 2, 10), 3.0))
    st = shift_stack(ref, 4)
    assert st.shape == (1, 3, 4, 2, 10) and st[0, 0, 2, 0, 0] == 2 and st[0, 0, 3, 0, 9] == 0


def test_gca_curve_ignores_pixels_of_zero_confidence():
    """Confidence 0 on a corrupted half: those pixels do not bend the curve (eq. 5's W = ... * M).
    How well the curve recovers a clean tone curve is tested in test_stereo_nets.py."""
    g = torch.Generator().manual_seed(1)
    x = torch.rand(1, 1, 64, 64, generator=g)
    truth = lambda v: v ** 0.6 * 0.9                # the mono camera's response
    y_bad = truth(x)
    y_bad[..., :32] = 1 - y_bad[..., :32]
    probe = torch.linspace(0.05, 0.95, 50).view(1, 1, 1, 50)
    w = torch.ones_like(x)
    bent = apply_curve(probe, *fit_curve(x, y_bad, w))
    assert (bent - truth(probe)).abs().max() > 0.2      # with full confidence the corruption shows
    w[..., :32] = 0
    got = apply_curve(probe, *fit_curve(x, y_bad, w))
    assert (got - truth(probe)).abs().max() < 0.02


def test_tiny_forward_backward_and_cycle():
    m = tiny().train()
    gray, ref = inputs()
    first, second = m.cycle(gray, ref, 16, side="right")
    loss = first["chroma"].mean() + second["chroma"].mean() + first["aligned"].mean()
    loss.backward()
    grads = [p.grad for p in m.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(float(g.abs().sum()) for g in grads) > 0


def test_safetensors_round_trip(tmp_path):
    m = tiny(seed=3)
    path = save_model(m, tmp_path / "m.safetensors", {"data": "test"})
    card = (tmp_path / "m.json").read_text()
    assert '"data": "test"' in card and '"config"' in card
    loaded = load_model(path)
    gray, ref = inputs()
    with torch.no_grad():
        assert torch.allclose(m(gray, ref, 16)["chroma"], loaded(gray, ref, 16)["chroma"], atol=1e-6)
    assert loaded.cfg == m.cfg


def test_pickle_renamed_to_safetensors_is_refused(tmp_path):
    bad = tmp_path / "evil.safetensors"
    bad.write_bytes(pickle.dumps({"weights": np.zeros(3)}))
    with pytest.raises(ModelError):
        load_model(bad)
    torch_pickle = tmp_path / "torch.safetensors"
    torch.save(tiny().state_dict(), torch_pickle)
    with pytest.raises(ModelError):
        load_model(torch_pickle)
    with pytest.raises(ModelError):
        load_model(tmp_path / "missing.safetensors")


def test_config_mismatch_is_refused(tmp_path):
    from safetensors.torch import save_file
    path = save_model(tiny(), tmp_path / "m.safetensors")
    from safetensors import safe_open
    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    tensors.pop(next(iter(tensors)))
    save_file(tensors, str(tmp_path / "cut.safetensors"), metadata=meta)
    with pytest.raises(ModelError):
        load_model(tmp_path / "cut.safetensors")
    meta["config"] = '{"wac": {"no_such_field": 1}}'
    save_file({k: v for k, v in tensors.items()}, str(tmp_path / "cfg.safetensors"), metadata=meta)
    with pytest.raises(ModelError):
        load_model(tmp_path / "cfg.safetensors")


def test_curve_lookup_table_matches_direct_evaluation():
    x = torch.rand(1, 1, 90, 90, generator=torch.Generator().manual_seed(2))
    xm, ym, support = fit_curve(x, 1 - x ** 1.3, torch.ones_like(x))
    direct = apply_curve(x, xm, ym, support)           # grad enabled: the exact path
    with torch.no_grad():
        lut = apply_curve(x, xm, ym, support)          # large image at inference: the table
    assert (direct - lut).abs().max() < 1e-4
