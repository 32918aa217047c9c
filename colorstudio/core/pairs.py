"""Finding gray+colour pairs (and single grays) in folders and dropped files.

Recognised, in this order (a file used by one scheme is not used again):

1. A CSV manifest (:mod:`colorstudio.core.pair_manifest`): ``pairs.csv`` in a given folder (or passed explicitly, or
   dropped as a file) with columns ``gray,reference[,output]``; paths relative to
   the CSV; an empty reference means a single gray. A header row is optional.
2. ``mono/`` + ``color/`` (or ``colour/``, ``gray/``/``grey/`` + ``rgb/``) sibling
   folders holding files with matching stems (``mono/x.jpg`` + ``color/x.png``).
3. Name suffixes (case-insensitive, ``_`` or ``-`` before them):
   ``x_mono`` + ``x_color``/``x_colour``/``x_rgb``, ``x_gray``/``x_grey`` + ``x_rgb``,
   and ``x_L`` + ``x_R`` where ``lr_mono_side`` says which side is the mono camera.
4. Anything else: a gray file is a single gray (so is an RGB file that is gray to the eye:
   equal channels, a scanner's faint cast, or one tint all over as a sepia print's scan;
   :mod:`colorstudio.core.gray_input`, through :mod:`colorstudio.core.photo_kind`); a colour
   file is reported as unmatched.

A role declared by a name or folder makes pairs without opening the files; a file left without
its partner is opened: a single gray when it is gray, else reported (a colour photo is never
colorized alone, whatever its name).
Nothing here raises for a bad file: it lands in :attr:`Discovery.unmatched` with a
plain reason.
"""
from __future__ import annotations

import csv
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Generator, Iterable

from colorstudio.core.earlier_results import is_earlier_result, is_result_in
from colorstudio.core.file_names import name_too_long
from colorstudio.core.folder_files import visible_files
from colorstudio.core.generator_steps import run_to_end
from colorstudio.core.imageio import READ_EXTENSIONS
from colorstudio.core.pair_items import (NOT_A_FILE, REASON_COLOUR_ALONE, REASON_NOT_IMAGE, Discovery, FoundFile,
                                        LoneFile, PairItem)
from colorstudio.core.pair_manifest import MANIFEST_NAME, read_manifest
from colorstudio.core.pair_names import ROLES, name_key
from colorstudio.core.pair_roles import folder_pass, name_pass
from colorstudio.core.photo_kind import GRAY, check_readable, classify_reason
from colorstudio.errors import ColorStudioError

__all__ = ["COMPARING", "REASON_COLOUR_ALONE", "REASON_NOT_IMAGE", "Discovery", "Looking", "PairItem", "discover",
           "discover_steps"]

READING, LOOKING, COMPARING = "reading", "looking", "comparing"   # the stages of :class:`Looking`
READ_SHARE = 0.2                              # READING's part of :attr:`Looking.fraction`


@dataclass(frozen=True)
class Looking:
    """:func:`discover_steps`' progress: ``done`` of ``total`` files through a stage, READING
    (each file's header: can it be read at all) or LOOKING (the pixels of a file without a
    partner: a gray photo or a colour one; a whole decode for a PNG or a TIFF)."""

    stage: str
    done: int
    total: int

    @property
    def fraction(self) -> float:
        """How far the looking got, 0..1: reading the headers is its first fifth (the pixels of a
        lone PNG take far longer than a header)."""
        part = self.done / self.total if self.total else 1.0
        if self.stage == COMPARING:                 # a batch's own stage, after the looking
            return part
        return READ_SHARE * part if self.stage == READING else READ_SHARE + (1 - READ_SHARE) * part

    @property
    def message(self) -> str:
        if self.stage == READING:
            return f"looking for pairs: {self.done} of {self.total} files read"
        if self.stage == COMPARING:
            return f"telling which photo each earlier result was made from: {self.done} of {self.total}"
        return f"telling gray photos from colour ones: {self.done} of {self.total} looked at"


# ------------------------------------------------------------------ collecting
def _collect(inputs: Iterable[str | os.PathLike], recursive: bool,
             unmatched: list, exclude: Path | None = None) -> tuple[list[FoundFile], list[Path]]:
    files: dict[Path, FoundFile] = {}
    manifests: list[Path] = []

    def add(path: Path, root: Path | None) -> None:
        key = path.resolve()
        if key not in files or (files[key].root is None and root is not None):
            files[key] = FoundFile(path, root)      # found in a given folder: its mono/ + color/ count

    for raw in inputs:
        path = Path(raw).expanduser()
        if (too_long := name_too_long(path)) is not None:      # asking the system would raise
            unmatched.append((path, f"not found ({too_long})"))
        elif not path.exists():
            unmatched.append((path, "not found"))
        elif path.is_dir():
            unreadable: list[tuple[Path, str]] = []
            not_files: list[Path] = []
            for f in visible_files(path, recursive, exclude, unreadable, not_files):
                if f.name.lower() == MANIFEST_NAME:
                    manifests.append(f)
                elif f.suffix.lower() in READ_EXTENSIONS:
                    add(f, path)
            unmatched += [(folder, f"the folder cannot be read ({why})") for folder, why in unreadable]
            unmatched += [(f, NOT_A_FILE) for f in not_files if f.suffix.lower() in READ_EXTENSIONS]
        elif path.suffix.lower() == ".csv":
            manifests.append(path)
        elif path.suffix.lower() in READ_EXTENSIONS:
            add(path, None)
        else:
            unmatched.append((path, REASON_NOT_IMAGE))
    return list(files.values()), manifests


