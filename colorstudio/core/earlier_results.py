"""A batch's earlier results among the files a new batch (or a drop on the app) finds, so that
a batch run again, into the folder of its photos or another one, neither colorizes its own
results as new photos nor reports each as a colour photo without a partner."""
from __future__ import annotations

import re
from pathlib import Path

from colorstudio.core.photo_kind import COLOUR, classify_reason

RESULT_SUFFIX = "_colorized"      # a batch's result of NAME.ext is NAME_colorized.ext (-2, -3, ...)
_RESULT_NAME = re.compile(re.escape(RESULT_SUFFIX) + r"(?:-\d+)?$")


def is_result_in(path: Path, output: Path | None) -> bool:
    """Whether ``path`` is named as a batch's results are (``trip_colorized.png``,
    ``trip_colorized-2.png``) and lies in the batch's ``output`` folder (resolved): a result
    of this batch run before, even when named explicitly (``batch *.png -o .`` run again)."""
    return bool(_RESULT_NAME.search(path.stem)) and output is not None and path.resolve().parent == output


def is_earlier_result(path: Path, output: Path | None) -> bool:
    """Whether ``path``, found by searching a folder, is a batch's earlier result: named as
    results are, and in the batch's ``output`` folder (:func:`is_result_in`) or, elsewhere, in
    colour (an earlier batch's output folder inside an input folder; a gray one is taken as a
    photo)."""
    if not _RESULT_NAME.search(path.stem):
        return False
    return is_result_in(path, output) or classify_reason(path)[0] == COLOUR
