"""Are forked variants (one answer cell changed, judged up to one item) judged as if each ran alone?

The lab tests judge every catalog misconception as a variant of the reference (pmle.grading.trusted.Variant).
Here, on the tiny lab, the hazards of forking: a variant that rebinds the lab's data, raises, or kills
its process must leave the next variant and the reference exactly as a solo run would find them.
"""

from __future__ import annotations

import json

import pytest
import tiny_course

from pmle.course import notebooks as nbu
from pmle.grading.selfcheck import grade_notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return tiny_course.build(tmp_path_factory.mktemp("tiny-variants"))


def variant(name, cell, code, until):
    return {"name": name, "cell": f"{cell}_answer", "code": code, "until": until}


def solo(course, cell, code):
    nb = tiny_course.answered(course)
    next(c for c in nb.cells if nbu.grade_id(c) == f"{cell}_answer").source = code
    return grade_notebook(nb, tiny_course.LAB, course)


RIGHT_LABEL = "def make_label(frame):\n    return (frame['amount'] > 10).astype(int)"
HAZARDS = [
    # rebinds the lab's data for every later cell, and gets make_label wrong
    variant("shrinks_orders", "make_label", "orders = orders.iloc[:3]\ndef make_label(frame):\n"
            "    return (frame['amount'] >= 10).astype(int)", "big_orders"),
    variant("raises", "make_label", "make_label = None\nraise ValueError('not today')", "make_label"),
    variant("dies", "make_label", "import os\nos._exit(3)", "big_orders"),
    variant("right_after_all_that", "make_label", RIGHT_LABEL, "scaled"),
    variant("wrong_framing", "framing", 'framing = "A"', "framing"),
]


@pytest.fixture(scope="module")
def judged(course):
    return grade_notebook(tiny_course.answered(course), tiny_course.LAB, course, variants=HAZARDS)


def test_the_reference_goes_on_untouched(judged):
    """Does the reference still earn full marks after every kind of variant forked from it?"""
    assert judged.score == judged.max_score == tiny_course.FULL, [(i.item, i.message) for i in judged.items]


def test_each_variant_is_judged_as_its_solo_run(course, judged):
    """Same status, points and message for every item a variant judged as the notebook with that change run alone?"""
    by_name = {v.name: v for v in judged.variants}
    for entry in HAZARDS:
        if entry["name"] == "dies":
            continue
        got = by_name[entry["name"]]
        assert got.status == "graded", got
        alone = solo(course, entry["cell"].removesuffix("_answer"), entry["code"])
        for item in got.items:
            theirs = alone.item(item.item)
            assert (item.status, item.points, item.message) == (theirs.status, theirs.points, theirs.message), entry["name"]


def test_variants_judge_from_their_cell_to_their_item(judged):
    """Does a variant judge exactly the items from its cell to the item it names?"""
    by_name = {v.name: v for v in judged.variants}
    assert [i.item for i in by_name["shrinks_orders"].items] == ["make_label", "big_orders"]
    assert [i.item for i in by_name["right_after_all_that"].items] == ["make_label", "big_orders", "scaled"]
    assert [i.item for i in by_name["wrong_framing"].items] == ["framing"]


def test_state_never_leaks_from_one_variant_to_the_next(judged):
    """After a variant rebinds the data, raises and dies, is the next one judged on the reference's state?"""
    by_name = {v.name: v for v in judged.variants}
    assert by_name["shrinks_orders"].item("make_label").status == "wrong"
    assert "exactly 10" in by_name["shrinks_orders"].item("make_label").message
    assert by_name["raises"].item("make_label").status == "error"
    assert "not today" in by_name["raises"].item("make_label").message
    assert all(i.status == "pass" for i in by_name["right_after_all_that"].items)
    assert by_name["wrong_framing"].item("framing").status == "wrong"


def test_a_variant_that_kills_its_process_is_reported(judged):
    """Is a variant whose process dies reported as crashed, without costing the reference or the others?"""
    dies = next(v for v in judged.variants if v.name == "dies")
    assert dies.status == "crashed" and "exit code 3" in dies.detail, dies
    assert dies.items == []


def test_a_variant_of_no_cell_or_no_later_item_is_invalid(course):
    """Is a variant naming an answer cell or an item that isn't there (or comes before it) reported as invalid?"""
    bad = [variant("nowhere", "no_such", "x = 1", "framing"), variant("backwards", "decision", 'decision = "wait"', "framing")]
    result = grade_notebook(tiny_course.answered(course), tiny_course.LAB, course, variants=bad)
    statuses = {v.name: (v.status, v.detail) for v in result.variants}
    assert statuses["nowhere"][0] == "invalid" and "no_such_answer" in statuses["nowhere"][1]
    assert statuses["backwards"][0] == "invalid" and "framing" in statuses["backwards"][1]
    assert result.score == tiny_course.FULL


def test_execution_ceiling_counts_runs_per_lab(tmp_path):
    """Does the suite's ceiling count the runs each lab made, and name a lab over it?"""
    from conftest import EXECUTIONS_PER_LAB, LABS, execution_report

    lab = LABS[-1]
    log = tmp_path / "log.jsonl"
    rows = [{"lab": lab, "kind": "check", "seconds": 2.0, "variants": 3}] * (EXECUTIONS_PER_LAB + 1)
    rows.append({"lab": "00_tiny", "kind": "grade", "seconds": 1.0, "variants": 0})
    log.write_text("".join(json.dumps(r) + "\n" for r in rows))
    lines, over = execution_report(log)
    assert over == [f"{lab}: {EXECUTIONS_PER_LAB + 1} notebook runs, over its ceiling of {EXECUTIONS_PER_LAB}"]
    assert any(line.startswith("00_tiny") for line in lines)  # reported, no ceiling: not a lab of the course
    log.write_text("".join(json.dumps(r) + "\n" for r in rows[1:]))
    assert execution_report(log)[1] == []


def test_scheduling_keeps_a_lab_on_one_worker():
    """Is each lab's share of test_labs and test_grade_labs one unit of work, and every other module one unit?"""
    from conftest import LABS, scope_of

    lab = LABS[0]
    assert scope_of(f"tests/test_labs.py::test_misconceptions_are_rejected[{lab}]") == f"lab {lab}"
    assert scope_of(f"tests/test_grade_labs.py::test_lab_graded_in_the_sandbox[{lab}]") == f"lab {lab}"
    assert scope_of("tests/test_labs.py::test_release_is_in_sync") == "tests/test_labs.py"
    assert scope_of("tests/test_grade.py::test_expected_outcome[wrong]") == "tests/test_grade.py"