# ------------------------------------------------------------------ manifest
def _wrong_code_page(rows) -> bool:
    """Whether a manifest read in Windows' Western code page was written in another: names in
    another alphabet come out garbled, so none of its non-ASCII names is found (one that is, say
    café1.png, shows the code page is right, and a missing one is a typo, said row by row)."""
    if not rows or not rows[0].code_page:
        return False
    named = [p for row in rows for p in (row.gray, row.reference) if p is not None and not p.name.isascii()]
    return bool(named) and not any(name_too_long(p) is None and p.is_file() for p in named)


def _read_manifest(csv_path: Path, unmatched: list, claimed: set[Path]) -> list[PairItem]:
    """The good rows' items. Every file a row names is ``claimed``, a bad row's too: a typo in a
    reference must not turn its gray into a single gray colorized without it."""
    try:
        rows = read_manifest(csv_path)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        unmatched.append((csv_path, f"the manifest cannot be read ({e})"))
        return []
    if _wrong_code_page(rows):
        unmatched.append((csv_path, f"the manifest cannot be read: it is not UTF-8, and read as {rows[0].code_page} "
                                    "none of the names it lists with accents or other alphabets is found; save it as "
                                    "\"CSV UTF-8\""))
        return []
    items = []
    for row in rows:
        where = f"listed in {csv_path.name} line {row.line}"
        if row.gray is None:
            unmatched.append((csv_path, f"{csv_path.name} line {row.line} has no gray file"))
            continue
        bad = False
        for p in (row.gray, row.reference):
            if p is None:
                continue
            claimed.add(p.resolve())
            if name_too_long(p) is not None or not p.is_file():
                unmatched.append((p, f"{where} but not found"))
                bad = True
            elif p.suffix.lower() not in READ_EXTENSIONS:
                unmatched.append((p, f"{where} but {REASON_NOT_IMAGE}"))
                bad = True
            elif reason := check_readable(p):
                unmatched.append((p, reason))
                bad = True
        if not bad:
            items.append(PairItem(row.gray, row.reference, (row.output or row.gray).stem,
                                  _relative_output(row.output, csv_path.parent)))
    return items


def _relative_output(output: Path | None, base: Path) -> Path | None:
    """A manifest's output below its folder, as a relative path (its subfolders are kept in the
    batch's output folder); one outside it (``../x.png``, ``/elsewhere/x.png``): its name."""
    if output is None:
        return None
    try:
        rel = Path(os.path.normpath(output)).relative_to(Path(os.path.normpath(base)))
    except ValueError:
        return Path(output.name)
    return rel if ".." not in rel.parts else Path(output.name)


# ------------------------------------------------------------------ public
def discover(inputs: Iterable[str | os.PathLike], lr_mono_side: str = "L",
             manifest: str | os.PathLike | None = None, recursive: bool = True,
             exclude: str | os.PathLike | None = None) -> Discovery:
    """:func:`discover_steps` run to its end (its progress unheard)."""
    return run_to_end(discover_steps(inputs, lr_mono_side, manifest, recursive, exclude))


