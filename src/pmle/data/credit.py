"""The ``credit`` family: consumer-credit applications at "Northmere Bank".

Northmere Bank is a (fictional) retail bank.  ``datasets/credit/applications.csv``
holds its consumer-loan applications from 2021-2022, one row per application,
with what the applicant declared and the credit bureau reported, the bank's
historical decision ``approved`` and, for approved loans, whether the loan
was repaid (``repaid``: no default in the first 24 months).

Everything is simulated from one seeded ``numpy.random.default_rng``:

* applicants: age, sex, family status, district, employment, occupation,
  working hours, income, existing debt, credit history;
* the true chance of repaying, which is one and the same function of the
  financial features for every applicant (sex, occupation and working hours
  play no part in it once income is known);
* the bank's historical decision: its credit score (the true creditworthiness
  as the underwriters could judge it) **minus a penalty for female
  applicants**.  This is the planted label bias: past approvals are biased
  against women beyond what creditworthiness explains;
* occupation and part-time work are strongly associated with sex, so a model
  that drops the ``sex`` column can rebuild the penalty from them.

Changing anything that alters the output means bumping ``GENERATOR_VERSION``
and rebuilding the committed files (see ``pmle.data.build``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pmle.data.schema import BOOL, CATEGORY, DATE, FLOAT, INT, NULLABLE_INT, STR, Artifact, Column, Table

FAMILY = "credit"
GENERATOR_VERSION = "credit-1.0.0"
SEED = 20250610

FIRST_DAY = np.datetime64("2021-01-04", "D")
LAST_DAY = np.datetime64("2022-12-30", "D")
OUTCOME_MONTHS = 24  # repaid = no default (90+ days past due) within 24 months of the payout
OBSERVED_UNTIL = "2024-12-31"

SEXES = ("female", "male", "unspecified")
MARITAL = ("single", "married", "cohabiting", "divorced", "widowed")
EMPLOYMENT = ("permanent", "temporary", "self-employed", "retired", "unemployed", "student")
OCCUPATIONS = (
    "healthcare & social care",
    "education",
    "office & administration",
    "retail & hospitality",
    "cleaning & personal services",
    "finance & professional services",
    "public administration",
    "IT & engineering",
    "construction & trades",
    "manufacturing",
    "transport & logistics",
    "agriculture",
    "other",
)
TERMS = (12, 24, 36, 48, 60, 72, 84)

APPLICATIONS = Table(
    name="credit",
    path="credit/applications.csv",
    description="Northmere Bank consumer-loan applications 2021-2022 with the decision and repayment outcome.",
    columns=(
        Column("application_id", STR),
        Column("application_date", DATE),
        Column("age", INT),
        Column("sex", CATEGORY, categories=SEXES),
        Column("marital_status", CATEGORY, categories=MARITAL),
        Column("postcode_district", STR),
        Column("employment_type", CATEGORY, categories=EMPLOYMENT),
        Column("occupation", CATEGORY, nullable=True, categories=OCCUPATIONS),
        Column("years_employed", FLOAT, nullable=True),
        Column("part_time", BOOL),
        Column("annual_income_eur", INT),
        Column("requested_amount_eur", INT),
        Column("term_months", INT),
        Column("existing_debt_eur", INT),
        Column("credit_history_months", INT),
        Column("previous_defaults", INT),
        Column("approved", INT),
        Column("repaid", NULLABLE_INT, nullable=True),
    ),
)
TABLES = (APPLICATIONS,)
DATASHEET = "credit/DATASHEET.md"
KEY = "credit.json"

# --------------------------------------------------------------------------
# Simulation parameters.  Learner-facing material must not describe these.
# --------------------------------------------------------------------------
N_APPLICATIONS = 20_000
SEX_P = np.array([0.486, 0.500, 0.014])
EMPLOYMENT_P = np.array([0.66, 0.11, 0.09, 0.09, 0.03, 0.02])
# P(occupation | sex) among employed applicants: rows female, male (unspecified: the average)
OCCUPATION_P = np.array(
    [
        [0.24, 0.13, 0.17, 0.14, 0.07, 0.07, 0.06, 0.03, 0.01, 0.04, 0.02, 0.01, 0.01],
        [0.04, 0.04, 0.06, 0.09, 0.03, 0.10, 0.06, 0.16, 0.16, 0.12, 0.11, 0.02, 0.01],
    ]
)
OCCUPATION_PAY = np.array([0.96, 1.0, 0.95, 0.82, 0.78, 1.25, 1.05, 1.3, 1.02, 0.98, 0.95, 0.85, 0.9])
PART_TIME_P = {"female": 0.55, "male": 0.08, "unspecified": 0.30}
PART_TIME_PAY = 0.78

# True default model: log-odds of a default within 24 months (the same for everyone).
D_BASE = -1.45
D_PREV_DEFAULT = 0.85  # per previous default, up to 3
D_DEBT_TO_INCOME = 1.3  # per 1.0 of existing debt / annual income
D_LOAN_TO_INCOME = 1.6  # per 1.0 of requested amount / annual income
D_LOG_INCOME = -0.45  # per log(income / 35,000)
D_HISTORY = -0.010  # per month of credit history (up to 240)
D_YEARS_EMPLOYED = -0.04  # per year with the employer (up to 15)
D_EMPLOYMENT = {
    "permanent": 0.0,
    "temporary": 0.45,
    "self-employed": 0.35,
    "retired": 0.0,
    "unemployed": 1.0,
    "student": 0.6,
}
D_AGE_YOUNG = 0.3  # under 25

# The bank's historical decision: log-odds of approval.
A_BASE = -0.25
A_SLOPE = 1.25  # per unit of the bank's view of -(default log-odds) relative to D_REF
D_REF = -1.3
A_JUDGEMENT_SD = 0.45  # underwriter judgement unrelated to the outcome
SEX_PENALTY = 1.0  # subtracted from the approval log-odds of female applicants (the planted bias)

AREAS = {  # postcode area -> (districts, relative income level, share of applicants)
    "NM": (24, 1.00, 0.34),
    "KB": (14, 0.90, 0.16),
    "ST": (16, 1.12, 0.17),
    "WH": (9, 0.85, 0.10),
    "LV": (12, 1.05, 0.15),
    "BR": (6, 0.80, 0.08),
}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def default_log_odds(
    previous_defaults, existing_debt, requested, income, history_months, years_employed, employment, age
) -> np.ndarray:
    """The true log-odds of a default within 24 months (identical for every group)."""
    income = np.maximum(np.asarray(income, dtype=float), 1.0)
    years = np.nan_to_num(np.asarray(years_employed, dtype=float), nan=0.0)
    emp = np.array([D_EMPLOYMENT[e] for e in employment])
    return (
        D_BASE
        + D_PREV_DEFAULT * np.minimum(previous_defaults, 3)
        + D_DEBT_TO_INCOME * np.minimum(existing_debt / income, 3)
        + D_LOAN_TO_INCOME * np.minimum(requested / income, 3)
        + D_LOG_INCOME * np.log(income / 35_000)
        + D_HISTORY * np.minimum(history_months, 240)
        + D_YEARS_EMPLOYED * np.minimum(years, 15)
        + emp
        + D_AGE_YOUNG * (np.asarray(age) < 25)
    )


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    n = N_APPLICATIONS

    # ---- dates and ids ---------------------------------------------------
    days = np.arange(FIRST_DAY, LAST_DAY + 1)
    weekday = (days.astype(int) + 3) % 7
    w = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.35, 0.1))
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    w *= np.where(np.isin(month, [1, 3, 4, 9, 10]), 1.1, 1.0) * np.where(month == 8, 0.8, 1.0)
    date = np.sort(days[rng.choice(len(days), size=n, p=w / w.sum())])
    numbers = 210_000 + np.cumsum(1 + rng.poisson(0.6, n))
    application_id = np.array([f"NMB-{i}" for i in numbers], dtype=object)

    # ---- who applies -----------------------------------------------------
    sex = rng.choice(3, size=n, p=SEX_P)
    sex_name = np.array(SEXES, dtype=object)[sex]
    employment = rng.choice(len(EMPLOYMENT), size=n, p=EMPLOYMENT_P)
    age = np.round(np.clip(rng.normal(41, 12, n), 19, 67)).astype(int)
    age = np.where(employment == 3, rng.integers(60, 79, n), age)  # retired
    age = np.where(employment == 5, rng.integers(18, 27, n), age)  # student
    emp_name = np.array(EMPLOYMENT, dtype=object)[employment]
    employed = employment <= 2

    occ_p = np.where(
        (sex == 0)[:, None], OCCUPATION_P[0], np.where((sex == 1)[:, None], OCCUPATION_P[1], OCCUPATION_P.mean(0))
    )
    occupation = (rng.random(n)[:, None] > np.cumsum(occ_p, axis=1)).sum(axis=1).clip(0, len(OCCUPATIONS) - 1)
    pt_p = np.array([PART_TIME_P[s] for s in SEXES])[sex]
    pt_p = pt_p * np.where(np.isin(occupation, [0, 1, 3, 4]), 1.2, np.where(np.isin(occupation, [7, 8, 9]), 0.6, 1.0))
    part_time = employed & (rng.random(n) < np.minimum(pt_p, 0.95))
    part_time |= (employment == 5) & (rng.random(n) < 0.6)  # students with a side job

    marital_p = np.stack(
        [
            np.clip(0.75 - 0.016 * (age - 18), 0.08, 0.8),
            np.clip(0.05 + 0.014 * (age - 18), 0.05, 0.60),
            np.full(n, 0.16),
            np.clip(0.004 * (age - 25), 0.0, 0.14),
            np.clip(0.004 * (age - 50), 0.0, 0.12),
        ],
        axis=1,
    )
    marital = (rng.random(n)[:, None] > np.cumsum(marital_p / marital_p.sum(1, keepdims=True), axis=1)).sum(1)
    marital = marital.clip(0, len(MARITAL) - 1)

    areas = list(AREAS)
    area = rng.choice(len(areas), size=n, p=np.array([AREAS[a][2] for a in areas]))
    district_no = np.array([rng.integers(1, AREAS[areas[a]][0] + 1) for a in area])
    area_income = np.array([AREAS[areas[a]][1] for a in area]) * (1 + 0.012 * (district_no - 6))
    postcode = np.array([f"{areas[a]}{d}" for a, d in zip(area, district_no)], dtype=object)
    lower = rng.random(n) < 0.015
    postcode[lower] = np.array([p.lower() for p in postcode[lower]], dtype=object)

    # ---- money -------------------------------------------------------------
    career = np.clip(age - 20, 0, 40)
    base = 36_000 * OCCUPATION_PAY[occupation] * area_income * (1 + 0.018 * career - 0.0003 * career**2)
    income = base * np.exp(rng.normal(0, 0.38, n)) * np.where(part_time, PART_TIME_PAY, 1.0)
    income = np.where(employment == 3, 23_000 * area_income * np.exp(rng.normal(0, 0.3, n)), income)
    income = np.where(employment == 4, rng.uniform(9_000, 16_000, n), income)  # benefits
    income = np.where(employment == 5, rng.uniform(6_000, 15_000, n), income)
    income = np.where(employment == 2, income * np.exp(rng.normal(0.05, 0.35, n)), income)
    rounded = rng.random(n) < 0.45  # self-reported, often in round thousands
    income = np.where(rounded, np.round(income, -3), np.round(income))
    income = np.maximum(income, 3_000).astype(np.int64)

    years = np.where(employed, np.minimum(rng.exponential(6.5, n), np.maximum(age - 18, 0.2)), np.nan)
    years = np.where(employment == 1, np.minimum(years, rng.exponential(1.5, n)), years)
    years = np.round(np.maximum(years, 0.1), 1)

    history = np.floor(np.clip((age - 18) * 12 * rng.beta(4, 2, n) - rng.exponential(8, n), 0, None)).astype(np.int64)
    frailty = rng.normal(0, 1, n)
    prev_def = rng.poisson(0.07 * np.exp(0.8 * frailty) * np.clip(history / 60, 0.2, 2.0))
    prev_def = np.minimum(prev_def, 5).astype(np.int64)
    has_debt = rng.random(n) < 0.55
    debt = np.where(has_debt, income * 0.25 * np.exp(rng.normal(0, 0.8, n) + 0.3 * frailty), 0.0)
    debt = np.round(debt).astype(np.int64)

    requested = income * 0.22 * np.exp(rng.normal(0, 0.6, n) + 0.15 * frailty)
    requested = np.clip(np.round(requested / 500) * 500, 1_000, 75_000).astype(np.int64)
    term_idx = np.clip(np.round(1.2 * np.log(requested / 1_500) + rng.normal(0, 0.9, n)), 0, len(TERMS) - 1).astype(int)
    term = np.array(TERMS)[term_idx]

    # ---- truth and the historical decision ---------------------------------
    eta_default = default_log_odds(prev_def, debt, requested, income, history, years, emp_name, age)
    p_default = _sigmoid(eta_default)
    bank_view = -(eta_default - D_REF) + rng.normal(0, A_JUDGEMENT_SD, n)
    approve_eta = A_BASE + A_SLOPE * bank_view - SEX_PENALTY * (sex == 0)
    p_approve = _sigmoid(approve_eta)
    approved = rng.random(n) < p_approve
    defaulted = rng.random(n) < p_default
    repaid = np.where(approved, (~defaulted).astype(float), np.nan)

    frame = pd.DataFrame(
        {
            "application_id": application_id,
            "application_date": date,
            "age": age.astype(np.int64),
            "sex": sex_name,
            "marital_status": np.array(MARITAL, dtype=object)[marital],
            "postcode_district": postcode,
            "employment_type": emp_name,
            "occupation": np.where(employed, np.array(OCCUPATIONS, dtype=object)[occupation], None),
            "years_employed": years,
            "part_time": part_time,
            "annual_income_eur": income,
            "requested_amount_eur": requested,
            "term_months": term.astype(np.int64),
            "existing_debt_eur": debt,
            "credit_history_months": history,
            "previous_defaults": prev_def,
            "approved": approved.astype(np.int64),
            "repaid": pd.array(np.where(np.isnan(repaid), pd.NA, repaid), dtype="Int64"),
        }
    )[APPLICATIONS.column_names]
    truth = {
        "p_default": p_default,
        "p_approve": p_approve,
        "p_approve_without_penalty": _sigmoid(A_BASE + A_SLOPE * bank_view),
        "defaulted_all": defaulted,
    }
    return frame, truth


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.1f")
    return text.encode("utf-8")


def answer_key(frame: pd.DataFrame, truth: dict) -> dict:
    sex = frame["sex"].to_numpy()
    approved = frame["approved"].to_numpy()
    rates = {s: float(round(approved[sex == s].mean(), 4)) for s in SEXES}
    counterfactual = {s: float(round(truth["p_approve_without_penalty"][sex == s].mean(), 4)) for s in SEXES}
    repaid = frame["repaid"]
    repay = {s: float(round(repaid[(sex == s) & (approved == 1)].astype(float).mean(), 4)) for s in SEXES}
    true_repay = {s: float(round(1 - truth["p_default"][sex == s].mean(), 4)) for s in SEXES}
    return {
        "family": FAMILY,
        "generator_version": GENERATOR_VERSION,
        "table": APPLICATIONS.path,
        "protected_attribute": "sex",
        "privileged_group": "male",
        "unprivileged_group": "female",
        "label_bias": {
            "label": "approved",
            "kind": "historical decisions penalised female applicants beyond creditworthiness",
            "penalty_group": "female",
            "approval_log_odds_penalty": SEX_PENALTY,
            "repayment_depends_on_sex": False,
            "unbiased_outcome": "repaid (observed for approved applications only)",
        },
        "selection_rates": rates,
        "disparate_impact_ratio": float(round(rates["female"] / rates["male"], 4)),
        "selection_rate_difference": float(round(rates["male"] - rates["female"], 4)),
        "selection_rates_without_penalty": counterfactual,
        "repaid_rate_among_approved": repay,
        "true_repayment_rate_all_applicants": true_repay,
        "overall_approval_rate": float(round(approved.mean(), 4)),
        "financial_columns": [
            "annual_income_eur",
            "requested_amount_eur",
            "term_months",
            "existing_debt_eur",
            "credit_history_months",
            "previous_defaults",
            "years_employed",
            "employment_type",
            "age",
        ],
        "proxy": {
            "columns": ["part_time", "occupation"],
            "encodes": "sex",
            "part_time_rate": {
                s: float(round(frame.loc[(sex == s) & frame["occupation"].notna().to_numpy(), "part_time"].mean(), 4))
                for s in SEXES
            },
            "note": (
                "part_time (among the employed) and occupation are strongly associated with sex; neither affects "
                "repayment once income and the other financial fields are known. postcode_district is NOT a proxy "
                "for sex (it relates to income only)."
            ),
        },
        "true_default_model": {
            "link": "logit of P(default within 24 months); repaid = 1 - default",
            "intercept": D_BASE,
            "previous_defaults_capped_3": D_PREV_DEFAULT,
            "existing_debt_over_income_capped_3": D_DEBT_TO_INCOME,
            "requested_over_income_capped_3": D_LOAN_TO_INCOME,
            "log_income_over_35000": D_LOG_INCOME,
            "credit_history_months_capped_240": D_HISTORY,
            "years_employed_capped_15_missing_0": D_YEARS_EMPLOYED,
            "employment_type": D_EMPLOYMENT,
            "age_under_25": D_AGE_YOUNG,
            "sex": 0.0,
            "part_time": 0.0,
            "occupation": 0.0,
        },
        "historical_approval_model": {
            "link": "logit of P(approved)",
            "formula": (
                "A_BASE + A_SLOPE * (-(default_log_odds - D_REF) + N(0, judgement_sd)) - penalty * [sex == female]"
            ),
            "A_BASE": A_BASE,
            "A_SLOPE": A_SLOPE,
            "D_REF": D_REF,
            "judgement_sd": A_JUDGEMENT_SD,
            "penalty": SEX_PENALTY,
        },
        "notes": (
            "Approvals are biased against women: the approval log-odds carry a -1.0 penalty for female applicants "
            "while the true repayment probability is the same function of the financial fields for everyone. "
            "The four-fifths rule fails on approved; among approved loans repayment does not differ by sex once "
            "financial fields are controlled for (approved women repay at least as well). part_time and occupation "
            "stand in for sex when the sex column is dropped. 'unspecified' applicants were not penalised."
        ),
    }


def build(seed: int = SEED) -> list[Artifact]:
    """Generate the family's files (the caller writes them and the manifest)."""
    from pmle.data import credit_datasheet

    frame, truth = simulate(seed)
    key = answer_key(frame, truth)
    return [
        Artifact(APPLICATIONS.path, to_csv_bytes(frame), table=APPLICATIONS, rows=len(frame)),
        Artifact(DATASHEET, credit_datasheet.render(frame).encode("utf-8")),
        Artifact(KEY, (json.dumps(key, sort_keys=True, indent=2) + "\n").encode("utf-8"), answer_key=True),
    ]
