"""The main window's export actions: the result (at the strength the slider shows) and its
diagnostics, written in the background.

A mixin of :class:`colorstudio.gui.main_window.MainWindow`: it uses the window's result,
inputs, settings, side panel and job slot (``_idle``, ``_run``).
"""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from colorstudio import paths
from colorstudio.core.atomic_files import free_path, same_file
from colorstudio.core.colour_management import profile_name
from colorstudio.core.earlier_results import RESULT_SUFFIX
from colorstudio.core.image_write import output_notes
from colorstudio.core.output_formats import FORMAT_ALIASES
from colorstudio.core.pair_names import without_gray_tag
from colorstudio.gui import jobs
from colorstudio.errors import OutputError
from colorstudio.gui.error_dialog import show_error
from colorstudio.gui.export_dialog import SIXTEEN_BIT, ExportDialog
from colorstudio.gui.workers import GeneratorWorker


def output_stem(name: str) -> str:
    """'scene_mono' -> 'scene_colorized'; a tag inside the name stays ('my_monolith')."""
    return without_gray_tag(name) + RESULT_SUFFIX


class ExportActions:
    def _default_output(self) -> Path:
        """Beside the gray photo (or in the chosen output folder): '<name>_colorized', and the
        result's name in the list too when several results of these photos are kept (its method or
        model, with its colour strength beside another of its method: each export its own file).
        No extension: the name may hold dots of its own ('2021.06.14_colorized')."""
        chosen = self.settings.output_dir     # a folder since removed or unplugged: beside the photo
        folder = chosen if chosen is not None and chosen.is_dir() else (
            self.inputs.gray.path.parent if self.inputs else Path.home())
        if paths.in_examples(folder):   # the sample pair: not into the app's own folder
            folder = paths.results_home()
        name = output_stem(self.inputs.name if self.inputs else "result")
        if len(self.history.entries) > 1 and self.result is not None:   # the result's name in the list:
            listed = self.history.index(self.result)       # its strength too beside another of its method
            shown = self.history.names()[listed] if listed >= 0 else self.result.colorization.method
            name += "_" + re.sub(r"[^\w.+-]+", "-", shown).strip("-")
        return folder / name

    def _nothing_to_export(self) -> bool:
        """Before a result the export keys say why they do nothing (their menu entries are greyed)."""
        if self.result is None and self.batch_written is not None:
            self.statusBar().showMessage(f"Nothing to export: {self.batch_written.name} is written already. "
                                         "Colorize (Ctrl+R) to make a result here.", 5000)
        elif self.result is None:
            first = "Open a gray photo first" if self.inputs is None else "Colorize first (Ctrl+R)"
            self.statusBar().showMessage(f"Nothing to export yet. {first}.", 5000)
        return self.result is None

    def export_dialog(self) -> None:
        if self._nothing_to_export() or not self._idle():
            return
        dialog = ExportDialog(self._default_output(), self.settings.export_format, self.settings.export_bit_depth,
                              self.settings.jpeg_quality, self.inputs.gray.bit_depth, self)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        opts = dialog.options()
        fmt = FORMAT_ALIASES.get(opts.path.suffix.lower(), opts.path.suffix.lower())    # '.tiff' is '.tif'
        self.settings.export_format = fmt
        if fmt in SIXTEEN_BIT:         # an 8-bit-only format had no choice: the remembered one stays
            self.settings.export_bit_depth = opts.bit_depth or 0
        self.settings.jpeg_quality = opts.jpeg_quality
        c = self.result.colorization
        if any(p is not None and p.path is not None and same_file(opts.path, p.path) for p in (c.gray, c.reference)):
            refusal = OutputError(f"{opts.path.name}: refusing to overwrite an input file; choose another name")
            self.side.set_status(f"Not written: {refusal}")
            show_error(self, refusal, context="exporting")
            return                                  # said before any "Replace?" question
        if opts.path.exists():
            answer = QMessageBox.question(self, "Replace?", f"{opts.path.name} exists. Replace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        # the diagnostics in a folder of their own: never an earlier result's maps beside these
        diagnostics = free_path(opts.diagnostics_dir, folder=True) if opts.diagnostics_dir else None
        self.export_to(opts.path, opts.bit_depth, opts.jpeg_quality, diagnostics)

    def export_to(self, path: Path, bit_depth: int | None = None, jpeg_quality: int = 95,
                  diagnostics_dir: Path | None = None) -> GeneratorWorker | None:
        if self.result is None or not self._idle():
            return None
        icc = self.result.colorization.output_icc
        space = f" (in {profile_name(icc)})" if icc else ""        # sRGB goes without saying
        notes = output_notes(path, self.result.colorization.gray, bit_depth)   # e.g. 16-bit into a JPEG
        return self._run(jobs.export_result, self.result.colorization, path, bit_depth, jpeg_quality,
                         diagnostics_dir, self._pending_strength(), self.settings.diagnostics_palette,
                         on_done=lambda written: self._exported(written, space, notes))

    def _pending_strength(self) -> float | None:
        """The factor the slider asks for if the shown result is not at it yet (the live
        change has not caught up): exports apply it first, so a file has the strength shown."""
        return jobs.strength_change(self.result.colorization, self.side.saturation())

    def export_diagnostics_dialog(self) -> None:
        if self._nothing_to_export() or not self._idle():
            return
        folder = QFileDialog.getExistingDirectory(self, "Export diagnostics to", str(self._default_output().parent))
        if folder:
            # a folder of its own: never another result's maps beside this one's info.json
            target = free_path(Path(folder) / f"{self.inputs.name}_diagnostics", folder=True)
            self._run(jobs.export_diagnostics, self.result.colorization, target, self._pending_strength(),
                      self.settings.diagnostics_palette,
                      on_done=lambda written: self._diagnostics_exported(target, written))

    def _diagnostics_exported(self, folder: Path, written: list[Path]) -> None:
        """Says how many files went into which folder (not the first map's name)."""
        message = f"Written: {len(written)} diagnostics file{'s' if len(written) != 1 else ''} in {folder}"
        self.side.set_progress(1.0, "written")
        self.side.set_status(message)
        self.statusBar().showMessage(message, 8000)

    def _exported(self, written: list[Path], space: str = "", notes: list[str] = ()) -> None:
        """``space``: the result file's colour space in words, when it is not sRGB; ``notes``:
        what the file's format left out (:func:`~colorstudio.core.image_write.output_notes`)."""
        more = f" (+{len(written) - 1} diagnostics files in {written[1].parent.name})" if len(written) > 1 else ""
        self.side.set_progress(1.0, "written")      # the job's last step was below 100 %
        self.side.set_status(f"Written: {written[0]}{space}{more}" + "".join(f"; {n}" for n in notes))
        self.statusBar().showMessage(f"Written {written[0]}{space}", 8000)
