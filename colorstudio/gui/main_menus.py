"""The main window's menu bar: File (open, recent, export), View, Tools, Help.

A mixin of :class:`colorstudio.gui.main_window.MainWindow`: the actions call its methods.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from colorstudio.engine.device import DEVICES
from colorstudio.gui.split_modes import RESULT, SIDE_BY_SIDE, SPLIT

PALETTE_LABELS = {"red-green": "&Red and green (as in the papers)",
                  "orange-blue": "&Orange and blue (for any colour vision)"}
SPACE_LABELS = {"auto": "&As the photos (a Display P3 colour shot stays P3)",
                "srgb": "&sRGB (for the web and viewers without colour management)"}
DEVICE_LABELS = {"auto": "&Automatic (GPU if there is one)", "cpu": "&CPU", "cuda": "&NVIDIA GPU (CUDA)",
                 "mps": "Apple &GPU (MPS)"}


class MainMenus:
    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _choice_menu(self, menu, labels: dict[str, str], current: str, choose) -> dict:
        """One checkable action per setting value (key -> label), the current one checked;
        picking one calls ``choose(key)``. Returns the actions by key."""
        group, actions = QActionGroup(self), {}
        for key, text in labels.items():
            action = self._action(menu, text, lambda _=False, k=key: choose(k))
            action.setCheckable(True)
            action.setChecked(key == current)
            group.addAction(action)
            actions[key] = action
        return actions

    def show_shortcuts(self):
        """Help ▸ Keyboard shortcuts: the dialog (kept, so a test or a second press finds it: the
        second F1 brings it to the front instead of opening another)."""
        from colorstudio.gui.shortcuts_dialog import show_shortcuts

        if getattr(self, "shortcuts_dialog", None) is None:
            self.shortcuts_dialog = show_shortcuts(self, self.menuBar())
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()
        self.shortcuts_dialog.activateWindow()
        return self.shortcuts_dialog

    def toggle_full_screen(self) -> None:
        """The window over the whole screen (F11), or back."""
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.follow_full_screen()

    def follow_full_screen(self) -> None:
        """The menu's check follows the window's state, however it changed (F11, the window
        manager, a restored geometry)."""
        self.full_screen_action.setChecked(self.isFullScreen())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.WindowStateChange and hasattr(self, "full_screen_action"):
            self.follow_full_screen()
        super().changeEvent(event)

    def escape(self) -> None:
        """Escape: cancels the running Colorize; with none, leaves full screen (never enters it)."""
        if self.worker is not None:
            self.cancel_job()
        elif self.isFullScreen():
            self.toggle_full_screen()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open,
                     "open a gray photo, or a gray photo and its colour reference")
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(file, "Add to &batch…", self.add_to_batch_dialog)
        file.addSeparator()
        self.export_action = self._action(file, "&Export result…", self.export_dialog, "Ctrl+E")
        self.export_diag_action = self._action(file, "Export &diagnostics…", self.export_diagnostics_dialog)
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        view = bar.addMenu("&View")
        group = QActionGroup(self)
        self.side_action = self._action(view, "&Side by side", lambda: self.set_mode(SIDE_BY_SIDE), "1")
        self.split_action = self._action(view, "Before/after s&plit", lambda: self.set_mode(SPLIT), "2")
        self.result_action = self._action(view, "&Result alone", lambda: self.set_mode(RESULT), "3")
        self.mode_actions = {SIDE_BY_SIDE: self.side_action, SPLIT: self.split_action, RESULT: self.result_action}
        for a in self.mode_actions.values():
            a.setCheckable(True)
            group.addAction(a)
        self.side_action.setChecked(True)
        self.before_action = self._action(view, "Result alone: show the &before side",
                                          self.compare.toggle_before, "\\",
                                          tip="Blink between the result and the gray (or the result "
                                              "chosen to compare with)")
        view.addSeparator()
        self._action(view, "&Fit", self.compare.fit, [QKeySequence("F"), QKeySequence("Ctrl+0")])
        self._action(view, "&100%", lambda: self.compare.actual_size(), "Ctrl+1")
        self._action(view, "Fit ↔ 100% (under the mouse; or double-click)", lambda: self.compare.toggle_zoom(), "Z")
        self._action(view, "Zoom &in", lambda: self.compare.zoom_by(1.25), [QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self._action(view, "Zoom &out", lambda: self.compare.zoom_by(0.8), "Ctrl+-")
        view.addSeparator()
        self.other_result_actions = [
            self._action(view, "Pre&vious result of these photos", lambda: self.show_other_result(-1), "["),
            self._action(view, "&Next result of these photos", lambda: self.show_other_result(1), "]")]
        view.addSeparator()
        for dock in (self.side_dock, self.diagnostics, self.batch_dock):
            view.addAction(dock.toggleViewAction())
        self.full_screen_action = self._action(view, "F&ull screen", self.toggle_full_screen, "F11")
        self.full_screen_action.setCheckable(True)
        view.addSeparator()
        self._build_monitor_menu(view)
        self.palette_actions = self._choice_menu(view.addMenu("Diagnostic co&lours"), PALETTE_LABELS,
                                                 self.settings.diagnostics_palette, self.set_diagnostics_palette)

        tools = bar.addMenu("&Tools")
        self.colorize_action = self._action(tools, "&Colorize", self.colorize, "Ctrl+R")
        self.cancel_action = self._action(tools, "C&ancel colorizing", self.escape, "Escape",
                                          "cancel the running Colorize (with none, Escape leaves full screen)")
        self._action(tools, "Show/hide the &batch queue", self.toggle_batch, "Ctrl+B")
        self._action(tools, "&Fine-tune on my camera pairs…", self.open_finetune_wizard)
        self._action(tools, "Add a &model file…", self.add_model_dialog,
                     tip="copy a model made elsewhere (colorstudio finetune --out, a colleague's) into your "
                         "models folder, after checking that it runs; the method picker then offers it")
        self._action(tools, "S&how my models folder", self.show_models_folder)
        self._action(tools, "Choose the &output folder…", self.choose_output_folder)
        self.device_actions = self._choice_menu(tools.addMenu("Compute &device (learned methods)"),
                                                {k: DEVICE_LABELS[k] for k in DEVICES}, self.settings.device,
                                                self.set_device)
        self.colour_space_actions = self._choice_menu(tools.addMenu("Result colour &space"), SPACE_LABELS,
                                                      self.settings.colour_space, self.set_colour_space)

        for menu in (file, view, tools):       # greyed where they can do nothing now; enabled again
            menu.aboutToShow.connect(self._update_menu_states)       # once the menu closes, so their
            menu.aboutToHide.connect(self._enable_menu_actions)      # keys work when the state changes

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Open &sample pair", self.open_sample_pair)
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, "Show the &log file", self.show_log)
        self._action(help_menu, "&About ColorStudio", self.show_about)

    def _update_menu_states(self) -> None:
        """Colorize only with photos open and no job running; export only with a result; the
        blink key only in the result alone view with a result; previous/next only with two
        results or more."""
        self.colorize_action.setEnabled(self.side.colorize_button.isEnabled())
        for action in (self.export_action, self.export_diag_action):
            action.setEnabled(self.result is not None)
        self.cancel_action.setEnabled(self.worker is not None)
        self.before_action.setEnabled(self.compare.mode == RESULT and self.result is not None)
        for action in self.other_result_actions:
            action.setEnabled(len(self.history.entries) > 1)

    def _enable_menu_actions(self) -> None:
        for action in [self.colorize_action, self.cancel_action, self.before_action, self.export_action,
                       self.export_diag_action, *self.other_result_actions]:
            action.setEnabled(True)

    def set_device(self, key: str) -> None:
        """Where learned methods run from now on (saved in the settings)."""
        self.settings.device = key
        self.device_actions[key].setChecked(True)
        self.statusBar().showMessage(f"Learned methods will run on: {DEVICE_LABELS[key].replace('&', '')}.", 6000)

    def set_diagnostics_palette(self, key: str) -> None:
        """The confidence, visibility and occlusion maps' colours, in the dock and in exported diagnostics."""
        self.settings.diagnostics_palette = key
        self.palette_actions[key].setChecked(True)
        self.diagnostics.set_palette(key)

    def set_colour_space(self, key: str) -> None:
        """The results' colour space from the next photos opened (saved in the settings); the
        open ones keep theirs, so that their views and results stay in one space."""
        self.settings.colour_space = key
        self.colour_space_actions[key].setChecked(True)
        message = f"Results will be in: {SPACE_LABELS[key].replace('&', '')}."
        if self.inputs is not None and self.inputs.colour_space != key:
            message += " The open photos keep theirs: open them again to change it."
        self.statusBar().showMessage(message, 10000)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        entries = self.settings.recent()
        for files in entries:
            label = "  +  ".join(f.name for f in files)
            action = self.recent_menu.addAction(label)
            action.setToolTip("\n".join(str(f) for f in files))
            action.triggered.connect(lambda _=False, fs=files: self.open_paths(fs))
        if not entries:
            self.recent_menu.addAction("(nothing yet)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self.settings.clear_recent)
