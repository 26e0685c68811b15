"""Checks of lab 01 · Framing and baselines (course side: hidden from learners and from the sandbox).

Every reference value is computed here from the data set, never read from the learner's notebook.
Items that build on an earlier answer score it with the learner's own earlier answer when that answer
behaves like the reference or a recorded mistake (`carry_forward`), so a mistake costs points once.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from pmle.course.labs import LabChecks, LabInfo, carry_forward, outputs, same_outputs
from pmle.data import load
from pmle.feedback import (
    Case,
    Incorrect,
    check_choice,
    check_choices,
    check_function,
    check_mapping,
    check_number,
    check_pick,
    check_rows,
    require_answer,
)

lab = LabChecks(LabInfo(
    id="01_framing",
    title="Framing and baselines",
    datasets=("churn",),
    minutes=(60, 75),
    exam_sections=(1, 6),
))

HORIZON_DAYS = 30
CANDIDATE_DAYS = list(range(5, 61))
VALUE_SAVED, COST_CALL, SAVE_RATE = 180.0, 12.0, 0.3
MODEL_RUN_COST = 1500.0
TASK_TYPES = ["binary classification", "multiclass classification", "regression", "ranking", "clustering"]


# ---------------------------------------------------------------- reference computations (private copies)


@cache
def snapshots() -> pd.DataFrame:
    return load("churn")


def ref_label(frame: pd.DataFrame, horizon_days: int = HORIZON_DAYS) -> pd.Series:
    end = frame["snapshot_date"] + pd.Timedelta(days=horizon_days)
    return ((frame["cancelled_at"] > frame["snapshot_date"]) & (frame["cancelled_at"] <= end)).astype(int)


@cache
def labels() -> pd.Series:
    return ref_label(snapshots())


@cache
def is_test() -> np.ndarray:
    dates = snapshots()["snapshot_date"]
    return (dates == dates.max()).to_numpy()


def train_frame() -> pd.DataFrame:
    return snapshots()[~is_test()]


def test_frame() -> pd.DataFrame:
    return snapshots()[is_test()]


def ref_rule(frame: pd.DataFrame, days: int) -> np.ndarray:
    inactive = frame["days_since_last_login"]
    return (inactive.isna() | (inactive > days)).astype(int).to_numpy()


RULE_MISTAKES = [  # also the known rules that Q9 may score the learner's candidates with
    (lambda f, days: (f["days_since_last_login"] > days).fillna(False).astype(int).to_numpy(),
     "never-users (missing last login) are not flagged: missing here means the customer never used the app, "
     "the most inactive of all."),
    (lambda f, days: (f["days_since_last_login"].isna() | (f["days_since_last_login"] >= days)).astype(int).to_numpy(),
     "a subscriber inactive for exactly `days` days is flagged; the rule is strictly greater than `days`."),
]


def ref_net_value(y_true, y_pred, value_saved, cost_call, save_rate) -> float:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(((y_pred == 1) & (y_true == 1)).sum() * save_rate * value_saved - (y_pred == 1).sum() * cost_call)


NET_VALUE_MISTAKES = [  # also the known functions Q11 may compute the learner's gain with
    (lambda yt, yp, value_saved, cost_call, save_rate: float(
        (np.asarray(yt) == 1).sum() * save_rate * value_saved - (np.asarray(yp) == 1).sum() * cost_call),
     "you counted every churner, called or not; only the called churners (true positives) can be kept."),
    (lambda yt, yp, value_saved, cost_call, save_rate: float(
        ((np.asarray(yp) == 1) & (np.asarray(yt) == 1)).sum() * save_rate * value_saved
        - ((np.asarray(yp) == 1) & (np.asarray(yt) == 0)).sum() * cost_call),
     "you charged only the calls to non-churners; every call costs money, including calls to true churners."),
    (lambda yt, yp, value_saved, cost_call, save_rate: float(
        ((np.asarray(yp) == 1) & (np.asarray(yt) == 1)).sum() * value_saved - (np.asarray(yp) == 1).sum() * cost_call),
     "not every called churner stays: multiply the value of the true positives by `save_rate`."),
]


def learner_rule(a):
    """The known rule the learner's `rule_predict` behaves like on the full data (the reference if none or missing)."""
    if not a.has("rule_predict") or not callable(a.rule_predict):
        return ref_rule
    calls = [(snapshots(), days) for days in CANDIDATE_DAYS]
    return carry_forward(a.rule_predict, calls, [ref_rule] + [wrong for wrong, _ in RULE_MISTAKES])


