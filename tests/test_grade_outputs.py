"""What `pmle grade` writes after grading, when things go wrong: one student's failure stays that student's, outputs
are private, colliding names get ids of their own, students gone since an earlier run are kept and listed, the cache
fingerprint covers the libraries, and notebooks are read against nbformat's schema.

The sandbox is replaced by a stand-in worker that returns a full-marks result at once: these tests are about what
happens around grading (tests/test_grade.py grades the adversarial corpus in the real sandbox).
"""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import nbformat
import pytest
import tiny_course

from pmle.course import notebooks as nbu
from pmle.errors import NotebookError, PmleError
from pmle.grading import classreport, classroom, gradebook
from pmle.grading.results import SubmissionResult
from pmle.grading.trusted import blank_items

from conftest import ROOT

LAB, FULL = tiny_course.LAB, tiny_course.FULL


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return tiny_course.build(tmp_path_factory.mktemp("tiny-course"))


@pytest.fixture
def graded(monkeypatch, course) -> list[str]:
    """The students the stand-in worker graded (full marks each), in order."""
    calls: list[str] = []

    def grade(self, student, notebook):
        calls.append(student)
        items = blank_items(course, LAB, "pass", "ok")
        for item in items:
            item.points = item.max_points if item.kind == "auto" else 0.0
        return SubmissionResult(student, LAB, "graded", "", items)

    monkeypatch.setattr(classroom.Worker, "__call__", grade)
    return calls


