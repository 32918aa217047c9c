"""Changing a single-gray result's colour strength without running its method again."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from colorstudio.core.color import luma
from colorstudio.engine.colorize import colorize, preview_with_saturation, with_saturation
from colorstudio.engine.learned_methods import DEFAULT_SATURATION
from colorstudio.errors import MethodError
from single_gray_fixtures import scene


@pytest.fixture(scope="module")
def gray_photo(tmp_path_factory):
    from colorstudio.core.image_write import save_photo
    from colorstudio.core.imageio import load_photo

    path = tmp_path_factory.mktemp("strength") / "gray.png"
    save_photo(path, luma(scene(45, 61, seed=3)))       # odd size: the upsampling is exercised
    return load_photo(path)


@pytest.mark.parametrize("method", ["hsv2stage", "cheng", "ensemble"])
def test_a_new_strength_equals_colorizing_again_with_it(gray_photo, method):
    first = colorize(gray_photo, method=method)
    assert first.working is not None and first.working.chroma.shape[:2] == first.working.gray.shape
    again = colorize(gray_photo, method=method, options={"saturation": 1.6})
    changed = with_saturation(first, 1.6)
    np.testing.assert_allclose(changed.chroma, again.chroma, atol=1e-6)
    np.testing.assert_allclose(changed.rgb, again.rgb, atol=1e-6)
    assert changed.info["saturation"] == 1.6 and changed.method == method
    assert set(changed.diagnostics) == set(again.diagnostics)
    for name, value in again.diagnostics.items():        # hue/saturation maps redrawn too
        np.testing.assert_allclose(np.asarray(changed.diagnostics[name]), np.asarray(value), atol=1e-6)
    assert first.info["saturation"] == DEFAULT_SATURATION[method]     # the original is untouched
    # stronger is more colourful, zero is gray, None goes back to the method's default
    spread = lambda c: float(np.abs(c.chroma - 0.5).mean())            # noqa: E731
    assert spread(changed) > spread(first) > spread(with_saturation(first, 0.5))
    assert spread(with_saturation(first, 0.0)) < 1e-3
    back = with_saturation(changed, None)
    np.testing.assert_allclose(back.rgb, first.rgb, atol=1e-6)
    assert back.info["saturation"] == DEFAULT_SATURATION[method]
    # the luminance stays the gray's at every strength (up to gamut clipping)
    assert np.median(np.abs(luma(changed.rgb) - gray_photo.gray_float())) < 1e-3


def test_pairs_and_classic_methods_have_no_strength_to_change(gray_photo):
    neutral = colorize(gray_photo, method="neutral")
    assert neutral.working is None
    with pytest.raises(MethodError, match="no colour strength"):
        with_saturation(neutral, 1.2)
    tinted = gray_photo.gray_float()[..., None] * np.array([1.0, 0.8, 0.6])
    colour = replace(gray_photo, pixels=(255 * tinted).round().astype(np.uint8))
    pair = colorize(gray_photo, colour, method="dis+gf")
    assert pair.working is None
    with pytest.raises(MethodError):
        with_saturation(pair, 1.2)


def test_a_strength_out_of_range_is_a_one_line_error(gray_photo):
    first = colorize(gray_photo, method="cheng")
    with pytest.raises(MethodError, match="between 0 and 4"):
        with_saturation(first, 5.0)


def test_a_preview_is_the_new_strength_at_a_smaller_size(gray_photo):
    import cv2

    first = colorize(gray_photo, method="cheng")
    full = with_saturation(first, 1.6).rgb
    preview = preview_with_saturation(first, 1.6, long_side=30)
    assert preview.shape == (22, 30, 3)                         # 45 x 61 reduced to a 30 px long side
    reduced = cv2.resize(full, (30, 22), interpolation=cv2.INTER_AREA)
    assert np.abs(preview - reduced).mean() < 0.01               # what the reduced full size shows
    old = cv2.resize(first.rgb, (30, 22), interpolation=cv2.INTER_AREA)
    assert np.abs(preview - old).mean() > 3 * np.abs(preview - reduced).mean()   # and not the old strength
    # no larger than the photo: the full-size result itself
    np.testing.assert_allclose(preview_with_saturation(first, 1.6, long_side=100), full, atol=1e-6)
    with pytest.raises(MethodError, match="no colour strength"):
        preview_with_saturation(colorize(gray_photo, method="neutral"), 1.6, long_side=30)
    with pytest.raises(ValueError, match="at least 1 pixel"):                 # not a ZeroDivisionError
        preview_with_saturation(first, 1.6, long_side=0)


def test_the_sliders_previews_reduce_the_gray_once_per_result(gray_photo, monkeypatch):
    """Each preview converted the whole gray again (0.2-0.6 s at 50 MP, every ~250 ms of a drag)."""
    pytest.importorskip("PySide6")
    from colorstudio.core.photo import Photo
    from colorstudio.gui import jobs

    shown = jobs._shown(colorize(gray_photo, method="cheng"), 30)
    calls = []
    real = Photo.gray_float
    monkeypatch.setattr(Photo, "gray_float", lambda self: calls.append(1) or real(self))
    previews = [list(jobs.preview_for_view(shown, s, max_side=30))[0].view for s in (0.5, 1.0, 1.6)]
    assert len(calls) == 1 and previews[0].shape == (22, 30, 3)
    np.testing.assert_allclose(previews[2], jobs.display_image(preview_with_saturation(shown.colorization, 1.6, 30),
                                                                30))
