"""`--selftest` (what the frozen app runs): passes on a good install, fails in one line on a broken one."""
import shutil
import subprocess
import sys

from colorstudio import paths
from colorstudio.cli import main


def test_selftest_passes_and_prints_one_line(capsys):
    assert main(["--selftest"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("selftest ok") and "motorcycle" in out[0]


def test_selftest_checks_the_optional_formats_it_offers(monkeypatch, capsys):
    from colorstudio import selftest
    from colorstudio.core.imageio import READ_EXTENSIONS

    working, problems = selftest.check_formats()
    assert problems == []
    assert ("HEIC" in working) == (".heic" in READ_EXTENSIONS)
    assert ("RAW" in working) == (".dng" in READ_EXTENSIONS)

    def broken(fmt):   # as in a frozen build missing libheif
        raise OSError(f"cannot load the {fmt} library")

    monkeypatch.setattr(selftest, "_round_trip", broken)
    working, problems = selftest.check_formats()
    assert "HEIC" not in working and any(p.startswith("HEIC offered but not working") for p in problems)
    if ".heic" in READ_EXTENSIONS:
        assert main(["--selftest"]) == 1
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1 and out[0].startswith("selftest FAILED") and "HEIC offered" in out[0]


def test_selftest_without_models_fails_in_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "models").mkdir()
    shutil.copytree(paths.examples_dir(), tmp_path / "resources" / "examples")
    monkeypatch.setenv("COLORSTUDIO_DATA_DIR", str(tmp_path))
    assert main(["--selftest"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("selftest FAILED") and "no models" in out[0]


def test_selftest_without_the_example_fails_in_one_line(tmp_path, monkeypatch, capsys):
    shutil.copytree(paths.models_dir(), tmp_path / "models")
    (tmp_path / "resources").mkdir()
    monkeypatch.setenv("COLORSTUDIO_DATA_DIR", str(tmp_path))
    assert main(["--selftest"]) == 1
    assert "example pair is missing" in capsys.readouterr().out


def test_the_gui_entry_point_answers_version_and_selftest_without_a_display():
    for flag, text in (("--version", "ColorStudio "), ("--selftest", "selftest ok")):
        p = subprocess.run([sys.executable, "-m", "colorstudio.gui.app", flag], capture_output=True,
                           text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
        assert p.returncode == 0 and text in p.stdout, p.stderr


def test_verify_finds_each_kind_of_bad_result(tmp_path):
    """A result of the wrong size, one whose luma is not the gray's, and the gray itself saved
    as RGB are each named; a faithful colorization passes."""
    import numpy as np
    from PIL import Image

    from colorstudio.core.color import compose
    from colorstudio.selftest import verify

    gray = np.tile(np.linspace(0.1, 0.9, 64, dtype=np.float32), (48, 1))
    Image.fromarray(np.round(gray * 255).astype(np.uint8)).save(tmp_path / "gray.png")
    chroma = np.dstack([np.full_like(gray, 0.42), np.full_like(gray, 0.6)])
    good = np.round(compose(gray, chroma) * 255).astype(np.uint8)
    cases = {"good": good, "small": good[:40], "dark": np.clip(good.astype(int) - 10, 0, 255).astype(np.uint8),
             "gray_rgb": np.repeat(np.round(gray * 255).astype(np.uint8)[..., None], 3, -1)}
    found = {}
    for name, rgb in cases.items():
        Image.fromarray(rgb).save(tmp_path / f"{name}.png")
        found[name] = verify(tmp_path / f"{name}.png", tmp_path / "gray.png")
    assert found["good"] == []
    assert len(found["small"]) == 1 and "size" in found["small"][0]
    assert any("luma" in p for p in found["dark"])
    assert len(found["gray_rgb"]) == 1 and "no colour" in found["gray_rgb"][0]