def hand_in(folder: Path, course: Path, names: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.ipynb"):
        old.unlink()
    for name in names:
        nbformat.write(tiny_course.answered(course), folder / f"{name}.ipynb")
    return folder


def settings(db: Path | None, **kw) -> classroom.Settings:
    return classroom.Settings(workers=2, gradebook=f"sqlite:///{db}" if db else None, private=(ROOT,), **kw)


def in_gradebook(db: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(LAB).submissions}


def rows(out: Path) -> dict[str, dict]:
    return {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}


def test_a_failure_after_grading_is_that_students_alone(tmp_path, course, graded, monkeypatch):
    """Do a gradebook error, an autograded notebook that can't be written and a feedback page that can't be written
    each show for that student (grade table, summary), leave every other student's grade written, and does a re-run
    then write everything without grading again?"""
    subs, out, db = hand_in(tmp_path / "subs", course, ["alice", "bob", "carol", "dave"]), tmp_path / "out", tmp_path / "gb.db"
    scores, write, page = gradebook._scores, gradebook._write_notebook, classreport.feedback_html

    def failing_scores(gb, lab, result):
        if result.student == "bob":
            raise RuntimeError("database is locked")
        return scores(gb, lab, result)

    def failing_write(notebook, target):
        if "carol" in target.parts:
            raise OSError(28, "No space left on device")
        return write(notebook, target)

    def failing_page(result, **kw):
        if result.student == "dave":
            raise MemoryError("page too large")
        return page(result, **kw)

    with monkeypatch.context() as m:
        m.setattr(gradebook, "_scores", failing_scores)
        m.setattr(gradebook, "_write_notebook", failing_write)
        m.setattr(classreport, "feedback_html", failing_page)
        first = classroom.grade_class(LAB, subs, out, settings(db), course)
    assert [r.status for r in first.results] == ["graded"] * 4 and first.incomplete
    assert first.notes["bob"] == ["gradebook write failed: database is locked (its entry, if any, is an earlier run's)"]
    assert first.notes["carol"][0].startswith("autograded notebook not written: [Errno 28] No space left")
    assert first.notes["dave"] == ["feedback page not written: page too large"]
    table = rows(out)
    assert [table[s]["score"] for s in ("alice", "bob", "carol", "dave")] == [str(FULL)] * 4
    assert "gradebook write failed" in table["bob"]["detail"] and table["alice"]["detail"] == ""
    summary = (out / "summary.txt").read_text()
    assert "Notes (3)" in summary and "database is locked" in summary and "page too large" in summary
    assert in_gradebook(db) == {"alice": FULL, "carol": FULL, "dave": FULL}
    autograded = out / "autograded"
    assert [p.parts[-3] for p in sorted(autograded.glob(f"*/{LAB}/{LAB}.ipynb"))] == ["alice", "dave"]
    assert not (out / "feedback" / "dave.html").exists() and (out / "feedback" / "carol.html").exists()

    second = classroom.grade_class(LAB, subs, out, settings(db), course)
    assert (second.graded, second.reused, second.notes, second.incomplete) == (0, 4, {}, False)
    assert graded == ["alice", "bob", "carol", "dave"]  # graded once
    assert in_gradebook(db) == {s: FULL for s in ("alice", "bob", "carol", "dave")}
    assert len(list(autograded.glob(f"*/{LAB}/{LAB}.ipynb"))) == 4 and (out / "feedback" / "dave.html").exists()


def test_an_unusable_gradebook_still_gives_the_reports(tmp_path, course, graded, monkeypatch):
    """When the gradebook as a whole can't be written, are the grade table and reports written, with the reason?"""
    def refuse(root, lab, db_url):
        raise PmleError("nbgrader could not register 00_tiny in the gradebook: disk I/O error")

    monkeypatch.setattr(gradebook, "ensure_assignment", refuse)
    subs, out = hand_in(tmp_path / "subs", course, ["alice", "bob"]), tmp_path / "out"
    done = classroom.grade_class(LAB, subs, out, settings(tmp_path / "gb.db"), course)
    assert done.incomplete and "disk I/O error" in done.notes[""][0]
    assert set(rows(out)) == {"alice", "bob"} and "gradebook not written" in rows(out)["alice"]["detail"]
    assert "(class)" in (out / "summary.txt").read_text() and (out / "feedback" / "bob.html").exists()


def _loose(paths) -> list[str]:
    return [f"{p} {stat.filemode(p.stat().st_mode)}" for p in paths if not p.is_symlink() and p.stat().st_mode & 0o077]


def test_outputs_are_private_even_over_an_earlier_runs(tmp_path, course, graded):
    """Is everything written private (0600 files, 0700 folders), the files and folders an earlier, world-readable run
    left tightened, a stale feedback page removed, and the caller's umask left as it was?"""
    subs, out, db = hand_in(tmp_path / "subs", course, ["alice", "bob"]), tmp_path / "out", tmp_path / "gb.db"
    old = os.umask(0o022)
    try:
        for folder in (out / ".pmle" / "results", out / "feedback"):
            folder.mkdir(parents=True)
        (out / "grades.csv").write_text("old")
        (out / ".pmle" / "results" / "zed.json").write_text("{}")
        (out / "feedback" / "zed.html").write_text("an earlier run's page")
        assert _loose(out.rglob("*"))
        done = classroom.grade_class(LAB, subs, out, settings(db), course)
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(old)
    assert _loose([*out.rglob("*"), db]) == []
    assert not (out / "feedback" / "zed.html").exists() and "earlier run was removed" in done.notes["zed"][0]
    fresh = tmp_path / "fresh"
    classroom.grade_class(LAB, subs, fresh, settings(None), course)
    assert _loose([fresh, *fresh.rglob("*")]) == []


def test_students_gone_since_an_earlier_run_are_kept_and_listed(tmp_path, course, graded):
    """Is a student with a gradebook submission but none in this hand-in kept (manual grades never deleted) and
    listed, and does --prune remove only those with nothing entered by hand?"""
    from nbgrader.api import Gradebook

    subs, out, db = tmp_path / "subs", tmp_path / "out", tmp_path / "gb.db"
    classroom.grade_class(LAB, hand_in(subs, course, ["alice", "bob", "carol"]), out, settings(db), course)
    with Gradebook(f"sqlite:///{db}") as gb:
        gb.find_grade("explain_decision", LAB, LAB, "bob").manual_score = 2.0
        gb.db.commit()

    kept = classroom.grade_class(LAB, hand_in(subs, course, ["alice"]), out, settings(db), course)
    assert not kept.incomplete
    assert "kept with its grades entered by hand" in kept.notes["bob"][0]
    assert "kept as it was" in kept.notes["carol"][0] and "--prune" in kept.notes["carol"][0]
    assert set(in_gradebook(db)) == {"alice", "bob", "carol"} and set(rows(out)) == {"alice"}
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["alice.html"]
    assert "Notes" in (out / "summary.txt").read_text() and "carol" in (out / "summary.html").read_text()

    pruned = classroom.grade_class(LAB, subs, out, settings(db, prune=True), course)
    assert "removed from the gradebook" in pruned.notes["carol"][0] and "by hand" in pruned.notes["bob"][0]
    assert set(in_gradebook(db)) == {"alice", "bob"}
    assert not (out / "autograded" / "carol" / LAB).exists() and (out / "autograded" / "bob" / LAB).is_dir()
    with Gradebook(f"sqlite:///{db}") as gb:
        assert gb.find_grade("explain_decision", LAB, LAB, "bob").manual_score == 2.0


def test_names_with_one_safe_id_are_graded_apart(tmp_path, course, graded):
    """Do two names that give the same safe id both get graded, under distinct ids, with a note naming both?"""
    subs = hand_in(tmp_path / "subs", course, ["José", "Jos#", "alice"])
    done = classroom.grade_class(LAB, subs, tmp_path / "out", settings(tmp_path / "gb.db"), course)
    ids = sorted(r.student for r in done.results)
    assert len(ids) == 3 and ids[-1] == "alice" and all(i.startswith("Jos_-") for i in ids[:2])
    assert all(r.status == "graded" and r.score == FULL for r in done.results)
    assert all("José" in done.notes[i][0] and "Jos#" in done.notes[i][0] for i in ids[:2]) and "alice" not in done.notes
    assert set(in_gradebook(tmp_path / "gb.db")) == set(ids) and not done.incomplete


def test_the_fingerprint_covers_every_library(course, monkeypatch):
    """Does the cache key depend on Python's version and every installed library's (scipy, joblib, imbalanced-learn
    among them), so an upgrade re-grades?"""
    versions = classroom.library_versions()
    assert {"python", "numpy", "pandas", "scikit-learn", "scipy", "joblib", "imbalanced-learn", "threadpoolctl",
            "ipython", "ipykernel", "matplotlib"} <= set(versions)
    before = classroom.fingerprint(course, LAB, classroom.Settings())
    for name in ("scipy", "joblib", "imbalanced-learn"):
        monkeypatch.setattr(classroom, "library_versions", lambda name=name: {**versions, name: "0.0.1"})
        assert classroom.fingerprint(course, LAB, classroom.Settings()) != before, name


def _nb(tmp_path: Path, change) -> Path:
    raw = json.loads((ROOT / "labs" / "01_framing" / "01_framing.ipynb").read_text())
    change(raw)
    path = tmp_path / "mine.ipynb"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize("change, reason", [
    (lambda nb: nb["cells"].append({"cell_type": "markdown", "id": "x", "metadata": {}, "source": 5}),
     "markdown: its source should be text or a list of lines of text"),
    (lambda nb: nb["cells"][1].update(source=["ok\n", 7]), "its source should be text"),
    (lambda nb: nb["cells"].__setitem__(0, 5), "cell 1: is not a cell"),
    (lambda nb: nb["cells"][0].update(cell_type="picture"), "cell 1: is not a code, markdown or raw cell"),
    (lambda nb: nb["cells"][0]["metadata"].update(tags=[{"\x1b[31m": 1}]), "its metadata.tags[0] should be text"),
    (lambda nb: nb["cells"][0].update({"\x1b]0;pwned\x07": 1}), "has a field the format does not allow"),
    (lambda nb: nb.update(metadata={"kernelspec": 5}), "the notebook: its metadata.kernelspec should be a mapping"),
    (lambda nb: nb.update(nbformat_minor="5"), "should be whole numbers"),
])
def test_a_notebook_against_the_schema_is_refused_with_a_short_reason(tmp_path, change, reason):
    """Is a notebook nbformat would only log as invalid refused, saying which cell and field, in one printable line?"""
    with pytest.raises(NotebookError) as raised:
        nbu.read(_nb(tmp_path, change))
    message = str(raised.value)
    assert "is not a valid notebook" in message and reason in message, message
    assert message.isprintable() and len(message) < 300 and "Traceback" not in message


def test_repairable_notebooks_are_still_read(tmp_path):
    """Are duplicate or missing cell ids (nbformat repairs them, as Jupyter does) and every course notebook accepted?"""
    def same_ids(nb):
        for cell in nb["cells"]:
            cell["id"] = "same"

    def no_ids(nb):
        for cell in nb["cells"]:
            cell.pop("id")

    for change in (same_ids, no_ids):
        assert len(nbu.read(_nb(tmp_path, change)).cells) > 10
    for path in [*ROOT.glob("labs/*/*.ipynb"), *ROOT.glob("solutions/*/*.ipynb")]:
        nbu.read(path)
