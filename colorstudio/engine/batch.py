"""Batch colorization: discover pairs and single grays, colorize each, never overwrite; a plan
made again for a queue keeps what already ran in it (:func:`merge_plans`).

``run_batch`` is a generator yielding :class:`BatchProgress`; the CLI prints it, the GUI
wraps it in a worker (pause = stop pulling, cancel = ``close()``). A bad item is marked
with its one-line error and the batch goes on.
"""
from __future__ import annotations

import errno
import logging
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generator, Iterable

import numpy as np

from colorstudio.core.atomic_files import NameTaken, free_path
from colorstudio.core.file_names import name_too_long
from colorstudio.core.generator_steps import run_to_end
from colorstudio.core.image_write import output_notes
from colorstudio.core.imageio import image_size, load_photo
from colorstudio.core.model_header import declared_model
from colorstudio.core.output_checks import check_writable_folder
from colorstudio.core.output_formats import WRITE_EXTENSIONS
from colorstudio.core.pair_names import TAG_RE
from colorstudio.core.pairs import COMPARING, Looking, discover_steps
from colorstudio.core.resize import area_reduce
from colorstudio.core.result_source import resemblance
from colorstudio.core.size_limits import max_pixels
from colorstudio.core.unfinished_writes import STALE_AFTER_S, remove_unfinished_writes
from colorstudio.engine import methods as registry
from colorstudio.engine.batch_outputs import output_extension, result_files, results_there, written_there
from colorstudio.engine.colorize import colorize_steps, save_result
from colorstudio.engine.pinned_model import pinned_model
from colorstudio.engine.pair_inputs import SwappedPairError, swapped_files
from colorstudio.errors import NOT_ENOUGH_MEMORY, ColorStudioError, DiskFullError, OutputError, out_of_memory

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED, SKIPPED = "queued", "running", "done", "failed", "skipped"
ENDED = (DONE, FAILED, SKIPPED)       # an item in one of these is not run again
WRITTEN_MEANWHILE = "its result was written meanwhile (by another batch?): left as it is (--skip-existing)"
THUMBNAIL_SIDE = 96     # px: the long side of each written result's picture in the batch queue


@dataclass
class BatchItem:
    gray: Path
    reference: Path | None
    name: str
    output: Path            # intended output; the written file may get a "-2" suffix
    status: str = QUEUED
    error: str | None = None
    written: Path | None = None
    ignored_options: tuple[str, ...] = ()      # what its method was given and did not use
    note: str | None = None     # said beside its result (core.pairs.PairItem.note)
    how: str | None = None  # for a written result: "with ccdc" and what was said of it (notes, a fallback)
    # uint8 (h, w, 3), long side THUMBNAIL_SIDE: the written result, for a queue to show
    thumbnail: np.ndarray | None = field(default=None, compare=False, repr=False)
    thumbnail_profile: bytes | None = field(default=None, compare=False, repr=False)   # its RGB space (None: sRGB)

    @property
    def kind(self) -> str:
        return "pair" if self.reference is not None else "single"


@dataclass
class BatchPlan:
    items: list[BatchItem]
    unmatched: list[tuple[Path, str]] = field(default_factory=list)
    out_dir: Path = Path(".")
    earlier_results: list[Path] = field(default_factory=list)   # left out (core.earlier_results)
    already_there: list[Path] = field(default_factory=list)     # results there already (skip_existing)
    unfinished_removed: list[Path] = field(default_factory=list)   # what a killed batch's writes left (run_batch)
    skip_existing: bool = False    # an item whose result appears while the batch runs is left out too


@dataclass
class BatchProgress:
    index: int              # item being reported (0-based)
    total: int
    item: BatchItem
    status: str             # RUNNING, DONE, FAILED or SKIPPED for this item
    fraction: float         # overall 0..1
    message: str
    done: int = 0
    failed: int = 0


