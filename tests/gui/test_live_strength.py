"""LiveStrength: one background job at a time, the last slider value wins, a result replaced
meanwhile is never overwritten, failures are reported."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from colorstudio.core.result import WorkingChroma
from colorstudio.errors import MethodError
from colorstudio.gui import jobs
from colorstudio.gui.live_strength import LiveStrength


def shown_at(saturation, method="cheng", working=True):
    work = WorkingChroma(np.zeros((4, 4), np.float32), np.full((4, 4, 2), 0.5, np.float32)) if working else None
    colorization = SimpleNamespace(method=method, working=work, info={"saturation": saturation})
    return SimpleNamespace(colorization=colorization)


@pytest.fixture
def live(qtbot, monkeypatch):
    state = SimpleNamespace(current=shown_at(1.0), wanted=None, shown=[], jobs=[], fail=False)

    def fake_job(shown, factor):           # what restrength_for_view returns, recorded
        state.jobs.append(factor)
        yield None
        if state.fail:
            raise MethodError("saturation must be between 0 and 4, got 9")
        return shown_at(factor, shown.colorization.method)

    monkeypatch.setattr(jobs, "restrength_for_view", fake_job)
    def show(shown):                         # as the window does: the new result is the current one
        state.shown.append(shown)
        state.current = shown

    strength = LiveStrength(lambda: state.current, lambda: state.wanted, show)
    state.strength = strength
    yield state
    strength.stop()


def test_a_drag_runs_one_job_at_the_last_value(qtbot, live):
    for value in (1.2, 1.4, 1.6):
        live.wanted = value
        live.strength.request()
    qtbot.waitUntil(lambda: bool(live.shown), timeout=5000)
    assert live.jobs == [1.6] and live.shown[0].colorization.info["saturation"] == 1.6
    live.strength.request()                 # already there: nothing runs
    qtbot.wait(300)
    assert live.jobs == [1.6] and not live.strength.is_running()


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


def test_a_failure_is_reported(qtbot, live):
    live.fail, live.wanted = True, 1.5
    with qtbot.waitSignal(live.strength.failed, timeout=5000) as blocker:
        live.strength.request()
    assert isinstance(blocker.args[0], MethodError) and live.shown == []
    qtbot.waitUntil(lambda: not live.strength.is_running(), timeout=5000)
