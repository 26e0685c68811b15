"""Tests of pmle.data: the committed data sets, their manifest, and the churn family's planted behaviour."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pmle.data as data
from pmle.data import churn

from conftest import assert_columns

SNAPSHOTS = pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30"])
DATA_END = pd.Timestamp("2025-07-31")
JUNE = pd.Timestamp("2025-06-30")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path) -> dict[str, str]:
    """sha256 of every non-hidden file under root (hidden ones, e.g. .gitattributes, are not data)."""
    return {
        p.relative_to(root).as_posix(): _sha256(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


@pytest.fixture(scope="module")
def committed() -> Path:
    return data.data_dir()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("built")
    manifest = data.build(out)
    return out, manifest


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return data.load("churn")


@pytest.fixture(scope="module")
def labelled(df) -> pd.DataFrame:
    y = (df["cancelled_at"] > df["snapshot_date"]) & (
        df["cancelled_at"] <= df["snapshot_date"] + pd.Timedelta(days=30)
    )
    return df.assign(y=y.astype(int))


# --------------------------------------------------------------------------
# Locating, listing, loading
# --------------------------------------------------------------------------


def test_data_dir_is_repo_datasets(monkeypatch):
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    committed = data.data_dir()
    assert committed == Path(__file__).resolve().parents[1] / "datasets"
    assert (committed / "manifest.json").is_file()
    assert (committed / "churn" / "snapshots.csv").is_file()


def test_available():
    """Does every registered family offer its tables, churn among them, in sorted order?"""
    names = data.available()
    assert "churn" in names and names == sorted(names)
    assert set(names) == {t.name for family in data.FAMILIES for t in family.TABLES}


def test_unknown_name_lists_available():
    with pytest.raises(ValueError, match="churn") as info:
        data.load("no-such-data")
    assert isinstance(info.value, data.UnknownDatasetError)
    assert "no-such-data" in str(info.value)


def test_load_dtypes(df):
    expected = {
        "customer_id": "str",
        "snapshot_date": "datetime64[ns]",
        "signup_date": "datetime64[ns]",
        "plan": "category",
        "contract": "category",
        "monthly_fee": "float64",
        "payment_method": "category",
        "autopay": "bool",
        "city": "str",
        "age": "Int64",
        "tenure_months": "int64",
        "days_since_last_login": "Int64",
        "sessions_30d": "int64",
        "support_tickets_90d": "int64",
        "late_payments_12m": "int64",
        "cancelled_at": "datetime64[ns]",
    }
    assert_columns(df, expected)
    assert list(df["plan"].cat.categories) == ["Basic", "Standard", "Premium"]
    assert list(df["contract"].cat.categories) == ["monthly", "12-month", "24-month"]
    assert list(df["payment_method"].cat.categories) == ["card", "direct debit", "PayPal", "invoice"]
    nullable = {"age", "days_since_last_login", "cancelled_at"}
    for name in df.columns:
        if name not in nullable:
            assert not df[name].isna().any(), name


def test_load_from_other_cwd(tmp_path, monkeypatch, df):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    again = data.load("churn")
    pd.testing.assert_frame_equal(again, df)


def test_load_passes_read_csv_options(df):
    head = data.load("churn", nrows=5, usecols=["customer_id", "snapshot_date", "plan"])
    assert list(head.columns) == ["customer_id", "snapshot_date", "plan"]
    assert len(head) == 5
    assert str(head["snapshot_date"].dtype) == "datetime64[ns]"
    assert isinstance(head["plan"].dtype, pd.CategoricalDtype)
    with pytest.raises(TypeError):
        data.load("churn", dtype=str)


def test_env_override(tmp_path, monkeypatch, committed):
    copy = tmp_path / "elsewhere"
    shutil.copytree(committed, copy)
    monkeypatch.setenv(data.DATA_DIR_ENV, str(copy))
    assert data.data_dir() == copy.resolve()
    assert len(data.load("churn", nrows=3)) == 3
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "missing"))
    with pytest.raises(data.DataDirNotFoundError, match=data.DATA_DIR_ENV):
        data.data_dir()


# --------------------------------------------------------------------------
# Reproducibility and the manifest
# --------------------------------------------------------------------------


def test_build_matches_committed_bytes(built, committed):
    out, manifest = built
    assert _files(out) == _files(committed)
    assert json.loads((committed / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_build_is_deterministic(tmp_path, built):
    out, _ = built
    data.build(tmp_path)
    assert _files(tmp_path) == _files(out)


def test_manifest_content(committed, df):
    text = (committed / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert text == json.dumps(manifest, sort_keys=True, indent=2) + "\n"
    entries = {e["path"]: e for e in manifest["files"] if e["family"] == "churn"}
    assert set(entries) == {"churn/snapshots.csv", "churn/DATASHEET.md"}
    for rel, entry in entries.items():
        assert entry["sha256"] == _sha256(committed / rel)
        assert entry["generator_version"] == churn.GENERATOR_VERSION
        assert entry["seed"] == churn.SEED
    table = entries["churn/snapshots.csv"]
    assert table["rows"] == len(df)
    assert [c["name"] for c in table["columns"]] == list(df.columns)
    assert {c["name"]: c["dtype"] for c in table["columns"]}["snapshot_date"] == "datetime64[ns]"
    assert manifest["families"]["churn"]["generator_version"] == churn.GENERATOR_VERSION


def test_verify_committed_is_clean(committed):
    assert data.verify() == []
    assert data.verify(committed) == []


def test_verify_built_copy_is_clean(built):
    out, _ = built
    assert data.verify(out) == []


def test_verify_detects_one_changed_byte(tmp_path, committed):
    copy = tmp_path / "datasets"
    shutil.copytree(committed, copy)
    csv = copy / "churn" / "snapshots.csv"
    raw = bytearray(csv.read_bytes())
    pos = raw.index(b"\n", len(raw) // 2) + 4  # a digit of a customer id in the middle of the file
    assert chr(raw[pos]).isdigit()
    raw[pos] = ord("7") if raw[pos] != ord("7") else ord("3")
    csv.write_bytes(bytes(raw))
    problems = data.verify(copy)
    assert problems
    assert any("churn/snapshots.csv" in p and "sha256" in p for p in problems)


def test_verify_detects_structural_problems(tmp_path, committed):
    copy = tmp_path / "datasets"
    shutil.copytree(committed, copy)
    (copy / "churn" / "DATASHEET.md").unlink()
    (copy / "churn" / "notes.txt").write_text("stray\n")
    csv = copy / "churn" / "snapshots.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(lines[:-10]), encoding="utf-8")  # drop rows
    problems = "\n".join(data.verify(copy))
    assert "churn/DATASHEET.md: listed in the manifest but missing" in problems
    assert "churn/notes.txt: present but not in the manifest" in problems
    assert f"{len(lines) - 11} rows" in problems
    (copy / "manifest.json").unlink()
    assert any("manifest.json is missing" in p for p in data.verify(copy))


def test_verify_detects_column_and_value_problems(tmp_path, committed):
    copy = tmp_path / "datasets"
    shutil.copytree(committed, copy)
    csv = copy / "churn" / "snapshots.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace(",Premium,", ",Platinum,", 1), encoding="utf-8")
    problems = "\n".join(data.verify(copy))
    assert "'plan'" in problems and "Platinum" in problems
    csv.write_text(text.replace("sessions_30d", "sessions", 1), encoding="utf-8")
    problems = "\n".join(data.verify(copy))
    assert "columns do not match" in problems


def test_verify_detects_stale_generator(monkeypatch, committed):
    monkeypatch.setattr(churn, "GENERATOR_VERSION", "churn-999")
    problems = data.verify(committed)
    assert any("churn-999" in p and "rebuild" in p for p in problems)


def test_csv_format(committed):
    raw = (committed / "churn" / "snapshots.csv").read_bytes()
    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    assert len(raw) < 4_000_000
    first = raw.split(b"\n")[1].decode()
    assert first.split(",")[1] == "2025-01-31"


# --------------------------------------------------------------------------
# Churn family: shape and invariants
# --------------------------------------------------------------------------


def test_churn_shape(df):
    assert 20_000 <= len(df) <= 25_000
    assert 4_000 <= df["customer_id"].nunique() <= 5_000
    assert list(pd.DatetimeIndex(sorted(df["snapshot_date"].unique()))) == list(SNAPSHOTS)
    assert df["customer_id"].str.fullmatch(r"BW-\d{6}").all()
    assert not df.duplicated(["customer_id", "snapshot_date"]).any()
    assert 150 <= df["city"].nunique() <= 300
    top = df.drop_duplicates("customer_id")["city"].value_counts()
    assert top.iloc[0] > 5 * top.iloc[20] > 0  # a few big cities, a long tail
    assert set(df["plan"]) == {"Basic", "Standard", "Premium"}
    assert set(df["payment_method"]) == {"card", "direct debit", "PayPal", "invoice"}


def test_customer_attributes_are_stable(df):
    static = ["signup_date", "plan", "contract", "payment_method", "autopay", "city", "cancelled_at"]
    per_customer = df.groupby("customer_id", observed=True)[static].nunique(dropna=False)
    assert (per_customer <= 1).all().all()


def test_appears_exactly_while_active(df):
    customers = df.drop_duplicates("customer_id")[["customer_id", "signup_date", "cancelled_at"]]
    grid = customers.merge(pd.DataFrame({"snapshot_date": SNAPSHOTS}), how="cross")
    active = (grid["signup_date"] < grid["snapshot_date"]) & (
        grid["cancelled_at"].isna() | (grid["cancelled_at"] > grid["snapshot_date"])
    )
    expected = set(zip(grid.loc[active, "customer_id"], grid.loc[active, "snapshot_date"]))
    assert set(zip(df["customer_id"], df["snapshot_date"])) == expected


def test_cancellation_after_last_appearance(df):
    last = df.groupby("customer_id")["snapshot_date"].max()
    cancelled = df.groupby("customer_id")["cancelled_at"].first().dropna()
    assert (cancelled > last[cancelled.index]).all()
    assert (cancelled <= DATA_END).all()
    # a customer seen at snapshot s who cancels before the next one is not seen after s
    nxt = {s: n for s, n in zip(SNAPSHOTS[:-1], SNAPSHOTS[1:])}
    nxt[SNAPSHOTS[-1]] = DATA_END
    limit = last[cancelled.index].map(nxt)
    assert (cancelled <= limit).all()
    assert 1_000 < len(cancelled) < 3_500


def test_dates_and_tenure_consistent(df):
    assert (df["signup_date"] < df["snapshot_date"]).all()
    s, g = df["snapshot_date"], df["signup_date"]
    months = (s.dt.year - g.dt.year) * 12 + (s.dt.month - g.dt.month) - (s.dt.day < g.dt.day).astype(int)
    assert (df["tenure_months"] == months).all()
    days_since_signup = (s - g).dt.days
    dsl = df["days_since_last_login"]
    assert (dsl.dropna() >= 0).all()
    assert (dsl.dropna() <= days_since_signup[dsl.notna()]).all()


def test_usage_fields_consistent(df):
    dsl = df["days_since_last_login"]
    assert (df.loc[dsl.isna(), "sessions_30d"] == 0).all()
    recent = dsl.notna() & (dsl < 30)
    assert (df.loc[recent, "sessions_30d"] >= 1).all()
    assert (df.loc[dsl.notna() & (dsl >= 30), "sessions_30d"] == 0).all()
    for col in ["sessions_30d", "support_tickets_90d", "late_payments_12m"]:
        assert (df[col] >= 0).all(), col
    assert df["late_payments_12m"].max() <= 12


def test_age_and_missingness(df):
    first = df.drop_duplicates("customer_id")
    assert 0.03 <= first["age"].isna().mean() <= 0.07
    assert df["age"].dropna().between(18, 100).all()
    # the same customers lack an age on every row
    assert (df.assign(no_age=df["age"].isna()).groupby("customer_id")["no_age"].nunique() == 1).all()
    assert 0.02 <= df["days_since_last_login"].isna().mean() <= 0.15


def test_monthly_fee(df):
    fee = df["monthly_fee"]
    assert (fee.round(2) == fee).all()
    errors = (fee == 0) | (fee > 150)
    assert 0.0005 <= errors.mean() <= 0.005
    assert (fee == 0).any() and (fee > 150).any()
    typical = df[~errors].groupby("plan", observed=True)["monthly_fee"].median()
    assert typical["Basic"] < typical["Standard"] < typical["Premium"]
    assert fee[~errors].between(10, 100).all()


def test_payment_and_autopay(df):
    assert df.loc[df["payment_method"] == "direct debit", "autopay"].all()
    assert not df.loc[df["payment_method"] == "invoice", "autopay"].any()


# --------------------------------------------------------------------------
# Churn family: the behaviour the labs rely on
# --------------------------------------------------------------------------


def test_positive_rate_per_snapshot(labelled):
    rate = labelled.groupby("snapshot_date")["y"].mean()
    assert len(rate) == 6
    assert rate.between(0.08, 0.12).all(), rate.to_dict()


def _rule(frame: pd.DataFrame, d: int) -> np.ndarray:
    dsl = frame["days_since_last_login"].astype("float64").to_numpy()
    return (np.isnan(dsl) | (dsl > d)).astype(int)


def _f1(y: np.ndarray, flagged: np.ndarray) -> float:
    tp = int((flagged & (y == 1)).sum())
    return 2 * tp / (int(flagged.sum()) + int((y == 1).sum()))


@pytest.fixture(scope="module")
def rule_result(labelled):
    """Best threshold d (0..180 days) of the rule on Jan-May, and its F1 there."""
    train = labelled[labelled["snapshot_date"] < JUNE]
    y = train["y"].to_numpy()
    scores = {d: _f1(y, _rule(train, d).astype(bool)) for d in range(0, 181)}
    best = max(scores, key=scores.get)
    return best, scores[best]


def test_login_rule_best_threshold(rule_result):
    best_d, best_f1 = rule_result
    assert 10 <= best_d <= 45, best_d
    assert 0.25 <= best_f1 <= 0.40, best_f1


def test_logistic_regression_beats_rule_on_june(labelled, rule_result):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, precision_recall_curve, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    categorical = ["plan", "contract", "payment_method", "autopay"]
    numeric = [
        "monthly_fee",
        "age",
        "tenure_months",
        "days_since_last_login",
        "sessions_30d",
        "support_tickets_90d",
        "late_payments_12m",
    ]
    X = labelled[categorical + numeric].copy()
    X["autopay"] = X["autopay"].astype(str)
    X[numeric] = X[numeric].astype("float64")
    train = (labelled["snapshot_date"] < JUNE).to_numpy()
    y = labelled["y"].to_numpy()

    model = make_pipeline(
        ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
                ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
            ]
        ),
        LogisticRegression(max_iter=2000),
    )
    model.fit(X[train], y[train])
    p_train = model.predict_proba(X[train])[:, 1]
    precision, recall, thresholds = precision_recall_curve(y[train], p_train)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    threshold = thresholds[np.argmax(f1[:-1])]

    p_june = model.predict_proba(X[~train])[:, 1]
    auc = roc_auc_score(y[~train], p_june)
    lr_f1 = f1_score(y[~train], (p_june >= threshold).astype(int))
    best_d, _ = rule_result
    june = labelled[~train]
    rule_f1 = f1_score(june["y"], _rule(june, best_d))
    assert abs(rule_f1 - _f1(june["y"].to_numpy(), _rule(june, best_d).astype(bool))) < 1e-12

    assert 0.75 <= auc <= 0.85, auc
    assert 0.03 <= lr_f1 - rule_f1 <= 0.10, (lr_f1, rule_f1)


def test_majority_baseline(labelled):
    june = labelled[labelled["snapshot_date"] == JUNE]
    accuracy = (june["y"] == 0).mean()
    assert 0.88 <= accuracy <= 0.92, accuracy
    overall = (labelled["y"] == 0).mean()
    assert 0.88 <= overall <= 0.92, overall
    # predicting "nobody cancels" finds none of the cancellations
    from sklearn.metrics import recall_score

    assert june["y"].sum() > 0
    assert recall_score(june["y"], np.zeros(len(june), dtype=int)) == 0.0


def test_load_types_files_by_the_manifest_alone():
    """`load` never imports the generators (they hold the planted truths and are absent from a grading
    sandbox): the schema recorded in the manifest is the generators' schema, column by column."""
    import subprocess
    import sys

    root = data.data_dir()
    for family in data.families():
        for table in family.TABLES:
            recorded = data._tables(root)[table.name]
            assert (recorded.path, recorded.columns) == (table.path, table.columns)
    code = ("import sys, pmle.data as d; d.load('churn', nrows=5); d.available(); "
            "print(sorted(m for m in sys.modules if m.startswith('pmle.data.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['pmle.data.manifest', 'pmle.data.schema']"
