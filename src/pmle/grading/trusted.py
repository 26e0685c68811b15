"""Grade one submission: learner cells run in the sandbox, the lab's checks run here, where learners can't reach.

The assembled notebook (pmle.course.assemble: test and locked cells from the source) is played cell
by cell. Every cell but the tests (answers, the course's locked cells, the learner's extra cells) runs
in the sandbox, in order, as in a notebook. A test cell is not executed at all: its item, from the
lab's course-side module (pmle.course.labs), runs here, in this trusted process. The names the item
declares are fetched from the sandbox as *data* (pmle.grading.wire); a function or other object
arrives as a `Remote` that calls back into the sandbox, with data in and data out. Everything else an
item needs it computes itself from the data, so no learner code can change what it compares against.

The verdict (pmle.grading.verdict) is made here from what the item raised and the passes its checkers
confirmed, so no learner code can fake it (input transformers, patched tracebacks, a custom
`__eq__`, a patched `math.isclose` all stay in the sandbox). Learner warnings can't cost points: the
sandbox's output is never part of the verdict.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pmle.course import labs, paths
from pmle.course import notebooks as nbu
from pmle.course.assemble import assemble
from pmle.course.labs import CellLedger, LabChecks
from pmle.errors import NotebookError, PmleError
from pmle.grading import wire
from pmle.grading.results import ItemResult, LearnerCell, SubmissionResult, VariantResult
from pmle.grading.runner import CappedText
from pmle.grading.sandbox import UNKNOWN_DEATH, Limits, Sandbox, SandboxError, VariantEnded, read_frame, write_frame
from pmle.grading.verdict import NOT_RUN, Verdict, manual

MAX_OUTPUT = 1_000_000  # characters of learner output kept per submission, all cells together
MAX_CELLS = 1000  # a lab has under 100 cells
STARTUP_TIMEOUT = 60.0  # seconds for the sandbox and the runner to be ready, before the first cell's clock starts


@dataclass
class Job:
    """What a worker grades: one student's notebook for one lab."""

    student: str
    lab: str
    notebook: str
    course_root: str
    slot: int = 0
    cell_timeout: float = 60.0
    notebook_timeout: float = 600.0
    isolate: bool | None = None
    private: tuple[str, ...] = ()
    limits: Limits | None = None
    variants: list[dict] = field(default_factory=list)  # Variant fields: the course's own entries, never a learner's


@dataclass
class Variant:
    """A course-written change to one answer cell, judged as if the notebook with it ran alone.

    The catalog's misconceptions are variants of the reference solution. Instead of one notebook run
    per entry, the grader forks the runner just before the entry's answer cell: the copy plays the
    entry's code there and the cells after it, up to the test cell of item ``until``, and exits; the
    original goes on in the state it had. Cells before the fork ran once, for every entry of the lab.
    Only the course asks for variants (tests, authoring); a learner's submission never carries them.
    """

    name: str
    cell: str  # grade id of the answer cell whose code is replaced
    code: str
    until: str  # grade id of the last item judged


# ---------------------------------------------------------------- remote objects


class Remote:
    """A learner object that is not data: every use is a request to the sandbox."""

    __slots__ = ("_client", "_handle")

    def __init__(self, client: "Client", handle: int):
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_handle", handle)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._client.ask("getattr", handle=self._handle, name=name)

    def __getitem__(self, key):
        return self._client.ask("getitem", handle=self._handle, key=key)

    def __len__(self) -> int:
        size = self._client.ask("len", handle=self._handle)
        if type(size) is not int:
            raise TypeError("len() of the learner's object is not an int")
        return size

    def __iter__(self):
        items = self._client.ask("iter", handle=self._handle)
        if type(items) is not list:
            raise TypeError("the learner's object did not iterate to a list")
        return iter(items)

    def __repr__(self) -> str:
        try:
            text = self._client.ask("describe", handle=self._handle).get("repr", "")
        except Exception:
            text = ""
        return text[:300] if type(text) is str else f"<{type(self).__name__}>"

    __eq__ = object.__eq__  # identity only: a learner's __eq__ never decides a comparison here
    __hash__ = object.__hash__


class CallableRemote(Remote):
    """A learner function (or other callable): calls run in the sandbox, data in and data out."""

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        client = self._client
        args = [client.prepare(a) for a in args]
        kwargs = {k: client.prepare(v) for k, v in kwargs.items()}
        return client.ask("call", handle=self._handle, args=args, kwargs=kwargs)


