"""Checks of lab 02 · Metrics and decision thresholds (course side: hidden from learners and from the sandbox).

Every reference value is computed here from the data sets (the fraud model and the valuers' price model are
refitted privately), never read from the learner's notebook, whose `model`, `p_val`, `y_val` ... the learner may
have rebound. Items that build on an earlier answer (a function the learner wrote, a threshold they chose) score
it with the learner's own earlier answer when it behaves like the reference or a recorded mistake
(`carry_forward`), so a mistake costs points once.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np
import pandas as pd

from pmle.course.labs import LabChecks, LabInfo, carry_forward, outputs, same_outputs
from pmle.data import answer_key, load
from pmle.feedback import (
    AnswerError,
    Blocked,
    Case,
    Incorrect,
    NotAttempted,
    as_number,
    check_array,
    check_choice,
    check_choices,
    check_function,
    check_mapping,
    check_number,
    check_pick,
    close,
    passed,
    require_answer,
    same_values,
)

lab = LabChecks(LabInfo(
    id="02_metrics",
    title="Metrics and decision thresholds",
    datasets=("fraud", "housing"),
    minutes=(90, 105),
    exam_sections=(3, 2, 6),
))

SEED = 2025  # the notebook's parameters (their defaults: a learner's rebinding never reaches the checks)
N_TYPOS = 5
THRESHOLDS = np.round(np.arange(1, 51) / 100, 2)
METRICS = ["accuracy", "precision", "recall", "ROC AUC", "expected cost", "RMSE", "MAE", "median absolute error"]
NUMERIC = ["log_amount", "log_amount_vs_median", "log_distance", "distance_missing", "txn_count_24h", "night",
           "foreign_merchant"]
CATEGORICAL = ["channel", "merchant_category"]
FEATURES = NUMERIC + CATEGORICAL
HOUSE_FEATURES = ["living_area_m2", "lot_area_m2", "distance_to_centre_km", "condition_score", "bathrooms",
                  "school_rating"]


# ---------------------------------------------------------------- calling learner code outside a checker


def _call(name: str, func, args: tuple, kwargs: dict | None = None, about: str = ""):
    """One call of the learner's ``func``, its failures reported as theirs (as check_function does)."""
    require_answer(name, func)
    if not callable(func):
        raise Incorrect(f"`{name}` must be a function; got {type(func).__name__}.")
    try:
        result = func(*args, **(kwargs or {}))
    except NotImplementedError:
        raise NotAttempted(f"`{name}` still raises NotImplementedError: write its body.") from None
    except Exception as exc:  # the learner's code failed: theirs, not a fault of the checks
        raise AnswerError(f"`{name}` raised {type(exc).__name__}: {exc} ({about}).") from None
    if result is None:
        raise NotAttempted(f"`{name}` returned None ({about}): does it `return` its result?")
    return result


def _known(a, name: str, calls, known, **tol):
    """The known implementation (reference first) the learner's earlier function ``name`` behaves like."""
    if not a.has(name):
        return known[0]
    func = getattr(a, name)
    if not callable(func):
        return known[0]
    return carry_forward(func, calls, known, **tol)


def _matches(value, expected, *, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """Whether the learner's ``value`` is a number close to ``expected`` (False for anything else)."""
    try:
        return close(as_number("value", value), float(expected), rtol=rtol, atol=atol)
    except (Incorrect, TypeError, ValueError):
        return False


def _labelled(value) -> bool:
    """A pandas Series whose index is not 0, 1, 2, ... (one indexed like `y_val`)."""
    return isinstance(value, pd.Series) and not value.index.equals(pd.RangeIndex(len(value)))


def _plain(case: Case) -> Case:
    """The same case with every Series turned into a numpy array (positions only, no index labels)."""
    def plain(value):
        return value.to_numpy() if isinstance(value, pd.Series) else value

    return Case(tuple(plain(v) for v in case.args), {k: plain(v) for k, v in case.kwargs.items()}, case.expected,
                case.about)


def _right_on(func, case: Case, *, rtol: float, atol: float) -> bool:
    try:
        return same_values(func(*case.args, **case.kwargs), case.expected, rtol=rtol, atol=atol)
    except Exception:  # noqa: BLE001 - a learner function that fails is not right on the case
        return False


def check_positional(name: str, func, cases, *, mistakes=(), rtol: float = 1e-9, atol: float = 1e-12) -> None:
    """check_function; and when a function that fails is right on every case once its Series are plain arrays, say
    that it mixes a Series' index labels with positions (pandas aligns by label, numpy by position)."""
    try:
        check_function(name, func, cases, mistakes=mistakes, rtol=rtol, atol=atol)
    except Incorrect as exc:
        if type(exc) is not Incorrect:  # not attempted, or an error in the learner's code: as it is
            raise
        labelled = [c for c in cases if any(_labelled(v) for v in (*c.args, *c.kwargs.values()))]
        if labelled and all(_right_on(func, _plain(c), rtol=rtol, atol=atol) for c in cases):
            raise Incorrect(f"`{name}` is right on numpy arrays but not {labelled[0].about}: it mixes the Series' index "
                            "labels (37414, 37415, ...) with positions (pandas aligns a Series with another one, or "
                            "with a new `pd.Series(...)` numbered 0, 1, 2, ..., by label). Work on positions: "
                            "`np.asarray(...)` every input first.") from None
        raise


# ---------------------------------------------------------------- Part 1 · counts, precision, recall, F1


COUNT_KEYS = ("tp", "fp", "fn", "tn")


def ref_counts(y_true, y_pred) -> tuple[int, int, int, int]:
    y, p = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    return int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum()), int((~y & ~p).sum())


def _counts_fp_fn_swapped(y_true, y_pred):
    tp, fp, fn, tn = ref_counts(y_true, y_pred)
    return tp, fn, fp, tn


def _counts_tp_tn_swapped(y_true, y_pred):
    tp, fp, fn, tn = ref_counts(y_true, y_pred)
    return tn, fp, fn, tp


COUNT_MISTAKES = [
    (_counts_fp_fn_swapped, "you swapped FP and FN: a false positive is *predicted* 1 but *actually* 0 (a false alarm); "
                            "a false negative is a missed positive."),
    (_counts_tp_tn_swapped, "you swapped TP and TN: the positive class is 1."),
]


def counts_tuple(func):
    """The learner's dict-returning ``confusion_counts`` as a function returning (tp, fp, fn, tn)."""
    def call(y_true, y_pred):
        d = func(y_true, y_pred)
        return tuple(d.get(k, -1) for k in COUNT_KEYS) if isinstance(d, Mapping) else d

    return call


@cache
def count_cases() -> list[Case]:
    rng = np.random.default_rng(SEED + 1)
    yt, yp = rng.integers(0, 2, 40), rng.integers(0, 2, 40)
    labelled = pd.Series([1, 0, 1, 1, 0, 1], index=[37414, 37415, 37420, 37422, 37431, 37440])
    raw = [
        ([1, 1, 0, 0, 0, 1, 0], [1, 0, 1, 0, 0, 1, 1], "on a small list"),
        (np.array([True, False, False, True]), np.array([False, False, False, False]),
         "with booleans and no predicted positives"),
        (pd.Series([0, 0, 0]), pd.Series([0, 1, 1]), "with Series and no actual positives"),
        (labelled, np.array([1, 1, 0, 1, 0, 0]),
         "with a Series indexed like `y_val` (labels, not positions) and a numpy array of flags"),
        (yt, yp, "on 40 random labels"),
    ]
    return [Case((a, b), {}, ref_counts(a, b), about) for a, b, about in raw]


def learner_counts(a):
    """The known counting function the learner's `confusion_counts` behaves like (the reference if none)."""
    calls = [c.args for c in count_cases()]
    if not a.has("confusion_counts") or not callable(a.confusion_counts):
        return ref_counts
    return carry_forward(counts_tuple(a.confusion_counts), calls, [ref_counts] + [m for m, _ in COUNT_MISTAKES])


@lab.item("confusion_counts", reads=["confusion_counts"], explanation="""
Turn both inputs into boolean arrays, `np.asarray(y).astype(bool)`; then `y_true & y_pred` marks the true positives,
`~y_true & y_pred` the false positives (predicted 1, actually 0: false alarms), `y_true & ~y_pred` the false negatives
(missed positives) and `~y_true & ~y_pred` the true negatives. `int(np.sum(...))` makes each count a plain integer.
scikit-learn's `confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()` gives the same four numbers in the order
tn, fp, fn, tp. Working on positions (numpy arrays), not on a Series' index labels, makes it work for `y_val` too.
""")
def confusion_counts(a):
    func = a.confusion_counts
    first = count_cases()[0]
    result = _call("confusion_counts", func, first.args, about=first.about)
    if not isinstance(result, Mapping):
        raise Incorrect(f"`confusion_counts` must return a dict with keys 'tp', 'fp', 'fn', 'tn'; "
                        f"got {type(result).__name__}.")
    if set(map(str, result)) != set(COUNT_KEYS):
        raise Incorrect(f"`confusion_counts` returned a dict with keys {sorted(map(str, result))}; "
                        "it must have exactly 'tp', 'fp', 'fn' and 'tn'.")
    for key in COUNT_KEYS:
        value = result.get(key)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise Incorrect(f"`confusion_counts` returned {value!r} ({type(value).__name__}) for {key!r}: counts must be "
                            "plain integers, wrap each one in `int(...)`.")
    check_positional("confusion_counts", counts_tuple(func), count_cases(), mistakes=COUNT_MISTAKES)