def _link_loop(folder: Path) -> bool:
    """Whether ``folder`` (or a folder above it) is a symbolic link that leads back to itself:
    Python 3.10-3.12 raise RuntimeError resolving it, 3.13 only with strict=True (ELOOP)."""
    try:
        folder.expanduser().resolve(strict=True)
    except FileNotFoundError:
        return False                    # not made yet: the batch makes it
    except RuntimeError:
        return True
    except OSError as e:
        return e.errno == errno.ELOOP
    return False


def _resemblances(items, out_dir: Path, ext: str | None) -> Generator[Looking, None, Callable[[Path, Path], float]]:
    """How each result already in ``out_dir`` resembles the photos that would take its name
    (:func:`~colorstudio.core.result_source.resemblance`: a photo's is measured, a 12 MP one in
    0.2-0.4 s), saying how far; returns them as ``result_files`` asks."""
    pairs = results_there(items, out_dir, ext)
    scores = {}
    for k, (result, gray) in enumerate(pairs):
        yield Looking(COMPARING, k, len(pairs))
        scores[(result, gray)] = resemblance(result, gray)
    return lambda result, gray: scores[(result, gray)] if (result, gray) in scores else resemblance(result, gray)


def plan_batch(inputs: Iterable[str | Path], out_dir: str | Path, ext: str | None = None,
               lr_mono_side: str = "L", skip_existing: bool = False) -> BatchPlan:
    """:func:`plan_batch_steps` run to its end (its progress unheard)."""
    return run_to_end(plan_batch_steps(inputs, out_dir, ext, lr_mono_side, skip_existing))


def plan_batch_steps(inputs: Iterable[str | Path], out_dir: str | Path, ext: str | None = None,
                     lr_mono_side: str = "L", skip_existing: bool = False) -> Generator[Looking, None, BatchPlan]:
    """Find what to colorize in files/folders and where each result goes, yielding
    :class:`~colorstudio.core.pairs.Looking` while the files are read and looked at (a
    thousand PNGs: minutes); returns the :class:`BatchPlan`. ``skip_existing``: leave out the
    items whose result is already there (an interrupted batch goes on where it stopped;
    :attr:`BatchPlan.already_there`)."""
    if not str(out_dir).strip():                    # an unset $OUT in a script: not the current folder
        raise OutputError("the output folder is empty; give a folder")
    out_dir = Path(out_dir)
    if (too_long := name_too_long(out_dir)) is not None:
        raise OutputError(f"the output folder {too_long}")
    if _link_loop(out_dir):
        raise OutputError(f"the output folder {out_dir} is a symbolic link that leads back to itself")
    if out_dir.exists() and not out_dir.is_dir():        # else it is left out of the inputs as the output
        raise OutputError(f"the output folder {out_dir} is a file, not a folder; choose a folder")
    ext = output_extension(ext) if ext else None     # a wrong format is told before any search
    max_pixels()                                     # a bad COLORSTUDIO_MAX_PIXELS: once, not per file
    found = yield from discover_steps([Path(p) for p in inputs], lr_mono_side=lr_mono_side, exclude=out_dir)
    items, unmatched, already = [], list(found.unmatched), []
    outputs = result_files(found.items, out_dir, ext,
                           (yield from _resemblances(found.items, out_dir, ext)) if skip_existing else None)
    for i, output in zip(found.items, outputs):
        if isinstance(output, OutputError):          # a manifest row's output in an unknown format
            unmatched.append((i.gray, f"output {i.output}: {output}"))
            continue
        if skip_existing and written_there(output):
            already.append(output)
        else:
            items.append(BatchItem(gray=i.gray, reference=i.reference, name=i.name, output=output, note=i.note))
    return BatchPlan(items=items, unmatched=unmatched, out_dir=out_dir, earlier_results=found.earlier_results,
                     already_there=already, skip_existing=skip_existing)


