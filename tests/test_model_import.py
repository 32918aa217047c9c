"""Adding a model file made elsewhere to the user's models folder (engine.model_import)."""
from __future__ import annotations

import json
import pickle

import pytest
import torch

from colorstudio.engine.model_catalog import user_models
from colorstudio.engine.model_import import add_model
from colorstudio.errors import ModelError
from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.nets.weights_file import save_weights

TINY = CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4),
                  decoder_widths=(4, 4, 4, 4), full_width=4, max_working_pixels=20_000)


@pytest.fixture
def ccdc_file(tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "elsewhere" / "studio_ccdc.safetensors"
    path.parent.mkdir()
    save_weights(path, CCDC(TINY).state_dict(), "ccdc", TINY.to_dict())
    path.with_suffix(".json").write_text(json.dumps({"name": "Studio rig", "method": "ccdc"}))
    return path


def test_a_model_is_copied_with_its_card_and_offered_for_its_input(ccdc_file, tmp_path):
    folder = tmp_path / "models"
    before = (ccdc_file.read_bytes(), ccdc_file.stat().st_mtime_ns)
    target, method = add_model(ccdc_file, folder)
    assert method == "ccdc" and target == folder / "studio_ccdc.safetensors"
    assert target.read_bytes() == before[0]
    assert json.loads(target.with_suffix(".json").read_text())["name"] == "Studio rig"
    assert (ccdc_file.read_bytes(), ccdc_file.stat().st_mtime_ns) == before      # copied, not moved
    assert [p.name for p in folder.iterdir() if p.name.endswith(".part")] == []
    offered = user_models(folder)
    assert [(c.method, c.kind, c.model) for c in offered] == [("ccdc", "pair", target)]
    assert offered[0].label.startswith("Studio rig")
    with pytest.raises(ModelError, match="in your models folder already, as studio_ccdc.safetensors"):
        add_model(ccdc_file, folder)                          # the same bytes again
    torch.manual_seed(1)
    save_weights(ccdc_file, CCDC(TINY).state_dict(), "ccdc", TINY.to_dict())   # another model, same name
    again, _ = add_model(ccdc_file, folder)
    assert again.name == "studio_ccdc_2.safetensors" and target.exists()


def test_the_check_keeps_no_net_in_memory(ccdc_file, tmp_path):
    from colorstudio.engine import crosscam

    before = dict(crosscam._CACHE)
    add_model(ccdc_file, tmp_path / "models")
    assert crosscam._CACHE == before


def test_a_failed_copy_leaves_nothing_in_the_folder(ccdc_file, tmp_path, monkeypatch):
    from colorstudio.engine import model_import

    folder = tmp_path / "models"
    real = model_import._copy

    def full_disk(source, target):
        if target.suffix == ".safetensors":
            raise OSError(28, "No space left on device")
        real(source, target)
    monkeypatch.setattr(model_import, "_copy", full_disk)
    with pytest.raises(OSError):
        add_model(ccdc_file, folder)
    assert list(folder.iterdir()) == []                       # the card copied first is gone too
    monkeypatch.setattr(model_import, "_copy", real)
    assert add_model(ccdc_file, folder)[0].name == "studio_ccdc.safetensors"


def test_what_cannot_run_is_refused_in_one_line_and_nothing_is_copied(ccdc_file, tmp_path):
    folder = tmp_path / "models"
    pickled = tmp_path / "net.safetensors"
    pickled.write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    corrupt = tmp_path / "cut.safetensors"
    corrupt.write_bytes(ccdc_file.read_bytes()[:2000])       # header whole, tensors cut
    wrong_shapes = tmp_path / "wrong.safetensors"
    save_weights(wrong_shapes, {"w": torch.zeros(2)}, "ccdc", TINY.to_dict())
    unknown = tmp_path / "future.safetensors"
    save_weights(unknown, {"w": torch.zeros(2)}, "some_future_net", {})
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n")
    for bad, words in ((pickled, "not a safetensors"), (corrupt, "cut.safetensors"),
                       (wrong_shapes, "wrong.safetensors"), (unknown, "some_future_net"),
                       (photo, "not a model file"), (tmp_path / "missing.safetensors", "not found")):
        with pytest.raises(ModelError, match=words) as e:
            add_model(bad, folder)
        assert "\n" not in str(e.value)
    assert not folder.exists() or list(folder.iterdir()) == []
    target, _ = add_model(ccdc_file, folder)
    with pytest.raises(ModelError, match="in your models folder already"):
        add_model(target, folder)


def test_the_cli_adds_a_model_as_the_app_does(ccdc_file, tmp_path, monkeypatch, capsys):
    from colorstudio.cli import main

    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path / "user"))
    assert main(["methods", "--add", str(ccdc_file)]) == 0
    captured = capsys.readouterr()
    assert "added studio_ccdc.safetensors (ccdc) to your models: --model studio_ccdc" in captured.err
    assert "studio_ccdc" in captured.out                    # listed with the user's models
    assert (tmp_path / "user" / "models" / "studio_ccdc.safetensors").is_file()
    bad = tmp_path / "photo.safetensors"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    assert main(["methods", "--add", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "photo.safetensors" in err[0]


def test_a_user_folder_that_cannot_be_made_is_one_line_not_an_internal_error(ccdc_file, tmp_path, monkeypatch,
                                                                             capsys):
    # a file where the user folder should be (or a read-only one): a traceback and exit 3 before
    from colorstudio.cli import main

    (tmp_path / "a_file").write_text("")
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path / "a_file" / "user"))
    assert main(["methods", "--add", str(ccdc_file)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot make your models folder" in err[0] and "Traceback" not in err[0]


def test_a_model_name_the_output_encoding_lacks_is_listed_escaped_not_an_internal_error(ccdc_file, tmp_path):
    """`colorstudio methods > list.txt` on Windows writes in the ANSI code page (cp1252 has no Ł)."""
    import os
    import subprocess
    import sys

    models = tmp_path / "user" / "models"
    models.mkdir(parents=True)
    (models / "Nacht_Łódź.safetensors").write_bytes(ccdc_file.read_bytes())
    env = {**os.environ, "COLORSTUDIO_USER_DIR": str(tmp_path / "user"), "PYTHONIOENCODING": "cp1252"}
    run = subprocess.run([sys.executable, "-m", "colorstudio", "methods"], env=env, capture_output=True)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-400:]
    assert b"Nacht_\\u0141\xf3d\\u017a" in run.stdout         # ó is in cp1252, Ł and ź are not
