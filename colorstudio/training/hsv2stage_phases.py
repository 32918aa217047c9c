"""The phases of an HSV-net training run: which phase a (resumed) run is in, how far through
its minutes it is, and the command line that reproduces each phase (for the model card).

A model is trained in phases run one after the other (``train_hsv2stage``'s options can change
between them); ``state["phases"]`` lists them, each with ``from_step`` / ``to_step`` and the
options it ran with.
"""
from __future__ import annotations


def start_or_continue_phase(state: dict, settings: dict, minutes: float) -> float:
    """Append this run's phase to ``state["phases"]``, or continue the last one.

    A checkpoint written before a phase finished (its phase has no ``to_step``) and resumed
    with the same settings continues that phase: the card then shows one phase and the
    reproduce command stays the original one, ``minutes`` being the phase's whole budget.
    Returns the minutes the phase had already run (0 for a new phase)."""
    phases = state.setdefault("phases", [])
    last = phases[-1] if phases else None
    if last is not None and "to_step" not in last and "phase_start_minutes" in state:
        spent = state["minutes"] - state["phase_start_minutes"]
        how_it_started = ("from_step", "minutes", "widths", "init")   # the checkpoint holds these
        if _without(last, *how_it_started) == _without(settings, *how_it_started):
            last["minutes"] = minutes
            return spent
        last.update(to_step=state["step"], minutes=round(spent, 1))   # closed where it stopped
    phases.append({"from_step": state["step"], **settings})
    state["phase_start_minutes"] = state["minutes"]
    return 0.0


def _without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def phase_progress(state: dict) -> float:
    """How far the current phase is through its minutes (0..1), over resumes."""
    budget = state["phases"][-1]["minutes"]
    return (state["minutes"] - state["phase_start_minutes"]) / budget if budget else 1.0


def reproduce_commands(phases: list[dict], name: str = "hsv2stage") -> list[str]:
    """The command line of each training phase, run one after the other. Every phase writes
    models/<name>.safetensors; a phase that started from a model file (``--init``) starts
    from the previous phase's output, in a run dir of its own (so it is not taken for a resume)."""
    out, run_dir = [], f"/work/runs/{name}"
    for i, ph in enumerate(phases):
        if ph.get("init"):
            run_dir = f"/work/runs/{name}_phase{i + 1}"
            start = f" --init models/{name}.safetensors"
        else:
            start = " --resume" if i else ""
        out.append(f"python -m colorstudio.training.train_hsv2stage --out models/{name}.safetensors "
                   f"--minutes {ph.get('minutes', '?')} --run-dir {run_dir}" + start
                   + (f" --seed {ph['seed']}" if ph.get("seed") else "")
                   + (f" --widths {ph['widths']}" if ph.get("widths") else "")
                   + (" --scale-aug" if ph.get("scale_aug") else "")
                   + (" --strong-aug" if ph.get("strong_aug") else "")
                   + (f" --rgb-weight {ph['rgb_weight']:g}" if ph.get("rgb_weight") else "")
                   + (f" --rgb-loss {ph['rgb_loss']}" if ph.get("rgb_loss") else "")
                   + (f" --weight-decay {ph['weight_decay']:g}" if ph.get("weight_decay") else "")
                   + (f" --steps {ph['steps']}" if ph.get("steps") is not None else "")
                   + (f" --psnr-weight {ph['psnr_weight']:g}" if ph.get("psnr_weight") else "")
                   + (f" --select {ph['select']}" if ph.get("select") else "")
                   + (" --lr-decay" if ph.get("lr_decay") else ""))
    return out
