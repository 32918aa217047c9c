"""Writing a result through the engine's API: the CLI's refusals hold there too, a replaced
file keeps its permission bits, a symbolic link stays a link, the EXIF states the true size."""
import os
import stat

import numpy as np
import pytest
from PIL import Image

from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import load_photo
from colorstudio.engine.colorize import colorize, save_result
from colorstudio.errors import OutputError

RNG = np.random.default_rng(17)


@pytest.fixture()
def result(tmp_path):
    g = RNG.integers(0, 256, (40, 56), dtype=np.uint8)
    y, x = np.mgrid[0:40, 0:56]
    Image.fromarray(g).save(tmp_path / "g.png")
    Image.fromarray(np.dstack([x * 4, y * 6, 255 - x * 4]).astype(np.uint8)).save(tmp_path / "r.png")
    return colorize(load_photo(tmp_path / "g.png"), load_photo(tmp_path / "r.png"), "copy")


def test_16_bits_asked_of_a_jpeg_is_refused_as_the_cli_refuses_it(tmp_path, result):
    with pytest.raises(OutputError, match=r"^x\.jpg: JPEG holds 8 bits a channel; for 16 bits write \.png or \.tif$"):
        save_result(result, tmp_path / "x.jpg", bit_depth=16)
    assert not (tmp_path / "x.jpg").exists()


@pytest.mark.parametrize("quality", [0, 101, 500, -5, 2.5, True])
def test_a_quality_outside_1_to_100_is_refused(tmp_path, result, quality):
    with pytest.raises(OutputError, match="quality"):
        save_result(result, tmp_path / "x.jpg", jpeg_quality=quality)
    assert not (tmp_path / "x.jpg").exists()


