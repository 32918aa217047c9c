"""The user's own models (no Qt): names the method picker can show, and saving a fine-tuned
model's weights and card into the user's model folder."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from colorstudio import paths
from colorstudio.core.atomic_files import atomic_write, atomic_write_bytes
from colorstudio.errors import ModelError, OutputError

_NAME_RE = re.compile(r"^[\w][\w .+-]{0,62}$")
# names Windows keeps for devices whatever follows the dot (CON.safetensors cannot be made
# there): refused everywhere, as a model saved here may be copied there
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul",
                    *(f"{kind}{n}" for kind in ("com", "lpt") for n in (*"123456789", "¹", "²", "³"))}


def valid_model_name(name: str) -> str | None:
    """None if ``name`` is usable as a model name, else why not (plain words)."""
    name = name.strip()
    if not name:
        return "give the model a name"
    if not _NAME_RE.match(name):
        return "use letters, digits, spaces, '-', '_', '+' or '.' (at most 63 characters)"
    if name.split(".")[0].rstrip(" ").lower() in _WINDOWS_DEVICES:
        return f"'{name}' is a name Windows keeps for a device: choose another"
    return None


def free_model_name(folder_name: str, folder: Path | None = None) -> str:
    """A usable model name no saved model has yet, after the pairs' folder: '<folder>-finetuned'
    (then '-2', '-3', ...)."""
    stem = re.sub(r"[^A-Za-z0-9_+.-]+", "-", folder_name).strip("-.+")[:40]
    if valid_model_name(f"{stem}-finetuned") is not None:
        stem = "my-camera"
    name, n = f"{stem}-finetuned", 1
    while model_path_for(name, folder).exists():
        n += 1
        name = f"{stem}-finetuned-{n}"
    return name


def model_path_for(name: str, folder: Path | None = None) -> Path:
    return (folder or paths.user_models_dir()) / (name.strip().replace(" ", "_") + ".safetensors")


def save_model(weights: Path, name: str, card_extra: dict | None = None, folder: Path | None = None,
               method: str = "cyclecnn") -> Path:
    """Copy ``weights`` (+ its JSON card, if any) into the user's model folder as ``name``, the
    card saying the ``method`` it is a model of."""
    problem = valid_model_name(name)
    if problem:
        raise ModelError(f"cannot save the model: {problem}")
    if not weights.is_file():
        raise ModelError(f"{weights.name}: the trained weights are missing")
    target = model_path_for(name, folder)
    if target.exists():
        raise ModelError(f"a model called '{name}' already exists; choose another name")
    card = {}
    source_card = weights.with_suffix(".json")
    if source_card.is_file():
        try:
            card = json.loads(source_card.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            card = {}
    for key, value in {"name": name.strip(), "method": method, **(card_extra or {})}.items():
        both_sections = isinstance(value, dict) and isinstance(card.get(key), dict)
        card[key] = {**card[key], **value} if both_sections else value   # the engine's record stays
    try:      # each file whole or not at all, and no card without its weights (a full disk, a lost share)
        with open(weights, "rb") as source:
            atomic_write(target, lambda f: shutil.copyfileobj(source, f, 1 << 20))
        try:
            atomic_write_bytes(target.with_suffix(".json"), (json.dumps(card, indent=2, default=str) + "\n").encode())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    except (OSError, OutputError) as e:
        raise ModelError(f"cannot save the model in {target.parent}: {e}") from None
    return target
