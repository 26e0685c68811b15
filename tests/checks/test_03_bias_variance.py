"""Unit tests of autograder/checks/03_bias_variance.py: every item on in-memory answers, no notebook run.

The reference answers are computed here the way the solution notebook computes them (a learner's view), not
read from the module, so a test passing means the module accepts what the notebook produces.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

LAB = "03_bias_variance"
SEED, N_CURVE, MIN_EFFECT = 1234, 1500, 0.02
FEATURES = ["listing_id", "living_area_m2", "lot_area_m2", "garden_area_m2", "total_rooms", "bedrooms", "bathrooms",
            "floor", "has_balcony", "garage_spaces", "year_built", "years_since_renovation", "condition_score",
            "energy_label", "distance_to_centre_km", "distance_to_station_km", "school_rating", "street_noise_db",
            "listing_photos", "days_on_market"]
DEPTHS = list(range(1, 13))
ALPHAS = np.logspace(-4, 0, 13)


@pytest.fixture
def check(verdict):
    """check(item, **answers) -> Verdict of lab 03."""
    return lambda item, cell_errors=None, untouched=(), **answers: verdict(LAB, item, cell_errors, untouched, **answers)


@pytest.fixture(scope="module")
def nb(one_thread):
    """The solution notebook's state: the split, the curves and the Lasso, computed as its cells do."""
    from sklearn.linear_model import Lasso
    from sklearn.model_selection import KFold, train_test_split, validation_curve
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    from pmle.data import load

    sales = load("housing")
    X = (sales[FEATURES].assign(has_balcony=sales["has_balcony"].astype(int), energy_label=sales["energy_label"].cat.codes)
         .astype(float))
    y = np.log(sales["sale_price_eur"]).rename("log_price")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SEED)
    X_curve, y_curve = X_train.iloc[:N_CURVE], y_train.iloc[:N_CURVE]
    CV = KFold(n_splits=3, shuffle=True, random_state=SEED)
    tr, va = validation_curve(DecisionTreeRegressor(random_state=SEED), X_curve, y_curve, param_name="max_depth",
                              param_range=DEPTHS, cv=CV, scoring="neg_root_mean_squared_error")
    cv_table = lasso_curve(X_train, y_train, ALPHAS, CV)
    best = cv_table.loc[cv_table["cv_rmse"].idxmin()]
    best_alpha = float(cv_table.loc[cv_table["cv_rmse"] <= best["cv_rmse"] + best["cv_se"], "alpha"].max())

    def lasso_coefs(alpha, scale=True, rows="train"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            steps = [StandardScaler()] if scale else []
            Xa, ya = (X, y) if rows == "all" else (X_train, y_train)
            model = make_pipeline(*steps, Lasso(alpha=alpha, max_iter=10_000)).fit(Xa, ya)
        return pd.Series(model[-1].coef_, index=FEATURES)

    def test_rmse(model):
        return float(np.sqrt(np.mean((model.predict(X_test) - y_test) ** 2)))

    coefs = lasso_coefs(best_alpha)
    return {
        "X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test, "X_curve": X_curve, "y_curve": y_curve,
        "CV": CV, "depth_train_rmse": -tr.mean(axis=1), "depth_val_rmse": -va.mean(axis=1),
        "best_depth": DEPTHS[int(np.argmin(-va.mean(axis=1)))],
        "depth_test_rmse": np.array([test_rmse(DecisionTreeRegressor(max_depth=d, random_state=SEED).fit(X_curve, y_curve))
                                     for d in DEPTHS]),
        "cv_table": cv_table, "best_alpha": best_alpha,
        "coefs": coefs, "selected": set(coefs[coefs.abs() >= MIN_EFFECT].index), "lasso_coefs": lasso_coefs,
    }


# ---------------------------------------------------------------- diagnose


def diagnose_ref(train_rmse, val_rmse, bayes_rmse, margin=0.02):
    bias = train_rmse - bayes_rmse > margin
    variance = val_rmse - train_rmse > margin
    return "both" if bias and variance else "high bias" if bias else "high variance" if variance else "good fit"


def _label(bias, variance):
    return "both" if bias and variance else "high bias" if bias else "high variance" if variance else "good fit"


def test_diagnose_reference_passes(check):
    """Does the solution's `diagnose` pass?"""
    assert check("diagnose", diagnose=diagnose_ref).status == "pass"


def test_diagnose_sums_alternative_passes(check):
    """Does a correct `diagnose` written with sums (`train > bayes + margin`) and a lookup table pass?"""
    def diagnose(train_rmse, val_rmse, bayes_rmse, margin=0.02):
        table = {(True, True): "both", (True, False): "high bias", (False, True): "high variance", (False, False): "good fit"}
        return table[(bool(train_rmse > bayes_rmse + margin), bool(val_rmse > train_rmse + margin))]

    assert check("diagnose", diagnose=diagnose).status == "pass"


@pytest.mark.parametrize("wrong, fragment", [
    (lambda tr, va, b, margin=0.02: {"high bias": "high variance", "high variance": "high bias"}.get(
        diagnose_ref(tr, va, b, margin), diagnose_ref(tr, va, b, margin)), "swapped high bias and high variance"),
    (lambda tr, va, b, margin=0.02: _label(tr > 0.20, va - tr > margin), "bias against the valuers' target"),
    (lambda tr, va, b, margin=0.02: _label(va - b > margin, va - tr > margin), "judged on the *training* error"),
    (lambda tr, va, b, margin=0.02: _label(tr > b, va - tr > margin), "compare the *avoidable* bias"),
    (lambda tr, va, b, margin=0.02: _label(tr - b > margin, va - tr > margin * tr), "the margin is in RMSE units"),
    (lambda tr, va, b, margin=0.02: _label(tr - b > margin * b, va - tr > margin * tr), "the margin is in RMSE units"),
    (lambda tr, va, b, margin=0.02: _label(tr - b >= margin, va - tr >= margin), "strict `>`"),
    (lambda tr, va, b, margin=0.02: _label(tr - b > margin, va - tr >= margin), "strict `>`"),
    (lambda tr, va, b, margin=0.02: "high bias" if tr - b > margin else "high variance" if va - tr > margin else "good fit",
     "'both'"),
    (lambda tr, va, b, margin=0.02: diagnose_ref(tr, va, b), "ignored the `margin` argument"),
    (lambda tr, va, b, margin=0.02: _label(tr - b > margin, abs(va - tr) > margin), "not its absolute value"),
    (lambda tr, va, b, margin=0.02: _label(abs(tr - b) > margin, va - tr > margin), "avoidable bias is signed"),
    (lambda tr, va, b, margin=0.02: diagnose_ref(tr, va, 0.16, margin), "use the `bayes_rmse` argument, not the global"),
])
def test_diagnose_mistakes_are_named(check, wrong, fragment):
    """Does each recorded wrong `diagnose` fail with the message naming its mistake?"""
    result = check("diagnose", diagnose=wrong)
    assert result.status == "wrong"
    assert fragment in result.message


def test_diagnose_mistakes_are_told_apart():
    """Does every recorded mistake answer the cases differently from the reference and from every other mistake?"""
    from conftest import lab_checks

    module = lab_checks(LAB).module
    seen = {tuple(module.ref_diagnose(*a, **k) for a, k, _ in module.DIAGNOSE_CASES)}
    for wrong, message in module.DIAGNOSE_MISTAKES:
        answers = tuple(wrong(*a, **k) for a, k, _ in module.DIAGNOSE_CASES)
        assert answers not in seen, message
        seen.add(answers)


def test_diagnose_cases_say_what_the_brief_says(check):
    """Do the cases that tell avoidable bias from the target, and the boundary, expect the brief's labels?"""
    assert diagnose_ref(0.19, 0.195, 0.16) == "high bias"  # under the 0.20 target, yet 0.03 above the irreducible error
    assert diagnose_ref(0.02, 0.30, 0.16) == "high variance"  # below the irreducible error: memorised, not biased
    assert diagnose_ref(0.375, 0.5, 0.25, margin=0.125) == "good fit"  # exactly on both boundaries
    assert diagnose_ref(0.50, 0.515, 0.49) == "good fit"


def test_diagnose_other_labels_are_refused(check):
    """Does a `diagnose` returning a label outside DIAGNOSES fail with that said?"""
    result = check("diagnose", diagnose=lambda *a, **k: diagnose_ref(*a, **k).title())
    assert result.status == "wrong" and "must return one of DIAGNOSES" in result.message


def test_diagnose_missing_or_unwritten_is_not_attempted(check):
    """Is a missing `diagnose`, or one that still raises NotImplementedError, "not attempted"?"""
    def unwritten(*args, **kwargs):
        raise NotImplementedError

    assert check("diagnose").status == "not attempted"
    assert check("diagnose", diagnose=unwritten).status == "not attempted"


def test_diagnose_that_raises_is_an_error(check):
    """Is a `diagnose` that raises reported as an error in the learner's code?"""
    def broken(*args, **kwargs):
        raise ValueError("oops")

    result = check("diagnose", diagnose=broken)
    assert result.status == "error" and "ValueError" in result.message


# ---------------------------------------------------------------- rmse_learning_curve


def curve_ref(estimator, X, y, train_sizes, cv, scoring="neg_root_mean_squared_error", sign=-1):
    from sklearn.model_selection import learning_curve

    n, tr, va = learning_curve(estimator, X, y, train_sizes=train_sizes, cv=cv, scoring=scoring)
    return pd.DataFrame({"n_train": n, "train_rmse": sign * tr.mean(axis=1), "val_rmse": sign * va.mean(axis=1)})


def test_learning_curve_reference_passes(check):
    """Does the solution's `rmse_learning_curve` pass?"""
    assert check("rmse_learning_curve", rmse_learning_curve=curve_ref).status == "pass"


def test_learning_curve_rows_in_any_order_pass(check):
    """Does a correct frame with its rows in another order (and a different index) pass?"""
    def reordered(*args):
        return curve_ref(*args).iloc[::-1].set_index(pd.Index(["x", "y", "z"]))

    assert check("rmse_learning_curve", rmse_learning_curve=reordered).status == "pass"


def test_learning_curve_fold_rmse_alternative_passes(check):
    """Does the mean over folds of per-fold RMSE computed from MSE scores pass?"""
    from sklearn.model_selection import learning_curve

    def via_mse(estimator, X, y, train_sizes, cv):
        n, tr, va = learning_curve(estimator, X, y, train_sizes=train_sizes, cv=cv, scoring="neg_mean_squared_error")
        return pd.DataFrame({"n_train": n, "train_rmse": np.sqrt(-tr).mean(axis=1), "val_rmse": np.sqrt(-va).mean(axis=1)})

    assert check("rmse_learning_curve", rmse_learning_curve=via_mse).status == "pass"


@pytest.mark.parametrize("wrong, fragment", [
    (lambda *a: curve_ref(*a, sign=1), "sign flipped"),
    (lambda *a: curve_ref(*a, scoring="neg_mean_squared_error"), "mean squared errors"),
    (lambda *a: curve_ref(*a, scoring="r2", sign=1), "R² scores"),
    (lambda *a: curve_ref(*a).rename(columns={"train_rmse": "val_rmse", "val_rmse": "train_rmse"})[
        ["n_train", "train_rmse", "val_rmse"]], "swapped"),
    (lambda est, X, y, sizes, cv: curve_ref(est, X, y, sizes, cv).assign(n_train=np.asarray(sizes, dtype=float)),
     "absolute number of training rows"),
    (lambda *a: curve_ref(*a)[["n_train", "val_rmse", "train_rmse"]], "in that order"),
    (lambda *a: curve_ref(*a).rename(columns={"n_train": "size"}), "exactly n_train, train_rmse and val_rmse"),
    (lambda *a: curve_ref(*a).to_numpy(), "must return a pandas DataFrame"),
])
def test_learning_curve_mistakes_are_named(check, wrong, fragment):
    """Does each recorded wrong `rmse_learning_curve` fail with the message naming its mistake?"""
    result = check("rmse_learning_curve", rmse_learning_curve=wrong)
    assert result.status == "wrong"
    assert fragment in result.message


def test_learning_curve_missing_is_not_attempted(check):
    """Is a missing `rmse_learning_curve` "not attempted"?"""
    assert check("rmse_learning_curve").status == "not attempted"


# ---------------------------------------------------------------- curve_diagnosis, more_data_helps


def test_curve_diagnosis(check):
    """Does the right reading pass, the swapped one fail naming the confusion, and a blank one count as not attempted?"""
    assert check("curve_diagnosis", curve_diagnosis={"A": "high bias", "B": "high variance"}).status == "pass"
    wrong = check("curve_diagnosis", curve_diagnosis={"A": "high variance", "B": "high bias"})
    assert wrong.status == "wrong" and "confusing the two" in wrong.message
    both = check("curve_diagnosis", curve_diagnosis={"A": "high bias", "B": "both"})
    assert both.status == "wrong" and "below the irreducible error, so there is no avoidable bias" in both.message
    assert check("curve_diagnosis", curve_diagnosis={"A": None, "B": None}).status == "not attempted"
    assert check("curve_diagnosis").status == "not attempted"


def test_curve_diagnosis_is_judged_against_the_irreducible_error():
    """Are the expected labels the rule of Q1 against the key's noise sd (0.16), A well above it, B below it?"""
    from conftest import lab_checks

    module = lab_checks(LAB).module
    assert module.irreducible() == pytest.approx(0.16)
    (a_train, a_val), (b_train, b_val) = module.curve_errors()["A"], module.curve_errors()["B"]
    assert a_train - module.irreducible() > 0.05 and a_val - a_train < 0.02
    assert b_train < module.irreducible() and b_val - b_train > 0.2


def test_more_data_helps(check):
    """Do {b, e} pass, the biased model, the target reached by B and "never helps" fail with their messages?"""
    assert check("more_data_helps", more_data_helps={"b", "e"}).status == "pass"
    assert check("more_data_helps", more_data_helps=["e", "B"]).status == "pass"
    assert "too simple to fit them" in check("more_data_helps", more_data_helps={"a", "b", "e"}).message
    assert "√2" in check("more_data_helps", more_data_helps={"b", "c", "d"}).message
    assert "b is true" in check("more_data_helps", more_data_helps={"e"}).message
    assert check("more_data_helps", more_data_helps=None).status == "not attempted"


# ---------------------------------------------------------------- best_depth


def test_best_depth_reference_passes(check, nb):
    """Do the solution's curves and depth pass, also as plain lists?"""
    answers = {k: nb[k] for k in ("depth_train_rmse", "depth_val_rmse", "best_depth")}
    assert check("best_depth", **answers).status == "pass"
    as_lists = {k: list(v) if k != "best_depth" else int(v) for k, v in answers.items()}
    assert check("best_depth", **as_lists).status == "pass"


@pytest.mark.parametrize("change, fragment", [
    (lambda nb: {"depth_val_rmse": nb["depth_test_rmse"]}, "errors on the test set"),
    (lambda nb: {"depth_val_rmse": nb["depth_train_rmse"]}, "*training* errors"),
    (lambda nb: {"depth_val_rmse": -nb["depth_val_rmse"]}, "negative"),
    (lambda nb: {"depth_train_rmse": nb["depth_val_rmse"]}, "`validation_curve` returns the training scores first"),
    (lambda nb: {"best_depth": DEPTHS[-1]}, "lowest *training* error"),
])
def test_best_depth_mistakes_are_named(check, nb, change, fragment):
    """Does each recorded mistake in the validation curve or the chosen depth fail with its message?"""
    answers = {k: nb[k] for k in ("depth_train_rmse", "depth_val_rmse", "best_depth")} | change(nb)
    result = check("best_depth", **answers)
    assert result.status == "wrong"
    assert fragment in result.message


def test_best_depth_on_the_wrong_rows_is_named(check, nb):
    """Is a validation curve run on X_train instead of X_curve recognised?"""
    from sklearn.model_selection import validation_curve
    from sklearn.tree import DecisionTreeRegressor

    tr, va = validation_curve(DecisionTreeRegressor(random_state=SEED), nb["X_train"], nb["y_train"],
                              param_name="max_depth", param_range=DEPTHS, cv=nb["CV"],
                              scoring="neg_root_mean_squared_error")
    result = check("best_depth", depth_train_rmse=-tr.mean(axis=1), depth_val_rmse=-va.mean(axis=1), best_depth=6)
    assert result.status == "wrong" and "`X_curve, y_curve`" in result.message


def test_best_depth_placeholder_is_not_attempted(check):
    """Are the placeholders of Q5 "not attempted"?"""
    assert check("best_depth", depth_train_rmse=None, depth_val_rmse=None, best_depth=None).status == "not attempted"
    assert check("best_depth").status == "not attempted"


# ---------------------------------------------------------------- lasso_cv, best_alpha


def lasso_curve(X, y, alphas, cv):
    """The solution's `lasso_cv_curve`."""
    from sklearn.linear_model import Lasso
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    search = GridSearchCV(make_pipeline(StandardScaler(), Lasso(max_iter=10_000)), {"lasso__alpha": list(alphas)},
                          cv=cv, scoring="neg_root_mean_squared_error", refit=False).fit(X, y)
    folds = -np.column_stack([search.cv_results_[f"split{i}_test_score"] for i in range(search.n_splits_)])
    return pd.DataFrame({"alpha": np.asarray(alphas, dtype=float), "cv_rmse": folds.mean(axis=1),
                         "cv_se": folds.std(axis=1, ddof=1) / np.sqrt(folds.shape[1])})


def curve_variant(X, y, alphas, cv, *, scale="fold", ddof=0, scores="test", se="se", use_lassocv=False):
    """A hand-written `lasso_cv_curve`, right or with one recorded mistake (the learner's view, not the module's)."""
    from sklearn.linear_model import Lasso, LassoCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if use_lassocv:
        lcv = make_pipeline(StandardScaler(), LassoCV(alphas=list(alphas), cv=cv, max_iter=10_000)).fit(X, y)[-1]
        folds = np.sqrt(lcv.mse_path_)
        return pd.DataFrame({"alpha": lcv.alphas_, "cv_rmse": folds.mean(axis=1),
                             "cv_se": folds.std(axis=1, ddof=1) / np.sqrt(folds.shape[1])})
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if scale == "once":
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for tr, va in cv.split(X):
            Xa, Xb, ya, yb = X[tr], X[va], y[tr], y[va]
            if scale == "fold":
                mean, sd = Xa.mean(axis=0), Xa.std(axis=0, ddof=ddof)
                Xa, Xb = (Xa - mean) / sd, (Xb - mean) / sd
            if scores == "train":
                Xb, yb = Xa, ya
            rows.append([np.sqrt(np.mean((Lasso(alpha=a, max_iter=10_000).fit(Xa, ya).predict(Xb) - yb) ** 2))
                         for a in alphas])
    folds = np.array(rows)
    spread = {"se": folds.std(axis=0, ddof=1) / np.sqrt(len(folds)), "sd": folds.std(axis=0, ddof=1),
              "se0": folds.std(axis=0) / np.sqrt(len(folds)), "sd/k": folds.std(axis=0, ddof=1) / len(folds)}[se]
    return pd.DataFrame({"alpha": np.asarray(alphas, dtype=float), "cv_rmse": folds.mean(axis=0), "cv_se": spread})


def test_lasso_cv_reference_passes(check, nb):
    """Do the solution's function and table pass?"""
    result = check("lasso_cv", lasso_cv_curve=lasso_curve, cv_table=nb["cv_table"])
    assert result.status == "pass", result.message


@pytest.mark.parametrize("variant", [
    dict(),                           # a hand loop with StandardScaler's statistics, sample SE
    dict(ddof=1),                     # standardised by hand with the sample sd (pandas' .std())
    dict(se="se0"),                   # GridSearchCV's std_test_score (ddof=0) / sqrt(k)
])
def test_lasso_cv_correct_variants_pass(check, nb, variant):
    """Do correct variants (hand loops, ddof=1 standardising, the population SE) pass, rows reversed too?"""
    def func(X, y, alphas, cv):
        return curve_variant(X, y, alphas, cv, **variant).iloc[::-1]

    result = check("lasso_cv", lasso_cv_curve=func, cv_table=func(nb["X_train"], nb["y_train"], ALPHAS, nb["CV"]))
    assert result.status == "pass", result.message


@pytest.mark.parametrize("variant, fragment", [
    (dict(use_lassocv=True), "a leaky penalty search"),
    (dict(scale="once"), "a leaky penalty search"),
    (dict(scale="none"), "an unscaled penalty search"),
    (dict(scores="train"), "*training* rows"),
    (dict(se="sd"), "standard deviation of the fold errors, not the standard error"),
    (dict(se="sd/k"), "*square root* of the number of folds"),
])
def test_lasso_cv_mistakes_are_named(check, nb, variant, fragment):
    """Is each recorded mistake of `lasso_cv_curve` named on the new data (the reference table alongside)?"""
    result = check("lasso_cv", lasso_cv_curve=lambda *a: curve_variant(*a, **variant), cv_table=nb["cv_table"])
    assert result.status == "wrong", result.message
    assert fragment in result.message


@pytest.mark.parametrize("change, fragment", [
    (lambda f: f.assign(cv_rmse=f["cv_rmse"] ** 2), "squared errors"),
    (lambda f: f.assign(cv_rmse=-f["cv_rmse"]), "negative"),
    (lambda f: f.assign(cv_rmse=f["cv_rmse"].to_numpy()[::-1]), "reverse order"),
    (lambda f: f.rename(columns={"cv_se": "se"}), "exactly alpha, cv_rmse and cv_se"),
    (lambda f: f.iloc[:-1], "one row per alpha"),
    (lambda f: f.to_numpy(), "must be a pandas DataFrame"),
])
def test_lasso_cv_output_mistakes_are_named(check, nb, change, fragment):
    """Are a squared, negated or mispaired curve, other columns, a missing row and an array named?"""
    result = check("lasso_cv", lasso_cv_curve=lambda *a: change(lasso_curve(*a)), cv_table=nb["cv_table"])
    assert result.status == "wrong"
    assert fragment in result.message


def test_lasso_cv_scaling_once_is_measurable_on_the_cases():
    """Does scaling once differ from scaling per fold by far more than the tolerance, and a ddof=1 variant by far less?"""
    from conftest import lab_checks

    module = lab_checks(LAB).module
    first, _ = module.lasso_cases()[0]
    ref = module.lasso_fold_rmse(*first).mean(axis=0)
    once = module.lasso_fold_rmse(*first, scale="once").mean(axis=0)
    by_hand = curve_variant(*first, ddof=1)["cv_rmse"].to_numpy()
    jensen = np.sqrt((module.lasso_fold_rmse(*first) ** 2).mean(axis=0))
    assert np.max(np.abs(once / ref - 1)) > 5 * module.CASE_RTOL
    assert np.max(np.abs(jensen / ref - 1)) > 5 * module.CASE_RTOL
    assert np.max(np.abs(by_hand / ref - 1)) < module.CASE_RTOL / 2


@pytest.mark.parametrize("cv_table_of, fragment", [
    (lambda nb: lasso_curve(nb["X_train"], nb["y_train"], ALPHAS, 3), "other folds than `CV`"),
    (lambda nb: lasso_curve(nb["X_curve"], nb["y_curve"], ALPHAS, nb["CV"]), "`X_curve, y_curve`"),
    (lambda nb: nb["cv_table"].assign(cv_se=nb["cv_table"]["cv_se"] * np.sqrt(3)), "not the standard error"),
])
def test_cv_table_mistakes_are_named(check, nb, cv_table_of, fragment):
    """With a right function, is a table on other folds, on the curve rows or with the fold sd as error named?"""
    result = check("lasso_cv", lasso_cv_curve=lasso_curve, cv_table=cv_table_of(nb))
    assert result.status == "wrong"
    assert fragment in result.message


def test_lasso_cv_placeholders_are_not_attempted(check, nb):
    """Are the unwritten function and the placeholder table "not attempted"?"""
    def unwritten(*args):
        raise NotImplementedError

    assert check("lasso_cv", lasso_cv_curve=unwritten, cv_table=None).status == "not attempted"
    assert check("lasso_cv", lasso_cv_curve=lasso_curve, cv_table=None).status == "not attempted"
    assert check("lasso_cv").status == "not attempted"


def test_one_se_rule_is_robust_here(nb):
    """Is the one-SE pick 0.0046 under both SE conventions, with margins far above the spread of correct curves?"""
    table = nb["cv_table"]
    folds_sd = table["cv_se"] * np.sqrt(3)
    best = table["cv_rmse"].idxmin()
    for se in (table["cv_se"], folds_sd * np.sqrt(2 / 3) / np.sqrt(3)):
        threshold = table.loc[best, "cv_rmse"] + se[best]
        inside = table["cv_rmse"] <= threshold
        assert table.loc[inside, "alpha"].max() == pytest.approx(ALPHAS[5])
        assert np.min(np.abs(table["cv_rmse"] - threshold)) > 5e-4
    assert nb["best_alpha"] == pytest.approx(ALPHAS[5])


def test_best_alpha_reference_passes(check, nb):
    """Does the one-SE alpha pass, with or without the table, and as a numpy float?"""
    assert check("best_alpha", best_alpha=nb["best_alpha"], cv_table=nb["cv_table"]).status == "pass"
    assert check("best_alpha", best_alpha=np.float64(nb["best_alpha"])).status == "pass"


@pytest.mark.parametrize("alpha, fragment", [
    (ALPHAS[4], "the lowest mean CV RMSE"),
    (ALPHAS[6], "one standard *deviation*"),
    (ALPHAS[0], "the *smallest* alpha within one standard error"),
    (ALPHAS[0], "the test set must not choose the penalty"),
    (ALPHAS[11], "*highest* cross-validated error"),
    (5, "position in `ALPHAS`"),
    (0.003, "not one of the candidates"),
    (ALPHAS[8], "minimum plus its standard error"),
])
def test_best_alpha_mistakes_are_named(check, nb, alpha, fragment):
    """Is each recorded wrong alpha (exact minimum, one SD, smallest, test set, worst, a position) named?"""
    result = check("best_alpha", best_alpha=alpha, cv_table=nb["cv_table"])
    assert result.status == "wrong"
    assert fragment in result.message


def test_best_alpha_carries_forward_the_learners_table(check, nb):
    """With a table whose cv_se is the fold sd (charged in Q6), is the one-SE pick of that table accepted?"""
    table = nb["cv_table"].assign(cv_se=nb["cv_table"]["cv_se"] * np.sqrt(3))
    result = check("best_alpha", best_alpha=ALPHAS[6], cv_table=table)
    assert result.status == "pass" and "your `cv_table`" in result.message
    # a forged table that matches no recorded curve carries nothing
    forged = nb["cv_table"].assign(cv_rmse=np.linspace(0.2, 0.1, 13))
    assert check("best_alpha", best_alpha=ALPHAS[12], cv_table=forged).status == "wrong"


def test_best_alpha_placeholder_is_not_attempted(check, nb):
    """Is the placeholder of Q7 "not attempted", and a worked answer on a missing table blocked by Q6?"""
    assert check("best_alpha", untouched={"best_alpha"}, best_alpha=None).status == "not attempted"
    assert check("best_alpha", best_alpha=None, cv_table=nb["cv_table"], lasso_cv_curve=lasso_curve).status == "not attempted"
    assert check("best_alpha", best_alpha=None).status == "blocked"


# ---------------------------------------------------------------- selected


def test_selected_reference_passes(check, nb):
    """Does the solution's selection pass against the answer key, as a set, a list or an Index?"""
    for selected in (nb["selected"], sorted(nb["selected"]), pd.Index(sorted(nb["selected"]))):
        result = check("selected", selected=selected, coefs=nb["coefs"], best_alpha=nb["best_alpha"])
        assert result.status == "pass", result.message


def test_selected_coefs_in_another_order_pass(check, nb):
    """Is `coefs` compared by feature label, so a reordered Series passes?"""
    result = check("selected", selected=nb["selected"], coefs=nb["coefs"].sort_values(), best_alpha=nb["best_alpha"])
    assert result.status == "pass", result.message


def test_selected_unscaled_lasso_is_named(check, nb):
    """Is a Lasso on unscaled features recognised (its selection misses the strongest driver)?"""
    raw = nb["lasso_coefs"](nb["best_alpha"], scale=False)
    result = check("selected", selected=set(raw[raw.abs() >= MIN_EFFECT].index), coefs=raw, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "StandardScaler first" in result.message


def test_selected_every_nonzero_is_named(check, nb):
    """Is keeping every non-zero coefficient (no MIN_EFFECT threshold) recognised?"""
    coefs = nb["coefs"]
    result = check("selected", selected=set(coefs[coefs != 0].index), coefs=coefs, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "you kept every non-zero coefficient" in result.message


def test_selected_positive_only_is_named(check, nb):
    """Is a selection that drops the strong negative driver (no absolute value) named, though it passes the recall bar?"""
    coefs = nb["coefs"]
    positive = set(coefs[coefs >= MIN_EFFECT].index)
    assert "distance_to_centre_km" not in positive and len(positive) == 5  # recall 5/6 would pass a plain 0.8 bar
    result = check("selected", selected=positive, coefs=coefs, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "only the *positive* coefficients" in result.message
    result = check("selected", selected=nb["selected"] - {"living_area_m2"}, coefs=coefs, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "living_area_m2, one of the strongest drivers" in result.message


def test_selected_lasso_on_train_and_test_is_named(check, nb):
    """Is a Lasso fitted on all rows (train and test) refused by its coefficients, although its selection is right?"""
    coefs = nb["lasso_coefs"](nb["best_alpha"], rows="all")
    chosen = set(coefs[coefs.abs() >= MIN_EFFECT].index)
    assert chosen == nb["selected"]
    result = check("selected", selected=chosen, coefs=coefs, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "fitted on all rows, training *and* test" in result.message


def test_selected_names_that_are_not_features(check, nb):
    """Are names that are not features refused?"""
    result = check("selected", selected=nb["selected"] | {"price"}, coefs=nb["coefs"], best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "not features" in result.message


def test_selected_carries_forward_a_wrong_best_alpha(check, nb):
    """With the worst alpha of Q7, is the standardised Lasso's (empty) selection at that alpha accepted, once charged?"""
    worst = float(ALPHAS[int(np.argmax(nb["cv_table"]["cv_rmse"]))])
    coefs = nb["lasso_coefs"](worst)
    chosen = set(coefs[coefs.abs() >= MIN_EFFECT].index)
    result = check("selected", selected=chosen, coefs=coefs, best_alpha=worst)
    assert result.status == "pass", result.message
    assert "your best_alpha" in result.message
    # the same selection without that earlier mistake is simply wrong
    assert check("selected", selected=chosen, coefs=coefs, best_alpha=nb["best_alpha"]).status == "wrong"


@pytest.mark.parametrize("index", [0, 1, 7, None])
def test_selected_coefs_at_another_alpha_are_named(check, nb, index):
    """Are `coefs` of a Lasso fitted at another alpha than `best_alpha` (ALPHAS[0], [1], [7], 0.01) refused?"""
    alpha = 0.01 if index is None else float(ALPHAS[index])
    assert not np.isclose(alpha, nb["best_alpha"])
    coefs = nb["lasso_coefs"](alpha)
    result = check("selected", selected=set(coefs[coefs.abs() >= MIN_EFFECT].index), coefs=coefs,
                   best_alpha=nb["best_alpha"])
    assert result.status == "wrong", result.message
    if index is not None:
        assert "another alpha than `best_alpha`" in result.message


def test_selected_coefs_follow_the_learners_best_alpha(check, nb):
    """With another grid alpha as best_alpha, are the coefficients at that alpha expected (carry-forward)?"""
    other = float(ALPHAS[7])
    coefs = nb["lasso_coefs"](other)
    chosen = set(coefs[coefs.abs() >= MIN_EFFECT].index)
    assert check("selected", selected=chosen, coefs=coefs, best_alpha=other).status == "pass"
    result = check("selected", selected=nb["selected"], coefs=nb["coefs"], best_alpha=other)
    assert result.status == "wrong" and "another alpha than `best_alpha`" in result.message


def test_selected_without_best_alpha_is_still_graded(check, nb):
    """Is `selected` graded (not blocked) when `best_alpha` is missing or its cell raised?"""
    assert check("selected", selected=nb["selected"], coefs=nb["coefs"]).status == "pass"
    broken = check("selected", cell_errors={"best_alpha": "ValueError: x"}, selected=nb["selected"], coefs=nb["coefs"],
                   best_alpha=nb["best_alpha"])
    assert broken.status == "pass"


def test_selected_coefs_mislabelled_or_inconsistent(check, nb):
    """Are `coefs` under shuffled labels (and a selection read from them), `coefs` without labels, and a `selected` that ignores `coefs` refused?"""
    coefs = nb["coefs"]
    shuffled = pd.Series(coefs.to_numpy(), index=sorted(FEATURES))
    result = check("selected", selected=nb["selected"], coefs=shuffled, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "wrong labels" in result.message
    result = check("selected", selected=nb["selected"], coefs=coefs.to_numpy(), best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "pandas Series" in result.message
    mislabelled = set(shuffled[shuffled.abs() >= MIN_EFFECT].index)
    result = check("selected", selected=mislabelled, coefs=shuffled, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "wrong labels" in result.message and "unscaled" not in result.message
    zeroed = coefs.copy()
    zeroed[:] = 0.0
    result = check("selected", selected=nb["selected"], coefs=zeroed, best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "does not match your `coefs`" in result.message


def test_selected_placeholder_is_not_attempted(check, nb):
    """Are the placeholders of Q8 "not attempted"?"""
    blank = {"selected", "coefs"}
    assert check("selected", untouched=blank, selected=None, coefs=None, best_alpha=nb["best_alpha"]).status == "not attempted"
    assert check("selected", selected=nb["selected"], coefs=None, best_alpha=nb["best_alpha"],
                 cv_table=nb["cv_table"]).status == "not attempted"


# ---------------------------------------------------------------- ridge_path


def ridge_ref(X, y, alphas):
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(X)
    return np.array([Ridge(alpha=a).fit(Z, y).coef_ for a in alphas])


def test_ridge_path_reference_and_alternative_pass(check):
    """Do the solution's `ridge_path`, a hand-standardised one, pandas' sample sd (ddof=1) and other solvers pass?"""
    from sklearn.linear_model import Ridge

    def by_hand(X, y, alphas, ddof=0):
        X = np.asarray(X, dtype=float)
        Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=ddof)
        return np.vstack([Ridge(alpha=a).fit(Z, y).coef_ for a in alphas])

    def pandas_std(X, y, alphas):
        X = pd.DataFrame(X)
        return np.array([Ridge(alpha=a).fit((X - X.mean()) / X.std(), y).coef_ for a in alphas])

    def solver(name):
        def path(X, y, alphas):
            X = np.asarray(X, dtype=float)
            Z = (X - X.mean(axis=0)) / X.std(axis=0)
            return np.array([Ridge(alpha=a, solver=name).fit(Z, y).coef_ for a in alphas])

        return path

    for func in (ridge_ref, by_hand, lambda *a: by_hand(*a, ddof=1), pandas_std, solver("lsqr"), solver("sparse_cg"),
                 solver("sag"), solver("saga"), solver("svd")):
        result = check("ridge_path", ridge_path=func)
        assert result.status == "pass", result.message


def test_ridge_path_tolerance_is_derived():
    """Is the tolerance above the ddof=1 bound (about 1.5/n) and below every recorded mistake's smallest deviation?"""
    from conftest import lab_checks

    module = lab_checks(LAB).module
    X, y = module.ridge_data()
    alphas = [0.1, 10.0, 1000.0]
    ref = module.ref_ridge(X, y, alphas)
    assert 1.5 / len(X) < module.RIDGE_RTOL
    for scale in (False, "minmax"):
        wrong = module.ref_ridge(X, y, alphas, scale=scale)
        assert np.min(np.abs(wrong / ref - 1)) > 3 * module.RIDGE_RTOL


def test_ridge_path_mistakes_are_named(check):
    """Are an unscaled and a transposed path refused with their messages?"""
    from sklearn.linear_model import Ridge

    unscaled = check("ridge_path", ridge_path=lambda X, y, alphas: np.array([Ridge(alpha=a).fit(X, y).coef_ for a in alphas]))
    assert unscaled.status == "wrong" and "not standardised" in unscaled.message
    transposed = check("ridge_path", ridge_path=lambda X, y, alphas: ridge_ref(X, y, alphas).T)
    assert transposed.status == "wrong" and "transposed" in transposed.message


def test_ridge_path_min_max_and_lists_are_named(check):
    """Are a min-max scaled path and a list of arrays (the next cell needs an array) refused with their messages?"""
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import MinMaxScaler

    minmax = check("ridge_path", ridge_path=lambda X, y, alphas: np.array(
        [Ridge(alpha=a).fit(MinMaxScaler().fit_transform(X), y).coef_ for a in alphas]))
    assert minmax.status == "wrong" and "min-max scaled" in minmax.message
    listed = check("ridge_path", ridge_path=lambda X, y, alphas: list(ridge_ref(X, y, alphas)))
    assert listed.status == "wrong" and "must return a numpy array" in listed.message


def test_ridge_path_sorted_alphas_are_named(check):
    """Is a path whose rows follow sorted(alphas) instead of the given order refused?"""
    result = check("ridge_path", ridge_path=lambda X, y, alphas: ridge_ref(X, y, sorted(alphas)))
    assert result.status == "wrong" and "rows must follow the order of `alphas`" in result.message


def test_ridge_path_missing_is_not_attempted(check):
    """Is a missing `ridge_path` "not attempted"?"""
    assert check("ridge_path").status == "not attempted"


# ---------------------------------------------------------------- Part 4 and 5 choices


def test_penalty_facts(check):
    """Does {a, b, c, g} pass, adding e, d or h or leaving out g fail with its message, and None count as not attempted?"""
    assert check("penalty_facts", penalty_facts={"a", "b", "c", "g"}).status == "pass"
    assert "Always standardise before a penalty" in check("penalty_facts", penalty_facts={"a", "b", "c", "e", "g"}).message
    assert "too large an alpha underfits" in check("penalty_facts", penalty_facts=["a", "b", "c", "d", "g"]).message
    assert "not because it has no link with price" in check("penalty_facts", penalty_facts=set("abcgh")).message
    assert "g is true" in check("penalty_facts", penalty_facts={"a", "b", "c"}).message
    assert check("penalty_facts", penalty_facts=None).status == "not attempted"


TECHNIQUES = {"bagging": "reduces variance", "boosting": "reduces bias", "dropout": "reduces variance",
              "early_stopping": "reduces variance", "more_data": "reduces variance", "polynomial": "reduces bias",
              "larger_alpha": "reduces variance"}


def test_technique_effect(check):
    """Does the right mapping pass, swapped ensembles or more data as bias fail with their messages, and blanks not attempted?"""
    assert check("technique_effect", technique_effect=TECHNIQUES).status == "pass"
    swapped = TECHNIQUES | {"bagging": "reduces bias", "boosting": "reduces variance"}
    assert "it reduces bias (and overfits" in check("technique_effect", technique_effect=swapped).message
    more_data = TECHNIQUES | {"more_data": "reduces bias"}
    assert "cannot help a model too simple" in check("technique_effect", technique_effect=more_data).message
    assert check("technique_effect", technique_effect=dict.fromkeys(TECHNIQUES)).status == "not attempted"


def test_network_actions(check):
    """Does {a, b} pass, test-set stopping or more layers fail with their messages, and None count as not attempted?"""
    assert check("network_actions", network_actions={"a", "b"}).status == "pass"
    assert "stopping epoch on the test set" in check("network_actions", network_actions={"a", "e"}).message
    assert "adds capacity, which cures bias" in check("network_actions", network_actions={"b", "d"}).message
    assert check("network_actions", network_actions=None).status == "not attempted"
