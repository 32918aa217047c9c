"""GUI tests run offscreen, each with its own user folder (so its own QSettings and log)."""
from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from gui_helpers import write_pair  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_user_dir(tmp_path, monkeypatch, qapp):
    """A fresh COLORSTUDIO_USER_DIR per test (settings, logs, user models). After the test,
    Python's cycle collector runs here, in the GUI thread: left to a later test, it may run in
    a worker thread and destroy a window's widgets there, which deadlocks Qt."""
    from colorstudio.gui import qt_compat

    qt_compat.install()
    user = tmp_path / "user"
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(user))
    yield user
    gc.collect()


@pytest.fixture(autouse=True)
def no_unexpected_question(monkeypatch):
    """A question box a test did not expect fails it at once: offscreen, nobody would answer it
    and the run would hang (a test that expects one patches QMessageBox.question itself)."""
    from PySide6.QtWidgets import QMessageBox

    def unexpected(parent, title, text, *args, **kwargs):
        raise AssertionError(f"unexpected question box: {title}: {text}")

    monkeypatch.setattr(QMessageBox, "question", unexpected)


@pytest.fixture
def pair_files(tmp_path) -> tuple[Path, Path]:
    return write_pair(tmp_path / "photos")


@pytest.fixture
def settings(isolated_user_dir):
    from colorstudio.gui.settings import Settings

    return Settings()


@pytest.fixture
def window(qtbot, settings):
    from colorstudio.gui.main_window import MainWindow

    w = MainWindow(settings)
    w.force_close = True
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    yield w
    if w.worker is not None:
        w.worker.stop(10000)
    w.batch.stop()


@pytest.fixture
def view(qtbot):
    """A compare view on screen (offscreen), 900x400."""
    from colorstudio.gui.compare_view import CompareView

    v = CompareView()
    qtbot.addWidget(v)
    v.resize(900, 400)
    v.show()
    yield v
    v.colour.shutdown()


@pytest.fixture
def pairs_folder(tmp_path):
    folder = tmp_path / "my-camera"
    for i in range(3):
        write_pair(folder, f"shot{i}", h=120, w=160, shift=5, seed=10 + i)
    return folder


@pytest.fixture
def wizard(qtbot, settings):
    from colorstudio.gui.finetune_wizard import FineTuneWizard

    w = FineTuneWizard(settings)
    w.force_close = True       # pytest-qt closes it at the end: no question may wait for an answer
    qtbot.addWidget(w)         # (a test of the questions sets it back to False)
    w.show()
    yield w
    w.force_close = True
    w.stop_training()


@pytest.fixture
def dock(qtbot):
    """A diagnostics dock, shown at 500x700."""
    from colorstudio.gui.diagnostics_dock import DiagnosticsDock

    d = DiagnosticsDock()
    qtbot.addWidget(d)
    d.resize(500, 700)
    d.show()
    return d


@pytest.fixture
def panel(qtbot, tmp_path):
    """A batch queue shown at 900x300, its results in ``tmp_path/results``; stopped after."""
    from colorstudio.gui.batch_panel import BatchPanel

    p = BatchPanel(tmp_path / "results")
    qtbot.addWidget(p)
    p.resize(900, 300)
    p.show()
    yield p
    p.stop()
