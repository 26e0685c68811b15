"""Does one verdict model turn every outcome of an item's check into the right status and one message?"""

from __future__ import annotations

import warnings

import pytest

from pmle import feedback
from pmle.course.labs import Answers, LabChecks, LabInfo, carry_forward
from pmle.grading.verdict import STATUSES, judge

INFO = LabInfo(id="00_toy", title="Toy", datasets=(), minutes=(1, 2), exam_sections=(1,))


def toy() -> LabChecks:
    lab = LabChecks(INFO)

    @lab.item("x", reads=["x"], explanation="Because.")
    def x(a):
        feedback.check_number("x", a.x, 3, mistakes=[(2, "off by one")])

    @lab.item("y", reads=["y"], uses={"x": "x"})
    def y(a):
        feedback.require_answer("y", a.y)
        feedback.check_number("y", a.y, a.x * 10)

    @lab.item("silent", reads=["x"])
    def silent(a):
        return a.x  # confirms nothing

    @lab.item("buggy", reads=["x"])
    def buggy(a):
        return {}["missing"]

    @lab.item("noisy", reads=["x"])
    def noisy(a):
        warnings.warn("lbfgs failed to converge")
        feedback.check_number("x", a.x, 3)

    @lab.item("calls", reads=["f"])
    def calls(a):
        feedback.check_function("f", a.f, [feedback.Case((1,), {}, 2, "with 1")])

    return lab


@pytest.mark.parametrize("item, values, errors, status, fragment", [
    ("x", {"x": 3}, {}, "pass", "`x` is correct"),
    ("x", {"x": 2}, {}, "wrong", "off by one"),
    ("x", {"x": 7}, {}, "wrong", "expected about 3"),
    ("x", {"x": None}, {}, "not attempted", "placeholder"),
    ("x", {}, {}, "not attempted", "`x` is not defined yet"),
    ("x", {"x": 3}, {"x": "ValueError: bad"}, "error", "raised an error (ValueError: bad)"),
    ("y", {"y": 20, "x": 2}, {}, "pass", "`y` is correct"),
    ("y", {"y": 30}, {}, "blocked", "builds on your `x`"),
    ("y", {"y": 30, "x": 3}, {"x": "KeyError: 'k'"}, "blocked", "its cell raised an error (KeyError"),
    ("x", {"x": 3}, {"x": "ValueError: \nAll the 4 fits failed.\nDetails"}, "error", "(ValueError: All the 4 fits failed.)"),
    ("y", {"y": None, "x": 3}, {}, "not attempted", "placeholder"),
    ("silent", {"x": 3}, {}, "error", "without confirming a pass"),
    ("buggy", {"x": 3}, {}, "error", "fault in the lab's checks"),
    ("noisy", {"x": 3}, {}, "pass", "correct"),
    ("calls", {"f": lambda v: v + 1}, {}, "pass", "correct"),
    ("calls", {"f": lambda v: 1 / 0}, {}, "error", "raised ZeroDivisionError"),
    ("calls", {"f": lambda v: (_ for _ in ()).throw(NotImplementedError())}, {}, "not attempted", "NotImplementedError"),
])
def test_outcomes_become_statuses(item, values, errors, status, fragment):
    """Does each kind of outcome give its status, with a message that says what to do?"""
    verdict = toy().run(item, values, errors)
    assert verdict.status == status and verdict.status in STATUSES
    assert fragment in verdict.message, verdict.message


def test_a_checker_warning_never_reaches_stderr(capsys):
    """Are warnings raised while checking silenced (nbgrader scores a test cell with stderr output as 0)?"""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert toy().run("noisy", {"x": 3}).passed
    assert capsys.readouterr().err == ""


def test_passthrough_exceptions_propagate():
    """Do the grader's own exceptions (a sandbox timeout, say) escape the verdict instead of becoming one?"""
    class Timeout(Exception):
        pass

    def run():
        raise Timeout()

    with pytest.raises(Timeout):
        judge("x", run, passthrough=(Timeout,))


