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
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from colorstudio.core.earlier_results import is_earlier_result, is_result_in
from colorstudio.core.imageio import READ_EXTENSIONS
from colorstudio.core.folder_files import visible_files
from colorstudio.core.pair_manifest import MANIFEST_NAME, read_manifest
from colorstudio.core.file_names import name_too_long
from colorstudio.core.pair_names import ROLES, base_name, name_key, name_role, partner_on_disk, strip_tag
from colorstudio.core.photo_kind import COLOUR, GRAY, check_readable, classify_reason
from colorstudio.errors import ColorStudioError

REASON_COLOUR_ALONE = "a colour photo with no gray partner"
REASON_NOT_IMAGE = ("not an image ColorStudio reads (supported: "
                    + ", ".join(e.lstrip(".") for e in READ_EXTENSIONS) + ")")


@dataclass
class PairItem:
    """One job: a gray photo and its colour reference (None = a single gray).

    ``name`` is unique within a :class:`Discovery` (usable as an output stem);
    ``output`` is the manifest's output path, if it gave one, relative to the manifest's folder
    (``day/out.png``; just the file name when it points outside that folder).
    """

    gray: Path
    reference: Path | None
    name: str
    output: Path | None = None
    note: str | None = None     # said beside its result (a gray colorized alone beside its partner)

    @property
    def is_pair(self) -> bool:
        return self.reference is not None


@dataclass
class Discovery:
    """What :func:`discover` found: jobs, and files it could not use with a reason."""

    items: list[PairItem] = field(default_factory=list)
    unmatched: list[tuple[Path, str]] = field(default_factory=list)
    earlier_results: list[Path] = field(default_factory=list)   # left out: core.earlier_results

    @property
    def pairs(self) -> list[PairItem]:
        return [i for i in self.items if i.reference is not None]

    @property
    def singles(self) -> list[PairItem]:
        return [i for i in self.items if i.reference is None]


@dataclass
class _File:
    path: Path
    root: Path | None  # the input folder it was found in; None if given explicitly


# ------------------------------------------------------------------ collecting
def _collect(inputs: Iterable[str | os.PathLike], recursive: bool,
             unmatched: list, exclude: Path | None = None) -> tuple[list[_File], list[Path]]:
    files: dict[Path, _File] = {}
    manifests: list[Path] = []

    def add(path: Path, root: Path | None) -> None:
        key = path.resolve()
        if key not in files or (files[key].root is None and root is not None):
            files[key] = _File(path, root)      # found in a given folder: its mono/ + color/ count

    for raw in inputs:
        path = Path(raw).expanduser()
        if (too_long := name_too_long(path)) is not None:      # asking the system would raise
            unmatched.append((path, f"not found ({too_long})"))
        elif not path.exists():
            unmatched.append((path, "not found"))
        elif path.is_dir():
            unreadable: list[tuple[Path, str]] = []
            for f in visible_files(path, recursive, exclude, unreadable):
                if f.name.lower() == MANIFEST_NAME:
                    manifests.append(f)
                elif f.suffix.lower() in READ_EXTENSIONS:
                    add(f, path)
            unmatched += [(folder, f"the folder cannot be read ({why})") for folder, why in unreadable]
        elif path.suffix.lower() == ".csv":
            manifests.append(path)
        elif path.suffix.lower() in READ_EXTENSIONS:
            add(path, None)
        else:
            unmatched.append((path, REASON_NOT_IMAGE))
    return list(files.values()), manifests


# ------------------------------------------------------------------ manifest
def _read_manifest(csv_path: Path, unmatched: list, claimed: set[Path]) -> list[PairItem]:
    """The good rows' items. Every file a row names is ``claimed``, a bad row's too: a typo in a
    reference must not turn its gray into a single gray colorized without it."""
    try:
        rows = read_manifest(csv_path)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        unmatched.append((csv_path, f"the manifest cannot be read ({e})"))
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


