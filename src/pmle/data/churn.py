"""The ``churn`` family: monthly subscriber snapshots of "Brightwave".

Brightwave is a (fictional) European broadband + TV subscription company.  The
retention team wants to know which subscribers will cancel in the next 30 days.
``datasets/churn/snapshots.csv`` holds one row per (customer, month-end
snapshot) for every customer active on that snapshot date, Jan-Jun 2025, with
the features as of the snapshot and the outcome ``cancelled_at``.

Everything is simulated from one seeded ``numpy.random.default_rng``: customers
and their static attributes, a daily timeline of app sessions and support
tickets, monthly bills paid on time or late, and a monthly cancellation hazard.
The features are read off that timeline at each snapshot, so they are mutually
consistent (``sessions_30d == 0`` exactly when the last login is 30+ days ago,
tenure follows from the dates, a customer appears in no snapshot after
cancelling).

Changing anything that alters the output means bumping ``GENERATOR_VERSION``
and rebuilding the committed files (see ``pmle.data.build``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pmle.data import _cities
from pmle.data.schema import BOOL, CATEGORY, DATE, FLOAT, INT, NULLABLE_INT, STR, Artifact, Column, Table

FAMILY = "churn"
GENERATOR_VERSION = "churn-1.0.0"
SEED = 20250731

SNAPSHOT_DATES = np.array(
    ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30"],
    dtype="datetime64[D]",
)
DATA_END = np.datetime64("2025-07-31", "D")
LABEL_WINDOW_DAYS = 30  # the label the labs use: cancelled within 30 days after a snapshot

PLANS = ("Basic", "Standard", "Premium")
CONTRACTS = ("monthly", "12-month", "24-month")
PAYMENT_METHODS = ("card", "direct debit", "PayPal", "invoice")

SNAPSHOTS = Table(
    name="churn",
    path="churn/snapshots.csv",
    description="Brightwave subscribers, one row per customer and month-end snapshot (Jan-Jun 2025).",
    columns=(
        Column("customer_id", STR),
        Column("snapshot_date", DATE),
        Column("signup_date", DATE),
        Column("plan", CATEGORY, categories=PLANS),
        Column("contract", CATEGORY, categories=CONTRACTS),
        Column("monthly_fee", FLOAT),
        Column("payment_method", CATEGORY, categories=PAYMENT_METHODS),
        Column("autopay", BOOL),
        Column("city", STR),
        Column("age", NULLABLE_INT, nullable=True),
        Column("tenure_months", INT),
        Column("days_since_last_login", NULLABLE_INT, nullable=True),
        Column("sessions_30d", INT),
        Column("support_tickets_90d", INT),
        Column("late_payments_12m", INT),
        Column("cancelled_at", DATE, nullable=True),
    ),
)
TABLES = (SNAPSHOTS,)
DATASHEET = "churn/DATASHEET.md"
ANSWER_KEY = "churn.json"

# --------------------------------------------------------------------------
# Simulation parameters
# --------------------------------------------------------------------------
N_CANDIDATES = 20_200  # sign-ups before the first snapshot, before survivor thinning
GROWTH_PER_YEAR = 0.15  # sign-ups per year grow at this (log) rate
NEW_PER_MONTH = 270  # mean sign-ups per month during the window (that reach a snapshot)
SURVIVOR_OFFSET = 0.8  # typical dynamic risk added to the static risk for thinning
# The population on the first snapshot is a survivor population: the hazard
# already runs on these month ends, and whoever cancels then never appears.
BURN_IN_DATES = np.array(
    ["2024-07-31", "2024-08-31", "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31"], dtype="datetime64[D]"
)
TIMELINE_START = np.datetime64("2024-04-01", "D")  # daily activity simulated from here
FIRST_BILL = np.datetime64("2023-08", "M")  # monthly bills on the 1st, 12 months before the first hazard date
FOUNDED = np.datetime64("2017-03-01", "D")

BASE_FEE = np.array([29.99, 44.99, 64.99])  # per plan
TV_ADDON = np.array([0.0, 9.99, 14.99])
CONTRACT_DISCOUNT = np.array([0.0, 3.00, 5.00])
# P(contract | plan) at sign-up: rows Basic/Standard/Premium, columns monthly/12-month/24-month
CONTRACT_MIX = np.array([[0.60, 0.28, 0.12], [0.55, 0.30, 0.15], [0.45, 0.30, 0.25]])
BILLING_ERROR_RATE = 0.002
NEVER_USER_LOGIT = -1.5  # share of customers who never use the app (at age 44)

# Cancellation hazard (log-odds per month).  Learner-facing material must not
# describe these.
H_BASE = -3.45
H_MONTHLY = 1.1
H_TWO_YEAR = -0.7
H_NEVER_USER = 2.1
H_IDLE_PER_30D = 1.5  # per 30 days since last login, capped
IDLE_CAP_DAYS = 45
H_TICKET = 0.45
H_LATE = 0.45
H_LOG_TENURE = -0.22
H_FIRST_QUARTER = 0.35
H_INVOICE = 0.30
H_NO_AUTOPAY = 0.30
H_RENEWAL = 0.55  # fixed-term contract in its last month
H_FRAILTY = 0.1
H_NOISE = 0.1


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of ``datetime64[D]`` values."""
    days = days.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(int) + 1970
    month = months.astype(int) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(int) + 1
    return year, month, day


