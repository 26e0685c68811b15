"""The ``fraud`` family: card transactions of "Kestrel Pay".

Kestrel Pay is a (fictional) Dutch card issuer.  ``datasets/fraud/transactions.csv``
holds the authorised card transactions of a sample of its cardholders over 13
weeks (Monday 2025-03-03 to Sunday 2025-06-01), one row per transaction, with
the features the issuer's fraud team computes at authorisation time and the
label ``is_fraud`` (confirmed by a chargeback / fraud claim).

Everything is simulated from one seeded ``numpy.random.default_rng``:

* cardholder accounts with a spending rate, a spending scale, category
  preferences and (for some) a trip abroad;
* the cardholders' own transactions over a warm-up period and the 13 weeks
  (the warm-up only feeds the per-card history features);
* fraud bursts: a compromised card is used by a fraudster for a handful of
  transactions within a few hours, either card-not-present (online, stolen
  card details, often preceded by a tiny "test" purchase) or with a cloned
  card at terminals and ATMs far from home.  The number of confirmed fraud
  transactions per week is planned so the weekly fraud rate stays near 0.5 %;
* after a burst the card is blocked and the cardholder gets a replacement
  card (a new ``card_id``) a few days later; declined attempts are not in
  the extract.

The history features (``txn_count_24h``, ``amount_vs_card_median``) are read
off the simulated account timeline, so they are consistent with the rows.

Changing anything that alters the output means bumping ``GENERATOR_VERSION``
and rebuilding the committed files (see ``pmle.data.build``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pmle.data.schema import BOOL, CATEGORY, DATE, FLOAT, INT, STR, Artifact, Column, Table

FAMILY = "fraud"
GENERATOR_VERSION = "fraud-1.0.0"
SEED = 20250603

START = np.datetime64("2025-03-03T00:00:00", "s")  # a Monday
WEEKS = 13
END = START + np.timedelta64(WEEKS * 7, "D")  # exclusive: 2025-06-02 00:00
WARMUP_START = np.datetime64("2025-01-06T00:00:00", "s")
HOME_COUNTRY = "NL"

CATEGORIES = (
    "grocery",
    "restaurants",
    "fuel",
    "retail",
    "pharmacy",
    "entertainment",
    "travel",
    "electronics",
    "online marketplace",
    "digital goods",
    "cash withdrawal",
)
CHANNELS = ("chip", "contactless", "magstripe", "online", "atm")
COUNTRY_CODES = (
    "NL", "BE", "DE", "FR", "LU", "IE", "GB", "ES", "PT", "IT", "AT", "GR", "PL", "RO", "TR", "US",
    "AE", "CN", "HK", "BR",
)

TRANSACTIONS = Table(
    name="fraud",
    path="fraud/transactions.csv",
    description="Kestrel Pay card transactions of a sample of cardholders, 2025-03-03 to 2025-06-01.",
    columns=(
        Column("transaction_id", STR),
        Column("card_id", STR),
        Column("timestamp", DATE),
        Column("amount_eur", FLOAT),
        Column("merchant_category", CATEGORY, categories=CATEGORIES),
        Column("merchant_country", CATEGORY, categories=COUNTRY_CODES),
        Column("card_present", BOOL),
        Column("channel", CATEGORY, categories=CHANNELS),
        Column("distance_from_home_km", FLOAT, nullable=True),
        Column("txn_count_24h", INT),
        Column("amount_vs_card_median", FLOAT),
        Column("is_fraud", INT),
    ),
)
TABLES = (TRANSACTIONS,)
DATASHEET = "fraud/DATASHEET.md"
KEY = "fraud.json"

# --------------------------------------------------------------------------
# The business's costs of decisions (given to learners in the labs, in the key
# for graders).  A transaction that is flagged is reviewed by an analyst; a
# missed fraud is charged back to Kestrel Pay.
# --------------------------------------------------------------------------
CHARGEBACK_FEE_EUR = 15.0  # handling fee per missed fraud, on top of the amount lost
REVIEW_COST_EUR = 5.0  # analyst review of every flagged transaction
FRICTION_COST_EUR = 3.0  # a genuine customer whose payment was held (calls, lost goodwill)

# --------------------------------------------------------------------------
# Simulation parameters.  Learner-facing material must not describe these.
# --------------------------------------------------------------------------
N_ACCOUNTS = 1_800
MEAN_RATE_PER_DAY = 0.32
RATE_SHAPE = 2.2
WEEKLY_FRAUD_RATE = (0.0044, 0.0052)  # planned share of confirmed fraud per week
TEST_TXN_LABEL_P = 0.6  # a tiny "test" purchase is disputed (hence labelled) this often

BASE_CATEGORY_P = np.array([0.25, 0.13, 0.08, 0.12, 0.05, 0.05, 0.025, 0.035, 0.10, 0.07, 0.04])
# (median EUR, log-sd) of a cardholder's own purchases per category
AMOUNT_PARAMS = np.array(
    [
        [32, 0.70],
        [27, 0.60],
        [62, 0.35],
        [42, 0.85],
        [17, 0.60],
        [30, 0.75],
        [170, 0.95],
        [110, 1.00],
        [38, 0.85],
        [11, 0.85],
        [100, 0.60],
    ]
)
CASH_AMOUNTS = np.array([20, 50, 50, 70, 100, 100, 150, 200, 250, 300], dtype=float)
# P(online) per category for a cardholder's own purchases
ONLINE_P = np.array([0.05, 0.06, 0.0, 0.18, 0.05, 0.40, 0.70, 0.45, 1.0, 1.0, 0.0])
# Hour-of-day weights, 0..23, for daytime shopping and for evening (restaurants, entertainment, online)
DAY_HOURS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1.5, 3, 5, 6, 7, 8, 9, 8, 7, 7, 8, 9, 8, 6, 4, 3, 2, 1.5])
EVE_HOURS = np.array([2, 1, 0.6, 0.3, 0.2, 0.3, 0.8, 1.5, 2, 3, 3.5, 4, 6, 5, 4, 4, 5, 7, 9, 9, 8, 7, 5, 3.5])
EVENING_CATEGORIES = {1, 5, 8, 9}
WEEKDAY_WEIGHT = np.array([0.92, 0.95, 0.97, 1.0, 1.12, 1.18, 0.86])  # Mon..Sun

# Countries: distance from the Netherlands (km, typical) and who goes there
COUNTRY_KM = {
    "NL": 0, "BE": 170, "DE": 420, "FR": 650, "LU": 320, "IE": 850, "GB": 480, "ES": 1500, "PT": 1850,
    "IT": 1150, "AT": 800, "GR": 2200, "PL": 1000, "RO": 1800, "TR": 2500, "US": 6200, "AE": 5200,
    "CN": 7800, "HK": 9300, "BR": 9500,
}
TRIP_COUNTRIES = ("BE", "DE", "FR", "ES", "PT", "IT", "AT", "GR", "GB", "TR", "US")
TRIP_P = np.array([0.10, 0.14, 0.16, 0.17, 0.06, 0.13, 0.06, 0.06, 0.06, 0.03, 0.03])
ONLINE_MERCHANT_COUNTRIES = ("NL", "IE", "LU", "DE", "GB", "US", "CN", "FR", "BE")
ONLINE_MERCHANT_P = np.array([0.52, 0.12, 0.08, 0.07, 0.06, 0.07, 0.04, 0.02, 0.02])
FRAUD_ONLINE_COUNTRIES = ("NL", "IE", "LU", "DE", "GB", "US", "CN", "HK", "RO", "BR", "AE", "FR")
FRAUD_ONLINE_P = np.array([0.34, 0.08, 0.06, 0.06, 0.09, 0.12, 0.07, 0.05, 0.04, 0.03, 0.03, 0.03])
FRAUD_CLONE_COUNTRIES = ("NL", "BE", "DE", "FR", "ES", "IT", "PL", "RO", "GB", "TR", "US", "AE")
FRAUD_CLONE_P = np.array([0.42, 0.07, 0.08, 0.07, 0.07, 0.05, 0.05, 0.06, 0.04, 0.03, 0.03, 0.03])


def _draw(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(p), size=n, p=p / p.sum())


def _hours(rng: np.random.Generator, categories: np.ndarray) -> np.ndarray:
    evening = np.isin(categories, list(EVENING_CATEGORIES))
    h = np.where(evening, _draw(rng, EVE_HOURS, len(categories)), _draw(rng, DAY_HOURS, len(categories)))
    return h


def _legit_transactions(rng: np.random.Generator) -> pd.DataFrame:
    """The cardholders' own transactions, warm-up included (one row each, unsorted)."""
    n = N_ACCOUNTS
    days_total = int((END - WARMUP_START) / np.timedelta64(1, "D"))
    rate = rng.gamma(RATE_SHAPE, MEAN_RATE_PER_DAY / RATE_SHAPE, n)
    scale = np.exp(rng.normal(0, 0.35, n))
    prefs = rng.dirichlet(BASE_CATEGORY_P * 40, n)  # each cardholder's category mix
    online_lean = rng.normal(0, 0.8, n)
    # A quarter of the cardholders go on one trip abroad during the period.
    trip = rng.random(n) < 0.28
    trip_start = WARMUP_START + (rng.integers(0, days_total - 12, n) * 86400).astype("timedelta64[s]")
    trip_len = rng.integers(3, 11, n)
    trip_country = np.array(TRIP_COUNTRIES)[_draw(rng, TRIP_P, n)]

    # Days weighted by weekday (and a spending bump around Easter / King's Day).
    day0 = WARMUP_START.astype("datetime64[D]")
    days = day0 + np.arange(days_total)
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    day_w = WEEKDAY_WEIGHT[weekday].copy()
    for d in ("2025-04-18", "2025-04-19", "2025-04-21", "2025-04-26", "2025-05-29"):
        day_w[days == np.datetime64(d)] *= 1.2

    counts = rng.poisson(rate * days_total)
    account = np.repeat(np.arange(n), counts)
    m = len(account)
    day_idx = _draw(rng, day_w, m)
    u = rng.random(m)
    cum = np.cumsum(prefs, axis=1)
    category = (u[:, None] > cum[account]).sum(axis=1)
    category = np.minimum(category, len(CATEGORIES) - 1)
    hour = _hours(rng, category)
    seconds = hour * 3600 + rng.integers(0, 3600, m)
    ts = (day0 + day_idx).astype("datetime64[s]") + seconds.astype("timedelta64[s]")

    # channel
    base_p = ONLINE_P[category]
    base_logit = np.log(np.maximum(base_p, 1e-9) / np.maximum(1 - base_p, 1e-9))
    p_online = 1 / (1 + np.exp(-(base_logit + online_lean[account])))  # cardholders differ in how much they buy online
    p_online = np.where(base_p >= 1.0, 1.0, np.where(base_p <= 0.0, 0.0, p_online))
    online = rng.random(m) < p_online
    cash = category == CATEGORIES.index("cash withdrawal")
    v = rng.random(m)
    channel = np.where(v < 0.68, 1, np.where(v < 0.992, 0, 2))  # contactless / chip / magstripe
    big = (category == CATEGORIES.index("fuel")) | (category == CATEGORIES.index("electronics"))
    channel = np.where(big & (v < 0.25), 0, channel)
    channel = np.where(online, 3, np.where(cash, 4, channel))

    # amounts
    med = AMOUNT_PARAMS[category, 0] * scale[account]
    amount = med * np.exp(rng.normal(0, AMOUNT_PARAMS[category, 1]))
    cash_amount = CASH_AMOUNTS[rng.integers(0, len(CASH_AMOUNTS), m)] * np.where(scale[account] > 1.3, 2, 1)
    amount = np.where(cash, cash_amount, amount)
    amount = np.round(np.maximum(amount, 0.5), 2)

    # where
    on_trip = trip[account] & (ts >= trip_start[account]) & (
        ts < trip_start[account] + (trip_len[account] * 86400).astype("timedelta64[s]")
    )
    present = channel != 3
    country = np.full(m, HOME_COUNTRY, dtype=object)
    country[on_trip & present] = trip_country[account][on_trip & present]
    online_country = np.array(ONLINE_MERCHANT_COUNTRIES, dtype=object)[_draw(rng, ONLINE_MERCHANT_P, m)]
    country[~present] = online_country[~present]
    # some border shopping / day trips
    border = present & ~on_trip & (rng.random(m) < 0.02)
    country[border] = np.where(rng.random(int(border.sum())) < 0.55, "BE", "DE")

    km = np.exp(rng.normal(1.5, 1.0, m))  # around home
    abroad_km = np.array([COUNTRY_KM[c] for c in country], dtype=float) * np.exp(rng.normal(0, 0.3, m))
    far_present = present & (country != HOME_COUNTRY)
    km = np.where(far_present, abroad_km, km)
    # online: distance of the device's IP geolocation from home
    ip_km = np.exp(rng.normal(1.8, 1.1, m))
    ip_far = rng.random(m) < 0.07
    ip_km = np.where(ip_far, rng.uniform(80, 1500, m), ip_km)
    ip_km = np.where(on_trip, abroad_km, ip_km)
    km = np.where(present, km, ip_km)
    # a day out in another Dutch city
    outing = present & (country == HOME_COUNTRY) & (rng.random(m) < 0.05)
    km = np.where(outing, rng.uniform(25, 220, m), km)

    return pd.DataFrame(
        {
            "account": account,
            "ts": ts,
            "amount": amount,
            "category": category,
            "channel": channel,
            "country": country,
            "km": km,
            "fraud": np.zeros(m, dtype=bool),
            "test_txn": np.zeros(m, dtype=bool),
            "burst": np.full(m, -1),
        }
    )


