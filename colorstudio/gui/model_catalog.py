"""What the method/model picker offers: the registry's methods and the user's fine-tuned models.

No Qt here. A user model is a ``.safetensors`` file in ``paths.user_models_dir()``; a JSON
model card beside it (``NAME.json``) may name the method it is for (default: ``cyclecnn``)
and a display name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from colorstudio import paths
from colorstudio.engine.methods import PAIR, SINGLE, all_methods

AUTO_KEY = "auto"
DEFAULT_USER_MODEL_METHOD = "cyclecnn"


@dataclass(frozen=True)
class Choice:
    key: str                 # stable id stored in the settings
    label: str               # what the picker shows
    method: str | None       # None = the engine picks the best for the input
    model: Path | None       # weights file for a learned method (user models)
    kind: str | None         # PAIR, SINGLE or None (any)
    tooltip: str = ""

    def fits(self, is_pair: bool) -> bool:
        return self.kind is None or self.kind == (PAIR if is_pair else SINGLE)


def user_models(folder: Path | None = None) -> list[Choice]:
    """The user's fine-tuned models, newest first."""
    folder = folder or paths.user_models_dir()
    out = []
    files = sorted(folder.glob("*.safetensors"), key=lambda p: p.stat().st_mtime, reverse=True)
    for weights in files:
        card = {}
        card_file = weights.with_suffix(".json")
        if card_file.is_file():
            try:
                card = json.loads(card_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                card = {}
        method = str(card.get("method") or card.get("kind") or DEFAULT_USER_MODEL_METHOD)
        name = str(card.get("name", weights.stem))
        out.append(Choice(f"model:{weights}", f"{name} (your model, {method})", method, weights, PAIR,
                          f"{weights}\n{card.get('description', '')}".strip()))
    return out


def choices(user_folder: Path | None = None) -> list[Choice]:
    """Automatic first, then learned methods, classic methods, and the user's models."""
    methods = sorted(all_methods(), key=lambda m: (not m.learned, -m.priority, m.name))
    out = [Choice(AUTO_KEY, "Automatic (best available)", None, None, None,
                  "the best shipped method for the input: a pair or a single gray")]
    for m in methods:
        tag = "learned" if m.learned else "classic"
        out.append(Choice(f"method:{m.name}", f"{m.name} ({tag})", m.name, None, m.kind, m.summary))
    out += user_models(user_folder)
    return out


def find(key: str, options: list[Choice]) -> Choice | None:
    return next((c for c in options if c.key == key), None)
