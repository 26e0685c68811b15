"""Checks of lab 01 · Framing and baselines (course side: hidden from learners and from the sandbox).

Every reference value is computed here from the data set, never read from the learner's notebook, whose
globals (`train`, `test`, `team_model`, `call_threshold`, `BACKTEST_MONTHS` ...) the learner may rebind.
Items that build on an earlier answer score it with the learner's own earlier answer when that answer
behaves like the reference or a recorded mistake (`carry_forward`), so a mistake costs points once.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from pmle.course.labs import LabChecks, LabInfo, carry_forward, outputs
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
    passed,
    require_answer,
)

lab = LabChecks(LabInfo(
    id="01_framing",
    title="Framing and baselines",
    datasets=("churn",),
    minutes=(75, 90),
    exam_sections=(1, 6),
))

HORIZON_DAYS = 30
CANDIDATE_DAYS = list(range(5, 61))
IDENTIFYING_DAYS = [5, 14, 27, 30, 35, 36, 60]  # enough candidates to tell the known rules apart on the full data
VALUE_SAVED, COST_CALL, SAVE_RATE = 180.0, 12.0, 0.3
MODEL_RUN_COST = 1500.0
TASK_TYPES = ["binary classification", "multiclass classification", "ordinal classification", "regression",
              "time-series forecasting", "ranking", "clustering"]
BQML_MODEL_TYPES = ["LOGISTIC_REG", "LINEAR_REG", "ARIMA_PLUS", "KMEANS", "MATRIX_FACTORIZATION", "PCA"]
FIRST_BACKTEST = 2  # March: the first month-end with two earlier months to learn from
EURO = 1.0  # tolerance on amounts in euros (they are multiples of €6 here, so one call more or less shows)


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


@cache
def months() -> tuple[pd.Timestamp, ...]:
    return tuple(pd.Timestamp(m) for m in sorted(snapshots()["snapshot_date"].unique()))


def backtest_months() -> tuple[pd.Timestamp, ...]:
    return months()[FIRST_BACKTEST:]


@cache
def dates() -> np.ndarray:
    return snapshots()["snapshot_date"].to_numpy()


def ref_rule(frame: pd.DataFrame, days: int) -> np.ndarray:
    inactive = frame["days_since_last_login"]
    return (inactive.isna() | (inactive > days)).astype(int).to_numpy()


RULE_MISTAKES = [  # also the known rules that later items may score the learner's candidates with
    (lambda f, days: (f["days_since_last_login"] > days).fillna(False).astype(int).to_numpy(),
     "never-users (missing last login) are not flagged: missing here means the customer never used the app, "
     "the most inactive of all."),
    (lambda f, days: (f["days_since_last_login"].isna() | (f["days_since_last_login"] >= days)).astype(int).to_numpy(),
     "a subscriber inactive for exactly `days` days is flagged; the rule is strictly greater than `days`."),
]


def ref_net_value(y_true, y_pred, value_saved, cost_call, save_rate) -> float:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(((y_pred == 1) & (y_true == 1)).sum() * save_rate * value_saved - (y_pred == 1).sum() * cost_call)


def _tp(yt, yp) -> int:
    return int(((np.asarray(yp) == 1) & (np.asarray(yt) == 1)).sum())


def _calls(yp) -> int:
    return int((np.asarray(yp) == 1).sum())


NET_VALUE_MISTAKES = [  # also the known functions later items may compute the learner's money with
    (lambda yt, yp, value_saved, cost_call, save_rate: float(
        (np.asarray(yt) == 1).sum() * save_rate * value_saved - _calls(yp) * cost_call),
     "you counted every churner, called or not; only the called churners (true positives) can be kept."),
    (lambda yt, yp, value_saved, cost_call, save_rate: float(
        _tp(yt, yp) * save_rate * value_saved - (_calls(yp) - _tp(yt, yp)) * cost_call),
     "you charged only the calls to non-churners; every call costs money, including calls to true churners."),
    (lambda yt, yp, value_saved, cost_call, save_rate: float(_tp(yt, yp) * value_saved - _calls(yp) * cost_call),
     "not every called churner stays: multiply the value of the true positives by `save_rate`."),
    (lambda yt, yp, value_saved, cost_call, save_rate: float(_tp(yt, yp) * save_rate * value_saved),
     "you left out the cost of the calls: every call costs `cost_call`, whoever answers it."),
    (lambda yt, yp, value_saved, cost_call, save_rate: float(
        save_rate * (_tp(yt, yp) * value_saved - _calls(yp) * cost_call)),
     "`save_rate` applies to the value of the called churners only; every call costs `cost_call` in full."),
]


def ref_break_even(value_saved, cost_call, save_rate) -> float:
    return float(cost_call / (save_rate * value_saved))


BREAK_EVEN_MISTAKES = [  # also the known thresholds the back-test may flag the learner's calls with
    (lambda value_saved, cost_call, save_rate: float(cost_call / value_saved),
     "a called churner stays only with probability `save_rate`: a call to a subscriber with churn probability p "
     "earns p × save_rate × value_saved on average, so p* = cost_call / (save_rate × value_saved)."),
    (lambda value_saved, cost_call, save_rate: float(cost_call / (cost_call + save_rate * value_saved)),
     "this is the cost-ratio formula with a saved churner's value gross of its call: calling a churner gains "
     "save_rate × value_saved − cost_call, so c_FP / (c_FP + c_FN) = cost_call / (save_rate × value_saved)."),
    (lambda value_saved, cost_call, save_rate: float(save_rate * value_saved / cost_call),
     "the ratio is upside down: a call breaks even when p × save_rate × value_saved = cost_call, "
     "so p* = cost_call / (save_rate × value_saved), a probability below 1 here."),
    (lambda value_saved, cost_call, save_rate: 0.5,
     "0.5 is the default threshold of `predict`, which knows nothing of the costs: compute the probability at "
     "which a call pays for itself."),
    (lambda value_saved, cost_call, save_rate: ref_break_even(VALUE_SAVED, COST_CALL, SAVE_RATE),
     "it returns the lab's own break-even whatever its arguments: compute it from `value_saved`, `cost_call` and "
     "`save_rate`, not from the notebook's globals."),
]


def learner_rule(a):
    """The known rule the learner's `rule_predict` behaves like on the full data (the reference if none or missing)."""
    if not a.has("rule_predict") or not callable(a.rule_predict):
        return ref_rule
    calls = [(snapshots(), days) for days in IDENTIFYING_DAYS]
    return carry_forward(a.rule_predict, calls, [ref_rule] + [wrong for wrong, _ in RULE_MISTAKES])


