"""Unit tests of autograder/checks/02_metrics.py: every item on in-memory answers, no notebook run.

The right answers are computed here the way the solution notebook computes them (the learner's view: its own
fit of the fraud model and of the valuers' model), not read from the module, so a pass means the module accepts
what the notebook produces. Recorded mistakes are taken from the module where it names them.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    auc,
    average_precision_score,
    confusion_matrix,
    f1_score,
    log_loss,
    mean_absolute_error,
    median_absolute_error,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from pmle.data import load

from conftest import lab_checks, source

LAB = "02_metrics"
ref = lab_checks(LAB).module
SEED, N_TYPOS = 2025, 5
THRESHOLDS = np.round(np.arange(1, 51) / 100, 2)
NUMERIC = ["log_amount", "log_amount_vs_median", "log_distance", "distance_missing", "txn_count_24h", "night",
           "foreign_merchant"]
CATEGORICAL = ["channel", "merchant_category"]
FEATURES = NUMERIC + CATEGORICAL
HOUSE_FEATURES = ["living_area_m2", "lot_area_m2", "distance_to_centre_km", "condition_score", "bathrooms",
                  "school_rating"]
METRIC_FOR_GOAL = {"fraud": "expected cost", "screening": "recall", "spam": "precision", "pricing": "MAE"}
RANDOM = np.random.default_rng(SEED + 100)  # for random rankings of the tests, never the module's streams


@pytest.fixture
def check(verdict):
    """check(item, **answers) -> Verdict of lab 02."""
    return lambda item, **answers: verdict(LAB, item, **answers)


# ---------------------------------------------------------------- the solution's functions


def confusion_counts(y_true, y_pred):
    y_true = np.asarray(y_true).astype(bool)
    y_pred = np.asarray(y_pred).astype(bool)
    return {"tp": int(np.sum(y_true & y_pred)), "fp": int(np.sum(~y_true & y_pred)),
            "fn": int(np.sum(y_true & ~y_pred)), "tn": int(np.sum(~y_true & ~y_pred))}


def prf_using(counts):
    """The solution's `precision_recall_f1`, built on the given `confusion_counts` (as a learner's is on theirs)."""
    def precision_recall_f1(y_true, y_pred):
        c = counts(y_true, y_pred)
        flagged, actual = c["tp"] + c["fp"], c["tp"] + c["fn"]
        precision = c["tp"] / flagged if flagged else 0.0
        recall = c["tp"] / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return float(precision), float(recall), float(f1)

    return precision_recall_f1


precision_recall_f1 = prf_using(confusion_counts)


def roc_auc_by_hand(y_true, scores):
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=float)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def average_precision_by_hand(y_true, scores):
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=float)
    if not y.any():
        return 0.0
    order = np.argsort(-s, kind="stable")
    y, s = y[order], s[order]
    last = np.r_[s[1:] != s[:-1], True]
    tp = np.cumsum(y)[last]
    flagged = np.arange(1, len(y) + 1)[last]
    precision, recall = tp / flagged, tp / y.sum()
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def log_loss_by_hand(y_true, p, eps=1e-15):
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def regression_errors(y_true, y_pred):
    e = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    mse = float(np.mean(e ** 2))
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": float(np.mean(np.abs(e)))}


def transaction_cost(y_true, flagged, amount):
    y = np.asarray(y_true).astype(bool)
    f = np.asarray(flagged).astype(bool)
    amount = np.asarray(amount, dtype=float)
    return np.where(f, 5.0 + np.where(y, 0.0, 3.0), np.where(y, amount + 15.0, 0.0))


def caught_fraud_free(y_true, flagged, amount):
    y = np.asarray(y_true).astype(bool)
    f = np.asarray(flagged).astype(bool)
    return np.where(f, np.where(y, 0.0, 8.0), np.where(y, np.asarray(amount, dtype=float) + 15.0, 0.0))


def missed_fraud_fee_only(y_true, flagged, amount):
    y = np.asarray(y_true).astype(bool)
    f = np.asarray(flagged).astype(bool)
    return np.where(f, 5.0 + np.where(y, 0.0, 3.0), np.where(y, 15.0, 0.0))


def raises_not_implemented(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- the notebook's state (the learner's view)


@pytest.fixture(scope="module")
def nb():
    """What the solution notebook has computed by the end of each part."""
    tx = load("fraud")
    data = tx.copy()
    data["log_amount"] = np.log1p(data["amount_eur"])
    data["log_amount_vs_median"] = np.log(data["amount_vs_card_median"].clip(lower=0.01))
    data["distance_missing"] = data["distance_from_home_km"].isna().astype(int)
    data["log_distance"] = np.log1p(data["distance_from_home_km"].fillna(0.0))
    data["night"] = (data["timestamp"].dt.hour < 6).astype(int)
    data["foreign_merchant"] = (data["merchant_country"] != "NL").astype(int)
    day = data["timestamp"].dt.normalize()
    train, val, test = data[day <= "2025-05-04"], data[(day >= "2025-05-05") & (day <= "2025-05-18")], data[day >= "2025-05-19"]

    def fraud_model(class_weight=None):
        pre = make_column_transformer((StandardScaler(), NUMERIC), (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL))
        return make_pipeline(pre, LogisticRegression(solver="liblinear", class_weight=class_weight))

    model = fraud_model().fit(train[FEATURES], train["is_fraud"])
    balanced = fraud_model("balanced").fit(train[FEATURES], train["is_fraud"])
    s = SimpleNamespace(train=train, val=val, test=test, y_train=train["is_fraud"], y_val=val["is_fraud"],
                        y_test=test["is_fraud"])
    s.p_val, s.p_test = model.predict_proba(val[FEATURES])[:, 1], model.predict_proba(test[FEATURES])[:, 1]
    s.p_val_balanced = balanced.predict_proba(val[FEATURES])[:, 1]

    sales = load("housing")
    sales_train, sales_test = sales[sales["sale_date"] < "2024-01-01"], sales[sales["sale_date"] >= "2024-01-01"]
    valuer = LinearRegression().fit(sales_train[HOUSE_FEATURES], sales_train["sale_price_eur"])
    s.price_pred = valuer.predict(sales_test[HOUSE_FEATURES])
    s.price_true = sales_test["sale_price_eur"].to_numpy(dtype=float)
    typo_rows = np.random.default_rng(SEED).choice(len(s.price_true), size=N_TYPOS, replace=False)
    s.price_true_typos = s.price_true.copy()
    s.price_true_typos[typo_rows] *= 10

    flag = (s.p_val >= 0.5).astype(int)
    s.accuracy = {"never_flag_accuracy": accuracy_score(s.y_val, np.zeros(len(s.y_val), dtype=int)),
                  "model_accuracy": accuracy_score(s.y_val, flag),
                  "model_recall": recall_score(s.y_val, flag, zero_division=0)}
    s.precision_at_05 = precision_score(s.y_val, flag, zero_division=0)
    s.ranking = {"roc_auc": roc_auc_score(s.y_val, s.p_val), "pr_auc": average_precision_score(s.y_val, s.p_val),
                 "pr_baseline": s.y_val.mean()}
    s.calibration = {"log_loss_plain": log_loss(s.y_val, s.p_val), "log_loss_balanced": log_loss(s.y_val, s.p_val_balanced),
                     "prediction_bias_balanced": s.p_val_balanced.mean() - s.y_val.mean(),
                     "balanced_reliability": "over-estimates"}

    def jumps(metric):
        return metric(s.price_true_typos, s.price_pred) / metric(s.price_true, s.price_pred)

    s.outliers = {"rmse_jump": jumps(root_mean_squared_error), "mae_jump": jumps(mean_absolute_error),
                  "medae_jump": jumps(median_absolute_error), "report_metric": "median absolute error", "typo_fix": "C"}
    s.val_costs_with = lambda cost: np.array([cost(s.y_val, s.p_val >= t, val["amount_eur"]).sum() for t in THRESHOLDS])
    s.test_cost = lambda t, cost=transaction_cost: cost(s.y_test, s.p_test >= t, test["amount_eur"]).sum()
    s.val_costs = s.val_costs_with(transaction_cost)
    s.best_threshold = float(THRESHOLDS[np.argmin(s.val_costs)])
    return s


# ---------------------------------------------------------------- the module as a whole


def test_every_test_cell_of_the_lab_has_an_item():
    """Does the module declare exactly the notebook's auto-graded items, in notebook order?"""
    from pmle.course import notebooks as nbu

    cells = [nbu.grade_id(c) for c in source(LAB).cells if nbu.is_test(c)]
    assert list(lab_checks(LAB).items) == cells


