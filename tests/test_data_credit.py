"""The ``credit`` family (Northmere Bank loan applications): shape, invariants, answer key and planted truths.

The planted truths the labs grade against (lab 10, fairness and responsible AI):

* protected attribute ``sex``; historical approvals penalised female applicants: the four-fifths rule fails;
* the gap persists among applicants of equal creditworthiness (approved ~ finances + sex), while repayment
  among approved loans does not depend on sex (repaid ~ finances + sex);
* ``part_time`` and ``occupation`` encode sex without naming it; the financial fields do not;
* a model trained on ``approved`` without ``sex`` but with the proxies still reproduces much of the gap,
  and dropping the proxies shrinks it.

fairlearn is not installed: group metrics are computed with pandas / numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmle.data as data
from pmle.data import credit

from conftest import assert_columns

FINANCIAL_RAW = [
    "annual_income_eur",
    "requested_amount_eur",
    "term_months",
    "existing_debt_eur",
    "credit_history_months",
    "previous_defaults",
]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return data.load("credit")


@pytest.fixture(scope="module")
def key() -> dict:
    return data.answer_key("credit")


@pytest.fixture(scope="module")
def binary(df) -> pd.DataFrame:
    """Applicants whose sex is recorded as female or male."""
    return df[df["sex"].isin(["female", "male"])].reset_index(drop=True)


def _financial(frame: pd.DataFrame) -> pd.DataFrame:
    """Creditworthiness features as a credit analyst would build them (no sex, no proxies)."""
    income = frame["annual_income_eur"].astype(float)
    X = pd.DataFrame(
        {
            "log_income": np.log(income),
            "debt_to_income": frame["existing_debt_eur"] / income,
            "loan_to_income": frame["requested_amount_eur"] / income,
            "log_amount": np.log(frame["requested_amount_eur"].astype(float)),
            "term_months": frame["term_months"].astype(float),
            "credit_history_months": frame["credit_history_months"].astype(float),
            "previous_defaults": frame["previous_defaults"].astype(float),
            "years_employed": frame["years_employed"].fillna(0.0),
            "age": frame["age"].astype(float),
            "under_25": (frame["age"] < 25).astype(float),
        }
    )
    employment = pd.get_dummies(frame["employment_type"], prefix="emp", dtype=float)
    return pd.concat([X, employment.drop(columns="emp_permanent")], axis=1)


def _proxies(frame: pd.DataFrame) -> pd.DataFrame:
    occupation = pd.get_dummies(frame["occupation"].astype(str), prefix="occ", dtype=float)
    return pd.concat([occupation, frame["part_time"].astype(float).rename("part_time")], axis=1)


def _standardise(X: pd.DataFrame) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(X.to_numpy(dtype=float))


def _female_coefficient(X: np.ndarray, female: np.ndarray, y: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=3000, C=1e4)  # ~unpenalised: read the coefficient
    model.fit(np.column_stack([X, female]), y)
    return float(model.coef_[0][-1])


def _cv_auc(X: np.ndarray, y: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_predict

    p = cross_val_predict(LogisticRegression(max_iter=3000), X, y, cv=5, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, p))


def _predicted_gap(X: np.ndarray, approved: np.ndarray, female: np.ndarray) -> float:
    """Male minus female mean predicted approval probability (5-fold out-of-fold predictions)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    p = cross_val_predict(LogisticRegression(max_iter=3000), X, approved, cv=5, method="predict_proba")[:, 1]
    return float(p[female == 0].mean() - p[female == 1].mean())


# --------------------------------------------------------------------------
# Shape, types, invariants of the story
# --------------------------------------------------------------------------


def test_registered_and_dtypes(df):
    assert "credit" in data.available()
    expected = {
        "application_id": "str",
        "application_date": "datetime64[ns]",
        "age": "int64",
        "sex": "category",
        "marital_status": "category",
        "postcode_district": "str",
        "employment_type": "category",
        "occupation": "category",
        "years_employed": "float64",
        "part_time": "bool",
        "annual_income_eur": "int64",
        "requested_amount_eur": "int64",
        "term_months": "int64",
        "existing_debt_eur": "int64",
        "credit_history_months": "int64",
        "previous_defaults": "int64",
        "approved": "int64",
        "repaid": "Int64",
    }
    assert_columns(df, expected)
    assert list(df["sex"].cat.categories) == ["female", "male", "unspecified"]
    for name in df.columns:
        if name not in {"occupation", "years_employed", "repaid"}:
            assert not df[name].isna().any(), name


