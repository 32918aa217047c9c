"""Pair discovery: every naming scheme, folders, manifests, singles and bad files."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorstudio.core.pairs import PairItem, discover
from colorstudio.core.photo_kind import classify_file
from colorstudio.errors import ColorStudioError

RNG = np.random.default_rng(7)


def gray_img(path: Path, size=(24, 16)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(RNG.integers(0, 256, (size[1], size[0]), dtype=np.uint8), "L").save(path)
    return path


def colour_img(path: Path, size=(24, 16)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(RNG.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB").save(path)
    return path


def rgb_gray_img(path: Path, size=(24, 16)) -> Path:
    """An RGB file whose three channels are equal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    g = RNG.integers(0, 256, (size[1], size[0]), dtype=np.uint8)
    Image.fromarray(np.dstack([g, g, g]), "RGB").save(path)
    return path


def pairs_of(d) -> set[tuple[str, str | None, str]]:
    return {(i.gray.name, i.reference.name if i.reference else None, i.name) for i in d.items}


def test_name_suffixes_any_case(tmp_path):
    gray_img(tmp_path / "a_mono.png"), colour_img(tmp_path / "a_color.jpg")
    gray_img(tmp_path / "b_MONO.png"), colour_img(tmp_path / "b_Colour.png")
    gray_img(tmp_path / "c_gray.tif"), colour_img(tmp_path / "c_rgb.png")
    gray_img(tmp_path / "d_Grey.bmp"), colour_img(tmp_path / "d_RGB.webp")
    gray_img(tmp_path / "e-mono.png"), colour_img(tmp_path / "e-color.png")
    d = discover([tmp_path])
    assert pairs_of(d) == {("a_mono.png", "a_color.jpg", "a"), ("b_MONO.png", "b_Colour.png", "b"),
                           ("c_gray.tif", "c_rgb.png", "c"), ("d_Grey.bmp", "d_RGB.webp", "d"),
                           ("e-mono.png", "e-color.png", "e")}
    assert d.unmatched == []
    assert all(i.is_pair for i in d.items) and d.pairs == d.items


def test_names_holding_a_line_break_pair_too(tmp_path):
    gray_img(tmp_path / "a\nb_mono.png"), colour_img(tmp_path / "a\nb_color.jpg")
    d = discover([tmp_path])
    assert pairs_of(d) == {("a\nb_mono.png", "a\nb_color.jpg", "a\nb")} and d.unmatched == []


def test_left_right_with_mono_side_setting(tmp_path):
    colour_img(tmp_path / "scene_L.png"), colour_img(tmp_path / "scene_R.jpg")
    left = discover([tmp_path])  # default: L is the mono camera
    assert pairs_of(left) == {("scene_L.png", "scene_R.jpg", "scene")}
    right = discover([tmp_path], lr_mono_side="r")
    assert pairs_of(right) == {("scene_R.jpg", "scene_L.png", "scene")}
    with pytest.raises(ColorStudioError):
        discover([tmp_path], lr_mono_side="top")


def test_lone_tagged_files_are_judged_by_their_pixels(tmp_path):
    colour_img(tmp_path / "x_L.png")     # declared mono by the setting, but colour: not colorized alone
    colour_img(tmp_path / "y_R.png")     # declared colour: no partner
    gray_img(tmp_path / "z_mono.png")    # a single gray
    colour_img(tmp_path / "w_color.png")
    gray_img(tmp_path / "snow_color.png")   # named as the colour shot, but gray: a single gray
    gray_img(tmp_path / "beach_R.png")
    colour_img(tmp_path / "tree_mono.jpg")  # named as a gray, but colour
    d = discover([tmp_path])
    assert pairs_of(d) == {("z_mono.png", None, "z_mono"), ("snow_color.png", None, "snow_color"),
                           ("beach_R.png", None, "beach_R")}
    reasons = {p.name: r for p, r in d.unmatched}
    assert set(reasons) == {"x_L.png", "y_R.png", "w_color.png", "tree_mono.jpg"}
    assert "no gray partner" in reasons["y_R.png"] and "y_L.*" in reasons["y_R.png"]
    assert "w_mono.*" in reasons["w_color.png"]
    assert reasons["x_L.png"] == "a colour photo with no partner (it is named _L, the mono side, but holds colour)"
    assert reasons["tree_mono.jpg"] == "a colour photo with no partner (it is named as a gray, but holds colour)"


