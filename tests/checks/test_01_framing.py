"""Unit tests of lab 01's checks (autograder/checks/01_framing.py): items on in-memory answers, no notebook run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import lab_checks

LAB = "01_framing"
ref = lab_checks(LAB).module


def right_label(frame, horizon_days=30):
    end = frame["snapshot_date"] + pd.Timedelta(days=horizon_days)
    return ((frame["cancelled_at"] > frame["snapshot_date"]) & (frame["cancelled_at"] <= end)).astype(int)


def right_rule(frame, days):
    inactive = frame["days_since_last_login"]
    return (inactive.isna() | (inactive > days)).astype(int)


def best_of(rule):
    return max(ref.rule_scores(rule)[0], key=ref.rule_scores(rule)[0].get)


TASKS = {"cancel": "binary classification", "tickets": "regression", "plan": "multiclass classification",
         "homepage": "ranking", "segments": "clustering"}


def test_every_test_cell_of_the_lab_has_an_item():
    """Does the module declare exactly the notebook's auto-graded items, in notebook order?"""
    from pmle.course import notebooks as nbu

    from conftest import source

    cells = [nbu.grade_id(c) for c in source(LAB).cells if nbu.is_test(c)]
    assert list(lab_checks(LAB).items) == cells


@pytest.mark.parametrize("item, answers", [
    ("task_types", {"task_types": TASKS}),
    ("framing", {"framing": "B"}),
    ("framing", {"framing": " b "}),
    ("not_ml", {"not_ml": ["welcome", "invoice", "suspend"]}),
    ("make_label", {"make_label": right_label}),
    ("majority_baseline", {"majority_baseline": lambda y, n: np.full(n, pd.Series(y).mode()[0])}),
    ("rule_predict", {"rule_predict": right_rule}),
    ("net_value", {"net_value": ref.ref_net_value}),
])
def test_right_answers_pass(verdict, item, answers):
    """Does a right answer (including a differently written one) pass?"""
    result = verdict(LAB, item, **answers)
    assert result.status == "pass", result.message


def test_time_split_accepts_reordered_rows(verdict):
    """Is the split judged by which rows it holds, not by their order?"""
    frame = ref.snapshots()
    last = frame["snapshot_date"].max()
    train, test = frame[frame["snapshot_date"] < last], frame[frame["snapshot_date"] == last]
    assert verdict(LAB, "time_split", train=train.sample(frac=1, random_state=0), test=test.iloc[::-1]).passed


def test_time_split_names_a_random_split(verdict):
    """Is a random split named as one?"""
    frame = ref.snapshots()
    test = frame.sample(frac=0.2, random_state=0)
    result = verdict(LAB, "time_split", train=frame.drop(test.index), test=test)
    assert result.status == "wrong" and "random split" in result.message


@pytest.mark.parametrize("item, answers, fragment", [
    ("task_types", {"task_types": {**TASKS, "tickets": "multiclass classification"}}, "a ticket count is a quantity"),
    ("framing", {"framing": "C"}, "leakage from the future"),
    ("framing", {"framing": "E"}, "must be one of"),
    ("not_ml", {"not_ml": {"suspend", "invoice"}}, "`welcome` is a schedule"),
    ("make_label", {"make_label": lambda f, horizon_days=30: f["cancelled_at"].notna().astype(int)}, "*ever* cancelled"),
    ("make_label", {"make_label": lambda f, horizon_days=30: right_label(f, horizon_days).reset_index(drop=True)},
     "does not carry the input frame's index"),
    ("make_label", {"make_label": lambda f, horizon_days=30: right_label(f, horizon_days).to_numpy()},
     "must return a pandas Series"),
    ("rule_predict", {"rule_predict": lambda f, days: (f["days_since_last_login"] > days).fillna(False).astype(int)},
     "never-users"),
    ("net_value", {"net_value": next(f for f, m in ref.NET_VALUE_MISTAKES if "save_rate" in m)},
     "multiply the value of the true positives by `save_rate`"),
    ("majority_scores", {"majority_accuracy": float(ref.labels()[ref.is_test()].mean()), "majority_recall": 0.0},
     "share of churners"),
])
def test_recorded_mistakes_are_named(verdict, item, answers, fragment):
    """Does a recorded misconception lose the item with a message that names it?"""
    result = verdict(LAB, item, **answers)
    assert result.status == "wrong", result
    assert fragment in result.message


