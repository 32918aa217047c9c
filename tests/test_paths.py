"""paths.py finds models/ and resources/ in a checkout, a wheel layout or an override."""
from colorstudio import paths


def test_checkout_finds_the_example_pair():
    assert (paths.examples_dir() / "motorcycle_mono.png").is_file()


def test_override_and_wheel_layout(tmp_path, monkeypatch):
    (tmp_path / "resources").mkdir()
    monkeypatch.setenv("COLORSTUDIO_DATA_DIR", str(tmp_path))
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.models_dir() == tmp_path / "models"
    monkeypatch.delenv("COLORSTUDIO_DATA_DIR")
    wheel_pkg = tmp_path / "site" / "colorstudio"
    (wheel_pkg / "_data" / "models").mkdir(parents=True)
    monkeypatch.setattr(paths, "PACKAGE_DIR", wheel_pkg)
    assert paths.models_dir() == wheel_pkg / "_data" / "models"


def test_frozen_app_layout(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    monkeypatch.setattr(paths.sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(paths, "PACKAGE_DIR", tmp_path / "nowhere")
    assert paths.models_dir() == tmp_path / "models"


def test_user_dir_is_isolated_per_test(_isolated_user_dir):
    assert paths.user_dir() == _isolated_user_dir
    assert paths.user_models_dir().is_dir()


def test_a_user_folder_that_cannot_be_made_does_not_stop_the_cli(tmp_path, monkeypatch, capsys):
    from colorstudio.cli import main

    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    monkeypatch.setenv("COLORSTUDIO_USER_DIR", str(blocker / "colorstudio"))    # under a file: mkdir fails
    assert paths.user_dir() == blocker / "colorstudio"
    assert main(["methods"]) == 0
    assert "cyclecnn" in capsys.readouterr().out


def test_an_empty_or_relative_xdg_data_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv("COLORSTUDIO_USER_DIR")
    monkeypatch.setattr(paths.sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for value in ("", "relative/dir"):
        monkeypatch.setenv("XDG_DATA_HOME", value)
        assert paths.user_dir() == tmp_path / ".local" / "share" / "colorstudio"
    assert not (tmp_path / "colorstudio").exists() and not (tmp_path / "relative").exists()


def test_an_override_naming_no_data_folder_is_said_not_passed_over_in_silence(tmp_path, monkeypatch, capsys):
    from colorstudio.cli import main

    assert paths.ignored_data_dir() is None
    monkeypatch.setenv("COLORSTUDIO_DATA_DIR", str(tmp_path / "typo"))
    assert "COLORSTUDIO_DATA_DIR=" in paths.ignored_data_dir() and paths.examples_dir().is_dir()
    assert main(["methods"]) == 0
    assert "note: COLORSTUDIO_DATA_DIR=" in capsys.readouterr().err
    (tmp_path / "typo" / "models").mkdir(parents=True)
    assert paths.ignored_data_dir() is None
