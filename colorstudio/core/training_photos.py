"""The folder of real colour photos the nets are trained and benchmarked on (training data
only, never shipped), listed one way for every training and every benchmark, so that their
seeded splits see the same files."""
from __future__ import annotations

import os
from pathlib import Path

# COLORSTUDIO_PHOTOS, else ../shared/data/photos beside the checkout, else the project
# machine's /work/shared/data/photos (a checkout made elsewhere, e.g. CI's fresh clone)
_CANDIDATES = [Path(os.environ["COLORSTUDIO_PHOTOS"])] if os.environ.get("COLORSTUDIO_PHOTOS") else [
    Path(__file__).resolve().parents[3] / "shared" / "data" / "photos", Path("/work/shared/data/photos")]
DEFAULT_PHOTOS = next((c for c in _CANDIDATES if c.is_dir()), _CANDIDATES[0])
EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
EVALUATION_PAIR = ("motorcycle", "middlebury")      # the benchmark's pair: never trained on


def list_photos(folder: Path | str | None = None) -> list[Path]:
    """The photos of ``folder`` (default :data:`DEFAULT_PHOTOS`), sorted by name, never the
    evaluation pair; [] when there is no such folder (a checkout without the shared photos)."""
    folder = Path(folder) if folder is not None else DEFAULT_PHOTOS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in EXTENSIONS
                  and not any(name in p.name.lower() for name in EVALUATION_PAIR))