def merge_plans(earlier: BatchPlan, plan: BatchPlan) -> BatchPlan:
    """``plan``, made again for a queue that showed ``earlier``, with what already ran kept: an
    item (the same gray and colour shot) done in ``earlier`` takes its new copy's place, a failed
    one is tried again; a done item whose result ``plan`` left out as already there
    (``skip_existing``) stays shown, that result no longer counted in ``plan.already_there``.
    Items ``earlier`` held that ``plan`` does not, and that were not done there, are dropped. The
    rows keep ``earlier``'s order, what is new comes last. For another output folder nothing of
    ``earlier`` is kept: all run again there. ``plan`` is changed in place and returned."""
    same_folder = plan.out_dir == earlier.out_dir     # another output folder: all run again there
    key_of = lambda i: (i.gray.resolve(), i.reference.resolve() if i.reference else None)
    old = {key_of(i): i for i in earlier.items} if same_folder else {}
    for n, item in enumerate(plan.items):
        if (key := key_of(item)) in old and old[key].status == DONE:
            plan.items[n] = old[key]      # keep what already ran; a failed one is tried again
    there = set(plan.already_there)       # skipped for a result there: this batch's own stay shown
    kept = {id(i) for i in plan.items}
    ran_here = [i for i in old.values() if i.status == DONE and i.output in there and id(i) not in kept]
    plan.items[:0] = ran_here
    order = {key: n for n, key in enumerate(old)}        # the queue's rows keep their order;
    plan.items.sort(key=lambda i: order.get(key_of(i), len(order)))   # what is new comes last
    plan.already_there = [p for p in plan.already_there if p not in {i.output for i in ran_here}]
    return plan


def method_for(item: BatchItem, method: str | None) -> str | None:
    """The asked method if it fits the item (pair or single gray), else None (the default
    for that kind): ``--method dis+gf`` on a folder colorizes its single grays too."""
    if method is None:
        return None
    try:
        kind = registry.get(method).kind
    except ColorStudioError:
        return method  # an unregistered learned method given with --model: let the engine say
    return method if kind == item.kind else None


class WrittenMeanwhile(Exception):
    """``skip_existing``: the item's result appeared after the plan was made (another batch)."""


def run_item(item: BatchItem, method: str | None = None, model=None, options=None,
             jpeg_quality: int = 95, thumbnails: bool = True, skip_existing: bool = False) -> Generator:
    """Colorize one item as a generator of engine Progress; writes to a free name. ``thumbnails``:
    keep a small picture of the result in the item (for a queue to show; 20 KB each).
    ``skip_existing``: raise :class:`WrittenMeanwhile` rather than number the name when the
    item's result is there (another batch into the same folder wrote it: it made "-2" copies)."""
    if skip_existing and written_there(item.output):
        raise WrittenMeanwhile()
    gray = load_photo(item.gray)
    reference = load_photo(item.reference) if item.reference is not None else None
    asked, method = method, method_for(item, method)
    if asked is not None and method is None:
        model = None              # a pair model's file does not go with a single gray's default method
    # no diagnostics are written or shown for a batch's results: those only a viewer needs are left out
    result = yield from colorize_steps(gray, reference, method, model, {**(options or {}), "diagnostics": False})
    inputs = {item.gray.resolve()} | ({item.reference.resolve()} if item.reference else set())
    try:                                     # a manifest's subfolder of the output folder
        item.output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder {item.output.parent} ({e.strerror})") from None
    while True:                        # another batch may take a free name while this one writes
        if skip_existing and written_there(item.output):
            raise WrittenMeanwhile()
        target = free_path(item.output)
        while target.resolve() in inputs:  # never write over an input, even if asked to
            target = free_path(target.with_name(target.stem + "-out" + target.suffix))
        try:
            item.written = save_result(result, target, jpeg_quality=jpeg_quality, exclusive=True)
            break
        except NameTaken:
            continue
    if thumbnails:
        item.thumbnail = thumbnail(result.rgb)
        item.thumbnail_profile = result.output_icc       # the space the result was written in
    return result