class Client:
    """The trusted side of the pipe: requests with deadlines; answers decoded as data or Remotes."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.deadline = float("inf")
        self._classes: dict[tuple[str, bool], type] = {}
        self._seen: dict[int, object] = {}
        self._stored: dict[int, tuple[object, Remote]] = {}

    STORE_ABOVE = 5000  # elements: bigger frames and arrays are sent once per test cell, then by handle

    def forget_stored(self) -> None:
        self._stored.clear()

    def prepare(self, value, depth: int = 0):
        """``value`` ready to send to learner code: estimators and big arrays by handle, inside containers too."""
        if depth < 8 and type(value) in (list, tuple):
            return type(value)(self.prepare(v, depth + 1) for v in value)
        if depth < 8 and type(value) is dict:
            return {k: self.prepare(v, depth + 1) for k, v in value.items()}
        return self.stored(value)

    def stored(self, value):
        """``value``, or for a big frame/array already sent during this cell, the sandbox's copy of it.

        A test that calls the learner's function 100 times on the same frame sends the frame once; the
        calls share that copy, as they would share the object in a notebook.
        """
        import numpy as np
        import pandas as pd

        estimator = _unfitted_estimator(value)
        if estimator is None and (not isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)) or value.size < self.STORE_ABOVE):
            return value
        hit = self._stored.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        if estimator is not None:  # the course passes an estimator (say, a LinearRegression) to learner code
            params = {k: self.prepare(v) for k, v in estimator["params"].items()}
            handle = self.ask("build", module=estimator["module"], name=estimator["name"], params=params)
        else:
            handle = self.ask("store", value=value)
        if type(handle) is not int:
            return value
        proxy = Remote(self, handle)
        self._stored[id(value)] = (value, proxy)  # the strong reference keeps id(value) from being reused
        return proxy

    def _remote(self, handle):
        """The local stand-in for learner object ``handle``: a rebuilt unfitted estimator, else a Remote."""
        if type(handle) is not int:
            raise wire.WireError("a handle must be an int")
        if handle in self._seen:  # the same learner object twice is the same object here too
            return self._seen[handle]
        info = self.sandbox.request("describe", self._left(), remote=self._remote, handle=handle)
        info = info if type(info) is dict else {}
        obj = rebuild_estimator(info.get("estimator"))
        if obj is None:
            obj = Remote(self, handle)
            self._name(obj, info)
        self._seen[handle] = obj
        return obj

    def _name(self, obj: Remote, info: dict) -> None:
        """Give a new Remote the learner type's name (for messages) and callability."""
        name = info.get("type")
        name = name if type(name) is str and name.isidentifier() else "Remote"
        is_callable = info.get("callable") is True
        key = (name, is_callable)
        if key not in self._classes:
            self._classes[key] = type(name, (CallableRemote if is_callable else Remote,), {"__slots__": ()})
        object.__setattr__(obj, "__class__", self._classes[key])

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise SandboxError("timeout", "the checks ran past the time limit")
        return left

    def _handle_for(self, obj) -> int:
        if isinstance(obj, Remote):
            return obj._handle
        for handle, seen in self._seen.items():  # a rebuilt estimator goes back as the learner's own object
            if seen is obj:
                return handle
        raise wire.WireError(f"cannot send {type(obj).__name__}")

    def ask(self, op: str, **fields):
        return self.sandbox.request(op, self._left(), remote=self._remote, handle_for=self._handle_for, **fields)


ESTIMATOR_MODULES = ("sklearn.", "imblearn.")
# The learner's unfitted estimators that the trusted side rebuilds as genuine library objects (to read their
# structure: steps, parameters): plain transformers and models whose parameters are data. No searches or
# other meta-estimators that take parameter grids or scorers, nothing with a cache (`memory`), file inputs
# or callables. Any other learner object stays a Remote. Nothing rebuilt is fitted here either: checks fit
# a learner's estimator with pmle.feedback.fit_clean / run_clean, in a clean sandbox.
REBUILDABLE = frozenset("""
    Pipeline ColumnTransformer FeatureUnion
    SimpleImputer KNNImputer MissingIndicator
    StandardScaler RobustScaler MinMaxScaler MaxAbsScaler Normalizer QuantileTransformer PowerTransformer
    PolynomialFeatures SplineTransformer KBinsDiscretizer OneHotEncoder OrdinalEncoder TargetEncoder PCA
    VarianceThreshold
    LogisticRegression LinearRegression Ridge RidgeClassifier Lasso ElasticNet SGDClassifier SGDRegressor
    DecisionTreeClassifier DecisionTreeRegressor RandomForestClassifier RandomForestRegressor
    ExtraTreesClassifier ExtraTreesRegressor GradientBoostingClassifier GradientBoostingRegressor
    HistGradientBoostingClassifier HistGradientBoostingRegressor KNeighborsClassifier KNeighborsRegressor
    GaussianNB LinearSVC SVC SVR DummyClassifier DummyRegressor
    SMOTE RandomOverSampler RandomUnderSampler
""".split())
PACKAGES = frozenset("""
    sklearn.pipeline sklearn.compose sklearn.impute sklearn.preprocessing sklearn.decomposition
    sklearn.feature_selection sklearn.linear_model sklearn.tree sklearn.ensemble sklearn.neighbors
    sklearn.naive_bayes sklearn.svm sklearn.dummy imblearn.pipeline imblearn.over_sampling imblearn.under_sampling
""".split())
# Parameters with which library code touches files or caches: a rebuilt estimator keeps them at their defaults.
FILE_PARAMS = {"memory": (None,), "input": ("content",)}


