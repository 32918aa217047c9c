"""Property-based tests (hypothesis) for the loaders and pair discovery."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from colorstudio.core.image_write import save_photo
from colorstudio.core.imageio import load_photo
from colorstudio.core.pairs import discover
from colorstudio.errors import ColorStudioError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(h=st.integers(2, 40), w=st.integers(2, 40), channels=st.sampled_from([1, 3]),
       bits=st.sampled_from([8, 16]), ext=st.sampled_from([".png", ".tif"]), seed=st.integers(0, 2**16))
def test_lossless_round_trip_any_shape(tmp_path, h, w, channels, bits, ext, seed):
    rng = np.random.default_rng(seed)
    dtype = np.uint16 if bits == 16 else np.uint8
    shape = (h, w) if channels == 1 else (h, w, 3)
    a = rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype)
    if channels == 3:
        a[0, 0] = [0, np.iinfo(dtype).max, 0]  # never all-equal channels (that would read as gray)
    photo = load_photo(save_photo(tmp_path / f"x{ext}", a))
    np.testing.assert_array_equal(photo.pixels, a)


@SETTINGS
@given(data=st.binary(min_size=0, max_size=600), ext=st.sampled_from([".jpg", ".png", ".tif", ".webp", ".bmp"]),
       prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"II*\x00", b"RIFF", b"BM"]))
def test_random_bytes_never_crash_the_loader(tmp_path, data, ext, prefix):
    p = tmp_path / f"junk{ext}"
    p.write_bytes(prefix + data)
    try:
        load_photo(p)
    except ColorStudioError as e:
        assert "\n" not in str(e)


@SETTINGS
@given(cut=st.floats(0.05, 0.95), ext=st.sampled_from([".jpg", ".png", ".tif", ".webp"]))
def test_truncated_real_images_give_a_clean_error_or_an_image(tmp_path, cut, ext):
    a = (np.random.default_rng(0).random((48, 40, 3)) * 255).astype(np.uint8)
    good = tmp_path / f"good{ext}"
    Image.fromarray(a).save(good)
    data = good.read_bytes()
    bad = tmp_path / f"cut{ext}"
    bad.write_bytes(data[: max(1, int(len(data) * cut))])
    try:
        photo = load_photo(bad)
        assert photo.pixels.shape[:2] == (48, 40)
    except ColorStudioError as e:
        assert "cut" in str(e)


NAMES = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "img 1", "IMG"]),
              st.sampled_from(["_mono", "_color", "_gray", "_rgb", "_L", "_R", "", "_x"]),
              st.sampled_from([".png", ".jpg", ".txt"])),
    min_size=0, max_size=8, unique=True)


@SETTINGS
@given(names=NAMES, side=st.sampled_from(["L", "R"]))
def test_discovery_accounts_for_every_image_exactly_once(tmp_path_factory, names, side):
    folder = tmp_path_factory.mktemp("disc")
    rng = np.random.default_rng(0)
    images = set()
    for stem, suffix, ext in names:
        p = folder / f"{stem}{suffix}{ext}"
        if ext == ".txt":
            p.write_text("not an image")
            continue
        colour = suffix in ("_color", "_rgb") or (suffix in ("_L", "_R") and suffix[1] != side)
        arr = rng.integers(0, 255, (6, 6, 3) if colour else (6, 6), dtype=np.uint8)
        Image.fromarray(arr).save(p)
        images.add(p)
    found = discover([folder], lr_mono_side=side)
    seen = [i.gray for i in found.items] + [i.reference for i in found.items if i.reference]
    seen += [p for p, _ in found.unmatched]
    assert sorted(map(str, seen)) == sorted(map(str, set(seen)))   # nothing twice
    assert images <= set(seen)                                      # every image accounted for
    assert all(i.reference is None or i.gray != i.reference for i in found.items)
