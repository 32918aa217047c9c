"""The inference-time rewrites compute what the trained nets compute: folded BatchNorm,
channels-last 2-D convs, oneDNN 3-D convs, the banded V_W tail, and the U-Net's and the
attention's 2-D handling of the gray half of the volume."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig
from colorstudio.nets.inference import (DepthLastConvTranspose3d, DepthTapsConv3d, DepthTapsConvTranspose3d,
                                        OneDNNConv3d, for_inference)
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.wac import (WACConfig, banded_softmax_average, conv3d_of_constant_depth,
                                  linear_upsampling_matrix, weighted_average)


def trained_looking(seed=0) -> CycleCNN:
    """A small Cycle CNN whose BatchNorms hold non-trivial statistics and affine terms."""
    torch.manual_seed(seed)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, stride=4, unet=(4, 6, 6, 8)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4),
                         max_disparity=32)
    net = CycleCNN(cfg)
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    nn.init.normal_(net.refine.fuse_net.head.weight, std=0.1)   # not the identity residue
    return net.eval()


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_inference_copy_computes_what_the_trained_net_computes(side):
    g = torch.Generator().manual_seed(3)
    gray, ref = torch.rand(1, 1, 40, 72, generator=g), torch.rand(1, 3, 40, 72, generator=g)
    net = trained_looking()
    fast = for_inference(net)
    with torch.no_grad():
        a = net(gray, ref, 32, side)
        b = fast(gray, ref, 32, side, keep_weights=False)
    for key in ("chroma", "wac_ycc", "confidence", "aligned", "residue", "entropy"):
        torch.testing.assert_close(b[key], a[key], atol=2e-5, rtol=1e-4, msg=key)
    torch.testing.assert_close(b["disparity"], a["disparity"], atol=2e-4, rtol=1e-4)
    assert b["candidates"] == a["weights"].shape[1] and "weights" not in b
    # the original is untouched: BatchNorm still there, still trainable
    assert any(isinstance(m, nn.BatchNorm3d) for m in net.modules())
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in fast.modules())
    assert all(p.requires_grad for p in net.parameters())
    assert not any(p.requires_grad for p in fast.parameters())


@pytest.mark.parametrize("side", ["right", "left"])
def test_with_image_statistics_the_inference_copy_normalises_as_batch_1_training_does(side):
    from colorstudio.nets.inference import ImageStatisticsNorm

    g = torch.Generator().manual_seed(4)
    gray, ref = torch.rand(1, 1, 40, 72, generator=g), torch.rand(1, 3, 40, 72, generator=g)
    net = trained_looking()
    net.cfg.batchnorm_statistics = "image"
    fast = for_inference(net)
    as_trained = trained_looking()
    as_trained.train()                         # BatchNorm on each input's own statistics ...
    for m in as_trained.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = 0.0                   # ... without moving the running averages
    with torch.no_grad():
        a = as_trained(gray, ref, 32, side)
        b = fast(gray, ref, 32, side, keep_weights=False)
        c = net(gray, ref, 32, side)           # running averages: another result
    for key in ("chroma", "wac_ycc", "confidence", "aligned", "residue", "entropy"):
        torch.testing.assert_close(b[key], a[key], atol=2e-5, rtol=1e-4, msg=key)
    assert (b["chroma"] - c["chroma"]).abs().max() > 1e-3
    assert any(isinstance(m, ImageStatisticsNorm) for m in fast.modules())
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in fast.modules())
    assert CycleCNNConfig.from_dict(net.cfg.to_dict()).batchnorm_statistics == "image"
    assert CycleCNNConfig.from_dict({"max_disparity": 64}).batchnorm_statistics == "running"   # older files


def test_onednn_3d_convs_equal_the_plain_ones_where_pytorch_would_not_take_onednn():
    torch.manual_seed(0)
    x = torch.rand(1, 6, 4, 8, 20)      # N*C*D*H = 192: PyTorch's heuristic picks its generic kernel
    conv, deconv = nn.Conv3d(6, 5, 3, 1, 1), nn.ConvTranspose3d(6, 5, 3, 2, 1, output_padding=1)
    with torch.no_grad():
        want_c, want_d = conv(x), deconv(x)
        conv.__class__, deconv.__class__ = OneDNNConv3d, DepthLastConvTranspose3d
        torch.testing.assert_close(conv(x), want_c, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(deconv(x), want_d, atol=1e-5, rtol=1e-5)
    assert conv(x).requires_grad          # with autograd it falls back to the ordinary path


@pytest.mark.parametrize("cout, bias", [(1, True), (3, False)])
def test_depth_taps_conv_equals_the_3d_conv(cout, bias):
    torch.manual_seed(5)
    x = torch.randn(1, 6, 5, 9, 11)
    conv = nn.Conv3d(6, cout, 3, 1, 1, bias=bias)
    with torch.no_grad():
        want = conv(x)
        conv.__class__ = DepthTapsConv3d
        got = conv(x)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    assert got.is_contiguous() and got.shape == want.shape
    assert any(type(m) is DepthTapsConv3d for m in for_inference(trained_looking()).modules())


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_depth_taps_transposed_conv_equals_the_3d_one(depth):
    torch.manual_seed(6)
    x = torch.randn(1, 5, depth, 6, 7)
    deconv = nn.ConvTranspose3d(5, 4, 3, 2, 1, output_padding=1)
    with torch.no_grad():
        want = deconv(x)
        deconv.__class__ = DepthTapsConvTranspose3d
        got = deconv(x)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    assert got.is_contiguous() and got.shape == (1, 4, 2 * depth, 12, 14)
    assert any(type(m) is DepthTapsConvTranspose3d for m in for_inference(trained_looking()).modules())


def test_banded_tail_equals_the_whole_volume_over_several_bands():
    torch.manual_seed(1)
    B, Dl, H, W, s = 1, 5, 13, 17, 4
    x = torch.randn(B, Dl, H, W) * 3
    ref = torch.rand(B, 3, H, W)
    n_full = (Dl - 1) * s + 1 - 2
    m = linear_upsampling_matrix(Dl, s, n_full)
    weights = torch.softmax(torch.einsum("dl,blhw->bdhw", m, x), 1)
    with torch.no_grad():
        ycc, ent, disp = banded_softmax_average(x, m, ref, band_pixels=3 * W)   # 5 bands
    torch.testing.assert_close(ycc, weighted_average(weights, ref))
    want_ent = -(weights * weights.clamp_min(1e-12).log()).sum(1, keepdim=True)
    torch.testing.assert_close(ent, want_ent, atol=1e-5, rtol=1e-5)
    k = torch.arange(n_full, dtype=torch.float32).view(1, -1, 1, 1)
    torch.testing.assert_close(disp, (weights * k).sum(1, keepdim=True), atol=1e-4, rtol=1e-5)


def test_linear_upsampling_matrix_is_align_corners_interpolation():
    x = torch.rand(1, 1, 6, 9)
    want = F.interpolate(x, size=(21, 9), mode="bilinear", align_corners=True)[0, 0]
    torch.testing.assert_close(linear_upsampling_matrix(6, 4, 21) @ x[0, 0], want)
    torch.testing.assert_close(linear_upsampling_matrix(6, 4, 18) @ x[0, 0], want[:18])


def test_constant_depth_conv_equals_the_conv_of_the_repeated_volume():
    torch.manual_seed(2)
    x2d, w = torch.randn(2, 3, 7, 9), torch.randn(4, 3, 3, 3, 3)
    for depth in (1, 2, 5):
        vol = x2d.unsqueeze(2).repeat(1, 1, depth, 1, 1)
        torch.testing.assert_close(conv3d_of_constant_depth(x2d, w, depth), F.conv3d(vol, w, padding=1),
                                   atol=1e-5, rtol=1e-5)


def test_attention_on_the_2d_gray_half_equals_the_paper_form_on_the_whole_volume():
    net = trained_looking()
    att = net.wac.attention
    torch.manual_seed(4)
    n, D = 4, 6
    fg, ref_half = torch.randn(1, n, 5, 7), torch.randn(1, n, D, 5, 7)
    gray_half = fg.unsqueeze(2).expand(-1, -1, D, -1, -1)
    a = torch.sigmoid(att.net(torch.cat([gray_half, ref_half], 1)))
    torch.testing.assert_close(att(fg, ref_half), ref_half * a, atol=1e-6, rtol=1e-5)


def test_cat_channels_keeps_a_channels_last_net_channels_last():
    from colorstudio.nets.blocks import cat_channels

    a = torch.rand(2, 5, 4, 6).contiguous(memory_format=torch.channels_last)
    b = torch.rand(2, 1, 4, 6)                 # 1 channel: NCHW and NHWC look alike to torch.cat
    out = cat_channels([a, b])
    torch.testing.assert_close(out, torch.cat([a, b], 1), rtol=0, atol=0)
    assert out.is_contiguous(memory_format=torch.channels_last)
    plain = cat_channels([torch.rand(1, 2, 3, 3), torch.rand(1, 1, 3, 3)])
    assert plain.is_contiguous()               # training (NCHW) is left as it was
    w = a.clone().requires_grad_()
    cat_channels([w, b]).sum().backward()      # under autograd (training) it still differentiates
    torch.testing.assert_close(w.grad, torch.ones_like(w))


def test_an_image_statistics_net_validates_as_it_will_infer_and_keeps_its_running_averages():
    g = torch.Generator().manual_seed(5)
    gray, ref = torch.rand(1, 1, 40, 72, generator=g), torch.rand(1, 3, 40, 72, generator=g)
    net = trained_looking()
    net.cfg.batchnorm_statistics = "image"
    net.eval()
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    before = [m.running_mean.clone() for m in norms]
    with torch.no_grad():
        a = net(gray, ref, 32, "right")
        b = for_inference(net)(gray, ref, 32, "right", keep_weights=False)
    torch.testing.assert_close(b["chroma"], a["chroma"], atol=2e-5, rtol=1e-4)
    assert all(torch.equal(x, m.running_mean) for x, m in zip(before, norms))
    net.cfg.batchnorm_statistics = "running"
    net.eval()
    with torch.no_grad():
        c = net(gray, ref, 32, "right")
    assert (c["chroma"] - a["chroma"]).abs().max() > 1e-3


def test_the_unets_first_conv_runs_on_onednn_at_inference_with_the_same_result(monkeypatch):
    """PyTorch's own kernel choice gave a panorama's wide, flat volume a generic kernel (a 16 px
    tall strip's colorization peaked at 1.7 GB; on oneDNN 0.6 GB): the first 3-D conv, which
    the U-Net computes itself, now takes oneDNN too, with the same numbers."""
    import torch
    import torch.nn.functional as F

    from colorstudio.nets.wac import conv3d_padded

    g = torch.Generator().manual_seed(0)
    x, w, b = torch.randn(1, 16, 8, 8, 400, generator=g), torch.randn(12, 16, 3, 3, 3, generator=g), torch.randn(12)
    called = []
    real = torch.mkldnn_convolution
    monkeypatch.setattr(torch, "mkldnn_convolution", lambda *a: (called.append(1), real(*a))[1])
    with torch.no_grad():
        fast = conv3d_padded(x, w, b)
    assert called == [1] and torch.allclose(fast, F.conv3d(x, w, b, padding=1), atol=1e-4)
    x.requires_grad_(True)
    conv3d_padded(x, w, b).sum().backward()        # training: PyTorch's own, with its gradient
    assert called == [1] and x.grad is not None