MAX_PARAM_DEPTH = 32  # containers and estimators nested in parameters (a union in a pipeline's steps is 9 deep)
MAX_PARAM_ARRAY = 100_000  # elements of an array parameter (categories=, say)


def _plain_params(params: dict, depth: int = 0) -> bool:
    """Only data and other rebuildable estimators, at any depth: no callables, caches or file inputs.

    The walk is deep (dict keys and values, lists, nested estimators' own parameters), so a parameter
    grid or a `scoring` dict can't smuggle a `memory` or a callable in.
    """
    if depth > MAX_PARAM_DEPTH:
        return False
    for name, value in params.items():
        if type(name) is not str:
            return False
        base = name.rsplit("__", 1)[-1]  # "memory", or a grid's "pipeline__memory"
        if base in FILE_PARAMS and not any(value is d or (type(value) is str and value == d) for d in FILE_PARAMS[base]):
            return False
        if not _plain_value(value, depth + 1):
            return False
    return True


def _plain_value(value, depth: int) -> bool:
    import numpy as np
    from sklearn.base import BaseEstimator

    if depth > MAX_PARAM_DEPTH:
        return False
    if value is None or type(value) in (bool, int, float, str):
        return True
    if isinstance(value, np.generic) and value.dtype.kind in "biufUS":
        return True
    if type(value) is np.ndarray:
        return value.dtype.kind in "biufUS" and value.size <= MAX_PARAM_ARRAY
    if type(value) in (list, tuple):
        return all(_plain_value(v, depth + 1) for v in value)
    if type(value) is dict:  # keys are data too (class_weight={0: 1, 1: 5})
        return all(type(k) in (str, int, float, bool) for k in value) and \
            _plain_params({str(k): v for k, v in value.items()}, depth + 1)
    if isinstance(value, BaseEstimator) and not isinstance(value, Remote):
        return rebuildable(type(value)) and _plain_params(value.get_params(deep=False), depth + 1)
    return False  # callables, Remotes, sets, any other object


def rebuildable(cls) -> bool:
    return isinstance(cls, type) and cls.__name__ in REBUILDABLE and cls.__module__.startswith(ESTIMATOR_MODULES)


def _unfitted_estimator(value) -> dict | None:
    """Class and parameters of one of the course's own scikit-learn objects that holds nothing else.

    An unfitted estimator (a LinearRegression to fit) or a splitter (KFold): the learner's code gets
    the same object, built in the sandbox from the same parameters.
    """
    cls = type(value)
    if not cls.__module__.startswith(ESTIMATOR_MODULES):
        return None
    base = sys.modules.get("sklearn.base")
    try:
        if base is not None and isinstance(value, base.BaseEstimator):
            from sklearn.exceptions import NotFittedError
            from sklearn.utils.validation import check_is_fitted

            try:
                check_is_fitted(value)
                return None
            except NotFittedError:
                params = value.get_params(deep=False)
        else:
            import inspect

            names = [p for p in inspect.signature(cls).parameters if p not in ("self", "args", "kwargs")]
            if not set(vars(value)) <= set(names):
                return None
            params = {p: getattr(value, p) for p in names if hasattr(value, p)}
    except Exception:
        return None
    return {"module": cls.__module__, "name": cls.__name__, "params": params}


