"""Unusual but real files and outputs (session 28's review of inputs): what a format cannot hold
is said, a setting that is not a number is one line, a pair too small to measure is not
measured, metadata that libpng dislikes never reaches the terminal, a batch run again into its
own folder does not colorize its results."""
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from colorstudio.cli import main
from colorstudio.core import imageio, size_limits
from colorstudio.core.imageio import load_photo
from colorstudio.errors import ImageTooLargeError, UnreadableImageError, UnsupportedImageError
from colorstudio.engine.batch import plan_batch, run_batch
from colorstudio.engine.colorize import colorize_files


def _gray16(path, w=48, h=40):
    ramp = np.linspace(0, 65535, w * h).reshape(h, w).astype(np.uint16)
    cv2.imwrite(str(path), ramp)
    return path


def _gray8(path, w=48, h=40, seed=0):
    img = np.random.default_rng(seed).integers(0, 256, (h, w), dtype=np.uint8)
    Image.fromarray(img).save(path)
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def test_a_16_bit_gray_written_as_jpeg_says_so_and_16_bits_asked_of_jpeg_are_refused_first(tmp_path, capsys):
    gray = _gray16(tmp_path / "g16.png")
    out = tmp_path / "out.jpg"
    result = colorize_files(gray, None, out, method="neutral")
    assert any("8 bits" in n and "JPEG" in n for n in result.info["output_notes"])
    assert load_photo(out).bit_depth == 8
    out.unlink()
    assert main(["colorize", str(gray), "-o", str(out), "--method", "neutral"]) == 0
    assert "note: written with 8 bits a channel" in capsys.readouterr().err
    out.unlink()
    assert main(["colorize", str(gray), "-o", str(out), "--method", "neutral", "--bit-depth", "16"]) == 1
    err = capsys.readouterr().err
    assert "JPEG holds 8 bits" in err and len(err.strip().splitlines()) == 1 and not out.exists()
    tif = colorize_files(gray, None, tmp_path / "out.tif", method="neutral")
    assert "output_notes" not in tif.info and load_photo(tmp_path / "out.tif").bit_depth == 16


def test_transparency_and_a_large_exif_left_out_of_a_jpeg_are_said(tmp_path):
    la = np.dstack([np.full((40, 48), 120, np.uint8), np.full((40, 48), 200, np.uint8)])
    Image.fromarray(la, "LA").save(tmp_path / "alpha.png")
    notes = colorize_files(tmp_path / "alpha.png", None, tmp_path / "a.jpg", method="neutral").info["output_notes"]
    assert any("transparency left out" in n for n in notes)
    exif = Image.Exif()
    exif[0x010E] = "x" * 70_000                          # ImageDescription: more than a JPEG's segment
    Image.fromarray(np.full((40, 48), 90, np.uint8)).save(tmp_path / "big.png", exif=exif.tobytes())
    notes = colorize_files(tmp_path / "big.png", None, tmp_path / "b.jpg", method="neutral").info["output_notes"]
    assert any("EXIF left out" in n for n in notes)


