"""benchmarks/batch_memory.py judges growth by the floor of the RSS (the lowest of each block of
items), so a method's per-item buffers swinging up and down are not growth, and a leak is."""
from __future__ import annotations

import numpy as np
import pytest

from bench_scripts import loaded_script


@pytest.fixture(scope="module")
def bench():
    yield from loaded_script("batch_memory")


def _summary(bench, samples):
    raw = {"samples": list(samples), "failed": 0, "start_mb": 50.0, "seconds": 1.0, "peak_mb": max(samples)}
    return bench.summarize(raw, len(samples), "320x240", "ccdc")


def test_buffers_that_come_and_go_are_not_growth_and_a_leak_of_a_thumbnails_size_is(bench):
    rng = np.random.default_rng(0)
    # ccdc's per-item working buffers: up to 32 MB above the floor on half the items
    swing = 320 + 32 * rng.random(400) * (rng.random(400) < 0.5)
    settling = np.minimum(np.arange(400), 240) * 8 / 240            # the floor steps up 8 MB, then stays
    flat = _summary(bench, swing + settling)
    assert not flat["grows"] and abs(flat["floor_slope_mb_per_100_items"]) < 0.5
    leak = _summary(bench, swing + np.arange(400) * 0.02)            # 2 MB per 100 items kept
    assert leak["grows"] and 1.5 < leak["floor_slope_mb_per_100_items"] < 2.5
    assert len(flat["floor_mb"]) == 15                               # items 100..399 in blocks of 20
