"""The user's models folder holds what others wrote: a card's text is shown as one plain,
bounded line; a card or model that is not a regular file never blocks; --model names one model."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from safetensors.numpy import save

from colorstudio.cli import main
from colorstudio.engine import model_catalog

STAND_IN = save({"w": np.zeros(1, np.float32)})       # a header naming no net: taken for a Cycle CNN


def _model(folder, stem: str, card: dict | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.safetensors").write_bytes(STAND_IN)
    if card is not None:
        (folder / f"{stem}.json").write_text(json.dumps(card))
    return folder / f"{stem}.safetensors"


def test_a_cards_name_and_description_are_one_bounded_plain_line(tmp_path):
    # a 10 000-character name made the window 67 000 px wide; a 3.5 MB description froze the app
    _model(tmp_path, "long", {"name": "L" * 10_000, "description": "word " * 200_000})
    _model(tmp_path, "turned", {"name": "evil\u202e\nname", "description": 5})
    _model(tmp_path, "nameless", {"name": None})
    labels = {c.model.stem: c for c in model_catalog.user_models(tmp_path)}
    long = labels["long"]
    assert len(long.label.split(" (your model")[0]) <= model_catalog.NAME_CHARS
    assert long.label.split(" (your model")[0].endswith("…")
    assert len(long.tooltip) < model_catalog.DESCRIPTION_CHARS + 200
    assert labels["turned"].label.startswith("evil name (your model")        # no newline, no override
    assert labels["nameless"].label.startswith("nameless (your model")        # not "None"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_card_or_a_model_that_is_a_fifo_never_blocks(tmp_path, monkeypatch, capsys):
    weights = _model(tmp_path / "user" / "models", "fifo_card")
    os.mkfifo(weights.with_suffix(".json"))                  # read_text() waited for a writer forever
    assert [c.model for c in model_catalog.user_models(weights.parent)] == [weights]
    fifo_model = tmp_path / "fifo.safetensors"
    os.mkfifo(fifo_model)
    from PIL import Image

    Image.fromarray(np.full((32, 32), 128, np.uint8)).save(tmp_path / "g.png")
    assert main(["colorize", str(tmp_path / "g.png"), "-o", str(tmp_path / "o.png"), "--model", str(fifo_model)]) == 1
    assert "is not a model file" in capsys.readouterr().err


def test_model_names_two_models_share_or_a_shipped_method_has_are_said(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path / "user"))
    from colorstudio import paths

    for stem in ("dupA", "dupB"):
        _model(paths.user_models_dir(), stem, {"name": "Same"})
    from PIL import Image

    Image.fromarray(np.full((32, 32), 128, np.uint8)).save(tmp_path / "g.png")
    args = ["colorize", str(tmp_path / "g.png"), "-o", str(tmp_path / "o.png"), "--model"]
    assert main(args + ["Same"]) == 1                       # one was picked silently, the newest
    err = capsys.readouterr().err
    assert "2 of your models are named 'Same' (dupA.safetensors, dupB.safetensors)" in err or \
           "2 of your models are named 'Same' (dupB.safetensors, dupA.safetensors)" in err
    assert main(args + ["cheng"]) == 1
    assert "for the shipped one, --method cheng" in capsys.readouterr().err
