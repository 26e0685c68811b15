"""`pmle check`: grade one learner's notebook against the full checks of its lab, as `pmle grade` does.

The very same engine as `pmle grade` (pmle.grading.trusted): the notebook's cells run in a separate
process, the lab's items run here on the values fetched from it. Only the isolation differs: for a
learner checking their own work the runner is a plain process of theirs, without the root-only
sandbox. So `pmle check` and `pmle grade` give the same status and message for every item.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat

from pmle.course import notebooks as nbu
from pmle.course import paths, workspace
from pmle.errors import NotebookError
from pmle.grading.results import ItemResult, LabResult

CELL_TIMEOUT = 120.0  # seconds per cell; labs take a fraction of this
NOTEBOOK_TIMEOUT = 900.0

__all__ = ["CELL_TIMEOUT", "ItemResult", "LabResult", "check", "find_lab", "grade_notebook", "resolve"]


def find_lab(root: Path, path: Path, learner: nbformat.NotebookNode) -> str:
    """The lab a notebook belongs to, from its metadata (never from its file name)."""
    labs = paths.lab_ids(root)
    lab = nbu.lab_of(learner)
    if lab is None:
        raise NotebookError(f"{path}: is not a lab notebook (its metadata names no lab; labs: {', '.join(labs) or 'none'}).")
    if lab not in labs:
        raise NotebookError(f"{path}: is a notebook of lab {lab!r}, which this course does not have.")
    return lab


def resolve(target: str, root: Path) -> Path:
    """A notebook path, or a lab id ("01", "01_framing") meaning the learner's copy in the workspace."""
    path = Path(target)
    if path.suffix == ".ipynb" or path.exists():
        return path
    lab = workspace.lab_id(root, target)
    copy = workspace.notebook(root, lab)
    if not copy.is_file():
        raise NotebookError(f"there is no copy of lab {lab} in {workspace.folder(root)} yet: run `make lab` "
                            f"(or `pmle workspace`) to create it.")
    return copy


def grade_notebook(learner: nbformat.NotebookNode, lab: str, root: Path, cwd: Path | None = None, label: str = "",
                   cell_timeout: float = CELL_TIMEOUT, variants: list[dict] = ()) -> LabResult:
    """Grade an in-memory notebook of ``lab`` (``cwd`` is accepted for compatibility and not used).

    ``variants`` (pmle.grading.trusted.Variant fields) are course-written one-cell changes judged on
    the way, each as if it ran alone (the course's tests judge the catalog this way).
    """
    from pmle.grading.trusted import Job, grade

    with tempfile.TemporaryDirectory(prefix="pmle-check-") as tmp:
        path = Path(tmp) / f"{lab}.ipynb"
        nbformat.write(learner, path)
        job = Job(student="you", lab=lab, notebook=str(path), course_root=str(root), cell_timeout=cell_timeout,
                  notebook_timeout=NOTEBOOK_TIMEOUT, isolate=False, variants=list(variants))
        result = grade(job)
    if result.status == "invalid":
        raise NotebookError(result.detail.replace(path.name, label or path.name))
    return LabResult(lab, label or lab, result.items, result.detail if result.status != "graded" else "", result.variants)


def check(target: str | os.PathLike) -> LabResult:
    """``pmle check``: grade the notebook at ``target`` (a path, or a lab id for the workspace copy)."""
    root = paths.course_root(Path(target).resolve().parent if Path(target).exists() else None)
    path = resolve(str(target), root)
    learner = nbu.read(path)
    lab = find_lab(root, path, learner)
    return grade_notebook(learner, lab, root, label=str(path))
