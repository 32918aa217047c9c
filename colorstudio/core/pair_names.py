"""A photo's role told by its name: ``scene_mono`` / ``scene-Gray`` (the gray shot),
``scene_color`` / ``scene_rgb`` (the colour shot), ``scene_L`` / ``scene_R`` (the mono side
given by the caller); and by its folder: ``mono/``, ``color/`` (see :mod:`colorstudio.core.pairs`)."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from colorstudio.core.imageio import READ_EXTENSIONS
from colorstudio.core.photo_kind import COLOUR, GRAY

ROLES = {"mono": GRAY, "gray": GRAY, "grey": GRAY,  # name suffixes and folder names
         "color": COLOUR, "colour": COLOUR, "rgb": COLOUR}
TAG_RE = re.compile(r"^(?P<base>.+?)[_-](?P<tag>mono|gray|grey|colou?r|rgb|l|r)$",
                    re.IGNORECASE | re.DOTALL)          # (DOTALL: a name may hold a line break)


def name_key(text: str) -> str:
    """A name as pairs are matched: case and Unicode form aside ('café' typed on Windows (NFC)
    and the same name from a Mac's disk (NFD) are one name; so are 'Scene' and 'scene'). Not
    casefold(): it makes 'Maße' and 'Masse', two words, one name."""
    return unicodedata.normalize("NFC", text).lower()


def name_role(path: Path, mono_side: str) -> tuple[str, str, str] | None:
    """(role, base stem, family) from a name suffix, or None."""
    m = TAG_RE.match(path.stem)
    if not m:
        return None
    tag = m["tag"].lower()
    if tag in ("l", "r"):
        return (GRAY if tag.upper() == mono_side else COLOUR), m["base"], "lr"
    return ROLES[tag], m["base"], "named"


def strip_tag(key: tuple) -> tuple:
    """(parent, 'sub/x_mono') -> (parent, 'sub/x')"""
    parent, rel = key
    head, sep, last = rel.rpartition("/")
    m = TAG_RE.match(last)
    return (parent, head + sep + name_key(m["base"])) if m else key


def without_gray_tag(stem: str) -> str:
    """'scene_mono' -> 'scene': a gray photo's name tag as pairs are found by (_mono, -gray,
    _grey, any case) dropped from the end; a tag inside the name stays ('my_monolith')."""
    m = TAG_RE.match(stem)
    return m["base"] if m and ROLES.get(m["tag"].lower()) == GRAY else stem


def base_name(f) -> str:
    """The stem of a found file (``f.path``) without its role tag."""
    m = TAG_RE.match(f.path.stem)
    return m["base"] if m else f.path.stem


def partner_on_disk(path: Path, role: str, base: str, family: str, mono_side: str,
                     listings: dict[Path, list[Path]]) -> Path | None:
    """A file next to ``path`` that would be its partner by name (``scene_color.jpg`` for
    ``scene_mono.png``), when only ``path`` was given; None if there is none. ``listings``:
    the folders' images, listed once per search."""
    if path.parent not in listings:
        try:
            listings[path.parent] = sorted(p for p in path.parent.iterdir() if p.suffix.lower() in READ_EXTENSIONS)
        except OSError:
            listings[path.parent] = []
    for other in listings[path.parent]:
        if other == path:
            continue
        theirs = name_role(other, mono_side)
        if theirs and theirs[2] == family and name_key(theirs[1]) == name_key(base) and theirs[0] != role:
            return other
    return None
