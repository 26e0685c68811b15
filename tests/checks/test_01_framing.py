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


TASKS = {"cancel": "binary classification", "margin": "regression", "tickets": "time-series forecasting",
         "addon": "multiclass classification", "urgency": "ordinal classification", "homepage": "ranking",
         "segments": "clustering"}
BQML = {"cancel": "LOGISTIC_REG", "margin": "LINEAR_REG", "tickets": "ARIMA_PLUS", "segments": "KMEANS",
        "homepage": "MATRIX_FACTORIZATION"}
FRAMING = {"cancel": "B", "tickets": "C", "addon": "A"}


def labelled():
    """The data as the notebook has it after the label cell (with `churn_label`)."""
    return ref.snapshots().assign(churn_label=ref.labels())


def nobody():
    """Answers with no earlier answer defined: items fall back on the reference."""
    return type("A", (), {"has": lambda self, name: False})()


def reference_table(**columns):
    """The reference back-test as the learner's notebook would hold it, with ``columns`` replaced."""
    expected = ref.reference_backtest(nobody())
    table = pd.DataFrame({c: [min(v) for v in expected[c]] for c in ("model", "rule")}, index=list(ref.backtest_months()))
    table["net_gain"] = table["model"] - table["rule"] - ref.MODEL_RUN_COST
    for name, values in columns.items():
        table[name] = values
    return table


def test_every_test_cell_of_the_lab_has_an_item():
    """Does the module declare exactly the notebook's auto-graded items, in notebook order?"""
    from pmle.course import notebooks as nbu

    from conftest import source

    cells = [nbu.grade_id(c) for c in source(LAB).cells if nbu.is_test(c)]
    assert list(lab_checks(LAB).items) == cells


@pytest.mark.parametrize("item, answers", [
    ("task_types", {"task_types": TASKS}),
    ("bqml_model_types", {"bqml_model_types": BQML}),
    ("framing", {"framing": FRAMING}),
    ("framing", {"framing": {**FRAMING, "cancel": " b "}}),
    ("not_ml", {"not_ml": ["welcome", "invoice", "suspend"]}),
    ("make_label", {"make_label": right_label}),
    ("majority_baseline", {"majority_baseline": lambda y, n: np.full(n, pd.Series(y).mode()[0])}),
    ("rule_predict", {"rule_predict": right_rule}),
    ("net_value", {"net_value": ref.ref_net_value}),
    ("break_even_threshold", {"break_even_threshold": lambda value_saved, cost_call, save_rate: cost_call / save_rate / value_saved}),
])
def test_right_answers_pass(verdict, item, answers):
    """Does a right answer (including a differently written one) pass?"""
    result = verdict(LAB, item, **answers)
    assert result.status == "pass", result.message


def test_time_split_accepts_reordered_rows(verdict):
    """Is the split judged by which rows it holds, not by their order?"""
    frame = labelled()
    last = frame["snapshot_date"].max()
    train, test = frame[frame["snapshot_date"] < last], frame[frame["snapshot_date"] == last]
    assert verdict(LAB, "time_split", train=train.sample(frac=1, random_state=0), test=test.iloc[::-1]).passed


def test_time_split_needs_every_column(verdict):
    """Is a split that kept the right rows but dropped columns (the label, a feature) refused, by name?"""
    frame = labelled()
    last = frame["snapshot_date"].max()
    result = verdict(LAB, "time_split", train=frame[frame["snapshot_date"] < last][["snapshot_date", "churn_label"]],
                     test=frame[frame["snapshot_date"] == last])
    assert result.status == "wrong" and "keep every column" in result.message


def test_time_split_names_a_random_split(verdict):
    """Is a random split named as one?"""
    frame = labelled()
    test = frame.sample(frac=0.2, random_state=0)
    result = verdict(LAB, "time_split", train=frame.drop(test.index), test=test)
    assert result.status == "wrong" and "random split" in result.message


