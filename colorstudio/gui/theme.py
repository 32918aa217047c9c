"""A dark palette (photo apps show pictures on neutral dark gray so colours are judged fairly)."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


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
