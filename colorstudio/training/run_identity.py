"""What makes a fine-tuning run the same run, whether its folder holds a checkpoint, and what to
tell the user about a stopped one.

A run's checkpoint records its *key* (JSON: base model, training pairs, learning rate, crop, the
seed when given, and for CCDC the held-apart pairs, given or its own split's). A checkpoint is resumed only by
a run with the same key: otherwise its card would describe another run, and CCDC's scores kept
from before the stop (measured on the held-apart pairs of that seed) would be compared with
scores on other pairs (the Cycle CNN scores anew at every start). No torch here, so that the
GUI may ask :func:`has_checkpoint` on its thread.
"""
from __future__ import annotations

import json
from pathlib import Path

from colorstudio.core.model_header import metadata
from colorstudio.errors import ColorStudioError
from colorstudio.training.pair_preparation import held_apart_split
from colorstudio.training.pair_size import CCDC_CROP

DEFAULT_LR = {"ccdc": 5e-4,          # half the lr CCDC was trained with (session 29's probes)
              "cyclecnn": 1e-4}      # RMSProp, the Cycle CNN's self-supervised objective
CHECKPOINT_FILE = "checkpoint.safetensors"      # in the run folder (training.checkpoints writes it)


def has_checkpoint(run_dir: str | Path) -> bool:
    return (Path(run_dir) / CHECKPOINT_FILE).exists()


