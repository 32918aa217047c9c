"""Command-line interface. Every command calls the engine; nothing is computed here.

Exit codes: 0 success; 1 bad input, or a batch that left something out (failed or
skipped items, each listed with its one-line reason);
2 wrong usage; 3 internal error (details in the log file); 130 interrupted (Ctrl-C);
128 + the signal's number when stopped by one (143 for SIGTERM, 129 for SIGHUP).
"""
from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import warnings
import traceback

from colorstudio import __version__, paths
from colorstudio.cli_batch import cmd_batch
from colorstudio.cli_common import (EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, flags_text,
                                    ignored_words, method_options, model_path, say)
from colorstudio.cli_methods import cmd_methods
from colorstudio.engine.device import DEVICES
from colorstudio.errors import NOT_ENOUGH_MEMORY, ColorStudioError, out_of_memory
from colorstudio.stop_signals import Stopped, put_back, stop_as_ctrl_c_on


def cmd_colorize(args) -> int:
    from colorstudio.cli_progress import run_saying
    from colorstudio.engine.colorize import colorize_files_steps

    steps = colorize_files_steps(args.gray, args.reference, args.output, method=args.method,
                                 model=model_path(args.model), options=method_options(args),
                                 diagnostics_dir=args.diagnostics, diagnostics_palette=args.diagnostics_colours,
                                 bit_depth=args.bit_depth, jpeg_quality=args.jpeg_quality)
    result = run_saying(steps, say, lambda p: f"colorizing: {100 * p.fraction:.0f}% ({p.message})")
    say(f"{args.output}: colorized with {result.made_by} in {result.seconds:.2f} s")
    if "mode_reason" in result.info and "mode" not in (result.info.get("ignored_options") or ()):
        say(result.info["mode_reason"])          # (a method that takes no mode: the note below says so)
    if "colour_management" in result.info:
        say(result.info["colour_management"])
    if "gray_input" in result.info:
        say(result.info["gray_input"])
    if "warning" in result.info:
        say(f"warning: {result.info['warning']}")
    for note in result.info.get("input_notes", []) + result.info.get("output_notes", []):
        say(f"note: {note}")
    if ignored := ignored_options_note(result.method, result.info.get("ignored_options")):
        say(f"note: {ignored}")
    return EXIT_OK


def ignored_options_note(method: str, ignored) -> str | None:
    """'ccdc does not use --saturation: it was ignored' for what the method was given in vain."""
    if not ignored:
        return None
    return f"{method} does not use {flags_text(ignored)}: {ignored_words(len(ignored))}"


def cmd_check(args) -> int:
    import json

    from colorstudio.core.check_messages import mode_sentence
    from colorstudio.core.checks import check_pair
    from colorstudio.core.imageio import load_photo
    from colorstudio.engine.pair_inputs import prepare_inputs

    # what colorize refuses is not measured as a pair either, and the pair is measured as colorize
    # sees it (a swapped pair's advice would be about the colour photo as if it were gray)
    prepared = prepare_inputs(load_photo(args.gray), load_photo(args.reference))
    report = check_pair(prepared.gray.gray_float(), prepared.reference_rgb)
    colour_note, gray_note = prepared.colour_note, prepared.gray_colour.sentence(pair=True)
    if args.json:
        print(json.dumps({**report.to_dict(), "colour_management": colour_note, "gray_input": gray_note},
                         indent=1))
    else:
        lines = [*report.messages, mode_sentence(report.suggested_mode, report.mode_reason)]
        if colour_note:
            lines.append(f"Colour profile: {colour_note}.")
        if gray_note:
            lines.append(gray_note)
        print("\n".join(lines))
    return EXIT_OK


def cmd_demo(args) -> int:
    from colorstudio.engine.demo import run_demo

    return run_demo(out_dir=args.output, open_app=not args.no_gui)


def cmd_gui(args) -> int:
    """The desktop app, in its own process (this module never imports Qt), on the given files."""
    import subprocess

    from colorstudio import app_launch

    if not app_launch.can_start_app():
        raise ColorStudioError(app_launch.NO_DISPLAY)
    return subprocess.call(app_launch.app_command() + [str(f) for f in args.files])


# ------------------------------------------------------------------ parser
def _saturation(text: str) -> float:
    """--saturation: refused at once when out of range (a batch would fail each single gray)."""
    from colorstudio.core.single_chroma import SATURATION_RANGE

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not SATURATION_RANGE[0] <= value <= SATURATION_RANGE[1]:
        raise argparse.ArgumentTypeError(f"{value:g} is outside {SATURATION_RANGE[0]:g}-{SATURATION_RANGE[1]:g}")
    return value