def test_mono_color_subfolders(tmp_path):
    gray_img(tmp_path / "mono" / "x.png"), colour_img(tmp_path / "color" / "x.jpg")
    gray_img(tmp_path / "mono" / "Y.tif"), colour_img(tmp_path / "color" / "y.png")  # stems match case-insensitively
    gray_img(tmp_path / "mono" / "alone.png")
    colour_img(tmp_path / "color" / "orphan.png")
    colour_img(tmp_path / "mono" / "stray.png")      # colour in the mono folder, with no partner
    gray_img(tmp_path / "mono" / "day" / "n1.png"), colour_img(tmp_path / "color" / "day" / "n1.png")
    d = discover([tmp_path])
    assert pairs_of(d) == {("x.png", "x.jpg", "x"), ("Y.tif", "y.png", "Y"), ("alone.png", None, "alone"),
                           ("n1.png", "n1.png", "n1")}
    day = next(i for i in d.items if i.name == "n1")
    assert day.gray.parent.name == "day" and day.gray.parent.parent.name == "mono"
    assert day.reference.parent.parent.name == "color"
    assert [(p.name, "no gray partner" in r) for p, r in d.unmatched] == [("orphan.png", True), ("stray.png", False)]
    assert "(it is in a mono folder, but holds colour)" in d.unmatched[1][1]
    # dropping the two folders themselves gives the same pairs
    assert pairs_of(discover([tmp_path / "color", tmp_path / "mono"])) == pairs_of(d)


def test_colour_subfolder_spelling_and_tagged_names(tmp_path):
    gray_img(tmp_path / "Mono" / "k_mono.png"), colour_img(tmp_path / "Colour" / "k_colour.png")
    d = discover([tmp_path])
    assert pairs_of(d) == {("k_mono.png", "k_colour.png", "k")}
    assert d.unmatched == []


def test_manifest_with_header(tmp_path):
    gray_img(tmp_path / "shots" / "g1.png"), colour_img(tmp_path / "shots" / "c1.jpg")
    gray_img(tmp_path / "shots" / "g2.png")
    colour_img(tmp_path / "other.png")  # a colour file not in the manifest
    (tmp_path / "pairs.csv").write_text(
        "gray,reference,output\n"
        "shots/g1.png,shots/c1.jpg,out/first.png\n"
        "shots/g2.png,,\n"
        "# a comment line\n"
        "shots/missing.png,shots/c1.jpg,\n")
    d = discover([tmp_path])
    items = {i.gray.name: i for i in d.items}
    assert set(items) == {"g1.png", "g2.png"}
    assert items["g1.png"].reference == tmp_path / "shots" / "c1.jpg"
    assert items["g1.png"].output == Path("out") / "first.png"          # relative to the manifest
    assert items["g1.png"].name == "first"
    assert items["g2.png"].reference is None
    reasons = {p.name: r for p, r in d.unmatched}
    assert "line 5 but not found" in reasons["missing.png"]
    assert reasons["other.png"].startswith("a colour photo with no gray partner")
    assert "c1.jpg" not in reasons  # used by the manifest, not reported again


def test_manifest_passed_explicitly_without_header(tmp_path):
    data = tmp_path / "data"
    gray_img(data / "a.png"), colour_img(data / "b.png")
    csv = tmp_path / "list.csv"
    csv.write_text("data/a.png;data/b.png\n")
    for d in (discover([], manifest=csv), discover([csv])):
        assert pairs_of(d) == {("a.png", "b.png", "a")}
        assert d.unmatched == []
    d = discover([], manifest=tmp_path / "nope.csv")
    assert d.items == [] and "manifest" in d.unmatched[0][1]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-16"])
