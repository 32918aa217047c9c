"""Inference-only rewrites of a trained net: the same function, computed faster on the CPU.

:func:`for_inference` returns an eval-mode copy of a model (the original, which training
uses, is left as it is) with three rewrites, each exact up to float rounding:

1. every BatchNorm that follows a convolution is folded into it (one pass over each
   feature map instead of two);
2. 2-D convolutions take their input channels-last (PyTorch's oneDNN kernels run 16-channel
   3x3 convs ~4x faster in NHWC than in NCHW on this project's 2-core CPU);
3. 3-D convolutions run on oneDNN even where PyTorch's CPU heuristic would not take it:
   it looks at ``N*C*D*H`` only (> 20480), so a cost volume with a few candidates and rows
   (e.g. 16 x 8 x 64 x 92 at the U-Net's second level) falls to a generic kernel ~10x slower.
   Plain 3-D convs call oneDNN directly; transposed ones are run with the axes ordered
   (H, W, D), which the heuristic accepts (3x3x3 kernels with the same stride and padding on
   every axis are symmetric under that reordering once the kernel is permuted alike).
"""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_TRANSPOSED = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def fold_batchnorm(module: nn.Module) -> int:
    """Fold, in place, each BatchNorm that directly follows a conv in an ``nn.Sequential``
    (eval mode required: running statistics are used). Returns how many were folded."""
    folded = 0
    for child in module.children():
        folded += fold_batchnorm(child)
    if isinstance(module, nn.Sequential):
        names = list(module._modules)
        for a, b in zip(names, names[1:]):
            conv, bn = module._modules[a], module._modules[b]
            if isinstance(bn, _NORMS) and isinstance(conv, _CONVS + _TRANSPOSED):
                module._modules[a] = fuse_conv_bn_eval(conv, bn, transpose=isinstance(conv, _TRANSPOSED))
                module._modules[b] = nn.Identity()
                folded += 1
    return folded


def _on_onednn(x: torch.Tensor) -> bool:
    return x.device.type == "cpu" and x.dtype == torch.float32 and torch.backends.mkldnn.is_available()


class OneDNNConv3d(nn.Conv3d):
    """A Conv3d (zero padding, numeric padding) that always takes oneDNN on the CPU."""

    def forward(self, x):
        if not _on_onednn(x) or torch.is_grad_enabled():
            return super().forward(x)
        return torch.mkldnn_convolution(x.contiguous(), self.weight, self.bias, self.padding,
                                        self.stride, self.dilation, self.groups)


class DepthLastConvTranspose3d(nn.ConvTranspose3d):
    """A ConvTranspose3d computed with the axes (D, H, W) ordered (H, W, D); isotropic
    kernel, stride, padding and output padding only (checked by :func:`for_inference`)."""

    def forward(self, x, output_size=None):
        if not _on_onednn(x) or output_size is not None:
            return super().forward(x, output_size)
        w = self.weight.permute(0, 1, 3, 4, 2)
        y = F.conv_transpose3d(x.permute(0, 1, 3, 4, 2).contiguous(), w, self.bias, self.stride,
                               self.padding, self.output_padding, self.groups, self.dilation)
        return y.permute(0, 1, 4, 2, 3).contiguous()


def _isotropic(m: nn.Module) -> bool:
    return all(len(set(v)) == 1 for v in (m.kernel_size, m.stride, m.padding, m.output_padding, m.dilation))


def _channels_last_input(conv: nn.Module, args: tuple):
    return (args[0].contiguous(memory_format=torch.channels_last),) + tuple(args[1:])


def _speed_up_convs(module: nn.Module) -> None:
    for child in module.children():
        # the subclasses change ``forward`` only: swapping the class keeps every parameter
        if type(child) is nn.Conv3d and child.padding_mode == "zeros" and not isinstance(child.padding, str):
            child.__class__ = OneDNNConv3d
        elif type(child) is nn.ConvTranspose3d and _isotropic(child):
            child.__class__ = DepthLastConvTranspose3d
        elif type(child) is nn.Conv2d:
            child.weight.data = child.weight.data.contiguous(memory_format=torch.channels_last)
            child.register_forward_pre_hook(_channels_last_input)
        else:
            _speed_up_convs(child)


def for_inference(model: nn.Module) -> nn.Module:
    """An eval-mode, gradient-free copy of ``model`` with the rewrites of the module doc."""
    fast = copy.deepcopy(model).eval()
    fold_batchnorm(fast)
    _speed_up_convs(fast)
    for p in fast.parameters():
        p.requires_grad_(False)
    return fast
