"""The ``demand`` family: weekly unit sales of "Corvid Market" by store and product.

Corvid Market is a (fictional) Dutch grocery and home retailer with nine
stores.  ``datasets/demand/weekly_sales.csv`` holds one row per (week, store,
product) for the Monday weeks 2022-01-03 .. 2024-12-30 with the week's shelf
price, promotion, holiday, weather, competitor price index and store footfall,
and the target ``units_sold``.

Everything is simulated from one seeded ``numpy.random.default_rng``: a
regional weather series, store footfall, a chain-wide promotion plan, a
competitor price feed, and Poisson unit sales around a multiplicative demand
model (product base level x store size x footfall x category seasonality and
holidays x price and promotion response x competitor prices).

Planted truths (answer key ``autograder/keys/demand.json``; learner-facing
material must not describe them):

* covariate drift: ``competitor_price_index`` drops at the three southern
  stores from ``COMPETITOR_DRIFT_START`` (a competitor's regional price
  campaign); the sales response to the index is unchanged;
* label (prior) drift: ``units_sold`` rises at two stores from
  ``LABEL_DRIFT_START`` (click-and-collect orders are booked to them) with no
  change in any feature;
* concept drift / regime change: a discounter opens near three stores from
  ``REGIME_START``; there customers respond much more strongly to price cuts
  and promotions while regular-price weeks sell less, so the sales level is
  about unchanged but the price/promotion response is not;
* a hidden future quarter (2025-01-06 .. 2025-03-31) written only to the
  grading side (``demand_future.csv``).

Changing anything that alters the output means bumping ``GENERATOR_VERSION``
and rebuilding the committed files (see ``pmle.data.build``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pmle.data.schema import CATEGORY, DATE, FLOAT, INT, STR, Artifact, Column, Table

FAMILY = "demand"
GENERATOR_VERSION = "demand-1.0.0"
SEED = 20240415

FIRST_WEEK = np.datetime64("2022-01-03", "D")
LAST_WEEK = np.datetime64("2024-12-30", "D")
FUTURE_FIRST = np.datetime64("2025-01-06", "D")
FUTURE_LAST = np.datetime64("2025-03-31", "D")

# The planted changes (Mondays).
COMPETITOR_DRIFT_START = np.datetime64("2023-05-08", "D")
LABEL_DRIFT_START = np.datetime64("2023-08-21", "D")
REGIME_START = np.datetime64("2024-04-15", "D")
REFERENCE = (np.datetime64("2022-01-03", "D"), np.datetime64("2022-12-26", "D"))  # the monitoring reference

REGIONS = ("North Holland", "South Holland", "Utrecht", "Gelderland", "North Brabant", "Limburg")
FORMATS = ("Hypermarket", "Supermarket", "Express")
PROMOS = ("none", "price_cut", "multibuy", "leaflet")
HOLIDAYS = ("New Year", "Easter", "King's Day", "Ascension", "Whitsun", "Sinterklaas", "Christmas")

# store_id, region, format, size (relative sales volume)
STORES = (
    ("S014", "North Holland", "Hypermarket", 1.75),
    ("S021", "North Holland", "Supermarket", 1.00),
    ("S033", "South Holland", "Supermarket", 1.10),
    ("S037", "South Holland", "Express", 0.45),
    ("S042", "Utrecht", "Supermarket", 0.95),
    ("S049", "Gelderland", "Express", 0.50),
    ("S058", "North Brabant", "Hypermarket", 1.60),
    ("S061", "North Brabant", "Supermarket", 0.90),
    ("S066", "Limburg", "Supermarket", 0.85),
)
REGION_TEMP_OFFSET = {
    "North Holland": -0.3,
    "South Holland": 0.1,
    "Utrecht": 0.2,
    "Gelderland": 0.0,
    "North Brabant": 0.5,
    "Limburg": 0.8,
}
COMPETITOR_DRIFT_STORES = ("S058", "S061", "S066")
COMPETITOR_DRIFT_LOG = -0.12  # about -11 % in the index
LABEL_DRIFT_STORES = ("S021", "S042")
LABEL_DRIFT_FACTOR = 1.35
REGIME_STORES = ("S033", "S037", "S049")

CATEGORIES = (
    "Ice cream",
    "Soft drinks",
    "Beer",
    "BBQ",
    "Fresh produce",
    "Bakery",
    "Dairy",
    "Soup",
    "Confectionery",
    "Household",
    "Garden",
    "Heating",
)

# product_id, category, description (datasheet only), regular price 2022 (EUR),
# base weekly units in a size-1.0 store, seasonal profile, in Express stores
PRODUCTS = (
    ("P10214", "Ice cream", "vanilla ice cream 1 l", 3.29, 55, "icecream", True),
    ("P10219", "Ice cream", "cone ice cream 4-pack", 4.49, 40, "icecream", True),
    ("P10225", "Ice cream", "sorbet 500 ml", 3.79, 18, "icecream", True),
    ("P10231", "Ice cream", "ice lollies 6-pack", 2.99, 35, "icecream", True),
    ("P11102", "Soft drinks", "cola 1.5 l", 1.89, 210, "drinks", True),
    ("P11117", "Soft drinks", "sparkling water 6 x 1.5 l", 3.49, 120, "drinks", True),
    ("P11123", "Soft drinks", "iced tea 1.5 l", 1.69, 95, "drinks", True),
    ("P12008", "Beer", "pilsner crate 24 x 30 cl", 16.99, 45, "beer", False),
    ("P12011", "Beer", "pilsner 6-pack cans", 5.49, 90, "beer", True),
    ("P12019", "Beer", "radler 6-pack", 4.99, 30, "beer", True),
    ("P13004", "BBQ", "charcoal briquettes 3 kg", 6.99, 20, "bbq", False),
    ("P13012", "BBQ", "BBQ sausages 6 pcs", 4.29, 45, "bbq", True),
    ("P13015", "BBQ", "chicken skewers 4 pcs", 5.19, 38, "bbq", True),
    ("P14021", "Fresh produce", "strawberries 400 g", 2.99, 110, "strawberry", True),
    ("P14027", "Fresh produce", "salad mix 200 g", 1.59, 140, "salad", True),
    ("P14033", "Fresh produce", "hand oranges 2 kg", 3.49, 75, "oranges", True),
    ("P15001", "Bakery", "whole-wheat bread", 2.39, 260, "flat", True),
    ("P15006", "Bakery", "croissants 6 pcs", 2.79, 85, "flat", True),
    ("P15014", "Bakery", "Christmas stollen 750 g", 5.99, 6, "stollen", True),
    ("P16002", "Dairy", "semi-skimmed milk 1 l", 1.09, 420, "flat", True),
    ("P16009", "Dairy", "Greek-style yogurt 1 kg", 2.69, 130, "yogurt", True),
    ("P16015", "Dairy", "aged cheese slices 190 g", 3.19, 150, "flat", True),
    ("P17003", "Soup", "tomato soup 1 l", 2.49, 60, "soup", True),
    ("P17008", "Soup", "pea soup 1 l", 3.29, 35, "peasoup", True),
    ("P18004", "Confectionery", "chocolate letter 135 g", 2.49, 4, "sinterklaas", True),
    ("P18010", "Confectionery", "spiced biscuits 300 g", 1.99, 6, "sinterklaas", True),
    ("P18017", "Confectionery", "chocolate Easter eggs 150 g", 2.29, 5, "easter", True),
    ("P19002", "Household", "dishwasher tablets 40", 7.99, 55, "flat", True),
    ("P19011", "Household", "toilet paper 12 rolls", 5.49, 80, "flat", True),
    ("P20006", "Garden", "potting soil 40 l", 4.99, 22, "garden", False),
    ("P20013", "Garden", "bedding plants tray", 7.49, 16, "garden", False),
    ("P21003", "Heating", "firelighters 48", 2.19, 14, "heating", False),
    ("P21009", "Heating", "wood briquettes 10 kg", 8.99, 10, "heating", False),
)

SALES = Table(
    name="demand",
    path="demand/weekly_sales.csv",
    description="Corvid Market weekly unit sales by store and product, Monday weeks 2022-01-03 .. 2024-12-30.",
    columns=(
        Column("week_start", DATE),
        Column("store_id", STR),
        Column("store_region", CATEGORY, categories=REGIONS),
        Column("store_format", CATEGORY, categories=FORMATS),
        Column("product_id", STR),
        Column("product_category", CATEGORY, categories=CATEGORIES),
        Column("unit_price_eur", FLOAT),
        Column("promo", CATEGORY, categories=PROMOS),
        Column("holiday_week", CATEGORY, nullable=True, categories=HOLIDAYS),
        Column("avg_temperature_c", FLOAT, nullable=True),
        Column("competitor_price_index", FLOAT),
        Column("footfall_index", FLOAT, nullable=True),
        Column("units_sold", INT),
    ),
)
TABLES = (SALES,)
DATASHEET = "demand/DATASHEET.md"
KEY = "demand.json"
FUTURE = "demand_future.csv"

# --------------------------------------------------------------------------
# Demand model parameters (learner-facing material must not describe these)
# --------------------------------------------------------------------------
OWN_ELASTICITY = -1.5  # units vs price relative to the regular price
OWN_ELASTICITY_REGIME = -3.2  # at REGIME_STORES from REGIME_START
LEAFLET_UPLIFT = 1.25  # featured in the leaflet (on top of its small discount)
LEAFLET_UPLIFT_REGIME = 1.55
MULTIBUY_UPLIFT = 1.10
REGULAR_WEEK_REGIME = 0.88  # regular-price weeks at REGIME_STORES from REGIME_START
CROSS_ELASTICITY = 0.35  # units vs competitor price index
FOOTFALL_ELASTICITY = 1.0
TREND_PER_YEAR = 0.02
TEMP_SENSITIVITY = {  # log-units per degC above the week's climate normal
    "icecream": 0.085,
    "drinks": 0.03,
    "beer": 0.035,
    "bbq": 0.07,
    "strawberry": 0.02,
    "salad": 0.015,
    "heating": -0.06,
    "soup": -0.035,
    "peasoup": -0.05,
}
PRICE_ZONE = {"Hypermarket": 0.97, "Supermarket": 1.0, "Express": 1.08}
PROMO_SLOTS = (3, 1, 1)  # chain-wide leaflet slots per week: price_cut, multibuy, leaflet
STORE_WEEK_SD = 0.015
ROW_SD = 0.08
STOCKOUT_RATE = 0.004
TEMP_MISSING_RATE = 0.006


def mondays(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    return np.arange(first, last + 1, 7, dtype="datetime64[D]")


def _easter(year: int) -> np.datetime64:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D")


def holiday_calendar(weeks: np.ndarray) -> np.ndarray:
    """The holiday (if any) falling in each Monday week, as an object array ('' = none)."""
    days: dict[np.datetime64, str] = {}
    years = range(int(str(weeks[0])[:4]) - 1, int(str(weeks[-1])[:4]) + 2)
    for y in years:
        easter = _easter(y)
        kings = np.datetime64(f"{y}-04-27", "D")
        if (kings.astype("datetime64[D]").astype(int) - 4) % 7 == 6:  # a Sunday: celebrated on the 26th
            kings = kings - 1
        days[np.datetime64(f"{y}-01-01", "D")] = "New Year"
        days[easter] = "Easter"
        days[kings] = "King's Day"
        days[easter + 39] = "Ascension"
        days[easter + 49] = "Whitsun"
        days[np.datetime64(f"{y}-12-05", "D")] = "Sinterklaas"
        days[np.datetime64(f"{y}-12-25", "D")] = "Christmas"
    out = np.full(len(weeks), "", dtype=object)
    for day, name in days.items():
        idx = np.flatnonzero((weeks <= day) & (day < weeks + 7))
        out[idx] = name
    return out


def _season_profile(kind: str, doy: np.ndarray, weeks: np.ndarray, holiday: np.ndarray) -> np.ndarray:
    """Log demand multiplier of a seasonal profile for each week (before weather)."""
    ang = 2 * np.pi * (doy - 200) / 365.25  # 0 in mid-July
    summer = np.cos(ang)  # +1 mid-July, -1 mid-January

    def bump(center_doy: float, width: float) -> np.ndarray:
        dist = (doy - center_doy + 182.5) % 365 - 182.5
        return np.exp(-0.5 * (dist / width) ** 2)

    days_to_easter = np.array(
        [(_easter(int(str(w)[:4])) - w).astype(int) for w in weeks], dtype=float
    )
    if kind == "icecream":
        return 0.75 * summer
    if kind == "drinks":
        return 0.22 * summer
    if kind == "beer":
        return 0.25 * summer
    if kind == "bbq":
        return 1.1 * summer - 0.3
    if kind == "strawberry":
        return 1.2 * bump(160, 35) - 0.6
    if kind == "salad":
        return 0.25 * summer
    if kind == "oranges":
        return -0.45 * summer
    if kind == "stollen":
        return 2.6 * bump(352, 9) - 0.8
    if kind == "yogurt":
        return 0.08 * summer
    if kind == "soup":
        return -0.35 * summer
    if kind == "peasoup":
        return -0.7 * summer
    if kind == "sinterklaas":
        return 3.2 * bump(330, 16) - 1.2
    if kind == "easter":
        near = np.exp(-0.5 * ((days_to_easter - 10) / 9) ** 2) * (days_to_easter > -4)
        return 3.3 * near - 1.0
    if kind == "garden":
        return 1.0 * bump(125, 35) - 0.35
    if kind == "heating":
        return -1.0 * summer - 0.2
    return np.zeros(len(weeks))


HOLIDAY_EFFECT = {  # (holiday, seasonal profile or '*') -> log multiplier
    ("Christmas", "*"): 0.10,
    ("Christmas", "flat"): 0.20,
    ("Christmas", "drinks"): 0.30,
    ("Christmas", "beer"): 0.20,
    ("Christmas", "stollen"): 0.90,
    ("Christmas", "salad"): 0.35,
    ("New Year", "drinks"): 0.35,
    ("New Year", "beer"): 0.30,
    ("Easter", "*"): 0.08,
    ("Easter", "flat"): 0.15,
    ("Easter", "easter"): 0.40,
    ("King's Day", "beer"): 0.45,
    ("King's Day", "drinks"): 0.20,
    ("Ascension", "bbq"): 0.30,
    ("Whitsun", "bbq"): 0.35,
    ("Whitsun", "beer"): 0.15,
    ("Sinterklaas", "sinterklaas"): 0.50,
}
FOOTFALL_HOLIDAY = {"Christmas": 0.16, "New Year": -0.05, "Easter": 0.06, "Sinterklaas": 0.04}


def _round_price(x: np.ndarray) -> np.ndarray:
    """Shelf prices end in 9 cents."""
    return np.maximum(np.round(np.floor(x * 10) / 10 + 0.09, 2), 0.39)


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the public table (2022-2024) and the hidden future quarter (2025 Q1)."""
    rng = np.random.default_rng(seed)
    weeks = mondays(FIRST_WEEK, FUTURE_LAST)
    n_w = len(weeks)
    n_s = len(STORES)
    n_p = len(PRODUCTS)
    doy = ((weeks + 3) - (weeks + 3).astype("datetime64[Y]").astype("datetime64[D]")).astype(int) + 1.0  # Thursday
    year_frac = (weeks - FIRST_WEEK).astype(int) / 365.25
    holiday = holiday_calendar(weeks)
    store_ids = np.array([s[0] for s in STORES])
    regions = [s[1] for s in STORES]

    # ---- weather: a national anomaly plus a small regional one ------------
    normal = 10.6 - 7.6 * np.cos(2 * np.pi * (doy - 22) / 365.25)
    nat = np.zeros(n_w)
    e = rng.normal(0, 1.6, n_w)
    for t in range(n_w):
        nat[t] = (0.55 * nat[t - 1] if t else 0.0) + e[t]
    heat = np.isin(weeks, np.array(["2022-07-18", "2022-08-08", "2023-09-04", "2024-07-29"], dtype="datetime64[D]"))
    nat[heat] += 5.0
    region_names = list(REGION_TEMP_OFFSET)
    reg_anom = rng.normal(0, 0.5, (len(region_names), n_w))
    temp_region = {
        r: normal + REGION_TEMP_OFFSET[r] * (1 + 0.3 * np.cos(2 * np.pi * (doy - 22) / 365.25)) + nat + reg_anom[i]
        for i, r in enumerate(region_names)
    }
    temp = np.stack([temp_region[r] for r in regions])  # (store, week)
    temp_anom = temp - normal[None, :]

    # ---- footfall (store-week), indexed to each store's usual week = 100 ----
    ff_season = 0.05 * np.cos(2 * np.pi * (doy - 350) / 365.25) - 0.04 * np.exp(
        -0.5 * (((doy - 215 + 182.5) % 365 - 182.5) / 18) ** 2
    )
    ff_hol = np.array([FOOTFALL_HOLIDAY.get(h, 0.0) for h in holiday])
    store_growth = np.full(n_s, 0.01) + rng.normal(0, 0.002, n_s)
    log_ff = (
        ff_season[None, :]
        + ff_hol[None, :]
        + store_growth[:, None] * year_frac[None, :]
        + rng.normal(0, 0.02, (n_s, n_w))
        - 0.012 * np.clip(-temp_anom - 4, 0, None)  # very cold weeks keep people home
    )
    footfall = np.round(100 * np.exp(log_ff), 1)

    # ---- competitor price index (store x product x week) --------------------
    p_off = rng.normal(0.0, 0.045, n_p)
    s_off = rng.normal(0.0, 0.012, n_s)
    ar = np.zeros((n_p, n_w))
    eps = rng.normal(0, 0.012, (n_p, n_w))
    for t in range(n_w):
        ar[:, t] = (0.8 * ar[:, t - 1] if t else 0.0) + eps[:, t]
    log_cpi = (
        p_off[None, :, None]
        + s_off[:, None, None]
        + ar[None, :, :]
        + rng.normal(0, 0.012, (n_s, n_p, n_w))
    )
    drift_s = np.isin(store_ids, COMPETITOR_DRIFT_STORES)
    after = weeks >= COMPETITOR_DRIFT_START
    log_cpi[np.ix_(drift_s, np.ones(n_p, bool), after)] += COMPETITOR_DRIFT_LOG
    cpi = np.round(np.exp(log_cpi), 3)

    # ---- prices and the chain-wide promotion plan ---------------------------
    regular0 = np.array([p[3] for p in PRODUCTS])
    # Regular shelf prices are frozen over the whole period (the chain's price promise).
    promo = np.zeros((n_p, n_w), dtype=int)
    seasonal_only = {"stollen", "sinterklaas", "easter"}
    kinds = [p[5] for p in PRODUCTS]
    eligible_base = np.array([k not in seasonal_only for k in kinds])
    last_promo = np.full(n_p, -10)
    for t in range(n_w):
        eligible = eligible_base & (t - last_promo >= 3)
        chosen = rng.choice(np.flatnonzero(eligible), size=sum(PROMO_SLOTS), replace=False)
        types = np.repeat([1, 2, 3], PROMO_SLOTS)
        promo[chosen, t] = types
        last_promo[chosen] = t
    discount = np.where(promo == 1, rng.choice([0.20, 0.25, 0.30, 0.35], size=(n_p, n_w)), 0.0)
    discount = np.where(promo == 2, 0.25, discount)  # "2 for the price of 1.5"
    discount = np.where(promo == 3, 0.10, discount)
    zone = np.array([PRICE_ZONE[s[2]] for s in STORES])
    shelf = np.stack([_round_price(regular0 * z) for z in zone])  # (s, p) regular shelf price by price zone
    price = shelf[:, :, None] * (1 - discount)[None, :, :]  # (s, p, w) shelf price of the week
    # Average price paid per unit: loyalty-card discounts and near-expiry markdowns shave a little off.
    paid = np.round(price * (1 - rng.uniform(0.0, 0.05, price.shape)), 2)

    # ---- units sold ---------------------------------------------------------
    base = np.array([p[4] for p in PRODUCTS], dtype=float)
    size = np.array([s[3] for s in STORES])
    express = np.array([s[2] == "Express" for s in STORES])
    in_express = np.array([p[6] for p in PRODUCTS])
    fmt_affinity = rng.normal(0, 0.15, (n_s, n_p))
    season = np.stack([_season_profile(k, doy, weeks, holiday) for k in kinds])  # (p, w)
    hol_eff = np.zeros((n_p, n_w))
    for j, k in enumerate(kinds):
        for t, h in enumerate(holiday):
            if h:
                hol_eff[j, t] = HOLIDAY_EFFECT.get((h, k), HOLIDAY_EFFECT.get((h, "*"), 0.0))
    sens = np.array([TEMP_SENSITIVITY.get(k, 0.0) for k in kinds])

    regime = np.broadcast_to(
        np.isin(store_ids, REGIME_STORES)[:, None, None] & (weeks >= REGIME_START)[None, None, :], (n_s, n_p, n_w)
    )
    elasticity = np.where(regime, OWN_ELASTICITY_REGIME, OWN_ELASTICITY)
    rel_price = price / shelf[:, :, None]
    leaflet_up = np.where(regime, LEAFLET_UPLIFT_REGIME, LEAFLET_UPLIFT)
    promo_b = np.broadcast_to(promo[None, :, :], regime.shape)
    promo_mult = np.where(promo_b == 3, leaflet_up, np.where(promo_b == 2, MULTIBUY_UPLIFT, 1.0))
    regular_week = np.where(regime & (promo_b == 0), REGULAR_WEEK_REGIME, 1.0)
    label_drift = np.where(
        np.isin(store_ids, LABEL_DRIFT_STORES)[:, None] & (weeks >= LABEL_DRIFT_START)[None, :], LABEL_DRIFT_FACTOR, 1.0
    )[:, None, :]

    log_mu = (
        np.log(base)[None, :, None]
        + np.log(size)[:, None, None]
        + fmt_affinity[:, :, None]
        + season[None, :, :]
        + hol_eff[None, :, :]
        + sens[None, :, None] * temp_anom[:, None, :]
        + TREND_PER_YEAR * year_frac[None, None, :]
        + FOOTFALL_ELASTICITY * np.log(footfall / 100)[:, None, :]
        + CROSS_ELASTICITY * np.log(cpi)
        + elasticity * np.log(rel_price)
        + rng.normal(0, STORE_WEEK_SD, (n_s, 1, n_w))
        + rng.normal(0, ROW_SD, (n_s, n_p, n_w))
    )
    mu = np.exp(log_mu) * promo_mult * regular_week * label_drift
    units = rng.poisson(mu)
    stockout = rng.random(units.shape) < STOCKOUT_RATE
    units = np.where(stockout, rng.binomial(units, 0.15), units)

    # ---- assemble rows (week, store, product order) ---------------------------
    w_idx, s_idx, p_idx = np.meshgrid(np.arange(n_w), np.arange(n_s), np.arange(n_p), indexing="ij")
    w_idx, s_idx, p_idx = w_idx.ravel(), s_idx.ravel(), p_idx.ravel()
    stocked = ~(express[s_idx] & ~in_express[p_idx])
    w_idx, s_idx, p_idx = w_idx[stocked], s_idx[stocked], p_idx[stocked]

    temp_obs = np.round(temp, 1)
    temp_obs[rng.random(temp_obs.shape) < TEMP_MISSING_RATE] = np.nan  # weather feed gaps (store-week)
    ff_obs = footfall.astype(float).copy()
    # A footfall-counter outage: no counts at one store for three weeks.
    outage = (weeks >= np.datetime64("2022-10-10")) & (weeks < np.datetime64("2022-10-31"))
    ff_obs[store_ids == "S061", :] = np.where(outage, np.nan, ff_obs[store_ids == "S061", :])

    frame = pd.DataFrame(
        {
            "week_start": weeks[w_idx],
            "store_id": store_ids[s_idx],
            "store_region": np.array(regions, dtype=object)[s_idx],
            "store_format": np.array([s[2] for s in STORES], dtype=object)[s_idx],
            "product_id": np.array([p[0] for p in PRODUCTS], dtype=object)[p_idx],
            "product_category": np.array([p[1] for p in PRODUCTS], dtype=object)[p_idx],
            "unit_price_eur": paid[s_idx, p_idx, w_idx],
            "promo": np.array(PROMOS, dtype=object)[promo[p_idx, w_idx]],
            "holiday_week": np.where(holiday[w_idx] == "", None, holiday[w_idx]),
            "avg_temperature_c": temp_obs[s_idx, w_idx],
            "competitor_price_index": cpi[s_idx, p_idx, w_idx],
            "footfall_index": ff_obs[s_idx, w_idx],
            "units_sold": units[s_idx, p_idx, w_idx].astype(np.int64),
        }
    )
    public = frame[frame["week_start"] <= LAST_WEEK].reset_index(drop=True)
    future = frame[frame["week_start"] >= FUTURE_FIRST].reset_index(drop=True)
    return public[SALES.column_names], future[SALES.column_names]


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The byte-stable CSV encoding of a sales frame."""
    out = frame.copy()
    out["unit_price_eur"] = out["unit_price_eur"].map("{:.2f}".format)
    out["competitor_price_index"] = out["competitor_price_index"].map("{:.3f}".format)
    for col in ("avg_temperature_c", "footfall_index"):
        out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    text = out.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return text.encode("utf-8")


def answer_key(public: pd.DataFrame, future: pd.DataFrame) -> dict:
    day = str
    return {
        "family": FAMILY,
        "generator_version": GENERATOR_VERSION,
        "drift": [
            {
                "feature": "competitor_price_index",
                "kind": "covariate",
                "start": day(COMPETITOR_DRIFT_START),
                "stores": list(COMPETITOR_DRIFT_STORES),
                "shape": "step",
                "size": "index about 11 % lower (log shift -0.12) at the three southern stores",
                "effect_on_units": "through the unchanged cross-price response (units about 4 % lower there)",
                "detect_with": "row-level weekly PSI",
            },
            {
                "feature": "units_sold",
                "kind": "label",
                "start": day(LABEL_DRIFT_START),
                "stores": list(LABEL_DRIFT_STORES),
                "shape": "step",
                "size": f"units x{LABEL_DRIFT_FACTOR} with no change in any feature (click-and-collect orders booked to these stores)",
                "detect_with": "store-level weekly z-scan of units_sold",
            },
            {
                "feature": "units_sold",
                "kind": "concept",
                "start": day(REGIME_START),
                "stores": list(REGIME_STORES),
                "given": ["unit_price_eur", "promo"],
                "detect_with": "model error at these stores before vs after the start (inputs do not move)",
                "shape": "step",
                "size": (
                    f"own-price elasticity {OWN_ELASTICITY} -> {OWN_ELASTICITY_REGIME}, leaflet uplift "
                    f"{LEAFLET_UPLIFT} -> {LEAFLET_UPLIFT_REGIME}, regular-price weeks x{REGULAR_WEEK_REGIME}"
                ),
            },
        ],
        "regime_change": {
            "start": day(REGIME_START),
            "stores": list(REGIME_STORES),
            "event": "a discount competitor ('Kestrel Discount') opens near these stores",
            "kind": "concept",
            "features_unchanged": True,
            "effect": (
                "customers cherry-pick: promotions and price cuts sell far more, regular-price weeks about 12 % less; "
                "the stores' average sales level stays about the same and no input distribution changes"
            ),
        },
        "monitoring": {
            "reference": [day(REFERENCE[0]), day(REFERENCE[1])],
            "window": "one Monday week",
            "row_level_features": ["unit_price_eur", "competitor_price_index", "promo"],
            "row_level_method": (
                "PSI with 10 bins at the reference window's deciles (categories for promo), "
                "proportions floored at 1e-4, reference 2022 vs each week from 2023-01-02; drift if PSI > 0.25"
            ),
            "psi_threshold": 0.25,
            "store_level_features": ["footfall_index", "avg_temperature_c", "units_sold"],
            "store_level_method": (
                "one value per store and week (units_sold summed over the products all stores carry): normalise each "
                "store's log series (footfall, units) or series (temperature) by its own 2022 mean, "
                "subtract the chain median of the same week (removes the common seasonality), z-score against the "
                "store's 2022 mean and standard deviation of that difference; drift if |z| > 4 in at least 8 weeks, "
                "starting at the first week with |z| > 4"
            ),
            "z_threshold": 4.0,
        },
        "concept_check": {
            "model": "HistGradientBoostingRegressor on log1p(units_sold), all columns but units_sold plus ISO week of year",
            "before_vs_after": "train on weeks before 2024-01-01; error (WAPE) at the regime stores roughly doubles after 2024-04-15, other stores unchanged",
            "retrain": "train on weeks before 2024-10-07 with a running week index; WAPE at the regime stores in 2024-10-07..2024-12-30 drops by about 40 %",
        },
        "stable_features": [
            "unit_price_eur",
            "promo",
            "footfall_index",
            "avg_temperature_c",
        ],
        "seasonal_features": {
            "avg_temperature_c": "yearly cycle; a weekly PSI against a whole-year reference flags every summer and winter",
            "holiday_week": "calendar",
            "units_sold": "category-specific yearly cycles and holiday peaks",
        },
        "demand_drivers": {
            "own_price_elasticity": OWN_ELASTICITY,
            "cross_elasticity_competitor_price_index": CROSS_ELASTICITY,
            "footfall_elasticity": FOOTFALL_ELASTICITY,
            "leaflet_uplift": LEAFLET_UPLIFT,
            "multibuy_uplift": MULTIBUY_UPLIFT,
            "trend_per_year": TREND_PER_YEAR,
            "temperature_sensitive_categories": ["Ice cream", "BBQ", "Beer", "Soft drinks", "Heating", "Soup"],
        },
        "future_file": FUTURE,
        "future_weeks": [str(future["week_start"].min().date()), str(future["week_start"].max().date())],
        "future_rows": int(len(future)),
        "public_rows": int(len(public)),
        "notes": (
            "Three planted changes: a covariate step in competitor_price_index at S058/S061/S066 from 2023-05-08, "
            "a label step in units_sold at S021/S042 from 2023-08-21 (no feature moves), and a concept change "
            "(price/promotion response) at S033/S037/S049 from 2024-04-15 that leaves every input distribution and "
            "the stores' sales level about unchanged. Temperature and units are seasonal, not drifting. "
            "Regular shelf prices are frozen over 2022-2025 (unit_price_eur moves only with promotions and small "
            "loyalty discounts). The future quarter continues all three changes."
        ),
    }


def build(seed: int = SEED) -> list[Artifact]:
    """Generate the family's files (the caller writes them and the manifests)."""
    from pmle.data import demand_datasheet

    public, future = simulate(seed)
    key = answer_key(public, future)
    return [
        Artifact(SALES.path, to_csv_bytes(public), table=SALES, rows=len(public)),
        Artifact(DATASHEET, demand_datasheet.render(public).encode("utf-8")),
        Artifact(KEY, (json.dumps(key, sort_keys=True, indent=2) + "\n").encode("utf-8"), answer_key=True),
        Artifact(FUTURE, to_csv_bytes(future), table=SALES, rows=len(future), answer_key=True),
    ]
