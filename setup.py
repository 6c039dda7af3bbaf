"""The package list: the `dialer` packages, found, plus the front-end folder web/ as `dialer_web` (mapped in
pyproject.toml). Everything else about the build is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["dialer", "dialer.*"]), "dialer_web"])
