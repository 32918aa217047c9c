"""The diagnostics dock's Occlusion tab: CCDC's two maps (core.occlusion), each titled with what
its colour means, in the chosen palette."""
from __future__ import annotations

import numpy as np

from test_diagnostics_dock import _rendered


def _is(pixel, rgb) -> bool:
    """A drawn pixel is this colour (the lookup table's 256 steps round by one)."""
    return bool(np.abs(pixel.astype(int) - np.asarray(rgb)).max() <= 2)


def _occlusion_diagnostics():
    occ = np.zeros((30, 40), np.float32)
    occ[:, :8] = -1.0                    # the gray's left strip: the colour shot does not see it
    shot = np.zeros((30, 40), np.float32)
    shot[:, -8:] = 1.0                   # the colour shot's right strip: the gray does not see it
    return {"occlusion": occ, "occlusion_colour_shot": shot, "visibility_0": np.zeros((30, 40), np.float32)}


def test_the_occlusion_tab_shows_both_maps_in_the_palettes_colours(dock, qtbot):
    dock.show_diagnostics(_occlusion_diagnostics(), {"not_seen_by_colour_shot": 0.2})
    tabs = [dock.title_at(i) for i in range(dock.tabs.count()) if dock.tabs.isTabVisible(i)]
    assert "Occlusion" in tabs and "Other" not in tabs          # the maps are not left to "Other"
    dock.tabs.setCurrentIndex(list(dock.pages).index("Occlusion"))
    grid = dock.occlusion
    assert list(grid.items) == ["the gray; red: unmatched (colour guessed)", "the colour shot; green: unmatched"]
    dock.resize(300, 700)                  # the first one was cut in the app's first dock width: whole now
    qtbot.waitUntil(lambda: all(label.text == name for name, label in grid.labels.items()), timeout=2000)
    gray_map, shot_map = (_rendered(item) for item in grid.items.values())
    assert _is(gray_map[5, 2], (255, 0, 0)) and _is(gray_map[5, 20], (0, 0, 0))
    assert _is(shot_map[5, 37], (0, 255, 0)) and _is(shot_map[5, 20], (0, 0, 0))
    assert not grid.bars and grid.bar is None                   # two colours and black: no bar to read

    dock.set_palette("orange-blue")
    assert list(grid.items) == ["the gray; orange: unmatched (colour guessed)", "the colour shot; blue: unmatched"]
    gray_map, shot_map = (_rendered(item) for item in grid.items.values())
    assert _is(gray_map[5, 2], (255, 128, 0)) and _is(shot_map[5, 37], (0, 115, 255))


def test_a_result_without_the_maps_hides_the_tab(dock):
    dock.show_diagnostics(_occlusion_diagnostics(), {})
    dock.show_diagnostics({"visibility_0": np.zeros((30, 40), np.float32)}, {})
    assert not dock.tabs.isTabVisible(list(dock.pages).index("Occlusion"))
    dock.set_palette("orange-blue")                               # nothing of the old result redrawn
    assert dock._show_occlusion is None


def test_each_map_is_drawn_over_its_own_photo(dock):
    """The worker gives each map the luma of the photo it lies on (the gray for the one, the
    colour shot for the other, stretched to the map): unmarked pixels show that photo dimmed."""
    from colorstudio.core.photo import Photo
    from colorstudio.engine.colorize import Colorization
    from colorstudio.gui.jobs import _shown

    gray = np.tile(np.linspace(0, 255, 80).astype(np.uint8), (60, 1))          # dark left, bright right
    shot = np.zeros((20, 30, 3), np.uint8)
    shot[:10] = 255                                                              # bright top, dark bottom
    c = Colorization(rgb=np.zeros((60, 80, 3), np.float32), chroma=np.zeros((60, 80, 2), np.float32),
                     method="ccdc", gray=Photo(pixels=gray), reference=Photo(pixels=shot),
                     diagnostics=_occlusion_diagnostics())
    view = _shown(c, None).diagnostics_view
    assert view["occlusion:underlay"].shape == view["occlusion_colour_shot:underlay"].shape == (30, 40)
    dock.show_diagnostics(view, {})
    dock.tabs.setCurrentIndex(list(dock.pages).index("Occlusion"))
    gray_map, shot_map = (_rendered(item) for item in dock.occlusion.items.values())
    assert _is(gray_map[5, 2], (255, 0, 0)) and _is(shot_map[5, 37], (0, 255, 0))   # marked: the colour
    left, right = gray_map[5, 12], gray_map[5, 30]                                  # unmarked: the gray, dimmed
    assert left[0] == left[1] == left[2] and 20 < left[0] < right[0] < 170
    top, bottom = shot_map[3, 20], shot_map[27, 20]                                 # the colour shot, dimmed
    assert top[0] > 150 and bottom[0] < 40
    assert "Other" not in [dock.title_at(i) for i in range(dock.tabs.count()) if dock.tabs.isTabVisible(i)]
    dock.set_palette("orange-blue")                              # redrawn over the photos in the new colours
    gray_map, shot_map = (_rendered(item) for item in dock.occlusion.items.values())
    assert _is(gray_map[5, 2], (255, 128, 0)) and _is(shot_map[5, 37], (0, 115, 255))
    assert _is(gray_map[5, 12], left)


def test_a_thin_fringe_stays_at_full_colour_in_a_shrunk_view():
    """Display copies are shrunk by averaging: a one-pixel line would come out at a quarter of
    its colour; the occlusion maps keep their three values."""
    from colorstudio.gui.display import display_diagnostics

    occ = np.zeros((400, 400), np.float32)
    occ[:, 101] = -1.0
    shown = display_diagnostics({"occlusion": occ}, max_side=100)["occlusion"]
    assert shown.shape == (100, 100) and set(np.unique(shown)) == {-1.0, 0.0}
    assert (shown[:, 25] == -1).all()


def test_on_a_narrow_dock_the_titles_are_shortened_and_the_maps_fit(dock, qtbot):
    """The gray map's 330 px title held the maps wider than a 300 px dock: their right side was cut
    (its title fits that dock whole now: narrower still, it is shortened)."""
    dock.resize(200, 700)
    dock.show_diagnostics(_occlusion_diagnostics(), {})
    dock.tabs.setCurrentIndex(list(dock.pages).index("Occlusion"))
    qtbot.wait(20)
    grid = dock.occlusion
    inside = grid.rect()
    for name, view in grid.views.items():
        for item in (view, grid.labels[name]):
            box = grid.mapFromScene(item.sceneBoundingRect()).boundingRect()
            assert box.right() <= inside.right() + 1, (name, box, inside)
    titles = [label.text for label in grid.labels.values()]
    assert titles[0].endswith("…") and titles[0] != list(grid.items)[0]
    assert list(grid.items)[0] in grid.toolTip()               # the whole title, on hovering
    dock.resize(600, 700)
    qtbot.wait(20)
    assert [label.text for label in grid.labels.values()] == list(grid.items)   # room again: in full
    assert grid.toolTip() == ""
