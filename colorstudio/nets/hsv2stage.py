"""Two-stage pyramidal colorization network in HSV (after Wei et al.).

Stage 1, LR-CMGN: from the gray at 1/4 size per side, 12 3x3 conv layers (ReLU,
tanh last) predict coarse hue and saturation.
Stage 2, RCN: takes (V, coarse HS) at the working size, runs two parallel pyramid
branches at 1/4 area (1/2 per side) and 1/16 area (1/4 per side), merges them and
deconvolves to the working size, predicting hue and saturation.

Outputs are in tanh units: hue h in [0, 1) maps to 2h - 1 in [-1, 1] (circular);
saturation s in [0, 1] maps to 2s - 1. The gray input is BT.601 luma (what a gray
photo holds), used in place of HSV's V. Sized for CPU (channel widths 16..32).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from colorstudio.nets.colorspace import hsv_to_rgb, luma
from colorstudio.nets.weight_init import he_normal_

MULTIPLE = 16  # input sides must be multiples of this (1/4 of 1/4)


@dataclass
class HSV2StageConfig:
    lr_width: int = 32                  # channels of the LR-CMGN's hidden layers
    lr_layers: int = 12                 # 3x3 conv layers in the LR-CMGN (paper: 12)
    # dilation per LR-CMGN layer (a CPU-friendly deviation: a full-image receptive field
    # at 64x64 without more layers); all 1 reproduces the paper's plain stack
    lr_dilations: tuple = (1, 1, 2, 4, 8, 16, 1, 2, 4, 8, 1, 1)
    rcn_width: int = 24                 # channels of the RCN branches
    hue_weight_by_saturation: bool = True  # hue of gray pixels is undefined: weight hue loss by true S

    def to_dict(self) -> dict:
        d = asdict(self)
        d["lr_dilations"] = list(self.lr_dilations)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "HSV2StageConfig":
        known = {f for f in cls.__dataclass_fields__}
        d = {k: v for k, v in d.items() if k in known}
        if "lr_dilations" in d:
            d["lr_dilations"] = tuple(int(x) for x in d["lr_dilations"])
        return cls(**d)


def _conv(cin: int, cout: int, dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=dilation, dilation=dilation)


class LRCMGN(nn.Module):
    """Low-resolution colour map generation: (B,1,h,w) gray -> (B,2,h,w) tanh (hue, sat)."""

    def __init__(self, cfg: HSV2StageConfig):
        super().__init__()
        if len(cfg.lr_dilations) != cfg.lr_layers:
            raise ValueError("lr_dilations needs one entry per LR-CMGN layer")
        layers: list[nn.Module] = []
        cin = 1
        for i, dil in enumerate(cfg.lr_dilations):
            last = i == cfg.lr_layers - 1
            layers.append(_conv(cin, 2 if last else cfg.lr_width, dil))
            layers.append(nn.Tanh() if last else nn.ReLU(inplace=True))
            cin = cfg.lr_width
        self.body = nn.Sequential(*layers)

    def forward(self, gray_lr: torch.Tensor) -> torch.Tensor:
        return self.body(gray_lr - 0.5)


def hs_encoding(hs_tanh: torch.Tensor) -> torch.Tensor:
    """(B,2,h,w) tanh hue/sat -> (B,3,h,w) (s cos, s sin, s): smooth to resample, no hue seam."""
    angle = hs_tanh[:, :1] * math.pi
    s = (hs_tanh[:, 1:2] + 1) * 0.5
    return torch.cat([s * torch.cos(angle), s * torch.sin(angle), s], dim=1)


class RCN(nn.Module):
    """Refinement: (B,1,H,W) gray + (B,2,H/4,W/4) coarse hue/sat -> (B,2,H,W) tanh (hue, sat)."""

    def __init__(self, cfg: HSV2StageConfig):
        super().__init__()
        w = cfg.rcn_width
        cin = 4
        self.branch_half = nn.Sequential(_conv(cin, w), nn.ReLU(True), _conv(w, w), nn.ReLU(True),
                                  _conv(w, w), nn.ReLU(True))
        self.branch_quarter = nn.Sequential(_conv(cin, w), nn.ReLU(True), _conv(w, w, 2), nn.ReLU(True),
                                     _conv(w, w), nn.ReLU(True),
                                     nn.ConvTranspose2d(w, w, 4, stride=2, padding=1), nn.ReLU(True))
        self.merge = nn.Sequential(_conv(2 * w, w), nn.ReLU(True),
                                   nn.ConvTranspose2d(w, w, 4, stride=2, padding=1), nn.ReLU(True))
        self.head = nn.Sequential(_conv(w + cin, w), nn.ReLU(True), _conv(w, 2), nn.Tanh())

    def forward(self, gray: torch.Tensor, coarse: torch.Tensor) -> torch.Tensor:
        size = gray.shape[-2:]
        enc = F.interpolate(hs_encoding(coarse), size=size, mode="bilinear", align_corners=False)
        x = torch.cat([gray - 0.5, enc], dim=1)
        a = self.branch_half(F.avg_pool2d(x, 2))
        b = self.branch_quarter(F.avg_pool2d(x, 4))
        y = self.merge(torch.cat([a, b], dim=1))
        return self.head(torch.cat([y, x], dim=1))


class HSV2Stage(nn.Module):
    """(B,1,H,W) gray in [0,1], H and W multiples of 16 -> (coarse (B,2,H/4,W/4), fine (B,2,H,W))."""

    def __init__(self, cfg: HSV2StageConfig | None = None):
        super().__init__()
        self.cfg = cfg or HSV2StageConfig()
        self.lr = LRCMGN(self.cfg)
        self.rcn = RCN(self.cfg)
        self.apply(_he_init)

    def forward(self, gray: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if gray.shape[-1] % MULTIPLE or gray.shape[-2] % MULTIPLE:
            raise ValueError(f"input sides must be multiples of {MULTIPLE}, got {tuple(gray.shape[-2:])}")
        coarse = self.lr(F.avg_pool2d(gray, 4))
        return coarse, self.rcn(gray, coarse)


def _he_init(m: nn.Module) -> None:
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        he_normal_(m)


# ---------------------------------------------------------------- losses
def circular_hue_mae(pred: torch.Tensor, target: torch.Tensor,
                     weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean circular distance of hues in [-1, 1]: |d| if |d| <= 1 else 2 - |d|."""
    d = torch.abs(pred - target)
    d = torch.where(d <= 1, d, 2 - d)
    if weight is None:
        return d.mean()
    return (d * weight).sum() / weight.sum().clamp_min(1e-6)


