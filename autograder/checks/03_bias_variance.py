"""Checks of lab 03 · Bias, variance and regularization (course side: hidden from learners and from the sandbox).

Every reference value is computed here from the data set (the modelling table, the split, the curve rows and
the folds are rebuilt with the lab's default parameters), never read from the learner's notebook.
The Lasso selection is graded against the housing answer key; it builds on the learner's own `best_alpha`
(`uses=`), so a wrong penalty strength chosen in Q6 costs points once.
"""

from __future__ import annotations

import math
import warnings
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from pmle.course.labs import LabChecks, LabInfo, outputs
from pmle.data import answer_key, load
from pmle.feedback import (
    AnswerError,
    Case,
    Incorrect,
    NotAttempted,
    as_number,
    check_array,
    check_choice,
    check_choices,
    check_function,
    check_mapping,
    check_pick,
    passed,
    require_answer,
)

lab = LabChecks(LabInfo(
    id="03_bias_variance",
    title="Bias, variance and regularization",
    datasets=("housing",),
    minutes=(75, 90),
    exam_sections=(3,),
))

SEED = 1234
N_CURVE = 1500
N_FOLDS = 3
TARGET_RMSE = 0.20
FEATURES = ["listing_id", "living_area_m2", "lot_area_m2", "garden_area_m2", "total_rooms", "bedrooms", "bathrooms",
            "floor", "has_balcony", "garage_spaces", "year_built", "years_since_renovation", "condition_score",
            "energy_label", "distance_to_centre_km", "distance_to_station_km", "school_rating", "street_noise_db",
            "listing_photos", "days_on_market"]
DIAGNOSES = ["high bias", "high variance", "both", "good fit"]
DEPTHS = list(range(1, 13))
ALPHAS = np.logspace(-4, 0, 13)
MIN_EFFECT = 0.02
CURVE_COLUMNS = ["n_train", "train_rmse", "val_rmse"]
SCORING = "neg_root_mean_squared_error"


# ---------------------------------------------------------------- the course state, rebuilt privately


@cache
def modelling_table() -> tuple[pd.DataFrame, pd.Series]:
    sales = load("housing")
    X = (sales[FEATURES]
         .assign(has_balcony=sales["has_balcony"].astype(int), energy_label=sales["energy_label"].cat.codes)
         .astype(float))
    y = np.log(sales["sale_price_eur"]).rename("log_price")
    return X, y


@cache
def split() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    from sklearn.model_selection import train_test_split

    X, y = modelling_table()
    return tuple(train_test_split(X, y, test_size=0.25, random_state=SEED))


def curve_rows() -> tuple[pd.DataFrame, pd.Series]:
    X_train, _, y_train, _ = split()
    return X_train.iloc[:N_CURVE], y_train.iloc[:N_CURVE]


def folds():
    from sklearn.model_selection import KFold

    return KFold(n_splits=N_FOLDS, shuffle=True, random_state=SEED)


def rmse(model, X, y) -> float:
    return float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))


# ---------------------------------------------------------------- Part 1 · bias or variance


def ref_diagnose(train_rmse, val_rmse, target_rmse, gap=0.10):
    return _label(train_rmse > target_rmse, val_rmse - train_rmse > gap * train_rmse)


def _label(bias: bool, variance: bool) -> str:
    return "both" if bias and variance else "high bias" if bias else "high variance" if variance else "good fit"


def _swapped(train_rmse, val_rmse, target_rmse, gap=0.10):
    out = ref_diagnose(train_rmse, val_rmse, target_rmse, gap)
    return {"high bias": "high variance", "high variance": "high bias"}.get(out, out)


BOUNDARY = ("a value exactly on a boundary does not exceed it: use a strict `>` (train_rmse > target_rmse, "
            "val_rmse - train_rmse > gap * train_rmse), not `>=`.")
NO_BOTH = "when the training error is above target *and* the gap is too wide, the answer is 'both': test that case first."
DIAGNOSE_MISTAKES = [
    # named by the learner's answers on all the cases (`_known_diagnose_mistake`): on single cases several agree
    (lambda tr, va, target, gap=0.10: _label(tr >= target, va - tr >= gap * tr), BOUNDARY),
    (lambda tr, va, target, gap=0.10: _label(tr >= target, va - tr > gap * tr), BOUNDARY),
    (lambda tr, va, target, gap=0.10: _label(tr > target, va - tr >= gap * tr), BOUNDARY),
    (_swapped, "you swapped high bias and high variance: a large gap between validation and training error is *variance* "
               "(overfitting); a training error above target is *bias* (underfitting)."),
    (lambda tr, va, target, gap=0.10: _label(va > target, va - tr > gap * tr),
     "bias is judged on the *training* error: a model that fits its training rows well is not underfitting, "
     "even when its validation error is high."),
    (lambda tr, va, target, gap=0.10: _label(tr > target, va - tr > gap),
     "the gap is relative to the training error: compare `val_rmse - train_rmse` with `gap * train_rmse`, not with `gap`."),
    (lambda tr, va, target, gap=0.10: _label(tr > target, va - tr > 0.10 * tr),
     "you ignored the `gap` argument and always used 10 %: use the `gap` the caller passes."),
    (lambda tr, va, target, gap=0.10: _label(tr > target, va - tr > gap * va),
     "the gap is relative to the *training* error: compare `val_rmse - train_rmse` with `gap * train_rmse`, "
     "not with `gap * val_rmse`."),
    (lambda tr, va, target, gap=0.10: _label(tr > target, abs(va - tr) > gap * tr),
     "the gap is signed: a validation error *below* the training error is no sign of variance. Compare "
     "`val_rmse - train_rmse` itself (not its absolute value) with `gap * train_rmse`."),
    (lambda tr, va, target, gap=0.10: _label(tr > TARGET_RMSE, va - tr > gap * tr),
     "you compared with the lab's TARGET_RMSE (0.20): use the `target_rmse` argument, not the global."),
    (lambda tr, va, target, gap=0.10: "high bias" if tr > target else "high variance" if va - tr > gap * tr else "good fit",
     NO_BOTH),
    (lambda tr, va, target, gap=0.10: "high variance" if va - tr > gap * tr else "high bias" if tr > target else "good fit",
     NO_BOTH),
]
DIAGNOSE_CASES = [
    ((0.30, 0.31, 0.20), {}, "with train 0.30, validation 0.31, target 0.20"),
    ((0.40, 0.41, 0.25), {}, "with train 0.40, validation 0.41, target 0.25 (no gap, training error too high)"),
    ((0.02, 0.30, 0.25), {}, "with train 0.02, validation 0.30, target 0.25 (big gap)"),
    ((0.50, 0.90, 0.25), {}, "with train 0.50, validation 0.90, target 0.25"),
    ((0.10, 0.105, 0.25), {}, "with train 0.10, validation 0.105, target 0.25"),
    ((0.50, 0.75, 0.50), {"gap": 0.5}, "on both boundaries (train == target, gap exactly 50 %)"),
    ((0.20, 0.26, 0.25), {"gap": 0.2}, "with gap=0.2 (a 30 % gap exceeds it)"),
    ((1.0, 1.2, 2.0), {"gap": 0.5}, "with gap=0.5 (a 20 % gap is within it)"),
    ((0.20, 0.2205, 0.25), {}, "with train 0.20, validation 0.2205, target 0.25 (a 10.25 % gap of the training error)"),
    ((0.30, 0.20, 0.25), {}, "with train 0.30, validation 0.20, target 0.25 (validation below training)"),
    ((0.22, 0.23, 0.25), {}, "with train 0.22, validation 0.23, target 0.25 (not the lab's TARGET_RMSE)"),
]