def test_lab_info_matches_the_header():
    """Does the lab's metadata say what the notebook's header says (title, data, time, exam sections)?"""
    info = lab_checks(LAB).info
    header = source(LAB).cells[0].source
    assert info.title in header and f"{info.minutes[0]}–{info.minutes[1]} minutes" in header
    assert all(f"`{name}`" in header for name in info.datasets)
    assert all(f"Section {n}," in header for n in info.exam_sections)


def test_every_item_has_a_worked_explanation():
    """Does every item carry a worked explanation for after a pass?"""
    assert all(item.explanation.strip() for item in lab_checks(LAB).items.values())


def test_the_test_cells_only_call_the_lab():
    """Is every test cell of the source the single line `lab.check("<id>")`, with no hidden test left in it?"""
    from pmle.course import notebooks as nbu

    for cell in source(LAB).cells:
        if nbu.is_test(cell):
            assert cell.source == f'lab.check("{nbu.grade_id(cell)}")'


# ---------------------------------------------------------------- right answers pass


def right_answers(nb) -> dict[str, dict]:
    return {
        "confusion_counts": {"confusion_counts": confusion_counts},
        "precision_recall_f1": {"precision_recall_f1": precision_recall_f1, "confusion_counts": confusion_counts},
        "accuracy_paradox": {**nb.accuracy, "precision_recall_f1": precision_recall_f1},
        "ranking_by_hand": {"roc_auc_by_hand": roc_auc_by_hand, "average_precision_by_hand": average_precision_by_hand},
        "ranking_metrics": {**nb.ranking, "roc_auc_by_hand": roc_auc_by_hand,
                            "average_precision_by_hand": average_precision_by_hand},
        "roc_pr": {"roc_pr_true": {"B", "C", "E"}},
        "log_loss": {"log_loss_by_hand": log_loss_by_hand},
        "calibration": {**nb.calibration, "log_loss_by_hand": log_loss_by_hand},
        "regression_errors": {"regression_errors": regression_errors},
        "outliers": {**nb.outliers, "regression_errors": regression_errors},
        "transaction_cost": {"transaction_cost": transaction_cost},
        "best_threshold": {"val_costs": nb.val_costs, "best_threshold": nb.best_threshold,
                           "transaction_cost": transaction_cost},
        "test_report": {"test_cost_chosen": nb.test_cost(nb.best_threshold), "test_cost_default": nb.test_cost(0.5),
                        "best_threshold": nb.best_threshold, "transaction_cost": transaction_cost},
        "metric_for_goal": {"metric_for_goal": METRIC_FOR_GOAL},
    }


@pytest.mark.parametrize("item", list(lab_checks(LAB).items))
def test_the_solutions_answers_pass(check, nb, item):
    """Does the solution notebook's answer to every item pass?"""
    result = check(item, **right_answers(nb)[item])
    assert result.status == "pass", result.message


@pytest.mark.parametrize("item", list(lab_checks(LAB).items))
def test_missing_answers_are_not_attempted(check, item):
    """Is an item with none of its answers defined "not attempted", never "wrong" or "blocked"?"""
    assert check(item).status == "not attempted"


