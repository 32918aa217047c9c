"""The single-gray ensemble: the HSV nets and cheng together, their chroma averaged."""
from __future__ import annotations

import numpy as np
import pytest

from colorstudio.core.color import luma
from colorstudio.core.single_chroma import apply_saturation, full_size
from colorstudio.engine import methods, single
from colorstudio.engine.warm_up import LOADERS
from colorstudio.errors import MethodError
from colorstudio.nets.hsv2stage import HSV2StageConfig
from single_gray_fixtures import cheng_file, hsv_file, scene


@pytest.fixture
def members(tmp_path):
    (tmp_path / "h").mkdir()
    (tmp_path / "c").mkdir()
    return {"hsv2stage": str(hsv_file(tmp_path / "h")[0]), "cheng": str(cheng_file(tmp_path / "c")[0])}


def test_the_ensemble_is_the_mean_of_its_members_at_full_size(members):
    gray = luma(scene(75, 101, seed=3))                 # odd sizes, larger than the working size
    both = single.colorize_ensemble(gray, model=members, saturation=1.0)
    hsv = single.colorize_hsv2stage(gray, model=members["hsv2stage"], saturation=1.0).working
    cheng = single.colorize_cheng(gray, model=members["cheng"], saturation=1.0).working
    assert both.chroma.shape == (75, 101, 2)
    # the members' working chroma averaged, then brought in gamut and to full size once
    np.testing.assert_allclose(both.working.chroma, 0.5 * (hsv.chroma + cheng.chroma), atol=2e-4)
    np.testing.assert_allclose(both.chroma, full_size(apply_saturation(hsv.gray, both.working.chroma, 1.0), gray),
                               atol=1e-6)
    assert both.info["method"] == "ensemble" and both.info["members"] == ["hsv2stage", "cheng"]
    assert both.diagnostics["hue"].shape == both.diagnostics["saturation"].shape


def test_the_ensembles_saturation_control_scales_its_colour(members):
    gray = luma(scene(48, 64, seed=1))
    faint, vivid = (single.colorize_ensemble(gray, model=members, saturation=s).chroma for s in (0.5, 1.5))
    assert np.abs(vivid - 0.5).mean() > 1.5 * np.abs(faint - 0.5).mean()
    assert np.allclose(single.colorize_ensemble(gray, model=members, saturation=0.0).chroma, 0.5, atol=2e-3)


def test_one_model_file_for_the_ensemble_is_a_one_line_error(members):
    with pytest.raises(MethodError, match="hsv2stage and cheng"):
        single.colorize_ensemble(np.zeros((20, 20), np.float32), model=members["cheng"])


def test_with_both_models_shipped_the_ensemble_is_the_single_gray_default_and_warms_up():
    names = {m.name for m in methods.all_methods()}
    assert {"hsv2stage", "cheng", "ensemble"} <= names      # their weight files ship in models/
    assert methods.default_for(methods.SINGLE).name == "ensemble"
    assert "ensemble" in LOADERS


def test_the_shipped_ensemble_averages_every_shipped_hsv_net_and_cheng(tmp_path, members):
    shipped = single.ensemble_members()
    hsv = single.shipped_hsv_nets()
    assert list(shipped) == ["hsv2stage"] + [n for n in hsv if n != "hsv2stage"] + ["cheng"]
    assert len(hsv) >= 2 and all(n in single.SHIPPED_HSV_NETS for n in hsv)
    (tmp_path / "h2").mkdir()
    (tmp_path / "h3").mkdir()
    other = HSV2StageConfig(lr_width=4, lr_layers=3, lr_dilations=(1, 1, 1), rcn_width=4)
    four = dict(members, hsv2stage_small=str(hsv_file(tmp_path / "h2", cfg=other)[0]),
                hsv2stage_seed9=str(hsv_file(tmp_path / "h3", cfg=other, seed=9)[0]))
    gray = luma(scene(37, 45, seed=4))
    mean = single.colorize_ensemble(gray, model=four, saturation=1.0)
    assert mean.info["members"] == ["hsv2stage", "hsv2stage_small", "hsv2stage_seed9", "cheng"]
    parts = [single.colorize_hsv2stage(gray, model=four[n], saturation=1.0).working.chroma
             for n in ("hsv2stage", "hsv2stage_small", "hsv2stage_seed9")]
    parts.append(single.colorize_cheng(gray, model=four["cheng"], saturation=1.0).working.chroma)
    assert not np.allclose(parts[0], parts[1], atol=1e-3)          # different HSV nets
    assert not np.allclose(parts[1], parts[2], atol=1e-3)
    np.testing.assert_allclose(mean.working.chroma, np.mean(parts, axis=0), atol=2e-4)
    with pytest.raises(MethodError, match="no member"):
        single.colorize_ensemble(gray, model=dict(members, hsv3=members["hsv2stage"]))


def test_hsv2stage_averages_the_nets_it_is_given_and_by_default_every_shipped_one(tmp_path, members):
    (tmp_path / "h2").mkdir()
    other = str(hsv_file(tmp_path / "h2", seed=7)[0])
    one = members["hsv2stage"]
    gray = luma(scene(41, 29, seed=5))
    alone = single.colorize_hsv2stage(gray, model=one, saturation=1.0).chroma
    np.testing.assert_allclose(single.colorize_hsv2stage(gray, model=[one, one], saturation=1.0).chroma,
                               alone, atol=1e-5)                  # the mean of one net twice is that net
    two = single.colorize_hsv2stage(gray, model=[one, other], saturation=1.0).chroma
    assert not np.allclose(two, alone, atol=1e-3)
    with pytest.raises(MethodError, match="no HSV net"):
        single.colorize_hsv2stage(gray, model=[])
    shipped = single.colorize_hsv2stage(gray)
    assert shipped.info["nets"] == list(single.shipped_hsv_nets()) and len(shipped.info["nets"]) >= 2
    assert "nets" not in single.colorize_hsv2stage(gray, model=one).info
