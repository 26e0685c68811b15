"""Benchmark: `pmle grade` against sequential `nbgrader autograde` on the same N submissions.

It measures the wall time an instructor waits for each tool to grade one class: nbgrader's
`autograde` (one notebook after another, in a copy of the course so the checkout's grading/ is left
alone) and `pmle grade` (sandboxed parallel workers, run through its command line). Both grade the
very same notebook files, half with the reference answers typed in and half left blank, so the two
times are comparable and the two automatic totals must agree; a table says so when they don't.
Registering the lab in a gradebook (nbgrader generate_assignment) is a once-per-lab step and is
done untimed for both tools.

    .venv/bin/python benchmarks/grading.py [--lab 01_framing] [--students 6] [--workers 0] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from pmle.course import notebooks as nbu
from pmle.course import paths
from pmle.course.release import nbgrader_env
from pmle.grading import gradebook

ROOT = Path(__file__).resolve().parents[1]
COURSE_FILES = ("nbgrader_config.py", "autograder", "solutions", "labs")


def answered(lab: str) -> nbformat.NotebookNode:
    """The release notebook with the reference answers copied in from the source, by grade id."""
    nb = nbu.read(paths.release_notebook(ROOT, lab))
    answers = {nbu.grade_id(c): c.source for c in nbu.read(paths.source_notebook(ROOT, lab)).cells if nbu.is_solution(c)}
    for cell in nb.cells:
        if nbu.is_solution(cell):
            cell.source = answers[nbu.grade_id(cell)]
    return nb


def copy_course(target: Path) -> Path:
    """A copy of the course files, so neither tool touches the checkout's grading/ folder."""
    target.mkdir(parents=True)
    for name in COURSE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy(src, target / name)
    return target


def write_submissions(course: Path, lab: str, students: int) -> list[str]:
    """Alternately the reference answers and the blank release, at nbgrader's submitted/ layout."""
    notebooks = {"reference": answered(lab), "blank": nbu.read(paths.release_notebook(ROOT, lab))}
    names = []
    for i in range(students):
        kind = "reference" if i % 2 == 0 else "blank"
        name = f"s{i + 1:02d}_{kind}"
        folder = course / "grading" / "submitted" / name / lab
        folder.mkdir(parents=True)
        nbformat.write(notebooks[kind], folder / f"{lab}.ipynb")
        names.append(name)
    return names


def run(command: list[str], cwd: Path) -> float:
    """Run ``command``; return its wall time in seconds, or stop the benchmark if it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{(done.stdout + done.stderr)[-3000:]}")
    return seconds


def nbgrader_totals(course: Path, lab: str, students: list[str]) -> dict[str, float]:
    """Sum of auto_score per submission, from the copy's nbgrader gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    totals = {}
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        for student in students:
            try:
                submission = gb.find_submission(lab, student)
            except MissingEntry:
                continue
            totals[student] = float(sum(g.auto_score or 0 for nb in submission.notebooks for g in nb.grades))
    return totals


def pmle_totals(grades_csv: Path) -> dict[str, float]:
    with open(grades_csv, newline="") as f:
        return {row["student"]: float(row["score"]) for row in csv.DictReader(f)}


def mismatches(students: list[str], nbgrader: dict[str, float], pmle: dict[str, float]) -> list[dict]:
    rows = [{"student": s, "nbgrader": nbgrader.get(s), "pmle": pmle.get(s)} for s in students]
    return [r for r in rows if r["nbgrader"] is None or r["pmle"] is None or abs(r["nbgrader"] - r["pmle"]) > 1e-9]


