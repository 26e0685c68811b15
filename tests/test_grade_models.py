"""Can a learner's estimator attack the trusted side of `pmle grade`? The adversarial corpus for models.

An item that takes a learner's model must look at it and fit it. The trusted side rebuilds only
allow-listed scikit-learn classes whose parameters are data (pmle.grading.trusted.REBUILDABLE, a deep
parameter walk), and fits nothing a learner chose: `fit_clean` / `run_clean` fit in a clean sandbox of
their own, under the cell's deadline. The cases are the red team's: a search whose parameter grid
sets a pipeline's `memory` (a joblib cache, to make the grader unpickle a crafted file), returned only
when the grader calls; a cache set directly; a transformer holding a learner function; a fit that
never ends in C code (liblinear with tol=1e-300). A one-item lab keeps this corpus small.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from tiny_course import cell, one_lab_course

from pmle.course import notebooks as nbu
from pmle.grading import classroom
from pmle.grading.sandbox import isolation_available

LAB = "00_models"
CELL_TIMEOUT = 8  # seconds: the reference's cells take about two (a clean sandbox starts for the fit)

CHECKS = '''"""Checks of the model test lab: one item that looks at the learner's pipeline and fits it."""

import numpy as np
import pandas as pd

from pmle.course.labs import LabChecks, LabInfo
from pmle.feedback import Incorrect, fit_clean, passed, require_answer, run_clean

lab = LabChecks(LabInfo(id="00_models", title="Model lab", datasets=(), minutes=(5, 10), exam_sections=(1,)))


def frame():
    rs = np.random.default_rng(3)
    X = pd.DataFrame({"a": rs.normal(size=60), "b": rs.normal(size=60)})
    return X, (X["a"] + 0.3 * rs.normal(size=60) > 0).astype(int)


@lab.item("make_model", reads=["make_model"])
def make_model(a):
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import Pipeline

    require_answer("make_model", a.make_model)
    model = a.make_model()
    if not isinstance(model, Pipeline):
        raise Incorrect(f"`make_model` must return a plain scikit-learn Pipeline; got a {type(model).__name__} "
                        "that the grader does not rebuild (a search, a cache, a function of your own).")
    X, y = frame()
    proba = np.asarray(fit_clean(model, X, y).predict_proba(X))[:, 1]
    folds = np.asarray(run_clean(cross_val_score, model, X, y, cv=KFold(3), scoring="roc_auc"))
    if roc_auc_score(y, proba) < 0.8 or folds.mean() < 0.8:
        raise Incorrect("the fitted pipeline does not rank the positives first.")
    passed("make_model")
'''

REFERENCE = ("from sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\n"
             "from sklearn.linear_model import LogisticRegression\n\n"
             "def make_model():\n    return make_pipeline(StandardScaler(), LogisticRegression())")


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pmle = {"lab": LAB}
    nb.cells = [
        cell("markdown", "# Model lab"),
        cell("code", f"### BEGIN SOLUTION\n{REFERENCE}\n### END SOLUTION", grade=False, solution=True, locked=False,
             grade_id="make_model_answer"),
        cell("code", 'lab.check("make_model")', grade=True, solution=False, locked=True, grade_id="make_model",
             points=1),
    ]
    for i, made in enumerate(nb.cells):
        made.id = f"models-{i}"
    return nb


def submission(course: Path, code: str) -> nbformat.NotebookNode:
    nb = nbu.read(course / "labs" / LAB / f"{LAB}.ipynb")
    next(c for c in nb.cells if nbu.grade_id(c) == "make_model_answer").source = code
    return nb


GRADER_ONLY = (  # the honest pipeline when the learner calls it, the attack when the grader does
    "import sys\n\ndef _by_grader():\n    f = sys._getframe(2)\n    while f is not None:\n"
    "        if f.f_code.co_name == 'op_call':\n            return True\n        f = f.f_back\n    return False\n\n"
)


def cases(target: Path) -> dict[str, tuple[str, str, float, str]]:
    """name -> (answer code, expected status, score, text the message or detail must contain)."""
    return {
        "correct": (REFERENCE, "graded", 1, ""),
        "grid_memory_for_grader": (
            REFERENCE + "\n\n_honest = make_model\n" + GRADER_ONLY +
            "from sklearn.model_selection import GridSearchCV\n\ndef make_model():\n    if not _by_grader():\n"
            "        return _honest()\n"
            f"    return make_pipeline(GridSearchCV(_honest(), {{'memory': [{str(target)!r}]}}))",
            "graded", 0, "does not rebuild"),
        "pipeline_memory": (
            REFERENCE.replace("make_pipeline(StandardScaler(), LogisticRegression())",
                              f"make_pipeline(StandardScaler(), LogisticRegression(), memory={str(target)!r})"),
            "graded", 0, "does not rebuild"),
        "learner_function_step": (
            REFERENCE.replace("make_pipeline(StandardScaler(), LogisticRegression())",
                              "make_pipeline(FunctionTransformer(lambda X: X), LogisticRegression())")
            .replace("import StandardScaler", "import StandardScaler, FunctionTransformer"),
            "graded", 0, "does not rebuild"),
        "endless_fit": (
            REFERENCE.replace("LogisticRegression()", "LogisticRegression(solver='liblinear', dual=True, tol=1e-300, "
                                                      "max_iter=2**31 - 1)"),
            "timeout", 0, "at `make_model`: still running after"),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    assert isolation_available(), "these tests need root on Linux (as in CI): the sandbox is what they test"
    from pmle.course.release import release

    tmp = tmp_path_factory.mktemp("models")
    course = tmp / "course"
    course.mkdir()
    one_lab_course(course, LAB, CHECKS, source_notebook())
    release(course)
    target = tmp / "cache-planted-by-the-learner"
    subs = tmp / "subs"
    subs.mkdir()
    for name, (code, *_) in cases(target).items():
        nbformat.write(submission(course, code), subs / f"{name}.ipynb")
    settings = classroom.Settings(workers=2, cell_timeout=CELL_TIMEOUT, notebook_timeout=120, gradebook=None)
    result = classroom.grade_class(LAB, subs, tmp / "out", settings, course)
    return {r.student: r for r in result.results}, target


@pytest.mark.parametrize("name", list(cases(Path("/x"))))
def test_a_learner_model_is_judged_without_harm(graded, name):
    """Is each model scored as it deserves, with the attack refused or cut off, and no cache written anywhere?"""
    results, target = graded
    _, status, score, text = cases(target)[name]
    got = results[name]
    item = got.items[0]
    assert (got.status, got.score) == (status, score), (got.status, got.score, got.detail, item.message)
    assert text in (got.detail if status != "graded" else item.message), (got.detail, item.message)
    assert not os.path.lexists(target), "a learner-chosen cache folder was created"
