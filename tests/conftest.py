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
from pmle.grading.results import ItemResult, LabResult
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
    """One folder for the whole run (all xdist workers) where `grade` keeps the results it computed."""
    if "PMLE_TEST_RESULTS" not in os.environ:
        os.environ["PMLE_TEST_RESULTS"] = tempfile.mkdtemp(prefix="pmle-test-results-")
        config._pmle_results = os.environ["PMLE_TEST_RESULTS"]  # made here: removed here at the end


def pytest_unconfigure(config):
    folder = getattr(config, "_pmle_results", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def grade(notebook, lab: str, workdir: Path) -> LabResult:
    """Grade an in-memory notebook of ``lab`` as `pmle check` does.

    Grading is deterministic, so within one test run the same notebook (byte for byte) is graded
    once: test_labs and test_grade_labs ask for many of the same notebooks (the reference, the blank,
    each misconception group). The code and the data do not change during a run.
    """
    text = nbformat.writes(notebook)
    key = hashlib.sha256(f"{lab}\0{text}".encode()).hexdigest()
    cache = Path(os.environ["PMLE_TEST_RESULTS"]) / f"{key}.json" if os.environ.get("PMLE_TEST_RESULTS") else None
    if cache is not None and cache.exists():
        data = json.loads(cache.read_text())
        return LabResult(data["lab"], data["notebook"], [ItemResult(**i) for i in data["items"]], data["detail"])
    result = grade_notebook(notebook, lab, ROOT)
    if cache is not None:
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
