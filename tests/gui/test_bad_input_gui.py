"""The bad-input corpus through the app's open path (menu, command line, drop all call open_paths).

Each case either opens (and colorizes correctly) or shows a one-line ColorStudioError — never
an internal error; the app stays usable afterwards and no input file changes.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # tests/: the shared corpus
from bad_inputs import hashes, write_corpus  # noqa: E402

from colorstudio.core.color import luma  # noqa: E402
from colorstudio.errors import ColorStudioError  # noqa: E402

pytestmark = pytest.mark.gui


def _open(qtbot, window, files: list[Path], errors: list) -> object:
    """Open ``files``; the OpenedInputs, or the exception shown to the user."""
    n = len(errors)
    got = []
    window.opened.connect(got.append)
    try:
        window.open_paths(files)
        qtbot.waitUntil(lambda: bool(got) or len(errors) > n, timeout=20000)
        qtbot.waitUntil(lambda: window.worker is None, timeout=20000)
    finally:
        window.opened.disconnect(got.append)
    return got[0] if got else errors[-1]


def _as_named_pair(case, folder: Path) -> list[Path]:
    """The case's files copied as <n>_mono.* + <n>_color.* (how the app recognises a pair)."""
    if case.reference is None or not case.gray.is_file() or not case.reference.is_file():
        return [case.gray] + ([case.reference] if case.reference is not None else [])
    folder.mkdir(parents=True)
    gray = folder / f"x_mono{case.gray.suffix}"
    ref = folder / f"x_color{case.reference.suffix}"
    gray.write_bytes(case.gray.read_bytes())
    ref.write_bytes(case.reference.read_bytes())
    return [gray, ref]


def test_every_corpus_case_opens_or_shows_one_line(qtbot, window, tmp_path, monkeypatch):
    import colorstudio.gui.main_window as mw

    errors: list[BaseException] = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: errors.append(exc))
    window.auto_colorize = False
    folder = tmp_path / "corpus"
    cases = [c for c in write_corpus(folder) if c.method is None]
    before = hashes(folder)
    opened = refused = dropped = 0
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    for i, case in enumerate(cases):
        files = _as_named_pair(case, tmp_path / f"case{i}")
        outcome = _open(qtbot, window, files, errors)
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, ColorStudioError), f"{case.name}: {outcome!r}"
            assert "\n" not in str(outcome) and len(str(outcome)) < 300, case.name
            assert case.expect in ("error", "either") or case.reference is not None, \
                f"{case.name}: refused: {outcome}"
            refused += 1
        elif case.expect == "error":
            # a pair with an unusable file: the usable gray opens alone, the user is told why
            bad = files[-1]
            assert outcome.reference is None and outcome.gray.path != bad, case.name
            assert any(bad.name in m for m in messages), f"{case.name}: {messages[-3:]}"
            dropped += 1
        else:
            if case.size_wh is not None:
                assert outcome.gray.size == case.size_wh, case.name
            if case.reference is not None and case.reference != case.gray:
                assert outcome.reference is not None, f"{case.name}: the pair was not formed"
            opened += 1
    assert opened >= 15 and refused >= 8, (opened, refused)
    assert hashes(folder) == before
    print(f"\nGUI open path: {len(cases)} cases, {opened} opened, {refused} one-line errors, "
          f"{dropped} opened the gray alone and said why, 0 crashes")


@pytest.mark.parametrize("name", ["CMYK JPEG reference", "16-bit gray", "gray with alpha",
                                  "gray 'colour' reference"])
def test_awkward_but_valid_inputs_colorize_in_the_app(qtbot, window, tmp_path, monkeypatch, name):
    import colorstudio.gui.main_window as mw

    errors: list[BaseException] = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: errors.append(exc))
    window.auto_colorize = False
    case = next(c for c in write_corpus(tmp_path / "corpus") if c.name == name)
    opened = _open(qtbot, window, _as_named_pair(case, tmp_path / "pair"), errors)
    assert not isinstance(opened, BaseException), opened
    assert window.side.select("method:dis+gf")
    with qtbot.waitSignal(window.colorized, timeout=30000) as blocker:
        window.colorize()
    c = blocker.args[0].colorization
    assert c.rgb.shape[:2] == (case.size_wh[1], case.size_wh[0])
    assert np.abs(luma(c.rgb) - opened.gray.gray_float()).max() < 1e-3
    chroma_spread = np.abs(c.rgb - luma(c.rgb)[..., None]).mean()
    assert (chroma_spread < 1e-3) if "gray 'colour'" in name else (chroma_spread > 0.005)
    assert not errors


@pytest.mark.parametrize("reverse", [False, True])
def test_two_chosen_files_without_role_names_open_as_a_pair(qtbot, window, tmp_path, monkeypatch, reverse):
    import colorstudio.gui.main_window as mw

    errors: list[BaseException] = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: errors.append(exc))
    case = next(c for c in write_corpus(tmp_path / "corpus") if c.name == "16-bit gray")
    files = [case.gray, case.reference][::-1 if reverse else 1]      # the order chosen does not matter
    opened = _open(qtbot, window, files, errors)
    assert not isinstance(opened, BaseException), opened
    assert opened.gray.path == case.gray and opened.reference.path == case.reference
    assert "Opened as a pair" in window.statusBar().currentMessage()
    assert not errors


@pytest.mark.parametrize("kind", ["gray", "colour"])
def test_two_chosen_files_of_the_same_kind_open_alone_and_say_why(qtbot, window, tmp_path, monkeypatch, kind):
    import cv2

    import colorstudio.gui.main_window as mw

    errors: list[BaseException] = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: errors.append(exc))
    rng = np.random.default_rng(3)
    files = []
    for name in ("first", "second"):
        img = rng.integers(0, 255, (60, 80) if kind == "gray" else (60, 80, 3), dtype=np.uint8)
        files.append(tmp_path / f"{name}.png")
        cv2.imwrite(str(files[-1]), img)
    opened = _open(qtbot, window, files, errors)
    assert not isinstance(opened, BaseException), opened
    assert opened.reference is None and opened.gray.path == files[0]
    message = window.statusBar().currentMessage()
    assert f"both {'gray' if kind == 'gray' else 'in colour'}, so they are not a pair" in message
    assert "\n" not in message and not errors


def test_a_pair_whose_names_are_swapped_is_refused_as_it_opens(qtbot, window, tmp_path, monkeypatch):
    """x_mono holding colour and x_color holding gray: refused before any pair check is shown
    (the checks called it rectified and "better colorized on its own" before Colorize refused)."""
    import cv2

    import colorstudio.gui.main_window as mw

    errors: list[BaseException] = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: errors.append(exc))
    rng = np.random.default_rng(4)
    colour = rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "sw_mono.png"), colour)
    cv2.imwrite(str(tmp_path / "sw_color.png"), cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY))
    shown = _open(qtbot, window, [tmp_path / "sw_mono.png", tmp_path / "sw_color.png"], errors)
    assert isinstance(shown, ColorStudioError)
    assert str(shown).startswith("sw_mono.png is in colour and sw_color.png is gray: they seem swapped")
    assert window.inputs is None
