"""CCDC flow estimator: a FlowNetS-like encoder-decoder sized for the CPU.

Input (B, 4, H, W), H and W multiples of 32: the gray target and the reference (Y, Cb, Cr),
the reference already warped by an initial flow (zero, or OpenCV DIS — see
:mod:`colorstudio.engine.crosscam`). Output: 5 residual flows [f_0 .. f_4], f_i (B, 2,
H/2**i, W/2**i) in pixels of its own scale; the caller adds them to the initial flow.
The prediction heads start at zero, so an untrained net returns the initial flow.
Coarse-to-fine as FlowNetS: f_4 from the deepest features, each finer flow from the
upconvolved features, the skip connection and the upsampled coarser flow.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from colorstudio.nets.blocks import cat_channels
from colorstudio.nets.ccdc_encoders import conv_lrelu


def _head(cin: int) -> nn.Conv2d:
    head = nn.Conv2d(cin, 2, 3, 1, 1)
    nn.init.zeros_(head.weight)
    nn.init.zeros_(head.bias)
    return head


def _up2(x: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


class FlowEstimator(nn.Module):
    """widths: channels of the 5 stride-2 encoder levels (1/2 .. 1/32)."""

    def __init__(self, widths: tuple[int, ...] = (16, 32, 48, 64, 64), cin: int = 4):
        super().__init__()
        if len(widths) != 5:
            raise ValueError("the flow estimator needs 5 encoder widths (1/2 .. 1/32)")
        enc, prev = [], cin
        for w in widths:
            enc.append(nn.Sequential(conv_lrelu(prev, w, 2), conv_lrelu(w, w)))
            prev = w
        self.enc = nn.ModuleList(enc)
        # decoder at 1/16, 1/8, 1/4, 1/2: input = up(deeper features) + skip (+ up(flow))
        dec, heads, prev = [], [], widths[4]
        for level in (3, 2, 1, 0):
            cin_dec = prev + widths[level] + (2 if level < 3 else 0)
            out = max(16, widths[level])
            dec.append(conv_lrelu(cin_dec, out))
            heads.append(_head(out))
            prev = out
        self.dec = nn.ModuleList(dec)
        self.heads = nn.ModuleList(heads)
        self.full = conv_lrelu(cin + prev + 2, 16)     # full resolution: input + features + flow
        self.full_head = _head(16)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        skips, y = [], x - 0.5
        for level in self.enc:
            y = level(y)
            skips.append(y)
        feat, flow, flows = skips[4], None, []
        for i, (dec, head) in enumerate(zip(self.dec, self.heads)):
            parts = [_up2(feat), skips[3 - i]]
            if flow is not None:
                parts.append(_up2(flow) * 2.0)
            feat = dec(cat_channels(parts))
            flow = head(feat) + (_up2(flow) * 2.0 if flow is not None else 0.0)
            flows.append(flow)                          # scales 1/16, 1/8, 1/4, 1/2
        up = _up2(flow) * 2.0
        flow0 = up + self.full_head(self.full(cat_channels([x - 0.5, _up2(feat), up])))
        return [flow0] + flows[::-1]                    # [f_0 (1), f_1 (1/2), ..., f_4 (1/16)]
