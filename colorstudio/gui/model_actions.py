"""Tools ▸ Add a model file… and Tools ▸ Show my models folder: a model made elsewhere (by
``colorstudio finetune -o FILE``, or sent by a colleague) is checked and copied into the
user's models folder, where the method picker offers it. The check loads torch and the net,
so it runs as a job (the window stays responsive); the user's file is never moved or changed."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from colorstudio import paths
from colorstudio.engine.methods import PAIR, get as get_method
from colorstudio.gui import jobs


class ModelActions:
    """Mixed into the main window (``_run``, ``_idle``, ``settings``, ``side``, ``refresh_choices``)."""

    def add_model_dialog(self) -> None:
        if not self._idle():
            return
        name, _ = QFileDialog.getOpenFileName(self, "Add a model file", self.settings.last_folder or str(Path.home()),
                                              "ColorStudio models (*.safetensors);;All files (*)")
        if name:
            self.add_model_file(Path(name))

    def add_model_file(self, source: Path):
        """Check and copy ``source`` into the models folder (a job); the picker then shows it."""
        if not self._idle():
            return None
        return self._run(jobs.add_model_file, source, on_done=self._model_added)

    def _model_added(self, added: tuple[Path, str]) -> None:
        target, method = added
        key = f"model:{target}"
        pair = get_method(method).kind == PAIR
        self.settings.set_model_choice(pair, key)       # chosen for its kind of input from now on
        self.refresh_choices(key)
        chosen = self.side.current_choice()
        later = "" if chosen is not None and chosen.key == key else \
            f"; it is chosen when you open {'a pair' if pair else 'a single gray'}"
        message = f"Added {target.stem} ({method}, for {'pairs' if pair else 'single grays'}) to your models{later}"
        self.side.set_progress(1.0, "added")
        self.side.set_status(message)
        self.statusBar().showMessage(message, 8000)

    def show_models_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.user_models_dir())))