def _fraud_burst(rng: np.random.Generator, start: np.datetime64, size: int, kind: str) -> dict:
    """One fraudster's transactions on a compromised card (column arrays)."""
    mean_gap_min = {"online": 22, "cloned": 50, "takeover": 300}[kind]
    gaps = np.maximum(rng.exponential(mean_gap_min, size), 1.5) * 60
    gaps[0] = 0
    ts = start + np.cumsum(gaps).astype("timedelta64[s]")
    if kind == "online":
        cat_p = np.array([0.0, 0.0, 0.0, 0.08, 0.0, 0.05, 0.17, 0.30, 0.25, 0.15, 0.0])
        category = _draw(rng, cat_p, size)
        channel = np.full(size, 3)
        amount = np.exp(rng.normal(np.log(120), 0.9, size))
        country = np.array(FRAUD_ONLINE_COUNTRIES, dtype=object)[_draw(rng, FRAUD_ONLINE_P, 1)].repeat(size)
        if rng.random() < 0.35:
            country[1:] = np.array(FRAUD_ONLINE_COUNTRIES, dtype=object)[_draw(rng, FRAUD_ONLINE_P, size - 1)]
        far = rng.random() < 0.6
        km = np.exp(rng.normal(6.4, 1.0, size)) if far else np.exp(rng.normal(2.6, 1.2, size))
        test = np.zeros(size, dtype=bool)
        if size > 1 and rng.random() < 0.45:
            test[0] = True
            category[0] = CATEGORIES.index("digital goods")
            amount[0] = rng.uniform(0.5, 3.0)
    elif kind == "takeover":  # a stolen online-shopping account: looks like the cardholder's own use
        cat_p = np.array([0.0, 0.0, 0.0, 0.25, 0.0, 0.10, 0.10, 0.20, 0.35, 0.0, 0.0])
        category = _draw(rng, cat_p, size)
        channel = np.full(size, 3)
        amount = np.exp(rng.normal(np.log(75), 0.8, size))
        country = np.array(ONLINE_MERCHANT_COUNTRIES, dtype=object)[_draw(rng, ONLINE_MERCHANT_P, size)]
        km = np.exp(rng.normal(2.4, 1.2, size))
        test = np.zeros(size, dtype=bool)
    else:  # cloned card used at terminals
        atm = rng.random(size) < 0.3
        cat_p = np.array([0.10, 0.06, 0.10, 0.34, 0.04, 0.08, 0.0, 0.28, 0.0, 0.0, 0.0])
        category = np.where(atm, CATEGORIES.index("cash withdrawal"), _draw(rng, cat_p, size))
        channel = np.where(atm, 4, np.where(rng.random(size) < 0.45, 2, np.where(rng.random(size) < 0.6, 0, 1)))
        amount = np.exp(rng.normal(np.log(110), 0.8, size))
        amount = np.where(atm, rng.choice([100, 200, 250, 300, 400, 500], size), amount)
        country = np.array(FRAUD_CLONE_COUNTRIES, dtype=object)[_draw(rng, FRAUD_CLONE_P, 1)].repeat(size)
        base_km = COUNTRY_KM[country[0]] if country[0] != HOME_COUNTRY else np.exp(rng.normal(3.8, 0.9))
        km = base_km * np.exp(rng.normal(0, 0.15, size))
        test = np.zeros(size, dtype=bool)
    return {
        "ts": ts,
        "amount": np.round(np.maximum(amount, 0.5), 2),
        "category": category,
        "channel": channel,
        "country": country,
        "km": km,
        "test_txn": test,
    }


