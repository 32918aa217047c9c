"""atomic_write writes into a temp file in the target's own folder (so the final rename stays
on one file system and is atomic), and leaves nothing behind, there or elsewhere, on failure."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from colorstudio.core import atomic_files
from colorstudio.core.atomic_files import atomic_write
from colorstudio.errors import DiskFullError, OutputError


@pytest.fixture
def system_temp(tmp_path, monkeypatch):
    """A private stand-in for the system temp folder, to see that nothing is made there."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def target_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_the_temp_file_lives_in_the_target_folder_while_it_is_written(target_folder, system_temp, monkeypatch):
    target = target_folder / "result.png"
    seen = {}
    fsynced = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        fsynced.append(os.stat(fd))
        real_fsync(fd)
    monkeypatch.setattr(atomic_files.os, "fsync", recording_fsync)

    def writer(f):
        part = Path(f.name)
        seen["part"] = part
        seen["exists"] = part.is_file()
        seen["folder_then"] = sorted(p.name for p in target_folder.iterdir())
        seen["system_temp_then"] = list(system_temp.iterdir())
        f.write(b"payload")

    atomic_write(target, writer)
    part = seen["part"]
    assert part.resolve().parent == target_folder.resolve()
    assert part.name.startswith(".result.png.") and part.name.endswith(".part")
    assert seen["exists"] and seen["folder_then"] == [part.name]      # only the temp, not yet the result
    assert seen["system_temp_then"] == []
    # the file synced to disk is the one in the target folder, the one that became the result
    assert len(fsynced) == 1
    assert (fsynced[0].st_dev, fsynced[0].st_ino) == (target.stat().st_dev, target.stat().st_ino)
    assert target.read_bytes() == b"payload"
    assert [p.name for p in target_folder.iterdir()] == ["result.png"]
    assert list(system_temp.iterdir()) == []


def test_mkstemp_is_asked_for_the_target_folder(target_folder, monkeypatch):
    calls = []
    real = tempfile.mkstemp

    def recording(*args, **kwargs):
        calls.append(kwargs.get("dir", args[2] if len(args) > 2 else None))
        return real(*args, **kwargs)
    monkeypatch.setattr(atomic_files.tempfile, "mkstemp", recording)
    atomic_files.atomic_write_bytes(target_folder / "a.tif", b"x")
    assert len(calls) == 1 and calls[0] is not None
    assert Path(calls[0]).resolve() == target_folder.resolve()


@pytest.mark.parametrize("failure, raised", [
    (ValueError("encoder broke"), ValueError),
    (KeyboardInterrupt(), KeyboardInterrupt),
    (OSError(28, "No space left on device"), OutputError),
])
def test_a_failed_write_leaves_nothing_behind_and_the_old_file_alone(target_folder, system_temp,
                                                                     failure, raised):
    target = target_folder / "result.jpg"
    target.write_bytes(b"old")
    parts = []

    def writer(f):
        parts.append(Path(f.name))
        f.write(b"half a fi")
        raise failure

    with pytest.raises(raised):
        atomic_write(target, writer)
    assert parts and parts[0].resolve().parent == target_folder.resolve()
    assert not parts[0].exists()
    assert target.read_bytes() == b"old"
    assert [p.name for p in target_folder.iterdir()] == ["result.jpg"]
    assert list(system_temp.iterdir()) == []


def test_a_failed_rename_leaves_nothing_behind(target_folder, system_temp, monkeypatch):
    def no_room(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(atomic_files.os, "replace", no_room)
    with pytest.raises(DiskFullError, match="No space left"):        # an OutputError a batch knows
        atomic_files.atomic_write_bytes(target_folder / "new.png", b"data")
    assert list(target_folder.iterdir()) == []
    assert list(system_temp.iterdir()) == []


def test_an_exclusive_write_that_finds_its_name_taken_leaves_nothing_behind(target_folder, system_temp):
    target = target_folder / "taken.png"

    def writer(f):
        target.write_bytes(b"the other batch's")   # the name is taken while this one writes
        f.write(b"mine")

    with pytest.raises(atomic_files.NameTaken):
        atomic_write(target, writer, exclusive=True)
    assert target.read_bytes() == b"the other batch's"
    assert [p.name for p in target_folder.iterdir()] == ["taken.png"]
    assert list(system_temp.iterdir()) == []


def test_a_stop_in_an_exclusive_write_without_hard_links_leaves_no_empty_file(target_folder, system_temp,
                                                                             monkeypatch):
    # where there are no hard links (FAT, some shares) the name is made empty first, then
    # replaced: a stop between the two left an empty result a --skip-existing run took as done
    def no_links(*args):
        raise PermissionError(1, "Operation not permitted")

    def stopped(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic_files.os, "link", no_links)
    monkeypatch.setattr(atomic_files.os, "replace", stopped)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target_folder / "a_colorized.png", lambda f: f.write(b"data"), exclusive=True)
    assert list(target_folder.iterdir()) == []
    assert list(system_temp.iterdir()) == []
