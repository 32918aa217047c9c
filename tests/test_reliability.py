"""Bad input never crashes: the generated corpus (tests/bad_inputs.py) through the CLI and the batch.

For every case: a one-line ColorStudioError (exit 1, no traceback) or a correct result (the
gray's size, luma == gray, colour where the reference has some) — never exit 3 (internal error);
every input file is byte-identical afterwards; the batch writes every good item.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bad_inputs import Case, hashes, write_corpus
from colorstudio.cli import main
from colorstudio.core.color import luma
from colorstudio.core.imageio import load_photo


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[object, list[Case]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, write_corpus(folder)


def _cli_args(case: Case, out) -> list[str]:
    args = ["colorize", str(case.gray)] + ([str(case.reference)] if case.reference else [])
    return args + ["-o", str(out), "--method", case.cli_method]


def check_result(case: Case, out) -> None:
    """The written result is the gray's size, keeps its luma, and is coloured when it should be."""
    result = load_photo(out)
    assert result.size == case.size_wh, case.name
    rgb = result.rgb_float()
    gray = load_photo(case.gray).gray_float()
    err = np.abs(luma(rgb) - gray)
    tol = 1.5 / 65535 if result.bit_depth == 16 else 1.5 / 255
    assert err.mean() < tol and np.percentile(err, 99.9) < 4 * tol, f"{case.name}: luma moved ({err.max():.4f})"
    ref = load_photo(case.reference) if case.reference is not None else None
    if ref is not None and ref.is_gray:
        assert np.abs(rgb - luma(rgb)[..., None]).max() < 2 / 255, f"{case.name}: colour from a gray reference"
    elif ref is not None or case.cli_method != "neutral":
        assert np.abs(rgb - luma(rgb)[..., None]).mean() > 0.005, f"{case.name}: no colour"


