"""A one-lab course for tests of the grading machinery: one item per kind of checker, every cell instant.

The adversarial corpus (test_grade.py) attacks the grader, not a lab's content, so it runs on this lab,
with a short cell time limit, instead of on lab 01 (whose cells take seconds and whose time limit must
allow for a loaded machine). Item names and order follow lab 01's first part, so an attack reads the
same: `task_types` (2 points), then `framing` (1) and `not_ml` (1), later `decision`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from pmle.course import notebooks as nbu

LAB = "00_tiny"
FULL = 14  # automatic points
ROOT = Path(__file__).resolve().parents[1]

CHECKS = '''"""Checks of the tiny test lab: one item per kind of checker."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from pmle.course.labs import LabChecks, LabInfo
from pmle.feedback import (
    Case,
    check_array,
    check_choice,
    check_choices,
    check_function,
    check_mapping,
    check_number,
    check_pick,
    check_rows,
    check_set,
    check_shape,
)

lab = LabChecks(LabInfo(id="00_tiny", title="Tiny lab", datasets=(), minutes=(5, 10), exam_sections=(1,)))

TASK_TYPES = ["binary classification", "multiclass classification", "regression", "ranking", "clustering"]


@cache
def orders() -> pd.DataFrame:
    """The lab's data, rebuilt here (never read from the notebook)."""
    return pd.DataFrame({"amount": [3.0, 12.0, 7.5, 20.0, 1.0, 15.0, 4.0, 10.0],
                         "churned": [0, 1, 0, 1, 0, 1, 0, 0]}, index=range(10, 18))


def ref_label(frame: pd.DataFrame) -> pd.Series:
    return (frame["amount"] > 10).astype(int)


@lab.item("task_types", reads=["task_types"], explanation="Each output decides the task type.")
def task_types(a):
    check_mapping("task_types", a.task_types,
                  {"cancel": "binary classification", "tickets": "regression", "plan": "multiclass classification",
                   "homepage": "ranking", "segments": "clustering"},
                  options=TASK_TYPES, mistakes={("tickets", "multiclass classification"): "a count is a quantity."})


@lab.item("framing", reads=["framing"])
def framing(a):
    check_choice("framing", a.framing, "B", options=["A", "B", "C"], mistakes={"A": "it has no horizon."})


@lab.item("not_ml", reads=["not_ml"])
def not_ml(a):
    check_set("not_ml", a.not_ml, {"suspend", "invoice", "welcome"},
              mistakes=[({"suspend", "invoice"}, "a welcome e-mail follows a fixed rule too.")])


@lab.item("majority_scores", reads=["majority_accuracy", "majority_recall"])
def majority_scores(a):
    y = orders()["churned"]
    check_number("majority_accuracy", a.majority_accuracy, float((y == 0).mean()), atol=1e-9)
    check_number("majority_recall", a.majority_recall, 0.0, atol=1e-9,
                 mistakes=[(1.0, "that is the recall of the 'stays' class; churners are never flagged.")])


@lab.item("make_label", reads=["make_label"], uses={"make_label": "make_label"})
def make_label(a):
    frame = orders()
    cases = [Case((frame.copy(),), expected=ref_label(frame), about="on the orders"),
             Case((frame.iloc[::-1].copy(),), expected=ref_label(frame.iloc[::-1]), about="on rows in another order")]
    check_function("make_label", a.make_label, cases, aligned=True,
                   mistakes=[(lambda f: (f["amount"] >= 10).astype(int), "an amount of exactly 10 is not large.")])


@lab.item("big_orders", reads=["big_orders"])
def big_orders(a):
    frame = orders()
    check_rows("big_orders", a.big_orders, frame.index[frame["amount"] > 10],
               mistakes=[(lambda f: len(f) == int((frame["amount"] >= 7).sum()), "the cut is 10, not 7.")])


@lab.item("scaled", reads=["scaled"])
def scaled(a):
    amount = orders()["amount"].to_numpy()
    check_array("scaled", a.scaled, (amount - amount.mean()) / amount.std(), rtol=1e-6,
                mistakes=[((amount - amount.mean()) / amount.std(ddof=1), "use the population spread (ddof=0).")])


@lab.item("grid_shape", reads=["grid"])
def grid_shape(a):
    check_shape("grid", a.grid, (8, 2), mistakes=[((2, 8), "rows are orders, columns are features: transpose it.")])


@lab.item("best_cut", reads=["best_cut"])
def best_cut(a):
    frame = orders()
    scores = {cut: float(((frame["amount"] > cut).astype(int) == frame["churned"]).mean()) for cut in (5, 10, 13, 18)}
    check_pick("best_cut", a.best_cut, scores, score_name="accuracy", mistakes=[(18, "that misses a churner.")])


