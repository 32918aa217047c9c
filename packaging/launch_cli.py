"""Entry point of the frozen command line (PyInstaller): ``colorstudio-cli COMMAND ...``."""
import sys

from colorstudio.cli import main

if __name__ == "__main__":
    sys.exit(main())
