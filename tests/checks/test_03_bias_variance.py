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
    from sklearn.model_selection import GridSearchCV, KFold, train_test_split, validation_curve
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
    search = GridSearchCV(make_pipeline(StandardScaler(), Lasso(max_iter=10_000)), {"lasso__alpha": ALPHAS},
                          cv=CV, scoring="neg_root_mean_squared_error").fit(X_train, y_train)
    best_alpha = search.best_params_["lasso__alpha"]

    def lasso_coefs(alpha, scale=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            steps = [StandardScaler()] if scale else []
            model = make_pipeline(*steps, Lasso(alpha=alpha, max_iter=10_000)).fit(X_train, y_train)
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
        "cv_rmse": -search.cv_results_["mean_test_score"], "best_alpha": best_alpha,
        "coefs": coefs, "selected": set(coefs[coefs.abs() >= MIN_EFFECT].index), "lasso_coefs": lasso_coefs,
    }


# ---------------------------------------------------------------- diagnose


def diagnose_ref(train_rmse, val_rmse, target_rmse, gap=0.10):
    bias = train_rmse > target_rmse
    variance = val_rmse - train_rmse > gap * train_rmse
    return "both" if bias and variance else "high bias" if bias else "high variance" if variance else "good fit"


def test_diagnose_reference_passes(check):
    """Does the solution's `diagnose` pass?"""
    assert check("diagnose", diagnose=diagnose_ref).status == "pass"


def test_diagnose_ratio_alternative_passes(check):
    """Does a correct `diagnose` written with a ratio and a lookup table pass?"""
    def diagnose(train_rmse, val_rmse, target_rmse, gap=0.10):
        table = {(True, True): "both", (True, False): "high bias", (False, True): "high variance", (False, False): "good fit"}
        return table[(bool(train_rmse > target_rmse), bool(val_rmse > train_rmse * (1 + gap)))]

    assert check("diagnose", diagnose=diagnose).status == "pass"


@pytest.mark.parametrize("wrong, fragment", [
    (lambda tr, va, t, gap=0.10: {"high bias": "high variance", "high variance": "high bias"}.get(
        diagnose_ref(tr, va, t, gap), diagnose_ref(tr, va, t, gap)), "swapped high bias and high variance"),
    (lambda tr, va, t, gap=0.10: "both" if va > t and va - tr > gap * tr else "high bias" if va > t else
        "high variance" if va - tr > gap * tr else "good fit", "judged on the *training* error"),
    (lambda tr, va, t, gap=0.10: "both" if tr > t and va - tr > gap else "high bias" if tr > t else
        "high variance" if va - tr > gap else "good fit", "relative to the training error"),
    (lambda tr, va, t, gap=0.10: "both" if tr >= t and va - tr >= gap * tr else "high bias" if tr >= t else
        "high variance" if va - tr >= gap * tr else "good fit", "strict `>`"),
    (lambda tr, va, t, gap=0.10: "high bias" if tr >= t else "high variance" if va - tr > gap * tr else "good fit",
     "'both'"),
    (lambda tr, va, t, gap=0.10: diagnose_ref(tr, va, t), "ignored the `gap` argument"),
    (lambda tr, va, t, gap=0.10: "both" if tr > t and va - tr > gap * va else "high bias" if tr > t else
        "high variance" if va - tr > gap * va else "good fit", "the gap is relative to the *training* error"),
    (lambda tr, va, t, gap=0.10: "both" if tr > t and abs(va - tr) > gap * tr else "high bias" if tr > t else
        "high variance" if abs(va - tr) > gap * tr else "good fit", "not its absolute value"),
    (lambda tr, va, t, gap=0.10: diagnose_ref(tr, va, 0.20, gap), "use the `target_rmse` argument, not the global"),
])
def test_diagnose_mistakes_are_named(check, wrong, fragment):
    """Does each recorded wrong `diagnose` fail with the message naming its mistake?"""
    result = check("diagnose", diagnose=wrong)
    assert result.status == "wrong"
    assert fragment in result.message


def test_diagnose_new_cases(check):
    """Do the cases that tell the gap's base, its sign and the target argument apart expect the brief's labels?"""
    assert diagnose_ref(0.20, 0.2205, 0.25) == "high variance"
    assert diagnose_ref(0.30, 0.20, 0.25) == "high bias"
    assert diagnose_ref(0.22, 0.23, 0.25) == "good fit"


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
    assert check("curve_diagnosis", curve_diagnosis={"A": None, "B": None}).status == "not attempted"
    assert check("curve_diagnosis").status == "not attempted"


