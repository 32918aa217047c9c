"""The compute-device setting (Tools ▸ Compute device, QSettings) reaches the engine's learned methods."""
from __future__ import annotations

import pytest
import torch

from colorstudio.engine.methods import all_methods
from colorstudio.errors import MethodError
from colorstudio.gui import jobs

from test_main_window import open_pair

LEARNED_PAIR = next((m.name for m in all_methods() if m.learned and m.kind == "pair" and m.name == "ccdc"), None)
needs_ccdc = pytest.mark.skipif(LEARNED_PAIR is None, reason="models/ccdc.safetensors does not ship in this build")


@pytest.fixture
def engine_calls(monkeypatch):
    """The options of every engine call the window makes (the real engine still runs)."""
    calls = []
    real = jobs.colorize_steps

    def recording(gray, reference, method=None, model=None, options=None):
        calls.append({"method": method, "options": dict(options or {})})
        return real(gray, reference, method, model, options)

    monkeypatch.setattr(jobs, "colorize_steps", recording)
    return calls


@needs_ccdc
def test_the_chosen_device_reaches_the_learned_method(qtbot, window, pair_files, engine_calls):
    window.set_device("cpu")                                      # the menu's action
    assert window.settings.device == "cpu" and window.device_actions["cpu"].isChecked()
    open_pair(qtbot, window, *pair_files)
    assert window.side.select(f"method:{LEARNED_PAIR}")
    with qtbot.waitSignal(window.colorized, timeout=60000) as blocker:
        window.colorize()
    assert engine_calls[-1]["options"]["device"] == "cpu"
    assert blocker.args[0].colorization.info["device"] == "cpu"    # reported by the method itself


@needs_ccdc
@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a computer without a CUDA GPU")
def test_an_unavailable_device_is_one_line_not_a_traceback(qtbot, window, pair_files, engine_calls, monkeypatch):
    import colorstudio.gui.main_window as mw

    shown = []
    monkeypatch.setattr(mw, "show_error", lambda parent, exc, **kw: shown.append(exc))
    window.settings.device = "cuda"
    open_pair(qtbot, window, *pair_files)
    assert window.side.select(f"method:{LEARNED_PAIR}")
    with qtbot.waitSignal(window.jobFailed, timeout=60000) as blocker:
        window.colorize()
    exc = blocker.args[0]
    assert isinstance(exc, MethodError) and shown == [exc]
    message = str(exc)
    assert "cuda" in message and "not available" in message and "\n" not in message and len(message) < 200
    assert window.side.status.text() == "D" + message[1:] + "."     # the side panel says it in plain words
    assert window.worker is None and window.side.colorize_button.isEnabled()
    # classic methods have no device: they run anyway
    assert window.side.select("method:dis+gf")
    with qtbot.waitSignal(window.colorized, timeout=30000):
        window.colorize()
    assert engine_calls[-1]["options"]["device"] == "cuda"


def test_the_setting_accepts_every_engine_device():
    from colorstudio.engine.device import DEVICES
    from colorstudio.gui.settings import DEVICES as SETTING_DEVICES

    assert tuple(SETTING_DEVICES) == tuple(DEVICES)
