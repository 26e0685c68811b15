"""The ``sensors`` family: shape, answer key, and that each planted truth is recoverable but not obvious."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmle.data as data
from pmle.data import sensors

SENSORS = ["temperature_c", "pressure_bar", "vibration_mm_s", "spindle_speed_rpm", "torque_nm", "humidity_pct", "cycle_time_s"]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    frame = data.load("sensors")
    return frame.assign(week=frame["produced_at"].dt.to_period("W-SUN").dt.start_time)


@pytest.fixture(scope="module")
def key() -> dict:
    return data.answer_key("sensors")


@pytest.fixture(scope="module")
def poisoned(df, key) -> np.ndarray:
    return df["part_id"].isin(set(key["poisoned_ids"])).to_numpy()


def psi(ref: np.ndarray, cur: np.ndarray) -> float:
    edges = np.quantile(ref, np.linspace(0, 1, 11))
    edges[0], edges[-1] = -np.inf, np.inf
    e = np.maximum(np.histogram(ref, edges)[0] / len(ref), 1e-4)
    a = np.maximum(np.histogram(cur, edges)[0] / len(cur), 1e-4)
    return float(((a - e) * np.log(a / e)).sum())


def weekly_scan(frame: pd.DataFrame, key: dict) -> dict[tuple[str, str], pd.DataFrame]:
    """PSI and KS statistic of each later week against the reference window, per machine and sensor."""
    from scipy.stats import ks_2samp

    ref_from, ref_to = (pd.Timestamp(x) for x in key["monitoring"]["reference"])
    out = {}
    for machine, part in frame.groupby("machine_id", observed=True):
        in_ref = (part["produced_at"] >= ref_from) & (part["produced_at"] < ref_to + pd.Timedelta(days=1))
        later = part[part["week"] > ref_to]
        for f in SENSORS:
            ref = part.loc[in_ref, f].dropna().to_numpy()
            rows = []
            for week, cur in later.groupby("week")[f]:
                cur = cur.dropna().to_numpy()
                rows.append((week, psi(ref, cur), ks_2samp(ref, cur).statistic))
            out[(machine, f)] = pd.DataFrame(rows, columns=["week", "psi", "ks"]).set_index("week")
    return out


@pytest.fixture(scope="module")
def scan(df, key):
    return weekly_scan(df, key)


# --------------------------------------------------------------------------
# Shape and invariants
# --------------------------------------------------------------------------


def test_shape_and_dtypes(df):
    assert list(df.columns[:-1]) == sensors.PARTS.column_names
    for column in sensors.PARTS.columns:
        assert data.schema.dtype_matches(df[column.name], column), column.name
        if not column.nullable:
            assert not df[column.name].isna().any(), column.name
    assert 20_000 <= len(df) <= 40_000
    assert df["part_id"].is_unique and df["part_id"].str.fullmatch(r"AC-\d{6}").all()
    assert df["produced_at"].is_monotonic_increasing
    assert (df["part_id"].str[3:].astype(int).diff().dropna() >= 1).all()  # serials in production order
    assert df["produced_at"].min() >= pd.Timestamp("2024-01-08") and df["produced_at"].max() < pd.Timestamp("2024-06-30")
    assert df["operator_id"].str.fullmatch(r"OP-\d{4}").all()
    assert df["material_batch"].str.fullmatch(r"AL6082-\d{4}").all()


def test_process_invariants(df):
    line_of = df["machine_id"].astype(str).str[4].map({"1": "L1", "2": "L2"})
    assert (line_of == df["line_id"].astype(str)).all()
    hour = df["produced_at"].dt.hour
    shift = df["shift"].astype(str)
    assert hour[shift == "early"].between(6, 13).all()
    assert hour[shift == "late"].between(14, 21).all()
    assert (hour[shift == "night"] >= 22).sum() + hour[shift == "night"].between(0, 5).sum() == (shift == "night").sum()
    speed = df.groupby("line_id", observed=True)["spindle_speed_rpm"].median()
    assert speed["L1"] == pytest.approx(12000, abs=50) and speed["L2"] == pytest.approx(14000, abs=50)
    assert df["cycle_time_s"].between(1700, 2700).all()
    assert df["vibration_mm_s"].between(0.8, 8).all() and df["torque_nm"].between(15, 32).all()
    assert 0.02 <= df["defect"].mean() <= 0.05
    assert df["humidity_pct"].isna().sum() > 0
    # one batch at a time per line and day
    per_day = df.groupby([df["line_id"], df["produced_at"].dt.date], observed=True)["material_batch"].nunique()
    assert per_day.max() <= 2


# --------------------------------------------------------------------------
# Answer key
# --------------------------------------------------------------------------


def test_answer_key_matches_data(df, key, poisoned):
    assert key["family"] == "sensors" and key["generator_version"] == sensors.GENERATOR_VERSION
    ids = set(df["part_id"])
    assert set(key["poisoned_ids"]) <= ids and len(set(key["poisoned_ids"])) == len(key["poisoned_ids"])
    assert 200 <= poisoned.sum() <= 400
    sl = key["poisoned_slice"]
    rows = df[poisoned]
    assert set(rows["line_id"].astype(str)) == {sl["line"]}
    assert set(rows["machine_id"].astype(str)) <= set(sl["machines"])
    assert rows["produced_at"].min() >= pd.Timestamp(sl["from"])
    assert rows["produced_at"].max() < pd.Timestamp(sl["to"]) + pd.Timedelta(days=1)
    assert sl["rows"] == poisoned.sum()
    assert (rows["defect"] == 1).sum() == sl["recorded_defect_1_truly_good"]
    for d in key["drift"]:
        assert d["feature"] in df.columns and d["machine"] in set(df["machine_id"].astype(str))
        assert pd.Timestamp(d["start"]).day_of_week == 0
    for f in key["defect_drivers"] + key["stable_features"]:
        assert f in df.columns
    assert key["recorded_defect_rate"] == round(float(df["defect"].mean()), 4)


# --------------------------------------------------------------------------
# Calibration drift: weekly PSI / KS per machine
# --------------------------------------------------------------------------


def test_weekly_psi_and_ks_flag_exactly_the_drifted_sensors(scan, key):
    mon = key["monitoring"]
    planted = {(d["machine"], d["feature"]): pd.Timestamp(d["start"]) for d in key["drift"]}
    for stat, thr in (("psi", mon["psi_threshold"]), ("ks", mon["ks_threshold"])):
        flagged = {k: s.index[s[stat] > thr].min() for k, s in scan.items() if (s[stat] > thr).any()}
        assert set(flagged) == set(planted), (stat, flagged)
        for k, start in planted.items():
            assert flagged[k] == start, (stat, k, flagged[k])  # the first week over the threshold is the start
        quiet = max(s[stat].max() for k, s in scan.items() if k not in planted)
        assert quiet < 0.85 * thr, (stat, quiet)
        for k, start in planted.items():
            s = scan[k][stat]
            assert s[s.index < start].max() < 0.85 * thr
            assert s[s.index >= start].min() > 1.2 * thr


def test_drift_is_an_offset_on_one_machine(df, key):
    for d in key["drift"]:
        start = pd.Timestamp(d["start"])
        on = df["machine_id"] == d["machine"]
        ref = df[on & (df["produced_at"] < "2024-03-02")][d["feature"]].mean()
        late = df[on & (df["produced_at"] >= start + pd.Timedelta(weeks=4))][d["feature"]].mean()
        assert abs(late - ref) > 2.0  # degC or bar
        early = df[on & (df["produced_at"] >= start) & (df["produced_at"] < start + pd.Timedelta(days=5))]
        assert abs(early[d["feature"]].mean() - ref) < abs(late - ref) / 2  # it grows gradually


def test_naive_pooled_look_misses_the_drift_start(df, key):
    """Pooled over machines (or as one whole-period mean) the drift neither shows at its start nor stands out."""
    ref_to = pd.Timestamp(key["monitoring"]["reference"][1])
    thr = key["monitoring"]["psi_threshold"]
    for d in key["drift"]:
        f = d["feature"]
        start = pd.Timestamp(d["start"])
        ref = df.loc[df["produced_at"] <= ref_to + pd.Timedelta(days=1), f].dropna().to_numpy()
        pooled = df[df["week"] > ref_to].groupby("week")[f].apply(lambda s: psi(ref, s.dropna().to_numpy()))
        assert pooled[start] < thr, (f, pooled[start])
        first = pooled.index[pooled > thr].min()
        assert pd.isna(first) or first >= start + pd.Timedelta(weeks=1)
        whole = df[f].mean() - df.loc[df["produced_at"] <= ref_to + pd.Timedelta(days=1), f].mean()
        assert abs(whole) < 0.5 * df[f].std(), (f, whole)


# --------------------------------------------------------------------------
# Poisoned labels: out-of-fold disagreement finds them; naive rates do not
# --------------------------------------------------------------------------


def _model():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15, random_state=0)


@pytest.fixture(scope="module")
def oof(df):
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    X = df[SENSORS].to_numpy()
    y = df["defect"].to_numpy()
    with threadpool_limits(1):
        p = cross_val_predict(_model(), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")
    return p[:, 1]


def test_out_of_fold_disagreement_finds_the_poisoned_rows(df, oof, poisoned):
    y = df["defect"].to_numpy()
    # confident disagreement: recorded defect but the out-of-fold probability is tiny, or recorded good but likely defective
    flagged = ((y == 1) & (oof < 0.05)) | ((y == 0) & (oof > 0.5))
    tp = int((flagged & poisoned).sum())
    precision, recall = tp / flagged.sum(), tp / poisoned.sum()
    assert recall >= 0.6 and precision >= 0.5, (precision, recall)
    # ranking by disagreement: the top rows are mostly poisoned
    disagreement = np.where(y == 1, 1 - oof, oof)
    top = np.argsort(-disagreement, kind="stable")[: int(poisoned.sum()) // 2]
    assert poisoned[top].mean() >= 0.5


def test_naive_rates_do_not_reveal_the_slice(df, key, poisoned):
    from scipy.stats import chi2_contingency

    rate = df["defect"].mean()
    assert 0.02 <= rate <= 0.05
    # per inspector over the whole period: no account stands out
    table = pd.crosstab(df["qa_inspector"], df["defect"])
    assert chi2_contingency(table).pvalue > 0.01
    per_inspector = df.groupby("qa_inspector")["defect"].mean()
    worst = per_inspector.idxmax()
    share = df.loc[poisoned, "qa_inspector"].value_counts(normalize=True)
    assert share.get(worst, 0) < 0.35  # the highest-rate inspector is not where the poisoned rows are
    # per line and week: the slice's weeks look like any other
    sl = key["poisoned_slice"]
    line = df[df["line_id"] == sl["line"]]
    weekly = line.groupby("week")["defect"].agg(["mean", "size"])
    inside = (weekly.index >= pd.Timestamp(sl["from"])) & (weekly.index <= pd.Timestamp(sl["to"]))
    p = line["defect"].mean()
    z = (weekly["mean"] - p) / np.sqrt(p * (1 - p) / weekly["size"])
    assert z[inside].abs().max() < 2.5, z[inside].to_dict()  # binomial noise, nothing more
    in_rows = line["week"].between(pd.Timestamp(sl["from"]), pd.Timestamp(sl["to"]))
    assert abs(line.loc[in_rows, "defect"].mean() - line.loc[~in_rows, "defect"].mean()) < 0.01


def test_training_without_poisoned_rows_improves_held_out_auc(df, poisoned):
    from sklearn.metrics import average_precision_score, roc_auc_score
    from threadpoolctl import threadpool_limits

    X = df[SENSORS].to_numpy()
    y = df["defect"].to_numpy()
    train = (df["produced_at"] < "2024-04-15").to_numpy()
    test = ~train  # after the slice: labels are clean
    assert not poisoned[test].any()
    with threadpool_limits(1):
        dirty = _model().fit(X[train], y[train])
        clean = _model().fit(X[train & ~poisoned], y[train & ~poisoned])
    p_dirty, p_clean = dirty.predict_proba(X[test])[:, 1], clean.predict_proba(X[test])[:, 1]
    auc_dirty, auc_clean = roc_auc_score(y[test], p_dirty), roc_auc_score(y[test], p_clean)
    ap_dirty, ap_clean = average_precision_score(y[test], p_dirty), average_precision_score(y[test], p_clean)
    assert auc_clean - auc_dirty >= 0.004, (auc_dirty, auc_clean)
    assert ap_clean - ap_dirty >= 0.01, (ap_dirty, ap_clean)


# --------------------------------------------------------------------------
# Defect drivers
# --------------------------------------------------------------------------


def test_defect_drivers(df, key, poisoned):
    from sklearn.metrics import roc_auc_score

    clean = df[~poisoned]
    auc = {f: roc_auc_score(clean["defect"], clean[f].fillna(clean[f].median())) for f in SENSORS}
    auc = {f: max(a, 1 - a) for f, a in auc.items()}
    for f in key["defect_drivers"]:
        assert auc[f] > 0.75, (f, auc[f])
    proxies = set(key["defect_mechanism"]["correlated_not_causal"])
    for f in key["defect_mechanism"]["not_drivers"]:
        if f in proxies or f == "spindle_speed_rpm":  # the speed identifies the line, whose machines differ a little
            continue
        assert auc[f] < 0.6, (f, auc[f])
    # the drivers carry the signal: a model on them alone is as good as one on every sensor
    from sklearn.model_selection import cross_val_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        quick = _model().set_params(max_iter=60, learning_rate=0.1)
        drivers = cross_val_score(quick, clean[key["defect_drivers"]], clean["defect"], cv=3, scoring="roc_auc").mean()
        others = [f for f in SENSORS if f not in key["defect_drivers"] and f not in proxies]
        rest = cross_val_score(quick, clean[others], clean["defect"], cv=3, scoring="roc_auc").mean()
    assert drivers > 0.95 and rest < 0.7, (drivers, rest)
