"""`colorstudio colorize --diagnostics DIR`: the maps and curves written, never over an input or
the result, an earlier run's files replaced but not a user's, a bad folder refused first."""
from colorstudio.cli import main


def test_colorize_writes_diagnostics(small_pair_files, tmp_path):
    gray, color = small_pair_files
    diag = tmp_path / "diag"
    assert main(["colorize", str(gray), str(color), "-o", str(tmp_path / "o.png"),
                 "--method", "dis+gf", "--diagnostics", str(diag)]) == 0
    names = {p.name for p in diag.iterdir()}
    assert "info.json" in names and "flow.png" in names


def test_diagnostics_never_replace_an_input_or_the_result(small_pair_files, tmp_path):
    import shutil

    gray, color = small_pair_files
    folder = tmp_path / "d"
    folder.mkdir()
    gray_in, colour_in = folder / "flow.png", folder / "info.json.png"
    shutil.copy(gray, gray_in)                      # named as dis+gf's flow diagnostic
    shutil.copy(color, colour_in)
    before = gray_in.read_bytes()
    code = main(["colorize", str(gray_in), str(colour_in), "-o", str(tmp_path / "o.png"),
                 "--method", "dis+gf", "--diagnostics", str(folder)])
    assert code != 0 and gray_in.read_bytes() == before
    # the result itself, named like a diagnostic in the diagnostics folder
    folder = tmp_path / "d2"
    folder.mkdir()
    code = main(["colorize", str(gray), str(color), "-o", str(folder / "info.png"), "--method", "dis+gf",
                 "--diagnostics", str(folder)])
    assert code == 0                                # info.json, not info.png: nothing is in the way
    result = folder / "flow.png"
    result.unlink()
    code = main(["colorize", str(gray), str(color), "-o", str(result), "--method", "dis+gf",
                 "--diagnostics", str(folder)])
    assert code != 0 and not result.exists()        # refused before the result was written


def test_diagnostics_replace_an_earlier_runs_files_but_not_a_users(small_pair_files, tmp_path, capsys):
    gray, color = small_pair_files
    folder = tmp_path / "d"
    run = ["colorize", str(gray), str(color), "--method", "dis+gf", "--diagnostics", str(folder)]
    assert main(run + ["-o", str(tmp_path / "a.png")]) == 0
    assert main(run + ["-o", str(tmp_path / "b.png")]) == 0           # the earlier run's files: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "flow.png").write_bytes(b"a photo of mine")              # not an input, not a diagnostic
    capsys.readouterr()
    code = main(["colorize", str(gray), str(color), "--method", "dis+gf", "--diagnostics", str(mine),
                 "-o", str(tmp_path / "c.png")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and not (tmp_path / "c.png").exists() and (mine / "flow.png").read_bytes() == b"a photo of mine"
    assert len(err.splitlines()) == 1 and "already holds flow.png" in err and "empty or new folder" in err


def test_a_bad_diagnostics_folder_is_refused_before_the_result_is_written(small_pair_files, tmp_path, capsys):
    gray, color = small_pair_files
    out = tmp_path / "o.png"
    code = main(["colorize", str(gray), str(color), "-o", str(out), "--method", "dis+gf",
                 "--diagnostics", str(color)])          # a file, not a folder
    assert code != 0 and not out.exists()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is a file, not a folder" in err, err


def test_the_results_own_name_as_the_diagnostics_folder_is_refused_before_any_work(small_pair_files, tmp_path,
                                                                                  capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gray, color = small_pair_files
    code = main(["colorize", str(gray), str(color), "-o", "res.png", "--diagnostics", "res.png", "--method", "dis+gf"])
    assert code == 1 and not (tmp_path / "res.png").exists()        # no folder made in its place
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "res.png is the result's own file name" in err, err


def test_diagnostics_of_another_method_in_an_earlier_runs_folder_leave_none_of_its_maps(small_pair_files, tmp_path):
    import json

    gray, color = small_pair_files
    folder = tmp_path / "d"
    run = ["colorize", str(gray), str(color), "--diagnostics", str(folder)]
    assert main(run + ["-o", str(tmp_path / "a.png"), "--method", "sgbm+gf"]) == 0
    first = set(json.loads((folder / "info.json").read_text())["files"])
    assert first == {p.name for p in folder.iterdir()}
    (folder / "notes.txt").write_text("mine")                        # not listed: never touched
    assert main(run + ["-o", str(tmp_path / "b.png"), "--method", "reinhard"]) == 0
    second = set(json.loads((folder / "info.json").read_text())["files"])
    assert first - second                                             # the sgbm maps reinhard has not
    assert {p.name for p in folder.iterdir()} == second | {"notes.txt"}


def test_a_run_stopped_while_it_wrote_its_maps_does_not_block_the_next(small_pair_files, tmp_path, monkeypatch):
    """The maps came first and info.json last: a stop between them left maps the next run took
    for the user's files ("already holds visibility_0.png … choose an empty or new folder")."""
    import json

    import pytest

    from colorstudio.engine import diagnostics_io

    gray, color = small_pair_files
    folder = tmp_path / "d"
    run = ["colorize", str(gray), str(color), "--method", "sgbm+gf", "--diagnostics", str(folder),
           "-o", str(tmp_path / "o.png")]
    real, written = diagnostics_io.save_photo, []

    def stopped_after_one_map(path, value):
        if written:
            raise KeyboardInterrupt              # as Ctrl-C, a kill or a full disk stops it
        written.append(real(path, value))
        return written[-1]

    monkeypatch.setattr(diagnostics_io, "save_photo", stopped_after_one_map)
    with pytest.raises(KeyboardInterrupt):
        diagnostics_io.write_diagnostics(_colorization(gray, color), folder)
    assert json.loads((folder / "info.json").read_text())["unfinished"] is True
    monkeypatch.undo()
    assert main(run) == 0
    info = json.loads((folder / "info.json").read_text())
    assert "unfinished" not in info and {p.name for p in folder.iterdir()} == set(info["files"])


def _colorization(gray, color):
    from colorstudio.core.imageio import load_photo
    from colorstudio.engine.colorize import colorize

    return colorize(load_photo(gray), load_photo(color), method="sgbm+gf")