def hsv_loss(pred: torch.Tensor, target_hs: torch.Tensor, hue_weight_by_saturation: bool = True
             ) -> torch.Tensor:
    """S_MAE + circular H_MAE. pred: (B,2,h,w) tanh units; target_hs: (B,2,h,w) H, S in [0,1]."""
    th = target_hs[:, :1] * 2 - 1
    ts = target_hs[:, 1:2] * 2 - 1
    w = target_hs[:, 1:2] if hue_weight_by_saturation else None
    return F.l1_loss(pred[:, 1:2], ts) + circular_hue_mae(pred[:, :1], th, w)


def rgb_on_gray(hs_tanh: torch.Tensor, gray: torch.Tensor) -> torch.Tensor:
    """(B,2,h,w) tanh hue/sat + (B,1,h,w) gray -> (B,3,h,w) RGB of that hue and saturation
    whose BT.601 luma is the gray (V capped at 1), as the engine composes it; differentiable."""
    hs = tanh_to_hs(hs_tanh)
    unit = hsv_to_rgb(torch.cat([hs, torch.ones_like(hs[:, :1])], dim=1))
    v = (gray / luma(unit).clamp_min(1e-3)).clamp(0, 1)
    return unit * v


def rgb_mse(pred_hs_tanh: torch.Tensor, truth_rgb: torch.Tensor) -> torch.Tensor:
    """Mean squared RGB error of the prediction recomposed on the truth's own luma: the
    quantity the benchmark's RGB PSNR measures (an addition to Wei et al.'s HSV loss)."""
    return F.mse_loss(rgb_on_gray(pred_hs_tanh, luma(truth_rgb)), truth_rgb)


def rgb_l1(pred_hs_tanh: torch.Tensor, truth_rgb: torch.Tensor) -> torch.Tensor:
    """Mean absolute RGB error of the prediction recomposed on the truth's own luma: like
    :func:`rgb_mse`, but its minimum is the median colour, not the mean (Deep Colorization's
    MLP gained 0.2-0.3 dB at equal colourfulness from that change, models/cheng.json)."""
    return F.l1_loss(rgb_on_gray(pred_hs_tanh, luma(truth_rgb)), truth_rgb)


MSE_FLOOR = 1e-4  # rgb_log_mse: errors below this (a PSNR of 40 dB) earn no more


def rgb_log_mse(pred_hs_tanh: torch.Tensor, truth_rgb: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of 10 log10(MSE + MSE_FLOOR) of each image recomposed on its own
    luma: the negative per-photo PSNR, which the benchmark averages. Unlike the plain MSE it
    weighs a photo's error against how small it could be, so colouring a nearly neutral photo
    (metal, snow, a white cloth) costs as much as it costs the PSNR."""
    err = (rgb_on_gray(pred_hs_tanh, luma(truth_rgb)) - truth_rgb).pow(2).flatten(1).mean(1)
    return (10 * torch.log10(err + MSE_FLOOR)).mean()


def tanh_to_hs(x: torch.Tensor) -> torch.Tensor:
    """(B,2,h,w) tanh units -> hue in [0,1), saturation in [0,1]."""
    h = torch.remainder((x[:, :1] + 1) * 0.5, 1.0)
    s = ((x[:, 1:2] + 1) * 0.5).clamp(0, 1)
    return torch.cat([h, s], dim=1)
