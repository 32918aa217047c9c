"""LiveStrength: one background job at a time, the last slider value wins, a result replaced
meanwhile is never overwritten, failures are reported."""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from colorstudio.core.result import WorkingChroma
from colorstudio.errors import MethodError
from colorstudio.gui import jobs
from colorstudio.gui.live_strength import LiveStrength
from generator_steps import steps_and_result


def shown_at(saturation, method="cheng", working=True):
    work = WorkingChroma(np.zeros((4, 4), np.float32), np.full((4, 4, 2), 0.5, np.float32)) if working else None
    colorization = SimpleNamespace(method=method, working=work, info={"saturation": saturation})
    return SimpleNamespace(colorization=colorization)


@pytest.fixture
def live(qtbot, monkeypatch):
    state = SimpleNamespace(current=shown_at(1.0), wanted=None, shown=[], jobs=[], fail=False, large=False,
                            full_with_preview=[])

    def picture(factor):
        return jobs.ViewPreview(0.3, "preview", view=np.full((2, 3, 3), int(10 * factor), np.uint8))

    def fake_job(shown, factor, preview=True):     # what restrength_for_view returns, recorded
        state.jobs.append(factor)
        state.full_with_preview.append(preview)
        if preview:
            yield picture(factor)
        else:
            yield jobs.Progress(0.1, "changing")
        if state.fail:
            raise MethodError("saturation must be between 0 and 4, got 9")
        return shown_at(factor, shown.colorization.method)

    def fake_preview_job(shown, factor):          # preview_for_view: the display copy only
        state.jobs.append(("preview only", factor))
        yield picture(factor)

    monkeypatch.setattr(jobs, "restrength_for_view", fake_job)
    monkeypatch.setattr(jobs, "preview_for_view", fake_preview_job)
    monkeypatch.setattr(jobs, "needs_preview", lambda shown: state.large)
    def show(shown):                         # as the window does: the new result is the current one
        state.shown.append(shown)
        state.current = shown

    state.previews = []
    strength = LiveStrength(lambda: state.current, lambda: state.wanted, show, state.previews.append)
    state.strength = strength
    yield state
    strength.stop()


def test_a_drag_runs_one_job_at_the_last_value(qtbot, live):
    for value in (1.2, 1.4, 1.6):
        live.wanted = value
        live.strength.request()
    qtbot.waitUntil(lambda: bool(live.shown), timeout=5000)
    assert live.jobs == [1.6] and live.shown[0].colorization.info["saturation"] == 1.6
    assert [int(v[0, 0, 0]) for v in live.previews] == [16]      # the preview came first
    live.strength.request()                 # already there: nothing runs
    qtbot.wait(300)
    assert live.jobs == [1.6] and not live.strength.is_running()