def _diagnose_outputs(func) -> list[str]:
    """What the learner's `diagnose` returns on every case; each must be one of DIAGNOSES (the notebook's visible check)."""
    require_answer("diagnose", func)
    if not callable(func):
        raise Incorrect(f"`diagnose` must be a function; got {type(func).__name__}.")
    got = []
    for args, kwargs, about in DIAGNOSE_CASES:
        try:
            out = func(*args, **kwargs)
        except NotImplementedError:
            raise NotAttempted("`diagnose` still raises NotImplementedError: write its body.") from None
        except Exception as exc:  # the learner's code failed
            raise AnswerError(f"`diagnose` raised {type(exc).__name__}: {exc} ({about}).") from None
        if out is None:
            raise NotAttempted(f"`diagnose` returned None ({about}): does it `return` its result?")
        if not isinstance(out, str) or out not in DIAGNOSES:
            raise Incorrect(f"`diagnose` must return one of DIAGNOSES {DIAGNOSES}; got {str(out)[:60]!r} ({about}).")
        got.append(str(out))
    return got


def _known_diagnose_mistake(got: list[str]) -> None:
    """Name the recorded mistake whose answers on *every* case are the learner's (several agree on single cases)."""
    want = [ref_diagnose(*args, **kwargs) for args, kwargs, _ in DIAGNOSE_CASES]
    if got == want:
        return
    for wrong, message in DIAGNOSE_MISTAKES:
        if got == [wrong(*args, **kwargs) for args, kwargs, _ in DIAGNOSE_CASES]:
            about = next(c[2] for c, g, w in zip(DIAGNOSE_CASES, got, want) if g != w)
            raise Incorrect(f"`diagnose` {about}: {message}")


@lab.item("diagnose", reads=["diagnose"], explanation="""
Compute two booleans first and turn their four combinations into the four labels:

- `bias = train_rmse > target_rmse`: bias is judged on the **training** error (can the model fit what it has seen?);
- `variance = val_rmse - train_rmse > gap * train_rmse`: variance is the **gap**, relative to the training error.

Both comparisons are strict: a value exactly on a boundary does not exceed it. A model with training error 0.05
and validation error 0.30 fits its training rows almost perfectly: that is variance, not bias.
""")
def diagnose(a):
    _known_diagnose_mistake(_diagnose_outputs(a.diagnose))
    check_function("diagnose", a.diagnose,
                   [Case(args, kwargs, ref_diagnose(*args, **kwargs), about) for args, kwargs, about in DIAGNOSE_CASES],
                   mistakes=DIAGNOSE_MISTAKES)


# ---------------------------------------------------------------- Part 2 · learning curves


def ref_curve(estimator, X, y, train_sizes, cv, scoring=SCORING) -> np.ndarray:
    """n_train, mean training and mean validation score (negated) per size, as columns."""
    from sklearn.model_selection import learning_curve

    n, tr, va = learning_curve(estimator, X, y, train_sizes=train_sizes, cv=cv, scoring=scoring)
    return np.column_stack([n, -tr.mean(axis=1), -va.mean(axis=1)])


def _curve_of_mse(estimator, X, y, train_sizes, cv) -> np.ndarray:
    """Square root of the fold-mean MSE (instead of the fold-mean RMSE)."""
    from sklearn.model_selection import learning_curve

    n, tr, va = learning_curve(estimator, X, y, train_sizes=train_sizes, cv=cv, scoring="neg_mean_squared_error")
    return np.column_stack([n, np.sqrt(-tr.mean(axis=1)), np.sqrt(-va.mean(axis=1))])


def _sizes_as_given(estimator, X, y, train_sizes, cv) -> np.ndarray:
    out = ref_curve(estimator, X, y, train_sizes, cv)
    out[:, 0] = np.asarray(train_sizes, dtype=float)
    return out


CURVE_MISTAKES = [
    (lambda *a: ref_curve(*a) * np.array([1, -1, -1]),
     "the errors are negative: `neg_root_mean_squared_error` is the RMSE with its sign flipped (scorers are 'greater is "
     "better'); negate it."),
    (lambda *a: ref_curve(*a)[:, [0, 2, 1]],
     "training and validation errors are swapped: `learning_curve` returns the training scores first."),
    (lambda *a: ref_curve(*a, scoring="neg_mean_squared_error"),
     "these are mean squared errors; use `scoring=\"neg_root_mean_squared_error\"` for the RMSE."),
    (lambda *a: ref_curve(*a, scoring="r2") * np.array([1, -1, -1]),
     "these look like R² scores (the default scorer of a regressor); pass `scoring=\"neg_root_mean_squared_error\"`."),
    (_sizes_as_given,
     "`n_train` holds the `train_sizes` you passed in; it must be the absolute number of training rows, the first "
     "array `learning_curve` returns."),
    (_curve_of_mse,
     "you took the square root of the fold-mean squared error; the brief asks for the mean over folds of each fold's "
     "RMSE (`scoring=\"neg_root_mean_squared_error\"`, then average over axis 1)."),
]


