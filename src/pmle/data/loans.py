"""The ``loans`` family: funded personal-loan applications of "Harbourline Lending".

Harbourline Lending is a (fictional) UK consumer lender.  ``datasets/loans/applications.csv``
holds one row per funded personal-loan application submitted from January 2023
to December 2024, with what the application form and the credit bureau said,
the price offered, a handful of servicing fields filled in later, and the
outcome ``defaulted``: the loan went 90+ days past due (or was charged off)
within 12 months of funding.

Planted for the leakage audit (lab 07) and the validation-split lab (lab 04),
documented only in the answer key (``autograder/keys/loans.json``):

* post-outcome columns filled by servicing/collections after the outcome;
* a grade from a later portfolio review that saw the outcome;
* re-submitted applications (same applicant, near-identical form within days,
  same loan and outcome) kept as separate rows;
* a policy change in mid-2024 that raises the default rate and changes how
  the features relate to it, so a random split is optimistic.

Everything comes from one seeded ``numpy.random.default_rng``.  Changing
anything that alters the output means bumping ``GENERATOR_VERSION``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pmle.data.schema import BOOL, CATEGORY, DATE, FLOAT, INT, NULLABLE_INT, STR, Artifact, Column, Table

FAMILY = "loans"
GENERATOR_VERSION = "loans-1.0.0"
SEED = 20250807

CHANNELS = ("web", "mobile app", "broker", "branch")
PURPOSES = (
    "debt consolidation",
    "home improvement",
    "car",
    "wedding",
    "holiday",
    "medical",
    "education",
    "business",
    "other",
)
HOME = ("rent", "mortgage", "own outright", "living with family")
REGIONS = (
    "London",
    "South East",
    "South West",
    "East of England",
    "West Midlands",
    "East Midlands",
    "Yorkshire and the Humber",
    "North West",
    "North East",
    "Wales",
    "Scotland",
    "Northern Ireland",
)
PAYMENT_STATUSES = (
    "current",
    "paid off",
    "late 1-30 days",
    "late 31-60 days",
    "payment arrangement",
    "in collections",
    "charged off",
    "sold to agency",
)
REVIEW_GRADES = ("A", "B", "C", "D", "E")

APPLICATIONS = Table(
    name="loans",
    path="loans/applications.csv",
    description="Harbourline Lending funded personal-loan applications, Jan 2023 - Dec 2024, with 12-month outcome.",
    columns=(
        Column("application_id", STR),
        Column("applicant_id", STR),
        Column("submitted_at", DATE),
        Column("channel", CATEGORY, categories=CHANNELS),
        Column("loan_purpose", CATEGORY, categories=PURPOSES),
        Column("requested_amount", INT),
        Column("term_months", INT),
        Column("interest_rate", FLOAT),
        Column("applicant_age", INT),
        Column("annual_income", FLOAT, nullable=True),
        Column("income_verified", BOOL),
        Column("employment_length_years", NULLABLE_INT, nullable=True),
        Column("home_ownership", CATEGORY, categories=HOME),
        Column("region", CATEGORY, categories=REGIONS),
        Column("debt_to_income", FLOAT),
        Column("credit_score", INT),
        Column("open_credit_lines", INT),
        Column("delinquencies_2y", INT),
        Column("collection_calls_count", INT),
        Column("last_payment_status", CATEGORY, categories=PAYMENT_STATUSES),
        Column("recovery_amount", FLOAT, nullable=True),
        Column("risk_grade_review", CATEGORY, categories=REVIEW_GRADES),
        Column("defaulted", INT),
    ),
)
TABLES = (APPLICATIONS,)
DATASHEET = "loans/DATASHEET.md"
ANSWER_KEY = "loans.json"

# --------------------------------------------------------------------------
# Simulation parameters (learner-facing material must not describe them)
# --------------------------------------------------------------------------
START = np.datetime64("2023-01-01", "D")
END = np.datetime64("2024-12-31", "D")
POLICY_CHANGE = np.datetime64("2024-07-01", "D")  # broker partnership + relaxed affordability checks
RECOMMENDED_CUTOFF = np.datetime64("2024-07-01", "D")  # train before, validate on the last six months
OUTCOME_OBSERVED = np.datetime64("2025-12-31", "D")

N_APPLICANTS = 17_600
REPEAT_SHARE = (0.90, 0.085, 0.015)  # applicants with 1, 2, 3 funded loans
RESUBMIT_RATE = 0.034  # share of loans whose application was submitted again within days
SECOND_RESUBMIT = 0.12  # of those, share submitted a third time

# Default log-odds (12 months); the 2024 policy change adds the *_NEW terms.
D_BASE = -3.2
D_CREDIT = -0.80  # per sd of credit score
D_DTI = 0.35  # per sd of debt-to-income
D_INCOME = -0.25  # per sd of log income
D_SHORT_JOB = 0.30
D_DELINQ = 0.30  # per delinquency, capped at 4
D_BURDEN = 0.20  # per sd of amount / income
D_TERM = 0.15  # per 12 months above 36
D_VERIFIED = -0.15
D_FRAILTY = 0.55  # unobserved applicant trait
D_CONSOLIDATION_NEW = 0.50  # debt-consolidation loans riskier after the change
D_SHOCK_NEW = 1.20  # sd of an unobserved per-loan shock (income shocks) after the change
D_PURPOSE = {"debt consolidation": 0.20, "home improvement": -0.30, "car": -0.20, "wedding": 0.05,
             "holiday": 0.10, "medical": 0.30, "education": 0.0, "business": 0.50, "other": 0.15}
D_HOME = {"rent": 0.15, "mortgage": -0.05, "own outright": -0.25, "living with family": 0.10}
D_CHANNEL = {"web": 0.0, "mobile app": 0.05, "broker": 0.25, "branch": -0.15}
D_BASE_NEW = 0.40
D_BROKER_NEW = 1.00  # the new broker partner's customers default far more
D_CREDIT_NEW = 0.45  # the credit score matters less after the change (-0.80 -> -0.35)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _pick(rng: np.random.Generator, labels: tuple[str, ...], p, size: int) -> np.ndarray:
    return np.array(labels, dtype=object)[rng.choice(len(labels), size=size, p=np.asarray(p) / np.sum(p))]


def _pick_rows(rng: np.random.Generator, labels: tuple[str, ...], probs: np.ndarray) -> np.ndarray:
    """One label per row, row i drawn with probabilities probs[i]."""
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    idx = (rng.random(len(probs))[:, None] > cdf).sum(axis=1)
    return np.array(labels, dtype=object)[np.minimum(idx, len(labels) - 1)]


def _days_intensity() -> tuple[np.ndarray, np.ndarray]:
    """Calendar days and relative application volume per day (growth, weekdays, seasons)."""
    days = np.arange(START, END + 1, dtype="datetime64[D]")
    t = (days - START).astype(int) / 365.25
    weekday = (days.astype(int) + 3) % 7  # 0 = Monday
    week = np.where(weekday == 6, 0.55, np.where(weekday == 5, 0.8, 1.0))
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    season = 1.0 + 0.12 * np.isin(month, [1, 2]) + 0.08 * np.isin(month, [5, 6]) - 0.1 * (month == 12)
    broker_push = 1.0 + 0.18 * (days >= POLICY_CHANGE)
    return days, np.exp(0.16 * t) * week * season * broker_push


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    """The applications table (sorted by submitted_at) and the hidden facts for the key."""
    rng = np.random.default_rng(seed)

    # ---- applicants and their funded loans -------------------------------
    days, weight = _days_intensity()
    n_app = N_APPLICANTS
    n_loans = rng.choice(3, size=n_app, p=REPEAT_SHARE) + 1
    first = rng.choice(len(days), size=n_app, p=weight / weight.sum())
    owner = np.repeat(np.arange(n_app), n_loans)
    k = np.concatenate([np.arange(c) for c in n_loans])
    gaps = np.where(k == 0, 0, rng.integers(60, 420, size=len(owner)))
    offset = first[owner] + pd.Series(gaps).groupby(owner).cumsum().to_numpy()
    keep = offset < len(days)
    owner, k, offset = owner[keep], k[keep], offset[keep]
    n = len(owner)
    day = days[offset]
    new_regime = day >= POLICY_CHANGE

    # applicant-level traits
    frailty = rng.normal(0, 1, n_app)
    age0 = np.clip(rng.normal(39, 11.5, n_app), 21, 74)
    region = _pick(rng, REGIONS, [14, 14, 8.5, 9.5, 8.5, 7.5, 8, 11, 4, 4.5, 8, 2.5], n_app)
    loginc0 = np.log(31_000) + 0.011 * (age0 - 39) + 0.12 * (region == "London") + rng.normal(0, 0.42, n_app)
    loginc0 -= 0.06 * frailty
    score0 = 760 + 2.0 * (age0 - 39) - 48 * frailty + rng.normal(0, 85, n_app)
    young = age0 < 27
    home_p = np.column_stack(
        [
            np.where(young, 0.55, 0.33),
            np.where(young, 0.12, np.where(age0 > 60, 0.25, 0.45)),
            np.where(young, 0.01, np.where(age0 > 60, 0.55, 0.12)),
            np.where(young, 0.32, 0.04),
        ]
    )
    home0 = _pick_rows(rng, HOME, home_p)
    jobs0 = np.floor(np.clip(rng.exponential(6.5, n_app), 0, age0 - 17)).astype(int)

    # loan-level values (repeat loans: the same person some months later)
    years_later = (offset - first[owner]) / 365.25
    age = np.floor(age0[owner] + years_later).astype(int)
    log_income = loginc0[owner] + 0.03 * years_later + rng.normal(0, 0.04, n) * (k > 0)
    income = np.exp(log_income)
    stated_round = rng.random(n) < 0.6
    income = np.where(stated_round, np.round(income / 500) * 500, np.round(income))
    score = np.clip(np.round(score0[owner] + rng.normal(0, 25, n) * (k > 0)), 300, 999).astype(int)
    jobs = (jobs0[owner] + np.floor(years_later)).astype(int)
    if_move = (k > 0) & (rng.random(n) < 0.08)
    home = np.where(if_move, _pick(rng, HOME, [0.4, 0.45, 0.05, 0.1], n), home0[owner])

    channel_p = np.column_stack(
        [
            np.full(n, 0.46),
            np.where(age < 35, 0.33, 0.20),
            np.where(new_regime, 0.30, 0.15),
            np.where(age > 55, 0.16, 0.08),
        ]
    )
    channel = _pick_rows(rng, CHANNELS, channel_p)
    purpose = _pick(rng, PURPOSES, [34, 17, 16, 4, 5, 3, 4, 5, 12], n)
    purpose_scale = {"debt consolidation": 0.32, "home improvement": 0.30, "car": 0.34, "wedding": 0.25,
                     "holiday": 0.12, "medical": 0.15, "education": 0.20, "business": 0.40, "other": 0.15}
    scale = np.array([purpose_scale[p] for p in purpose])
    amount = np.exp(np.log(scale * income) + rng.normal(0, 0.45, n))
    step = np.where(amount < 5000, 250, 500)
    amount = np.clip(np.round(amount / step) * step, 1000, 35_000).astype(int)
    term_p = np.column_stack(
        [
            np.where(amount < 4000, 0.35, 0.04),
            np.where(amount < 4000, 0.40, 0.18),
            np.full(n, 0.32),
            np.where(amount > 8000, 0.22, 0.08),
            np.where(amount > 12000, 0.30, 0.06),
        ]
    )
    term = np.array([12, 24, 36, 48, 60])[
        np.minimum((rng.random(n)[:, None] > np.cumsum(term_p / term_p.sum(1, keepdims=True), 1)).sum(1), 4)
    ]
    dti = np.clip(rng.normal(21, 9.5, n) + 3.5 * frailty[owner] + 6 * (home == "rent") - 4 * (home == "own outright"), 0, 65)
    dti = np.round(dti, 1)
    lines = rng.poisson(np.clip(3.2 + 0.06 * (age - 39) + 0.8 * (home == "mortgage"), 0.5, None))
    delinq = rng.poisson(0.22 * np.exp(0.7 * frailty[owner]))
    verified = rng.random(n) < np.where(channel == "broker", 0.45, np.where(channel == "branch", 0.9, 0.72))
    income_missing = (channel == "broker") & (rng.random(n) < 0.07)
    emp_missing = rng.random(n) < 0.05

    # price: bureau score, affordability and term; Bank Rate pass-through in 2023-24
    bank_rate = np.interp(
        (day - START).astype(int),
        [0, 120, 240, 365, 540, 700],
        [3.50, 4.25, 5.25, 5.25, 5.25, 4.75],
    )
    apr = 2.2 + bank_rate + 0.024 * (950 - score) + 0.07 * dti + 0.35 * (term / 12 - 3) + rng.normal(0, 0.9, n)
    apr = np.round(np.clip(apr, 3.9, 39.9), 2)

    # ---- the outcome ------------------------------------------------------
    z_score = (score - 760) / 110
    z_dti = (dti - 23) / 10
    z_inc = (log_income - np.log(31_000)) / 0.45
    burden = amount / income
    z_burden = (burden - 0.27) / 0.16
    short_job = (jobs < 1) | emp_missing
    eta = (
        D_BASE
        + (D_CREDIT + D_CREDIT_NEW * new_regime) * z_score
        + D_DTI * z_dti
        + D_INCOME * z_inc
        + D_SHORT_JOB * short_job
        + D_DELINQ * np.minimum(delinq, 4)
        + D_BURDEN * z_burden
        + D_TERM * (term - 36) / 12
        + np.array([D_PURPOSE[p] for p in purpose])
        + np.array([D_HOME[h] for h in home])
        + np.array([D_CHANNEL[c] for c in channel])
        + D_BROKER_NEW * (new_regime & (channel == "broker"))
        + D_VERIFIED * verified
        + D_BASE_NEW * new_regime
        + D_FRAILTY * frailty[owner]
        + D_CONSOLIDATION_NEW * (new_regime & (purpose == "debt consolidation"))
    )
    shock = rng.normal(0, 1, n)
    eta = eta + D_SHOCK_NEW * new_regime * shock
    defaulted = rng.random(n) < _sigmoid(eta)

    # ---- servicing and collections (filled in after funding) ---------------
    late_payer = ~defaulted & (rng.random(n) < 0.10)
    calls = np.where(
        defaulted,
        1 + rng.poisson(9, n),
        np.where(late_payer, 1 + rng.poisson(1.2, n), 0),
    )
    calls = np.where(defaulted & (rng.random(n) < 0.04), 0, calls)  # sold before any call
    status = np.where(
        defaulted,
        _pick(rng, PAYMENT_STATUSES, [2, 0, 0, 1, 8, 24, 50, 15], n),
        np.where(
            late_payer,
            _pick(rng, PAYMENT_STATUSES, [30, 5, 48, 15, 2, 0, 0, 0], n),
            _pick(rng, PAYMENT_STATUSES, [66, 31, 2.4, 0.4, 0.2, 0, 0, 0], n),
        ),
    )
    balance = amount * rng.uniform(0.55, 0.95, n)
    recovered = defaulted & (rng.random(n) < 0.87)
    recovery = np.where(recovered, np.round(balance * rng.beta(2, 5, n), 2), 0.0)
    recovery_missing = rng.random(n) < 0.04  # not yet matched to the recoveries ledger
    # portfolio review in 2025: analysts graded every loan, seeing its history
    review = 2.3 * defaulted - 0.45 * z_score + 0.25 * z_dti + rng.normal(0, 0.7, n)
    grade = np.array(REVIEW_GRADES, dtype=object)[np.searchsorted([-0.55, 0.0, 0.75, 1.55], review)]

    # ---- submission times ------------------------------------------------
    hour = np.where(
        np.isin(channel, ["branch", "broker"]),
        rng.integers(9, 17, n),
        np.clip(np.round(rng.normal(16, 4.5, n)), 0, 23),
    ).astype(int)
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    submitted = day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")

    base = pd.DataFrame(
        {
            "owner": owner,
            "submitted_at": submitted,
            "channel": channel,
            "loan_purpose": purpose,
            "requested_amount": amount,
            "term_months": term,
            "interest_rate": apr,
            "applicant_age": age,
            "annual_income": np.where(income_missing, np.nan, income),
            "income_verified": verified,
            "employment_length_years": pd.array(np.where(emp_missing, pd.NA, jobs), dtype="Int64"),
            "home_ownership": home,
            "region": region[owner],
            "debt_to_income": dti,
            "credit_score": score,
            "open_credit_lines": lines,
            "delinquencies_2y": delinq,
            "collection_calls_count": calls,
            "last_payment_status": status,
            "recovery_amount": np.where(recovery_missing, np.nan, recovery),
            "risk_grade_review": grade,
            "defaulted": defaulted.astype(int),
            "loan": np.arange(n),
            "stated_income": income,
        }
    )

    # ---- re-submitted applications -------------------------------------------
    # An applicant who abandoned or was asked to correct a form submitted it
    # again; both submissions were linked to the same funded loan.
    resubmit_p = RESUBMIT_RATE * np.where(np.isin(channel, ["web", "mobile app"]), 1.25, 0.55)
    src = np.flatnonzero(rng.random(n) < resubmit_p)
    src = np.concatenate([src, src[rng.random(len(src)) < SECOND_RESUBMIT]])
    m = len(src)
    copies = base.iloc[src].copy().reset_index(drop=True)
    delay = rng.uniform(0.05, 9.0, m) * 86400
    copies["submitted_at"] = copies["submitted_at"] + pd.to_timedelta(np.round(delay), unit="s")
    switch = rng.random(m) < 0.25
    copies.loc[switch, "channel"] = _pick(rng, CHANNELS, [0.5, 0.4, 0.05, 0.05], m)[switch]
    change_amount = rng.random(m) < 0.45
    delta = rng.choice([-2000, -1000, -500, -250, 250, 500, 1000], size=m)
    copies["requested_amount"] = np.where(
        change_amount, np.clip(copies["requested_amount"] + delta, 1000, 35_000), copies["requested_amount"]
    ).astype(int)
    change_term = rng.random(m) < 0.12
    copies["term_months"] = np.where(
        change_term, np.clip(copies["term_months"] + rng.choice([-12, 12], size=m), 12, 60), copies["term_months"]
    ).astype(int)
    rescored = rng.random(m) < 0.65
    copies["credit_score"] = np.clip(
        copies["credit_score"] + np.where(rescored, rng.integers(-6, 7, m), 0), 300, 999
    ).astype(int)
    copies["debt_to_income"] = np.round(
        np.clip(copies["debt_to_income"] + np.where(rng.random(m) < 0.3, rng.normal(0, 0.6, m), 0), 0, 65), 1
    )
    reprice = change_term | (rescored & (rng.random(m) < 0.3))
    copies["interest_rate"] = np.round(
        np.clip(copies["interest_rate"] + np.where(reprice, rng.normal(0, 0.35, m), 0), 3.9, 39.9), 2
    )
    copies["income_verified"] = copies["income_verified"] | (rng.random(m) < 0.2)
    # a re-submission through our own channels carries the income the broker feed lacked
    copies["annual_income"] = np.where(
        copies["channel"] == "broker", copies["annual_income"], copies["stated_income"]
    )
    copies["open_credit_lines"] = np.where(
        rng.random(m) < 0.08, copies["open_credit_lines"] + 1, copies["open_credit_lines"]
    ).astype(int)
    copies = copies[copies["submitted_at"] < np.datetime64(END + 1, "s")]

    frame = pd.concat([base, copies], ignore_index=True)
    frame = frame.sort_values(["submitted_at", "loan"], kind="stable", ignore_index=True)

    # ids: applications in submission order, applicants at their first application
    rows = len(frame)
    app_no = 1_040_000 + np.cumsum(1 + rng.poisson(0.35, rows))
    frame["application_id"] = [f"HL-{i:07d}" for i in app_no]
    first_seen = frame.drop_duplicates("owner")["owner"].to_numpy()
    cust_no = 210_000 + np.cumsum(1 + rng.poisson(1.5, len(first_seen)))
    cust = dict(zip(first_seen, cust_no))
    frame["applicant_id"] = [f"C{cust[o]:07d}" for o in frame["owner"]]

    groups = frame[frame["loan"].isin(src)].groupby("loan")["application_id"].apply(list)
    groups = [g for g in groups if len(g) > 1]
    hidden = {
        "duplicate_groups": sorted(groups),
        "repeat_owner_loans": int((k > 0).sum()),
    }
    return frame[APPLICATIONS.column_names], hidden


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out["annual_income"] = out["annual_income"].map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    text = out.to_csv(index=False, lineterminator="\n", float_format="%.2f")
    return text.encode("utf-8")


def build(seed: int = SEED) -> list[Artifact]:
    """Generate the family's files (the caller writes them and the manifest)."""
    from pmle.data import loans_datasheet

    frame, hidden = simulate(seed)
    key = answer_key(frame, hidden)
    return [
        Artifact(APPLICATIONS.path, to_csv_bytes(frame), table=APPLICATIONS, rows=len(frame)),
        Artifact(DATASHEET, loans_datasheet.render(frame).encode("utf-8")),
        Artifact(ANSWER_KEY, (json.dumps(key, sort_keys=True, indent=2) + "\n").encode("utf-8"), answer_key=True),
    ]


