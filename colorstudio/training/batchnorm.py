"""BatchNorm and batch-1 training: freeze the statistics, or recompute them properly.

The Cycle CNN trains with batch 1 on crops, so BatchNorm's running statistics are an
exponential average over the last ~10 crops (momentum 0.1): noisy, and at the end of a run
they describe a handful of crops, not the data. Two remedies:

- :func:`freeze_batchnorm` keeps every BatchNorm in eval mode (running statistics used, not
  updated) while the weights train — what fine-tuning a pretrained model on a few user pairs
  needs (a few noisy crops must not overwrite statistics learned on thousands).
- :func:`recalibrate_batchnorm` recomputes the running statistics as the plain average over
  many batches (momentum None), weights untouched — done once before a model is exported.
"""
from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn

_BN = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def batchnorm_layers(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in model.modules() if isinstance(m, _BN)]


def freeze_batchnorm(model: nn.Module) -> int:
    """Put every BatchNorm of ``model`` in eval mode (call after ``model.train()``); returns
    how many there are."""
    layers = batchnorm_layers(model)
    for m in layers:
        m.eval()
    return len(layers)


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, batches: Iterable, forward: Callable[[nn.Module, object], object]) -> int:
    """Reset the running statistics and set them to the average over ``batches``.

    ``forward(model, batch)`` runs the model on one batch (its output is ignored). Returns the
    number of batches seen. The model is left in eval mode.
    """
    layers = batchnorm_layers(model)
    saved = [m.momentum for m in layers]
    model.train()
    for m in layers:
        m.reset_running_stats()
        m.momentum = None          # cumulative moving average = the plain mean over batches
    n = 0
    try:
        for batch in batches:
            forward(model, batch)
            n += 1
    finally:
        for m, momentum in zip(layers, saved):
            m.momentum = momentum
        model.eval()
    return n