@cache  # one function object per counting function, so that `is` tells known behaviours apart
def prf_from(counts):
    """(precision, recall, F1) with 0/0 = 0.0, from a function returning (tp, fp, fn, tn)."""
    def prf(y_true, y_pred):
        tp, fp, fn, _ = counts(y_true, y_pred)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return float(precision), float(recall), float(f1)

    return prf


ref_prf = prf_from(ref_counts)


def _prf_swapped(y_true, y_pred):
    p, r, f = ref_prf(y_true, y_pred)
    return r, p, f


def _prf_mean_f1(y_true, y_pred):
    p, r, _ = ref_prf(y_true, y_pred)
    return p, r, (p + r) / 2


def _prf_nan(y_true, y_pred):
    tp, fp, fn, _ = ref_counts(y_true, y_pred)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, r = np.float64(tp) / (tp + fp), np.float64(tp) / (tp + fn)
        return float(p), float(r), float(2 * p * r / (p + r))


def _per_class(y_true, y_pred):
    """(precision, recall, F1) of class 1 and of class 0, each with 0/0 = 0.0."""
    y, f = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    return ref_prf(y, f), ref_prf(~y, ~f)


def _prf_macro(y_true, y_pred):
    ones, zeros = _per_class(y_true, y_pred)
    return tuple(float((a + b) / 2) for a, b in zip(ones, zeros))


def _prf_weighted(y_true, y_pred):
    ones, zeros = _per_class(y_true, y_pred)
    share = float(np.mean(np.asarray(y_true).astype(bool))) if len(np.asarray(y_true)) else 0.0
    return tuple(float(share * a + (1 - share) * b) for a, b in zip(ones, zeros))


MACRO = ("this is the macro average over both classes (`average=\"macro\"`): it mixes in the precision and recall of the "
         "genuine class (0), which are near 1 on imbalanced data. Use `average=\"binary\"` (the default), the positive "
         "class 1 only.")
WEIGHTED = ("this is the class-weighted average over both classes (`average=\"weighted\"`), dominated by the genuine "
            "class (0). Use `average=\"binary\"` (the default), the positive class 1 only.")
PRF_MISTAKES = [
    (_prf_swapped, "you swapped them: this is precision, TP/(TP+FP), where you return recall; recall is TP/(TP+FN)."),
    (_prf_mean_f1, "F1 is the harmonic mean 2PR/(P+R), not the arithmetic mean (P+R)/2: it stays low unless both are high."),
    (_prf_nan, "0/0 gave NaN: in this lab (like zero_division=0) a 0/0 precision, recall or F1 is 0.0."),
    (_prf_macro, MACRO),
    (_prf_weighted, WEIGHTED),
]
# what a correct `precision_recall_f1` computes on top of a recorded `confusion_counts` mistake (the FP/FN swap gives
# exactly `_prf_swapped`), and the recorded mistakes: the known behaviours later items carry forward
KNOWN_PRF = [ref_prf] + [m for m, _ in PRF_MISTAKES] + [prf_from(_counts_tp_tn_swapped)]


@cache
def prf_cases() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(SEED + 2)
    a, b = rng.integers(0, 2, 60), (rng.random(60) < 0.3).astype(int)
    return [
        (([1, 1, 1, 0, 0, 0, 0, 0], [1, 0, 0, 1, 1, 1, 0, 0]), "with 1 TP, 3 FP and 2 FN"),
        ((a, b), "on 60 random labels"),
        (([1, 0, 1, 0], [0, 0, 0, 0]), "when nothing is predicted positive (0/0 precision must be 0.0)"),
        (([0, 0, 0], [0, 1, 0]), "when there are no actual positives (0/0 recall must be 0.0)"),
        ((np.array([True, True, False]), np.array([True, True, False])), "on perfect boolean predictions"),
        ((pd.Series([0, 1, 1, 0, 1], index=[40002, 40005, 40009, 40011, 40017]), np.array([1, 1, 0, 0, 1])),
         "with a Series indexed like `y_val` and a numpy array of flags"),
    ]


def learner_prf(a):
    """The known (precision, recall, F1) function the learner's `precision_recall_f1` behaves like."""
    return _known(a, "precision_recall_f1", [args for args, _ in prf_cases()], KNOWN_PRF, atol=1e-9)


@lab.item("precision_recall_f1", reads=["precision_recall_f1"], uses={"confusion_counts": "confusion_counts"},
          explanation="""
Precision divides by everything you *flagged*, `tp / (tp + fp)`; recall by everything that *was* positive,
`tp / (tp + fn)`; F1 is their harmonic mean `2 * p * r / (p + r)`, which stays low unless both are high. Every
division is guarded, `tp / flagged if flagged else 0.0`, so a 0/0 is 0.0 as with scikit-learn's `zero_division=0`.
""")
def precision_recall_f1(a):
    func = a.precision_recall_f1
    calls = [args for args, _ in prf_cases()]
    expected = ref_prf
    counts = learner_counts(a)
    if counts is not ref_counts:  # scored on the learner's own `confusion_counts` when they built on it
        carried = prf_from(counts)
        if same_outputs(outputs(func, calls), outputs(carried, calls), atol=1e-9):
            expected = carried
    check_positional("precision_recall_f1", func,
                     [Case(args, {}, expected(*args), about) for args, about in prf_cases()],
                     mistakes=PRF_MISTAKES, atol=1e-9)


# ---------------------------------------------------------------- the fraud model (private copy)


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["log_amount"] = np.log1p(out["amount_eur"])
    out["log_amount_vs_median"] = np.log(out["amount_vs_card_median"].clip(lower=0.01))
    out["distance_missing"] = out["distance_from_home_km"].isna().astype(int)
    out["log_distance"] = np.log1p(out["distance_from_home_km"].fillna(0.0))
    out["night"] = (out["timestamp"].dt.hour < 6).astype(int)
    out["foreign_merchant"] = (out["merchant_country"] != "NL").astype(int)
    return out


@cache
def fraud_key() -> dict:
    return answer_key("fraud")


@cache
def fraud_parts() -> dict[str, pd.DataFrame]:
    """Training, validation and test weeks of the fraud data, with the model's features."""
    data = add_features(load("fraud"))
    day = data["timestamp"].dt.normalize()
    split = fraud_key()["time_split"]
    v0, end = pd.Timestamp(split["validation"][0]), pd.Timestamp(split["validation"][1])
    t0 = v0 + pd.Timedelta(days=14)
    return {
        "train": data[day <= pd.Timestamp(split["train"][1])],
        "val": data[(day >= v0) & (day < t0)],
        "test": data[(day >= t0) & (day <= end)],
    }


class Part:
    """One period: labels, amounts and the two models' P(fraud)."""

    def __init__(self, y: np.ndarray, amount: np.ndarray, p: np.ndarray, p_balanced: np.ndarray):
        self.y, self.amount, self.p, self.p_balanced = y, amount, p, p_balanced


@cache
def parts() -> dict[str, Part]:
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def fraud_model(class_weight=None):
        pre = make_column_transformer((StandardScaler(), NUMERIC), (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL))
        return make_pipeline(pre, LogisticRegression(solver="liblinear", class_weight=class_weight))

    frames = fraud_parts()
    train = frames["train"]
    model = fraud_model().fit(train[FEATURES], train["is_fraud"])
    balanced = fraud_model("balanced").fit(train[FEATURES], train["is_fraud"])
    return {
        name: Part(frame["is_fraud"].to_numpy().astype(int), frame["amount_eur"].to_numpy(dtype=float),
                   model.predict_proba(frame[FEATURES])[:, 1], balanced.predict_proba(frame[FEATURES])[:, 1])
        for name, frame in frames.items()
    }


# ---------------------------------------------------------------- Part 2 · the accuracy paradox


PERCENT = "this is a percentage; give the proportion between 0 and 1, as `accuracy_score` and `recall_score` return it."