@cache
def curve_cases() -> list[Case]:
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold
    from sklearn.tree import DecisionTreeRegressor

    rng = np.random.default_rng(7)
    Xs = rng.normal(size=(90, 3))
    ys = 2 * Xs[:, 0] - Xs[:, 1] ** 2 + rng.normal(0, 0.5, 90)
    cv4 = KFold(4, shuffle=True, random_state=3)
    linear = (LinearRegression(), Xs, ys, [0.3, 0.6, 1.0], cv4)
    tree = (DecisionTreeRegressor(max_depth=3, random_state=0), pd.DataFrame(Xs, columns=["x0", "x1", "x2"]),
            pd.Series(ys), np.array([20, 40, 60]), 3)
    return [Case(linear, {}, ref_curve(*linear), "on a small linear model with fractional sizes"),
            Case(tree, {}, ref_curve(*tree), "on a tree with absolute sizes [20, 40, 60] and cv=3")]


def _curve_values(out):
    """A learner's learning-curve frame as an array in the brief's column order, rows by training size."""
    if not isinstance(out, pd.DataFrame) or out.columns.duplicated().any() or set(map(str, out.columns)) != set(CURVE_COLUMNS):
        return out
    try:
        frame = out.rename(columns=str)[CURVE_COLUMNS].astype(float)
        return frame.sort_values("n_train", kind="stable").to_numpy()
    except (TypeError, ValueError):
        return out


@lab.item("rmse_learning_curve", reads=["rmse_learning_curve"], explanation="""
```python
n_train, train_scores, val_scores = learning_curve(
    estimator, X, y, train_sizes=train_sizes, cv=cv, scoring="neg_root_mean_squared_error")
return pd.DataFrame({"n_train": n_train,
                     "train_rmse": -train_scores.mean(axis=1),
                     "val_rmse": -val_scores.mean(axis=1)})
```
`learning_curve` returns the absolute training sizes, then the training and the validation scores, each of shape
`(n_sizes, n_folds)`: average over axis 1. scikit-learn scorers are "greater is better", so the RMSE comes back
negated: flip the sign to report an error.
""")
def rmse_learning_curve(a):
    func = a.rmse_learning_curve
    require_answer("rmse_learning_curve", func)
    if not callable(func):
        raise Incorrect(f"`rmse_learning_curve` must be a function; got {type(func).__name__}.")
    first = curve_cases()[0]
    try:
        out = func(*first.args, **first.kwargs)
    except NotImplementedError:
        raise NotAttempted("`rmse_learning_curve` still raises NotImplementedError: write its body.") from None
    except Exception as exc:  # the learner's code failed
        raise AnswerError(f"`rmse_learning_curve` raised {type(exc).__name__}: {exc} ({first.about}).") from None
    if out is None:
        raise NotAttempted(f"`rmse_learning_curve` returned None ({first.about}): does it `return` its result?")
    if not isinstance(out, pd.DataFrame):
        raise Incorrect(f"`rmse_learning_curve` must return a pandas DataFrame with the columns n_train, train_rmse "
                        f"and val_rmse; got {type(out).__name__} ({first.about}).")
    columns = [str(c) for c in out.columns]
    if sorted(columns) != sorted(CURVE_COLUMNS):
        raise Incorrect(f"`rmse_learning_curve` returns the columns {columns[:6]}; it must have exactly n_train, "
                        f"train_rmse and val_rmse ({first.about}).")

    def values(*args, **kwargs):  # the first case's frame is the one already in hand: no second learning curve
        frame = out if args and args[0] is first.args[0] else func(*args, **kwargs)
        return _curve_values(frame)

    check_function("rmse_learning_curve", values, curve_cases(), mistakes=CURVE_MISTAKES, rtol=1e-6, atol=1e-9)
    if columns != CURVE_COLUMNS:
        raise Incorrect(f"`rmse_learning_curve`: the values are right, but the columns come in the order {columns}; "
                        "the brief asks for n_train, train_rmse, val_rmse, in that order.")


@cache
def curve_errors() -> dict[str, tuple[float, float]]:
    """Mean training and validation RMSE of the two trees of the learning curves at the largest size."""
    from sklearn.model_selection import cross_validate
    from sklearn.tree import DecisionTreeRegressor

    X_curve, y_curve = curve_rows()
    out = {}
    for key, model in {"A": DecisionTreeRegressor(max_depth=2, random_state=SEED),
                       "B": DecisionTreeRegressor(random_state=SEED)}.items():
        res = cross_validate(model, X_curve, y_curve, cv=folds(), scoring=SCORING, return_train_score=True)
        out[key] = (-float(res["train_score"].mean()), -float(res["test_score"].mean()))
    return out


@lab.item("curve_diagnosis", reads=["curve_diagnosis"], explanation="""
- **A** (shallow tree): training and validation errors meet at about 0.25, both above the 0.20 target: the model is
  too simple for the data (two splits give at most four prices): **high bias**.
- **B** (unpruned tree): training error 0 (every training row has its own leaf) and a validation error far above
  it: **high variance**.

A training error of 0 cannot be bias; two lines that have met above the target cannot be variance.
""")
def curve_diagnosis(a):
    # the reference rule of Q1 on the reference curves: Q3 is about reading the curves, so it stands alone
    expected = {k: ref_diagnose(tr, va, TARGET_RMSE) for k, (tr, va) in curve_errors().items()}
    check_mapping("curve_diagnosis", a.curve_diagnosis, expected, options=DIAGNOSES, mistakes={
        ("A", "high variance"): "A's training and validation curves have met (no gap) above the target: that is high bias, "
                                "not variance. You may be confusing the two.",
        ("A", "both"): "A's validation error is barely above its training error: there is no variance problem, only bias.",
        ("A", "good fit"): "A's training error is above the target: it underfits (high bias).",
        ("B", "high bias"): "B's training error is 0, it fits its training rows perfectly; the wide gap to validation is "
                            "high variance, not bias. You may be confusing the two.",
        ("B", "both"): "B's training error (0) is far below the target, so there is no bias problem: only the gap (variance).",
        ("B", "good fit"): "B's validation error is far above its training error: it overfits (high variance).",
    })