@pytest.mark.parametrize("item, answers", [
    ("framing", {"framing": None}),
    ("framing", {}),
    ("make_label", {"make_label": lambda frame, horizon_days=30: (_ for _ in ()).throw(NotImplementedError())}),
    ("best_days", {"best_days": None, "rule_predict": right_rule}),
    ("time_split", {"train": None, "test": None}),
])
def test_missing_answers_are_not_attempted(verdict, item, answers):
    """Is an untouched placeholder (or no answer at all) "not attempted", never "wrong"?"""
    assert verdict(LAB, item, untouched=set(answers), **answers).status == "not attempted"


def test_a_failing_answer_cell_is_an_error_in_the_learners_code(verdict):
    """Does an answer whose cell raised show as an error that quotes it?"""
    result = verdict(LAB, "framing", cell_errors={"framing": "ValueError: oops"}, framing="B")
    assert result.status == "error" and "ValueError: oops" in result.message


def test_a_function_that_raises_is_reported_as_the_learners_error(verdict):
    """Is a learner function's exception reported as theirs, in one line?"""
    def broken(frame, horizon_days=30):
        raise KeyError("snapshot")

    result = verdict(LAB, "make_label", make_label=broken)
    assert result.status == "error" and "KeyError" in result.message and "\n" not in result.message


def test_best_days_is_scored_with_the_learners_own_rule():
    """Is a rule mistake charged once: best_days tuned with the never-user mistake still earns its points?"""
    wrong_rule, _ = ref.RULE_MISTAKES[0]
    checks = lab_checks(LAB)
    best = best_of(wrong_rule)
    assert checks.run("best_days", {"best_days": best, "rule_predict": wrong_rule}).passed
    if best != best_of(ref.ref_rule):
        assert not checks.run("best_days", {"best_days": best, "rule_predict": right_rule}).passed


def test_best_days_names_tuning_on_test(verdict):
    """Is a threshold tuned on June named as tuned on the test month?"""
    test_f1 = ref.rule_scores(ref.ref_rule)[2]
    on_test = max(test_f1, key=test_f1.get)
    if on_test != best_of(ref.ref_rule):
        result = verdict(LAB, "best_days", best_days=on_test, rule_predict=right_rule)
        assert "best value on `test`" in result.message


def test_an_oracle_rule_is_scored_as_the_reference():
    """Does a rule that matches no known behaviour (say, one that reads the labels) gain nothing?"""
    def oracle(frame, days):
        return ref.labels().reindex(frame.index).fillna(0).astype(int)

    assert ref.carry_forward(oracle, [(ref.snapshots(), 10)], [ref.ref_rule]) is ref.ref_rule


def test_monthly_gain_carries_the_learners_net_value(verdict):
    """Is a gain computed with a recorded net_value mistake accepted, and the sign flip named?"""
    wrong_value, _ = ref.NET_VALUE_MISTAKES[0]
    days = best_of(ref.ref_rule)
    y_test = ref.labels()[ref.is_test()].to_numpy()
    rule_pred = ref.ref_rule(ref.test_frame(), days)

    def gain(value):
        args = (ref.VALUE_SAVED, ref.COST_CALL, ref.SAVE_RATE)
        return value(y_test, ref.model_predictions(), *args) - value(y_test, rule_pred, *args)

    common = {"best_days": days, "rule_predict": right_rule}
    assert verdict(LAB, "monthly_gain", monthly_gain=gain(wrong_value), net_value=wrong_value, **common).passed
    assert verdict(LAB, "monthly_gain", monthly_gain=gain(ref.ref_net_value), net_value=ref.ref_net_value, **common).passed
    flipped = verdict(LAB, "monthly_gain", monthly_gain=-gain(ref.ref_net_value), net_value=ref.ref_net_value, **common)
    assert "sign is flipped" in flipped.message


