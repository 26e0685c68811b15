"""Shared fixtures: the course root, and grading a notebook of a lab the way `pmle check` does."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from pmle.course import notebooks as nbu
from pmle.course import paths
from pmle.grading.results import LabResult
from pmle.grading.selfcheck import grade_notebook

ROOT = Path(__file__).resolve().parents[1]
LABS = paths.lab_ids(ROOT)


@pytest.fixture(scope="module")
def one_thread():
    """Small model fits in data tests: BLAS / OpenMP threads only add overhead and contention on 2 cores."""
    import sklearn.ensemble  # noqa: F401 - load the OpenMP / BLAS runtimes before limiting them
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def assert_columns(df, expected: dict[str, str]) -> None:
    """The frame has exactly these columns, in order, with these dtypes ("str": text that is not a category)."""
    import pandas as pd

    assert list(df.columns) == list(expected)
    for name, dtype in expected.items():
        if dtype == "str":
            assert pd.api.types.is_string_dtype(df[name].dtype), name
            assert not isinstance(df[name].dtype, pd.CategoricalDtype), name
        else:
            assert str(df[name].dtype) == dtype, (name, df[name].dtype)


def pytest_configure(config):
    """One folder for the whole run (all xdist workers): the results `grade` computed, and the log of notebook runs."""
    if "PMLE_TEST_RESULTS" not in os.environ:
        os.environ["PMLE_TEST_RESULTS"] = tempfile.mkdtemp(prefix="pmle-test-results-")
        config._pmle_results = os.environ["PMLE_TEST_RESULTS"]  # made here: removed here at the end
    os.environ.setdefault("PMLE_EXECUTION_LOG", os.path.join(os.environ["PMLE_TEST_RESULTS"], "executions.jsonl"))


def pytest_unconfigure(config):
    folder = getattr(config, "_pmle_results", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- scheduling (make test: -n auto --dist loadscope)

HEAVY_FIRST = ("test_grade.py", "test_labs.py", "test_grade_labs.py", "test_nbgrader_course.py", "test_notebook_check.py")
LAB_MODULES = ("test_labs.py", "test_grade_labs.py")


def scope_of(nodeid: str) -> str:
    """The unit of work one xdist worker takes whole: a lab (its tests in test_labs and test_grade_labs), else a module.

    A lab's tests share its cached notebook runs, so on one worker they never wait on each other's
    locks; every other module keeps its module-scoped fixtures on one worker.
    """
    path, _, name = nodeid.partition("::")
    if path.rsplit("/", 1)[-1] in LAB_MODULES:
        lab = next((lab for lab in LABS if name.endswith(f"[{lab}]")), None)
        if lab:
            return f"lab {lab}"
    return path


def pytest_xdist_make_scheduler(config, log):
    """Work units by `scope_of`, handed out as workers free up (xdist's loadgroup marks are not used: see
    pytest-dev/pytest-xdist#1386, they stopped working with pytest 9.2)."""
    from xdist.scheduler import LoadScopeScheduling

    class LabScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return LabScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """The longest units first (the adversarial corpus, then the labs), so the short ones fill in at the end."""
    def rank(item) -> int:
        name = item.path.name
        return HEAVY_FIRST.index(name) if name in HEAVY_FIRST else len(HEAVY_FIRST)

    items.sort(key=rank)


# ---------------------------------------------------------------- how many notebook runs each lab costs

# Notebook executions per lab in one run of the suite (pmle check / pmle grade / papermill / nbclient /
# nbgrader): what the design needs, so a change that multiplies them fails here instead of slowly
# growing the suite. Per lab: papermill (budget, in-kernel verdicts), check of the reference with every
# misconception forked, check of the blank, of the alternatives together and of one solo entry (fork
# agrees with solo), then grade in the sandbox of the reference (forked), the blank and the alternatives.
EXECUTIONS_PER_LAB = 8
EXTRA_EXECUTIONS = {  # lab-specific tests on top of the per-lab design
    "01_framing": 3 + 2 + 3,  # test_grade: right, wrong, blank; test_notebook_check: kernel and check of a
                              # worked copy; test_nbgrader_course: autograde of a right, a blank and a wrong copy
}


def execution_report(log: Path) -> tuple[list[str], list[str]]:
    """Lines of the per-lab report (runs, variants, seconds by kind) and the labs over their ceiling."""
    runs: dict[str, dict[str, list[float]]] = {}
    variants: dict[str, int] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            row = json.loads(line)
            runs.setdefault(row["lab"], {}).setdefault(row["kind"], []).append(row["seconds"])
            variants[row["lab"]] = variants.get(row["lab"], 0) + row.get("variants", 0)
    lines = [f"{'lab':<20} {'runs':>5} {'ceiling':>7} {'variants':>8} {'seconds':>8}  by kind (runs, seconds)"]
    over = []
    for lab in sorted(runs):
        kinds = runs[lab]
        count = sum(len(v) for v in kinds.values())
        ceiling = EXECUTIONS_PER_LAB + EXTRA_EXECUTIONS.get(lab, 0) if lab in LABS else None
        seconds = sum(sum(v) for v in kinds.values())
        detail = ", ".join(f"{k} {len(v)} {sum(v):.0f} s" for k, v in sorted(kinds.items()))
        lines.append(f"{lab:<20} {count:>5} {ceiling if ceiling is not None else '-':>7} {variants.get(lab, 0):>8} "
                     f"{seconds:>8.0f}  {detail}")
        if ceiling is not None and count > ceiling:
            over.append(f"{lab}: {count} notebook runs, over its ceiling of {ceiling}")
    return lines, over


def _is_controller(config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionfinish(session, exitstatus):
    """A lab whose notebook runs exceed the ceiling fails the run (a full run only: -k or a file picks fewer)."""
    config = session.config
    if not _is_controller(config) or not os.environ.get("PMLE_EXECUTION_LOG"):
        return
    lines, over = execution_report(Path(os.environ["PMLE_EXECUTION_LOG"]))
    config._pmle_report = lines, over
    if over and session.exitstatus == 0:
        session.exitstatus = 1


def time_by_group(reports) -> dict[str, float]:
    """Seconds of test time (setup, call and teardown) per scheduling group: each lab, then each other module."""
    totals: dict[str, float] = {}
    for report in reports:
        key = scope_of(report.nodeid).rsplit("/", 1)[-1]
        totals[key] = totals.get(key, 0.0) + report.duration
    return totals


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines, over = getattr(config, "_pmle_report", ([], []))
    if len(lines) > 1:
        terminalreporter.section("notebook runs per lab")
        for line in lines:
            terminalreporter.write_line(line)
    for problem in over:
        terminalreporter.write_line(f"FAILED execution ceiling: {problem}", red=True)
    if os.environ.get("PMLE_BENCH_TESTS"):
        reports = [r for key in ("passed", "failed", "error", "skipped") for r in terminalreporter.stats.get(key, [])
                   if hasattr(r, "duration") and hasattr(r, "nodeid")]
        totals = time_by_group(reports)
        terminalreporter.section("test time per lab and per module (seconds on one worker)")
        labs = {k: v for k, v in totals.items() if k.startswith("lab ")}
        for key, seconds in sorted(labs.items()):
            terminalreporter.write_line(f"{key:<40} {seconds:8.1f}")
        terminalreporter.write_line(f"{'all labs':<40} {sum(labs.values()):8.1f}")
        fixed = {k: v for k, v in totals.items() if k not in labs}
        for key, seconds in sorted(fixed.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{key:<40} {seconds:8.1f}")
        terminalreporter.write_line(f"{'fixed costs (everything but the labs)':<40} {sum(fixed.values()):8.1f}")


def grade(notebook, lab: str, workdir: Path | None = None, variants: list[dict] = ()) -> LabResult:
    """Grade an in-memory notebook of ``lab`` as `pmle check` does (with course-written ``variants``).

    Grading is deterministic, so within one test run the same notebook (byte for byte, with the same
    variants) is graded once: test_labs and test_grade_labs ask for many of the same notebooks. The
    first worker to ask computes it under a lock; the others wait and read its result.
    """
    import fcntl

    text = nbformat.writes(notebook)
    key = hashlib.sha256(f"{lab}\0{text}\0{json.dumps(list(variants), sort_keys=True)}".encode()).hexdigest()
    folder = os.environ.get("PMLE_TEST_RESULTS")
    if not folder:
        return grade_notebook(notebook, lab, ROOT, variants=variants)
    cache = Path(folder) / f"{key}.json"
    with open(cache.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cache.exists():
            return LabResult.from_dict(json.loads(cache.read_text()))
        result = grade_notebook(notebook, lab, ROOT, variants=variants)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result.as_dict()))
        os.replace(tmp, cache)
    return result


def source(lab: str):
    return nbu.read(paths.source_notebook(ROOT, lab))


def release(lab: str):
    return nbu.read(paths.release_notebook(ROOT, lab))


def lab_checks(lab: str):
    """The course-side checks of ``lab`` (autograder/checks/<lab>.py)."""
    from pmle.course import labs

    checks = labs.load(ROOT, lab)
    assert checks is not None, f"no autograder/checks/{lab}.py"
    return checks


@pytest.fixture
def verdict():
    """verdict(lab, item, cell_errors=None, untouched=(), **answers) -> Verdict, as `pmle check` gives on those values.

    For the lab modules' unit tests: an item runs on in-memory answers, no notebook is executed.
    """
    def run(lab: str, item: str, cell_errors=None, untouched=(), **answers):
        return lab_checks(lab).run(item, answers, cell_errors or {}, untouched, copy_args=True)

    return run