@lab.item("more_data_helps", reads=["more_data_helps"], explanation="""
More rows shrink **variance**: B's validation curve is still coming down and its gap is wide, so more data helps it
(though a less complex model gets there for free, see Part 3). A's curves have already met: a model that cannot fit
the rows it has will not fit more rows better; it needs more capacity or better features instead.
""")
def more_data_helps(a):
    check_choice("more_data_helps", a.more_data_helps, "B", options=["A", "B", "both", "neither"], mistakes={
        "A": "A's curves have already met: more rows of the same features cannot help a model too simple to fit them (high "
             "bias). Add capacity or better features instead.",
        "both": "only the high-variance model gains: A's curves have already met, more rows will not lower its error.",
        "neither": "B's validation error is still falling and its gap is wide: more data reduces variance, so it helps B.",
    }, why="More data reduces variance, not bias.")


# ---------------------------------------------------------------- Part 3 · validation curve


@lru_cache(maxsize=2)
def depth_curves(rows: str = "curve") -> dict[str, np.ndarray]:
    """Training and validation RMSE per depth (on X_curve, or on X_train as a mistake), and test-set RMSE per depth."""
    from sklearn.model_selection import validation_curve
    from sklearn.tree import DecisionTreeRegressor

    X_train, X_test, y_train, y_test = split()
    Xa, ya = curve_rows() if rows == "curve" else (X_train, y_train)
    tr, va = validation_curve(DecisionTreeRegressor(random_state=SEED), Xa, ya, param_name="max_depth",
                              param_range=DEPTHS, cv=folds(), scoring=SCORING)
    test = [rmse(DecisionTreeRegressor(max_depth=d, random_state=SEED).fit(Xa, ya), X_test, y_test) for d in DEPTHS]
    return {"train": -tr.mean(axis=1), "val": -va.mean(axis=1), "test": np.array(test)}


