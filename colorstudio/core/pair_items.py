"""What pair discovery finds (:mod:`colorstudio.core.pairs`): jobs, files it could not use, and
the files whose own pixels decide what they are (a gray alone, or a colour photo reported)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from colorstudio.core.imageio import READ_EXTENSIONS
from colorstudio.core.photo_kind import COLOUR, GRAY

REASON_COLOUR_ALONE = "a colour photo with no gray partner"
REASON_NOT_IMAGE = ("not an image ColorStudio reads (supported: "
                    + ", ".join(e.lstrip(".") for e in READ_EXTENSIONS) + ")")
NOT_A_FILE = "not a photo file: a pipe, a device or a link to nothing"


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
    # for a numbered name (trip-2), the name before the number that tells it from another item's: a
    # batch names a result by it while no other result takes that file (b.jpg and b.dng: b_colorized
    # .jpg and .png), so that adding b.dng beside b.jpg does not rename b.jpg's next result
    unnumbered: str | None = None

    @property
    def is_pair(self) -> bool:
        return self.reference is not None


@dataclass
class Discovery:
    """What discovery found: jobs, and files it could not use with a reason."""

    items: list[PairItem] = field(default_factory=list)
    unmatched: list[tuple[Path, str]] = field(default_factory=list)
    earlier_results: list[Path] = field(default_factory=list)   # left out: core.earlier_results

    @property
    def pairs(self) -> list[PairItem]:
        return [i for i in self.items if i.reference is not None]


@dataclass
class FoundFile:
    path: Path
    root: Path | None  # the input folder it was found in; None if given explicitly


@dataclass
class LoneFile:
    """A file without a partner: its pixels decide. ``declared``: the role its name or folder
    gave it (None: it has no tag), said as ``declared_by``; ``wanted``: why no partner was
    found; ``note``: said beside a gray's result (why its partner, lying next to it, was not
    used: its colours are made up, not taken from that shot)."""

    path: Path
    declared: str | None = None
    declared_by: str = ""
    wanted: str | None = None
    note: str | None = None

    def settle(self, kind: str | None, reason: str | None, found: Discovery) -> None:
        """Into ``found``: a single gray when its pixels are gray, whatever its name or folder
        declared (a gray named as the colour shot is still a gray photo); a colour photo is
        reported, not colorized (its colours would be thrown away and made up again), even one
        named or filed as the mono shot; an unreadable one with ``reason``."""
        if kind == GRAY:
            found.items.append(PairItem(self.path, None, self.path.stem, note=self.note))
        elif kind == COLOUR and self.declared == GRAY:
            found.unmatched.append((self.path, f"a colour photo with no partner (it is {self.declared_by}, "
                                               "but holds colour)"))
        elif kind == COLOUR:
            found.unmatched.append((self.path, REASON_COLOUR_ALONE + (f" ({self.wanted})" if self.wanted else "")))
        else:
            found.unmatched.append((self.path, reason))