def learner_value(a):
    """The known net-value function the learner's `net_value` behaves like on June's call lists (else the reference)."""
    if not a.has("net_value") or not callable(a.net_value):
        return ref_net_value
    y_test = labels()[is_test()].to_numpy()
    lists = [ref_rule(test_frame(), 30), (month_scores(months()[-1]) >= ref_break_even(VALUE_SAVED, COST_CALL, SAVE_RATE)).astype(int)]
    calls = [(y_test, flags, VALUE_SAVED, COST_CALL, SAVE_RATE) for flags in lists]
    return carry_forward(a.net_value, calls, [ref_net_value] + [wrong for wrong, _ in NET_VALUE_MISTAKES], atol=0.01)


def learner_threshold(a) -> float:
    """The call threshold the learner's `break_even_threshold` gives on the lab's numbers, if it behaves like a known one."""
    if not a.has("break_even_threshold") or not callable(a.break_even_threshold):
        return ref_break_even(VALUE_SAVED, COST_CALL, SAVE_RATE)
    calls = [(180.0, 12.0, 0.3), (100.0, 10.0, 0.5), (250.0, 5.0, 0.1)]
    known = carry_forward(a.break_even_threshold, calls, [ref_break_even] + [wrong for wrong, _ in BREAK_EVEN_MISTAKES],
                          rtol=1e-9, atol=1e-12)
    return known(VALUE_SAVED, COST_CALL, SAVE_RATE)


@cache
def rule_scores(rule) -> tuple[dict, dict, dict]:
    """Training F1, training accuracy and test F1 of ``rule`` for every candidate number of days."""
    y = labels().to_numpy().astype(bool)
    test = is_test()
    train_f1, train_acc, test_f1 = {}, {}, {}
    for days, flags in zip(CANDIDATE_DAYS, rule_flags(rule).astype(bool)):
        for rows, f1 in ((~test, train_f1), (test, test_f1)):
            f1[days] = 2 * (flags[rows] & y[rows]).sum() / (flags[rows].sum() + y[rows].sum())
        train_acc[days] = (flags[~test] == y[~test]).mean()
    return train_f1, train_acc, test_f1


@cache
def rule_averaged_f1(rule) -> tuple[dict, dict]:
    """Macro- and weighted-average training F1 of ``rule`` (both classes' F1) for every candidate number of days."""
    y = labels().to_numpy()[~is_test()] == 1
    macro, weighted = {}, {}
    for days, flags in zip(CANDIDATE_DAYS, rule_flags(rule)[:, ~is_test()] == 1):
        tp, tn = (flags & y).sum(), (~flags & ~y).sum()
        wrong = (flags != y).sum()
        f1_churn, f1_stay = 2 * tp / (2 * tp + wrong), 2 * tn / (2 * tn + wrong)
        macro[days] = (f1_churn + f1_stay) / 2
        weighted[days] = (y.sum() * f1_churn + (~y).sum() * f1_stay) / len(y)
    return macro, weighted


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


# ---------------------------------------------------------------- the data science team's model


NUMERIC = ["monthly_fee", "tenure_months", "days_since_last_login", "sessions_30d", "support_tickets_90d",
           "late_payments_12m"]
CATEGORICAL = ["plan", "contract", "payment_method", "autopay"]


@cache
def features() -> pd.DataFrame:
    frame = snapshots()
    out = frame[NUMERIC + CATEGORICAL].copy()
    out[NUMERIC] = out[NUMERIC].astype("float64")
    out[CATEGORICAL] = out[CATEGORICAL].astype(str)
    return out


@cache
def team_model(month: pd.Timestamp, with_month: bool = False):
    """The team's logistic regression fitted on the snapshots before ``month`` (and ``month`` itself if asked)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    model = make_pipeline(
        ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]),
        LogisticRegression(max_iter=1000),
    )
    rows = dates() <= month if with_month else dates() < month
    return model.fit(features()[rows], labels().to_numpy()[rows])


@cache
def scores(month: pd.Timestamp, with_month: bool = False) -> np.ndarray:
    """Churn probabilities of every snapshot row from the team's model fitted before ``month``."""
    return team_model(month, with_month).predict_proba(features())[:, 1]


def month_scores(month: pd.Timestamp) -> np.ndarray:
    return scores(month)[dates() == month]


def f1_best_cutoff(y: np.ndarray, s: np.ndarray) -> float:
    """The team's threshold: the F1-best of 0.05, 0.06 ... 0.60 on (y, s)."""
    cutoffs = np.linspace(0.05, 0.6, 56)
    flags = s[None, :] >= cutoffs[:, None]
    tp = (flags & (y[None, :] == 1)).sum(axis=1)
    f1 = 2 * tp / (flags.sum(axis=1) + (y == 1).sum())
    return float(cutoffs[int(np.argmax(f1))])


@cache
def team_threshold() -> float:
    """The threshold the team proposes: F1-best on the training months (January to May), as the notebook computes it."""
    rows = ~is_test()
    return f1_best_cutoff(labels().to_numpy()[rows], scores(months()[-1])[rows])


# ---------------------------------------------------------------- the back-test


@cache
def rule_flags(rule) -> np.ndarray:
    """``rule``'s flags on every snapshot row (columns) for every candidate number of days (rows)."""
    return np.stack([np.asarray(rule(snapshots(), d)).astype(int) for d in CANDIDATE_DAYS])