def _close_to(value, expected, rtol: float, atol: float = 0.0) -> bool:
    """Whether an answer array already matches (then the costlier mistakes need not be computed)."""
    try:
        got = np.asarray(value, dtype=float)
        return got.shape == np.shape(expected) and bool(np.allclose(got, expected, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


TEST_DEPTH = ("these are errors on the test set. Tuning `max_depth` on `X_test` makes the test score optimistic: "
              "choose with cross-validation on the training data and keep the test set for one final check.")
TRAIN_ROWS = "these were computed on `X_train, y_train`; the validation curve runs on `X_curve, y_curve` (the curve rows)."


@lab.item("best_depth", reads=["depth_train_rmse", "depth_val_rmse", "best_depth"], explanation="""
```python
train_scores, val_scores = validation_curve(
    DecisionTreeRegressor(random_state=SEED), X_curve, y_curve, param_name="max_depth", param_range=DEPTHS,
    cv=CV, scoring="neg_root_mean_squared_error")
depth_train_rmse = -train_scores.mean(axis=1)
depth_val_rmse = -val_scores.mean(axis=1)
best_depth = DEPTHS[int(np.argmin(depth_val_rmse))]
```
Pick the depth with the **lowest validation** error: not the lowest training error (always the deepest tree), and
not the lowest error on `X_test`: the test set stays untouched until the end, or its score stops being an honest
estimate.
""")
def best_depth(a):
    ref = depth_curves("curve")
    val, train = a.depth_val_rmse, a.depth_train_rmse
    require_answer("depth_val_rmse", val)
    require_answer("depth_train_rmse", train)
    wide = {} if _close_to(val, ref["val"], 0.01) and _close_to(train, ref["train"], 0.01) else depth_curves("train")
    check_array("depth_val_rmse", val, ref["val"], rtol=0.01, mistakes=[
        (ref["train"], "these are the *training* errors, which always fall as the tree deepens; use the validation scores."),
        (-ref["val"], "the errors are negative: flip the sign of `neg_root_mean_squared_error`."),
        (ref["test"], TEST_DEPTH),
        (ref["val"][::-1], "the errors are in reverse order; align them with `DEPTHS`, which ascends."),
    ] + ([(wide["test"], TEST_DEPTH), (wide["val"], TRAIN_ROWS)] if wide else []))
    check_array("depth_train_rmse", train, ref["train"], rtol=0.01, mistakes=[
        (ref["val"], "these are the validation errors; `validation_curve` returns the training scores first."),
        (-ref["train"], "the errors are negative: flip the sign of `neg_root_mean_squared_error`."),
    ] + ([(wide["train"], TRAIN_ROWS)] if wide else []))
    test_best = DEPTHS[int(np.argmin(ref["test"]))]
    check_pick("best_depth", a.best_depth, dict(zip(DEPTHS, -ref["val"])), tol=0.002,
               score_name="minus validation RMSE", mistakes=[
                   (DEPTHS[-1], "the deepest tree has the lowest *training* error, not the lowest validation error: it overfits."),
                   (test_best, "this depth is the best on the test set, not in cross-validation: the test set must not "
                               "choose hyperparameters."),
                   (DEPTHS[int(np.argmax(ref["val"]))], "this depth has the *highest* validation error; take the lowest."),
               ])


# ---------------------------------------------------------------- Part 4 · penalties


@lru_cache(maxsize=8)
def alpha_cv(scale: bool = True, scores: str = "test", kfold: str = "CV", mean_of: str = "rmse") -> np.ndarray:
    """Cross-validated RMSE per alpha, standardised inside each fold (or unscaled, as a mistake).

    ``scores="train"``: the fold-training-row errors (`mean_train_score`), a mistake; ``kfold="3"``: `cv=3`
    (three unshuffled folds) instead of the lab's `CV`, a mistake; ``mean_of="mse"``: the square root of the
    fold-mean MSE instead of the fold-mean RMSE, a mistake.
    """
    from sklearn.linear_model import Lasso
    from sklearn.model_selection import KFold
    from sklearn.preprocessing import StandardScaler

    X_train, _, y_train, _ = split()
    rows = []
    splitter = folds() if kfold == "CV" else KFold(n_splits=3)
    for tr_idx, va_idx in splitter.split(X_train):
        Xa, Xb = X_train.iloc[tr_idx], X_train.iloc[va_idx]
        if scale:
            scaler = StandardScaler().fit(Xa)
            Xa, Xb = scaler.transform(Xa), scaler.transform(Xb)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ya, yb = y_train.iloc[tr_idx], y_train.iloc[va_idx]
            if scores == "train":
                Xb, yb = Xa, ya
            rows.append([rmse(Lasso(alpha=alpha, max_iter=10_000).fit(Xa, ya), Xb, yb) for alpha in ALPHAS])
    return np.sqrt(np.mean(np.square(rows), axis=0)) if mean_of == "mse" else np.mean(rows, axis=0)


@cache
def alpha_test() -> np.ndarray:
    """Test-set RMSE of the standardised Lasso fitted on X_train, per alpha."""
    _, X_test, _, y_test = split()
    return np.array([rmse(model, X_test, y_test) for model in full_lassos()])


def ref_best_alpha() -> float:
    return float(ALPHAS[int(np.argmin(alpha_cv()))])


@cache
def full_lassos() -> tuple:
    """make_pipeline(StandardScaler(), Lasso(alpha)) fitted on X_train for every alpha of ALPHAS."""
    return tuple(scaled_lasso(float(alpha)) for alpha in ALPHAS)


@lru_cache(maxsize=32)
def scaled_lasso(alpha: float):
    from sklearn.linear_model import Lasso
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, _, y_train, _ = split()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_pipeline(StandardScaler(), Lasso(alpha=alpha, max_iter=10_000)).fit(X_train, y_train)


@lru_cache(maxsize=32)
def raw_lasso_selection(alpha: float) -> frozenset:
    """What a Lasso on unscaled features selects with |coef| >= MIN_EFFECT."""
    from sklearn.linear_model import Lasso

    X_train, _, y_train, _ = split()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = Lasso(alpha=alpha, max_iter=10_000).fit(X_train, y_train)
    return frozenset(np.array(FEATURES)[np.abs(raw.coef_) >= MIN_EFFECT])


def scaled_selection(alpha: float) -> frozenset:
    return frozenset(np.array(FEATURES)[np.abs(scaled_lasso(alpha)[-1].coef_) >= MIN_EFFECT])


CV_ATOL = 2e-4  # legitimate CV curves (GridSearchCV, LassoCV, cross_validate on CV) agree within 2e-5
TEST_ALPHA = ("these are errors on the test set: choosing alpha on `X_test` makes the final test score optimistic. "
              "Use cross-validation on the training data.")


@lab.item("best_alpha", reads=["cv_rmse", "best_alpha"], explanation="""
```python
search = GridSearchCV(make_pipeline(StandardScaler(), Lasso(max_iter=10_000)), {"lasso__alpha": ALPHAS},
                      cv=CV, scoring="neg_root_mean_squared_error").fit(X_train, y_train)
cv_rmse = -search.cv_results_["mean_test_score"]
best_alpha = search.best_params_["lasso__alpha"]
```
The scaler sits inside the pipeline, so each fold is standardised with its own training rows only. With `LassoCV`,
mind that `alphas_` and `mse_path_` are stored in **decreasing** order of alpha and `mse_path_` holds squared errors
per fold. The alpha is chosen by cross-validated error, never by the error on `X_test`.
""")
def best_alpha(a):
    require_answer("cv_rmse", a.cv_rmse)
    cv, test = alpha_cv(), alpha_test()
    if _close_to(a.cv_rmse, cv, 0.01) and not _close_to(a.cv_rmse, cv, 0.0, atol=CV_ATOL):
        # near the reference but not on it: legitimate variants (GridSearchCV, LassoCV, a cross_validate loop on CV)
        # agree within 2e-5; these are other scores or other folds
        if _close_to(a.cv_rmse, alpha_cv(scores="train"), 0.0, atol=CV_ATOL):
            raise Incorrect("`cv_rmse`: these are the errors on the folds' *training* rows (`mean_train_score`, "
                            "`return_train_score=True`): use the validation scores, `mean_test_score`.")
        if _close_to(a.cv_rmse, alpha_cv(kfold="3"), 0.0, atol=CV_ATOL):
            raise Incorrect("`cv_rmse`: these were cross-validated on other folds than `CV` (`cv=3` gives three "
                            "unshuffled folds): pass `cv=CV`.")
        if _close_to(a.cv_rmse, alpha_cv(mean_of="mse"), 0.0, atol=CV_ATOL / 10):
            raise Incorrect("`cv_rmse`: you took the square root of the fold-mean squared error; the brief asks for "
                            "the mean over folds of each fold's RMSE (e.g. `np.sqrt(mse_path_).mean(axis=1)`).")
        raise Incorrect("`cv_rmse` is close to the cross-validated RMSE but not on it: cross-validate with the lab's "
                        "folds, `cv=CV` (other CV folds than `CV` give other errors), and report the validation "
                        "scores (`mean_test_score`), negated.")
    unscaled = [] if _close_to(a.cv_rmse, cv, 0.01) else [(alpha_cv(scale=False), (
        "these are the errors of a Lasso on unscaled features: the penalty then punishes features by their units. "
        "Put a StandardScaler before the Lasso, in the pipeline."))]
    check_array("cv_rmse", a.cv_rmse, cv, rtol=0.01, mistakes=[
        (cv[::-1], "your errors are in *decreasing* order of alpha (as `LassoCV.alphas_` and `mse_path_` store "
                   "them); align them with `ALPHAS`, which ascends."),
        (test, TEST_ALPHA),
        (cv ** 2, "these are mean squared errors; take the square root (RMSE)."),
        ((cv ** 2)[::-1], "these are mean squared errors in *decreasing* order of alpha, as `LassoCV.mse_path_` stores "
                          "them: take the square root and align them with `ALPHAS`, which ascends."),
        (-cv, "the errors are negative: flip the sign of `neg_root_mean_squared_error`."),
    ] + unscaled)
    require_answer("best_alpha", a.best_alpha)
    number = as_number("best_alpha", a.best_alpha)
    if number.is_integer() and 0 <= number < len(ALPHAS) and not np.isclose(ALPHAS, number).any():
        raise Incorrect(f"`best_alpha` = {number:g} looks like a position in `ALPHAS`; set it to the alpha itself, "
                        f"`ALPHAS[{int(number)}]`.")
    test_alpha = float(ALPHAS[int(np.argmin(test))])
    check_pick("best_alpha", number, dict(zip(ALPHAS, -cv)), tol=1e-4, score_name="minus CV RMSE", mistakes=[
        (test_alpha, "this alpha is the best on the test set, not in cross-validation: the test set must not choose the "
                     "penalty strength."),
        (float(ALPHAS[int(np.argmax(cv))]), "this alpha has the *highest* cross-validated error; take the lowest."),
        (float(ALPHAS[::-1][int(np.argmin(cv))]), "this alpha sits at the mirrored position of the best one: `ALPHAS` "
                                                   "ascends, while `LassoCV.alphas_` is stored in decreasing order."),
    ])


@cache
def truth() -> tuple[frozenset, frozenset, str]:
    key = answer_key("housing")
    support = frozenset(key["true_coefficients"])
    ignored = frozenset({key["nonlinear_feature"]["feature"]})  # non-linear: a linear coefficient on it is neither right nor wrong
    strongest = max(support, key=lambda f: abs(key["true_coefficients"][f]))
    return support, ignored, strongest


def _names(name: str, value) -> set[str]:
    require_answer(name, value)
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise Incorrect(f"`{name}` must be a set of feature names; got {type(value).__name__}.")
    try:
        return {str(f) for f in list(value)}
    except Exception:  # noqa: BLE001 - an object that does not iterate like a collection
        raise Incorrect(f"`{name}` must be a set of feature names; got {type(value).__name__}.") from None


def _learner_alpha(a) -> float | None:
    """The learner's `best_alpha` as a usable penalty strength, or None."""
    if not a.has("best_alpha"):
        return None
    try:
        alpha = float(a.best_alpha)
    except (TypeError, ValueError):
        return None
    return alpha if math.isfinite(alpha) and 0 < alpha <= 10 else None


def _candidate(alpha: float) -> float | None:
    """``alpha`` as the candidate of ALPHAS it equals (up to rounding), or None."""
    hits = np.flatnonzero(np.isclose(ALPHAS, alpha, rtol=1e-9, atol=0))
    return float(ALPHAS[hits[0]]) if len(hits) else None


def _coefficient_sets() -> list[tuple[float, pd.Series]]:
    return [(float(alpha), pd.Series(model[-1].coef_, index=FEATURES)) for alpha, model in zip(ALPHAS, full_lassos())]


@lab.item("selected", reads=["selected", "coefs"], uses={"best_alpha": "best_alpha"}, explanation="""
```python
lasso_model = make_pipeline(StandardScaler(), Lasso(alpha=best_alpha, max_iter=10_000)).fit(X_train, y_train)
coefs = pd.Series(lasso_model[-1].coef_, index=FEATURES)
selected = set(coefs[coefs.abs() >= MIN_EFFECT].index)
```
`lasso_model[-1]` is the fitted Lasso step; its `coef_` follows the column order of `X_train`. Keep the
`StandardScaler` in the pipeline: on raw units one coefficient is "log price per m²", another "per bathroom", so
neither the penalty nor the `MIN_EFFECT` threshold compares like with like. Apply the threshold: the Lasso leaves
many small non-zero coefficients on correlated look-alikes (bedrooms and total rooms move with living area, garden
with plot, station distance and street noise with distance to the centre); with standardised features and a
cross-validated penalty it keeps the one of each group that carries the effect, and `listing_id`, a random portal
number, gets nothing.
""")
def selected(a):
    picked = _names("selected", a.selected)
    unknown = sorted(picked - set(FEATURES))
    if unknown:
        raise Incorrect(f"`selected` contains names that are not features: {unknown[:5]}.")
    support, ignored, strongest = truth()
    judged = picked - ignored
    tp = len(judged & support)
    precision = tp / len(judged) if judged else 0.0
    recall = tp / len(support)
    theirs = _learner_alpha(a)
    if precision >= 0.8 and recall >= 0.8:
        passed("selected", f"precision {precision:.2f}, recall {recall:.2f} against the true drivers.")
    else:
        summary = f"precision {precision:.2f}, recall {recall:.2f} against the true price drivers (both must be at least 0.8)"
        carried = _candidate(theirs) if theirs is not None else None
        if carried is not None and picked == set(scaled_selection(carried)):
            # the learner's Q6 alpha is off (Q6 charged it); their selection is the right procedure with that alpha
            passed("selected", f"with your best_alpha = {carried:.4g} this is what the standardised Lasso keeps "
                               f"({summary}; the best cross-validated alpha does better).")
        else:
            if mislabelled_coefs(a, theirs):
                raise Incorrect(f"`selected`: {summary}. {MISLABELLED}")
            alpha = theirs if theirs is not None else ref_best_alpha()
            if picked == raw_lasso_selection(alpha) or (recall < 0.8 and strongest not in picked):
                raise Incorrect(f"`selected`: {summary}. It looks like the Lasso ran on unscaled features: without "
                                "standardising, each coefficient is in its feature's own units (log price per m², per "
                                "bathroom), so neither the penalty nor the MIN_EFFECT threshold compares like with like: "
                                "living area's per-m² coefficient falls below 0.02 although it is the strongest driver. "
                                "Put a StandardScaler first.")
            if precision < 0.8 and len(picked) > 10:
                raise Incorrect(f"`selected`: {summary}. You kept {len(picked)} features: the Lasso leaves tiny non-zero "
                                "coefficients on correlated look-alikes; keep only those with |coef| >= MIN_EFFECT.")
            raise Incorrect(f"`selected`: {summary}.")
    check_coefs(a.coefs, picked, theirs)


MISLABELLED = ("`coefs` holds the Lasso's coefficients under the wrong labels: `coef_` follows the column order of "
               "`X_train` (`FEATURES`); index it with exactly that order.")


def _known_coefficients(alpha: float | None) -> list[pd.Series]:
    """The standardised Lasso's coefficients at every alpha of ALPHAS, and at the learner's own alpha."""
    known = [ref for _, ref in _coefficient_sets()]
    if alpha is not None and _candidate(alpha) is None:
        known.append(pd.Series(scaled_lasso(alpha)[-1].coef_, index=FEATURES))
    return known


def _labelled(coefs) -> pd.Series:
    """The learner's `coefs` as floats in FEATURES order (by label), or Incorrect saying what is wrong with it."""
    require_answer("coefs", coefs)
    if not isinstance(coefs, pd.Series):
        raise Incorrect(f"`coefs` must be a pandas Series of coefficients indexed by FEATURES; got {type(coefs).__name__}.")
    labels = [str(i) for i in coefs.index]
    if len(labels) != len(set(labels)) or set(labels) != set(FEATURES):
        raise Incorrect("`coefs` must be indexed by the feature names, `FEATURES` (one coefficient per column of "
                        "`X_train`).")
    try:
        return pd.Series(coefs.to_numpy(dtype=float), index=labels).reindex(FEATURES)
    except (TypeError, ValueError):
        raise Incorrect("`coefs` must hold numbers (the Lasso's `coef_`).") from None


def _close_coefs(values: pd.Series, known: list[pd.Series]) -> bool:
    return any(np.allclose(values.to_numpy(), ref.to_numpy(), atol=2e-3, rtol=0) for ref in known)


def _mislabelled(values: pd.Series, known: list[pd.Series]) -> bool:
    """The values of a known coefficient vector, under other labels."""
    mine = np.sort(values.to_numpy())
    return not _close_coefs(values, known) and any(np.allclose(mine, np.sort(ref.to_numpy()), atol=2e-3, rtol=0) for ref in known)


def mislabelled_coefs(a, alpha: float | None) -> bool:
    """Whether the learner's `coefs` (if usable) are the Lasso's coefficients under shuffled labels."""
    try:
        return _mislabelled(_labelled(a.coefs), _known_coefficients(alpha))
    except Incorrect:
        return False


COEF_ATOL = 1e-3  # the Lasso at another alpha of ALPHAS differs by 0.05 or more


def _expected_coefficients(alpha: float | None) -> list[pd.Series]:
    """The standardised Lasso at the learner's own `best_alpha` (carried forward); the reference best when theirs is
    missing or off the grid (then the Lasso at their own off-grid alpha is accepted as well)."""
    carried = _candidate(alpha) if alpha is not None else None
    if carried is not None:
        return [pd.Series(scaled_lasso(carried)[-1].coef_, index=FEATURES)]
    out = [pd.Series(scaled_lasso(ref_best_alpha())[-1].coef_, index=FEATURES)]
    if alpha is not None:
        out.append(pd.Series(scaled_lasso(alpha)[-1].coef_, index=FEATURES))
    return out


def check_coefs(coefs, picked: set[str], alpha: float | None) -> None:
    """`coefs`: the standardised Lasso's coefficients at `best_alpha`, labelled by feature, consistent with `selected`."""
    values = _labelled(coefs)
    known = _known_coefficients(alpha)
    expected = _expected_coefficients(alpha)
    mine = set(values.index[values.abs() >= MIN_EFFECT])
    if not any(np.allclose(values.to_numpy(), ref.to_numpy(), atol=COEF_ATOL, rtol=0) for ref in expected):
        other = next((alpha for alpha, ref in _coefficient_sets()
                      if np.allclose(values.to_numpy(), ref.to_numpy(), atol=COEF_ATOL, rtol=0)), None)
        if other is not None:
            if mine != picked:  # a Lasso's coefficients, but `selected` was not read from them: say that first
                raise Incorrect(f"`selected` does not match your `coefs`: the features with |coef| >= MIN_EFFECT are "
                                f"{sorted(mine)}.")
            raise Incorrect(f"`coefs`: these are the coefficients at another alpha than `best_alpha` (they match "
                            f"alpha = {other:.4g}): fit the Lasso with `alpha=best_alpha`.")
        if _mislabelled(values, known):
            raise Incorrect(MISLABELLED)
        raise Incorrect("`coefs` are not the coefficients of `make_pipeline(StandardScaler(), Lasso(alpha=best_alpha))` "
                        "fitted on `X_train, y_train` (read them from `lasso_model[-1].coef_`).")
    if mine != picked:
        raise Incorrect(f"`selected` does not match your `coefs`: the features with |coef| >= MIN_EFFECT are "
                        f"{sorted(mine)}.")
    passed("coefs")


@lab.item("ridge_path", reads=["ridge_path"], explanation="""
```python
Z = StandardScaler().fit_transform(X)
return np.array([Ridge(alpha=a).fit(Z, y).coef_ for a in alphas])
```
Scale once, then fit one Ridge per alpha and stack the coefficient vectors so that rows are alphas and columns are
features. Without the scaler the L2 penalty shrinks coefficients by the features' units, not their importance.
""")
def ridge_path(a):
    cases = ridge_cases()
    check_function("ridge_path", a.ridge_path, cases, mistakes=[
        (lambda X, y, alphas: ref_ridge(X, y, alphas, scale=False),
         "the features were not standardised: the L2 penalty then shrinks coefficients by the features' units, not their "
         "importance. Apply StandardScaler before Ridge."),
        (lambda X, y, alphas: ref_ridge(X, y, alphas).T, "the array is transposed: rows must be alphas, columns features."),
        (lambda X, y, alphas: ref_ridge(X, y, sorted(alphas)),
         "your rows are in ascending order of alpha: rows must follow the order of `alphas` (row i for `alphas[i]`), "
         "whatever that order is."),
    ], rtol=1e-6, atol=1e-9)


def ref_ridge(X, y, alphas, scale=True) -> np.ndarray:
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(X) if scale else np.asarray(X, dtype=float)
    return np.array([Ridge(alpha=alpha).fit(Z, y).coef_ for alpha in alphas])


@cache
def ridge_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = np.column_stack([rng.normal(0, 1, 60), rng.normal(500, 200, 60), rng.normal(0, 0.01, 60)])
    y = 0.5 * X[:, 0] + 0.002 * X[:, 1] + 30 * X[:, 2] + rng.normal(0, 0.1, 60)
    return X, y


def ridge_cases() -> list[Case]:
    X, y = ridge_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    return [
        Case((X, y, [0.1, 10.0, 1000.0]), {}, ref_ridge(X, y, [0.1, 10.0, 1000.0]), "on features with scales 1, 200 and 0.01"),
        Case((frame, pd.Series(y), np.array([1.0])), {}, ref_ridge(X, y, [1.0]), "on a DataFrame with one alpha"),
        Case((X, y, [1000.0, 0.1, 10.0]), {}, ref_ridge(X, y, [1000.0, 0.1, 10.0]), "with alphas [1000, 0.1, 10] (not sorted)"),
    ]


@lab.item("penalty_facts", reads=["penalty_facts"], explanation="""
**a**, **b** and **c** can be read directly off the two panels. **d** is false: past the best alpha the model
underfits (bias), as the CV curve of Q6 shows. **e** is false: the penalty acts on coefficients, whose size depends
on the units, so unscaled features are penalised by their scale (Q7). **f** is false: Ridge keeps every feature; a
short list is what the Lasso's zeros give you.
""")
def penalty_facts(a):
    check_choices("penalty_facts", a.penalty_facts, {"a", "b", "c"}, options=list("abcdef"), mistakes={
        "a": "a is true: the L2 penalty shrinks the coefficient vector smoothly and never quite reaches zero.",
        "b": "b is true: the L1 penalty produces exact zeros, which is why the Lasso selects features.",
        "c": "c is true: the Lasso picks one of a correlated pair, Ridge shares the weight.",
        "d": "d is false: too large an alpha underfits (high bias); your CV curve rises again at large alphas.",
        "e": "e is false: the penalty acts on coefficient sizes, which depend on the features' units; unscaled features are "
             "penalised by their scale, not their importance. Always standardise before a penalty.",
        "f": "f is false: Ridge keeps every feature with a small weight; the Lasso's exact zeros give the short list.",
    })


# ---------------------------------------------------------------- Part 5 · ensembles, dropout, early stopping


@lab.item("technique_effect", reads=["technique_effect"], explanation="""
- **bagging**: averaging many high-variance models cancels their independent errors: reduces **variance** (bias stays about the same).
- **boosting**: each stage fits what is still wrong, so a sum of weak learners fits more: reduces **bias** (too many stages overfit).
- **dropout**: a network cannot rely on any single unit; it acts like averaging many thinned networks: reduces **variance**.
- **early stopping**: stops before the network memorises the noise, limiting its effective capacity: reduces **variance**.
- **more data**: the gap between training and validation closes: reduces **variance** (does nothing for bias).
- **polynomial terms**: more capacity, e.g. to fit a curved effect of `year_built`: reduces **bias** (can add variance).
- **larger alpha**: a stronger penalty shrinks coefficients: reduces **variance**, at the price of more bias.
""")
def technique_effect(a):
    check_mapping("technique_effect", a.technique_effect, {
        "bagging": "reduces variance", "boosting": "reduces bias", "dropout": "reduces variance",
        "early_stopping": "reduces variance", "more_data": "reduces variance", "polynomial": "reduces bias",
        "larger_alpha": "reduces variance"}, options=["reduces bias", "reduces variance"], mistakes={
        ("bagging", "reduces bias"): "bagging averages many deep trees that each overfit differently; the average cancels "
                                     "their noise: it reduces variance, the bias of a deep tree is already low.",
        ("boosting", "reduces variance"): "boosting fits each new weak learner to the remaining errors, so the ensemble fits "
                                          "more and more of the signal: it reduces bias (and overfits if run too long).",
        ("dropout", "reduces bias"): "dropout is a regularizer: it restrains the network and acts like averaging many thinned "
                                     "networks, which reduces variance.",
        ("early_stopping", "reduces bias"): "early stopping stops training before the network memorises noise: a regularizer, "
                                            "it reduces variance.",
        ("more_data", "reduces bias"): "more rows close the gap between training and validation error (variance); they cannot "
                                       "help a model too simple to fit them.",
        ("polynomial", "reduces variance"): "extra polynomial terms give a linear model more capacity (it can now fit a curve): "
                                            "that reduces bias.",
        ("larger_alpha", "reduces bias"): "a stronger penalty restrains the coefficients: less variance, more bias.",
    })


@lab.item("network_actions", reads=["network_actions"], explanation="""
Training loss falling while validation loss rises is **variance**: **a** (early stopping) and **b** (dropout or
weight decay) restrain the network. **c** makes the overfitting worse; **d** adds capacity, a cure for bias, not
variance; **e** tunes the stopping epoch on the test set, which then no longer measures generalisation honestly.
""")
def network_actions(a):
    check_choices("network_actions", a.network_actions, {"a", "b"}, options=list("abcde"), mistakes={
        "a": "a is missing: early stopping at the lowest validation loss is the standard cure for a rising validation loss.",
        "b": "b is missing: dropout or weight decay regularises the network and reduces variance.",
        "c": "c makes it worse: after epoch 35 the network is memorising the training set (high variance).",
        "d": "d adds capacity, which cures bias; this network has high variance (training loss falls, validation loss rises).",
        "e": "e picks the stopping epoch on the test set: a hyperparameter chosen on the test set makes its score optimistic. "
             "Use the validation set.",
    })


__all__ = ["lab", "outputs"]
