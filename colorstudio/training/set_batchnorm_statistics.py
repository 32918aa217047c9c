"""Set how a Cycle CNN model file's BatchNorm layers normalise at inference, weights untouched.

    python -m colorstudio.training.set_batchnorm_statistics models/cyclecnn.safetensors image

The Cycle CNN trains with batch 1, so in training every BatchNorm normalises each crop with
that crop's own statistics; its running averages are an exponential average over the last
~10 crops. ``image`` makes inference normalise the same way as training
(:class:`colorstudio.nets.inference.ImageStatisticsNorm`); ``running`` uses the averages, as
a model fine-tuned with frozen BatchNorm needs. The file is rewritten (atomically) with the
new config; its model card is kept, with the choice noted.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from colorstudio.nets.registry import load_model, save_model

MODES = ("running", "image")


def set_statistics(path: str | Path, mode: str) -> dict:
    """Rewrite the model file ``path`` with ``batchnorm_statistics=mode``; returns the card."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (use {' or '.join(MODES)})")
    path = Path(path)
    model = load_model(path, kind="cyclecnn")
    model.cfg.batchnorm_statistics = mode
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text()) if card_path.exists() else {}
    save_model(model, path, card)
    return json.loads(card_path.read_text())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("mode", choices=MODES)
    args = ap.parse_args(argv)
    set_statistics(args.model, args.mode)
    print(f"{args.model}: BatchNorm at inference uses {args.mode} statistics", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
