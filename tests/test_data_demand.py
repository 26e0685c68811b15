"""The ``demand`` family: shape, answer key, and that each planted change is recoverable but not obvious."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmle.data as data
from pmle.course import paths
from pmle.data import demand

REF_END = pd.Timestamp("2022-12-26")
SCAN_FROM = pd.Timestamp("2023-01-02")
COMMON = [p[0] for p in demand.PRODUCTS if p[6]]  # carried by every store


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return data.load("demand")


@pytest.fixture(scope="module")
def key() -> dict:
    return data.answer_key("demand")


@pytest.fixture(scope="module")
def future(key) -> pd.DataFrame:
    path = paths.course_root() / "autograder" / "keys" / key["future_file"]
    return demand.SALES.read(path)


def psi(ref: np.ndarray, cur: np.ndarray, edges: np.ndarray | None = None, cats=None) -> float:
    """Population stability index; bins at the reference deciles (or categories), proportions floored at 1e-4."""
    if cats is not None:
        e = np.array([(ref == c).mean() for c in cats])
        a = np.array([(cur == c).mean() for c in cats])
    else:
        e = np.histogram(ref, edges)[0] / len(ref)
        a = np.histogram(cur, edges)[0] / len(cur)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(((a - e) * np.log(a / e)).sum())


def deciles(ref: np.ndarray) -> np.ndarray:
    edges = np.quantile(ref, np.linspace(0, 1, 11))
    edges[0], edges[-1] = -np.inf, np.inf
    return edges


def weekly_psi(frame: pd.DataFrame, feature: str) -> pd.Series:
    ref = frame[frame["week_start"] <= REF_END]
    later = frame[frame["week_start"] >= SCAN_FROM]
    if feature == "promo":
        r = ref[feature].astype(str).to_numpy()
        return later.groupby("week_start")[feature].apply(lambda s: psi(r, s.astype(str).to_numpy(), cats=demand.PROMOS))
    r = ref[feature].dropna().to_numpy()
    edges = deciles(r)
    return later.groupby("week_start")[feature].apply(lambda s: psi(r, s.dropna().to_numpy(), edges))


def store_z(frame: pd.DataFrame, feature: str) -> pd.DataFrame:
    """Per store and week: the store's value relative to its 2022 level minus the chain median, as a z-score."""
    if feature == "units_sold":
        wide = frame[frame["product_id"].isin(COMMON)].groupby(["store_id", "week_start"])[feature].sum().unstack()
    else:
        wide = frame.groupby(["store_id", "week_start"])[feature].first().unstack()
    x = wide if feature == "avg_temperature_c" else np.log(wide)
    ref_cols = x.columns <= REF_END
    x = x.sub(x.loc[:, ref_cols].mean(axis=1), axis=0)
    dev = x - x.median(axis=0)
    ref = dev.loc[:, ref_cols]
    z = dev.sub(ref.mean(axis=1), axis=0).div(ref.std(axis=1), axis=0)
    return z.loc[:, z.columns >= SCAN_FROM]


def store_scan(frame: pd.DataFrame, feature: str, z_thr: float, min_weeks: int) -> dict[str, pd.Timestamp]:
    z = store_z(frame, feature)
    flags = z.abs() > z_thr
    return {s: flags.loc[s].idxmax() for s in flags.index if flags.loc[s].sum() >= min_weeks}


# --------------------------------------------------------------------------
# Shape and invariants
# --------------------------------------------------------------------------


def test_shape_and_dtypes(df):
    assert list(df.columns) == demand.SALES.column_names
    for column in demand.SALES.columns:
        assert data.schema.dtype_matches(df[column.name], column), column.name
        if not column.nullable:
            assert not df[column.name].isna().any(), column.name
    weeks = pd.DatetimeIndex(sorted(df["week_start"].unique()))
    assert weeks[0] == pd.Timestamp("2022-01-03") and weeks[-1] == pd.Timestamp("2024-12-30")
    assert len(weeks) == 157 and (weeks.day_of_week == 0).all() and (np.diff(weeks.asi8) == 7 * 86400 * 10**9).all()
    assert df["store_id"].nunique() == 9 and df["product_id"].nunique() == 33
    assert not df.duplicated(["week_start", "store_id", "product_id"]).any()
    per_week = df.groupby("week_start").size()
    assert (per_week == 7 * 33 + 2 * 27).all()
    assert 40_000 <= len(df) <= 50_000


