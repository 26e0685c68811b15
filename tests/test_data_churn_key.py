"""The churn family's answer key: it matches the data, and the intended methods recover each planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmle.data as data
from pmle.data import _cities, churn


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return data.load("churn")


@pytest.fixture(scope="module")
def key() -> dict:
    return data.answer_key("churn")


@pytest.fixture(scope="module")
def truth(df, key) -> pd.Series:
    """True for the rows the key lists as billing errors."""
    rows = {(r["customer_id"], pd.Timestamp(r["snapshot_date"])) for r in key["billing_errors"]}
    return pd.Series([pair in rows for pair in zip(df["customer_id"], df["snapshot_date"])], index=df.index)


def _precision_recall(flagged: pd.Series, truth: pd.Series) -> tuple[float, float]:
    tp = int((flagged & truth).sum())
    return tp / max(int(flagged.sum()), 1), tp / int(truth.sum())


def test_key_fields(key):
    for field in ["billing_errors", "city_variants", "never_users", "hazard_coefficients", "notes", "label"]:
        assert field in key, field
    assert key["family"] == "churn"
    assert key["generator_version"] == churn.GENERATOR_VERSION
    assert isinstance(key["notes"], str) and key["notes"]


def test_billing_error_rows_match_the_data(df, key, truth):
    errors = key["billing_errors"]
    assert 20 <= len(errors) <= 80
    assert int(truth.sum()) == len(errors)  # every listed row exists, once
    fee = df.set_index(["customer_id", "snapshot_date"])["monthly_fee"]
    for r in errors:
        billed = fee[(r["customer_id"], pd.Timestamp(r["snapshot_date"]))]
        assert billed == pytest.approx(r["monthly_fee"]), r
        assert r["kind"] in {"zero", "tenfold"}
        if r["kind"] == "zero":
            assert billed == 0.0
        else:
            assert billed == pytest.approx(10 * r["correct_fee"], abs=0.011)
    kinds = pd.Series([r["kind"] for r in errors]).value_counts()
    assert kinds["zero"] >= 10 and kinds["tenfold"] >= 10
    # The same customer's fee on its other rows is the correct one.
    others = df[~truth].groupby("customer_id")["monthly_fee"].median()
    for r in errors:
        if r["customer_id"] in others.index:
            assert others[r["customer_id"]] == pytest.approx(r["correct_fee"]), r
    # Outside the error rows every fee lies in its plan's normal range.
    ranges = key["normal_fee_range"]
    for plan, group in df[~truth].groupby("plan", observed=True):
        low, high = ranges[plan]
        assert group["monthly_fee"].between(low, high).all(), plan


def test_robust_per_plan_zscore_finds_billing_errors(df, truth):
    fee = df["monthly_fee"]
    by_plan = fee.groupby(df["plan"], observed=True)
    median = by_plan.transform("median")
    mad = (fee - median).abs().groupby(df["plan"], observed=True).transform("median")
    robust_z = (fee - median) / (1.4826 * mad)
    precision, recall = _precision_recall(robust_z.abs() > 3.5, truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_per_plan_iqr_fence_finds_billing_errors(df, truth):
    fee = df["monthly_fee"]
    by_plan = fee.groupby(df["plan"], observed=True)
    q1, q3 = by_plan.transform(lambda s: s.quantile(0.25)), by_plan.transform(lambda s: s.quantile(0.75))
    iqr = q3 - q1
    flagged = (fee < q1 - 1.5 * iqr) | (fee > q3 + 1.5 * iqr)
    precision, recall = _precision_recall(flagged, truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_naive_global_zscore_misses_the_zero_fees(df, key, truth):
    fee = df["monthly_fee"]
    z = (fee - fee.mean()) / fee.std()
    flagged = z.abs() > 3
    zero_rows = truth & (fee == 0)
    assert zero_rows.sum() >= 10
    assert (flagged & zero_rows).sum() / zero_rows.sum() <= 0.2
    _, recall = _precision_recall(flagged, truth)
    assert recall <= 0.7, recall


def test_city_variants(df, key):
    variants = key["city_variants"]
    counts = df.drop_duplicates("customer_id")["city"].value_counts()
    assert len(variants) >= 10
    for variant, canonical in variants.items():
        assert variant != canonical
        assert variant in counts.index and canonical in counts.index, (variant, canonical)
        assert counts[canonical] > counts[variant], (variant, canonical)
        assert canonical in _cities.VARIANTS and variant in _cities.VARIANTS[canonical]
    # Mapping the variants leaves no known variant behind.
    cleaned = df["city"].replace(variants)
    assert not cleaned.isin(list(variants)).any()
    assert cleaned.nunique() == df["city"].nunique() - len(variants)


def test_naive_city_normalisation_misses_the_variants(df, key):
    # Case-folding and trimming, the usual first step, merges none of them.
    variants = key["city_variants"]
    folded = {v.strip().casefold() for v in variants}
    canonical = {c.strip().casefold() for c in variants.values()}
    assert not folded & canonical
    assert df["city"].str.strip().str.casefold().nunique() == df["city"].nunique()


def test_never_users_churn_more(df, key):
    label = (df["cancelled_at"] > df["snapshot_date"]) & (
        df["cancelled_at"] <= df["snapshot_date"] + pd.Timedelta(days=30)
    )
    never = df["days_since_last_login"].isna()
    info = key["never_users"]
    assert info["rows"] == int(never.sum())
    assert info["row_share"] == pytest.approx(never.mean(), abs=1e-4)
    assert info["churn_rate_30d"] == pytest.approx(label[never].mean(), abs=1e-4)
    assert info["churn_rate_30d_others"] == pytest.approx(label[~never].mean(), abs=1e-4)
    assert 0.02 <= info["row_share"] <= 0.15
    assert label[never].mean() >= 2.5 * label[~never].mean()
    assert info["churn_rate_ratio"] >= 2.5


def test_never_users_hidden_by_imputation(df):
    # Filling the empty last-login with 0 (a common reflex) makes never-users look like the most active users.
    dsl = df["days_since_last_login"].astype("float64")
    never = dsl.isna()
    filled = dsl.fillna(0)
    assert (filled[never] <= filled[~never].median()).all()


def test_hazard_coefficients_match_the_module(key):
    coefs = key["hazard_coefficients"]
    assert coefs["intercept"] == churn.H_BASE
    assert coefs["never_logged_in"] == churn.H_NEVER_USER
    assert coefs["contract_monthly"] == churn.H_MONTHLY
    assert coefs == churn.HAZARD_COEFFICIENTS
    assert all(isinstance(v, float) for v in coefs.values())
    assert np.isfinite(list(coefs.values())).all()
