"""Do the feedback pages and the class summary show the grading results safely and correctly?"""

from __future__ import annotations

import re

import pytest

from pmle.errors import PmleError
from pmle.grading.classreport import (
    feedback_html,
    item_rates,
    score_histogram,
    summary_text,
    write_feedback,
    write_summary,
)
from pmle.grading.results import LearnerCell, SubmissionResult
from pmle.grading.selfcheck import ItemResult

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def items(q1: str, q2: str, q3: str) -> list[ItemResult]:
    """Three automatic items (2, 3 and 1 points) and one item graded by hand (5 points)."""
    def auto(name: str, status: str, max_points: float) -> ItemResult:
        return ItemResult(name, "auto", status, max_points if status == "pass" else 0.0, max_points, f"{name}: {status}")

    return [
        auto("q1", q1, 2),
        auto("q2", q2, 3),
        auto("q3", q3, 1),
        ItemResult("essay", "manual", "manual", 0.0, 5, "graded by hand"),
    ]


@pytest.fixture
def results() -> list[SubmissionResult]:
    """Four graded students (scores 3, 5, 3, 6 of 6), one timeout and one invalid submission."""
    alice = SubmissionResult("alice", "01_framing", "graded", items=items("pass", "wrong", "pass"))
    alice.items[1].message = f"close, but {IMG}"
    alice.cells = [
        LearnerCell(source=f"answer = 1\n{SCRIPT}", grade_id="q1", output="</pre><script>x</script>"),
        LearnerCell(source="print('hi')", output="hi", error="NameError: name 'y' is not defined"),
    ]
    return [
        alice,
        SubmissionResult("bob", "01_framing", "graded", items=items("pass", "pass", "error")),
        SubmissionResult("carol", "01_framing", "graded", items=items("pass", "wrong", "pass")),
        SubmissionResult("frank", "01_framing", "graded", items=items("pass", "pass", "pass")),
        SubmissionResult("dave", "01_framing", "timeout", detail="ran longer than 60 s", items=items("not run", "not run", "not run")),
        SubmissionResult("erin", "01_framing", "invalid", detail="not a notebook: Expecting value"),
    ]


def test_feedback_escapes_student_cells_and_messages(results):
    """Is a script in a cell, in its output and an <img onerror> in a message shown as text, never as markup?"""
    page = feedback_html(results[0], lab_title=f"Framing {SCRIPT}")
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;" in page
    assert not re.search(r"<link|src=\"|href=|@import|url\(", page), "the page must not load anything"


def test_feedback_header_items_and_cells(results):
    """Does the page give the score, the manual points, every item's verdict and each cell with its label?"""
    page = feedback_html(results[0])
    assert "3 / 6 + 5 points graded by hand" in page
    for name, status in [("q1", "pass"), ("q2", "wrong"), ("q3", "pass"), ("essay", "manual")]:
        assert re.search(rf"<td>{name}</td>.*?>{status}</td>", page), name
    assert "- / 5" in page  # the manual item shows no automatic points
    assert "answer q1" in page and "your extra cell" in page
    assert "NameError: name &#x27;y&#x27; is not defined" in page


def test_feedback_of_a_failed_submission_shows_why(results):
    """Does a timed-out student see the status and its detail, and a graded student no "Why" row?"""
    timed_out = feedback_html(results[4])
    assert "timeout" in timed_out and "ran longer than 60 s" in timed_out
    assert "Why" in timed_out
    assert "Why" not in feedback_html(results[1])


def test_items_hardest_first_with_right_percentages(results):
    """Are items sorted by pass rate over graded students (timeouts excluded), manual items last?"""
    text = summary_text(results)
    lines = [line.split() for line in text.splitlines()]
    rows = [line for line in lines if line and line[0] in {"q1", "q2", "q3", "essay"}]
    assert [r[0] for r in rows] == ["q2", "q3", "q1", "essay"]
    assert rows[0][1:5] == ["50%", "2", "/", "4"] and rows[0][5] == "wrong"
    assert rows[1][1:5] == ["75%", "3", "/", "4"] and rows[1][5] == "error"
    assert rows[2][1:5] == ["100%", "4", "/", "4"] and rows[2][5] == "-"
    assert " ".join(rows[3][1:]) == "graded by hand"


