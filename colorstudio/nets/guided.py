"""Torch twin of :mod:`colorstudio.core.guided`: box filter and He et al.'s guided filter,
differentiable (windows are clipped at the borders instead of reflected)."""
from __future__ import annotations

import torch


def box_filter(x: torch.Tensor, r: int) -> torch.Tensor:
    """Mean over the (2r+1)^2 window clipped to the image, O(1) per pixel (cumulative sums).
    (B, C, H, W) -> same shape."""
    def along(t: torch.Tensor, dim: int) -> torch.Tensor:
        s = t.cumsum(dim)
        n = t.shape[dim]
        zeros = torch.zeros_like(s.narrow(dim, 0, 1)).expand(*[r + 1 if d == dim % t.dim() else -1
                                                                for d in range(t.dim())])
        last = s.narrow(dim, n - 1, 1).expand(*[r if d == dim % t.dim() else -1 for d in range(t.dim())])
        sp = torch.cat([zeros, s, last], dim)
        return sp.narrow(dim, 2 * r + 1, n) - sp.narrow(dim, 0, n)

    ones = torch.ones_like(x[:1, :1])
    count = along(along(ones, -1), -2)
    return along(along(x, -1), -2) / count


def guided_filter(guide: torch.Tensor, src: torch.Tensor, r: int, eps: float = 1e-3) -> torch.Tensor:
    """He et al.'s guided filter (as :func:`colorstudio.core.guided.guided_filter`), differentiable.
    guide (B, 1, H, W), src (B, C, H, W) -> (B, C, H, W)."""
    mean_i, mean_p = box_filter(guide, r), box_filter(src, r)
    var_i = box_filter(guide * guide, r) - mean_i * mean_i
    cov = box_filter(guide * src, r) - mean_i * mean_p
    a = cov / (var_i + eps)
    b = mean_p - a * mean_i
    return box_filter(a, r) * guide + box_filter(b, r)
