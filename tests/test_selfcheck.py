"""Does `pmle check` grade what the learner answered, with the tests from the source, whatever they did to them?"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from tiny_course import cell as _cell
from tiny_course import one_lab_course

from pmle.cli import main
from pmle.course import notebooks as nbu
from pmle.course.assemble import assemble
from pmle.course.release import release
from pmle.grading.selfcheck import check

ROOT = Path(__file__).resolve().parents[1]


TOY_CHECKS = '''
from pmle.course.labs import LabChecks, LabInfo
from pmle.feedback import check_number

lab = LabChecks(LabInfo(id="00_toy", title="Toy lab", datasets=(), minutes=(5, 10), exam_sections=(1,)))


@lab.item("x", reads=["x"], explanation="Three, because the brief says so.")
def x(a):
    check_number("x", a.x, 3, mistakes=[(2, "off by one")])


@lab.item("y", reads=["y"], uses={"x": "x"})
def y(a):
    check_number("y", a.y, a.x + 2)
'''


def toy_source():
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pmle = {"lab": "00_toy"}
    nb.cells = [
        _cell("markdown", "# Toy lab"),
        _cell("code", "from pmle.lab import Lab\nlab = Lab('00_toy')", grade=False, solution=False, locked=True, grade_id="setup"),
        _cell("code", "x = None\n### BEGIN SOLUTION\nx = 3\n### END SOLUTION", grade=False, solution=True, locked=False, grade_id="x_answer"),
        _cell("code", "lab.check('x')\n### BEGIN HIDDEN TESTS\n# off by one is recognised\n### END HIDDEN TESTS",
              grade=True, solution=False, locked=True, grade_id="x", points=2),
        _cell("code", "y = None\n### BEGIN SOLUTION\ny = x + 2\n### END SOLUTION", grade=False, solution=True, locked=False, grade_id="y_answer"),
        _cell("code", "lab.check('y')", grade=True, solution=False, locked=True, grade_id="y", points=1),
        _cell("markdown", "Explain.\n\n### BEGIN SOLUTION\nModel answer.\n### END SOLUTION", grade=True, solution=True, locked=False, grade_id="why", points=2),
    ]
    for i, cell in enumerate(nb.cells):
        cell.id = f"toy-{i}"
    return nb


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    """A one-lab course in a temporary folder, released with nbgrader."""
    root = tmp_path_factory.mktemp("course")
    one_lab_course(root, "00_toy", TOY_CHECKS, toy_source())
    assert release(root) == ["labs/00_toy/00_toy.ipynb"]  # a course folder of its own has no package manifest
    assert release(root, check=True) == []
    return root


def learner(toy: Path):
    return nbu.read(toy / "labs" / "00_toy" / "00_toy.ipynb")


def answer(nb, grade_id, code):
    next(c for c in nb.cells if nbu.grade_id(c) == grade_id).source = code
    return nb


def built(toy, nb):
    return assemble(nbu.read(toy / "solutions/00_toy/00_toy.ipynb"), nb, learner(toy))


def cell_of(result, grade_id):
    return next(c for c in result.notebook.cells if c.id == result.positions[grade_id])


def test_release_strips_solutions_and_hidden_tests(toy):
    """Does the generated release hide the solution and the hidden test?"""
    text = (toy / "labs/00_toy/00_toy.ipynb").read_text()
    assert "x = 3" not in text and "off by one" not in text and "Model answer" not in text
    assert "raise NotImplementedError()" in text


def test_edited_and_deleted_test_cells_come_back_from_source(toy):
    """Are test cells restored from the source when the learner edits, re-tags or deletes them?"""
    nb = learner(toy)
    nb.cells[3].source = "pass"  # edited test
    nb.cells[5].metadata.nbgrader["points"] = 99  # changed points
    del nb.cells[5]  # ...and then deleted
    result = built(toy, nb)
    assert "HIDDEN TESTS" in cell_of(result, "x").source
    assert cell_of(result, "y").source == "lab.check('y')"


def test_extra_and_duplicated_cells_never_count(toy):
    """Do the learner's own cells stay, stripped of nbgrader metadata, and duplicated test cells get dropped?"""
    nb = learner(toy)
    extra = _cell("code", "helper = 1", grade=True, solution=False, locked=True, grade_id="x", points=50)
    fake = _cell("code", "print('ok')", grade=True, solution=False, locked=True, grade_id="bonus", points=50)
    nb.cells.insert(3, extra)
    nb.cells.insert(4, fake)
    result = built(toy, nb)
    sources = [c.source for c in result.notebook.cells]
    assert "print('ok')" in sources
    assert set(result.positions) == {"x", "y", "why"}
    assert all(not nbu.is_grade(c) for c in result.notebook.cells if c.source in ("print('ok')", "helper = 1"))


def test_answers_are_taken_by_grade_id(toy):
    """Is the learner's answer used, and a missing answer replaced by the blank?"""
    nb = answer(learner(toy), "x_answer", "x = 2")
    del nb.cells[4]  # y's answer cell deleted
    result = built(toy, nb)
    sources = [c.source for c in result.notebook.cells]
    assert "x = 2" in sources
    assert any("y = None" in s and "NotImplementedError" in s for s in sources)


