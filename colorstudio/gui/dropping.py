"""Files and folders dropped on a widget (from QMimeData)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData


def paths_from_mime(mime: QMimeData | None) -> list[Path]:
    """The local files/folders in ``mime`` (URLs that are not local files are ignored)."""
    if mime is None or not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.exists():
                out.append(path)
    return out
