"""Do the checkers tell not attempted, wrong (with the mistake named), learner error and correct apart?"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmle.feedback import (
    AnswerError,
    Case,
    Incorrect,
    NotAttempted,
    check_choice,
    check_choices,
    check_function,
    check_mapping,
    check_number,
    check_pick,
    check_rows,
    check_set,
    record_passes,
    same_values,
    stop_recording,
)


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def test_placeholder_is_not_attempted():
    """Is a None or ... answer reported as not attempted rather than wrong?"""
    for value in (None, ...):
        with pytest.raises(NotAttempted):
            check_choice("q", value, "B", options=["A", "B"])


def test_choice_names_the_mistake():
    """Does a recognised wrong option produce its own message, and the right one confirm a pass?"""
    with pytest.raises(Incorrect, match="leakage"):
        check_choice("q", "c", "B", options=["A", "B", "C"], mistakes={"C": "this is leakage"})
    notes: list[str] = []
    token = record_passes(notes)
    try:
        check_choice("q", " b ", "B", options=["A", "B", "C"])
    finally:
        stop_recording(token)
    assert notes == ["`q` is correct."]


def test_aligned_results_are_compared_by_label_not_position():
    """With aligned=True, is a Series in another order accepted, and one with a lost index refused by name?"""
    frame = pd.DataFrame({"v": [1, 2, 3]}, index=["a", "b", "c"])
    want = pd.Series([0, 1, 1], index=frame.index)
    case = [Case((frame,), {}, want, "on three rows")]
    check_function("f", lambda f: (f["v"] > 1).astype(int).iloc[::-1], case, aligned=True)
    with pytest.raises(Incorrect, match="does not carry the input frame's index"):
        check_function("f", lambda f: (f["v"] > 1).astype(int).reset_index(drop=True).set_axis([5, 6, 7]), case,
                       aligned=True)
    with pytest.raises(Incorrect, match="must return a pandas Series"):
        check_function("f", lambda f: (f["v"] > 1).astype(int).to_numpy(), case, aligned=True)


def test_choice_rejects_unknown_options_and_forged_equality():
    """Is an answer outside the options, or an object claiming equality with everything, rejected?"""
    with pytest.raises(Incorrect, match="must be one of"):
        check_choice("q", "E", "B", options=["A", "B"])
    with pytest.raises(Incorrect):
        check_choice("q", AlwaysEqual(), "B", options=["A", "B"])
    with pytest.raises(Incorrect):
        check_number("x", AlwaysEqual(), 1.0)


def test_choices_explain_extra_and_missing():
    """Does a multiple-select answer say which picks are wrong and which are missing?"""
    with pytest.raises(Incorrect) as info:
        check_choices("s", {"a", "c"}, {"a", "b"}, options=["a", "b", "c"], mistakes={"c": "c is a rule"})
    assert "c is a rule" in info.value.message and "'b' is missing" in info.value.message
    with pytest.raises(Incorrect, match="set or list"):
        check_choices("s", "a", {"a"}, options=["a"])


def test_mapping_reports_each_wrong_key():
    """Does a dict answer list every wrong key, and an all-None dict count as not attempted?"""
    options = ["x", "y"]
    with pytest.raises(NotAttempted):
        check_mapping("m", {"k1": None, "k2": None}, {"k1": "x", "k2": "y"}, options=options)
    with pytest.raises(Incorrect, match="k2.*swap") as info:
        check_mapping("m", {"k1": "x", "k2": "x"}, {"k1": "x", "k2": "y"}, options=options, mistakes={("k2", "x"): "swap"})
    assert "1 of 2" in info.value.message


def test_number_tolerance_and_misconception():
    """Is a value within tolerance accepted and a recorded wrong value named?"""
    check_number("a", 0.9001, 0.9, atol=1e-3)
    with pytest.raises(Incorrect, match="training rows"):
        check_number("a", 0.87, 0.9, atol=1e-3, mistakes=[(0.87, "accuracy on the training rows")])
    with pytest.raises(Incorrect, match="boolean"):
        check_number("a", True, 1.0)
    with pytest.raises(Incorrect, match="NaN"):
        check_number("a", float("nan"), 1.0)


def test_function_cases_mistakes_and_errors():
    """Are fresh cases run, a known wrong implementation named, and the learner's exception reported as theirs?"""
    cases = [Case((3,), {}, 9, "on 3")]
    check_function("sq", lambda x: x * x, cases)
    with pytest.raises(Incorrect, match="doubled"):
        check_function("sq", lambda x: 2 * x, cases, mistakes=[(lambda x: x + x, "you doubled")])
    with pytest.raises(AnswerError, match="ZeroDivisionError"):
        check_function("sq", lambda x: 1 / 0, cases)

    def stub(x):
        raise NotImplementedError()

    with pytest.raises(NotAttempted):
        check_function("sq", stub, cases)
    with pytest.raises(NotAttempted, match="return"):
        check_function("sq", lambda x: None, cases)


