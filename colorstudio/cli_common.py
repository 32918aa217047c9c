"""What the command-line modules share (no torch, no Qt): the exit codes, the one-line
messages on stderr, the method options taken from the parsed arguments, and ``--model``'s
lookup among the user's models."""
from __future__ import annotations

import sys
from pathlib import Path

from colorstudio import paths
from colorstudio.errors import ColorStudioError
from colorstudio.terminal_line import terminal_line

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def say(msg: str) -> None:
    """One line on stderr: a line break or an escape sequence inside (a file name holding one)
    is shown escaped (\\n, \\x1b)."""
    print(terminal_line(msg), file=sys.stderr, flush=True)


def method_options(args) -> dict:
    """The method options given on the command line (those left out are not passed on)."""
    opts = {}
    for key in ("max_disparity", "side", "saturation", "mode", "device", "colour_space"):
        value = getattr(args, key, None)
        if value is not None:
            opts[key] = value
    return opts


def model_path(model: str | None) -> str | None:
    """``--model``: a file, or the name of one of the user's fine-tuned models (``mine`` for
    ``mine.safetensors`` in the user folder, as the app lists them)."""
    if model is None or Path(model).exists():
        return model
    spaced = model.strip().replace(" ", "_")          # the wizard's file name for "my model"
    for name in (model, model + ".safetensors", spaced + ".safetensors"):
        mine = paths.user_models_dir() / name
        if mine.is_file():
            return str(mine)
    from colorstudio.engine.model_catalog import user_models

    named = [c.model for c in user_models() if c.label.split(" (your model")[0] == model]   # as the picker shows
    if len(named) > 1:                                # the picker tells them apart by file: so must the user
        raise ColorStudioError(f"{len(named)} of your models are named {model!r} "
                               f"({', '.join(p.name for p in named)}): give the file's name")
    if named:
        return str(named[0])
    from colorstudio.engine.learned_methods import LEARNED

    if model in {m.name for m, _ in LEARNED}:
        raise ColorStudioError(f"no model file named {model!r}: for the shipped one, --method {model}")
    return model                  # not found: loading says so in one line


# ------------------------------------------------------------------ commands


def flags_text(names) -> str:
    """'--max-disparity, --saturation' for option names ('max_disparity', …)."""
    return ", ".join(f"--{name.replace('_', '-')}" for name in names)


def ignored_words(count: int) -> str:
    return "it was ignored" if count == 1 else "they were ignored"