@pytest.mark.parametrize("item, answers", [
    ("confusion_counts", {"confusion_counts": raises_not_implemented}),
    ("precision_recall_f1", {"precision_recall_f1": raises_not_implemented, "confusion_counts": raises_not_implemented}),
    ("accuracy_paradox", {"never_flag_accuracy": None, "model_accuracy": None, "model_recall": None}),
    ("ranking_by_hand", {"roc_auc_by_hand": raises_not_implemented, "average_precision_by_hand": raises_not_implemented}),
    ("ranking_metrics", {"roc_auc": None, "pr_auc": None, "pr_baseline": None}),
    ("calibration", {"log_loss_plain": None, "log_loss_balanced": None, "prediction_bias_balanced": None,
                     "balanced_reliability": None}),
    ("outliers", {"rmse_jump": None, "mae_jump": None, "medae_jump": None, "report_metric": None, "typo_fix": None}),
    ("roc_pr", {"roc_pr_true": None}),
    ("log_loss", {"log_loss_by_hand": raises_not_implemented}),
    ("metric_for_goal", {"metric_for_goal": {"fraud": None, "screening": None, "spam": None, "pricing": None}}),
    ("best_threshold", {"val_costs": None, "best_threshold": None, "transaction_cost": raises_not_implemented}),
    ("test_report", {"test_cost_chosen": None, "test_cost_default": None, "best_threshold": None}),
])
def test_placeholders_are_not_attempted(check, item, answers):
    """Is an untouched placeholder of the release (None, or a body that raises NotImplementedError) "not attempted"?"""
    assert check(item, untouched=set(answers), **answers).status == "not attempted"


def test_alternative_approaches_pass(check, nb):
    """Do the second correct approaches pass (sklearn counts, trapezoidal PR AUC, text spelled differently)?"""
    def counts_from_sklearn(y_true, y_pred):
        tn, fp, fn, tp = confusion_matrix(np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int),
                                          labels=[0, 1]).ravel()
        return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}  # numpy integers are integers too

    assert check("confusion_counts", confusion_counts=counts_from_sklearn).passed
    precision, recall, _ = precision_recall_curve(nb.y_val, nb.p_val)
    assert check("ranking_metrics", **{**nb.ranking, "pr_auc": auc(recall, precision)}).passed
    assert check("calibration", **{**nb.calibration, "balanced_reliability": " Over-Estimates"}).passed
    assert check("outliers", **{**nb.outliers, "report_metric": "Median Absolute Error", "typo_fix": " c"}).passed
    assert check("metric_for_goal", metric_for_goal={k: f" {v.upper()} " for k, v in METRIC_FOR_GOAL.items()}).passed


# ---------------------------------------------------------------- recorded mistakes are named


