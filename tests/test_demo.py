"""The quick-start job: writes the bundled pair's result; a folder it cannot write to and an
app that cannot start are one-line messages, not tracebacks or raw exit codes."""
from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from colorstudio import app_launch
from colorstudio.engine import demo
from colorstudio.errors import OutputError


def test_the_demo_writes_the_bundled_pairs_result_without_a_display(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(app_launch, "has_display", lambda: False)
    assert demo.run_demo(tmp_path / "out") == 0
    from colorstudio.selftest import verify

    gray, _ = demo.example_pair()         # a real colorization of the gray, not any file
    assert verify(tmp_path / "out" / "motorcycle_colorized.png", gray) == []
    assert "no display found" in capsys.readouterr().err


def test_a_folder_it_cannot_create_is_a_one_line_output_error(tmp_path):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(OutputError, match="cannot create .*give one with -o"):
        demo.run_demo(tmp_path / "a_file" / "out", open_app=False)


def test_an_app_that_cannot_start_says_where_the_result_is(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(app_launch, "has_display", lambda: True)
    monkeypatch.setattr(demo, "colorize_files", lambda *a, **k: SimpleNamespace(method="copy", seconds=0.1))
    monkeypatch.setattr(demo.subprocess, "call", lambda *a, **k: -6)    # Qt aborted: no display to reach
    assert demo.run_demo(tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "the app could not start (exit code -6)" in err and "motorcycle_colorized.png" in err
    # Qt names xcb-cursor when icccm or keysyms are missing: the hint names all four
    assert ("libxcb-icccm4 libxcb-keysyms1" in err) == sys.platform.startswith("linux")


def test_a_frozen_build_starts_the_app_executable_beside_the_cli(monkeypatch, tmp_path):
    import sys

    from colorstudio.app_launch import app_command

    assert app_command()[1:] == ["-m", "colorstudio.gui.app"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "colorstudio-cli"))
    (exe,) = app_command()
    assert exe.startswith(str(tmp_path)) and "ColorStudio" in exe


def test_the_app_is_asked_to_colorize_the_pair_it_opens(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(app_launch, "has_display", lambda: True)
    monkeypatch.setattr(demo, "colorize_files", lambda *a, **k: SimpleNamespace(method="copy", seconds=0.1))
    monkeypatch.setattr(demo.subprocess, "call", lambda args, **k: calls.append(args) or 0)
    assert demo.run_demo(tmp_path / "out") == 0
    (args,) = calls
    assert "--colorize" in args and args[-2].endswith("motorcycle_mono.png")