def test_check_grades_right_wrong_and_blank(toy, tmp_path, monkeypatch):
    """Does `pmle check` give points for the right answer and name the misconception of the wrong one?"""
    monkeypatch.setenv("PMLE_COURSE_ROOT", str(toy))
    nb = answer(answer(learner(toy), "x_answer", "x = 2"), "y_answer", "y = x + 2")
    path = tmp_path / "renamed.ipynb"  # the lab is known from the notebook's metadata, not its name
    nbformat.write(nb, path)
    result = check(path)
    by_item = {i.item: i for i in result.items}
    assert by_item["x"].status == "wrong" and "off by one" in by_item["x"].message
    assert by_item["y"].status == "pass" and by_item["y"].points == 1, "y is scored on the learner's own x"
    assert by_item["why"].kind == "manual" and "solutions/00_toy/00_toy.ipynb" in by_item["why"].message
    assert (result.score, result.max_score, result.manual_points) == (1, 3, 2)


def test_cli_check_prints_table_and_json(toy, capsys, monkeypatch):
    """Does the CLI print one row per item and a total, and the same as JSON?"""
    monkeypatch.setenv("PMLE_COURSE_ROOT", str(toy))
    path = toy / "labs/00_toy/00_toy.ipynb"
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "not attempted" in out and "Total: 0 / 3" in out and "graded by hand" in out
    assert main(["check", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [i["item"] for i in data["items"]] == ["x", "y", "why"] and data["score"] == 0


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (None, "missing.ipynb", "no such file"),
        ("{not json", "broken.ipynb", "not valid JSON"),
        (json.dumps({"nbformat": 3, "cells": []}), "old.ipynb", "nbformat 3"),
        (json.dumps({"cells": {}}), "odd.ipynb", "not a Jupyter notebook"),
        ("x = 1", "script.py", "not a notebook"),
    ],
)
def test_cli_check_bad_input_is_one_clear_error(tmp_path, capsys, content, name, fragment):
    """Does a missing, unreadable or non-notebook file give exit code 2 and one clear line?"""
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_cli_check_rejects_a_notebook_of_no_lab(toy, tmp_path, capsys, monkeypatch):
    """Is a valid notebook that belongs to no lab reported as such, even when named like one?"""
    monkeypatch.setenv("PMLE_COURSE_ROOT", str(toy))
    path = tmp_path / "00_toy.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    assert main(["check", str(path)]) == 2
    assert "is not a lab notebook" in capsys.readouterr().err


def test_cli_check_refuses_a_notebook_of_another_lab(toy, tmp_path, capsys, monkeypatch):
    """Is a notebook whose metadata names another lab refused in one line, not graded as this one?"""
    monkeypatch.setenv("PMLE_COURSE_ROOT", str(toy))
    nb = learner(toy)
    nb.metadata.pmle = {"lab": "02_metrics"}
    path = tmp_path / "00_toy.ipynb"
    nbformat.write(nb, path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "lab '02_metrics'" in err and "Traceback" not in err


def test_cli_check_by_lab_id_reads_the_workspace_copy(toy, capsys, monkeypatch):
    """Does `pmle check 00` grade the learner's copy in work/, and say how to make one when there is none?"""
    from pmle.course import workspace

    monkeypatch.setenv("PMLE_COURSE_ROOT", str(toy))
    course = toy
    shutil.rmtree(course / "work", ignore_errors=True)
    assert main(["check", "00"]) == 2
    assert "make lab" in capsys.readouterr().err
    workspace.sync(course)
    nbformat.write(answer(learner(toy), "x_answer", "x = 3"), workspace.notebook(course, "00_toy"))
    assert main(["check", "0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notebook"].endswith("work/00_toy/00_toy.ipynb") and data["score"] == 2


def test_a_release_without_a_blank_is_an_error_not_the_solution(toy):
    """Does a release that lacks an answer's blank stop grading instead of slipping in the solution?"""
    from pmle.errors import ReleaseOutOfDate

    release_nb = learner(toy)
    release_nb.cells = [c for c in release_nb.cells if nbu.grade_id(c) != "y_answer"]
    with pytest.raises(ReleaseOutOfDate):
        assemble(nbu.read(toy / "solutions/00_toy/00_toy.ipynb"), learner(toy), release_nb)


def test_release_check_reports_stale_files(toy, tmp_path):
    """Does `release --check` name a hand-edited release file, and `release` repair it?"""
    course = tmp_path / "course"
    shutil.copytree(toy, course)
    target = course / "labs/00_toy/00_toy.ipynb"
    target.write_text(target.read_text().replace("Toy lab", "Edited by hand"))
    (course / "labs/99_gone").mkdir()
    stale = release(course, check=True)
    assert "labs/00_toy/00_toy.ipynb" in stale and any("99_gone" in s for s in stale)
    release(course)
    assert release(course, check=True) == []