@pytest.mark.parametrize("value", ["abc", "12k", "-5", "0", "nan"])
def test_a_max_pixels_setting_that_is_not_a_pixel_count_is_one_line(tmp_path, monkeypatch, capsys, value):
    gray = _gray8(tmp_path / "g.png")
    monkeypatch.setenv("COLORSTUDIO_MAX_PIXELS", value)
    assert main(["colorize", str(gray), "-o", str(tmp_path / "o.png"), "--method", "neutral"]) == 1
    err = capsys.readouterr().err
    assert "COLORSTUDIO_MAX_PIXELS" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_max_pixels_setting_may_be_written_with_an_exponent(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORSTUDIO_MAX_PIXELS", "1e3")
    assert size_limits.max_pixels() == 1000
    with pytest.raises(ImageTooLargeError, match="above the limit of 0.001 MP"):
        load_photo(_gray8(tmp_path / "g.png"))


def test_check_refuses_what_colorize_refuses_and_does_not_measure_a_thumbnail(tmp_path, capsys):
    gray = _gray8(tmp_path / "g.png", 160, 120)
    Image.fromarray(np.zeros((3, 7, 3), np.uint8)).save(tmp_path / "tiny.png")
    assert main(["check", str(tmp_path / "tiny.png"), str(gray)]) == 1
    assert "too small to colorize (at least 16x16 pixels)" in capsys.readouterr().err
    colour = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    Image.fromarray(colour).save(tmp_path / "thumb.png")
    assert main(["check", str(gray), str(tmp_path / "thumb.png")]) == 0
    out = capsys.readouterr().out
    assert "The colour shot (16x16 px) is too small to measure" in out
    assert "mirror" not in out and "turned" not in out and "rectified" not in out


def test_a_png_chunk_libpng_warns_about_never_reaches_the_terminal(tmp_path, capfd):
    rgb16 = np.random.default_rng(2).integers(0, 65536, (40, 48, 3), dtype=np.uint16)
    ok, enc = cv2.imencode(".png", rgb16)
    data = enc.tobytes()
    ihdr_end = 8 + 8 + 13 + 4
    exif = Image.Exif()
    exif[0x0112] = 6
    bad_exif = _chunk(b"eXIf", b"Exif\x00\x00" + exif.tobytes())    # the prefix some tools write
    (tmp_path / "c16.png").write_bytes(data[:ihdr_end] + bad_exif + data[ihdr_end:])
    photo = load_photo(tmp_path / "c16.png")
    assert photo.pixels.dtype == np.uint16 and photo.pixels.shape == (48, 40, 3)   # by OpenCV, turned
    assert imageio.image_size(tmp_path / "c16.png") == (40, 48)
    assert "libpng" not in capfd.readouterr().err


def test_a_file_with_more_pages_or_frames_says_only_the_first_is_used(tmp_path, capsys):
    pages = [Image.fromarray(np.full((30, 40), v, np.uint8)) for v in (50, 150, 250)]
    pages[0].save(tmp_path / "pages.tif", save_all=True, append_images=pages[1:])
    assert load_photo(tmp_path / "pages.tif").frames == 3
    assert main(["colorize", str(tmp_path / "pages.tif"), "-o", str(tmp_path / "p.png"), "--method", "neutral"]) == 0
    assert "pages.tif holds 3 pages: only the first is used" in capsys.readouterr().err
    pages[0].save(tmp_path / "anim.gif", save_all=True, append_images=pages[1:])
    plan = plan_batch([tmp_path / "anim.gif"], tmp_path / "out")          # a GIF is read by batch too
    assert [i.gray.name for i in plan.items] == ["anim.gif"]
    messages = [p.message for p in run_batch(plan, method="neutral")]
    assert any("anim.gif holds 3 frames" in m for m in messages)
    assert load_photo(tmp_path / "p.png").frames == 1


def test_an_output_that_is_a_folder_is_refused_before_the_work(tmp_path, capsys):
    gray = _gray8(tmp_path / "g.png")
    (tmp_path / "adir.png").mkdir()
    for target in (tmp_path / "adir.png", tmp_path):
        assert main(["colorize", str(gray), "-o", str(target), "--method", "neutral"]) == 1
        assert "is a folder" in capsys.readouterr().err


def test_a_manifest_output_in_an_unknown_format_is_refused_and_results_are_named_with_their_folder(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a.png", "b.png", "c.png"):
        _gray8(tmp_path / "in" / name)
    (tmp_path / "in" / "pairs.csv").write_text("a.png,,day/out.png\nb.png,,night/out.png\nc.png,,odd.xyz\n")
    plan = plan_batch([tmp_path / "in"], tmp_path / "out")
    assert sorted(str(i.output.relative_to(tmp_path / "out")) for i in plan.items) == ["day/out.png", "night/out.png"]
    assert any(p.name == "c.png" and "unknown output format '.xyz'" in r for p, r in plan.unmatched)
    messages = [p.message for p in run_batch(plan, method="neutral") if p.status == "done"]
    assert sorted(m.split("written ")[1].split(" with ")[0] for m in messages) == ["day/out.png", "night/out.png"]


def test_a_batch_run_again_into_its_own_folder_leaves_its_results_alone(tmp_path, capsys):
    _gray8(tmp_path / "trip.png")
    _gray8(tmp_path / "beach.png", seed=3)
    for _ in range(2):
        assert main(["batch", str(tmp_path), "-o", str(tmp_path), "--method", "neutral"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["beach.png", "beach_colorized-2.png", "beach_colorized.png",
                     "trip.png", "trip_colorized-2.png", "trip_colorized.png"]
    err = capsys.readouterr().err
    assert "left out 2 earlier results" in err and "skipped " not in err


def test_a_damaged_file_is_called_damaged_and_a_1x1_one_says_the_smallest_size(tmp_path):
    _gray8(tmp_path / "g.png")
    data = bytearray((tmp_path / "g.png").read_bytes())
    data[29] ^= 0xFF                                    # the IHDR chunk's CRC
    (tmp_path / "bad.png").write_bytes(bytes(data))
    with pytest.raises(UnreadableImageError, match="a damaged PNG file"):
        load_photo(tmp_path / "bad.png")
    for name, cut in (("cut.png", 20), ("cut.jpg", 12)):    # the header itself cut short ("Truncated File Read")
        source = tmp_path / ("g.png" if name.endswith("png") else "g.jpg")
        if not source.exists():
            Image.open(tmp_path / "g.png").save(source)
        (tmp_path / name).write_bytes(source.read_bytes()[:cut])
        with pytest.raises(UnreadableImageError, match=f"a damaged {'PNG' if name.endswith('png') else 'JPEG'} file"):
            load_photo(tmp_path / name)
    (tmp_path / "text.png").write_text("not a picture")
    with pytest.raises(UnsupportedImageError, match="not an image ColorStudio can read"):
        load_photo(tmp_path / "text.png")
    Image.new("L", (1, 1)).save(tmp_path / "one.png")
    with pytest.raises(UnsupportedImageError, match=r"too small to colorize \(at least 16x16 pixels\)"):
        load_photo(tmp_path / "one.png")


def test_thumbnail_pages_camera_previews_and_broken_page_lists_are_not_more_pictures(tmp_path):
    import tifffile

    a = np.random.default_rng(4).integers(0, 256, (64, 80), dtype=np.uint8)
    with tifffile.TiffWriter(tmp_path / "thumb.tif") as t:          # a page and its reduced copy
        t.write(a)
        t.write(a[::4, ::4], subfiletype=1)
    assert load_photo(tmp_path / "thumb.tif").frames == 1
    Image.fromarray(a).save(tmp_path / "camera.jpg", format="MPO", save_all=True,
                            append_images=[Image.fromarray(a[::2, ::2])])          # a camera's MPF preview
    assert load_photo(tmp_path / "camera.jpg").frames == 1
    Image.fromarray(a).save(tmp_path / "one.tif")
    data = bytearray((tmp_path / "one.tif").read_bytes())
    ifd = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[ifd:ifd + 2])[0]
    next_at = ifd + 2 + 12 * entries
    data[next_at:next_at + 4] = struct.pack("<I", len(data) + 1000)   # a next page beyond the end
    (tmp_path / "broken_next.tif").write_bytes(bytes(data))
    photo = load_photo(tmp_path / "broken_next.tif")
    assert photo.frames == 1 and np.array_equal(photo.pixels, a)


def test_earlier_results_are_left_out_in_the_output_folder_or_in_colour(tmp_path, capsys):
    g = np.random.default_rng(5).integers(0, 256, (40, 48), dtype=np.uint8)
    Image.fromarray(g).save(tmp_path / "trip_mono.png")
    Image.fromarray(np.dstack([g, g[::-1], g[:, ::-1]])).save(tmp_path / "trip_color.png")
    _gray8(tmp_path / "solo.png")
    for _ in range(2):                                              # a pair's result too
        assert main(["batch", str(tmp_path), "-o", str(tmp_path), "--method", "reinhard"]) == 0
    out = capsys.readouterr().err
    assert "left out 2 earlier results" in out and "skipped " not in out      # nothing skipped by name
    assert (tmp_path / "trip_colorized-2.png").is_file() and (tmp_path / "solo_colorized-2.png").is_file()
    plan = plan_batch([tmp_path], tmp_path / "elsewhere")           # another output folder: gray ones are photos,
    assert "solo_colorized" in {i.name for i in plan.items}         # colour ones earlier results, not "skipped"
    assert sorted(p.name for p in plan.earlier_results) == ["trip_colorized-2.png", "trip_colorized.png"]
    assert not plan.unmatched
    # named (`batch *.png -o .` run again): a result in the output folder is left out too (each run
    # colorized the last one's results again: solo_colorized_colorized.png), elsewhere it is a photo
    named = plan_batch([tmp_path / "solo.png", tmp_path / "solo_colorized.png"], tmp_path)
    assert {i.gray.name for i in named.items} == {"solo.png"} and named.earlier_results == [tmp_path / "solo_colorized.png"]
    named = plan_batch([tmp_path / "solo.png", tmp_path / "solo_colorized.png"], tmp_path / "elsewhere")
    assert {i.gray.name for i in named.items} == {"solo.png", "solo_colorized.png"}


def test_a_folder_or_a_name_ending_in_a_separator_is_no_output_file(tmp_path, monkeypatch, capsys):
    gray = _gray8(tmp_path / "g.png")
    monkeypatch.chdir(tmp_path)
    for target, what in ((".", "is a folder"), ("missing/", "names a folder")):
        assert main(["colorize", str(gray), "-o", target, "--method", "neutral"]) == 1
        err = capsys.readouterr().err
        assert f"{target}: {what}; give the result a file name" in err


def test_8_bits_asked_for_a_jpeg_is_no_loss_to_mention(tmp_path):
    gray = _gray16(tmp_path / "g16.png")
    result = colorize_files(gray, None, tmp_path / "o.jpg", method="neutral", bit_depth=8)
    assert "output_notes" not in result.info


def test_the_mode_of_a_pair_too_small_to_measure_says_so():
    from colorstudio.engine.colorize import choose_pair_mode

    rng = np.random.default_rng(6)
    mode, reason = choose_pair_mode(rng.random((20, 20), np.float32), rng.random((20, 20, 3), np.float32))
    assert mode == "crosscam" and "(too small to measure: under 24 px a side)" in reason


def test_a_second_batch_into_another_folder_is_not_failed_by_the_first_ones_results(tmp_path, capsys):
    g = np.random.default_rng(6).integers(0, 256, (40, 48), dtype=np.uint8)
    Image.fromarray(g).save(tmp_path / "trip_mono.png")
    Image.fromarray(np.dstack([g, g[::-1], g[:, ::-1]])).save(tmp_path / "trip_color.png")
    assert main(["batch", str(tmp_path), "-o", str(tmp_path / "results"), "--method", "reinhard"]) == 0
    assert main(["batch", str(tmp_path), "-o", str(tmp_path.parent / (tmp_path.name + "_elsewhere")),
                 "--method", "reinhard"]) == 0
    err = capsys.readouterr().err
    assert "left out 1 earlier result of a batch" in err and str(tmp_path / "results") in err
    assert "skipped " not in err and "0 skipped" in err


def test_a_file_name_holding_an_escape_sequence_or_a_line_break_stays_one_escaped_line(tmp_path, capsys):
    from colorstudio.terminal_line import terminal_line

    (tmp_path / "p").mkdir()
    _gray8(tmp_path / "p" / "esc\x1b[31mred.png")
    _gray8(tmp_path / "p" / "two\x0blines\u202etxt.png")
    assert main(["batch", str(tmp_path / "p"), "-o", str(tmp_path / "o"), "--method", "neutral"]) == 0
    err = capsys.readouterr().err
    assert "esc\\x1b[31mred" in err and "two\\x0blines\\u202etxt" in err
    assert not any(c in err for c in "\x1b\x0b\u202e") and all(line.strip() for line in err.splitlines())
    assert terminal_line("a\nb\r\tc ünï 🙂") == "a\\nb\\r\\tc ünï 🙂"
    kept = "👩\u200d💻 trip, \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645, soft\xadhyphen"   # joiners: names
    assert terminal_line(kept) == kept and terminal_line("\u2066x\u2069") == "\\u2066x\\u2069"
