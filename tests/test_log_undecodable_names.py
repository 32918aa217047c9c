"""A log line naming a file whose name is not UTF-8 (surrogate-escaped bytes) is written with
the bytes escaped: the UTF-8 log refused it and the quiet handler lost the line."""
import logging
import os

import pytest


@pytest.fixture
def colorstudio_logger():
    logger = logging.getLogger("colorstudio")
    before = list(logger.handlers)
    yield logger
    for handler in logger.handlers[len(before):]:
        logger.removeHandler(handler)
        handler.close()


def test_the_cli_log_keeps_a_line_with_an_undecodable_name(colorstudio_logger):
    from colorstudio import cli, paths

    cli._setup_logging()
    colorstudio_logger.error("batch item %s failed", os.fsdecode(b"scan_\xff.png"))
    for handler in colorstudio_logger.handlers:
        handler.flush()
    assert "batch item scan_\\udcff.png failed" in paths.log_file().read_text(encoding="utf-8")


def test_the_app_log_keeps_a_line_with_an_undecodable_name(colorstudio_logger):
    pytest.importorskip("PySide6")
    from colorstudio import paths
    from colorstudio.gui.error_dialog import setup_logging

    handler = setup_logging()
    colorstudio_logger.warning("reading %s failed", os.fsdecode(b"scan_\xff.png"))
    handler.flush()
    assert "reading scan_\\udcff.png failed" in paths.log_file().read_text(encoding="utf-8")
