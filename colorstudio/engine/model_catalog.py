"""What the method/model picker offers: the registry's methods and the user's fine-tuned models.

No Qt here. A user model is a ``.safetensors`` file in ``paths.user_models_dir()``; a JSON
model card beside it (``NAME.json``) may give a display name. Its method is the one the
weights' own header declares, else the card's ``method``, else ``cyclecnn``.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from colorstudio import paths
from colorstudio.core.model_card import read_card
from colorstudio.core.model_header import declared_in, metadata
from colorstudio.engine.methods import PAIR, SINGLE, all_methods

AUTO_KEY = "auto"
DEFAULT_USER_MODEL_METHOD = "cyclecnn"
# a card's text as shown: a name of 10 000 characters made the window 67 000 px wide, a 3.5 MB
# description froze the app 15 s while it was laid out
NAME_CHARS, DESCRIPTION_CHARS = 80, 600


def shown_text(text: str, limit: int) -> str:
    """``text`` from a file (a card, a file name) as one plain line to show: control characters
    (newlines, the bidirectional overrides that turn the rest of a label around) made spaces,
    at most ``limit`` characters (…)."""
    line = " ".join("".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                            for c in text).split())
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


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


def _modified(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:               # a dangling link, a file removed meanwhile
        return None


def model_files(folder: Path) -> list[Path]:
    """The model files in ``folder`` (``.safetensors`` in any case), files only."""
    try:
        return [p for p in folder.iterdir() if p.suffix.lower() == ".safetensors" and p.is_file()]
    except OSError:
        return []


def user_models(folder: Path | None = None) -> list[Choice]:
    """The user's fine-tuned models, newest first, each offered for the input its method takes
    (a card naming a method that does not exist is not offered). A file whose safetensors
    header cannot be read (not a model, or one still being copied) is not offered: choosing
    it could only fail."""
    folder = folder or paths.user_models_dir()
    from colorstudio.engine.learned_methods import LEARNED

    kinds = {m.name: m.kind for m, _ in LEARNED}   # shipped weights or not: a user's model runs either way
    dated = [(t, p, meta) for p in model_files(folder)
             if (t := _modified(p)) is not None and (meta := metadata(p)) is not None]
    found = []
    for _, weights, meta in sorted(dated, key=lambda tpm: tpm[0], reverse=True):
        card = read_card(weights)
        # the weights' own header first: a ccdc or cheng file is not a cyclecnn one whatever its card says
        method = declared_in(meta) or str(card.get("method") or card.get("kind") or DEFAULT_USER_MODEL_METHOD)
        if method in kinds:
            name = card.get("name")
            found.append((weights, card, method, shown_text(name if isinstance(name, str) and name.strip()
                                                            else weights.stem, NAME_CHARS)))
    names = [name for _, _, _, name in found]
    out = []
    for weights, card, method, name in found:
        # two models whose cards give one name (a copied file, a wizard run twice) are told apart by file
        where = f", {weights.name}" if names.count(name) > 1 else ""
        description = card.get("description")
        description = shown_text(description, DESCRIPTION_CHARS) if isinstance(description, str) else ""
        out.append(Choice(f"model:{weights}", f"{name} (your model, {method}{where})", method, weights,
                          kinds[method], f"{weights}\n{description}".strip()))
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