def test_value_ranges(df):
    assert (df["units_sold"] >= 0).all()
    assert df["unit_price_eur"].between(0.3, 25).all()
    assert df["competitor_price_index"].between(0.7, 1.35).all()
    assert df["footfall_index"].dropna().between(60, 160).all()
    assert df["avg_temperature_c"].dropna().between(-15, 35).all()
    # store attributes are fixed per store, categories fixed per product
    assert (df.groupby("store_id", observed=True)[["store_region", "store_format"]].nunique() == 1).all().all()
    assert (df.groupby("product_id", observed=True)["product_category"].nunique() == 1).all()
    # store-level measurements are one value per store and week
    sw = df.groupby(["store_id", "week_start"])[["footfall_index", "avg_temperature_c"]].nunique(dropna=False)
    assert (sw <= 1).all().all()
    # seasonality: ice cream sells more in July than in January, heating the other way round
    month = df["week_start"].dt.month
    ice = df[df["product_category"] == "Ice cream"].groupby(month)["units_sold"].mean()
    heat = df[df["product_category"] == "Heating"].groupby(month)["units_sold"].mean()
    assert ice[7] > 2 * ice[1] and heat[1] > 2 * heat[7]
    xmas = df[df["holiday_week"] == "Christmas"]["units_sold"].mean()
    assert xmas > df["units_sold"].mean()


def test_promotions_lift_sales(df):
    base = df[df["promo"] == "none"].groupby(["store_id", "product_id"])["units_sold"].mean()
    promo = df[df["promo"] == "price_cut"].groupby(["store_id", "product_id"])["units_sold"].mean()
    ratio = (promo / base.reindex(promo.index)).dropna()
    assert ratio.median() > 1.3


# --------------------------------------------------------------------------
# Answer key and hidden future quarter
# --------------------------------------------------------------------------


def test_answer_key_matches_data(df, key):
    assert key["family"] == "demand" and key["generator_version"] == demand.GENERATOR_VERSION
    kinds = {d["kind"] for d in key["drift"]}
    assert kinds == {"covariate", "label", "concept"}
    stores = set(df["store_id"])
    for d in key["drift"]:
        assert d["feature"] in df.columns
        assert set(d["stores"]) <= stores
        start = pd.Timestamp(d["start"])
        assert start.day_of_week == 0 and start in set(df["week_start"])
    for f in key["stable_features"]:
        assert f in df.columns
    assert key["regime_change"]["start"] == next(d["start"] for d in key["drift"] if d["kind"] == "concept")
    assert key["future_file"] == "demand_future.csv"
    assert key["public_rows"] == len(df)


def test_future_file_continues_the_series(df, key, future):
    assert list(future.columns) == list(df.columns)
    weeks = pd.DatetimeIndex(sorted(future["week_start"].unique()))
    assert weeks[0] == df["week_start"].max() + pd.Timedelta(days=7)
    assert weeks[0] == pd.Timestamp("2025-01-06") and weeks[-1] == pd.Timestamp("2025-03-31") and len(weeks) == 13
    assert len(future) == key["future_rows"] == 13 * (7 * 33 + 2 * 27)
    pairs = set(zip(df["store_id"], df["product_id"]))
    assert set(zip(future["store_id"], future["product_id"])) == pairs
    # levels continue: each store's Q1 2025 volume is close to its Q1 2024 volume
    q1_24 = df[(df["week_start"] >= "2024-01-01") & (df["week_start"] <= "2024-03-25")]
    ratio = future.groupby("store_id")["units_sold"].sum() / q1_24.groupby("store_id")["units_sold"].sum()
    assert ratio.between(0.8, 1.25).all(), ratio.to_dict()
    # the planted shift in competitor prices persists into the future
    south = future["store_id"].isin(demand.COMPETITOR_DRIFT_STORES)
    assert future.loc[south, "competitor_price_index"].mean() < future.loc[~south, "competitor_price_index"].mean() - 0.07