def test_more_data_helps(check):
    """Does "B" pass, "A" and "both" fail with their messages, and a placeholder count as not attempted?"""
    assert check("more_data_helps", more_data_helps="B").status == "pass"
    assert "too simple to fit them" in check("more_data_helps", more_data_helps="A").message
    assert "only the high-variance model gains" in check("more_data_helps", more_data_helps="both").message
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


# ---------------------------------------------------------------- best_alpha


def test_best_alpha_reference_passes(check, nb):
    """Does the solution's grid search pass?"""
    assert check("best_alpha", cv_rmse=nb["cv_rmse"], best_alpha=nb["best_alpha"]).status == "pass"


def test_best_alpha_lassocv_reordered_passes(check, nb):
    """Does a LassoCV answer put back in ascending order of alpha pass?"""
    from sklearn.linear_model import LassoCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    lcv = make_pipeline(StandardScaler(), LassoCV(alphas=ALPHAS, cv=nb["CV"], max_iter=10_000)).fit(nb["X_train"], nb["y_train"])[-1]
    cv_rmse = np.sqrt(lcv.mse_path_).mean(axis=1)[np.argsort(lcv.alphas_)]
    assert check("best_alpha", cv_rmse=cv_rmse, best_alpha=lcv.alpha_).status == "pass"


@pytest.mark.parametrize("change, fragment", [
    (lambda nb: {"cv_rmse": nb["cv_rmse"][::-1]}, "*decreasing* order of alpha"),
    (lambda nb: {"cv_rmse": nb["cv_rmse"] ** 2}, "mean squared errors"),
    (lambda nb: {"cv_rmse": -nb["cv_rmse"]}, "negative"),
    (lambda nb: {"best_alpha": float(ALPHAS[int(np.argmax(nb["cv_rmse"]))])}, "*highest* cross-validated error"),
    (lambda nb: {"best_alpha": int(np.argmin(nb["cv_rmse"]))}, "position in `ALPHAS`"),
    (lambda nb: {"cv_rmse": nb["cv_rmse"] * (1 + 0.004)}, "other CV folds than `CV`"),
])
def test_best_alpha_mistakes_are_named(check, nb, change, fragment):
    """Does each recorded mistake in the CV curve or the chosen alpha fail with its message?"""
    answers = {"cv_rmse": nb["cv_rmse"], "best_alpha": nb["best_alpha"]} | change(nb)
    result = check("best_alpha", **answers)
    assert result.status == "wrong"
    assert fragment in result.message


def _grid(nb, **kwargs):
    from sklearn.linear_model import Lasso
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return GridSearchCV(make_pipeline(StandardScaler(), Lasso(max_iter=10_000)), {"lasso__alpha": ALPHAS},
                        scoring="neg_root_mean_squared_error", **kwargs).fit(nb["X_train"], nb["y_train"])


