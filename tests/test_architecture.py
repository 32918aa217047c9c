"""House rules: Qt only in colorstudio/gui, no torch in colorstudio/core, no pickles.

Checked twice: statically (every import in the source, relative ones and those inside
functions or through importlib under any name included, modules named at run time through
the tables they come from, followed from module to module through the package; libraries
that load torch, such as safetensors.torch, count as torch) and dynamically (importing every non-GUI module in a fresh interpreter must not
load Qt).
"""
import ast
import importlib.util
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import colorstudio

PKG = Path(colorstudio.__file__).parent
QT = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy", "superqt", "shiboken6")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


IMPORTERS = {"importlib.import_module", "import_module", "__import__", "builtins.__import__"}
# run a module found at run time: none of these has a module name to follow
RUN_TIME_LOADERS = {"importlib.util.module_from_spec", "importlib.util.spec_from_file_location", "importlib.reload",
                    "runpy.run_module", "runpy.run_path"}
NOT_CONSTANT = "<a module named at run time>"


def _importer_got_by_name(node: ast.Call, names: dict[str, str]) -> bool:
    """``getattr(importlib, "import_module")(...)``, ``getattr(builtins, "__import__")(...)``."""
    inner = node.func
    return (isinstance(inner, ast.Call) and _called(inner, names) == "getattr" and bool(inner.args)
            and names.get(_dotted(inner.args[0]) or "", _dotted(inner.args[0])) in ("importlib", "builtins"))


def _dynamic_import(node: ast.AST, names: dict[str, str], package: str) -> str | None:
    """The module named by ``importlib.import_module("x")`` or ``__import__("x")``, under any
    name it was imported as (``from importlib import import_module as im``), a relative name
    resolved against its ``package=`` (or this module's package); :data:`NOT_CONSTANT` when the
    name is not written in the call."""
    if not isinstance(node, ast.Call):
        return None
    called = _called(node, names)
    if called in RUN_TIME_LOADERS or _importer_got_by_name(node, names):
        return NOT_CONSTANT
    if called not in IMPORTERS or not node.args:
        return None
    arg = node.args[0]
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return NOT_CONSTANT
    level = next((k.value for k in node.keywords if k.arg == "level"), node.args[4] if len(node.args) > 4 else None)
    if "__import__" in called and level is not None:           # __import__(name, g, l, fromlist, level)
        if not (isinstance(level, ast.Constant) and isinstance(level.value, int)):
            return NOT_CONSTANT
        if level.value > 0:
            return importlib.util.resolve_name("." * level.value + arg.value, package)
    if not arg.value.startswith("."):
        return arg.value
    given = next((k.value for k in node.keywords if k.arg == "package"), node.args[1] if len(node.args) > 1 else None)
    if isinstance(given, ast.Constant) and isinstance(given.value, str):
        package = given.value
    elif given is not None and not (isinstance(given, ast.Name) and given.id == "__package__"):
        return NOT_CONSTANT
    return importlib.util.resolve_name(arg.value, package)


