"""A batch colorizes every item with the model it started with: the items read the file each,
so one moved away part way made the rest fail, and one replaced part way colorized the rest with
the other model while each line still named the first."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio.engine import batch
from colorstudio.engine.batch import plan_batch, run_batch
from colorstudio.nets.ccdc import CCDC, CCDCConfig
from colorstudio.nets.weights_file import save_weights

TINY = CCDCConfig(encoder_widths=(4, 4, 4, 4), flow_widths=(4, 4, 4, 4, 4),
                  decoder_widths=(4, 4, 4, 4), full_width=4, max_working_pixels=20_000)


def _model(path, seed):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    save_weights(path, CCDC(TINY).state_dict(), "ccdc", TINY.to_dict())
    return path


@pytest.fixture
def three_same_pairs(tmp_path):
    rng = np.random.default_rng(0)
    colour = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    gray = np.rint(colour @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
    (tmp_path / "in").mkdir()
    for n in range(3):
        Image.fromarray(gray).save(tmp_path / "in" / f"p{n}_mono.png")
        Image.fromarray(colour).save(tmp_path / "in" / f"p{n}_color.png")
    return tmp_path / "in"


@pytest.mark.parametrize("meanwhile", ["replaced", "moved away"])
def test_every_item_is_colorized_with_the_model_the_batch_started_with(tmp_path, three_same_pairs, monkeypatch,
                                                                       meanwhile):
    model = _model(tmp_path / "models" / "mine.safetensors", seed=0)
    plan = plan_batch([three_same_pairs], tmp_path / "out")
    real = batch.colorize_steps

    def the_file_changes_after_the_first_item(gray, *args, **kwargs):
        result = yield from real(gray, *args, **kwargs)
        if gray.name == "p0_mono.png":
            if meanwhile == "replaced":
                _model(tmp_path / "other.safetensors", seed=1).replace(model)
            else:
                model.rename(tmp_path / "moved.safetensors")
        return result

    monkeypatch.setattr(batch, "colorize_steps", the_file_changes_after_the_first_item)
    list(run_batch(plan, method="ccdc", model=str(model)))
    assert [i.status for i in plan.items] == [batch.DONE] * 3, [i.error for i in plan.items]
    results = [np.asarray(Image.open(i.written)) for i in plan.items]
    assert all(np.array_equal(results[0], r) for r in results[1:])       # the same pairs, the same model
    assert all("(model mine.safetensors)" in i.how for i in plan.items)


def test_a_batchs_copy_of_its_model_leaves_the_cache_once_another_is_loaded(tmp_path, three_same_pairs):
    import os

    from colorstudio.engine import crosscam

    model = _model(tmp_path / "models" / "mine.safetensors", seed=0)
    list(run_batch(plan_batch([three_same_pairs], tmp_path / "out"), method="ccdc", model=str(model)))
    crosscam.load_ccdc(_model(tmp_path / "models" / "next.safetensors", seed=2))
    assert all(os.path.exists(key.path) for key in crosscam._CACHE)      # the copy was deleted with its batch
