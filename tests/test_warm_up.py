"""The app's start-up warm-up: the native libraries mapped with the GIL released, and no
shape-only net that drags in torch._dynamo (1.8 s and 0.2 s GUI pauses when it did)."""
import subprocess
import sys

import pytest
import torch
from torch import nn

from colorstudio.engine import native_preload
from colorstudio.nets.weight_init import he_normal_, small_normal_

WARM_UP_IN_A_FRESH_PROCESS = """
import sys
from colorstudio.engine import native_preload
from colorstudio.engine.warm_up import warm_up
assert "torch" not in sys.modules
mapped = native_preload.preload()
names = []
gen = warm_up(["ccdc", "ensemble"])
try:
    while True:
        next(gen)
except StopIteration as stop:
    names = stop.value
print(mapped, ",".join(names), "torch._dynamo" in sys.modules)
"""


def test_a_fresh_warm_up_maps_the_native_libraries_and_never_imports_dynamo():
    out = subprocess.run([sys.executable, "-c", WARM_UP_IN_A_FRESH_PROCESS], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    mapped, names, dynamo = out.stdout.split()
    if sys.platform.startswith("linux"):
        assert int(mapped) >= 2          # libtorch_cpu (+ torch's others) and safetensors' library
    assert names == "ccdc,ensemble"
    assert dynamo == "False"


def test_nothing_is_preloaded_once_a_package_is_imported():
    assert "torch" in sys.modules
    assert native_preload.library_files("torch") == []
    assert native_preload.library_files("safetensors") == [] or "safetensors" not in sys.modules


def test_initial_weights_are_drawn_on_real_layers_and_skipped_on_meta_ones():
    torch.manual_seed(0)
    layer = nn.Conv2d(64, 32, 3)
    layer.bias.data.fill_(1.0)
    he_normal_(layer)
    fan_in = 64 * 9
    assert layer.weight.std().item() == pytest.approx((2 / fan_in) ** 0.5, rel=0.05)
    assert torch.count_nonzero(layer.bias) == 0
    small = nn.Linear(100, 50)
    small_normal_(small, std=1e-3)
    assert small.weight.std().item() == pytest.approx(1e-3, rel=0.05)
    with torch.device("meta"):
        meta = nn.Linear(100, 50)
    he_normal_(meta)
    small_normal_(meta, std=1e-3)
    assert meta.weight.is_meta and meta.weight.shape == (50, 100)


def test_layers_without_a_bias_get_their_weights_too():
    conv = nn.Conv2d(8, 8, 3, bias=False)
    he_normal_(conv)
    small_normal_(conv, std=1e-3)
    assert conv.bias is None and conv.weight.std().item() == pytest.approx(1e-3, rel=0.2)