def test_same_values_accepts_equivalent_containers():
    """Do a list, a Series of bools and an array of ints count as the same values?"""
    assert same_values(pd.Series([True, False]), np.array([1, 0]))
    assert same_values([1.0, 2.0], pd.Series([1, 2], index=["a", "b"]))
    assert not same_values(np.array([1, 0, 0]), np.array([1, 0]))
    assert same_values(np.array(["a", "b"]), np.array(["a", "b"], dtype=object))
    assert not same_values(True, 1.0)


def test_set_rows_and_pick():
    """Are set answers, row selections and scored picks judged with their mistakes?"""
    check_set("cols", ["a", "b"], {"b", "a"})
    with pytest.raises(Incorrect, match="post-outcome"):
        check_set("cols", ["a"], {"a", "b"}, mistakes=[({"a"}, "post-outcome column missed")])
    frame = pd.DataFrame({"t": [1, 1, 2]}, index=[10, 11, 12])
    check_rows("test", frame[frame.t == 2], [12])
    with pytest.raises(Incorrect, match="mixes"):
        check_rows("test", frame, [12], mistakes=[(lambda f: f.t.nunique() > 1, "mixes times")])
    with pytest.raises(Incorrect, match="duplicated"):
        check_rows("test", pd.concat([frame, frame]), [10, 11, 12])
    scores = {5: 0.3, 6: 0.4, 7: 0.399}
    check_pick("d", 7, scores, tol=0.002)
    with pytest.raises(Incorrect, match="test"):
        check_pick("d", 5, scores, tol=0.002, mistakes=[(5, "best on test")])
    with pytest.raises(Incorrect, match="candidates"):
        check_pick("d", 99, scores)


def test_incorrect_renders_without_traceback():
    """Does IPython show an Incorrect as one short message instead of a traceback?"""
    lines = Incorrect("first\nsecond")._render_traceback_()
    assert len(lines) == 2 and "first" in lines[0] and "Traceback" not in "".join(lines)


def test_shape_checks():
    """Is a shape compared axis by axis, with wildcards and named mistakes?"""
    from pmle.feedback import check_shape

    check_shape("X", np.zeros((5, 3)), (None, 3))
    with pytest.raises(Incorrect, match="transposed"):
        check_shape("X", np.zeros((3, 5)), (5, 3), mistakes=[((3, 5), "transposed")])
    with pytest.raises(Incorrect, match="array or DataFrame"):
        check_shape("X", [1, 2], (2,))


def test_array_checks():
    """Is an array of numbers compared element-wise, with shape errors, NaN and named mistakes?"""
    from pmle.feedback import check_array

    check_array("rmse", [0.2, 0.3], np.array([0.2, 0.3001]), rtol=0.01)
    check_array("rmse", pd.Series([1, 2]), [1.0, 2.0])
    with pytest.raises(NotAttempted):
        check_array("rmse", None, [1.0])
    with pytest.raises(Incorrect, match="test set"):
        check_array("rmse", [0.5, 0.6], [0.2, 0.3], rtol=0.01, mistakes=[([0.5, 0.6], "scored on the test set")])
    with pytest.raises(Incorrect, match="shape"):
        check_array("rmse", [0.2, 0.3, 0.4], [0.2, 0.3])
    with pytest.raises(Incorrect, match="NaN"):
        check_array("rmse", [np.nan, 0.3], [0.2, 0.3])
    with pytest.raises(Incorrect, match="element 1"):
        check_array("rmse", [0.2, 0.9], [0.2, 0.3], rtol=0.01)
    with pytest.raises(Incorrect, match="numbers"):
        check_array("rmse", ["a", "b"], [0.2, 0.3])
    with pytest.raises(Incorrect, match="array or list"):
        check_array("rmse", 0.2, [0.2])


