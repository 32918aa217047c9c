"""The learned methods' thread choice: the cores other programs leave free, not the load average."""
import os
import sys

import pytest

from colorstudio.engine import cpu_threads
from colorstudio.engine.cpu_threads import (LoadWindow, inference_threads, machine_busy_seconds, other_programs_load,
                                            threads_for)


def test_threads_for_takes_the_free_cores_rounded_within_bounds():
    assert threads_for(0.0, cores=2, limit=2) == 2
    assert threads_for(0.4, cores=2, limit=2) == 2          # a little background noise
    assert threads_for(0.6, cores=2, limit=2) == 1          # a training on one core
    assert threads_for(3.0, cores=2, limit=2) == 1          # overloaded: still one
    assert threads_for(0.0, cores=8, limit=2) == 2          # never above torch's setting


def _counters(*values):
    it = iter(values)
    return lambda: next(it)


def test_own_cpu_time_is_not_counted_as_other_programs_load():
    # Over 0.1 s the machine was busy 0.15 CPU-s, 0.10 of them this process's own threads.
    load = other_programs_load(window=0.1, busy=_counters(10.0, 10.15), own=_counters(2.0, 2.10),
                               clock=_counters(5.0, 5.1, 5.1), sleep=lambda s: None)
    assert load == pytest.approx(0.5)
    # This process alone kept both cores busy (its OpenMP workers spinning): nobody else is.
    load = other_programs_load(window=0.1, busy=_counters(10.0, 10.2), own=_counters(2.0, 2.21),
                               clock=_counters(5.0, 5.1, 5.1), sleep=lambda s: None)
    assert load == 0.0


def test_unreadable_counters_give_no_measurement_and_torch_keeps_its_setting():
    assert other_programs_load(busy=lambda: None, sleep=lambda s: None) is None
    assert inference_threads(load=lambda: None) == cpu_threads.outer_threads()
    assert inference_threads(requested=3, load=lambda: pytest.fail("not measured")) == 3
    assert inference_threads(load=lambda: 50.0) == 1


