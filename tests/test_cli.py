"""The CLI contract: exit codes, one-line errors, never overwriting inputs, batch going on
(--diagnostics: test_cli_diagnostics.py)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from colorstudio import __version__
from colorstudio.cli import main
from colorstudio.core.color import luma
from colorstudio.core.imageio import load_photo


def run(*args):
    """Run the CLI in a fresh interpreter: (exit code, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "colorstudio", *map(str, args)], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def test_version():
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


def test_methods_lists_every_classic_method(capsys):
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    for name in ("copy", "reinhard", "sgbm", "dis", "dis+gf", "sgbm+gf", "neutral"):
        assert f" {name} " in out


@pytest.mark.parametrize("method", ["copy", "reinhard", "sgbm", "dis", "copy+gf", "reinhard+gf", "sgbm+gf", "dis+gf"])
def test_colorize_pair_with_every_classic_method(small_pair_files, tmp_path, method, motorcycle_small):
    gray, color = small_pair_files
    out = tmp_path / f"out_{method}.png"
    assert main(["colorize", str(gray), str(color), "-o", str(out), "--method", method]) == 0
    result = load_photo(out).to_float()
    g = load_photo(gray).to_float()
    assert result.shape == g.shape + (3,)
    assert np.abs(luma(result) - g).mean() < 0.01           # luma is the gray
    assert np.abs(result - luma(result)[..., None]).mean() > 0.01  # and it has colour


def test_single_gray_without_reference(small_pair_files, tmp_path):
    gray, _ = small_pair_files
    code, _, err = run("colorize", gray, "-o", tmp_path / "single.png")
    assert code == 0, err
    assert load_photo(tmp_path / "single.png").pixels.shape[:2] == load_photo(gray).pixels.shape[:2]


@pytest.mark.parametrize("bad", ["missing.png", "empty.png", "text.png"])
def test_bad_input_is_one_line_and_nonzero(small_pair_files, tmp_path, bad):
    gray, color = small_pair_files
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello")
    code, out, err = run("colorize", tmp_path / bad, color, "-o", tmp_path / "o.png")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert bad in err


def test_refuses_to_overwrite_an_input(small_pair_files):
    gray, color = small_pair_files
    before = gray.read_bytes(), color.read_bytes()
    for target in (gray, color):
        code, _, err = run("colorize", gray, color, "-o", target)
        assert code == 1 and "overwrite" in err
    assert (gray.read_bytes(), color.read_bytes()) == before


def test_unknown_method_and_kind_mismatch(small_pair_files, tmp_path):
    gray, color = small_pair_files
    code, _, err = run("colorize", gray, color, "-o", tmp_path / "o.png", "--method", "nope")
    assert code == 1 and "unknown method" in err
    code, _, err = run("colorize", gray, "-o", tmp_path / "o.png", "--method", "dis")
    assert code == 1 and "needs a colour reference" in err


def test_a_model_file_without_a_method_runs_the_method_it_holds(small_pair_files, tmp_path, capsys):
    from colorstudio import paths
    from colorstudio.engine.colorize import resolve_method

    gray, color = small_pair_files
    models = paths.models_dir()
    assert resolve_method(None, True, models / "cyclecnn.safetensors", "stereo").name == "cyclecnn"
    assert resolve_method(None, True, models / "ccdc.safetensors", "stereo").name == "ccdc"
    assert resolve_method(None, False, models / "hsv2stage_small.safetensors").name == "hsv2stage"
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "o.png"),
                 "--model", str(models / "cyclecnn.safetensors")]) == 0
    assert "with cyclecnn" in capsys.readouterr().err
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "o2.png"),
                 "--model", str(models / "cheng.safetensors")]) == 1
    assert "colorizes a single gray photo" in capsys.readouterr().err


