"""The one place that finds models/, resources/ and the user's folders.

Search order for the data folders:
1. ``COLORSTUDIO_DATA_DIR`` (a folder containing ``models/`` and ``resources/``),
2. a frozen (PyInstaller) app: ``sys._MEIPASS``,
3. an installed wheel: ``colorstudio/_data/`` (copied there by setup.py),
4. a source checkout: the folder above the package.
User folders follow the platform's conventions and can be moved with
``COLORSTUDIO_USER_DIR``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    out: list[Path] = []
    env = os.environ.get("COLORSTUDIO_DATA_DIR")
    if env:
        out.append(Path(env))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        out.append(Path(frozen))
    out.append(PACKAGE_DIR / "_data")
    out.append(PACKAGE_DIR.parent)
    return out


def frozen() -> bool:
    """Whether this is the packaged (PyInstaller) app rather than a Python installation."""
    return bool(getattr(sys, "frozen", False))


def command_name(default: str = "colorstudio") -> str:
    """The name the user runs this program by, for usage lines and advice: ``default`` from a
    Python installation, the executable's own name in the packaged app (``colorstudio-cli``,
    ``ColorStudio``), which has no ``colorstudio`` command."""
    return Path(sys.executable).stem if frozen() else default


def data_root() -> Path:
    """The first candidate folder that holds ``resources/``."""
    for root in _candidates():
        if (root / "resources").is_dir() or (root / "models").is_dir():
            return root
    return PACKAGE_DIR.parent


def ignored_data_dir() -> str | None:
    """A note when ``COLORSTUDIO_DATA_DIR`` is set but names no folder with ``models/`` or
    ``resources/`` (a typo, or an empty folder): it is passed over, which should not go unsaid."""
    env = os.environ.get("COLORSTUDIO_DATA_DIR")
    if env and not any((Path(env) / sub).is_dir() for sub in ("models", "resources")):
        return (f"COLORSTUDIO_DATA_DIR={env} holds no models/ or resources/ folder: "
                f"{data_root()}'s are used instead")
    return None


def models_dir() -> Path:
    return data_root() / "models"


def resources_dir() -> Path:
    return data_root() / "resources"


def examples_dir() -> Path:
    return resources_dir() / "examples"


def in_examples(path: str | os.PathLike) -> bool:
    """Whether ``path`` is the bundled example pair's folder or inside it (the app's own
    files: in a packaged app often read-only, never where a user's results belong)."""
    try:
        return Path(path).resolve().is_relative_to(examples_dir().resolve())
    except OSError:
        return False


def results_home() -> Path:
    """Where results of the bundled example pair go instead of beside it: ~/Pictures, else ~."""
    return next((p for p in (Path.home() / "Pictures", Path.home()) if p.is_dir()), Path.home())


def user_dir() -> Path:
    """Per-user folder for fine-tuned models, logs and checkpoints (created on demand)."""
    env = os.environ.get("COLORSTUDIO_USER_DIR")
    if env:
        base = Path(env)
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home())) / "ColorStudio"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "ColorStudio"
    else:   # XDG: an empty or relative XDG_DATA_HOME is to be ignored
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share") / "colorstudio"
    return _made(base)


def user_models_dir() -> Path:
    return _made(user_dir() / "models")


def _made(folder: Path) -> Path:
    """``folder``, created if it can be. One that cannot (a read-only home, a bad
    XDG_DATA_HOME) is returned all the same: what needs to write there says so when it
    tries, and the app and the CLI still start (no log, no user models)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return folder


def log_file() -> Path:
    return user_dir() / "colorstudio.log"


def user_path(text: str) -> str:
    """A path as the user typed it on a command line, with ``~`` expanded: a shell leaves
    ``--output=~/out`` as it is, which would otherwise make a folder named ``~``."""
    return os.path.expanduser(text)