def test_a_manifest_saved_by_excel_on_windows_reads(tmp_path, encoding):
    """German Excel's "CSV": cp1252, ';' and backslashes. It was refused ("'utf-8' codec can't
    decode byte 0xfc"), or, saved as UTF-8, its rows were "not found", and the photos were paired
    by their names instead, the manifest's output names dropped."""
    gray_img(tmp_path / "sub" / "Müller_mono.png"), colour_img(tmp_path / "sub" / "Müller_farbe.png")
    (tmp_path / "pairs.csv").write_bytes(
        "gray;reference;output\r\nsub\\Müller_mono.png;sub\\Müller_farbe.png;out\\Müller.png\r\n".encode(encoding))
    d = discover([tmp_path])
    assert [(i.gray.name, i.reference.name, i.output) for i in d.items] == [
        ("Müller_mono.png", "Müller_farbe.png", Path("out") / "Müller.png")]
    assert d.unmatched == []


def test_a_manifest_in_another_code_page_says_how_it_was_read(tmp_path):
    """Russian Excel's cp1251: read as cp1252, its names came out as 'Ôîòî_mono.png … not found',
    and the rows' garbled names were claimed while the real photos went on without the manifest."""
    gray_img(tmp_path / "Фото_mono.png"), colour_img(tmp_path / "Фото_color.png")
    (tmp_path / "pairs.csv").write_bytes("Фото_mono.png;Фото_color.png\r\n".encode("cp1251"))
    found = discover([tmp_path])
    reasons = {p.name: r for p, r in found.unmatched}
    assert reasons["pairs.csv"] == ('the manifest cannot be read: it is not UTF-8, and read as Windows-1252 none '
                                    'of the names it lists with accents or other alphabets is found; save it as '
                                    '"CSV UTF-8"')
    assert not any("Ôîòî" in r for r in reasons.values())       # no garbled names


def test_a_typo_in_a_western_code_page_manifest_leaves_out_its_row_only(tmp_path):
    for n in (1, 2, 3):
        gray_img(tmp_path / f"café{n}_g.png"), colour_img(tmp_path / f"café{n}_c.png")
    rows = "".join(f"café{n}_g.png;café{n}_c.png\r\n" for n in (1, 2)) + "café3_g.png;cafe3_c.png\r\n"
    (tmp_path / "pairs.csv").write_bytes(rows.encode("cp1252"))
    found = discover([tmp_path])
    assert sorted((i.gray.name, i.reference.name) for i in found.items) == [("café1_g.png", "café1_c.png"),
                                                                             ("café2_g.png", "café2_c.png")]
    reasons = {p.name: r for p, r in found.unmatched}
    assert "line 3 but not found" in reasons["cafe3_c.png"] and "café3_g.png" not in {i.gray.name for i in found.items}


def test_a_backslash_that_is_part_of_a_name_here_is_kept(tmp_path):
    gray_img(tmp_path / "a\\b.png")
    (tmp_path / "pairs.csv").write_text("a\\b.png,,\n")
    assert [i.gray.name for i in discover([tmp_path]).items] == ["a\\b.png"]


def test_single_grays_and_unmatched_colour(tmp_path):
    gray_img(tmp_path / "plain_gray.png")
    rgb_gray_img(tmp_path / "rgb_but_gray.png")
    colour_img(tmp_path / "holiday.png")
    d = discover([tmp_path])
    assert pairs_of(d) == {("plain_gray.png", None, "plain_gray"), ("rgb_but_gray.png", None, "rgb_but_gray")}
    assert [(p.name, r) for p, r in d.unmatched] == [("holiday.png", "a colour photo with no gray partner")]


def test_classify_large_rgb_gray_jpeg_without_full_decode(tmp_path):
    g = np.tile(np.linspace(0, 255, 3000, dtype=np.uint8), (2000, 1))
    path = tmp_path / "big.jpg"
    Image.fromarray(np.dstack([g, g, g]), "RGB").save(path, quality=90)
    col = tmp_path / "big_colour.jpg"
    Image.fromarray(np.dstack([g, g[:, ::-1], g]), "RGB").save(col, quality=90)
    decoded = []
    real_thumbnail = Image.Image.thumbnail

    def spy(im, *args, **kwargs):                 # the size the JPEG decoder was asked for
        decoded.append(im.size)
        return real_thumbnail(im, *args, **kwargs)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(Image.Image, "thumbnail", spy)
        assert classify_file(path) == "gray"
        assert classify_file(col) == "colour"
    assert len(decoded) == 2 and all(w * h <= 3000 * 2000 / 4 for w, h in decoded)   # not a 6 MP decode


