"""Learned methods, registered when their weights ship in models/.

This module must not import torch: the target functions' modules do, on first use.
A method whose weight file is missing is not offered (the classic methods remain);
``--model FILE`` still lets a user run a learned method with their own weights.

Priorities follow the benchmark (a learned model is the default only where it beats the best
classic method, 'dis+gf', priority 1): ccdc beats it on Motorcycle at every reference scale,
1x included, so it is the default for pairs; the shipped cyclecnn does not yet (see
models/cyclecnn.json), so it is offered but not the default. For a single gray the ensemble
of the HSV nets and cheng beats each alone (benchmarks/single_gray), so it is the default there.
"""
from __future__ import annotations

from colorstudio import paths
from colorstudio.engine.methods import PAIR, SINGLE, Method, register

# the saturation factor of each single-gray method when the user gives none: chosen by
# `python -m colorstudio.bench.single_gray` (see benchmarks/single_gray and the model cards)
DEFAULT_SATURATION = {"hsv2stage": 1.15, "cheng": 1.16, "ensemble": 1.18}


def saturation_for(method: str, saturation=None, model=None):
    """``saturation`` as given (the methods check it), or the default when it is None: the one
    the benchmark chose for ``model`` (one weight file) in its model card beside it, else
    ``method``'s (DEFAULT_SATURATION; 1.0 for a method without one). One HSV net alone reaches
    colourfulness 0.6 at its own factor (0.9 for the paper-sized one), not at the average's."""
    if saturation is not None:
        return saturation
    own = card_saturation(model)
    return own if own is not None else DEFAULT_SATURATION.get(method, 1.0)


def card_saturation(model) -> float | None:
    """``benchmark.default_saturation`` of the JSON model card beside a weight file (a path),
    when there is one and it holds a sane number; None otherwise."""
    from pathlib import Path

    from colorstudio.core.model_card import read_card
    from colorstudio.core.single_chroma import SATURATION_RANGE

    if not isinstance(model, (str, Path)):
        return None
    benchmark = read_card(model).get("benchmark")
    value = benchmark.get("default_saturation") if isinstance(benchmark, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not SATURATION_RANGE[0] <= value <= SATURATION_RANGE[1]:
        return None
    return float(value)

# (method, the weight file in models/ that makes it available)
LEARNED: list[tuple[Method, str]] = [
    (Method("cyclecnn", PAIR, "Cycle CNN (WAC + GCA + colour refinement), learned stereo colorization",
            "colorstudio.engine.stereo:colorize_stereo", learned=True, priority=0, mode="stereo",
            optional_diagnostics=True, pair_report=True),
     "cyclecnn.safetensors"),
    (Method("hsv2stage", SINGLE,
            "two-stage pyramidal HSV network, its shipped training runs averaged (automatic, single gray)",
            "colorstudio.engine.single:colorize_hsv2stage", learned=True, priority=5),
     "hsv2stage.safetensors"),
    (Method("cheng", SINGLE, "Deep Colorization (Cheng et al.): per-pixel features, an MLP "
                             "(one per image cluster; the shipped model has one cluster)",
            "colorstudio.engine.single:colorize_cheng", learned=True, priority=4),
     "cheng.safetensors"),
    (Method("ccdc", PAIR, "CCDC: flow alignment + visibility-aware fusion network (any pair, any reference scale)",
            "colorstudio.engine.crosscam:colorize_crosscam", learned=True, priority=8,
            optional_diagnostics=True),
     "ccdc.safetensors"),
]


# methods that run several shipped models together: (method, the methods whose weights it needs)
COMBINED: list[tuple[Method, tuple[str, ...]]] = [
    (Method("ensemble", SINGLE, "the shipped HSV nets and cheng together, their colours averaged (single gray)",
            "colorstudio.engine.single:colorize_ensemble", learned=True, priority=6),
     ("hsv2stage", "cheng")),
]


def weight_file(method_name: str):
    for method, filename in LEARNED:
        if method.name == method_name:
            return paths.models_dir() / filename
    return None


for _method, _filename in LEARNED:
    if (paths.models_dir() / _filename).exists():
        register(_method)
for _method, _members in COMBINED:
    if all(weight_file(m).exists() for m in _members):
        register(_method)
