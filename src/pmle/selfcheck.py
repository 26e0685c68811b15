"""Grade one notebook against the full tests of its lab: assemble, execute headless, judge.

A test cell earns its points only when it ran to the end without an error *and* showed the pass
mark of a pmle checker; a cell that asserts nothing, or never ran, earns nothing.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from pmle import notebooks as nbu
from pmle import paths
from pmle.assemble import assemble
from pmle.errors import NotebookError
from pmle.feedback import PASS_MIME

CELL_TIMEOUT = 120  # seconds per cell; labs take a fraction of this


@dataclass
class ItemResult:
    """The verdict on one graded item."""

    item: str
    kind: str  # "auto" or "manual"
    status: str  # pass, wrong, not attempted, error, not run, manual
    points: float
    max_points: float
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class Scored:
    """Automatic points of ``self.items`` (a list of ItemResult)."""

    items: list[ItemResult]

    @property
    def score(self) -> float:
        return sum(i.points for i in self.items if i.kind == "auto")

    @property
    def max_score(self) -> float:
        return sum(i.max_points for i in self.items if i.kind == "auto")


@dataclass
class LabResult(Scored):
    lab: str
    notebook: str
    items: list[ItemResult]

    @property
    def manual_points(self) -> float:
        return sum(i.max_points for i in self.items if i.kind == "manual")

    def item(self, name: str) -> ItemResult:
        return next(i for i in self.items if i.item == name)

    def as_dict(self) -> dict:
        return {
            "lab": self.lab,
            "notebook": self.notebook,
            "score": self.score,
            "max_score": self.max_score,
            "manual_points": self.manual_points,
            "items": [i.as_dict() for i in self.items],
        }


def find_lab(root: Path, path: Path, learner: nbformat.NotebookNode) -> str:
    """The lab a notebook belongs to: by file name, else by the grade ids it carries."""
    labs = paths.lab_ids(root)
    if path.stem in labs:
        return path.stem
    ids = {nbu.grade_id(c) for c in learner.cells if isinstance(c, dict)} - {None}
    best = max(labs, key=lambda lab: len(ids & _grade_ids(root, lab)), default=None)
    if best is None or not ids & _grade_ids(root, best):
        raise NotebookError(f"{path}: is not one of the labs ({', '.join(labs) or 'none found'}).")
    return best


def _grade_ids(root: Path, lab: str) -> set[str]:
    nb = nbu.read(paths.source_notebook(root, lab))
    return {nbu.grade_id(c) for c in nb.cells} - {None}


def execute(notebook: nbformat.NotebookNode, cwd: Path, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell headless with papermill, continuing past errors; returns the executed notebook."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="pmle-run-") as tmp:
        src, out = Path(tmp) / "in.ipynb", Path(tmp) / "out.ipynb"
        nbformat.write(notebook, src)
        try:
            papermill.execute_notebook(
                str(src),
                str(out),
                cwd=str(cwd),
                progress_bar=False,
                allow_errors=True,
                interrupt_on_timeout=True,
                execution_timeout=timeout,
                extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport warnings on the terminal
            )
        except PapermillExecutionError:
            pass  # errors are in the cells' outputs; judging reads them there
        except Exception as exc:  # kernel died or could not start: judge what did run
            if not out.exists():
                raise NotebookError(f"the notebook could not be executed: {type(exc).__name__}: {exc}") from None
        return nbformat.read(out, as_version=4)


def _verdict(cell) -> tuple[str, str]:
    outputs = cell.get("outputs", [])
    errors = [o for o in outputs if o.get("output_type") == "error"]
    passes = [o for o in outputs if o.get("output_type") == "display_data" and PASS_MIME in o.get("data", {})]
    if errors:
        ename, evalue = errors[0].get("ename", "Error"), errors[0].get("evalue", "")
        if ename == "Incorrect":
            return "wrong", evalue
        if ename == "NotAttempted":
            return "not attempted", evalue
        if ename == "AnswerError":
            return "error", evalue
        if ename == "NotImplementedError":
            return "not attempted", "a function you call here still raises NotImplementedError: write its body."
        if ename == "AssertionError":
            return "wrong", evalue or "a check failed."
        if ename == "NameError":
            return "not attempted", f"{evalue}: answer the cell that defines it and run it."
        return "error", f"the check raised {ename}: {evalue}"
    if cell.get("execution_count") is None and not outputs:
        return "not run", "this check did not run (the notebook stopped or timed out before it)."
    if not passes:
        return "error", "the check finished without confirming a pass."
    texts = [p["data"].get("text/plain", "") for p in passes]
    return "pass", " ".join(t if isinstance(t, str) else "".join(t) for t in texts)


def judge(executed: nbformat.NotebookNode, positions: dict[str, str], source: nbformat.NotebookNode, lab: str) -> list[ItemResult]:
    """One result per graded cell of the source, in notebook order."""
    results = []
    for cell in source.cells:
        gid = nbu.grade_id(cell)
        if not gid or gid not in positions:
            continue
        max_points = nbu.points(cell)
        if nbu.is_manual(cell):
            where = f"solutions/{lab}/{lab}.ipynb, cell `{gid}`"
            results.append(ItemResult(gid, "manual", "manual", 0.0, max_points, f"graded by hand; model answer and rubric in {where}."))
            continue
        by_id = {c.get("id"): c for c in executed.cells}
        status, message = _verdict(by_id.get(positions[gid], {}))
        earned = max_points if status == "pass" else 0.0
        results.append(ItemResult(gid, "auto", status, earned, max_points, message))
    return results


def grade_notebook(learner: nbformat.NotebookNode, lab: str, root: Path, cwd: Path, label: str = "") -> LabResult:
    """Grade an in-memory notebook of ``lab``, executing it in ``cwd``."""
    source = nbu.read(paths.source_notebook(root, lab))
    release = nbu.read(paths.release_notebook(root, lab))
    built = assemble(source, learner, release)
    executed = execute(built.notebook, cwd)
    return LabResult(lab, label or lab, judge(executed, built.positions, source, lab))


def check(path: str | os.PathLike) -> LabResult:
    """``pmle check``: grade the notebook at ``path`` in its own folder."""
    path = Path(path)
    learner = nbu.read(path)
    root = paths.course_root(path.resolve().parent)
    lab = find_lab(root, path, learner)
    return grade_notebook(learner, lab, root, path.resolve().parent, label=str(path))
