"""Run the ColorStudio benchmark: same as `colorstudio bench` (see benchmarks/README.md).

    python benchmarks/run.py [--quick] [--speed] [--json PATH] [--photos N] [--methods a,b]
"""
import sys

from colorstudio.bench import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
