"""Inference-only rewrites of a trained net: the same function, computed faster on the CPU.

:func:`for_inference` returns an eval-mode copy of a model (the original, which training
uses, is left as it is) with three rewrites, each exact up to float rounding:

1. every BatchNorm that follows a convolution is folded into it (one pass over each
   feature map instead of two); a model trained to be used with each input's own BatchNorm
   statistics (config ``batchnorm_statistics="image"``) keeps them as such
   (:class:`ImageStatisticsNorm`);
2. 2-D convolutions take their input channels-last (PyTorch's oneDNN kernels run 16-channel
   3x3 convs ~4x faster in NHWC than in NCHW on this project's 2-core CPU);
3. 3-D convolutions run on oneDNN even where PyTorch's CPU heuristic would not take it:
   it looks at ``N*C*D*H`` only (> 20480), so a cost volume with a few candidates and rows
   (e.g. 16 x 8 x 64 x 92 at the U-Net's second level) falls to a generic kernel ~10x slower.
   Plain 3-D convs call oneDNN directly; transposed ones are run with the axes ordered
   (H, W, D), which the heuristic accepts (3x3x3 kernels with the same stride and padding on
   every axis are symmetric under that reordering once the kernel is permuted alike).
   A 3x3x3 conv with very few output channels (the U-Net's last, 12 -> 1 logits) is instead
   one 2-D conv over the depth slices giving each depth tap's response, the three summed with
   a shift (:class:`DepthTapsConv3d`): oneDNN's 3-D kernel runs a 1-channel output ~3x slower.
   The U-Net's stride-2 transposed convs are done the same way (:class:`DepthTapsConvTranspose3d`,
   one 2-D transposed conv of the slices, even output slices from the middle tap, odd ones from
   the outer two): ~2x faster than the (H, W, D) reordering at the U-Net's finest level.
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


def on_onednn(x: torch.Tensor) -> bool:
    return x.device.type == "cpu" and x.dtype == torch.float32 and torch.backends.mkldnn.is_available()


class OneDNNConv3d(nn.Conv3d):
    """A Conv3d (zero padding, numeric padding) that always takes oneDNN on the CPU."""

    def forward(self, x):
        if not on_onednn(x) or torch.is_grad_enabled():
            return super().forward(x)
        return torch.mkldnn_convolution(x.contiguous(), self.weight, self.bias, self.padding,
                                        self.stride, self.dilation, self.groups)


class DepthLastConvTranspose3d(nn.ConvTranspose3d):
    """A ConvTranspose3d computed with the axes (D, H, W) ordered (H, W, D); isotropic
    kernel, stride, padding and output padding only (checked by :func:`for_inference`)."""

    def forward(self, x, output_size=None):
        if not on_onednn(x) or output_size is not None:
            return super().forward(x, output_size)
        w = self.weight.permute(0, 1, 3, 4, 2)
        y = F.conv_transpose3d(x.permute(0, 1, 3, 4, 2).contiguous(), w, self.bias, self.stride,
                               self.padding, self.output_padding, self.groups, self.dilation)
        return y.permute(0, 1, 4, 2, 3).contiguous()


def _depth_slices(x: torch.Tensor) -> torch.Tensor:
    """(1, C, D, H, W) -> its D slices as a channels-last 2-D batch (D, C, H, W)."""
    return x[0].transpose(0, 1).contiguous(memory_format=torch.channels_last)


def _volume(slices: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """(D, O, H, W) slices (+ bias per channel) -> a contiguous (1, O, D, H, W) volume."""
    if bias is not None:
        slices += bias.view(1, -1, 1, 1)
    return slices.transpose(0, 1).unsqueeze(0).contiguous()


class DepthTapsConv3d(nn.Conv3d):
    """A 3x3x3 Conv3d (stride 1, zero padding 1, no groups/dilation; checked by
    :func:`for_inference`) as a 2-D conv of the D slices: out[d] = y_0[d-1] + y_1[d] + y_2[d+1],
    y_k = conv2d(slice, weight[:, :, k]), all three taps from one conv with 3x the outputs."""

    def forward(self, x):
        if not on_onednn(x) or torch.is_grad_enabled() or x.shape[0] != 1:
            return super().forward(x)
        _, C, D, H, W = x.shape
        O = self.out_channels
        taps = self.weight.permute(2, 0, 1, 3, 4).reshape(3 * O, C, 3, 3)
        y = F.conv2d(_depth_slices(x), taps.contiguous(memory_format=torch.channels_last), None, 1, 1)
        y = y.view(D, 3, O, H, W)
        out = y[:, 1].clone()
        out[1:] += y[:-1, 0]
        out[:-1] += y[1:, 2]
        return _volume(out, self.bias)


def _depth_taps_fit(m: nn.Conv3d) -> bool:
    return (m.out_channels <= 4 and m.kernel_size == (3, 3, 3) and m.stride == (1, 1, 1)
            and m.padding == (1, 1, 1) and m.dilation == (1, 1, 1) and m.groups == 1)


class DepthTapsConvTranspose3d(nn.ConvTranspose3d):
    """A ConvTranspose3d (3x3x3, stride 2, padding 1, output padding 1; checked by
    :func:`for_inference`) as one 2-D transposed conv of the D input slices: output slice 2i
    is tap 1 of input slice i, slice 2i+1 is tap 2 of slice i plus tap 0 of slice i+1."""

    def forward(self, x, output_size=None):
        if not on_onednn(x) or output_size is not None or torch.is_grad_enabled() or x.shape[0] != 1:
            return super().forward(x, output_size)
        _, C, D, H, W = x.shape
        O = self.out_channels
        taps = self.weight.permute(0, 2, 1, 3, 4).reshape(C, 3 * O, 3, 3)
        y = F.conv_transpose2d(_depth_slices(x), taps, None, 2, 1, 1).view(D, 3, O, 2 * H, 2 * W)
        out = torch.empty((2 * D, O, 2 * H, 2 * W), dtype=x.dtype)
        out[0::2] = y[:, 1]
        out[1::2] = y[:, 2]
        out[1:-1:2] += y[1:, 0]
        return _volume(out, self.bias)


def _depth_taps_transposed_fit(m: nn.ConvTranspose3d) -> bool:
    return (m.kernel_size == (3, 3, 3) and m.stride == (2, 2, 2) and m.padding == (1, 1, 1)
            and m.output_padding == (1, 1, 1) and m.dilation == (1, 1, 1) and m.groups == 1)


def _isotropic(m: nn.Module) -> bool:
    return all(len(set(v)) == 1 for v in (m.kernel_size, m.stride, m.padding, m.output_padding, m.dilation))


def _channels_last_input(conv: nn.Module, args: tuple):
    return (args[0].contiguous(memory_format=torch.channels_last),) + tuple(args[1:])


def _speed_up_convs(module: nn.Module) -> None:
    for child in module.children():
        # the subclasses change ``forward`` only: swapping the class keeps every parameter
        if type(child) is nn.Conv3d and child.padding_mode == "zeros" and not isinstance(child.padding, str):
            child.__class__ = DepthTapsConv3d if _depth_taps_fit(child) else OneDNNConv3d
        elif type(child) is nn.ConvTranspose3d and _depth_taps_transposed_fit(child):
            child.__class__ = DepthTapsConvTranspose3d
        elif type(child) is nn.ConvTranspose3d and _isotropic(child):
            child.__class__ = DepthLastConvTranspose3d
        elif type(child) is nn.Conv2d:
            child.weight.data = child.weight.data.contiguous(memory_format=torch.channels_last)
            child.register_forward_pre_hook(_channels_last_input)
        else:
            _speed_up_convs(child)


class ImageStatisticsNorm(nn.Module):
    """A trained BatchNorm that normalises each input with the input's own per-channel mean and
    variance (over batch and space), as it did in training with batch 1, then applies its
    learned scale and shift. Its running averages are not used."""

    def __init__(self, bn: nn.modules.batchnorm._BatchNorm):
        super().__init__()
        self.weight, self.bias, self.eps = bn.weight, bn.bias, bn.eps

    def forward(self, x):
        return F.batch_norm(x, None, None, self.weight, self.bias, training=True, eps=self.eps)


def use_image_statistics(module: nn.Module) -> int:
    """Replace, in place, every BatchNorm of ``module`` by an :class:`ImageStatisticsNorm`;
    returns how many."""
    replaced = 0
    for name, child in module.named_children():
        if isinstance(child, _NORMS):
            setattr(module, name, ImageStatisticsNorm(child))
            replaced += 1
        else:
            replaced += use_image_statistics(child)
    return replaced


def for_inference(model: nn.Module) -> nn.Module:
    """An eval-mode, gradient-free copy of ``model`` with the rewrites of the module doc. A
    model whose config asks for ``batchnorm_statistics="image"`` keeps its normalisations,
    computed on each input (:class:`ImageStatisticsNorm`), instead of folding them."""
    fast = copy.deepcopy(model).eval()
    if getattr(getattr(model, "cfg", None), "batchnorm_statistics", "running") == "image":
        use_image_statistics(fast)
    else:
        fold_batchnorm(fast)
    _speed_up_convs(fast)
    for p in fast.parameters():
        p.requires_grad_(False)
    return fast