def test_best_alpha_training_scores_are_named(check, nb):
    """Is a CV curve of the folds' training scores (return_train_score=True) refused, even with the right alpha?"""
    search = _grid(nb, cv=nb["CV"], return_train_score=True)
    result = check("best_alpha", cv_rmse=-search.cv_results_["mean_train_score"], best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "*training* rows" in result.message


def test_best_alpha_other_folds_are_named(check, nb):
    """Is a CV curve on `cv=3` (unshuffled folds) instead of `CV` refused, naming the folds?"""
    search = _grid(nb, cv=3)
    result = check("best_alpha", cv_rmse=-search.cv_results_["mean_test_score"], best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "other folds than `CV`" in result.message


def test_best_alpha_cross_validate_loop_passes(check, nb):
    """Does a cross_validate loop on CV (the tight tolerance's legitimate variant) pass?"""
    from sklearn.linear_model import Lasso
    from sklearn.model_selection import cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    cv_rmse = [-cross_validate(make_pipeline(StandardScaler(), Lasso(alpha=a, max_iter=10_000)), nb["X_train"],
                               nb["y_train"], cv=nb["CV"], scoring="neg_root_mean_squared_error")["test_score"].mean()
               for a in ALPHAS]
    assert check("best_alpha", cv_rmse=cv_rmse, best_alpha=nb["best_alpha"]).status == "pass"


def test_best_alpha_tuned_on_test_is_named(check, nb):
    """Are alphas scored on the test set recognised as such?"""
    from sklearn.linear_model import Lasso
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    test = []
    for alpha in ALPHAS:
        model = make_pipeline(StandardScaler(), Lasso(alpha=alpha, max_iter=10_000)).fit(nb["X_train"], nb["y_train"])
        test.append(float(np.sqrt(np.mean((model.predict(nb["X_test"]) - nb["y_test"]) ** 2))))
    result = check("best_alpha", cv_rmse=test, best_alpha=float(ALPHAS[int(np.argmin(test))]))
    assert result.status == "wrong" and "errors on the test set" in result.message
    result = check("best_alpha", cv_rmse=nb["cv_rmse"], best_alpha=float(ALPHAS[int(np.argmin(test))]))
    assert result.status == "wrong" and "best on the test set" in result.message


def test_best_alpha_placeholder_is_not_attempted(check):
    """Are the placeholders of Q6 "not attempted"?"""
    assert check("best_alpha", cv_rmse=None, best_alpha=None).status == "not attempted"


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
    assert result.status == "wrong" and "tiny non-zero coefficients" in result.message


def test_selected_names_that_are_not_features(check, nb):
    """Are names that are not features refused?"""
    result = check("selected", selected=nb["selected"] | {"price"}, coefs=nb["coefs"], best_alpha=nb["best_alpha"])
    assert result.status == "wrong" and "not features" in result.message


def test_selected_carries_forward_a_wrong_best_alpha(check, nb):
    """With the worst alpha of Q6, is the standardised Lasso's (empty) selection at that alpha accepted, once charged?"""
    worst = float(ALPHAS[int(np.argmax(nb["cv_rmse"]))])
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
    """Are the placeholders of Q7 "not attempted"?"""
    blank = {"selected", "coefs"}
    assert check("selected", untouched=blank, selected=None, coefs=None, best_alpha=nb["best_alpha"]).status == "not attempted"
    assert check("selected", selected=nb["selected"], coefs=None, best_alpha=nb["best_alpha"],
                 cv_rmse=nb["cv_rmse"]).status == "not attempted"


# ---------------------------------------------------------------- ridge_path


def ridge_ref(X, y, alphas):
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(X)
    return np.array([Ridge(alpha=a).fit(Z, y).coef_ for a in alphas])


def test_ridge_path_reference_and_alternative_pass(check):
    """Do the solution's `ridge_path` and a hand-standardised one pass?"""
    from sklearn.linear_model import Ridge

    def by_hand(X, y, alphas):
        X = np.asarray(X, dtype=float)
        Z = (X - X.mean(axis=0)) / X.std(axis=0)
        return np.vstack([Ridge(alpha=a).fit(Z, y).coef_ for a in alphas])

    assert check("ridge_path", ridge_path=ridge_ref).status == "pass"
    assert check("ridge_path", ridge_path=by_hand).status == "pass"


def test_ridge_path_mistakes_are_named(check):
    """Are an unscaled and a transposed path refused with their messages?"""
    from sklearn.linear_model import Ridge

    unscaled = check("ridge_path", ridge_path=lambda X, y, alphas: np.array([Ridge(alpha=a).fit(X, y).coef_ for a in alphas]))
    assert unscaled.status == "wrong" and "not standardised" in unscaled.message
    transposed = check("ridge_path", ridge_path=lambda X, y, alphas: ridge_ref(X, y, alphas).T)
    assert transposed.status == "wrong" and "transposed" in transposed.message


def test_ridge_path_sorted_alphas_are_named(check):
    """Is a path whose rows follow sorted(alphas) instead of the given order refused?"""
    result = check("ridge_path", ridge_path=lambda X, y, alphas: ridge_ref(X, y, sorted(alphas)))
    assert result.status == "wrong" and "rows must follow the order of `alphas`" in result.message


def test_ridge_path_missing_is_not_attempted(check):
    """Is a missing `ridge_path` "not attempted"?"""
    assert check("ridge_path").status == "not attempted"


# ---------------------------------------------------------------- Part 4 and 5 choices


def test_penalty_facts(check):
    """Does {a, b, c} pass, adding e or d fail with its message, and None count as not attempted?"""
    assert check("penalty_facts", penalty_facts={"a", "b", "c"}).status == "pass"
    assert "Always standardise before a penalty" in check("penalty_facts", penalty_facts={"a", "b", "c", "e"}).message
    assert "too large an alpha underfits" in check("penalty_facts", penalty_facts=["a", "b", "c", "d"]).message
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
