"""Deep Colorization's networks (Cheng et al.): one MLP per image cluster.

Each MLP maps a per-pixel feature (:mod:`colorstudio.core.cheng_features`, standardised)
to the pixel's chroma (Cb - 0.5, Cr - 0.5): 3 hidden layers of input/2 units, ReLU.
Dropout after each hidden layer (training only) is a deviation for a small data set.
The model also holds what selecting and feeding a net needs: the feature mean/std and
the cluster centroids of the global descriptor.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn

from colorstudio.nets.weight_init import he_normal_


@dataclass
class ChengConfig:
    in_dim: int = 153          # per-pixel feature length (7x7 patch + DAISY [+ context 26])
    context: bool = False      # the features include core.cheng_features.context_features
    global_dim: int = 80       # global descriptor length (clustering)
    n_clusters: int = 3
    hidden_layers: int = 3
    dropout: float = 0.3       # after each hidden ReLU, training only (not in the paper: 150
                               # training photos overfit without it)

    @property
    def hidden(self) -> int:
        return self.in_dim // 2

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ChengConfig":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


class ChengMLP(nn.Module):
    """(N, in_dim) standardised features -> (N, 2) chroma offsets (Cb - 0.5, Cr - 0.5)."""

    def __init__(self, cfg: ChengConfig):
        super().__init__()
        layers: list[nn.Module] = []
        d = cfg.in_dim
        for _ in range(cfg.hidden_layers):
            layers += [nn.Linear(d, cfg.hidden), nn.ReLU(inplace=True)]
            if cfg.dropout > 0:
                layers.append(nn.Dropout(cfg.dropout))
            d = cfg.hidden
        layers.append(nn.Linear(d, 2))
        self.body = nn.Sequential(*layers)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                he_normal_(m)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class ChengModel(nn.Module):
    """The per-cluster MLPs plus buffers: feature_mean/std (in_dim,), centroids (k, global_dim)."""

    def __init__(self, cfg: ChengConfig | None = None):
        super().__init__()
        self.cfg = cfg or ChengConfig()
        self.nets = nn.ModuleList(ChengMLP(self.cfg) for _ in range(self.cfg.n_clusters))
        self.register_buffer("feature_mean", torch.zeros(self.cfg.in_dim))
        self.register_buffer("feature_std", torch.ones(self.cfg.in_dim))
        self.register_buffer("centroids", torch.zeros(self.cfg.n_clusters, self.cfg.global_dim))

    def forward(self, features: torch.Tensor, cluster: int) -> torch.Tensor:
        """(N, in_dim) raw features, cluster index -> (N, 2) chroma offsets."""
        x = (features - self.feature_mean) / self.feature_std
        return self.nets[cluster](x)
