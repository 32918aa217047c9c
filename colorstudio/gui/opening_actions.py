"""The main window's opening actions: the Open dialog, the sample pair, files or folders from
the menu, a drop or the command line (discovered in the background: one item is shown, several
go to the batch queue), and showing what was opened.

A mixin of :class:`colorstudio.gui.main_window.MainWindow`: it uses the window's compare view,
side panel, batch panel, history, settings and job slot (``_idle``, ``_run``).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from colorstudio import paths
from colorstudio.core.imageio import FILE_DIALOG_FILTER
from colorstudio.errors import PairError
from colorstudio.gui import jobs
from colorstudio.gui.opening import Opening, opening_steps

IMAGE_FILTER = FILE_DIALOG_FILTER + ";;All files (*)"


def photo_line(photo) -> str:
    """A photo's name over its size and bits a channel ('' for none): a cross-camera pair's
    colour shot is told apart by its size."""
    if photo is None:
        return ""
    w, h = photo.size
    return f"{photo.name}\n{w}×{h}, {photo.bit_depth} bit"


class OpeningActions:
    def open_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Open a gray photo (and its colour reference)", self.settings.last_folder, IMAGE_FILTER)
        if files:
            self.open_paths([Path(f) for f in files])

    def add_to_batch_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder to the batch", self.settings.last_folder)
        if folder:
            self.show_batch()
            self.batch.add_inputs([Path(folder)])

    def _first_start_link(self, link: str) -> None:
        """A link of the side panel's first-start text: 'sample' the bundled pair, else Open."""
        if link == "sample":
            self.open_sample_pair()
        else:
            self.open_dialog()

    def open_sample_pair(self) -> None:
        self.open_paths([paths.examples_dir()])

    def open_paths(self, inputs: list[Path]) -> None:
        """Files/folders from the menu, the command line, recent files or a drop. Made absolute:
        the recent files and the last folder stay right after the working folder changes."""
        inputs = [Path(p).absolute() for p in inputs]
        if not inputs or not self._idle():
            return
        folder = inputs[0] if inputs[0].is_dir() else inputs[0].parent
        if not paths.in_examples(folder):          # the sample pair: File ▸ Open stays in the user's folders
            self.settings.last_folder = str(folder)
        self._run(opening_steps, inputs, on_done=lambda opening: self._discovered(inputs, opening))

    def _discovered(self, inputs: list[Path], opening: Opening) -> None:
        found, items = opening.found, opening.found.items
        if not items:
            lone_colour = len(inputs) == 1 and inputs[0].is_file() and found.unmatched
            if lone_colour and "colour photo" in found.unmatched[0][1]:
                self.open_pair(inputs[0], None)   # re-colorize a colour photo from its luma
                return
            earlier = (f"{len(found.earlier_results)} earlier result(s) of a batch (*_colorized), left out"
                       if found.earlier_results else "")
            reasons = "; ".join([r if r.startswith(p.name) else f"{p.name}: {r}" for p, r in found.unmatched[:3]]
                                + ([earlier] if earlier else [])) or "no image found"
            self._on_error(PairError(f"nothing to colorize here: {reasons}"))
            return
        first = next((i for i in items if i.reference is not None), items[0])   # a pair shows the most
        notes = []
        if len(items) > 1:
            self.show_batch()
            self.batch.add_inputs(inputs)
            where = ("they join the batch queue when the running batch ends" if self.batch.is_running()
                     else "they are in the batch queue")
            notes.append(f"{len(items)} items found: {where}; showing {first.name}.")
        elif found.unmatched:
            notes.append("; ".join(r if r.startswith(p.name) else f"{p.name}: {r}" for p, r in found.unmatched[:2]))
        if opening.note:
            notes.append(opening.note)
        note = " ".join(notes)
        if note:
            self.statusBar().showMessage(note, 12000)
        self.open_pair(first.gray, first.reference, first.name, note)

    def open_pair(self, gray: Path, reference: Path | None, name: str | None = None, note: str = "") -> None:
        """Open a gray photo (and its reference); ``note`` is shown in the status bar once opened."""
        if not self._idle():
            return
        self._run(jobs.open_inputs, gray, reference, name, None, self.settings.colour_space,
                  on_done=lambda opened: self._show_inputs(opened, note))

    def _show_inputs(self, opened: jobs.OpenedInputs, note: str = "", colorize: bool = True) -> None:
        self.inputs, self.result, self.result_unshown = opened, None, False
        self.batch_written = None
        self.history.clear()
        self.before_result = None           # (set_frame below puts the gray back in the split view)
        self.side.show_results([], -1)
        w, h = opened.frame_wh
        self.compare.set_frame(w, h)
        self.compare.set_monitor(photo_icc=opened.output_icc)
        self.compare.set_image("gray", opened.gray_view, opened.gray.pixels)
        self.compare.set_image("reference", opened.reference_view,
                               opened.reference.pixels if opened.reference is not None else None)
        self.compare.set_image("result", None)
        self.compare.set_title("gray", "Gray")
        self.compare.set_title("reference", "Reference")
        self.compare.show_panel("reference", opened.reference is not None)
        self.compare.set_title("result", "Result")
        self.compare.fit()
        self.diagnostics.clear()
        self.side.show_inputs(photo_line(opened.gray), photo_line(opened.reference), opened.checks)
        self.refresh_choices()
        self.side.colorize_button.setEnabled(True)
        files = [opened.gray.path] + ([opened.reference.path] if opened.reference is not None else [])
        self.settings.add_recent(files)
        self.setWindowTitle(f"ColorStudio — {opened.name}")
        self.statusBar().showMessage(f"Opened {opened.name}. " + (note or "Colorize: Ctrl+R."))
        if note:               # the status bar cuts a long note, and a menu hovered clears it: kept here too
            self.side.set_status(note)
        self.opened.emit(opened)
        if self.auto_colorize and colorize:
            self.colorize()