@pytest.mark.parametrize("item, answers, fragment", [
    ("task_types", {"task_types": {**TASKS, "tickets": "multiclass classification"}}, "a ticket count is a quantity"),
    ("task_types", {"task_types": {**TASKS, "tickets": "regression"}}, "time-series forecasting"),
    ("task_types", {"task_types": {**TASKS, "urgency": "multiclass classification"}}, "the four grades are ordered"),
    ("bqml_model_types", {"bqml_model_types": {**BQML, "tickets": "LINEAR_REG"}}, "ARIMA_PLUS models each region's series"),
    ("bqml_model_types", {"bqml_model_types": {**BQML, "segments": "PCA"}}, "PCA compresses features"),
    ("framing", {"framing": {**FRAMING, "cancel": "C"}}, "leakage from the future"),
    ("framing", {"framing": {**FRAMING, "tickets": "B"}}, "next week's outages are not known on Friday"),
    ("framing", {"framing": {**FRAMING, "addon": "B"}}, "after the sign-up page is shown"),
    ("framing", {"framing": {**FRAMING, "cancel": "E"}}, "is not one of"),
    ("framing", {"framing": "B"}, "must be a dict"),
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
    ("majority_scores", {"majority_accuracy": 100 * float(1 - ref.labels()[ref.is_test()].mean()), "majority_recall": 0.0},
     "percentage"),
    ("break_even_threshold", {"break_even_threshold": lambda value_saved, cost_call, save_rate: cost_call / value_saved},
     "with probability `save_rate`"),
    ("break_even_threshold", {"break_even_threshold": lambda value_saved, cost_call, save_rate: 12 / (0.3 * 180)},
     "whatever its arguments"),
    ("break_even_threshold",
     {"break_even_threshold": lambda value_saved, cost_call, save_rate: cost_call / (cost_call + save_rate * value_saved)},
     "gross of its call"),
])
def test_recorded_mistakes_are_named(verdict, item, answers, fragment):
    """Does a recorded misconception lose the item with a message that names it?"""
    result = verdict(LAB, item, **answers)
    assert result.status == "wrong", result
    assert fragment in result.message