@lab.item("accuracy_paradox", reads=["never_flag_accuracy", "model_accuracy", "model_recall"],
          uses={"precision_recall_f1": "precision_recall_f1"}, explanation="""
Never flagging predicts 0 for every validation transaction, so it is right on every genuine one: its accuracy is
1 − the fraud rate, about 99.5 %. The model at `p_val >= 0.5` (what `model.predict` does) reaches about 99.6 %
accuracy while its recall, TP / (TP + FN), shows it catches only part of the frauds: accuracy barely moves whether
you catch no fraud or a third of it. `accuracy_score(y_val, ...)` and `recall_score(y_val, ..., zero_division=0)`
(or your `precision_recall_f1`) compute them.
""")
def accuracy_paradox(a):
    val, train, test = parts()["val"], parts()["train"], parts()["test"]
    y = val.y
    flags = (val.p >= 0.5).astype(int)
    flags_balanced = (val.p_balanced >= 0.5).astype(int)
    test_flags = (test.p >= 0.5).astype(int)
    tp = int(((flags == 1) & (y == 1)).sum())
    check_number("never_flag_accuracy", a.never_flag_accuracy, 1 - y.mean(), atol=1e-9, mistakes=[
        (y.mean(), "this is the fraud rate, the error rate of never flagging; accuracy is the share of transactions "
                   "classified correctly."),
        (1 - train.y.mean(), "this is the accuracy on the training weeks; compute it on the validation weeks."),
        (1 - test.y.mean(), "this is the accuracy on the test weeks; compute it on the validation weeks (`y_val`)."),
        (100 * (1 - y.mean()), PERCENT),
    ])
    check_number("model_accuracy", a.model_accuracy, float((flags == y).mean()), atol=1e-9, mistakes=[
        (1 - y.mean(), "this is the accuracy of never flagging; score the model's flags `p_val >= 0.5`."),
        (float((flags_balanced == y).mean()), "this is the accuracy of `model_balanced`; score `model` (its "
                                              "probabilities are `p_val`)."),
        (float((test_flags == test.y).mean()), "this is the accuracy on the test weeks; use validation (`p_val`, `y_val`)."),
        (100 * float((flags == y).mean()), PERCENT),
    ])
    ref_recall = tp / y.sum()
    expected = ref_recall
    known = learner_prf(a)
    if known is not ref_prf:  # computed with the learner's own `precision_recall_f1`, a recorded mistake
        carried = known(y, flags)[1]
        if _matches(a.model_recall, carried, atol=1e-9):
            expected = carried
    check_number("model_recall", a.model_recall, expected, atol=1e-9, mistakes=[
        (tp / max(int(flags.sum()), 1), "this is precision, TP/(TP+FP); recall is TP/(TP+FN): the share of all frauds "
                                        "the model flags."),
        (float((flags == y).mean()), "this is accuracy; recall is TP/(TP+FN), the share of all frauds the model flags."),
        (float(((flags_balanced == 1) & (y == 1)).sum() / y.sum()), "this is the recall of `model_balanced`; score "
                                                                    "`model` (`p_val`)."),
        (float(((flags == 0) & (y == 0)).sum() / (y == 0).sum()), "this is the recall of the genuine class (0); the "
                                                                  "positive class is fraud, 1."),
        (_prf_macro(y, flags)[1], "this is the macro average of both classes' recall (`average=\"macro\"`, the "
                                  "balanced accuracy): the genuine class's recall, near 1, props it up. The recall of "
                                  "fraud is `average=\"binary\"` (the default), TP/(TP+FN)."),
        (100 * ref_recall, PERCENT),
    ], why="Never flagging scores 99.5 % and the model 99.6 %: accuracy barely moves whether you catch no fraud or a "
           "third of it. Judge by recall, precision and cost.")


# ---------------------------------------------------------------- Part 3 · ranking quality


