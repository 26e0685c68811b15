"""`pmle grade`: grade a whole class of untrusted submissions in parallel, resumably, with reports.

Each submission is graded by its own worker process (pmle.grading.trusted) with its own sandbox slot, so one
submission can't stop the batch or touch another's result. Results are cached under
``OUT/.pmle/results/`` keyed by the submission's bytes and the grader's fingerprint (source and
release notebooks, answer keys, the pmle package, the limits): a re-run grades only what changed, and
a changed submission's old result is deleted before it is re-graded, so a failed re-grade can never
leave a stale score behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pmle
from pmle.course import labs, paths
from pmle.course import notebooks as nbu
from pmle.errors import PmleError
from pmle.grading.results import SubmissionResult
from pmle.grading.sandbox import Limits, sweep, unhideable
from pmle.grading.trusted import blank_items as _blank_items


class GradeError(PmleError):
    hint = "Run `pmle grade --help` for the accepted layouts and options."


@dataclass
class Settings:
    workers: int = 0  # 0: one per core
    cell_timeout: float = 60.0
    notebook_timeout: float = 600.0
    isolate: bool | None = None  # None: full isolation when the machine allows it
    limits: Limits = field(default_factory=Limits)
    gradebook: str | None = ""  # "" the course gradebook, None no gradebook writes, else a database URL
    private: tuple[Path, ...] = ()  # more folders no sandbox may see (the submissions, the output and grading/ always)
    prune: bool = False  # remove from the gradebook students of this lab with no submission now and no manual grades


@dataclass
class ClassResult:
    results: list[SubmissionResult]
    graded: int  # graded in this run
    reused: int  # unchanged since the last run
    files: list[Path]
    seconds: float
    # what the instructor must know besides the grades, by student ("" for the class): ids changed to stay
    # unique, students in the gradebook but not in this hand-in, outputs that could not be written
    notes: dict[str, list[str]] = field(default_factory=dict)
    incomplete: bool = False  # some student's gradebook entry, autograded notebook or feedback page is not written


def fingerprint(root: Path, lab: str, settings: Settings) -> str:
    """What a cached result depends on besides the submission itself."""
    digest = hashlib.sha256()
    parts = [paths.source_notebook(root, lab), paths.release_notebook(root, lab), labs.checks_path(root, lab)]
    keys = root / "autograder" / "keys"
    parts += sorted(keys.rglob("*")) if keys.is_dir() else []
    parts += sorted(Path(pmle.__file__).parent.rglob("*.py"))
    parts.append(root / "datasets" / "manifest.json")
    digest.update(json.dumps(library_versions()).encode())
    for part in parts:
        if part.is_file():
            digest.update(str(part.relative_to(part.anchor)).encode() + b"\0" + part.read_bytes() + b"\0")
    digest.update(json.dumps([asdict(settings.limits), settings.cell_timeout, settings.notebook_timeout,
                              settings.isolate, pmle.__version__]).encode())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Python's version and every installed distribution's: any library a learner's cell or a check imports
    (scipy, joblib, imbalanced-learn, threadpoolctl, ... not only the four named in the lab) can change a grade."""
    import platform
    from importlib.metadata import distributions

    found = {"python": f"{sys.version} {platform.machine()}"}
    for dist in distributions():
        name = (dist.metadata.get("Name") or "").lower().replace("_", "-")
        if name:
            found[name] = dist.version or ""
    return dict(sorted(found.items()))


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", errors="replace")  # a learner's lone surrogate can't stop the write
    os.replace(tmp, path)


PRIVATE_UMASK = 0o077  # everything `pmle grade` writes is readable by its user only


def _private(path: Path, tree: bool = False) -> None:
    """Mode 0700 for a folder, 0600 for a file (and everything under ``path`` with ``tree``); links are left alone."""
    paths_ = [path] + (list(path.rglob("*")) if tree and path.is_dir() and not path.is_symlink() else [])
    for p in paths_:
        try:
            if p.is_symlink():
                continue
            os.chmod(p, 0o700 if p.is_dir() else 0o600)
        except OSError:
            pass


MAX_RESULT = 20 * 2**20  # bytes of one result file (outputs are capped well below this)
REUSED = ("graded", "invalid")  # a timeout or crash may come from a busy machine: graded again next run
WORKER_MEMORY = 8 * 2**30  # address space of a trusted worker: learner data it receives is bounded by this


def _limit_worker(umask: int | None = None) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    if umask is not None:  # the worker and its sandbox run with the caller's umask, as before `pmle grade` set its own
        os.umask(umask)


