"""Write a colorization's diagnostics: PNG pictures for maps, JSON for the rest."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from colorstudio.core.diagnostic_maps import DEFAULT_PALETTE, to_rgb
from colorstudio.core.image_write import atomic_write_bytes, check_writable_folder, same_file, save_photo
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


def prepare_diagnostics_folder(out_dir: str | Path) -> Path:
    """Create ``out_dir`` if needed; a one-line OutputError unless files can be written there
    (so that a bad folder is refused before the work, not after the result is written)."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the diagnostics folder {out_dir} ({e.strerror})") from None
    check_writable_folder(out_dir, "diagnostics: ")
    return out_dir


def earlier_diagnostics(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds an earlier run's diagnostics (its info.json, as written here)."""
    try:
        info = json.loads((out_dir / "info.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and {"method", "seconds"} <= set(info)


def plan_diagnostics(colorization, out_dir: str | Path, palette: str = DEFAULT_PALETTE,
                     keep: tuple[Path, ...] = ()) -> list[tuple[Path, object]]:
    """The diagnostics' files and contents: one PNG per map (colour-mapped; ``palette``: the
    confidence and visibility maps' two colours, core.diagnostic_maps.PALETTES), JSON for curves
    and facts. Refuses in one line, before anything is written (the result included), when one
    would replace the colorization's inputs, a file of ``keep`` (the result), or a file of the
    user's: an existing file is replaced only when the folder holds an earlier run's diagnostics."""
    out_dir = prepare_diagnostics_folder(out_dir)
    files: list[tuple[Path, object]] = []
    for name, value in colorization.diagnostics.items():
        picture = to_rgb(name, value, palette) if isinstance(value, np.ndarray) else None
        files.append((out_dir / f"{name}.png", picture) if picture is not None else (out_dir / f"{name}.json", value))
    files.append((out_dir / "info.json", {"method": colorization.method, "seconds": colorization.seconds,
                                          **colorization.info}))
    protected = [Path(p.path) for p in (getattr(colorization, "gray", None), getattr(colorization, "reference", None))
                 if p is not None and getattr(p, "path", None) is not None] + [Path(k) for k in keep]
    for path, _ in files:
        if any(same_file(path, p) for p in protected):
            raise OutputError(f"diagnostics: refusing to overwrite {path.name} in {out_dir}: it is an input "
                              f"or the result; choose another diagnostics folder")
    taken = [path.name for path, _ in files if path.exists()]
    if taken and not earlier_diagnostics(out_dir):
        raise OutputError(f"diagnostics: {out_dir} already holds {', '.join(taken[:3])}"
                          + (f" and {len(taken) - 3} more" if len(taken) > 3 else "")
                          + ", not from an earlier run's diagnostics; choose an empty or new folder")
    return files


def write_planned(files: list[tuple[Path, object]]) -> list[Path]:
    """Write what :func:`plan_diagnostics` planned; returns the files."""
    return [save_photo(path, value) if path.suffix == ".png" else write_json(path, value) for path, value in files]


def write_diagnostics(colorization, out_dir: str | Path, palette: str = DEFAULT_PALETTE,
                      keep: tuple[Path, ...] = ()) -> list[Path]:
    """Plan (and refuse, see :func:`plan_diagnostics`), then write the diagnostics; returns the files."""
    return write_planned(plan_diagnostics(colorization, out_dir, palette, keep))
