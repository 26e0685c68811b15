"""Is the code, the lab modules and the tests included, free of syntax errors, undefined or unused names and unsorted imports?"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    """Does `ruff check` (rules in pyproject.toml) pass on src/, autograder/, tests/ and benchmarks/?"""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run([ruff, "check", "--no-cache", "src", "autograder", "tests", "benchmarks", "tools"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_no_source_file_is_ignored_by_git():
    """Is every Python file of the package, the checks and the tests tracked (no ignore rule hides one)?"""
    done = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard", "src", "autograder", "tests"],
                          cwd=ROOT, capture_output=True, text=True)
    hidden = [f for f in done.stdout.split() if f.endswith((".py", ".json", ".yml")) and "__pycache__" not in f]
    assert not hidden, f"ignored by .gitignore but needed: {hidden}"
