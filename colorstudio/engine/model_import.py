"""Adding a model file to the user's models folder (the app's Tools ▸ Add a model file…): a
model fine-tuned with ``colorstudio finetune -o ELSEWHERE``, or one a colleague sent.

The file is checked as the method it is for would load it (safetensors only, the net built
from its config, every tensor and the checksum checked), then copied, never moved: the
user's file stays where it was, untouched. Its JSON card comes along when there is one. The
copy is written under a temporary name and renamed, card first, so the folder's watcher never
offers a half-copied model.
"""
from __future__ import annotations

import filecmp
import shutil
import time
from pathlib import Path

from colorstudio import paths
from colorstudio.core.atomic_files import atomic_write
from colorstudio.core.model_header import declared_in, metadata
from colorstudio.core.model_card import CARD_MAX_BYTES, read_card
from colorstudio.engine.model_catalog import DEFAULT_USER_MODEL_METHOD
from colorstudio.errors import ModelError, OutputError

SUFFIX = ".safetensors"


def method_of(path: Path) -> str:
    """The learned method a model file is for: its header's, else its card's, else cyclecnn
    (as the picker decides, :func:`colorstudio.engine.model_catalog.user_models`)."""
    meta = metadata(path)
    if meta is None:
        raise ModelError(f"{path.name} is not a safetensors model file")
    card = read_card(path)
    return declared_in(meta) or str(card.get("method") or card.get("kind") or DEFAULT_USER_MODEL_METHOD)


def verify(path: Path, method: str) -> None:
    """Load ``path`` as ``method`` loads it, without keeping it (the loaders' caches are for
    the models in use); ModelError (one line) when it cannot run."""
    if method == "cyclecnn":
        from colorstudio.nets.registry import load_model

        load_model(path, kind="cyclecnn")
    elif method == "ccdc":
        from colorstudio.engine.crosscam import read_ccdc

        read_ccdc(path)
    elif method in ("hsv2stage", "cheng"):
        from colorstudio.engine.single import read_model

        read_model(method, path)
    else:
        raise ModelError(f"{path.name} is a model for '{method}', which this version of ColorStudio does not run")


def same_file_in(folder: Path, source: Path) -> Path | None:
    """A model in ``folder`` with exactly ``source``'s bytes (added before), else None."""
    size = source.stat().st_size
    for other in folder.glob("*" + SUFFIX):
        try:
            if other.is_file() and other.stat().st_size == size and filecmp.cmp(other, source, shallow=False):
                return other
        except OSError:
            continue
    return None


ORPHAN_CARD_AGE_S = 60.0    # a card is copied a moment before its weights: alone longer, a stop left it


def free_name(folder: Path, stem: str) -> Path:
    """``folder/stem.safetensors``, or ``stem_2``, ``stem_3``… when a model (or its card) of that
    name is there already. A card an import killed before its weights left alone is removed:
    it held the name for good (the next import of that model was ``stem_2``)."""
    for n in range(1, 10_000):
        name = stem if n == 1 else f"{stem}_{n}"
        target = folder / (name + SUFFIX)
        if not target.exists():
            _remove_orphan_card(target.with_suffix(".json"))
            if not target.with_suffix(".json").exists():
                return target
    raise ModelError(f"too many models named {stem} in {folder}")


def _remove_orphan_card(card: Path) -> None:
    try:
        if card.is_file() and time.time() - card.stat().st_mtime > ORPHAN_CARD_AGE_S:
            card.unlink()
    except OSError:
        pass


def _copy(source: Path, target: Path) -> None:
    with open(source, "rb") as src:
        atomic_write(target, lambda dst: shutil.copyfileobj(src, dst, 1 << 20), exclusive=True)


def add_model(source: str | Path, folder: Path | None = None) -> tuple[Path, str]:
    """Copy a checked model file (and its card) into ``folder`` (default: the user's models
    folder); (the copy's path, its method). ModelError in one line when the file is not a
    model the app can run, or is in that folder already; OutputError when the copy fails (then
    nothing of it is left there)."""
    from colorstudio.nets.weights_file import require_model_file

    source = require_model_file(source)
    if source.suffix.lower() != SUFFIX:
        raise ModelError(f"{source.name} is not a model file (ColorStudio models are {SUFFIX} files)")
    folder = Path(folder) if folder is not None else paths.user_models_dir()
    if source.resolve().parent == folder.resolve():
        raise ModelError(f"{source.name} is in your models folder already")
    method = method_of(source)
    verify(source, method)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:          # a read-only user folder, or a file where a folder should be
        raise OutputError(f"cannot make your models folder {folder} ({e.strerror or e})") from None
    if (twin := same_file_in(folder, source)) is not None:
        raise ModelError(f"{source.name} is in your models folder already, as {twin.name}")
    target = free_name(folder, source.stem)
    card, card_copy = source.with_suffix(".json"), target.with_suffix(".json")
    copied_card = card.is_file() and card.stat().st_size <= CARD_MAX_BYTES
    if copied_card:
        _copy(card, card_copy)               # first: the picker reads the name from it
    try:
        _copy(source, target)
    except BaseException:
        if copied_card:
            card_copy.unlink(missing_ok=True)     # no card without its weights
        raise
    return target, method