def _shown(written: Path, out_dir: Path) -> str:
    """A result's name as the user finds it: with its subfolder of the output folder
    (a manifest's ``day/out.png`` and ``night/out.png``)."""
    try:
        return str(written.relative_to(out_dir))
    except ValueError:
        return written.name


def thumbnail(rgb: np.ndarray, long_side: int = THUMBNAIL_SIDE) -> np.ndarray:
    """A float RGB image as a small uint8 picture (area-averaged; at 12 MP about 0.02 s)."""
    small = area_reduce(rgb, max(rgb.shape[:2]) / long_side)
    return np.clip(np.rint(small * 255.0), 0, 255).astype(np.uint8)


def _item_error(item, error: Exception) -> str:
    """``error`` as a batch says it: a pair the other way round named by its files (they were
    paired by their names, not given in an order), for an _L/_R pair with the setting that says
    which is the mono side."""
    if not isinstance(error, SwappedPairError) or item.reference is None:
        return str(error)
    words = swapped_files(item.gray.name, item.reference.name, "their names")
    tag = TAG_RE.match(item.gray.stem)
    if not tag or tag["tag"].upper() not in ("L", "R"):
        return words
    other = "R" if tag["tag"].upper() == "L" else "L"
    return words + f"; if the mono camera is the {'right' if other == 'R' else 'left'} one, give --lr-mono-side {other}"


def run_batch(plan: BatchPlan, method: str | None = None, model=None, options=None,
              jpeg_quality: int = 95, thumbnails: bool = True) -> Generator[BatchProgress, None, BatchPlan]:
    """Colorize every queued item of ``plan``; yields progress, returns the plan. An output
    folder it made (and the folders above it that it made) is removed again when nothing was
    written into it (interrupted, or every item failed). The hidden temp files a batch killed
    mid-write left in the folders it writes into are removed first
    (:attr:`BatchPlan.unfinished_removed`). ``thumbnails``: each written item
    keeps a small picture of its result (the app's queue shows them; a command line has no use
    for them: 20 KB an item kept)."""
    made = [folder for folder in (plan.out_dir, *plan.out_dir.parents) if not folder.exists()]   # deepest first
    try:
        plan.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder {plan.out_dir} ({e.strerror})") from None
    try:
        check_writable_folder(plan.out_dir)  # a read-only one (a card, a share): told before any work
        remove_left_writes(plan)
        if method is None and model is not None:     # the file's own method: the items of its kind
            method = declared_model(model)           # get it, the others their default (as --method)
        with pinned_model(model) as model:           # one model for every item, however the file changes
            return (yield from _run_items(plan, method, model, options, jpeg_quality, thumbnails))
    finally:
        for folder in made:
            try:
                folder.rmdir()               # only an empty one
            except OSError:
                break


def remove_left_writes(plan: BatchPlan) -> list[Path]:
    """Remove what a batch killed mid-write left in the folders ``plan`` writes into
    (:attr:`BatchPlan.unfinished_removed`): hidden temp files, and an empty file at an item's
    own result name (where a file system has no hard links, a result's name is made empty first,
    then replaced: left so, each later --skip-existing run wrote another -2 copy beside it).
    Both only once older than any write takes. run_batch does it first, and so does a batch
    with nothing left to do."""
    waiting = [i for i in plan.items if i.status not in ENDED]
    plan.unfinished_removed = remove_unfinished_writes(
        [plan.out_dir, *(i.output.parent for i in waiting)], WRITE_EXTENSIONS)
    for item in waiting:
        try:
            info = item.output.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_size == 0 and time.time() - info.st_mtime >= STALE_AFTER_S:
                item.output.unlink()
                plan.unfinished_removed.append(item.output)
        except OSError:
            continue
    return plan.unfinished_removed


DISK_STILL_FULL = ("not colorized: the output folder's disk has too little room left for it; make room, "
                   "then run again")


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return -1