def _tuned_days(rule, value, rows: np.ndarray, by: str = "money") -> list[int]:
    """Every candidate number of days that ties for the best net value (or F1) of ``rule`` on ``rows``."""
    y, all_flags = labels().to_numpy()[rows], rule_flags(rule)[:, rows]
    if by == "money":
        score = {d: value(y, f, VALUE_SAVED, COST_CALL, SAVE_RATE) for d, f in zip(CANDIDATE_DAYS, all_flags)}
    else:
        score = {d: 2 * ((f == 1) & (y == 1)).sum() / ((f == 1).sum() + (y == 1).sum()) for d, f in zip(CANDIDATE_DAYS, all_flags)}
    best = max(score.values())
    return [d for d in CANDIDATE_DAYS if score[d] >= best - 1e-9]


@cache
def rule_column(rule, value, variant: str = "ref", fixed_days: int | None = None) -> tuple[frozenset, ...]:
    """The rule's net value in each back-tested month, as the set of values its tied-best days give.

    ``variant``: "ref" tunes the days by money on the months before; "f1" by F1 on them; "same_month" by money
    on the month itself; "fixed" keeps ``fixed_days``; "money_all" tunes by money on January-May once.
    """
    out = []
    for month in backtest_months():
        now = dates() == month
        if variant == "fixed":
            days = [fixed_days]
        elif variant == "money_all":
            days = _tuned_days(rule, value, ~is_test())
        else:
            rows = now if variant == "same_month" else dates() < month
            days = _tuned_days(rule, value, rows, by="f1" if variant == "f1" else "money")
        y, month_flags = labels().to_numpy()[now], rule_flags(rule)[:, now]
        out.append(frozenset(value(y, month_flags[CANDIDATE_DAYS.index(d)], VALUE_SAVED, COST_CALL, SAVE_RATE)
                             for d in days))
    return tuple(out)


@cache
def model_column(threshold: float, value, variant: str = "ref") -> tuple[frozenset, ...]:
    """The model's net value in each back-tested month, flagging probabilities >= (or >) ``threshold``.

    ``variant``: "ref" is a model fitted on the months before; "reused" the January-May model for every month;
    "with_month" a model fitted on the month too; "in_sample" scored on its own training months; "june" June's
    value in every row.
    """
    y_all = labels().to_numpy()
    out = []
    for month in backtest_months():
        if variant == "reused":
            s, rows = scores(months()[-1]), dates() == month
        elif variant == "with_month":
            s, rows = scores(month, with_month=True), dates() == month
        elif variant == "in_sample":
            s, rows = scores(month), dates() < month
        elif variant == "june":
            s, rows = scores(months()[-1]), dates() == months()[-1]
        else:
            s, rows = scores(month), dates() == month
        out.append(frozenset(value(y_all[rows], (flags(s[rows], threshold, strict)).astype(int),
                                   VALUE_SAVED, COST_CALL, SAVE_RATE) for strict in (False, True)))
    return tuple(out)


def flags(s: np.ndarray, threshold: float, strict: bool) -> np.ndarray:
    return s > threshold if strict else s >= threshold


def reference_backtest(a) -> dict[str, tuple[frozenset, ...]]:
    """The back-test the learner's earlier answers (rule, net value, threshold) give, done right."""
    rule, value = learner_rule(a), learner_value(a)
    return {"model": model_column(learner_threshold(a), value), "rule": rule_column(rule, value)}


def _month_keys(index) -> list[tuple[int, int]] | None:
    if isinstance(index, pd.PeriodIndex):
        return [(p.year, p.month) for p in index]
    if pd.api.types.is_numeric_dtype(index) or pd.api.types.is_bool_dtype(index):
        return None
    try:
        stamps = pd.to_datetime(pd.Index(index).astype(str) if index.dtype == object else index)
    except (TypeError, ValueError):
        return None
    return [(t.year, t.month) for t in stamps]


def month_table(name: str, value) -> pd.DataFrame:
    """The learner's back-test as a frame indexed by the back-tested months in order, or Incorrect naming what is off."""
    require_answer(name, value)
    if not isinstance(value, pd.DataFrame):
        raise Incorrect(f"`{name}` must be a pandas DataFrame with one row per back-tested month; got {type(value).__name__}.")
    frame = value
    keys = _month_keys(frame.index)
    if keys is None:
        for column in ("month", "snapshot_date"):
            if column in frame.columns:
                frame = frame.set_index(column)
                keys = _month_keys(frame.index)
                break
    if keys is None:
        raise Incorrect(f"`{name}` must be indexed by month (the snapshot dates of `BACKTEST_MONTHS`); "
                        f"its index is {frame.index[:4].tolist()}.")
    if len(set(keys)) != len(keys):
        raise Incorrect(f"`{name}` has more than one row for a month: one row per back-tested month.")
    want = [(m.year, m.month) for m in backtest_months()]
    extra = [f"{y}-{m:02d}" for y, m in keys if (y, m) not in want]
    missing = [f"{y}-{m:02d}" for y, m in want if (y, m) not in keys]
    if extra or missing:
        early = [(y, m) for y, m in keys if (y, m) < want[0]]
        why = (" January and February have too few earlier months to learn from: back-test March to June." if early
               else "")
        parts = ([f"rows for {', '.join(extra)} that should not be there"] if extra else []) + \
                ([f"no row for {', '.join(missing)}"] if missing else [])
        raise Incorrect(f"`{name}` must have one row per month of `BACKTEST_MONTHS` (March to June 2025); it has "
                        + " and ".join(parts) + "." + why)
    columns = [c for c in ("model", "rule", "net_gain") if c not in frame.columns]
    if columns:
        raise Incorrect(f"`{name}` has no column {', '.join(map(repr, columns))}: it needs 'model', 'rule' and 'net_gain' "
                        f"(it has {[str(c) for c in frame.columns][:6]}).")
    out = pd.DataFrame(index=pd.Index(backtest_months()))
    position = {key: i for i, key in enumerate(keys)}
    for column in ("model", "rule", "net_gain"):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        if np.isnan(values).any():
            raise Incorrect(f"`{name}['{column}']` holds missing or non-numeric values: every month needs an amount in euros.")
        out[column] = [values[position[key]] for key in want]
    return out