class Worker:
    """Runs one submission in a fresh `python -m pmle.grading.trusted` process on a free sandbox slot."""

    def __init__(self, root: Path, lab: str, settings: Settings, private: list[Path], slots: int, umask: int | None = None):
        self.root, self.lab, self.settings, self.private, self.umask = root, lab, settings, private, umask
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in range(slots):
            self.slots.put(slot)

    def __call__(self, student: str, notebook: Path) -> SubmissionResult:
        slot = self.slots.get()
        try:
            return self._run(student, notebook, slot)
        finally:
            self.slots.put(slot)

    def _run(self, student: str, notebook: Path, slot: int) -> SubmissionResult:
        s = self.settings
        job = {
            "student": student, "lab": self.lab, "notebook": str(notebook), "course_root": str(self.root),
            "slot": slot, "cell_timeout": s.cell_timeout, "notebook_timeout": s.notebook_timeout,
            "isolate": s.isolate, "private": [str(p) for p in self.private], "limits": asdict(s.limits),
        }
        with tempfile.TemporaryDirectory(prefix="pmle-job-") as tmp:
            job_file, result_file = Path(tmp) / "job.json", Path(tmp) / "result.json"
            job_file.write_text(json.dumps(job))
            started = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, "-m", "pmle.grading.trusted", str(job_file), str(result_file)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, encoding="utf-8", errors="replace", cwd=tmp,
                start_new_session=True,
                env={**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
                preexec_fn=lambda: _limit_worker(self.umask),
            )
            try:
                _, stderr = process.communicate(timeout=s.notebook_timeout + 120)
            except subprocess.TimeoutExpired:
                _, stderr = self._kill(process), ""
                return self._failed(student, "timeout", f"grading took longer than {s.notebook_timeout + 120:g} s", started)
            finally:
                sweep(process.pid)  # whatever a dead worker's sandbox left (its namespace dies with the worker)
            done = subprocess.CompletedProcess(process.args, process.returncode, "", stderr)
            if done.returncode == 0 and result_file.exists() and result_file.stat().st_size > MAX_RESULT:
                return self._failed(student, "crashed", "the grading result is too large", started)
            if done.returncode == 0 and result_file.exists():
                try:
                    return SubmissionResult.from_dict(json.loads(result_file.read_text()))
                except (ValueError, KeyError, TypeError) as exc:
                    return self._failed(student, "crashed", f"the grader's result could not be read ({exc})", started)
            tail = (done.stderr or "").strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
            return self._failed(student, "crashed", f"the grader stopped: {tail[0][:300]}", started)

    @staticmethod
    def _kill(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, 9)
        except ProcessLookupError:
            pass
        process.wait()

    def _failed(self, student: str, status: str, detail: str, started: float) -> SubmissionResult:
        items = _blank_items(self.root, self.lab, "not run", "not graded: " + detail)
        return SubmissionResult(student, self.lab, status, detail, items, seconds=round(time.monotonic() - started, 2))


def _cell(text: str) -> str:
    """Text for a spreadsheet cell: one that starts like a formula is quoted so it stays text."""
    text = " ".join(str(text).split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def grades_csv(results: list[SubmissionResult], item_names: list[str], notes: dict[str, list[str]] | None = None) -> str:
    """The grade table; ``notes`` (by student) are added to the detail column."""
    notes = notes or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "lab", "status", "score", "max_score", *item_names, "detail"])
    for r in results:
        by_name = {i.item: i for i in r.items}
        cells = []
        for name in item_names:
            item = by_name.get(name)
            cells.append("" if item is None or item.kind == "manual" else f"{item.points:g}")
        detail = "; ".join(part for part in [r.detail, *notes.get(r.student, [])] if part)
        writer.writerow([_cell(r.student), r.lab, r.status, f"{r.score:g}", f"{r.max_score:g}", *cells, _cell(detail)])
    return out.getvalue()


def grade_class(lab: str, submissions: Path, out: Path, settings: Settings | None = None, root: Path | None = None,
                progress=None) -> ClassResult:
    """Grade every submission of ``lab`` found in ``submissions``; write the reports to ``out``.

    Everything it writes is private to its user (umask 077 while it runs; files and folders of earlier
    runs it writes into are tightened too). After grading, each student's outputs (gradebook entry,
    autograded notebook, feedback page) are written one student at a time: a failure is that student's
    note in the grade table and the summary (``ClassResult.notes``, ``incomplete``), never another's.
    """
    settings = settings or Settings()
    umask = os.umask(PRIVATE_UMASK)
    try:
        return _grade_class(lab, submissions, out, settings, root, progress, umask)
    finally:
        os.umask(umask)