def _labels_scores(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(y_true).astype(bool), np.asarray(scores, dtype=float)


def ref_roc_auc(y_true, scores) -> float:
    """The share of (positive, negative) pairs ranked right, a tie counting 1/2; NaN with one class only."""
    y, s = _labels_scores(y_true, scores)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def _thresholds(y_true, scores) -> tuple[np.ndarray, np.ndarray, int]:
    """(true positives, flagged) at each distinct score from the highest down (tied scores are one threshold), and
    the number of positives."""
    y, s = _labels_scores(y_true, scores)
    order = np.argsort(-s, kind="stable")
    y, s = y[order], s[order]
    last = np.r_[s[1:] != s[:-1], True]  # the last row of each group of tied scores
    return np.cumsum(y)[last], np.arange(1, len(y) + 1)[last], int(y.sum())


def ref_average_precision(y_true, scores) -> float:
    """Sum over thresholds, highest first, of (recall gained) x (precision there); 0.0 without any positive."""
    tp, flagged, positives = _thresholds(y_true, scores)
    if not positives:
        return 0.0
    precision, recall = tp / flagged, tp / positives
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def _rows(y_true, scores, ascending: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores sorted row by row (a stable sort: tied rows stay in their input order)."""
    y, s = _labels_scores(y_true, scores)
    order = np.argsort(s if ascending else -s, kind="stable")
    return y[order], s[order]


def _roc_ties_lost(y_true, scores):
    y, s = _labels_scores(y_true, scores)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    return float((pos[:, None] > neg[None, :]).mean())


def _roc_ties_won(y_true, scores):
    y, s = _labels_scores(y_true, scores)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    return float((pos[:, None] >= neg[None, :]).mean())


def _roc_upside_down(y_true, scores):
    return 1 - ref_roc_auc(y_true, scores)


def _roc_from_flags(y_true, scores):
    return ref_roc_auc(y_true, np.asarray(scores, dtype=float) >= 0.5)


def _roc_ordinal_ranks(y_true, scores):
    # the rank formula with ranks 1..n from a sort (tied scores get different ranks), not average ranks
    y, s = _labels_scores(y_true, scores)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    ranks = np.empty(len(s))
    ranks[np.argsort(s, kind="stable")] = np.arange(1, len(s) + 1)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _roc_row_by_row(y_true, scores):
    # the trapezoid over a ROC curve with one point per row (tied scores are not one threshold)
    y, _ = _rows(y_true, scores)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    tpr, fpr = np.r_[0, np.cumsum(y)] / n_pos, np.r_[0, np.cumsum(~y)] / n_neg
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


ROC_TIES = ("with tied scores your result is off: a (positive, negative) pair with equal scores counts 1/2 (the model "
            "can't tell them apart), and tied rows must not depend on the order they come in. Compare every pair "
            "(`>` counts 1, `==` counts 0.5), or use average ranks (`pd.Series(scores).rank()`).")
ROC_MISTAKES = [
    (_roc_ties_lost, "a tied (positive, negative) pair counts 0 in yours: it counts 1/2 (`>` counts 1, `==` counts 0.5)."),
    (_roc_ties_won, "a tied (positive, negative) pair counts 1 in yours (`>=`): it counts 1/2, the model can't tell "
                    "the two apart."),
    (_roc_upside_down, "this is 1 - ROC AUC, a ranking upside down: count the pairs where the *positive* has the "
                       "higher score."),
    (_roc_from_flags, "you turned the scores into 0/1 flags at 0.5 first (what `predict` returns): AUC ranks the scores "
                      "themselves, the probabilities of `predict_proba`."),
    (_roc_ordinal_ranks, "the rank formula needs *average* ranks for tied scores (`pd.Series(scores).rank()` or "
                         "`scipy.stats.rankdata`); ranks from a sort give tied rows different ranks."),
    (_roc_row_by_row, "your ROC curve has one point per row, so tied scores are walked in whatever order they come: "
                      "tied scores are one threshold, one diagonal step of the curve."),
]
KNOWN_ROC = [ref_roc_auc] + [m for m, _ in ROC_MISTAKES]


def _pr_steps(y_true, scores):
    """(precision, recall) at each threshold from the highest score down; None without any positive."""
    tp, flagged, positives = _thresholds(y_true, scores)
    return (tp / flagged, tp / positives) if positives else None


def _trapezoid(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def _ap_trapezoid(y_true, scores):
    # sklearn's `auc(recall, precision)`: the curve starts at (recall 0, precision 1)
    steps = _pr_steps(y_true, scores)
    return 0.0 if steps is None else _trapezoid(np.r_[0.0, steps[1]], np.r_[1.0, steps[0]])


def _ap_trapezoid_flat_start(y_true, scores):
    steps = _pr_steps(y_true, scores)
    return 0.0 if steps is None else _trapezoid(np.r_[0.0, steps[1]], np.r_[steps[0][0], steps[0]])


def _ap_trapezoid_no_start(y_true, scores):
    steps = _pr_steps(y_true, scores)
    return 0.0 if steps is None else _trapezoid(steps[1], steps[0])


def _ap_previous_precision(y_true, scores):
    steps = _pr_steps(y_true, scores)
    if steps is None:
        return 0.0
    precision, recall = steps
    return float(np.sum(np.diff(recall, prepend=0.0) * np.r_[1.0, precision[:-1]]))


def _precision_at_rows(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y, _ = _rows(y_true, scores)
    return y, np.cumsum(y) / np.arange(1, len(y) + 1)


def _ap_every_rank(y_true, scores):
    y, precision = _precision_at_rows(y_true, scores)
    return float(precision.mean()) if y.any() else 0.0


def _ap_over_all_rows(y_true, scores):
    y, precision = _precision_at_rows(y_true, scores)
    return float(precision[y].sum() / len(y)) if y.any() else 0.0


def _ap_row_by_row(y_true, scores):
    y, precision = _precision_at_rows(y_true, scores)
    return float(precision[y].mean()) if y.any() else 0.0


def _ap_upside_down(y_true, scores):
    return ref_average_precision(y_true, -np.asarray(scores, dtype=float))


def _ap_from_flags(y_true, scores):
    return ref_average_precision(y_true, np.asarray(scores, dtype=float) >= 0.5)


TRAPEZOID = ("this is the trapezoidal area under the PR curve: it joins the curve's points with straight lines, which "
             "overstates precision between them (precision does not change linearly with recall). Average precision is "
             "the step-wise sum of (recall gained) x (precision at that threshold).")
AP_TIES = ("with tied scores your result is off: tied scores are one threshold (flagged together), so compute precision "
           "and recall only where the score changes, whatever order the tied rows come in.")
AP_MISTAKES = [
    (_ap_trapezoid, TRAPEZOID),
    (_ap_trapezoid_flat_start, TRAPEZOID),
    (_ap_trapezoid_no_start, TRAPEZOID),
    (_ap_previous_precision, "each step uses the precision *before* the threshold; weight the recall gained at a "
                             "threshold by the precision *at* that threshold."),
    (_ap_every_rank, "this averages the precision at every rank; average precision weights each threshold by the recall "
                     "it gains, so only the ranks where a positive is found count."),
    (_ap_over_all_rows, "the precisions at the positives are summed and divided by all rows; divide by the number of "
                        "positives (each one gains 1/P of recall)."),
    (_ap_row_by_row, "each row is its own threshold in yours, so tied rows are counted in whatever order they come: "
                     "tied scores are one threshold, flagged together."),
    (_ap_upside_down, "this ranks the *lowest* scores first: flag the highest scores first (sort descending)."),
    (_ap_from_flags, "you turned the scores into 0/1 flags at 0.5 first (what `predict` returns): average precision "
                     "ranks the scores themselves, the probabilities of `predict_proba`."),
]
KNOWN_AP = [ref_average_precision] + [m for m, _ in AP_MISTAKES]


@cache
def ranking_inputs() -> tuple[list, list, list]:
    """Fresh (y_true, scores) inputs: without ties, with ties (and the same shuffled), and of one class only."""
    rng = np.random.default_rng(SEED + 6)
    y40, s40 = (rng.random(40) < 0.3).astype(int), rng.random(40)
    y60, s60 = (rng.random(60) < 0.25).astype(int), np.round(rng.random(60), 1)
    y60[:2] = 1, 0  # at least one of each class whatever the draw
    shuffle = rng.permutation(60)
    index = 37414 + 3 * np.arange(12)
    y12, s12 = (rng.random(12) < 0.4).astype(int), rng.random(12)
    y12[:2] = 1, 0
    plain = [
        (([1, 0, 1, 0, 0, 1, 0], [0.9, 0.8, 0.35, 0.4, 0.1, 0.7, 0.2]), "on seven scores"),
        ((y40, s40), "on 40 random scores"),
        ((pd.Series(y12, index=index), s12), "with labels in a Series indexed like `y_val` and scores in a numpy array"),
        ((np.array([True, False, True, False]), [0.2, 0.6, 0.7, 0.1]), "with boolean labels and scores in a list"),
    ]
    tied = [
        (([1, 0, 1, 0, 1, 0, 0], [0.4, 0.4, 0.4, 0.4, 0.9, 0.2, 0.1]), "with two frauds and two genuine tied at 0.4"),
        ((y60, s60), "on 60 scores rounded to one decimal (many ties)"),
        ((y60[shuffle], s60[shuffle]), "on the same 60 tied scores in another order (the order of rows must not matter)"),
        (([1, 0, 0, 1], [0.3, 0.3, 0.3, 0.3]), "when every score is the same"),
    ]
    one_class = [(([0, 0, 0, 0], [0.1, 0.4, 0.2, 0.3]), "no positive"), (([1, 1, 1], [0.3, 0.2, 0.9]), "only positives")]
    return plain, tied, one_class


@cache
def ranking_cases(kind: str) -> tuple[list[Case], list[Case], list[Case]]:
    """The cases of ``kind`` ("roc" or "ap"), in three groups: plain, tied, one class."""
    ref = ref_roc_auc if kind == "roc" else ref_average_precision
    plain, tied, one_class = ranking_inputs()
    edge = {
        ("roc", "no positive"): "when every label is 0 (ROC AUC is undefined without a positive: return nan)",
        ("roc", "only positives"): "when every label is 1 (ROC AUC is undefined without a negative: return nan)",
        ("ap", "no positive"): "when every label is 0 (no positive to find: return 0.0, as `average_precision_score` does)",
        ("ap", "only positives"): "when every label is 1 (every flagged row is a positive: precision, and AP, are 1.0)",
    }
    return ([Case(args, {}, ref(*args), about) for args, about in plain],
            [Case(args, {}, ref(*args), about) for args, about in tied],
            [Case(args, {}, ref(*args), edge[kind, about]) for args, about in one_class])


def _check_ranking(name: str, func, kind: str, mistakes, ties: str) -> None:
    plain, tied, edge = ranking_cases(kind)
    check_positional(name, func, plain, mistakes=mistakes, rtol=1e-7, atol=1e-9)
    # right without ties but not with them: whatever the implementation, the ties are what it gets wrong
    check_function(name, func, tied, mistakes=[*mistakes, (lambda *args: func(*args), ties)], rtol=1e-7, atol=1e-9)
    check_function(name, func, edge, mistakes=mistakes, rtol=1e-7, atol=1e-9)


@lab.item("ranking_by_hand", reads=["roc_auc_by_hand", "average_precision_by_hand"], explanation="""
**ROC AUC** is the share of (fraud, genuine) pairs the scores put in the right order, a tie counting 1/2:
`pos, neg = s[y], s[~y]`, then `((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum())
/ (len(pos) * len(neg))` (the Mann-Whitney U statistic, scaled). The same number comes from average ranks,
`(ranks[y].sum() - P * (P + 1) / 2) / (P * N)` with `ranks = pd.Series(s).rank()`, or from the trapezoids under a ROC
curve with one point per *distinct* score. With one class only there is no pair to compare: nan.

**Average precision** walks the thresholds from the highest score down, one per distinct score (tied rows are
flagged together): sort by `-s`, keep the last row of each group of ties, `tp = np.cumsum(y)` there, precision
`tp / flagged`, recall `tp / P`, then `np.sum(np.diff(recall, prepend=0) * precision)`. Without ties it is the mean of
the precision at the rank of each positive. The trapezoidal area joins the points with straight lines, which
overstates precision between them; `average_precision_score` does not interpolate.
""")
def ranking_by_hand(a):
    _check_ranking("roc_auc_by_hand", a.roc_auc_by_hand, "roc", ROC_MISTAKES, ROC_TIES)
    _check_ranking("average_precision_by_hand", a.average_precision_by_hand, "ap", AP_MISTAKES, AP_TIES)


def _ranking_calls() -> list[tuple]:
    return [c.args for group in ranking_cases("roc") for c in group]


@cache
def random_ap() -> tuple[float, float, float]:
    """The PR AUC of a random ranking on validation: the positive rate, the exact expected average precision of a
    random ordering of the validation labels, and the spread (sd) of one random ranking's average precision."""
    y = parts()["val"].y
    n, r = len(y), int(y.sum())
    harmonic = float(np.sum(1.0 / np.arange(1, n + 1)))
    # E[AP] = (1/r) sum_k E[rel_k * precision@k] = H_n / n + (r - 1)(n - H_n) / (n (n - 1)) (positions drawn at random)
    exact = harmonic / n + (r - 1) * (n - harmonic) / (n * (n - 1))
    rng = np.random.default_rng(SEED + 7)
    spread = float(np.std([ref_average_precision(y, rng.random(n)) for _ in range(100)], ddof=1))
    return float(y.mean()), exact, spread


@lab.item("ranking_metrics", reads=["roc_auc", "pr_auc", "pr_baseline"],
          uses={"roc_auc_by_hand": "ranking_by_hand", "average_precision_by_hand": "ranking_by_hand"}, explanation="""
`roc_auc_score(y_val, p_val)` and `average_precision_score(y_val, p_val)` (or your own functions), on the
probabilities: with 0/1 flags (`model.predict`) the curves have a single corner and the area measures one threshold,
not the ranking. A random ranking has, in expectation, precision equal to the share of fraud at every recall, so the
chance level of PR AUC is the fraud rate, `y_val.mean()` (about 0.005), not 0.5 as for ROC AUC. (With only about 40
frauds, the exact expected average precision of a random order is a little higher, about 0.006; one random ranking's
AP scatters around it.) PR AUC is many times its chance level, but far from ROC AUC's cheerful value.
""")
def ranking_metrics(a):
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_auc_score

    val, test = parts()["val"], parts()["test"]
    y, p = val.y, val.p
    flags = (p >= 0.5).astype(int)
    roc = roc_auc_score(y, p)
    expected_roc = roc
    known = _known(a, "roc_auc_by_hand", _ranking_calls(), KNOWN_ROC, atol=1e-9)
    if known is not ref_roc_auc and _matches(a.roc_auc, known(y, p), atol=1e-6):
        expected_roc = known(y, p)  # computed with the learner's own `roc_auc_by_hand`, a recorded mistake
    predict = ("this is computed from 0/1 flags: `model.predict` (or `p_val >= 0.5`) gives one threshold's decisions, "
               "so the curve has a single corner and its area measures that one threshold. AUC ranks scores: pass the "
               "probabilities, `p_val` = `model.predict_proba(val[FEATURES])[:, 1]`.")
    check_number("roc_auc", a.roc_auc, expected_roc, atol=1e-6, mistakes=[
        (roc_auc_score(y, flags), predict),
        (roc_auc_score(test.y, test.p), "this is on the test weeks; use validation."),
        (1 - roc, "these are the scores of the genuine class (column 0 of `predict_proba`, or 1 - `p_val`): a ranking "
                  "upside down. Use P(fraud), `p_val`."),
        (roc_auc_score(y, val.p_balanced), "this is `model_balanced`'s ROC AUC; use `model`'s probabilities `p_val`."),
    ])
    precision, recall, _ = precision_recall_curve(y, p)
    ap, trapezoid = average_precision_score(y, p), auc(recall, precision)
    # average precision is the reference; the trapezoidal area under the PR curve is accepted too, and a recorded
    # mistake of the learner's own `average_precision_by_hand` when they used it
    expected = trapezoid if _matches(a.pr_auc, trapezoid, atol=1e-6) else ap
    known = _known(a, "average_precision_by_hand", _ranking_calls(), KNOWN_AP, atol=1e-9)
    if known is not ref_average_precision and _matches(a.pr_auc, known(y, p), atol=1e-6):
        expected = known(y, p)
    check_number("pr_auc", a.pr_auc, expected, atol=1e-6, mistakes=[
        (average_precision_score(y, flags), predict),
        (roc, "this is ROC AUC; PR AUC is `average_precision_score`."),
        (average_precision_score(test.y, test.p), "this is on the test weeks; use validation."),
        (average_precision_score(y, 1 - p), "these are the scores of the genuine class (1 - `p_val`); use P(fraud), "
                                            "`p_val`."),
        (average_precision_score(y, val.p_balanced), "this is `model_balanced`'s PR AUC; use `p_val`."),
    ])
    rate, exact, spread = random_ap()
    why = f"PR AUC {ap:.2f} is about {ap / rate:.0f}x chance, but far from ROC AUC's cheerful {roc:.2f}."
    # The expected PR AUC of a random ranking: the positive rate (the level of a random ranking's PR curve), or the
    # exact expected average precision of a random order of these labels, slightly higher with few positives; or an
    # average of at least 100 random rankings' AP, within 3 standard errors of the exact value.
    number = as_number("pr_baseline", a.pr_baseline)
    if rate * (1 - 1e-6) <= number <= exact + 3 * spread / np.sqrt(100):
        passed("pr_baseline", why)
        return
    mistakes = [
        (0.5, "0.5 is the chance level of ROC AUC; a random ranking's precision equals the positive rate, so PR AUC's "
              "chance level is the fraud rate."),
        (1 - rate, "this is the share of genuine transactions; the chance level is the share of *fraud*, the positive "
                   "class."),
        (float(y.sum()), "this is the number of frauds; the chance level is their share of the validation transactions."),
        (test.y.mean(), "this is the fraud rate of the test weeks; use validation (`y_val`)."),
        (parts()["train"].y.mean(), "this is the fraud rate of the training weeks; use validation (`y_val`)."),
        (100 * rate, "this is a percentage; give the rate as a proportion, as `average_precision_score` is one."),
    ]
    for wrong, message in mistakes:
        if close(number, wrong, rtol=1e-6):
            raise Incorrect(f"`pr_baseline` = {number:.4g}: {message}")
    if rate / 4 < number < 10 * rate:
        raise Incorrect(f"`pr_baseline` = {number:.4g}: the chance level is the *expected* PR AUC of a random ranking, "
                        f"the fraud rate `y_val.mean()` = {rate:.4f}. If this is the average precision of one random "
                        f"ranking, it is a single noisy draw (one draw's spread here is about {spread:.4f}); average "
                        "at least 100 of them, or take the fraud rate.")
    check_number("pr_baseline", number, rate, rtol=1e-6)


@lab.item("roc_pr", reads=["roc_pr_true"], explanation="""
- **A** is false: 96 % of flagged transactions being fraud would be precision at one threshold; ROC AUC is about the
  ranking over all thresholds.
- **B** is true: the probabilistic reading of the area under the ROC curve.
- **C** is true: FPR = FP / (FP + TN) stays tiny when TN is huge; precision = TP / (TP + FP) does not.
- **D** is false, the other way round: precision depends on the positive rate, ROC's two rates do not.
- **E** is true: chance is the fraud rate, about 0.005, so 0.3 is about 60 times chance.
""")
def roc_pr(a):
    check_choices("roc_pr_true", a.roc_pr_true, {"B", "C", "E"}, options=["A", "B", "C", "D", "E"], mistakes={
        "A": "A is false: the share of flagged transactions that are fraud is precision at one threshold; ROC AUC "
             "summarises the ranking over all thresholds.",
        "B": "B is true: ROC AUC is the probability that a random positive is ranked above a random negative.",
        "C": "C is true: FPR = FP/(FP+TN) stays small when genuine transactions are plentiful, while precision "
             "TP/(TP+FP) exposes the false alarms.",
        "D": "D is false, the other way round: precision (and PR AUC) depends on the positive rate; ROC AUC does not.",
        "E": "E is true: PR AUC's chance level is the fraud rate (about 0.005), so 0.3 is many times chance.",
    })


# ---------------------------------------------------------------- Part 4 · log loss and calibration


def ref_log_loss(y, p, eps=1e-15):
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _ll_positive_only(y, p, eps=1e-15):
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    return float(-np.mean(y * np.log(p)))


def _ll_sum(y, p, eps=1e-15):
    return ref_log_loss(y, p, eps) * len(np.asarray(y))


def _ll_log10(y, p, eps=1e-15):
    return ref_log_loss(y, p, eps) / np.log(10)


def _ll_default_eps(y, p, eps=1e-15):
    return ref_log_loss(y, p)


def _ll_unclipped(y, p, eps=1e-15):
    # not clipped: a probability of exactly 0 or 1 makes log(0) = -inf, so the mean is inf or NaN
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))  # 0-d: NaN/inf compare equal


