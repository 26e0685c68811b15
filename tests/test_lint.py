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