def test_a_learner_exception_type_cannot_forge_a_verdict():
    """Is an exception that merely looks like a checker's (same name, not the class) a course fault, not a verdict?"""
    class Incorrect(Exception):  # noqa: N818 - the learner's look-alike
        pass

    def run():
        raise Incorrect("pass")

    assert judge("x", run).status == "error"


def test_pass_notes_are_recorded_only_while_judging():
    """Does a pass confirmed outside a check (learner code calling `passed`) record nothing?"""
    feedback.passed("x")
    assert judge("x", lambda: None).status == "error"


def test_undeclared_names_are_a_course_fault():
    """Does an item that reads a name it did not declare fail as a fault of the checks, not of the learner?"""
    lab = LabChecks(INFO)

    @lab.item("z", reads=["z"])
    def z(a):
        feedback.check_number("z", a.other, 1)

    assert lab.run("z", {"z": 1, "other": 1}).status == "error"


def test_items_are_declared_once():
    """Is a grade id declared twice refused?"""
    lab = toy()
    with pytest.raises(ValueError):
        lab.item("x", reads=["x"])(lambda a: None)


def test_answers_copy_what_the_learner_function_gets():
    """In the learner's kernel, does their function get a copy of what a check passes it?"""
    import pandas as pd

    frame = pd.DataFrame({"v": [1, 2]})

    def mutate(f):
        f["v"] = 0
        return f

    lab = toy()
    answers = Answers(lab.items["calls"], {"f": mutate}, copy_args=True)
    answers.f(frame)
    assert frame["v"].tolist() == [1, 2]


def test_carry_forward_picks_the_known_behaviour():
    """Does carry_forward name the known implementation a learner function matches, and the reference otherwise?"""
    def reference(v):
        return v + 1

    def mistake(v):
        return v

    calls = [(1,), (5,)]
    assert carry_forward(lambda v: v, calls, [reference, mistake]) is mistake
    assert carry_forward(lambda v: v * 7, calls, [reference, mistake]) is reference
    assert carry_forward(lambda v: 1 / 0, calls, [reference, mistake]) is reference


def test_a_dead_sandbox_is_never_a_learner_error():
    """Does a sandbox failure inside a learner call escape the checkers and the verdict, to end the grading?"""
    from pmle.grading.sandbox import SandboxError

    def dead(v):
        raise SandboxError("timeout", "no answer within 30 s")

    with pytest.raises(SandboxError):
        toy().run("calls", {"f": dead})
    with pytest.raises(SandboxError):
        carry_forward(dead, [(1,)], [lambda v: v])


def test_a_worked_answer_on_a_missing_earlier_one_is_blocked_naming_it():
    """Is an answer the learner worked on, that fails because an earlier answer is missing, blocked and not "not attempted"?"""
    lab = toy()
    blocked = lab.run("y", {"y": None}, {}, untouched=set())
    assert blocked.status == "blocked" and "builds on your `x`" in blocked.message
    untouched = lab.run("y", {"y": None}, {}, untouched={"y"})
    assert untouched.status == "not attempted", "an untouched blank stays not attempted"
    assert lab.run("y", {}, {}).status == "not attempted", "a name never defined stays not attempted"
    failing = lab.run("y", {"y": 5}, {"y": "TypeError: x is None", "x": "ValueError: no"})
    assert failing.status == "blocked"
    assert lab.run("y", {"y": 7, "x": 2}).status == "wrong", "a wrong answer on a working earlier one is wrong"


def test_names_include_what_the_earlier_items_read():
    """Are the earlier items' own names fetched too, so their state can be judged?"""
    assert set(toy().names("y")) == {"y", "x"}


def test_an_answer_cell_that_does_not_compile_is_an_error():
    """Is an answer whose cell has a SyntaxError reported as an error in the learner's code, not "not attempted"?"""
    from pmle.course.notebooks import bound_names

    errors = {name: "SyntaxError: f-string: expecting '}'" for name in bound_names('x = f"{"a"}"')}
    verdict = toy().run("x", {}, errors)
    assert verdict.status == "error" and "SyntaxError" in verdict.message
