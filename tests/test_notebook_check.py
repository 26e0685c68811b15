"""Does the check cell under each answer show, in the notebook, the verdict `pmle check` gives?

Lab 01 is worked the way a learner does it in JupyterLab (a real kernel runs every cell, in order):
a wrong Q1, a Q2 answer cell that raises, a right Q3, a make_label that returns a Series with a lost
index, and everything else untouched. Each check cell must show one verdict (no traceback, no error
output, nothing on stderr), equal in status and message to what `pmle check` says of the same saved
notebook; an untouched answer cell shows one line instead of a NotImplementedError traceback.
"""

from __future__ import annotations

import html
import time

import nbformat
import pytest
from nbclient import NotebookClient

from pmle.course import notebooks as nbu
from pmle.grading.trusted import log_execution
from pmle.lab import VERDICT_MIME, Lab, Points, show

from conftest import grade, release

LAB = "01_framing"
WRONG_Q1 = ('task_types = {"cancel": "binary classification", "tickets": "multiclass classification",\n'
            '              "plan": "multiclass classification", "homepage": "ranking", "segments": "clustering"}')
ANSWERS = {
    "task_types_answer": WRONG_Q1,
    "framing_answer": 'framing = "B"\nraise ValueError("I changed my mind")',
    "not_ml_answer": 'not_ml = {"suspend", "invoice", "welcome"}',
    "make_label_answer": ("def make_label(frame, horizon_days=30):\n"
                          "    end = frame['snapshot_date'] + pd.Timedelta(days=horizon_days)\n"
                          "    c = frame['cancelled_at']\n"
                          "    return ((c > frame['snapshot_date']) & (c <= end)).astype(int).reset_index(drop=True)"),
}
EXPECTED = {"task_types": "wrong", "framing": "error", "not_ml": "pass", "make_label": "wrong",
            "time_split": "not attempted", "decision": "not attempted"}


@pytest.fixture(scope="module")
def worked(tmp_path_factory):
    """The learner's notebook, executed in a kernel the way JupyterLab runs it, and `pmle check`'s verdicts of it."""
    nb = release(LAB)
    for cell in nb.cells:
        if nbu.grade_id(cell) in ANSWERS:
            cell.source = ANSWERS[nbu.grade_id(cell)]
    folder = tmp_path_factory.mktemp("work")
    executed = nbformat.from_dict(nbformat.from_dict(nb))
    started = time.monotonic()
    NotebookClient(executed, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    log_execution(LAB, "nbclient", time.monotonic() - started)
    checked = grade(nb, LAB)
    return executed, {i.item: i for i in checked.items}


def shown(cell) -> list[dict]:
    return [o["data"][VERDICT_MIME] for o in cell.get("outputs", []) if VERDICT_MIME in o.get("data", {})]


def test_each_check_cell_shows_the_verdict_pmle_check_gives(worked):
    """Same status and same message in the notebook as from `pmle check`, for every item?"""
    executed, checked = worked
    seen = {}
    for cell in executed.cells:
        if nbu.is_test(cell):
            verdicts = shown(cell)
            assert len(verdicts) == 1, (nbu.grade_id(cell), cell.outputs)
            seen[nbu.grade_id(cell)] = verdicts[0]
    assert set(seen) == {name for name, i in checked.items() if i.kind == "auto"}
    differences = [f"{name}: notebook {v['status']} {v['message']!r} != check {checked[name].status} {checked[name].message!r}"
                   for name, v in seen.items() if (v["status"], v["message"]) != (checked[name].status, checked[name].message)]
    assert not differences, "\n".join(differences)
    for name, status in EXPECTED.items():
        assert seen[name]["status"] == status, (name, seen[name])
    assert "a ticket count is a quantity" in seen["task_types"]["message"]
    assert "ValueError: I changed my mind" in seen["framing"]["message"]
    assert "index" in seen["make_label"]["message"]


def test_check_cells_raise_nothing_and_write_no_stderr(worked):
    """Do check cells end without an error output or stderr (so Run All goes on, and nbgrader is not misled)?"""
    executed, _ = worked
    for cell in executed.cells:
        if nbu.is_test(cell):
            kinds = [(o["output_type"], o.get("name")) for o in cell.outputs]
            assert ("error", None) not in kinds and ("stream", "stderr") not in kinds, (nbu.grade_id(cell), kinds)


def test_wrong_answers_report_zero_points_to_nbgrader(worked):
    """Does a failing check cell's result read as 0 points in nbgrader, and a passing one give none?"""
    executed, _ = worked
    for cell in executed.cells:
        if nbu.is_test(cell):
            results = [o for o in cell.outputs if o["output_type"] == "execute_result"]
            status = shown(cell)[0]["status"]
            if status == "pass":
                assert not results
            else:
                assert [r["data"]["text/plain"] for r in results] == ["0"], nbu.grade_id(cell)


def test_an_untouched_answer_cell_shows_one_line(worked):
    """Does `raise NotImplementedError()` in an untouched answer show one line, not a traceback?"""
    executed, _ = worked
    cell = next(c for c in executed.cells if nbu.grade_id(c) == "time_split_answer")
    errors = [o for o in cell.outputs if o["output_type"] == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1
    assert "Not attempted yet: replace `raise NotImplementedError()`" in errors[0]["traceback"][0]


def test_an_unwritten_function_is_named_not_ipythons_internals(capsys):
    """Does a call to a function still raising NotImplementedError name that function, never IPython's own?"""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell(f"from pmle.lab import Lab\nlab = Lab({LAB!r})")
    shell.run_cell("def make_label(frame):\n    raise NotImplementedError()")
    capsys.readouterr()
    shell.run_cell("make_label(None)")
    first = capsys.readouterr().out
    shell.run_cell("framing = None\nraise NotImplementedError()")
    second = capsys.readouterr().out
    assert "`make_label` still raises NotImplementedError" in first and "run_code" not in first
    assert "replace `raise NotImplementedError()`" in second and len(second.strip().splitlines()) == 1


def test_in_jupyterlab_a_failed_check_leaves_no_empty_result_row(monkeypatch):
    """In a person's JupyterLab session, does a failing check return nothing (0 points only for nbgrader)?"""
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: None)
    lab = Lab(LAB)
    globals()["framing"] = "A"
    try:
        monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/01_framing.ipynb")
        assert lab.check("framing") is None
        monkeypatch.delenv("JPY_SESSION_NAME")
        assert repr(lab.check("framing")) == "0"
    finally:
        globals().pop("framing", None)


def test_a_pass_offers_the_worked_explanation(worked):
    """After a pass, can the worked explanation be opened (folded), and is it absent after a failure?"""
    executed, _ = worked
    by_id = {nbu.grade_id(c): c for c in executed.cells if nbu.is_test(c)}

    def page(name):
        return next(o["data"]["text/html"] for o in by_id[name].outputs if VERDICT_MIME in o.get("data", {}))

    assert "<details" in page("not_ml") and "Worked explanation" in page("not_ml")
    assert "<details" not in page("task_types")


def test_learner_text_is_escaped_in_the_verdict(monkeypatch):
    """Is learner text that reaches the verdict's HTML escaped?"""
    import IPython.display

    from pmle.grading.verdict import Verdict

    pages = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: pages.append(obj))
    show(Verdict("framing", "wrong", "`framing` = '<script>alert(1)</script>': no.\n- <img src=x onerror=alert(2)>"))
    page = pages[0]["text/html"]
    assert "<script>" not in page and "<img" not in page and html.escape("<script>") in page


