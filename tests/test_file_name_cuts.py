"""A long name is cut to the file system's limit keeping its bytes: a name that is not UTF-8
lost its whole stem (decoded with 'ignore'), and under Python's ASCII mode (LC_ALL=C with
PYTHONUTF8=0) a cut non-ASCII name became text the system could not encode (an internal error)."""
import os

import cv2
import numpy as np
import pytest

from colorstudio.core.file_names import fit_name


@pytest.mark.parametrize("raw", [b"\xff" * 300, b"scan_" + b"\xb0" * 300, "é".encode() * 150,
                                 "日本".encode() * 60 + b"x"],
                         ids=["not-utf8", "latin1-degrees", "two-byte-characters", "three-byte-characters"])
def test_a_cut_name_keeps_its_own_bytes_and_whole_characters(raw):
    data = os.fsencode(fit_name(os.fsdecode(raw), 199))
    assert 196 <= len(data) <= 199 and raw.startswith(data)
    if raw[-1] not in (0xFF, 0xB0):
        data.decode("utf-8")                               # no character cut in two


def test_a_short_name_is_kept_whole():
    assert fit_name("scène", 200) == "scène"


def test_a_batch_writes_a_long_name_that_is_not_utf8(tmp_path):
    from colorstudio.cli import main

    photos = tmp_path / "in"
    photos.mkdir()
    name = os.fsdecode(b"\xe9" * 240 + b".png")          # a Latin-1 name, 244 bytes
    gray = np.random.default_rng(1).integers(0, 256, (24, 32), dtype=np.uint8)
    ok, png = cv2.imencode(".png", gray)
    (photos / name).write_bytes(png.tobytes())
    assert main(["batch", str(photos), "-o", str(tmp_path / "out"), "--method", "neutral"]) == 0
    (written,) = [p for p in (tmp_path / "out").iterdir() if p.suffix == ".png"]
    assert os.fsencode(written.name).startswith(b"\xe9" * 200) and written.name.endswith("_colorized.png")


def test_under_pythons_ascii_mode_a_long_non_ascii_name_is_written(tmp_path):
    """LC_ALL=C with PYTHONUTF8=0: the file system's names are ASCII with escaped bytes."""
    import subprocess
    import sys

    raw = "é".encode() * 110 + b".png"                     # 224 bytes: a legal name
    gray = np.random.default_rng(2).integers(0, 256, (24, 32), dtype=np.uint8)
    (tmp_path / os.fsdecode(raw)).write_bytes(cv2.imencode(".png", gray)[1].tobytes())
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    run = subprocess.run([sys.executable, "-X", "utf8=0", "-m", "colorstudio", "batch", str(tmp_path),
                          "-o", str(tmp_path / "out"), "--method", "neutral"], env=env, capture_output=True)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-500:]
    (written,) = os.listdir(os.fsencode(tmp_path / "out"))
    assert written.startswith("é".encode() * 90) and written.endswith(b"_colorized.png")


@pytest.mark.parametrize("long_paths, refused", [(False, True), (True, False)])
def test_on_windows_a_path_of_260_characters_is_refused_unless_long_paths_are_on(monkeypatch, long_paths, refused):
    """Windows' limit is 260 characters of the absolute path (not 4096 bytes): a deeper output
    folder passed the check and failed after the work ("cannot find the path specified")."""
    from colorstudio.core import file_names

    monkeypatch.setattr(file_names.sys, "platform", "win32")
    monkeypatch.setattr(file_names, "windows_long_paths", lambda: long_paths)
    deep = "/photos/" + "/".join(["ordner_mit_langem_namen"] * 12) + "/bild_colorized.png"   # ~310 characters
    reason = file_names.name_too_long(deep)
    assert (reason is not None) == refused
    if refused:
        assert "characters long; the system takes less than 260" in reason
    assert file_names.name_too_long("/photos/out/bild_colorized.png") is None
