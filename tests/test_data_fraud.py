"""The ``fraud`` family (Kestrel Pay card transactions): shape, invariants, answer key and planted truths.

The planted truths the labs grade against (lab 02 metrics/thresholds, lab 06 class imbalance):

* about 0.5 % confirmed fraud, in every week;
* a simple model gets a high ROC AUC but a much lower PR AUC (ROC looks great under imbalance);
* with the business's cost matrix the cost-minimising threshold is far below 0.5;
* the majority classifier is > 99 % accurate and finds no fraud;
* fraud comes in bursts on compromised cards (ids in the key);
* no single raw field separates fraud.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmle.data as data
from pmle.data import fraud

from conftest import assert_columns

START = pd.Timestamp("2025-03-03")
END = pd.Timestamp("2025-06-02")
VALIDATION_START = pd.Timestamp("2025-05-05")  # weeks 10-13


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return data.load("fraud")


@pytest.fixture(scope="module")
def key() -> dict:
    return data.answer_key("fraud")


def _week(frame: pd.DataFrame) -> pd.Series:
    return ((frame["timestamp"] - START) // pd.Timedelta(days=7)).astype(int)


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    """What a learner would reasonably build from the raw columns."""
    km = frame["distance_from_home_km"]
    return pd.DataFrame(
        {
            "log_amount": np.log(frame["amount_eur"]),
            "log_ratio": np.log(frame["amount_vs_card_median"]),
            "txn_count_24h": frame["txn_count_24h"].astype(float),
            "log_distance": np.log1p(km),
            "hour": frame["timestamp"].dt.hour.astype(float),
            "night": (frame["timestamp"].dt.hour < 6).astype(float),
            "foreign": (frame["merchant_country"] != "NL").astype(float),
            "card_present": frame["card_present"].astype(float),
            "merchant_category": frame["merchant_category"].astype(str),
            "channel": frame["channel"].astype(str),
        }
    )


def _model():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = ["log_amount", "log_ratio", "txn_count_24h", "log_distance", "night", "foreign"]
    return make_pipeline(
        ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["merchant_category", "channel"]),
                ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
            ]
        ),
        LogisticRegression(max_iter=2000),
    )


@pytest.fixture(scope="module")
def scored(df):
    """Logistic regression trained on weeks 1-9, scored on the validation weeks 10-13."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    X = _features(df)
    y = df["is_fraud"].to_numpy()
    train = (df["timestamp"] < VALIDATION_START).to_numpy()
    model = _model().fit(X[train], y[train])
    p = model.predict_proba(X[~train])[:, 1]
    return {
        "p": p,
        "y": y[~train],
        "amount": df["amount_eur"].to_numpy()[~train],
        "roc": roc_auc_score(y[~train], p),
        "pr": average_precision_score(y[~train], p),
    }


# --------------------------------------------------------------------------
# Shape, types, invariants of the story
# --------------------------------------------------------------------------


def test_registered_and_dtypes(df):
    assert "fraud" in data.available()
    expected = {
        "transaction_id": "str",
        "card_id": "str",
        "timestamp": "datetime64[ns]",
        "amount_eur": "float64",
        "merchant_category": "category",
        "merchant_country": "category",
        "card_present": "bool",
        "channel": "category",
        "distance_from_home_km": "float64",
        "txn_count_24h": "int64",
        "amount_vs_card_median": "float64",
        "is_fraud": "int64",
    }
    assert_columns(df, expected)
    assert list(df["channel"].cat.categories) == list(fraud.CHANNELS)
    assert list(df["merchant_category"].cat.categories) == list(fraud.CATEGORIES)
    for name in df.columns:
        if name != "distance_from_home_km":
            assert not df[name].isna().any(), name


def test_size_and_ids(df):
    assert 50_000 <= len(df) <= 80_000
    files = sum(p.stat().st_size for p in (data.data_dir() / "fraud").iterdir())
    assert files < 5_000_000
    assert df["transaction_id"].str.fullmatch(r"TX\d{8}").all()
    assert df["transaction_id"].is_unique
    assert df["card_id"].str.fullmatch(r"KP\d{6}").all()
    per_card = df.groupby("card_id").size()
    assert 1_500 <= len(per_card) <= 2_500
    assert per_card.median() >= 15  # cards have many transactions


def test_time_span_and_order(df):
    ts = df["timestamp"]
    assert ts.is_monotonic_increasing
    assert ts.min() >= START and ts.max() < END
    assert ts.min() < START + pd.Timedelta(days=1) and ts.max() > END - pd.Timedelta(days=1)
    assert sorted(_week(df).unique()) == list(range(13))
    # ids are issued in time order
    assert df["transaction_id"].str[2:].astype(int).is_monotonic_increasing