def test_without_the_course_side_the_visible_check_says_so(monkeypatch):
    """In a release-only copy, does the check say the full check runs at grading, name a missing answer, and give 0?"""
    lab = Lab(LAB)
    lab._looked, lab._checks = True, None
    pages = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: pages.append(obj))
    globals()["framing"] = "B"  # the check reads its caller's globals, as in a notebook
    try:
        result = lab.check("framing")
        assert isinstance(result, Points) and repr(result) == "0"
        assert "full check runs when your lab is graded" in pages[-1]["text/plain"]
        globals()["framing"] = None
        lab.check("framing")
        assert pages[-1][VERDICT_MIME]["status"] == "not attempted"
    finally:
        globals().pop("framing", None)


def test_solution_is_revealed_on_request(monkeypatch):
    """Does lab.solution() show the worked explanation before any pass?"""
    shown_objects = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown_objects.append(obj))
    Lab(LAB).solution("framing")
    assert "ties the label to a horizon" in shown_objects[-1].data


def test_every_lab_names_itself_in_its_metadata():
    """Does every source and release notebook carry its lab id, so the lab is never guessed from a file name?"""
    from conftest import LABS, source

    for lab in LABS:
        assert nbu.lab_of(source(lab)) == lab and nbu.lab_of(release(lab)) == lab


def test_manifest_lists_every_item(root):
    """Does the package's public manifest list every lab's items and the names they grade?"""
    from pmle.course import labs
    from pmle.lab import _manifest

    manifest = _manifest()
    for checks in labs.all_labs(root):
        assert {k: tuple(v) for k, v in manifest[checks.info.id]["items"].items()} == {
            i.id: i.reads for i in checks.items.values()}


def test_check_all_points_to_the_terminal_outside_jupyter(tmp_path, monkeypatch, capsys):
    """Outside a Jupyter session (no saved notebook to find), does check_all say what to run instead?"""
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    Lab(LAB).check_all()
    assert "pmle check 01" in capsys.readouterr().out

