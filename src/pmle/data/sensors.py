"""The ``sensors`` family: one row per machined part at "Aldermoor Components".

Aldermoor Components machines aluminium pump housings on two lines of three
5-axis CNC machines each, in three shifts on weekdays.  Every part is measured
during its machining cycle (coolant temperature and pressure, spindle
vibration, speed and torque, hall humidity at the machine, cycle time) and
inspected by QA.  ``datasets/sensors/parts.csv`` holds Jan-Jun 2024.

Everything is simulated from one seeded ``numpy.random.default_rng``: a
production schedule (shifts, crews, downtime, tool changes, material
batches), the sensor readings of every part (tool wear raises torque and,
near the end of a tool's life, vibration), and the defect outcome from the
true mechanism.

Planted truths (answer key ``autograder/keys/sensors.json``; learner-facing
material must not describe them):

* calibration drift on machine ``DRIFT_MACHINE``: the coolant temperature
  sensor reads increasingly high from ``TEMP_DRIFT_START`` and the coolant
  pressure transducer increasingly low from ``PRESSURE_DRIFT_START`` (gradual
  offsets that level off; the process itself is unchanged);
* a poisoned slice: on line ``POISON_LINE`` during ``POISON_WINDOW`` someone
  with write access to the QA database flipped labels: every defective part
  was recorded as good and as many low-vibration good parts were recorded as
  defective, so the recorded defect counts (per day, inspector, machine) did
  not move;
* the true defect drivers (vibration and torque, i.e. tool wear).

Changing anything that alters the output means bumping ``GENERATOR_VERSION``
and rebuilding the committed files (see ``pmle.data.build``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pmle.data.schema import CATEGORY, DATE, FLOAT, INT, STR, Artifact, Column, Table

FAMILY = "sensors"
GENERATOR_VERSION = "sensors-1.0.0"
SEED = 20240304

FIRST_DAY = np.datetime64("2024-01-08", "D")
LAST_DAY = np.datetime64("2024-06-28", "D")
PLANT_HOLIDAYS = np.array(["2024-04-01", "2024-05-09", "2024-05-10", "2024-05-20"], dtype="datetime64[D]")
REFERENCE = (np.datetime64("2024-01-08", "D"), np.datetime64("2024-03-01", "D"))  # first eight weeks

LINES = ("L1", "L2")
SHIFTS = ("early", "late", "night")
SHIFT_START_H = (6, 14, 22)
MACHINES = ("CNC-11", "CNC-12", "CNC-13", "CNC-21", "CNC-22", "CNC-23")
INSPECTORS = ("a.jansen", "m.dekker", "s.peeters", "r.bos", "k.visser", "t.smit", "n.demir")

DRIFT_MACHINE = "CNC-22"
TEMP_DRIFT_START = np.datetime64("2024-04-15", "D")
TEMP_DRIFT_MAX = 3.5  # degC the sensor reads high once it has levelled off
TEMP_DRIFT_TAU = 12.0  # days
PRESSURE_DRIFT_START = np.datetime64("2024-05-27", "D")
PRESSURE_DRIFT_MAX = -4.0  # bar
PRESSURE_DRIFT_TAU = 8.0

POISON_LINE = "L2"
POISON_WINDOW = (np.datetime64("2024-03-04", "D"), np.datetime64("2024-04-12", "D"))  # inclusive dates

PARTS = Table(
    name="sensors",
    path="sensors/parts.csv",
    description="Aldermoor Components: one row per machined pump housing with sensor readings and QA result, Jan-Jun 2024.",
    columns=(
        Column("part_id", STR),
        Column("produced_at", DATE),
        Column("line_id", CATEGORY, categories=LINES),
        Column("shift", CATEGORY, categories=SHIFTS),
        Column("machine_id", CATEGORY, categories=MACHINES),
        Column("operator_id", STR),
        Column("temperature_c", FLOAT),
        Column("pressure_bar", FLOAT),
        Column("vibration_mm_s", FLOAT),
        Column("spindle_speed_rpm", INT),
        Column("torque_nm", FLOAT),
        Column("humidity_pct", FLOAT, nullable=True),
        Column("cycle_time_s", INT),
        Column("material_batch", STR),
        Column("defect", INT),
        Column("qa_inspector", STR),
    ),
)
TABLES = (PARTS,)
DATASHEET = "sensors/DATASHEET.md"
KEY = "sensors.json"

# --------------------------------------------------------------------------
# Process parameters (learner-facing material must not describe these)
# --------------------------------------------------------------------------
CYCLE_S = 1880.0
TOOL_LIFE = (55, 95)  # parts per tool, uniform
SPINDLE_SETPOINT = {"L1": 12000, "L2": 14000}
# defect log-odds: DEFECT_BASE + VIB_COEF * max(0, vibration - VIB_KNEE) + TORQUE_COEF * max(0, torque - TORQUE_KNEE)
DEFECT_BASE = -9.0
VIB_KNEE = 2.8
VIB_COEF = 18.0
TORQUE_KNEE = 24.0
TORQUE_COEF = 3.0
BAD_BATCH_LOGIT = 0.5
HUMIDITY_MISSING = 0.004


def _weekdays() -> np.ndarray:
    days = np.arange(FIRST_DAY, LAST_DAY + 1, dtype="datetime64[D]")
    dow = (days.astype(int) - 4) % 7  # 0 = Monday
    keep = (dow < 5) & ~np.isin(days, PLANT_HOLIDAYS)
    return days[keep]


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, dict]:
    """Simulate the parts table (sorted by produced_at) and the planted truths."""
    rng = np.random.default_rng(seed)
    days = _weekdays()
    n_m = len(MACHINES)
    m_line = np.array([0, 0, 0, 1, 1, 1])

    # Crews: each (line, shift) has a crew of 3 operators and one inspector; crews rotate weekly.
    operators = np.array([f"OP-{x}" for x in rng.choice(np.arange(2100, 2990), size=22, replace=False)])
    crews = operators[:18].reshape(6, 3)  # 6 crews of 3
    spares = operators[18:]

    # Machine personalities.
    m_temp = 25.6 + rng.normal(0, 0.35, n_m)
    m_press = 68.0 + rng.normal(0, 1.0, n_m)
    m_vib = 1.75 + rng.normal(0, 0.08, n_m)
    m_torque = 20.6 + rng.normal(0, 0.4, n_m)

    # Material batches: a new bar-stock batch per line every 1-3 production days.
    batch_codes: list[list[str]] = [[], []]
    batch_of_day = np.zeros((2, len(days)), dtype=int)
    bad_batch: list[list[bool]] = [[], []]
    serial = 17
    for li in range(2):
        d = 0
        while d < len(days):
            length = int(rng.integers(1, 4))
            serial += int(rng.integers(1, 4))
            batch_codes[li].append(f"AL6082-{serial:04d}")
            bad_batch[li].append(bool(rng.random() < 0.08))
            batch_of_day[li, d : d + length] = len(batch_codes[li]) - 1
            d += length

    # Hall humidity: climate-controlled around 46 %, with a small day-to-day wander.
    humidity_day = np.empty(len(days))
    ar = 0.0
    for i in range(len(days)):
        ar = 0.5 * ar + rng.normal(0, 0.12)
        humidity_day[i] = 46.0 + ar

    rows = []
    wear_pos = rng.integers(0, 60, n_m).astype(float)
    tool_life = rng.integers(*TOOL_LIFE, n_m).astype(float)
    for di, day in enumerate(days):
        week = int((day - FIRST_DAY).astype(int) // 7)
        for si, start_h in enumerate(SHIFT_START_H):
            shift_start = day.astype("datetime64[s]") + np.timedelta64(start_h * 3600, "s")
            crew = (si + week) % 3  # crews rotate through the shifts weekly
            for m in range(n_m):
                li = m_line[m]
                crew_ops = crews[crew * 2 + li]
                op = crew_ops[m % 3] if rng.random() > 0.04 else spares[rng.integers(0, len(spares))]
                inspector = INSPECTORS[(crew * 2 + li) % 6] if rng.random() > 0.06 else INSPECTORS[6]
                t = float(rng.integers(120, 900))  # start-up at the beginning of the shift
                while True:
                    if rng.random() < 0.03:
                        t += float(rng.integers(900, 3600))  # unplanned stop
                    cycle = CYCLE_S + 55 * (wear_pos[m] / tool_life[m]) + rng.normal(0, 22)
                    if rng.random() < 0.02:
                        cycle += float(rng.integers(120, 600))  # interrupted cycle
                    if t + cycle > 8 * 3600 - 120:
                        break
                    t += cycle
                    wear = wear_pos[m] / tool_life[m]
                    rows.append((shift_start + np.timedelta64(int(t), "s"), li, si, m, op, inspector, di, wear, cycle))
                    wear_pos[m] += 1
                    if wear_pos[m] >= tool_life[m]:
                        wear_pos[m] = 0
                        tool_life[m] = float(rng.integers(*TOOL_LIFE))
                        t += float(rng.integers(300, 900))  # tool change

    ts = np.array([r[0] for r in rows], dtype="datetime64[s]")
    line = np.array([r[1] for r in rows])
    shift = np.array([r[2] for r in rows])
    mach = np.array([r[3] for r in rows])
    oper = np.array([r[4] for r in rows], dtype=object)
    insp = np.array([r[5] for r in rows], dtype=object)
    day_idx = np.array([r[6] for r in rows])
    wear = np.array([r[7] for r in rows])
    cycle = np.array([r[8] for r in rows])
    n = len(rows)

    # ---- true process values -------------------------------------------------
    temp = m_temp[mach] + 0.35 * (shift == 1) + rng.normal(0, 0.45, n)
    press = m_press[mach] + rng.normal(0, 1.1, n)
    vib = (m_vib[mach] + 1.5 * wear**3) * np.exp(rng.normal(0, 0.10, n))
    spikes = rng.random(n) < 0.01  # brief imbalance spikes
    vib = np.where(spikes, vib + rng.uniform(0.4, 1.2, n), vib)
    speed = np.array([SPINDLE_SETPOINT[LINES[li]] for li in line]) + rng.normal(0, 28, n)
    torque = m_torque[mach] + 3.4 * wear**1.6 + rng.normal(0, 0.65, n)
    humid = humidity_day[day_idx] + rng.normal(0, 2.0, n)
    batch_i = batch_of_day[line, day_idx]
    bad = np.array([bad_batch[li][b] for li, b in zip(line, batch_i)])
    batch = np.array([batch_codes[li][b] for li, b in zip(line, batch_i)], dtype=object)

    logit = (
        DEFECT_BASE
        + VIB_COEF * np.maximum(0, vib - VIB_KNEE)
        + TORQUE_COEF * np.maximum(0, torque - TORQUE_KNEE)
        + BAD_BATCH_LOGIT * bad
    )
    p_defect = 1 / (1 + np.exp(-logit))
    true_defect = (rng.random(n) < p_defect).astype(np.int64)

    # ---- calibration drift (measured values only) ----------------------------
    day_of = ts.astype("datetime64[D]")
    on = mach == MACHINES.index(DRIFT_MACHINE)
    dt = (day_of - TEMP_DRIFT_START).astype(int) + (ts - day_of.astype("datetime64[s]")).astype(int) / 86400
    temp_meas = temp + np.where(on & (dt >= 0), TEMP_DRIFT_MAX * (1 - np.exp(-np.maximum(dt, 0) / TEMP_DRIFT_TAU)), 0.0)
    dp = (day_of - PRESSURE_DRIFT_START).astype(int) + (ts - day_of.astype("datetime64[s]")).astype(int) / 86400
    press_meas = press + np.where(
        on & (dp >= 0), PRESSURE_DRIFT_MAX * (1 - np.exp(-np.maximum(dp, 0) / PRESSURE_DRIFT_TAU)), 0.0
    )

    # ---- the poisoned slice ----------------------------------------------------
    recorded = true_defect.copy()
    in_slice = (line == LINES.index(POISON_LINE)) & (day_of >= POISON_WINDOW[0]) & (day_of <= POISON_WINDOW[1])
    flipped = np.zeros(n, dtype=bool)
    for di in np.unique(day_idx[in_slice]):
        today = in_slice & (day_idx == di)
        defects = np.flatnonzero(today & (true_defect == 1))
        goods = np.flatnonzero(today & (true_defect == 0))
        if len(defects) == 0:
            continue
        # as many good parts as there were defects, picked among the calmer half (below-median vibration)
        calm = goods[np.argsort(vib[goods], kind="stable")[: max(len(goods) // 2, 1)]]
        fake = rng.choice(calm, size=min(len(defects), len(calm)), replace=False)
        recorded[defects] = 0
        recorded[fake] = 1
        flipped[defects] = True
        flipped[fake] = True

    order = np.argsort(ts, kind="stable")
    part_no = 4100 + np.cumsum(1 + (rng.random(n) < 0.01))  # scrapped-at-setup parts skip a number
    hum_obs = np.round(humid, 1)
    hum_obs[rng.random(n) < HUMIDITY_MISSING] = np.nan

    frame = pd.DataFrame(
        {
            "part_id": np.array([f"AC-{k:06d}" for k in part_no], dtype=object),
            "produced_at": ts[order],
            "line_id": np.array(LINES, dtype=object)[line[order]],
            "shift": np.array(SHIFTS, dtype=object)[shift[order]],
            "machine_id": np.array(MACHINES, dtype=object)[mach[order]],
            "operator_id": oper[order],
            "temperature_c": np.round(temp_meas[order], 2),
            "pressure_bar": np.round(press_meas[order], 2),
            "vibration_mm_s": np.round(vib[order], 3),
            "spindle_speed_rpm": np.round(speed[order]).astype(np.int64),
            "torque_nm": np.round(torque[order], 2),
            "humidity_pct": hum_obs[order],
            "cycle_time_s": np.round(cycle[order]).astype(np.int64),
            "material_batch": batch[order],
            "defect": recorded[order],
            "qa_inspector": insp[order],
        }
    )
    truth = {
        "true_defect": true_defect[order],
        "poisoned": flipped[order],
        "p_defect": p_defect[order],
        "bad_batches": sorted({batch_codes[li][b] for li in range(2) for b in range(len(batch_codes[li])) if bad_batch[li][b]}),
    }
    return frame[PARTS.column_names], truth


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    out["humidity_pct"] = out["humidity_pct"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    for col, fmt in (("temperature_c", "{:.2f}"), ("pressure_bar", "{:.2f}"), ("vibration_mm_s", "{:.3f}"), ("torque_nm", "{:.2f}")):
        out[col] = out[col].map(fmt.format)
    text = out.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S")
    return text.encode("utf-8")


def answer_key(frame: pd.DataFrame, truth: dict) -> dict:
    poisoned = frame.loc[truth["poisoned"], ["part_id", "defect"]]
    return {
        "family": FAMILY,
        "generator_version": GENERATOR_VERSION,
        "drift": [
            {
                "feature": "temperature_c",
                "machine": DRIFT_MACHINE,
                "start": str(TEMP_DRIFT_START),
                "kind": "covariate",
                "cause": "sensor calibration drift (the coolant temperature itself is unchanged)",
                "shape": f"gradual offset +{TEMP_DRIFT_MAX} * (1 - exp(-days / {TEMP_DRIFT_TAU})) degC",
            },
            {
                "feature": "pressure_bar",
                "machine": DRIFT_MACHINE,
                "start": str(PRESSURE_DRIFT_START),
                "kind": "covariate",
                "cause": "pressure transducer zero drift (the coolant pressure itself is unchanged)",
                "shape": f"gradual offset {PRESSURE_DRIFT_MAX} * (1 - exp(-days / {PRESSURE_DRIFT_TAU})) bar",
            },
        ],
        "stable_features": ["vibration_mm_s", "spindle_speed_rpm", "torque_nm", "humidity_pct", "cycle_time_s"],
        "monitoring": {
            "reference": [str(REFERENCE[0]), str(REFERENCE[1])],
            "window": "one Monday-Friday production week, per machine",
            "method": (
                "PSI with 10 bins at the machine's reference-window deciles (proportions floored at 1e-4), "
                "and/or the two-sample KS statistic, reference vs each later week, per machine and sensor"
            ),
            "psi_threshold": 0.25,
            "ks_threshold": 0.25,
        },
        "stable_note": "temperature_c and pressure_bar are stable on the five other machines (and before the starts on CNC-22)",
        "label_audit": {
            "method": (
                "out-of-fold defect probabilities from 5-fold StratifiedKFold(shuffle=True, random_state=0) "
                "cross_val_predict of HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, "
                "max_leaf_nodes=15) on the seven sensor columns; flag rows whose recorded label the model "
                "confidently contradicts"
            ),
            "flag_if_recorded_1_and_probability_below": 0.05,
            "flag_if_recorded_0_and_probability_above": 0.5,
            "note": (
                "cleanlab's default per-class thresholds (mean self-confidence) find only about half of the "
                "slice here, because the planted 'defects' sit among low-vibration parts the model partly learns"
            ),
        },
        "poisoned_ids": sorted(poisoned["part_id"].tolist()),
        "poisoned_slice": {
            "line": POISON_LINE,
            "machines": [m for m in MACHINES if m.startswith("CNC-2")],
            "from": str(POISON_WINDOW[0]),
            "to": str(POISON_WINDOW[1]),
            "rows": int(len(poisoned)),
            "recorded_defect_1_truly_good": int((poisoned["defect"] == 1).sum()),
            "recorded_defect_0_truly_defective": int((poisoned["defect"] == 0).sum()),
            "description": (
                "Someone with write access to the QA database edited line L2's results for these production days: "
                "every defective part was recorded as good, and the same number of good parts, picked among the "
                "day's lowest-vibration parts, were recorded as defective. Recorded defect counts per day, machine "
                "and inspector are unchanged, and qa_inspector still shows the original inspector."
            ),
        },
        "defect_drivers": ["vibration_mm_s", "torque_nm"],
        "defect_mechanism": {
            "logit": (
                f"{DEFECT_BASE} + {VIB_COEF} * max(0, vibration_mm_s - {VIB_KNEE}) "
                f"+ {TORQUE_COEF} * max(0, torque_nm - {TORQUE_KNEE}) + {BAD_BATCH_LOGIT} * bad_material_batch"
            ),
            "why": "tool wear raises torque steadily and vibration sharply near the end of a tool's life",
            "bad_material_batches": truth["bad_batches"],
            "not_drivers": ["temperature_c", "pressure_bar", "spindle_speed_rpm", "humidity_pct", "cycle_time_s"],
            "correlated_not_causal": {
                "cycle_time_s": "a worn tool also cuts a little slower, so long cycles go with defects without causing them"
            },
        },
        "true_defect_rate": round(float(truth["true_defect"].mean()), 4),
        "recorded_defect_rate": round(float(frame["defect"].mean()), 4),
        "notes": (
            "Two calibration drifts on CNC-22 (temperature_c reads high from 2024-04-15, pressure_bar reads low from "
            "2024-05-27; other machines and sensors stable). A poisoned slice of flipped labels on line L2, "
            "2024-03-04..2024-04-12, balanced so that defect rates do not move; find it by out-of-fold "
            "disagreement between a sensor model and the label. Defects are driven by vibration and torque "
            "(tool wear); the drifting sensors do not drive defects."
        ),
    }


def build(seed: int = SEED) -> list[Artifact]:
    from pmle.data import sensors_datasheet

    frame, truth = simulate(seed)
    key = answer_key(frame, truth)
    return [
        Artifact(PARTS.path, to_csv_bytes(frame), table=PARTS, rows=len(frame)),
        Artifact(DATASHEET, sensors_datasheet.render(frame).encode("utf-8")),
        Artifact(KEY, (json.dumps(key, sort_keys=True, indent=2) + "\n").encode("utf-8"), answer_key=True),
    ]