def test_a_replaced_read_only_file_stays_read_only(tmp_path, result):
    out = tmp_path / "x.png"
    out.write_bytes(b"old")
    out.chmod(0o444)
    save_result(result, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o444 and out.read_bytes() != b"old"


def test_a_symbolic_link_is_written_through_to_its_target(tmp_path, result):
    target_folder = tmp_path / "elsewhere"
    target_folder.mkdir()
    target = target_folder / "real.png"
    target.write_bytes(b"old")
    link = tmp_path / "link.png"
    link.symlink_to(target)
    save_result(result, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert Image.open(target).size == (56, 40)
    assert sorted(p.name for p in target_folder.iterdir()) == ["real.png"]     # no temp file left


def test_the_exif_pixel_size_is_the_turned_size(tmp_path):
    im = Image.fromarray(RNG.integers(0, 256, (30, 40), dtype=np.uint8))     # stored 40 wide, 30 high
    exif = im.getexif()
    exif[0x0112] = 6                                                        # shown turned: 30 x 40
    exif[0x010F] = "Cam"
    exif.get_ifd(0x8769).update({0xA002: 40, 0xA003: 30})
    im.save(tmp_path / "g.jpg", exif=exif)
    photo = load_photo(tmp_path / "g.jpg")
    assert photo.size == (30, 40)
    out = save_photo(tmp_path / "out.jpg", np.dstack([photo.pixels] * 3), like=photo)
    sub = Image.open(out).getexif().get_ifd(0x8769)
    assert (sub[0xA002], sub[0xA003]) == (30, 40)


def test_a_link_to_no_file_is_not_followed_and_a_batch_names_around_it(tmp_path, result):
    from colorstudio.core.atomic_files import free_path

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "a_colorized.png"
    link.symlink_to(elsewhere / "victim.png")                 # dangling
    assert free_path(link) == tmp_path / "a_colorized-2.png"  # a batch picks another name
    save_result(result, link)                                 # asked for by name: the link is replaced
    assert not link.is_symlink() and Image.open(link).size == (56, 40)
    assert not (elsewhere / "victim.png").exists()            # nothing made outside the chosen folder


def test_an_exclusive_write_never_replaces_a_name_taken_meanwhile(tmp_path, result, monkeypatch):
    from colorstudio.core.atomic_files import NameTaken, atomic_write, atomic_write_bytes
    from colorstudio.engine import batch
    from colorstudio.engine.batch import plan_batch, run_batch

    (tmp_path / "x.png").write_bytes(b"theirs")
    with pytest.raises(NameTaken):
        atomic_write(tmp_path / "x.png", lambda f: f.write(b"mine"), exclusive=True)
    assert (tmp_path / "x.png").read_bytes() == b"theirs" and not list(tmp_path.glob(".*.part"))
    # a second batch writing into the same folder takes the name while this one writes
    real, raced_once = batch.save_result, []

    def raced(colorization, target, **kw):
        if not raced_once:                                   # the other batch, once
            raced_once.append(target)
            atomic_write_bytes(target, b"the other batch's result")
        return real(colorization, target, **kw)

    monkeypatch.setattr(batch, "save_result", raced)
    plan = plan_batch([tmp_path / "g.png"], tmp_path / "out")
    list(run_batch(plan, method="neutral"))
    assert (tmp_path / "out" / "g_colorized.png").read_bytes() == b"the other batch's result"
    assert plan.items[0].written == tmp_path / "out" / "g_colorized-2.png"


def test_a_batch_that_wrote_nothing_leaves_no_empty_output_folder(tmp_path, result):
    from colorstudio.engine.batch import plan_batch, run_batch

    out = tmp_path / "new_out"
    plan = plan_batch([tmp_path / "g.png"], out)
    steps = run_batch(plan, method="neutral")
    next(steps)                                   # started, then interrupted (Ctrl-C, the app's Cancel)
    steps.close()
    assert not out.exists()
    existing = tmp_path / "kept"
    existing.mkdir()
    steps = run_batch(plan_batch([tmp_path / "g.png"], existing), method="neutral")
    next(steps)
    steps.close()
    assert existing.is_dir()                      # a folder the user had is never removed


def test_a_read_only_file_is_not_replaced(result, tmp_path, monkeypatch):
    """As cp refuses for its user; root may write anything, so the check asks os.access."""
    out = tmp_path / "protected.png"
    out.write_bytes(b"mine")
    out.chmod(0o444)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if (os.fspath(p) == os.fspath(out) and
                                                                       mode == os.W_OK) else real_access(p, mode, **kw))
    with pytest.raises(OutputError, match="protected.png: the file is read-only"):
        save_result(result, out)
    from colorstudio.cli import main
    assert main(["colorize", str(tmp_path / "g.png"), str(tmp_path / "r.png"), "-o", str(out), "--method", "copy"]) != 0
    assert out.read_bytes() == b"mine"


def test_an_output_name_without_an_extension_says_how_to_give_one(result, tmp_path):
    from colorstudio.core.output_checks import check_output_path

    with pytest.raises(OutputError, match=r"noext: the output name has no format extension; add one, e.g. noext.png"):
        check_output_path(tmp_path / "noext")


def test_a_short_write_says_the_disk_may_be_full(result, tmp_path, monkeypatch):
    """numpy's short write (tifffile's 16-bit TIFFs on a full disk) has no errno, only counts."""
    from colorstudio.core import atomic_files

    def short(f):
        raise OSError("1111500 requested and 92064 written")
    with pytest.raises(OutputError, match=r"r.tif: cannot be written \(only part of it could be written, 1111500 requested and 92064 written bytes: is the disk full\?\)$"):
        atomic_files.atomic_write(tmp_path / "r.tif", short)
    assert list(tmp_path.glob("*.part")) == []


def test_a_jpeg_result_keeps_every_colour_sample(tmp_path, result):
    """Pillow's default 4:2:0 halved the colour's resolution, and a result is all colour: a
    red/blue checkerboard of 1 px came out purple."""
    from PIL import JpegImagePlugin

    save_result(result, tmp_path / "out.jpg")
    with Image.open(tmp_path / "out.jpg") as im:
        assert JpegImagePlugin.get_sampling(im) == 0                # 4:4:4
    board = np.zeros((32, 32, 3), np.uint8)
    board[::2, ::2] = board[1::2, 1::2] = (255, 0, 0)
    board[1::2, ::2] = board[::2, 1::2] = (0, 0, 255)
    save_photo(tmp_path / "board.jpg", board)
    back = np.asarray(Image.open(tmp_path / "board.jpg")).astype(int)
    assert np.abs(back - board).mean() < 40