@cache
def rule_scores(rule) -> tuple[dict, dict, dict]:
    """Training F1, training accuracy and test F1 of ``rule`` for every candidate number of days."""
    y = labels().to_numpy().astype(bool)
    test = is_test()
    train_f1, train_acc, test_f1 = {}, {}, {}
    for days in CANDIDATE_DAYS:
        flags = np.asarray(rule(snapshots(), days)).astype(bool)
        for rows, f1 in ((~test, train_f1), (test, test_f1)):
            f1[days] = 2 * (flags[rows] & y[rows]).sum() / (flags[rows].sum() + y[rows].sum())
        train_acc[days] = (flags[~test] == y[~test]).mean()
    return train_f1, train_acc, test_f1


def best_days_of(a, rule) -> int:
    """The learner's `best_days` when it is one of the candidates, else the reference's best."""
    if a.has("best_days"):
        try:
            days = float(a.best_days)
            if days in CANDIDATE_DAYS:
                return int(days)
        except (TypeError, ValueError):
            pass
    train_f1 = rule_scores(rule)[0]
    return max(train_f1, key=train_f1.get)


@cache
def model_predictions() -> np.ndarray:
    """June flags of the data science team's logistic regression, fitted on the reference training months."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = ["monthly_fee", "tenure_months", "days_since_last_login", "sessions_30d",
               "support_tickets_90d", "late_payments_12m"]
    categorical = ["plan", "contract", "payment_method", "autopay"]

    def features(frame):
        out = frame[numeric + categorical].copy()
        out[numeric] = out[numeric].astype("float64")
        out[categorical] = out[categorical].astype(str)
        return out

    model = make_pipeline(
        ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]),
        LogisticRegression(max_iter=1000),
    )
    y_train = labels()[~is_test()]
    model.fit(features(train_frame()), y_train)
    train_scores = model.predict_proba(features(train_frame()))[:, 1]
    cutoffs = np.linspace(0.05, 0.6, 56)
    threshold = cutoffs[int(np.argmax([f1_score(y_train, train_scores >= c, zero_division=0) for c in cutoffs]))]
    return (model.predict_proba(features(test_frame()))[:, 1] >= threshold).astype(int)


def june_values(a, value=ref_net_value) -> tuple[float, float]:
    """Net value in June of the model's and of the rule's call lists, computed with ``value``."""
    rule = learner_rule(a)
    y_test = labels()[is_test()].to_numpy()
    rule_pred = np.asarray(rule(test_frame(), best_days_of(a, rule)))
    model = value(y_test, model_predictions(), VALUE_SAVED, COST_CALL, SAVE_RATE)
    return float(model), float(value(y_test, rule_pred, VALUE_SAVED, COST_CALL, SAVE_RATE))


# ---------------------------------------------------------------- Part 1 · framing


@lab.item("task_types", reads=["task_types"], explanation="""
- `cancel`: the output drives a yes/no call list, so **binary classification** (scored by probability).
- `tickets`: a count per region and week is a quantity, so **regression** (a forecast).
- `plan`: one of three named tiers; ordered, but the output is one class per sign-up: **multiclass classification**.
- `homepage`: the output is an order over many items per user: **ranking** (recommendation).
- `segments`: no labels exist and the profiles are to be discovered: **clustering**.
""")
def task_types(a):
    check_mapping(
        "task_types", a.task_types,
        {"cancel": "binary classification", "tickets": "regression", "plan": "multiclass classification",
         "homepage": "ranking", "segments": "clustering"},
        options=TASK_TYPES,
        mistakes={
            ("cancel", "regression"): "the team needs a yes/no call list; the model can still output a probability, but the task is binary classification.",
            ("cancel", "ranking"): "with limited call capacity you will sort subscribers by predicted probability, but each subscriber gets a yes/no label: binary classification.",
            ("tickets", "multiclass classification"): "a ticket count is a quantity with an order and a scale, so this is regression (a forecast), not one class per count.",
            ("tickets", "binary classification"): "a ticket count is a quantity, so this is regression (a forecast).",
            ("plan", "binary classification"): "there are three plans, so three classes: multiclass classification.",
            ("plan", "ranking"): "each sign-up gets one plan out of three: multiclass classification, not an ordering of many items.",
            ("homepage", "multiclass classification"): "the output is an order over 20 shows per subscriber: ranking (recommendation), not one class per user.",
            ("homepage", "binary classification"): "scoring each show watch/no-watch and sorting is one way to *build* a ranker, but the task's output is an order over 20 shows: ranking.",
            ("segments", "multiclass classification"): "there are no labels to learn from: the profiles are to be discovered, which is clustering.",
        },
    )


@lab.item("framing", reads=["framing"], explanation="""
**B** ties the label to a horizon that starts at the prediction time and uses only what is known then.
A has no horizon (a customer who leaves in three years counts as a churner today) and its features come from
the end of the data. C uses information from after the prediction time: leakage; at call time the cancellation
day has not happened. D leaves no time to act: most of those customers are gone before a call can be scheduled.
""")
def framing(a):
    check_choice(
        "framing", a.framing, "B", options=["A", "B", "C", "D"],
        mistakes={
            "A": "'ever cancelled' has no horizon and the features come from the end of the data, after the prediction time.",
            "C": "features from the day of cancellation are not known at month-end: this is leakage from the future.",
            "D": "a 2-day horizon leaves no time to act: calls take up to a week to schedule.",
        },
        why="The label window starts at the prediction time and is long enough to act on.",
    )


@lab.item("not_ml", reads=["not_ml"], explanation="""
`suspend`, `invoice` and `welcome` are fully specified by a contract clause, a formula and a schedule: a model
could only approximate them, and contract terms and invoices must be exact and auditable. `risk` and `triage`
need patterns learned from data.
""")
def not_ml(a):
    check_choices(
        "not_ml", a.not_ml, {"suspend", "invoice", "welcome"},
        options=["suspend", "risk", "invoice", "triage", "welcome"],
        mistakes={
            "suspend": "`suspend` is a rule written in the contract: it must be applied exactly and auditably, a model would only approximate it.",
            "invoice": "`invoice` is a formula: deterministic logic needs no model, and an approximate invoice is a wrong invoice.",
            "welcome": "`welcome` is a schedule: every new subscriber gets it, there is nothing to predict.",
            "risk": "`risk` needs a pattern learned from past cancellations: a good ML use case.",
            "triage": "`triage` is text classification at volume, where hand-written keyword rules break down: a good ML use case.",
        },
    )


# ---------------------------------------------------------------- Part 2 · the label


def _label_frame(pairs):
    return pd.DataFrame({
        "snapshot_date": pd.to_datetime([s for s, _ in pairs]),
        "cancelled_at": pd.to_datetime([c for _, c in pairs]),
    }, index=[f"row{i}" for i in range(len(pairs))])


@lab.item("make_label", reads=["make_label"], explanation="""
The window is `snapshot_date < cancelled_at <= snapshot_date + horizon_days`: a cancellation on the snapshot day
is already known at prediction time, one exactly `horizon_days` later is still inside the window, and a missing
`cancelled_at` (`NaT`) compares `False`, so it becomes 0.
""")
def make_label(a):
    edges = _label_frame([("2025-01-31", "2025-02-01"), ("2025-01-31", "2025-03-02"), ("2025-01-31", "2025-03-03"),
                          ("2025-01-31", None), ("2025-01-31", "2025-06-15"), ("2025-04-30", "2025-04-30"),
                          ("2025-04-30", "2025-05-20")])
    short = _label_frame([("2025-02-28", "2025-03-07"), ("2025-02-28", "2025-03-08"), ("2025-02-28", "2025-03-20"),
                          ("2025-05-31", None), ("2025-05-31", "2025-09-30")])
    shuffled = edges.iloc[[6, 2, 0, 5, 3, 1, 4]]
    check_function("make_label", a.make_label, [
        Case((edges,), {"horizon_days": 30}, pd.Series([1, 1, 0, 0, 0, 0, 1], index=edges.index),
             "on rows with cancellations 1, 30 and 31 days after the snapshot, none, months later, on the snapshot day and 20 days after"),
        Case((short,), {"horizon_days": 7}, pd.Series([1, 0, 0, 0, 0], index=short.index), "with horizon_days=7"),
        Case((shuffled,), {"horizon_days": 30}, pd.Series([1, 0, 1, 0, 0, 1, 0], index=shuffled.index),
             "on rows in another order (the result must follow the frame's index)"),
    ], mistakes=[
        (lambda f, horizon_days=30: f["cancelled_at"].notna().astype(int),
         "you labelled everyone who *ever* cancelled; the label needs a window of `horizon_days` after the snapshot."),
        (lambda f, horizon_days=30: ((f["cancelled_at"] > f["snapshot_date"]) & (f["cancelled_at"] < f["snapshot_date"] + pd.Timedelta(days=horizon_days))).astype(int),
         "off by one at the end of the window: a cancellation exactly `horizon_days` days after the snapshot counts (use <=)."),
        (lambda f, horizon_days=30: ((f["cancelled_at"] >= f["snapshot_date"]) & (f["cancelled_at"] <= f["snapshot_date"] + pd.Timedelta(days=horizon_days))).astype(int),
         "a cancellation on the snapshot day itself is already known at prediction time; the window starts strictly after it."),
        (lambda f, horizon_days=30: ((f["cancelled_at"] > f["snapshot_date"]) & (f["cancelled_at"] <= f["snapshot_date"] + pd.Timedelta(days=30))).astype(int),
         "you ignored `horizon_days` and always used 30 days."),
    ], aligned=True)


# ---------------------------------------------------------------- Part 3 · the split


@lab.item("time_split", reads=["train", "test"], explanation="""
In production the model is trained on past months and scores the next month-end, so `test` is the latest
snapshot only and `train` every snapshot before it. A random split would put June rows in `train`: the model
would be tested on a month it learned from.
""")
def time_split(a):
    frame = snapshots()
    last = frame["snapshot_date"].max()

    def mixes_time(part):
        return part["snapshot_date"].nunique() > 1 and (part["snapshot_date"] == last).any()

    check_rows("test", a.test, frame.index[frame["snapshot_date"] == last], mistakes=[
        (mixes_time, "it mixes the latest snapshot with older ones (as a random split would): the model is tested on months it was trained on. Keep only the latest snapshot."),
        (lambda part: (part["snapshot_date"] < last).all(), "it should hold the latest snapshot, the month the model will score, not older ones."),
    ])
    check_rows("train", a.train, frame.index[frame["snapshot_date"] < last], mistakes=[
        (mixes_time, "it contains rows of the latest snapshot: the model would learn from the month it is evaluated on."),
    ])


# ---------------------------------------------------------------- Part 4 · baselines


@lab.item("majority_baseline", reads=["majority_baseline"], explanation="""
`pd.Series(y_train).value_counts().idxmax()` is the most frequent class, whatever the labels are; `np.full(n, ...)`
repeats it. Hard-coding 0 only works when 0 happens to be the majority.
""")
def majority_baseline(a):
    check_function("majority_baseline", a.majority_baseline, [
        Case((np.array([2, 2, 2, 2, 0, 0, 0, 3, 3, 1]),), {"n": 2}, np.array([2, 2]),
             "with labels 0-3, where 2 is the most frequent (neither the largest nor the rarest)"),
        Case(([0, 1, 1, 1, 0],), {"n": 3}, np.array([1, 1, 1]), "when 1 is the majority class"),
        Case((pd.Series(["b", "b", "b", "c", "c", "a"]),), {"n": 2}, np.array(["b", "b"]),
             "with labels 'a', 'b' and 'c', where 'b' is the most frequent"),
        Case((pd.Series(["stay", "leave", "stay"]),), {"n": 2}, np.array(["stay", "stay"]), "with text labels"),
        Case((np.array([0, 0, 1]),), {"n": 0}, np.array([], dtype=int), "with n=0"),
        Case((np.array([0, 0, 0, 1, 1]),), {"n": 2}, np.array([0, 0]), "when 0 is the majority class"),
        Case((pd.Series(["leave", "stay", "leave"]),), {"n": 1}, np.array(["leave"]),
             "when the majority label comes first alphabetically"),
    ], mistakes=[
        (lambda y, n: np.zeros(n, dtype=int), "it always predicts 0; compute the most frequent class of `y_train` instead."),
        (lambda y, n: np.full(n, np.mean(y)), "it predicts the positive rate (a proportion), not a class label."),
        (lambda y, n: np.full(n, np.max(y)), "it predicts the largest label, not the most frequent one: count the classes "
                                             "(`value_counts`) and take the most common."),
        (lambda y, n: np.full(n, pd.Series(y).value_counts().idxmin()),
         "it predicts the *least* frequent class; the majority baseline predicts the most frequent one."),
    ])


@lab.item("majority_scores", reads=["majority_accuracy", "majority_recall"],
          uses={"train": "time_split", "majority_baseline": "majority_baseline"}, explanation="""
