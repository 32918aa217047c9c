"""Entry point of the frozen desktop app (PyInstaller): ``ColorStudio [FILES] [--version] [--selftest]``."""
import sys

from colorstudio.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
