"""Checks of lab 03 · Bias, variance and regularization (course side: hidden from learners and from the sandbox).

Every reference value is computed here from the data set (the modelling table, the split, the curve rows and
the folds are rebuilt with the lab's default parameters) and from the housing answer key (the true drivers and
the noise sd, the irreducible error), never read from the learner's notebook, whose globals the learner may
rebind. Later answers are scored on the learner's own earlier ones: `best_alpha` on their `cv_table` when it
behaves like the reference or a recorded mistake, `selected` and `coefs` on their `best_alpha`; so a mistake
costs points once.
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
MARGIN = 0.02
FEATURES = ["listing_id", "living_area_m2", "lot_area_m2", "garden_area_m2", "total_rooms", "bedrooms", "bathrooms",
            "floor", "has_balcony", "garage_spaces", "year_built", "years_since_renovation", "condition_score",
            "energy_label", "distance_to_centre_km", "distance_to_station_km", "school_rating", "street_noise_db",
            "listing_photos", "days_on_market"]
DIAGNOSES = ["high bias", "high variance", "both", "good fit"]
DEPTHS = list(range(1, 13))
ALPHAS = np.logspace(-4, 0, 13)
MIN_EFFECT = 0.02
STRONG_EFFECT = 0.10  # a true driver this strong (living area, distance to the centre) must be in any selection
CURVE_COLUMNS = ["n_train", "train_rmse", "val_rmse"]
CV_COLUMNS = ["alpha", "cv_rmse", "cv_se"]
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


@cache
def irreducible() -> float:
    """The irreducible (Bayes) RMSE of log price from these columns: the sd of the key's planted noise (0.16)."""
    return float(answer_key("housing")["noise_sd"])


def rmse(model, X, y) -> float:
    return float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))


def _call(name: str, func, *args, about: str = ""):
    """Call a learner function outside a checker: its failure is the learner's (AnswerError), never the course's."""
    try:
        return func(*args)
    except NotImplementedError:
        raise NotAttempted(f"`{name}` still raises NotImplementedError: write its body.") from None
    except Exception as exc:  # noqa: BLE001 - a dead sandbox (SandboxError) is a BaseException and ends grading
        raise AnswerError(f"`{name}` raised {type(exc).__name__}: {exc} ({about}).") from None


# ---------------------------------------------------------------- Part 1 · bias or variance


def ref_diagnose(train_rmse, val_rmse, bayes_rmse, margin=MARGIN):
    return _label(train_rmse - bayes_rmse > margin, val_rmse - train_rmse > margin)


def _label(bias: bool, variance: bool) -> str:
    return "both" if bias and variance else "high bias" if bias else "high variance" if variance else "good fit"


def _swapped(train_rmse, val_rmse, bayes_rmse, margin=MARGIN):
    out = ref_diagnose(train_rmse, val_rmse, bayes_rmse, margin)
    return {"high bias": "high variance", "high variance": "high bias"}.get(out, out)


BOUNDARY = ("a difference exactly equal to `margin` does not exceed it: use a strict `>` (train_rmse - bayes_rmse > "
            "margin, val_rmse - train_rmse > margin), not `>=`.")
NO_BOTH = "when there is avoidable bias *and* a wide gap, the answer is 'both': test that case first."
RELATIVE = ("the margin is in RMSE units, like both differences: compare `train_rmse - bayes_rmse` and "
            "`val_rmse - train_rmse` themselves with `margin`, not with `margin` times an error.")
