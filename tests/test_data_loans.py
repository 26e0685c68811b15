"""The loans family (Harbourline Lending): shape, story invariants, and that every planted truth is recoverable
by the intended method but not by a naive look."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

import pmle.data as data
from pmle.data import loans

from conftest import assert_columns

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return data.load("loans")


@pytest.fixture(scope="module")
def key() -> dict:
    return data.answer_key("loans")


def _features(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Model-ready copy: categories stay categorical (HistGradientBoosting handles them), the rest float."""
    X = df[columns].copy()
    for c in columns:
        if not isinstance(X[c].dtype, pd.CategoricalDtype):
            X[c] = X[c].astype("float64")
    return X


def _hgb_auc(df: pd.DataFrame, columns: list[str], train: np.ndarray, test: np.ndarray) -> float:
    X, y = _features(df, columns), df["defaulted"].to_numpy()
    model = HistGradientBoostingClassifier(
        max_iter=120, learning_rate=0.06, categorical_features="from_dtype", random_state=0
    )
    model.fit(X[train], y[train])
    return roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])


def _random_split(df: pd.DataFrame, test_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(df))
    train, _ = train_test_split(idx, test_size=test_share, random_state=seed, stratify=df["defaulted"])
    mask = np.isin(idx, train)
    return mask, ~mask


def _time_split(df: pd.DataFrame, key: dict) -> tuple[np.ndarray, np.ndarray]:
    cutoff = pd.Timestamp(key["time"]["recommended_cutoff"])
    train = (df[key["time"]["column"]] < cutoff).to_numpy()
    return train, ~train


def _single_column_auc(df: pd.DataFrame, column: str, train: np.ndarray, test: np.ndarray) -> float:
    """The audit's per-column AUC: the column alone as a score (categories by their training default rate)."""
    y = df["defaulted"].to_numpy()
    s = df[column]
    if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == bool:
        labels = s.astype(str)
        rate = pd.Series(y[train]).groupby(labels[train].to_numpy()).mean()
        score = labels[test].map(rate).fillna(y[train].mean()).to_numpy()
        return roc_auc_score(y[test], score)
    v = s.astype("float64")
    v = v.fillna(v.min() - 1).to_numpy()
    auc = roc_auc_score(y[test], v[test])
    return max(auc, 1 - auc)


# --------------------------------------------------------------------------
# Shape and story invariants
# --------------------------------------------------------------------------


def test_load_dtypes(df):
    expected = {c.name: c.dtype for c in loans.APPLICATIONS.columns}
    assert_columns(df, expected)
    assert list(df["channel"].cat.categories) == list(loans.CHANNELS)
    nullable = {"annual_income", "employment_length_years", "recovery_amount"}
    for name in df.columns:
        if name not in nullable:
            assert not df[name].isna().any(), name
    for name in nullable:
        assert 0.003 <= df[name].isna().mean() <= 0.08, name


def test_shape_and_ids(df):
    assert 15_000 <= len(df) <= 25_000
    assert df["application_id"].is_unique
    assert df["application_id"].str.fullmatch(r"HL-\d{7}").all()
    assert df["applicant_id"].str.fullmatch(r"C\d{7}").all()
    assert df["application_id"].is_monotonic_increasing  # issued in submission order
    per_applicant = df["applicant_id"].value_counts()
    assert 0.05 <= (per_applicant > 1).mean() <= 0.2
    assert per_applicant.max() <= 6


def test_time_span_and_order(df):
    t = df["submitted_at"]
    assert t.is_monotonic_increasing
    assert t.min() >= pd.Timestamp("2023-01-01") and t.max() < pd.Timestamp("2025-01-01")
    assert t.min() < pd.Timestamp("2023-01-03") and t.max() > pd.Timestamp("2024-12-28")
    assert (t.dt.second != 0).mean() > 0.9  # real timestamps, not dates
    months = t.dt.to_period("M").value_counts()
    assert len(months) == 24 and months.min() >= 400