def test_machine_busy_seconds_reads_the_cpu_line(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 5 45 1000 20 3 2 0 0 0\ncpu0 50 2 20 500 10 1 1 0 0 0\n")
    tick = os.sysconf("SC_CLK_TCK")
    assert machine_busy_seconds(str(stat)) == pytest.approx((100 + 5 + 45 + 3 + 2) / tick)
    stat.write_text("intr 1 2 3\n")
    assert machine_busy_seconds(str(stat)) is None
    assert machine_busy_seconds(str(tmp_path / "missing")) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/stat")
def test_the_real_measurement_is_a_plausible_number_of_cores():
    load = other_programs_load()
    assert load is not None and 0.0 <= load <= (os.cpu_count() or 1) + 0.5
    assert 1 <= inference_threads() <= max(1, os.cpu_count() or 1)
    assert cpu_threads.WINDOW_SECONDS <= 0.1                # cheap next to any colorization


def test_a_window_opened_earlier_waits_only_for_what_is_left_of_it():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    window = LoadWindow(busy=lambda: 0.0, own=lambda: 0.0, clock=lambda: now[0], sleep=sleep)
    now[0] = 0.03                                   # the engine prepared for 30 ms
    assert window.load(0.05) == 0.0 and slept == [pytest.approx(0.02)]
    window = LoadWindow(busy=lambda: 0.0, own=lambda: 0.0, clock=lambda: now[0], sleep=sleep)
    now[0] += 0.2                                   # longer than the window: no wait at all
    assert window.load(0.05) == 0.0 and len(slept) == 1


def test_two_colorizations_at_once_in_two_threads_leave_no_thread_short_of_threads():
    """The app may colorize a batch and the photo on screen at once, in two worker threads.
    torch's count (OpenMP) is per thread, and a thread started later inherits the last one set:
    each block restores its own thread's count, and the limit comes from the process default,
    so one job on 1 thread never leaves the next ones on 1."""
    import threading

    import torch

    default = cpu_threads.outer_threads()
    a_in, b_in, a_done, b_done = (threading.Event() for _ in range(4))
    seen = {}

    def job_a():                                  # a batch item on a busy machine: 1 thread
        with cpu_threads.torch_threads(1):
            a_in.set()
            b_in.wait(10)
        a_done.set()
        b_done.wait(10)                           # the batch's next item, once both have ended
        seen["a next item"] = cpu_threads.inference_threads(load=lambda: 0.0)    # now idle

    def job_b():                                  # the pair on screen, started meanwhile
        a_in.wait(10)
        with cpu_threads.torch_threads(default):
            b_in.set()
            a_done.wait(10)
            seen["b inside"] = torch.get_num_threads()
        b_done.set()

    threads = [threading.Thread(target=job_a), threading.Thread(target=job_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)

    def later():
        seen["later limit"] = cpu_threads.outer_threads()
        seen["later idle"] = cpu_threads.inference_threads(load=lambda: 0.0)
    t = threading.Thread(target=later)
    t.start()
    t.join(10)
    assert seen["b inside"] == default            # a ending did not take b's threads
    idle = min(default, os.cpu_count() or 1)
    assert seen["a next item"] == idle            # nor does a's next item stay on 1 thread
    assert seen["later limit"] == default and seen["later idle"] == idle
    mine = torch.get_num_threads()
    with pytest.raises(ValueError), cpu_threads.torch_threads(1):
        raise ValueError("a failing colorization")
    assert torch.get_num_threads() == mine        # this thread's own count back


def test_a_thread_started_after_overlapping_jobs_starts_with_the_default():
    """Threads inherit the count set last anywhere: a job that began while another held one
    thread must not hand that one down when it ends last."""
    import threading
    import time

    import torch

    default = cpu_threads.outer_threads()
    held, started = threading.Event(), threading.Event()

    def short_one_thread_job():
        with cpu_threads.torch_threads(1):
            held.set()
            started.wait(10)

    def longer_job():                              # its thread is made while the other holds 1
        with cpu_threads.torch_threads(default):
            started.set()
            time.sleep(0.1)                        # ends last

    first = threading.Thread(target=short_one_thread_job)
    first.start()
    held.wait(10)
    second = threading.Thread(target=longer_job)
    second.start()
    first.join(10)
    second.join(10)
    seen = []
    later = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    later.start()
    later.join(10)
    assert seen == [default]


@pytest.mark.parametrize("others_load, expected", [(0.0, "default"), (8.0, 1)])
def test_the_single_gray_nets_take_the_cores_other_programs_leave_free(monkeypatch, others_load, expected):
    """Beside other programs keeping the cores busy, two threads made hsv2stage's nets 6x slower
    (14 s against 2.2 s on a 12 MP gray): its threads are measured as the pair methods' are."""
    import numpy as np
    import torch

    from colorstudio.engine import single

    class Busy:
        def load(self, window=cpu_threads.WINDOW_SECONDS):
            return others_load

    monkeypatch.setattr(cpu_threads, "LoadWindow", Busy)
    monkeypatch.setattr(cpu_threads, "_default", 2)
    seen = []
    real = single._net_hue_vectors
    monkeypatch.setattr(single, "_net_hue_vectors", lambda *a: (seen.append(torch.get_num_threads()), real(*a))[1])
    gray = np.random.default_rng(0).random((40, 60), np.float32)
    single.colorize_hsv2stage(gray)
    single.colorize_ensemble(gray)
    assert seen and set(seen) == {2 if expected == "default" else expected}


def test_one_thread_at_most_waits_for_no_window(monkeypatch):
    """A process held to one thread (the single-gray benchmark) has nothing to choose: it does
    not spend the load window (50 ms a photo, 18 % of a small net's time)."""
    waited = []
    monkeypatch.setattr(cpu_threads, "_default", 1)
    assert cpu_threads.inference_threads(load=lambda: waited.append(1) or 0.0) == 1 and waited == []
    monkeypatch.setattr(cpu_threads, "_default", 2)
    assert cpu_threads.inference_threads(load=lambda: waited.append(1) or 0.0) == 2 and waited == [1]
