"""Resumable training checkpoints: model weights + optimizer state + a JSON loop state.

One file, ``RUN_DIR/checkpoint.safetensors``, written atomically through
:mod:`colorstudio.nets.weights_file` (checksummed, never a pickle). Tensor names:
``model.<param>`` and ``opt.<param index>.<key>`` (any torch optimizer: Adam's
step/exp_avg/exp_avg_sq, RMSProp's square_avg, ...); the metadata holds ``state`` (JSON: step,
seconds, ...), ``groups`` (the optimizer's param-group settings, e.g. a lowered lr) and,
when given, the net's ``model`` name and ``config``.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from colorstudio.errors import ModelError
from colorstudio.nets.weights_file import read_weights, write_weights
from colorstudio.training import run_identity

FILENAME = run_identity.CHECKPOINT_FILE
has_checkpoint = run_identity.has_checkpoint      # torch-free there


def checkpoint_state(run_dir: str | Path) -> dict:
    """The JSON state of the checkpoint in ``run_dir`` (step, seconds, the run's options),
    without restoring anything; {} when there is none or it cannot be read."""
    try:
        _, meta = read_weights(Path(run_dir) / FILENAME, require_checksum=False)
        return json.loads(meta.get("state", "{}"))
    except (ModelError, ValueError):
        return {}


def save_checkpoint(run_dir: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    state: dict, name: str | None = None, config: dict | None = None) -> Path:
    """Write the checkpoint of ``model`` + ``optimizer`` + ``state``; returns its path."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    opt_state = optimizer.state_dict()
    for idx, st in opt_state["state"].items():
        for key, val in st.items():
            scalar = not torch.is_tensor(val) or val.dim() == 0
            tensors[f"opt.{idx}.{key}"] = torch.as_tensor(val, dtype=torch.float32).reshape(-1) if scalar else val
    meta = {"state": json.dumps(state),
            "groups": json.dumps([{k: v for k, v in g.items() if k != "params"}
                                  for g in opt_state["param_groups"]])}
    if name is not None:
        meta["model"] = f"{name}-checkpoint"
    if config is not None:
        meta["config"] = json.dumps(config)
    path = Path(run_dir) / FILENAME
    write_weights(path, tensors, meta)
    return path


def load_checkpoint(run_dir: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    name: str | None = None) -> dict:
    """Restore ``model`` and ``optimizer`` in place from ``run_dir``; returns the JSON state.

    ``name``: refuse a checkpoint made for another net (ModelError)."""
    path = Path(run_dir) / FILENAME
    tensors, meta = read_weights(path, require_checksum=False)  # runs from before checksums resume
    if name is not None and meta.get("model", f"{name}-checkpoint") != f"{name}-checkpoint":
        raise ModelError(f"{path} is a checkpoint of '{meta['model']}', not of '{name}'")
    try:
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    except RuntimeError:
        raise ModelError(f"the checkpoint in {Path(run_dir)} was made from another model (its tensors do "
                         f"not fit this one): start a new run, or resume with the model it began from") from None
    sd = optimizer.state_dict()
    if "groups" in meta:
        for group, saved in zip(sd["param_groups"], json.loads(meta["groups"])):
            group.update(saved)
    opt_state: dict = {}
    for key, val in tensors.items():
        if key.startswith("opt."):
            _, idx, field = key.split(".", 2)
            opt_state.setdefault(int(idx), {})[field] = val.reshape(()) if field == "step" else val
    sd["state"] = opt_state
    optimizer.load_state_dict(sd)
    return json.loads(meta["state"])


def in_memory_copy(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> tuple[dict, dict]:
    """Copies of the weights and the optimizer's state to go back to after a step that went
    non-finite (``load_state_dict`` each). Tensors are cloned, not deep-copied: a CCDC step's
    copy took 25 ms deep-copied, 3 ms cloned."""
    weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
    held = optimizer.state_dict()
    state = {i: {k: v.clone() if torch.is_tensor(v) else v for k, v in s.items()} for i, s in held["state"].items()}
    return weights, {"state": state, "param_groups": [dict(g) for g in held["param_groups"]]}