DIAGNOSE_MISTAKES = [
    # named by the learner's answers on all the cases (`_known_diagnose_mistake`): on single cases several agree
    (lambda tr, va, b, margin=MARGIN: _label(tr - b >= margin, va - tr >= margin), BOUNDARY),
    (lambda tr, va, b, margin=MARGIN: _label(tr - b >= margin, va - tr > margin), BOUNDARY),
    (lambda tr, va, b, margin=MARGIN: _label(tr - b > margin, va - tr >= margin), BOUNDARY),
    (_swapped, "you swapped high bias and high variance: a wide gap between validation and training error is *variance* "
               "(overfitting); a training error well above the irreducible error is *bias* (underfitting)."),
    (lambda tr, va, b, margin=MARGIN: _label(tr > TARGET_RMSE, va - tr > margin),
     "you measured bias against the valuers' target (TARGET_RMSE, 0.20): bias is measured against what any model could "
     "reach, the irreducible error `bayes_rmse`. The target says whether a model is good enough, not whether it "
     "underfits."),
    (lambda tr, va, b, margin=MARGIN: _label(va - b > margin, va - tr > margin),
     "avoidable bias is judged on the *training* error, `train_rmse - bayes_rmse`: a model that fits its training rows "
     "to within the irreducible error is not underfitting, even when its validation error is high (that is the gap, "
     "variance)."),
    (lambda tr, va, b, margin=MARGIN: _label(tr > b, va - tr > margin),
     "a training error a little above the irreducible error is not yet high bias: compare the *avoidable* bias, "
     "`train_rmse - bayes_rmse`, with `margin`."),
    (lambda tr, va, b, margin=MARGIN: _label(tr - b > MARGIN, va - tr > MARGIN),
     "you ignored the `margin` argument and always used 0.02: use the `margin` the caller passes."),
    (lambda tr, va, b, margin=MARGIN: _label(tr - b > margin, va - tr > margin * tr), RELATIVE),
    (lambda tr, va, b, margin=MARGIN: _label(tr - b > margin * b, va - tr > margin * tr), RELATIVE),
    (lambda tr, va, b, margin=MARGIN: _label(tr - b > margin, abs(va - tr) > margin),
     "the gap is signed: a validation error *below* the training error is no sign of variance. Compare "
     "`val_rmse - train_rmse` itself (not its absolute value) with `margin`."),
    (lambda tr, va, b, margin=MARGIN: _label(abs(tr - b) > margin, va - tr > margin),
     "avoidable bias is signed: a training error *below* the irreducible error is no bias (the model has memorised "
     "noise of its training rows, which shows as variance in the gap). Compare `train_rmse - bayes_rmse` itself, not "
     "its absolute value, with `margin`."),
    (lambda tr, va, b, margin=MARGIN: _label(tr - 0.16 > margin, va - tr > margin),
     "you compared with the lab's IRREDUCIBLE_RMSE (0.16): use the `bayes_rmse` argument, not the global."),
    (lambda tr, va, b, margin=MARGIN: "high bias" if tr - b > margin else "high variance" if va - tr > margin else "good fit",
     NO_BOTH),
    (lambda tr, va, b, margin=MARGIN: "high variance" if va - tr > margin else "high bias" if tr - b > margin else "good fit",
     NO_BOTH),
]
# Values chosen so that no case sits on a boundary by floating-point accident, except the one case built of
# binary fractions (0.375 - 0.25 == 0.125 exactly) that tests the boundary itself.
DIAGNOSE_CASES = [
    ((0.30, 0.31, 0.16), {}, "with train 0.30, validation 0.31, irreducible 0.16 (no gap, training error far too high)"),
    ((0.02, 0.30, 0.16), {}, "with train 0.02, validation 0.30, irreducible 0.16 (training error below the irreducible error)"),
    ((0.30, 0.40, 0.16), {}, "with train 0.30, validation 0.40, irreducible 0.16"),
    ((0.17, 0.18, 0.16), {}, "with train 0.17, validation 0.18, irreducible 0.16"),
    ((0.375, 0.5, 0.25), {"margin": 0.125}, "on both boundaries (avoidable bias and gap exactly equal to margin=0.125)"),
    ((0.20, 0.26, 0.16), {"margin": 0.05}, "with margin=0.05 (avoidable bias 0.04 is within it, the gap 0.06 is not)"),
    ((0.30, 0.20, 0.16), {}, "with train 0.30, validation 0.20, irreducible 0.16 (validation below training)"),
    ((0.17, 0.25, 0.16), {}, "with train 0.17, validation 0.25, irreducible 0.16 (a wide gap, training error close to the irreducible error)"),
    ((0.45, 0.46, 0.44), {}, "with train 0.45, validation 0.46, irreducible 0.44 (not the lab's IRREDUCIBLE_RMSE)"),
    ((0.50, 0.515, 0.49), {}, "with train 0.50, validation 0.515, irreducible 0.49 (a gap of 0.015)"),
    ((0.19, 0.195, 0.16), {}, "with train 0.19, validation 0.195, irreducible 0.16 (below the valuers' 0.20 target, "
                               "but 0.03 above the irreducible error)"),
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
Compute two differences, both in RMSE units, and turn the four combinations of "too large?" into the four labels:

- `avoidable_bias = train_rmse - bayes_rmse`: how far the model is from fitting the rows it has seen as well as any
  model could; `bias = avoidable_bias > margin`;
- `gap = val_rmse - train_rmse`: how much worse it does on new rows; `variance = gap > margin`.

Both comparisons are strict. Bias is measured against the **irreducible error**, not against the business target:
a model 0.03 above the irreducible error underfits even when it meets the target, and a model can have no
avoidable bias and still miss a target set below the irreducible error (then no model will meet it with these
columns). A training error *below* the irreducible error (0.02 against 0.16) is not "negative bias": the model has
memorised noise, which shows in the gap.
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
Judged with the rule of Q1, against the irreducible error 0.16 (the dashed line), at 1,000 training rows:

- **A** (shallow tree): training and validation errors meet at about 0.24-0.25, some 0.08 above the irreducible error:
  two splits give at most four prices, so the model cannot fit what it has seen. **High bias.**
- **B** (unpruned tree): training error 0, *below* the irreducible error: every training sale has its own leaf, noise
  and all, so it has memorised its rows. Its validation error is far above: **high variance**.

A training error below the irreducible error is never bias; two lines that have met cannot be variance. The valuers'
target (dotted line) answers another question: is a model good enough? Neither is.
""")
def curve_diagnosis(a):
    # the reference rule of Q1 on the reference curves: Q3 is about reading the curves, so it stands alone
    expected = {k: ref_diagnose(tr, va, irreducible()) for k, (tr, va) in curve_errors().items()}
    (a_train, _), (b_train, _) = curve_errors()["A"], curve_errors()["B"]
    bayes = irreducible()
    check_mapping("curve_diagnosis", a.curve_diagnosis, expected, options=DIAGNOSES, mistakes={
        ("A", "high variance"): f"A's training and validation curves have met (no gap), and its training error ({a_train:.2f}) "
                                f"is far above the irreducible error ({bayes:.2f}): that is high bias, not variance. You may "
                                "be confusing the two.",
        ("A", "both"): "A's validation error is barely above its training error: there is no variance problem, only bias.",
        ("A", "good fit"): f"A's training error ({a_train:.2f}) is {a_train - bayes:.2f} above the irreducible error "
                           f"({bayes:.2f}): that is avoidable bias, it underfits.",
        ("B", "high bias"): f"B's training error is {b_train:.0f}, below even the irreducible error ({bayes:.2f}): it has "
                            "memorised its training rows, noise and all. The wide gap to validation is high variance, not "
                            "bias. You may be confusing the two.",
        ("B", "both"): f"B's training error ({b_train:.0f}) is below the irreducible error, so there is no avoidable bias: "
                       "only the gap (variance).",
        ("B", "good fit"): "B's validation error is far above its training error: it overfits (high variance).",
    })


@lab.item("more_data_helps", reads=["more_data_helps"], explanation="""
- **b** is true: B's validation curve is still coming down and its gap is wide; more rows reduce variance, so they
  lower B's error a little.
- **e** is true: the money is better spent after changing the model. A tree of moderate depth (Part 3) or a penalised
  linear model (Part 4) does better with the rows Fernvale already has; draw *its* learning curve, and buy data only
  if that curve is still falling steeply.
- **a** is false: A's curves have met; a model that cannot fit the rows it has will not fit more rows better (bias).
- **c** is false: B's validation error falls slowly (by less than 0.01 over its last 225 rows), and an unpruned tree
  predicts each sale from one training sale's price, noise and all: its error carries that sale's noise as well as
  the new sale's own, so even with unlimited rows it stays near √2 × 0.16 ≈ 0.23 or above, over the 0.20 target.
- **d** is false: it follows from a and c that neither model reaches the target by more rows.
""")
def more_data_helps(a):
    floor = math.sqrt(2) * irreducible()
    check_choices("more_data_helps", a.more_data_helps, {"b", "e"}, options=list("abcde"), mistakes={
        "a": "a is false: A's curves have already met, so more rows of the same features cannot help a model too simple "
             "to fit them (high bias). It needs more capacity or better features.",
        "b": "b is true: B's validation error is still falling and its gap is wide; more rows reduce variance, so they do "
             "lower its error, a little.",
        "c": f"c is false: B's validation error is falling slowly, and an unpruned tree predicts each sale from one "
             f"training sale's price, noise included, so its error stays near √2 × {irreducible():.2f} ≈ {floor:.2f} or "
             "above however many rows it gets: above the 0.20 target.",
        "d": "d is false: neither model reaches the target with more rows (A has high bias, B's error stays near √2 times "
             "the irreducible error). Change the model first.",
        "e": "e is true: change the model first (a moderate depth, a penalty), then draw its learning curve to see whether "
             "more rows would still pay.",
    }, why="More data reduces variance, not bias, and never below what the model family can reach.")


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


def lasso_fold_rmse(X, y, alphas, cv, *, scale: str = "fold", scores: str = "test") -> np.ndarray:
    """Each fold's RMSE (rows: folds, columns: alphas) of make_pipeline(StandardScaler(), Lasso(alpha)).

    ``scale="fold"``: the scaler is fitted on each fold's training rows (the reference); ``"once"``: on all rows
    before the folds are cut (a leaky search, what `make_pipeline(StandardScaler(), LassoCV(...))` does);
    ``"none"``: unscaled. ``scores="train"``: errors on the folds' training rows; ``"r2"``: R² on the validation rows.
    """
    from sklearn.linear_model import Lasso
    from sklearn.preprocessing import StandardScaler

    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if scale == "once":
        X = StandardScaler().fit_transform(X)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unscaled mistakes do not converge; their curve is still what the learner got
        for tr, va in cv.split(X):
            Xa, Xb, ya, yb = X[tr], X[va], y[tr], y[va]
            if scale == "fold":
                scaler = StandardScaler().fit(Xa)
                Xa, Xb = scaler.transform(Xa), scaler.transform(Xb)
            if scores == "train":
                Xb, yb = Xa, ya
            row = []
            for alpha in alphas:
                err = Lasso(alpha=float(alpha), max_iter=10_000).fit(Xa, ya).predict(Xb) - yb
                row.append(1 - np.sum(err ** 2) / np.sum((yb - yb.mean()) ** 2) if scores == "r2"
                           else float(np.sqrt(np.mean(err ** 2))))
            rows.append(row)
    return np.array(rows)


def standard_error(fold_scores: np.ndarray, ddof: int = 1) -> np.ndarray:
    """The standard error of the mean over folds: the folds' standard deviation over the square root of their number."""
    return fold_scores.std(axis=0, ddof=ddof) / np.sqrt(len(fold_scores))


def one_se_pick(alphas, mean, se, slack: float = 0.0) -> set[float]:
    """The one-standard-error rule: the largest alpha whose mean error is within one SE (the minimum's) of the minimum.

    With ``slack``, every pick that a curve within ``slack`` of this one could give (ties near the minimum, alphas
    near the threshold).
    """
    alphas, mean, se = np.asarray(alphas, dtype=float), np.asarray(mean, dtype=float), np.asarray(se, dtype=float)
    best = [int(i) for i in np.flatnonzero(mean <= mean.min() + 2 * slack)]
    picks = set()
    for i in best:
        for shift in (-slack, 0.0, slack):
            inside = np.flatnonzero(mean <= mean[i] + se[i] + shift)
            if len(inside):
                picks.add(float(alphas[inside].max()))
    return picks


# The lab's curve on X_train (folds x alphas), and the curves of recorded mistakes, computed when needed.
ALPHA_VARIANTS = {"ref": ("fold", "test"), "once": ("once", "test"), "unscaled": ("none", "test"),
                  "train": ("fold", "train"), "r2": ("fold", "r2")}


@lru_cache(maxsize=8)
def alpha_folds(variant: str = "ref") -> np.ndarray:
    from sklearn.model_selection import KFold

    X_train, _, y_train, _ = split()
    if variant == "curve_rows":
        X_curve, y_curve = curve_rows()
        return lasso_fold_rmse(X_curve, y_curve, ALPHAS, folds())
    if variant == "cv3":
        return lasso_fold_rmse(X_train, y_train, ALPHAS, KFold(n_splits=3))
    scale, scores = ALPHA_VARIANTS[variant]
    return lasso_fold_rmse(X_train, y_train, ALPHAS, folds(), scale=scale, scores=scores)


def alpha_cv() -> np.ndarray:
    return alpha_folds().mean(axis=0)


@cache
def alpha_test() -> np.ndarray:
    """Test-set RMSE of the standardised Lasso fitted on X_train, per alpha."""
    _, X_test, _, y_test = split()
    return np.array([rmse(model, X_test, y_test) for model in full_lassos()])


def ref_best_alpha() -> float:
    """The one-SE pick on the lab's curve (the sample and the population SE pick the same alpha here)."""
    return max(one_se_pick(ALPHAS, alpha_cv(), standard_error(alpha_folds())))


@cache
def full_lassos() -> tuple:
    """make_pipeline(StandardScaler(), Lasso(alpha)) fitted on X_train for every alpha of ALPHAS."""
    return tuple(scaled_lasso(float(alpha)) for alpha in ALPHAS)


@lru_cache(maxsize=32)
def scaled_lasso(alpha: float, rows: str = "train"):
    from sklearn.linear_model import Lasso
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, _, y_train, _ = split()
    X, y = modelling_table() if rows == "all" else (X_train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_pipeline(StandardScaler(), Lasso(alpha=alpha, max_iter=10_000)).fit(X, y)


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


@cache
def lasso_cases() -> list[tuple[tuple, np.ndarray, str]]:
    """New data for `lasso_cv_curve` on which scaling once on all rows gives a clearly different curve.

    Three features in units of about 100, 0.01 (log-normal: a few rows dominate its spread, so each fold's
    training rows have their own scale) and 1. Measured (see the unit tests): scaling once moves the mean RMSE
    by up to 22 %, no scaling by 134 %, training-row errors by 27 %, the square root of the fold-mean MSE by 13 %;
    a correct variant that standardises each fold by hand with the sample sd (ddof=1) by at most 0.6 %.
    """
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(32)
    n = 90
    x0 = rng.normal(0, 1, n) * 100
    x1 = rng.lognormal(0, 1.0, n) * 0.01
    x2 = rng.normal(0, 1, n)
    y = 0.01 * x0 + 40 * x1 + rng.normal(0, 0.6, n)
    X = np.column_stack([x0, x1, x2])
    frame, target = pd.DataFrame(X, columns=["area", "plot", "noise"]), pd.Series(y, name="price")
    first = (X, y, [0.02, 0.1, 0.4], KFold(3, shuffle=True, random_state=0))
    second = (frame, target, np.array([0.4, 0.02, 0.1]), KFold(4, shuffle=True, random_state=1))
    return [(first, "on features in units of about 100, 0.01 and 1, with alphas [0.02, 0.1, 0.4] and 3 folds"),
            (second, "on a DataFrame with alphas [0.4, 0.02, 0.1] (not sorted) and 4 folds")]


CASE_RTOL = 0.015  # 2.5 times the largest deviation of a correct variant (ddof=1 by hand), 8 times below the nearest mistake
SE_RTOL = 0.05  # the two SE conventions differ by sqrt(3/2) or sqrt(4/3), far more than this
CV_ATOL = 2e-4  # correct CV curves on X_train (GridSearchCV, cross_validate, by hand with ddof=1) agree within 4e-5; even a
#                 scaler fitted once on all rows moves them by 1e-4 at most (it is caught on the cases instead)

LEAKY = ("a leaky penalty search: the scaler was fitted once on all rows, so every fold's validation rows shaped the "
         "scaling of its training rows. `make_pipeline(StandardScaler(), LassoCV(...))` does exactly this (LassoCV cuts "
         "its folds from data the pipeline has already scaled). Cross-validate the pipeline itself: GridSearchCV, or "
         "cross_validate, over make_pipeline(StandardScaler(), Lasso(alpha=...)).")
UNSCALED = ("an unscaled penalty search: without a StandardScaler the penalty punishes features by their units, not their "
            "effect. Put make_pipeline(StandardScaler(), Lasso(alpha=...)) inside the cross-validation.")
SD_NOT_SE = ("`cv_se` holds the standard deviation of the fold errors, not the standard error of their mean: divide it by "
             "√(number of folds). GridSearchCV's `std_test_score` is a standard deviation too.")


def _cv_rows(name: str, out, alphas, about: str) -> np.ndarray:
    """A learner's CV table as an array [alpha, cv_rmse, cv_se], rows by ascending alpha; Incorrect saying what is off."""
    if not isinstance(out, pd.DataFrame):
        raise Incorrect(f"`{name}` must be a pandas DataFrame with the columns alpha, cv_rmse and cv_se; got "
                        f"{type(out).__name__} ({about}).")
    columns = [str(c) for c in out.columns]
    if len(columns) != len(set(columns)) or set(columns) != set(CV_COLUMNS):
        raise Incorrect(f"`{name}` has the columns {columns[:6]}; it must have exactly alpha, cv_rmse and cv_se ({about}).")
    try:
        rows = out.rename(columns=str)[CV_COLUMNS].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"`{name}` must hold numbers in alpha, cv_rmse and cv_se ({about}).") from None
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    want = np.sort(np.asarray(alphas, dtype=float))
    if len(rows) != len(want) or not np.allclose(rows[:, 0], want, rtol=1e-9, atol=0):
        raise Incorrect(f"`{name}` must have one row per alpha of `alphas` ({len(want)} rows, alpha = "
                        f"{', '.join(f'{x:g}' for x in want)}); its alphas are "
                        f"{', '.join(f'{x:g}' for x in rows[:6, 0])}{' ...' if len(rows) > 6 else ''} ({about}).")
    return rows


def _close(got, want, *, rtol: float = 0.0, atol: float = 0.0) -> bool:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def _se_ok(got_se, fold_scores, *, rtol: float = SE_RTOL, atol: float = 0.0) -> bool:
    """The standard error of the fold mean, with the sample (ddof=1) or the population (ddof=0) sd: both accepted."""
    return any(_close(got_se, standard_error(fold_scores, ddof), rtol=rtol, atol=atol) for ddof in (1, 0))


def _se_mistake(name: str, got_se, fold_scores, about: str, *, atol: float = 0.0) -> None:
    k = len(fold_scores)
    for ddof in (1, 0):
        sd = fold_scores.std(axis=0, ddof=ddof)
        if _close(got_se, sd, rtol=SE_RTOL, atol=atol):
            raise Incorrect(f"`{name}` {about}: {SD_NOT_SE}")
        if _close(got_se, sd / k, rtol=SE_RTOL, atol=atol):
            raise Incorrect(f"`{name}` {about}: `cv_se` is the standard deviation divided by the number of folds; the "
                            "standard error divides it by the *square root* of the number of folds.")
    want = standard_error(fold_scores)
    worst = int(np.argmax(np.abs(np.asarray(got_se, dtype=float) - want)))
    raise Incorrect(f"`{name}` {about}: `cv_se` should be the standard error of each alpha's mean RMSE (the fold RMSEs' "
                    f"standard deviation / √{k}); at alpha row {worst} it is {float(np.asarray(got_se)[worst]):.4g}, "
                    f"expected about {want[worst]:.4g}.")


def _curve_mistake(name: str, got_mean, scores_of, alphas, about: str, *, rtol: float, atol: float) -> None:
    """Name a recorded mistake that the learner's mean curve reproduces, else say where it is off.

    ``scores_of(variant)`` gives the fold scores (folds x ascending alphas) of a variant of ALPHA_VARIANTS; the cheap
    mistakes (sign, squares, order) are tried before the ones that need fits.
    """
    ref = scores_of("ref")
    mean = ref.mean(axis=0)
    candidates = [
        (lambda: -mean, "the errors are negative: `neg_root_mean_squared_error` is the RMSE with its sign flipped "
                        "(scorers are 'greater is better'); negate it."),
        (lambda: (ref ** 2).mean(axis=0), "these are mean squared errors; use `scoring=\"neg_root_mean_squared_error\"` "
                                          "(or take the square root of each fold's MSE)."),
        (lambda: mean ** 2, "these are squared errors; use `scoring=\"neg_root_mean_squared_error\"` (or take the square "
                            "root of each fold's MSE)."),
        (lambda: np.sqrt((ref ** 2).mean(axis=0)),
         "you took the square root of the fold-mean squared error; the brief asks for the mean over folds of each fold's "
         "RMSE."),
        (lambda: mean[::-1], "your errors are paired with the alphas in reverse order (`LassoCV.alphas_` and `mse_path_` "
                             "are stored in *decreasing* order of alpha): pair each error with its own alpha."),
        (lambda: scores_of("once").mean(axis=0), LEAKY),
        (lambda: scores_of("unscaled").mean(axis=0), UNSCALED),
        (lambda: scores_of("train").mean(axis=0),
         "these are errors on the folds' *training* rows (`mean_train_score`, `return_train_score=True`): use the "
         "validation scores, `mean_test_score`."),
        (lambda: scores_of("r2").mean(axis=0), "these look like R² scores (the default scorer of a regressor); pass "
                                               "`scoring=\"neg_root_mean_squared_error\"`."),
        (lambda: -scores_of("r2").mean(axis=0), "these look like negated R² scores (the default scorer of a regressor); "
                                                "pass `scoring=\"neg_root_mean_squared_error\"`."),
    ]
    for wrong, message in candidates:
        if _close(got_mean, wrong(), rtol=rtol, atol=atol):
            raise Incorrect(f"`{name}` {about}: {message}")
    worst = int(np.argmax(np.abs(np.asarray(got_mean, dtype=float) - mean)))
    raise Incorrect(f"`{name}` {about}: `cv_rmse` at alpha = {float(alphas[worst]):g} is "
                    f"{float(np.asarray(got_mean)[worst]):.4f}, expected about {mean[worst]:.4f}: the mean over folds of "
                    "each fold's validation RMSE of make_pipeline(StandardScaler(), Lasso(alpha=...)), the scaler fitted "
                    "inside each fold.")


def _check_curve_function(func) -> None:
    for args, about in lasso_cases():
        X, y, alphas, cv = args
        out = _call("lasso_cv_curve", func, *args, about=about)
        if out is None:
            raise NotAttempted(f"`lasso_cv_curve` returned None ({about}): does it `return` its result?")
        rows = _cv_rows("lasso_cv_curve", out, alphas, about)
        order = np.argsort(np.asarray(alphas, dtype=float), kind="stable")

        def scores_of(variant, X=X, y=y, alphas=alphas, cv=cv, order=order):
            scale, scores = ALPHA_VARIANTS[variant]
            return lasso_fold_rmse(X, y, alphas, cv, scale=scale, scores=scores)[:, order]

        fold_scores = scores_of("ref")
        if not _close(rows[:, 1], fold_scores.mean(axis=0), rtol=CASE_RTOL):
            _curve_mistake("lasso_cv_curve", rows[:, 1], scores_of, rows[:, 0], about, rtol=CASE_RTOL, atol=0.0)
        if not _se_ok(rows[:, 2], fold_scores):
            _se_mistake("lasso_cv_curve", rows[:, 2], fold_scores, about)
    passed("lasso_cv_curve")


def _check_cv_table(table) -> None:
    require_answer("cv_table", table)
    about = "(your `cv_table`)"
    rows = _cv_rows("cv_table", table, ALPHAS, "it should be lasso_cv_curve(X_train, y_train, ALPHAS, CV)")
    ref = alpha_folds()
    if not _close(rows[:, 1], ref.mean(axis=0), atol=CV_ATOL):
        for variant, message in (("cv3", "it was cross-validated on other folds than `CV` (`cv=3` gives three unshuffled "
                                          "folds): pass `CV`."),
                                 ("curve_rows", "it was computed on `X_curve, y_curve`; the penalty is chosen on all of "
                                                "`X_train, y_train`.")):
            if _close(rows[:, 1], alpha_folds(variant).mean(axis=0), atol=CV_ATOL):
                raise Incorrect(f"`cv_table`: {message}")
        _curve_mistake("cv_table", rows[:, 1], alpha_folds, ALPHAS, about, rtol=0.0, atol=CV_ATOL)
    if not _se_ok(rows[:, 2], ref, atol=5e-5):
        _se_mistake("cv_table", rows[:, 2], ref, about, atol=5e-5)
    passed("cv_table")


@lab.item("lasso_cv", reads=["lasso_cv_curve", "cv_table"], explanation="""
```python
search = GridSearchCV(make_pipeline(StandardScaler(), Lasso(max_iter=10_000)), {"lasso__alpha": list(alphas)},
                      cv=cv, scoring="neg_root_mean_squared_error", refit=False).fit(X, y)
folds = -np.column_stack([search.cv_results_[f"split{i}_test_score"] for i in range(search.n_splits_)])
return pd.DataFrame({"alpha": np.asarray(alphas, dtype=float), "cv_rmse": folds.mean(axis=1),
                     "cv_se": folds.std(axis=1, ddof=1) / np.sqrt(folds.shape[1])})
```
The scaler sits *inside* the pipeline that is cross-validated, so in every fold it is fitted on that fold's training
rows only; the validation rows are scaled with statistics they did not help compute, as new listings will be.
`make_pipeline(StandardScaler(), LassoCV(...))` looks similar but is not: the scaler is fitted once on all rows and
LassoCV cuts its folds from data that is already scaled. On `X_train` the leak is small (3,450 rows give nearly the
same means as 2,300), but it is the habit that matters: with imputation, target encoding or feature selection the
same mistake is large (Lab 07). The standard error is the fold RMSEs' standard deviation divided by √(number of
folds); `std_test_score` (ddof=0) divided by √k is accepted too.
""")
def lasso_cv(a):
    func = a.lasso_cv_curve
    require_answer("lasso_cv_curve", func)
    if not callable(func):
        raise Incorrect(f"`lasso_cv_curve` must be a function; got {type(func).__name__}.")
    _check_curve_function(func)
    _check_cv_table(a.cv_table)


def _as_candidate(name: str, value) -> float:
    """``value`` as the alpha of ALPHAS it equals (up to rounding), or Incorrect saying what it is instead."""
    number = as_number(name, value)
    if number.is_integer() and 0 <= number < len(ALPHAS) and not np.isclose(ALPHAS, number).any():
        raise Incorrect(f"`{name}` = {number:g} looks like a position in `ALPHAS`; set it to the alpha itself, "
                        f"`ALPHAS[{int(number)}]`.")
    carried = _candidate(number)
    if carried is None:
        raise Incorrect(f"`{name}` = {number:g} is not one of the candidates in `ALPHAS` ({ALPHAS[0]:g} to {ALPHAS[-1]:g}).")
    return carried


def _reference_picks() -> set[float]:
    ref = alpha_folds()
    return set().union(*(one_se_pick(ALPHAS, ref.mean(axis=0), standard_error(ref, ddof), slack=CV_ATOL / 2)
                         for ddof in (1, 0)))


def _carried_picks(a) -> set[float]:
    """The one-SE picks of the recorded wrong curve the learner's own `cv_table` reproduces (charged in Q6), if any."""
    if not a.has("cv_table"):
        return set()
    try:
        rows = _cv_rows("cv_table", a.cv_table, ALPHAS, "")
    except Incorrect:
        return set()
    ref = alpha_folds()
    picks = set()
    if _close(rows[:, 1], ref.mean(axis=0), atol=CV_ATOL):  # the right curve with a wrong error bar
        for ddof in (1, 0):
            for se, label in ((ref.std(axis=0, ddof=ddof), "sd"), (ref.std(axis=0, ddof=ddof) / len(ref), "sd/k")):
                if _close(rows[:, 2], se, rtol=SE_RTOL, atol=5e-5):
                    picks |= one_se_pick(ALPHAS, ref.mean(axis=0), se, slack=CV_ATOL / 2)
        return picks
    for variant in ("unscaled", "train", "cv3", "curve_rows"):
        scores = alpha_folds(variant)
        if _close(rows[:, 1], scores.mean(axis=0), atol=CV_ATOL) and _se_ok(rows[:, 2], scores, atol=5e-5):
            return set().union(*(one_se_pick(ALPHAS, scores.mean(axis=0), standard_error(scores, ddof))
                                 for ddof in (1, 0)))
    return picks


@lab.item("best_alpha", reads=["best_alpha"], uses={"cv_table": "lasso_cv"}, explanation="""
```python
best = cv_table.loc[cv_table["cv_rmse"].idxmin()]
threshold = best["cv_rmse"] + best["cv_se"]
best_alpha = float(cv_table.loc[cv_table["cv_rmse"] <= threshold, "alpha"].max())
```
From alpha = 0.0001 to 0.0046 the mean CV RMSE moves by about 0.0003, while one standard error is about 0.0015: the
curve is flat within the noise of its own estimate, so its exact minimum (0.0022 here) is one draw among equals. The
one-standard-error rule (Breiman et al., *Classification and Regression Trees*, 1984; Hastie, Tibshirani and Friedman,
*The Elements of Statistical Learning*, §7.10) takes the **simplest** model that is as good as the best within that
noise: for the Lasso, the **largest** alpha, which keeps fewer features. It picks 0.0046; one standard *deviation*
would reach 0.01, where lot area's coefficient has already shrunk from 0.043 to 0.027. The test set chooses nothing.
""")
def best_alpha(a):
    require_answer("best_alpha", a.best_alpha)
    chosen = _as_candidate("best_alpha", a.best_alpha)
    accepted = _reference_picks()
    if chosen in accepted:
        passed("best_alpha")
        return
    if chosen in _carried_picks(a):
        passed("best_alpha", f"with your `cv_table` this is the alpha the one-SE rule picks (the best curve picks "
                             f"{ref_best_alpha():.4g}).")
        return
    ref = alpha_folds()
    mean = ref.mean(axis=0)
    best = int(np.argmin(mean))
    se = standard_error(ref)
    threshold = mean[best] + se[best]
    smallest = float(ALPHAS[np.flatnonzero(mean <= threshold).min()])
    test_best = float(ALPHAS[int(np.argmin(alpha_test()))])
    one_sd = set().union(*(one_se_pick(ALPHAS, mean, ref.std(axis=0, ddof=d), slack=CV_ATOL / 2) for d in (1, 0)))
    worst = {float(x) for x in ALPHAS[np.isclose(mean, mean.max(), rtol=0, atol=1e-12)]}
    test_note = (" It is also the alpha with the lowest error on `X_test`: the test set must not choose the penalty."
                 if test_best == smallest else "")
    mistakes = [
        ({float(ALPHAS[best])}, f"this is the alpha with the lowest mean CV RMSE ({mean[best]:.4f}). The curve is flat "
                                f"within one standard error ({se[best]:.4f}) of it, so the exact minimum is a coin toss "
                                "among equals: the one-SE rule takes the *largest* alpha whose CV RMSE is within one "
                                f"standard error of the minimum (at most {threshold:.4f})."),
        (one_sd, "this alpha is within one standard *deviation* of the fold errors of the minimum; the rule uses one "
                 "standard *error* (the standard deviation / √(number of folds)), a tighter band."),
        ({smallest}, f"this is the *smallest* alpha within one standard error of the minimum, the least regularised of "
                     f"them; the one-SE rule takes the *largest*, the simplest model about as good as the best.{test_note}"),
        ({test_best}, "this alpha is the best on the test set, not in cross-validation: the test set must not choose the "
                      "penalty strength."),
        (worst, "this alpha has the *highest* cross-validated error."),
    ]
    for alphas, message in mistakes:
        if chosen in alphas - accepted:
            raise Incorrect(f"`best_alpha` = {chosen:.4g}: {message}")
    raise Incorrect(f"`best_alpha` = {chosen:.4g}: the one-SE rule takes the largest alpha whose mean CV RMSE is at most "
                    f"the minimum plus its standard error ({mean[best]:.4f} + {se[best]:.4f} = {threshold:.4f}); "
                    f"this alpha's CV RMSE is {mean[_index(chosen)]:.4f}.")


def _index(alpha: float) -> int:
    return int(np.flatnonzero(np.isclose(ALPHAS, alpha, rtol=1e-9, atol=0))[0])


@cache
def truth() -> tuple[frozenset, frozenset, str, frozenset]:
    key = answer_key("housing")
    support = frozenset(key["true_coefficients"])
    ignored = frozenset({key["nonlinear_feature"]["feature"]})  # non-linear: a linear coefficient on it is neither right nor wrong
    strongest = max(support, key=lambda f: abs(key["true_coefficients"][f]))
    strong = frozenset(f for f in support if abs(key["true_coefficients"][f]) >= STRONG_EFFECT)
    return support, ignored, strongest, strong


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


SIGN = ("you kept only the *positive* coefficients: a strong negative driver (distance to the centre lowers the price) "
        "is as much a driver as a positive one. Compare the absolute value, `coefs.abs() >= MIN_EFFECT`.")
TINY = ("you kept every non-zero coefficient: the Lasso leaves small non-zero coefficients (|coef| < MIN_EFFECT) on a "
        "few columns whose linear effect it cannot quite rule out. Keep only those with |coef| >= MIN_EFFECT.")


def _selection_mistake(picked: set[str], values: pd.Series | None) -> str | None:
    """The message of a recorded way of reading `selected` off a coefficient vector wrongly, if ``picked`` is one."""
    if values is None:
        return None
    if picked == set(values.index[values >= MIN_EFFECT]) != set(values.index[values.abs() >= MIN_EFFECT]):
        return SIGN
    if picked == set(values.index[values != 0]) != set(values.index[values.abs() >= MIN_EFFECT]):
        return TINY
    return None


def _usable_coefs(a) -> pd.Series | None:
    try:
        return _labelled(a.coefs)
    except Incorrect:
        return None


@lab.item("selected", reads=["selected", "coefs"], uses={"best_alpha": "best_alpha"}, explanation="""
```python
lasso_model = make_pipeline(StandardScaler(), Lasso(alpha=best_alpha, max_iter=10_000)).fit(X_train, y_train)
coefs = pd.Series(lasso_model[-1].coef_, index=FEATURES)
selected = set(coefs[coefs.abs() >= MIN_EFFECT].index)
```
`lasso_model[-1]` is the fitted Lasso step; its `coef_` follows the column order of `X_train`. Keep the
`StandardScaler` in the pipeline: on raw units one coefficient is "log price per m²", another "per bathroom", so
neither the penalty nor the `MIN_EFFECT` threshold compares like with like. Compare the **absolute** value: distance
to the centre (about -0.12) is the second strongest driver. Apply the threshold: a couple of small coefficients
remain (here year_built, about -0.01, whose real effect is a U-shape a straight line barely captures, and distance to
the station). Fit on `X_train` only: the test set stays unseen until the final check.

On these 3,450 sales the selection matches the planted drivers: for each correlated group the data has enough rows
to tell the driver from its look-alike. That is a property of this data, not of the Lasso: the next cell shows that
on 1,000 sales it often keeps garden area instead of lot area.
""")
def selected(a):
    picked = _names("selected", a.selected)
    unknown = sorted(picked - set(FEATURES))
    if unknown:
        raise Incorrect(f"`selected` contains names that are not features: {unknown[:5]}.")
    support, ignored, strongest, strong = truth()
    judged = picked - ignored
    tp = len(judged & support)
    precision = tp / len(judged) if judged else 0.0
    recall = tp / len(support)
    theirs = _learner_alpha(a)
    carried = _candidate(theirs) if theirs is not None else None
    summary = f"precision {precision:.2f}, recall {recall:.2f} against the true price drivers (both must be at least 0.8)"
    if precision >= 0.8 and recall >= 0.8 and strong <= picked:
        passed("selected", f"precision {precision:.2f}, recall {recall:.2f} against the true drivers.")
    elif carried is not None and picked == set(scaled_selection(carried)):
        # the learner's Q7 alpha is off (Q7 charged it); their selection is the right procedure with that alpha
        passed("selected", f"with your best_alpha = {carried:.4g} this is what the standardised Lasso keeps "
                           f"({summary}; the one-SE alpha does better).")
    else:
        values = _usable_coefs(a)
        if mislabelled_coefs(a, theirs):
            raise Incorrect(f"`selected`: {summary}. {MISLABELLED}")
        alpha = carried if carried is not None else ref_best_alpha()
        reference = pd.Series(scaled_lasso(alpha)[-1].coef_, index=FEATURES)
        message = _selection_mistake(picked, values) or _selection_mistake(picked, reference)
        if message:
            raise Incorrect(f"`selected`: {summary}. {message}")
        raw_alpha = theirs if theirs is not None else alpha
        if picked == raw_lasso_selection(raw_alpha) or (recall < 0.8 and strongest not in picked):
            raise Incorrect(f"`selected`: {summary}. It looks like the Lasso ran on unscaled features: without "
                            "standardising, each coefficient is in its feature's own units (log price per m², per "
                            "bathroom), so neither the penalty nor the MIN_EFFECT threshold compares like with like: "
                            "living area's per-m² coefficient falls below 0.02 although it is the strongest driver. "
                            "Put a StandardScaler first.")
        missing = sorted(strong - picked)
        if missing:
            raise Incorrect(f"`selected`: {summary}, but it leaves out {', '.join(missing)}, one of the strongest "
                            "drivers (a standardised coefficient of 0.1 or more in absolute value): read the selection "
                            "off the standardised Lasso's coefficients, by absolute value.")
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
                _inconsistent(picked, values)
            raise Incorrect(f"`coefs`: these are the coefficients at another alpha than `best_alpha` (they match "
                            f"alpha = {other:.4g}): fit the Lasso with `alpha=best_alpha`.")
        if _mislabelled(values, known):
            raise Incorrect(MISLABELLED)
        everything = [pd.Series(scaled_lasso(float(x), rows="all")[-1].coef_, index=FEATURES)
                      for x in {ref_best_alpha(), *([alpha] if alpha is not None else [])}]
        if any(np.allclose(values.to_numpy(), ref.to_numpy(), atol=COEF_ATOL, rtol=0) for ref in everything):
            raise Incorrect("`coefs` are the coefficients of a Lasso fitted on all rows, training *and* test: fit it on "
                            "`X_train, y_train` only. A model that has seen the test rows makes the final test score "
                            "optimistic.")
        raise Incorrect("`coefs` are not the coefficients of `make_pipeline(StandardScaler(), Lasso(alpha=best_alpha))` "
                        "fitted on `X_train, y_train` (read them from `lasso_model[-1].coef_`).")
    if mine != picked:
        _inconsistent(picked, values)
    passed("coefs")


def _inconsistent(picked: set[str], values: pd.Series) -> None:
    """`selected` was not read off `coefs` by |coef| >= MIN_EFFECT: name how, if it is a recorded way."""
    message = _selection_mistake(picked, values)
    if message:
        raise Incorrect(f"`selected`: {message}")
    mine = set(values.index[values.abs() >= MIN_EFFECT])
    raise Incorrect(f"`selected` does not match your `coefs`: the features with |coef| >= MIN_EFFECT are {sorted(mine)}.")


RIDGE_RTOL = 0.03
RIDGE_ATOL = 1e-6
# Standardising with the sample sd (pandas' `.std()`, ddof=1) multiplies every column by c = sqrt((n-1)/n); Ridge's
# coefficients become beta(alpha / c²) / c, at most (1/c - 1) + (1/c² - 1) ≈ 1.5/n off in relative terms: 2.5 % for the
# 60 rows of the cases (0.84 % measured). Iterative solvers (lsqr, sparse_cg, sag, saga) at their default tolerance
# agree within 3e-4. Every recorded mistake is at least 10 % off in every coefficient (unscaled, min-max scaled) or has
# other rows (sorted alphas) or another shape (transposed).


@lab.item("ridge_path", reads=["ridge_path"], explanation="""
```python
Z = StandardScaler().fit_transform(X)
return np.array([Ridge(alpha=a).fit(Z, y).coef_ for a in alphas])
```
Scale once, then fit one Ridge per alpha and stack the coefficient vectors so that rows are alphas and columns are
features. Without the scaler the L2 penalty shrinks coefficients by the features' units, not their importance.
Standardising by hand with pandas' `.std()` (the sample sd, ddof=1) or using another solver (`solver="lsqr"`) gives
coefficients within a few tenths of a percent and is accepted.
""")
def ridge_path(a):
    func = a.ridge_path
    require_answer("ridge_path", func)
    if not callable(func):
        raise Incorrect(f"`ridge_path` must be a function; got {type(func).__name__}.")
    cases = ridge_cases()
    first = cases[0]
    out = _call("ridge_path", func, *first.args, about=first.about)
    if out is None:
        raise NotAttempted(f"`ridge_path` returned None ({first.about}): does it `return` its result?")
    if not isinstance(out, np.ndarray):
        raise Incorrect(f"`ridge_path` must return a numpy array (np.array([...]) of the coefficient vectors); got "
                        f"{type(out).__name__} ({first.about}).")

    def values(*args):  # the first case's array is the one already in hand
        return out if len(args) == len(first.args) and all(x is y for x, y in zip(args, first.args)) else func(*args)

    check_function("ridge_path", values, cases, mistakes=[
        (lambda X, y, alphas: ref_ridge(X, y, alphas, scale=False),
         "the features were not standardised: the L2 penalty then shrinks coefficients by the features' units, not their "
         "importance. Apply StandardScaler before Ridge."),
        (lambda X, y, alphas: ref_ridge(X, y, alphas, scale="minmax"),
         "the features were min-max scaled: the brief asks for standardising (mean 0, standard deviation 1) with "
         "StandardScaler, so that each coefficient is per standard deviation."),
        (lambda X, y, alphas: ref_ridge(X, y, alphas).T, "the array is transposed: rows must be alphas, columns features."),
        (lambda X, y, alphas: ref_ridge(X, y, sorted(alphas)),
         "your rows are in ascending order of alpha: rows must follow the order of `alphas` (row i for `alphas[i]`), "
         "whatever that order is."),
    ], rtol=RIDGE_RTOL, atol=RIDGE_ATOL)


def ref_ridge(X, y, alphas, scale: bool | str = True) -> np.ndarray:
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X = np.asarray(X, dtype=float)
    Z = (StandardScaler().fit_transform(X) if scale is True else MinMaxScaler().fit_transform(X) if scale == "minmax"
         else X)
    return np.array([Ridge(alpha=alpha).fit(Z, y).coef_ for alpha in alphas])


@cache
def ridge_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = np.column_stack([rng.normal(0, 1, 60), rng.normal(500, 200, 60), rng.normal(0, 0.01, 60)])
    y = 0.5 * X[:, 0] + 0.002 * X[:, 1] + 30 * X[:, 2] + rng.normal(0, 0.1, 60)
    return X, y


@cache
def ridge_cases() -> list[Case]:
    X, y = ridge_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    return [
        Case((X, y, [0.1, 10.0, 1000.0]), {}, ref_ridge(X, y, [0.1, 10.0, 1000.0]), "on features with scales 1, 200 and 0.01"),
        Case((frame, pd.Series(y), np.array([1.0])), {}, ref_ridge(X, y, [1.0]), "on a DataFrame with one alpha"),
        Case((X, y, [1000.0, 0.1, 10.0]), {}, ref_ridge(X, y, [1000.0, 0.1, 10.0]), "with alphas [1000, 0.1, 10] (not sorted)"),
    ]


@lab.item("penalty_facts", reads=["penalty_facts"], explanation="""
**a**, **b** and **c** can be read off the two panels. **g** is what the resampling table shows: on 1,000 sales the
Lasso keeps garden area in most resamples and lot area in fewer, on 3,450 it keeps lot area almost always; which of
two features correlated at 0.96 it keeps depends on the sample, so a selection is a finding to re-check, not a fact
about buyers. **d** is false: past the best alpha the model underfits (bias), as the CV curve of Q6 shows. **e** is
false: the penalty acts on coefficients, whose size depends on the units, so unscaled features are penalised by
their scale (Q8). **f** is false: Ridge keeps every feature; a short list is what the Lasso's zeros give you. **h** is
false: garden area goes with price as strongly as lot area does (they move together); the Lasso dropped it because,
once lot area is in the model, it adds nothing of its own, not because it has no link with price.
""")
def penalty_facts(a):
    check_choices("penalty_facts", a.penalty_facts, {"a", "b", "c", "g"}, options=list("abcdefgh"), mistakes={
        "a": "a is true: the L2 penalty shrinks the coefficient vector smoothly and never quite reaches zero.",
        "b": "b is true: the L1 penalty produces exact zeros, which is why the Lasso selects features.",
        "c": "c is true: the Lasso picks one of a correlated pair, Ridge shares the weight.",
        "d": "d is false: too large an alpha underfits (high bias); your CV curve rises again at large alphas.",
        "e": "e is false: the penalty acts on coefficient sizes, which depend on the features' units; unscaled features are "
             "penalised by their scale, not their importance. Always standardise before a penalty.",
        "f": "f is false: Ridge keeps every feature with a small weight; the Lasso's exact zeros give the short list.",
        "g": "g is true: the resampling table shows the Lasso's choice between lot area and garden area (correlated at "
             "0.96) flipping from one sample of 1,000 sales to another.",
        "h": "h is false: garden area goes with price nearly as strongly as lot area, its near-twin; the Lasso drops it "
             "because it adds nothing once lot area is in, not because it has no link with price.",
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
