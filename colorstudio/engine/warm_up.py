"""Load the default learned methods ahead of the first colorization (the app's start-up).

Without it the first colorization pays for importing torch (2-3 s on a 2-core CPU) and for
reading the weights. The app runs :func:`warm_up` in a background worker once its window
shows; the loaders' caches then hold the nets, so the user's first job starts at once.
"""
from __future__ import annotations

import importlib
from typing import Generator

from colorstudio.engine import methods
from colorstudio.engine.progress import Progress
from colorstudio.engine import native_preload

# learned method -> (module, function, arguments) that loads its shipped weights into the cache
LOADERS: dict[str, tuple[str, str, tuple]] = {
    "cyclecnn": ("colorstudio.engine.stereo", "get_model", (None,)),
    "ccdc": ("colorstudio.engine.crosscam", "load_ccdc", ()),
    "hsv2stage": ("colorstudio.engine.single", "load_hsv_nets", ()),
    "cheng": ("colorstudio.engine.single", "load_model", ("cheng",)),
    "ensemble": ("colorstudio.engine.single", "load_ensemble", ()),
}


def default_learned() -> list[str]:
    """The learned methods that are the defaults for a pair and for a single gray."""
    names = []
    for kind in (methods.PAIR, methods.SINGLE):
        try:
            method = methods.default_for(kind)
        except ValueError:      # no method of this kind
            continue
        if method.learned and method.name in LOADERS:
            names.append(method.name)
    return names


def warm_up(names: list[str] | None = None) -> Generator[Progress, None, list[str]]:
    """Load each method's shipped weights (default: :func:`default_learned`); returns the names."""
    names = default_learned() if names is None else list(names)
    if names:
        yield Progress(0.0, "loading PyTorch")
        native_preload.preload()
    for i, name in enumerate(names):
        yield Progress(i / max(1, len(names)), f"loading {name}")
        module, func, args = LOADERS[name]
        getattr(importlib.import_module(module), func)(*args)
    yield Progress(1.0, "models loaded")
    return names