def test_field_invariants(df):
    assert (df["amount_eur"] > 0).all()
    assert (df["amount_eur"].round(2) == df["amount_eur"]).all()
    assert (df["card_present"] == (df["channel"] != "online")).all()
    cash = df["merchant_category"] == "cash withdrawal"
    assert ((df["channel"] == "atm") == cash).all()
    assert not df.loc[df["merchant_category"].isin(["online marketplace", "digital goods"]), "card_present"].any()
    km = df["distance_from_home_km"]
    assert (km.dropna() >= 0).all()
    assert 0.05 <= km.isna().mean() <= 0.15
    assert km[df["channel"] == "online"].isna().mean() > 3 * km[df["channel"] != "online"].isna().mean()
    assert (df["txn_count_24h"] >= 0).all()
    assert (df["amount_vs_card_median"] > 0).all()
    assert set(df["is_fraud"].unique()) == {0, 1}
    assert 0.75 <= (df["merchant_country"] == "NL").mean() <= 0.9


def test_velocity_is_consistent_with_the_card_history(df):
    """txn_count_24h counts the account's earlier transactions in 24 h (a replacement card keeps the history)."""
    later = df[df["timestamp"] >= START + pd.Timedelta(days=1)]
    t = df["timestamp"].astype("int64").to_numpy() // 10**9
    counted = np.zeros(len(df), dtype=int)
    for _, rows in df.groupby("card_id").indices.items():
        tt = t[rows]
        counted[rows] = np.arange(len(rows)) - np.searchsorted(tt, tt - 86_400, side="left")
    counted = pd.Series(counted, index=df.index)[later.index]
    # same-card transactions are a lower bound; equal for all but the few replacement cards' first day
    assert (later["txn_count_24h"] >= counted).all()
    assert (later["txn_count_24h"] == counted).mean() > 0.995


# --------------------------------------------------------------------------
# The answer key
# --------------------------------------------------------------------------


def test_answer_key_matches_data(df, key):
    assert key["family"] == "fraud" and key["generator_version"] == fraud.GENERATOR_VERSION
    assert key["label"] == "is_fraud" and key["label"] in df.columns
    assert key["n_rows"] == len(df) and key["n_fraud"] == int(df["is_fraud"].sum())
    assert abs(key["positive_rate"] - df["is_fraud"].mean()) < 1e-4
    for feature in key["signal_features"]:
        assert feature in df.columns or feature == "hour", feature
    costs = key["costs"]
    assert costs["currency"] == "EUR"
    assert costs["review_cost_eur"] == fraud.REVIEW_COST_EUR == 5.0
    assert costs["false_positive_eur"] == costs["review_cost_eur"] + costs["friction_cost_eur"]
    assert costs["chargeback_fee_eur"] > 0 and costs["false_negative"] == "amount_eur + chargeback_fee_eur"
    assert costs["true_negative_eur"] == 0.0


def test_answer_key_bursts_match_data(df, key):
    ids = set(df["transaction_id"])
    cards = set(df["card_id"])
    by_id = df.set_index("transaction_id")
    burst_txns = set()
    for burst in key["fraud_bursts"]:
        assert burst["card_id"] in cards
        assert burst["kind"] in {"online", "cloned", "takeover"}
        assert burst["replacement_card_id"] is None or burst["replacement_card_id"] in cards
        txns = burst["transaction_ids"]
        assert len(txns) == burst["n_transactions"] and set(txns) <= ids
        rows = by_id.loc[txns]
        assert (rows["card_id"] == burst["card_id"]).all()
        assert int(rows["is_fraud"].sum()) == burst["n_labelled_fraud"]
        span = rows["timestamp"].max() - rows["timestamp"].min()
        assert span < pd.Timedelta(days=3)
        burst_txns.update(txns)
    # every confirmed fraud belongs to a burst, and the unreported ones are the rest of the bursts
    assert set(df.loc[df["is_fraud"] == 1, "transaction_id"]) <= burst_txns
    unreported = set(key["unreported_test_transaction_ids"])
    assert unreported <= burst_txns
    assert (by_id.loc[sorted(unreported), "is_fraud"] == 0).all()
    assert (by_id.loc[sorted(unreported), "amount_eur"] <= 3.0).all()
    assert key["fraud_burst_card_ids"] == sorted({b["card_id"] for b in key["fraud_bursts"]})


# --------------------------------------------------------------------------
# Planted truths: recovered by the intended method
# --------------------------------------------------------------------------


def test_positive_rate_overall_and_every_week(df, key):
    rate = df["is_fraud"].mean()
    assert 0.004 <= rate <= 0.006, rate
    weekly = df.groupby(_week(df))["is_fraud"].mean()
    assert len(weekly) == 13
    assert weekly.between(0.004, 0.006).all(), weekly.round(4).to_dict()
    assert np.allclose(weekly.to_numpy(), key["weekly_positive_rate"], atol=1e-5)


def test_fraud_comes_in_bursts_on_compromised_cards(df, key):
    """Grouping confirmed fraud by card recovers the burst cards of the key."""
    fraud_rows = df[df["is_fraud"] == 1]
    fraud_cards = set(fraud_rows["card_id"])
    assert fraud_cards <= set(key["fraud_burst_card_ids"])
    assert len(fraud_cards) >= 0.95 * len(key["fraud_burst_card_ids"])
    per_card = fraud_rows.groupby("card_id")["timestamp"].agg(["size", "min", "max"])
    assert (per_card["size"] >= 2).mean() > 0.6
    assert ((per_card["max"] - per_card["min"]) < pd.Timedelta(days=1)).mean() > 0.95
    # the card's velocity rises within a burst
    assert fraud_rows["txn_count_24h"].mean() > 2.5 * df.loc[df["is_fraud"] == 0, "txn_count_24h"].mean()


