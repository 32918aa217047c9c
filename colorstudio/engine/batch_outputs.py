"""Where a batch's results go: one file per item, in a format that can be written, named after
the item (``NAME_colorized.ext``) or as a manifest says, numbered only where two would share one."""
from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from colorstudio.core.earlier_results import RESULT_SUFFIX
from colorstudio.core.file_names import NAME_MAX_BYTES, fit_name
from colorstudio.core.imageio import READ_EXTENSIONS
from colorstudio.core.output_formats import WRITE_EXTENSIONS
from colorstudio.core.pair_names import name_key
from colorstudio.core.result_source import MADE_FROM
from colorstudio.errors import OutputError


def output_extension(ext: str) -> str:
    """A user's output format ("jpg", ".JPG", ".tif") as a written extension, or a one-line error."""
    suffix = ext.strip().lower()
    suffix = suffix if suffix.startswith(".") else "." + suffix
    if suffix not in WRITE_EXTENSIONS:
        raise OutputError(f"unknown output format '{ext}' (use one of {', '.join(WRITE_EXTENSIONS)})")
    return suffix


def written_suffix(suffix: str, ext: str | None) -> str:
    """The format asked for, else ``suffix``, or one that can be written: JPEG for the phones'
    lossy HEIC/HEIF/AVIF, PNG (lossless) for anything else (a RAW, a GIF)."""
    suffix = output_extension(ext) if ext else suffix.lower()
    if suffix not in WRITE_EXTENSIONS:
        suffix = ".jpg" if suffix in (".heic", ".heif", ".avif") else ".png"
    return suffix


def _manifest_suffix(output: Path, ext: str | None) -> str:
    """The format of a manifest's output name: ``ext`` if given, else its own, or one that can
    be written for a format ColorStudio only reads (:func:`written_suffix`); PNG for a name
    without one; an unknown one (``out.xyz``) is refused, as ``--ext .xyz`` is."""
    if ext or not output.suffix or output.suffix.lower() in READ_EXTENSIONS:
        return written_suffix(output.suffix, ext)
    return output_extension(output.suffix)


def _output_path(item, out_dir: Path, ext: str | None, name: str) -> Path:
    """Where an item's result goes: the manifest's output (with its subfolders: ``day/out.png``
    and ``night/out.png`` stay two files), else ``NAME_colorized``, in ``out_dir``, in a
    format that can be written."""
    if item.output is not None:
        stem, tail, folder = item.output.stem, _manifest_suffix(item.output, ext), out_dir / item.output.parent
    else:
        stem, tail, folder = name, RESULT_SUFFIX + written_suffix(item.gray.suffix, ext), out_dir
    # a long input name: the result's name is cut to the file system's limit (with room for "-NN")
    return folder / (fit_name(stem, NAME_MAX_BYTES - len(os.fsencode(tail)) - 4) + tail)


def result_files(items: list, out_dir: Path, ext: str | None,
                 resemblance: Callable[[Path, Path], float] | None = None) -> list[Path | OutputError]:
    """Each item's result file, one each (or why it has none). Items of one name (b.jpg, b.png,
    b.gif: b, b-2, b-3) keep it where their results differ in format (b_colorized.jpg and .png);
    a result both would take goes to the item whose own format it is (b.png's b_colorized.png,
    whatever is added beside it later), then to the first of the others, and the rest take
    their numbered names (b-3_colorized.png): adding a photo never renames another's result
    file of its own format, which --skip-existing looks for. With ``resemblance(result, gray)``
    (--skip-existing: :func:`colorstudio.core.result_source.resemblance`), a result already
    there goes to the item it was made from first (b.jpg's, written as b_colorized.png before
    b.png was added), so neither is taken for the other; where the maker cannot be told, to none."""
    outputs: list[Path | OutputError | None] = [None] * len(items)
    plain = _plain_outputs(items, out_dir, ext, outputs)
    own_format = [n for n, path in plain.items() if path.suffix.lower() == items[n].gray.suffix.lower()]
    order = own_format + [n for n in plain if n not in own_format]
    nobodys: set[str] = set()
    claims = _claims(order, plain)
    if resemblance is not None:
        order, nobodys = _makers_first(order, claims, plain, items, resemblance)
    taken = set(nobodys)
    for n in order:
        output = plain[n]
        if name_key(str(output)) in taken:
            output = _output_path(items[n], out_dir, ext, items[n].name)
        # a file nobody's result is in: the item's own earlier result if one is numbered there
        # (card001's IMG_0001_colorized-2.png), else a name no file has, not another's taken for done
        ours = None
        if (key := name_key(str(plain[n]))) in nobodys:
            ours = partial(_clearly_made_from, resemblance, items[n].gray,
                           [items[m].gray for m in claims[key] if m != n])
        outputs[n] = _own_output(output, taken, ours)
    return outputs


