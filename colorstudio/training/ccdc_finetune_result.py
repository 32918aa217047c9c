"""What a CCDC fine-tune writes: the start and the trained weights averaged, and their model card.

Split from :mod:`colorstudio.training.finetune_ccdc`, which trains and then calls these.
"""
from __future__ import annotations

import json
from pathlib import Path

from colorstudio.core.atomic_files import atomic_write_bytes
from colorstudio.core.model_card import older_card_set_aside
from colorstudio.errors import ModelError
from colorstudio.nets.ccdc import CCDC
from colorstudio.nets.weights_file import file_facts, save_weights
from colorstudio.training import run_identity

NAME = "ccdc"
# The model written is the start and the trained weights averaged weight by weight (a weight-space
# ensemble, Wortsman et al. 2022's WiSE-FT, at its plain half-and-half); the trained weights are
# the best checkpoint on the held-apart pairs, or the last when none beat the start. On the
# finetune benchmark the best checkpoint alone moved the truth by -0.90..+0.21 dB (one seed), the
# average by -0.07..+0.66 (ten camera runs; README, fine-tuning). The held-apart score cannot choose
# the share, nor whether to train at all: it rose where the truth fell (session 29) and fell
# where the average's truth rose by 0.32 dB (session 30). It only guards against a run that went
# wrong (a learning rate that wrecks the net): an average scoring more than GUARD_DB below the
# start is not written.
WEIGHT_AVERAGE = 0.5
GUARD_DB = 0.5


def average_weights(a: dict, b: dict, share_of_b: float) -> dict:
    """The weights (1 - share_of_b) * a + share_of_b * b (integer tensors, e.g. counters, from b)."""
    return {k: (1 - share_of_b) * a[k].float().cpu() + share_of_b * b[k].float().cpu()
            if a[k].is_floating_point() else b[k].cpu() for k in a}


def finetuned_card(out, camera, stereo, shots, held, skipped, state, before, best, after, lr, crop, dev, base_path,
                   wall_seconds, went_wrong, average, batch: int, resumed_from: dict) -> dict:
    """The model card of a fine-tuned CCDC (``resumed_from``: the checkpoint state a resumed run went on from)."""
    improved = best > before
    scored_on = "the held-apart pairs" if held else "pairs synthesized from the training shots"
    trained = f"those of step {state.get('best_step')}" if improved else f"the last ones (step {state['step']})"
    return {
        "name": out.stem, "kind": NAME, "method": NAME, "base_model": str(base_path),
        "data": {"train_pairs": len(shots), "validation_pairs": len(held),
                 "validation_on": "pairs synthesized from the held-apart colour shots" if held else
                 "pairs synthesized from the training shots (no usable pair held apart)",
                 "skipped": skipped, "pairs": [s.name for s in shots], "held_apart": [s.name for s in held],
                 "synthesized_as": "stereo (the camera's side and disparity)" if stereo else
                                   "moving views (viewpoint, temporal) at the camera's size factor"},
        "camera": camera.to_dict(),
        "finetune": {"steps": state["step"], "minutes": round(state["seconds"] / 60, 2), "lr": lr,
                     "optimizer": "Adam", "batch": batch, "crop": list(crop), "device": str(dev),
                     "objective": "Charbonnier colour + warping loss on pairs synthesized from the user's "
                                  "denoised colour shots as the measured camera takes them",
                     "validation_before": {"chroma_psnr": round(before, 3)},
                     "validation_after": {"chroma_psnr": round(after, 3)},
                     "validation_best_checkpoint": {"chroma_psnr": round(best, 3), "step": state.get("best_step")},
                     "validation_average": {"chroma_psnr": round(average, 3)},   # the start + trained average
                     "kept_start_unchanged": went_wrong,          # the run went wrong: the start is written
                     "kept": (f"the starting weights: the average with {trained} scored more than {GUARD_DB:g} dB "
                              f"below them on {scored_on} (a run gone wrong)") if went_wrong else
                             f"the starting weights averaged with {trained} ({WEIGHT_AVERAGE:g} of each)"
                             + (f", though it scored lower on {scored_on}, which on simulated cameras did "
                                "not mean a worse model (README, fine-tuning)" if average < before else "")},
        "wall_minutes": round(wall_seconds / 60, 2), **run_identity.resume_record(resumed_from)}


def write_model(out: Path, model: CCDC, card: dict) -> None:
    try:
        with older_card_set_aside(out):   # a stop between the weights and the card left it describing them
            save_weights(out, {k: v.detach().cpu() for k, v in model.state_dict().items()}, NAME,
                         model.cfg.to_dict(), {"steps": str(card["finetune"]["steps"])})
        card.update(file_facts(out))
        atomic_write_bytes(out.with_suffix(".json"), (json.dumps(card, indent=2) + "\n").encode())
    except OSError as e:
        raise ModelError(f"cannot write the model {out} ({e})") from None
