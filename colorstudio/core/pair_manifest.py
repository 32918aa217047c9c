"""The pairs manifest: a CSV (``pairs.csv``) listing ``gray,reference[,output]`` per row.

Paths are relative to the CSV; an empty reference means a single gray; a header row is
optional (columns then go by name: gray/grey/mono, reference/ref/color/colour, output/out);
lines starting with ``#`` and empty lines are skipped; ``,``, ``;`` or tab separate cells.
A CSV saved by Excel on Windows reads too: its code page (cp1252) when the text is not UTF-8,
UTF-16 by its byte-order mark, and ``\\`` between folders.
This module only reads the rows: whether the files exist and can be read is
:mod:`colorstudio.core.pairs`'s business (a path with ``\\`` is only looked for, to tell
which it is).
"""
from __future__ import annotations

import codecs
import csv
import os
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "pairs.csv"


@dataclass(frozen=True)
class ManifestRow:
    line: int                   # 1-based line in the CSV
    gray: Path | None           # None: the row names no gray file
    reference: Path | None      # None: a single gray
    output: Path | None
    code_page: str | None = None   # the Windows code page the CSV was read in, when it is not UTF-8


def read_manifest(csv_path: Path) -> list[ManifestRow]:
    """The data rows of ``csv_path``. Raises OSError, UnicodeDecodeError or csv.Error."""
    rows, code_page = _manifest_rows(csv_path)
    cols = {"gray": 0, "reference": 1, "output": 2}
    if rows:
        header = _manifest_columns(rows[0][1])
        if header is not None:
            cols = header
            rows = rows[1:]
    base = csv_path.parent

    def cell(cells: list[str], key: str) -> Path | None:
        i = cols[key]
        value = cells[i] if 0 <= i < len(cells) else ""
        return _listed_path(base, value) if value else None

    return [ManifestRow(line, cell(cells, "gray"), cell(cells, "reference"), cell(cells, "output"), code_page)
            for line, cells in rows]


MAX_MANIFEST_BYTES = 16 * 1024 * 1024     # about 100 000 rows; more is not a list of photos


def _manifest_rows(csv_path: Path) -> tuple[list[tuple[int, list[str]]], str | None]:
    if not csv_path.is_file():     # a FIFO would block the read, /dev/zero would never end it
        raise OSError(f"{csv_path.name} is not a regular file")
    with open(csv_path, "rb") as f:
        data = f.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise OSError(f"{csv_path.name} is larger than {MAX_MANIFEST_BYTES // 2**20} MB")
    text, code_page = _manifest_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for n, row in enumerate(csv.reader(text.splitlines(), dialect), start=1):
        cells = [c.strip() for c in row]
        if any(cells) and not cells[0].startswith("#"):
            rows.append((n, cells))
    return rows, code_page


WESTERN_CODE_PAGE = "Windows-1252"


def _manifest_text(data: bytes) -> tuple[str, str | None]:
    """The CSV's text: UTF-16 by its byte-order mark (Excel's "Unicode text"), else UTF-8 (with
    or without its mark), else Windows' Western code page, as Excel's plain "CSV" saves it there
    (then named: names in another alphabet come out wrong)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), WESTERN_CODE_PAGE


def _listed_path(base: Path, value: str) -> Path:
    """A cell's path, relative to the CSV's folder; written with Windows' ``\\`` (sub\\a.png) it
    is the same path here, unless a file of that very name exists (``\\`` is a character in a
    name outside Windows)."""
    path = base / Path(value).expanduser()
    if os.sep == "/" and "\\" in value and not _exists(path):
        return base / Path(value.replace("\\", "/")).expanduser()
    return path


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:            # a name too long to ask about (pairs says so)
        return False


def _manifest_columns(first: list[str]) -> dict[str, int] | None:
    """Column positions from a header row, or None if the row is data."""
    names = {"gray": ("gray", "grey", "mono"), "reference": ("reference", "ref", "color", "colour"),
             "output": ("output", "out")}
    low = [c.lower() for c in first]
    cols = {key: next((i for i, c in enumerate(low) if c in alias), -1) for key, alias in names.items()}
    return cols if cols["gray"] >= 0 else None