CLEAR_LEAD = 0.01      # how much more the maker must resemble a result than any other contender


def _makers_first(order: list[int], claims: dict[str, list[int]], plain: dict[int, Path], items: list,
                  resemblance: Callable[[Path, Path], float]) -> tuple[list[int], set[str]]:
    """(``order`` with, for each result file that is there already, the item it was made from
    put first, the names of such files no item takes). The maker is the one it resembles most,
    enough and clearly more than any other item of that name (a burst's neighbouring frame
    resembles it too, less); where none is, no item takes it: each is colorized into a new file
    rather than being taken for done by another photo's result (a photo of the same name on
    another card, whose result an earlier batch wrote there)."""
    makers, nobodys = set(), set()
    for key, contenders in claims.items():
        if written_there(result := plain[contenders[0]]):
            maker = [n for n in contenders if _clearly_made_from(
                resemblance, items[n].gray, [items[m].gray for m in contenders if m != n], result)]
            if maker:
                makers.add(maker[0])
            else:           # (one photo alone too: card001's IMG_0001 after card000's was written)
                nobodys.add(key)
    return [n for n in order if n in makers] + [n for n in order if n not in makers], nobodys


def _clearly_made_from(resemblance: Callable[[Path, Path], float], gray: Path, others: list[Path],
                       result: Path) -> bool:
    """Whether ``result`` was made from ``gray``: it resembles it enough, and clearly more than
    the ``others`` of its name (two copies of one photo cannot be told apart by their results)."""
    score = resemblance(result, gray)
    return score >= MADE_FROM and all(score - resemblance(result, other) >= CLEAR_LEAD for other in others)


def _claims(order: list[int], plain: dict[int, Path]) -> dict[str, list[int]]:
    claims: dict[str, list[int]] = {}
    for n in order:
        claims.setdefault(name_key(str(plain[n])), []).append(n)
    return claims


def _plain_outputs(items: list, out_dir: Path, ext: str | None, errors: list | None = None) -> dict[int, Path]:
    """Each item's result file before any numbering (the failures, a manifest output in an
    unknown format, go to ``errors`` at the item's place)."""
    plain: dict[int, Path] = {}
    for n, item in enumerate(items):
        try:
            plain[n] = _output_path(item, out_dir, ext, item.unnumbered or item.name)
        except OutputError as e:
            if errors is not None:
                errors[n] = e
    return plain


def results_there(items: list, out_dir: Path, ext: str | None) -> list[tuple[Path, Path]]:
    """(result file, gray photo) for each item whose result file is in ``out_dir`` already, as
    :func:`result_files` asks ``resemblance`` about them (a batch compares them first, saying how far)."""
    plain = _plain_outputs(items, out_dir, ext)
    return [(plain[contenders[0]], items[n].gray) for contenders in _claims(list(plain), plain).values()
            if written_there(plain[contenders[0]]) for n in contenders]


def written_there(output: Path) -> bool:
    """A result is there: a file with something in it (an empty one is what a stop left)."""
    try:
        return output.is_file() and output.stat().st_size > 0
    except OSError:
        return False


def _own_output(output: Path, taken: set[str], ours: Callable[[Path], bool] | None = None) -> Path:
    """``output``, numbered when another item of the plan has it already (two manifest rows
    naming one output, two long names cut alike): each item its own file, so that a
    ``--skip-existing`` run never takes one's result for the other's. ``ours``: numbered past
    the files there too, but for the one it says is the item's own result."""
    key, n, numbered = name_key(str(output)), 1, output          # as pairs' names are told apart
    while key in taken or (ours is not None and numbered.exists() and not ours(numbered)):
        n += 1
        numbered = output.with_name(f"{output.stem}-{n}{output.suffix}")
        key = name_key(str(numbered))
    taken.add(key)
    return numbered