# ------------------------------------------------------------------ roles
def _folder_role(f: _File, sibling_cache: dict) -> tuple[str, tuple] | None:
    """(role, key) if the file sits under a mono/ or color/ folder that has a counterpart."""
    ancestors = [f.path.parent]
    if f.root is not None:
        ancestors = [a for a in f.path.parents if a == f.root or f.root in a.parents]
    for folder in ancestors:
        role = ROLES.get(folder.name.lower())
        if role is None:
            continue
        parent = folder.parent
        if parent not in sibling_cache:
            try:
                sibling_cache[parent] = {ROLES.get(p.name.lower()) for p in parent.iterdir() if p.is_dir()}
            except OSError:
                sibling_cache[parent] = set()
        if ({GRAY, COLOUR} - {role}) & sibling_cache[parent]:
            rel = f.path.relative_to(folder).with_suffix("")
            return role, (parent, name_key(rel.as_posix()))
    return None


def _match_groups(groups: dict, name_of) -> tuple[list[PairItem], list[_File], list[tuple[Path, str]]]:
    """One gray + one colour per key make a pair; several of a role with a partner are
    ambiguous; lone files are returned for later passes."""
    items, left, ambiguous = [], [], []
    for key in sorted(groups, key=str):
        grays, colours = groups[key][GRAY], groups[key][COLOUR]
        if len(grays) == 1 and len(colours) == 1:
            items.append(PairItem(grays[0].path, colours[0].path, name_of(grays[0])))
        elif grays and colours and (exact := _pairs_by_exact_name(grays, colours, name_of)):
            items += [PairItem(g.path, c.path, name_of(g)) for g, c in exact]
        elif grays and colours:
            names = ", ".join(sorted(g.path.name for g in grays + colours))
            ambiguous += [(g.path, f"ambiguous: these files could pair in several ways ({names})")
                          for g in grays + colours]
        else:
            left += grays + colours
    return items, left, ambiguous


def _pairs_by_exact_name(grays: list[_File], colours: list[_File], name_of) -> list | None:
    """A group that pairs one-to-one when names are compared with their case (A_mono + A_color
    and a_mono + a_color in one folder of a case-sensitive file system): its pairs, else None."""
    exact = lambda f: unicodedata.normalize("NFC", name_of(f))      # the case counts, the Unicode form not
    by_name = {exact(c): c for c in colours}
    if len(by_name) != len(colours) or len(grays) != len(colours) or len({exact(g) for g in grays}) != len(grays):
        return None
    pairs = [(g, by_name.get(exact(g))) for g in grays]
    return pairs if all(c is not None for _, c in pairs) else None


def _groups() -> dict:
    return defaultdict(lambda: {GRAY: [], COLOUR: []})


def _folder_pass(files: list[_File], items: list, unmatched: list) -> list[_File]:
    """mono/ + color/ folders; returns the files that are in no such folder."""
    cache: dict = {}
    groups, rest = _groups(), []
    for f in files:
        role = _folder_role(f, cache)
        if role:
            groups[role[1]][role[0]].append(f)
        else:
            rest.append(f)
    found, left, ambiguous = _match_groups(groups, lambda g: g.path.stem)
    items += found
    unmatched += ambiguous
    groups = _groups()
    for f in left:  # second chance: mono/x_mono.jpg + color/x_color.jpg
        role, key = _folder_role(f, cache)
        groups[strip_tag(key)][role].append(f)
    found, left, ambiguous = _match_groups(groups, base_name)
    items += found
    unmatched += ambiguous
    for f in left:
        _alone(f, _folder_role(f, cache)[0], "in a mono folder", "no file of that name in the mono folder",
               items, unmatched)
    return rest


def _alone(f: _File, declared: str, declared_by: str, wanted: str, items: list, unmatched: list,
           note: str | None = None) -> None:
    """A file whose partner is missing: a single gray when its pixels are gray, whatever its name
    or folder declared (a gray named as the colour shot is still a gray photo); a colour photo is
    reported, not colorized (its colours would be thrown away and made up again), even one named
    or filed as the mono shot. ``note``: said beside a gray's result (why its partner, lying next
    to it, was not used: its colours are made up, not taken from that shot)."""
    kind, reason = classify_reason(f.path)
    if kind == GRAY:
        items.append(PairItem(f.path, None, f.path.stem, note=note))
    elif kind == COLOUR and declared == GRAY:
        unmatched.append((f.path, f"a colour photo with no partner (it is {declared_by}, but holds colour)"))
    elif kind == COLOUR:
        unmatched.append((f.path, f"{REASON_COLOUR_ALONE} ({wanted})"))
    else:
        unmatched.append((f.path, reason))


