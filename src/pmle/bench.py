"""`make bench`: run every lab's solution headless and report wall time and peak kernel memory.

Budgets: 20 s and 1 GiB per lab on a 2-core machine. Each lab runs in a fresh child process so
the peak resident memory of its kernel (a grandchild) is measured on its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pmle.course import notebooks as nbu
from pmle.course import paths

TIME_BUDGET_S = 20.0
MEMORY_BUDGET_MB = 1024.0


def budget(lab: str) -> tuple[float, float]:
    """The lab's time and memory budget, from its metadata (LabInfo)."""
    from pmle.course import labs

    checks = labs.load(paths.course_root(), lab)
    if checks is None:
        return TIME_BUDGET_S, MEMORY_BUDGET_MB
    return checks.info.budget_seconds, float(checks.info.budget_mb)


def execute(notebook, cwd: Path, timeout: int = 120):
    """Run every cell headless with papermill, continuing past errors; returns the executed notebook."""
    import logging

    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    src, out = cwd / "in.ipynb", cwd / "out.ipynb"
    nbformat.write(notebook, src)
    try:
        papermill.execute_notebook(str(src), str(out), cwd=str(cwd), progress_bar=False, allow_errors=True,
                                   execution_timeout=timeout, extra_arguments=["--IPKernelApp.log_level=ERROR"])
    except PapermillExecutionError:
        pass  # errors are in the cells' outputs
    return nbformat.read(out, as_version=4)


def run_one(lab: str) -> dict:
    """Execute the solution of ``lab``; time it and read the peak RSS of the kernel it started."""
    root = paths.course_root()
    notebook = nbu.read(paths.source_notebook(root, lab))
    with tempfile.TemporaryDirectory(prefix=f"pmle-bench-{lab}-") as tmp:
        start = time.perf_counter()
        executed = execute(notebook, Path(tmp))
        seconds = time.perf_counter() - start
    errors = sum(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux reports KiB
    peak_mb = peak_kb / 1024 if sys.platform != "darwin" else peak_kb / 1024 / 1024
    from pmle.grading.trusted import log_execution

    log_execution(lab, "papermill", seconds)
    return {"lab": lab, "seconds": round(seconds, 2), "peak_mb": round(peak_mb, 1), "errors": errors,
            "verdicts": shown_verdicts(executed)}


def shown_verdicts(executed) -> dict[str, list[str]]:
    """What each check cell of an executed notebook showed: grade id -> [status, message] of every verdict."""
    from pmle.lab import VERDICT_MIME

    shown: dict[str, list[str]] = {}
    for cell in executed.cells:
        if nbu.is_test(cell):
            for output in cell.get("outputs", []):
                verdict = output.get("data", {}).get(VERDICT_MIME)
                if verdict is not None:
                    shown.setdefault(nbu.grade_id(cell), []).extend([verdict["status"], verdict["message"]])
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pmle.bench", description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", help="lab ids (default: all)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    labs = args.labs or paths.lab_ids(paths.course_root())
    print(f"{'lab':<28} {'seconds':>8} {'peak MB':>8}  verdict")
    over = 0
    for lab in labs:
        done = subprocess.run([sys.executable, "-m", "pmle.bench", "--one", lab], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{lab:<28} {'-':>8} {'-':>8}  failed: {done.stderr.strip().splitlines()[-1:]}")
            over += 1
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        seconds, megabytes = budget(lab)
        ok = row["seconds"] <= seconds and row["peak_mb"] <= megabytes and row["errors"] == 0
        verdict = "ok" if ok else "OVER BUDGET" if row["errors"] == 0 else f"{row['errors']} cell error(s)"
        over += not ok
        print(f"{lab:<28} {row['seconds']:>8.1f} {row['peak_mb']:>8.0f}  {verdict}")
    print(f"budget: {TIME_BUDGET_S:.0f} s and {MEMORY_BUDGET_MB:.0f} MB per lab unless its LabInfo says otherwise")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