def _ll_infinite(y, p, eps=1e-15):
    value = _ll_unclipped(y, p, eps)
    return np.asarray(np.inf) if not np.isfinite(value) else value


NOT_CLIPPED = "a probability of exactly 0 or 1 gives log(0) = -inf: clip `p` to [eps, 1 - eps] before taking the log."
LOG_LOSS_MISTAKES = [
    (_ll_positive_only, "only the y·ln(p) term is there: a genuine transaction (y = 0) must cost -ln(1 - p) too."),
    (_ll_sum, "this is the sum over examples; log loss is the mean."),
    (_ll_log10, "this uses log base 10; log loss uses the natural logarithm (np.log)."),
    (_ll_default_eps, "you clipped with 1e-15 whatever `eps` was passed: use the `eps` argument."),
    (_ll_unclipped, NOT_CLIPPED),
    (_ll_infinite, NOT_CLIPPED),
]
KNOWN_LOG_LOSS = [ref_log_loss] + [m for m, _ in LOG_LOSS_MISTAKES[:4]]


@cache
def log_loss_cases() -> list[Case]:
    rng = np.random.default_rng(SEED + 3)
    y6, p6 = (rng.random(50) < 0.2).astype(int), rng.random(50)
    five = ([1, 0, 0, 1, 0], [0.9, 0.2, 0.6, 0.3, 0.05])
    return [
        Case(five, {}, ref_log_loss(*five), "on five predictions"),
        Case((y6, p6), {}, ref_log_loss(y6, p6), "on 50 random predictions"),
        Case((np.array([1, 0, 1]), np.array([0.0, 1.0, 1.0])), {"eps": 1e-6}, ref_log_loss([1, 0, 1], [0.0, 1.0, 1.0], 1e-6),
             "with probabilities of exactly 0 and 1 and eps=1e-6 (clip before the log)"),
        Case((pd.Series([0, 0, 0, 0]), pd.Series([0.1, 0.1, 0.1, 0.1])), {}, ref_log_loss([0, 0, 0, 0], [0.1] * 4),
             "when every label is 0"),
        Case((pd.Series([1, 0, 0, 1, 0], index=[40002, 40005, 40009, 40011, 40017]), np.array([0.7, 0.1, 0.4, 0.2, 0.3])),
             {}, ref_log_loss([1, 0, 0, 1, 0], [0.7, 0.1, 0.4, 0.2, 0.3]),
             "with labels in a Series indexed like `y_val` and probabilities in a numpy array"),
    ]


@lab.item("log_loss", reads=["log_loss_by_hand"], explanation="""
`y = np.asarray(y_true, dtype=float)`, `p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)`, then
`-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))`. Both terms matter (a genuine transaction with p = 0.9 costs
−ln 0.1), the logarithm is natural, it is the mean, not the sum, and clipping first keeps ln 0 = −∞ out.
""")
def log_loss(a):
    check_positional("log_loss_by_hand", a.log_loss_by_hand, log_loss_cases(), mistakes=LOG_LOSS_MISTAKES,
                     rtol=1e-7, atol=1e-9)


def learner_log_loss(a):
    calls = [(*c.args, *c.kwargs.values()) for c in log_loss_cases()]
    return _known(a, "log_loss_by_hand", calls, KNOWN_LOG_LOSS, rtol=1e-7, atol=1e-9)


