"""The fine-tuners' clock: training time against a budget of steps and/or minutes; time held at
a yield (a pause) or set aside (the last scoring) is not training."""
from __future__ import annotations

import pytest

from colorstudio.training import training_clock
from colorstudio.training.training_clock import TrainingClock


@pytest.fixture
def now(monkeypatch):
    t = [100.0]
    monkeypatch.setattr(training_clock.time, "perf_counter", lambda: t[0])
    return t


def test_a_resumed_run_counts_its_earlier_time_and_a_pause_uses_up_no_budget(now):
    clock = TrainingClock(seconds_before=30.0, steps=None, minutes=1.0)
    now[0] += 20
    assert clock.elapsed() == 50 and not clock.finished(step=10)
    with clock.set_aside():                # held at a yield for an hour
        now[0] += 3600
    assert clock.elapsed() == 50 and clock.seconds_left(10) == 10
    now[0] += 10
    assert clock.finished(step=11) and clock.seconds_left(11) == 0


def test_a_stop_while_paused_still_sets_the_pause_aside(now):
    clock = TrainingClock(0.0, steps=100, minutes=None)

    def training():
        while True:
            with clock.set_aside():
                yield
    run = training()
    next(run)
    now[0] += 500                          # paused, then Stop closes the generator
    run.close()
    assert clock.elapsed() == 0


def test_the_budget_left_is_the_nearer_of_steps_and_minutes(now):
    clock = TrainingClock(0.0, steps=100, minutes=10.0)
    now[0] += 60                           # 60 s for 20 steps: 80 more take 240 s, the minutes allow 540
    assert clock.seconds_left(20) == 240 and clock.fraction_done(20) == pytest.approx(0.2)
    now[0] += 480                          # 540 s: 90 % of the minutes, 50 % of the steps
    assert clock.fraction_done(50) == pytest.approx(0.9) and clock.seconds_left(50) == 60
    assert TrainingClock(0.0, None, None).seconds_left(5) is None
    assert TrainingClock(0.0, steps=3, minutes=None).finished(3)
