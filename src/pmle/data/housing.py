"""The ``housing`` family: residential sales of "Fernvale Realty".

Fernvale Realty is a (fictional) estate agency in a mid-size European city
and its commuter belt.  ``datasets/housing/sales.csv`` holds one row per
completed sale, 2022-2024: the property's characteristics as listed, its
location, the listing, and the price ``sale_price_eur``.

Planted for the regularisation lab (lab 03) and the interpretability lab
(lab 08), documented only in the answer key (``autograder/keys/housing.json``):

* a sparse true model: log(price) is linear in only six of the standardised
  features, plus one non-linear effect (a U-shape in ``year_built``); every
  other feature, however correlated with price, has no effect of its own;
* correlated decoys (rooms and bedrooms vs living area, garden vs lot,
  station vs centre distance, energy label vs construction year);
* ``listing_id``, a portal identifier with almost all values unique and no
  relation to the price.

Everything comes from one seeded ``numpy.random.default_rng``.  Changing
anything that alters the output means bumping ``GENERATOR_VERSION``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pmle.data.schema import BOOL, CATEGORY, DATE, FLOAT, INT, STR, Artifact, Column, Table

FAMILY = "housing"
GENERATOR_VERSION = "housing-1.0.0"
SEED = 20250814

PROPERTY_TYPES = ("apartment", "terraced", "semi-detached", "detached")
ENERGY_LABELS = ("A+", "A", "B", "C", "D", "E", "F", "G")
HEATING = ("gas boiler", "heat pump", "district heating", "oil", "electric")
# name: (distance to the centre in km, school quality, share of apartments, typical construction era)
NEIGHBOURHOODS = {
    "Old Town": (0.6, 6.8, 0.80, "historic"),
    "Canal Quarter": (1.3, 7.4, 0.70, "historic"),
    "Station District": (1.8, 5.2, 0.75, "postwar"),
    "Westpark": (2.9, 7.8, 0.45, "historic"),
    "Northgate": (3.6, 5.0, 0.50, "postwar"),
    "Riverside": (4.4, 6.5, 0.40, "postwar"),
    "Eastfield": (5.8, 4.6, 0.35, "postwar"),
    "Hollins Green": (7.2, 7.1, 0.15, "mixed"),
    "Brookmere": (9.0, 6.0, 0.10, "new"),
    "Ashby": (11.5, 6.9, 0.08, "mixed"),
    "Larkhill": (14.0, 5.6, 0.05, "new"),
    "Fenwick Village": (17.5, 7.5, 0.03, "historic"),
}

SALES = Table(
    name="housing",
    path="housing/sales.csv",
    description="Fernvale Realty residential sales 2022-2024 with property features and sale price (EUR).",
    columns=(
        Column("sale_id", STR),
        Column("sale_date", DATE),
        Column("listing_id", INT),
        Column("neighbourhood", CATEGORY, categories=tuple(NEIGHBOURHOODS)),
        Column("property_type", CATEGORY, categories=PROPERTY_TYPES),
        Column("living_area_m2", FLOAT),
        Column("lot_area_m2", INT),
        Column("garden_area_m2", INT),
        Column("total_rooms", INT),
        Column("bedrooms", INT),
        Column("bathrooms", INT),
        Column("floor", INT),
        Column("has_balcony", BOOL),
        Column("garage_spaces", INT),
        Column("year_built", INT),
        Column("years_since_renovation", INT),
        Column("condition_score", INT),
        Column("energy_label", CATEGORY, categories=ENERGY_LABELS),
        Column("heating_type", CATEGORY, categories=HEATING),
        Column("distance_to_centre_km", FLOAT),
        Column("distance_to_station_km", FLOAT),
        Column("school_rating", FLOAT),
        Column("street_noise_db", FLOAT),
        Column("listing_photos", INT),
        Column("days_on_market", INT),
        Column("sale_price_eur", INT),
    ),
)
TABLES = (SALES,)
DATASHEET = "housing/DATASHEET.md"
ANSWER_KEY = "housing.json"

N_SALES = 4_600
START = np.datetime64("2022-01-03", "D")
END = np.datetime64("2024-12-20", "D")

# The true model: log(price) = LOG_BASE + sum(coef * standardised feature) + U(year_built) + noise.
# Standardised = (x - mean) / std with the population std (ddof=0) of the published column,
# i.e. exactly what sklearn's StandardScaler does on the whole table.
TRUE_COEFFICIENTS = {
    "living_area_m2": 0.26,
    "distance_to_centre_km": -0.14,
    "condition_score": 0.07,
    "school_rating": 0.06,
    "bathrooms": 0.05,
    "lot_area_m2": 0.05,
}
LOG_BASE = float(np.log(345_000))
NOISE_SD = 0.16
U_BOTTOM = 1960  # year_built with the lowest price, all else equal
U_SCALE = 40.0
U_HEIGHT = 0.13  # log-price premium at U_SCALE years from the bottom
U_CAP = 55  # years from the bottom beyond which the premium stops growing


def year_built_effect(year: np.ndarray) -> np.ndarray:
    """The planted U-shape in log price (before centring on the data's mean)."""
    distance = np.minimum(np.abs(np.asarray(year, dtype=float) - U_BOTTOM), U_CAP)
    return U_HEIGHT * (distance / U_SCALE) ** 2


def _standardise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return (x - x.mean()) / x.std()


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    """The sales table (sorted by sale_date) and the hidden facts for the key."""
    rng = np.random.default_rng(seed)
    n = N_SALES
    names = list(NEIGHBOURHOODS)
    weights = np.array([9, 8, 8, 9, 10, 10, 10, 9, 8, 7, 6, 6], dtype=float)
    hood = rng.choice(len(names), size=n, p=weights / weights.sum())
    info = [NEIGHBOURHOODS[names[h]] for h in hood]
    centre = np.array([i[0] for i in info])
    school_base = np.array([i[1] for i in info])
    apt_share = np.array([i[2] for i in info])
    era = np.array([i[3] for i in info], dtype=object)

    distance = np.clip(centre * np.exp(rng.normal(0, 0.22, n)) + rng.normal(0, 0.25, n), 0.2, 24.0)
    distance = np.round(distance, 2)

    # property type: apartments near the centre, detached houses further out
    u = rng.random(n)
    house_p = np.column_stack([0.40 - 0.012 * distance, 0.30 + 0.0 * distance, 0.30 + 0.02 * distance])
    house_p = np.clip(house_p, 0.05, None)
    house_p = house_p / house_p.sum(axis=1, keepdims=True)
    is_apt = u < apt_share
    v = rng.random(n)
    house_kind = 1 + (v[:, None] > np.cumsum(house_p, axis=1)).sum(axis=1)
    ptype = np.where(is_apt, 0, np.minimum(house_kind, 3))

    # construction year by the neighbourhood's era
    era_draw = {
        "historic": lambda m: np.where(rng.random(m) < 0.65, rng.integers(1880, 1940, m), rng.integers(1950, 2024, m)),
        "postwar": lambda m: np.where(rng.random(m) < 0.75, rng.integers(1950, 1990, m), rng.integers(1900, 2024, m)),
        "mixed": lambda m: rng.integers(1900, 2024, m),
        "new": lambda m: np.where(rng.random(m) < 0.75, rng.integers(1990, 2024, m), rng.integers(1955, 1990, m)),
    }
    year_built = np.empty(n, dtype=int)
    for name, draw in era_draw.items():
        mask = era == name
        year_built[mask] = draw(int(mask.sum()))

    # size and rooms
    type_area = np.array([72.0, 108.0, 128.0, 162.0])[ptype]
    living = np.round(type_area * np.exp(rng.normal(0, 0.24, n)) + 4 * (year_built < 1940), 1)
    living = np.clip(living, 28.0, 420.0)
    bedrooms = np.clip(np.round(living / 33 + rng.normal(0, 0.45, n)), 1, 8).astype(int)
    total_rooms = (bedrooms + 1 + (living > 95) + (living > 170) + (rng.random(n) < 0.3)).astype(int)
    bathrooms = (1 + (living + rng.normal(0, 25, n) > 115) + (living + rng.normal(0, 25, n) > 190)).astype(int)

    floors_in_house = np.where(ptype == 3, 2, np.where(ptype == 0, 1, 2))
    lot = np.where(
        ptype == 0,
        0,
        np.round(np.exp(np.log(np.array([0, 150, 280, 520])[ptype] + 1) + 0.07 * distance + rng.normal(0, 0.3, n)), -1),
    ).astype(int)
    footprint = living / floors_in_house
    garden = np.where(ptype == 0, 0, np.maximum(lot - footprint * rng.uniform(1.0, 1.4, n), 0) * rng.uniform(0.45, 1.0, n))
    garden = (np.round(garden / 5) * 5).astype(int)
    floor = np.where(ptype == 0, np.minimum(rng.geometric(0.3, n) - 1, 14), 0).astype(int)
    balcony = np.where(ptype == 0, rng.random(n) < 0.7, rng.random(n) < 0.15)
    garage = np.where(
        ptype == 0,
        (rng.random(n) < 0.25).astype(int),
        rng.choice(4, size=n, p=[0.3, 0.45, 0.2, 0.05]),
    ).astype(int)
    garage = np.where((ptype == 3) & (garage == 0) & (rng.random(n) < 0.5), 1, garage)

    # sale dates, renovation and condition
    sale_day = START + rng.integers(0, int((END - START).astype(int)) + 1, n)
    sale_year = sale_day.astype("datetime64[Y]").astype(int) + 1970
    year_built = np.minimum(year_built, sale_year)  # new builds are sold on completion at the latest
    age = np.maximum(sale_year - year_built, 0)
    renovated = rng.random(n) < np.clip(age / 60, 0.05, 0.9)
    renov_year = np.where(renovated, sale_year - np.floor(rng.uniform(0, 1, n) * np.minimum(age, 35)), year_built)
    since_renov = np.maximum(sale_year - renov_year, 0).astype(int)
    condition = np.clip(np.round(8.6 - 0.09 * since_renov + rng.normal(0, 1.1, n)), 1, 10).astype(int)

    # energy label from age and renovation
    energy_score = (
        1.2
        + 3.4 * (2024 - year_built) / 90
        + 0.05 * since_renov
        - 1.2 * (renovated & (since_renov < 15))
        + rng.normal(0, 0.8, n)
    )
    energy = np.clip(np.round(energy_score), 0, 7).astype(int)
    heat_p = np.column_stack(
        [
            np.full(n, 0.55),
            np.where(year_built >= 2010, 1.6, 0.08 + 0.3 * (renovated & (since_renov < 8))),
            np.where(ptype == 0, 0.35, 0.05),
            np.where(distance > 9, 0.12, 0.02),
            np.full(n, 0.04),
        ]
    )
    heat_cdf = np.cumsum(heat_p / heat_p.sum(axis=1, keepdims=True), axis=1)
    heating = np.minimum((rng.random(n)[:, None] > heat_cdf).sum(axis=1), len(HEATING) - 1)

    # location extras
    station = np.round(np.clip(0.35 * distance + rng.gamma(2.0, 0.6, n), 0.1, None), 2)
    school = np.round(np.clip(school_base + rng.normal(0, 0.8, n), 1, 10), 1)
    noise_db = np.round(np.clip(70 - 1.6 * distance + 2.0 * (ptype == 0) + rng.normal(0, 4, n), 35, 80), 1)

    # listing
    listing_id = rng.choice(np.arange(3_100_000, 9_900_000), size=n, replace=False)
    photos = np.clip(rng.poisson(18 + 4 * (ptype == 3)), 4, 60).astype(int)
    dom = np.clip(np.round(rng.gamma(1.6, 24, n)), 1, 400).astype(int)

    # ---- the price -------------------------------------------------------
    features = {
        "living_area_m2": living,
        "distance_to_centre_km": distance,
        "condition_score": condition,
        "school_rating": school,
        "bathrooms": bathrooms,
        "lot_area_m2": lot,
    }
    linear = sum(coef * _standardise(features[name]) for name, coef in TRUE_COEFFICIENTS.items())
    shape = year_built_effect(year_built)
    shape_mean = float(shape.mean())
    log_price = LOG_BASE + linear + (shape - shape_mean) + rng.normal(0, NOISE_SD, n)
    price = (np.round(np.exp(log_price) / 500) * 500).astype(int)

    frame = pd.DataFrame(
        {
            "sale_date": sale_day,
            "listing_id": listing_id,
            "neighbourhood": np.array(names, dtype=object)[hood],
            "property_type": np.array(PROPERTY_TYPES, dtype=object)[ptype],
            "living_area_m2": living,
            "lot_area_m2": lot,
            "garden_area_m2": garden,
            "total_rooms": total_rooms,
            "bedrooms": bedrooms,
            "bathrooms": bathrooms,
            "floor": floor,
            "has_balcony": balcony,
            "garage_spaces": garage,
            "year_built": year_built,
            "years_since_renovation": since_renov,
            "condition_score": condition,
            "energy_label": np.array(ENERGY_LABELS, dtype=object)[energy],
            "heating_type": np.array(HEATING, dtype=object)[heating],
            "distance_to_centre_km": distance,
            "distance_to_station_km": station,
            "school_rating": school,
            "street_noise_db": noise_db,
            "listing_photos": photos,
            "days_on_market": dom,
            "sale_price_eur": price,
        }
    )
    frame = frame.sort_values(["sale_date", "listing_id"], kind="stable", ignore_index=True)
    year = frame["sale_date"].dt.year.to_numpy() % 100
    seq = frame.groupby(year).cumcount().to_numpy() + 1
    frame.insert(0, "sale_id", [f"FV-{y:02d}-{s:05d}" for y, s in zip(year, seq)])
    hidden = {"year_built_effect_mean": shape_mean}
    return frame[SALES.column_names], hidden


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.2f")
    return text.encode("utf-8")


def build(seed: int = SEED) -> list[Artifact]:
    """Generate the family's files (the caller writes them and the manifest)."""
    from pmle.data import housing_datasheet

    frame, hidden = simulate(seed)
    key = answer_key(frame, hidden)
    return [
        Artifact(SALES.path, to_csv_bytes(frame), table=SALES, rows=len(frame)),
        Artifact(DATASHEET, housing_datasheet.render(frame).encode("utf-8")),
        Artifact(ANSWER_KEY, (json.dumps(key, sort_keys=True, indent=2) + "\n").encode("utf-8"), answer_key=True),
    ]


# --------------------------------------------------------------------------
# Answer key (grading side; never shown to learners)
# --------------------------------------------------------------------------

TARGET = "sale_price_eur"
NOISE_ID = "listing_id"
NOT_FEATURES = ("sale_id", "sale_date", TARGET)
NONLINEAR = "year_built"
# zero-effect features and the true feature each one mostly stands in for
DECOYS = {
    "bedrooms": "living_area_m2",
    "total_rooms": "living_area_m2",
    "garden_area_m2": "lot_area_m2",
    "distance_to_station_km": "distance_to_centre_km",
    "street_noise_db": "distance_to_centre_km",
    "years_since_renovation": "condition_score",
    "energy_label": "year_built",
}


def _r(x: float, digits: int = 4) -> float:
    return float(round(float(x), digits))


def answer_key(frame: pd.DataFrame, hidden: dict) -> dict:
    """The planted truths of the housing family, as written to ``autograder/keys/housing.json``."""
    features = [c for c in SALES.column_names if c not in NOT_FEATURES]
    categorical = [c.name for c in SALES.columns if c.dtype == CATEGORY]
    zero = [c for c in features if c not in TRUE_COEFFICIENTS and c != NONLINEAR]
    energy_code = frame["energy_label"].map({label: i for i, label in enumerate(ENERGY_LABELS)}).astype(float)
    numeric = frame.assign(energy_label=energy_code)
    decoys = {
        decoy: {"stands_in_for": partner, "correlation": _r(numeric[decoy].astype(float).corr(numeric[partner]), 3)}
        for decoy, partner in DECOYS.items()
    }
    log_price = np.log(frame[TARGET].to_numpy(dtype=float))
    return {
        "family": FAMILY,
        "generator_version": GENERATOR_VERSION,
        "table": SALES.name,
        "target": TARGET,
        "target_transform": "log",
        "true_coefficients": dict(TRUE_COEFFICIENTS),
        "standardization": "z = (x - mean) / std over all rows of the table, population std (ddof=0), "
        "as sklearn.preprocessing.StandardScaler; coefficients are in natural-log price per 1 sd",
        "intercept": _r(LOG_BASE, 6),
        "noise_sd": NOISE_SD,
        "price_rounding_eur": 500,
        "zero_features": zero,
        "categorical_features": categorical,
        "ordinal_encodings": {"energy_label": list(ENERGY_LABELS)},
        "features": features,
        "not_features": list(NOT_FEATURES),
        "nonlinear_feature": {
            "feature": NONLINEAR,
            "shape": "U",
            "minimum_at": U_BOTTOM,
            "formula": f"{U_HEIGHT} * (min(abs(year_built - {U_BOTTOM}), {U_CAP}) / {U_SCALE}) ** 2 - centring",
            "centring": _r(hidden["year_built_effect_mean"], 6),
            "premium_at_cap": _r(U_HEIGHT * (U_CAP / U_SCALE) ** 2),
            "flat_before": U_BOTTOM - U_CAP,
            "flat_after": U_BOTTOM + U_CAP,
            "description": "all else equal, post-war houses (around 1960) sell lowest; older (pre-1930) and "
            "newer (post-1995) houses sell for up to ~25 % more; no linear trend in year_built",
        },
        "noise_id_column": NOISE_ID,
        "noise_id_unique_share": _r(frame[NOISE_ID].nunique() / len(frame)),
        "correlated_decoys": decoys,
        "support_rule": "LassoCV on standardised numeric features (energy_label as its ordinal code) against "
        "log(sale_price_eur): the true support is the features with |coef| >= 0.02, excluding the non-linear "
        "feature; plain coef != 0 also keeps many tiny (< 0.02) coefficients on zero-effect features",
        "log_price_sd": _r(log_price.std()),
        "notes": (
            "Fernvale housing: log(price) is linear in six standardised features (true_coefficients) plus a U-shape "
            "in year_built and N(0, noise_sd) noise; every other feature has no effect of its own, although many "
            "correlate with price through the true ones (correlated_decoys). listing_id is a random portal "
            "number: impurity importance over-rates it, permutation importance on held-out data gives ~0. "
            "No time trend in sale_date; neighbourhood acts only through distance and school rating."
        ),
    }
