"""WAC: weighted-average colorization (Cycle CNN eq. 1, Dong et al. 2019 volume + attention).

Convention ("right" side): the gray view's pixel (j, i) is matched to reference pixels
(j, i + k), k = 0..D-1, i.e. ``disparity = x_ref - x_gray >= 0``. The other camera side is
handled by mirroring inputs and outputs (:func:`mirror`), with the same weights.

The 4-D volume is built at 1/``stride`` of the input resolution (features stride), regularised
by a 3-D U-Net to one logit per candidate, upsampled to full resolution (bilinear in x, y;
linear in the disparity with candidate k*stride exact), and soft-maxed over the candidates.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from colorstudio.nets.blocks import ResNet2d, conv3d_bn_relu, deconv3d_bn_relu
from colorstudio.nets.inference import on_onednn


@dataclass
class WACConfig:
    features: int = 16            # n, feature channels
    res_blocks: int = 7           # residual blocks in the feature ResNet
    stride: int = 4               # internal resolution of the volume (1, 2 or 4)
    unet: tuple = (12, 16, 24, 32)  # 3-D U-Net channels per level (4 levels)
    attention: bool = True        # Dong 2019 attention on the reference half


def mirror(x: torch.Tensor) -> torch.Tensor:
    """Flip a (..., W) tensor horizontally."""
    return torch.flip(x, dims=[-1])


def shift_stack(feat: torch.Tensor, n: int) -> torch.Tensor:
    """(B,C,H,W) -> (B,C,n,H,W) with [:, :, k, :, x] = feat[..., x + k] (zero beyond the border)."""
    padded = F.pad(feat, (0, n - 1))
    return padded.unfold(-1, feat.shape[-1], 1).permute(0, 1, 3, 2, 4).contiguous()  # made once


class UNet3d(nn.Module):
    """4-level 3-D U-Net with stride-2 convs, transposed convs and residual adds over the
    volume [gray half; reference half] (B, cin, D, H, W), D, H, W divisible by 8 -> (B, 1, D,
    H, W) logits. The gray half is the same for every candidate, so it is passed in 2-D and
    the first conv's gray part is made of three 2-D convs (:func:`conv3d_of_constant_depth`):
    the same result as on the concatenated volume, without building it."""

    def __init__(self, cin: int, ch: tuple):
        super().__init__()
        c0, c1, c2, c3 = ch
        self.enc0 = nn.Sequential(conv3d_bn_relu(cin, c0), conv3d_bn_relu(c0, c0))
        self.enc1 = nn.Sequential(conv3d_bn_relu(c0, c1, 2), conv3d_bn_relu(c1, c1))
        self.enc2 = nn.Sequential(conv3d_bn_relu(c1, c2, 2), conv3d_bn_relu(c2, c2))
        self.enc3 = nn.Sequential(conv3d_bn_relu(c2, c3, 2), conv3d_bn_relu(c3, c3))
        self.dec2 = deconv3d_bn_relu(c3, c2)
        self.dec1 = deconv3d_bn_relu(c2, c1)
        self.dec0 = deconv3d_bn_relu(c1, c0)
        self.out = nn.Conv3d(c0, 1, 3, 1, 1)

    def forward(self, gray_feat, ref_half):
        """gray half (B,g,H,W) (constant over D), reference half (B,cin-g,D,H,W) -> logits."""
        first = self.enc0[0]          # conv (+ BatchNorm, or folded into the conv) + ReLU
        conv, g = first[0], gray_feat.shape[1]
        h = conv3d_padded(ref_half, conv.weight[:, g:], conv.bias)
        h = h + conv3d_of_constant_depth(gray_feat, conv.weight[:, :g], ref_half.shape[2])
        e0 = self.enc0[1](first[1:](h))
        e1 = self.enc1(e0)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        d2 = self.dec2(e3) + e2
        d1 = self.dec1(d2) + e1
        d0 = self.dec0(d1) + e0
        return self.out(d0)


def conv3d_padded(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """A 3x3x3 conv, zero padding 1; on oneDNN at inference on the CPU: PyTorch's own choice of
    kernel looks at N*C*D*H only and gave a wide, flat volume (a panorama's) a generic kernel
    that held 1.3 GB where oneDNN needs 0.1 GB (nets.inference, rewrite 3)."""
    if on_onednn(x) and not torch.is_grad_enabled():
        return torch.mkldnn_convolution(x.contiguous(), weight.contiguous(), bias, (1, 1, 1), (1, 1, 1), (1, 1, 1), 1)
    return F.conv3d(x, weight, bias, padding=1)


def conv3d_of_constant_depth(x2d: torch.Tensor, weight: torch.Tensor, depth: int) -> torch.Tensor:
    """3x3x3 conv (zero padding 1, stride 1) of the volume x2d repeated ``depth`` times along D:
    (B,C,H,W), (O,C,3,3,3) -> (B,O,depth,H,W). Inside, every depth tap sees x2d; at the first
    and last slices one tap falls on the zero padding."""
    taps = [F.conv2d(x2d, weight[:, :, k], padding=1) for k in range(3)]
    out = (taps[0] + taps[1] + taps[2]).unsqueeze(2).repeat(1, 1, depth, 1, 1)
    out[:, :, 0] -= taps[0]
    out[:, :, -1] -= taps[2]
    return out


class Attention3d(nn.Module):
    """Two 1x1x1 3-D convs + sigmoid on the volume [gray half; reference half]; re-weights the
    reference half. The gray half is the same for every candidate, so the first conv's gray
    part is computed once per pixel in 2-D and broadcast (the same sum, a third of the work)."""

    def __init__(self, n: int):
        super().__init__()
        self.net = nn.Sequential(nn.Conv3d(2 * n, n, 1), nn.ReLU(inplace=True), nn.Conv3d(n, n, 1))

    def forward(self, gray_feat, ref_half):
        """gray features (B,n,H,W), reference half (B,n,D,H,W) -> re-weighted reference half."""
        first = self.net[0]
        n = gray_feat.shape[1]
        gray_part = F.conv2d(gray_feat, first.weight[:, :n, 0], first.bias)
        hidden = F.conv3d(ref_half, first.weight[:, n:]) + gray_part.unsqueeze(2)
        a = torch.sigmoid(self.net[2](self.net[1](hidden)))
        return ref_half * a


class WAC(nn.Module):
    """gray luma (B,1,H,W) + reference YCbCr (B,3,H,W) (same size, pre-shifted so that
    disparities lie in [0, max_disparity)) -> dict:
      ycc (B,3,H,W) weighted average of the reference's Y, Cb, Cr (eq. 1);
      weights (B,D,H,W) V_W, softmax over D = full-resolution candidates (not with
      ``keep_weights=False``); candidates D; entropy and disparity (B,1,H,W) of V_W;
      logits_lowres (B,D',H',W') the regularised volume before upsampling."""

    def __init__(self, cfg: WACConfig = WACConfig()):
        super().__init__()
        self.cfg = cfg
        n = cfg.features
        self.features = ResNet2d(1, n, cfg.res_blocks, k=5, stride=cfg.stride)
        self.attention = Attention3d(n) if cfg.attention else None
        self.unet = UNet3d(2 * n, tuple(cfg.unet))

    def candidates(self, max_disparity: int) -> int:
        """Low-resolution candidate count D' (a multiple of 8) covering max_disparity."""
        c = -(-int(max_disparity) // self.cfg.stride) + 1
        return max(8, -(-c // 8) * 8)

    def volume_logits(self, gray, ref_y, n_cand: int):
        s = self.cfg.stride
        H, W = gray.shape[-2:]
        Hp, Wp = -(-H // (8 * s)) * 8 * s, -(-W // (8 * s)) * 8 * s
        pad = (0, Wp - W, 0, Hp - H)
        fg = self.features(F.pad(gray - 0.5, pad, mode="replicate") * 4)
        fr = self.features(F.pad(ref_y - 0.5, pad, mode="replicate") * 4)
        ref_half = shift_stack(fr, n_cand)
        if self.attention is not None:
            ref_half = self.attention(fg, ref_half)
        logits = self.unet(fg, ref_half)[:, 0]             # (B, D', Hp/s, Wp/s)
        h, w = -(-H // s), -(-W // s)
        return logits[..., :h, :w]

    def unpadded_disparity(self, max_disparity: int) -> int:
        """The largest disparity <= ``max_disparity`` whose candidate count needs no padding to
        a multiple of 8 (e.g. 60 for 64 at stride 4: 16 candidates instead of 17 padded to 24,
        a third less 3-D U-Net work). Never below one block of 8 candidates."""
        s = self.cfg.stride
        blocks = max(1, (-(-int(max_disparity) // s) + 1) // 8)
        return min(int(max_disparity), (8 * blocks - 1) * s)

    def _spatial_upsample(self, logits, size_hw, n_full: int):
        """(B,D',h,w) -> (B,Dl,H,W) bilinear in space, only the Dl low-resolution candidates
        that ``n_full`` full-resolution ones need."""
        s = self.cfg.stride
        logits = logits[:, :-(-(n_full - 1) // s) + 1]
        H, W = size_hw
        return F.interpolate(logits, size=(logits.shape[-2] * s, logits.shape[-1] * s),
                             mode="bilinear", align_corners=False)[..., :H, :W]

    def upsample_logits(self, logits, size_hw, n_full: int):
        """(B,D',h,w) -> (B,n_full,H,W): bilinear in space, linear in disparity (k*stride exact)."""
        x = self._spatial_upsample(logits, size_hw, n_full)
        B, Dl, H, W = x.shape
        # one small matrix product instead of an interpolation over H*W columns
        m = linear_upsampling_matrix(Dl, self.cfg.stride, n_full).to(x)
        return torch.matmul(m, x.reshape(B, Dl, H * W)).reshape(B, n_full, H, W)

    def forward(self, gray, ref_ycc, max_disparity: int, keep_weights: bool = True):
        """See the class doc. ``keep_weights=False`` (inference, no autograd): V_W is made and
        used band by band and not returned, so the full-resolution volume never exists."""
        H, W = gray.shape[-2:]
        n_cand = self.candidates(max_disparity)
        logits = self.volume_logits(gray, ref_ycc[:, :1], n_cand)
        n_full = min((n_cand - 1) * self.cfg.stride + 1, int(max_disparity) + 1)
        out = {"logits_lowres": logits, "candidates": n_full}
        if not keep_weights and not torch.is_grad_enabled():
            x = self._spatial_upsample(logits, (H, W), n_full)
            m = linear_upsampling_matrix(x.shape[1], self.cfg.stride, n_full).to(x)
            out.update(zip(("ycc", "entropy", "disparity"), banded_softmax_average(x, m, ref_ycc)))
            return out
        weights = torch.softmax(self.upsample_logits(logits, (H, W), n_full), dim=1)
        out.update(ycc=weighted_average(weights, ref_ycc), weights=weights,
                   entropy=entropy(weights).unsqueeze(1), disparity=expected_disparity(weights).unsqueeze(1))
        return out


def banded_softmax_average(x: torch.Tensor, m: torch.Tensor, ref: torch.Tensor, band_pixels: int = 16384):
    """What :meth:`WAC.forward` computes from the spatially upsampled logits ``x`` (B,Dl,H,W)
    and the disparity interpolation matrix ``m`` (D, Dl), band of rows by band of rows so that
    each band's (D, rows*W) volume stays in the CPU cache: -> (weighted average (B,C,H,W) of
    ``ref`` (eq. 1), entropy (B,1,H,W), expected disparity (B,1,H,W)). No autograd."""
    B, Dl, H, W = x.shape
    D = m.shape[0]
    padded = F.pad(ref, (0, D - 1, 0, 0), mode="replicate")
    k = torch.arange(D, dtype=x.dtype, device=x.device)
    ycc = torch.empty_like(ref)
    ent = x.new_empty(B, 1, H, W)
    disp = x.new_empty(B, 1, H, W)
    rows = max(1, band_pixels // W)
    for r0 in range(0, H, rows):
        r1 = min(H, r0 + rows)
        l = torch.matmul(m, x[:, :, r0:r1].reshape(B, Dl, -1))              # (B, D, rows*W)
        l = l - l.amax(1, keepdim=True)
        p = l.exp()
        z = p.sum(1, keepdim=True)
        p.div_(z)
        # entropy -sum p log p with log p = l - log z: no log per candidate
        ent[:, 0, r0:r1] = (z.log()[:, 0] - (p * l).sum(1)).view(B, r1 - r0, W)
        p = p.view(B, D, r1 - r0, W)
        disp[:, 0, r0:r1] = torch.einsum("bdhw,d->bhw", p, k)
        band = ycc[:, :, r0:r1]
        torch.mul(p[:, :1], padded[:, :, r0:r1, :W], out=band)
        for j in range(1, D):
            band.addcmul_(p[:, j:j + 1], padded[:, :, r0:r1, j:j + W])
    return ycc, ent, disp


def linear_upsampling_matrix(n_in: int, factor: int, n_out: int) -> torch.Tensor:
    """(n_out, n_in) matrix whose row j interpolates linearly at position j / factor of n_in
    samples (exact at multiples of ``factor``; the last sample held beyond the end)."""
    pos = torch.arange(n_out, dtype=torch.float64) / factor
    i0 = pos.floor().long().clamp(max=n_in - 1)
    frac = (pos - i0).clamp(max=1.0)
    rows = torch.arange(n_out)
    m = torch.zeros(n_out, n_in, dtype=torch.float64)
    m.index_put_((rows, i0), 1 - frac, accumulate=True)
    m.index_put_((rows, (i0 + 1).clamp(max=n_in - 1)), frac, accumulate=True)
    return m.float()


def weighted_average(weights: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    """Eq. 1: (B,D,H,W) weights, (B,C,H,W) reference -> (B,C,H,W) sum_k V[k] * ref[..., x+k]
    (reference replicated beyond its right border). One einsum when training (fast
    backward); a loop without autograd (memory bounded to a few (B,C,H,W) planes)."""
    D, W = weights.shape[1], ref.shape[-1]
    padded = F.pad(ref, (0, D - 1, 0, 0), mode="replicate")
    if torch.is_grad_enabled():
        return torch.einsum("bdhw,bchdw->bchw", weights, padded.unfold(-1, W, 1))
    out = weights[:, :1] * padded[..., :W]
    for k in range(1, D):
        out.addcmul_(weights[:, k:k + 1], padded[..., k:k + W])
    return out


def expected_disparity(weights: torch.Tensor) -> torch.Tensor:
    """(B,D,H,W) -> (B,H,W) sum_k k V[k]."""
    k = torch.arange(weights.shape[1], dtype=weights.dtype, device=weights.device)
    return torch.einsum("bdhw,d->bhw", weights, k)


def entropy(weights: torch.Tensor) -> torch.Tensor:
    """(B,D,H,W) -> (B,H,W) Shannon entropy (nats) of V_W over the candidates. Without autograd
    one fused op (``entr``); with it, a form whose gradient stays finite at V = 0."""
    if not torch.is_grad_enabled():
        return torch.special.entr(weights).sum(1)
    return -(weights * torch.log(weights.clamp_min(1e-12))).sum(1)
