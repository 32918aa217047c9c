"""The registry of colorization methods: name -> how to run it.

A method is a function ``fn(gray, reference, **options) -> ChromaResult`` where
``gray`` is float32 (H, W) in [0, 1] and ``reference`` is float32 (h, w, 3) RGB in
[0, 1] (pair methods) or None (single-gray methods). It returns chroma at the gray's
size. Learned methods are registered with a loader so torch is imported only when
they run. The CLI (``colorstudio methods``), the GUI's picker, the batch and the
benchmark all read this one registry.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from colorstudio.errors import MethodError

PAIR = "pair"        # gray + colour reference from a stereo/dual camera
SINGLE = "single"    # a gray photo alone


@dataclass(frozen=True)
class Method:
    name: str
    kind: str                 # PAIR or SINGLE
    summary: str              # one line for `colorstudio methods` and the GUI
    target: str               # "module:function", imported on first use
    learned: bool = False     # True if it needs weights from models/ (or --model)
    priority: int = 0         # higher = preferred default for its kind
    mode: str = ""            # pair methods only: "stereo", "crosscam", or "" for both
    aligns: bool = True       # pair methods: moves each colour to where it belongs (not copy, reinhard)
    # computes diagnostics only a viewer needs (the occlusion maps of core.occlusion, ccdc's warped
    # reference), which the engine's option diagnostics=False leaves out (a batch writes none)
    optional_diagnostics: bool = False
    # takes the engine's check of the pair (core.checks.PairReport) as the option pair_report
    # instead of checking the same pair again (about 0.09 s at 1 MP)
    pair_report: bool = False

    def load(self) -> Callable:
        module, func = self.target.split(":")
        return getattr(importlib.import_module(module), func)


_REGISTRY: dict[str, Method] = {}
_BUILTINS_DONE = False   # not "is the registry empty": learned_methods may register first


def register(method: Method) -> None:
    _REGISTRY[method.name] = method


def _register_builtin() -> None:
    B = "colorstudio.core.baselines"
    for name, func, summary in [
        ("copy", "reference_copy", "copy the reference's chroma as it is (no alignment)"),
        ("reinhard", "reinhard_transfer", "Reinhard global colour transfer (statistics only)"),
        ("sgbm", "sgbm_warp", "OpenCV semi-global block matching, warp the reference chroma"),
        ("dis", "dis_flow_warp", "OpenCV DIS optical flow, warp the reference chroma"),
    ]:
        aligns = name not in ("copy", "reinhard")
        register(Method(name, PAIR, summary, f"{B}:{func}", aligns=aligns))
        register(Method(f"{name}+gf", PAIR, summary + ", then guided-filter smoothing",
                        f"{B}:{func}_guided", priority=1 if name == "dis" else 0, aligns=aligns))
    register(Method("neutral", SINGLE, "no colour: the gray itself (the trivial baseline)",
                    f"{B}:neutral"))


def _register_learned() -> None:
    """The learned methods register themselves as their module is imported (it needs no torch:
    their functions' modules import it on first use)."""
    importlib.import_module("colorstudio.engine.learned_methods")


def all_methods() -> list[Method]:
    global _BUILTINS_DONE
    if not _BUILTINS_DONE:
        _BUILTINS_DONE = True
        _register_builtin()
        _register_learned()
    return list(_REGISTRY.values())


def get(name: str) -> Method:
    methods = {m.name: m for m in all_methods()}
    if name not in methods:
        raise MethodError(f"unknown method '{name}' (see `colorstudio methods`: "
                          f"{', '.join(sorted(methods))})")
    return methods[name]


def default_for(kind: str, mode: str | None = None) -> Method:
    """The preferred method for a kind of input (and, for pairs, a mode)."""
    candidates = [m for m in all_methods() if m.kind == kind and (mode is None or m.mode in ("", mode))]
    return max(candidates, key=lambda m: m.priority)
