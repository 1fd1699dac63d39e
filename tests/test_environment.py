"""The conda path (environment.yml) and the pip path (pyproject.toml) pin the same packages."""

from __future__ import annotations

import re
import tomllib

from helpers import paths


def _pip_pins() -> dict[str, str]:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    pins = {}
    for spec in specs:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([\w.]+)", spec.strip()).groups()
        pins[name.lower()] = version
    return pins


def _conda_pins() -> dict[str, str]:
    pins = {}
    for line in (paths.ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s+- ([A-Za-z0-9_.-]+)(==?)([\w.]+)", line)
        if match and match.group(1) != "python":
            pins[match.group(1).lower()] = match.group(3)
    return pins


def test_every_dependency_is_pinned_exactly():
    assert all(version for version in _pip_pins().values())


def test_conda_and_pip_name_the_same_packages_and_versions():
    assert _conda_pins() == _pip_pins()


def test_nbconvert_has_the_security_fix():
    major, minor, patch = (int(x) for x in _pip_pins()["nbconvert"].split("."))
    assert (major, minor, patch) >= (7, 17, 1)