def rebuild_estimator(spec) -> object | None:
    """A genuine scikit-learn / imbalanced-learn estimator from the class and parameters the sandbox named.

    Only classes defined in those libraries are imported, and only estimator classes are built, so the
    result behaves exactly as the library does, whatever the learner's process claimed.
    """
    if type(spec) is not dict:
        return None
    module, name, params = spec.get("module"), spec.get("name"), spec.get("params")
    if type(module) is not str or type(name) is not str or type(params) is not dict or not name.isidentifier():
        return None
    if not module.startswith(ESTIMATOR_MODULES) or not all(part.isidentifier() for part in module.split(".")):
        return None
    import importlib

    from sklearn.base import BaseEstimator

    try:
        package = ".".join(module.split(".")[:2])
        if name not in REBUILDABLE or package not in PACKAGES:  # before any import: the learner names no module
            return None
        importlib.import_module(package)  # a public package of the library, which imports its private modules
        cls = getattr(sys.modules.get(module), name, None)
        if not (rebuildable(cls) and issubclass(cls, BaseEstimator)):
            return None
        if not all(type(k) is str for k in params) or not _plain_params(params):
            return None
        built = cls(**params)
        return built if _plain_params(built.get_params(deep=False)) else None
    except Exception:
        return None


class _CellTimeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _CellTimeout()


# ---------------------------------------------------------------- one submission


