"""Files a strict reader refuses though all their pixels decode (a JPEG missing only its end
marker, a PNG with a damaged text chunk) are read; truly cut files are still refused."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from colorstudio.core.imageio import image_size, load_photo
from colorstudio.errors import InputFileError, TruncatedImageError

RNG = np.random.default_rng(3)


def _jpeg(progressive=False, colour=False):
    y, x = np.mgrid[0:120, 0:160]
    g = ((x + y) % 256).astype(np.uint8) ^ RNG.integers(0, 40, (120, 160), dtype=np.uint8)
    arr = np.dstack([g, g[::-1], g[:, ::-1]]) if colour else g
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=90, progressive=progressive)
    return buf.getvalue()


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("colour", [False, True])
def test_a_jpeg_missing_only_its_end_marker_is_read_whole(tmp_path, progressive, colour):
    data = _jpeg(progressive, colour)
    (tmp_path / "whole.jpg").write_bytes(data)
    (tmp_path / "no_end.jpg").write_bytes(data[:-2])
    np.testing.assert_array_equal(load_photo(tmp_path / "no_end.jpg").pixels,
                                  load_photo(tmp_path / "whole.jpg").pixels)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False          # not by the process-wide switch


@pytest.mark.parametrize("cut", [0.5, 0.95, 0.995])
def test_a_cut_jpeg_is_still_refused_in_one_line(tmp_path, cut):
    data = _jpeg()
    (tmp_path / "cut.jpg").write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(TruncatedImageError, match="truncated or damaged") as e:
        load_photo(tmp_path / "cut.jpg")
    assert "\n" not in str(e.value)


def _png_with_text(crc_of_text_ok=True, crc_of_data_ok=True):
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(5).integers(0, 256, (30, 40), dtype=np.uint8)).save(buf, "PNG")
    data = buf.getvalue()
    body = b"tEXt" + b"Comment\x00hello"
    crc = zlib.crc32(body) ^ (0 if crc_of_text_ok else 1)
    text = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", crc)
    data = data[:33] + text + data[33:]                  # right after IHDR
    if not crc_of_data_ok:
        at = data.index(b"IDAT")
        length = struct.unpack(">I", data[at - 4:at])[0]
        end = at + 4 + length
        data = data[:end] + bytes([data[end] ^ 1]) + data[end + 1:]
    return data


def test_a_png_with_a_damaged_text_chunk_is_read(tmp_path):
    (tmp_path / "good.png").write_bytes(_png_with_text())
    (tmp_path / "bad_text.png").write_bytes(_png_with_text(crc_of_text_ok=False))
    np.testing.assert_array_equal(load_photo(tmp_path / "bad_text.png").pixels,
                                  load_photo(tmp_path / "good.png").pixels)
    assert image_size(tmp_path / "bad_text.png") == (40, 30)


def test_a_png_with_damaged_image_data_is_still_refused(tmp_path):
    (tmp_path / "bad_data.png").write_bytes(_png_with_text(crc_of_text_ok=False, crc_of_data_ok=False))
    with pytest.raises(InputFileError) as e:
        load_photo(tmp_path / "bad_data.png")
    assert "\n" not in str(e.value)