def _history_features(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per account: transactions in the 24 h before each one, and amount / median of the previous 90 days."""
    order = np.lexsort((frame["ts"].to_numpy(), frame["account"].to_numpy()))
    s = frame.iloc[order][["account", "ts", "amount"]].reset_index(drop=True)
    grouped = s.groupby("account", sort=True).rolling("90D", on="ts", closed="left")
    median = grouped["amount"].median().to_numpy()
    t = s["ts"].to_numpy().astype("datetime64[s]").astype(np.int64)
    acc = s["account"].to_numpy()
    # previous transactions of the same account within 24 h: offset by account so one searchsorted does all
    key = acc.astype(np.int64) * 10**10 + (t - t.min())
    count24 = np.arange(len(s)) - np.searchsorted(key, key - 86400, side="left")
    first = np.searchsorted(acc, acc, side="left")
    count24 = np.minimum(count24, np.arange(len(s)) - first)
    ratio = np.where(np.isnan(median), 1.0, s["amount"].to_numpy() / np.where(np.isnan(median), 1.0, median))
    count = np.empty(len(s), dtype=np.int64)
    out_ratio = np.empty(len(s))
    count[order] = count24
    out_ratio[order] = ratio
    return count, out_ratio


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    """Simulate the transaction table (sorted by timestamp) and the planted truths."""
    rng = np.random.default_rng(seed)
    legit = _legit_transactions(rng)
    n_acc = N_ACCOUNTS

    # ---- fraud bursts, planned week by week ------------------------------
    in_period = (legit["ts"] >= START) & (legit["ts"] < END)
    week_of = ((legit.loc[in_period, "ts"] - pd.Timestamp(START)) // pd.Timedelta(days=7)).to_numpy()
    legit_per_week = np.bincount(week_of, minlength=WEEKS)
    active_acc = [np.unique(legit.loc[in_period, "account"].to_numpy()[week_of == w]) for w in range(WEEKS)]
    compromised: set[int] = set()
    bursts = []
    parts = []
    for w in range(WEEKS):
        rate = rng.uniform(*WEEKLY_FRAUD_RATE)
        target = int(round(rate * legit_per_week[w] / (1 - rate)))
        labelled = 0
        while labelled < target:
            candidates = np.setdiff1d(active_acc[w], np.fromiter(compromised, dtype=np.int64, count=len(compromised)))
            acc = int(rng.choice(candidates))
            compromised.add(acc)
            kind = str(rng.choice(["online", "cloned", "takeover"], p=[0.52, 0.30, 0.18]))
            size = int(min(1 + rng.poisson(2.6 if kind != "takeover" else 1.0), 10))
            size = min(size, target - labelled + 1)
            week_start = START + np.timedelta64(7 * w, "D")
            # the burst starts at a daytime-like hour half of the time, any hour otherwise
            day = int(rng.integers(0, 7))
            hour = int(_draw(rng, DAY_HOURS, 1)[0]) if rng.random() < 0.5 else int(rng.integers(0, 24))
            start = week_start + np.timedelta64(day * 86400 + hour * 3600 + int(rng.integers(0, 3600)), "s")
            b = _fraud_burst(rng, start, size, kind)
            # keep the burst inside its week
            keep = b["ts"] < week_start + np.timedelta64(7, "D")
            b = {k: v[keep] for k, v in b.items()}
            label = ~b["test_txn"] | (rng.random(len(b["ts"])) < TEST_TXN_LABEL_P)
            burst_id = len(bursts)
            parts.append(
                pd.DataFrame(
                    {
                        "account": acc,
                        "ts": b["ts"],
                        "amount": b["amount"],
                        "category": b["category"],
                        "channel": b["channel"],
                        "country": b["country"],
                        "km": b["km"],
                        "fraud": label,
                        "test_txn": b["test_txn"],
                        "burst": burst_id,
                    }
                )
            )
            labelled += int(label.sum())
            # the cardholder's card is blocked after the burst; a replacement card follows
            block = b["ts"][-1] + np.timedelta64(int(rng.uniform(1, 48) * 3600), "s")
            reissue = block + np.timedelta64(int(rng.integers(4, 9)) * 86400, "s")
            bursts.append(
                {
                    "account": acc,
                    "kind": kind,
                    "start": b["ts"][0],
                    "end": b["ts"][-1],
                    "n_transactions": int(len(b["ts"])),
                    "n_labelled": int(label.sum()),
                    "blocked": block,
                    "reissued": reissue,
                }
            )
    fraud = pd.concat(parts, ignore_index=True)
    frame = pd.concat([legit, fraud], ignore_index=True)

    # drop the cardholder's own transactions while the card is blocked
    blocked_rows = np.zeros(len(frame), dtype=bool)
    acc_arr = frame["account"].to_numpy()
    ts_arr = frame["ts"].to_numpy()
    is_fraud_row = frame["burst"].to_numpy() >= 0
    for b in bursts:
        blocked_rows |= (acc_arr == b["account"]) & (ts_arr >= b["blocked"]) & (ts_arr < b["reissued"]) & ~is_fraud_row
    frame = frame[~blocked_rows].reset_index(drop=True)

    count, ratio = _history_features(frame)
    frame["count24"] = count
    frame["ratio"] = ratio
    frame = frame[(frame["ts"] >= START) & (frame["ts"] < END)]
    frame = frame.sort_values(["ts", "account"], kind="stable", ignore_index=True)
    m = len(frame)

    # ---- card ids: one per account, a new one after each reissue ---------
    card_base = rng.permutation(np.arange(100_000, 999_999))[: n_acc + len(bursts)]
    card_num = card_base[frame["account"].to_numpy()].copy()
    ts_sorted = frame["ts"].to_numpy()
    acc_sorted = frame["account"].to_numpy()
    for i, b in enumerate(bursts):
        old = card_base[b["account"]]
        new = card_base[n_acc + i]
        later = (acc_sorted == b["account"]) & (ts_sorted >= b["reissued"])
        card_num[later] = new
        b["card_num"], b["replacement_num"] = old, new

    # ---- missing distances --------------------------------------------
    channel = frame["channel"].to_numpy()
    km = frame["km"].to_numpy().copy()
    missing = ((channel == 3) & (rng.random(m) < 0.28)) | (rng.random(m) < 0.008)
    fraud_online = (channel == 3) & frame["fraud"].to_numpy()
    missing |= fraud_online & (rng.random(m) < 0.15)
    km = np.where(missing, np.nan, np.round(km, 1))

    tx_numbers = 41_000_000 + np.cumsum(1 + rng.poisson(14, m))
    out = pd.DataFrame(
        {
            "transaction_id": [f"TX{i}" for i in tx_numbers],
            "card_id": [f"KP{c}" for c in card_num],
            "timestamp": frame["ts"].to_numpy().astype("datetime64[s]"),
            "amount_eur": frame["amount"].to_numpy(),
            "merchant_category": np.array(CATEGORIES, dtype=object)[frame["category"].to_numpy()],
            "merchant_country": frame["country"].to_numpy(),
            "card_present": channel != 3,
            "channel": np.array(CHANNELS, dtype=object)[channel],
            "distance_from_home_km": km,
            "txn_count_24h": frame["count24"].to_numpy().astype(np.int64),
            "amount_vs_card_median": np.round(frame["ratio"].to_numpy(), 2),
            "is_fraud": frame["fraud"].to_numpy().astype(np.int64),
        }
    )
    out = out[TRANSACTIONS.column_names]

    burst_rows = frame["burst"].to_numpy()
    present_cards = set(card_num.tolist())
    truth = {
        "bursts": [
            {
                "card_id": f"KP{b['card_num']}",
                "replacement_card_id": f"KP{b['replacement_num']}" if b["replacement_num"] in present_cards else None,
                "kind": b["kind"],
                "start": str(b["start"]).replace("T", " "),
                "end": str(b["end"]).replace("T", " "),
                "n_transactions": b["n_transactions"],
                "n_labelled_fraud": b["n_labelled"],
                "transaction_ids": out["transaction_id"][burst_rows == i].tolist(),
            }
            for i, b in enumerate(bursts)
        ],
        "unreported_test_ids": out["transaction_id"][(burst_rows >= 0) & (out["is_fraud"].to_numpy() == 0)].tolist(),
    }
    return out, truth


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S")
    return text.encode("utf-8")


def expected_cost(y: np.ndarray, flagged: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Per-transaction cost in EUR of flagging decisions under the business's cost matrix."""
    y = np.asarray(y).astype(bool)
    flagged = np.asarray(flagged).astype(bool)
    amount = np.asarray(amount, dtype=float)
    return np.where(
        flagged,
        REVIEW_COST_EUR + np.where(y, 0.0, FRICTION_COST_EUR),
        np.where(y, amount + CHARGEBACK_FEE_EUR, 0.0),
    )


def answer_key(frame: pd.DataFrame, truth: dict) -> dict:
    weeks = ((frame["timestamp"] - pd.Timestamp(START)) // pd.Timedelta(days=7)).to_numpy()
    weekly = [float(round(frame["is_fraud"].to_numpy()[weeks == w].mean(), 5)) for w in range(WEEKS)]
    return {
        "family": FAMILY,
        "generator_version": GENERATOR_VERSION,
        "table": TRANSACTIONS.path,
        "label": "is_fraud",
        "positive_rate": float(round(frame["is_fraud"].mean(), 5)),
        "weekly_positive_rate": weekly,
        "n_fraud": int(frame["is_fraud"].sum()),
        "n_rows": int(len(frame)),
        "costs": {
            "currency": "EUR",
            "false_negative": "amount_eur + chargeback_fee_eur",
            "chargeback_fee_eur": CHARGEBACK_FEE_EUR,
            "review_cost_eur": REVIEW_COST_EUR,
            "friction_cost_eur": FRICTION_COST_EUR,
            "false_positive_eur": REVIEW_COST_EUR + FRICTION_COST_EUR,
            "true_positive_eur": REVIEW_COST_EUR,
            "true_negative_eur": 0.0,
            "description": (
                "Every flagged transaction is reviewed (review_cost_eur). A flagged genuine transaction also "
                "costs friction_cost_eur. A missed fraud costs its amount plus chargeback_fee_eur. "
                "Unflagged genuine transactions cost nothing."
            ),
        },
        "time_split": {
            "train": ["2025-03-03", "2025-05-04"],
            "validation": ["2025-05-05", "2025-06-01"],
            "note": "weeks 1-9 for training, weeks 10-13 for validation / threshold choice (inclusive dates)",
        },
        "signal_features": {
            "txn_count_24h": "higher within a fraud burst (the fraudster's earlier transactions count)",
            "amount_vs_card_median": (
                "fraud amounts are large relative to the card's usual spend (except test purchases)"
            ),
            "distance_from_home_km": (
                "far from home (cloned cards abroad, foreign IP geolocation); more often missing for online fraud"
            ),
            "merchant_country": "foreign merchants more frequent in fraud",
            "merchant_category": "electronics, online marketplace, digital goods, travel, retail over-represented",
            "channel": "online and magstripe over-represented; card_present follows from channel",
            "hour": "fraud bursts start at any hour; night hours (0-5) over-represented (derive from timestamp)",
            "card_id": "not a feature: identifies the card; fraud comes in bursts on one card",
            "transaction_id": "not a feature",
            "amount_eur": "weak on its own: tiny test purchases and big legitimate travel/electronics spend",
        },
        "fraud_mechanism": (
            "A compromised card is used by a fraudster in a burst of 1-10 transactions within hours: "
            "card-not-present bursts (online; about 45% start with a EUR 0.50-3.00 digital-goods test purchase) "
            "or cloned-card bursts at terminals/ATMs far from home (magstripe fallback, ATM cash). "
            "The card is blocked 1-48 h after the burst and a replacement card (new card_id) follows 4-8 days later."
        ),
        "fraud_bursts": truth["bursts"],
        "fraud_burst_card_ids": sorted({b["card_id"] for b in truth["bursts"]}),
        "unreported_test_transaction_ids": truth["unreported_test_ids"],
        "notes": (
            "About 0.5% confirmed fraud in every week. Labels come from chargebacks: some fraudster test purchases "
            "were never disputed and are labelled 0 (listed in unreported_test_transaction_ids). "
            "No single raw feature separates fraud; a simple model reaches high ROC AUC but much lower PR AUC. "
            "The cost-minimising threshold on the validation weeks is far below 0.5."
        ),
    }


def build(seed: int = SEED) -> list[Artifact]:
    """Generate the family's files (the caller writes them and the manifest)."""
    from pmle.data import fraud_datasheet

    frame, truth = simulate(seed)
    key = answer_key(frame, truth)
    return [
        Artifact(TRANSACTIONS.path, to_csv_bytes(frame), table=TRANSACTIONS, rows=len(frame)),
        Artifact(DATASHEET, fraud_datasheet.render(frame).encode("utf-8")),
        Artifact(KEY, (json.dumps(key, sort_keys=True, indent=2) + "\n").encode("utf-8"), answer_key=True),
    ]
