"""Build the notebook to grade: the learner's answers inside the instructor's source notebook.

Test cells and locked cells always come from the source (hidden tests included), whatever the
learner did to them; answer cells come from the learner, matched by grade id; the learner's own
extra cells stay where they were, after the cell they followed. A missing answer becomes the blank
from the committed release, so it earns nothing; a release without that blank is an error, never a
reason to fall back to the source's solution.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import nbformat

from pmle.course import notebooks as nbu
from pmle.errors import ReleaseOutOfDate


@dataclass
class Assembled:
    notebook: nbformat.NotebookNode
    # cell id in ``notebook`` of each source test cell and manual cell, by grade id
    positions: dict[str, str]


def _key(cell) -> tuple[str, str]:
    return cell.cell_type, cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _clean_extra(cell) -> nbformat.NotebookNode:
    """A learner's own cell, stripped of any nbgrader claim so it can never count as a test."""
    cell = copy.deepcopy(cell)
    cell.get("metadata", {}).pop("nbgrader", None)
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def assemble(source: nbformat.NotebookNode, learner: nbformat.NotebookNode, release: nbformat.NotebookNode) -> Assembled:
    """The source notebook with the learner's answers and extra cells in it."""
    by_grade_id: dict[str, int] = {}
    by_id: dict[str, int] = {}
    by_text: dict[tuple[str, str], int] = {}
    for index, cell in enumerate(source.cells):
        gid = nbu.grade_id(cell)
        if gid and gid not in by_grade_id:
            by_grade_id[gid] = index
        if cell.get("id"):
            by_id.setdefault(cell["id"], index)
    for index, cell in enumerate(release.cells):
        by_text.setdefault(_key(cell), index)
    blank_answers = {nbu.grade_id(c): c for c in release.cells if nbu.is_solution(c)}
    lacking = [nbu.grade_id(c) for c in source.cells if nbu.is_solution(c) and nbu.grade_id(c) not in blank_answers]
    if lacking:
        raise ReleaseOutOfDate(f"the release has no blank for answer cell(s) {', '.join(map(str, lacking))}.")

    # Match each learner cell to a source cell, or attach it after the last matched one.
    answers: dict[int, nbformat.NotebookNode] = {}
    kept_plain: dict[int, nbformat.NotebookNode] = {}
    extras: dict[int, list] = {}
    anchor = 0
    for cell in learner.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        gid = nbu.grade_id(cell)
        match = by_grade_id.get(gid) if gid else None
        if match is None and not gid:
            match = by_id.get(cell.get("id")) if cell.get("id") else None
            if match is not None and nbu.nbgrader(source.cells[match]):
                match = None  # an id may only claim a plain cell; graded ones match by grade id
            if match is None:
                match = by_text.get(_key(cell))
                if match is not None and nbu.nbgrader(release.cells[match]):
                    match = None
        if match is not None and source.cells[match].cell_type != cell.cell_type:
            match = None
        if match is None or match in answers or match in kept_plain:
            extras.setdefault(anchor, []).append(_clean_extra(cell))
            continue
        anchor = match
        src = source.cells[match]
        if nbu.is_solution(src):
            answers[match] = cell
        elif not nbu.nbgrader(src):
            kept_plain[match] = cell

    cells, positions = [], {}
    for index, src in enumerate(source.cells):
        gid = nbu.grade_id(src)
        if nbu.is_solution(src):
            learner_cell = answers.get(index)
            chosen = copy.deepcopy(learner_cell if learner_cell is not None else blank_answers[gid])
            chosen.metadata = copy.deepcopy(src.metadata)
            if chosen.cell_type == "code":
                chosen.outputs, chosen.execution_count = [], None
        elif index in kept_plain:
            chosen = _clean_extra(kept_plain[index])
        else:
            chosen = copy.deepcopy(src)
        chosen["id"] = f"source-{index}"
        if gid and (nbu.is_test(src) or nbu.is_manual(src)):
            positions[gid] = chosen["id"]
        cells.append(chosen)
        for extra in extras.get(index, []):
            extra["id"] = f"learner-{len(cells)}"
            cells.append(extra)

    notebook = nbformat.v4.new_notebook(metadata=copy.deepcopy(source.metadata))
    notebook.nbformat_minor = max(source.nbformat_minor, 5)
    notebook.cells = cells
    return Assembled(notebook, positions)
