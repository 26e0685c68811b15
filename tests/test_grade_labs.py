"""Does `pmle grade` judge every lab as `pmle check` does, with learner code in the sandbox?

For each lab, one class run: the reference solution (full marks), the blank release (zero), the recorded
misconceptions that fit in one notebook and the recorded alternative approaches, which must get the
very verdicts and messages `pmle check` gives them. This proves that splitting the notebook between the
sandbox and the trusted process keeps every test cell's meaning.
"""

from __future__ import annotations

import nbformat
import pytest

from pmle.grading import classroom

from conftest import LABS, ROOT, grade, release, source
from test_labs import catalog, pack, with_answers


@pytest.mark.parametrize("lab", LABS)
def test_lab_graded_in_the_sandbox(lab, tmp_path):
    """Reference full marks, blank zero, and the same verdicts and messages as `pmle check` on wrong answers?"""
    entries = catalog(lab)
    misconceptions = pack(entries.get("misconceptions", []))[0]
    submissions = {
        "reference": source(lab),
        "blank": release(lab),
        "misconceptions": with_answers(lab, misconceptions),
        "alternatives": with_answers(lab, entries.get("alternatives", [])),
    }
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
    assert not not_passed("alternatives")
    assert results["blank"].score == 0

    # The same wrong and alternative notebooks graded by `pmle check` (all in one kernel): same verdicts.
    for name in ("misconceptions", "alternatives"):
        checked = grade(submissions[name], lab, tmp_path / "check")
        theirs = [(i.item, i.status, i.points, i.message) for i in checked.items]
        ours = [(i.item, i.status, i.points, i.message) for i in results[name].items]
        differences = [f"{a} != {b}" for a, b in zip(ours, theirs) if a[:3] != b[:3] or (a[1] != "manual" and a[3] != b[3])]
        assert not differences and len(ours) == len(theirs), f"{name}:\n" + "\n".join(differences)


@pytest.mark.parametrize("lab", LABS)
def test_course_cells_are_plain_python(lab):
    """Do the test and locked cells compile as plain Python (they run in the trusted process, not IPython)?"""
    from pmle.course import notebooks as nbu

    for cell in source(lab).cells:
        if cell.cell_type == "code" and (nbu.is_test(cell) or nbu.is_locked(cell)):
            compile(cell.source, nbu.grade_id(cell) or "cell", "exec")