class Grader:
    """Plays one assembled notebook: every cell but the tests in the sandbox, the tests' items here."""

    def __init__(self, job: Job, source, built, checks: LabChecks, sandbox: Sandbox, release=None):
        self.job, self.source, self.built, self.checks = job, source, built, checks
        self.ledger = CellLedger(c.source for c in (release.cells if release is not None else []) if nbu.is_solution(c))
        self.sandbox = sandbox
        self.client = Client(sandbox)
        self.verdicts: dict[str, Verdict] = {}
        self.cells: list[LearnerCell] = []
        self.output_kept = 0
        self.variant_results: list[VariantResult] = []
        self.emit = None  # under supervision: sends progress to the grader's parent (see supervise)

    def check_item(self, gid: str, deadline: float) -> None:
        """Fetch the names the item reads from the sandbox (as data, or Remotes) and judge it here."""
        item = self.checks.items.get(gid)
        if item is None:
            self.verdicts[gid] = Verdict(gid, "error", f"the lab's checks have no item `{gid}`: a fault in the course.")
            return
        self.client.deadline = deadline
        self.client.forget_stored()
        names = self.checks.names(gid)
        reply = self._protocol(self.client.ask, "get", names=list(names))
        found = reply.get("found", {}) if isinstance(reply, dict) else {}
        found = {k: v for k, v in found.items() if k in names} if isinstance(found, dict) else {}
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = CappedText(10_000)
        try:
            # SandboxError is a BaseException: a dead sandbox ends the grading, never becomes a verdict
            self.verdicts[gid] = self.checks.run(gid, found, self.ledger.errors, self.ledger.untouched)
        finally:
            sys.stdout, sys.stderr = saved
            pyplot = sys.modules.get("matplotlib.pyplot")
            if pyplot is not None:
                pyplot.close("all")

    @staticmethod
    def _protocol(send, *args, **fields):
        """A request the runner always answers (it catches everything a cell raises): an error answer is forged."""
        try:
            return send(*args, **fields)
        except Exception:  # noqa: BLE001 - SandboxError and VariantEnded are BaseExceptions and pass through
            raise SandboxError("crashed", "the notebook's process sent a malformed message (an error it never sends)") from None

    def run_cell(self, cell, src, deadline: float) -> None:
        """Run a notebook cell in the sandbox; keep a learner cell's output, and which names a failing cell left unsure."""
        reply = self._protocol(self.sandbox.request, "run", max(0.1, deadline - time.monotonic()), source=cell.source)
        if not isinstance(reply, dict):
            reply = {}
        output, error = str(reply.get("output", "")), str(reply.get("error", ""))
        self.ledger.record(cell.source, error)
        if src is not None and (nbu.is_locked(src) or nbu.has_tag(src, "parameters")):
            return  # the course's own cell: not the learner's work
        gid = nbu.grade_id(cell) if nbu.is_solution(cell) else None
        output = output[:100_000]
        room = MAX_OUTPUT - self.output_kept
        if len(output) > room:
            output = output[:max(room, 0)] + "\n... (output of this notebook over the limit: not kept)"
        self.output_kept += len(output)
        self.cells.append(LearnerCell(cell.source[:20_000], gid, output, error[:2000]))

    def play(self, variants: list[Variant] = ()) -> None:
        try:  # booting the sandbox and the runner is not the first cell's time
            self.sandbox.request("ping", STARTUP_TIMEOUT)
        except SandboxError as exc:
            raise SandboxError(exc.kind, f"the notebook's process did not start: {exc}") from None
        self.deadline = time.monotonic() + self.job.notebook_timeout
        self.source_cells = {f"source-{i}": c for i, c in enumerate(self.source.cells)}
        pending: dict[str, list[Variant]] = {}
        for variant in variants:
            pending.setdefault(variant.cell, []).append(variant)
        signal.signal(signal.SIGALRM, _alarm)  # one alarm per cell covers running, fetching, decoding and checking
        cells = self.built.notebook.cells
        for index, cell in enumerate(cells):
            src = self.source_cells.get(cell.get("id"))
            if pending and src is not None and nbu.is_solution(src) and nbu.grade_id(src) in pending:
                for variant in pending.pop(nbu.grade_id(src)):
                    started = time.monotonic()
                    self.variant_results.append(self.play_variant(variant, cells, index))
                    if self.emit:
                        self.emit({"variant": asdict(self.variant_results[-1])})
                    self.deadline += time.monotonic() - started  # the notebook's own time limit leaves variants out
            self.play_cell(cell, src, self.deadline)
        for left in pending.values():
            for variant in left:
                self.variant_results.append(VariantResult(variant.name, "invalid", f"no answer cell `{variant.cell}`"))
                if self.emit:
                    self.emit({"variant": asdict(self.variant_results[-1])})

    def play_cell(self, cell, src, notebook_deadline: float) -> None:
        """One cell of the assembled notebook: a test cell's item judged here, any other cell run in the sandbox."""
        job = self.job
        if cell.cell_type != "code":
            if src is not None and nbu.is_manual(src):
                self.cells.append(LearnerCell(cell.source, nbu.grade_id(src)))
            return
        budget = job.cell_timeout
        deadline = min(notebook_deadline, time.monotonic() + budget)
        label = nbu.grade_id(src) if src is not None and nbu.grade_id(src) else f"cell {cell.get('id')}"
        where = f"`{label}`" if not label.startswith("cell ") else f"your code cell {len(self.cells) + 1}"
        signal.setitimer(signal.ITIMER_REAL, max(0.05, deadline - time.monotonic()) + 0.5)
        gid, cells_before = nbu.grade_id(src) if src is not None else None, len(self.cells)
        if self.emit:  # the parent kills this process if the cell overruns, whatever runs in C
            self.emit({"at": where, "budget": budget, "deadline": deadline})
        try:
            if src is not None and nbu.is_test(src):
                self.check_item(nbu.grade_id(src), deadline)
            else:
                self.run_cell(cell, src, deadline)
        except _CellTimeout:
            raise SandboxError("timeout", f"at {where}: still running after {budget:g} s") from None
        except VariantEnded:
            raise
        except SandboxError as exc:
            if exc.kind == "timeout":
                raise SandboxError("timeout", f"at {where}: still running after {budget:g} s") from None
            raise SandboxError(exc.kind, f"at {where}: {exc}") from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if self.emit:
                self._progress(gid, cells_before)

    def _progress(self, gid, cells_before: int) -> None:
        """Tell the parent what this cell added to the result (nothing from a variant: its results come whole)."""
        update: dict = {"done": True}
        if not self.sandbox.in_variant:
            if gid in self.verdicts:
                update["verdict"] = self.verdicts[gid].as_dict()
            update["cells"] = [asdict(c) for c in self.cells[cells_before:]]
        self.emit(update)

    def play_variant(self, variant: Variant, cells, index: int) -> VariantResult:
        """Fork the runner, play ``variant`` from cell ``index`` to its item in the copy, and come back.

        What the trusted side keeps between cells (verdicts, the ledger, the learner's cells, the
        handles it has seen) is saved before and put back after, so the original goes on exactly as
        if the variant had never run, and each variant starts from the same state as a solo run.
        """
        tests = {nbu.grade_id(src): (i, src) for i, c in enumerate(cells)
                 if (src := self.source_cells.get(c.get("id"))) is not None and nbu.is_test(src)}
        stop = tests.get(variant.until, (None,))[0]
        if stop is None or stop < index:
            return VariantResult(variant.name, "invalid", f"no item `{variant.until}` after answer cell `{variant.cell}`")
        saved = (self.verdicts, copy.deepcopy(self.ledger), list(self.cells), self.output_kept, dict(self.client._seen))
        self.verdicts = {}
        status, detail = "graded", ""
        deadline = time.monotonic() + self.job.notebook_timeout
        self.sandbox.request("fork", 10.0)
        self.sandbox.in_variant = True
        try:
            for position in range(index, stop + 1):
                cell = cells[position]
                if position == index:
                    cell = copy.deepcopy(cell)
                    cell.source = variant.code
                self.play_cell(cell, self.source_cells.get(cell.get("id")), deadline)
        except VariantEnded as exc:
            status, detail = "crashed", str(exc)
        try:
            self.sandbox.request("end", 10.0)
            raise SandboxError("crashed", "the runner did not end the variant")
        except VariantEnded:
            pass
        finally:
            self.sandbox.in_variant = False
        judged = [ItemResult.of(v, "auto", nbu.points(tests[gid][1])) for gid, v in self.verdicts.items()]
        self.verdicts, self.ledger, self.cells, self.output_kept, seen = saved
        self.client._seen.clear()
        self.client._seen.update(seen)
        self.client.forget_stored()
        return VariantResult(variant.name, status, detail, judged)

    def items(self) -> list[ItemResult]:
        results = []
        for cell in self.source.cells:
            gid = nbu.grade_id(cell)
            if not gid or gid not in self.built.positions:
                continue
            max_points = nbu.points(cell)
            if nbu.is_manual(cell):
                results.append(ItemResult.of(manual(gid, self.job.lab), "manual", max_points))
                continue
            verdict = self.verdicts.get(gid, Verdict(gid, "not run", NOT_RUN))
            results.append(ItemResult.of(verdict, "auto", max_points))
        return results