def test_decision_follows_the_money(verdict):
    """Is the decision the option with the best monthly net, and a wrong one explained in euros?"""
    days = best_of(ref.ref_rule)
    model, rule = ref.june_values(type("A", (), {"has": lambda self, n: False})())
    nets = {"model": model - ref.MODEL_RUN_COST, "rule": rule, "nothing": 0.0}
    best = max(nets, key=nets.get)
    assert verdict(LAB, "decision", decision=best, best_days=days, rule_predict=right_rule).passed
    wrong = next(option for option in nets if option != best)
    result = verdict(LAB, "decision", decision=wrong, best_days=days, rule_predict=right_rule)
    assert result.status == "wrong" and "€" in result.message


def test_items_do_not_change_the_learners_objects(verdict):
    """Do the learner's functions get copies, so an answer that mutates its input cannot corrupt the references?"""
    def mutating(frame, days):
        frame["days_since_last_login"] = 0
        return right_rule(frame, days)

    before = ref.snapshots()["days_since_last_login"].copy()
    verdict(LAB, "best_days", best_days=10, rule_predict=mutating)
    assert ref.snapshots()["days_since_last_login"].equals(before)


def test_a_gain_computed_on_an_unwritten_net_value_is_blocked(verdict):
    """Does a worked monthly_gain whose net_value still raises NotImplementedError name net_value, not "placeholder"?"""
    def stub(y_true, y_pred, value_saved, cost_call, save_rate):
        raise NotImplementedError()

    result = verdict(LAB, "monthly_gain", monthly_gain=None, net_value=stub, best_days=30, rule_predict=right_rule)
    assert result.status == "blocked" and "`net_value`" in result.message
    blank = verdict(LAB, "monthly_gain", untouched={"monthly_gain"}, monthly_gain=None, net_value=stub)
    assert blank.status == "not attempted"


@pytest.mark.parametrize("baseline, fragment", [
    (lambda y, n: np.full(n, np.max(y)), "largest label"),
    (lambda y, n: np.full(n, pd.Series(y).value_counts().idxmin()), "*least* frequent"),
])
def test_majority_baseline_names_label_order_mistakes(verdict, baseline, fragment):
    """Is a baseline that takes the largest or the rarest label refused, by name?"""
    result = verdict(LAB, "majority_baseline", majority_baseline=baseline)
    assert result.status == "wrong" and fragment in result.message


def test_net_value_tells_all_churners_from_a_missing_save_rate(verdict):
    """Is counting every churner (called or not) named as such?"""
    def all_churners(y_true, y_pred, value_saved, cost_call, save_rate):
        return float((np.asarray(y_true) == 1).sum() * save_rate * value_saved - (np.asarray(y_pred) == 1).sum() * cost_call)

    result = verdict(LAB, "net_value", net_value=all_churners)
    assert "every churner, called or not" in result.message


def test_best_days_names_a_position_given_for_the_value(verdict):
    """Is `int(np.argmax(rule_f1))` (a position) named as the position of the best candidate?"""
    best = best_of(ref.ref_rule)
    result = verdict(LAB, "best_days", best_days=ref.CANDIDATE_DAYS.index(best), rule_predict=right_rule)
    assert result.status == "wrong" and "*position*" in result.message


def test_a_split_that_lost_its_index_is_named(verdict):
    """Is a split with reset_index named as having lost the original index?"""
    frame = ref.snapshots()
    last = frame["snapshot_date"].max()
    result = verdict(LAB, "time_split", train=frame[frame["snapshot_date"] < last],
                     test=frame[frame["snapshot_date"] == last].reset_index(drop=True))
    assert "keep the original index" in result.message
