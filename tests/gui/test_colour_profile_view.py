"""The app shows a Display P3 reference as the engine uses it, and says what it did: kept in P3
(the result's space) for a gray without a colour space, converted for an sRGB-tagged gray."""
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from colorstudio.core.generator_steps import run_to_end
from colorstudio.gui.jobs import open_inputs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from icc_profiles import rgb_profile  # noqa: E402

P3 = rgb_profile("Test Display P3")


def test_p3_reference_is_shown_as_the_engine_uses_it_and_the_pair_checks_say_it(pair_files, tmp_path):
    gray_path, ref_path = pair_files
    rgb = np.asarray(Image.open(ref_path).convert("RGB"))
    p3_path = tmp_path / "p3.png"
    Image.fromarray(rgb).save(p3_path, icc_profile=P3)
    plain = run_to_end(open_inputs(gray_path, ref_path))
    kept = run_to_end(open_inputs(gray_path, p3_path))
    assert not any("Colour profile" in m for m in plain.checks) and plain.output_icc is None
    assert any("the result is in Test Display P3, the reference's colour space" in m for m in kept.checks)
    assert kept.output_icc == P3 and np.array_equal(kept.reference_view, plain.reference_view)   # P3 numbers

    srgb_gray = tmp_path / "gray_srgb.png"           # a gray saved as an sRGB-tagged RGB file
    gray = np.asarray(Image.open(gray_path).convert("L"))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(np.repeat(gray[..., None], 3, 2)).save(srgb_gray, icc_profile=srgb)
    converted = run_to_end(open_inputs(srgb_gray, p3_path))
    assert any("converted from Test Display P3 to sRGB" in m for m in converted.checks)
    saturation = lambda v: (v.max(-1).astype(int) - v.min(-1)).mean()
    assert saturation(converted.reference_view) > saturation(plain.reference_view)   # P3 numbers are more colourful


def test_a_single_gray_tagged_adobe_rgb_is_shown_with_the_tones_the_engine_uses(pair_files):
    from colorstudio.core.exif_colour_space import adobe_rgb_profile
    from colorstudio.core.imageio import load_photo

    gray_path, _ = pair_files
    tagged = gray_path.with_name("mono_adobe.png")
    Image.fromarray(np.asarray(Image.open(gray_path).convert("L"))).save(tagged, icc_profile=adobe_rgb_profile())
    opened = run_to_end(open_inputs(tagged, None))
    assert any("Adobe RGB (1998) tones were brought to sRGB's" in m for m in opened.checks)
    assert opened.output_icc is None and opened.gray.icc_profile is None
    raw = load_photo(tagged).pixels
    shadows = raw < 40
    assert (opened.gray.pixels[shadows] < raw[shadows]).mean() > 0.9       # gamma 2.2 shadows are darker
