"""``--selftest``: colorize the bundled example pair headless and verify the result.

Checks that a (possibly frozen) installation finds its models and resources, runs the
default pair method and writes a correct file: the gray's size, luma equal to the gray
(within 1.5/255 on average), and colour in it; and that every optional format it offers
(HEIC/HEIF, AVIF, camera RAW) has its native library: a frozen build can leave one out.
Prints one line; returns 0 (pass) or 1 (fail).
No Qt, no network, nothing written outside a temporary folder.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

LUMA_TOLERANCE = 1.5 / 255   # mean |luma(result) - gray|, float [0, 1]
MIN_COLOUR = 0.01            # mean |RGB - luma| of the result, float [0, 1]


def verify(result_path: Path, gray_path: Path) -> list[str]:
    """Problems with a written result (empty list = fine)."""
    from colorstudio.core.color import luma
    from colorstudio.core.imageio import load_photo

    gray = load_photo(gray_path)
    result = load_photo(result_path)
    problems = []
    if result.size != gray.size:
        problems.append(f"size {result.size} != gray {gray.size}")
        return problems
    rgb = result.rgb_float()
    err = float(np.abs(luma(rgb) - gray.gray_float()).mean())
    if err > LUMA_TOLERANCE:
        problems.append(f"luma differs from the gray by {err * 255:.2f}/255")
    colour = float(np.abs(rgb - luma(rgb)[..., None]).mean())
    if colour < MIN_COLOUR:
        problems.append(f"no colour (mean chroma {colour:.4f})")
    return problems


def _round_trip(fmt: str) -> None:
    """Encode and decode a small colour image in ``fmt`` in memory (Pillow's plug-in)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 100, 50)).save(buf, format=fmt)
    buf.seek(0)
    r, g, b = Image.open(buf).convert("RGB").getpixel((8, 8))
    if abs(r - 200) + abs(g - 100) + abs(b - 50) > 24:
        raise RuntimeError(f"{fmt} decoded as {(r, g, b)}")


def _libraw_version() -> tuple:
    import rawpy

    return rawpy.libraw_version


def check_formats() -> tuple[list[str], list[str]]:
    """(optional formats that work, problems) for those the reader offers."""
    from colorstudio.core.imageio import READ_EXTENSIONS

    working, problems = [], []
    checks = {"HEIC": (".heic", lambda: _round_trip("HEIF")), "AVIF": (".avif", lambda: _round_trip("AVIF")),
              "RAW": (".dng", _libraw_version)}
    for name, (ext, check) in checks.items():
        if ext not in READ_EXTENSIONS:
            continue
        try:
            check()
            working.append(name)
        except Exception as e:  # noqa: BLE001 - reported in the self-test's line
            problems.append(f"{name} offered but not working ({type(e).__name__}: {e})")
    return working, problems


def run_selftest(stream=None) -> int:
    """Colorize the example pair into a temp folder, verify, print one line; 0 = pass."""
    from colorstudio import __version__, paths

    stream = stream or sys.stdout
    t0 = time.perf_counter()
    try:
        from colorstudio.engine.colorize import colorize_files
        from colorstudio.engine.demo import example_pair

        models = sorted(p.name for p in paths.models_dir().glob("*.safetensors"))
        if not models:
            raise RuntimeError(f"no models found in {paths.models_dir()}")
        gray, reference = example_pair()
        with tempfile.TemporaryDirectory(prefix="colorstudio-selftest-") as tmp:
            out = Path(tmp) / "selftest.png"
            result = colorize_files(gray, reference, out)
            problems = verify(out, gray)
        formats, format_problems = check_formats()
        problems += format_problems
    except Exception as e:  # the self-test reports every failure in its one line
        print(f"selftest FAILED: {type(e).__name__}: {e}", file=stream, flush=True)
        return 1
    seconds = time.perf_counter() - t0
    if problems:
        print(f"selftest FAILED ({result.method}): {'; '.join(problems)}", file=stream, flush=True)
        return 1
    print(f"selftest ok: colorstudio {__version__}, {gray.name} + {reference.name} with {result.method} "
          f"in {seconds:.1f} s, {len(models)} models in {paths.models_dir()}; also reads "
          f"{', '.join(formats) or 'no optional format'}", file=stream, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run_selftest())