@pytest.mark.parametrize("item, answers", [
    ("framing", {"framing": None}),
    ("framing", {"framing": {"cancel": None, "tickets": None, "addon": None}}),
    ("backtest", {"backtest": None}),
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


def test_backtest_is_matched_by_month_not_by_position(verdict):
    """Does a back-test pass with its rows in another order, indexed by strings or periods, or with a month column?"""
    table = reference_table()
    assert verdict(LAB, "backtest", backtest=table).passed
    assert verdict(LAB, "backtest", backtest=table.iloc[::-1]).passed
    assert verdict(LAB, "backtest", backtest=table.set_axis([f"{m:%Y-%m}" for m in table.index])).passed
    assert verdict(LAB, "backtest", backtest=table.set_axis(pd.PeriodIndex(table.index, freq="M"))).passed
    assert verdict(LAB, "backtest", backtest=table.rename_axis("month").reset_index().sample(frac=1, random_state=1)).passed


@pytest.mark.parametrize("variant, fragment", [
    ("team_threshold", "F1 threshold"),
    ("reused", "trained on January to May"),
    ("in_sample", "trained on"),
    ("with_month", "`<=` instead of `<`"),
])
def test_backtest_names_wrong_model_columns(verdict, variant, fragment):
    """Is a model column at the F1 threshold, from the January-May model, on training months or with a leak named?"""
    if variant == "team_threshold":
        column = ref.model_column(ref.team_threshold(), ref.ref_net_value)
    else:
        column = ref.model_column(ref.ref_break_even(180, 12, 0.3), ref.ref_net_value, variant)
    model = [min(v) for v in column]
    table = reference_table(model=model)
    table["net_gain"] = table["model"] - table["rule"] - ref.MODEL_RUN_COST
    result = verdict(LAB, "backtest", backtest=table)
    assert result.status == "wrong" and fragment in result.message, result.message


@pytest.mark.parametrize("variant, fragment", [("f1", "tuned by F1"), ("same_month", "tuned on the month it is scored on")])
def test_backtest_names_wrong_rule_columns(verdict, variant, fragment):
    """Is a rule tuned by F1, or on the month it scores, named?"""
    rule = [min(v) for v in ref.rule_column(ref.ref_rule, ref.ref_net_value, variant)]
    table = reference_table(rule=rule)
    table["net_gain"] = table["model"] - table["rule"] - ref.MODEL_RUN_COST
    result = verdict(LAB, "backtest", backtest=table)
    assert result.status == "wrong" and fragment in result.message, result.message


@pytest.mark.parametrize("gain, fragment", [
    (lambda t: t["model"] - t["rule"], "before the model's running cost"),
    (lambda t: t["model"] - t["rule"] - ref.COST_CALL, "cost of one call"),
    (lambda t: t["rule"] - t["model"] - ref.MODEL_RUN_COST, "sign is flipped"),
    (lambda t: t["model"] - ref.MODEL_RUN_COST, "subtract what the rule already earns"),
])
def test_backtest_names_a_gain_net_of_the_wrong_cost(verdict, gain, fragment):
    """Is a net gain without the running cost, net of a call's cost, flipped or without the rule named?"""
    table = reference_table()
    table["net_gain"] = gain(table)
    result = verdict(LAB, "backtest", backtest=table)
    assert result.status == "wrong" and fragment in result.message, result.message


def test_backtest_refuses_the_wrong_months(verdict):
    """Is a back-test with January and February, or without June, refused by name?"""
    table = reference_table()
    extra = pd.concat([table.iloc[:1].set_axis([pd.Timestamp("2025-02-28")]), table])
    result = verdict(LAB, "backtest", backtest=extra)
    assert result.status == "wrong" and "2025-02" in result.message and "too few earlier months" in result.message
    result = verdict(LAB, "backtest", backtest=table.iloc[:3])
    assert result.status == "wrong" and "no row for 2025-06" in result.message
    result = verdict(LAB, "backtest", backtest=table.reset_index(drop=True))
    assert result.status == "wrong" and "indexed by month" in result.message


def test_backtest_carries_the_learners_net_value(verdict):
    """Is a back-test computed with a recorded net_value mistake accepted (the mistake was charged at net_value)?"""
    wrong_value, _ = ref.NET_VALUE_MISTAKES[1]
    threshold = ref.ref_break_even(180, 12, 0.3)
    table = pd.DataFrame({"model": [min(v) for v in ref.model_column(threshold, wrong_value)],
                          "rule": [min(v) for v in ref.rule_column(ref.ref_rule, wrong_value)]},
                         index=list(ref.backtest_months()))
    table["net_gain"] = table["model"] - table["rule"] - ref.MODEL_RUN_COST
    assert verdict(LAB, "backtest", backtest=table, net_value=wrong_value).passed
    assert not verdict(LAB, "backtest", backtest=table, net_value=ref.ref_net_value).passed


def test_backtest_accepts_any_tied_best_rule_days(verdict):
    """When two numbers of days tie for the best earlier net value, does the rule column accept either?"""
    column = ref.rule_column(ref.ref_rule, ref.ref_net_value)
    tied = [i for i, values in enumerate(column) if len(values) > 1]
    assert tied, "the data has no tie (the test needs one to be meaningful)"
    rule = [max(v) for v in column]
    table = reference_table(rule=rule)
    table["net_gain"] = table["model"] - table["rule"] - ref.MODEL_RUN_COST
    assert verdict(LAB, "backtest", backtest=table).passed


def test_decision_is_the_pilot_on_this_back_test(verdict):
    """Is a side-by-side pilot the answer for this back-test, and a full roll-out or shelving explained in euros?"""
    expected, facts = ref.decide(reference_table())
    assert expected == "pilot" and 0 < facts["paid"] < facts["months"]
    assert verdict(LAB, "decision", decision="pilot", backtest=reference_table()).passed
    for wrong in ("model", "rule", "nothing"):
        result = verdict(LAB, "decision", decision=wrong, backtest=reference_table())
        assert result.status == "wrong" and "€" in result.message and "3 of 4" in result.message, result.message


def test_decision_follows_the_learners_back_test_when_it_is_a_known_one(verdict):
    """Is the decision scored on the learner's own back-test when a recorded mistake gives it (a mistake costs once)?"""
    no_save_rate, _ = ref.NET_VALUE_MISTAKES[2]
    expected, _ = ref.decide(pd.DataFrame(
        {"model": [min(v) for v in ref.model_column(ref.ref_break_even(180, 12, 0.3), no_save_rate)],
         "rule": [min(v) for v in ref.rule_column(ref.ref_rule, no_save_rate)]}))
    assert verdict(LAB, "decision", decision=expected, net_value=no_save_rate).passed


@pytest.mark.parametrize("model, rule, expected", [
    ([4000, 4100, 4200, 4300], [1000, 1000, 1000, 1000], "model"),
    ([2600, 2700, 2400, 3000], [1000, 1000, 1000, 1000], "pilot"),
    ([2000, 2100, 1900, 2200], [1000, 1000, 1000, 1000], "rule"),
    ([1000, 900, 1200, 1100], [-200, -100, -300, -50], "nothing"),
])
def test_decide_rolls_out_only_a_clear_winner(model, rule, expected):
    """Does the decision rule roll out a clear winner, pilot a thin lead, keep the rule when the model does not pay?"""
    assert ref.decide(pd.DataFrame({"model": model, "rule": rule}))[0] == expected


def test_make_label_names_an_ignored_horizon(verdict):
    """Is a window that ignores horizon_days (a calendar month, the global, a fixed 30) named as such, not as off by one?"""
    def calendar_month(frame, horizon_days=30):
        end = frame["snapshot_date"] + pd.DateOffset(months=1)
        return ((frame["cancelled_at"] > frame["snapshot_date"]) & (frame["cancelled_at"] <= end)).astype(int)

    def fixed(frame, horizon_days=30):
        return right_label(frame, 30)

    for wrong in (calendar_month, fixed):
        result = verdict(LAB, "make_label", make_label=wrong)
        assert result.status == "wrong" and "ignores `horizon_days`" in result.message and "off by one" not in result.message


def test_rule_predict_needs_the_frames_index_on_a_series(verdict):
    """Is a rule returning a Series with a new index refused, while a bare array or boolean Series passes?"""
    def lost_index(frame, days):
        return pd.Series(np.where(frame["days_since_last_login"].isna() | (frame["days_since_last_login"].fillna(0) > days), 1, 0))

    result = verdict(LAB, "rule_predict", rule_predict=lost_index)
    assert result.status == "wrong" and "index" in result.message
    assert verdict(LAB, "rule_predict", rule_predict=lambda f, d: np.asarray(right_rule(f, d))).passed
    assert verdict(LAB, "rule_predict", rule_predict=lambda f, d: right_rule(f, d).astype(bool)).passed


def test_net_value_tells_no_call_cost_from_only_wasted_calls(verdict):
    """Is leaving out every call's cost named as such, not as charging only the wasted calls?"""
    def no_costs(y_true, y_pred, value_saved, cost_call, save_rate):
        return float(((np.asarray(y_pred) == 1) & (np.asarray(y_true) == 1)).sum() * save_rate * value_saved)

    result = verdict(LAB, "net_value", net_value=no_costs)
    assert "left out the cost of the calls" in result.message


def test_items_do_not_change_the_learners_objects(verdict):
    """Do the learner's functions get copies, so an answer that mutates its input cannot corrupt the references?"""
    def mutating(frame, days):
        frame["days_since_last_login"] = 0
        return right_rule(frame, days)

    before = ref.snapshots()["days_since_last_login"].copy()
    verdict(LAB, "best_days", best_days=10, rule_predict=mutating)
    assert ref.snapshots()["days_since_last_login"].equals(before)


def test_a_backtest_computed_on_an_unwritten_net_value_is_blocked(verdict):
    """Does a worked back-test whose net_value still raises NotImplementedError name net_value, not "placeholder"?"""
    def stub(y_true, y_pred, value_saved, cost_call, save_rate):
        raise NotImplementedError()

    result = verdict(LAB, "backtest", backtest=None, net_value=stub, rule_predict=right_rule)
    assert result.status == "blocked" and "`net_value`" in result.message
    blank = verdict(LAB, "backtest", untouched={"backtest"}, backtest=None, net_value=stub)
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


@pytest.mark.parametrize("average, fragment", [("macro", "macro-averaged F1"), ("weighted", "weighted-average F1")])
def test_best_days_names_an_f1_averaged_over_both_classes(verdict, average, fragment):
    """Is a rule tuned for macro- or weighted-average F1 (instead of the churn class's F1) named?"""
    from sklearn.metrics import f1_score

    train = ref.train_frame()
    y = ref.labels()[~ref.is_test()]
    scores = {d: f1_score(y, right_rule(train, d), average=average) for d in ref.CANDIDATE_DAYS}
    result = verdict(LAB, "best_days", best_days=max(scores, key=scores.get), rule_predict=right_rule)
    assert result.status == "wrong" and fragment in result.message, result.message


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
