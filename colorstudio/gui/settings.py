"""Persistent user settings (QSettings in an INI file inside the user's data folder).

The file lives at ``paths.user_dir() / "colorstudio-gui.ini"`` so that moving the user
folder (``COLORSTUDIO_USER_DIR``) moves the settings too; tests point that variable at a
temporary folder and so get their own settings each.
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from colorstudio import paths
from colorstudio.core.colour_management import OUTPUT_SPACES as COLOUR_SPACES
from colorstudio.core.output_formats import FORMAT_ALIASES, WRITE_EXTENSIONS
from colorstudio.engine.device import DEVICES
from colorstudio.gui.split_modes import RESULT, SIDE_BY_SIDE, SPLIT

MAX_RECENT = 10


class Settings:
    """Typed accessors over one QSettings file. Values are read and written immediately."""

    def __init__(self, file: str | Path | None = None):
        self.file = Path(file) if file else paths.user_dir() / "colorstudio-gui.ini"
        self._q = QSettings(str(self.file), QSettings.Format.IniFormat)

    # -- generic helpers
    def _str(self, key: str, default: str = "") -> str:
        value = self._q.value(key, default)
        return default if value is None else str(value)

    def _int(self, key: str, default: int) -> int:
        try:
            return int(self._q.value(key, default))
        except (TypeError, ValueError):
            return default

    def sync(self) -> None:
        self._q.sync()

    # -- folders and defaults
    @property
    def output_dir(self) -> Path | None:
        """Where results are exported (None: beside the gray input)."""
        value = self._str("output/folder")
        return Path(value) if value else None

    @output_dir.setter
    def output_dir(self, folder: str | Path | None) -> None:
        self._q.setValue("output/folder", str(folder) if folder else "")

    def model_choice(self, pair: bool) -> str:
        """The picker entry chosen last for pairs (``pair``) or for single grays (its key, see
        :mod:`model_catalog`), '' for the default. Each kind keeps its own: choosing a method
        for a single gray does not forget the one chosen for pairs."""
        return self._str("colorize/model_pair" if pair else "colorize/model_single") \
            or self._str("colorize/model")          # settings of older versions: one for both

    def set_model_choice(self, pair: bool, key: str) -> None:
        self._q.setValue("colorize/model_pair" if pair else "colorize/model_single", key or "")

    @property
    def device(self) -> str:
        """'auto', 'cpu', 'cuda' or 'mps' (used by learned methods and training)."""
        value = self._str("compute/device", "auto")
        return value if value in DEVICES else "auto"

    @device.setter
    def device(self, value: str) -> None:
        if value not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}")
        self._q.setValue("compute/device", value)

    @property
    def colour_space(self) -> str:
        """The results' colour space: 'auto' (the photos': a Display P3 colour shot keeps P3) or
        'srgb' (as colour_management.OUTPUT_SPACES)."""
        value = self._str("output/colour_space", "auto")
        return value if value in COLOUR_SPACES else "auto"

    @colour_space.setter
    def colour_space(self, value: str) -> None:
        if value not in COLOUR_SPACES:
            raise ValueError(f"colour space must be one of {COLOUR_SPACES}")
        self._q.setValue("output/colour_space", value)

    @property
    def diagnostics_palette(self) -> str:
        """The confidence, visibility and occlusion maps' colours (core.diagnostic_maps.PALETTES)."""
        from colorstudio.core.diagnostic_maps import DEFAULT_PALETTE, PALETTES

        value = self._str("view/diagnostics_palette", DEFAULT_PALETTE)
        return value if value in PALETTES else DEFAULT_PALETTE

    @diagnostics_palette.setter
    def diagnostics_palette(self, value: str) -> None:
        from colorstudio.core.diagnostic_maps import PALETTES

        if value not in PALETTES:
            raise ValueError(f"diagnostic colours must be one of {tuple(PALETTES)}")
        self._q.setValue("view/diagnostics_palette", value)

    @property
    def view_mode(self) -> str:
        """The compare view's mode at start: the one used last (side by side the first time)."""
        value = self._str("view/mode", SIDE_BY_SIDE)
        return value if value in (SIDE_BY_SIDE, SPLIT, RESULT) else SIDE_BY_SIDE

    @view_mode.setter
    def view_mode(self, mode: str) -> None:
        self._q.setValue("view/mode", mode)

    @property
    def monitor_profile(self) -> str:
        """How the views are converted for the monitor: 'system' (its profile, if the system
        gives one), 'srgb' (no conversion) or the path of an ICC profile file."""
        return self._str("view/monitor_profile", "system") or "system"

    @monitor_profile.setter
    def monitor_profile(self, value: str | Path) -> None:
        self._q.setValue("view/monitor_profile", str(value))

    @property
    def last_folder(self) -> str:
        return self._str("files/last_folder")

    @last_folder.setter
    def last_folder(self, folder: str | Path) -> None:
        self._q.setValue("files/last_folder", str(folder))

    # -- export options
    @property
    def export_format(self) -> str:
        """The format of the last export ('.png', '.tif', '.jpg', '.webp', '.bmp'); '.png' for
        anything else a settings file holds ('.gif', '.', '.jpeg' spelt otherwise: '.jpg')."""
        value = self._str("export/format", ".png").strip().lower()
        value = FORMAT_ALIASES.get(value, value)
        return value if value in WRITE_EXTENSIONS else ".png"

    @export_format.setter
    def export_format(self, ext: str) -> None:
        self._q.setValue("export/format", ext)

    @property
    def export_bit_depth(self) -> int:
        """0 = same as the gray input, else 8 or 16."""
        value = self._int("export/bit_depth", 0)
        return value if value in (0, 8, 16) else 0

    @export_bit_depth.setter
    def export_bit_depth(self, value: int) -> None:
        self._q.setValue("export/bit_depth", int(value))

    @property
    def jpeg_quality(self) -> int:
        return min(100, max(1, self._int("export/jpeg_quality", 95)))

    @jpeg_quality.setter
    def jpeg_quality(self, value: int) -> None:
        self._q.setValue("export/jpeg_quality", int(value))

    # -- the batch queue's own choices
    @property
    def batch_folder(self) -> str | None:
        """The batch queue's output folder as last typed or chosen ('': a 'colorized' folder
        beside the photos; a relative one is taken beside them), None if never set."""
        return self._str("batch/folder") if self._q.contains("batch/folder") else None

    @batch_folder.setter
    def batch_folder(self, text: str) -> None:
        self._q.setValue("batch/folder", text)

    @property
    def batch_skip_existing(self) -> bool:
        return self._str("batch/skip_existing", "false").lower() == "true"

    @batch_skip_existing.setter
    def batch_skip_existing(self, value: bool) -> None:
        self._q.setValue("batch/skip_existing", "true" if value else "false")

    @property
    def batch_method(self) -> str:
        """The batch method's picker key (see :mod:`model_catalog`), '' for Automatic."""
        return self._str("batch/method")

    @batch_method.setter
    def batch_method(self, key: str) -> None:
        self._q.setValue("batch/method", key or "")

    # -- recent files (each entry: a JSON list of the paths opened together; '|' is a legal
    # character of file names, so the paths joined by '|' of older settings are read only)
    def recent(self) -> list[list[Path]]:
        """Most recent first; each entry is the list of files that were opened together."""
        raw = self._q.value("files/recent", [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, (list, tuple)):      # a hand-edited settings file: a number, say
            raw = []
        out = []
        for entry in raw or []:
            files = [Path(p) for p in _recent_paths(str(entry)) if p]
            if files:
                out.append(files)
        return out

    def add_recent(self, files: list[str | Path]) -> None:
        key = json.dumps([str(Path(f)) for f in files])
        entries = [json.dumps([str(p) for p in e]) for e in self.recent()]
        entries = [key] + [e for e in entries if e != key]
        self._q.setValue("files/recent", entries[:MAX_RECENT])

    def clear_recent(self) -> None:
        self._q.setValue("files/recent", [])

    # -- window layout
    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._q.setValue("window/geometry", geometry)
        self._q.setValue("window/state", state)

    def window_geometry(self) -> QByteArray | None:
        value = self._q.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self._q.value("window/state")
        return value if isinstance(value, QByteArray) else None


def _recent_paths(entry: str) -> list[str]:
    """The paths of one recent entry: a JSON list, or (settings of older versions) '|'-joined."""
    if entry.startswith("["):
        try:
            paths = json.loads(entry)
            if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
                return paths
        except ValueError:
            pass
    return entry.split("|")
