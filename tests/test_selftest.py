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
