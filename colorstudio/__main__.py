"""``python -m colorstudio`` runs the command-line interface."""
import sys

from colorstudio.cli import main

if __name__ == "__main__":
    sys.exit(main())
