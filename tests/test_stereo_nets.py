"""Cycle CNN networks and the stereo engine: shapes, softmax, mirroring, the GCA curve,
chroma-only full-resolution output, diagnostics, safetensors-only loading."""
import pickle

import numpy as np
import pytest
import torch

from colorstudio.core.color import compose, luma
from colorstudio.errors import ModelError
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig, apply_curve, fit_curve
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.nets.wac import WACConfig, mirror


def tiny(seed=0, **wac):
    torch.manual_seed(seed)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, stride=4, unet=(4, 4, 4, 4), **wac),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4),
                         max_disparity=32)
    return CycleCNN(cfg).eval()


@pytest.fixture
def inputs():
    g = torch.Generator().manual_seed(1)
    return torch.rand(1, 1, 32, 64, generator=g), torch.rand(1, 3, 32, 64, generator=g)


def test_shapes_and_softmax_normalisation(inputs):
    gray, ref = inputs
    with torch.no_grad():
        out = tiny()(gray, ref, 32, "right")
    D = out["weights"].shape[1]
    assert out["chroma"].shape == (1, 2, 32, 64) and out["wac_ycc"].shape == (1, 3, 32, 64)
    assert 32 <= D <= 33
    assert out["confidence"].shape == (1, 1, 32, 64)
    torch.testing.assert_close(out["weights"].sum(1), torch.ones(1, 32, 64))
    assert (out["weights"] >= 0).all()
    assert ((out["confidence"] >= 0) & (out["confidence"] <= 1)).all()


def test_other_side_equals_the_mirrored_case(inputs):
    gray, ref = inputs
    net = tiny()
    with torch.no_grad():
        left = net(gray, ref, 32, "left")
        right_of_mirrored = net(mirror(gray), mirror(ref), 32, "right")
    torch.testing.assert_close(left["chroma"], mirror(right_of_mirrored["chroma"]))
    torch.testing.assert_close(left["disparity"], -mirror(right_of_mirrored["disparity"]))


def test_unpadded_disparity_fills_whole_blocks_of_candidates():
    wac = tiny().wac                                   # stride 4
    assert wac.unpadded_disparity(64) == 60 and wac.candidates(60) == 16 < wac.candidates(64)
    assert wac.unpadded_disparity(60) == 60 and wac.unpadded_disparity(59) == 59
    for d in (31, 64, 100, 128):
        u = wac.unpadded_disparity(d)
        assert d - 32 < u <= d and wac.candidates(u) == -(-u // 4) + 1   # no padding
    assert wac.unpadded_disparity(8) == 8      # below one block of 8: left as asked


def test_upsampling_only_the_needed_candidates_is_exact():
    """Slicing the low-res candidates before upsampling gives what upsampling all of them and
    cutting afterwards gives (linear interpolation with k*stride exact)."""
    import torch.nn.functional as F

    wac = tiny().wac
    logits = torch.randn(1, 24, 10, 12, generator=torch.Generator().manual_seed(3))
    whole = F.interpolate(logits, size=(40, 48), mode="bilinear", align_corners=False)
    whole = F.interpolate(whole.reshape(1, 1, 24, -1), size=(93, 40 * 48), mode="bilinear",
                          align_corners=True).reshape(1, 93, 40, 48)
    for n_full in (5, 33, 61, 65):
        torch.testing.assert_close(wac.upsample_logits(logits, (40, 48), n_full), whole[:, :n_full])


def test_wac_is_a_weighted_average_of_the_reference(inputs):
    """With all weight on candidate k, the output is the reference shifted by k (eq. 1)."""
    from colorstudio.nets.wac import weighted_average

    _, ref = inputs
    w = torch.zeros(1, 8, 32, 64)
    w[:, 3] = 1
    out = weighted_average(w, ref)
    torch.testing.assert_close(out[..., :60], ref[..., 3:63])


def test_gca_curve_recovers_a_known_monotone_tone_curve():
    torch.manual_seed(0)
    x = torch.rand(1, 1, 64, 64)
    truth = lambda v: v ** 0.6 * 0.9 + 0.05   # the mono camera's different response
    xm, ym, support = fit_curve(x, truth(x), torch.ones_like(x))
    probe = torch.linspace(0.05, 0.95, 50).view(1, 1, 1, 50)
    got = apply_curve(probe, xm, ym, support)
    assert (got - truth(probe)).abs().max() < 0.02
    assert xm.numel() == 64 and float(xm[1] * 255) == pytest.approx(4.0)


def test_gca_curve_is_identity_away_from_its_data():
    """Nodes without data are ignored (weighted by their support): fitted on colour lumas in
    [0.2, 0.6] only, T follows the data there and is the identity well away from it, up to
    both ends of the range, even for a curve far from the identity where the data is."""
    x = torch.linspace(0.2, 0.6, 64 * 64).view(1, 1, 64, 64)
    truth = lambda v: 0.3 + 0.5 * (v - 0.2)          # 0.3 .. 0.5: far below the identity at 0.6
    xm, ym, support = fit_curve(x, truth(x), torch.ones_like(x))
    inside = torch.linspace(0.22, 0.58, 37).view(1, 1, 1, -1)
    assert (apply_curve(inside, xm, ym, support) - truth(inside)).abs().max() < 0.01
    far = torch.tensor([0.0, 0.02, 0.05, 0.75, 0.8, 0.9, 0.95, 1.0]).view(1, 1, 1, -1)
    got = apply_curve(far, xm, ym, support)
    assert (got - far).abs().max() < 2e-3, (got - far).flatten().tolist()


def test_gca_border_distance_channels():
    """P_I: channel 0 the distance to the nearer of the left/right borders, channel 1 to the
    nearer of the top/bottom ones, each over half the image's width / height."""
    from colorstudio.nets.gca import border_distances

    h, w = 5, 8                                       # not square: a transposition shows
    p = border_distances(2, h, w)
    assert p.shape == (2, 2, h, w)
    torch.testing.assert_close(p[0], p[1])
    expected = {                                      # (y, x): (left/right, top/bottom)
        (0, 0): (0.0, 0.0), (4, 7): (0.0, 0.0),
        (2, 3): (3 / 4, 2 / 2.5), (2, 4): (3 / 4, 2 / 2.5),
        (1, 0): (0.0, 1 / 2.5), (0, 1): (1 / 4, 0.0),
        (3, 6): (1 / 4, 1 / 2.5), (4, 2): (2 / 4, 0.0),
    }
    for (y, x), (dx, dy) in expected.items():
        assert float(p[0, 0, y, x]) == pytest.approx(dx), (y, x)
        assert float(p[0, 1, y, x]) == pytest.approx(dy), (y, x)
    # channel 0 varies along a row only, channel 1 down a column only; both in [0, 1]
    assert (p[0, 0] == p[0, 0, :1]).all() and (p[0, 1] == p[0, 1, :, :1]).all()
    assert p.min() >= 0 and p.max() <= 1


def test_tiny_forward_backward_reaches_every_part(inputs):
    gray, ref = inputs
    net = tiny().train()
    first, second = net.cycle(gray, ref, 32, "right")
    (second["chroma"].mean() + first["aligned"].mean() + first["chroma"].mean()).backward()
    for part in (net.wac, net.gca, net.refine):
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in part.parameters())