Predicting "stays" for everyone is right for every subscriber who stays, about 90 % of June, and finds none of the
churners: recall TP / (TP + FN) = 0 / (0 + FN) = 0. High accuracy, zero recall: the accuracy paradox.
""")
def majority_scores(a):
    y = labels()
    y_test, y_train = y[is_test()], y[~is_test()]
    check_number("majority_accuracy", a.majority_accuracy, 1 - y_test.mean(), atol=1e-9, mistakes=[
        (1 - y_train.mean(), "this is the accuracy on the training rows; score on `test`."),
        (y_test.mean(), "this is the share of churners, the error rate of always predicting 'stays'; accuracy is the share predicted correctly."),
    ])
    check_number("majority_recall", a.majority_recall, 0.0, atol=1e-9, mistakes=[
        (1.0, "this is the recall of the 'stays' class; the churners are class 1, and predicting 'stays' for everyone finds none of them: recall TP/(TP+FN) is 0."),
    ], why="High accuracy, zero recall: on imbalanced data accuracy rewards ignoring the class you care about.")


@lab.item("rule_predict", reads=["rule_predict"], explanation="""
A missing `days_since_last_login` means the subscriber never used the app: the most inactive of all, so the rule
flags them: `(frame["days_since_last_login"].isna() | (frame["days_since_last_login"] > days)).astype(int)`.
""")
def rule_predict(a):
    logins = pd.DataFrame({"days_since_last_login": pd.array([3, 14, 15, None, 90, 0], dtype="Int64")}, index=list("abcdef"))
    shuffled = logins.iloc[::-1]
    check_function("rule_predict", a.rule_predict, [
        Case((logins, 14), {}, np.array([0, 0, 1, 1, 1, 0]), "with days=14 on logins 3, 14, 15, missing, 90 and 0 days ago"),
        Case((logins, 2), {}, np.array([1, 1, 1, 1, 1, 0]), "with days=2"),
        Case((shuffled, 14), {}, np.array([0, 1, 1, 1, 0, 0]), "on the same rows in another order"),
    ], mistakes=RULE_MISTAKES)


@lab.item("best_days", reads=["best_days"], uses={"rule_predict": "rule_predict", "train": "time_split"}, explanation="""
Every candidate is scored on `train` only; the argmax of F1 is `best_days`. Picking the value that scores best on
`test` would make June's score an optimistic, tuned number; maximising accuracy prefers flagging almost no one.
""")
def best_days(a):
    require_answer("best_days", a.best_days)
    train_f1, train_acc, test_f1 = rule_scores(learner_rule(a))
    try:
        position = float(a.best_days)
    except (TypeError, ValueError):
        position = None
    best = max(train_f1, key=train_f1.get)
    if position is not None and position != best and position == CANDIDATE_DAYS.index(best):
        raise Incorrect(f"`best_days` = {position:g} is the *position* of the best candidate in `CANDIDATE_DAYS`; "
                        f"`best_days` is the number of days itself, `CANDIDATE_DAYS[{position:g}]`.")
    check_pick("best_days", a.best_days, train_f1, tol=1e-9, score_name="training F1", mistakes=[
        (max(test_f1, key=test_f1.get), "this is the best value on `test`. Tune on `train`: a threshold picked on the test month makes its score optimistic."),
        (max(train_acc, key=train_acc.get), "this maximises accuracy, which on imbalanced data prefers flagging almost no one; maximise F1."),
    ])


# ---------------------------------------------------------------- Part 5 · money


@lab.item("net_value", reads=["net_value"], explanation="""
Value = true positives × `save_rate` × `value_saved` − calls × `cost_call`: every call costs money, including the
calls to true churners, and only a share `save_rate` of the called churners stays.
""")
def net_value(a):
    yt = np.array([1, 1, 0, 0, 1, 0, 0, 1])
    yp = np.array([1, 0, 1, 0, 1, 1, 0, 0])
    check_function("net_value", a.net_value, [
        Case((yt, np.array([1, 0, 0, 0, 0, 0, 0, 0])), {"value_saved": 100.0, "cost_call": 10.0, "save_rate": 0.5},
             0.5 * 100 - 10.0, "when one churner of four is called"),
        Case((yt, yp), {"value_saved": 100.0, "cost_call": 10.0, "save_rate": 0.5}, 2 * 0.5 * 100 - 4 * 10.0,
             "with 2 true positives among 4 calls, value 100, cost 10, save rate 0.5"),
        Case((list(yt), list(yp)), {"value_saved": 180.0, "cost_call": 12.0, "save_rate": 0.3}, 2 * 0.3 * 180 - 4 * 12.0,
             "with lists and Brightwave's numbers"),
        Case((yt, np.zeros(8, dtype=int)), {"value_saved": 180.0, "cost_call": 12.0, "save_rate": 0.3}, 0.0,
             "when nobody is called"),
    ], mistakes=NET_VALUE_MISTAKES, rtol=1e-9, atol=1e-6)


def learner_value(a):
    """The known net-value function the learner's `net_value` behaves like on June's lists (else the reference)."""
    if not a.has("net_value") or not callable(a.net_value):
        return ref_net_value
    rule = learner_rule(a)
    y_test = labels()[is_test()].to_numpy()
    rule_pred = np.asarray(rule(test_frame(), best_days_of(a, rule)))
    calls = [(y_test, pred, VALUE_SAVED, COST_CALL, SAVE_RATE) for pred in (model_predictions(), rule_pred)]
    return carry_forward(a.net_value, calls, [ref_net_value] + [wrong for wrong, _ in NET_VALUE_MISTAKES], atol=0.01)


@lab.item("monthly_gain", reads=["monthly_gain"],
          uses={"net_value": "net_value", "best_days": "best_days", "rule_predict": "rule_predict"}, explanation="""