# --------------------------------------------------------------------------
# Covariate drift: weekly PSI on the row-level features
# --------------------------------------------------------------------------


def test_weekly_psi_flags_exactly_the_covariate_drift(df, key):
    thr = key["monitoring"]["psi_threshold"]
    scans = {f: weekly_psi(df, f) for f in key["monitoring"]["row_level_features"]}
    flagged = {f for f, s in scans.items() if (s > thr).any()}
    covariate = [d for d in key["drift"] if d["kind"] == "covariate"]
    assert flagged == {d["feature"] for d in covariate}
    for d in covariate:
        s = scans[d["feature"]]
        first = s[s > thr].index.min()
        assert first == pd.Timestamp(d["start"])  # located to the week
        assert s[s.index < first].max() < 0.6 * thr  # quiet before
        assert s[s.index >= first].min() > thr  # and it stays
    for f in set(scans) - flagged:
        assert scans[f].max() < 0.8 * thr, (f, scans[f].max())


def test_covariate_drift_is_limited_to_the_listed_stores(df, key):
    d = next(d for d in key["drift"] if d["kind"] == "covariate")
    thr = key["monitoring"]["psi_threshold"]
    inside = weekly_psi(df[df["store_id"].isin(d["stores"])], d["feature"])
    outside = weekly_psi(df[~df["store_id"].isin(d["stores"])], d["feature"])
    assert inside[inside.index >= d["start"]].min() > 3 * thr
    assert outside.max() < thr


def test_naive_whole_period_mean_hides_the_covariate_drift(df, key):
    d = next(d for d in key["drift"] if d["kind"] == "covariate")
    f = df[d["feature"]]
    first_year = f[df["week_start"] <= REF_END]
    change = f.mean() / first_year.mean() - 1
    # a 'mean moved by more than 5 %' rule stays silent, and a single number has no date
    assert abs(change) < 0.03, change
    assert abs(f.mean() - first_year.mean()) < 0.5 * first_year.std()


# --------------------------------------------------------------------------
# Store-level features and label drift: per-store z-scan
# --------------------------------------------------------------------------


def test_store_scan_finds_the_label_drift_only(df, key):
    mon = key["monitoring"]
    thr = mon["z_threshold"]
    label = next(d for d in key["drift"] if d["kind"] == "label")
    found = {f: store_scan(df, f, thr, 8) for f in mon["store_level_features"]}
    assert found["footfall_index"] == {}
    assert found["avg_temperature_c"] == {}
    assert set(found["units_sold"]) == set(label["stores"])
    for store, start in found["units_sold"].items():
        assert abs((start - pd.Timestamp(label["start"])).days) <= 7, (store, start)
    # the regime-change stores keep their sales level: not flagged
    concept = next(d for d in key["drift"] if d["kind"] == "concept")
    assert not set(found["units_sold"]) & set(concept["stores"])


def test_naive_chain_totals_hide_the_label_drift(df, key):
    label = next(d for d in key["drift"] if d["kind"] == "label")
    start = pd.Timestamp(label["start"])
    total = np.log(df.groupby("week_start")["units_sold"].sum())
    step = total.diff()
    usual = step[step.index <= REF_END].abs()
    # the chain-wide week-on-week change at the planted week is an ordinary one
    assert abs(step[start]) < usual.quantile(0.9), (step[start], usual.quantile(0.9))
    # and the whole-period mean is within a few per cent of the first year (trend included)
    first_year = df[df["week_start"] <= REF_END]["units_sold"].mean()
    assert abs(df["units_sold"].mean() / first_year - 1) < 0.08


# --------------------------------------------------------------------------
# Concept drift at the regime change: inputs still, model error up, retraining helps
# --------------------------------------------------------------------------


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    X = frame[
        [
            "store_id",
            "product_id",
            "promo",
            "holiday_week",
            "unit_price_eur",
            "avg_temperature_c",
            "competitor_price_index",
            "footfall_index",
        ]
    ].copy()
    for c in ["store_id", "product_id", "promo", "holiday_week"]:
        X[c] = X[c].astype("category")
    X["week_of_year"] = frame["week_start"].dt.isocalendar().week.astype(int)
    X["weeks_since_start"] = (frame["week_start"] - pd.Timestamp("2022-01-03")).dt.days // 7
    return X