def test_a_toned_scan_and_a_faint_cast_are_single_grays_a_colour_photo_is_not(tmp_path, motorcycle_small):
    from colorstudio.core.color import luma

    g = luma(motorcycle_small[0])[..., None]
    for name, weights in (("sepia_scan.jpg", (1.0, 0.88, 0.72)), ("scanned_print.jpg", (0.97, 0.95, 0.96))):
        Image.fromarray(np.rint(g * np.array(weights) * 255).astype(np.uint8)).save(tmp_path / name, quality=85)
    Image.fromarray(np.rint(motorcycle_small[1] * 255).astype(np.uint8)).save(tmp_path / "holiday.jpg")
    d = discover([tmp_path])
    assert pairs_of(d) == {("sepia_scan.jpg", None, "sepia_scan"), ("scanned_print.jpg", None, "scanned_print")}
    assert [p.name for p, _ in d.unmatched] == ["holiday.jpg"]


def test_bad_and_non_image_files_never_raise(tmp_path):
    gray_img(tmp_path / "good.png")
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden.png").write_bytes(b"junk")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    (tmp_path / "empty.png").write_bytes(b"")
    d = discover([tmp_path])
    assert pairs_of(d) == {("good.png", None, "good")}
    reasons = {p.name: r for p, r in d.unmatched}
    assert set(reasons) == {"broken.jpg", "empty.png"}  # notes.txt and hidden files ignored in folders
    assert "a damaged JPEG" in reasons["broken.jpg"] and "empty" in reasons["empty.png"]
    d = discover([tmp_path / "notes.txt", tmp_path / "ghost.png", tmp_path / "good.png"])
    reasons = {p.name: r for p, r in d.unmatched}
    assert reasons["notes.txt"].startswith("not an image") and reasons["ghost.png"] == "not found"
    assert [i.gray.name for i in d.items] == ["good.png"]


def test_ambiguous_partners_are_reported(tmp_path):
    gray_img(tmp_path / "x_mono.png"), gray_img(tmp_path / "x_mono.tif"), colour_img(tmp_path / "x_color.jpg")
    d = discover([tmp_path])
    assert d.items == []
    assert sorted(p.name for p, _ in d.unmatched) == ["x_color.jpg", "x_mono.png", "x_mono.tif"]
    assert all(r.startswith("ambiguous") for _, r in d.unmatched)


def test_order_names_duplicates_and_recursion(tmp_path):
    for sub in ("b", "a"):
        gray_img(tmp_path / sub / "x_mono.png"), colour_img(tmp_path / sub / "x_color.png")
    gray_img(tmp_path / "top.png")
    d1 = discover([tmp_path / "b", tmp_path, tmp_path / "a" / "x_mono.png"])
    d2 = discover([tmp_path])
    assert d1 == d2
    assert [i.name for i in d2.items] == ["a_x", "b_x", "top"]
    assert [i.gray for i in d2.items] == sorted(i.gray for i in d2.items)
    assert len({i.name for i in d2.items}) == len(d2.items)
    shallow = discover([tmp_path], recursive=False)
    assert shallow.items == [PairItem(tmp_path / "top.png", None, "top")]


def test_a_linked_colour_folder_is_followed_and_a_link_loop_ends(tmp_path):
    import os

    gray_img(tmp_path / "shoot" / "mono" / "m.png")
    colour_img(tmp_path / "store" / "color" / "m.png")
    os.symlink(tmp_path / "store" / "color", tmp_path / "shoot" / "color")
    os.symlink(tmp_path / "shoot", tmp_path / "shoot" / "mono" / "loop")      # a folder linking back up
    d = discover([tmp_path / "shoot"])
    assert [(i.gray.name, i.reference.name if i.reference else None) for i in d.items] == [("m.png", "m.png")]
    assert d.items[0].reference.parent.name == "color"


def test_two_pairs_whose_names_differ_only_in_case_are_both_found(tmp_path):
    gray_img(tmp_path / "A_mono.png")
    colour_img(tmp_path / "A_color.png")
    gray_img(tmp_path / "a_mono.png")
    colour_img(tmp_path / "a_color.png")
    if len(list(tmp_path.iterdir())) < 4:
        pytest.skip("a case-insensitive file system")
    d = discover([tmp_path])
    assert sorted((i.gray.name, i.reference.name) for i in d.items) == [("A_mono.png", "A_color.png"),
                                                                        ("a_mono.png", "a_color.png")]
    assert d.unmatched == []
    colour_img(tmp_path / "A_COLOR.png")                      # three colours for two grays: ambiguous still
    assert all("ambiguous" in why for _, why in discover([tmp_path]).unmatched)