def test_size_ids_and_dates(df):
    assert 15_000 <= len(df) <= 25_000
    files = sum(p.stat().st_size for p in (data.data_dir() / "credit").iterdir())
    assert files < 5_000_000
    assert df["application_id"].str.fullmatch(r"NMB-\d{6}").all()
    assert df["application_id"].is_unique
    assert df["application_id"].str[4:].astype(int).is_monotonic_increasing
    assert df["application_date"].is_monotonic_increasing
    assert df["application_date"].min() >= pd.Timestamp("2021-01-01")
    assert df["application_date"].max() <= pd.Timestamp("2022-12-31")
    assert (df["application_date"].dt.day_of_week < 5).mean() > 0.9


def test_field_invariants(df):
    assert df["age"].between(18, 80).all()
    counts = df["sex"].value_counts(normalize=True)
    assert 0.4 < counts["female"] < 0.6 and 0.4 < counts["male"] < 0.6
    assert 0.005 < counts["unspecified"] < 0.03
    assert df["postcode_district"].str.fullmatch(r"[A-Za-z]{2}\d{1,2}").all()
    lower = df["postcode_district"] != df["postcode_district"].str.upper()
    assert 0.005 < lower.mean() < 0.03  # some typed in lower case
    employed = df["employment_type"].isin(["permanent", "temporary", "self-employed"])
    assert (df["occupation"].notna() == employed).all()
    assert (df["years_employed"].notna() == employed).all()
    assert (df["years_employed"].dropna() >= 0).all()
    assert not df.loc[df["employment_type"].isin(["retired", "unemployed"]), "part_time"].any()
    assert (df["annual_income_eur"] > 0).all()
    assert (df["requested_amount_eur"] % 500 == 0).all()
    assert df["requested_amount_eur"].between(1_000, 75_000).all()
    assert set(df["term_months"]) <= set(credit.TERMS)
    assert (df["existing_debt_eur"] >= 0).all() and (df["existing_debt_eur"] == 0).mean() > 0.3
    assert (df["credit_history_months"] <= (df["age"] - 17) * 12).all()
    assert (df["previous_defaults"] >= 0).all()


def test_outcome_only_for_approved(df):
    assert set(df["approved"].unique()) == {0, 1}
    assert (df["repaid"].notna() == (df["approved"] == 1)).all()
    assert set(df["repaid"].dropna().unique()) == {0, 1}
    default_rate = 1 - df["repaid"].dropna().astype(float).mean()
    assert 0.04 <= default_rate <= 0.15, default_rate


# --------------------------------------------------------------------------
# The answer key
# --------------------------------------------------------------------------


def test_answer_key_matches_data(df, key):
    assert key["family"] == "credit" and key["generator_version"] == credit.GENERATOR_VERSION
    assert key["protected_attribute"] == "sex" in df.columns
    assert key["unprivileged_group"] == "female" and key["privileged_group"] == "male"
    assert key["label_bias"]["label"] == "approved" and key["label_bias"]["penalty_group"] == "female"
    assert key["label_bias"]["approval_log_odds_penalty"] > 0
    for column in key["proxy"]["columns"] + key["financial_columns"]:
        assert column in df.columns, column
    assert "sex" not in key["proxy"]["columns"] and "postcode_district" not in key["proxy"]["columns"]
    rates = df.groupby("sex", observed=True)["approved"].mean()
    for group, rate in key["selection_rates"].items():
        assert abs(rates[group] - rate) < 1e-4, group
    assert abs(key["disparate_impact_ratio"] - rates["female"] / rates["male"]) < 1e-3
    assert abs(key["overall_approval_rate"] - df["approved"].mean()) < 1e-4
    repaid = df[df["approved"] == 1].groupby("sex", observed=True)["repaid"].apply(lambda s: s.astype(float).mean())
    for group, rate in key["repaid_rate_among_approved"].items():
        assert abs(repaid[group] - rate) < 1e-4, group
    assert key["true_default_model"]["sex"] == 0.0


# --------------------------------------------------------------------------
# Planted truths: recovered by the intended method
# --------------------------------------------------------------------------


def test_four_fifths_rule_fails(df):
    rates = df.groupby("sex", observed=True)["approved"].mean()
    ratio = rates["female"] / rates["male"]
    assert ratio < 0.8, ratio
    assert rates["male"] - rates["female"] > 0.12


