"""Write a colorization's diagnostics: PNG pictures for maps, JSON for the rest."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from colorstudio.core.diagnostic_maps import DEFAULT_PALETTE, to_rgb
from colorstudio.core.image_write import atomic_write_bytes, save_photo
from colorstudio.errors import OutputError


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: Path, data) -> Path:
    atomic_write_bytes(path, json.dumps(_jsonable(data), indent=1).encode("utf-8"))
    return path


def write_diagnostics(colorization, out_dir: str | Path, palette: str = DEFAULT_PALETTE) -> list[Path]:
    """One PNG per map diagnostic (colour-mapped; ``palette``: the confidence and visibility
    maps' two colours, core.diagnostic_maps.PALETTES), JSON for curves and facts; returns the files."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the diagnostics folder {out_dir} ({e.strerror})") from None
    written: list[Path] = []
    for name, value in colorization.diagnostics.items():
        if isinstance(value, np.ndarray):
            picture = to_rgb(name, value, palette)
            if picture is not None:
                written.append(save_photo(out_dir / f"{name}.png", picture))
                continue
        written.append(write_json(out_dir / f"{name}.json", value))
    written.append(write_json(out_dir / "info.json",
                              {"method": colorization.method, "seconds": colorization.seconds,
                               **colorization.info}))
    return written