def blank_items(root: Path, lab: str, status: str, message: str) -> list[ItemResult]:
    """Every graded item of ``lab`` with no points: for submissions that could not be graded."""
    source = nbu.read(paths.source_notebook(root, lab))
    items = []
    for cell in source.cells:
        gid = nbu.grade_id(cell)
        if gid and (nbu.is_test(cell) or nbu.is_manual(cell)):
            if nbu.is_manual(cell):
                items.append(ItemResult.of(manual(gid, lab), "manual", nbu.points(cell)))
            else:
                items.append(ItemResult(gid, "auto", status, 0.0, nbu.points(cell), message))
    return items


def grade(job: Job) -> SubmissionResult:
    """Grade one submission; never raises for anything the submission did."""
    started = time.monotonic()
    root = Path(job.course_root)
    source = nbu.read(paths.source_notebook(root, job.lab))
    release = nbu.read(paths.release_notebook(root, job.lab))
    checks = labs.load(root, job.lab)
    if checks is None:
        raise PmleError(f"the course has no checks for {job.lab} ({labs.checks_path(root, job.lab)}).")

    def invalid(detail: str) -> SubmissionResult:
        return SubmissionResult(job.student, job.lab, "invalid", detail, blank_items(root, job.lab, "not run", "not graded: " + detail))

    name = Path(job.notebook).name
    try:
        learner = nbu.read(job.notebook)
    except NotebookError as exc:
        return invalid(str(exc).replace(str(job.notebook), name))
    if len(learner.cells) > MAX_CELLS:
        return invalid(f"{name}: has {len(learner.cells):,} cells; at most {MAX_CELLS:,} are accepted.")
    other = nbu.lab_of(learner)
    if other is not None and other != job.lab:
        return invalid(f"{name}: is a notebook of lab {other}, not {job.lab}.")
    try:
        built = assemble(source, learner, release)
    except Exception as exc:  # noqa: BLE001 - a notebook nbformat accepted but that is not one (a cell's source an int)
        return invalid(f"{name}: is not a valid notebook ({type(exc).__name__}: {str(exc)[:200]}).")
    sandbox = Sandbox.start(root, job.slot, job.limits, job.isolate, [Path(p) for p in job.private])
    grader = Grader(job, source, built, checks, sandbox, release)
    variants = [Variant(**v) for v in job.variants]
    status, detail = "graded", ""
    try:
        if sandbox.isolated:
            status, detail = supervise(grader, variants, root)
        else:
            grader.play(variants)
    except SandboxError as exc:
        status, detail = exc.kind, str(exc)
    finally:
        sandbox.kill()
    result = SubmissionResult(job.student, job.lab, status, detail, grader.items(), grader.cells,
                              variants=grader.variant_results)
    result.seconds = round(time.monotonic() - started, 2)
    log_execution(job.lab, "grade" if sandbox.isolated else "check", result.seconds, len(job.variants))
    return result


# ---------------------------------------------------------------- the trusted side without root

GRACE = 3.0  # seconds past a cell's deadline before the parent kills the checks (they stop themselves at +0.5 s)
BETWEEN_CELLS = 30.0  # seconds the checks may take between one cell and the next (bookkeeping only)
# What the trusted side may use: the checks hold the lab's data, the learner's data and their own references.
TRUSTED_LIMITS = Limits(memory_mb=4096, processes=16, file_mb=64, scratch_mb=256, open_files=256, cpu_seconds=3600)
TRUSTED_UIDS = 500  # the trusted side of slot n takes a sandbox uid from n + 500 on (never one a sandbox holds)


