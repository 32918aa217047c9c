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
    return padded.unfold(-1, feat.shape[-1], 1).permute(0, 1, 3, 2, 4)


class UNet3d(nn.Module):
    """4-level 3-D U-Net with stride-2 convs, transposed convs and residual adds.
    (B, cin, D, H, W) with D, H, W divisible by 8 -> (B, 1, D, H, W) logits."""

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

    def forward(self, v):
        e0 = self.enc0(v)
        e1 = self.enc1(e0)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        d2 = self.dec2(e3) + e2
        d1 = self.dec1(d2) + e1
        d0 = self.dec0(d1) + e0
        return self.out(d0)


class Attention3d(nn.Module):
    """Two 1x1x1 3-D convs + sigmoid; re-weights the reference half of the volume."""

    def __init__(self, n: int):
        super().__init__()
        self.net = nn.Sequential(nn.Conv3d(2 * n, n, 1), nn.ReLU(inplace=True), nn.Conv3d(n, n, 1))

    def forward(self, gray_half, ref_half):
        a = torch.sigmoid(self.net(torch.cat([gray_half, ref_half], 1)))
        return torch.cat([gray_half, ref_half * a], 1)


class WAC(nn.Module):
    """gray luma (B,1,H,W) + reference YCbCr (B,3,H,W) (same size, pre-shifted so that
    disparities lie in [0, max_disparity)) -> dict:
      ycc (B,3,H,W) weighted average of the reference's Y, Cb, Cr (eq. 1);
      weights (B,D,H,W) V_W, softmax over D = full-resolution candidates;
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
        gray_half = fg.unsqueeze(2).expand(-1, -1, n_cand, -1, -1)
        ref_half = shift_stack(fr, n_cand)
        if self.attention is not None:
            vol = self.attention(gray_half, ref_half)
        else:
            vol = torch.cat([gray_half, ref_half], 1)
        logits = self.unet(vol)[:, 0]                      # (B, D', Hp/s, Wp/s)
        h, w = -(-H // s), -(-W // s)
        return logits[..., :h, :w]

    def unpadded_disparity(self, max_disparity: int) -> int:
        """The largest disparity <= ``max_disparity`` whose candidate count needs no padding to
        a multiple of 8 (e.g. 60 for 64 at stride 4: 16 candidates instead of 17 padded to 24,
        a third less 3-D U-Net work). Never below one block of 8 candidates."""
        s = self.cfg.stride
        blocks = max(1, (-(-int(max_disparity) // s) + 1) // 8)
        return min(int(max_disparity), (8 * blocks - 1) * s)

    def upsample_logits(self, logits, size_hw, n_full: int):
        """(B,D',h,w) -> (B,n_full,H,W): bilinear in space, linear in disparity (k*stride exact).
        Only the low-resolution candidates that n_full needs are upsampled."""
        s = self.cfg.stride
        logits = logits[:, :-(-(n_full - 1) // s) + 1]
        B, Dl = logits.shape[:2]
        H, W = size_hw
        x = F.interpolate(logits, size=((logits.shape[-2]) * s, logits.shape[-1] * s),
                          mode="bilinear", align_corners=False)[..., :H, :W]
        if s > 1:
            x = F.interpolate(x.reshape(B, 1, Dl, H * W), size=((Dl - 1) * s + 1, H * W),
                              mode="bilinear", align_corners=True).reshape(B, -1, H, W)
        return x[:, :n_full]

    def forward(self, gray, ref_ycc, max_disparity: int):
        H, W = gray.shape[-2:]
        n_cand = self.candidates(max_disparity)
        logits = self.volume_logits(gray, ref_ycc[:, :1], n_cand)
        n_full = min((n_cand - 1) * self.cfg.stride + 1, int(max_disparity) + 1)
        weights = torch.softmax(self.upsample_logits(logits, (H, W), n_full), dim=1)
        return {"ycc": weighted_average(weights, ref_ycc), "weights": weights,
                "logits_lowres": logits}


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
    k = torch.arange(weights.shape[1], dtype=weights.dtype, device=weights.device).view(1, -1, 1, 1)
    return (weights * k).sum(1)


def entropy(weights: torch.Tensor) -> torch.Tensor:
    """(B,D,H,W) -> (B,H,W) Shannon entropy (nats) of V_W over the candidates."""
    return -(weights * torch.log(weights.clamp_min(1e-12))).sum(1)