def eur(amount: float) -> str:
    """An amount in euros as the lab prints it: €1,234 or −€54."""
    return f"{'−' if amount < -0.5 else ''}€{abs(amount):,.0f}"


def _matches(got: np.ndarray, column: tuple[frozenset, ...]) -> bool:
    return all(any(abs(g - v) <= EURO for v in allowed) for g, allowed in zip(got, column))


def _first_miss(got: np.ndarray, column: tuple[frozenset, ...]) -> str:
    for month, g, allowed in zip(backtest_months(), got, column):
        if not any(abs(g - v) <= EURO for v in allowed):
            return f"{month:%B}: {eur(g)}, expected about {eur(min(allowed, key=lambda v: abs(v - g)))}"
    return ""


def backtest_mistakes(a, column: str) -> list[tuple[tuple[frozenset, ...], str]]:
    """Known wrong back-tests of ``column`` under the learner's earlier answers, cheap ones first."""
    rule, value, threshold = learner_rule(a), learner_value(a), learner_threshold(a)
    if column == "model":
        return [
            (model_column(team_threshold(), value),
             "the model flags subscribers at the team's F1 threshold (`team_threshold`); flag by money: churn "
             "probability at or above `call_threshold`."),
            (model_column(0.5, value),
             "the model flags at probability 0.5 (what `predict` does); flag by money: churn probability at or above "
             "`call_threshold`."),
            (model_column(threshold, value, "reused"),
             "every month is scored with `team_model`, trained on January to May: for March, April and May it has "
             "seen the month it scores (and later ones). Fit `fit_team_model` on the months before each month."),
            (model_column(threshold, value, "june"),
             "every row holds June's net value: score each back-tested month's own subscribers."),
            (model_column(threshold, value, "in_sample"),
             "this is the net value on the months each model was trained on: score the back-tested month itself, "
             "which the model has not seen."),
            (model_column(threshold, value, "with_month"),
             "each model was trained on the month it scores as well (`<=` instead of `<`): fit on the months before it."),
        ]
    return [
        (rule_column(rule, value, "f1"),
         "the rule's days were tuned by F1 on the earlier months; tune them by net value, as the model's threshold "
         "is set by money: compare both at their most profitable setting."),
        (rule_column(rule, value, "fixed", best_days_of(a, rule)),
         "the rule keeps `best_days`, tuned by F1 on January to May: that is not money, and for March and April it "
         "has seen later months. Re-tune its days by net value on the months before each back-tested month."),
        (rule_column(rule, value, "money_all"),
         "the rule's days were tuned by money on January to May, which includes months after the one it scores: "
         "tune them on the months before each back-tested month."),
        (rule_column(rule, value, "same_month"),
         "the rule's days were tuned on the month it is scored on, which makes its value optimistic: tune them on "
         "the months before it."),
    ]


# ---------------------------------------------------------------- Part 1 · framing


@lab.item("task_types", reads=["task_types"], explanation="""
- `cancel`: the output drives a yes/no call list, so **binary classification** (scored by probability).
- `margin`: euros per subscriber, a quantity on a scale: **regression**.
- `tickets`: a count per region and week is a quantity, and it is the next value of each region's weekly series,
  learned from that series' own past and the calendar: **time-series forecasting**. The low and high figure make it
  a *probabilistic* forecast: a prediction interval (or quantiles) rather than one number, which is what staffing
  for a busy week needs.
- `addon`: one of three unordered add-ons: **multiclass classification**.
- `urgency`: four ordered grades: **ordinal classification**. Calling a critical ticket "low" is a worse mistake than
  calling it "high"; plain multiclass treats every mistake alike, regression pretends the gaps are equal.
- `homepage`: the output is an order over many items per user: **ranking** (recommendation).
- `segments`: no labels exist and the profiles are to be discovered: **clustering**.
""")
def task_types(a):
    forecast = ("a ticket count is a quantity, and here it is the next value of each region's weekly series: "
                "time-series forecasting (with the range asked for: a prediction interval).")
    check_mapping(
        "task_types", a.task_types,
        {"cancel": "binary classification", "margin": "regression", "tickets": "time-series forecasting",
         "addon": "multiclass classification", "urgency": "ordinal classification", "homepage": "ranking",
         "segments": "clustering"},
        options=TASK_TYPES,
        mistakes={
            ("cancel", "regression"): "the team needs a yes/no call list; the model can still output a probability, but the task is binary classification.",
            ("cancel", "ranking"): "with limited call capacity you will sort subscribers by predicted probability, but each subscriber gets a yes/no label: binary classification.",
            ("cancel", "time-series forecasting"): "the label is one subscriber's yes/no in the next 30 days, learned from their features: binary classification, not the next value of a series.",
            ("margin", "time-series forecasting"): "one amount per new subscriber, from what is known at sign-up, not the next value of a series over time: regression.",
            ("margin", "ordinal classification"): "euros are a quantity with equal steps, not a few ordered grades: regression.",
            ("margin", "multiclass classification"): "euros are a quantity, not one of a few classes: regression.",
            ("tickets", "regression"): "a ticket count is a quantity, so regression is the right family; but this one is "
                                       "the next value of each region's weekly series, learned from its own past and the "
                                       "calendar: time-series forecasting (the range asked for makes it a probabilistic "
                                       "forecast, a prediction interval).",
            ("tickets", "multiclass classification"): forecast,
            ("tickets", "binary classification"): forecast,
            ("tickets", "ordinal classification"): forecast,
            ("addon", "ordinal classification"): "Sports, Movies and Kids have no order: multiclass classification.",
            ("addon", "binary classification"): "there are three add-ons, so three classes: multiclass classification.",
            ("addon", "ranking"): "each sign-up takes one add-on out of three: multiclass classification, not an ordering of many items.",
            ("urgency", "multiclass classification"): "the four grades are ordered: calling a critical ticket 'low' is worse than calling it 'high'. Ordinal classification uses that order; multiclass treats every mistake alike.",
            ("urgency", "regression"): "the grades are ordered but they are not amounts with equal gaps: ordinal classification.",
            ("urgency", "ranking"): "each ticket gets its own grade from a fixed, ordered scale (the queue is sorted afterwards): ordinal classification.",
            ("homepage", "multiclass classification"): "the output is an order over 20 shows per subscriber: ranking (recommendation), not one class per user.",
            ("homepage", "binary classification"): "scoring each show watch/no-watch and sorting is one way to *build* a ranker, but the task's output is an order over 20 shows: ranking.",
            ("segments", "multiclass classification"): "there are no labels to learn from: the profiles are to be discovered, which is clustering.",
        },
    )


