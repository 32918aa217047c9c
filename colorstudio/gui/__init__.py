"""The desktop app (PySide6 + pyqtgraph): the only package of ColorStudio that imports Qt.

Entry point: :func:`colorstudio.gui.app.main` (``colorstudio-gui``).
"""
