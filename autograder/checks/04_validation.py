"""Checks of lab 04 · Validation strategy and tuning (course side: hidden from learners and from the sandbox).

Every reference value is computed here from the data set (the lab's customer sample, its design matrix,
folds and models), never read from the learner's notebook, whose globals (`X`, `months`, `customers`,
`make_tree`, `search`, ...) the learner may rebind. Items that build on an earlier answer score it with
the learner's own earlier answer when that answer behaves like the reference or a recorded mistake
(`walk_forward_splits` for the depth tuning, `make_churn_model` for the seed spread), so a mistake
costs points once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

import numpy as np
import pandas as pd

from pmle.course.labs import LabChecks, LabInfo, outputs
from pmle.data import load
from pmle.feedback import (
    AnswerError,
    Case,
    Incorrect,
    NotAttempted,
    as_array,
    as_number,
    check_array,
    check_choice,
    check_choices,
    check_function,
    check_mapping,
    check_number,
    check_pick,
    close,
    fit_clean,
    passed,
    require_answer,
    run_clean,
)

lab = LabChecks(LabInfo(
    id="04_validation",
    title="Validation strategy and tuning",
    datasets=("churn",),
    minutes=(75, 90),
    exam_sections=(2, 3, 5),
))

# The lab's parameters cell (the course's own cell: grading runs it as the source has it).
SEED = 1234
N_CUSTOMERS = 800
N_PILOT_CUSTOMERS = 300
N_SPLIT_SEEDS = 5
HORIZON_DAYS = 30

# `age` is left out on purpose, as in Lab 01: the churn datasheet rules out profiling customers by age.
NUMERIC = ["monthly_fee", "tenure_months", "days_since_last_login", "sessions_30d", "support_tickets_90d",
           "late_payments_12m"]
CATEGORICAL = ["plan", "contract", "payment_method"]
SCHEMES = ["KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold", "TimeSeriesSplit"]
DEPTHS = [1, 2, 3, 4, 5, 6, 8, 10]
TREE_GRID = {"max_depth": [3, 5], "min_samples_leaf": [5, 50], "max_features": [0.5, 1.0]}
SPLIT_SEEDS = list(range(SEED, SEED + N_SPLIT_SEEDS))


# ---------------------------------------------------------------- the lab's data (private copies)


def _one_thread():
    """Small matrices: one BLAS / OpenMP thread is faster than two competing (as the lab's setup cell does)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


@cache
def customer_sample() -> tuple[pd.DataFrame, np.ndarray]:
    """The lab's sample: every monthly row of N_CUSTOMERS customers drawn with SEED, and the drawn ids in order."""
    snapshots = load("churn")
    end = snapshots["snapshot_date"] + pd.Timedelta(days=HORIZON_DAYS)
    snapshots["churn_label"] = ((snapshots["cancelled_at"] > snapshots["snapshot_date"])
                                & (snapshots["cancelled_at"] <= end)).astype(int)
    rng = np.random.default_rng(SEED)
    chosen = rng.choice(np.sort(snapshots["customer_id"].unique()), size=N_CUSTOMERS, replace=False)
    sample = snapshots[snapshots["customer_id"].isin(chosen)].reset_index(drop=True)
    return sample, chosen


@cache
def design() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """`X`, `y`, `customers` and `months` as the lab builds them."""
    sample, _ = customer_sample()
    X = pd.concat([sample[NUMERIC].astype("float64"), sample["autopay"].astype("float64"),
                   pd.get_dummies(sample[CATEGORICAL], dtype="float64")], axis=1)
    y = sample["churn_label"].to_numpy()
    customers = sample["customer_id"].str.removeprefix("BW-").astype(int).to_numpy()
    months = sample["snapshot_date"].to_numpy()
    return X, y, customers, months


def profile_columns(X: pd.DataFrame) -> list[str]:
    return ["monthly_fee", "tenure_months", "autopay"] + [
        c for c in X.columns if c.startswith(("plan_", "contract_", "payment_method_"))]


def never_user_churn() -> tuple[float, float]:
    """The churn rate of the rows without a last login (never-users) and of the others, in the lab's sample."""
    X, y, _, _ = design()
    never = X["days_since_last_login"].isna().to_numpy()
    return float(y[never].mean()), float(y[~never].mean())


def knn_model():
    from sklearn.impute import SimpleImputer
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), KNeighborsClassifier(n_neighbors=5))


def make_tree(depth):
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(max_depth=depth, min_samples_leaf=20, random_state=0)


def ref_churn_model(C=1.0):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                         LogisticRegression(C=C, solver="newton-cholesky"))