def test_item_rates_count_only_graded_submissions(results):
    """Is the denominator the number of graded submissions, not of all submissions?"""
    rates = {r.item: r for r in item_rates(results)}
    assert rates["q2"].passed == 2 and rates["q2"].graded == 4
    assert rates["q2"].rate == pytest.approx(50.0)
    assert rates["essay"].kind == "manual"


def test_summary_counts_statuses_and_scores(results):
    """Are statuses counted and the score statistics taken over graded submissions only?"""
    text = summary_text(results)
    assert re.search(r"graded\s+4\n", text)
    assert re.search(r"timeout\s+1\n", text) and re.search(r"invalid\s+1\n", text) and re.search(r"crashed\s+0\n", text)
    assert "out of 6" in text
    assert "n 4   mean 4.25   median 4   min 3   max 6" in text


def test_summary_histogram_bins(results):
    """Do scores 3/6, 3/6, 5/6 and 6/6 land in the 50-60 %, 80-90 % and 90-100 % bins?"""
    text = summary_text(results)
    bins = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(\d+-\d+%) \|[ #]*?(\d+)$", text, re.M)}
    assert len(bins) == 10
    assert bins["50-60%"] == 2 and bins["80-90%"] == 1 and bins["90-100%"] == 1
    assert sum(bins.values()) == 4


def test_score_histogram_edges():
    """Does a full score fall in the last bin and 0.7 in the 70-80 % bin, not the one below?"""
    assert score_histogram([1.0, 0.7, 0.0, 0.3]) == [1, 0, 0, 1, 0, 0, 0, 1, 0, 1]


def test_not_graded_students_listed_with_detail(results):
    """Are the timeout and invalid students listed with their status and detail, and graded ones not?"""
    section = summary_text(results).split("Not graded")[1]
    assert re.search(r"dave\s+timeout\s+ran longer than 60 s", section)
    assert re.search(r"erin\s+invalid\s+not a notebook: Expecting value", section)
    assert "alice" not in section


def test_summary_text_neutralises_terminal_escapes():
    """Is an ANSI escape or newline in a detail kept out of the plain-text summary?"""
    bad = SubmissionResult("zed", "01", "crashed", detail="boom\x1b[2J\nfake line")
    text = summary_text([bad])
    assert "\x1b" not in text
    assert re.search(r"zed\s+crashed\s+boom\?\[2J fake line", text)


def test_write_summary_writes_three_files(results, tmp_path):
    """Are summary.txt, a real PNG and an escaped summary.html pointing at the PNG all written?"""
    results[4].detail = IMG
    paths = write_summary(results, tmp_path / "out")
    assert [p.name for p in paths] == ["summary.txt", "summary.png", "summary.html"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = paths[2].read_text(encoding="utf-8")
    assert '<img src="summary.png"' in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and page.count("<img") == 1
    assert paths[0].read_text(encoding="utf-8") == summary_text(results)


def test_empty_input(tmp_path):
    """Do no results, or no graded results, give a summary that says so instead of crashing?"""
    assert "no submissions" in summary_text([])
    failed = [SubmissionResult("dave", "01", "timeout", detail="too slow")]
    text = summary_text(failed)
    assert "No graded submissions" in text and "too slow" in text
    for case, sub in (([], "none"), (failed, "failed")):
        paths = write_summary(case, tmp_path / sub)
        assert paths[1].read_bytes()[:4] == b"\x89PNG"
    assert write_feedback([], tmp_path / "none") == []


def test_write_feedback_writes_one_page_per_student(results, tmp_path):
    """Is there one escaped page per student, named after the student?"""
    paths = write_feedback(results, tmp_path)
    assert [p.name for p in paths] == [f"{r.student}.html" for r in results]
    assert all(p.parent == tmp_path / "feedback" for p in paths)
    assert "&lt;script&gt;" in paths[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("student", ["../escape", "a/b", ".hidden", "", "a\\b"])
def test_unsafe_student_id_refused(results, tmp_path, student):
    """Is an id that could leave the feedback folder, or hide in it, refused before anything is written?"""
    results.append(SubmissionResult(student, "01_framing", "graded"))
    with pytest.raises(ValueError) as caught:
        write_feedback(results, tmp_path)
    assert isinstance(caught.value, PmleError)
    assert not (tmp_path / "feedback").exists()


def test_duplicate_student_id_refused(results, tmp_path):
    """Is a student appearing twice refused rather than one page silently overwriting the other?"""
    results.append(SubmissionResult("alice", "01_framing", "crashed"))
    with pytest.raises(ValueError, match="twice"):
        write_feedback(results, tmp_path)