@lab.item("bqml_model_types", reads=["bqml_model_types"], explanation="""
- `cancel` → `LOGISTIC_REG`: a classifier; `ML.PREDICT` returns each subscriber's probability, and takes a
  `threshold` (0.5 by default) for the yes/no label.
- `margin` → `LINEAR_REG`: a number per row.
- `tickets` → `ARIMA_PLUS`: a time-series model (trend, seasonality, holidays), one series per region with
  `TIME_SERIES_ID_COL`; `ML.FORECAST` returns the forecast with a prediction interval at the `confidence_level` you
  ask for, the low and high figure of the brief.
- `segments` → `KMEANS`: clustering without labels. `PCA` compresses features into components; it finds no groups.
- `homepage` → `MATRIX_FACTORIZATION`: recommendations learned from who watched what.
""")
def bqml_model_types(a):
    check_mapping(
        "bqml_model_types", a.bqml_model_types,
        {"cancel": "LOGISTIC_REG", "margin": "LINEAR_REG", "tickets": "ARIMA_PLUS", "segments": "KMEANS",
         "homepage": "MATRIX_FACTORIZATION"},
        options=BQML_MODEL_TYPES,
        mistakes={
            ("cancel", "LINEAR_REG"): "LINEAR_REG predicts a number; a yes/no label needs a classifier: LOGISTIC_REG, whose probability you threshold.",
            ("cancel", "ARIMA_PLUS"): "ARIMA_PLUS forecasts a series over time; the cancellation label is a yes/no per subscriber: LOGISTIC_REG.",
            ("margin", "LOGISTIC_REG"): "LOGISTIC_REG is a classifier (despite its name); euros per subscriber need LINEAR_REG.",
            ("margin", "ARIMA_PLUS"): "ARIMA_PLUS forecasts a series from its own past; the margin is one amount per new subscriber from their features: LINEAR_REG.",
            ("tickets", "LINEAR_REG"): "LINEAR_REG treats the weeks as unrelated rows; ARIMA_PLUS models each region's series (trend, seasonality, holidays), and ML.FORECAST gives the prediction interval the planner asked for.",
            ("segments", "PCA"): "PCA compresses features into a few components; it does not group subscribers. KMEANS assigns each one to one of k clusters.",
            ("segments", "LOGISTIC_REG"): "there is no label to learn from: KMEANS finds the groups.",
            ("homepage", "KMEANS"): "KMEANS groups subscribers; it does not order the shows for each one. MATRIX_FACTORIZATION learns from who watched what.",
            ("homepage", "LOGISTIC_REG"): "a watch/no-watch classifier per show could be sorted into a ranking, but it needs a row per subscriber and show with features of both; BigQuery ML's recommender, MATRIX_FACTORIZATION, learns from the watch history alone.",
        },
    )


