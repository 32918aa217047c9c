"""The batch queue's choices kept across sessions: its output folder, the "skip photos already
colorized" box and its method. Restored when the window is built, saved as the user makes them
(the method only when the user picks it: the list is refilled when models come and go)."""
from __future__ import annotations

from pathlib import Path

from colorstudio.gui.batch_panel import BatchPanel
from colorstudio.gui.settings import Settings


def restore_and_remember(panel: BatchPanel, settings: Settings) -> None:
    folder = settings.batch_folder
    if folder is not None:             # never set: the output folder (Tools ▸ Choose the output folder)
        panel.set_out_dir(Path(folder) if folder else None)
    panel.skip_box.setChecked(settings.batch_skip_existing)
    panel.select_method(settings.batch_method)
    panel.outDirChanged.connect(lambda text: setattr(settings, "batch_folder", text))
    panel.skip_box.toggled.connect(lambda on: setattr(settings, "batch_skip_existing", on))
    panel.method_box.activated.connect(
        lambda _i: setattr(settings, "batch_method", panel.method_box.currentData().key))