def test_a_colour_shot_given_without_its_gray_partner_says_the_partner_is_next_to_it(tmp_path):
    colour = colour_img(tmp_path / "m_color.jpg")
    gray_img(tmp_path / "m_mono.png")
    colour_img(tmp_path / "other_color.jpg")
    found = discover([colour, tmp_path / "other_color.jpg"])
    reasons = dict((p.name, r) for p, r in found.unmatched)
    assert "its partner m_mono.png is next to it but was not given" in reasons["m_color.jpg"]
    assert "no other_mono.* or other_gray.* next to it" in reasons["other_color.jpg"]


def test_a_file_whose_partner_cannot_be_read_says_so_not_that_it_was_not_given(tmp_path):
    (tmp_path / "p1_mono.png").write_bytes(b"")                     # given (the folder), refused
    colour_img(tmp_path / "p1_color.jpg")
    reasons = dict((p.name, r) for p, r in discover([tmp_path]).unmatched)
    assert "empty" in reasons["p1_mono.png"]
    assert "its partner p1_mono.png cannot be read" in reasons["p1_color.jpg"] and "not given" not in reasons["p1_color.jpg"]


def test_a_gray_given_without_its_colour_partner_is_colorized_alone_and_told_so(tmp_path):
    gray = gray_img(tmp_path / "m_mono.png")
    colour_img(tmp_path / "m_color.jpg")
    lone = gray_img(tmp_path / "lone_mono.png")
    items = {i.gray.name: i for i in discover([gray, lone]).items}
    assert items["m_mono.png"].reference is None
    assert "colorized alone: its partner m_color.jpg is next to it but was not given" in items["m_mono.png"].note
    assert items["lone_mono.png"].note is None
    assert discover([tmp_path]).items[0].note is None              # the folder: a pair, nothing to say


def test_without_gray_tag_drops_only_a_trailing_gray_tag():
    from colorstudio.core.pair_names import without_gray_tag

    assert [without_gray_tag(s) for s in ("scene_mono", "x-Gray", "my_monolith", "a_color", "mono")] == \
        ["scene", "x", "my_monolith", "a_color", "mono"]


def test_clashing_names_take_their_folder_only_when_it_tells_them_apart(tmp_path):
    gray_img(tmp_path / "bt" / "trip_mono.png")
    colour_img(tmp_path / "bt" / "trip_color.jpg")
    gray_img(tmp_path / "bt" / "trip.png")                     # a single gray of the same name
    gray_img(tmp_path / "day" / "walk.png")
    gray_img(tmp_path / "night" / "walk.png")
    names = sorted(it.name for it in discover([tmp_path / "bt", tmp_path / "day", tmp_path / "night"]).items)
    assert names == ["day_walk", "night_walk", "trip", "trip-2"]


def test_pairs_of_mono_and_color_folders_in_several_folders_take_the_name_above_mono(tmp_path):
    for shoot in ("day", "night"):
        gray_img(tmp_path / shoot / "mono" / "x.png")
        colour_img(tmp_path / shoot / "color" / "x.png")
    items = discover([tmp_path]).items
    assert sorted(it.name for it in items) == ["day_x", "night_x"]       # not mono_x and mono_x-2
    assert all(it.reference is not None for it in items)


def test_names_in_either_unicode_form_pair(tmp_path):
    """'café' typed here (NFC, one code point for é) and the same name copied from a Mac's disk
    (NFD, e + a combining accent) are one name, by tag and in mono/ + color/ folders."""
    import unicodedata

    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    gray_img(tmp_path / "tags" / f"{nfc}_mono.png")
    colour_img(tmp_path / "tags" / f"{nfd}_color.jpg")
    gray_img(tmp_path / "folders" / "mono" / f"{nfd}.png")
    colour_img(tmp_path / "folders" / "color" / f"{nfc}.png")
    d = discover([tmp_path])
    assert d.unmatched == []
    found = {(it.gray.name, it.reference.name if it.reference else None) for it in d.items}
    assert found == {(f"{nfc}_mono.png", f"{nfd}_color.jpg"), (f"{nfd}.png", f"{nfc}.png")}


