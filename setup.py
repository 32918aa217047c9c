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
# checkpoints, caches, the README's screenshots and the script that drew the icons stay out
NOT_SHIPPED = ("*.ckpt", "__pycache__", "screenshots", "make_icons.py")


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "colorstudio" / "_data"
        for name in DATA_DIRS:
            src = HERE / name
            if not src.is_dir():       # e.g. an sdist without them: a wheel that colorizes nothing
                raise SystemExit(f"setup.py: {src} is missing; build from a checkout or a complete sdist")
            dst = target / name
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*NOT_SHIPPED))


setup(cmdclass={"build_py": BuildPyWithData})
