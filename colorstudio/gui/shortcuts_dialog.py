"""Help ▸ Keyboard shortcuts: every menu command that has a shortcut, read from the menus
themselves (so the list cannot drift from what the keys do), plus the mouse gestures of the
compare view."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMenuBar, QVBoxLayout, QWidget

from colorstudio.gui.scroll_areas import in_scroll_area

MOUSE = [("Wheel", "Zoom at the mouse"), ("Drag", "Pan (all views together)"),
         ("Double click", "Fit ↔ 100% at that point"), ("Drag the yellow line", "Move the split")]
VIEW_KEYS = [("Arrows (Shift: further)", "Pan"), ("Alt+Left / Alt+Right", "Move the split line"),
             ("Esc", "Leave full screen")]    # keys of the photo view, not menu actions


def shortcut_rows(bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for each menu action with a shortcut, in menu order."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu_title: str, actions: list[QAction]) -> None:
        for action in actions:
            if action.menu() is not None:
                walk(menu_title, action.menu().actions())
            else:       # a platform without a standard key (Quit on Windows) has an empty one
                keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                        if not k.isEmpty()]
                if keys:
                    rows.append((menu_title, action.text().replace("&", ""), ", ".join(keys)))

    for top in bar.actions():
        if top.menu() is not None:
            walk(top.text().replace("&", ""), top.menu().actions())
    return rows


def show_shortcuts(parent: QWidget, bar: QMenuBar) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    layout = QVBoxLayout(dialog)
    cells = "".join(f"<tr><td><b>{keys}</b></td><td>{command}</td><td style='color:#9e9e9e'>{menu}</td></tr>"
                    for menu, command, keys in shortcut_rows(bar))
    cells += "".join(f"<tr><td><b>{what}</b></td><td>{does}</td><td style='color:#9e9e9e'>photos</td></tr>"
                     for what, does in VIEW_KEYS)
    cells += "".join(f"<tr><td><b>{what}</b></td><td>{does}</td><td style='color:#9e9e9e'>mouse</td></tr>"
                     for what, does in MOUSE)
    label = QLabel(f"<table cellspacing='6'>{cells}</table>")
    label.setContentsMargins(0, 0, 12, 0)      # room for a scroll bar
    layout.addWidget(in_scroll_area(label, across=True), 1)   # taller than a 540 px screen at 200 %
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    screen = parent.screen().availableGeometry()
    m = layout.contentsMargins()
    want = label.sizeHint() + QSize(m.left() + m.right(), buttons.sizeHint().height() + layout.spacing()
                                    + m.top() + m.bottom() + 4)
    dialog.resize(min(want.width(), screen.width() * 9 // 10), min(want.height(), screen.height() * 9 // 10))
    dialog.show()
    return dialog
