"""Installs the package netsurv_analysis (metadata in setup.cfg) with the setuptools of the
system (Debian's python3-setuptools): `pip install ./analysis` works offline, since without a
pyproject.toml pip builds with the installed setuptools instead of downloading one.

The bibliography lives once, in the project's docs/references.bib; the build copies it into
the package so that an installed reader can print full references."""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
BIB = os.path.join(HERE, "..", "docs", "references.bib")


class BuildWithBibliography(build_py):
    """build_py, then docs/references.bib copied into the built package."""

    def run(self):
        super().run()
        if os.path.exists(BIB):
            target = os.path.join(self.build_lib, "netsurv_analysis", "references.bib")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(BIB, target)


setup(cmdclass={"build_py": BuildWithBibliography})
