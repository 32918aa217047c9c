"""The fine-tune wizard's folder checks (no Qt, no torch): find the user's camera pairs and say,
for each network this build can fine-tune, which of them it can learn from. Each pair goes
through that network's own preparation (:mod:`colorstudio.training.pair_preparation`, which
the fine-tuners call too), so the verdicts and their reasons are the fine-tuners' own:

- either network: a colour shot with colour, not the gray shot itself;
- the Cycle CNN learns from the pair itself: rectified rows, big enough at the size that fits
  its parallax into the model's candidates;
- CCDC learns from pairs made of the colour shot as the camera takes them, so it takes
  unrectified pairs and colour shots of another size, as long as the shot is big enough.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generator

from colorstudio.core.pairs import PairItem, discover_steps
from colorstudio.engine.progress import Progress
from colorstudio.errors import ColorStudioError
from colorstudio.training.pair_preparation import PairRefused, ccdc_shot, held_apart_split, load_user_pair, stereo_pair

log = logging.getLogger(__name__)
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
    networks: tuple[str, ...] = tuple(NETWORK_NAMES)          # the networks it was checked for

    def usable(self, method: str) -> bool:
        return method in self.networks and method not in self.left_out


@dataclass
class FolderSummary:
    folder: Path
    checks: list[PairCheck]
    skipped: list[tuple[Path, str]]        # files that are not part of a pair, with the reason
    networks: tuple[str, ...] = tuple(NETWORK_NAMES)   # the networks checked for (this build's)

    def usable(self, method: str) -> list[PairItem]:
        return [c.item for c in self.checks if c.usable(method)]

    def any_usable(self) -> bool:
        return any(self.usable(m) for m in self.networks)

    def split(self, method: str) -> tuple[list[PairItem], list[PairItem]]:
        """(training pairs, held-apart pairs) for ``method``: as the CLI splits them
        (:func:`~colorstudio.training.pair_preparation.held_apart_split`)."""
        return held_apart_split(self.usable(method), [])

    def usable_line(self, method: str) -> str:
        """How many pairs ``method`` learns from, in plain words (the settings page's line)."""
        n = len(self.usable(method))
        name = NETWORK_NAMES[method]
        if n == 0:
            return f"None of the {len(self.checks)} pair(s) suits {name} (see the checks page)."
        train, held = self.split(method)
        line = (f"{name[0].upper() + name[1:]} can use {n} of the {len(self.checks)} pair(s): it trains on "
                f"{len(train)} and holds {len(held)} apart to score the result.")
        if n == 1:
            line = (f"{name[0].upper() + name[1:]} can use 1 of the {len(self.checks)} pair(s): it trains on it "
                    "and is scored on it too, so the scores will look better than they are. Add more pairs "
                    "if you can.")
        elif len(train) == 1:
            line += " One pair to learn from is little: add more pairs if you can."
        return line

    def skipped_lines(self) -> list[str]:
        """One line per file not used: its name and why (said once, even when the reason
        already begins with the name)."""
        return [r if str(r).startswith(f"{p.name}:") else f"{p.name}: {r}" for p, r in self.skipped]

    def lines(self) -> list[str]:
        """The summary in plain words."""
        counts = ", ".join(f"{len(self.usable(m))} for {NETWORK_NAMES[m]}" for m in self.networks)
        out = [f"{len(self.checks)} pair(s) found in {self.folder.name}; usable: {counts}."]
        sizes = sorted({c.gray_size for c in self.checks if all(c.gray_size)})     # not an unreadable file's
        if sizes:
            out.append("Sizes: " + ", ".join(f"{w}×{h}" for w, h in sizes[:4]) + (" …" if len(sizes) > 4 else ""))
        kept = [c for c in self.checks if any(c.usable(m) for m in self.networks)]   # not the left-out ones
        rect = [c.rectified for c in kept]
        if rect:
            out.append(f"Rectified: {sum(r is True for r in rect)} of the {len(rect)} usable"
                       + (f" ({sum(r is None for r in rect)} could not be measured)" if None in rect else ""))
        spans = [c.disparity for c in kept if c.disparity]
        if spans:
            out.append(f"Parallax range: {min(s[0] for s in spans):.0f} to {max(s[1] for s in spans):.0f} px")
        if self.skipped:
            out.append(f"{len(self.skipped)} file(s) not used (not part of a pair, or unreadable: see the list).")
        if not self.any_usable():
            out.append("Nothing to train on: the folder needs gray+colour pairs from your camera "
                       "(named x_mono + x_color, x_L + x_R, or in mono/ and color/ folders).")
        return out


def check_pair_item(item: PairItem, networks=tuple(NETWORK_NAMES)) -> PairCheck:
    """One pair put through each network's preparation, as its fine-tuner will."""
    networks = tuple(networks)
    try:
        gray, colour = load_user_pair(item.gray, item.reference)
    except Exception as e:              # noqa: BLE001 - an unreadable pair is left out, the scan goes on
        if not isinstance(e, ColorStudioError):
            log.warning("reading %s failed", item.name, exc_info=True)
        return PairCheck(item, (0, 0), f"{item.name}: {e} — left out", dict.fromkeys(networks, str(e)),
                         networks=networks)
    left_out, reports = {}, []
    for method in networks:
        try:
            if method == "cyclecnn":
                reports.append(stereo_pair(item.gray.name, gray, colour, SHIPPED_MAX_DISPARITY).report)
            else:
                ccdc_shot(item.gray.name, gray, colour)
        except PairRefused as e:
            left_out[method] = e.reason
            if e.report is not None and method == "cyclecnn":
                reports.append(e.report.to_dict())
        except Exception as e:          # noqa: BLE001 - one pair's surprise must not stop the scan
            log.warning("checking %s for %s failed", item.name, method, exc_info=True)
            left_out[method] = f"could not be checked ({e})"
    report = reports[0] if reports else {}
    disparity = None
    if report.get("disparity_min") is not None and report.get("disparity_max") is not None:
        disparity = (float(report["disparity_min"]), float(report["disparity_max"]))
    return PairCheck(item, (gray.shape[1], gray.shape[0]), _line(item.name, report, disparity, left_out, networks),
                     left_out, report.get("rectified"), disparity, networks)


def _line(name, report, disparity, left_out, networks) -> str:
    if not left_out:
        if report.get("rectified") is None and "cyclecnn" in networks:
            return f"{name}: usable (alignment could not be measured: too few matching details)"
        return f"{name}: usable" + (f", rectified, parallax {disparity[0]:.0f}..{disparity[1]:.0f} px"
                                    if disparity and report.get("rectified") else "")
    reasons = list(dict.fromkeys(left_out.values()))           # one reason said once
    if len(left_out) == len(networks):
        return f"{name}: " + "; ".join(reasons) + " — left out"
    return (f"{name}: " + "; ".join(reasons) + " — left out for "
            + " and ".join(NETWORK_NAMES[m] for m in left_out))


def scan_folder(folder: str | Path, networks=tuple(NETWORK_NAMES)) -> Generator[Progress, None, FolderSummary]:
    """Find the pairs in ``folder`` and check them for ``networks`` (a worker job)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ColorStudioError(f"{folder}: not a folder")
    yield Progress(0.0, "looking for pairs")
    steps = discover_steps([folder])
    while True:              # its own bar's first 5 %: reading the files, the pixels of lone ones
        try:
            looking = next(steps)
        except StopIteration as stop:
            found = stop.value
            break
        yield Progress(0.05 * looking.fraction, looking.message)
    pairs = [i for i in found.items if i.reference is not None]
    skipped = list(found.unmatched) + [(i.gray, "a gray photo without a colour partner")
                                       for i in found.items if i.reference is None]
    checks = []
    for n, item in enumerate(pairs):
        yield Progress(0.05 + 0.95 * n / max(1, len(pairs)), f"checking {item.name}")
        checks.append(check_pair_item(item, networks))
    yield Progress(1.0, "checked")
    return FolderSummary(folder, checks, skipped, tuple(networks))