@lab.item("framing", reads=["framing"], explanation="""
For each brief ask: *is the label the outcome the action needs, over a horizon that starts at the prediction time?*
and *could every feature be computed at that moment?*

- `cancel` **B** ties the label to a horizon that starts at the prediction time (a cancellation within 30 days
  *after* a month-end snapshot) and uses only what is known then (features as of that snapshot). A has no horizon (a customer who leaves in three years counts as a churner today) and features from
  the end of the data; C uses the day of cancellation, after the prediction time (leakage); D leaves no time to act.
- `tickets` **C**: on Friday evening the coming week's holidays, planned maintenance and announced price changes are
  already known (known-in-advance covariates); next week's outages are not (B leaks them from the incident log).
  A predicts a week that has already happened; D is a quarterly total, not the weekly, per-region figure staffing needs.
- `addon` **A**: the page is shown when the visitor arrives, so only what is known then may be a feature. B uses the
  first month's viewing (future); C learns today's add-on from today's viewing (both after the sign-up, and a
  subscriber may have changed add-on since); D answers another question (will they sign up at all).
""")
def framing(a):
    check_mapping(
        "framing", a.framing, {"cancel": "B", "tickets": "C", "addon": "A"}, options=["A", "B", "C", "D"],
        mistakes={
            ("cancel", "A"): "'ever cancelled' has no horizon and the features come from the end of the data, after the prediction time.",
            ("cancel", "C"): "features from the day of cancellation are not known at month-end: this is leakage from the future.",
            ("cancel", "D"): "a 2-day horizon leaves no time to act: calls take up to a week to schedule.",
            ("tickets", "A"): "on Friday the past week's tickets are already known: the staffing plan needs the coming Monday to Sunday.",
            ("tickets", "B"): "next week's outages are not known on Friday: the incident log fills in during the week (leakage). Planned maintenance and holidays are known in advance.",
            ("tickets", "D"): "a quarterly total for all regions cannot staff each region week by week: the label must match the decision it serves.",
            ("addon", "B"): "the first month's viewing happens after the sign-up page is shown: leakage from the future.",
            ("addon", "C"): "today's add-on and viewing come after the sign-up (and a subscriber may have switched since): label and features must be as of the moment the page is shown.",
            ("addon", "D"): "whether a visitor signs up at all is another question (conversion); the page needs which add-on to show first.",
        },
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


EVER_CANCELLED = "you labelled everyone who *ever* cancelled; the label needs a window of `horizon_days` after the snapshot."


def _ignores_horizon(func) -> bool:
    """Whether ``func`` gives the same labels for horizons of 7 and 60 days where the right labels differ."""
    frame = _label_frame([("2025-01-31", "2025-02-05"), ("2025-01-31", "2025-02-20"), ("2025-01-31", "2025-03-20"),
                          ("2025-01-31", None)])
    try:
        short, long = func(frame.copy(), horizon_days=7), func(frame.copy(), horizon_days=60)
        return bool(np.array_equal(np.asarray(short, dtype=float), np.asarray(long, dtype=float)))
    except Exception:  # noqa: BLE001 - a function that fails here is judged by the cases
        return False


@lab.item("make_label", reads=["make_label"], explanation="""
The window is `snapshot_date < cancelled_at <= snapshot_date + horizon_days`: a cancellation on the snapshot day
is already known at prediction time, one exactly `horizon_days` later is still inside the window, and a missing
`cancelled_at` (`NaT`) compares `False`, so it becomes 0. The horizon is the function's argument: the checks call it
with 7 and 30 days.
""")
def make_label(a):
    edges = _label_frame([("2025-01-31", "2025-02-01"), ("2025-01-31", "2025-03-02"), ("2025-01-31", "2025-03-03"),
                          ("2025-01-31", None), ("2025-01-31", "2025-06-15"), ("2025-04-30", "2025-04-30"),
                          ("2025-04-30", "2025-05-20")])
    short = _label_frame([("2025-02-28", "2025-03-07"), ("2025-02-28", "2025-03-08"), ("2025-02-28", "2025-03-20"),
                          ("2025-05-31", None), ("2025-05-31", "2025-09-30")])
    shuffled = edges.iloc[[6, 2, 0, 5, 3, 1, 4]]
    try:
        check_function("make_label", a.make_label, [
            Case((edges,), {"horizon_days": 30}, pd.Series([1, 1, 0, 0, 0, 0, 1], index=edges.index),
                 "on rows with cancellations 1, 30 and 31 days after the snapshot, none, months later, on the snapshot day and 20 days after"),
            Case((short,), {"horizon_days": 7}, pd.Series([1, 0, 0, 0, 0], index=short.index), "with horizon_days=7"),
            Case((shuffled,), {"horizon_days": 30}, pd.Series([1, 0, 1, 0, 0, 1, 0], index=shuffled.index),
                 "on rows in another order (the result must follow the frame's index)"),
        ], mistakes=[
            (lambda f, horizon_days=30: f["cancelled_at"].notna().astype(int), EVER_CANCELLED),
            (lambda f, horizon_days=30: ((f["cancelled_at"] > f["snapshot_date"]) & (f["cancelled_at"] < f["snapshot_date"] + pd.Timedelta(days=horizon_days))).astype(int),
             "off by one at the end of the window: a cancellation exactly `horizon_days` days after the snapshot counts (use <=)."),
            (lambda f, horizon_days=30: ((f["cancelled_at"] >= f["snapshot_date"]) & (f["cancelled_at"] <= f["snapshot_date"] + pd.Timedelta(days=horizon_days))).astype(int),
             "a cancellation on the snapshot day itself is already known at prediction time; the window starts strictly after it."),
        ], aligned=True)
    except Incorrect as wrong:
        if type(wrong) is Incorrect and EVER_CANCELLED not in wrong.message and _ignores_horizon(a.make_label):
            raise Incorrect("`make_label` gives the same labels for horizon_days=7 and horizon_days=60: the window ignores "
                            "`horizon_days` (a fixed 30 days, a calendar month or the global `HORIZON_DAYS`). End it at "
                            "`snapshot_date + pd.Timedelta(days=horizon_days)`.") from None
        raise


# ---------------------------------------------------------------- Part 3 · the split


@lab.item("time_split", reads=["train", "test"], explanation="""
In production the model is trained on past months and scores the next month-end, so `test` is the latest
snapshot only and `train` every snapshot before it. A random split would put June rows in `train`: the model
would be tested on a month it learned from. Both keep every column: the later questions read the label and the
features from them.
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
    for name, part in (("train", a.train), ("test", a.test)):
        missing = [c for c in [*frame.columns, "churn_label"] if c not in part.columns]
        if missing:
            raise Incorrect(f"`{name}` has the right rows but lacks the column(s) {', '.join(map(repr, missing[:5]))}: "
                            "keep every column of `snapshots` (the label and all features).")


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
        Case((pd.Series([1, 1, 0, 1], index=[17068, 17069, 17070, 17071]),), {"n": 2}, np.array([1, 1]),
             "with a Series whose index does not start at 0 (like `y_train`)"),
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
        (100 * (1 - y_test.mean()), "this is a percentage; give accuracy as a fraction between 0 and 1, as `accuracy_score` does."),
    ])
    check_number("majority_recall", a.majority_recall, 0.0, atol=1e-9, mistakes=[
        (1.0, "this is the recall of the 'stays' class; the churners are class 1, and predicting 'stays' for everyone finds none of them: recall TP/(TP+FN) is 0."),
    ], why="High accuracy, zero recall: on imbalanced data accuracy rewards ignoring the class you care about.")


@lab.item("rule_predict", reads=["rule_predict"], explanation="""
A missing `days_since_last_login` means the subscriber never used the app: the most inactive of all, so the rule
flags them: `(frame["days_since_last_login"].isna() | (frame["days_since_last_login"] > days)).astype(int)`.
Built from the frame's own column, the Series keeps the frame's index, so it lines up with `churn_label`.
""")
def rule_predict(a):
    logins = pd.DataFrame({"days_since_last_login": pd.array([3, 14, 15, None, 90, 0], dtype="Int64")},
                          index=[17068, 17070, 17071, 17075, 17080, 17081])
    shuffled = logins.iloc[::-1]
    func = a.rule_predict
    if callable(func):
        try:
            probe = func(shuffled.copy(), 14)
        except Exception:  # noqa: BLE001 - check_function reports the learner's error, with its case
            probe = None
        if isinstance(probe, pd.Series) and not probe.index.equals(shuffled.index):
            raise Incorrect("`rule_predict` returns a Series that does not carry the frame's index (in the frame's order): "
                            "pandas lines Series up by index, so it would not match `churn_label`. Build it from "
                            "`frame[\"days_since_last_login\"]` (or pass `index=frame.index`), or return a numpy array.")
    check_function("rule_predict", func, [
        Case((logins, 14), {}, np.array([0, 0, 1, 1, 1, 0]), "with days=14 on logins 3, 14, 15, missing, 90 and 0 days ago"),
        Case((logins, 2), {}, np.array([1, 1, 1, 1, 1, 0]), "with days=2"),
        Case((shuffled, 14), {}, np.array([0, 1, 1, 1, 0, 0]), "on the same rows in another order"),
    ], mistakes=RULE_MISTAKES)


@lab.item("best_days", reads=["best_days"], uses={"rule_predict": "rule_predict", "train": "time_split"}, explanation="""
Every candidate is scored on `train` only; the argmax of F1 is `best_days`. Picking the value that scores best on
`test` would make June's score an optimistic, tuned number; maximising accuracy prefers flagging almost no one.
F1 is a fair default while nobody has priced the errors; Part 5 prices them.
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
    macro, weighted = rule_averaged_f1(learner_rule(a))
    check_pick("best_days", a.best_days, train_f1, tol=1e-9, score_name="training F1", mistakes=[
        (max(test_f1, key=test_f1.get), "this is the best value on `test`. Tune on `train`: a threshold picked on the test month makes its score optimistic."),
        (max(train_acc, key=train_acc.get), "this maximises accuracy, which on imbalanced data prefers flagging almost no one; maximise F1."),
        (max(macro, key=macro.get), "this maximises the macro-averaged F1, the mean of the churners' and the stayers' F1; "
                                    "the churn class's F1 is `average=\"binary\"` (the default) with class 1 as positive."),
        (max(weighted, key=weighted.get), "this maximises the weighted-average F1, which the 9 in 10 subscribers who stay "
                                          "dominate; the churn class's F1 is `average=\"binary\"` (the default)."),
    ])


# ---------------------------------------------------------------- Part 5 · money


@lab.item("net_value", reads=["net_value"], explanation="""
Value = true positives × `save_rate` × `value_saved` − calls × `cost_call`: every call costs money, including the
calls to true churners, and only a share `save_rate` of the called churners stays.
""")
def net_value(a):
    yt = np.array([1, 1, 1, 0, 0, 1, 0, 1, 0, 0])
    yp = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 0])
    index = [17068 + 3 * i for i in range(10)]
    check_function("net_value", a.net_value, [
        Case((yt, yp), {"value_saved": 100.0, "cost_call": 10.0, "save_rate": 0.3}, 2 * 0.3 * 100 - 4 * 10.0,
             "with 2 true positives among 4 calls, 5 churners in all, value 100, cost 10, save rate 0.3"),
        Case((yt, np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])), {"value_saved": 100.0, "cost_call": 10.0, "save_rate": 0.5},
             0.5 * 100 - 10.0, "when one churner of five is called"),
        Case((list(yt), list(yp)), {"value_saved": 180.0, "cost_call": 12.0, "save_rate": 0.3}, 2 * 0.3 * 180 - 4 * 12.0,
             "with lists and Brightwave's numbers"),
        Case((pd.Series(yt, index=index), pd.Series(yp, index=index)), {"value_saved": 180.0, "cost_call": 12.0, "save_rate": 0.3},
             2 * 0.3 * 180 - 4 * 12.0, "with pandas Series whose index does not start at 0 (like `y_test`)"),
        Case((yt, np.zeros(10, dtype=int)), {"value_saved": 180.0, "cost_call": 12.0, "save_rate": 0.3}, 0.0,
             "when nobody is called"),
    ], mistakes=NET_VALUE_MISTAKES, rtol=1e-9, atol=1e-6)