def test_value_ranges(df):
    assert df["requested_amount"].between(1_000, 35_000).all()
    assert set(df["term_months"]) == {12, 24, 36, 48, 60}
    assert df["interest_rate"].between(3.9, 39.9).all()
    assert df["applicant_age"].between(18, 80).all()
    assert df["annual_income"].dropna().between(5_000, 500_000).all()
    assert df["credit_score"].between(300, 999).all()
    assert df["debt_to_income"].between(0, 65).all()
    assert (df["employment_length_years"].dropna() >= 0).all()
    assert (df["open_credit_lines"] >= 0).all() and (df["delinquencies_2y"] >= 0).all()
    assert set(df["defaulted"]) == {0, 1}
    assert 0.08 <= df["defaulted"].mean() <= 0.2
    assert (df["recovery_amount"].dropna() >= 0).all()
    recovered = df["recovery_amount"].notna()
    assert df.loc[recovered, "recovery_amount"].max() <= 35_000
    assert (df.loc[recovered, "recovery_amount"] <= df.loc[recovered, "requested_amount"]).mean() > 0.99
    # income is missing only where a broker feed lacks it
    assert (df.loc[df["annual_income"].isna(), "channel"] == "broker").all()


# --------------------------------------------------------------------------
# The answer key
# --------------------------------------------------------------------------


def test_key_matches_data(df, key):
    assert key["family"] == "loans" and key["generator_version"] == loans.GENERATOR_VERSION
    for field in ["leaky_columns", "duplicate_groups", "time", "legitimate_columns", "notes", "target"]:
        assert field in key, field
    assert set(key["leaky_columns"]) <= set(df.columns)
    assert set(key["leaky_columns"].values()) == {"post-outcome", "target-derived"}
    assert set(key["legitimate_columns"]) <= set(df.columns)
    assert not set(key["legitimate_columns"]) & set(key["leaky_columns"])
    assert key["target"] == "defaulted" and key["time"]["column"] == "submitted_at"
    ids = set(df["application_id"])
    listed = [i for g in key["duplicate_groups"] for i in g]
    assert set(listed) <= ids and len(listed) == len(set(listed))
    assert key["duplicates"]["rows"] == len(listed)
    cutoff = pd.Timestamp(key["time"]["recommended_cutoff"])
    assert df["submitted_at"].min() < cutoff < df["submitted_at"].max()


# --------------------------------------------------------------------------
# Leaky columns
# --------------------------------------------------------------------------


def test_all_columns_on_a_random_split_is_implausibly_good(df, key):
    columns = key["legitimate_columns"] + list(key["leaky_columns"])
    train, test = _random_split(df, 0.3, seed=0)
    auc = _hgb_auc(df, columns, train, test)
    assert auc > 0.95, auc


@pytest.fixture(scope="module")
def time_split_auc(df, key) -> float:
    """Gradient boosting without the leaky columns, trained before the recommended cutoff, scored after it."""
    return _hgb_auc(df, key["legitimate_columns"], *_time_split(df, key))


def test_without_leaks_on_a_time_split_is_realistic(time_split_auc):
    assert 0.65 <= time_split_auc <= 0.80, time_split_auc


def test_per_column_auc_audit_finds_the_leaks(df, key):
    train, test = _random_split(df, 0.5, seed=1)
    leaky = set(key["leaky_columns"])
    aucs = {c: _single_column_auc(df, c, train, test) for c in key["legitimate_columns"] + sorted(leaky)}
    for c in leaky:
        assert aucs[c] >= 0.85, (c, aucs[c])
    for c in key["legitimate_columns"]:
        assert aucs[c] <= 0.75, (c, aucs[c])
    flagged = {c for c, a in aucs.items() if a >= 0.8}
    assert flagged == leaky


def test_naive_look_does_not_reveal_the_leaks(df, key):
    # Names give nothing away, and the usual "is any column a copy of the target?" check finds nothing:
    # no leaky column separates the classes perfectly, and each takes values seen with both outcomes.
    giveaway = ("default", "target", "label", "outcome", "leak", "future", "after")
    assert not [c for c in df.columns if c != "defaulted" and any(w in c.lower() for w in giveaway)]
    y = df["defaulted"]
    for c in key["leaky_columns"]:
        table = pd.crosstab(df[c].astype(str), y)
        mixed = table[(table[0] > 0) & (table[1] > 0)]
        assert len(mixed) >= 1, c
        assert mixed.sum(axis=1).sum() >= 0.05 * len(df), c  # a sizeable share of rows carries ambiguous values
        assert not df[c].astype(str).equals(y.astype(str)), c


# --------------------------------------------------------------------------
# Re-submitted applications (near-duplicates)
# --------------------------------------------------------------------------