def _pixels(item: BatchItem) -> int:
    try:
        w, h = image_size(item.gray)
    except ColorStudioError:
        return 0                     # its own error comes when it is worked on
    return w * h


class DiskRoom:
    """What a full disk taught: a result that did not fit in F free bytes needs more than F over
    its pixels a pixel (its format's, its bit depth's); an item is worked on only while the free
    space may hold its result at that rate (a 400-item batch computed each result for nothing,
    and a fixed rule either refused small results that fitted or let 16-bit TIFFs through)."""

    def __init__(self, folder: Path):
        self.folder, self.bytes_per_pixel = folder, 0.0

    def full(self, item: BatchItem) -> None:
        """``item``'s result did not fit."""
        free, pixels = _free_bytes(self.folder), _pixels(item)
        if free >= 0 and pixels:
            self.bytes_per_pixel = max(self.bytes_per_pixel, free / pixels)

    def too_little_for(self, item: BatchItem) -> bool:
        free = _free_bytes(self.folder)
        return self.bytes_per_pixel > 0 and 0 <= free <= self.bytes_per_pixel * _pixels(item)


def _run_items(plan: BatchPlan, method, model, options, jpeg_quality,
               thumbnails: bool = True) -> Generator[BatchProgress, None, BatchPlan]:
    total = len(plan.items)
    done = failed = 0
    room = DiskRoom(plan.out_dir)
    for index, item in enumerate(plan.items):
        if item.status in ENDED:
            done += item.status == DONE
            failed += item.status == FAILED
            continue
        if room.too_little_for(item):
            item.status, item.error = FAILED, DISK_STILL_FULL
            failed += 1
            yield BatchProgress(index, total, item, FAILED, (index + 1) / max(total, 1),
                                f"{item.name}: {item.error}", done, failed)
            continue
        item.status = RUNNING
        base = index / max(total, 1)
        yield BatchProgress(index, total, item, RUNNING, base, f"{item.name}: starting", done, failed)
        try:
            steps = run_item(item, method, model, options, jpeg_quality, thumbnails, plan.skip_existing)
            while True:
                try:
                    p = next(steps)
                except StopIteration as stop:
                    result = stop.value
                    break
                yield BatchProgress(index, total, item, RUNNING, base + p.fraction / max(total, 1),
                                    f"{item.name}: {p.message}", done, failed)
            item.status = DONE
            item.ignored_options = tuple(result.info.get("ignored_options") or ())
            done += 1
            warning = result.info.get("warning")            # labelled as colorize labels it
            notes = [item.note, f"warning: {warning}" if warning else result.info.get("gray_input"),
                     result.info.get("colour_management"),       # as colorize says it
                     *result.info.get("input_notes", []), *output_notes(item.written, result.gray)]
            instead = (f" ({method} does not take {'pairs' if item.kind == 'pair' else 'single grays'})"
                       if method is not None and result.method != method else "")
            item.how = f"with {result.made_by}{instead}" + "".join(f"; {n}" for n in notes if n)
            message = f"{item.name}: written {_shown(item.written, plan.out_dir)} {item.how}"
        except WrittenMeanwhile:
            item.status, item.error = SKIPPED, WRITTEN_MEANWHILE
            message = f"{item.name}: {item.error}"
        except ColorStudioError as e:
            if isinstance(e, DiskFullError):
                room.full(item)
            item.status, item.error = FAILED, _item_error(item, e)
            failed += 1
            message = f"{item.name}: {item.error}"
        except Exception as e:  # too large for the memory, or a bug (not the user's fault: logged); go on
            if out_of_memory(e):
                item.error = NOT_ENOUGH_MEMORY
            else:
                log.exception("batch item %s failed", item.name)
                item.error = f"internal error ({type(e).__name__}: {e})"
            item.status = FAILED
            failed += 1
            message = f"{item.name}: {item.error}"
        yield BatchProgress(index, total, item, item.status, (index + 1) / max(total, 1), message, done, failed)
    return plan
