"""View ▸ Monitor profile: which colour profile the views are converted to.

A mixin of :class:`colorstudio.gui.main_window.MainWindow` (its ``settings``, ``compare``,
``batch``, ``_choice_menu`` and status bar). The choice is saved (:attr:`Settings.monitor_profile`):
- **From the system** (the default): the profile of the screen the window is on, where the
  system gives one (:func:`~colorstudio.gui.monitor_profile.system_profile`), followed when
  the window moves to another screen; on macOS the system converts the window itself
  (:mod:`~colorstudio.gui.macos_colour`); else sRGB is assumed;
- **sRGB (no conversion)**: the numbers go to the screen as they are;
- **From a profile file…**: a calibrator's .icc/.icm file.

Only the views and the batch thumbnails change: the files written, the pixel readout and the engine are untouched.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from colorstudio.gui.macos_colour import tag_window_srgb
from colorstudio.gui.monitor_profile import SRGB, MonitorProfile, read_profile_file, system_profile

SYSTEM, SRGB_CHOICE, FILE = "system", "srgb", "file"
PROFILE_FOLDERS = {"win32": r"C:\Windows\System32\spool\drivers\color", "darwin": "/Library/ColorSync/Profiles"}


class MonitorMenu:
    def _build_monitor_menu(self, view) -> None:
        labels = {SYSTEM: "From the &system", SRGB_CHOICE: "s&RGB (no conversion)", FILE: "From a profile &file…"}
        self.monitor_actions = self._choice_menu(view.addMenu("&Monitor profile"), labels, "", self.choose_monitor)
        self.monitor_actions[SRGB_CHOICE].setStatusTip("Show the photos' numbers as they are (right on an "
                                                       "sRGB monitor)")
        self._system_monitor: MonitorProfile | None = self._detect_system_monitor()
        if sys.platform == "darwin" and tag_window_srgb(int(self.winId())):
            self.monitor_actions[FILE].setEnabled(False)      # it would be converted twice
        self.apply_monitor_setting()

    def apply_monitor_setting(self) -> MonitorProfile:
        """Convert the views for the saved choice; a profile file that cannot be used any more
        falls back to the system's, and the status bar says why."""
        choice, problem = self.settings.monitor_profile, ""
        if choice == SRGB_CHOICE:
            profile = SRGB
        elif choice != SYSTEM:
            try:
                profile = read_profile_file(choice)
            except ValueError as exc:
                choice, problem = SYSTEM, f"{exc}: the system's profile is used."
        if choice == SYSTEM:
            profile = self._system_monitor or SRGB
        self.compare.set_monitor(profile)
        self.batch.set_monitor(profile)
        self.monitor_actions[choice if choice in (SYSTEM, SRGB_CHOICE) else FILE].setChecked(True)
        self.monitor_actions[SYSTEM].setText("From the &system: " + self._system_text())
        self.monitor_actions[FILE].setText("From a profile &file…" + (f" ({profile.name})" if choice not in
                                                                     (SYSTEM, SRGB_CHOICE) else ""))
        if problem:
            self.statusBar().showMessage(problem, 10000)
        return profile

    def _detect_system_monitor(self) -> MonitorProfile | None:
        """The system's profile for the screen the window is on (see ``system_profile``)."""
        window, screens = self.windowHandle(), QGuiApplication.screens()
        screen = window.screen() if window is not None else None
        index = screens.index(screen) if screen in screens else 0
        return system_profile(int(self.winId()) if sys.platform == "win32" else None, index)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Once shown, the window follows its screen: moved to a screen with another profile,
        the views are converted for that one."""
        super().showEvent(event)
        window = self.windowHandle()
        if window is not None and not getattr(self, "_follows_screen", False):
            self._follows_screen = True
            window.screenChanged.connect(self.screen_changed)
            self.screen_changed()

    def screen_changed(self, *_) -> None:
        found = self._detect_system_monitor()
        if (found and found.icc) == (self._system_monitor and self._system_monitor.icc):
            return
        self._system_monitor = found
        if self.settings.monitor_profile == SYSTEM:
            profile = self.apply_monitor_setting()
            self.statusBar().showMessage(f"This screen's profile is used: {profile.name}.", 6000)
        else:
            self.apply_monitor_setting()          # the menu names the system's profile

    def _system_text(self) -> str:
        if sys.platform == "darwin":
            return "macOS converts the window"
        if self._system_monitor is None:
            return "none given, sRGB assumed"
        return self._system_monitor.name

    def choose_monitor(self, key: str) -> None:
        """A menu choice: saved, then the views are converted again."""
        if key == FILE:
            path, _ = QFileDialog.getOpenFileName(self, "The monitor's colour profile", self._profile_folder(),
                                                  "ICC profiles (*.icc *.icm *.ICC *.ICM);;All files (*)")
            if not path:
                self.apply_monitor_setting()          # the check mark goes back
                return
            try:
                read_profile_file(path)
            except ValueError as exc:
                QMessageBox.warning(self, "Monitor profile", f"{exc}.")
                self.apply_monitor_setting()
                return
            self.settings.monitor_profile = path
        else:
            self.settings.monitor_profile = key
        profile = self.apply_monitor_setting()
        self.statusBar().showMessage(f"The views are shown for the monitor profile {profile.name} "
                                     f"({profile.source}).", 8000)

    def _profile_folder(self) -> str:
        current = self.settings.monitor_profile
        if current not in (SYSTEM, SRGB_CHOICE):
            return str(Path(current).parent)
        folder = PROFILE_FOLDERS.get(sys.platform, "/usr/share/color/icc")
        return folder if Path(folder).is_dir() else str(Path.home())
