"""CCDC (Zhao et al., "Cross-Camera Deep Colorization"), composed for the CPU.

Inputs: the gray target I1 (B, 1, H, W) in [0, 1]; the reference (B, 3, h, w) in YCbCr,
at its own (smaller, any) size, its luma already tone-matched to the gray; optionally
an initial flow (B, 2, H, W) in target pixels (OpenCV DIS at inference and in training).
Steps: bicubic upsampling of the reference to (H, W); flows at 5 scales (initial flow +
FlowNetS-like residuals); luminance features of I1 and I2^Y, colour features of I2 (4
scales, 1/2 .. 1/16); warping of the colour features, of the reference luma features and of
the reference image; visibility maps V0 = warp(I2^Y) - I1, V_i = warp(F_i^Y) - F_i^l; a U-Net
decoder fusing F_i^l, warp(F_i^c) and V_i from 1/16 up to full size, which predicts a Cb/Cr
correction of a base chroma: the warped reference chroma, guided-filtered with the gray as
the guide (window radius ~ half the size ratio), i.e. the classic DIS+guided-filter answer
when the initial flow is DIS. Any H, W: inputs are padded to multiples of 32.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from colorstudio.nets.blocks import cat_channels
from colorstudio.nets.ccdc_encoders import colour_encoder, conv_lrelu, luminance_encoder
from colorstudio.nets.ccdc_flow import FlowEstimator
from colorstudio.nets.guided import guided_filter
from colorstudio.nets.warp import backward_warp, resize_flow
from colorstudio.nets.weight_init import small_normal_

MULTIPLE = 32


@dataclass
class CCDCConfig:
    encoder_widths: tuple[int, ...] = (16, 24, 32, 48)       # F_1..F_4 at 1/2..1/16
    flow_widths: tuple[int, ...] = (16, 32, 48, 64, 64)      # flow encoder, 1/2..1/32
    decoder_widths: tuple[int, ...] = (48, 32, 24, 16)       # decoder at 1/16..1/2
    full_width: int = 24                                     # decoder at full size (2 convs)
    base_guided: bool = True        # the correction applies to the guided-filtered warped chroma
    base_eps: float = 1e-3          # ... with this regularisation
    classic_init: bool = True       # the engine starts the flow from OpenCV DIS
    max_working_pixels: int = 1_000_000  # the engine's default working size bound (inference only)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CCDCConfig":
        d = dict(d)
        for key in ("encoder_widths", "flow_widths", "decoder_widths"):
            if key in d:
                d[key] = tuple(int(v) for v in d[key])
        return cls(**d)


class CCDC(nn.Module):
    def __init__(self, cfg: CCDCConfig = CCDCConfig()):
        super().__init__()
        if len(cfg.encoder_widths) != 4 or len(cfg.decoder_widths) != 4:
            raise ValueError("CCDC needs 4 encoder and 4 decoder widths")
        self.cfg = cfg
        ew, dw = cfg.encoder_widths, cfg.decoder_widths
        self.lum_enc = luminance_encoder(ew)
        self.col_enc = colour_encoder(ew)
        self.flow = FlowEstimator(cfg.flow_widths, cin=4)
        dec, prev = [], 0
        for i in (3, 2, 1, 0):                       # scales 1/16 .. 1/2
            dec.append(nn.Sequential(conv_lrelu(prev + 3 * ew[i], dw[3 - i]), conv_lrelu(dw[3 - i], dw[3 - i])))
            prev = dw[3 - i]
        self.dec = nn.ModuleList(dec)
        fw = cfg.full_width                          # + gray, warped ref, V0, base chroma
        self.full = nn.Sequential(conv_lrelu(prev + 1 + 3 + 1 + 2, fw), conv_lrelu(fw, fw))
        self.out = nn.Conv2d(cfg.full_width, 2, 3, 1, 1)
        small_normal_(self.out, std=1e-3)

    def forward(self, gray: torch.Tensor, ref_small: torch.Tensor,
                init_flow: torch.Tensor | None = None) -> dict:
        """-> dict: "chroma" (B,2,H,W) Cb/Cr; "flows" [5 x (B,2,H/2**i,W/2**i)] in pixels of
        each scale; "visibility" [V0 (B,1,H,W), V1..V4 (B,C_i,H/2**i,W/2**i)] signed;
        "warped_ref" (B,3,H,W) YCbCr; "ref_up" (B,3,H,W) the bicubic-upsampled reference;
        "base" (B,2,H,W) the chroma the decoder corrects."""
        B, _, H, W = gray.shape
        ref_up = F.interpolate(ref_small, size=(H, W), mode="bicubic", align_corners=False).clamp(0, 1)
        if init_flow is None:
            init_flow = gray.new_zeros(B, 2, H, W)
        ph, pw = (-H) % MULTIPLE, (-W) % MULTIPLE
        pad = lambda t: F.pad(t, (0, pw, 0, ph), mode="replicate") if ph or pw else t
        g, r, f_init = pad(gray), pad(ref_up), pad(init_flow)
        Hp, Wp = g.shape[-2:]
        residuals = self.flow(cat_channels([g, backward_warp(r, f_init)]))
        flows = [resize_flow(f_init, res.shape[-2:]) + res for res in residuals]
        fl, fy, fc = self.lum_enc(g), self.lum_enc(r[:, :1]), self.col_enc(r)
        warped_ref = backward_warp(r, flows[0])
        vis = [warped_ref[:, :1] - g] + [None] * 4
        x = None
        for k, i in enumerate((3, 2, 1, 0)):         # F_{i+1} at scale 1/2**(i+1), coarse first
            flow = flows[i + 1]
            vis[i + 1] = backward_warp(fy[i], flow) - fl[i]
            parts = [fl[i], backward_warp(fc[i], flow), vis[i + 1]]
            if x is not None:
                parts.insert(0, F.interpolate(x, size=fl[i].shape[-2:], mode="bilinear", align_corners=False))
            x = self.dec[k](cat_channels(parts))
        x = F.interpolate(x, size=(Hp, Wp), mode="bilinear", align_corners=False)
        base = warped_ref[:, 1:]
        if self.cfg.base_guided:
            radius = max(1, round(max(H / ref_small.shape[-2], W / ref_small.shape[-1]) / 2))
            base = guided_filter(g, base, radius, self.cfg.base_eps)
        x = self.full(cat_channels([x, g - 0.5, warped_ref - 0.5, vis[0], base - 0.5]))
        chroma = base + self.out(x)
        crop = lambda t, s: t[..., :(H + s - 1) // s, :(W + s - 1) // s]
        return {"chroma": crop(chroma, 1), "warped_ref": crop(warped_ref, 1), "ref_up": ref_up,
                "base": crop(base, 1),
                "flows": [crop(f, 2 ** i) for i, f in enumerate(flows)],
                "visibility": [crop(v, 2 ** i) for i, v in enumerate(vis)]}
