"""The fine-tune wizard's before/after comparison (no Qt): cycle PSNR/SSIM on the held-apart
pairs, with no ground truth needed (Cycle CNN's second-time colorization: the pair's colour
shot is coloured back from the result), plus one pair colorized both ways to show."""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable, Generator

import numpy as np

from colorstudio.core.imageio import load_photo
from colorstudio.core.pairs import PairItem
from colorstudio.engine.progress import Progress
from colorstudio.gui.display import downsample
from colorstudio.errors import ColorStudioError

EVAL_LONG_SIDE = 512        # held-apart pairs are evaluated at this size (fast, comparable)


@dataclass
class Scores:
    cycle_psnr: float
    cycle_ssim: float
    cycle_psnr_blocks: float       # on 16x16 block means: the colour shot's pixel noise averaged out


@dataclass
class Evaluation:
    before_label: str
    after_label: str
    before: Scores
    after: Scores
    per_pair: list[tuple[str, Scores, Scores]]
    example_before: np.ndarray             # (h, w, 3) float [0,1]: the first held-apart pair colorized
    example_after: np.ndarray


def _method_fn(method: str, model: Path | None, device: str | None = None) -> Callable:
    """The method's colorize function, with its model file and, for a learned method, the
    device the fine-tune trained on (None: the CPU, as the engine's default)."""
    from colorstudio.engine.colorize import resolve_method

    chosen = resolve_method(method, True, model)
    fn = chosen.load()
    given = {**({"model": str(model)} if model is not None else {}),
             **({"device": device} if device is not None and chosen.learned else {})}
    return (lambda g, r, **o: fn(g, r, **given, **o)) if given else fn


def _score(fn: Callable, gray: np.ndarray, ref: np.ndarray) -> tuple[Scores, np.ndarray]:
    from colorstudio.core.color import compose, rgb_to_ycbcr
    from colorstudio.core.metrics import block_psnr, chroma_psnr, cycle_chroma, ssim

    pred = fn(gray, ref).chroma
    back = cycle_chroma(fn, gray, ref, pred)
    truth = rgb_to_ycbcr(ref)[..., 1:]
    return Scores(chroma_psnr(back, truth), ssim(back, truth), block_psnr(back, truth)), compose(gray, pred)


def evaluate(held_out: list[PairItem], before: tuple[str, Path | None], after: tuple[str, Path | None],
             device: str | None = None) -> Generator[Progress, None, Evaluation]:
    """Cycle PSNR/SSIM (reference chroma recovered by second-time colorization) before and after;
    the learned methods run on ``device`` (the fine-tune's)."""
    if not held_out:
        raise ColorStudioError("no held-apart pair to evaluate on")
    fns = [_method_fn(*before, device), _method_fn(*after, device)]
    rows, example = [], None
    for n, item in enumerate(held_out):
        yield Progress(n / len(held_out), f"evaluating on {item.name}")
        gray = downsample(load_photo(item.gray).gray_float(), EVAL_LONG_SIDE)
        ref = downsample(load_photo(item.reference).rgb_float(), EVAL_LONG_SIDE)
        (sb, rgb_b), (sa, rgb_a) = _score(fns[0], gray, ref), _score(fns[1], gray, ref)
        rows.append((item.name, sb, sa))
        if example is None:
            example = (rgb_b, rgb_a)
    yield Progress(1.0, "evaluated")
    label = lambda m, p: f"{m}" + (f" ({p.stem})" if p else "")  # noqa: E731
    return Evaluation(label(*before), label(*after), _mean_scores(r[1] for r in rows),
                      _mean_scores(r[2] for r in rows), rows, *example)


def _mean_scores(scores) -> Scores:
    scores = list(scores)
    return Scores(*(float(np.mean([getattr(s, f.name) for s in scores])) for f in fields(Scores)))


