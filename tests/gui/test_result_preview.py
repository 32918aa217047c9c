"""A new result of a photo larger than its display copy is shown at display size as soon as the
method's working-size colours are there; the full size replaces it, and a cancelled or failed
job puts back what the pane showed before."""
from __future__ import annotations

import time

import numpy as np
import pytest

from colorstudio.engine.progress import Progress
from colorstudio.errors import MethodError
from colorstudio.gui import jobs
from gui_helpers import write_pair


def open_gray(qtbot, window, path):
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([path])


def colorize(qtbot, window, method):
    assert window.side.select(f"method:{method}")
    with qtbot.waitSignal(window.colorized, timeout=30000) as blocker:
        window.colorize()
    return blocker.args[0]


@pytest.fixture
def large_gray(tmp_path):
    """A gray larger than the single-gray methods' working size (192 px)."""
    return write_pair(tmp_path / "large", h=240, w=320)[0]


def test_a_large_photo_is_previewed_then_shown_at_full_size(qtbot, window, large_gray, monkeypatch):
    monkeypatch.setattr(jobs, "MAX_DISPLAY_SIDE", 64)        # the 320 px photo counts as a large one
    seen = []
    preview = window._preview_result
    monkeypatch.setattr(window, "_preview_result", lambda view: (
        preview(view), seen.append((view, window.compare.titles["result"].text(), window.result))))
    open_gray(qtbot, window, large_gray)
    shown = colorize(qtbot, window, "hsv2stage")
    assert len(seen) == 1
    view, title, result_then = seen[0]
    assert view.shape == shown.result_view.shape == (48, 64, 3) and result_then is None
    assert "preview" in title
    assert np.abs(view.astype(int) - shown.result_view).mean() < 2          # the same picture
    assert np.array_equal(window.compare.images["result"].image, shown.result_view)
    assert window.compare.titles["result"].text() == "Result · hsv2stage" and window.before_preview is None
    seen.clear()
    monkeypatch.setattr(jobs, "MAX_DISPLAY_SIDE", 400)       # fits its display copy: no preview
    colorize(qtbot, window, "cheng")
    assert seen == []


def preview_then(outcome):
    """A colorize job that shows a preview, then waits to be cancelled or fails."""
    def job(opened, method=None, model=None, options=None, max_side=None):
        yield jobs.ViewPreview(0.6, "bringing the colours to full size", np.full((96, 128, 3), 200, np.uint8))
        for i in range(500):
            time.sleep(0.01)
            yield Progress(0.7, "working")
            if outcome == "fail" and i == 50:       # long enough for the test to see the preview
                raise MethodError("out of memory at full size")
        raise AssertionError("should have been cancelled")
    return job


def test_a_cancelled_or_failed_job_puts_back_the_result_shown_before(qtbot, window, pair_files, monkeypatch):
    import colorstudio.gui.main_window as mw

    open_gray(qtbot, window, pair_files[0])
    before = colorize(qtbot, window, "cheng")
    window.set_mode("result")                       # the result alone: its title follows too
    assert window.compare.split_title.text().startswith("Result (cheng)")
    errors = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: errors.append(exc))
    for outcome in ("cancel", "fail"):
        monkeypatch.setattr(jobs, "colorize_for_view", preview_then(outcome))
        window.colorize()
        qtbot.waitUntil(lambda: window.before_preview is not None, timeout=5000)
        assert window.compare.images["result"].image.min() == 200             # the preview is up
        assert "preview" in window.compare.titles["result"].text()
        assert "preview" in window.compare.split_title.text()
        assert window.compare.split_after.image.min() == 200
        assert window.strength.current() is None       # the slider does not act on the hidden result
        if outcome == "cancel":
            window.side.cancel_button.click()
        qtbot.waitUntil(lambda: window.worker is None, timeout=5000)
        assert np.array_equal(window.compare.images["result"].image, before.result_view)
        assert window.compare.titles["result"].text() == "Result · cheng"
        assert window.compare.split_title.text().startswith("Result (cheng)")
        assert np.array_equal(window.compare.split_after.image, before.result_view)
        assert window.result is before and window.strength.current() is before
    assert [str(e) for e in errors] == ["out of memory at full size"]
    assert "out of memory" in window.side.status.text()


def test_zoomed_in_the_sharp_tile_stays_until_the_result_is_there(qtbot, window, pair_files, monkeypatch):
    open_gray(qtbot, window, pair_files[0])
    before = colorize(qtbot, window, "cheng")
    monkeypatch.setattr(window.compare, "shows_detail", lambda panel: True)
    window._preview_result(np.zeros_like(before.result_view))
    assert np.array_equal(window.compare.images["result"].image, before.result_view)
    assert window.before_preview is None
