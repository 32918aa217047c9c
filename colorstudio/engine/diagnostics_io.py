"""Write a colorization's diagnostics: PNG pictures for maps, JSON for the rest."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from colorstudio.core.atomic_files import atomic_write_bytes, same_file
from colorstudio.core.diagnostic_maps import DEFAULT_PALETTE, legend, to_rgb
from colorstudio.core.file_names import name_too_long
from colorstudio.core.image_write import save_photo
from colorstudio.core.output_checks import check_writable_folder
from colorstudio.errors import OutputError


STALE = object()     # a planned file's content: an earlier run's file this run removes


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


def prepare_diagnostics_folder(out_dir: str | Path, result_path: str | Path | None = None) -> Path:
    """Create ``out_dir`` if needed; a one-line OutputError unless files can be written there
    (so that a bad folder is refused before the work, not after the result is written), or when
    it is ``result_path``, the result's own file (a folder made there would refuse the result)."""
    out_dir = Path(out_dir)
    if (too_long := name_too_long(out_dir)) is not None:
        raise OutputError(f"diagnostics: {too_long}")
    if result_path is not None and out_dir.absolute() == Path(result_path).absolute():
        raise OutputError(f"diagnostics: {out_dir} is the result's own file name; choose another folder "
                          "for the diagnostics")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"diagnostics: {out_dir} is a file, not a folder; choose a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the diagnostics folder {out_dir} ({e.strerror})") from None
    check_writable_folder(out_dir, "diagnostics: ")
    return out_dir


def _earlier_info(out_dir: Path) -> dict | None:
    """The info.json of an earlier run's diagnostics in ``out_dir``, as written here, or None."""
    try:
        info = json.loads((out_dir / "info.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and {"method", "seconds"} <= set(info) else None


def earlier_diagnostics(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds an earlier run's diagnostics (its info.json, as written here)."""
    return _earlier_info(out_dir) is not None


def _left_by_the_earlier_run(out_dir: Path, planned: list[Path]) -> list[Path]:
    """The files an earlier run's info.json lists ("files") that this run does not write: a
    ccdc run's visibility maps beside a dis+gf run's info.json would describe another run."""
    listed = (_earlier_info(out_dir) or {}).get("files")
    names = {p.name for p in planned}
    return [out_dir / n for n in listed if isinstance(n, str) and n == Path(n).name and n not in names
            and n.endswith((".png", ".json"))] if isinstance(listed, list) else []


def plan_diagnostics(colorization, out_dir: str | Path, palette: str = DEFAULT_PALETTE,
                     keep: tuple[Path, ...] = ()) -> list[tuple[Path, object]]:
    """The diagnostics' files and contents: one PNG per map (colour-mapped; ``palette``: the
    confidence, visibility and occlusion maps' two colours, core.diagnostic_maps.PALETTES), JSON for curves
    and facts (info.json lists the files), and, as :data:`STALE`, the files an earlier run in
    that folder listed that this one does not replace (they would describe another run). Refuses in one line, before anything is written (the result included), when one
    would replace the colorization's inputs, a file of ``keep`` (the result), or a file of the
    user's: an existing file is replaced only when the folder holds an earlier run's diagnostics."""
    out_dir = prepare_diagnostics_folder(out_dir)
    files: list[tuple[Path, object]] = []
    legends = {}                  # what each PNG's colours stand for: each map is stretched to its own range
    for name, value in colorization.diagnostics.items():
        picture = to_rgb(name, value, palette) if isinstance(value, np.ndarray) else None
        files.append((out_dir / f"{name}.png", picture) if picture is not None else (out_dir / f"{name}.json", value))
        if picture is not None:
            legends[f"{name}.png"] = {"size": [picture.shape[1], picture.shape[0]], **legend(name, value, palette)}
    names = [path.name for path, _ in files] + ["info.json"]
    files.append((out_dir / "info.json", {"method": colorization.method, "seconds": colorization.seconds,
                                          **colorization.info, "files": names, "pictures": legends}))
    protected = [Path(p.path) for p in (getattr(colorization, "gray", None), getattr(colorization, "reference", None))
                 if p is not None and getattr(p, "path", None) is not None] + [Path(k) for k in keep]
    for path, _ in files:
        if any(same_file(path, p) for p in protected):
            raise OutputError(f"diagnostics: refusing to overwrite {path.name} in {out_dir}: it is an input "
                              f"or the result; choose another diagnostics folder")
    stale = [path for path in _left_by_the_earlier_run(out_dir, [path for path, _ in files])
             if not any(same_file(path, p) for p in protected)]
    taken = [path.name for path, _ in files if path.exists()]
    if taken and not earlier_diagnostics(out_dir):
        raise OutputError(f"diagnostics: {out_dir} already holds {', '.join(taken[:3])}"
                          + (f" and {len(taken) - 3} more" if len(taken) > 3 else "")
                          + ", not from an earlier run's diagnostics; choose an empty or new folder")
    return files + [(path, STALE) for path in stale]


def write_planned(files: list[tuple[Path, object]]) -> list[Path]:
    """Write what :func:`plan_diagnostics` planned (and remove what it planned as :data:`STALE`);
    returns the files written. info.json comes first too, marked unfinished: a run stopped
    while it wrote the maps left them without it, and the next run into that folder took them
    for the user's files and refused to run."""
    for path, value in files:
        if value is STALE:
            path.unlink(missing_ok=True)
    for path, value in files:
        if path.name == "info.json" and isinstance(value, dict):
            write_json(path, {**value, "unfinished": True})
    return [save_photo(path, value) if path.suffix == ".png" else write_json(path, value)
            for path, value in files if value is not STALE]


def write_diagnostics(colorization, out_dir: str | Path, palette: str = DEFAULT_PALETTE,
                      keep: tuple[Path, ...] = ()) -> list[Path]:
    """Plan (and refuse, see :func:`plan_diagnostics`), then write the diagnostics; returns the files."""
    return write_planned(plan_diagnostics(colorization, out_dir, palette, keep))