def test_batch_goes_on_past_a_bad_file_and_never_overwrites(small_pair_files, tmp_path, capsys):
    gray, color = small_pair_files
    folder = gray.parent
    (folder / "broken_mono.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (folder / "broken_color.png").write_bytes(color.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "moto_colorized.png"
    existing.write_bytes(b"do not touch")
    code = main(["batch", str(folder), "-o", str(out), "--method", "dis"])
    err = capsys.readouterr().err
    assert code == 1                                     # something was left out
    assert "broken_mono.png" in err and "summary: 1 written" in err
    assert existing.read_bytes() == b"do not touch"
    assert (out / "moto_colorized-2.png").exists()


def test_check_prints_plain_words(small_pair_files, capsys):
    gray, color = small_pair_files
    assert main(["check", str(gray), str(color)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(line.endswith(".") for line in lines)        # sentences
    assert any(line.startswith(("Treated as a stereo pair: ", "Treated as a cross-camera pair: ")) for line in lines)


def test_bench_runs_through_the_cli(capsys):
    assert main(["bench", "--quick", "--methods", "copy,dis+gf", "--photos", "0", "--setups", "1"]) == 0
    out = capsys.readouterr().out
    assert "| dis+gf |" in out and "| copy |" in out


def test_batch_method_for_pairs_leaves_single_grays_to_their_default(small_pair_files, tmp_path, capsys):
    gray, color = small_pair_files
    (gray.parent / "lonely.png").write_bytes(gray.read_bytes())   # a gray with no partner
    out = tmp_path / "out"
    assert main(["batch", str(gray.parent), "-o", str(out), "--method", "dis"]) == 0, capsys.readouterr().err
    assert {p.name for p in out.iterdir()} == {"moto_colorized.png", "lonely_colorized.png"}


def test_device_option_reaches_learned_methods(small_pair_files, tmp_path):
    gray, color = small_pair_files
    code, _, err = run("colorize", gray, color, "-o", tmp_path / "cpu.png", "--method", "cyclecnn", "--device", "cpu")
    assert code == 0, err
    code, _, err = run("colorize", gray, color, "-o", tmp_path / "dis.png", "--method", "dis", "--device", "cpu")
    assert code == 0, err                                   # classic methods ignore it
    import torch
    if not torch.cuda.is_available():
        code, _, err = run("colorize", gray, color, "-o", tmp_path / "gpu.png", "--method", "cyclecnn",
                           "--device", "cuda")
        assert code == 1 and len(err.strip().splitlines()) == 1 and "CUDA" in err
        assert not (tmp_path / "gpu.png").exists()


def test_output_read_only_in_part_is_not_an_error():
    """`colorstudio methods | head -1`: the reader goes away before the listing is written."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "colorstudio", "methods"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()                      # nobody reads: every write fails with EPIPE
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "error" not in err, err


def test_an_output_that_cannot_be_written_is_one_line_not_an_internal_error():
    """`colorstudio methods > list.txt` on a full disk was "internal error: OSError … (exit 3)"."""
    import os
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "colorstudio", "methods"], stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=60)
    assert run.returncode == 1 and run.stderr.strip().splitlines() == [
        "colorstudio: error: the output could not be written (No space left on device)"], run.stderr
    closed = subprocess.run(["sh", "-c", f"'{sys.executable}' -m colorstudio methods >&-"], stderr=subprocess.PIPE,
                            text=True, timeout=60)                 # no output at all: nothing to say
    assert closed.returncode == 0 and closed.stderr == "", closed.stderr


def test_a_fine_tuned_model_is_found_by_the_name_the_user_gave_it(tmp_path, monkeypatch):
    """The wizard saves "my model" as my_model.safetensors; --model takes either, and a card's
    own name too."""
    import shutil

    from colorstudio import paths
    from colorstudio.cli_common import model_path

    folder = paths.user_models_dir()
    shutil.copy(paths.models_dir() / "hsv2stage_small.safetensors", folder / "my_model.safetensors")
    shutil.copy(paths.models_dir() / "hsv2stage_small.safetensors", folder / "cam3.safetensors")
    (folder / "cam3.json").write_text('{"name": "Holiday camera"}')
    assert model_path("my model") == str(folder / "my_model.safetensors")
    assert model_path("my_model") == str(folder / "my_model.safetensors")
    assert model_path("Holiday camera") == str(folder / "cam3.safetensors")
    assert model_path("nothing like it") == "nothing like it"      # loading says it is not there


def test_a_librarys_warning_about_a_file_goes_to_the_log_not_beside_the_message(tmp_path):
    code = ("import logging; from colorstudio.cli import _setup_logging; _setup_logging(); "
            "logging.getLogger('tifffile').warning('TiffFile: invalid IFD offset')")
    env = {**__import__("os").environ, "COLORSTUDIO_USER_DIR": str(tmp_path)}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and "invalid IFD" not in p.stderr
    assert "invalid IFD" in (tmp_path / "colorstudio.log").read_text()


def test_the_packaged_cli_names_itself_and_says_the_benchmarks_are_not_in_it(monkeypatch, capsys):
    from colorstudio.cli import build_parser

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/ColorStudio/colorstudio-cli")
    assert build_parser().prog == "colorstudio-cli"
    assert main(["bench", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "not part of the packaged app" in err and len(err.strip().splitlines()) == 1


def test_an_option_the_method_does_not_use_is_said_to_be_ignored(small_pair_files, tmp_path, capsys):
    gray, color = small_pair_files
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "p.png"), "--method", "dis+gf",
                 "--saturation", "2"]) == 0
    assert "note: dis+gf does not use --saturation: it was ignored" in capsys.readouterr().err
    assert main(["colorize", str(gray), "-o", str(tmp_path / "s.png"), "--method", "neutral",
                 "--side", "left", "--max-disparity", "30"]) == 0
    assert "note: neutral does not use --max-disparity, --side: they were ignored" in capsys.readouterr().err


def test_colorstudio_gui_opens_the_app_in_its_own_process_or_says_why_not(monkeypatch, tmp_path, capsys):
    import subprocess

    from colorstudio import app_launch

    started = []
    monkeypatch.setattr(subprocess, "call", lambda command: started.append(command) or 0)
    monkeypatch.setattr(app_launch, "has_display", lambda: True)
    assert main(["gui", str(tmp_path / "g.png"), str(tmp_path / "c.jpg")]) == 0
    assert started == [app_launch.app_command() + [str(tmp_path / "g.png"), str(tmp_path / "c.jpg")]]
    monkeypatch.setattr(app_launch, "has_display", lambda: False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)          # (offscreen would run without one)
    assert main(["gui"]) == 1 and len(started) == 1
    assert "the app needs a display" in capsys.readouterr().err
    from colorstudio.gui import app                   # colorstudio-gui itself: Qt aborted (SIGABRT)
    assert app.main([str(tmp_path / "g.png")]) == 1
    assert "colorstudio-gui: error: the app needs a display" in capsys.readouterr().err


def _shoot(tmp_path, pair_files, lone_gray: bool = False):
    """A folder with the pair as a_mono.png + a_color.png (and the gray alone as lone.png)."""
    import shutil

    gray, color = pair_files
    folder = tmp_path / "shoot"
    folder.mkdir()
    shutil.copy(gray, folder / "a_mono.png")
    shutil.copy(color, folder / "a_color.png")
    if lone_gray:
        shutil.copy(gray, folder / "lone.png")
    return folder


def test_a_batch_says_when_no_method_it_ran_used_an_option(small_pair_files, tmp_path, capsys):
    folder = _shoot(tmp_path, small_pair_files)
    assert main(["batch", str(folder), "-o", str(tmp_path / "out"), "--method", "dis+gf", "--saturation", "2"]) == 0
    assert "note: no method this batch ran uses --saturation: it was ignored" in capsys.readouterr().err


def test_a_batch_with_an_unknown_method_is_refused_before_any_work(small_pair_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(small_pair_files[0].parent), "-o", str(out), "--method", "bogus"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown method 'bogus'" in err and not out.exists()


def test_each_batch_line_says_which_method_coloured_it_and_why_another(small_pair_files, tmp_path, capsys):
    folder = _shoot(tmp_path, small_pair_files, lone_gray=True)
    assert main(["batch", str(folder), "-o", str(tmp_path / "out2"), "--method", "dis+gf"]) == 0
    err = capsys.readouterr().err
    assert "a: written a_colorized.png with dis+gf" in err
    assert "with ensemble (dis+gf does not take single grays)" in err


def test_a_text_file_named_jpg_is_said_plainly_once(tmp_path, capsys):
    folder = tmp_path / "shoot"
    folder.mkdir()
    (folder / "notes.jpg").write_text("not a picture")
    assert main(["batch", str(folder), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith("skipped"))
    assert line.count("notes.jpg") == 1 and "its contents are not an image" in line and "supported:" not in line


def test_an_interrupted_batch_goes_on_where_it_stopped_with_skip_existing(small_pair_files, tmp_path, capsys):
    import shutil

    gray, _ = small_pair_files
    folder = tmp_path / "shoot"
    folder.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        shutil.copy(gray, folder / name)
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(gray, out / "a_colorized.png")                   # what the interrupted run wrote
    assert main(["batch", str(folder), "-o", str(out), "--method", "neutral", "--skip-existing"]) == 0
    err = capsys.readouterr().err
    assert "left out 1 item whose result is already in" in err and "2 item(s) to colorize" in err
    assert sorted(p.name for p in out.iterdir()) == ["a_colorized.png", "b_colorized.png", "c_colorized.png"]
    assert main(["batch", str(folder), "-o", str(out), "--method", "neutral", "--skip-existing"]) == 0
    assert "nothing left to colorize" in capsys.readouterr().err
    (folder / "snapshot.txt.png").write_text("not a photo")            # a file that is skipped
    assert main(["batch", str(folder), "-o", str(out), "--method", "neutral", "--skip-existing"]) == 1
    err = capsys.readouterr().err
    assert "nothing left to colorize: every result is already there (1 file skipped)" in err
    assert "no pairs or gray photos found" not in err


def test_a_colour_strength_or_disparity_out_of_range_is_refused_before_any_work(small_pair_files, tmp_path, capsys):
    gray, colour = small_pair_files
    with pytest.raises(SystemExit) as stop:
        main(["batch", str(gray.parent), "-o", str(tmp_path / "out"), "--saturation", "9"])
    assert stop.value.code == 2 and "--saturation: 9 is outside 0-4" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    for bad in ("0", "-5"):                                  # not a disparity, for any method
        with pytest.raises(SystemExit) as stop:
            main(["colorize", str(gray), str(colour), "-o", str(tmp_path / "o.png"), "--max-disparity", bad])
        assert stop.value.code == 2 and "is not a disparity" in capsys.readouterr().err


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_kill_during_a_write_leaves_no_hidden_part_file_and_says_how_to_go_on(
        small_pair_files, tmp_path, capsys, monkeypatch, signame):
    import shutil
    import signal

    from colorstudio.core import image_write

    gray, _ = small_pair_files
    folder, out = tmp_path / "shoot", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    for name in ("a.png", "b.png"):
        shutil.copy(gray, folder / name)
    real = image_write._encode

    def encode_then_killed(*args, **kwargs):        # the signal arrives while the file is written
        write = real(*args, **kwargs)

        def writing(f):
            write(f)
            os.kill(os.getpid(), getattr(signal, signame))
        return writing
    monkeypatch.setattr(image_write, "_encode", encode_then_killed)
    before = signal.getsignal(signal.SIGTERM)
    code = main(["batch", str(folder), "-o", str(out), "--method", "neutral"])
    assert code == 128 + getattr(signal, signame)
    assert [p.name for p in out.iterdir()] == []                  # no '.a_colorized.png.*.part'
    err = capsys.readouterr().err
    assert "stopped after 0 of 2 written; the same command with --skip-existing goes on" in err
    assert f"colorstudio: stopped ({signame})" in err
    assert signal.getsignal(signal.SIGTERM) is before             # put back after the command


def test_check_of_a_pair_given_the_other_way_round_says_so_as_colorize_does(small_pair_files, capsys):
    gray, color = small_pair_files
    assert main(["check", str(color), str(gray)]) == 1
    err = capsys.readouterr().err.strip()
    assert "they seem swapped (give the gray photo first" in err and len(err.splitlines()) == 1
    assert main(["colorize", str(color), str(gray), "-o", str(gray.parent / "x.png")]) == 1
    assert "they seem swapped" in capsys.readouterr().err


def test_check_refuses_a_pair_colorize_refuses_in_its_words(tmp_path, capsys):
    # check and colorize prepare a pair in one place (engine.pair_inputs): check measured a strip
    # too long and thin for a pair, which colorize refuses
    from PIL import Image

    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((20, 16500)) * 255).astype(np.uint8)).save(tmp_path / "strip_mono.png")
    Image.fromarray((rng.random((20, 16500, 3)) * 255).astype(np.uint8)).save(tmp_path / "strip_color.png")
    said = []
    for command in (["check"], ["colorize", "-o", str(tmp_path / "out.png")]):
        assert main([*command, str(tmp_path / "strip_mono.png"), str(tmp_path / "strip_color.png")]) == 1
        said.append(capsys.readouterr().err.strip())
    assert "is too long and thin for a pair" in said[0] and said[0] == said[1]


def test_a_forced_mode_is_said_only_when_the_method_takes_it(small_pair_files, tmp_path, capsys):
    """--mode crosscam with dis+gf said 'crosscam mode: chosen by the user' and then that dis+gf
    ignored --mode; the mode line is for a method that uses it, in the words the others use."""
    gray, color = small_pair_files
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "a.png"), "--mode", "crosscam",
                 "--method", "dis+gf"]) == 0
    err = capsys.readouterr().err
    assert "chosen by the user" not in err and "dis+gf does not use --mode" in err
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "b.png"), "--mode", "crosscam"]) == 0
    assert "cross-camera mode: chosen by the user" in capsys.readouterr().err


def test_a_tilde_the_shell_left_in_an_option_is_the_home_folder(small_pair_files, tmp_path, monkeypatch):
    """`--output=~/out` reaches the program as it is (a shell expands ~ only at a word's start):
    it means the home folder, not a folder named ~ in the current one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    gray, colour = small_pair_files
    assert main(["batch", str(gray), str(colour), "--output=~/out", "--method", "dis+gf"]) == 0
    assert (home / "out" / "moto_colorized.png").is_file()
    assert main(["colorize", str(gray), "--output=~/single.png", "--method", "neutral"]) == 0
    assert (home / "single.png").is_file() and not (tmp_path / "~").exists()


def test_names_longer_than_a_file_system_takes_are_one_line_errors(small_pair_files, tmp_path, capsys):
    """Python 3.10-3.11 raise "File name too long" from merely asking about such a path: it was
    an internal error (exit 3) for an output, a diagnostics folder, a batch folder or an input."""
    gray, _ = small_pair_files
    long_name = "x" * 300
    runs = [["colorize", str(gray), "-o", str(tmp_path / f"{long_name}.png")],
            ["colorize", str(gray), "-o", str(tmp_path / "ok.png"), "--diagnostics", str(tmp_path / long_name)],
            ["batch", str(gray), "-o", str(tmp_path / long_name)],
            ["colorize", str(tmp_path / f"{long_name}.png"), "-o", str(tmp_path / "ok.png")]]
    for args in runs:
        assert main(args + ["--method", "neutral"]) == 1, args
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "bytes long; a file system takes at most 255" in err, err
    assert main(["batch", str(tmp_path / f"{long_name}.png"), str(gray), "-o", str(tmp_path / "out"),
                 "--method", "neutral"]) == 1                  # skipped, the other one written
    assert "not found (xxxx" in capsys.readouterr().err and (tmp_path / "out" / "moto_mono_colorized.png").is_file()


def test_paths_longer_than_the_system_takes_are_one_line_errors(small_pair_files, tmp_path, capsys):
    # every part short enough, the whole over 4096 bytes: an internal error (exit 3) too
    gray, _ = small_pair_files
    deep = tmp_path.joinpath(*["d" * 250] * 17)
    runs = [["colorize", str(gray), "-o", str(deep / "out.png")], ["batch", str(gray), "-o", str(deep)],
            ["colorize", str(deep / "g.png"), "-o", str(tmp_path / "ok.png")]]
    for args in runs:
        assert main(args + ["--method", "neutral"]) == 1, args
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "the system takes less than" in err, err


def test_a_log_line_that_cannot_be_written_is_lost_without_a_traceback(tmp_path, capsys):
    import errno
    import logging

    from colorstudio.log_handlers import QuietFileHandler

    handler = QuietFileHandler(tmp_path / "log.txt", encoding="utf-8")

    class FullDisk:
        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            pass

    handler.stream = FullDisk()
    logger = logging.getLogger("colorstudio.test_full_disk")
    logger.addHandler(handler)
    try:
        logger.warning("a line for a full disk")
    finally:
        logger.removeHandler(handler)
    assert "Logging error" not in capsys.readouterr().err      # Python's logging printed a traceback


def test_an_internal_error_is_one_line_and_names_the_log_only_when_there_is_one(monkeypatch, tmp_path, capsys):
    import colorstudio.cli as cli

    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "cmd_methods", broken)
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path / "user"))
    assert cli.main(["methods"]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("colorstudio: internal error: RuntimeError: a bug (details in ")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    (tmp_path / "a_file").write_text("")                        # no user folder: no log file either
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(tmp_path / "a_file" / "user"))
    monkeypatch.setattr(cli, "_LOG_WRITTEN", False)
    monkeypatch.setattr(cli.logging.getLogger("colorstudio"), "handlers", [])
    assert cli.main(["methods"]) == 3
    err = capsys.readouterr().err.strip()
    assert "no log: the user folder cannot be written" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_without_models_the_default_says_so_and_no_mode_it_never_asked_for(small_pair_files, tmp_path, monkeypatch,
                                                                          capsys):
    """An install without its models colorized a single gray with 'neutral' (no colour at all),
    said 'colorized' and exited 0 in silence; a pair got dis+gf and a note that dis+gf ignored a
    --mode the user never gave."""
    from colorstudio.engine import methods

    classic = {methods.PAIR: methods.get("dis+gf"), methods.SINGLE: methods.get("neutral")}
    monkeypatch.setattr(methods, "default_for", lambda kind, mode=None: classic[kind])
    gray, color = small_pair_files
    assert main(["colorize", str(gray), "-o", str(tmp_path / "a.png")]) == 0
    err = capsys.readouterr().err
    assert "warning: no model was found in" in err and "the result is the gray itself" in err
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "b.png")]) == 0
    err = capsys.readouterr().err
    assert "the classic dis+gf was used" in err and "--mode" not in err
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "c.png"), "--method", "dis+gf"]) == 0
    assert "warning" not in capsys.readouterr().err               # asked for by name: nothing to say