def _grade_class(lab: str, submissions: Path, out: Path, settings: Settings, root: Path | None, progress,
                 umask: int) -> ClassResult:
    from pmle.grading import classreport, gradebook
    from pmle.grading.submissions import collect

    started = time.monotonic()
    root = root or paths.course_root()
    if lab not in paths.lab_ids(root):
        raise GradeError(f"unknown lab {lab!r}; the labs are: {', '.join(paths.lab_ids(root))}.")
    out = out.resolve()
    private = [out, Path(submissions).resolve(), root / "grading", *(Path(p).resolve() for p in settings.private)]
    inside = unhideable(root, private)
    if inside:
        raise GradeError(f"{inside[0]} is inside a folder every sandbox reads (the labs, the data, the package), "
                         "so learner code could read it: put the submissions, the output and private folders elsewhere.")
    state = out / ".pmle"
    cache = state / "results"
    cache.mkdir(parents=True, exist_ok=True)
    _private(state, tree=True)  # an earlier run's results, written before outputs were private
    extracted = state / "extracted"
    shutil.rmtree(extracted, ignore_errors=True)
    extracted.mkdir()
    found = collect(Path(submissions), lab, extracted)
    grader_key = fingerprint(root, lab, settings)
    notes: dict[str, list[str]] = {}
    for f in found:
        if f.note:
            notes.setdefault(f.student, []).append(f.note)

    results: dict[str, SubmissionResult] = {}
    todo: list[tuple[str, Path, str]] = []
    reused = 0
    for f in found:
        if f.notebook is None:
            items = _blank_items(root, lab, "not run", "not graded: " + f.problem)
            results[f.student] = SubmissionResult(f.student, lab, "invalid", f.problem, items)
            (cache / f"{f.student}.json").unlink(missing_ok=True)
            continue
        key = hashlib.sha256((grader_key + _file_hash(f.notebook)).encode()).hexdigest()
        cached = cache / f"{f.student}.json"
        if cached.exists():
            try:
                stored = json.loads(cached.read_text())
                if stored.get("key") == key and stored["result"].get("status") in REUSED:
                    results[f.student] = SubmissionResult.from_dict(stored["result"])
                    reused += 1
                    continue
            except (ValueError, KeyError, TypeError):
                pass
            cached.unlink()  # changed or unreadable: the old score must not survive a failed re-grade
        todo.append((f.student, f.notebook, key))

    workers = settings.workers or os.cpu_count() or 1
    worker = Worker(root, lab, settings, private, workers, umask)

    def one(task):
        student, notebook, key = task
        started_one = time.monotonic()
        try:
            result = worker(student, notebook)
        except Exception as exc:  # a fault of ours for this one student (a full disk, a bug): never the batch's
            result = worker._failed(student, "crashed", f"the grader failed: {gradebook._reason(exc)}", started_one)
        try:
            _write_atomic(cache / f"{student}.json", json.dumps({"key": key, "result": result.as_dict()}))
        except Exception as exc:
            notes.setdefault(student, []).append(f"result not cached: {gradebook._reason(exc)}")
        if progress:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(one, todo):
            results[result.student] = result

    ordered = [results[f.student] for f in found]
    incomplete = False

    def note(student: str, text: str, failed: bool = True) -> None:
        nonlocal incomplete
        notes.setdefault(student, []).append(text)
        incomplete = incomplete or failed

    if settings.gradebook is not None:
        db_url = settings.gradebook or gradebook.default_db(root)
        found_notebooks = {f.student: f.notebook for f in found}
        autograded = root / "grading" / "autograded" if not settings.gradebook else out / "autograded"
        try:
            recorded = gradebook.record(root, lab, ordered, found_notebooks, db_url, autograded, prune=settings.prune)
        except Exception as exc:  # the gradebook as a whole: every student is told, the reports still get written
            note("", f"gradebook not written: {gradebook._reason(exc)}")
            for r in ordered:
                note(r.student, "gradebook not written (see the class notes)")
        else:
            for student, why in recorded.failed.items():
                note(student, why)
            for student, what in recorded.missing.items():
                note(student, what, failed=student == "")
        _private(autograded, tree=True)
        if db_url.startswith("sqlite:///"):
            database = Path(db_url[len("sqlite:///"):])
            for part in (database, *(database.with_name(database.name + s) for s in ("-journal", "-wal", "-shm"))):
                if part.exists():
                    _private(part)

    failed_pages: dict[str, str] = {}
    files = classreport.write_feedback(ordered, out, errors=failed_pages)
    for student, why in failed_pages.items():
        note(student, f"feedback page not written: {why}")
    present = {r.student for r in ordered}
    for page in (out / "feedback").glob("*.html"):
        if page.stem not in present:  # an earlier run's page of a student not in this hand-in: never handed out stale
            page.unlink(missing_ok=True)
            note(page.stem, "no submission in this hand-in: the feedback page of an earlier run was removed", failed=False)
    source = nbu.read(paths.source_notebook(root, lab))
    item_names = [nbu.grade_id(c) for c in source.cells if nbu.grade_id(c) and (nbu.is_test(c) or nbu.is_manual(c))]
    _write_atomic(out / "grades.csv", grades_csv(ordered, item_names, notes))
    files = [out / "grades.csv", *files, *classreport.write_summary(ordered, out, notes)]
    for path in [*files, out / "feedback", state]:
        _private(path, tree=path == state)
    grading = (root / "grading").resolve()
    if out == grading / "pmle" / lab:  # the default place: these folders are pmle grade's own
        _private(out)
        _private(out.parent)
    if settings.gradebook == "" or out.is_relative_to(grading):  # the course's grading area (gradebook, hand-ins)
        _private(grading)
    return ClassResult(ordered, len(todo), reused, files, round(time.monotonic() - started, 1), notes, incomplete)