def _disparity(text: str) -> int:
    """--max-disparity: a whole number of pixels above 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of pixels") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a disparity: give 1 pixel or more")
    return value


def _quality(text: str) -> int:
    from colorstudio.core.output_checks import QUALITY_RANGE

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not QUALITY_RANGE[0] <= value <= QUALITY_RANGE[1]:
        raise argparse.ArgumentTypeError(f"{value} is outside {QUALITY_RANGE[0]}-{QUALITY_RANGE[1]}")
    return value


def _add_method_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", help="colorization method (see `colorstudio methods`)")
    p.add_argument("--model", type=paths.user_path,
                   help="a model file (.safetensors) for a learned method, or the name of one of your fine-tuned models")
    p.add_argument("--max-disparity", type=_disparity, help="largest disparity to search, in pixels")
    p.add_argument("--side", choices=["left", "right"], help="which side the colour camera is on")
    p.add_argument("--saturation", type=_saturation,
                   help="colour strength of single-gray methods: an HSV saturation factor, 0 to 4 "
                        "(default: the method's, chosen by the benchmark)")
    p.add_argument("--mode", choices=["stereo", "crosscam"],
                   help="pair mode (default: chosen from the sizes and the alignment of the pair)")
    p.add_argument("--jpeg-quality", type=_quality, default=95,
                   help="JPEG/WebP quality 1-100 (default 95; WebP at 100 is lossless)")
    p.add_argument("--device", choices=DEVICES,
                   help="where learned methods run (default: the CPU; auto = a GPU if there is one)")
    p.add_argument("--colour-space", choices=["auto", "srgb"],
                   help="the result's colour space: auto (default) = for a pair the gray's RGB profile, else the "
                        "colour shot's (a phone's Display P3 kept whole), else sRGB, and sRGB for a single gray; "
                        "srgb = always sRGB")


def build_parser() -> argparse.ArgumentParser:
    app = "the ColorStudio app" if paths.frozen() else "colorstudio gui (or colorstudio-gui)"
    parser = argparse.ArgumentParser(prog=paths.command_name(), description="Colorize gray photographs. "
                                     f"The desktop app: {app}.")
    parser.add_argument("--version", action="version", version=f"colorstudio {__version__}")
    parser.add_argument("--selftest", action="store_true",
                        help="colorize the bundled example headless, verify it, print one line (exit 0/1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("colorize", help="colorize one gray photo (with a colour reference for a pair)")
    p.add_argument("gray", type=paths.user_path, help="the gray (mono camera) photo")
    p.add_argument("reference", nargs="?", type=paths.user_path,
                   help="the colour photo of the same scene (optional)")
    p.add_argument("-o", "--output", required=True, type=paths.user_path,
                   help="output file (.png, .jpg, .tif, .webp, .bmp)")
    p.add_argument("--diagnostics", metavar="DIR", type=paths.user_path, help="also write the diagnostics (PNG + JSON) here")
    p.add_argument("--diagnostics-colours", choices=["red-green", "orange-blue"], default="red-green",
                   help="the confidence, visibility and occlusion maps' colours: the papers' red/green (default), "
                        "or orange/blue, told apart with any colour vision")
    p.add_argument("--bit-depth", type=int, choices=[8, 16], help="output bit depth (default: the gray's)")
    _add_method_options(p)
    p.set_defaults(func=cmd_colorize)

    p = sub.add_parser("batch", help="colorize every pair and gray photo found in files/folders")
    p.add_argument("inputs", nargs="+", type=paths.user_path, help="files and folders")
    p.add_argument("-o", "--output", required=True, type=paths.user_path, help="output folder")
    p.add_argument("--ext", help="output format, e.g. .png (default: the gray's own)")
    p.add_argument("--skip-existing", action="store_true",
                   help="leave out photos whose result (NAME_colorized.EXT) is already in the output folder: "
                        "an interrupted batch goes on where it stopped")
    p.add_argument("--lr-mono-side", choices=["L", "R"], default="L",
                   help="for <stem>_L/<stem>_R pairs: which side is the mono camera (default L)")
    _add_method_options(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("check", help="check a pair: sizes, rectification, disparity, tone")
    p.add_argument("gray", type=paths.user_path, help="the gray (mono camera) photo")
    p.add_argument("reference", type=paths.user_path, help="the colour photo of the same scene")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("methods", help="list what --method accepts, and your models")
    p.add_argument("--add", metavar="FILE", type=paths.user_path,
                   help="first copy a model file made elsewhere into your models, after checking that it runs")
    p.set_defaults(func=cmd_methods)     # (colorstudio.cli_methods)

    if not paths.frozen():            # the packaged app has no benchmarks (see main)
        sub.add_parser("bench", help="run the benchmark (all methods side by side); "
                                     "`colorstudio bench --help` for its options")

    p = sub.add_parser("gui", help="open the desktop app" + ("" if paths.frozen() else " (also: colorstudio-gui)")
                       + ", on photos or folders if given")
    p.add_argument("files", nargs="*", type=paths.user_path,
                   help="a gray photo, a gray and its colour reference, or folders")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("demo", help="colorize the bundled example pair and show it")
    p.add_argument("-o", "--output", default="colorstudio-demo", type=paths.user_path, help="output folder")
    p.add_argument("--no-gui", action="store_true", help="only write the result")
    p.set_defaults(func=cmd_demo)

    from colorstudio.training.cli_finetune import add_parser as add_finetune_parser    # (no torch import)

    add_finetune_parser(sub)            # `finetune` lives with the training code
    return parser


_LOG_WRITTEN = False      # whether _setup_logging could open the log file


def _setup_logging() -> None:
    """Our log to the user's log file; so do the libraries' complaints about a file they still
    read (tifffile: "... invalid IFD ..."), which would otherwise be printed beside the one-line
    message."""
    libraries = [logging.getLogger(name) for name in ("tifffile",)]
    for logger in libraries:                 # not to Python's last-resort stderr handler
        logger.propagate = False
        logger.addHandler(logging.NullHandler())
    global _LOG_WRITTEN
    try:
        from colorstudio.log_handlers import QuietFileHandler
        from colorstudio.paths import log_file

        handler = QuietFileHandler(log_file(), encoding="utf-8", errors="backslashreplace")  # undecodable names
    except OSError:               # a read-only user folder: no log, and no traceback on the terminal
        logging.getLogger("colorstudio").addHandler(logging.NullHandler())    # from logging's last resort
        return
    _LOG_WRITTEN = True
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for logger in [logging.getLogger("colorstudio")] + libraries:
        logger.addHandler(handler)
    logging.getLogger("colorstudio").setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    _escape_what_stdout_cannot_encode()
    if argv[:1] == ["bench"]:  # the benchmark parses its own options
        if paths.frozen():       # it needs the test photos and child Python processes
            print(f"{paths.command_name()}: the benchmarks are not part of the packaged app; run them from "
                  "a source checkout (pip install -e . then colorstudio bench)", file=sys.stderr)
            return EXIT_USAGE
        from colorstudio.bench import main as bench_main

        return _guarded(lambda: bench_main(argv[1:]) or EXIT_OK)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.selftest:
        from colorstudio.selftest import run_selftest

        return run_selftest()
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    _setup_logging()
    if note := paths.ignored_data_dir():
        say(f"note: {note}")
    # a decoder's complaint about a file it still read (Pillow: "Corrupt EXIF data") is not the
    # user's business; what fails says so in one line
    warnings.filterwarnings("ignore", module=r"PIL\.")
    return _guarded(lambda: args.func(args))


def _escape_what_stdout_cannot_encode() -> None:
    """A name or a profile's description the output's encoding lacks (Windows' code page when
    the output goes to a file, ASCII under LC_ALL=C with PYTHONUTF8=0) is written escaped
    (\\xe9), as Python writes it to stderr, not an internal error half-way through a listing."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):       # a closed or detached stream: nothing is printed anyway
            pass