def _name_pass(files: list[_File], mono_side: str, items: list, unmatched: list,
               refused: frozenset = frozenset()) -> list[_File]:
    """x_mono + x_color, x_gray + x_rgb, x_L + x_R; returns the files without a tag. ``refused``:
    files given that cannot be read (a lone file's partner among them is said as such)."""
    groups, untagged = _groups(), []
    for f in files:
        role = name_role(f.path, mono_side)
        if role:
            groups[(f.path.parent, name_key(role[1]), role[2])][role[0]].append(f)
        else:
            untagged.append(f)
    found, left, ambiguous = _match_groups(groups, base_name)
    items += found
    unmatched += ambiguous
    listings: dict[Path, list[Path]] = {}
    for f in left:
        role, base, family = name_role(f.path, mono_side)
        want = f"{base}_{mono_side}.*" if family == "lr" else f"{base}_mono.* or {base}_gray.*"
        partner = partner_on_disk(f.path, role, base, family, mono_side, listings)
        if partner is None:
            wanted, note = f"no {want} next to it", None
        elif partner in refused:
            wanted = f"its partner {partner.name} cannot be read"
            note = f"colorized alone: {wanted}"
        else:
            wanted = f"its partner {partner.name} is next to it but was not given: give both files, or the folder"
            note = (f"colorized alone: its partner {partner.name} is next to it but was not given (give both "
                    "files, or the folder)")
        _alone(f, role, f"named _{mono_side}, the mono side" if family == "lr" else "named as a gray", wanted,
               items, unmatched, note)
    return untagged


# ------------------------------------------------------------------ public
def discover(inputs: Iterable[str | os.PathLike], lr_mono_side: str = "L",
             manifest: str | os.PathLike | None = None, recursive: bool = True,
             exclude: str | os.PathLike | None = None) -> Discovery:
    """Find pairs and single grays in ``inputs`` (folders and/or files).

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
    unmatched: list[tuple[Path, str]] = []
    output = Path(exclude).expanduser().resolve() if exclude is not None else None
    files, manifests = _collect(inputs, recursive, unmatched, output)
    if manifest is not None:
        mpath = Path(manifest).expanduser()
        if mpath.is_file():
            manifests.insert(0, mpath)
        else:
            unmatched.append((mpath, "the manifest file was not found"))

    items: list[PairItem] = []
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
    for f in files:
        reason = check_readable(f.path)
        if reason:
            unmatched.append((f.path, reason))
            refused.add(f.path)
        else:
            readable.append(f)
    rest = _folder_pass(readable, items, unmatched)
    untagged = _name_pass(rest, mono_side, items, unmatched, frozenset(refused))
    for f in untagged:  # everything else: look at the pixels
        kind, reason = classify_reason(f.path)
        if kind == GRAY:
            items.append(PairItem(f.path, None, f.path.stem))
        else:
            unmatched.append((f.path, REASON_COLOUR_ALONE if kind == COLOUR else reason))

    items.sort(key=lambda it: (str(it.gray), str(it.reference)))
    _make_names_unique(items)
    unmatched.sort(key=lambda u: (str(u[0]), u[1]))
    return Discovery(items, unmatched, sorted(earlier))


def _telling_folder(gray: Path) -> Path:
    """The folder whose name tells a gray's item apart from another of the same name: its own,
    or for a gray in a mono/ (gray/) folder the one above it (day/mono/x.jpg and
    night/mono/x.jpg: day and night, not mono twice)."""
    folder = gray.parent
    return folder.parent if ROLES.get(folder.name.lower()) == GRAY and folder.parent.name else folder


def _make_names_unique(items: list[PairItem]) -> None:
    """Prefix clashing names with the gray's folder name when they come from several folders
    (in one folder the prefix would tell nothing apart), then number what still clashes."""
    folders: dict[str, set] = defaultdict(set)
    for it in items:
        folders[name_key(it.name)].add(_telling_folder(it.gray))
    for it in items:
        if len(folders[name_key(it.name)]) > 1 and _telling_folder(it.gray).name:
            it.name = f"{_telling_folder(it.gray).name}_{it.name}"
    taken: dict[str, int] = defaultdict(int)
    for it in items:
        key = name_key(it.name)
        taken[key] += 1
        if taken[key] > 1:
            it.name = f"{it.name}-{taken[key]}"