# --------------------------------------------------------------------------
# Answer key (grading side; never shown to learners)
# --------------------------------------------------------------------------

LEAKY_COLUMNS = {
    "collection_calls_count": "post-outcome",
    "last_payment_status": "post-outcome",
    "recovery_amount": "post-outcome",
    "risk_grade_review": "target-derived",
}
ID_COLUMNS = ("application_id", "applicant_id")
TIME_COLUMN = "submitted_at"
TARGET = "defaulted"


def _rate(x: pd.Series) -> float:
    return float(round(float(x.mean()), 4))


def answer_key(frame: pd.DataFrame, hidden: dict) -> dict:
    """The planted truths of the loans family, as written to ``autograder/keys/loans.json``."""
    features = [c for c in APPLICATIONS.column_names if c not in (*ID_COLUMNS, TIME_COLUMN, TARGET)]
    legitimate = [c for c in features if c not in LEAKY_COLUMNS]
    when = frame[TIME_COLUMN]
    after = when >= pd.Timestamp(str(POLICY_CHANGE))
    groups = hidden["duplicate_groups"]
    return {
        "family": FAMILY,
        "generator_version": GENERATOR_VERSION,
        "table": APPLICATIONS.name,
        "target": TARGET,
        "id_columns": list(ID_COLUMNS),
        "group_column": "applicant_id",
        "leaky_columns": dict(LEAKY_COLUMNS),
        "leak_details": {
            "collection_calls_count": "outbound collections calls logged after funding; >0 for almost all defaulters",
            "last_payment_status": "servicing status at extraction (Jan 2026): charged off / in collections / "
            "sold to agency / payment arrangement only occur for defaulters",
            "recovery_amount": "recoveries ledger: > 0 only for defaulted loans (0.00 otherwise; empty when unmatched)",
            "risk_grade_review": "grade from a 2025 portfolio review whose analysts saw each loan's repayment history "
            "(driven by defaulted plus noise)",
        },
        "legitimate_columns": legitimate,
        "duplicate_groups": groups,
        "duplicates": {
            "groups": len(groups),
            "rows": int(sum(len(g) for g in groups)),
            "extra_rows": int(sum(len(g) - 1 for g in groups)),
            "rule": "re-submitted application: same applicant_id, loan_purpose, annual_income, home, region, age "
            "and outcome (same loan); submitted 1 hour to 9 days after the first; channel, requested_amount, "
            "term_months, credit_score (re-pulled, +-6), debt_to_income, interest_rate, income_verified and "
            "open_credit_lines may differ slightly; new application_id",
            "genuine_repeat_loans": hidden["repeat_owner_loans"],
            "genuine_repeat_rule": "an applicant's later separate loans are at least 60 days apart and not duplicates",
        },
        "time": {
            "column": TIME_COLUMN,
            "regime_change": str(POLICY_CHANGE),
            "recommended_cutoff": str(RECOMMENDED_CUTOFF),
            "split": "train on submitted_at < recommended_cutoff, validate on submitted_at >= recommended_cutoff",
            "default_rate_before": _rate(frame.loc[~after, TARGET]),
            "default_rate_after": _rate(frame.loc[after, TARGET]),
            "default_rate_by_year": {str(y): _rate(g) for y, g in frame.groupby(when.dt.year)[TARGET]},
            "broker_share_before": _rate(frame.loc[~after, "channel"] == "broker"),
            "broker_share_after": _rate(frame.loc[after, "channel"] == "broker"),
            "changes": [
                "default rate roughly doubles from the regime change (broker partnership, relaxed affordability policy)",
                "broker channel: extra +1.0 log-odds and its share of applications doubles",
                "credit_score effect weakens from -0.80 to -0.35 log-odds per 110 points",
                "debt consolidation: extra +0.5 log-odds",
                "an unobserved per-loan shock (sd 1.2 log-odds) makes outcomes less predictable",
            ],
        },
        "default_log_odds": {
            "intercept": D_BASE,
            "credit_score_per_110_points_above_760": D_CREDIT,
            "debt_to_income_per_10_points_above_23": D_DTI,
            "log_income_per_0.45_above_log_31000": D_INCOME,
            "employment_under_1_year_or_missing": D_SHORT_JOB,
            "per_delinquency_capped_4": D_DELINQ,
            "amount_to_income_per_0.16_above_0.27": D_BURDEN,
            "term_per_12_months_above_36": D_TERM,
            "income_verified": D_VERIFIED,
            "unobserved_applicant_frailty_per_sd": D_FRAILTY,
            "loan_purpose": dict(D_PURPOSE),
            "home_ownership": dict(D_HOME),
            "channel": dict(D_CHANNEL),
            "after_regime_change": {
                "intercept": D_BASE_NEW,
                "broker": D_BROKER_NEW,
                "credit_score": D_CREDIT_NEW,
                "debt_consolidation": D_CONSOLIDATION_NEW,
                "unobserved_shock_sd": D_SHOCK_NEW,
            },
        },
        "notes": (
            "Harbourline loans: four leaky columns (three filled by servicing/collections after the outcome, one "
            "grade from a later review that saw the outcome) give a near-perfect ROC AUC on a random split; "
            "per-column AUC or permutation importance finds them. Re-submitted applications are near-duplicates "
            "(same applicant, purpose and income within days; not exact duplicates) that straddle random splits: "
            "group by applicant_id. A policy change on the regime_change date raises the default rate and "
            "changes feature effects, so a random split is optimistic versus a time split at recommended_cutoff."
        ),
    }