def test_ablation_switches(inputs):
    gray, ref = inputs
    with torch.no_grad():
        out = tiny(attention=False)(gray, ref, 32, "right", use_gca=False, use_refine=False)
    assert "confidence" not in out and "residue" not in out
    torch.testing.assert_close(out["chroma"], out["wac_ycc"][:, 1:])


# ------------------------------------------------------------------ files
def test_safetensors_round_trip_and_refusals(tmp_path, inputs):
    net = tiny()
    path = save_model(net, tmp_path / "m.safetensors", {"data": "test"})
    assert path.with_suffix(".json").exists()
    loaded = load_model(path)
    gray, ref = inputs
    with torch.no_grad():
        torch.testing.assert_close(loaded(gray, ref, 32, "right")["chroma"], net(gray, ref, 32, "right")["chroma"])
    fake = tmp_path / "evil.safetensors"
    fake.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(ModelError, match="not a safetensors"):
        load_model(fake)
    torn = tmp_path / "torn.safetensors"
    torn.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ModelError):
        load_model(torn)
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "missing.safetensors")


# ------------------------------------------------------------------ engine
@pytest.fixture
def tiny_model_file(tmp_path):
    return save_model(tiny(), tmp_path / "tiny.safetensors", {"data": "test"})


def test_engine_full_resolution_chroma_only_on_an_odd_size(tiny_model_file, motorcycle_small):
    from colorstudio.engine.stereo import colorize_stereo

    left, right = motorcycle_small
    gray = luma(left)[:101, :157]
    res = colorize_stereo(gray, right[:101, :157], model=tiny_model_file)
    assert res.chroma.shape == (101, 157, 2) and res.chroma.dtype == np.float32
    np.testing.assert_allclose(luma(compose(gray, res.chroma)), gray, atol=1e-5)
    d = res.diagnostics
    assert d["confidence"].ndim == 2 and d["disparity"].shape == d["entropy"].shape == d["residue"].shape
    curve = d["curve"]
    assert len(curve["x"]) == len(curve["y"]) == 64 and len(curve["pairs"]) == len(curve["weights"]) > 0
    assert res.info["side"] in ("left", "right")


def test_engine_through_the_cli_with_a_model_file(tiny_model_file, small_pair_files, tmp_path):
    from colorstudio.cli import main

    gray, color = small_pair_files
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "o.png"), "--method", "cyclecnn",
                 "--model", str(tiny_model_file), "--diagnostics", str(tmp_path / "d")]) == 0
    assert {"confidence.png", "curve.json", "disparity.png"} <= {p.name for p in (tmp_path / "d").iterdir()}
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model at all")
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "o2.png"), "--method", "cyclecnn",
                 "--model", str(bad)]) == 1
