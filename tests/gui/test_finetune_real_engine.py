"""The wizard's training adapter driving the real fine-tuning engine (a 2-step run, tiny model)."""
from __future__ import annotations

import json

import torch

from colorstudio.core.pairs import discover
from colorstudio.gui import training_adapter as ta
from colorstudio.nets.cyclecnn import CycleCNN, CycleCNNConfig
from colorstudio.nets.gca import GCAConfig
from colorstudio.nets.refine import RefineConfig
from colorstudio.nets.registry import load_model, save_model
from colorstudio.nets.wac import WACConfig
from gui_helpers import write_pair


def test_two_real_training_steps_produce_a_loadable_model(tmp_path):
    folder = tmp_path / "cam"
    for i in range(3):
        write_pair(folder, f"shot{i}", h=120, w=160, shift=5, seed=20 + i)
    items = [i for i in discover([folder]).items if i.reference is not None]
    torch.manual_seed(0)
    cfg = CycleCNNConfig(wac=WACConfig(features=4, res_blocks=1, unet=(4, 4, 4, 4)),
                         gca=GCAConfig(features=4, res_blocks=1), refine=RefineConfig(features=4), max_disparity=32)
    base = save_model(CycleCNN(cfg), tmp_path / "base.safetensors", {"data": "test"})
    plan = ta.FineTunePlan(train_pairs=items[:2], held_out=items[2:], base_model=base,
                           run_dir=tmp_path / "run", minutes=None, steps=2, device="cpu", crop=(64, 96))
    gen = ta.training_steps(plan)
    updates = []
    while True:
        try:
            updates.append(next(gen))
        except StopIteration as stop:
            outcome = stop.value
            break
    assert [u.step for u in updates] == [1, 2] and updates[-1].losses
    assert outcome.finished and outcome.weights == plan.weights_out
    load_model(outcome.weights)
    card = json.loads(outcome.weights.with_suffix(".json").read_text())
    assert card["finetune"]["steps"] == 2
