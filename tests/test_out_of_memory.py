"""A photo too large for the memory is said as such (exit 1, "not enough memory"), also when a
library says it its own way (PyTorch's and OpenCV's allocators), not as an internal error."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from colorstudio.cli import main
from colorstudio.engine import colorize as engine_colorize
from colorstudio.engine.batch import plan_batch, run_batch
from colorstudio.errors import NOT_ENOUGH_MEMORY, out_of_memory

from test_pairs import gray_img


def raised(make) -> BaseException:
    try:
        make()
    except Exception as e:
        return e
    raise AssertionError("nothing raised")


TORCH_REFUSED = lambda: torch.empty(2**50, dtype=torch.uint8)                     # noqa: E731
OPENCV_REFUSED = lambda: cv2.resize(np.zeros((8, 8), np.uint8), (2**20, 2**16))   # noqa: E731


def test_the_libraries_failed_allocations_are_told_from_bugs():
    assert out_of_memory(raised(TORCH_REFUSED))
    assert out_of_memory(raised(OPENCV_REFUSED))
    assert out_of_memory(MemoryError())
    # the loader says it so of a library on a noexec mount too: an installation problem, logged as a bug
    assert not out_of_memory(ImportError("libtorch_cpu.so: failed to map segment from shared object"))
    assert not out_of_memory(RuntimeError("shape mismatch"))
    assert not out_of_memory(ValueError("can't allocate memory"))       # not a library's allocator
    assert not out_of_memory(raised(lambda: cv2.resize(np.zeros((8, 8), np.uint8), (0, 0))))


@pytest.mark.parametrize("refused", [TORCH_REFUSED, OPENCV_REFUSED])
def test_colorize_and_batch_say_not_enough_memory(tmp_path, capsys, monkeypatch, refused):
    def too_large(*args, **kwargs):
        refused()
        yield

    monkeypatch.setattr(engine_colorize, "colorize_steps", too_large)
    import colorstudio.engine.batch as batch

    monkeypatch.setattr(batch, "colorize_steps", too_large)
    gray = gray_img(tmp_path / "in" / "g.png")
    assert main(["colorize", str(gray), "-o", str(tmp_path / "out.png")]) == 1
    err = capsys.readouterr().err
    assert err.strip().endswith(f"error: {NOT_ENOUGH_MEMORY}") and "internal" not in err
    plan = plan_batch([tmp_path / "in"], tmp_path / "out")
    for _ in run_batch(plan):
        pass
    assert plan.items[0].error == NOT_ENOUGH_MEMORY
