"""Model files that cannot be used are refused from their header, before their tensors are
read; configs outside what the engine can run are refused in one line; the picker offers only
files that are models, and follows one that is still being copied."""
from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import save_file

from colorstudio import paths
from colorstudio.engine import model_catalog
from colorstudio.errors import ModelError
from colorstudio.nets import weights_file
from colorstudio.nets.weights_file import load_weights, read_weights

from test_model_config_errors import _load, _resaved_with


def _no_tensor_reading(monkeypatch):
    monkeypatch.setattr(weights_file, "st_load", lambda data: pytest.fail("the tensors were read"))


def test_a_foreign_safetensors_file_is_refused_without_reading_its_tensors(tmp_path, monkeypatch):
    path = tmp_path / "sd_checkpoint.safetensors"       # another program's model: no ColorStudio metadata
    save_file({"unet.weight": torch.zeros(1000, 1000)}, str(path), metadata={"format": "pt"})
    _no_tensor_reading(monkeypatch)
    with pytest.raises(ModelError, match="no checksum: not a ColorStudio model file"):
        read_weights(path)


def test_a_model_of_another_net_is_refused_without_reading_its_tensors(monkeypatch):
    _no_tensor_reading(monkeypatch)
    with pytest.raises(ModelError, match="holds a 'ccdc' model, not 'cheng'"):
        load_weights(paths.models_dir() / "ccdc.safetensors", "cheng")


def test_a_ccdc_file_given_as_a_stereo_model_names_what_it_holds(monkeypatch):
    from colorstudio.nets.registry import load_model

    _no_tensor_reading(monkeypatch)
    with pytest.raises(ModelError, match="holds a 'ccdc' model, not 'cyclecnn'"):
        load_model(paths.models_dir() / "ccdc.safetensors")


@pytest.mark.parametrize("name, change, said", [
    ("ccdc", lambda c: c.update(max_working_pixels=1), "at least 16384"),            # DIS failed inside the run
    ("ccdc", lambda c: c.update(max_working_pixels=64_000_000), "at most 4000000"),  # 3 GB where 1 GB was planned
    ("cyclecnn", lambda c: c["wac"].update(stride=3), "one of 1, 2, 4"),            # a shape error inside the run
    ("ccdc", lambda c: c.update(base_guided="no"), "true or false"),                 # read as true
    ("cyclecnn", lambda c: c.update(batchnorm_statistics="foo"), "one of running, image"),
])
def test_configs_the_engine_cannot_run_within_its_memory_are_refused(tmp_path, name, change, said):
    with pytest.raises(ModelError, match="invalid .*config") as info:
        _load(name, _resaved_with(tmp_path, name, change))
    assert said in str(info.value) and "\n" not in str(info.value)


def test_a_single_gray_working_size_above_1024_px_is_refused(tmp_path):
    from colorstudio.engine.single import load_model

    source = paths.models_dir() / "hsv2stage.safetensors"
    tensors, config, meta = load_weights(source, "hsv2stage")
    out = tmp_path / "wide.safetensors"
    weights_file.save_weights(out, tensors, "hsv2stage", config, {"working_long_side": "4096"})
    with pytest.raises(ModelError, match="invalid working size .*32 to 1024 px"):
        load_model("hsv2stage", out)


def test_the_picker_offers_only_files_that_are_models(tmp_path):
    shipped = paths.models_dir() / "cheng.safetensors"
    (tmp_path / "mine.SAFETENSORS").write_bytes(shipped.read_bytes())         # the name's case does not matter
    (tmp_path / "a_folder.safetensors").mkdir()
    (tmp_path / "empty.safetensors").write_bytes(b"")
    (tmp_path / "garbage.safetensors").write_bytes(b"\x80\x04not a model at all")
    (tmp_path / "garbage.json").write_text(json.dumps({"method": "ccdc"}))   # a card cannot make it one
    whole = (paths.models_dir() / "cheng.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(whole[: len(whole) * 3 // 5])    # header whole, tensors cut short
    offered = model_catalog.user_models(tmp_path)
    assert [(c.model.name, c.method) for c in offered] == [("mine.SAFETENSORS", "cheng")]


def test_a_model_still_being_copied_is_offered_once_its_writes_settle(qtbot, tmp_path, monkeypatch):
    from colorstudio.gui.models_folder_watch import ModelsFolderWatch

    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path))
    folder = paths.user_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    watch = ModelsFolderWatch()
    data = (paths.models_dir() / "cheng.safetensors").read_bytes()
    target = folder / "copied.safetensors"
    with qtbot.waitSignal(watch.changed, timeout=5000):
        target.write_bytes(data[:4])                   # the copy has begun: no header yet
    assert model_catalog.user_models(folder) == []     # not offered as something it is not
    with qtbot.waitSignal(watch.changed, timeout=5000):  # no new file in the folder: the file's own writes
        with open(target, "ab") as f:
            f.write(data[4:])
    assert [(c.model.name, c.method) for c in model_catalog.user_models(folder)] == [("copied.safetensors", "cheng")]