@lru_cache(maxsize=None)
def _imports(path: Path) -> frozenset[str]:
    """Every module ``path`` imports, by full name, wherever the import is (top level or in a
    function) and however it is written (relative, ``from x import submodule``, importlib)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    aliases = _import_names(tree)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}      # a submodule, if it is one
        elif (name := _dynamic_import(node, aliases, ".".join(package))) is not None:
            names.add(name)
    return frozenset(n for n in names if n)


def _named_at_run_time() -> dict[str, set[str]]:
    """The modules that import a module named at run time, and every module they can name so
    (from the tables the names come from): followed like written imports."""
    from colorstudio import bench
    from colorstudio.engine import methods, warm_up
    from colorstudio.gui import training_adapter

    return {"colorstudio.bench": set(bench._EXPORTS.values()),
            "colorstudio.engine.methods": {m.target.split(":")[0] for m in methods.all_methods()}
            | {"colorstudio.engine.learned_methods"},
            "colorstudio.engine.warm_up": {module for module, _, _ in warm_up.LOADERS.values()},
            "colorstudio.gui.training_adapter": set(training_adapter.TRAINING_MODULES.values())}


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "_data" not in p.parts)


FILES = {_module_name(p): p for p in _modules(PKG)}


def _reachable(start: str) -> set[str]:
    """Every module imported from ``start``, directly or through the package's own modules
    (those named at run time too: :func:`_named_at_run_time`)."""
    seen, todo, run_time = set(), [start], _named_at_run_time()
    while todo:
        name = todo.pop()
        for imported in _imports(FILES[name]) - {NOT_CONSTANT} | run_time.get(name, set()):
            if imported not in seen:
                seen.add(imported)
                if imported in FILES:
                    todo.append(imported)
    return seen


def _outside(folder: str) -> list[str]:
    return [m for m in FILES if m.split(".")[1:2] != [folder]]


def test_modules_named_at_run_time_are_known():
    """An import whose module is named at run time is followed through the table it comes from;
    one elsewhere could reach anything unseen."""
    dynamic = {m for m, p in FILES.items() if NOT_CONSTANT in _imports(p)}
    assert dynamic == set(_named_at_run_time())


def test_only_gui_imports_qt_or_the_gui():
    offenders = {m: sorted(n for n in _reachable(m) if n.split(".")[0] in QT or n.startswith("colorstudio.gui"))
                 for m in _outside("gui")}
    assert {m: v for m, v in offenders.items() if v} == {}


# libraries whose import loads torch (safetensors itself does not; its torch module does)
TORCH_LIBRARIES = ("torch", "safetensors.torch", "torchvision", "torchaudio", "kornia", "timm", "lightning",
                   "pytorch_lightning")


def _loads_torch(module: str) -> bool:
    return any(module == lib or module.startswith(lib + ".") for lib in TORCH_LIBRARIES)


def test_core_does_not_import_torch():
    core = [m for m in FILES if m.startswith("colorstudio.core")]
    offenders = {m: sorted(n for n in _reachable(m) if _loads_torch(n)
                           or n.startswith(("colorstudio.nets", "colorstudio.training")))
                 for m in core}
    assert {m: v for m, v in offenders.items() if v} == {}


PICKLE_LOADERS = {"pickle.load", "pickle.loads", "pickle.Unpickler", "cPickle.load", "cPickle.loads",
                  "dill.load", "dill.loads", "joblib.load", "torch.load", "torch.serialization.load"}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None


def _import_names(tree: ast.AST) -> dict[str, str]:
    """What each name a module imports stands for: ``th`` -> ``torch`` after ``import torch as
    th``, ``load`` -> ``torch.load`` after ``from torch import load`` (``np`` is numpy)."""
    names = {"np": "numpy"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                names[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    return names


def _called(node: ast.Call, names: dict[str, str]) -> str:
    """The dotted name a call resolves to through the module's imports ('' if not a name)."""
    head, _, rest = (_dotted(node.func) or "").partition(".")
    return names.get(head, head) + (f".{rest}" if rest else "")


def _pickle_loads(tree: ast.AST) -> list[int]:
    """Lines calling a loader that can run a pickle: pickle.load(s), torch.load (with any
    arguments: weights are loaded only from safetensors), numpy.load with allow_pickle=True,
    joblib.load; under whatever name they were imported (``import torch as th``,
    ``from torch import load``, ``torch.serialization.load``)."""
    names = _import_names(tree)
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _called(node, names)
        allow_pickle = any(k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                           for k in node.keywords)
        if called in PICKLE_LOADERS or called == "numpy.load" and allow_pickle:
            bad.append(node.lineno)
    return bad


def test_no_pickle_loading_anywhere():
    bad = {str(p.relative_to(PKG)): lines for p in _modules(PKG)
           if (lines := _pickle_loads(ast.parse(p.read_text(encoding="utf-8"))))}
    assert bad == {}


def test_the_rule_checks_catch_what_they_are_for():
    """The checks above find lazy, relative and importlib imports and every pickle loader."""
    src = ("import os\n"
           "def f():\n"
           "    from ..gui import curve_math\n"
           "    importlib.import_module('torch')\n"
           "    __import__('PySide6.QtWidgets')\n"
           "    from importlib import import_module as im\n"
           "    im('pyqtgraph')\n"
           "    im('..nets.ccdc', package=__package__)\n"
           "    importlib.import_module('.engine', 'colorstudio')\n"
           "    importlib.import_module(name)\n"
           "    __import__('training.finetune', globals(), locals(), [], 2)\n"
           "    getattr(importlib, 'import_module')('x')\n"
           "    torch.load(p, weights_only=False)\n"
           "    torch.load(p, weights_only=True)\n"
           "    np.load(p, allow_pickle=True)\n"
           "    pickle.loads(b)\n"
           "    np.load(p)\n"
           "    import torch as th\n"
           "    th.load(p)\n"
           "    from torch import load as tl, serialization\n"
           "    tl(p)\n"
           "    serialization.load(p)\n"
           "    torch.serialization.load(p)\n"
           "    np.load(p, allow_pickle=False)\n")
    probe = PKG / "core" / "_rule_probe.py"
    try:
        probe.write_text(src, encoding="utf-8")
        found = _imports(probe)
        assert {"colorstudio.gui", "colorstudio.gui.curve_math", "torch", "PySide6.QtWidgets", "pyqtgraph",
                "colorstudio.nets.ccdc", "colorstudio.engine", "colorstudio.training.finetune", NOT_CONSTANT} <= found
        probe.write_text("def f():\n    getattr(importlib, 'import_module')('torch')\n", encoding="utf-8")
        _imports.cache_clear()
        assert _imports(probe) == {NOT_CONSTANT}
    finally:
        probe.unlink()
        _imports.cache_clear()
    assert _pickle_loads(ast.parse(src)) == [n + 7 for n in (6, 7, 8, 9, 12, 14, 15, 16)]
    assert _loads_torch("safetensors.torch") and _loads_torch("torchvision.ops") and not _loads_torch("safetensors")