@lab.item("break_even_threshold", reads=["break_even_threshold"], explanation="""
Calling a subscriber whose churn probability is p earns, on average, p × `save_rate` × `value_saved` and always
costs `cost_call`. The call pays when p × save_rate × value_saved > cost_call, so the threshold is
p* = cost_call / (save_rate × value_saved): 12 / (0.3 × 180) ≈ 0.22 for Brightwave. It is the cost-ratio rule
c_FP / (c_FP + c_FN) with c_FP = 12 (a wasted call) and c_FN = 0.3 × 180 − 12 = 42 (the net gain missed). It
trusts the probabilities: it holds for a calibrated model (Lab 02 checks calibration) when every subscriber worth a
call can be called (with a cap on calls, call the highest probabilities first, down to p* at most).
""")
def break_even_threshold(a):
    check_function("break_even_threshold", a.break_even_threshold, [
        Case((100.0, 10.0, 0.5), {}, 0.2, "with value_saved=100, cost_call=10, save_rate=0.5"),
        Case((180.0, 12.0, 0.3), {}, 12 / 54, "with Brightwave's numbers"),
        Case((250, 5, 0.1), {}, 0.2, "with whole numbers 250 and 5 and save_rate=0.1"),
        Case((60.0, 9.0, 0.5), {}, 0.3, "with value_saved=60, cost_call=9, save_rate=0.5"),
    ], mistakes=BREAK_EVEN_MISTAKES, rtol=1e-6, atol=1e-9)