def _wape(model, X, y) -> float:
    pred = np.expm1(model.predict(X))
    return float(np.abs(pred - y).sum() / y.sum())


@pytest.fixture(scope="module")
def concept_models(df, key):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    X = _features(df)
    y = df["units_sold"].to_numpy()
    week = df["week_start"]

    def fit(mask, cols):
        model = HistGradientBoostingRegressor(
            max_iter=150, learning_rate=0.15, categorical_features="from_dtype", random_state=0
        )
        return model.fit(X.loc[mask, cols], np.log1p(y[mask]))

    static = [c for c in X.columns if c != "weeks_since_start"]
    with threadpool_limits(1):
        old = fit((week < "2024-01-01").to_numpy(), static)
        new = fit((week < "2024-10-07").to_numpy(), list(X.columns))
    return X, y, static, old, new


def test_model_loses_accuracy_after_the_regime_change(df, key, concept_models):
    X, y, static, old, _ = concept_models
    concept = next(d for d in key["drift"] if d["kind"] == "concept")
    start = pd.Timestamp(concept["start"])
    affected = df["store_id"].isin(concept["stores"]).to_numpy()
    week = df["week_start"]
    before = ((week >= "2024-01-01") & (week < start)).to_numpy()
    after = (week >= start).to_numpy()
    w = {
        (a, b): _wape(old, X.loc[m & g, static], y[m & g])
        for a, g in (("affected", affected), ("other", ~affected))
        for b, m in (("before", before), ("after", after))
    }
    assert w[("affected", "after")] > 1.5 * w[("affected", "before")], w
    assert w[("other", "after")] < 1.15 * w[("other", "before")], w
    assert w[("affected", "after")] > 1.3 * w[("other", "after")], w


def test_retraining_on_recent_data_recovers(df, key, concept_models):
    X, y, static, old, new = concept_models
    concept = next(d for d in key["drift"] if d["kind"] == "concept")
    affected = df["store_id"].isin(concept["stores"]).to_numpy()
    test = (df["week_start"] >= "2024-10-07").to_numpy()
    old_wape = _wape(old, X.loc[test & affected, static], y[test & affected])
    new_wape = _wape(new, X.loc[test & affected], y[test & affected])
    assert new_wape < 0.75 * old_wape, (old_wape, new_wape)
    other_old = _wape(old, X.loc[test & ~affected, static], y[test & ~affected])
    other_new = _wape(new, X.loc[test & ~affected], y[test & ~affected])
    assert other_new < 1.05 * other_old


def test_naive_input_monitoring_misses_the_concept_drift(df, key):
    concept = next(d for d in key["drift"] if d["kind"] == "concept")
    thr = key["monitoring"]["psi_threshold"]
    at = df[df["store_id"].isin(concept["stores"])]
    for f in concept["given"]:
        s = weekly_psi(at, f)
        assert s.max() < thr, (f, s.max())
    # and the stores' average weekly sales barely move across the change (seasonally matched)
    start = pd.Timestamp(concept["start"])
    after = (at["week_start"] >= start) & (at["week_start"] < start + pd.Timedelta(weeks=26))
    year_before = (at["week_start"] >= start - pd.Timedelta(weeks=52)) & (
        at["week_start"] < start - pd.Timedelta(weeks=26)
    )
    rest = df[~df["store_id"].isin(concept["stores"]) & ~df["store_id"].isin(
        next(d for d in key["drift"] if d["kind"] == "label")["stores"]
    )]
    growth_at = at.loc[after, "units_sold"].mean() / at.loc[year_before, "units_sold"].mean()
    r_after = (rest["week_start"] >= start) & (rest["week_start"] < start + pd.Timedelta(weeks=26))
    r_before = (rest["week_start"] >= start - pd.Timedelta(weeks=52)) & (
        rest["week_start"] < start - pd.Timedelta(weeks=26)
    )
    growth_rest = rest.loc[r_after, "units_sold"].mean() / rest.loc[r_before, "units_sold"].mean()
    assert abs(growth_at / growth_rest - 1) < 0.08, (growth_at, growth_rest)
