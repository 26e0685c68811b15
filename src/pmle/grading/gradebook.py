"""Put `pmle grade` results into nbgrader's gradebook, so formgrader and `nbgrader export` work as usual."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
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


def _safe_learner_cells(notebook: nbformat.NotebookNode, source: nbformat.NotebookNode) -> None:
    """Make every cell the course did not write safe to render (in place): see pmle.grading.safehtml.

    A cell is the course's when it is the source's cell at that place, unchanged; every other markdown
    cell (answers, edited instructions, the learner's extra cells) becomes its sanitised rendering,
    every raw cell preformatted text, attachments go (inlined as images when they are safe ones), and
    a learner cell keeps no outputs.
    """
    from pmle.grading import safehtml

    course = {f"source-{i}": cell for i, cell in enumerate(source.cells)}
    for index, cell in enumerate(notebook.cells):
        own = course.get(cell.get("id"))
        if (own is not None and own.cell_type == cell.cell_type and own.source == cell.source
                and own.get("attachments") == cell.get("attachments")):
            continue
        if cell.cell_type == "markdown":
            attachments = cell.pop("attachments", None)
            cell.source = safehtml.markdown_cell_source(cell.source, attachments if isinstance(attachments, dict) else None)
        elif cell.cell_type == "raw":
            notebook.cells[index] = nbformat.v4.new_markdown_cell(
                safehtml.raw_cell_source(cell.source), metadata=cell.get("metadata", {}), id=cell.get("id"))
        else:
            cell.pop("attachments", None)
            if cell.cell_type == "code" and not nbu.is_test(cell):
                cell.outputs, cell.execution_count = [], None


def _autograded_notebook(root: Path, lab: str, result: SubmissionResult, learner_path: Path | None) -> nbformat.NotebookNode:
    """The learner's answers in the source notebook, each test cell showing its verdict (instructor only).

    Learner markdown, raw cells and attachments are sanitised (formgrader renders this notebook as HTML).
    A submission that cannot be read (it was graded ``invalid``) shows the blank release.
    """
    source = nbu.read(paths.source_notebook(root, lab))
    release = nbu.read(paths.release_notebook(root, lab))
    try:
        learner = nbu.read(learner_path) if learner_path else release
        built = assemble(source, learner, release)
    except Exception:
        built = assemble(source, release, release)
    _safe_learner_cells(built.notebook, source)
    verdicts = {i.item: i for i in result.items}
    by_id = {c.get("id"): c for c in built.notebook.cells}
    for gid, cell_id in built.positions.items():
        item, cell = verdicts.get(gid), by_id.get(cell_id)
        if item and cell is not None and cell.cell_type == "code":
            text = f"[pmle grade] {item.status}: {item.message}\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return built.notebook


def _reason(exc: BaseException) -> str:
    """An exception in one printable line, for the grade table."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 200 else text[:199] + "…"


def _write_notebook(notebook: nbformat.NotebookNode, target: Path) -> None:
    """Write atomically, as valid UTF-8 whatever the learner's text holds; the old file is gone first, never stale."""
    target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(notebook)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8", errors="replace")
    os.replace(tmp, target)


def _scores(gb, lab: str, result: SubmissionResult) -> None:
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


@dataclass
class Recorded:
    """What ``record`` did: per-student failures (the others were written) and who is in the gradebook but not here."""

    failed: dict[str, str] = field(default_factory=dict)  # student -> why their result is not (all) written
    missing: dict[str, str] = field(default_factory=dict)  # student -> what was done with their earlier submission


def record(root: Path, lab: str, results: list[SubmissionResult], notebooks: dict[str, Path | None], db_url: str,
           autograded_dir: Path, prune: bool = False) -> Recorded:
    """Write every result as an nbgrader submission: automatic scores set, written answers left to grade.

    One student's failure (a database error, a notebook that cannot be written) is that student's entry
    in ``Recorded.failed``; it never stops the others or changes their grades. Students with a
    submission of ``lab`` in the gradebook but none in ``results`` (they disappeared since an earlier
    run) are kept as they were and listed in ``Recorded.missing``; with ``prune`` those whose submission
    holds nothing entered by hand (no manual score, comment or extra credit) are removed, with their
    autograded notebook. Manual grades are never deleted. Raises only when the gradebook as a whole
    cannot be used (nbgrader cannot register the lab, the database cannot be opened).
    """
    from nbgrader.api import Gradebook

    os.environ.update(nbgrader_env())  # the Gradebook runs `alembic` from PATH
    ensure_assignment(root, lab, db_url)
    done = Recorded()
    with Gradebook(db_url) as gb:
        for result in results:
            try:
                _scores(gb, lab, result)
            except Exception as exc:
                gb.db.rollback()
                done.failed[result.student] = (f"gradebook write failed: {_reason(exc)} (its entry, if any, is an "
                                               "earlier run's)")
                continue
            try:
                notebook = _autograded_notebook(root, lab, result, notebooks.get(result.student))
                _write_notebook(notebook, autograded_dir / result.student / lab / f"{lab}.ipynb")
            except Exception as exc:
                done.failed[result.student] = f"autograded notebook not written: {_reason(exc)}"
        done.missing = _disappeared(gb, lab, {r.student for r in results}, autograded_dir, prune)
    return done


def _by_hand(submission) -> bool:
    """Whether anything in a gradebook submission was entered by a person."""
    for notebook in submission.notebooks:
        if any(g.manual_score is not None or g.extra_credit for g in notebook.grades):
            return True
        if any((c.manual_comment or "").strip() for c in notebook.comments):
            return True
    return False


def _disappeared(gb, lab: str, present: set[str], autograded_dir: Path, prune: bool) -> dict[str, str]:
    import shutil

    missing = {}
    try:
        submissions = list(gb.find_assignment(lab).submissions)
    except Exception as exc:
        return {"": f"could not list the gradebook's earlier submissions: {_reason(exc)}"}
    for submission in submissions:
        student = submission.student.id
        if student in present:
            continue
        by_hand = _by_hand(submission)
        if prune and not by_hand:
            try:
                gb.remove_submission(lab, student)
                shutil.rmtree(autograded_dir / student / lab, ignore_errors=True)
                missing[student] = "no submission in this hand-in: removed from the gradebook (--prune)"
            except Exception as exc:
                gb.db.rollback()
                missing[student] = f"no submission in this hand-in; removing it failed: {_reason(exc)}"
            continue
        kept = "kept with its grades entered by hand" if by_hand else "kept as it was (its scores are from an earlier run)"
        missing[student] = f"in the gradebook but not in this hand-in: {kept}" + ("" if by_hand else "; --prune removes it")
    return missing