@lab.item("backtest", reads=["backtest"],
          uses={"net_value": "net_value", "rule_predict": "rule_predict", "break_even_threshold": "break_even_threshold",
                "best_days": "best_days"}, explanation="""
For each month M of March to June: fit `fit_team_model` on the snapshots before M, flag M's subscribers whose churn
probability is at least `call_threshold`, and take `net_value` of those flags on M's labels; tune the rule's days
by `net_value` on the months before M and take its `net_value` on M; `net_gain` is model − rule − `MODEL_RUN_COST`.
Nothing from M or later is used to decide how M is scored, exactly as in production. The spread across months is
the point: one month's gain is one draw from it.
""")
def backtest(a):
    table = month_table("backtest", a.backtest)
    expected = reference_backtest(a)
    for column in ("model", "rule"):
        got = table[column].to_numpy()
        if _matches(got, expected[column]):
            continue
        for wrong, message in backtest_mistakes(a, column):
            if _matches(got, wrong):
                raise Incorrect(f"`backtest['{column}']`: {message}")
        raise Incorrect(f"`backtest['{column}']` differs from the back-test: {_first_miss(got, expected[column])}.")
    model, rule, gain = (table[c].to_numpy() for c in ("model", "rule", "net_gain"))
    want = model - rule - MODEL_RUN_COST
    if not np.allclose(gain, want, rtol=0, atol=EURO):
        n = len(model)
        for wrong, message in [
            (model - rule, "this is the gain before the model's running cost (subtracting `MODEL_RUN_COST` from both "
                           "sides cancels it, and the rule does not carry it): net_gain = model − rule − MODEL_RUN_COST."),
            (model - rule - COST_CALL, "you subtracted the cost of one call; the calls are already inside `net_value`. "
                                       "The cost to subtract is the model's running cost, `MODEL_RUN_COST` a month."),
            (model - MODEL_RUN_COST, "this is the model's own value after its running cost: subtract what the rule already earns."),
            (rule - model - MODEL_RUN_COST, "the sign is flipped: net_gain = model − rule − MODEL_RUN_COST."),
            (rule - model + MODEL_RUN_COST, "the sign is flipped: net_gain = model − rule − MODEL_RUN_COST."),
            (model - rule - n * MODEL_RUN_COST, "you subtracted the running cost of all the months from each month: "
                                                "`MODEL_RUN_COST` is per month."),
        ]:
            if np.allclose(gain, wrong, rtol=0, atol=EURO):
                raise Incorrect(f"`backtest['net_gain']`: {message}")
        worst = int(np.argmax(np.abs(gain - want)))
        raise Incorrect(f"`backtest['net_gain']` in {backtest_months()[worst]:%B} is {eur(gain[worst])}; model − rule − "
                        f"MODEL_RUN_COST in that row is {eur(want[worst])}.")
    passed("backtest")


def decision_table(a) -> pd.DataFrame:
    """The back-test the decision is scored on: the learner's, when it is one a known answer gives, else the reference."""
    expected = reference_backtest(a)
    reference = pd.DataFrame({c: [min(v) for v in expected[c]] for c in ("model", "rule")}, index=list(backtest_months()))
    if not a.has("backtest"):
        return reference
    try:
        table = month_table("backtest", a.backtest)
    except Incorrect:
        return reference
    known = {c: [expected[c]] for c in ("model", "rule")}
    for column in ("model", "rule"):
        if not _matches(table[column].to_numpy(), expected[column]):
            known[column] += [wrong for wrong, _ in backtest_mistakes(a, column)]
    if all(any(_matches(table[c].to_numpy(), col) for col in known[c]) for c in ("model", "rule")):
        return table[["model", "rule"]]
    return reference


def decide(table: pd.DataFrame) -> tuple[str, dict]:
    """The careful answer for a back-test: the option with the best average net, and a pilot when the model's lead is thin.

    The model is rolled out straight away only when it leads in every month by at least half its running cost again:
    a lead that thin in any month is within the month-to-month spread, and the save rate behind every number is an
    assumption only an experiment measures.
    """
    model_net = table["model"].to_numpy() - MODEL_RUN_COST
    rule = table["rule"].to_numpy()
    means = {"model": float(model_net.mean()), "rule": float(rule.mean()), "nothing": 0.0}
    lead = model_net - np.maximum(rule, 0.0)
    facts = {"lead": lead, "months": len(lead), "paid": int((lead > 0).sum()), "means": means}
    best = max(means, key=means.get)
    if best != "model":
        return best, facts
    return ("model" if lead.min() >= 0.5 * MODEL_RUN_COST else "pilot"), facts


@lab.item("decision", reads=["decision"],
          uses={"backtest": "backtest", "net_value": "net_value", "rule_predict": "rule_predict",
                "break_even_threshold": "break_even_threshold"}, explanation="""
After its €1,500 running cost the model beat the rule in 3 of the 4 back-tested months, by about €330 a month on
average, from a small loss to about €680: it probably pays, but the lead is about the size of the month-to-month
spread, and every figure rests on a 30 % save rate nobody has measured (a back-test shows who churned, not who a call
would have kept). Replacing the rule on that evidence is a bet; dropping the model throws away a likely gain. The
careful engineer runs both side by side: the rule for most subscribers, the model's list for a random share (an
A/B test), for two or three months, and rolls out when the *measured* lift beats the running cost. The same
evidence, stated up front as a success criterion, decides the roll-out.
""")
def decision(a):
    require_answer("decision", a.decision)
    expected, facts = decide(decision_table(a))
    lead, means = facts["lead"], facts["means"]
    summary = (f"after its {eur(MODEL_RUN_COST)} running cost the model beat the rule in {facts['paid']} of "
               f"{facts['months']} back-tested months, by {eur(lead.mean())} a month on average "
               f"(from {eur(lead.min())} to {eur(lead.max())}); the rule alone earns {eur(means['rule'])} a month")
    pilot_gain = "calling no one gives up what the call lists earn"
    why = {
        "pilot": {
            "model": "a lead that thin, in a few months and on an assumed save rate, does not justify replacing the rule "
                     "for everyone: test it side by side first",
            "rule": "keeping the rule alone leaves a probable gain untested: run the model's list on a random share beside it",
            "nothing": pilot_gain,
        },
        "model": {
            "pilot": "the model leads by more than half its running cost again in every month: a pilot only delays the gain",
            "rule": "the model leads by more than half its running cost again in every month",
            "nothing": pilot_gain,
        },
        "rule": {
            "model": "the model does not pay for its running cost on average",
            "pilot": "the model does not pay for its running cost on average: there is nothing to pilot yet",
            "nothing": "the rule earns money: calling no one gives that up",
        },
        "nothing": {
            "model": "the model does not earn its running cost",
            "pilot": "the model does not earn its running cost: there is nothing to pilot",
            "rule": "the rule loses money on average",
        },
    }[expected]
    check_choice("decision", a.decision, expected, options=["model", "pilot", "rule", "nothing"],
                 mistakes={option: f"{summary}: {why[option]}." for option in why})


__all__ = ["lab", "outputs"]
