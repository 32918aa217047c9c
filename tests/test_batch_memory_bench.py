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
    swing = 320 + np.random.default_rng(0).uniform(0, 32, 200)     # ccdc's per-item working buffers
    flat = _summary(bench, swing)
    assert not flat["grows"] and flat["floor_slope_mb_per_100_items"] < 1.0
    leak = _summary(bench, swing + np.arange(200) * 0.02)            # 2 MB per 100 items kept
    assert leak["grows"] and 1.0 < leak["floor_slope_mb_per_100_items"] < 3.5
    assert len(flat["floor_mb"]) == 7                                # items 50..199 in blocks of 20
