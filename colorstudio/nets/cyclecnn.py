"""Cycle CNN: WAC + GCA + colour refinement, composed (one forward for either camera side).

Inputs: gray I_G (B,1,H,W) in [0,1]; reference R_C as YCbCr (B,3,H,W), same size, shifted so
that |disparity| lies in [0, max_disparity). side="right": reference content at larger x
(x_ref = x_gray + d); side="left": the mirrored case (same weights, flipped in and out).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from colorstudio.nets.gca import GCA, GCAConfig
from colorstudio.nets.refine import Refine, RefineConfig
from colorstudio.nets.wac import WAC, WACConfig, mirror


@dataclass
class CycleCNNConfig:
    wac: WACConfig = field(default_factory=WACConfig)
    gca: GCAConfig = field(default_factory=GCAConfig)
    refine: RefineConfig = field(default_factory=RefineConfig)
    refine_uses_entropy: bool = True    # the refinement also sees the V_W entropy map
    max_disparity: int = 64             # what it was trained for (the engine may ask more)
    batchnorm_statistics: str = "running"   # at inference, BatchNorm normalises with the running
                                        # averages ("running") or with each input's own statistics
                                        # ("image"), as batch-1 training does (nets.inference)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CycleCNNConfig":
        d = dict(d)
        sub = {"wac": WACConfig, "gca": GCAConfig, "refine": RefineConfig}
        for key, kind in sub.items():
            if key in d:
                v = dict(d[key])
                if "unet" in v:
                    v["unet"] = tuple(v["unet"])
                d[key] = kind(**v)
        return cls(**d)


class CycleCNN(nn.Module):
    def __init__(self, cfg: CycleCNNConfig = CycleCNNConfig()):
        super().__init__()
        self.cfg = cfg
        self.wac = WAC(cfg.wac)
        self.gca = GCA(cfg.gca)
        self.refine = Refine(cfg.refine, extra_channels=1 if cfg.refine_uses_entropy else 0)

    def train(self, mode: bool = True) -> "CycleCNN":
        """As nn.Module.train; with ``cfg.batchnorm_statistics == "image"`` the BatchNorms
        normalise with each input's own statistics in eval mode too, so that validation sees
        what inference does (nets.inference), and their running averages, unused, stay as
        they are (momentum 0)."""
        super().train(mode)
        image = self.cfg.batchnorm_statistics == "image"
        for m in self.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.momentum = 0.0 if image else 0.1          # 0.1: PyTorch's default
                if image:
                    m.train()
        return self

    def forward(self, gray, ref_ycc, max_disparity: int | None = None, side: str = "right",
                use_gca: bool = True, use_refine: bool = True, keep_weights: bool = True) -> dict:
        """-> dict of (B,...,H,W) maps: chroma (2ch, refined), wac_ycc (3ch, eq. 1), weights
        (D ch, V_W), confidence (1ch), aligned (1ch, T(I_C^Y)), residue (2ch), disparity
        (signed x_ref - x_gray), entropy; and curve (x_m, y_m, support); candidates (D).
        ``keep_weights=False`` (inference): no V_W in the output, and it is never held whole."""
        if side not in ("left", "right"):
            raise ValueError(f"side must be 'left' or 'right', not {side!r}")
        if side == "left":
            out = self.forward(mirror(gray), mirror(ref_ycc), max_disparity, "right", use_gca, use_refine,
                               keep_weights)
            for k, v in out.items():
                if torch.is_tensor(v) and v.dim() == 4:
                    out[k] = mirror(v)
            out["disparity"] = -out["disparity"]
            return out
        max_d = int(max_disparity or self.cfg.max_disparity)
        w = self.wac(gray, ref_ycc, max_d, keep_weights)
        ycc, ent = w["ycc"], w["entropy"]
        out = {"wac_ycc": ycc, "entropy": ent, "disparity": w["disparity"], "candidates": w["candidates"]}
        if "weights" in w:
            out["weights"] = w["weights"]
        if use_gca:
            g = self.gca(ycc[:, :1], gray)
            out.update(confidence=g["confidence"], aligned=g["aligned"], curve=g["curve"])
        chroma = ycc[:, 1:]
        if use_refine:
            extra = ent / math.log(max(w["candidates"], 2)) if self.cfg.refine_uses_entropy else None
            residue = self.refine(gray, chroma, extra)
            out["residue"] = residue
            chroma = chroma + residue
        out["chroma"] = chroma
        return out

    def cycle(self, gray, ref_ycc, max_disparity: int | None = None, side: str = "right",
              use_gca: bool = True, use_refine: bool = True, back_luma=None):
        """First and second-time colorization: I_C = net(I_G, R_C); then the reference's
        luma R_G colorized with [I_G, I_C^Cb, I_C^Cr] from the other side. -> (first, second).
        ``back_luma``: colorize this (B,1,H,W) view the second time instead of R_G."""
        first = self.forward(gray, ref_ycc, max_disparity, side, use_gca, use_refine)
        back_ref = torch.cat([gray, first["chroma"]], 1)
        other = "left" if side == "right" else "right"
        back = ref_ycc[:, :1] if back_luma is None else back_luma
        second = self.forward(back, back_ref, max_disparity, other, False, use_refine)
        return first, second
