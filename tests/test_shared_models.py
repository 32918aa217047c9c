"""Models shared by the app's jobs: loaded once when two threads ask at once, never moved to
another device under a job running them, and read whole from one open file."""
from __future__ import annotations

import threading
import time

import torch

from colorstudio import paths
from colorstudio.engine.device import on_device
from colorstudio.engine.model_cache import load_once


def test_two_threads_asking_at_once_load_a_model_once():
    calls, cache = [], {}

    def slow_load():
        calls.append(threading.current_thread().name)
        time.sleep(0.2)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(load_once(cache, "ccdc", slow_load))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(calls) == 1 and len(got) == 3 and got[0] is got[1] is got[2]


def test_a_cached_net_is_copied_to_another_device_never_moved():
    net = torch.nn.Linear(3, 2)
    assert on_device(net, torch.device("cpu")) is net
    elsewhere = on_device(net, "meta")               # stands in for a GPU here
    assert elsewhere is not net and next(elsewhere.parameters()).device.type == "meta"
    assert next(net.parameters()).device.type == "cpu"          # a CPU job running it is untouched
    assert on_device(net, "meta") is elsewhere                   # made once


def test_a_model_replaced_while_it_is_read_is_read_as_one_version(tmp_path, monkeypatch):
    """The header, the size and the bytes come from one open file: a model saved (replaced
    atomically) between those reads is not mistaken for a corrupted one."""
    import shutil

    from colorstudio.nets import weights_file

    path = tmp_path / "m.safetensors"
    shutil.copy(paths.models_dir() / "hsv2stage_small.safetensors", path)
    other = tmp_path / "other.safetensors"
    shutil.copy(paths.models_dir() / "hsv2stage_small_seed1.safetensors", other)
    real_header = weights_file._header

    def header_then_replace(data, name):
        head = real_header(data, name)
        other.replace(path)                          # a save lands just after the header was read
        return head

    monkeypatch.setattr(weights_file, "_header", header_then_replace)
    tensors, meta = weights_file.read_weights(path)  # the old version, whole and verified
    assert weights_file.tensors_digest(tensors) == meta["sha256"]


def test_back_on_the_cpu_the_device_copy_is_let_go():
    from colorstudio.engine import device

    net = torch.nn.Linear(3, 2)
    on_device(net, "meta")
    assert device._COPIES.get(net) is not None
    assert on_device(net, "cpu") is net and device._COPIES.get(net) is None


def test_a_header_with_bad_data_offsets_is_a_one_line_model_error(tmp_path):
    import json
    import struct

    import pytest

    from colorstudio.errors import ModelError
    from colorstudio.nets.weights_file import read_weights

    for i, offsets in enumerate((5, [], None, [0, "x"])):
        head = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": offsets}}).encode()
        path = tmp_path / f"bad{i}.safetensors"
        path.write_bytes(struct.pack("<Q", len(head)) + head + b"\0" * 4)
        with pytest.raises(ModelError, match="no valid offsets"):
            read_weights(path)


def test_a_resumed_run_is_the_same_whether_its_folder_is_spelled_relative_or_absolute(tmp_path, monkeypatch):
    from colorstudio.training.finetune import run_key

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pairs").mkdir()
    relative = [("pairs/a_mono.png", "pairs/a_color.png")]
    absolute = [(str(tmp_path / "pairs/a_mono.png"), str(tmp_path / "pairs/a_color.png"))]
    assert run_key("base.safetensors", relative, 1e-4, (64, 128)) == \
        run_key(tmp_path / "base.safetensors", absolute, 1e-4, (64, 128))


def test_letting_go_of_outdated_models_is_not_upset_by_another_thread_adding_one(monkeypatch, tmp_path):
    # the check of each kept version asks the file system, which lets other threads run: one
    # adding its model meanwhile made "dictionary changed size during iteration"
    from colorstudio.engine import model_cache

    (tmp_path / "a.safetensors").write_bytes(b"a")
    cache = {model_cache.file_version(tmp_path / "a.safetensors"): "model a"}
    real = model_cache._outdated

    def another_thread_loads_meanwhile(key):
        cache.setdefault(("another thread's",), "its model")
        return real(key)

    monkeypatch.setattr(model_cache, "_outdated", another_thread_loads_meanwhile)
    assert model_cache.load_once(cache, ("new",), lambda: "model b") == "model b"
    assert set(cache.values()) == {"model a", "model b", "its model"}
