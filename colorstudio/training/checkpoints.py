"""Resumable training checkpoints as safetensors: model weights + Adam state + a JSON state.

Tensor names: ``model.<param>`` and ``opt.<index>.<step|exp_avg|exp_avg_sq>``; the JSON
``state`` (step, minutes, ...) and the net's config go to the safetensors metadata.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from colorstudio.nets.single_weights import load_weights, save_weights

FILENAME = "checkpoint.safetensors"


def save_checkpoint(run_dir: Path, name: str, model: torch.nn.Module, opt: torch.optim.Adam,
                    config: dict, state: dict) -> None:
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    for idx, st in opt.state_dict()["state"].items():
        for key, val in st.items():
            tensors[f"opt.{idx}.{key}"] = torch.as_tensor(val, dtype=torch.float32).reshape(-1) \
                if key == "step" else val
    save_weights(Path(run_dir) / FILENAME, tensors, f"{name}-checkpoint", config,
                 {"state": json.dumps(state)})


def load_checkpoint(run_dir: Path, name: str, model: torch.nn.Module, opt: torch.optim.Adam) -> dict:
    """Restore model and optimiser in place; returns the JSON state."""
    tensors, _, meta = load_weights(Path(run_dir) / FILENAME, f"{name}-checkpoint")
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    sd = opt.state_dict()
    for idx in range(sum(len(g["params"]) for g in sd["param_groups"])):
        if f"opt.{idx}.exp_avg" in tensors:
            sd["state"][idx] = {"step": tensors[f"opt.{idx}.step"].reshape(()),
                                "exp_avg": tensors[f"opt.{idx}.exp_avg"],
                                "exp_avg_sq": tensors[f"opt.{idx}.exp_avg_sq"]}
    opt.load_state_dict(sd)
    return json.loads(meta["state"])


def has_checkpoint(run_dir: Path) -> bool:
    return (Path(run_dir) / FILENAME).exists()