class Wrong:
    """A wrong value named in a parametrised test, computed from the notebook's state inside the test."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


def counts_fp_fn_swapped(y_true, y_pred):
    c = confusion_counts(y_true, y_pred)
    return {"tp": c["tp"], "fp": c["fn"], "fn": c["fp"], "tn": c["tn"]}


def unclipped_log_loss(y_true, p, eps=1e-15):
    y, p = np.asarray(y_true, dtype=float), np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def sum_log_loss(y_true, p, eps=1e-15):
    return log_loss_by_hand(y_true, p, eps) * len(np.asarray(y_true))


def mae_rmse_swapped(y_true, y_pred):
    d = regression_errors(y_true, y_pred)
    return {"mse": d["mse"], "rmse": d["mae"], "mae": d["rmse"]}


@pytest.mark.parametrize("item, change, fragment", [
    ("confusion_counts", {"confusion_counts": counts_fp_fn_swapped}, "you swapped FP and FN"),
    ("confusion_counts", {"confusion_counts": lambda yt, yp: {k: float(v) for k, v in confusion_counts(yt, yp).items()}},
     "plain integers"),
    ("confusion_counts", {"confusion_counts": lambda yt, yp: {**confusion_counts(yt, yp), "total": len(yt)}},
     "exactly 'tp', 'fp', 'fn' and 'tn'"),
    ("confusion_counts", {"confusion_counts": lambda yt, yp: tuple(confusion_counts(yt, yp).values())}, "must return a dict"),
    ("precision_recall_f1", {"precision_recall_f1": lambda yt, yp: (lambda p, r, f: (p, r, (p + r) / 2))(
        *precision_recall_f1(yt, yp))}, "harmonic mean"),
    ("precision_recall_f1", {"precision_recall_f1": ref.PRF_MISTAKES[2][0]}, "0/0 gave NaN"),
    ("accuracy_paradox", {"never_flag_accuracy": "99.5 %"}, "must be a single number"),
    ("ranking_metrics", {"roc_auc": Wrong("flags")}, "pass the probabilities"),
    ("ranking_metrics", {"roc_auc": Wrong("class 0")}, "scores of the genuine class"),
    ("ranking_metrics", {"pr_baseline": 0.5}, "0.5 is the chance level of ROC AUC"),
    ("ranking_metrics", {"pr_auc": Wrong("roc")}, "this is ROC AUC"),
    ("roc_pr", {"roc_pr_true": {"A", "B", "C", "E"}}, "A is false"),
    ("roc_pr", {"roc_pr_true": {"B", "C", "D", "E"}}, "D is false"),
    ("log_loss", {"log_loss_by_hand": lambda y, p, eps=1e-15: float(-np.mean(
        np.asarray(y, float) * np.log(np.clip(np.asarray(p, float), eps, 1 - eps))))}, "-ln(1 - p) too"),
    ("log_loss", {"log_loss_by_hand": sum_log_loss}, "log loss is the mean"),
    ("log_loss", {"log_loss_by_hand": lambda y, p, eps=1e-15: log_loss_by_hand(y, p, eps) / np.log(10)},
     "natural logarithm"),
    ("log_loss", {"log_loss_by_hand": unclipped_log_loss}, "clip `p`"),
    ("log_loss", {"log_loss_by_hand": lambda y, p, eps=1e-15: log_loss_by_hand(y, p)}, "use the `eps` argument"),
    ("calibration", {"balanced_reliability": "well calibrated"}, "ranking says nothing about calibration"),
    ("calibration", {"balanced_reliability": "under-estimates"}, "(prob_true, prob_pred) in that order"),
    ("calibration", {"log_loss_plain": Wrong("balanced")}, "balanced model's log loss"),
    ("regression_errors", {"regression_errors": mae_rmse_swapped}, "RMSE and MAE are swapped"),
    ("regression_errors", {"regression_errors": lambda yt, yp: {**regression_errors(yt, yp),
                                                                "rmse": regression_errors(yt, yp)["mse"]}},
     "take the square root"),
    ("regression_errors", {"regression_errors": lambda yt, yp: {**regression_errors(yt, yp), "mae": float(
        np.mean(np.asarray(yt, float) - np.asarray(yp, float)))}}, "absolute value"),
    ("regression_errors", {"regression_errors": lambda yt, yp: list(regression_errors(yt, yp).values())},
     "must return a dict"),
    ("outliers", {"report_metric": "RMSE"}, "RMSE squares errors before averaging"),
    ("outliers", {"report_metric": "MSE"}, "squared euros"),
    ("outliers", {"report_metric": "MAE"}, "it is a mean too, not robust"),
    ("outliers", {"medae_jump": Wrong("mae ratio")}, "for the *median* absolute error"),
    ("outliers", {"medae_jump": Wrong("median signed")}, "median of the signed errors"),
    ("outliers", {"mae_jump": Wrong("medae ratio")}, "ratio of the *median* absolute errors"),
    ("outliers", {"typo_fix": "A"}, "still wrong labels"),
    ("outliers", {"typo_fix": "B"}, "genuine worst misses"),
    ("outliers", {"typo_fix": "D"}, "evaluation labels stay wrong"),
    ("calibration", {"prediction_bias_balanced": Wrong("label minus prediction")}, "mean label minus the mean prediction"),
    ("calibration", {"prediction_bias_balanced": Wrong("plain bias")}, "plain model's prediction bias"),
    ("calibration", {"prediction_bias_balanced": Wrong("bias ratio")}, "ratio of the two means"),
    ("accuracy_paradox", {"model_recall": Wrong("macro recall")}, "macro average of both classes' recall"),
    ("ranking_metrics", {"roc_auc": Wrong("predict")}, "`model.predict`"),
    ("ranking_metrics", {"pr_auc": Wrong("predict ap")}, "`model.predict`"),
    ("ranking_metrics", {"pr_baseline": Wrong("one random ranking")}, "a single noisy draw"),
    ("ranking_metrics", {"pr_baseline": Wrong("train rate")}, "training weeks"),
    ("metric_for_goal", {"metric_for_goal": {**METRIC_FOR_GOAL, "pricing": "median absolute error"}},
     "the average size of a miss is MAE"),
    ("outliers", {"rmse_jump": Wrong("mse ratio")}, "ratio of the MSEs"),
    ("outliers", {"mae_jump": Wrong("upside down")}, "upside down"),
    ("transaction_cost", {"transaction_cost": caught_fraud_free}, "a caught fraud still costs the EUR 5 review"),
    ("transaction_cost", {"transaction_cost": missed_fraud_fee_only}, "not the fee alone"),
    ("transaction_cost", {"transaction_cost": lambda y, f, a: np.where(
        np.asarray(f).astype(bool), 5.0, np.where(np.asarray(y).astype(bool), np.asarray(a, float) + 15.0, 0.0))},
     "friction on top of the review"),
    ("best_threshold", {"best_threshold": 0.5}, "0.5 is only the default"),
    ("best_threshold", {"best_threshold": Wrong("tuned on test")}, "cheapest threshold on the *test* weeks"),
    ("best_threshold", {"best_threshold": Wrong("max f1")}, "maximises F1"),
    ("best_threshold", {"val_costs": Wrong("mean")}, "mean costs per transaction"),
    ("best_threshold", {"val_costs": Wrong("test")}, "computed on the test weeks"),
    ("best_threshold", {"best_threshold": Wrong("argmin")}, "*position* of the cheapest threshold"),
    ("best_threshold", {"best_threshold": Wrong("min cost")}, "lowest total cost, not the threshold"),
    ("best_threshold", {"val_costs": Wrong("reversed")}, "reverse order"),
    ("accuracy_paradox", {"model_accuracy": Wrong("percent")}, "this is a percentage"),
    ("ranking_metrics", {"pr_baseline": Wrong("n frauds")}, "number of frauds"),
    ("outliers", {"rmse_jump": Wrong("rmse difference")}, "difference of the two RMSEs"),
    ("test_report", {"test_cost_chosen": Wrong("re-tuned")}, "a threshold re-tuned on test"),
    ("test_report", {"test_cost_default": Wrong("mean at 0.5")}, "mean cost per transaction"),
    ("test_report", {"test_cost_chosen": Wrong("validation")}, "this is the validation cost"),
    ("test_report", {"test_cost_chosen": Wrong("at 0.5")}, "this is the cost at 0.5"),
    ("metric_for_goal", {"metric_for_goal": {**METRIC_FOR_GOAL, "screening": "precision", "spam": "recall"}},
     "this swaps them"),
    ("metric_for_goal", {"metric_for_goal": {**METRIC_FOR_GOAL, "fraud": "accuracy"}}, "99.5 % accurate"),
    ("metric_for_goal", {"metric_for_goal": {**METRIC_FOR_GOAL, "pricing": "RMSE"}}, "more than in proportion"),
])
def test_recorded_mistakes_are_named(check, nb, item, change, fragment):
    """Does a recorded misconception lose the item with a message that names it (and names only the learner's names)?"""
    y, p = nb.y_val, nb.p_val
    flags = p >= 0.5
    named = {  # wrong values, computed (only the one a case needs) the way a learner would make the mistake
        "flags": lambda: roc_auc_score(y, flags.astype(int)),
        "class 0": lambda: roc_auc_score(y, 1 - p),
        "roc": lambda: roc_auc_score(y, p),
        "balanced": lambda: log_loss(y, nb.p_val_balanced),
        "mse ratio": lambda: (root_mean_squared_error(nb.price_true_typos, nb.price_pred) /
                              root_mean_squared_error(nb.price_true, nb.price_pred)) ** 2,
        "upside down": lambda: 1 / nb.outliers["mae_jump"],
        "tuned on test": lambda: float(THRESHOLDS[np.argmin([nb.test_cost(t) for t in THRESHOLDS])]),
        "max f1": lambda: float(THRESHOLDS[np.argmax([f1_score(y, p >= t) for t in THRESHOLDS])]),
        "mean": lambda: nb.val_costs / len(y),
        "test": lambda: np.array([nb.test_cost(t) for t in THRESHOLDS]),
        "validation": lambda: transaction_cost(y, p >= nb.best_threshold, nb.val["amount_eur"]).sum(),
        "at 0.5": lambda: nb.test_cost(0.5),
        "argmin": lambda: int(np.argmin(nb.val_costs)),
        "min cost": lambda: float(nb.val_costs.min()),
        "reversed": lambda: nb.val_costs[::-1],
        "percent": lambda: 100 * nb.accuracy["model_accuracy"],
        "n frauds": lambda: int(y.sum()),
        "rmse difference": lambda: (root_mean_squared_error(nb.price_true_typos, nb.price_pred)
                                    - root_mean_squared_error(nb.price_true, nb.price_pred)),
        "re-tuned": lambda: min(nb.test_cost(t) for t in THRESHOLDS),
        "mean at 0.5": lambda: nb.test_cost(0.5) / len(nb.y_test),
        "mae ratio": lambda: nb.outliers["mae_jump"],
        "medae ratio": lambda: nb.outliers["medae_jump"],
        "median signed": lambda: (np.median(nb.price_true_typos - nb.price_pred)
                                  / np.median(nb.price_true - nb.price_pred)),
        "label minus prediction": lambda: y.mean() - nb.p_val_balanced.mean(),
        "plain bias": lambda: p.mean() - y.mean(),
        "bias ratio": lambda: nb.p_val_balanced.mean() / y.mean(),
        "macro recall": lambda: recall_score(y, flags, average="macro"),
        "predict": lambda: roc_auc_score(y, flags.astype(int)),
        "predict ap": lambda: average_precision_score(y, flags.astype(int)),
        "one random ranking": lambda: one_random_ranking_far_off(y),
        "train rate": lambda: nb.y_train.mean(),
    }
    answers = dict(right_answers(nb)[item])
    answers.update({k: named[v.name]() if isinstance(v, Wrong) else v for k, v in change.items()})
    if "best_threshold" in change and answers["best_threshold"] == nb.best_threshold:
        pytest.skip("this mistake happens to be the cheapest threshold on these data")
    result = check(item, **answers)
    assert result.status == "wrong", result
    assert fragment in result.message
    assert "`_" not in result.message


def one_random_ranking_far_off(y):
    """The average precision of one random ranking, drawn until it lies well outside what the check accepts."""
    rate, exact, spread = ref.random_ap()
    while True:
        ap = average_precision_score(y, RANDOM.random(len(y)))
        if ap > exact + 3 * spread:
            return ap


def test_accuracy_paradox_names_the_fraud_rate_and_precision(check, nb):
    """Are the fraud rate for accuracy and precision for recall named as such?"""
    base = right_answers(nb)["accuracy_paradox"]
    result = check("accuracy_paradox", **{**base, "never_flag_accuracy": nb.y_val.mean()})
    assert result.status == "wrong" and "this is the fraud rate" in result.message
    result = check("accuracy_paradox", **{**base, "model_recall": nb.precision_at_05})
    assert result.status == "wrong" and "this is precision, TP/(TP+FP)" in result.message


def test_a_function_indexed_by_position_labels_is_the_learners_error(check):
    """Is a `confusion_counts` that reads a Series by `y_true[i]` (index labels) reported as an error of theirs?"""
    def by_position(y_true, y_pred):
        pairs = [(int(y_true[i]), int(y_pred[i])) for i in range(len(y_true))]
        return {"tp": sum(t and p for t, p in pairs), "fp": sum((not t) and p for t, p in pairs),
                "fn": sum(t and not p for t, p in pairs), "tn": sum(not t and not p for t, p in pairs)}

    result = check("confusion_counts", confusion_counts=by_position)
    assert result.status == "error" and "KeyError" in result.message and "indexed like `y_val`" in result.message


def test_a_failing_answer_cell_is_an_error_in_the_learners_code(verdict, nb):
    """Does an answer whose cell raised show as an error that quotes it?"""
    result = verdict(LAB, "ranking_metrics", cell_errors={"roc_auc": "ValueError: oops"}, **nb.ranking,
                     roc_auc_by_hand=roc_auc_by_hand, average_precision_by_hand=average_precision_by_hand)
    assert result.status == "error" and "ValueError: oops" in result.message


def test_a_function_that_raises_is_reported_as_the_learners_error(check):
    """Is a learner function's exception reported as theirs, in one line, never as a fault of the course?"""
    def broken(*args):
        raise KeyError("amount_eur")

    for item, name in [("transaction_cost", "transaction_cost"), ("confusion_counts", "confusion_counts"),
                       ("regression_errors", "regression_errors")]:
        result = check(item, **{name: broken})
        assert result.status == "error" and "KeyError" in result.message and "\n" not in result.message
        assert "fault" not in result.message


# ---------------------------------------------------------------- a mistake costs points once


def test_precision_recall_f1_is_scored_with_the_learners_own_counts(check):
    """Does a right `precision_recall_f1` built on an FP/FN-swapped `confusion_counts` pass, but not on right counts?"""
    on_swapped = prf_using(counts_fp_fn_swapped)
    assert check("precision_recall_f1", precision_recall_f1=on_swapped, confusion_counts=counts_fp_fn_swapped).passed
    result = check("precision_recall_f1", precision_recall_f1=on_swapped, confusion_counts=confusion_counts)
    assert result.status == "wrong" and "you swapped them" in result.message


def test_model_recall_is_scored_with_the_learners_own_precision_recall_f1(check, nb):
    """Is a recall computed with a recorded `precision_recall_f1` mistake (precision and recall swapped) accepted?"""
    swapped = prf_using(counts_fp_fn_swapped)
    flags = nb.p_val >= 0.5
    answers = {**nb.accuracy, "model_recall": swapped(nb.y_val, flags)[1]}
    assert check("accuracy_paradox", **answers, precision_recall_f1=swapped).passed
    assert not check("accuracy_paradox", **answers, precision_recall_f1=precision_recall_f1).passed


def test_calibration_is_scored_with_the_learners_own_log_loss(check, nb):
    """Are log losses computed with a recorded `log_loss_by_hand` mistake (the sum) accepted, and only then?"""
    answers = {**nb.calibration, "log_loss_plain": sum_log_loss(nb.y_val, nb.p_val),
               "log_loss_balanced": sum_log_loss(nb.y_val, nb.p_val_balanced)}
    assert check("calibration", **answers, log_loss_by_hand=sum_log_loss).passed
    assert not check("calibration", **answers, log_loss_by_hand=log_loss_by_hand).passed


def test_outliers_are_scored_with_the_learners_own_regression_errors(check, nb):
    """Are jumps computed with a recorded `regression_errors` mistake (RMSE and MAE swapped) accepted, and only then?"""
    dirty, clean = mae_rmse_swapped(nb.price_true_typos, nb.price_pred), mae_rmse_swapped(nb.price_true, nb.price_pred)
    answers = {**nb.outliers, "rmse_jump": dirty["rmse"] / clean["rmse"], "mae_jump": dirty["mae"] / clean["mae"]}
    assert check("outliers", **answers, regression_errors=mae_rmse_swapped).passed
    result = check("outliers", **answers, regression_errors=regression_errors)
    assert result.status == "wrong" and "this is the MAE ratio" in result.message


def test_best_threshold_is_scored_with_the_learners_own_transaction_cost(check, nb):
    """Are costs and a threshold chosen with a recorded `transaction_cost` mistake accepted, and only then?"""
    costs = nb.val_costs_with(missed_fraud_fee_only)
    own_best = float(THRESHOLDS[np.argmin(costs)])
    assert own_best != nb.best_threshold  # the mistake moves the cheapest threshold: the pick is judged on their costs
    answers = {"val_costs": costs, "best_threshold": own_best}
    assert check("best_threshold", **answers, transaction_cost=missed_fraud_fee_only).passed
    assert not check("best_threshold", **answers, transaction_cost=transaction_cost).passed
    right_pick = check("best_threshold", **{**answers, "best_threshold": nb.best_threshold},
                       transaction_cost=missed_fraud_fee_only)
    assert right_pick.status == "wrong" and "minus the validation cost" in right_pick.message


def test_test_report_is_scored_with_the_learners_own_threshold(check, nb):
    """Is the test cost at the learner's own (wrong) `best_threshold` accepted, and the cost at the right one not?"""
    own = 0.3 if nb.best_threshold != 0.3 else 0.4
    answers = {"test_cost_chosen": nb.test_cost(own), "test_cost_default": nb.test_cost(0.5)}
    assert check("test_report", **answers, best_threshold=own, transaction_cost=transaction_cost).passed
    right = {"test_cost_chosen": nb.test_cost(nb.best_threshold), "test_cost_default": nb.test_cost(0.5)}
    assert not check("test_report", **right, best_threshold=own, transaction_cost=transaction_cost).passed


def test_test_report_is_scored_with_the_learners_own_transaction_cost(check, nb):
    """Are test costs computed with a recorded `transaction_cost` mistake accepted?"""
    answers = {"test_cost_chosen": nb.test_cost(nb.best_threshold, caught_fraud_free),
               "test_cost_default": nb.test_cost(0.5, caught_fraud_free)}
    assert check("test_report", **answers, best_threshold=nb.best_threshold, transaction_cost=caught_fraud_free).passed
    assert not check("test_report", **answers, best_threshold=nb.best_threshold, transaction_cost=transaction_cost).passed


def test_test_report_without_a_threshold_is_blocked(check, nb):
    """Is a test report whose `best_threshold` is missing or not a number blocked, naming `best_threshold`?"""
    answers = {"test_cost_chosen": nb.test_cost(0.2), "test_cost_default": nb.test_cost(0.5)}
    for threshold in ({}, {"best_threshold": None}, {"best_threshold": "low"}):
        result = check("test_report", **answers, **threshold)
        assert result.status == "blocked" and "`best_threshold`" in result.message


def test_an_oracle_function_gains_nothing(check, nb):
    """Is a `transaction_cost` that matches no known behaviour scored as the reference, never as its own outputs?"""
    def odd(y, f, a):
        return transaction_cost(y, f, a) * 2

    costs = nb.val_costs_with(odd)
    result = check("best_threshold", val_costs=costs, best_threshold=float(THRESHOLDS[np.argmin(costs)]),
                   transaction_cost=odd)
    assert result.status == "wrong"


def test_items_do_not_change_the_course_references(check, nb):
    """Do the learner's functions get copies, so an answer that mutates its inputs cannot corrupt the cached cases?"""
    def mutating(y_true, flagged, amount):
        out = transaction_cost(y_true, flagged, amount)
        for arg in (y_true, flagged, amount):
            if isinstance(arg, (np.ndarray, pd.Series)):
                arg[:] = 0
            elif isinstance(arg, list):
                arg.clear()
        return out

    before = [c.expected.copy() for c in ref.cost_cases()]
    amounts = [np.asarray(c.args[2], dtype=float).copy() for c in ref.cost_cases()]
    check("transaction_cost", transaction_cost=mutating)
    check("best_threshold", val_costs=nb.val_costs, best_threshold=nb.best_threshold, transaction_cost=mutating)
    assert all(np.array_equal(c.expected, b) for c, b in zip(ref.cost_cases(), before))
    assert all(np.array_equal(np.asarray(c.args[2], dtype=float), a) for c, a in zip(ref.cost_cases(), amounts))
    assert check("transaction_cost", transaction_cost=transaction_cost).passed


# ---------------------------------------------------------------- ROC AUC and average precision by hand


def ranking_cases(kind):
    return [c for group in ref.ranking_cases(kind) for c in group]


def test_the_ranking_references_are_scikit_learns_metrics():
    """Do the hidden cases' expected values agree with roc_auc_score and average_precision_score (and the solution)?"""
    import warnings

    for case in ranking_cases("roc"):
        y, s = case.args
        assert roc_auc_by_hand(y, s) == pytest.approx(case.expected, abs=1e-12, nan_ok=True)
        if len(set(np.asarray(y).astype(int).tolist())) == 2:
            assert case.expected == pytest.approx(roc_auc_score(np.asarray(y).astype(int), s), abs=1e-12)
        else:
            assert np.isnan(case.expected)
    for case in ranking_cases("ap"):
        y, s = case.args
        assert average_precision_by_hand(y, s) == pytest.approx(case.expected, abs=1e-12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "No positive class found in y_true": AP is 0.0 then
            assert case.expected == pytest.approx(average_precision_score(np.asarray(y).astype(int), s), abs=1e-12)
    assert any(len(set(np.asarray(c.args[1], dtype=float).tolist())) < len(c.args[1]) for c in ranking_cases("roc"))


def roc_by_average_ranks(y_true, scores):
    y = np.asarray(y_true).astype(bool)
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank().to_numpy()  # ties get their average rank
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return (ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_by_trapezoids(y_true, scores):
    from sklearn.metrics import roc_curve

    y = np.asarray(y_true).astype(int)
    if len(set(y.tolist())) < 2:
        return float("nan")
    fpr, tpr, _ = roc_curve(y, scores)  # one point per distinct score
    return auc(fpr, tpr)


def ap_by_precision_at_each_positive(y_true, scores):
    # for every positive: the precision when everything scored at least as high as it is flagged
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=float)
    if not y.any():
        return 0.0
    return float(np.mean([(y & (s >= t)).sum() / (s >= t).sum() for t in s[y]]))


def ap_from_sklearn(y_true, scores):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return average_precision_score(np.asarray(y_true).astype(int), scores)


@pytest.mark.parametrize("roc, ap", [
    (roc_by_average_ranks, ap_by_precision_at_each_positive),
    (roc_by_trapezoids, ap_from_sklearn),
    (lambda y, s: np.float64(roc_auc_by_hand(y, s)), lambda y, s: np.float64(average_precision_by_hand(y, s))),
])
def test_other_correct_ranking_functions_pass(check, roc, ap):
    """Do average ranks, ROC trapezoids over distinct scores, precision at each positive and numpy floats pass?"""
    result = check("ranking_by_hand", roc_auc_by_hand=roc, average_precision_by_hand=ap)
    assert result.passed, result.message


def roc_reversed_ties(y_true, scores):
    # trapezoids over one point per row, tied rows in reverse input order: right without ties only
    y = np.asarray(y_true).astype(bool)
    order = np.argsort(np.asarray(scores, dtype=float), kind="stable")[::-1]
    y = y[order]
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    tpr, fpr = np.r_[0, np.cumsum(y)] / n_pos, np.r_[0, np.cumsum(~y)] / n_neg
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def roc_shuffled_ties(y_true, scores):
    # trapezoids over one point per row, tied rows in an order of their own: no recorded mistake, but the ties
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, dtype=float)
    y = y[np.lexsort((np.random.default_rng(0).random(len(s)), -s))]
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    tpr, fpr = np.r_[0, np.cumsum(y)] / n_pos, np.r_[0, np.cumsum(~y)] / n_neg
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def ap_sklearn_trapezoid(y_true, scores):
    precision, recall, _ = precision_recall_curve(np.asarray(y_true).astype(int), scores)
    return auc(recall, precision)


def ap_mean_precision_at_positive_ranks(y_true, scores):
    y = np.asarray(y_true).astype(bool)[np.argsort(-np.asarray(scores, dtype=float), kind="stable")]
    precision = np.cumsum(y) / np.arange(1, len(y) + 1)
    return float(precision[y].mean()) if y.any() else 0.0


def roc_aligned_by_label(y_true, scores):
    s, y = pd.Series(scores, dtype=float), pd.Series(y_true).astype(bool)
    pos, neg = s.where(y).dropna().to_numpy(), s.where(~y).dropna().to_numpy()  # `where` aligns y's labels with s's
    if not len(pos) or not len(neg):
        return float("nan")
    return roc_auc_by_hand(np.r_[np.ones(len(pos)), np.zeros(len(neg))], np.r_[pos, neg])


@pytest.mark.parametrize("roc, ap, fragment", [
    (lambda y, s: ref._roc_ties_lost(y, s), average_precision_by_hand, "counts 0 in yours"),
    (lambda y, s: float((np.asarray(s)[np.asarray(y) == 1][:, None] >= np.asarray(s)[np.asarray(y) == 0][None, :]).mean())
     if 0 < np.sum(np.asarray(y) == 1) < len(y) else float("nan"), average_precision_by_hand, "counts 1 in yours"),
    (lambda y, s: roc_auc_by_hand(y, -np.asarray(s, dtype=float)), average_precision_by_hand, "1 - ROC AUC"),
    (lambda y, s: roc_auc_by_hand(y, np.asarray(s, dtype=float) >= 0.5), average_precision_by_hand, "what `predict` returns"),
    (roc_reversed_ties, average_precision_by_hand, "tied"),
    (roc_shuffled_ties, average_precision_by_hand, "tied"),
    (lambda y, s: roc_auc_by_hand(y, s) if len(y) < 10 else roc_shuffled_ties(y, s), average_precision_by_hand,
     "with tied scores your result is off"),  # wrong on the larger tied cases only: no recorded mistake, the ties
    (roc_aligned_by_label, average_precision_by_hand, "mixes the Series' index labels"),
    (lambda y, s: 0.5 if len(set(np.asarray(y).tolist())) < 2 else roc_auc_by_hand(y, s), average_precision_by_hand,
     "return nan"),
    (roc_auc_by_hand, ap_sklearn_trapezoid, "trapezoidal area under the PR curve"),
    (roc_auc_by_hand, ap_mean_precision_at_positive_ranks, "tied scores are one threshold"),
    (roc_auc_by_hand, lambda y, s: average_precision_by_hand(y, -np.asarray(s, dtype=float)), "the *lowest* scores first"),
    (roc_auc_by_hand, lambda y, s: average_precision_by_hand(y, np.asarray(s, dtype=float) >= 0.5),
     "what `predict` returns"),
    (roc_auc_by_hand, ref._ap_every_rank, "precision at every rank"),
    (roc_auc_by_hand, ref._ap_previous_precision, "precision *before* the threshold"),
    (roc_auc_by_hand, ref._ap_over_all_rows, "divide by the number of positives"),
    (roc_auc_by_hand, lambda y, s: float("nan") if not np.any(y) else average_precision_by_hand(y, s), "return 0.0"),
])
def test_ranking_mistakes_are_named(check, roc, ap, fragment):
    """Does a wrong `roc_auc_by_hand` or `average_precision_by_hand` lose the item with its mistake named?"""
    result = check("ranking_by_hand", roc_auc_by_hand=roc, average_precision_by_hand=ap)
    assert result.status == "wrong" and fragment in result.message, result.message


def test_ranking_functions_left_blank_or_failing(check):
    """Is a half-done item not attempted (naming the blank function), and a crash on one class the learner's error?"""
    result = check("ranking_by_hand", roc_auc_by_hand=roc_auc_by_hand, average_precision_by_hand=raises_not_implemented)
    assert result.status == "not attempted" and "`average_precision_by_hand`" in result.message

    def roc_divides_by_zero(y_true, scores):
        y = [bool(v) for v in y_true]
        s = [float(v) for v in scores]
        wins = sum((a > b) + 0.5 * (a == b) for a, t in zip(s, y) if t for b, u in zip(s, y) if not u)
        return wins / (sum(y) * (len(y) - sum(y)))

    result = check("ranking_by_hand", roc_auc_by_hand=roc_divides_by_zero, average_precision_by_hand=average_precision_by_hand)
    assert result.status == "error" and "ZeroDivisionError" in result.message and "return nan" in result.message


def test_ranking_metrics_are_scored_with_the_learners_own_functions(check, nb):
    """Are AUCs computed with a recorded mistake of the learner's functions accepted (a mistake costs once), and only then?"""
    def upside_down(y, s):
        return roc_auc_by_hand(y, -np.asarray(s, dtype=float))

    answers = {**nb.ranking, "roc_auc": upside_down(nb.y_val, nb.p_val),
               "pr_auc": ap_mean_precision_at_positive_ranks(nb.y_val, nb.p_val)}
    assert check("ranking_metrics", **answers, roc_auc_by_hand=upside_down,
                 average_precision_by_hand=ap_mean_precision_at_positive_ranks).passed
    result = check("ranking_metrics", **answers, roc_auc_by_hand=roc_auc_by_hand,
                   average_precision_by_hand=average_precision_by_hand)
    assert result.status == "wrong" and "genuine class" in result.message


def test_pr_baseline_accepts_the_expected_ap_of_a_random_ranking(check, nb):
    """Are the positive rate, the exact expected AP of a random order and a mean over 200 random rankings all accepted?"""
    y = nb.y_val.to_numpy()
    n, r = len(y), int(y.sum())
    harmonic = np.sum(1 / np.arange(1, n + 1))
    exact = harmonic / n + (r - 1) * (n - harmonic) / (n * (n - 1))
    simulated = np.mean([average_precision_score(y, RANDOM.random(n)) for _ in range(200)])
    for value in (y.mean(), exact, simulated):
        assert check("ranking_metrics", **{**right_answers(nb)["ranking_metrics"], "pr_baseline": value}).passed, value
    assert exact > 1.1 * y.mean()  # the two differ: the band between them is what the check accepts


# ---------------------------------------------------------------- index labels and positions


def test_a_function_that_aligns_by_label_is_named(check):
    """Is a function right on arrays but wrong on a Series indexed like `y_val` told that it mixes labels and positions?"""
    def counts_by_label(y_true, y_pred):
        t, p = pd.Series(y_true).astype(bool), pd.Series(y_pred).astype(bool)
        both = (t & p).reindex(t.index, fill_value=False)  # aligns a numpy array's 0, 1, 2, ... with t's labels
        return {"tp": int(both.sum()), "fp": int((~t & p).reindex(t.index, fill_value=False).sum()),
                "fn": int((t & ~p).reindex(t.index, fill_value=False).sum()),
                "tn": int((~t & ~p).reindex(t.index, fill_value=False).sum())}

    result = check("confusion_counts", confusion_counts=counts_by_label)
    assert result.status == "wrong" and "mixes the Series' index labels" in result.message

    def cost_by_label(y_true, flagged, amount):
        y, f = pd.Series(y_true).astype(bool), pd.Series(flagged).astype(bool)
        a = pd.Series(amount, dtype=float)
        flagged_fraud = (y & f).reindex(y.index, fill_value=False)
        flagged_genuine = (~y & f).reindex(y.index, fill_value=False)
        missed = (y & ~f).reindex(y.index, fill_value=False)
        return np.where(flagged_fraud, 5.0, np.where(flagged_genuine, 8.0, np.where(missed, a + 15.0, 0.0)))

    result = check("transaction_cost", transaction_cost=cost_by_label)
    assert result.status == "wrong" and "mixes the Series' index labels" in result.message


def test_a_returned_series_must_keep_the_inputs_index(check):
    """Is a cost Series that lost the transactions' index labels named, and one that kept them (in any order) accepted?"""
    def renumbered(y_true, flagged, amount):
        return pd.Series(transaction_cost(y_true, flagged, amount))

    result = check("transaction_cost", transaction_cost=renumbered)
    assert result.status == "wrong" and "no longer carry the transactions' labels" in result.message

    def labelled(y_true, flagged, amount):
        index = y_true.index if isinstance(y_true, pd.Series) else None
        return pd.Series(transaction_cost(y_true, flagged, amount), index=index).iloc[::-1]

    assert check("transaction_cost", transaction_cost=labelled).passed


def test_macro_averaged_precision_recall_f1_is_named(check):
    """Is precision_recall_fscore_support(average="macro") or "weighted" named as such?"""
    from sklearn.metrics import precision_recall_fscore_support

    for average, fragment in [("macro", "macro average over both classes"), ("weighted", "class-weighted average")]:
        def prf(y_true, y_pred, average=average):
            p, r, f, _ = precision_recall_fscore_support(np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int),
                                                         average=average, labels=[0, 1], zero_division=0)
            return p, r, f

        result = check("precision_recall_f1", precision_recall_f1=prf, confusion_counts=confusion_counts)
        assert result.status == "wrong" and fragment in result.message, result.message
