"""Build hook: ship the top-level models/ and resources/ inside the wheel.

The checkout keeps ``models/`` and ``resources/`` at the top level (as the project
layout asks). When a wheel is built they are copied to ``colorstudio/_data/`` so an
installed package finds them through :mod:`colorstudio.paths`.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
DATA_DIRS = ("models", "resources")


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "colorstudio" / "_data"
        for name in DATA_DIRS:
            src = HERE / name
            if src.is_dir():
                dst = target / name
                if dst.exists():
                    shutil.rmtree(dst)
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.ckpt", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithData})
