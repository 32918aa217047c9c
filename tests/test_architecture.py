"""House rules: Qt only in colorstudio/gui, no torch in colorstudio/core, no pickles.

Checked twice: statically (every import statement in the source) and dynamically
(importing every non-GUI module in a fresh interpreter must not load Qt).
"""
import ast
import subprocess
import sys
from pathlib import Path

import colorstudio

PKG = Path(colorstudio.__file__).parent
QT = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy", "superqt", "shiboken6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "_data" not in p.parts)


def test_only_gui_imports_qt():
    offenders = [str(p.relative_to(PKG)) for p in _modules(PKG)
                 if "gui" not in p.relative_to(PKG).parts[:1] and _imports(p) & set(QT)]
    assert offenders == []


def test_core_does_not_import_torch():
    offenders = [str(p.relative_to(PKG)) for p in _modules(PKG / "core") if "torch" in _imports(p)]
    assert offenders == []


def test_no_pickle_loading_anywhere():
    bad = []
    for p in _modules(PKG):
        text = p.read_text(encoding="utf-8")
        if "pickle.load" in text or ("torch.load(" in text and "weights_only=True" not in text):
            bad.append(str(p.relative_to(PKG)))
    assert bad == []


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
