"""A batch plan made again for the queue (photos added, the skip box ticked) keeps what already
ran in it: done items stay done and in their rows, failed ones are tried again, and nothing is
kept for another output folder (engine.batch.merge_plans; no Qt)."""
from __future__ import annotations

from pathlib import Path

from colorstudio.engine.batch import DONE, FAILED, QUEUED, BatchItem, BatchPlan, merge_plans


def item(folder: Path, name: str, status: str = QUEUED, reference: bool = False) -> BatchItem:
    return BatchItem(gray=folder / f"{name}_mono.png", reference=folder / f"{name}_color.png" if reference else None,
                     name=name, output=folder / "out" / f"{name}_colorized.png", status=status)


def test_done_items_are_kept_in_their_rows_failed_ones_are_tried_again_and_new_ones_come_last(tmp_path):
    b_done, a_failed = item(tmp_path, "b", DONE, reference=True), item(tmp_path, "a", FAILED)
    earlier = BatchPlan(items=[b_done, a_failed], out_dir=tmp_path / "out")
    a_new, b_new, c_new = item(tmp_path, "a"), item(tmp_path, "b", reference=True), item(tmp_path, "c")
    plan = BatchPlan(items=[a_new, b_new, c_new], out_dir=tmp_path / "out")
    merged = merge_plans(earlier, plan)
    assert merged is plan
    assert [i.name for i in merged.items] == ["b", "a", "c"]          # the queue's order, the new one last
    assert merged.items[0] is b_done and merged.items[1] is a_new     # done: kept; failed: queued again
    assert [i.status for i in merged.items] == [DONE, QUEUED, QUEUED]


def test_an_item_is_the_same_only_with_the_same_gray_and_colour_shot(tmp_path):
    earlier = BatchPlan(items=[item(tmp_path, "a", DONE, reference=True)], out_dir=tmp_path / "out")
    alone = item(tmp_path, "a")                                       # the same gray, now without its pair
    merged = merge_plans(earlier, BatchPlan(items=[alone], out_dir=tmp_path / "out"))
    assert merged.items == [alone] and merged.items[0].status == QUEUED


def test_a_done_item_left_out_as_already_there_stays_shown_and_is_not_counted_as_already_there(tmp_path):
    ran = item(tmp_path, "a", DONE)
    earlier = BatchPlan(items=[ran, item(tmp_path, "b", FAILED), item(tmp_path, "c", DONE)], out_dir=tmp_path / "out")
    elsewhere = tmp_path / "out" / "d_colorized.png"                  # a result there from before the queue
    plan = BatchPlan(items=[item(tmp_path, "e")], out_dir=tmp_path / "out", already_there=[ran.output, elsewhere])
    merged = merge_plans(earlier, plan)
    # b failed and c's result is not said to be there: neither is in the new plan, so both are dropped
    assert [i.name for i in merged.items] == ["a", "e"] and merged.items[0] is ran
    assert merged.already_there == [elsewhere]


def test_nothing_is_kept_for_another_output_folder(tmp_path):
    ran = item(tmp_path, "a", DONE)
    earlier = BatchPlan(items=[ran], out_dir=tmp_path / "out")
    again = item(tmp_path, "a")
    plan = BatchPlan(items=[again], out_dir=tmp_path / "elsewhere", already_there=[ran.output])
    merged = merge_plans(earlier, plan)
    assert merged.items == [again] and merged.items[0].status == QUEUED
    assert merged.already_there == [ran.output]
