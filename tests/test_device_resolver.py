"""One resolver for the device option: colorizing refuses a GPU that is absent, the fine-tune
wizard (and the About box, which says what it will train on) falls back to the CPU."""
import pytest
import torch

from colorstudio.engine.device import torch_device
from colorstudio.errors import MethodError
from colorstudio.gui.devices import detect


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.fixture
def one_cuda_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Test GPU")


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "mps"])
def test_an_absent_gpu_is_refused_or_is_the_cpu_when_asked(no_gpu, name):
    with pytest.raises(MethodError, match="not available"):
        torch_device(name)
    assert torch_device(name, cpu_if_absent=True) == torch.device("cpu")


def test_a_gpu_index_past_the_count_is_absent(one_cuda_gpu):
    assert torch_device("cuda:0") == torch.device("cuda:0")
    with pytest.raises(MethodError, match="1 CUDA GPU"):
        torch_device("cuda:1")
    assert torch_device("cuda:1", cpu_if_absent=True) == torch.device("cpu")


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "mps:0"])
def test_an_unknown_name_is_refused_even_with_the_cpu_fallback(name):
    with pytest.raises(MethodError, match="unknown device"):
        torch_device(name, cpu_if_absent=True)


def test_the_wizard_and_colorize_resolve_auto_alike(one_cuda_gpu):
    assert torch_device("auto") == torch.device("cuda")
    info = detect("auto")
    assert (info.device, info.name) == ("cuda", "Test GPU") and "GPU found" in info.message
    assert detect("cpu").device == "cpu" and "as chosen" in detect("cpu").message


def test_without_a_gpu_every_choice_trains_on_the_cpu_and_says_why(no_gpu):
    assert detect("auto").device == "cpu" and "no GPU found" in detect("auto").message
    for name in ("cuda", "mps"):
        info = detect(name)
        assert info.device == "cpu" and "colorizing refuses it" in info.message
