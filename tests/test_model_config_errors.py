"""A model file whose config does not hold together is a one-line ModelError, never a crash
in the middle of a colorization (the CLI's exit 3, 'internal error')."""
from __future__ import annotations

import json

import pytest
from safetensors import safe_open

from colorstudio import paths
from colorstudio.errors import ModelError
from colorstudio.nets.weights_file import write_weights


def _resaved_with(tmp_path, name: str, change) -> str:
    """The shipped ``name`` model written again (valid checksum) with its config changed."""
    source = paths.models_dir() / f"{name}.safetensors"
    with safe_open(str(source), "pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
        meta = dict(f.metadata())
    meta.pop("checksum", None)
    config = json.loads(meta["config"])
    change(config)
    meta["config"] = json.dumps(config)
    out = tmp_path / f"{name}_changed.safetensors"
    write_weights(out, tensors, {k: v for k, v in meta.items() if not k.startswith("sha")})
    return str(out)


def _load(name: str, path: str):
    if name in ("hsv2stage", "cheng"):
        from colorstudio.engine.single import load_model
        return load_model(name, path)
    if name == "ccdc":
        from colorstudio.engine.crosscam import load_ccdc
        return load_ccdc(path)
    from colorstudio.nets.registry import load_model
    return load_model(path)


CASES = [
    ("cheng", lambda c: c.pop("context")),                       # in_dim 179 left for 153 features
    ("hsv2stage", lambda c: c.update(lr_width="32")),
    ("hsv2stage", lambda c: c.update(lr_dilations=[1, 2, 4])),
    ("cyclecnn", lambda c: c.update(max_disparity=0)),
    ("cyclecnn", lambda c: c.update(max_disparity=20_000)),     # a crafted file's volume: refused, not run
    ("cyclecnn", lambda c: c["wac"].update(features=-1)),
    ("ccdc", lambda c: c.update(max_working_pixels=0)),
]


@pytest.mark.parametrize("name, change", CASES)
def test_a_config_that_does_not_hold_together_is_a_model_error(tmp_path, name, change):
    path = _resaved_with(tmp_path, name, change)
    with pytest.raises(ModelError, match="invalid .*config") as info:
        _load(name, path)
    assert "\n" not in str(info.value)


def test_the_shipped_configs_pass_the_same_checks():
    for name in ("hsv2stage", "cheng", "ccdc", "cyclecnn"):
        _load(name, str(paths.models_dir() / f"{name}.safetensors"))


def test_a_model_file_that_cannot_be_read_is_a_model_error(tmp_path, monkeypatch):
    import pathlib

    from colorstudio.errors import ModelError
    from colorstudio.nets.weights_file import read_weights

    f = tmp_path / "mine.safetensors"
    f.write_bytes(b"x" * 100)

    def refused(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(pathlib.Path, "read_bytes", refused)
    monkeypatch.setattr(pathlib.Path, "open", refused)
    with pytest.raises(ModelError, match="cannot be read"):       # not an internal error
        read_weights(f)
