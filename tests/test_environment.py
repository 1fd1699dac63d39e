"""The conda path (environment.yml) and the pip path (pyproject.toml) pin the same packages."""

from __future__ import annotations

import re
import tomllib

from helpers import paths

PIP_PIN = re.compile(r"([A-Za-z0-9_.-]+)==(\d[\w.]*)")
CONDA_PIN = re.compile(r"([A-Za-z0-9_.-]+)==?(\d[\w.]*)")
CONDA_NOT_PACKAGES = {"pip", "pip:", "-e ."}  # the pip section's header and the project itself


def _pip_specs() -> list[str]:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]


def _conda_specs() -> list[str]:
    """Every entry of environment.yml's dependencies (conda's and the pip section's), as written."""
    text = (paths.ROOT / "environment.yml").read_text(encoding="utf-8").split("dependencies:", 1)[1]
    return [m.group(1).strip() for m in re.finditer(r"^\s+- (.+)$", text, re.M)]


def _pip_pins() -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in map(PIP_PIN.fullmatch, _pip_specs()) if m}


def _conda_pins() -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in map(CONDA_PIN.fullmatch, _conda_specs())
            if m and m.group(1) != "python"}


def test_every_dependency_is_pinned_exactly():
    assert [spec for spec in _pip_specs() if not PIP_PIN.fullmatch(spec.strip())] == []
    unpinned = [s for s in _conda_specs() if s not in CONDA_NOT_PACKAGES and not CONDA_PIN.fullmatch(s)]
    assert unpinned == []


def test_the_pin_check_finds_an_unpinned_dependency():
    assert not PIP_PIN.fullmatch("pandas>=2") and not PIP_PIN.fullmatch("pandas")
    assert not CONDA_PIN.fullmatch("pandas") and CONDA_PIN.fullmatch("pandas=3.1.1")


def test_conda_and_pip_name_the_same_packages_and_versions():
    assert _conda_pins() == _pip_pins()


def test_nbconvert_has_the_security_fix():
    major, minor, patch = (int(x) for x in _pip_pins()["nbconvert"].split("."))
    assert (major, minor, patch) >= (7, 17, 1)
