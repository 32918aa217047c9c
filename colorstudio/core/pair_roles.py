"""The role passes of pair discovery (:mod:`colorstudio.core.pairs`): ``mono/`` + ``color/``
folders, then name tags (``x_mono`` + ``x_color``, ``x_L`` + ``x_R``). A role declared by a
name or folder makes pairs without opening the files; a file left without its partner is
returned as a :class:`~colorstudio.core.pair_items.LoneFile` (its pixels decide later).
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

from colorstudio.core.pair_items import FoundFile, LoneFile, PairItem
from colorstudio.core.pair_names import ROLES, base_name, name_key, name_role, partner_on_disk, strip_tag
from colorstudio.core.photo_kind import COLOUR, GRAY

def _folder_role(f: FoundFile, sibling_cache: dict) -> tuple[str, tuple] | None:
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


def _match_groups(groups: dict, name_of) -> tuple[list[PairItem], list[FoundFile], list[tuple[Path, str]]]:
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


def _pairs_by_exact_name(grays: list[FoundFile], colours: list[FoundFile], name_of) -> list | None:
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


def folder_pass(files: list[FoundFile], items: list, unmatched: list, lone: list) -> list[FoundFile]:
    """mono/ + color/ folders; returns the files that are in no such folder. A file left without
    its partner goes to ``lone``."""
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
        lone.append(LoneFile(f.path, _folder_role(f, cache)[0], "in a mono folder",
                             "no file of that name in the mono folder"))
    return rest


def name_pass(files: list[FoundFile], mono_side: str, items: list, unmatched: list, lone: list,
              refused: frozenset = frozenset()) -> list[FoundFile]:
    """x_mono + x_color, x_gray + x_rgb, x_L + x_R; returns the files without a tag. A file left
    without its partner goes to ``lone``. ``refused``: files given that cannot be read (a lone
    file's partner among them is said as such)."""
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
        lone.append(LoneFile(f.path, role, f"named _{mono_side}, the mono side" if family == "lr"
                             else "named as a gray", wanted, note))
    return untagged
