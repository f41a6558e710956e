"""Installs the package netsurv_analysis (metadata in setup.cfg) with the setuptools of the
system (Debian's python3-setuptools): `pip install ./analysis` works offline, since without a
pyproject.toml pip builds with the installed setuptools instead of downloading one."""
from setuptools import setup

setup()
