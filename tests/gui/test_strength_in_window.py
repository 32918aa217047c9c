"""The colour strength of a single gray in the window: it reaches the method, the slider
re-saturates the shown result without running the method again, and a strength chosen while
a Colorize ran is applied when that Colorize ends without a result."""
from __future__ import annotations

import numpy as np

from colorstudio.engine.learned_methods import DEFAULT_SATURATION

from test_main_window import colorize, open_pair


def test_the_colour_strength_of_a_single_gray_reaches_the_method(qtbot, window, pair_files):
    open_pair(qtbot, window, *pair_files)
    assert window.side.strength_box.isHidden()                # pairs: no strength control
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    side = window.side
    assert not side.strength_box.isHidden() and not side.strength_slider.isEnabled()
    assert "saturation" not in window.engine_options()        # the method's benchmark default
    assert side.select("method:neutral")
    assert side.strength_box.isHidden()                       # the gray itself: no colour to strengthen
    assert side.select("method:hsv2stage")
    assert not side.strength_box.isHidden()
    assert side.strength_default.text() == f"Default colour strength (×{DEFAULT_SATURATION['hsv2stage']:.2f})"
    side.strength_default.setChecked(False)                   # starts from the method's default
    assert side.strength_slider.value() == round(100 * DEFAULT_SATURATION["hsv2stage"])
    side.strength_slider.setValue(150)
    assert window.engine_options()["saturation"] == 1.5 and side.strength_label.text() == "×1.50"
    side.strength_slider.setValue(0)
    rgb = colorize(qtbot, window, "hsv2stage").colorization.rgb    # no colour at strength 0
    assert np.abs(rgb - rgb.mean(-1, keepdims=True)).max() < 0.02
    side.strength_default.setChecked(True)
    assert "saturation" not in window.engine_options()
    assert side.strength_slider.value() == round(100 * DEFAULT_SATURATION["hsv2stage"])   # shows the default again


def test_moving_the_strength_slider_resaturates_the_shown_result_without_running_the_method(
        qtbot, window, pair_files, monkeypatch):
    from colorstudio.gui import jobs

    runs = []
    real = jobs.colorize_steps

    def counted(*args, **kwargs):                    # the method's runs, counted
        runs.append(args)
        return (yield from real(*args, **kwargs))

    monkeypatch.setattr(jobs, "colorize_steps", counted)
    monkeypatch.setattr(jobs, "MAX_DISPLAY_SIDE", 64)        # the 128 px photo counts as a large one
    previews = []
    preview = window.strength.preview
    window.strength.preview = lambda view: (previews.append(view), preview(view))
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    first = colorize(qtbot, window, "hsv2stage").colorization
    assert len(runs) == 1 and first.info["saturation"] == DEFAULT_SATURATION["hsv2stage"]
    side = window.side
    side.strength_default.setChecked(False)
    for value in (120, 140, 160):                    # a drag: only the last value matters
        side.strength_slider.setValue(value)
    qtbot.waitUntil(lambda: window.result.colorization.info["saturation"] == 1.6, timeout=20000)
    qtbot.waitUntil(lambda: not window.strength.is_running(), timeout=20000)
    shown = window.result
    assert len(runs) == 1 and window.worker is None   # the method did not run again
    # previews followed the drag (the first move at once), the last at the final strength
    assert 1 <= len(previews) <= 3 and previews[-1].shape == shown.result_view.shape == (48, 64, 3)
    assert np.abs(previews[-1].astype(int) - shown.result_view).mean() < 2
    assert shown.colorization.gray is first.gray and "Colour strength ×1.60 applied" in side.status.text()
    spread = lambda rgb: float(np.abs(rgb - rgb.mean(-1, keepdims=True)).mean())   # noqa: E731
    assert spread(shown.colorization.rgb) > spread(first.rgb)
    assert np.array_equal(window.compare.images["result"].image, shown.result_view)
    window.compare.shows_detail = lambda panel: True                # zoomed in: the sharp tile stays
    window._preview_strength(np.zeros_like(shown.result_view))
    assert np.array_equal(window.compare.images["result"].image, shown.result_view)
    del window.compare.shows_detail
    window._preview_strength(np.zeros_like(shown.result_view))     # a preview, then the job fails:
    window._strength_failed(RuntimeError("out of memory"))           # the shown result comes back
    assert np.array_equal(window.compare.images["result"].image, shown.result_view)
    assert "could not be changed" in side.status.text()
    side.strength_default.setChecked(True)           # back to the method's default
    qtbot.waitUntil(lambda: window.result.colorization.info["saturation"] == DEFAULT_SATURATION["hsv2stage"],
                    timeout=20000)
    np.testing.assert_allclose(window.result.colorization.rgb, first.rgb, atol=1e-6)
    # a pair result has no strength: nothing runs
    open_pair(qtbot, window, *pair_files)
    colorize(qtbot, window, "dis+gf")
    side.strength_slider.setValue(50)
    window.strength.request()
    qtbot.wait(300)
    assert not window.strength.is_running() and window.result.colorization.method == "dis+gf"