def test_on_a_large_photo_previews_follow_the_drag_and_the_full_size_waits_for_rest(qtbot, live):
    from colorstudio.gui.live_strength import SETTLE_MS

    live.large = True
    for value in (1.2, 1.4, 1.6, 1.8):
        live.wanted = value
        live.strength.request()
        qtbot.wait(SETTLE_MS // 3)                 # a hand moving: never still for SETTLE_MS
    qtbot.waitUntil(lambda: bool(live.shown), timeout=5000)
    qtbot.waitUntil(lambda: not live.strength.is_running(), timeout=5000)
    previews = [j for j in live.jobs if isinstance(j, tuple)]
    assert live.jobs[0] == ("preview only", 1.2)        # the first move is previewed at once
    assert len(previews) >= 2 and previews[-1] == ("preview only", 1.8)
    assert [j for j in live.jobs if not isinstance(j, tuple)] == [1.8]   # one full size, at the end
    assert live.full_with_preview == [False]                # its preview was on screen already
    assert int(live.previews[-1][0, 0, 0]) == 18 and live.shown[-1].colorization.info["saturation"] == 1.8
    live.strength.request()                                # at rest and there: nothing more runs
    qtbot.wait(SETTLE_MS * 2)
    assert len(live.jobs) == len(previews) + 1


def test_default_means_the_methods_own_default(qtbot, live):
    from colorstudio.engine.learned_methods import DEFAULT_SATURATION

    live.current = shown_at(1.6, "ensemble")
    live.strength.request()                 # wanted None: back to the ensemble's default
    qtbot.waitUntil(lambda: bool(live.shown), timeout=5000)
    assert live.jobs == [DEFAULT_SATURATION["ensemble"]]


def test_pairs_and_classic_results_are_left_alone(qtbot, live):
    live.current, live.wanted = shown_at(1.0, "dis+gf", working=False), 1.5
    live.strength.request()
    qtbot.wait(300)
    assert live.jobs == [] and live.shown == []


def test_a_result_replaced_meanwhile_is_not_overwritten(qtbot, live):
    live.wanted = 1.5
    live.strength._start()                   # the job starts for the current result...
    newer = shown_at(1.0, "hsv2stage")
    live.current = newer                     # ...then a new Colorize replaces it
    qtbot.waitUntil(lambda: len(live.jobs) == 2, timeout=5000)   # and the newer one is caught up
    qtbot.waitUntil(lambda: bool(live.shown), timeout=5000)
    assert [s.colorization.method for s in live.shown] == ["hsv2stage"]
    assert len(live.previews) == 1           # nor previewed: only the job for the newer one was


def test_a_failure_is_reported(qtbot, live):
    live.fail, live.wanted = True, 1.5
    with qtbot.waitSignal(live.strength.failed, timeout=5000) as blocker:
        live.strength.request()
    assert isinstance(blocker.args[0], MethodError) and live.shown == []
    qtbot.waitUntil(lambda: not live.strength.is_running(), timeout=5000)


# ---------------------------------------------------------------- the jobs themselves (no Qt)
@pytest.fixture(scope="module")
def cheng_result(tmp_path_factory):
    from colorstudio.core.color import luma
    from colorstudio.core.image_write import save_photo
    from colorstudio.core.imageio import load_photo
    from colorstudio.engine.colorize import colorize
    from single_gray_fixtures import scene

    path = tmp_path_factory.mktemp("live") / "gray.png"
    save_photo(path, luma(scene(45, 61, seed=3)))
    return colorize(load_photo(path), method="cheng")


def test_a_photo_larger_than_its_display_copy_is_previewed_first(cheng_result):
    shown = jobs._shown(cheng_result, 30)
    steps, new = steps_and_result(jobs.restrength_for_view(shown, 1.6, max_side=30))
    previews = [s for s in steps if isinstance(s, jobs.ViewPreview)]
    assert len(previews) == 1 and steps[0] is previews[0]
    assert previews[0].view.dtype == np.uint8 and previews[0].view.shape == new.result_view.shape == (22, 30, 3)
    assert np.abs(previews[0].view.astype(int) - new.result_view).mean() < 2     # the same picture
    assert np.abs(shown.result_view.astype(int) - new.result_view).mean() > 2    # at the new strength
    assert new.colorization.info["saturation"] == 1.6 and new.colorization.rgb.shape == (45, 61, 3)
    steps, _ = steps_and_result(jobs.restrength_for_view(shown, 1.6, max_side=100))
    assert not any(isinstance(s, jobs.ViewPreview) for s in steps)          # small: no preview


def test_strength_change_says_what_factor_is_still_to_apply(cheng_result):
    from colorstudio.engine.learned_methods import DEFAULT_SATURATION

    at = cheng_result.info["saturation"]
    assert at == DEFAULT_SATURATION["cheng"]
    assert jobs.strength_change(cheng_result, at) is None and jobs.strength_change(cheng_result, None) is None
    assert jobs.strength_change(cheng_result, 1.6) == 1.6
    assert jobs.strength_change(shown_at(1.0, "dis+gf", working=False).colorization, 1.6) is None
    assert jobs.strength_change(None, 1.6) is None


def test_an_export_has_the_strength_the_slider_shows_even_before_the_view_caught_up(cheng_result, tmp_path):
    from colorstudio.core.imageio import load_photo
    from colorstudio.engine.colorize import with_saturation

    out = tmp_path / "out.png"
    _, written = steps_and_result(jobs.export_result(cheng_result, out, None, 95, saturation=1.6))
    assert written == [out]
    expected = np.rint(with_saturation(cheng_result, 1.6).rgb * 255)
    assert np.abs(load_photo(out).pixels.astype(float) - expected).max() <= 1
    assert cheng_result.info["saturation"] != 1.6                # the shown result is left as it was
    diagnostics = tmp_path / "diagnostics"
    steps_and_result(jobs.export_diagnostics(cheng_result, diagnostics, saturation=1.6))
    assert json.loads((diagnostics / "info.json").read_text())["saturation"] == 1.6
