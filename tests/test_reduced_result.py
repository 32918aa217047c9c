"""A learned method's result at its working size comes before its last step (the upsampling to
the gray's full size), so that a screen can show it early; the finished result is the same as
the method's own, and the app's job turns it into a display-size preview of large photos."""
from __future__ import annotations

import numpy as np
import pytest

from colorstudio.core.color import luma
from colorstudio.core.photo import Photo
from colorstudio.engine import methods as registry
from colorstudio.engine.colorize import colorize_steps, reduced_preview
from colorstudio.engine.progress import ReducedResult
from colorstudio.gui import jobs
from generator_steps import steps_and_result as run
from single_gray_fixtures import scene

# small working sizes keep the pair methods quick; the gray stays larger than them
PAIR_OPTIONS = {"ccdc": {"max_pixels": 20000}, "cyclecnn": {"working_pixels": 8000}}


@pytest.fixture(scope="module")
def single_gray():
    return Photo(pixels=np.rint(luma(scene(253, 301, seed=5)) * 255).astype(np.uint8))   # > 192 px


@pytest.fixture
def pair(motorcycle_small):
    left, right = motorcycle_small
    return Photo(pixels=np.rint(luma(left) * 255).astype(np.uint8)), Photo(pixels=np.rint(right * 255).astype(np.uint8))


def method_itself(name, gray, reference, options):
    """The method's function called directly, without deferring its last step."""
    ref = reference.rgb_float() if reference is not None else None
    return registry.get(name).load()(gray.gray_float(), ref, **options).chroma


def check_deferred(name, gray, reference=None, options=None):
    steps, result = run(colorize_steps(gray, reference, name, options=dict(options or {})))
    reduced = [s for s in steps if isinstance(s, ReducedResult)]
    assert len(reduced) == 1, f"{name}: one working-size result before the full size"
    h, w = reduced[0].chroma.shape[:2]
    assert reduced[0].chroma.shape[2] == 2 and h * w < gray.pixels.shape[0] * gray.pixels.shape[1]
    assert abs(w / h - gray.size[0] / gray.size[1]) < 0.05                  # the gray's frame, reduced
    assert steps.index(reduced[0]) < len(steps) - 1                           # more steps follow it
    direct = method_itself(name, gray, reference, dict(options or {}))
    # nothing changed by deferring (but float rounding: a busy machine gives the nets other thread counts)
    np.testing.assert_allclose(result.chroma, direct, rtol=0, atol=1e-5)
    assert result.chroma.dtype == np.float32 and result.rgb.shape[:2] == gray.pixels.shape[:2]


@pytest.mark.parametrize("name", ["hsv2stage", "cheng", "ensemble"])
def test_single_gray_methods_yield_their_working_size_result_first(single_gray, name):
    check_deferred(name, single_gray)


@pytest.mark.parametrize("name", ["ccdc", "cyclecnn"])
def test_pair_methods_yield_their_working_size_result_first(pair, name):
    check_deferred(name, *pair, options=PAIR_OPTIONS[name])


def test_nothing_is_deferred_when_the_working_size_is_the_full_size(pair):
    tiny = Photo(pixels=pair[0].pixels[:120, :150])
    steps, result = run(colorize_steps(tiny, None, "cheng"))
    assert not any(isinstance(s, ReducedResult) for s in steps)
    assert result.chroma.shape == (120, 150, 2)
    steps, _ = run(colorize_steps(*pair, "dis+gf"))                           # classic: never
    assert not any(isinstance(s, ReducedResult) for s in steps)


def test_a_reduced_preview_is_the_result_at_display_size(single_gray):
    _, result = run(colorize_steps(single_gray, None, "cheng"))
    working = result.working
    from colorstudio.core.single_chroma import apply_saturation

    chroma = apply_saturation(working.gray, working.chroma, result.info["saturation"])
    preview = reduced_preview(single_gray.gray_float(), chroma, long_side=100)
    assert preview.shape == (84, 100, 3)
    import cv2

    reduced = cv2.resize(result.rgb, (100, 84), interpolation=cv2.INTER_AREA)
    assert np.abs(preview - reduced).mean() < 0.01
    assert np.abs(preview - luma(preview)[..., None]).mean() > 0.01           # in colour, not gray


@pytest.mark.parametrize("gray_view", ["display copy", "another size"])
def test_the_app_job_previews_a_photo_larger_than_its_display_copy(single_gray, gray_view):
    from colorstudio.gui.display import display_image

    view = display_image(single_gray.pixels, 100) if gray_view == "display copy" else np.zeros((2, 2), np.uint8)
    opened = jobs.OpenedInputs(single_gray, None, "scene", view, None)
    steps, shown = run(jobs.colorize_for_view(opened, "ensemble", max_side=100))
    previews = [s for s in steps if isinstance(s, jobs.ViewPreview)]
    assert len(previews) == 1 and not any(isinstance(s, ReducedResult) for s in steps)
    view = previews[0].view
    assert view.dtype == np.uint8 and view.shape == shown.result_view.shape == (84, 100, 3)
    assert np.abs(view.astype(int) - shown.result_view).mean() < 1               # the same picture
    steps, _ = run(jobs.colorize_for_view(opened, "ensemble", max_side=400))      # fits: no preview
    assert not any(isinstance(s, jobs.ViewPreview) for s in steps)


def test_closing_the_app_job_closes_the_engine(single_gray, monkeypatch):
    closed = []

    def engine(*args):
        try:
            yield ReducedResult(0.6, "reduced", np.full((4, 5, 2), 0.5, np.float32))
            yield jobs.Progress(0.9, "more")
        finally:
            closed.append(True)

    monkeypatch.setattr(jobs, "colorize_steps", engine)
    opened = jobs.OpenedInputs(single_gray, None, "scene", np.zeros((2, 2), np.uint8), None)
    gen = jobs.colorize_for_view(opened, max_side=100)
    assert isinstance(next(gen), jobs.ViewPreview)
    gen.close()                                    # a cancelled job
    assert closed == [True]