def test_a_strength_chosen_while_a_colorize_ran_is_applied_when_that_colorize_is_cancelled(
        qtbot, window, pair_files):
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    first = colorize(qtbot, window, "hsv2stage")
    junk = np.zeros_like(first.result_view)
    window._preview_result(junk)                      # a new Colorize's preview is on screen…
    window.side.strength_default.setChecked(False)
    window.side.strength_slider.setValue(170)         # …while the strength slider moves
    from colorstudio.gui.live_strength import SETTLE_MS
    qtbot.wait(3 * SETTLE_MS)                         # the slider has rested: nothing is pending
    assert not window.strength.is_running() and window.result.colorization.info["saturation"] != 1.7
    assert window.compare.raw["result"] is junk
    window._take_back_preview()                       # that Colorize is cancelled
    assert window.compare.full["result"] is first.colorization.rgb     # the result's own pixels
    qtbot.waitUntil(lambda: window.result.colorization.info["saturation"] == 1.7, timeout=20000)
    assert window.compare.full["result"] is window.result.colorization.rgb


def test_a_kept_result_shown_again_keeps_its_own_strength_and_the_slider_follows(qtbot, window, pair_files):
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    side = window.side
    side.strength_default.setChecked(False)
    side.strength_slider.setValue(100)
    qtbot.waitUntil(lambda: not window.strength.is_running(), timeout=20000)
    colorize(qtbot, window, "hsv2stage")                                   # at x1.00
    side.strength_slider.setValue(150)
    qtbot.waitUntil(lambda: not window.strength.is_running() and not window.strength.timer.isActive(),
                    timeout=20000)
    assert window.result.colorization.info["saturation"] == 1.5          # the shown one follows the slider
    colorize(qtbot, window, "cheng")                                       # at x1.50
    labels = lambda: [side.results.itemText(i) for i in range(side.results.count())]  # noqa: E731
    side.results.activated.emit(0)                                        # the hsv2stage one again
    qtbot.wait(300)
    qtbot.waitUntil(lambda: not window.strength.is_running(), timeout=20000)
    assert window.result.colorization.method == "hsv2stage"
    assert window.result.colorization.info["saturation"] == 1.5
    assert side.strength_slider.value() == 150 and not side.strength_default.isChecked()
    side.results.activated.emit(1)                                        # cheng, made at x1.50 too
    qtbot.wait(300)
    assert window.result.colorization.info["saturation"] == 1.5
    side.strength_default.setChecked(True)                               # now to cheng's default
    qtbot.waitUntil(lambda: not window.strength.is_running() and not window.strength.timer.isActive(),
                    timeout=20000)
    assert window.result.colorization.info["saturation"] == DEFAULT_SATURATION["cheng"]
    side.results.activated.emit(0)                                        # hsv2stage keeps x1.50
    qtbot.wait(300)
    qtbot.waitUntil(lambda: not window.strength.is_running(), timeout=20000)
    assert window.result.colorization.info["saturation"] == 1.5, labels()
    assert side.strength_slider.value() == 150 and not side.strength_default.isChecked()
    side.results.activated.emit(1)
    qtbot.wait(300)
    assert side.strength_default.isChecked()                             # cheng is at its default
    assert window.result.colorization.info["saturation"] == DEFAULT_SATURATION["cheng"]


def test_a_strength_change_keeps_the_diagnostics_tab_in_front_and_the_methods_time(qtbot, window, pair_files):
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    shown = colorize(qtbot, window, "cheng")
    qtbot.waitUntil(lambda: window.diagnostics.tabs.isVisible(), timeout=5000)
    tabs = window.diagnostics.tabs
    tabs.setCurrentIndex(list(window.diagnostics.pages).index("Info"))
    window.side.strength_default.setChecked(False)
    window.side.strength_slider.setValue(180)
    qtbot.waitUntil(lambda: window.result.colorization.info["saturation"] == 1.8, timeout=20000)
    qtbot.wait(50)                                   # the dock is filled in its own event-loop turn
    assert window.diagnostics.title_at(tabs.currentIndex()) == "Info"
    assert window.result.colorization.seconds == shown.colorization.seconds     # the method's time
    assert f"{round(shown.colorization.seconds, 3)}" in window.diagnostics.info.toPlainText()
    assert "applied to the cheng result in" in window.side.status.text()


