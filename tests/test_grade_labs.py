"""Does `pmle grade` judge every lab as `pmle check` does, with learner code in the sandbox?

For each lab: the reference solution (full marks) with every recorded misconception judged on the way
as a variant (forked in the sandbox, as `pmle check` forks its plain runner), the blank release
(zero) and the recorded alternative approaches, all of which must get the very statuses and messages
`pmle check` gives them. This proves that the sandbox changes no verdict.
"""

from __future__ import annotations

import nbformat
import pytest
from test_labs import catalog, catalog_run, variants, with_answers

from pmle.grading import classroom, trusted

from conftest import LABS, ROOT, grade, release, source


def _rows(items):
    return [(i.item, i.status, i.points, i.message) for i in items]


def _differences(name: str, ours, theirs) -> list[str]:
    lines = [f"{name}: grade {a} != check {b}" for a, b in zip(_rows(ours), _rows(theirs)) if a != b]
    if len(ours) != len(theirs):
        lines.append(f"{name}: grade judged {len(ours)} items, check {len(theirs)}")
    return lines


@pytest.mark.parametrize("lab", LABS)
def test_lab_graded_in_the_sandbox(lab, tmp_path):
    """Reference full marks, blank zero, and for every item and every misconception the very status and message `pmle check` gives?

    `pmle grade`'s worker (learner code in the sandbox) against `pmle check` (the same engine without
    the root-only sandbox): the reference with its misconceptions forked, through the grading function
    itself; the blank release and the alternatives through `pmle grade`'s class run.
    """
    entries = catalog(lab)
    submissions = {"blank": release(lab)}
    if entries.get("alternatives"):
        submissions["alternatives"] = with_answers(lab, entries["alternatives"])
    folder = tmp_path / "subs"
    folder.mkdir()
    for name, notebook in submissions.items():
        nbformat.write(notebook, folder / f"{name}.ipynb")
    settings = classroom.Settings(workers=1, cell_timeout=60, gradebook=None)
    results = {r.student: r for r in classroom.grade_class(lab, folder, tmp_path / "out", settings, ROOT).results}

    nbformat.write(source(lab), tmp_path / "reference.ipynb")
    job = trusted.Job(student="reference", lab=lab, notebook=str(tmp_path / "reference.ipynb"), course_root=str(ROOT),
                      cell_timeout=60, notebook_timeout=600, variants=variants(lab))
    results["reference"] = trusted.grade(job)

    assert all(r.status == "graded" for r in results.values()), {n: r.detail for n, r in results.items()}
    assert results["blank"].score == 0
    differences = []
    checked = {"reference": catalog_run(lab), **{name: grade(nb, lab) for name, nb in submissions.items()}}
    for name, theirs in checked.items():
        differences += _differences(name, results[name].items, theirs.items)
    forked = {v.name: v for v in results["reference"].variants}
    assert len(forked) == len(checked["reference"].variants)
    for variant in checked["reference"].variants:
        ours = forked[variant.name]
        if (ours.status, ours.detail) != (variant.status, variant.detail):
            differences.append(f"{variant.name}: grade {ours.status} {ours.detail} != check {variant.status} {variant.detail}")
        differences += _differences(variant.name, ours.items, variant.items)
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize("lab", LABS)
def test_test_cells_only_call_the_labs_checks(lab):
    """Is every test cell the one line `lab.check("<its grade id>")`, with its logic in the lab's module?"""
    from pmle.course import notebooks as nbu

    for cell in source(lab).cells:
        if nbu.is_test(cell):
            assert cell.source.strip() == f'lab.check("{nbu.grade_id(cell)}")', nbu.grade_id(cell)