`net_value(y_test, y_pred_model, ...) - net_value(y_test, y_pred_rule, ...)`: the model's extra euros in June over
the rule's. It can be negative; it is one month's difference, so it is noisy.
""")
def monthly_gain(a):
    require_answer("monthly_gain", a.monthly_gain)
    ref_model, ref_rule_value = june_values(a)
    ref_gain = ref_model - ref_rule_value
    known_model, known_rule = june_values(a, learner_value(a))
    known_gain = known_model - known_rule
    expected = known_gain if same_outputs([a.monthly_gain], [known_gain], atol=0.01) else ref_gain
    check_number("monthly_gain", a.monthly_gain, expected, atol=0.01, mistakes=[
        (-ref_gain, "the sign is flipped: the gain is the model's value minus the rule's."),
        (ref_model, "this is the model's value on its own; subtract what the rule already earns."),
    ])


@lab.item("decision", reads=["decision"],
          uses={"best_days": "best_days", "rule_predict": "rule_predict", "net_value": "net_value"}, explanation="""
Compare each option's net money per month: the model's value minus its running cost, the rule's value (it costs
next to nothing to run), and 0 for calling no one. The best net wins.
""")
def decision(a):
    require_answer("decision", a.decision)
    model_value, rule_value = june_values(a)
    nets = {"model": model_value - MODEL_RUN_COST, "rule": rule_value, "nothing": 0.0}
    expected = max(nets, key=nets.get)
    summary = (f"per month the model nets €{nets['model']:,.0f} after its €{MODEL_RUN_COST:,.0f} running cost, "
               f"the rule €{nets['rule']:,.0f}, calling no one €0")
    why = {
        "model": "the model's lift over the rule does not pay for its running cost yet" if nets["rule"] > nets["model"] else "the model nets less than doing nothing",
        "rule": "the model's extra value exceeds its running cost" if nets["model"] > nets["rule"] else "the rule loses money",
        "nothing": "doing nothing leaves that money on the table",
    }
    check_choice("decision", a.decision, expected, options=["model", "rule", "nothing"],
                 mistakes={option: f"{summary}: {why[option]}." for option in nets})


__all__ = ["lab", "outputs"]
