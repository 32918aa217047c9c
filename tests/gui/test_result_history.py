"""The results kept for the open photos: newest last, a strength change in place, a limit."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from colorstudio.gui.result_history import ResultHistory


def result(method, saturation=None, megabytes=1):
    colorization = SimpleNamespace(method=method, working=None if saturation is None else object(),
                                   info={} if saturation is None else {"saturation": saturation},
                                   rgb=np.zeros(megabytes << 20, np.uint8), chroma=None)
    return SimpleNamespace(colorization=colorization)


def test_newest_last_a_strength_change_in_place_and_the_oldest_dropped():
    history = ResultHistory(limit=2)
    a, b, c = result("ccdc"), result("ensemble", 1.18), result("cheng", 1.16)
    history.add(a, "ccdc")
    history.add(b, "ensemble")
    assert history.labels() == ["ccdc", "ensemble · strength ×1.18"] and history.index(b) == 1
    stronger = result("ensemble", 1.6)
    history.replace(b, stronger)                     # the slider moved: same entry, new strength
    assert history.labels() == ["ccdc", "ensemble · strength ×1.60"] and history.index(b) == -1
    history.replace(result("x"), result("y"))        # not listed: nothing happens
    history.add(c, "my camera (your model, cheng)")
    assert [e.name for e in history.entries] == ["ensemble", "my camera (your model, cheng)"]
    assert history.index(a) == -1 and history.index(stronger) == 0
    history.clear()
    assert history.labels() == []


def test_large_results_are_kept_fewer_the_newest_always():
    history = ResultHistory(limit=3, max_bytes=25 << 20)
    for name in ("a", "b", "c"):
        history.add(result(name, megabytes=10), name)
    assert [e.name for e in history.entries] == ["b", "c"]            # 30 MB > 25: the oldest goes
    history.add(result("huge", megabytes=40), "huge")
    assert [e.name for e in history.entries] == ["huge"]              # alone over the budget: kept


def test_titles_name_the_strength_only_where_two_results_share_a_method():
    history = ResultHistory()
    history.add(result("hsv2stage", 1.15), "hsv2stage")
    history.add(result("ccdc"), "ccdc")
    assert history.names() == ["hsv2stage", "ccdc"]
    history.add(result("hsv2stage", 1.6), "hsv2stage")
    assert history.names() == ["hsv2stage · strength ×1.15", "ccdc", "hsv2stage · strength ×1.60"]
