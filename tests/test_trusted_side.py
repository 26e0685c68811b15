"""Does the trusted side of `pmle grade` give up root, see only one lab, and stop when a check overruns in C?

The checks run in a child of the grading worker (pmle.grading.trusted.supervise). These tests replace
a check by a probe (the child is forked from this process, so it inherits the probe): what it reports
from inside is what any check could do there.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import tiny_course

from pmle.grading import trusted
from pmle.grading.sandbox import isolation_available
from pmle.grading.verdict import Verdict

from conftest import ROOT

pytestmark = pytest.mark.skipif(not isolation_available(), reason="needs root on Linux, as in CI")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return tiny_course.build(tmp_path_factory.mktemp("tiny-course"))


def grade_with(course, tmp_path, probe, cell_timeout=10.0):
    notebook = tmp_path / "sub.ipynb"
    import nbformat

    nbformat.write(tiny_course.answered(course), notebook)
    job = trusted.Job("probe", tiny_course.LAB, str(notebook), str(course), cell_timeout=cell_timeout,
                      notebook_timeout=120, isolate=True)
    original = trusted.Grader.check_item

    def check_item(self, gid, deadline):
        if gid == "framing":
            self.verdicts[gid] = Verdict(gid, "pass", json.dumps(probe()))
        else:
            original(self, gid, deadline)

    trusted.Grader.check_item = check_item
    try:
        return trusted.grade(job)
    finally:
        trusted.Grader.check_item = original


def facts() -> dict:
    import socket
    import subprocess

    def readable(path):
        try:
            return bool(os.listdir(path)) if os.path.isdir(path) else bool(open(path, "rb").read(1))
        except OSError:
            return False

    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1).close()
        network = "connected"
    except OSError as exc:
        network = type(exc).__name__
    return {
        "uid": os.getuid(), "euid": os.geteuid(), "groups": os.getgroups(), "network": network,
        "own_checks": readable(f"{os.environ.get('PMLE_PROBE_COURSE')}/autograder/checks/00_tiny.py"),
        "other_solution": readable(str(ROOT / "solutions" / "01_framing" / "01_framing.ipynb")),
        "other_checks": readable(str(ROOT / "autograder" / "checks" / "01_framing.py")),
        "tests": readable(str(ROOT / "tests")), "git": readable(str(ROOT / ".git")), "home": readable("/root/.bashrc"),
        "processes": len([p for p in os.listdir("/proc") if p.isdigit()]),
        "user_ns": subprocess.run(["unshare", "-Ur", "true"], capture_output=True).returncode,
        "hostname": socket.gethostname(),
    }


def test_checks_run_without_root_and_see_one_lab(course, tmp_path, monkeypatch):
    """Is the trusted child an unprivileged uid, offline, unable to make user namespaces, blind to other labs?"""
    monkeypatch.setenv("PMLE_PROBE_COURSE", str(course))
    result = grade_with(course, tmp_path, facts)
    seen = json.loads(next(i for i in result.items if i.item == "framing").message)
    assert result.status == "graded" and result.score == tiny_course.FULL, result.detail
    assert seen["uid"] != 0 and seen["euid"] != 0 and seen["groups"] == [], seen
    assert seen["network"] != "connected" and seen["user_ns"] != 0, seen
    assert seen["own_checks"], seen
    assert not any(seen[k] for k in ("other_solution", "other_checks", "tests", "git", "home")), seen
    assert seen["processes"] <= 3 and seen["hostname"] != os.uname().nodename, seen


def hang_in_c() -> dict:
    import re

    re.match(r"(a+)+$", "a" * 64 + "b")  # catastrophic backtracking: C code that never checks for signals
    return {}


def test_a_check_stuck_in_c_is_killed_from_outside(course, tmp_path):
    """Does the parent stop a check that no alarm can interrupt, at its cell's deadline, keeping earlier verdicts?"""
    started = time.monotonic()
    result = grade_with(course, tmp_path, hang_in_c, cell_timeout=10.0)
    took = time.monotonic() - started
    by_item = {i.item: i for i in result.items}
    assert result.status == "timeout" and "at `framing`: still running after 10 s" in result.detail, result.detail
    assert by_item["task_types"].status == "pass" and by_item["not_ml"].status == "not run"
    assert took < 10.0 + trusted.GRACE + 20, took


def test_a_cell_the_parser_cannot_hold_keeps_the_grading_going():
    """A lone surrogate or a 60,000-term expression in a learner cell must not crash the checks (red-team B3)."""
    from pmle.course.notebooks import bound_names

    assert bound_names("x = '\ud800'") == {"x"}
    assert bound_names("total = 0" + " + 1" * 60000) == {"total"}
