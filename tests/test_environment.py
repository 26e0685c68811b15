"""Do environment.yml (conda, Binder) and pyproject.toml declare the same packages and bounds?"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(requirement: str) -> tuple[str, str]:
    name, spec = SPEC.match(requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_parse(r) for r in listed)


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = dict(_parse(d) for d in env["dependencies"] if isinstance(d, str))
    found.pop("pip", None)
    return found


def test_same_packages_and_bounds():
    """Does every package appear in both files with the same version bounds?"""
    conda = conda_requirements()
    python = conda.pop("python")
    assert python == ">=3.11"
    assert conda == pyproject_requirements()


def test_python_floor_matches():
    """Do both files ask for the same Python?"""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == conda_requirements()["python"]


def test_environment_installs_the_project():
    """Does the conda environment install this package (with pip, deps from conda)?"""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e . --no-deps" in pip_section