@lab.item("signals", reads=["signals"])
def signals(a):
    check_choices("signals", a.signals, {"amount"}, options=["amount", "order id", "row number"],
                  mistakes={"order id": "an id carries no signal."})


@lab.item("decision", reads=["decision"])
def decision(a):
    check_choice("decision", a.decision, "call", options=["call", "wait"], mistakes={"wait": "waiting loses them."})
'''

ANSWERS = [  # (item, reference answer, points); the answer cell is <item>_answer
    ("task_types", 'task_types = {"cancel": "binary classification", "tickets": "regression", "plan": "multiclass classification",\n'
     '              "homepage": "ranking", "segments": "clustering"}', 2),
    ("framing", 'framing = "B"', 1),
    ("not_ml", 'not_ml = {"suspend", "invoice", "welcome"}', 1),
    ("majority_scores", "majority_accuracy = float((orders['churned'] == 0).mean())\nmajority_recall = 0.0", 2),
    ("make_label", "def make_label(frame):\n    return (frame['amount'] > 10).astype(int)", 2),
    ("big_orders", "big_orders = orders[orders['amount'] > 10]", 1),
    ("scaled", "scaled = ((orders['amount'] - orders['amount'].mean()) / orders['amount'].std(ddof=0)).to_numpy()", 1),
    ("grid_shape", "grid = orders.to_numpy()", 1),
    ("best_cut", "best_cut = 10", 1),
    ("signals", 'signals = {"amount"}', 1),
    ("decision", 'decision = "call"', 1),
]


def cell(kind, source, **nbgrader):
    """A notebook cell with nbgrader metadata (for the small courses the tests build)."""
    made = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    if nbgrader:
        made.metadata.nbgrader = {"schema_version": 3, "task": False, **nbgrader}
    return made


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pmle = {"lab": LAB}
    nb.cells = [
        cell("markdown", "# Tiny lab"),
        cell("code", "import pandas as pd\nfrom pmle.lab import Lab\nlab = Lab('00_tiny')\n"
                      "orders = pd.DataFrame({'amount': [3.0, 12.0, 7.5, 20.0, 1.0, 15.0, 4.0, 10.0],\n"
                      "                       'churned': [0, 1, 0, 1, 0, 1, 0, 0]}, index=range(10, 18))",
              grade=False, solution=False, locked=True, grade_id="setup"),
    ]
    for gid, answer, points in ANSWERS:
        nb.cells.append(cell("markdown", f"Answer `{gid}`."))
        nb.cells.append(cell("code", f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION",
                              grade=False, solution=True, locked=False, grade_id=f"{gid}_answer"))
        nb.cells.append(cell("code", f'lab.check("{gid}")', grade=True, solution=False, locked=True,
                              grade_id=gid, points=points))
        if gid == "framing":
            nb.cells.append(cell("markdown", "Why this framing?"))
    nb.cells.append(cell("markdown", "Explain the decision.\n\n### BEGIN SOLUTION\nCalls pay.\n### END SOLUTION",
                          grade=True, solution=True, locked=False, grade_id="explain_decision", points=2))
    for i, made in enumerate(nb.cells):
        made.id = f"tiny-{i}"
    return nb


def one_lab_course(folder: Path, lab: str, checks: str, source: nbformat.NotebookNode) -> None:
    """A course folder of one lab: nbgrader's settings, the lab's checks module and its source notebook."""
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "autograder", folder / "autograder", ignore=shutil.ignore_patterns("*.md", "checks"))
    (folder / "autograder" / "checks").mkdir()
    (folder / "autograder" / "checks" / f"{lab}.py").write_text(checks)
    (folder / "solutions" / lab).mkdir(parents=True)
    nbformat.write(source, folder / "solutions" / lab / f"{lab}.ipynb")


def build(folder: Path) -> Path:
    """The tiny course in ``folder`` (solutions, checks, nbgrader's release), ready for `pmle grade`."""
    from pmle.course.release import release

    assert sum(points for *_, points in ANSWERS) == FULL
    one_lab_course(folder, LAB, CHECKS, source_notebook())
    assert release(folder) == [f"labs/{LAB}/{LAB}.ipynb"]
    return folder


def answered(folder: Path) -> nbformat.NotebookNode:
    """The release with the reference answers typed in, as a learner would hand it in."""
    nb = nbu.read(folder / "labs" / LAB / f"{LAB}.ipynb")
    answers = {nbu.grade_id(c): c.source for c in nbu.read(folder / "solutions" / LAB / f"{LAB}.ipynb").cells
               if nbu.is_solution(c)}
    for cell in nb.cells:
        if nbu.is_solution(cell):
            cell.source = answers[nbu.grade_id(cell)].replace("### BEGIN SOLUTION\n", "").replace("\n### END SOLUTION", "")
    return nb


def blank(folder: Path) -> nbformat.NotebookNode:
    return nbu.read(folder / "labs" / LAB / f"{LAB}.ipynb")
