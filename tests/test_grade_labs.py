"""Does `pmle grade` judge every lab as `pmle check` does, with learner code in the sandbox?

For each lab, one class run: the reference solution (full marks), the blank release (zero), every
group of recorded misconceptions and the recorded alternative approaches, which must get the very
statuses and messages `pmle check` gives them. This proves that the sandbox changes no verdict.
"""

from __future__ import annotations

import nbformat
import pytest
from test_labs import catalog, pack, with_answers

from pmle.grading import classroom

from conftest import LABS, ROOT, grade, release, source


@pytest.mark.parametrize("lab", LABS)
def test_lab_graded_in_the_sandbox(lab, tmp_path):
    """Reference full marks, blank zero, and for every item the very status and message `pmle check` gives?

    Compared on the reference, the blank release, every group of recorded misconceptions and the
    alternatives: `pmle grade` (learner code in the sandbox) against `pmle check` (the same engine
    without the root-only sandbox).
    """
    entries = catalog(lab)
    submissions = {"reference": source(lab), "blank": release(lab)}
    for number, group in enumerate(pack(entries.get("misconceptions", []))):
        submissions[f"misconceptions-{number}"] = with_answers(lab, group)
    if entries.get("alternatives"):
        submissions["alternatives"] = with_answers(lab, entries["alternatives"])
    folder = tmp_path / "subs"
    folder.mkdir()
    for name, notebook in submissions.items():
        nbformat.write(notebook, folder / f"{name}.ipynb")
    settings = classroom.Settings(workers=2, cell_timeout=60, gradebook=None)
    results = {r.student: r for r in classroom.grade_class(lab, folder, tmp_path / "out", settings, ROOT).results}

    def not_passed(name):
        return [f"{i.item}: {i.status} {i.message}" for i in results[name].items if i.kind == "auto" and i.status != "pass"]

    assert all(r.status == "graded" for r in results.values()), {n: r.detail for n, r in results.items()}
    assert not not_passed("reference")
    assert "alternatives" not in results or not not_passed("alternatives")
    assert results["blank"].score == 0

    for name, notebook in submissions.items():
        checked = grade(notebook, lab, tmp_path / "check")
        theirs = [(i.item, i.status, i.points, i.message) for i in checked.items]
        ours = [(i.item, i.status, i.points, i.message) for i in results[name].items]
        differences = [f"grade {a} != check {b}" for a, b in zip(ours, theirs) if a != b]
        assert not differences and len(ours) == len(theirs), f"{name}:\n" + "\n".join(differences)


@pytest.mark.parametrize("lab", LABS)
def test_test_cells_only_call_the_labs_checks(lab):
    """Is every test cell the one line `lab.check("<its grade id>")`, with its logic in the lab's module?"""
    from pmle.course import notebooks as nbu

    for cell in source(lab).cells:
        if nbu.is_test(cell):
            assert cell.source.strip() == f'lab.check("{nbu.grade_id(cell)}")', nbu.grade_id(cell)