def _module_names(under: Path, skip: tuple[str, ...] = ()) -> list[str]:
    names = []
    for p in _modules(under):
        rel = p.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__main__" or any(s in parts for s in skip):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _loaded_after_import(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in {forbidden!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [x for x in out.stdout.strip().split(",") if x]


def test_importing_everything_but_the_gui_loads_no_qt():
    assert _loaded_after_import(_module_names(PKG, skip=("gui",)), QT) == []


def test_importing_core_and_the_package_loads_no_torch():
    mods = ["colorstudio", "colorstudio.engine.methods", "colorstudio.engine.learned_methods"]
    assert _loaded_after_import(mods + _module_names(PKG / "core"), ("torch",)) == []


def test_what_the_fine_tune_wizard_imports_on_the_gui_thread_loads_no_torch():
    """The pair checks, the pair preparation they share with the fine-tuners, the sizes and the
    advice: the wizard imports them before any training starts."""
    mods = ["colorstudio.gui.finetune_pair_checks", "colorstudio.training.pair_preparation",
            "colorstudio.training.pair_size", "colorstudio.training.finetune_advice",
            "colorstudio.training.user_camera", "colorstudio.gui.training_adapter"]
    assert _loaded_after_import(mods, ("torch",)) == []


# where a file is written other than through core.atomic_files' atomic writers: the writers
# themselves, and the kernel's /proc (the memory benchmark resets its peak there)
DIRECT_WRITES_ALLOWED = {"core/atomic_files.py", "bench/memory.py"}
DIRECT_WRITERS = {"numpy.save", "numpy.savez", "numpy.savez_compressed", "torch.save", "cv2.imwrite",
                  "tifffile.imwrite", "safetensors.torch.save_file"}


def _direct_writes(tree: ast.AST) -> list[int]:
    """Lines writing a file in one go that a stop could leave half-written: open() for writing
    ('w' or 'x'; appending to a log is not an output), Path.write_text / write_bytes, and the
    libraries' own file writers; not inside a lambda (the writer handed to ``atomic_write``,
    which writes into the temporary file it is given)."""
    names = _import_names(tree)
    in_writer = {id(n) for lam in ast.walk(tree) if isinstance(lam, ast.Lambda) for n in ast.walk(lam.body)}
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in in_writer:
            continue
        called = _called(node, names)
        mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
        writes = isinstance(mode, ast.Constant) and isinstance(mode.value, str) and ("w" in mode.value or "x" in mode.value)
        method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if (called == "open" and writes) or method in ("write_text", "write_bytes") or called in DIRECT_WRITERS:
            bad.append(node.lineno)
    return bad


def test_files_are_written_atomically():
    bad = {rel: lines for p in _modules(PKG)
           if (rel := str(p.relative_to(PKG)).replace("\\", "/")) not in DIRECT_WRITES_ALLOWED
           and (lines := _direct_writes(ast.parse(p.read_text(encoding="utf-8"))))}
    assert bad == {}, "write through colorstudio.core.atomic_files.atomic_write*"
    probe = ("import numpy\nfrom pathlib import Path\n"
             "open(p, 'w')\nopen(p, 'a')\nopen(p, mode='wb')\nPath(p).write_text('x')\n"
             "numpy.savez(p, a=1)\nnp.save(p, a)\nopen(p)\nopen(p, 'rb')\n"
             "atomic_write(p, lambda f: numpy.savez(f, a=1))\n")
    assert _direct_writes(ast.parse(probe)) == [3, 5, 6, 7, 8]


def test_long_jobs_are_generators():
    """Batch, colorizing, fine-tuning and the training loops yield progress (the GUI wraps
    them in a worker with progress and cancel); a plain function there would block it."""
    import inspect

    from colorstudio.engine import batch, colorize
    from colorstudio.training import finetune, finetune_ccdc

    for fn in (batch.run_batch, colorize.colorize_steps, finetune.finetune, finetune_ccdc.finetune):
        assert inspect.isgeneratorfunction(fn), fn.__qualname__
