"""Corrupt, crafted or odd files: each is read, or refused in one line before any large
allocation; never an internal error."""
from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio import paths
from colorstudio.core import imageio, size_limits
from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import image_size, load_photo
from colorstudio.core.pair_manifest import read_manifest
from colorstudio.errors import ColorStudioError, ModelError, OutputError
from colorstudio.nets.weights_file import read_weights, write_weights


def _gray_png(path: Path) -> Path:
    Image.fromarray(np.tile(np.arange(0, 256, 4, dtype=np.uint8), (48, 1))).save(path)
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_png_text_chunk_unpacking_to_megabytes_is_refused_in_one_line(tmp_path):
    png = _gray_png(tmp_path / "g.png").read_bytes()
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png[:33] + _chunk(b"zTXt", b"k\0\0" + zlib.compress(bytes(2 << 20))) + png[33:])
    for read in (load_photo, image_size):
        with pytest.raises(ColorStudioError, match="bomb.png: cannot be read"):
            read(bomb)


def test_a_tiff_opencv_refuses_is_read_by_pillow(tmp_path, monkeypatch):
    path = tmp_path / "g.tif"
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8), (32, 1))).save(path)

    def refuses(*args):
        raise cv2.error("OpenCV(4) error: (-215) Assertion failed")

    monkeypatch.setattr(imageio.cv2, "imdecode", refuses)
    assert load_photo(path).pixels.shape == (32, 64)


def test_32_bit_integer_pixels_keep_their_levels(tmp_path):
    import tifffile

    ramp = np.tile(np.arange(256, dtype=np.int32) * 1_000_000, (8, 1))
    tifffile.imwrite(tmp_path / "i32.tif", ramp)
    pixels = load_photo(tmp_path / "i32.tif").pixels
    assert len(np.unique(pixels)) == 256 and pixels.max() == 65535     # was clipped to 2 levels


def _exif_orientation(kind: int, value: bytes) -> bytes:
    """EXIF whose one tag is the orientation, of TIFF type ``kind`` (3 SHORT, 4 LONG, 5
    RATIONAL, 2 ASCII) holding ``value`` (stored after the IFD)."""
    count = len(value) if kind == 2 else 1
    entry = struct.pack("<HHII", 0x0112, kind, count, 26)
    return b"Exif\0\0" + b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + b"\0" * 4 + value


@pytest.mark.parametrize("kind, value", [(3, struct.pack("<HH", 9, 0)), (4, struct.pack("<I", 70000)),
                                         (5, struct.pack("<II", 0, 0)), (2, b"six\0")])
def test_a_meaningless_exif_orientation_counts_as_upright(tmp_path, kind, value):
    """9, 70000 (LONG), 0/0 (a NaN rational), "six": the photo is read as it is stored."""
    path = tmp_path / "o.jpg"
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(path, exif=_exif_orientation(kind, value))
    assert load_photo(path).pixels.shape == (30, 40)
    assert image_size(path) == (40, 30)


def test_a_manifest_that_is_not_a_regular_file_or_far_too_big_is_refused(tmp_path):
    fifo = tmp_path / "pairs.csv"
    os.mkfifo(fifo)                          # reading it would wait forever
    with pytest.raises(OSError, match="not a regular file"):
        read_manifest(fifo)
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(17 * 2**20)
    with pytest.raises(OSError, match="larger than"):
        read_manifest(big)


def test_the_output_is_checked_before_the_work(tmp_path, monkeypatch):
    from colorstudio.engine import colorize as engine_colorize

    gray = _gray_png(tmp_path / "g.png")
    monkeypatch.setattr(engine_colorize, "load_photo", lambda p: pytest.fail("read before the output was checked"))
    for out, message in ((tmp_path / "x.gif", "unknown output format"), (tmp_path / "none" / "x.png", "does not exist")):
        with pytest.raises(OutputError, match=message):
            engine_colorize.colorize_files(gray, None, out)