def supervise(grader: Grader, variants: list[Variant], root: Path) -> tuple[str, str]:
    """Play the notebook in a child process that has given up root, and hold it to its deadlines from here.

    With root, the process that reads the submission, starts sandboxes and cleans up keeps root, but
    does nothing else. The checks run in a forked child that first leaves for fresh mount, network,
    IPC, UTS and cgroup namespaces, sees only what grading this lab needs (sandbox.trusted_view), joins
    cgroups of its own (memory, processes, CPU), takes a uid of its own, loses every privilege, and
    may not make user namespaces. It reports each cell as it starts (with its deadline) and what each
    cell added; this process kills it when a cell overruns, whatever it is running (C code that no
    signal handler can interrupt), and keeps the result up to that cell. It also starts, on request,
    the clean sandboxes in which the checks fit the learner's estimators (pmle.feedback.fit_clean).
    """
    import shutil
    import socket
    import tempfile

    from pmle.grading.sandbox import Cgroups, cgroup_name, claim_uid

    job = grader.job
    uid, uid_lock = claim_uid(job.slot + TRUSTED_UIDS)
    cgroups = Cgroups(cgroup_name(), TRUSTED_LIMITS)
    workdir = Path(tempfile.mkdtemp(prefix="pmle-trusted-"))
    here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    fitters: list[Sandbox] = []
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: checks only, without root
        code = 70
        try:
            here.close()
            os.close(uid_lock)
            _become_trusted(root, job.lab, uid, cgroups, workdir)
            code = _play_as_child(grader, variants, there)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent as a crash of the checks
            try:
                print(f"the checks stopped: {type(exc).__name__}: {exc}"[:500], file=sys.stderr, flush=True)
            except BaseException:  # noqa: BLE001
                pass
        os._exit(code)
    there.close()
    child = {"pid": pid}  # _child_death reaps it: after that its pid may be another process's
    try:
        return _watch(grader, child, here, fitters, root, cgroups)
    finally:
        if child["pid"] is not None:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        cgroups.kill_all()
        for fitter in fitters:
            fitter.kill()
        here.close()
        import subprocess

        subprocess.run(["pkill", "-KILL", "-U", str(uid)], capture_output=True)
        os.close(uid_lock)  # the uid is free again only once nothing runs as it
        shutil.rmtree(workdir, ignore_errors=True)


def _become_trusted(root: Path, lab: str, uid: int, cgroups, workdir: Path) -> None:
    """In the forked child, as root still: namespaces, the trusted view, limits, then no root at all."""
    import ctypes

    from pmle.grading.sandbox import _drop_privileges, _set_rlimits, build_root, deny_user_namespaces, trusted_view

    cgroups.join()
    CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET = 0x20000, 0x2000000, 0x4000000, 0x8000000, 0x40000000
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare failed")
    build_root(trusted_view(root, lab), TRUSTED_LIMITS.scratch_mb, uid, str(workdir / "root"), proc_options="hidepid=2")
    os.chdir("/tmp/work")
    os.environ.update(HOME="/tmp/work", MPLCONFIGDIR="/tmp/work/.matplotlib", TMPDIR="/tmp",
                      PMLE_COURSE_ROOT=str(root), PMLE_KEYS_DIR=str(root / "autograder" / "keys"))
    _set_rlimits(TRUSTED_LIMITS, address_space=False)
    _drop_privileges(uid)
    deny_user_namespaces()


def _play_as_child(grader: Grader, variants: list[Variant], channel) -> int:
    from pmle.feedback import fit_in

    def emit(message: dict) -> None:
        write_frame(channel.fileno(), json.dumps(message).encode())

    grader.emit = emit
    grader.sandbox = grader.sandbox.channel()  # its process, cgroups and uid are the parent's to clean up
    grader.client.sandbox = grader.sandbox
    fit_in(CleanFitter(grader, channel))
    status, detail = "graded", ""
    try:
        grader.play(variants)
    except SandboxError as exc:
        status, detail = exc.kind, str(exc)
    emit({"end": status, "detail": detail})
    return 0