def test_roc_looks_great_pr_does_not(scored):
    """Under 0.5 % positives a decent model has a high ROC AUC and a far lower PR AUC."""
    assert scored["y"].sum() >= 60
    assert scored["roc"] >= 0.90, scored["roc"]
    assert 0.30 <= scored["pr"] <= 0.60, scored["pr"]
    assert scored["roc"] - scored["pr"] >= 0.3


def test_gradient_boosting_agrees(df):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import average_precision_score, roc_auc_score

    X = _features(df).drop(columns=["merchant_category", "channel"])
    X["electronics_or_online"] = df["merchant_category"].isin(["electronics", "online marketplace"]).astype(float)
    X["magstripe_or_atm"] = df["channel"].isin(["magstripe", "atm"]).astype(float)
    y = df["is_fraud"].to_numpy()
    train = (df["timestamp"] < VALIDATION_START).to_numpy()
    model = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, random_state=0)
    p = model.fit(X[train], y[train]).predict_proba(X[~train])[:, 1]
    roc, pr = roc_auc_score(y[~train], p), average_precision_score(y[~train], p)
    assert roc >= 0.88, roc
    assert pr <= 0.65 and roc - pr >= 0.3, (roc, pr)


def test_cost_minimising_threshold_is_far_below_half(scored, key):
    costs = key["costs"]

    def cost(threshold: float) -> float:
        flagged = scored["p"] >= threshold
        y = scored["y"] == 1
        per_row = np.where(
            flagged,
            costs["review_cost_eur"] + np.where(y, 0.0, costs["friction_cost_eur"]),
            np.where(y, scored["amount"] + costs["chargeback_fee_eur"], 0.0),
        )
        assert np.allclose(per_row, fraud.expected_cost(y, flagged, scored["amount"]))
        return float(per_row.sum())

    grid = np.round(np.arange(0.005, 0.951, 0.005), 3)
    totals = np.array([cost(t) for t in grid])
    best = float(grid[np.argmin(totals)])
    assert best < 0.25, best
    assert totals.min() <= 0.8 * cost(0.5), (totals.min(), cost(0.5))
    # and flagging nothing is worse still
    assert cost(1.01) > cost(0.5)


def test_majority_classifier(df):
    from sklearn.metrics import accuracy_score, recall_score

    y = df["is_fraud"].to_numpy()
    majority = np.zeros_like(y)
    assert accuracy_score(y, majority) > 0.99
    assert recall_score(y, majority, zero_division=0) == 0.0


def test_resampling_tools_available():
    imblearn = pytest.importorskip("imblearn")
    assert hasattr(imblearn, "over_sampling")


# --------------------------------------------------------------------------
# Naive looks do not give the truths away
# --------------------------------------------------------------------------


def test_no_single_raw_field_separates_fraud(df, scored):
    from sklearn.metrics import roc_auc_score

    y = df["is_fraud"].to_numpy()
    aucs = {}
    for name in ["amount_eur", "amount_vs_card_median", "txn_count_24h", "distance_from_home_km"]:
        x = df[name].astype(float)
        x = x.fillna(x.median())
        auc = roc_auc_score(y, x)
        aucs[name] = max(auc, 1 - auc)
    hour = df["timestamp"].dt.hour
    aucs["hour"] = max(roc_auc_score(y, hour), 1 - roc_auc_score(y, hour))
    for name in ["merchant_category", "merchant_country", "channel", "card_present"]:
        # in-sample fraud rate per value: the best a single categorical field can do (optimistic)
        rate = df.groupby(name, observed=True)["is_fraud"].transform("mean")
        aucs[name] = roc_auc_score(y, rate)
    best = max(aucs.values())
    assert best <= 0.85, aucs
    assert best <= scored["roc"] - 0.08, (aucs, scored["roc"])


def test_threshold_half_finds_little(scored):
    """The default 0.5 cut-off misses most fraud: the model's scores sit far below 0.5."""
    recall_at_half = (scored["p"][scored["y"] == 1] >= 0.5).mean()
    assert recall_at_half < 0.5
    assert (scored["p"] >= 0.5).mean() < 0.005


def test_datasheet_is_learner_safe(key):
    text = (data.data_dir() / "fraud" / "DATASHEET.md").read_text(encoding="utf-8")
    assert "given in the labs" in text
    lowered = text.lower()
    for word in ("burst", "test purchase", "takeover", "cloned", "signal", "planted", "velocity", "chargeback fee"):
        assert word not in lowered, word
    for amount in ("15.0", "EUR 15", "€15", "EUR 5 ", "€5", "EUR 3", "€3"):
        assert amount not in text, amount
    for column in fraud.TRANSACTIONS.column_names:
        assert f"`{column}`" in text, column
    assert not any(w in c for c in fraud.TRANSACTIONS.column_names for w in ("leak", "fraud_score", "burst", "flag"))
