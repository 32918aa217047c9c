"""A batch's model file, the same for all its items: a private copy (with its card) made as the
batch starts. The items read the file each, so a model moved away part way made the rest fail,
and one replaced part way colorized the rest with the other model, each line still naming the
first."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from colorstudio.core.model_card import CARD_MAX_BYTES, card_path
from colorstudio.errors import ModelError


@contextmanager
def pinned_model(model) -> Iterator:
    """``model`` (a weight file's path, or None) as a copy under the same name that lasts as
    long as the ``with``; a path that is not a file is given back as it is (loading it says why,
    item by item, as before)."""
    if model is None or not Path(model).is_file():
        yield model
        return
    path = Path(model)
    with tempfile.TemporaryDirectory(prefix="colorstudio-batch-model-") as folder:
        copy = Path(folder) / path.name
        try:
            shutil.copyfile(path, copy)
            card = card_path(path)
            if card.is_file() and card.stat().st_size <= CARD_MAX_BYTES:
                shutil.copyfile(card, card_path(copy))
        except OSError as e:
            raise ModelError(f"{path.name} cannot be read ({e.strerror or e})") from None
        yield str(copy)
