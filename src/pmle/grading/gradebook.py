"""Put `pmle grade` results into nbgrader's gradebook, so formgrader and `nbgrader export` work as usual."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from pmle.course import notebooks as nbu
from pmle.course import paths
from pmle.course.assemble import assemble
from pmle.course.release import nbgrader_env
from pmle.errors import PmleError
from pmle.grading.results import SubmissionResult


def default_db(root: Path) -> str:
    return f"sqlite:///{root / 'grading' / 'gradebook.db'}"


def ensure_assignment(root: Path, lab: str, db_url: str) -> None:
    """Register ``lab`` (its notebooks and grade cells) in the gradebook, as generate_assignment does."""
    import os

    from nbgrader.api import Gradebook, MissingEntry

    os.environ.update(nbgrader_env())
    with Gradebook(db_url) as gb:
        try:
            if gb.find_assignment(lab).notebooks:
                return
        except MissingEntry:
            pass
    with tempfile.TemporaryDirectory(prefix="pmle-gradebook-") as tmp:
        command = [
            sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force", "--log-level=ERROR",
            f"--CourseDirectory.root={root}", f"--CourseDirectory.release_directory={tmp}",
            f"--CourseDirectory.db_url={db_url}",
        ]
        done = subprocess.run(command, cwd=root, env=nbgrader_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise PmleError(f"nbgrader could not register {lab} in the gradebook:\n{(done.stderr or done.stdout)[-2000:]}")


def _autograded_notebook(root: Path, lab: str, result: SubmissionResult, learner_path: Path | None) -> nbformat.NotebookNode:
    """The learner's answers in the source notebook, each test cell showing its verdict (instructor only)."""
    source = nbu.read(paths.source_notebook(root, lab))
    release = nbu.read(paths.release_notebook(root, lab))
    try:
        learner = nbu.read(learner_path) if learner_path else release
    except Exception:
        learner = release
    built = assemble(source, learner, release)
    verdicts = {i.item: i for i in result.items}
    by_id = {c.get("id"): c for c in built.notebook.cells}
    for gid, cell_id in built.positions.items():
        item, cell = verdicts.get(gid), by_id.get(cell_id)
        if item and cell is not None and cell.cell_type == "code":
            text = f"[pmle grade] {item.status}: {item.message}\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return built.notebook


def record(root: Path, lab: str, results: list[SubmissionResult], notebooks: dict[str, Path | None], db_url: str,
           autograded_dir: Path) -> None:
    """Write every result as an nbgrader submission: automatic scores set, written answers left to grade."""
    import os

    from nbgrader.api import Gradebook

    os.environ.update(nbgrader_env())  # the Gradebook runs `alembic` from PATH
    ensure_assignment(root, lab, db_url)
    with Gradebook(db_url) as gb:
        for result in results:
            gb.update_or_create_student(result.student)
            submission = gb.update_or_create_submission(lab, result.student)
            items = {i.item: i for i in result.items}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    item = items.get(grade.name)
                    if item is not None and item.kind == "manual" and result.status != "invalid":
                        grade.auto_score, grade.needs_manual_grade = None, True
                    else:
                        grade.auto_score = float(item.points) if item is not None and item.kind == "auto" else 0.0
                        grade.needs_manual_grade = False
            gb.db.commit()
            target = autograded_dir / result.student / lab / f"{lab}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(_autograded_notebook(root, lab, result, notebooks.get(result.student)), target)