@lab.item("calibration", reads=["log_loss_plain", "log_loss_balanced", "prediction_bias_balanced", "balanced_reliability"],
          uses={"log_loss_by_hand": "log_loss"}, explanation="""
`log_loss(y_val, p_val)` and `log_loss(y_val, p_val_balanced)` (or your `log_loss_by_hand`). The prediction bias is
`p_val_balanced.mean() - y_val.mean()`: about +0.12, a model that predicts 12 % fraud on average where 0.5 % happens.
The balanced model's points lie far below the diagonal: weighting fraud about 200 times shifts every probability
up, so "0.7" happens in a bin where only a few per cent are fraud; it **over-estimates**. Its ranking (ROC and PR
AUC) barely changed; its log loss did. Ranking and calibration are different properties. A prediction bias near 0
is necessary, not sufficient: errors of opposite sign in different bins cancel in the mean, which the reliability
diagram shows.
""")
def calibration(a):
    from sklearn.metrics import log_loss as sk_log_loss

    val = parts()["val"]
    y, p, pb = val.y, val.p, val.p_balanced
    plain, balanced = sk_log_loss(y, p), sk_log_loss(y, pb)
    expected_plain, expected_balanced = plain, balanced
    known = learner_log_loss(a)
    if known is not ref_log_loss:  # computed with the learner's own `log_loss_by_hand`, a recorded mistake
        if _matches(a.log_loss_plain, known(y, p), rtol=1e-4):
            expected_plain = known(y, p)
        if _matches(a.log_loss_balanced, known(y, pb), rtol=1e-4):
            expected_balanced = known(y, pb)
    check_number("log_loss_plain", a.log_loss_plain, expected_plain, rtol=1e-4, mistakes=[
        (balanced, "this is the balanced model's log loss; `log_loss_plain` is for `model` (`p_val`)."),
        (sk_log_loss(y, (p >= 0.5).astype(float)), "this is computed from 0/1 flags; log loss scores the probabilities "
                                                   "themselves."),
        (sk_log_loss(parts()["test"].y, parts()["test"].p), "this is on the test weeks; use validation (`y_val`, `p_val`)."),
    ])
    check_number("log_loss_balanced", a.log_loss_balanced, expected_balanced, rtol=1e-4, mistakes=[
        (plain, "this is the plain model's log loss; use `p_val_balanced`."),
        (sk_log_loss(y, (pb >= 0.5).astype(float)), "this is computed from 0/1 flags; log loss scores the probabilities "
                                                    "`p_val_balanced` themselves."),
    ])
    bias = float(pb.mean() - y.mean())
    bias_plain = float(p.mean() - y.mean())
    test = parts()["test"]
    check_number("prediction_bias_balanced", a.prediction_bias_balanced, bias, atol=1e-6, mistakes=[
        (-bias, "this is the mean label minus the mean prediction: prediction bias is the mean *prediction* minus the "
                "mean label, positive when the model predicts more fraud than happens."),
        (bias_plain, "this is the plain model's prediction bias; use the balanced model's probabilities "
                     "`p_val_balanced`."),
        (float(pb.mean() / y.mean()), "this is the ratio of the two means; prediction bias is their difference, mean "
                                      "prediction minus mean label."),
        (float(pb.mean()), "this is the mean prediction alone; subtract the observed fraud rate, `y_val.mean()`."),
        (float((pb >= 0.5).mean() - y.mean()), "this uses 0/1 flags at 0.5; prediction bias averages the "
                                               "probabilities themselves."),
        (float(test.p_balanced.mean() - test.y.mean()), "this is on the test weeks; use validation (`y_val`)."),
        (100 * bias, "this is in percentage points; give it as a proportion, like the probabilities."),
    ])
    over = bias > 0
    truth = "over-estimates" if over else "under-estimates"
    check_choice("balanced_reliability", a.balanced_reliability, truth,
                 options=["over-estimates", "under-estimates", "well calibrated"], mistakes={
        "well calibrated": (f"its ROC and PR AUC are close to the plain model's, but ranking says nothing about "
                            f"calibration: it predicts {pb.mean():.1%} fraud on average where {y.mean():.2%} happens "
                            f"(a prediction bias of {bias:+.3f})."),
        "under-estimates": ("calibration_curve returns (prob_true, prob_pred) in that order; points *below* the diagonal "
                            "mean the predicted probability is higher than the observed rate: it over-estimates."),
        "over-estimates": "its mean predicted probability is below the observed rate (a negative prediction bias).",
    }, why="Same ranking, far worse probabilities: class weights distort calibration; use them only if you "
           "re-calibrate or re-tune the threshold.")


# ---------------------------------------------------------------- Part 5 · regression errors


def ref_errors(y_true, y_pred) -> tuple[float, float, float]:
    e = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    mse = float(np.mean(e ** 2))
    return mse, float(np.sqrt(mse)), float(np.mean(np.abs(e)))


def _errors_swapped(y_true, y_pred):
    mse, rmse, mae = ref_errors(y_true, y_pred)
    return mse, mae, rmse


def _errors_mean_of_roots(y_true, y_pred):
    mse, _, mae = ref_errors(y_true, y_pred)
    e = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    return mse, float(np.mean(np.sqrt(np.abs(e)))), mae


def _errors_no_root(y_true, y_pred):
    mse, _, mae = ref_errors(y_true, y_pred)
    return mse, mse, mae


def _errors_no_abs(y_true, y_pred):
    mse, rmse, _ = ref_errors(y_true, y_pred)
    return mse, rmse, float(np.mean(np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)))


ERROR_MISTAKES = [
    (_errors_swapped, "RMSE and MAE are swapped: RMSE = sqrt(mean(e**2)), MAE = mean(|e|)."),
    (_errors_mean_of_roots, "RMSE is the square root of the mean squared error, not the mean of square roots."),
    (_errors_no_root, "your rmse is the MSE: take the square root to get back to the target's units."),
    (_errors_no_abs, "your mae averages the signed errors, so over- and under-estimates cancel out: MAE is "
                     "mean(|e|), with the absolute value."),
]
ERROR_KEYS = ("mse", "rmse", "mae")


def errors_tuple(func):
    def call(y_true, y_pred):
        d = func(y_true, y_pred)
        return tuple(d.get(k, np.nan) for k in ERROR_KEYS) if isinstance(d, Mapping) else d

    return call


@cache
def error_cases() -> list[Case]:
    rng = np.random.default_rng(SEED + 4)
    yt = rng.normal(300_000, 80_000, 30)
    yp = yt + rng.normal(0, 30_000, 30)
    yp[3] += 400_000  # one wild prediction
    four = ([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 1.0, 8.0])
    perfect = (pd.Series([10, 20]), pd.Series([10, 20]))
    return [
        Case(four, {}, ref_errors(*four), "on four predictions"),
        Case((yt, yp), {}, ref_errors(yt, yp), "on 30 prices with one wild prediction"),
        Case(perfect, {}, ref_errors(*perfect), "on perfect integer predictions"),
    ]


@lab.item("regression_errors", reads=["regression_errors"], explanation="""
Compute the errors once, `e = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)`; then
MSE = `np.mean(e ** 2)` (in EUR²), RMSE = `np.sqrt(mse)`, the square root of the *mean* of the squares (back in
euros, but dominated by the largest errors), and MAE = `np.mean(np.abs(e))`, the typical size of an error.
""")
def regression_errors(a):
    func = a.regression_errors
    first = error_cases()[0]
    result = _call("regression_errors", func, first.args, about=first.about)
    if not isinstance(result, Mapping):
        raise Incorrect(f"`regression_errors` must return a dict with keys 'mse', 'rmse', 'mae'; got {type(result).__name__}.")
    if set(map(str, result)) != set(ERROR_KEYS):
        raise Incorrect(f"`regression_errors` returned a dict with keys {sorted(map(str, result))}; it must have exactly "
                        "'mse', 'rmse' and 'mae'.")
    check_function("regression_errors", errors_tuple(func), error_cases(), mistakes=ERROR_MISTAKES, rtol=1e-9, atol=1e-9)


@cache
def prices() -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The valuers' 2024 predictions, the true prices, the prices with the planted typos, and how many typos."""
    from sklearn.linear_model import LinearRegression

    sales = load("housing")
    train = sales[sales["sale_date"] < "2024-01-01"]
    test = sales[sales["sale_date"] >= "2024-01-01"]
    valuer = LinearRegression().fit(train[HOUSE_FEATURES], train["sale_price_eur"])
    pred = valuer.predict(test[HOUSE_FEATURES])
    true = test["sale_price_eur"].to_numpy(dtype=float)
    rows = np.random.default_rng(SEED).choice(len(true), size=N_TYPOS, replace=False)
    typos = true.copy()
    typos[rows] *= 10
    return pred, true, typos, len(rows)


def learner_errors(a):
    """The known (mse, rmse, mae) function the learner's `regression_errors` behaves like (the reference if none)."""
    if not a.has("regression_errors") or not callable(a.regression_errors):
        return ref_errors
    return carry_forward(errors_tuple(a.regression_errors), [c.args for c in error_cases()],
                         [ref_errors] + [m for m, _ in ERROR_MISTAKES], rtol=1e-9, atol=1e-9)


TYPO_FIX_OPTIONS = ["A", "B", "C", "D"]


