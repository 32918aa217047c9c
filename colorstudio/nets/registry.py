"""The Cycle CNN's model files (``KINDS`` holds its one kind; CCDC and the single-gray nets
are read and written by :mod:`colorstudio.nets.weights_file` directly): safetensors weights +
the config in their metadata + a JSON model card.

``save_model(model, path, card)`` writes ``path`` (.safetensors, atomically, with a checksum;
see :mod:`colorstudio.nets.weights_file`) and ``path.with_suffix('.json')`` (the card).
``load_model(path)`` reads safetensors ONLY (never a pickle), validates the config and the
tensor names/shapes, and raises ModelError otherwise.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from colorstudio.core.atomic_files import atomic_write_bytes
from colorstudio.core.model_card import older_card_set_aside
from colorstudio.core.model_header import declared_in
from colorstudio.errors import ModelError
from colorstudio.nets.weights_file import build_net, file_facts, read_weights, write_weights
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig

FORMAT = "colorstudio-model"
KINDS = {"cyclecnn": (CycleCNNConfig, CycleCNN)}     # kind -> (config class, module class)


def kind_of(model: torch.nn.Module) -> str:
    for kind, (_, cls) in KINDS.items():
        if isinstance(model, cls):
            return kind
    raise TypeError(f"no registered kind for {type(model).__name__}")


def save_model(model: torch.nn.Module, path, card: dict | None = None) -> Path:
    """Write the weights (+ config in the metadata) and a JSON model card beside them."""
    path = Path(path)
    card = dict(card or {})
    card.setdefault("kind", kind_of(model))
    card["config"] = model.cfg.to_dict()
    card["parameters"] = int(sum(p.numel() for p in model.parameters()))
    with older_card_set_aside(path):      # a stop between the two: no older card beside the new weights
        write_weights(path, model.state_dict(), {"format": FORMAT, "kind": kind_of(model),
                                                 "config": json.dumps(model.cfg.to_dict())})
    card.update(file_facts(path))
    atomic_write_bytes(path.with_suffix(".json"), (json.dumps(card, indent=2) + "\n").encode())
    return path


def load_model(path, kind: str | None = None) -> torch.nn.Module:
    """A model in eval mode from a .safetensors file; ModelError when missing/invalid."""
    path = Path(path)

    def stereo_model(meta: dict) -> None:
        wanted = kind or "cyclecnn"
        if meta.get("format") != FORMAT or meta.get("kind") not in KINDS:
            other = declared_in(meta)                            # another ColorStudio net (ccdc, hsv2stage…)
            raise ModelError(f"{path.name} holds a '{other}' model, not '{wanted}'" if other else
                             f"{path.name} is a safetensors file but not a ColorStudio model")
        if kind is not None and meta["kind"] != kind:
            raise ModelError(f"{path.name} is a '{meta['kind']}' model, not '{kind}'")

    tensors, meta = read_weights(path, check_metadata=stereo_model)
    cfg_cls, model_cls = KINDS[meta["kind"]]
    try:
        config = json.loads(meta["config"])
    except (KeyError, ValueError) as e:
        raise ModelError(f"{path.name} has an invalid model config ({e})") from None
    model = build_net(path, meta["kind"], config, cfg_cls, model_cls, tensors=tensors)
    model.load_state_dict(tensors)
    model.eval()
    return model