def stored_state(run_dir: str | Path) -> dict:
    """The loop state a run folder's checkpoint holds (step, seconds, its key), from the file's
    header alone; {} when there is none or it cannot be read."""
    try:
        state = json.loads((metadata(Path(run_dir) / CHECKPOINT_FILE) or {}).get("state", "{}"))
    except (TypeError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def network_key(method: str, base_model_path, pairs, lr=None, crop=None, validation=(), seed=0) -> str:
    """The key the fine-tuner of ``method`` gives a run of these settings (lr None: its default;
    crop None: CCDC's own), all the pairs usable. Without ``validation`` the pairs are split
    first, as the fine-tuners split the usable ones (:func:`held_apart_split`). CCDC keys its
    held-apart pairs (its scores from before a stop are on them) and names itself; the Cycle CNN
    keys its training pairs and scores anew at every start."""
    lr = DEFAULT_LR[method] if lr is None else lr
    train, held = held_apart_split(list(pairs), list(validation))
    if method == "ccdc":
        return run_key(base_model_path, train, lr, crop or CCDC_CROP, held, seed, method="ccdc")
    return run_key(base_model_path, train, lr, crop, (), seed)


def _resolved(pairs) -> list[str]:
    return sorted(str(Path(g).resolve()) for g, _ in pairs)


def run_key(base_model_path, pairs, lr, crop, validation=(), seed=0, method: str | None = None,
            objective: dict | None = None) -> str:
    """The key of a run. The held-apart pairs, the seed and the ``objective`` settings that are
    not their defaults (the Cycle CNN's cycle pool, its split cycle) are in it only when given,
    so the keys of runs that did not give them stay as older versions wrote them."""
    key = {"base": str(Path(base_model_path).resolve()) if base_model_path else "shipped",
           "pairs": _resolved(pairs), "lr": lr, "crop": list(crop), **(objective or {})}
    if method is not None:
        key["method"] = method
    if validation:
        key["validation"] = _resolved(validation)
    if seed:
        key["seed"] = seed
    return json.dumps(key, sort_keys=True)


def _parsed(old_key: str | None, new_key: str) -> tuple[dict, dict] | None:
    """Both keys as dicts; None when the old one is missing or unreadable."""
    try:
        old, new = json.loads(old_key or ""), json.loads(new_key)
    except (TypeError, ValueError):
        return None
    return (old, new) if isinstance(old, dict) else None


def differences(old_key: str | None, new_key: str) -> list[str]:
    """How the run that wrote ``old_key`` differs from ``new_key``, in words ("other pairs (2
    added)", "another crop (64x64, now 96x96)"); ["another kind of run"] when the old key is
    missing or unreadable."""
    if (keys := _parsed(old_key, new_key)) is None:
        return ["another kind of run"]
    old, new = keys
    said = []
    if old.get("method") != new.get("method"):
        said.append("another network")
    if old.get("base") != new.get("base"):
        said.append("another base model")
    before, now = set(old.get("pairs", [])), set(new.get("pairs", []))
    if before != now:
        counts = [f"{len(now - before)} added" if now - before else "", f"{len(before - now)} gone" if before - now else ""]
        said.append(f"other training pairs ({', '.join(c for c in counts if c)})")
    if "validation" in new and "validation" not in old and old.get("method") == "ccdc":
        said.append("held-apart pairs it did not record (its own split, or an older version's run)")
    elif old.get("validation", []) != new.get("validation", []):
        said.append("other held-apart pairs")
    for name, words in (("lr", "another learning rate"), ("crop", "another crop"), ("seed", "another seed"),
                        ("cycle_pool", "another cycle pool"), ("split_cycle", "another split cycle")):
        if old.get(name) != new.get(name):
            said.append(f"{words} ({_shown(old.get(name))}, now {_shown(new.get(name))})")
    return said or ["the same settings"]


def settings_differences(old_key: str | None, new_key: str) -> list[str]:
    """:func:`differences` but for the pairs (known only once they are checked): what can refuse
    a resumed run before its pairs are measured; [] when only the pairs may differ."""
    if (keys := _parsed(old_key, new_key)) is None:
        return ["another kind of run"]
    drop = lambda key: json.dumps({k: v for k, v in key.items() if k not in ("pairs", "validation")})  # noqa: E731
    said = differences(*(drop(key) for key in keys))
    return [] if said == ["the same settings"] else said


def check_same_run(run_dir, old_key: str | None, new_key: str, pairs_known: bool = True) -> None:
    """Refuse to continue a checkpoint of another run (its card would describe another run);
    ``pairs_known`` False: before the pairs are checked, all but the pairs (a run of other
    settings is refused at once, not after every pair is measured)."""
    said = differences(old_key, new_key) if pairs_known else settings_differences(old_key, new_key)
    if (old_key != new_key) if pairs_known else said:
        raise ColorStudioError(f"the checkpoint in {run_dir} is of another run, with {', '.join(said)}: "
                               f"start a new run, or resume with the same settings")


def _shown(value) -> str:
    if isinstance(value, list):
        return "x".join(str(v) for v in value)
    return "default" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def minutes_seconds(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def damaged_checkpoint(run_dir) -> str:
    """Why a run cannot go on with the checkpoint in ``run_dir`` that cannot be read."""
    return f"the checkpoint in {run_dir} cannot be read (damaged or cut short)"


def earlier_run_note(state: dict, old_key: str | None, new_key: str, resuming: bool, run_dir,
                     budget_spent: bool, damaged: bool = False) -> str:
    """One line about the checkpoint found in ``run_dir`` (``state``: its step and seconds):
    resumed, or replaced by a run starting afresh, and why; ``damaged``: one that cannot be read
    is replaced (the app's wizard started afresh over it without a word). "" when there is none."""
    if damaged:
        return f"starting afresh: {damaged_checkpoint(run_dir)}, so it is replaced"
    if not state:
        return ""
    step, trained = state.get("step", 0), minutes_seconds(state.get("seconds", 0.0))
    if resuming:
        spent = "; its budget is spent, so its model is written now" if budget_spent else ""
        return f"resuming the run stopped at step {step} ({trained} trained){spent}"
    if old_key != new_key:
        why = "as it had " + ", ".join(differences(old_key, new_key))
    else:
        why = f"as it was not asked to resume (colorstudio finetune --resume {run_dir} goes on with it)"
    return f"starting afresh: the run in {run_dir} (step {step}, {trained} trained) is replaced, {why}"


def stored_key(state: dict) -> str | None:
    """The key a checkpoint's state records (CCDC's at the top, the Cycle CNN's among its options)."""
    return state.get("run_key") or state.get("options", {}).get("run_key")


def key_method(key: str | None) -> str | None:
    """The network a run key names (None: the Cycle CNN's keys name none, or no key)."""
    try:
        found = json.loads(key or "")
    except ValueError:
        return None
    return found.get("method") if isinstance(found, dict) else None


def budget_spent(state: dict, minutes: float | None, max_steps: int | None) -> bool:
    """Whether the run in ``state`` has already trained for this budget (steps or minutes)."""
    return ((max_steps is not None and state.get("step", 0) >= max_steps)
            or (minutes is not None and state.get("seconds", 0.0) >= 60 * minutes))


def resume_record(state: dict) -> dict:
    """The card's entry for a resumed run (``state``: the checkpoint it went on from; {} for a new run):
    where it went on from, as its ``wall_minutes`` count this invocation only."""
    if not state:
        return {}
    return {"resumed": {"from_step": state.get("step", 0),
                        "trained_minutes_before": round(state.get("seconds", 0.0) / 60, 2),
                        "wall_minutes": "this invocation only"}}
