"""Every shipped weight file has a model card that describes that very file."""
from __future__ import annotations

import json

import pytest

from colorstudio import paths
from colorstudio.nets.weights_file import file_facts, read_weights

WEIGHTS = sorted(paths.models_dir().glob("*.safetensors"))


def test_models_ship():
    assert len(WEIGHTS) >= 4


@pytest.mark.parametrize("weights", WEIGHTS, ids=lambda p: p.stem)
def test_each_card_names_its_file_checksum_size_and_how_to_reproduce_it(weights):
    card = json.loads(weights.with_suffix(".json").read_text())
    assert {k: card.get(k) for k in ("sha256", "file_bytes")} == file_facts(weights)
    read_weights(weights)                               # and the checksum holds
    reproduce = card["reproduce"]
    commands = reproduce if isinstance(reproduce, list) else [reproduce]
    assert commands and all(c.startswith("python ") for c in commands)


class _Parsed(Exception):
    pass


@pytest.mark.parametrize("weights", WEIGHTS, ids=lambda p: p.stem)
def test_each_reproduce_command_parses_with_todays_training_cli(weights, monkeypatch):
    import argparse
    import importlib
    import shlex

    def parse_only(self, args=None, namespace=None):
        parsed(self, args, namespace)                # exits (SystemExit 2) on a flag it does not know
        raise _Parsed
    parsed = argparse.ArgumentParser.parse_args
    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_only)
    reproduce = json.loads(weights.with_suffix(".json").read_text())["reproduce"]
    for command in reproduce if isinstance(reproduce, list) else [reproduce]:
        words = shlex.split(command)
        assert words[:2] == ["python", "-m"], command
        with pytest.raises(_Parsed):
            importlib.import_module(words[2]).main(words[3:])