def test_a_png_wider_than_libpng_writes_is_refused_with_the_format_that_can(tmp_path):
    with pytest.raises(OutputError, match="choose .tif"):
        save_photo(tmp_path / "wide.png", np.zeros((1, 1_000_001), np.uint8))


# ---------------------------------------------------------------- model files
def _hsv_model(tmp_path: Path, change=None, meta_change=None, name: str = "m") -> Path:
    tensors, meta = read_weights(paths.models_dir() / "hsv2stage_small.safetensors")
    tensors = dict(tensors)
    meta = {k: v for k, v in meta.items() if k != "sha256"}
    if change:
        change(tensors)
    if meta_change:
        meta_change(meta)
    return Path(write_weights(tmp_path / f"{name}.safetensors", tensors, meta) and tmp_path / f"{name}.safetensors")


def _load(path: Path):
    from colorstudio.engine.single import load_model

    return load_model("hsv2stage", path)


def test_nan_or_integer_weights_are_refused(tmp_path):
    first = "rcn.head.2.bias"

    def nan(t):
        t[first] = torch.full_like(t[first], float("nan"))

    def integers(t):
        t[first] = t[first].to(torch.int64)

    with pytest.raises(ModelError, match="not numbers"):
        _load(_hsv_model(tmp_path, nan, name="nan"))
    with pytest.raises(ModelError, match="torch.int64 numbers"):
        _load(_hsv_model(tmp_path, integers, name="ints"))


def test_a_config_asking_for_a_huge_net_is_refused_before_it_is_built(tmp_path, monkeypatch):
    from colorstudio.nets.hsv2stage import HSV2Stage

    built = []
    monkeypatch.setattr(HSV2Stage, "__init__", _recording(HSV2Stage.__init__, built))

    def wide(meta):
        config = json.loads(meta["config"])
        config["lr_width"] = 3000                 # ~2 GB of weights if built
        meta["config"] = json.dumps(config)

    with pytest.raises(ModelError, match="does not match its config"):
        _load(_hsv_model(tmp_path, meta_change=wide))
    assert built == ["meta"]                      # only the shape-only net was made


def _recording(init, log):
    def wrapped(self, cfg):
        log.append(torch.empty(0).device.type)    # the default device when the net is built
        init(self, cfg)
    return wrapped


@pytest.mark.parametrize("value, message", [("abc", "invalid working size"), ("30000", "invalid working size"),
                                            ("0", "invalid working size")])
def test_a_bad_working_size_is_refused(tmp_path, value, message):
    with pytest.raises(ModelError, match=message):
        _load(_hsv_model(tmp_path, meta_change=lambda m: m.update(working_long_side=value)))


def test_a_file_longer_than_its_header_says_is_not_read_whole(tmp_path, monkeypatch):
    path = _hsv_model(tmp_path)
    with open(path, "ab") as f:
        f.truncate(path.stat().st_size + 50 * 2**20)        # 50 MB of zeros after the tensors
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the whole file was read"))
    with pytest.raises(ModelError, match="not a complete safetensors file"):
        read_weights(path)


def test_a_header_nested_too_deep_is_a_corrupt_header(tmp_path):
    head = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path = tmp_path / "deep.safetensors"
    path.write_bytes(struct.pack("<Q", len(head)) + head)
    with pytest.raises(ModelError, match="corrupt safetensors header"):
        read_weights(path)
    from colorstudio.core.model_header import declared_model
    from colorstudio.engine.model_catalog import user_models

    assert declared_model(path) is None
    (tmp_path / "deep.json").write_text(head.decode())          # and as the model card: no crash,
    assert user_models(tmp_path) == []                          # and not offered (its header is unreadable)