def _call(name: str, func: Callable, *args, about: str = "", **kwargs):
    """Call a learner function outside a checker: its failure is the learner's (AnswerError), never the course's."""
    try:
        return func(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted(f"`{name}` still raises NotImplementedError: write its body.") from None
    except Exception as exc:  # noqa: BLE001 - a dead sandbox (SandboxError) is a BaseException and ends grading
        where = f" ({about})" if about else ""
        raise AnswerError(f"`{name}` raised {type(exc).__name__}: {exc}{where}.") from None


# ---------------------------------------------------------------- Part 1 · which split, when?


@lab.item("schemes", reads=["schemes"], explanation="""
- `app_activity`: several rows per subscriber and the model meets *new* subscribers, so each subscriber must stay in
  one fold: **GroupKFold**. Classes are not rare (about 40 %), so stratifying adds little (StratifiedGroupKFold is
  also accepted).
- `tickets`: a forecast; the future must never train the model that predicts the past: **TimeSeriesSplit**
  (walk-forward).
- `defaults`: independent rows and rare positives: **StratifiedKFold** keeps about 3 % defaults in every fold.
- `house_prices`: independent rows, a continuous target, no time trend: plain (shuffled) **KFold** is fine.
- `scans`: images of one patient are near-duplicates *and* ill patients are rare: **StratifiedGroupKFold**.
""")
def schemes(a):
    answer = a.schemes
    if isinstance(answer, Mapping):
        answer = dict(answer)
        if str(answer.get("app_activity", "")).strip().casefold() == "stratifiedgroupkfold":
            answer["app_activity"] = "GroupKFold"  # also right: groups kept whole; stratifying 40 % positives is harmless
    check_mapping(
        "schemes", answer,
        {"app_activity": "GroupKFold", "tickets": "TimeSeriesSplit", "defaults": "StratifiedKFold",
         "house_prices": "KFold", "scans": "StratifiedGroupKFold"},
        options=SCHEMES,
        mistakes={
            ("app_activity", "KFold"): "group leakage: a random split puts the same subscriber's other months in training, so the model is tested on people it has already seen. Keep each subscriber in one fold (GroupKFold).",
            ("app_activity", "StratifiedKFold"): "group leakage: stratifying keeps the class balance but still splits a subscriber's rows across train and test. Use GroupKFold (classes are balanced anyway).",
            ("app_activity", "TimeSeriesSplit"): "the model will meet *new subscribers*, not only later months of the same ones: the customer is the unit to hold out (GroupKFold).",
            ("tickets", "KFold"): "a shuffled time series: random folds train on weeks after the ones they test, which a forecast never can. Use TimeSeriesSplit (walk-forward).",
            ("tickets", "StratifiedKFold"): "a shuffled time series (and stratification needs classes): train on the past, test on the weeks after (TimeSeriesSplit).",
            ("tickets", "GroupKFold"): "grouping by region still lets next year's weeks train the model that is tested on this year's: a forecast needs TimeSeriesSplit.",
            ("tickets", "StratifiedGroupKFold"): "a forecast must train on the past and test on the weeks after; grouping and stratifying do neither: TimeSeriesSplit.",
            ("defaults", "KFold"): "with 3 % defaults a plain random fold can get noticeably fewer positives than another: StratifiedKFold keeps the rate in every fold.",
            ("defaults", "GroupKFold"): "there is one application per person, so there is nothing to group; the rare class calls for StratifiedKFold.",
            ("defaults", "StratifiedGroupKFold"): "there is one application per person, so there is nothing to group: StratifiedKFold keeps the 3 % rate in every fold.",
            ("defaults", "TimeSeriesSplit"): "all applications come from one quarter and the model is not a forecast; the rare class calls for StratifiedKFold.",
            ("house_prices", "StratifiedKFold"): "StratifiedKFold needs class labels; with independent rows and a continuous price, plain KFold is fine.",
            ("house_prices", "TimeSeriesSplit"): "there is no trend within the year and the model is not a forecast: plain KFold uses all the data.",
            ("house_prices", "GroupKFold"): "there is one sale per house, so there is nothing to group: plain KFold is fine.",
            ("scans", "StratifiedKFold"): "group leakage: images of the same patient in train and test let the model recognise the patient. Keep patients whole (StratifiedGroupKFold).",
            ("scans", "GroupKFold"): "right to keep patients whole, but with 2 % ill patients a fold can end up with almost none: StratifiedGroupKFold keeps both.",
            ("scans", "KFold"): "group leakage and a rare class: images of one patient on both sides, and folds with too few ill patients. Use StratifiedGroupKFold.",
        },
    )


# ---------------------------------------------------------------- Part 2 · groups


def _app_data():
    X, y, customers, months = design()
    sample, _ = customer_sample()
    active = (sample["sessions_30d"] >= 5).astype(int).to_numpy()
    return X, y, customers, months, active


def _knn_cv(features, target, splitter, groups=None, scoring="roc_auc") -> float:
    from sklearn.model_selection import cross_val_score

    with _one_thread():
        return float(cross_val_score(knn_model(), features, target, scoring=scoring, cv=splitter, groups=groups).mean())


def _shuffled_kfold():
    from sklearn.model_selection import KFold

    return KFold(n_splits=5, shuffle=True, random_state=SEED)


@cache
def gap_scores() -> dict[str, float]:
    """Mean CV ROC AUC of the app model on `X[PROFILE]` and `active`: the data scientist's split, grouped by customer,
    and (a recorded mistake) grouped by month."""
    from sklearn.model_selection import GroupKFold

    X, _, customers, months, active = _app_data()
    profile = X[profile_columns(X)]
    return {
        "random": _knn_cv(profile, active, _shuffled_kfold()),
        "group": _knn_cv(profile, active, GroupKFold(n_splits=5), customers),
        "by_month": _knn_cv(profile, active, GroupKFold(n_splits=5), months),
    }


@cache
def gap_mistakes() -> dict[str, float]:
    """The recorded mistakes that cost more to compute (only when an answer is wrong): all of `X`, the churn label,
    an unshuffled KFold, and accuracy (a classifier's default score) instead of ROC AUC."""
    from sklearn.model_selection import GroupKFold, KFold

    X, y, customers, _, active = _app_data()
    profile = X[profile_columns(X)]
    return {
        "random_all_columns": _knn_cv(X, active, _shuffled_kfold()),
        "group_all_columns": _knn_cv(X, active, GroupKFold(n_splits=5), customers),
        "random_churn": _knn_cv(profile, y, _shuffled_kfold()),
        "group_churn": _knn_cv(profile, y, GroupKFold(n_splits=5), customers),
        "random_unshuffled": _knn_cv(profile, active, KFold(n_splits=5)),
        "random_accuracy": _knn_cv(profile, active, _shuffled_kfold(), scoring=None),
        "group_accuracy": _knn_cv(profile, active, GroupKFold(n_splits=5), customers, scoring=None),
    }


def _nearest_first(name: str, value, mistakes: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """The recorded mistakes, the one nearest the learner's number first (two of them can lie within one tolerance)."""
    try:
        number = as_number(name, value)
    except Incorrect:
        return mistakes  # check_number says what is wrong with the value itself
    return sorted(mistakes, key=lambda mistake: abs(mistake[0] - number))


def _wrong(name: str, value, expected: float, atol: float) -> bool:
    """Whether a number answer is off (so the costlier recorded mistakes are worth computing)."""
    return not close(as_number(name, value), expected, atol=atol)


ALL_COLUMNS = ("you cross-validated on all of `X`, which includes `sessions_30d`, the column that defines `active`: "
               "the target leaks into the features. Use the profile columns, `X[PROFILE]`.")
CHURN_TARGET = "this is the score for the churn label `y`; the app model's target is `active`."
ACCURACY = ("this is accuracy, the default score of a classifier, not ROC AUC: pass `scoring=\"roc_auc\"` to "
            "`cross_val_score`.")
UNSHUFFLED = ("`KFold(n_splits=5)` without `shuffle=True` cuts the rows in order, and they are sorted by snapshot month, "
              "so each fold is roughly one month: that is not the data scientist's random split. Use "
              "`KFold(n_splits=5, shuffle=True, random_state=SEED)`.")

# How far a correct grouped score can fall from the reference (unshuffled GroupKFold): shuffled group folds
# (GroupKFold(shuffle=True), StratifiedGroupKFold) give 0.51 to 0.55 over 20 seeds, sd 0.011.
GROUP_ATOL = 0.03
# The random split is fixed by the brief (seed SEED); other seeds or StratifiedKFold move it by sd 0.005.
RANDOM_ATOL = 0.015


@lab.item("group_gap", reads=["random_auc", "group_auc", "optimism"], explanation="""
`cross_val_score(knn_model, X[PROFILE], active, scoring="roc_auc", cv=KFold(n_splits=5, shuffle=True,
random_state=SEED)).mean()` is the data scientist's number; the same call with `cv=GroupKFold(n_splits=5)` and
`groups=customers` holds whole customers out. The random split scores about 0.70, the grouped one about 0.53, barely
better than guessing: the nearest neighbours of a row in a random split are the same subscriber's other months (the
same fee, plan and contract, a tenure one month apart), whose app habits are the answer. `optimism = random_auc - group_auc` is how
much the random split overstates what the model does for new subscribers.
""")
def group_gap(a):
    require_answer("random_auc", a.random_auc)
    ref = gap_scores()
    more = gap_mistakes() if _wrong("random_auc", a.random_auc, ref["random"], RANDOM_ATOL) else {}
    mistakes = [(ref["group"], "this is the grouped score; `random_auc` is the data scientist's shuffled KFold.")]
    if more:
        mistakes += [(more["random_all_columns"], ALL_COLUMNS), (more["random_churn"], CHURN_TARGET),
                     (more["random_unshuffled"], UNSHUFFLED), (more["random_accuracy"], ACCURACY)]
    check_number("random_auc", a.random_auc, ref["random"], atol=RANDOM_ATOL,
                 mistakes=_nearest_first("random_auc", a.random_auc, mistakes))
    more = gap_mistakes() if _wrong("group_auc", a.group_auc, ref["group"], GROUP_ATOL) else {}
    mistakes = [
        (ref["by_month"], "you grouped by snapshot month: each customer's other months are still in training. The customer is what repeats: `groups=customers`."),
        (ref["random"], "this is as high as the random split: the same customer is still in train and test (group leakage). Use `GroupKFold` with `groups=customers`."),
    ]
    if more:
        mistakes += [(more["group_all_columns"], ALL_COLUMNS), (more["group_churn"], CHURN_TARGET),
                     (more["group_accuracy"], ACCURACY)]
    check_number("group_auc", a.group_auc, ref["group"], atol=GROUP_ATOL,
                 mistakes=_nearest_first("group_auc", a.group_auc, mistakes))
    # Both scores passed: the optimism is the learner's own difference of them. 0.015 allows all three rounded to 2
    # decimals (each off by up to 0.005); the sign flip is 0.3 away.
    own = as_number("random_auc", a.random_auc) - as_number("group_auc", a.group_auc)
    try:
        check_number("optimism", a.optimism, own, atol=0.015, mistakes=[
            (-own, "the sign is flipped: optimism is the random score minus the grouped score."),
        ], why="The random split rewarded the model for recognising customers it had already seen.")
    except Incorrect as exc:
        if type(exc) is Incorrect and "expected about" in exc.message:
            raise Incorrect(exc.message[:-1] + ": `random_auc - group_auc`, your own two scores.") from None
        raise


# ---------------------------------------------------------------- Part 3 · walk-forward splits


def ref_walk(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    if not 1 <= n_splits < len(d):
        raise ValueError("n_splits must be between 1 and the number of periods minus one")
    return [(np.flatnonzero(p < q), np.flatnonzero(p == q)) for q in d[-n_splits:]]


def _future_in_train(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    return [(np.flatnonzero(p != q), np.flatnonzero(p == q)) for q in d[-n_splits:]]


def _test_in_train(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    return [(np.flatnonzero(p <= q), np.flatnonzero(p == q)) for q in d[-n_splits:]]


def _overlapping(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    return [(np.flatnonzero(p < q), np.flatnonzero(p >= q)) for q in d[-n_splits:]]


def _sliding(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    return [(np.flatnonzero(p == d[k - 1]), np.flatnonzero(p == d[k])) for k in range(len(d) - n_splits, len(d))]


def _first_periods(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    return [(np.flatnonzero(p < q), np.flatnonzero(p == q)) for q in d[1:n_splits + 1]]


def _labels(periods, n_splits):
    s = pd.Series(periods)
    d = np.unique(s.to_numpy())
    return [(s.index[(s < q).to_numpy()], s.index[(s == q).to_numpy()]) for q in d[-n_splits:]]


def _no_check(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    return [(np.flatnonzero(p < q), np.flatnonzero(p == q)) for q in d[-n_splits:]]


def _masks(periods, n_splits):
    p = np.asarray(periods)
    d = np.unique(p)
    if not 1 <= n_splits < len(d):
        raise ValueError("n_splits")
    return [(p < q, p == q) for q in d[-n_splits:]]


WALK_MISTAKES = [
    (_future_in_train, "the training rows include periods *after* the test period (a shuffled time series): train only on earlier periods, `periods < p`."),
    (_test_in_train, "off by one: the training rows include the test period itself (`<=`); the test rows must not be trained on, use `<`."),
    (_overlapping, "the test folds overlap: each one holds every period from p onwards. Each test fold is exactly one period."),
    (_sliding, "you train on the previous period only (a sliding window of one); the brief asks for an expanding window: every earlier period."),
    (_first_periods, "you tested the first periods after the start; test on the *last* `n_splits` periods."),
    (_no_check, "with this `n_splits` the first fold has no training rows (or `distinct[-0:]` takes every period): raise `ValueError` unless 1 <= n_splits < number of periods."),
    (_labels, "you returned index labels; return 0-based positions (`np.flatnonzero` on a numpy array)."),
    (_masks, "you returned boolean masks (one True/False per row); return the 0-based positions of the rows, "
             "`np.flatnonzero(mask)`."),
]


def canonical(splitter: Callable) -> Callable:
    """The splitter's folds as one comparable string (positions sorted within each fold), or 'ValueError'.

    The order of the folds counts (they are in time order); the order of the positions within a fold does not.
    """
    def run(periods, n_splits):
        try:
            folds = splitter(periods, n_splits)
        except ValueError:
            return "ValueError"
        if folds is None:
            return None
        try:
            folds = list(folds)
        except ValueError:  # a generator raises when it is first iterated
            return "ValueError"
        except TypeError:
            return f"not a list of (train_idx, test_idx) pairs: {type(folds).__name__}"
        try:
            return repr([(_positions(train), _positions(test)) for train, test in folds])
        except (TypeError, ValueError):
            return "not a list of (train_idx, test_idx) pairs of integer positions"
    return run


def _positions(rows) -> list | str:
    """Sorted integer positions; a boolean mask or non-integer numbers stay recognisable as such (never truncated)."""
    array = np.asarray(list(rows))
    if array.dtype.kind == "b":
        return f"mask {array.astype(int).tolist()}"
    if array.size and (array.dtype.kind not in "iuf" or not np.all(np.mod(array, 1) == 0)):
        return f"not positions {array.tolist()}"
    return sorted(int(i) for i in array)


@lab.item("walk_forward_splits", reads=["walk_forward_splits"], explanation="""
```python
periods = np.asarray(periods)
distinct = np.unique(periods)  # sorted
if not 1 <= n_splits < len(distinct):
    raise ValueError("n_splits must be between 1 and the number of periods minus one")
return [(np.flatnonzero(periods < p), np.flatnonzero(periods == p)) for p in distinct[-n_splits:]]
```
Train on `periods < p` (never `!=`, which adds the future, nor `<=`, which adds the test month itself); test on
exactly one period; take the *last* `n_splits` periods; check `n_splits` before slicing, since `distinct[-0:]` is
the whole array. `np.asarray` turns a Series into an array, so `np.flatnonzero` gives positions, not index labels.
""")
def walk_forward_splits(a):
    unsorted = [3, 1, 2, 3, 1, 2, 4, 4, 2, 5]
    dates = pd.Series(pd.to_datetime(["2025-03-31", "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30",
                                      "2025-01-31", "2025-04-30", "2025-02-28"]), index=range(100, 108))
    month_strings = ["2025-02", "2025-01", "2025-03", "2025-03", "2025-02"]
    cases = [((unsorted, 2), "on unsorted integer periods [3, 1, 2, 3, 1, 2, 4, 4, 2, 5] with n_splits=2"),
             ((unsorted, 4), "with n_splits=4 (one less than the number of periods)"),
             ((dates, 3), "on a pandas Series of dates with index 100..107 (return positions, not index labels)"),
             ((month_strings, 1), "on month strings with n_splits=1"),
             ((unsorted, 5), "with n_splits equal to the number of periods (the first fold would have nothing to train on)"),
             ((month_strings, 0), "with n_splits=0")]
    require_answer("walk_forward_splits", a.walk_forward_splits)
    if not callable(a.walk_forward_splits):
        raise Incorrect(f"`walk_forward_splits` must be a function; got {type(a.walk_forward_splits).__name__}.")
    check_function("walk_forward_splits", canonical(a.walk_forward_splits),
                   [Case(args, {}, canonical(ref_walk)(*args), about) for args, about in cases],
                   mistakes=[(canonical(wrong), message) for wrong, message in WALK_MISTAKES])


# ---------------------------------------------------------------- Part 3 · tuning on the past


@cache
def tuning_data():
    X, y, _, months = design()
    is_train = months < months.max()
    return X[is_train], y[is_train], months[is_train], X[~is_train], y[~is_train]


# The splitters Q4's scores may be computed with: the reference, then the mistakes of Q3 that still give folds.
KNOWN_SPLITTERS = [ref_walk, _future_in_train, _test_in_train, _overlapping, _sliding, _first_periods]


def learner_splitter(a) -> Callable:
    """The known splitter the learner's `walk_forward_splits` behaves like on the training months (else the reference)."""
    if not a.has("walk_forward_splits") or not callable(a.walk_forward_splits):
        return ref_walk
    months_train = tuning_data()[2]
    theirs = outputs(canonical(a.walk_forward_splits), [(months_train, 3)])
    for known in KNOWN_SPLITTERS:
        if theirs is not None and theirs == outputs(canonical(known), [(months_train, 3)]):
            return known
    return ref_walk


@cache
def depth_scores(splitter: Callable = ref_walk) -> dict[str, dict[int, float]]:
    """Per depth: the mean AUC over ``splitter``'s 3 folds of the training months, and the June and training AUC of
    the tree refitted on all training months."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_score

    X_train, y_train, months_train, X_june, y_june = tuning_data()
    folds = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter(months_train, 3)]
    cv, june, train, june_labels = {}, {}, {}, {}
    with _one_thread():
        for depth in DEPTHS:
            cv[depth] = float(cross_val_score(make_tree(depth), X_train, y_train, cv=folds, scoring="roc_auc").mean())
            if splitter is ref_walk:
                tree = make_tree(depth).fit(X_train, y_train)
                june[depth] = float(roc_auc_score(y_june, tree.predict_proba(X_june)[:, 1]))
                train[depth] = float(roc_auc_score(y_train, tree.predict_proba(X_train)[:, 1]))
                june_labels[depth] = float(roc_auc_score(y_june, tree.predict(X_june)))  # a recorded mistake
    if splitter is not ref_walk:
        reference = depth_scores(ref_walk)
        june, train, june_labels = reference["june"], reference["train"], reference["june_labels"]
    return {"cv": cv, "june": june, "train": train, "june_labels": june_labels}


@cache
def label_cv_scores(splitter: Callable = ref_walk) -> dict[int, float]:
    """A recorded mistake (computed only for a wrong answer): the walk-forward AUC per depth of hard 0/1 predictions."""
    from sklearn.metrics import roc_auc_score

    X_train, y_train, months_train = tuning_data()[:3]
    out = {}
    with _one_thread():
        for depth in DEPTHS:
            scores = []
            for tr, te in splitter(months_train, 3):
                tree = make_tree(depth).fit(X_train.iloc[tr], y_train[tr])
                scores.append(roc_auc_score(y_train[te], tree.predict(X_train.iloc[te])))
            out[depth] = float(np.mean(scores))
    return out


@cache
def train_fold_scores(splitter: Callable = ref_walk) -> dict[int, float]:
    """A recorded mistake (computed only for a wrong answer): per depth, the mean AUC of each walk-forward fold's tree
    on its own *training* months (`cross_validate(..., return_train_score=True)["train_score"]`)."""
    from sklearn.model_selection import cross_validate

    X_train, y_train, months_train = tuning_data()[:3]
    folds = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter(months_train, 3)]
    with _one_thread():
        return {depth: float(cross_validate(make_tree(depth), X_train, y_train, cv=folds, scoring="roc_auc",
                                            return_train_score=True)["train_score"].mean()) for depth in DEPTHS}


@cache
def june_of_tree_fitted_on_all(depth: int) -> float:
    """A recorded mistake (computed only for a wrong answer): June's AUC of the tree refitted on every month, June
    included (train plus test)."""
    from sklearn.metrics import roc_auc_score

    X, y, _, _ = design()
    X_june, y_june = tuning_data()[3:]
    with _one_thread():
        tree = make_tree(depth).fit(X, y)
        return float(roc_auc_score(y_june, tree.predict_proba(X_june)[:, 1]))


@cache
def by_position_scores() -> dict[int, float]:
    """A recorded mistake (computed only for a wrong answer): the mean AUC per depth over TimeSeriesSplit's 3 folds,
    which cut the training rows by position, not by month."""
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score

    X_train, y_train = tuning_data()[:2]
    with _one_thread():
        return {depth: float(cross_val_score(make_tree(depth), X_train, y_train, cv=TimeSeriesSplit(3),
                                             scoring="roc_auc").mean()) for depth in DEPTHS}


def _argmax(scores: Mapping) -> int:
    return max(scores, key=scores.get)


def _depth_of(value) -> int | None:
    """The learner's depth when it is one of DEPTHS, else None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number in DEPTHS else None


def _scores_by_key(name: str, value) -> dict[float, float] | None:
    """A learner's dict of scores with float keys and values; Incorrect when it is not one."""
    require_answer(name, value)
    if not isinstance(value, Mapping):
        raise Incorrect(f"`{name}` must be a dict that maps every depth in `DEPTHS` to its mean AUC; got {type(value).__name__}.")
    if len(value) == 0:
        raise Incorrect(f"`{name}` is empty: store the mean walk-forward AUC of every depth in `DEPTHS` (depth -> mean AUC).")
    out = {}
    for key, score in value.items():
        try:
            depth = float(key)
        except (TypeError, ValueError):
            raise Incorrect(f"`{name}` has the key {key!r}; its keys are the depths of `DEPTHS` (numbers).") from None
        out[depth] = as_number(f"{name}[{key!r}]", score)
    return out


def check_scores_by_depth(name: str, value, expected: Mapping[int, float], *, atol: float,
                          mistakes: list[tuple[Mapping[int, float], str]] = ()) -> None:
    """A dict depth -> score: exactly the depths of DEPTHS (any order), each score within ``atol`` of the expected one."""
    got = _scores_by_key(name, value)
    want = {float(k): v for k, v in expected.items()}
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    if missing or extra:
        parts = [f"no score for depth {', '.join(f'{d:g}' for d in missing)}"] if missing else []
        parts += [f"depths that are not in `DEPTHS`: {', '.join(f'{d:g}' for d in extra)}"] if extra else []
        raise Incorrect(f"`{name}` has " + " and ".join(parts) + ": one entry per depth in `DEPTHS`.")
    if all(close(got[d], want[d], atol=atol) for d in want):
        passed(name)
        return
    for wrong, message in mistakes:
        if all(close(got[d], float(wrong[int(d)]), atol=atol) for d in want):
            raise Incorrect(f"`{name}`: {message}")
    worst = max(want, key=lambda d: abs(got[d] - want[d]))
    try:  # check_number shows the two numbers with digits enough to tell them apart
        check_number(f"{name}[{worst:g}]", got[worst], want[worst], atol=atol)
    except Incorrect as exc:
        raise Incorrect(exc.message[:-1] + " (the mean ROC AUC over the three walk-forward folds of the training "
                        "months).") from None


@lab.item("best_depth", reads=["cv_auc", "best_depth", "june_auc"], uses={"walk_forward_splits": "walk_forward_splits"},
          explanation="""
```python
folds = list(walk_forward_splits(months_train, n_splits=3))
cv_auc = {d: cross_val_score(make_tree(d), X_train, y_train, cv=folds, scoring="roc_auc").mean() for d in DEPTHS}
best_depth = max(cv_auc, key=cv_auc.get)
june_auc = roc_auc_score(y_june, make_tree(best_depth).fit(X_train, y_train).predict_proba(X_june)[:, 1])
```
The depth is chosen on the walk-forward scores of the training months only. June is touched once, after the choice,
to report how the chosen model does; choosing the depth that scores best on June would make June's score a tuned,
optimistic number.
""")
def best_depth(a):
    require_answer("best_depth", a.best_depth)
    splitter = learner_splitter(a)  # the learner's own splitter, when it behaves like a known one
    scores = depth_scores(splitter)
    cv, june, train = scores["cv"], scores["june"], scores["train"]
    depth = _depth_of(a.best_depth)
    right_depth = depth is not None and cv[depth] >= max(cv.values()) - 1e-6
    depth_mistakes = [
        (_argmax(june), "this is the best depth on June, the test month. Tune on the training months: a depth picked on June makes June's score optimistic."),
        (_argmax(train), "this depth scores best on the rows it was trained on; pick by the walk-forward scores."),
    ]
    try:
        their_cv = _scores_by_key("cv_auc", a.cv_auc)
        right_cv = their_cv.keys() == {float(d) for d in DEPTHS} and all(
            close(their_cv[float(d)], cv[d], atol=1e-6) for d in DEPTHS)
    except Incorrect:
        their_cv, right_cv = None, False
    by_position = by_position_scores() if not (right_depth and right_cv) else None
    hard_labels = label_cv_scores(splitter) if not right_cv else None
    train_folds = train_fold_scores(splitter) if not right_cv else None
    if by_position is not None:
        position_depth = (_argmax(by_position), "this is the best depth by TimeSeriesSplit's folds, which cut by row "
                          "position and do not line up with months here; pick by `walk_forward_splits(months_train, n_splits=3)`.")
        from_position = their_cv is not None and their_cv.keys() == {float(d) for d in DEPTHS} and all(
            close(their_cv[float(d)], by_position[d], atol=1e-6) for d in DEPTHS)
        # their cv_auc says which mistake a depth comes from when two mistakes give the same depth
        depth_mistakes = [position_depth, *depth_mistakes] if from_position else [*depth_mistakes, position_depth]
    if train_folds is not None and their_cv is not None and their_cv.keys() == {float(d) for d in DEPTHS} and all(
            close(their_cv[float(d)], train_folds[d], atol=1e-6) for d in DEPTHS):
        depth_mistakes = [(_argmax(train_folds), "this is the best depth by each fold's score on its own training "
                           "months (`train_score`): a metric computed on training months rewards memorising them, so "
                           "the deepest tree wins. Pick by the scores on each fold's test month."), *depth_mistakes]
    check_pick("best_depth", a.best_depth, cv, tol=1e-6, score_name="walk-forward AUC", mistakes=depth_mistakes)
    check_scores_by_depth("cv_auc", a.cv_auc, cv, atol=1e-6, mistakes=[
        (june, "these are the June scores of trees fitted on all training months: the test month must not take part in the choice. Score each depth on the walk-forward folds."),
        (train, "these are the scores of trees on the very rows they were fitted on; score each depth on the walk-forward folds."),
        *([(by_position, "these scores come from TimeSeriesSplit, whose folds cut by row *position*: with months of "
                         "different sizes they do not line up with months. Use `walk_forward_splits(months_train, n_splits=3)`.")]
          if by_position is not None else []),
        *([(hard_labels, "these AUCs are computed from hard 0/1 predictions (`predict`); ROC AUC ranks by score: use "
                         "`predict_proba(...)[:, 1]` (or `scoring=\"roc_auc\"`, which does).")] if hard_labels is not None else []),
        *([(train_folds, "these are the scores of each fold's tree on its own training months (`train_score`), not on "
                         "the month after: a metric computed on training months rewards memorising them. Score each "
                         "depth on the test month of each fold (`test_score`).")] if train_folds is not None else []),
    ])
    # June's score is checked for the learner's own depth (one of the best, as checked above).
    depth = min(DEPTHS, key=lambda d: abs(d - as_number("best_depth", a.best_depth)))
    fitted_on_all = [] if close(as_number("june_auc", a.june_auc), june[depth], atol=1e-6) else [
        (june_of_tree_fitted_on_all(depth), "the tree was fitted on every month, June included (train plus test), so "
                                            "June's score is measured on rows it learned from. Refit "
                                            "`make_tree(best_depth)` on the training months only, then score June.")]
    check_number("june_auc", a.june_auc, june[depth], atol=1e-6, mistakes=[
        (train[depth], "this is the AUC on the training months the tree was fitted on; score it on June."),
        *fitted_on_all,
        (cv[depth], "this is the walk-forward score; `june_auc` is the refitted tree's AUC on June."),
        (scores["june_labels"][depth], "this AUC is computed from hard 0/1 predictions (`predict`); ROC AUC ranks by "
                                       "score: use `predict_proba(X_june)[:, 1]`."),
    ])


# ---------------------------------------------------------------- Part 4 · preprocessing inside the folds


SCALERS = {"StandardScaler", "RobustScaler", "MinMaxScaler", "MaxAbsScaler"}
FITTED = ("`make_churn_model` returned a pipeline that is already fitted (or one with a step that is not "
          "scikit-learn's own): return a new, unfitted `Pipeline` of scikit-learn steps, the recipe that every fold "
          "fits on its own training rows.")


def _contains(step, test: Callable) -> bool:
    """Whether a pipeline step is, or holds among its parameters, an estimator for which ``test`` is true."""
    from sklearn.base import BaseEstimator

    if test(step):
        return True
    try:
        params = step.get_params(deep=True)
    except Exception:  # noqa: BLE001 - "passthrough", or a step that cannot list its parameters
        return False
    return any(isinstance(v, BaseEstimator) and test(v) for v in params.values())


def _first_step(model, test: Callable) -> int | None:
    """The position of the first top-level step of ``model`` that is or holds such an estimator, or None."""
    return next((i for i, (_, step) in enumerate(model.steps) if _contains(step, test)), None)


def _penalty(final) -> str:
    """The penalty a LogisticRegression applies: "l2", or a description of another one."""
    penalty = getattr(final, "penalty", "deprecated")
    l1_ratio = getattr(final, "l1_ratio", None)
    try:
        no_l1 = l1_ratio is None or float(l1_ratio) == 0.0
    except (TypeError, ValueError):
        no_l1 = False
    if penalty in ("deprecated", "elasticnet"):  # scikit-learn >= 1.8: the penalty is set by l1_ratio
        return "l2" if no_l1 else f"an L1 / elastic-net penalty (l1_ratio={l1_ratio!r})"
    if penalty == "l2":
        return "l2"
    return f"penalty={penalty!r}"


@lab.item("make_churn_model", reads=["make_churn_model"], explanation="""
```python
return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                     LogisticRegression(C=C, solver="newton-cholesky"))
```
The function returns the recipe, unfitted, new at every call: `cross_val_score` fits it on each fold's training rows,
so the imputer's medians and the scaler's means never see the fold's test rows, and the same object is what you
deploy. Nothing is fitted before the split.
""")
def make_churn_model(a):
    from sklearn.base import BaseEstimator
    from sklearn.impute import MissingIndicator, SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    factory = a.make_churn_model
    require_answer("make_churn_model", factory)
    if not callable(factory):
        raise Incorrect(f"`make_churn_model` must be a function; got {type(factory).__name__}.")
    model = _call("make_churn_model", factory, C=0.25, about="called as make_churn_model(C=0.25)")
    if model is None:
        raise NotAttempted("`make_churn_model` returned None: does it `return` the pipeline?")
    if not isinstance(model, Pipeline):
        if type(model).__name__ == "Pipeline":
            raise Incorrect(FITTED)
        if not hasattr(model, "fit"):
            raise Incorrect(f"`make_churn_model` must return a scikit-learn `Pipeline`; it returned a {type(model).__name__}.")
        raise Incorrect(f"`make_churn_model` returned a {type(model).__name__}, not a Pipeline: imputation and scaling "
                        "fitted on all rows before the split leak the test folds' statistics into training. Put them inside the pipeline.")
    try:
        check_is_fitted(model)
        fitted = True
    except Exception:  # noqa: BLE001 - NotFittedError, or a pipeline whose last step cannot say
        fitted = False
    if fitted:
        raise Incorrect(FITTED)
    try:
        parts = [v for v in model.get_params(deep=True).values() if isinstance(v, BaseEstimator)]
        parts += [step for _, step in model.steps]
    except Exception as exc:  # noqa: BLE001 - a step of the learner's own that cannot list its parameters
        raise AnswerError(f"the pipeline of `make_churn_model` cannot list its steps' parameters ({type(exc).__name__}: {exc}).") from None
    names = {type(p).__name__ for p in parts}
    imputers = [p for p in parts if type(p).__name__.endswith("Imputer")]
    if not imputers:
        raise Incorrect("`make_churn_model` has no imputer inside the pipeline: impute in the pipeline, so each fold learns its own medians (and `X` has missing values).")
    simple = [p for p in imputers if isinstance(p, SimpleImputer)]
    if simple and not any(p.strategy == "median" for p in simple):
        raise Incorrect("`make_churn_model`'s SimpleImputer does not use `strategy=\"median\"`: the brief asks for the median, "
                        "which a few extreme fees or tenures do not drag.")
    if not (any(getattr(p, "add_indicator", False) for p in imputers) or any(isinstance(p, MissingIndicator) for p in parts)):
        never, others = never_user_churn()
        raise Incorrect("`make_churn_model`'s imputer adds no missing-value indicators (`add_indicator=True`): a filled-in "
                        "median hides that the value was missing, and here missingness itself carries information: a "
                        f"missing last login means the subscriber never used the app, and {never:.0%} of those rows "
                        f"churn against {others:.0%} of the others.")
    if not names & SCALERS:
        raise Incorrect("`make_churn_model` has no scaler inside the pipeline: an unscaled penalty. `C` penalises every "
                        "coefficient alike, so a feature in large units (a fee in euros, days since the last login) "
                        "needs only a small coefficient and is barely penalised, while a 0/1 column is penalised hard. "
                        "Scale inside the pipeline, so the scaler is also fitted per fold.")
    imputer_at = _first_step(model, lambda p: type(p).__name__.endswith("Imputer") or isinstance(p, MissingIndicator))
    scaler_at = _first_step(model, lambda p: type(p).__name__ in SCALERS)
    if imputer_at is not None and scaler_at is not None and scaler_at < imputer_at:
        raise Incorrect("`make_churn_model` scales before it imputes: impute before scaling, as the brief lists the steps "
                        "(SimpleImputer, then StandardScaler). Scaled first, the missing-value indicator columns are "
                        "left unscaled 0/1 next to standardised features, so the penalty treats them differently.")
    final = model.steps[-1][1]
    if not isinstance(final, LogisticRegression):
        raise Incorrect(f"the last step is a {type(final).__name__}; it should be the LogisticRegression.")
    penalty = _penalty(final)
    if penalty != "l2":
        raise Incorrect(f"`make_churn_model`'s LogisticRegression uses {penalty}: a different model. The brief asks for "
                        "the default L2 penalty, `LogisticRegression(C=C, solver=\"newton-cholesky\")` (no `penalty=` "
                        "or `l1_ratio=` argument).")
    try:
        right_c = bool(np.isclose(float(final.C), 0.25))
    except (TypeError, ValueError):
        right_c = False
    if not right_c:
        raise Incorrect(f"`make_churn_model(C=0.25)` built a LogisticRegression with C={final.C}: it ignores its `C` argument.")
    default = _call("make_churn_model", factory, about="called as make_churn_model() without arguments")
    default_c = default.steps[-1][1].C if isinstance(default, Pipeline) and default.steps \
        and isinstance(default.steps[-1][1], LogisticRegression) else None
    try:
        right_default, shown = bool(np.isclose(float(default_c), 1.0)), f"{float(default_c):g}"
    except (TypeError, ValueError):
        right_default, shown = False, repr(default_c)
    if not right_default:
        raise Incorrect(f"`make_churn_model()` called without arguments builds C={shown}: its default must be the "
                        "brief's `C=1.0` (`def make_churn_model(C=1.0)`), since Q10 calls it without arguments.")
    rs = np.random.default_rng(7)
    fresh = pd.DataFrame({"a": rs.normal(50, 10, 80), "b": rs.normal(0, 0.01, 80), "c": rs.normal(0, 1, 80)})
    fresh.loc[::6, "a"] = np.nan
    target = (fresh["c"] + rs.normal(0, 1, 80) > 0).astype(int)
    try:
        proba = np.asarray(fit_clean(model, fresh, target).predict_proba(fresh))[:, 1]
    except Exception as exc:  # noqa: BLE001 - the learner's pipeline (a real scikit-learn object) failed
        raise AnswerError(f"fitting `make_churn_model()` on a small frame with missing values raised {type(exc).__name__}: {exc}.") from None
    if not (np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))):
        raise Incorrect("the fitted pipeline does not return probabilities between 0 and 1.")
    if _call("make_churn_model", factory, C=0.25, about="called a second time") is model:
        raise Incorrect("`make_churn_model` returns the same object each call; build a new pipeline every time.")
    passed("make_churn_model", "Every fold refits the imputer and the scaler on its own training rows.")


HONEST_OPTIONS = ["scale_first", "pipeline_walk", "tune_on_june", "nested_walk", "select_first", "group_kfold"]


@lab.item("honest", reads=["honest"], explanation="""
The month-end model is trained on the months before and scores the next one, so an honest estimate trains every fold
on earlier months only and lets nothing learned from the scored rows reach the model or its choices.
- **`pipeline_walk`**: every learned step (medians, means, coefficients) is refitted on the earlier months of each
  fold. The same subscribers appear in the training months and in the scored month, just as they do in production.
- **`nested_walk`**: `C` is also chosen on walk-forward folds of the earlier months only; the scored month takes part
  in neither the fitting nor the choice.
- `scale_first`: the imputer's medians and the scaler's means come from every month, the scored ones (and later ones)
  included: preprocessing fitted before the split. The damage is often small for a scaler, but never zero, and it
  grows with target-aware steps.
- `tune_on_june`: `C` is chosen on the month being scored: the best of 20 noisy June scores is optimistic.
- `select_first`: the labels of the scored months chose the columns: the classic large leak.
- `group_kfold`: refits everything per fold and keeps customers apart, but most folds train on months *after* the one
  they score, which the month-end model never can. Right for Part 2's model of new subscribers; for a next-month model,
  validate walk-forward (Part 3). Here the two numbers happen to agree (about 0.81), as the churn label did in Part 2;
  with a trend or drift over the months they would not, and only the right split tells you which case you are in.
""")
def honest(a):
    check_choices("honest", a.honest, {"pipeline_walk", "nested_walk"}, options=HONEST_OPTIONS, mistakes={
        "scale_first": "`scale_first` fits the imputer and the scaler on every month before the split, the scored "
                       "months included: preprocessing fitted before the split has seen the test rows. Put it in the "
                       "pipeline.",
        "tune_on_june": "`tune_on_june` chooses C on the month it scores: hyperparameters chosen on the test set make "
                        "its score optimistic (the best of 20 noisy draws).",
        "select_first": "`select_first` lets the labels of the scored rows choose the features: a large leak; selection "
                        "must happen inside each fold, on the earlier months only.",
        "group_kfold": "`group_kfold` keeps each customer on one side, but its folds mix the months: most train on months "
                       "after the one they score, which the month-end model never has. A next-month model is validated "
                       "walk-forward (Part 3); GroupKFold suits a model of new customers (Part 2).",
        "pipeline_walk": "`pipeline_walk` is honest: every step is refitted on the months before the one it scores, and "
                         "the same subscribers in earlier months and in the scored month is what production looks like.",
        "nested_walk": "`nested_walk` is honest: C is chosen on walk-forward folds of the earlier months only, so the "
                       "scored month takes part in neither the fitting nor the choice.",
    })


# ---------------------------------------------------------------- Part 5 · nested cross-validation


def pilot_search():
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.tree import DecisionTreeClassifier

    return GridSearchCV(DecisionTreeClassifier(random_state=0), TREE_GRID, cv=GroupKFold(n_splits=3), scoring="roc_auc")


@cache
def nested_reference() -> dict[str, object]:
    """The pilot's grid search and nested CV, with scikit-learn's GridSearchCV and cross_val_score on the lab's folds."""
    from sklearn.model_selection import GroupKFold, cross_val_score

    X, y, customers, _ = design()
    sample, chosen = customer_sample()
    is_pilot = sample["customer_id"].isin(chosen[:N_PILOT_CUSTOMERS]).to_numpy()
    X_pilot, y_pilot, g_pilot = X[is_pilot].to_numpy(), y[is_pilot], customers[is_pilot]
    outer_cv = GroupKFold(n_splits=4)
    with _one_thread():
        search = pilot_search().fit(X_pilot, y_pilot, groups=g_pilot)
        nested = cross_val_score(pilot_search(), X_pilot, y_pilot, cv=outer_cv, groups=g_pilot, scoring="roc_auc",
                                 params={"groups": g_pilot})
        # A recorded mistake: the outer CV of the tree already tuned on every pilot row (the search is not nested).
        tuned_first = cross_val_score(search.best_estimator_, X_pilot, y_pilot, cv=outer_cv, groups=g_pilot,
                                      scoring="roc_auc")
    best = search.best_index_
    inner = np.array([search.cv_results_[f"split{k}_test_score"][best] for k in range(3)])
    return {"best": float(search.best_score_), "mean_all": float(np.mean(search.cv_results_["mean_test_score"])),
            "refit_on_pilot": float(search.score(X_pilot, y_pilot)),
            "nested": np.asarray(nested, dtype=float), "tuned_first": np.asarray(tuned_first, dtype=float),
            "inner_folds": inner}


def _numbers(value) -> np.ndarray | None:
    """A learner's 1-D array-like of numbers as floats, or None when it is not one (check_array then says why)."""
    if value is None or value is Ellipsis or isinstance(value, (str, bytes, Mapping)):
        return None
    try:
        array = as_array(value)
    except Exception:  # noqa: BLE001
        return None
    if array.ndim != 1 or array.dtype.kind not in "biuf":
        return None
    return array.astype(float)


def _sorted_numbers(value):
    """The numbers sorted (the order of the outer folds does not matter), or the value as it is for check_array."""
    array = _numbers(value)
    return value if array is None or np.isnan(array).any() else np.sort(array)


@lab.item("nested", reads=["best_inner_score", "nested_scores", "nested_score"], explanation="""
```python
search.fit(X_pilot, y_pilot, groups=g_pilot)
best_inner_score = search.best_score_
nested_scores = cross_val_score(search, X_pilot, y_pilot, cv=outer_cv, groups=g_pilot, scoring="roc_auc",
                                params={"groups": g_pilot})
nested_score = nested_scores.mean()
```
`cross_val_score` clones `search` for every outer fold, so each fold runs a fresh search on its own training rows and
scores the winner on customers the search never saw. `best_score_` is the maximum of the candidates' inner scores,
measured on the very folds that chose the winner, so it tends to flatter it; the nested estimate scores the whole
procedure (search, then refit).
""")
def nested(a):
    require_answer("best_inner_score", a.best_inner_score)
    ref = nested_reference()
    outer, tuned_first = ref["nested"], ref["tuned_first"]
    check_number("best_inner_score", a.best_inner_score, ref["best"], atol=1e-6, mistakes=[
        (outer.mean(), "this is the nested estimate; `best_inner_score` is `search.best_score_`."),
        (ref["mean_all"], "this is the mean over all candidates; `best_score_` is the best one's."),
        (ref["refit_on_pilot"], "this is `search.score(...)` on the pilot rows: the refitted winner scored on the rows it "
                                "was trained on. `best_score_` is its mean inner cross-validation score."),
    ])
    check_number("nested_score", a.nested_score, outer.mean(), atol=1e-6, mistakes=[
        (ref["best"], "this is the best inner score: the winner was picked on the same folds that scored it, so it is optimistic. Run the search inside an outer CV."),
        (float(np.max(outer)), "this is the best outer fold; the estimate is the mean over all outer folds."),
        (tuned_first.mean(), "this cross-validates the tree the search already tuned on every pilot row, so the outer test folds took part in the choice. Pass `search` itself to `cross_val_score`: each outer fold then runs its own search."),
    ])
    try:
        check_array("nested_scores", _sorted_numbers(a.nested_scores), np.sort(outer), atol=1e-6, mistakes=[
            (np.sort(tuned_first), "these are the outer scores of the tree the search already tuned on every pilot row; pass `search` itself to `cross_val_score`, so each outer fold runs its own search."),
            (np.sort(ref["inner_folds"]), "these are the inner fold scores of the best candidate (`cv_results_`); `nested_scores` are the four outer scores of `cross_val_score(search, ...)`."),
        ])
    except Incorrect as exc:
        if type(exc) is Incorrect and "differs from the expected values" in exc.message:
            raise Incorrect(exc.message + " (The outer scores are compared smallest first: their order does not matter.)") from None
        raise


@lab.item("after_nested", reads=["after_nested"], explanation="""
Nested CV evaluates the *procedure* (search, then refit), not one fitted model. Deploy that procedure run on all the
data, `best_estimator_` of the search fitted on every pilot row, and quote the nested estimate. `best_score_` is
the flattering maximum; a best outer fold is one lucky draw.
""")
def after_nested(a):
    check_choice("after_nested", a.after_nested, "refit_all", options=["best_fold", "refit_all", "best_inner", "average_folds"],
                 mistakes={
        "best_fold": "the highest outer fold is one lucky draw (picking the maximum again), and its tree saw only part of the data. Refit the search on all rows and quote the nested mean.",
        "best_inner": "`best_score_` is the maximum of the candidates' inner scores on the folds that chose the winner: optimistic. Quote the nested estimate.",
        "average_folds": "keeping the best two folds is picking maxima again, and the outer trees are by-products of the estimate. Refit on all rows and quote the nested mean.",
    }, why="Nested CV estimates the whole tuning procedure; deploy that procedure refitted on all the data.")


@lab.item("search_design", reads=["search_design", "managed_search"], explanation="""
(a) Same budget, different coverage: a 4 × 4 grid tries only 4 distinct values of each hyperparameter, so if one of
them matters, 12 of the 16 runs repeat values of it. 16 random draws try 16 distinct learning rates and nearly 16
distinct `min_samples_leaf` values (integer draws can repeat) (Bergstra & Bengio, 2012). `lr_only` would be right only
if we knew the learning rate is the one that matters. When all 16 runs start at once, no design can learn from the
others, so random search is the best use of them.

(b) With trials run a few at a time, each new trial can use the results of the finished ones. Bayesian optimisation,
the default algorithm of Vertex AI hyperparameter tuning (and of Vertex AI Vizier), fits a model of score against
hyperparameters to the finished trials and picks the next where it expects the most gain: it usually needs fewer
trials than random search for the same result, which makes it the usual best answer for tuning on Vertex AI.
Grid and random search are the service's alternatives (its grid search takes only integer, discrete or categorical
parameters, so not a continuous learning rate). The more trials run in parallel, the less each one can learn from the
others: with all trials at once, as in (a), Bayesian optimisation has nothing to learn from.
""")
def search_design(a):
    check_choice("search_design", a.search_design, "random", options=["grid", "random", "lr_only", "same"], mistakes={
        "grid": "a 4 × 4 grid tries only 4 distinct values of each hyperparameter; when one matters most, random search tries up to 16 of them (16 for the continuous learning rate) for the same 16 runs.",
        "same": "same number of runs, but not the same number of distinct values of the hyperparameter that matters: 4 for the grid, up to 16 for random draws.",
        "lr_only": "this bets on the learning rate being the one that matters, which nobody knows here; random draws explore both with 16 distinct values each.",
    }, why="Random search spends a fixed budget on more distinct values of whichever hyperparameter matters.")
    check_choice("managed_search", a.managed_search, "bayesian", options=["grid", "random", "bayesian"], mistakes={
        "grid": "grid search wastes the budget as in (a), and Vertex AI's grid search takes only integer, discrete or "
                "categorical parameters, not a continuous learning rate. With trials run two at a time, Bayesian "
                "optimisation, the service's default, learns from the finished trials.",
        "random": "random search ignores the finished trials. With only two trials running at a time, most trials can "
                  "learn from earlier ones: Bayesian optimisation, the service's default, picks each new trial from "
                  "their results and usually needs fewer trials. Random search is the choice when all trials run at "
                  "once, as in (a).",
    }, why="Bayesian optimisation, Vertex AI's default, chooses each trial from the results of the finished ones.")


# ---------------------------------------------------------------- Part 6 · seeds


def recipe(model) -> str | None:
    """What an unfitted pipeline made only of scikit-learn's own classes does: its classes and parameters, as text.

    Two such pipelines with the same recipe give the same scores (the fits are deterministic), so their scores are
    computed once. None for anything else (a class or a callable of the learner's): never cached.
    """
    from sklearn.base import BaseEstimator

    try:
        params = model.get_params(deep=True)
    except Exception:  # noqa: BLE001
        return None
    parts = [model] + [v for v in params.values() if isinstance(v, BaseEstimator)]
    if not all(type(p).__module__.startswith("sklearn.") for p in parts):
        return None
    if any(callable(v) and not isinstance(v, BaseEstimator) for v in params.values()):
        return None
    name = f"{type(model).__module__}.{type(model).__qualname__}"
    return name + repr(sorted((k, f"{type(v).__module__}.{type(v).__qualname__}" if isinstance(v, BaseEstimator)
                               else repr(v)) for k, v in params.items()))


_SEED_SCORES: dict[tuple, np.ndarray] = {}


def seed_folds(model, seeds=tuple(SPLIT_SEEDS), *, grouped: bool = True, shuffle: bool = True) -> np.ndarray:
    """Fold scores (one row per seed) of the unfitted ``model`` cross-validated on the lab's X, y with 4 shuffled
    group folds per seed (``grouped=False``: 4 shuffled row folds; ``shuffle=False``: the unshuffled GroupKFold)."""
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, KFold, cross_val_score

    seeds = tuple(seeds)
    key = recipe(model)
    ours = key is not None and key == recipe(ref_churn_model())
    key = key and (key, seeds, grouped, shuffle)
    if key in _SEED_SCORES:
        return _SEED_SCORES[key]
    X, y, customers, _ = design()
    rows = []
    with _one_thread():
        for seed in seeds:
            if not shuffle:
                cv = GroupKFold(n_splits=4)
            elif grouped:
                cv = GroupKFold(n_splits=4, shuffle=True, random_state=seed)
            else:
                cv = KFold(n_splits=4, shuffle=True, random_state=seed)
            kwargs = {"scoring": "roc_auc", "groups": customers if grouped else None, "cv": cv}
            if ours:
                rows.append(cross_val_score(clone(model), X, y, **kwargs))
            else:  # the learner's recipe: fitted in the grader's clean sandbox, never in this process
                rows.append(np.asarray(run_clean(cross_val_score, clone(model), X, y, **kwargs), dtype=float))
    scores = np.array(rows, dtype=float)
    scores.setflags(write=False)  # shared by every check that asks again
    if key:
        _SEED_SCORES[key] = scores
    return scores


def ref_seed_folds(seeds=tuple(SPLIT_SEEDS)) -> np.ndarray:
    return seed_folds(ref_churn_model(), seeds)


def learner_seed_folds(a) -> tuple[np.ndarray, object]:
    """Fold scores per seed of the learner's `make_churn_model()` when, on these data, it behaves like the reference
    (the first seed's four folds, each within 0.05 AUC: so do Q5's accepted variants and its recorded mistakes), and
    that model; else the reference's. Any other factory (a constant model with spread 0, say) is scored as the
    reference."""
    from sklearn.pipeline import Pipeline

    reference = ref_seed_folds()
    if a.has("make_churn_model") and callable(a.make_churn_model):
        try:
            model = a.make_churn_model()
        except Exception:  # noqa: BLE001 - a factory that fails matches no known behaviour
            model = None
        if isinstance(model, Pipeline):  # a real scikit-learn pipeline (rebuilt here when graded)
            try:
                first = seed_folds(model, SPLIT_SEEDS[:1])
            except Exception:  # noqa: BLE001 - it does not fit these data
                first = None
            if first is not None and np.all(np.isfinite(first)) and np.allclose(first, reference[:1], rtol=0, atol=0.05):
                return np.vstack([first, seed_folds(model, SPLIT_SEEDS[1:])]), model
    return reference, ref_churn_model()


@lab.item("seed_spread", reads=["seed_means", "seed_sd"], uses={"make_churn_model": "make_churn_model"}, explanation="""
```python
seed_means = [cross_val_score(make_churn_model(), X, y, scoring="roc_auc", groups=customers,
                              cv=GroupKFold(n_splits=4, shuffle=True, random_state=seed)).mean()
              for seed in SPLIT_SEEDS]
seed_sd = np.std(seed_means, ddof=1)
```
The spread asked for is between the *seed means*: how much one run's estimate moves when only the splitter's seed
changes. It is the sample standard deviation (`ddof=1`, five seeds drawn from all the seeds one could have used). It is
smaller than the spread across the folds of one seed, and a difference between two single-seed estimates smaller than
it could come from the choice of split alone. The standard error, sd / √5, answers another question: how precisely
the five-seed average is known. It is √5 times smaller, and using it as "the spread" makes differences look real that
one seed's run cannot tell apart. Neither says how the score would move on other customers: every seed reuses the
same 800.
""")
def seed_spread(a):
    value = a.seed_means
    require_answer("seed_means", value)
    folds, model = learner_seed_folds(a)
    means = folds.mean(axis=1)
    got = _numbers(value)
    if got is not None and got.shape == means.shape and not np.allclose(got, means, atol=1e-4) \
            and np.allclose(np.sort(got), np.sort(means), atol=1e-4):
        raise Incorrect("`seed_means` holds the right means in another order: one mean per seed, in the order of `SPLIT_SEEDS`.")
    mistakes = [(folds[0], "these are the fold scores of one seed; `seed_means` holds one mean per seed.")]
    if got is None or got.shape != means.shape or not np.allclose(got, means, atol=1e-4):
        # wrong: the costlier recorded mistakes, computed only now
        unshuffled = seed_folds(model, SPLIT_SEEDS[:1], shuffle=False)[0].mean()
        mistakes += [
            (np.full(len(SPLIT_SEEDS), unshuffled), "every seed gives the same mean: `GroupKFold(n_splits=4)` without "
             "`shuffle=True, random_state=seed` ignores the seed. Pass the seed to the splitter."),
            (seed_folds(model, grouped=False).mean(axis=1), "these are seeds of a `KFold` over rows: a customer's months "
             "land on both sides. Use `GroupKFold(n_splits=4, shuffle=True, random_state=seed)` with `groups=customers`."),
        ]
    check_array("seed_means", value, means, atol=1e-4, mistakes=mistakes)
    # seed_means passed: the expected spread is that of the learner's own means (rounded ones included), so a right
    # answer matches it almost exactly; ddof=0 is sqrt(4/5), 10.6 %, below it.
    own = got if got is not None and got.shape == means.shape else means
    sd = float(np.std(own, ddof=1))
    n = len(own)
    standard_error = ("this is the standard error of the seeds' average (sd / √{n}), not the standard deviation: it "
                      "says how precisely the average of {n} seeds is known, not how much one run's estimate moves with "
                      "the seed. Use `np.std(seed_means, ddof=1)`.").format(n=n)
    check_number("seed_sd", a.seed_sd, sd, rtol=0.03, mistakes=[
        (float(np.std(own, ddof=0)), "this is the population standard deviation (ddof=0); use the sample standard "
         "deviation, ddof=1: `np.std(seed_means, ddof=1)` (five seeds, so the two differ by 10 %)."),
        (sd / np.sqrt(n), standard_error),
        (float(np.std(own, ddof=0)) / np.sqrt(n), standard_error),
        (float(np.std(folds[0], ddof=1)), "this is the spread across the folds of one seed; the question is how much the *mean* moves between seeds."),
        (float(np.std(folds[0], ddof=0)), "this is the spread across the folds of one seed; the question is how much the *mean* moves between seeds."),
        (float(np.std(folds, ddof=1)), "this is the spread of all fold scores pooled; take the standard deviation of the per-seed means."),
        (float(np.ptp(means)), "this is the range (max - min) of the seed means; the question asks for their standard deviation."),
        (float(np.var(means, ddof=1)), "this is the variance of the seed means; the question asks for their standard deviation (its square root)."),
    ], why="A difference between two models smaller than this spread could come from the choice of split alone.")


@lab.item("report", reads=["report", "tracking"], explanation="""
(a) Report the central estimate and its uncertainty, and everything needed to reproduce it: the mean over all seeds
and folds, the spread across seeds, the splitter, its seeds, the data version and the code version. Picking the best
seed is tuning on the evaluation; one fixed seed is repeatable but hides how much the number moves; the lowest seed is
as arbitrary as the highest.

(b) Record every run where runs can be compared and traced: Vertex AI Experiments logs each run's parameters (model,
splitter, seeds) and metrics and compares runs side by side, and Vertex ML Metadata keeps the lineage from the data set
through the run to the model it produced. Cloud Logging keeps lines of text for debugging and alerting, not
comparable runs; Vertex AI Model Registry versions and deploys the models you keep, not the runs you compared; a
notebook's output is overwritten by the next run.
""")
def report(a):
    check_choice("report", a.report, "mean_spread", options=["best_seed", "mean_spread", "fixed_seed", "lowest_seed"], mistakes={
        "best_seed": "picking the seed with the best score is tuning on the evaluation: the number is optimistic.",
        "fixed_seed": "a fixed seed makes the number repeatable, not reliable: another seed gives another number. Report the mean and the spread, and record the seeds.",
        "lowest_seed": "the lowest seed is as arbitrary as the highest; report the mean with its spread.",
    }, why="A score without its spread and its recipe cannot be compared or reproduced.")
    check_choice("tracking", a.tracking, "experiments", options=["experiments", "logging", "registry", "notebook"], mistakes={
        "logging": "Cloud Logging keeps lines of text for debugging and alerting; it records no runs with their "
                   "parameters and metrics to compare, and no lineage. Log the runs to Vertex AI Experiments (lineage in "
                   "Vertex ML Metadata).",
        "registry": "Vertex AI Model Registry versions and deploys the models you keep; the runs you compared (other "
                    "seeds, splitters, candidates) and their parameters are not in it. Track the runs in Vertex AI "
                    "Experiments, with their lineage in Vertex ML Metadata.",
        "notebook": "a notebook's output is overwritten by the next run and cannot be queried or compared across runs; "
                    "log each run to Vertex AI Experiments, which keeps parameters, metrics and lineage.",
    }, why="Vertex AI Experiments compares runs; Vertex ML Metadata traces each score to its data, run and model.")


__all__ = ["lab"]
