"""The housing family (Fernvale Realty): shape, story invariants, and that every planted truth is recoverable
by the intended method but not by a naive look."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import Lasso, LassoCV, LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import pmle.data as data
from pmle.data import housing

SUPPORT_THRESHOLD = 0.02  # |coef| on standardised features, in log price per sd (a 2 % price effect)


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return data.load("housing")


@pytest.fixture(scope="module")
def key() -> dict:
    return data.answer_key("housing")


@pytest.fixture(scope="module")
def X(df, key) -> pd.DataFrame:
    """Every numeric feature (bools as 0/1, energy_label as its ordinal code), as a lab would prepare them."""
    numeric = [c for c in key["features"] if c not in key["categorical_features"]]
    frame = df[numeric].astype("float64")
    order = key["ordinal_encodings"]["energy_label"]
    frame["energy_label"] = df["energy_label"].map({label: i for i, label in enumerate(order)}).astype("float64")
    return frame


@pytest.fixture(scope="module")
def y(df) -> np.ndarray:
    return np.log(df["sale_price_eur"].to_numpy(dtype="float64"))


@pytest.fixture(scope="module")
def split(X, y):
    return train_test_split(X, y, test_size=0.25, random_state=0)


def _precision_recall(selected: set[str], key: dict) -> tuple[float, float]:
    selected = set(selected) - {key["nonlinear_feature"]["feature"]}  # neither zero nor linear
    truth = set(key["true_coefficients"])
    tp = len(selected & truth)
    return tp / max(len(selected), 1), tp / len(truth)


# --------------------------------------------------------------------------
# Shape and story invariants
# --------------------------------------------------------------------------


def test_load_dtypes(df):
    expected = {c.name: c.dtype for c in housing.SALES.columns}
    assert list(df.columns) == list(expected)
    for name, dtype in expected.items():
        if dtype == "str":
            assert pd.api.types.is_string_dtype(df[name].dtype), name
        else:
            assert str(df[name].dtype) == dtype, (name, df[name].dtype)
    assert not df.isna().any().any()
    assert list(df["energy_label"].cat.categories) == list(housing.ENERGY_LABELS)


def test_shape_and_ids(df):
    assert 3_000 <= len(df) <= 6_000
    assert df["sale_id"].is_unique and df["sale_id"].str.fullmatch(r"FV-\d{2}-\d{5}").all()
    assert df["listing_id"].is_unique
    assert df["sale_date"].is_monotonic_increasing
    assert df["sale_date"].min() >= pd.Timestamp("2022-01-01") and df["sale_date"].max() <= pd.Timestamp("2024-12-31")
    numeric_features = [c for c in df.columns if c not in ("sale_id", "sale_date", "sale_price_eur")]
    assert 20 <= len(numeric_features) <= 30


def test_value_ranges(df):
    apt = df["property_type"] == "apartment"
    assert (df.loc[apt, ["lot_area_m2", "garden_area_m2"]] == 0).all().all()
    assert (df.loc[~apt, "lot_area_m2"] > 0).all()
    assert (df["garden_area_m2"] <= df["lot_area_m2"]).all()
    assert (df.loc[~apt, "floor"] == 0).all()
    assert df["living_area_m2"].between(25, 450).all()
    assert (df["bedrooms"] < df["total_rooms"]).all()
    assert df["year_built"].between(1850, 2024).all()
    assert (df["year_built"] <= df["sale_date"].dt.year).all()
    assert (df["years_since_renovation"] <= df["sale_date"].dt.year - df["year_built"]).all()
    assert df["condition_score"].between(1, 10).all() and df["school_rating"].between(1, 10).all()
    assert (df["distance_to_centre_km"] > 0).all()
    assert (df["sale_price_eur"] % 500 == 0).all()
    assert 200_000 <= df["sale_price_eur"].median() <= 500_000
    assert df["sale_price_eur"].between(50_000, 3_000_000).all()


# --------------------------------------------------------------------------
# The answer key
# --------------------------------------------------------------------------


def test_key_matches_data(df, key):
    assert key["family"] == "housing" and key["generator_version"] == housing.GENERATOR_VERSION
    assert key["target"] == "sale_price_eur" and key["target_transform"] == "log"
    features = set(key["features"])
    assert features <= set(df.columns)
    truth, zero = set(key["true_coefficients"]), set(key["zero_features"])
    nonlinear = key["nonlinear_feature"]["feature"]
    assert truth | zero | {nonlinear} == features
    assert not truth & zero and nonlinear not in truth | zero
    assert 5 <= len(truth) <= 8
    assert key["noise_id_column"] in zero and df[key["noise_id_column"]].nunique() > 0.95 * len(df)
    assert isinstance(key["notes"], str) and key["notes"]


def test_true_model_reproduces_the_prices(df, key, y):
    # OLS on the true design (standardised support + the planted U) gives back the key's coefficients.
    truth = key["true_coefficients"]
    Z = StandardScaler().fit_transform(df[list(truth)].astype("float64"))
    u = housing.year_built_effect(df["year_built"].to_numpy())
    design = np.column_stack([Z, u])
    ols = LinearRegression().fit(design, y)
    for name, coef in zip(truth, ols.coef_[:-1]):
        assert coef == pytest.approx(truth[name], abs=0.01), name
    assert ols.coef_[-1] == pytest.approx(1.0, abs=0.08)
    residual = y - ols.predict(design)
    assert residual.std() == pytest.approx(key["noise_sd"], rel=0.05)


# --------------------------------------------------------------------------
# Sparse support: Lasso with and without scaling, and the naive correlation look
# --------------------------------------------------------------------------


def _lasso(X: pd.DataFrame, y: np.ndarray, scale: bool) -> LassoCV:
    values = StandardScaler().fit_transform(X) if scale else X.to_numpy()
    return LassoCV(cv=5, max_iter=100_000, random_state=0).fit(values, y)


@pytest.fixture(scope="module")
def lasso_scaled(X, y) -> LassoCV:
    return _lasso(X, y, scale=True)


@pytest.fixture(scope="module")
def lasso_raw(X, y) -> LassoCV:
    return _lasso(X, y, scale=False)


def _support(model: LassoCV, X: pd.DataFrame, scale: bool) -> tuple[set[str], dict]:
    # Compare effects on one scale: coefficient per standard deviation of the feature.
    per_sd = model.coef_ * (1.0 if scale else X.std(ddof=0).to_numpy())
    effects = dict(zip(X.columns, per_sd))
    return {c for c, v in effects.items() if abs(v) >= SUPPORT_THRESHOLD}, effects


def test_lasso_on_standardised_features_recovers_the_support(lasso_scaled, X, key):
    selected, effects = _support(lasso_scaled, X, scale=True)
    precision, recall = _precision_recall(selected, key)
    assert precision >= 0.8 and recall >= 0.8, (precision, recall, sorted(selected))
    for name, coef in key["true_coefficients"].items():
        assert np.sign(effects[name]) == np.sign(coef), name


def test_lasso_one_standard_error_rule_also_recovers_the_support(lasso_scaled, X, y, key):
    Z = StandardScaler().fit_transform(X)
    cv = lasso_scaled
    mse, se = cv.mse_path_.mean(axis=1), cv.mse_path_.std(axis=1) / np.sqrt(cv.mse_path_.shape[1])
    best = np.argmin(mse)
    alpha = cv.alphas_[mse <= mse[best] + se[best]].max()
    coef = Lasso(alpha=alpha, max_iter=100_000).fit(Z, y).coef_
    precision, recall = _precision_recall({c for c, v in zip(X.columns, coef) if v != 0}, key)
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)


def test_lasso_without_scaling_recovers_the_support_clearly_worse(lasso_scaled, lasso_raw, X, key):
    scaled, _ = _support(lasso_scaled, X, scale=True)
    raw, _ = _support(lasso_raw, X, scale=False)
    p_scaled, r_scaled = _precision_recall(scaled, key)
    p_raw, r_raw = _precision_recall(raw, key)
    f1 = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    assert r_raw <= 0.5, (p_raw, r_raw, sorted(raw))
    assert f1(p_scaled, r_scaled) - f1(p_raw, r_raw) >= 0.3
    # ... and its plain non-zero pattern misses small-scale true features too
    nonzero = {c for c, v in zip(X.columns, lasso_raw.coef_) if v != 0}
    assert len(set(key["true_coefficients"]) - nonzero) >= 3


def test_top_correlations_are_not_the_support(X, y, key):
    truth = set(key["true_coefficients"])
    corr = X.corrwith(pd.Series(y, index=X.index)).abs().sort_values(ascending=False)
    top = set(corr.index[: len(truth)])
    assert top != truth
    assert len(top & truth) / len(truth) <= 0.67, sorted(top)
    assert set(key["correlated_decoys"]) & top  # decoys crowd in
    # a true effect that the marginal correlation hides (confounded by size and property type)
    assert corr["distance_to_centre_km"] < 0.1


# --------------------------------------------------------------------------
# The noise ID: impurity vs permutation importance
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forest(split):
    X_train, _, y_train, _ = split
    return RandomForestRegressor(n_estimators=30, random_state=0, n_jobs=1).fit(X_train, y_train)


def test_impurity_importance_overrates_the_noise_id(forest, X, key):
    imp = pd.Series(forest.feature_importances_, index=X.columns)
    noise = key["noise_id_column"]
    others = imp[[c for c in key["zero_features"] if c in imp.index and c != noise]]
    assert (others < imp[noise]).mean() >= 0.6, imp.sort_values(ascending=False).round(4).to_dict()
    assert imp[noise] > 0.01


def test_permutation_importance_puts_the_noise_id_at_zero(forest, split, X, key):
    _, X_test, _, y_test = split
    noise = key["noise_id_column"]
    perm = permutation_importance(forest, X_test, y_test, n_repeats=3, random_state=0, n_jobs=1)
    mean = pd.Series(perm.importances_mean, index=X.columns)
    assert abs(mean[noise]) < 0.003, mean[noise]
    assert abs(mean[noise]) < 0.01 * mean.max()
    truth = [c for c in key["true_coefficients"] if c != "lot_area_m2"]
    assert (mean[truth] > mean[noise]).all()


# --------------------------------------------------------------------------
# The non-linearity: partial dependence
# --------------------------------------------------------------------------


def test_partial_dependence_shows_the_u_shape(split, key):
    X_train, X_test, y_train, y_test = split
    feature = key["nonlinear_feature"]["feature"]
    model = HistGradientBoostingRegressor(max_iter=200, learning_rate=0.08, random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.7
    pd_ = partial_dependence(model, X_train, [feature], grid_resolution=25)
    grid, curve = pd_["grid_values"][0], pd_["average"][0]
    low = int(np.argmin(curve))
    assert 0 < low < len(curve) - 1  # not monotonic: the minimum is inside
    assert curve[0] - curve[low] >= 0.08 and curve[-1] - curve[low] >= 0.05, curve.round(3)
    bottom = key["nonlinear_feature"]["minimum_at"]
    assert abs(grid[low] - bottom) <= 20, grid[low]


def test_naive_linear_look_misses_the_nonlinearity(lasso_scaled, X, y, key):
    feature = key["nonlinear_feature"]["feature"]
    r = np.corrcoef(X[feature], y)[0, 1]
    assert abs(r) < 0.1, r
    # the year's linear coefficient is small next to the true effects
    _, effects = _support(lasso_scaled, X, scale=True)
    assert abs(effects[feature]) < min(abs(v) for v in key["true_coefficients"].values())