def test_names_that_differ_only_by_case_folding_stay_apart(tmp_path):
    """'Maße' and 'Masse' are two words (casefold() would make them one name)."""
    gray_img(tmp_path / "Maße_mono.png")
    colour_img(tmp_path / "Maße_color.png")
    colour_img(tmp_path / "Masse_color.png")
    gray_img(tmp_path / "solo" / "Maße.png")
    gray_img(tmp_path / "solo" / "Masse.png")
    d = discover([tmp_path])
    pairs = {(it.gray.name, it.reference.name) for it in d.items if it.reference}
    assert pairs == {("Maße_mono.png", "Maße_color.png")}
    assert [u[0].name for u in d.unmatched] == ["Masse_color.png"]
    # solo/Maße clashes with the pair's Maße (another folder: prefixed); Masse clashes with nothing
    assert sorted(it.name for it in d.items if it.reference is None) == ["Masse", "solo_Maße"]


def test_a_pipe_or_a_link_to_nothing_named_as_a_photo_in_a_folder_is_named_among_the_skipped(tmp_path):
    import os

    gray_img(tmp_path / "in" / "real_mono.png")
    os.mkfifo(tmp_path / "in" / "pipe.png")
    (tmp_path / "in" / "dangling.png").symlink_to(tmp_path / "gone.png")
    (tmp_path / "in" / "notes.fifo").symlink_to(tmp_path / "gone.txt")            # not named as a photo
    d = discover([tmp_path / "in"])
    assert [i.gray.name for i in d.items] == ["real_mono.png"]
    assert sorted((p.name, why) for p, why in d.unmatched) == [
        ("dangling.png", "not a photo file: a pipe, a device or a link to nothing"),
        ("pipe.png", "not a photo file: a pipe, a device or a link to nothing")]



def test_a_pipe_or_a_link_to_nothing_inside_the_output_folder_is_not_named(tmp_path):
    # (the batch's own output folder below its input is left out: so are its odd entries)
    import os

    gray_img(tmp_path / "in" / "real_mono.png")
    (tmp_path / "in" / "results").mkdir()
    os.mkfifo(tmp_path / "in" / "results" / "x_colorized.png")
    (tmp_path / "in" / "results" / "y_colorized.png").symlink_to(tmp_path / "gone.png")
    d = discover([tmp_path / "in"], exclude=(tmp_path / "in" / "results").resolve())
    assert [i.gray.name for i in d.items] == ["real_mono.png"] and d.unmatched == []


def test_photos_of_one_name_in_folders_of_one_name_are_named_by_their_path_and_keep_it(tmp_path, monkeypatch):
    # card000/DCIM/IMG_0001 ...: named after DCIM and numbered by their place, a card added
    # renamed the others' results (and --skip-existing took the new photo for done); named by
    # the fewest folders that told them apart, a photo added at a card's top took another's name
    for card in ("card000", "card001"):
        gray_img(tmp_path / "in" / card / "DCIM" / "IMG_0001.png")
    monkeypatch.chdir(tmp_path / "in")                       # (relative inputs, as typed)

    def names():
        return sorted(it.name for it in discover(["."]).items)

    before = names()
    assert before == ["card000_DCIM_IMG_0001", "card001_DCIM_IMG_0001"]
    gray_img(tmp_path / "in" / "card002" / "DCIM" / "IMG_0001.png")        # another card
    gray_img(tmp_path / "in" / "card000" / "IMG_0001.png")                 # a photo at a card's top
    gray_img(tmp_path / "in" / "card001" / "DCIM" / "101" / "IMG_0001.png")   # a deeper roll-over folder
    after = names()
    assert set(before) <= set(after) and len(after) == len(set(after)) == 5
    assert "card000_IMG_0001" in after and "card001_DCIM_101_IMG_0001" in after
    for top, sub in (("c0", "DCIM"), ("c1", "dcim")):        # folders told apart by more than case
        gray_img(tmp_path / "case" / top / sub / "z.png")
    assert sorted(it.name for it in discover([tmp_path / "case"]).items) == ["c0_DCIM_z", "c1_dcim_z"]