@lab.item("outliers", reads=["rmse_jump", "mae_jump", "medae_jump", "report_metric", "typo_fix"],
          uses={"regression_errors": "regression_errors"}, explanation="""
`root_mean_squared_error(price_true_typos, price_pred) / root_mean_squared_error(price_true, price_pred)`, and the
same with `mean_absolute_error` (or your `regression_errors`) and `median_absolute_error`. Squaring a EUR 3 million
error makes it weigh like hundreds of ordinary ones, so 5 typos in about 1,500 records multiply RMSE by 4; but MAE is
a mean too, and the same 5 records raise it by more than a quarter. Only the median absolute error, the size of the
middle error, barely moves: until the typos are found, it is the honest "typically off by about EUR ..." (half of the
suggestions are closer than that). MSE is in EUR², which no seller can read.

A robust summary only keeps the typos out of the *report*. They are still wrong labels that distort every other
metric, every comparison of models and every retraining: **C**, validate the labels. A sale price ten times what
comparable houses fetch (in price per m², say) is easy to flag; check it against the source record, correct it, and
keep the check in the data pipeline. Dropping the largest errors (B) also drops the model's genuine worst misses; a
robust loss (D) leaves the evaluation labels wrong.
""")
def outliers(a):
    pred, true, typos, n_typos = prices()
    ref = [ref_errors(typos, pred), ref_errors(true, pred)]
    rmse_jump, mae_jump = ref[0][1] / ref[1][1], ref[0][2] / ref[1][2]
    mse_jump = ref[0][0] / ref[1][0]
    medae_jump = float(np.median(np.abs(typos - pred)) / np.median(np.abs(true - pred)))
    expected_rmse, expected_mae = rmse_jump, mae_jump
    known = learner_errors(a)
    if known is not ref_errors:  # computed with the learner's own `regression_errors`, a recorded mistake
        dirty, clean = known(typos, pred), known(true, pred)
        with np.errstate(divide="ignore", invalid="ignore"):  # numpy floats: a 0 denominator gives inf, not an error
            carried_rmse, carried_mae = np.float64(dirty[1]) / clean[1], np.float64(dirty[2]) / clean[2]
        if _matches(a.rmse_jump, carried_rmse, rtol=1e-4):
            expected_rmse = carried_rmse
        if _matches(a.mae_jump, carried_mae, rtol=1e-4):
            expected_mae = carried_mae
    check_number("rmse_jump", a.rmse_jump, expected_rmse, rtol=1e-4, mistakes=[
        (mse_jump, "this is the ratio of the MSEs; RMSE is their square root."),
        (mae_jump, "this is the MAE ratio; `rmse_jump` is for RMSE."),
        (1 / rmse_jump, "the ratio is upside down: with the typos divided by without."),
        (ref[0][1] - ref[1][1], "this is the difference of the two RMSEs; the question asks for their ratio, with the "
                                "typos divided by without."),
    ])
    check_number("mae_jump", a.mae_jump, expected_mae, rtol=1e-4, mistakes=[
        (rmse_jump, "this is the RMSE ratio; `mae_jump` is for MAE."),
        (medae_jump, "this is the ratio of the *median* absolute errors; `mae_jump` is for the mean, MAE."),
        (1 / mae_jump, "the ratio is upside down: with the typos divided by without."),
        (ref[0][2] - ref[1][2], "this is the difference of the two MAEs; the question asks for their ratio, with the "
                                "typos divided by without."),
    ])
    signed = float(np.median(typos - pred) / np.median(true - pred))
    check_number("medae_jump", a.medae_jump, medae_jump, rtol=1e-4, mistakes=[
        (mae_jump, "this is the MAE ratio; `medae_jump` is for the *median* absolute error (`median_absolute_error`)."),
        (1 / medae_jump, "the ratio is upside down: with the typos divided by without."),
        (signed, "this is the median of the signed errors; take the absolute values first, `np.median(np.abs(e))`."),
        (float(np.median(np.abs(typos - pred)) - np.median(np.abs(true - pred))),
         "this is the difference of the two median absolute errors; the question asks for their ratio."),
    ])
    mae_rise, medae_rise = 100 * (mae_jump - 1), 100 * (medae_jump - 1)
    check_choice("report_metric", a.report_metric, "median absolute error",
                 options=["MSE", "RMSE", "MAE", "median absolute error"], mistakes={
        "RMSE": f"RMSE squares errors before averaging, so {n_typos} bad records multiply it by {rmse_jump:.1f}: it no "
                "longer describes a typical error. Until the typos are fixed, quote the median absolute error.",
        "MSE": "MSE is in squared euros (EUR²): no seller can read it, and it is even more dominated by the typos. "
               "Quote the median absolute error, in euros.",
        "MAE": f"MAE is swayed less than RMSE but it is a mean too, not robust: {n_typos} typos in {len(true):,} records "
               f"raised it by {mae_rise:.0f} %, while the median absolute error moved {medae_rise:.1f} %. Until the "
               "labels are fixed, the median absolute error is the typical error.",
    })
    check_choice("typo_fix", a.typo_fix, "C", options=TYPO_FIX_OPTIONS, mistakes={
        "A": "a robust summary keeps the typos out of the report, but they are still wrong labels: they distort every "
             "other metric, model comparison and retraining. Validate the labels: find the typos and fix them (C).",
        "B": "the largest errors are not all typos: dropping them also drops the model's genuine worst misses and "
             "flatters it. Find and fix the wrong labels, keep the rest (C).",
        "D": "a robust loss limits the damage in training, but the evaluation labels stay wrong and so does every "
             "metric computed on them. Validate and correct the labels (C).",
    }, why=f"RMSE x{rmse_jump:.1f}, MAE x{mae_jump:.2f}, median absolute error x{medae_jump:.3f}: only the median is "
           "robust, and only fixing the labels fixes the data.")


# ---------------------------------------------------------------- Part 6 · the cost of a decision


def ref_cost(y_true, flagged, amount):
    c = fraud_key()["costs"]
    y, f, a = np.asarray(y_true).astype(bool), np.asarray(flagged).astype(bool), np.asarray(amount, dtype=float)
    return np.where(f & y, c["true_positive_eur"], np.where(f, c["false_positive_eur"],
                    np.where(y, a + c["chargeback_fee_eur"], c["true_negative_eur"])))


def _bools(y, f):
    return np.asarray(y).astype(bool), np.asarray(f).astype(bool)


def _cost_caught_free(y, f, a):
    y_, f_ = _bools(y, f)
    return np.where(f_ & y_, 0.0, ref_cost(y, f, a))


def _cost_fee_only(y, f, a):
    y_, f_ = _bools(y, f)
    return np.where(~f_ & y_, fraud_key()["costs"]["chargeback_fee_eur"], ref_cost(y, f, a))


def _cost_friction_only(y, f, a):
    y_, f_ = _bools(y, f)
    return np.where(f_ & ~y_, fraud_key()["costs"]["friction_cost_eur"], ref_cost(y, f, a))


def _cost_amount_only(y, f, a):
    y_, f_ = _bools(y, f)
    return np.where(~f_ & y_, np.asarray(a, dtype=float) + 0.0 * f_, ref_cost(y, f, a))


def _cost_review_only(y, f, a):
    y_, f_ = _bools(y, f)
    return np.where(f_ & ~y_, fraud_key()["costs"]["review_cost_eur"], ref_cost(y, f, a))


COST_MISTAKES = [
    (_cost_caught_free, "a caught fraud still costs the EUR 5 review: every flagged transaction is reviewed."),
    (_cost_fee_only, "a missed fraud costs its amount plus the EUR 15 fee, not the fee alone."),
    (_cost_friction_only, "a false alarm costs the review too: EUR 5 + 3 = 8."),
    (_cost_amount_only, "a missed fraud costs its amount plus the EUR 15 handling fee."),
    (_cost_review_only, "a false alarm costs the customer's friction on top of the review: EUR 5 + 3 = 8."),
]
KNOWN_COSTS = [ref_cost] + [m for m, _ in COST_MISTAKES]


@cache
def cost_cases() -> list[Case]:
    rng = np.random.default_rng(SEED + 5)
    y10, f10, a10 = rng.integers(0, 2, 25), rng.random(25) < 0.5, np.round(rng.gamma(2.0, 60.0, 25), 2)
    index = 37414 + np.arange(25) * 3
    one_each = ([1, 1, 0, 0], [True, False, True, False], [250.0, 250.0, 40.0, 40.0])
    raw = [
        (one_each, "on one transaction of each kind"),
        ((pd.Series(y10, index=index), f10, pd.Series(a10, index=index)),
         "on 25 random transactions (Series indexed like `y_val` and `val[\"amount_eur\"]`, flags as a numpy array)"),
        (([0, 0], [0, 0], [999.0, 1.0]), "when nothing is flagged or fraudulent"),
    ]
    return [Case(args, {}, ref_cost(*args), about) for args, about in raw]


@lab.item("transaction_cost", reads=["transaction_cost"], explanation="""
Two nested `np.where`, first on `flagged`, then on `y_true`: a flagged transaction costs the EUR 5 review, plus
EUR 3 of friction when it was genuine; a fraud let through costs its amount plus the EUR 15 chargeback fee; a
genuine one let through costs nothing. `np.where(f, REVIEW_EUR + np.where(y, 0.0, FRICTION_EUR),
np.where(y, amount + CHARGEBACK_FEE_EUR, 0.0))` with `y`, `f` boolean arrays and `amount` a float array.
""")
def transaction_cost(a):
    func = a.transaction_cost
    labelled = cost_cases()[1]
    index = labelled.args[0].index
    result = _call("transaction_cost", func, labelled.args, about=labelled.about)
    if isinstance(result, pd.Series) and not (len(result) == len(index) and result.index.sort_values().equals(
            index.sort_values())):
        raise Incorrect(f"`transaction_cost` {labelled.about} returned a Series indexed {list(result.index[:3])}..., not "
                        f"like its inputs ({list(index[:3])}...): its costs no longer carry the transactions' labels, so "
                        "`val.assign(cost=...)` or `costs[y_val == 1]` would pair them with the wrong rows. Return a "
                        "numpy array, as the question asks (or a Series with the input's index).")
    check_positional("transaction_cost", _by_label(func), cost_cases(), mistakes=COST_MISTAKES)


def _by_label(func):
    """The learner's cost function with a returned Series put in the order of the input's index labels (0, 1, 2, ...
    for inputs without labels)."""
    def call(y_true, flagged, amount):
        out = func(y_true, flagged, amount)
        index = y_true.index if isinstance(y_true, pd.Series) else pd.RangeIndex(len(y_true))
        if isinstance(out, pd.Series) and out.index.sort_values().equals(index.sort_values()):
            return out.reindex(index).to_numpy()
        return out

    return call


def learner_cost(a):
    """The known cost function the learner's `transaction_cost` behaves like (the reference if none)."""
    return _known(a, "transaction_cost", [c.args for c in cost_cases()], KNOWN_COSTS)


@cache
def total_costs(period: str, cost=ref_cost) -> np.ndarray:
    """Total cost over ``period`` of flagging p >= t, for every t in THRESHOLDS, with the cost function ``cost``."""
    part = parts()[period]
    flags = part.p[None, :] >= THRESHOLDS[:, None]  # one row per threshold; every known cost function broadcasts
    return np.asarray(cost(part.y, flags, part.amount), dtype=float).sum(axis=1)


@cache
def val_f1() -> np.ndarray:
    val = parts()["val"]
    y = val.y.astype(bool)
    flags = val.p[None, :] >= THRESHOLDS[:, None]
    tp = (flags & y).sum(axis=1)
    denominator = flags.sum(axis=1) + y.sum()
    return np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0)


