"""The pair check's words agree with what colorize then says, and read as a photographer reads
them: a turned shot is one whatever the angle, a few pixels are not "1.0x smaller"."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from colorstudio.core.checks import check_pair
from colorstudio.core.color import luma
from colorstudio.engine.pair_warnings import geometry_warning

skdata = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def photo():
    return skdata.astronaut().astype(np.float32) / 255


def test_a_shot_turned_45_degrees_is_called_turned_by_check_as_by_colorizes_warning(photo):
    h, w = photo.shape[:2]
    turned = cv2.warpAffine(photo, cv2.getRotationMatrix2D((w / 2, h / 2), 45, 1.0), (w, h),
                            borderMode=cv2.BORDER_REFLECT)
    r = check_pair(luma(photo), turned)
    assert r.messages[0].startswith("The colour shot looks turned by 45 degrees: turn it upright first")
    assert not any("will rectify" in m for m in r.messages)
    assert r.mode_reason == "the colour shot looks turned by 45 degrees (turn it upright first)"
    assert "turned by 45 degrees" in geometry_warning(r)


def test_a_colour_shot_a_few_pixels_smaller_is_slightly_smaller(photo):
    r = check_pair(luma(photo), cv2.resize(photo, (507, 507), interpolation=cv2.INTER_AREA))
    assert "The colour shot is slightly smaller than the gray shot (507x507 vs 512x512)." in r.messages
    assert not any("1.0x" in m for m in r.messages)


def test_no_matching_details_are_said_as_none(photo):
    flat = np.full((64, 64), 0.5, np.float32)
    r = check_pair(flat, photo[:64, :64])
    assert any(m.startswith("No matching details were found between the two shots") for m in r.messages)
    assert "can still try" in r.mode_reason and "copes" not in r.mode_reason