def complete_months(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole calendar months from ``start`` to ``end`` (both ``datetime64[D]``)."""
    y0, m0, d0 = _ymd(start)
    y1, m1, d1 = _ymd(end)
    return (y1 - y0) * 12 + (m1 - m0) - (d1 < d0)


def _age_years(birth: np.ndarray, when: np.ndarray) -> np.ndarray:
    y0, m0, d0 = _ymd(birth)
    y1, m1, d1 = _ymd(when)
    return y1 - y0 - ((m1 < m0) | ((m1 == m0) & (d1 < d0)))


def _draw_cities(rng: np.random.Generator, n: int) -> np.ndarray:
    countries = list(_cities.COUNTRIES)
    shares = np.array([_cities.COUNTRIES[c][0] for c in countries])
    country = rng.choice(len(countries), size=n, p=shares / shares.sum())
    u = rng.random(n)
    city = np.empty(n, dtype=object)
    for ci, code in enumerate(countries):
        names = _cities.COUNTRIES[code][1]
        weights = 1.0 / np.arange(1, len(names) + 1) ** 1.05
        cdf = np.cumsum(weights) / weights.sum()
        mask = country == ci
        pick = np.minimum(np.searchsorted(cdf, u[mask], side="right"), len(names) - 1)
        city[mask] = np.array(names, dtype=object)[pick]
    # A minority of customers in some cities spell them differently.
    use_variant = rng.random(n) < 0.12
    which = rng.integers(0, 2, size=n)
    for canonical, variants in _cities.VARIANTS.items():
        mask = (city == canonical) & use_variant
        city[mask] = np.array(variants, dtype=object)[which[mask] % len(variants)]
    return city


def simulate(seed: int = SEED) -> pd.DataFrame:
    """Simulate the snapshot table (rows sorted by snapshot_date, customer_id)."""
    return _simulate(seed)[0]


def _simulate(seed: int) -> tuple[pd.DataFrame, dict]:
    """The snapshot table and the simulation's hidden facts (for the answer key).

    The hidden facts are read off the simulation without drawing any extra
    random numbers, so the table is the same as before the key existed.
    """
    rng = np.random.default_rng(seed)
    snaps = SNAPSHOT_DATES
    n_snaps = len(snaps)

    # ---- customers and sign-up dates ------------------------------------
    # Candidates who signed up since the founding (more per year as the
    # company grew) and new sign-ups during the observation window.
    history = int((snaps[0] - FOUNDED).astype(int))
    growth = GROWTH_PER_YEAR / 365.25
    u = rng.random(N_CANDIDATES)
    offset_days = np.floor(np.log1p(u * np.expm1(growth * history)) / growth).astype(int)
    signups = [FOUNDED + np.minimum(offset_days, history - 1)]
    new_counts = rng.poisson(NEW_PER_MONTH, size=n_snaps - 1)
    for k in range(1, n_snaps):
        width = (snaps[k] - snaps[k - 1]).astype(int)
        signups.append(snaps[k - 1] + rng.integers(0, width, size=new_counts[k - 1]))
    signup = np.concatenate(signups).astype("datetime64[D]")
    in_window = np.arange(len(signup)) >= N_CANDIDATES
    n = len(signup)

    # Customer ids are issued in sign-up order.
    order = np.argsort(signup, kind="stable")
    ids = np.empty(n, dtype=np.int64)
    ids[order] = 1000 + np.cumsum(1 + rng.poisson(0.2, n))
    customer_id = np.array([f"BW-{i:06d}" for i in ids], dtype=object)

    # ---- static attributes ---------------------------------------------
    plan = rng.choice(3, size=n, p=[0.38, 0.42, 0.20])
    u = rng.random(n)
    contract = (u[:, None] > np.cumsum(CONTRACT_MIX[plan], axis=1)).sum(axis=1)
    tv = rng.choice(3, size=n, p=[0.55, 0.30, 0.15])
    legacy = np.minimum(np.floor((snaps[0] - signup).astype(int) / 365.25), 3).clip(0)
    fee = BASE_FEE[plan] + TV_ADDON[tv] - CONTRACT_DISCOUNT[contract] - 2.0 * legacy
    fee = np.round(fee, 2)

    payment = rng.choice(4, size=n, p=[0.33, 0.40, 0.13, 0.14])
    autopay_p = np.array([0.70, 1.0, 0.45, 0.0])[payment]
    autopay = rng.random(n) < autopay_p

    city = _draw_cities(rng, n)

    age_at_start = np.clip(rng.normal(44, 14, n), 18, 88)
    birth = snaps[0] - (age_at_start * 365.25).astype(int) - rng.integers(0, 365, n)
    birth = np.minimum(birth, signup - int(18 * 365.25) - 1).astype("datetime64[D]")
    age_missing = rng.random(n) < 0.05
    age_now = _age_years(birth, np.full(n, snaps[0]))

    frailty = rng.normal(0, 1, n)
    never_user = rng.random(n) < _sigmoid(NEVER_USER_LOGIT + 0.045 * (age_now - 44) + 0.3 * frailty)

    # Candidates who would have cancelled before the simulated history starts
    # are gone: thin them by an approximate survival of their static risk.
    months_before = np.maximum(complete_months(signup, np.full(n, BURN_IN_DATES[0])), 0)
    static_risk = (
        H_BASE
        + SURVIVOR_OFFSET
        + H_MONTHLY * (contract == 0)
        + H_TWO_YEAR * (contract == 2)
        + H_NEVER_USER * never_user
        + H_INVOICE * (payment == 3)
        + H_NO_AUTOPAY * ~autopay
        + H_FRAILTY * frailty
        + H_LOG_TENURE * np.log1p(months_before / 2)
    )
    survived = rng.random(n) < (1.0 - _sigmoid(static_risk)) ** months_before
    keep = np.flatnonzero(in_window | survived)
    signup, customer_id, plan, contract, fee = signup[keep], customer_id[keep], plan[keep], contract[keep], fee[keep]
    payment, autopay, city, birth, age_missing = payment[keep], autopay[keep], city[keep], birth[keep], age_missing[keep]
    age_now, frailty, never_user = age_now[keep], frailty[keep], never_user[keep]
    n = len(keep)

    # ---- app usage on a daily timeline ----------------------------------
    days = np.arange(TIMELINE_START, snaps[-1] + 1, dtype="datetime64[D]")
    n_days = len(days)
    month_of_day = (days.astype("datetime64[M]") - TIMELINE_START.astype("datetime64[M]")).astype(int)
    n_months = month_of_day[-1] + 1

    first_login_delay = np.floor(rng.exponential(4, n)).astype(int)
    adoption_delay = np.ceil(rng.exponential(900, n)).astype(int)
    start = np.maximum(signup, TIMELINE_START)
    login_from = np.where(never_user, start + adoption_delay, signup + first_login_delay)
    login_from = login_from.astype("datetime64[D]")

    mu = 0.9 * rng.normal(0, 1, n) - 0.015 * (age_now - 44) - 0.35 * frailty
    engagement = np.empty((n, n_months))
    engagement[:, 0] = mu + rng.normal(0, 0.75, n)
    for m in range(1, n_months):
        engagement[:, m] = mu + 0.6 * (engagement[:, m - 1] - mu) + rng.normal(0, 0.6, n)
    rate = np.minimum(np.exp(-2.3 + 0.9 * engagement[:, month_of_day]), 2.5)
    rate[days[None, :] < login_from[:, None]] = 0.0
    sessions = rng.poisson(rate)
    # The first login (app activation) happens on ``login_from``.
    first = (login_from - TIMELINE_START).astype(int)
    inside = (first >= 0) & (first < n_days)
    sessions[np.flatnonzero(inside), first[inside]] += 1

    # Users active before the timeline starts logged in last some time before it.
    before = rng.exponential(np.exp(2.3 - 0.9 * mu))
    pre_last = np.maximum(TIMELINE_START - 1 - np.floor(before).astype(int), login_from)
    has_pre = login_from < TIMELINE_START
    day_idx = np.arange(n_days)
    last_login_idx = np.maximum.accumulate(np.where(sessions > 0, day_idx, -1), axis=1)
    session_cum = np.cumsum(sessions, axis=1)

    # ---- support tickets (daily) and bills (monthly) --------------------
    ticket_rate = 0.0055 * np.exp(0.5 * frailty)[:, None] * np.ones(n_days)
    since_signup = (days[None, :] - signup[:, None]).astype(int)
    ticket_rate = np.where(since_signup < 0, 0.0, np.where(since_signup < 45, ticket_rate * 3.0, ticket_rate))
    tickets = rng.poisson(ticket_rate)
    ticket_cum = np.cumsum(tickets, axis=1)

    bill_months = np.arange(FIRST_BILL, snaps[-1].astype("datetime64[M]") + 1)
    bill_dates = bill_months.astype("datetime64[D]")
    late_p = _sigmoid(-3.1 + 1.4 * (payment == 3) + 0.8 * ~autopay + 0.6 * frailty)
    late = (rng.random((n, len(bill_dates))) < late_p[:, None]) & (bill_dates[None, :] > signup[:, None])

    # ---- features at each snapshot --------------------------------------
    hazard_dates = np.concatenate([BURN_IN_DATES, snaps])
    feats = []
    for snap in hazard_dates:
        d = int((snap - TIMELINE_START).astype(int))
        li = last_login_idx[:, d]
        dsl = np.where(li >= 0, d - li, np.where(has_pre, (snap - pre_last).astype(int), -1))
        feats.append(
            {
                "dsl": dsl,  # -1 = never logged in
                "sessions": session_cum[:, d] - session_cum[:, d - 30],
                "tickets": ticket_cum[:, d] - ticket_cum[:, d - 90],
                "late": (late & (bill_dates[None, :] > snap - 365) & (bill_dates[None, :] <= snap)).sum(axis=1),
                "tenure": complete_months(signup, np.full(n, snap)),
                "age": _age_years(birth, np.full(n, snap)),
            }
        )

    # ---- cancellations ---------------------------------------------------
    cancelled = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ends = np.append(hazard_dates[1:], DATA_END)
    for k, snap in enumerate(hazard_dates):
        f = feats[k]
        active = (signup < snap) & np.isnat(cancelled)
        never = f["dsl"] < 0
        idle = np.where(never, 0, np.minimum(f["dsl"], IDLE_CAP_DAYS)) / 30.0
        tenure = f["tenure"]
        renewal = ((contract == 1) & (tenure % 12 == 11)) | ((contract == 2) & (tenure % 24 == 23))
        eta = (
            H_BASE
            + H_MONTHLY * (contract == 0)
            + H_TWO_YEAR * (contract == 2)
            + H_NEVER_USER * never
            + H_IDLE_PER_30D * idle
            + H_TICKET * np.minimum(f["tickets"], 6)
            + H_LATE * np.minimum(f["late"], 6)
            + H_LOG_TENURE * np.log1p(np.maximum(tenure, 0))
            + H_FIRST_QUARTER * (tenure < 3)
            + H_INVOICE * (payment == 3)
            + H_NO_AUTOPAY * ~autopay
            + H_RENEWAL * renewal
            + H_FRAILTY * frailty
            + rng.normal(0, H_NOISE, n)
        )
        leaves = active & (rng.random(n) < _sigmoid(eta))
        window = min(LABEL_WINDOW_DAYS, int((ends[k] - snap).astype(int)))
        offset = rng.integers(1, window + 1, size=n)
        cancelled[leaves] = snap + offset[leaves]

    # ---- assemble rows ----------------------------------------------------
    parts = []
    for k, snap in enumerate(snaps):
        f = feats[len(BURN_IN_DATES) + k]
        rows = np.flatnonzero((signup < snap) & (np.isnat(cancelled) | (cancelled > snap)))
        dsl = f["dsl"][rows]
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": customer_id[rows],
                    "snapshot_date": np.full(len(rows), snap),
                    "signup_date": signup[rows],
                    "plan": np.array(PLANS, dtype=object)[plan[rows]],
                    "contract": np.array(CONTRACTS, dtype=object)[contract[rows]],
                    "monthly_fee": fee[rows],
                    "payment_method": np.array(PAYMENT_METHODS, dtype=object)[payment[rows]],
                    "autopay": autopay[rows],
                    "city": city[rows],
                    "age": pd.array(np.where(age_missing[rows], pd.NA, f["age"][rows]), dtype="Int64"),
                    "tenure_months": f["tenure"][rows].astype(np.int64),
                    "days_since_last_login": pd.array(np.where(dsl < 0, pd.NA, dsl), dtype="Int64"),
                    "sessions_30d": f["sessions"][rows].astype(np.int64),
                    "support_tickets_90d": f["tickets"][rows].astype(np.int64),
                    "late_payments_12m": f["late"][rows].astype(np.int64),
                    "cancelled_at": cancelled[rows],
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)

    # Billing errors: a handful of rows with a zero or tenfold fee.
    errors = np.flatnonzero(rng.random(len(frame)) < BILLING_ERROR_RATE)
    factor = np.where(rng.random(len(errors)) < 0.5, 0.0, 10.0)
    fee_col = frame["monthly_fee"].to_numpy(copy=True)
    billed_fee = fee_col[errors].copy()
    fee_col[errors] = np.round(fee_col[errors] * factor, 2)
    frame["monthly_fee"] = fee_col
    hidden = {
        "billing_errors": pd.DataFrame(
            {
                "customer_id": frame["customer_id"].to_numpy()[errors],
                "snapshot_date": frame["snapshot_date"].to_numpy()[errors],
                "monthly_fee": fee_col[errors],
                "correct_fee": billed_fee,
            }
        ),
        "never_user_ids": set(customer_id[never_user]),
    }

    frame = frame.sort_values(["snapshot_date", "customer_id"], kind="stable", ignore_index=True)
    return frame[SNAPSHOTS.column_names], hidden


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The byte-stable CSV encoding of a snapshot frame."""
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.2f")
    return text.encode("utf-8")


def build(seed: int = SEED) -> list[Artifact]:
    """Generate the family's files (the caller writes them and the manifest)."""
    from pmle.data import churn_datasheet

    frame, hidden = _simulate(seed)
    key = answer_key(frame, hidden)
    return [
        Artifact(SNAPSHOTS.path, to_csv_bytes(frame), table=SNAPSHOTS, rows=len(frame)),
        Artifact(DATASHEET, churn_datasheet.render(frame).encode("utf-8")),
        Artifact(ANSWER_KEY, (json.dumps(key, sort_keys=True, indent=2) + "\n").encode("utf-8"), answer_key=True),
    ]


# --------------------------------------------------------------------------
# Answer key (grading side; never shown to learners)
# --------------------------------------------------------------------------

# The hazard coefficients above, by the names the key uses (log-odds per month).
HAZARD_COEFFICIENTS = {
    "intercept": H_BASE,
    "contract_monthly": H_MONTHLY,
    "contract_24_month": H_TWO_YEAR,
    "never_logged_in": H_NEVER_USER,
    "idle_per_30_days_since_login": H_IDLE_PER_30D,
    "support_tickets_90d": H_TICKET,
    "late_payments_12m": H_LATE,
    "log1p_tenure_months": H_LOG_TENURE,
    "first_quarter_of_tenure": H_FIRST_QUARTER,
    "payment_method_invoice": H_INVOICE,
    "no_autopay": H_NO_AUTOPAY,
    "renewal_month": H_RENEWAL,
    "frailty_per_sd": H_FRAILTY,
    "noise_sd": H_NOISE,
}


def _round(x: float, digits: int = 4) -> float:
    return float(round(float(x), digits))


def answer_key(frame: pd.DataFrame, hidden: dict) -> dict:
    """The planted truths of the churn family, as written to ``autograder/keys/churn.json``."""
    errors = hidden["billing_errors"].sort_values(["snapshot_date", "customer_id"], ignore_index=True)
    billing_errors = [
        {
            "customer_id": str(r.customer_id),
            "snapshot_date": str(np.datetime64(r.snapshot_date, "D")),
            "monthly_fee": _round(r.monthly_fee, 2),
            "correct_fee": _round(r.correct_fee, 2),
            "kind": "zero" if r.monthly_fee == 0 else "tenfold",
        }
        for r in errors.itertuples(index=False)
    ]

    present = set(frame["city"].unique())
    city_variants = {
        variant: canonical
        for canonical, variants in _cities.VARIANTS.items()
        for variant in variants
        if variant in present
    }

    # Never-users: the hazard's ``never logged in`` term is exactly the rows
    # whose days_since_last_login is empty (no login on record by the snapshot).
    label = (frame["cancelled_at"] > frame["snapshot_date"]) & (
        frame["cancelled_at"] <= frame["snapshot_date"] + pd.Timedelta(days=LABEL_WINDOW_DAYS)
    )
    never = frame["days_since_last_login"].isna()
    customers = frame["customer_id"].drop_duplicates()
    planted = customers.isin(hidden["never_user_ids"])
    churned = frame.groupby("customer_id")["cancelled_at"].first().notna()
    never_customers = frame.loc[never, "customer_id"].unique()
    never_users = {
        "definition": "rows whose days_since_last_login is empty: no app/portal login on record by snapshot_date",
        "column": "days_since_last_login",
        "label": f"cancelled_at within {LABEL_WINDOW_DAYS} days after snapshot_date",
        "row_share": _round(never.mean()),
        "rows": int(never.sum()),
        "churn_rate_30d": _round(label[never].mean()),
        "churn_rate_30d_others": _round(label[~never].mean()),
        "churn_rate_ratio": _round(label[never].mean() / label[~never].mean(), 3),
        "customer_share_ever_never_logged_in": _round(len(never_customers) / len(customers)),
        "customer_share_planted_late_adopters": _round(planted.mean()),
        "customer_churn_share_never_logged_in": _round(churned[never_customers].mean()),
        "customer_churn_share_others": _round(churned[~churned.index.isin(never_customers)].mean()),
    }

    return {
        "family": FAMILY,
        "generator_version": GENERATOR_VERSION,
        "table": SNAPSHOTS.name,
        "label": {
            "definition": f"cancelled_at > snapshot_date and cancelled_at <= snapshot_date + {LABEL_WINDOW_DAYS} days",
            "window_days": LABEL_WINDOW_DAYS,
            "data_end": str(DATA_END),
        },
        "billing_errors": billing_errors,
        "billing_error_rule": (
            "monthly_fee set to 0.00 (zero) or to ten times the correct fee (tenfold) on single rows; "
            "normal fees lie within their plan's range (plan price + TV add-on - contract discount - legacy discount)"
        ),
        "normal_fee_range": {
            plan: [
                _round(BASE_FEE[i] - CONTRACT_DISCOUNT.max() - 6.0, 2),
                _round(BASE_FEE[i] + TV_ADDON.max(), 2),
            ]
            for i, plan in enumerate(PLANS)
        },
        "city_variants": city_variants,
        "never_users": never_users,
        "hazard_coefficients": HAZARD_COEFFICIENTS,
        "hazard_notes": (
            "monthly log-odds of cancelling at each month end: intercept + terms; never_logged_in applies when "
            "days_since_last_login is empty; idle = min(days_since_last_login, 45)/30 for users who logged in; "
            "support_tickets_90d and late_payments_12m capped at 6; renewal_month = last month of a 12- or "
            "24-month term; frailty is an unobserved per-customer N(0,1) trait; noise_sd is per-month N(0, sd) noise"
        ),
        "notes": (
            "Brightwave churn: billing errors are single-row monthly_fee values of 0.00 or 10x the customer's fee "
            "(find them per plan with a robust z-score or IQR fence; a global z-score misses the zeros). "
            "City spellings map to one canonical name each. Customers without any login on record churn at a "
            "much higher rate. Hazard coefficients are the simulation's true monthly log-odds terms."
        ),
    }
