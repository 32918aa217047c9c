"""The batch queue while it looks through dropped photos: it says how far it got, Cancel stops
the looking and leaves the queue as it was (or empties one made for other settings)."""
from __future__ import annotations

import threading

import pytest

from colorstudio.core import pairs

from gui_helpers import write_pair


@pytest.fixture
def held_looking(monkeypatch):
    """Looking at a lone photo's pixels waits until the test lets it go."""
    go, looking = threading.Event(), threading.Event()
    real = pairs.classify_reason

    def slow(path):
        looking.set()
        go.wait(20)
        return real(path)

    monkeypatch.setattr(pairs, "classify_reason", slow)
    yield looking, go
    go.set()


def lone_grays(folder, n):
    from test_pairs import gray_img

    return [gray_img(folder / f"old{k}.png") for k in range(n)]


def test_the_queue_says_how_far_it_got_and_cancel_leaves_it_as_it_was(qtbot, panel, tmp_path, held_looking):
    looking, go = held_looking
    write_pair(tmp_path / "first", "a", seed=1)
    go.set()
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs([tmp_path / "first"])
    assert panel.statuses() == ["queued"]
    go.clear()
    looking.clear()
    lone_grays(tmp_path / "more", 3)
    panel.add_inputs([tmp_path / "more"])
    assert looking.wait(10)
    # said while the first of them is looked at (a PNG is decoded whole: seconds at 12 MP)
    qtbot.waitUntil(lambda: panel.status.text() == "Telling gray photos from colour ones: 0 of 3 looked at…",
                    timeout=5000)
    assert panel.cancel_button.isEnabled() and not panel.start_button.isEnabled()
    planner = panel.planner
    panel.cancel_button.click()
    assert panel.planner is None
    assert panel.status.text() == "Stopped looking for pairs: the queue is as it was"
    assert panel.statuses() == ["queued"] and panel.inputs == [tmp_path / "first"]
    assert panel.start_button.isEnabled() and not panel.cancel_button.isEnabled()
    go.set()
    qtbot.waitUntil(lambda: planner.isFinished(), timeout=10000)
    qtbot.wait(50)
    assert panel.statuses() == ["queued"]                 # the cancelled planner is not heard


def test_a_plan_for_another_output_folder_cancelled_empties_the_queue(qtbot, panel, tmp_path, held_looking):
    looking, go = held_looking
    lone_grays(tmp_path / "shoot", 2)
    go.set()
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs([tmp_path / "shoot"])
    assert panel.statuses() == ["queued", "queued"]
    go.clear()
    looking.clear()
    panel.set_out_dir(tmp_path / "elsewhere")          # a new plan, for the new folder
    assert looking.wait(10)
    panel.cancel()
    # the queue's items would be written to the old folder while the panel names the new one
    assert panel.statuses() == [] and panel.inputs == []
    assert "the queue is empty (it was made for other settings)" in panel.status.text()
    assert not panel.start_button.isEnabled()


def test_a_folder_changed_and_changed_back_while_looking_is_the_folder_planned_for(qtbot, panel, tmp_path,
                                                                                   held_looking):
    looking, go = held_looking
    lone_grays(tmp_path / "shoot", 1)
    go.set()
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs([tmp_path / "shoot"])
    first = panel.out_dir()
    go.clear()
    looking.clear()
    panel.set_out_dir(tmp_path / "B")                 # a plan for B starts…
    assert looking.wait(10)
    panel.set_out_dir(first)                          # …and the folder is set back while it looks
    go.set()
    qtbot.waitUntil(lambda: panel.planner is None and panel.plan.out_dir == first, timeout=20000)
    assert [i.output.parent for i in panel.plan.items] == [first]


def test_a_new_plan_stops_the_one_it_replaces(qtbot, panel, tmp_path, held_looking):
    looking, go = held_looking
    lone_grays(tmp_path / "shoot", 3)
    panel.add_inputs([tmp_path / "shoot"])
    assert looking.wait(10)
    replaced = panel.planner
    panel.skip_box.setChecked(True)                   # a plan with the box ticked replaces it
    assert panel.planner is not replaced and replaced.abort_requested
    go.set()
    qtbot.waitUntil(lambda: replaced.isFinished() and panel.planner is None, timeout=20000)
    assert panel.statuses() == ["queued"] * 3


def test_a_photo_of_one_name_added_after_a_batch_is_queued_once_and_the_others_stay_done(qtbot, panel, tmp_path):
    from test_pairs import gray_img

    for name in ("b.jpg", "b.png"):
        gray_img(tmp_path / "in" / name)
    panel.skip_box.setChecked(True)
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs([tmp_path / "in"])
    with qtbot.waitSignal(panel.finishedBatch, timeout=60000):
        panel.start_button.click()
    gray_img(tmp_path / "in" / "b.gif")
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.add_inputs([tmp_path / "in" / "b.gif"])
    rows = [(i.gray.name, i.status) for i in panel.plan.items]
    assert rows == [("b.jpg", "done"), ("b.png", "done"), ("b.gif", "queued")]