def test_gap_persists_at_equal_creditworthiness(binary):
    """Controlling for finances, sex still moves approval; it does not move repayment."""
    X = _standardise(_financial(binary))
    female = (binary["sex"] == "female").to_numpy(dtype=float)
    approval_coef = _female_coefficient(X, female, binary["approved"].to_numpy())
    assert approval_coef < -0.6, approval_coef

    approved = (binary["approved"] == 1).to_numpy()
    repaid = binary.loc[approved, "repaid"].astype(int).to_numpy()
    repay_coef = _female_coefficient(X[approved], female[approved], repaid)
    assert abs(repay_coef) < 0.2, repay_coef
    assert abs(repay_coef) < abs(approval_coef) / 4


def test_gap_persists_with_raw_columns(binary):
    """The same holds with the raw columns only (no engineered ratios)."""
    X = _standardise(binary[FINANCIAL_RAW + ["age"]].astype(float).assign(years=binary["years_employed"].fillna(0)))
    female = (binary["sex"] == "female").to_numpy(dtype=float)
    assert _female_coefficient(X, female, binary["approved"].to_numpy()) < -0.6
    approved = (binary["approved"] == 1).to_numpy()
    coef = _female_coefficient(X[approved], female[approved], binary.loc[approved, "repaid"].astype(int).to_numpy())
    assert abs(coef) < 0.2, coef


def test_proxy_encodes_sex_financial_fields_do_not(binary, key):
    female = (binary["sex"] == "female").to_numpy(dtype=int)
    proxy_auc = _cv_auc(_proxies(binary).to_numpy(), female)
    assert proxy_auc > 0.8, proxy_auc
    financial_auc = _cv_auc(_standardise(_financial(binary)), female)
    assert financial_auc < 0.65, financial_auc
    # each proxy on its own already carries much of it
    employed = binary["occupation"].notna()
    pt = binary.loc[employed].groupby("sex", observed=True)["part_time"].mean()
    assert pt["female"] > 4 * pt["male"]
    assert abs(pt["female"] - key["proxy"]["part_time_rate"]["female"]) < 1e-3


def test_dropping_sex_keeps_the_gap_through_the_proxy(binary):
    """Fairness through unawareness fails: without sex, the proxies rebuild much of the gap."""
    female = (binary["sex"] == "female").to_numpy(dtype=int)
    approved = binary["approved"].to_numpy()
    historical = approved[female == 0].mean() - approved[female == 1].mean()
    fin = _standardise(_financial(binary))
    proxies = _proxies(binary).to_numpy()
    with_sex = _predicted_gap(np.column_stack([fin, female]), approved, female)
    with_proxy = _predicted_gap(np.column_stack([fin, proxies]), approved, female)
    without_proxy = _predicted_gap(fin, approved, female)
    assert with_sex > 0.9 * historical
    assert with_proxy >= 0.4 * historical, (with_proxy, historical)
    assert without_proxy <= 0.5 * with_proxy, (without_proxy, with_proxy)
    assert without_proxy < 0.2 * historical


def test_approved_women_repay_at_least_as_well(df):
    """Selection at a higher bar: approved women are no worse (if anything better) risks than approved men."""
    approved = df[df["approved"] == 1]
    repaid = approved.groupby("sex", observed=True)["repaid"].apply(lambda s: s.astype(float).mean())
    assert repaid["female"] >= repaid["male"] - 0.01


# --------------------------------------------------------------------------
# Naive looks do not give the truths away
# --------------------------------------------------------------------------


def test_overall_approval_rate_looks_ordinary(df):
    assert 0.5 <= df["approved"].mean() <= 0.7


def test_no_column_is_named_like_a_truth():
    names = " ".join(credit.APPLICATIONS.column_names).lower()
    for word in ("proxy", "bias", "gender", "penalty", "protected", "score", "fair", "true_"):
        assert word not in names, word


def test_datasheet_is_learner_safe():
    text = (data.data_dir() / "credit" / "DATASHEET.md").read_text(encoding="utf-8")
    lowered = text.lower()
    for word in ("proxy", "penalt", "bias", "discriminat", "four-fifths", "disparate", "stand in", "stands in"):
        assert word not in lowered, word
    for column in credit.APPLICATIONS.column_names:
        assert f"`{column}`" in text, column
