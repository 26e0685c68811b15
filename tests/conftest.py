"""Shared fixtures: the course root, and grading a notebook of a lab the way `pmle check` does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pmle.course import notebooks as nbu
from pmle.course import paths
from pmle.grading.selfcheck import LabResult, grade_notebook

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


def grade(notebook, lab: str, workdir: Path) -> LabResult:
    """Grade an in-memory notebook of ``lab`` in a scratch copy of the lab's folder."""
    folder = workdir / lab
    if not folder.exists():
        shutil.copytree(ROOT / "labs" / lab, folder)
    return grade_notebook(notebook, lab, ROOT, folder)


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
    """verdict(lab, item, cell_errors=None, **answers) -> Verdict, as `pmle check` gives on those values.

    For the lab modules' unit tests: an item runs on in-memory answers, no notebook is executed.
    """
    def run(lab: str, item: str, cell_errors=None, **answers):
        return lab_checks(lab).run(item, answers, cell_errors or {}, copy_args=True)

    return run
