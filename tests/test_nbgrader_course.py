"""Does the repository work as a plain nbgrader course from its root: generate, then autograde?"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from pmle.course import notebooks as nbu
from pmle.course import paths
from pmle.course.release import nbgrader_env
from pmle.grading.trusted import log_execution

from conftest import LABS, ROOT


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=nbgrader_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of the course files, so grading/ of the real checkout is left alone."""
    target = tmp_path_factory.mktemp("nbgrader") / "course"
    target.mkdir()
    for name in ("nbgrader_config.py", "autograder", "solutions", "labs"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, target / name)
    return target


@pytest.mark.parametrize("lab", LABS[:1])
def test_generate_and_autograde_from_the_root(course, lab):
    """Does plain nbgrader generate the committed release and grade a right and a blank submission?"""
    nbgrader(course, "generate_assignment", lab, "--force")
    release = paths.release_notebook(course, lab)
    assert filecmp.cmp(release, paths.release_notebook(ROOT, lab), shallow=False), "nbgrader's release differs from labs/"

    wrong = nbu.read(paths.source_notebook(ROOT, lab))
    first = next(c for c in wrong.cells if nbu.is_solution(c) and c.cell_type == "code")
    first.source = first.source.replace("### BEGIN SOLUTION", "### BEGIN SOLUTION\nraise ValueError('carol was here')")
    carol = course / "carol.ipynb"
    carol.write_text(nbformat.writes(wrong))
    for student, notebook in (("alice", paths.source_notebook(ROOT, lab)), ("bob", release), ("carol", carol)):
        folder = course / "grading" / "submitted" / student / lab
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{lab}.ipynb")
    started = time.monotonic()
    nbgrader(course, "autograde", lab)
    for _ in range(3):
        log_execution(lab, "nbgrader", (time.monotonic() - started) / 3)

    from nbgrader.api import Gradebook

    source = nbu.read(paths.source_notebook(ROOT, lab))
    auto_points = sum(nbu.points(c) for c in source.cells if nbu.is_test(c))
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        alice = gb.find_submission(lab, "alice")
        bob = gb.find_submission(lab, "bob")
        alice_auto = sum(g.auto_score or 0 for g in alice.notebooks[0].grades)
        bob_auto = sum(g.auto_score or 0 for g in bob.notebooks[0].grades)
        failing = [g.name for g in alice.notebooks[0].grades if g.auto_score is not None and g.auto_score < g.max_score]
        carol_lost = [g.name for g in gb.find_submission(lab, "carol").notebooks[0].grades
                      if g.auto_score is not None and g.auto_score < g.max_score]
    assert alice_auto == auto_points, f"nbgrader took points from the solution on {failing}"
    assert bob_auto == 0
    checks = next(c for c in source.cells if nbu.is_test(c))
    assert carol_lost == [nbu.grade_id(checks)], "the check reads 0 points for the answer whose cell raised, and only that one"
    graded = nbu.read(course / "grading" / "autograded" / "carol" / lab / f"{lab}.ipynb")
    shown = [o for c in graded.cells if nbu.grade_id(c) == nbu.grade_id(checks) for o in c.outputs]
    assert any("carol was here" in str(o.get("data", {})) for o in shown), "the verdict names the learner's error"
