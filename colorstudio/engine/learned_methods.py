"""Learned methods, registered when their weights ship in models/.

This module must not import torch: the target functions' modules do, on first use.
A method whose weight file is missing is not offered (the classic methods remain);
``--model FILE`` still lets a user run a learned method with their own weights.
"""
from __future__ import annotations

from colorstudio import paths
from colorstudio.engine.methods import PAIR, SINGLE, Method, register

# (method, the weight file in models/ that makes it available)
LEARNED: list[tuple[Method, str]] = [
    (Method("cyclecnn", PAIR, "Cycle CNN (WAC + GCA + colour refinement), learned stereo colorization",
            "colorstudio.engine.stereo:colorize_stereo", learned=True, priority=10, mode="stereo"),
     "cyclecnn.safetensors"),
    (Method("hsv2stage", SINGLE, "two-stage pyramidal HSV network (automatic, single gray)",
            "colorstudio.engine.single:colorize_hsv2stage", learned=True, priority=5),
     "hsv2stage.safetensors"),
    (Method("cheng", SINGLE, "Deep Colorization (Cheng et al.): per-pixel features, clustered MLPs",
            "colorstudio.engine.single:colorize_cheng", learned=True, priority=4),
     "cheng.safetensors"),
    (Method("ccdc", PAIR, "CCDC cross-camera colorization (low-res colour from another viewpoint/moment)",
            "colorstudio.engine.crosscam:colorize_crosscam", learned=True, priority=8, mode="crosscam"),
     "ccdc.safetensors"),
]


def weight_file(method_name: str):
    for method, filename in LEARNED:
        if method.name == method_name:
            return paths.models_dir() / filename
    return None


for _method, _filename in LEARNED:
    if (paths.models_dir() / _filename).exists():
        register(_method)