def test_an_export_made_while_the_strength_caught_up_keeps_its_confirmation(qtbot, window, pair_files):
    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    colorize(qtbot, window, "hsv2stage")
    side = window.side
    side.strength_default.setChecked(False)
    side.set_status("Written: /photos/bee_colorized.png")      # an export (it applied the strength itself)
    side.strength_slider.setValue(130)
    qtbot.waitUntil(lambda: window.result.colorization.info["saturation"] == 1.3, timeout=20000)
    assert side.status.text().startswith("Written: /photos/bee_colorized.png")
    assert "Colour strength ×1.30 applied" in side.status.text()
    side.strength_slider.setValue(140)                           # a later change: said once, not added up
    qtbot.waitUntil(lambda: window.result.colorization.info["saturation"] == 1.4, timeout=20000)
    assert side.status.text().count("Colour strength") == 1 and "×1.40" in side.status.text()


def test_a_strength_change_ending_while_a_new_colorize_runs_does_not_say_done_over_it(qtbot, window, pair_files):
    from dataclasses import replace

    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    shown = colorize(qtbot, window, "hsv2stage")
    c = shown.colorization
    restrengthened = replace(shown, colorization=replace(c, info={**c.info, "saturation": 1.9,
                                                                   "strength_seconds": 0.1}))
    window.worker = object()                   # a Colorize with another method has started
    window.side.set_progress(0.3, "colorizing with cheng")
    window.side.set_status("Colorizing…")
    try:
        window._show_restrengthened(restrengthened)
        assert window.side.progress.format().endswith("colorizing with cheng")   # not "done"
        assert window.side.status.text() == "Colorizing…"
        assert window.result is restrengthened                                   # kept, at its strength
        assert window.history.entries[-1].shown is restrengthened
    finally:
        window.worker = None


def test_a_strength_result_kept_during_a_colorize_is_shown_when_that_colorize_ends_without_a_result(
        qtbot, window, pair_files):
    """On a photo small enough to get no preview, the pane still shows the result at its old
    strength when the Colorize is cancelled or fails: the kept one is drawn then."""
    from dataclasses import replace

    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    shown = colorize(qtbot, window, "hsv2stage")
    c = shown.colorization
    restrengthened = replace(shown, colorization=replace(c, rgb=c.rgb * 0.5, info={
        **c.info, "saturation": 1.9, "strength_seconds": 0.1}))
    window.worker = object()                   # a Colorize has started; no preview comes
    try:
        window._show_restrengthened(restrengthened)
        assert window.compare.full["result"] is c.rgb            # not drawn over the job's progress
    finally:
        window.worker = None
    window._take_back_preview()                # that Colorize is cancelled (or failed)
    assert window.compare.full["result"] is restrengthened.colorization.rgb
    assert window.result is restrengthened and not window.result_unshown


def test_a_strength_result_kept_during_an_export_is_shown_when_the_export_ends(qtbot, window, pair_files, tmp_path):
    from dataclasses import replace

    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    shown = colorize(qtbot, window, "hsv2stage")
    c = shown.colorization
    restrengthened = replace(shown, colorization=replace(c, rgb=c.rgb * 0.5, info={
        **c.info, "saturation": 1.9, "strength_seconds": 0.1}))
    worker = window.export_to(tmp_path / "out.png")           # an export is running…
    window._show_restrengthened(restrengthened)               # …when a strength change ends: kept
    assert window.compare.full["result"] is c.rgb
    with qtbot.waitSignal(worker.done, timeout=20000):
        pass
    assert window.compare.full["result"] is restrengthened.colorization.rgb
    assert not window.result_unshown


def test_two_kept_results_of_one_method_suggest_two_export_names(qtbot, window, pair_files):
    from colorstudio.gui.live_strength import SETTLE_MS

    with qtbot.waitSignal(window.opened, timeout=20000):
        window.open_paths([pair_files[0]])
    window.side.strength_default.setChecked(False)
    window.side.strength_slider.setValue(50)
    colorize(qtbot, window, "hsv2stage")
    colorize(qtbot, window, "hsv2stage")
    window.side.strength_slider.setValue(180)                 # the second one, re-saturated
    qtbot.wait(3 * SETTLE_MS)
    qtbot.waitUntil(lambda: window.result.colorization.info["saturation"] == 1.8, timeout=20000)
    second = window._default_output().name
    window.show_other_result(-1)
    assert window.result.colorization.info["saturation"] == 0.5
    first = window._default_output().name
    assert (first, second) == ("scene_colorized_hsv2stage-strength-0.50", "scene_colorized_hsv2stage-strength-1.80")
