"""The fine-tune wizard's folder checks (no Qt, no torch): find the user's camera pairs and say,
for each network, which of them it can learn from, by the rules its fine-tuner applies.

- Either network: a colour shot with colour, not the same picture as the gray.
- The Cycle CNN learns from the pair itself: rectified rows, and big enough at the size that
  fits its parallax into the model's candidates (:func:`colorstudio.training.pair_size.training_size`).
- CCDC learns from the colour shot (pairs made from it as the camera takes them), so it takes
  unrectified pairs and colour shots of another size, as long as the shot is big enough
  (:func:`colorstudio.training.pair_size.ccdc_colour_too_small`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generator

from colorstudio.core.colour_management import reference_rgb
from colorstudio.core.imageio import load_photo
from colorstudio.core.pairs import PairItem, discover
from colorstudio.engine.progress import Progress
from colorstudio.errors import ColorStudioError
from colorstudio.training.pair_size import MIN_TRAINING_SIDE, ccdc_colour_too_small, too_small, training_size

NETWORK_NAMES = {"ccdc": "CCDC", "cyclecnn": "the Cycle CNN"}
SHIPPED_MAX_DISPARITY = 64     # the shipped stereo model's candidates (a fine-tuned base keeps them)


@dataclass
class PairCheck:
    item: PairItem
    gray_size: tuple[int, int]
    line: str                              # one line for the summary
    left_out: dict[str, str] = field(default_factory=dict)   # network -> why it cannot learn from the pair
    rectified: bool | None = None
    disparity: tuple[float, float] | None = None

    def usable(self, method: str) -> bool:
        return method not in self.left_out


@dataclass
class FolderSummary:
    folder: Path
    checks: list[PairCheck]
    skipped: list[tuple[Path, str]]        # files that are not part of a pair, with the reason

    def usable(self, method: str) -> list[PairItem]:
        return [c.item for c in self.checks if c.usable(method)]

    def any_usable(self) -> bool:
        return any(self.usable(m) for m in NETWORK_NAMES)

    def split(self, method: str) -> tuple[list[PairItem], list[PairItem]]:
        """(training pairs, held-apart pairs) for ``method``: every 5th usable pair is held
        apart (at least one when there are two or more)."""
        usable = self.usable(method)
        if len(usable) < 2:
            return usable, list(usable)
        held = usable[4::5] or usable[-1:]
        return [p for p in usable if p not in held], held

    def usable_line(self, method: str) -> str:
        """How many pairs ``method`` learns from, in plain words (the settings page's line)."""
        n = len(self.usable(method))
        name = NETWORK_NAMES[method]
        if n == 0:
            return f"None of the {len(self.checks)} pair(s) suits {name} (see the checks page)."
        line = f"{name[0].upper() + name[1:]} learns from {n} of the {len(self.checks)} pair(s)."
        if n == 1:
            line += (" Only one: it is used both to train and to evaluate, so the evaluation will look "
                     "better than it is. Add more pairs if you can.")
        return line

    def lines(self) -> list[str]:
        """The summary in plain words."""
        counts = ", ".join(f"{len(self.usable(m))} for {name}" for m, name in NETWORK_NAMES.items())
        out = [f"{len(self.checks)} pair(s) found in {self.folder.name}; usable: {counts}."]
        sizes = sorted({c.gray_size for c in self.checks})
        if sizes:
            out.append("Sizes: " + ", ".join(f"{w}×{h}" for w, h in sizes[:4]) + (" …" if len(sizes) > 4 else ""))
        rect = [c.rectified for c in self.checks]
        if rect:
            out.append(f"Rectified: {sum(r is True for r in rect)} of {len(rect)}"
                       + (f" ({sum(r is None for r in rect)} could not be measured)" if None in rect else ""))
        spans = [c.disparity for c in self.checks if c.disparity]
        if spans:
            out.append(f"Parallax range: {min(s[0] for s in spans):.0f} to {max(s[1] for s in spans):.0f} px")
        if self.skipped:
            out.append(f"{len(self.skipped)} file(s) skipped (not part of a pair).")
        if not self.any_usable():
            out.append("Nothing to train on: the folder needs gray+colour pairs from your camera "
                       "(named x_mono + x_color, x_L + x_R, or in mono/ and color/ folders).")
        return out


def check_pair_item(item: PairItem) -> PairCheck:
    """One pair checked for every network (the same rules as the fine-tuners apply)."""
    from colorstudio.core.checks import check_pair

    try:
        gray_photo = load_photo(item.gray)
        ref, _ = reference_rgb(load_photo(item.reference), gray_photo)     # as colorize sees it
    except ColorStudioError as e:
        return PairCheck(item, (0, 0), f"{item.name}: {e} — left out", dict.fromkeys(NETWORK_NAMES, str(e)))
    report = check_pair(gray_photo.gray_float(), ref)
    both, stereo, ccdc = [], [], []
    if report.reference_is_gray:
        both.append("the reference has no colour")
    if report.identical:
        both.append("both shots are the same picture")
    if report.rectified is False:
        stereo.append(f"not rectified (rows {report.vertical_offset_px:.1f} px apart)")
    disparity = None
    if report.disparity_min is not None and report.disparity_max is not None:
        disparity = (float(report.disparity_min), float(report.disparity_max))
    size, _, _ = training_size(gray_photo.pixels.shape[:2], disparity or (None, None), SHIPPED_MAX_DISPARITY)
    if too_small(size):       # as training would find (it says the same and leaves the pair out)
        stereo.append(f"{size[0]}x{size[1]} px at training size is too small to fine-tune on "
                      f"(at least {MIN_TRAINING_SIDE} px a side)")
    colour_small = ccdc_colour_too_small(ref.shape)
    if colour_small:
        ccdc.append(colour_small)
    left_out = {m: "; ".join(both + own) for m, own in (("cyclecnn", stereo), ("ccdc", ccdc)) if both + own}
    return PairCheck(item, gray_photo.size, _line(item.name, report, disparity, both, stereo, ccdc, left_out),
                     left_out, report.rectified, disparity)


def _line(name, report, disparity, both, stereo, ccdc, left_out) -> str:
    notes = list(both)
    if report.rectified is None:
        notes.append("alignment could not be measured (too few matching details)")
    notes += stereo + ccdc
    if not notes:
        return f"{name}: rectified" + (f", parallax {disparity[0]:.0f}..{disparity[1]:.0f} px" if disparity else "")
    if len(left_out) == len(NETWORK_NAMES):
        verdict = " — left out"
    elif left_out:
        verdict = " — left out for " + " and ".join(NETWORK_NAMES[m] for m in left_out)
    else:
        verdict = ""
    return f"{name}: " + "; ".join(notes) + verdict


def scan_folder(folder: str | Path) -> Generator[Progress, None, FolderSummary]:
    """Find and check the pairs in ``folder`` (a worker job)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ColorStudioError(f"{folder}: not a folder")
    yield Progress(0.02, "looking for pairs")
    found = discover([folder])
    pairs = [i for i in found.items if i.reference is not None]
    skipped = list(found.unmatched) + [(i.gray, "a gray photo without a colour partner")
                                       for i in found.items if i.reference is None]
    checks = []
    for n, item in enumerate(pairs):
        yield Progress(0.05 + 0.95 * n / max(1, len(pairs)), f"checking {item.name}")
        checks.append(check_pair_item(item))
    yield Progress(1.0, "checked")
    return FolderSummary(folder, checks, skipped)
