"""A dark palette (photo apps show pictures on neutral dark gray so colours are judged fairly)."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


# Fusion outlines an unticked box or radio in the window colour darkened: 1.2:1 against this
# window, a smudge; a light border gives it the 3:1 controls need (the ticked ones keep Fusion's)
UNTICKED_INDICATORS = """
QCheckBox::indicator:unchecked { border: 1px solid #8a8a8a; background: #1e1f22; width: 12px; height: 12px;
                                 border-radius: 2px; }
QRadioButton::indicator:unchecked { border: 1px solid #8a8a8a; background: #1e1f22; width: 12px; height: 12px;
                                    border-radius: 7px; }
QCheckBox::indicator:unchecked:disabled, QRadioButton::indicator:unchecked:disabled { border-color: #555555; }
"""


def apply_dark_palette(app: QApplication) -> None:
    p = QPalette()
    base, window, text, mid = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e0e0e0"), QColor("#3a3c41")
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: mid,
        QPalette.ColorRole.ToolTipBase: window, QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: mid,
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.BrightText: QColor("#ff5252"),
        QPalette.ColorRole.Highlight: QColor("#3d7bd9"), QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor("#64b5f6"), QPalette.ColorRole.PlaceholderText: QColor("#8a8a8a"),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    app.setPalette(p)
    app.setStyleSheet(app.styleSheet() + UNTICKED_INDICATORS)


def apply_app_icon(app: QApplication) -> None:
    """The ColorStudio icon on every window, at every size the icons folder has, and the
    desktop file's name (Wayland and the Linux docks match the window to it)."""
    from PySide6.QtGui import QIcon

    from colorstudio import paths

    icon = QIcon()
    for png in sorted((paths.resources_dir() / "icons").glob("colorstudio_*.png")):
        icon.addFile(str(png))
    if not icon.isNull():
        app.setWindowIcon(icon)
    app.setDesktopFileName("colorstudio")