def benchmark(lab: str, students: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="pmle-bench-grade-") as tmp:
        course = copy_course(Path(tmp) / "course")
        names = write_submissions(course, lab, students)
        print(f"nbgrader generate_assignment {lab} (untimed) ...", file=sys.stderr, flush=True)
        run([sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force"], course)
        print(f"nbgrader autograde {lab}: {students} submission(s), one at a time ...", file=sys.stderr, flush=True)
        nbgrader_s = run([sys.executable, "-m", "nbgrader", "autograde", lab], course)
        # pmle writes to a gradebook of its own; the lab is registered in it first, untimed, as nbgrader's was
        # by generate_assignment above (a once-per-lab step of ~20 s that would otherwise count against pmle)
        db_url = f"sqlite:///{Path(tmp) / 'pmle-gradebook.db'}"
        print("registering the lab in pmle's own gradebook (untimed) ...", file=sys.stderr, flush=True)
        gradebook.ensure_assignment(ROOT, lab, db_url)
        print(f"pmle grade {lab}: {students} submission(s), {workers or 'one per core'} worker(s) ...",
              file=sys.stderr, flush=True)
        out = Path(tmp) / "pmle-out"
        pmle_s = run([sys.executable, "-m", "pmle", "grade", lab, str(course / "grading" / "submitted"),
                      "--out", str(out), "--workers", str(workers), "--gradebook", db_url], ROOT)
        by_nbgrader, by_pmle = nbgrader_totals(course, lab, names), pmle_totals(out / "grades.csv")
    cores = os.cpu_count() or 1
    return {
        "lab": lab, "submissions": students, "workers": workers or cores, "cores": cores,
        "nbgrader_seconds": round(nbgrader_s, 2), "pmle_seconds": round(pmle_s, 2),
        "nbgrader_seconds_per_submission": round(nbgrader_s / students, 2),
        "pmle_seconds_per_submission": round(pmle_s / students, 2),
        "ratio_nbgrader_over_pmle": round(nbgrader_s / pmle_s, 2),
        "totals": {s: {"nbgrader": by_nbgrader.get(s), "pmle": by_pmle.get(s)} for s in names},
        "mismatches": mismatches(names, by_nbgrader, by_pmle),
    }


def as_text(r: dict) -> str:
    lines = [f"{'lab':<22}{r['lab']}", f"{'submissions':<22}{r['submissions']}",
             f"{'workers':<22}{r['workers']}", f"{'cores':<22}{r['cores']}", "",
             f"{'':<22}{'seconds':>9}{'s/submission':>14}",
             f"{'nbgrader autograde':<22}{r['nbgrader_seconds']:>9.1f}{r['nbgrader_seconds_per_submission']:>14.1f}",
             f"{'pmle grade':<22}{r['pmle_seconds']:>9.1f}{r['pmle_seconds_per_submission']:>14.1f}",
             f"{'ratio nbgrader/pmle':<22}{r['ratio_nbgrader_over_pmle']:>9.2f}"]
    if r["mismatches"]:
        def show(value):
            return "missing" if value is None else f"{value:g}"

        lines += ["", "WARNING: the automatic totals differ:", f"  {'student':<20}{'nbgrader':>10}{'pmle':>10}"]
        lines += [f"  {m['student']:<20}{show(m['nbgrader']):>10}{show(m['pmle']):>10}" for m in r["mismatches"]]
    else:
        same = ", ".join(f"{s} {t['pmle']:g}" for s, t in r["totals"].items())
        lines += ["", f"both gave every student the same automatic total: {same}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/grading.py", description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="01_framing", help="lab id (default: 01_framing)")
    parser.add_argument("--students", type=int, default=6, help="submissions to grade (default: 6)")
    parser.add_argument("--workers", type=int, default=0, help="pmle grade workers (default 0: one per core)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.lab not in paths.lab_ids(ROOT):
        parser.error(f"unknown lab {args.lab!r}; the labs are: {', '.join(paths.lab_ids(ROOT))}")
    if args.students < 1 or args.workers < 0:
        parser.error("--students must be at least 1 and --workers at least 0")
    result = benchmark(args.lab, args.students, args.workers)
    print(json.dumps(result, indent=2) if args.json else as_text(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
