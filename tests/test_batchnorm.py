"""BatchNorm statistics for batch-1 training: recalibration is the plain mean over batches."""
import torch
from torch import nn

from colorstudio.training.batchnorm import batchnorm_layers, freeze_batchnorm, recalibrate_batchnorm


def test_recalibration_gives_the_mean_of_the_batch_statistics():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 1), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 2, 1), nn.BatchNorm2d(2))
    batches = [torch.randn(1, 1, 8, 8) * (i + 1) + i for i in range(5)]
    bn = net[1]
    weights_before = [p.detach().clone() for p in net.parameters()]
    n = recalibrate_batchnorm(net, batches, lambda m, b: m(b))
    assert n == 5 and not net.training
    means = torch.stack([net[0](b).mean(dim=(0, 2, 3)) for b in batches]).mean(0)
    torch.testing.assert_close(bn.running_mean, means.detach(), rtol=1e-5, atol=1e-6)
    assert bn.momentum == 0.1                       # restored
    assert all(torch.equal(a, p) for a, p in zip(weights_before, net.parameters()))


def test_freeze_puts_only_batchnorm_in_eval_mode():
    net = nn.Sequential(nn.Conv2d(1, 3, 1), nn.BatchNorm2d(3), nn.Dropout(0.5)).train()
    assert freeze_batchnorm(net) == 1 == len(batchnorm_layers(net))
    assert not net[1].training and net[0].training and net[2].training