def _watch(grader: Grader, child: dict, channel, fitters: list[Sandbox], root: Path, cgroups) -> tuple[str, str]:
    """The parent's side: mirror the child's progress into ``grader`` and kill the child at a deadline."""
    import socket

    kill_at = time.monotonic() + STARTUP_TIMEOUT + BETWEEN_CELLS
    where, budget = "the start", STARTUP_TIMEOUT
    while True:
        try:
            message = json.loads(read_frame(channel.fileno(), kill_at))
            if type(message) is not dict:
                raise ValueError("not a message")
        except TimeoutError:
            return "timeout", f"at {where}: still running after {budget:g} s"
        except (EOFError, OSError, ValueError):
            return "crashed", _child_death(child, cgroups)
        if "at" in message:
            where, budget = str(message["at"]), float(message["budget"])
            kill_at = float(message["deadline"]) + GRACE
        if "verdict" in message:
            verdict = Verdict(**{k: str(message["verdict"][k]) for k in ("item", "status", "message")})
            grader.verdicts[verdict.item] = verdict
        for cell in message.get("cells", ()):
            grader.cells.append(LearnerCell(**cell))
        if "variant" in message:
            grader.variant_results.append(VariantResult.from_dict(message["variant"]))
        if "done" in message:
            kill_at = time.monotonic() + BETWEEN_CELLS
        if "fitter" in message:
            job = grader.job
            fitter = Sandbox.start(root, job.slot, job.limits, True, [Path(p) for p in job.private])
            fitters.append(fitter)
            socket.send_fds(channel, [b"F"], [fitter.to_runner, fitter.from_runner])
        if "end" in message:
            status, detail = str(message["end"]), str(message["detail"])
            if status == "crashed" and UNKNOWN_DEATH in detail:
                detail = detail.replace(UNKNOWN_DEATH, grader.sandbox._death())
            return status, detail


def _child_death(child: dict, cgroups) -> str:
    _, status = os.waitpid(child["pid"], 0)
    child["pid"] = None
    if cgroups.oom_killed():
        return "the checks used more memory than allowed and were stopped"
    code = os.waitstatus_to_exitcode(status)
    return f"the checks stopped unexpectedly (exit code {code})"


class CleanFitter:
    """Fits the learner's estimators for pmle.feedback.fit_clean / run_clean in a clean sandbox of their own.

    The sandbox is started by the parent on the first request (it needs root) and lives until the end
    of the submission. No learner code runs in it: the learner's estimator arrives as its class and
    data-only parameters (rebuilt here from REBUILDABLE classes) and is built there anew, so nothing can
    have patched the library it runs, and anything the parameters make it do stays inside the sandbox's
    limits and the cell's deadline.
    """

    def __init__(self, grader: Grader, channel):
        self.grader, self.channel = grader, channel
        self.client: Client | None = None

    def _ready(self) -> Client:
        import socket

        if self.client is None:
            write_frame(self.channel.fileno(), json.dumps({"fitter": True}).encode())
            _, fds, _, _ = socket.recv_fds(self.channel, 1, 2)
            if len(fds) != 2:
                raise SandboxError("crashed", "the clean sandbox for fitting did not start")
            fitter = Sandbox(None, fds[0], fds[1], None, None, True, None)
            fitter.request("ping", STARTUP_TIMEOUT)
            self.client = Client(fitter)
        self.client.deadline = self.grader.client.deadline
        return self.client

    def __call__(self, model, X, y):
        client = self._ready()
        if not _plain_params(model.get_params(deep=False)):
            raise TypeError(f"a {type(model).__name__} with these parameters is not fitted by the grader")
        built = client.stored(model)
        if not isinstance(built, Remote):
            raise TypeError(f"cannot build a {type(model).__name__} in the clean sandbox")
        return built.fit(X, y)

    def call(self, func, args: tuple, kwargs: dict):
        client = self._ready()
        module, name = getattr(func, "__module__", ""), getattr(func, "__qualname__", "")
        return client.ask("libcall", module=module, name=name, args=[client.prepare(a) for a in args],
                          kwargs={k: client.prepare(v) for k, v in kwargs.items()})


def log_execution(lab: str, kind: str, seconds: float, variants: int = 0) -> None:
    """One line in $PMLE_EXECUTION_LOG per notebook run, when it is set (the course's test suite counts them)."""
    import os

    log = os.environ.get("PMLE_EXECUTION_LOG")
    if not log:
        return
    line = json.dumps({"lab": lab, "kind": kind, "seconds": round(seconds, 2), "variants": variants,
                       "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]})
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def main(argv: list[str]) -> int:
    """`python -m pmle.grading.trusted JOB.json RESULT.json`: the worker process of `pmle grade`."""
    raw = json.loads(Path(argv[0]).read_text())
    limits = Limits(**raw.pop("limits")) if raw.get("limits") else None
    job = Job(**raw, limits=limits)
    result = grade(job)
    Path(argv[1]).write_text(json.dumps(result.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