def assert_one_line_error(case: Case, code: int, err: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 1, f"{case.name}: exit {code}: {err}"
    assert len(lines) == 1 and lines[0].startswith("colorstudio: error: "), f"{case.name}: {err!r}"
    assert "Traceback" not in err and "internal error" not in err


def test_the_corpus_covers_the_issue_list(corpus):
    names = " ".join(c.name for c in corpus[1])
    for word in ("zero-byte", "truncated JPEG", "truncated PNG", "truncated TIFF", ".jpg", "text file",
                 "1x1", "30000x30000", "CMYK", "16-bit", "palette", "alpha", "EXIF-rotated",
                 "half size", "aspect", "identical", "gray 'colour'"):
        assert word in names, word
    assert len(corpus[1]) >= 35


def test_every_case_through_the_cli_gives_a_result_or_one_line(corpus, tmp_path, capsys):
    folder, cases = corpus
    before = hashes(folder)
    outcomes = {}
    for i, case in enumerate(cases):
        out = tmp_path / f"out_{i}.png"
        code = main(_cli_args(case, out))
        err = capsys.readouterr().err
        assert code in (0, 1), f"{case.name}: exit {code} (a crash): {err}"
        if code == 0:
            assert case.expect in ("ok", "either"), f"{case.name}: accepted but should be refused"
            check_result(case, out)
        else:
            assert case.expect in ("error", "either"), f"{case.name}: refused: {err}"
            assert_one_line_error(case, code, err)
            assert not out.exists()
        outcomes[case.name] = code
    assert hashes(folder) == before, "an input file was changed"
    assert not list(folder.rglob("*.part"))
    print(f"\n{len(cases)} cases: {sum(c == 0 for c in outcomes.values())} colorized, "
          f"{sum(c == 1 for c in outcomes.values())} one-line errors, 0 crashes")


SUBPROCESS_CASES = ["zero-byte gray", "truncated PNG gray", "text file as reference",
                    "30000x30000 header (bomb) gray", "1x1 gray", "missing file"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_a_fresh_process_prints_one_line_and_no_traceback(corpus, tmp_path, name):
    case = next(c for c in corpus[1] if c.name == name)
    p = subprocess.run([sys.executable, "-m", "colorstudio", *_cli_args(case, tmp_path / "o.png")],
                       capture_output=True, text=True, timeout=120)
    assert_one_line_error(case, p.returncode, p.stderr)
    assert p.stdout == ""


def test_the_output_may_not_be_an_input(corpus, tmp_path, capsys):
    folder, cases = corpus
    before = hashes(folder)
    good = cases[0]
    for target in (good.gray, good.reference):
        code = main(["colorize", str(good.gray), str(good.reference), "-o", str(target), "--method", "copy"])
        assert_one_line_error(good, code, capsys.readouterr().err)
    assert hashes(folder) == before


def test_an_existing_output_is_replaced_atomically_not_an_input(corpus, tmp_path, capsys):
    """colorize -o over a non-input file replaces it whole (documented); inputs stay intact."""
    folder, cases = corpus
    out = tmp_path / "existing.png"
    out.write_bytes(b"old")
    before = hashes(folder)
    assert main(_cli_args(cases[0], out)) == 0
    check_result(cases[0], out)
    assert hashes(folder) == before


def _batch_folder(tmp_path, cases: list[Case]):
    """Every pair case as <n>_mono/<n>_color files (copies), singles as <n>_mono."""
    src = tmp_path / "batch_in"
    src.mkdir()
    expected_ok = set()
    for i, case in enumerate(cases):
        if case.method is not None or not case.gray.exists():
            continue
        stem = f"c{i:02d}"
        for role, path in (("mono", case.gray), ("color", case.reference)):
            if path is None:
                continue
            if path.is_dir():
                (src / f"{stem}_{role}{path.suffix}").mkdir()
            elif path.exists():
                (src / f"{stem}_{role}{path.suffix}").write_bytes(path.read_bytes())
        if case.expect == "ok":
            expected_ok.add(stem)
    return src, expected_ok


def test_batch_over_the_corpus_completes_the_good_items(corpus, tmp_path, capsys):
    _, cases = corpus
    src, expected_ok = _batch_folder(tmp_path, cases)
    before = hashes(src)
    out = tmp_path / "batch_out"
    code = main(["batch", str(src), "-o", str(out)])  # default methods: pairs and singles mixed
    err = capsys.readouterr().err
    assert code == 1, err  # some items are bad: exit 1, each reported
    assert "Traceback" not in err and "internal error" not in err, err
    written = {p.name.split("_")[0] for p in out.iterdir()}
    assert expected_ok <= written, f"good items missing: {expected_ok - written}\n{err}"
    assert hashes(src) == before
    assert not list(out.glob("*.part")) and not list(src.glob("*.part"))
    summary = [ln for ln in err.splitlines() if ln.startswith("summary:")]
    assert summary, err
    for line in err.splitlines():
        if "FAIL" in line or line.strip().startswith("failed") or line.startswith("skipped"):
            assert line.count("\n") == 0 and len(line) < 400


def test_batch_run_twice_never_overwrites_its_own_results(corpus, tmp_path, capsys):
    _, cases = corpus
    src = tmp_path / "in"
    src.mkdir()
    for name in ("good_mono.png", "good_color.png"):
        (src / name).write_bytes((cases[0].gray.parent / name).read_bytes())
    out = tmp_path / "out"
    assert main(["batch", str(src), "-o", str(out), "--method", "copy"]) == 0
    first = hashes(out)
    assert main(["batch", str(src), "-o", str(out), "--method", "copy"]) == 0
    capsys.readouterr()
    after = hashes(out)
    assert {k: after[k] for k in first} == first and len(after) == 2 * len(first)


def test_batch_of_only_bad_files_says_so_in_one_line(corpus, tmp_path, capsys):
    folder, _ = corpus
    src = tmp_path / "bad"
    src.mkdir()
    for name in ("zero.png", "notes.png", "one.png", "bomb.png", "trunc.png"):
        (src / name).write_bytes((folder / name).read_bytes())
    code = main(["batch", str(src), "-o", str(tmp_path / "out"), "--method", "copy"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and "internal error" not in err
    lines = err.splitlines()
    # four are refused when the folder is read; the truncated PNG (its size read from its header,
    # not by decoding it) fails when its turn comes, and nothing is written
    assert sum(ln.startswith("skipped") for ln in lines) == 4, err
    assert any("FAIL trunc: trunc.png: the file is truncated or damaged" in ln for ln in lines), err
    assert "summary: 0 written, 1 failed, 4 skipped" in err


def test_a_truncated_tiff_in_a_fresh_process_prints_one_line(corpus, tmp_path):
    case = next(c for c in corpus[1] if c.name == "truncated TIFF reference")
    p = subprocess.run([sys.executable, "-m", "colorstudio", *_cli_args(case, tmp_path / "o.png")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1)
    assert len([ln for ln in p.stderr.splitlines() if ln.strip()]) <= 1, p.stderr


# ------------------------------------------------------------------ property: modes x orientations
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_MODES = ["L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(_MODES), orientation=st.integers(1, 8), h=st.integers(2, 24),
       w=st.integers(2, 24), fmt=st.sampled_from(["PNG", "JPEG", "WEBP"]))
def test_any_mode_and_orientation_loads_upright_and_consistently(tmp_path, mode, orientation, h, w, fmt):
    """image_size (no decode) and load_photo agree, the EXIF turn is applied, nothing raises."""
    from PIL import Image

    from colorstudio.core.imageio import image_size
    from colorstudio.errors import ColorStudioError

    if fmt in ("JPEG", "WEBP") and mode in ("LA", "P", "I;16") or fmt == "WEBP" and mode == "CMYK":
        return  # the format cannot hold that mode
    if fmt == "JPEG" and mode == "RGBA":
        return
    rng = np.random.default_rng(h * 31 + w)
    base = Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8), "RGB")
    im = base.convert("L").convert("I;16") if mode == "I;16" else base.convert(mode)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"x.{fmt.lower()}"
    kw = {"exif": exif.tobytes()}
    try:
        im.save(path, fmt, **kw)
    except (OSError, ValueError, KeyError):
        return  # Pillow cannot write that combination: not an input anyone can have
    try:
        photo = load_photo(path)
    except ColorStudioError as e:
        assert "\n" not in str(e)
        return
    expect = (h, w) if orientation <= 4 else (w, h)
    assert photo.pixels.shape[:2] == expect
    assert image_size(path) == (expect[1], expect[0])
    assert photo.pixels.dtype in (np.uint8, np.uint16)
    if photo.alpha is not None:
        assert photo.alpha.shape == expect


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_tiff_with_an_exif_turn_loads_upright(tmp_path, mode):
    from PIL import Image

    from colorstudio.core.imageio import image_size

    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "turned.tif"
    Image.fromarray(np.zeros((2, 3, 3), np.uint8) + 90, "RGB").convert(mode).save(path, "TIFF", exif=exif.tobytes())
    photo = load_photo(path)
    assert photo.pixels.shape[:2] == (3, 2) and image_size(path) == (2, 3)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
@pytest.mark.parametrize("mode", ["L", "RGB"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_turns_the_pixels_as_pillows_exif_transpose(tmp_path, fmt, mode, orientation):
    """Pixel by pixel (lossless files): the eight EXIF orientations, mirrors included, give what
    Pillow's ImageOps.exif_transpose gives."""
    from PIL import Image, ImageOps

    rng = np.random.default_rng(orientation)
    im = Image.fromarray(rng.integers(0, 255, (5, 7, 3), dtype=np.uint8), "RGB").convert(mode)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o.{fmt.lower()}"
    im.save(path, fmt, exif=exif.tobytes(), **({"lossless": True} if fmt == "WEBP" else {}))
    with Image.open(path) as opened:
        expected = np.asarray(ImageOps.exif_transpose(opened))
    pixels = load_photo(path).pixels
    if pixels.ndim == 2 and expected.ndim == 3:       # an RGB file of equal channels reads as gray
        expected = expected[..., 1]
    np.testing.assert_array_equal(pixels, expected)