@lab.item("best_threshold", reads=["val_costs", "best_threshold"], uses={"transaction_cost": "transaction_cost"},
          explanation="""
For every threshold, `transaction_cost(y_val, p_val >= t, val["amount_eur"]).sum()`; `val_costs` keeps the totals in
the order of `THRESHOLDS`, and `THRESHOLDS[np.argmin(val_costs)]` is the cheapest one, far below 0.5: a missed
fraud costs its amount + 15, a false alarm 8. Choosing it on the test weeks would make the test cost an optimistic,
already-tuned number; 0.5 is only `predict`'s default, and the threshold that maximises F1 serves F1, not the business.
""")
def best_threshold(a):
    require_answer("val_costs", a.val_costs)
    cost = ref_cost
    known = learner_cost(a)
    if known is not ref_cost:  # computed with the learner's own `transaction_cost`, a recorded mistake
        theirs = np.asarray(total_costs("val", known))
        try:
            got = np.asarray(a.val_costs, dtype=float)
            if got.shape == theirs.shape and np.allclose(got, theirs, rtol=1e-6, atol=0.0):
                cost = known
        except (TypeError, ValueError):
            pass
    vc, tc, trc = total_costs("val", cost), total_costs("test", cost), total_costs("train", cost)
    check_array("val_costs", a.val_costs, vc, rtol=1e-6, mistakes=[
        (tc, "your costs are computed on the test weeks; use validation (`p_val`, `y_val`)."),
        (trc, "your costs are computed on the training weeks; use validation (`p_val`, `y_val`)."),
        (vc / len(parts()["val"].y), "these are mean costs per transaction; `val_costs` holds the total cost "
                                     "(`.sum()`) at each threshold."),
        (vc[::-1], "the totals are in reverse order; keep the order of `THRESHOLDS` (0.01 first)."),
    ])
    try:
        number = as_number("best_threshold", a.best_threshold)
    except Incorrect:
        number = None  # check_pick below reports a placeholder or a value that is not a number
    if number is not None and number not in THRESHOLDS:
        if number == int(np.argmin(vc)):
            raise Incorrect(f"`best_threshold` = {number:g} is the *position* of the cheapest threshold (what `np.argmin` "
                            "returns); the threshold itself is `THRESHOLDS[np.argmin(val_costs)]`.")
        if close(number, float(vc.min()), rtol=1e-6):
            raise Incorrect(f"`best_threshold` = {number:g} is the lowest total cost, not the threshold that gives it: "
                            "`THRESHOLDS[np.argmin(val_costs)]`.")
    mistakes = [(0.5, "0.5 is only the default of `predict`; with a missed fraud costing its amount + 15 and a false "
                      "alarm 8, the cheapest threshold is much lower.")]
    for t, message in [
        (THRESHOLDS[int(np.argmin(tc))], "this is the cheapest threshold on the *test* weeks: choosing on test data makes "
                                         "the test cost an optimistic, tuned number. Choose on validation."),
        (THRESHOLDS[int(np.argmin(trc))], "this is the cheapest threshold on the *training* weeks, where the model's "
                                          "scores are optimistic; choose on validation."),
        (THRESHOLDS[int(np.argmax(val_f1()))], "this threshold maximises F1 on validation; the business goal is the "
                                               "lowest cost, not F1."),
        (THRESHOLDS[int(np.argmax(vc))], "this is the *most* expensive threshold on validation: take the argmin of "
                                         "`val_costs`, not the argmax."),
    ]:
        if vc[list(THRESHOLDS).index(t)] > vc.min() + 1e-6:
            mistakes.append((t, message))
    check_pick("best_threshold", a.best_threshold, dict(zip(THRESHOLDS.tolist(), (-vc).tolist())), tol=1e-6,
               score_name="minus the validation cost", mistakes=mistakes)


def _cost_at(period: str, t: float, cost=ref_cost) -> float:
    part = parts()[period]
    return float(np.asarray(cost(part.y, part.p >= t, part.amount), dtype=float).sum())


@lab.item("test_report", reads=["test_cost_chosen", "test_cost_default"],
          uses={"best_threshold": "best_threshold", "transaction_cost": "transaction_cost"}, explanation="""
The same `transaction_cost(...).sum()` as in Q12, on the test weeks: `y_test`, `p_test >= best_threshold` and
`test["amount_eur"]`, then again at 0.5. Use the threshold chosen on validation, even if another one would look
cheaper on test: that is the honest number, and the difference from 0.5 is what the choice is worth.
""")
def test_report(a):
    require_answer("test_cost_chosen", a.test_cost_chosen)
    require_answer("test_cost_default", a.test_cost_default)
    # judged with the learner's own threshold, so a wrong Q12 does not cost this point as well
    try:
        t = as_number("best_threshold", a.best_threshold)
    except Incorrect:
        raise Blocked("`test_report` builds on your `best_threshold`, which is not a number yet: answer Q12 first, "
                      "then run this check again.") from None
    known = learner_cost(a)
    chosen, default = _cost_at("test", t), _cost_at("test", 0.5)
    expected_chosen, expected_default = chosen, default
    cost = ref_cost
    if known is not ref_cost:  # computed with the learner's own `transaction_cost`, a recorded mistake
        if _matches(a.test_cost_chosen, _cost_at("test", t, known), rtol=1e-6):
            expected_chosen, cost = _cost_at("test", t, known), known
        if _matches(a.test_cost_default, _cost_at("test", 0.5, known), rtol=1e-6):
            expected_default, cost = _cost_at("test", 0.5, known), known
    n_test = len(parts()["test"].y)
    tc = total_costs("test", cost)
    check_number("test_cost_chosen", a.test_cost_chosen, expected_chosen, rtol=1e-6, mistakes=[
        (_cost_at("val", t, cost), "this is the validation cost; report on the test weeks (`y_test`, `p_test`)."),
        (_cost_at("test", 0.5, cost), "this is the cost at 0.5; use `best_threshold`."),
        (float(tc.min()), "this is the cheapest cost over all thresholds on the test weeks, a threshold re-tuned on "
                          "test; report the cost at `best_threshold`, chosen on validation."),
        (_cost_at("test", t, cost) / n_test, "this is the mean cost per transaction; report the total (`.sum()`)."),
    ])
    check_number("test_cost_default", a.test_cost_default, expected_default, rtol=1e-6, mistakes=[
        (_cost_at("val", 0.5, cost), "this is the validation cost at 0.5; report on the test weeks."),
        (_cost_at("test", t, cost), "this is the cost at `best_threshold`; `test_cost_default` is the cost at 0.5."),
        (_cost_at("test", 0.5, cost) / n_test, "this is the mean cost per transaction; report the total (`.sum()`)."),
    ])


# ---------------------------------------------------------------- Part 7 · which metric for which goal


@lab.item("metric_for_goal", reads=["metric_for_goal"], explanation="""
- `fraud`: the costs of both errors are known in money (and depend on the amount): minimise **expected cost** at a
  chosen threshold. Accuracy would be 99.5 % for doing nothing; ROC AUC says nothing about where to set the threshold.
- `screening`: missing a case is the expensive error and a false positive only costs a cheap confirmation test:
  **recall** (sensitivity), TP / (TP + FN).
- `spam`: a false positive (genuine mail hidden) is the expensive error: **precision** of the "spam" decision,
  TP / (TP + FP).
- `pricing`: a regression target in euros, on checked records, where a miss costs in proportion to its size and the
  valuers want the *average* size of a miss: **MAE**, the mean absolute error in euros. RMSE would weigh big misses
  more than in proportion; the median absolute error ignores how large the worse half of the misses are.
""")
def metric_for_goal(a):
    check_mapping("metric_for_goal", a.metric_for_goal,
                  {"fraud": "expected cost", "screening": "recall", "spam": "precision", "pricing": "MAE"},
                  options=METRICS, mistakes={
        ("fraud", "accuracy"): "never flagging anything is 99.5 % accurate: on imbalanced data accuracy hides every "
                               "missed fraud. The costs are known in euros: minimise expected cost.",
        ("fraud", "ROC AUC"): "ROC AUC judges the ranking but not where to cut it, and looks excellent even with many "
                              "false alarms; the costs are known, so minimise expected cost.",
        ("fraud", "recall"): "maximising recall alone holds every payment; both errors have known costs, so minimise "
                             "expected cost.",
        ("fraud", "precision"): "precision alone ignores missed frauds, the most expensive error here; minimise expected "
                                "cost.",
        ("screening", "precision"): "this swaps them: precision, TP/(TP+FP), punishes false alarms; a missed case is the "
                                    "costly error here, so recall, TP/(TP+FN).",
        ("screening", "accuracy"): "the disease is rare, so accuracy rewards calling everyone healthy; recall counts the "
                                   "cases you catch.",
        ("screening", "ROC AUC"): "ROC AUC summarises the ranking, not the decision the test makes; a missed case is the "
                                  "costly error, so recall, TP/(TP+FN).",
        ("spam", "recall"): "this swaps them: recall, TP/(TP+FN), punishes spam left in the inbox; hiding a genuine mail "
                            "(a false positive) is the costly error, so precision, TP/(TP+FP).",
        ("spam", "accuracy"): "accuracy weighs a lost invoice like a spam in the inbox; the costly error is a false "
                              "positive, so precision.",
        ("spam", "ROC AUC"): "ROC AUC summarises the ranking, not the decision to hide a mail; the costly error is a "
                             "false positive, so precision, TP/(TP+FP).",
        ("pricing", "RMSE"): "RMSE squares errors, so it weighs a big miss more than in proportion to its size; here a "
                             "miss costs in proportion, and the valuers want its average size: MAE, in euros.",
        ("pricing", "median absolute error"): "the median ignores how large the worse half of the misses are; on "
                                              "checked records, where every euro of a miss counts, the average size "
                                              "of a miss is MAE.",
        ("pricing", "accuracy"): "a price is a regression target: accuracy (share of exactly right answers) makes no "
                                 "sense; MAE in euros does.",
    })


__all__ = ["lab", "outputs"]