def test_image_size_reads_a_pngs_exif_after_the_pixels_without_decoding_them(tmp_path, monkeypatch):
    plain = tmp_path / "plain.png"
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(plain)
    exif = Image.Exif()
    exif[0x0112] = 6                                   # turned: 40 wide as stored, 30 once upright
    data = plain.read_bytes()
    late = tmp_path / "late.png"
    late.write_bytes(data[:-12] + _chunk(b"eXIf", exif.tobytes()) + data[-12:])    # before IEND
    assert load_photo(late).pixels.shape == (40, 30)
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("the pixels were decoded"))
    assert image_size(late) == (30, 40)


def test_image_size_and_load_photo_agree_on_an_xmp_orientation(tmp_path):
    from PIL import PngImagePlugin

    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>')
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp)
    path = tmp_path / "xmp.png"
    Image.fromarray(np.zeros((40, 100), np.uint8)).save(path, pnginfo=info)
    h, w = load_photo(path).pixels.shape
    assert image_size(path) == (w, h)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("channels", [1, 3])
def test_floating_point_tiffs_are_read_at_16_bit_with_infinity_white(tmp_path, dtype, channels):
    import tifffile

    ramp = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (16, 1))
    ramp[0, 0] = np.inf                                  # a blown highlight in an HDR export
    data = ramp if channels == 1 else np.dstack([ramp] * 2 + [ramp[:, ::-1]])
    tifffile.imwrite(tmp_path / "f.tif", data.astype(dtype), photometric="minisblack" if channels == 1 else "rgb")
    pixels = load_photo(tmp_path / "f.tif").pixels
    assert pixels.dtype == np.uint16 and pixels.shape[:2] == (16, 64)
    first = pixels if pixels.ndim == 2 else pixels[..., 0]
    assert first[0, 0] == 65535 and first[1, 0] == 0 and first[1, -1] == 65535


def test_a_pipe_as_a_photo_is_named_as_one_not_called_empty(tmp_path):
    fifo = tmp_path / "g.png"
    os.mkfifo(fifo)                          # st_size 0, like /dev/zero
    with pytest.raises(ColorStudioError, match="a device or a pipe"):
        load_photo(fifo)


def test_a_size_limit_below_one_megapixel_is_said_in_megapixels_that_are_not_zero(tmp_path, monkeypatch):
    from colorstudio.core.size_limits import megapixels

    assert (megapixels(370_500), megapixels(100_000), megapixels(12_000_000)) == ("0.37", "0.1", "12")
    monkeypatch.setattr(size_limits, "MAX_PIXELS", 1_000)
    with pytest.raises(ColorStudioError, match=r"0\.0031 megapixels, above the limit of 0\.001 MP"):
        load_photo(_gray_png(tmp_path / "g.png"))


def test_a_damaged_lzw_tiff_is_one_line_and_libtiffs_own_complaint_goes_to_the_log(tmp_path, capfd, caplog):
    """libtiff prints "Using code not yet in table." on the process's stderr itself, beside the
    one-line error; it now goes to the log."""
    import logging

    rng = np.random.default_rng(1)
    Image.fromarray((rng.random((120, 160)) * 65535).astype(np.uint16)).save(tmp_path / "a.tif",
                                                                            compression="tiff_lzw")
    data = bytearray((tmp_path / "a.tif").read_bytes())
    data[100:2000] = rng.integers(0, 256, 1900, dtype=np.uint8).tobytes()     # the strip's codes garbled
    (tmp_path / "bad.tif").write_bytes(bytes(data))
    with caplog.at_level(logging.INFO, logger="colorstudio"), pytest.raises(ColorStudioError) as err:
        load_photo(tmp_path / "bad.tif")
    assert str(err.value) == "bad.tif: the file is damaged (its pixels cannot be decoded)"
    assert capfd.readouterr().err == ""
    assert any("reading bad.tif" in r.getMessage() and "not yet in table" in r.getMessage() for r in caplog.records)
    assert load_photo(tmp_path / "a.tif").pixels.dtype == np.uint16          # a sound one still reads