def discover_steps(inputs: Iterable[str | os.PathLike], lr_mono_side: str = "L",
                   manifest: str | os.PathLike | None = None, recursive: bool = True,
                   exclude: str | os.PathLike | None = None) -> Generator[Looking, None, Discovery]:
    """Find pairs and single grays in ``inputs`` (folders and/or files), yielding
    :class:`Looking` after each file read or looked at (a folder of a thousand PNGs takes
    minutes: a caller shows it and can stop); returns the :class:`Discovery`.

    ``lr_mono_side``: 'L' or 'R', the side of ``x_L``/``x_R`` names that is the mono
    camera. ``manifest``: a CSV used in addition to any ``pairs.csv`` found. ``exclude``: a
    batch's output folder: its files are not looked at when it lies inside an input folder,
    and its earlier results are left out when it is an input folder (``earlier_results``).
    Non-image files inside folders are ignored; given explicitly they are reported.
    Items are sorted by gray path, unmatched files by path.
    """
    mono_side = str(lr_mono_side).strip().upper()
    if mono_side not in ("L", "R"):
        raise ColorStudioError(f"the mono side must be 'L' or 'R', not '{lr_mono_side}'")
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    found = Discovery()
    unmatched, items = found.unmatched, found.items
    output = Path(exclude).expanduser().resolve() if exclude is not None else None
    files, manifests = _collect(inputs, recursive, unmatched, output)
    if manifest is not None:
        mpath = Path(manifest).expanduser()
        if mpath.is_file():
            manifests.insert(0, mpath)
        else:
            unmatched.append((mpath, "the manifest file was not found"))

    seen_manifests: set[Path] = set()
    used: set[Path] = set()
    for m in manifests:
        if m.resolve() not in seen_manifests:
            seen_manifests.add(m.resolve())
            items += _read_manifest(m, unmatched, used)
    # a file named explicitly is the user's choice, unless it is a result in the output folder
    earlier = {f.path for f in files
               if (is_earlier_result(f.path, output) if f.root is not None else is_result_in(f.path, output))}
    files = [f for f in files if f.path.resolve() not in used and f.path not in earlier]

    readable, refused = [], set()
    for n, f in enumerate(files, start=1):
        reason = check_readable(f.path)
        if reason:
            unmatched.append((f.path, reason))
            refused.add(f.path)
        else:
            readable.append(f)
        yield Looking(READING, n, len(files))
    lone: list[LoneFile] = []
    rest = folder_pass(readable, items, unmatched, lone)
    lone += [LoneFile(f.path) for f in name_pass(rest, mono_side, items, unmatched, lone, frozenset(refused))]
    if lone:                            # the files without a partner: their pixels decide
        yield Looking(LOOKING, 0, len(lone))       # (a whole decode each for a PNG or a TIFF)
    for n, f in enumerate(lone, start=1):
        f.settle(*classify_reason(f.path), found)
        yield Looking(LOOKING, n, len(lone))

    items.sort(key=lambda it: (str(it.gray), str(it.reference)))
    _make_names_unique(items)
    unmatched.sort(key=lambda u: (str(u[0]), u[1]))
    found.earlier_results = sorted(earlier)
    return found


def _telling_folder(gray: Path) -> Path:
    """The folder whose name tells a gray's item apart from another of the same name: its own,
    or for a gray in a mono/ (gray/) folder the one above it (day/mono/x.jpg and
    night/mono/x.jpg: day and night, not mono twice)."""
    folder = gray.parent
    return folder.parent if ROLES.get(folder.name.lower()) == GRAY and folder.parent.name else folder


def _make_names_unique(items: list[PairItem]) -> None:
    """Prefix clashing names with their folders' path below the folder they share when they come
    from several folders (in one folder a prefix would tell nothing apart), then number what
    still clashes: ``card000/DCIM/IMG_0001`` and ``card001/DCIM/IMG_0001`` are
    ``card000_DCIM_IMG_0001`` and ``card001_DCIM_IMG_0001`` (named after DCIM and numbered by
    their place, a photo added to a card renamed the others' results, and ``--skip-existing``
    took a new photo for done and colorized an old one again)."""
    groups: dict[str, list[PairItem]] = defaultdict(list)
    for it in items:
        groups[name_key(it.name)].append(it)
    for group in groups.values():
        folders = sorted({_telling_folder(it.gray) for it in group})
        if len(folders) > 1:
            labels = _folder_labels(folders)
            for it in group:
                if label := labels[_telling_folder(it.gray)]:
                    it.name = f"{label}_{it.name}"
    taken: dict[str, int] = defaultdict(int)
    for it in items:
        key = name_key(it.name)
        taken[key] += 1
        if taken[key] > 1:
            it.unnumbered, it.name = it.name, f"{it.name}-{taken[key]}"


def _folder_labels(folders: list[Path]) -> dict[Path, str]:
    """For folders holding photos of one name: each one's path below the folder they share,
    ``card000/DCIM`` → ``card000_DCIM`` ('' for that folder itself). A label depends on its own
    folder only, so a photo added elsewhere never takes the name of another's result (the fewest
    names that told the folders apart did: ``card000/IMG_0001.png`` added took
    ``card000_IMG_0001`` from ``card000/DCIM/IMG_0001.png``, and ``--skip-existing`` left it out)."""
    absolute = {f: Path(os.path.abspath(f)) for f in folders}
    try:
        shared = Path(os.path.commonpath([str(a) for a in absolute.values()]))
    except ValueError:                   # on two drives (Windows): below each drive
        return {f: "_".join(a.parts[1:]) for f, a in absolute.items()}
    return {f: "_".join(a.relative_to(shared).parts) for f, a in absolute.items()}