def test_pick_tolerates_rebuilt_float_candidates():
    """Is 0.15000000000000002 from np.arange taken as the candidate 0.15?"""
    check_pick("t", np.arange(0.01, 0.51, 0.01)[14], {0.14: 1.0, 0.15: 2.0}, tol=0.0)


def test_a_near_miss_shows_digits_enough_to_tell_the_two_apart():
    """Is a value just outside the tolerance shown with the digits that differ, never as "0.9951, expected about 0.995"?"""
    with pytest.raises(Incorrect) as info:
        check_number("auc", 0.99506, 0.99504, atol=1e-6)
    assert "0.995060, expected about 0.995040 (off by 2e-05)" in info.value.message
    with pytest.raises(Incorrect) as info:
        check_number("auc", 0.9951, 0.995, atol=1e-6)
    assert "0.99510, expected about 0.99500" in info.value.message  # same decimals: not one number rounded
    with pytest.raises(Incorrect) as info:
        check_number("n", 7, 3)
    assert "`n` = 7, expected about 3." in info.value.message
    from pmle.feedback import check_array

    with pytest.raises(Incorrect) as info:
        check_array("costs", [3650.25, 4400.5], [3650.0, 4400.5], rtol=1e-6)
    assert "element 0 is 3650.25, expected about 3650.00" in info.value.message
    with pytest.raises(Incorrect) as info:
        check_pick("t", 5, {5: 0.80004, 6: 0.80006})
    assert "0.800040" in info.value.message and "0.800060" in info.value.message


def test_a_frame_or_series_is_shown_by_its_values_in_one_line():
    """Is a DataFrame, Series or array in a message summarised in one line that shows values, not a cut repr?"""
    frame = pd.DataFrame(np.arange(40).reshape(10, 4), columns=["customer_id", "tenure_months", "plan", "churned"],
                         index=range(500, 510))
    with pytest.raises(Incorrect) as info:
        check_number("rate", frame, 0.2)
    message = info.value.message
    assert "\n" not in message and "a DataFrame of 10 rows x 4 columns" in message
    assert "its first row (500): customer_id=0, tenure_months=1" in message
    with pytest.raises(Incorrect) as info:
        check_choice("q", pd.Series([0.25, 0.5], index=[7, 9]), "A", options=["A", "B"])
    assert "a Series of 2 values [0.25, 0.5] with index [7, 9]" in info.value.message
    cases = [Case((3,), {}, np.array([1.0, 2.0, 3.0]), "on 3")]
    with pytest.raises(Incorrect) as info:
        check_function("f", lambda n: np.array([1.0, 2.5, 3.0]), cases)
    message = info.value.message
    assert "an array of 3 values [1, 2.5, 3]" in message and "(element 1: 2.500, expected about 2.000)" in message


def test_a_reset_index_is_named_not_counted():
    """Does a selection of the right size with renumbered rows say the index labels differ, not "n missing, n extra"?"""
    frame = pd.DataFrame({"t": [1, 1, 2, 2]}, index=[10, 11, 12, 13])
    right = frame[frame.t == 2]
    with pytest.raises(Incorrect) as info:
        check_rows("test", right.reset_index(drop=True), [12, 13])
    message = info.value.message
    assert "the index labels differ; keep the original index" in message and "missing" not in message
    with pytest.raises(Incorrect) as info:  # renumbered labels that happen to overlap the expected ones
        check_rows("test", right.set_axis([11, 12]), [12, 13])
    assert "1 of its index labels are not the expected rows'" in info.value.message
    assert "the index labels differ; keep the original index" in info.value.message
    with pytest.raises(Incorrect) as info:
        check_rows("test", frame.reset_index(drop=True), [12, 13])
    assert "2 of the expected rows are missing and 4 rows should not be there" in info.value.message
    assert "if you reset it, keep the original index" in info.value.message
    with pytest.raises(Incorrect) as info:
        check_rows("test", frame, [12, 13])
    assert "expected 2: 2 rows should not be there (rows are compared by index label)." in info.value.message
    assert "reset" not in info.value.message
