"""The app shows a Display P3 reference converted, as the engine uses it, and says so."""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from colorstudio.engine.colorize import run_to_end
from colorstudio.gui.jobs import open_inputs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from icc_profiles import rgb_profile  # noqa: E402


def test_p3_reference_is_shown_converted_and_the_pair_checks_say_it(pair_files, tmp_path):
    gray_path, ref_path = pair_files
    rgb = np.asarray(Image.open(ref_path).convert("RGB"))
    p3_path = tmp_path / "p3.png"
    Image.fromarray(rgb).save(p3_path, icc_profile=rgb_profile("Test Display P3"))
    plain = run_to_end(open_inputs(gray_path, ref_path))
    tagged = run_to_end(open_inputs(gray_path, p3_path))
    assert not any("Colour profile" in m for m in plain.checks)
    assert any("converted from Test Display P3 to sRGB" in m for m in tagged.checks)
    saturation = lambda v: (v.max(-1).astype(int) - v.min(-1)).mean()
    assert saturation(tagged.reference_view) > saturation(plain.reference_view)   # P3 numbers are more colourful