def _guarded(run) -> int:
    """Run a command: user errors as one line, bugs as one line + the log file."""
    before = stop_as_ctrl_c_on()
    try:
        code = run()
        if sys.stdout is not None and not sys.stdout.closed:   # (a full disk under `> list.txt`: said here)
            sys.stdout.flush()
        return code
    except ColorStudioError as e:
        say(f"{paths.command_name()}: error: {e}")
        return EXIT_BAD_INPUT
    except Stopped as e:
        say(f"{paths.command_name()}: stopped ({e.name})")
        return 128 + e.signum
    except KeyboardInterrupt:
        say(f"{paths.command_name()}: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:   # whoever read the output stopped (`colorstudio methods | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # nor is the exit's final flush
        return EXIT_OK
    except Exception as e:  # a bug: one line for the user, the traceback in the log
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
            # the output itself could not be written (`> /dev/full`; the engine's own writes say
            # a full disk as a DiskFullError)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            say(f"{paths.command_name()}: error: the output could not be written ({e.strerror})")
            return EXIT_BAD_INPUT
        if out_of_memory(e):
            say(f"{paths.command_name()}: error: {NOT_ENOUGH_MEMORY}")
            return EXIT_BAD_INPUT
        logging.getLogger("colorstudio").error("internal error\n%s", traceback.format_exc())
        from colorstudio.paths import log_file

        where = f"details in {log_file()}" if _LOG_WRITTEN else "no log: the user folder cannot be written"
        say(f"{paths.command_name()}: internal error: {type(e).__name__}: {e} ({where})")
        if os.environ.get("COLORSTUDIO_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL
    finally:
        put_back(before)


if __name__ == "__main__":
    sys.exit(main())