def _pairs(groups) -> set[frozenset]:
    return {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}


def test_duplicate_groups_are_consistent(df, key):
    groups = key["duplicate_groups"]
    assert 0.02 <= key["duplicates"]["extra_rows"] / len(df) <= 0.06
    number = {i: n for n, g in enumerate(groups) for i in g}
    rows = df[df["application_id"].isin(number)]
    by_group = rows.groupby(rows["application_id"].map(number), observed=True)
    assert len(by_group) == len(groups)
    assert (by_group[["applicant_id", "defaulted", "loan_purpose", "region", "applicant_age"]].nunique() == 1).all().all()
    span = by_group["submitted_at"].max() - by_group["submitted_at"].min()
    assert (span <= pd.Timedelta(days=20)).all()
    # near-identical, not identical: most groups differ in at least one application field
    differs = by_group[["requested_amount", "credit_score", "channel", "interest_rate"]].nunique().max(axis=1) > 1
    assert differs.mean() > 0.8


def test_grouping_on_applicant_and_rounded_features_finds_the_duplicates(df, key):
    # Rows with the same applicant, purpose and income (to the nearest 1,000) submitted within 30 days of the
    # previous such row form one group.
    keys = ["applicant_id", "loan_purpose", "income_k"]
    frame = df.assign(income_k=df["annual_income"].fillna(-1).round(-3), loan_purpose=df["loan_purpose"].astype(str))
    frame = frame.sort_values([*keys, "submitted_at"], kind="stable")
    same = (frame[keys] == frame[keys].shift()).all(axis=1)
    close = frame["submitted_at"].diff() <= pd.Timedelta(days=30)
    group = (~(same & close)).cumsum()
    found_groups = frame.groupby(group)["application_id"].apply(list)
    found = _pairs(g for g in found_groups if len(g) > 1)
    planted = _pairs(key["duplicate_groups"])
    recall = len(found & planted) / len(planted)
    precision = len(found & planted) / len(found)
    assert recall >= 0.9 and precision >= 0.9, (recall, precision)


def test_exact_duplicate_check_finds_few(df, key):
    assert df.duplicated().sum() == 0
    assert df.drop(columns=["application_id"]).duplicated().sum() == 0
    # even ignoring both ids and the timestamp, only a small minority of the planted extra rows are exact copies
    exact = df.drop(columns=["application_id", "applicant_id", "submitted_at"]).duplicated().sum()
    assert exact <= 0.2 * key["duplicates"]["extra_rows"], exact


# --------------------------------------------------------------------------
# Time: regime change
# --------------------------------------------------------------------------


def test_default_rate_rises_after_the_regime_change(df, key):
    change = pd.Timestamp(key["time"]["regime_change"])
    before = df.loc[df["submitted_at"] < change, "defaulted"].mean()
    after = df.loc[df["submitted_at"] >= change, "defaulted"].mean()
    assert after >= 1.5 * before, (before, after)
    assert key["time"]["default_rate_before"] == pytest.approx(before, abs=1e-4)
    assert key["time"]["default_rate_after"] == pytest.approx(after, abs=1e-4)


def test_random_split_is_optimistic_versus_time_split(df, key, time_split_auc):
    columns = key["legitimate_columns"]
    test_share = (~_time_split(df, key)[0]).mean()
    random_aucs = [_hgb_auc(df, columns, *_random_split(df, test_share, seed=s)) for s in (11, 12)]
    assert min(random_aucs) - time_split_auc >= 0.04, (random_aucs, time_split_auc)


def test_naive_random_cv_looks_stable(df, key):
    # Random folds agree with each other, so random cross-validation alone gives no hint of the drift.
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = key["legitimate_columns"]
    X = _features(df, columns)
    categorical = [c for c in columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    numeric = [c for c in columns if c not in categorical]
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), categorical),
            (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ),
        LogisticRegression(max_iter=2000),
    )
    scores = cross_val_score(
        model, X, df["defaulted"], cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring="roc_auc"
    )
    assert scores.std() < 0.02, scores
    train, test = _time_split(df, key)
    p_test = model.fit(X[train], df["defaulted"][train]).predict_proba(X[test])[:, 1]
    assert scores.min() > roc_auc_score(df["defaulted"][test], p_test) + 0.02
