"""The lab model: a lab's metadata and its graded items, as the course-side module of each lab declares them.

Each lab has one module, ``autograder/checks/NN_slug.py`` (course side: never in labs/, hidden from the
sandbox). It builds a `LabChecks` and declares each auto-graded item with a small function::

    lab = LabChecks(LabInfo(id="01_framing", title="Framing and baselines", datasets=("churn",), ...))

    @lab.item("framing", reads=["framing"], explanation="B ties the label to a horizon ...")
    def framing(a):
        check_choice("framing", a.framing, "B", options=["A", "B", "C", "D"], mistakes={...})

``reads`` are the notebook names the item grades; ``uses`` the earlier answers it builds on (name ->
the item that grades that answer), so a mistake costs points once: the item is scored on the
learner's own earlier answer (see `carry_forward`), and is *blocked*, naming that answer, when it is
missing. An item computes everything else itself from the data, never from the learner's notebook,
whose globals the learner may have rebound.

The in-notebook check, `pmle check` and `pmle grade` all run items through `LabChecks.run`.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pmle.feedback import AnswerError, Blocked, NotAttempted
from pmle.grading.verdict import Verdict, judge

CHECKS_DIR = ("autograder", "checks")


@dataclass(frozen=True)
class LabInfo:
    """What the README's lab table, the notebook header test and the budgets read: kept here only."""

    id: str  # "01_framing": the folder in solutions/ and labs/, and the notebook's metadata
    title: str
    datasets: tuple[str, ...]
    minutes: tuple[int, int]  # estimated time, low and high
    exam_sections: tuple[int, ...]  # PMLE exam-guide sections (October 2024) the lab serves
    budget_seconds: float = 20.0  # headless run of the solution on 2 cores
    budget_mb: int = 1024  # peak memory of that run

    @property
    def number(self) -> str:
        return self.id.split("_", 1)[0]


@dataclass
class Item:
    """One auto-graded item: the grade id of its test cell, what it reads, and its check."""

    id: str
    reads: tuple[str, ...]
    uses: dict[str, str]
    check: Callable[["Answers"], object]
    explanation: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.reads, *self.uses]))


class Answers:
    """The learner's values for one item, read by attribute: ``a.framing``.

    A name the item grades that is not defined raises NotAttempted; one whose answer cell raised, an
    AnswerError quoting it; an earlier answer the item builds on that is missing or broken, Blocked
    naming it. In the learner's own kernel (``copy_args``) their functions get copies of what a
    check passes them, so no learner code can change the course's reference data.
    """

    def __init__(self, item: Item, values: Mapping[str, object], cell_errors: Mapping[str, str] | None = None,
                 *, copy_args: bool = False):
        self._item = item
        self._values = dict(values)
        self._errors = dict(cell_errors or {})
        self._copy_args = copy_args

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        item = self._item
        if name not in item.reads and name not in item.uses:
            raise AttributeError(f"item `{item.id}` reads `{name}` without declaring it in reads= or uses=")
        error = self._errors.get(name)
        if name in item.uses and name not in item.reads:
            if error or name not in self._values:
                why = f"its cell raised an error ({_first_line(error)})" if error else "it is not defined yet"
                raise Blocked(f"`{item.id}` builds on your `{name}`, and {why}: answer that question first, "
                              "then run this check again.")
        elif error:
            raise AnswerError(f"the cell that sets `{name}` raised an error ({_first_line(error)}). Fix it and run it again.")
        elif name not in self._values:
            raise NotAttempted(f"`{name}` is not defined yet: answer its question and run that cell.")
        value = self._values[name]
        if self._copy_args and isinstance(value, (types.FunctionType, functools.partial)):
            return _copying(value)
        return value

    def has(self, name: str) -> bool:
        """Whether ``name`` is defined and its cell did not fail (for items that read an answer optionally)."""
        return name in self._values and name not in self._errors


def _first_line(error: str, limit: int = 200) -> str:
    """ "ValueError: \nAll the 4 fits failed..." as "ValueError: All the 4 fits failed...": one line, never empty."""
    kind, _, message = error.strip().partition(": ")
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    line = f"{kind}: {lines[0]}" if lines else kind
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _copying(func: Callable) -> Callable:
    @functools.wraps(func)
    def call(*args, **kwargs):
        return func(*copy.deepcopy(args), **copy.deepcopy(kwargs))

    return call


class LabChecks:
    """A lab's metadata and its items, in notebook order."""

    def __init__(self, info: LabInfo):
        self.info = info
        self.items: dict[str, Item] = {}
        self.module: types.ModuleType | None = None

    def item(self, id: str, *, reads: Iterable[str], uses: Mapping[str, str] | None = None, explanation: str = ""):
        """Declare the check of the test cell ``id`` (a decorator)."""
        def register(func: Callable[[Answers], object]) -> Callable[[Answers], object]:
            if id in self.items:
                raise ValueError(f"item {id!r} declared twice in lab {self.info.id}")
            text = explanation or (func.__doc__ or "").strip()
            self.items[id] = Item(id, tuple(reads), dict(uses or {}), func, text)
            return func

        return register

    def names(self, item_id: str) -> tuple[str, ...]:
        """The notebook names an item needs: what it grades, the earlier answers it uses, and what their items read."""
        item = self.items[item_id]
        names = list(item.names)
        for dep in item.uses.values():
            if dep in self.items and dep != item_id:
                names += self.items[dep].reads
        return tuple(dict.fromkeys(names))

    def run(self, item_id: str, values: Mapping[str, object], cell_errors: Mapping[str, str] | None = None,
            untouched: Iterable[str] = (), *, copy_args: bool = False,
            passthrough: tuple[type[BaseException], ...] = ()) -> Verdict:
        """The item's verdict on these values.

        ``cell_errors`` names the answers whose last cell raised; ``untouched`` those still set by the
        release's blank cell. An item the learner did work on (its cell is not the blank) that comes out
        not attempted or in error, while an earlier answer it builds on is itself not attempted or
        failing, is *blocked*, naming that answer: the learner is sent to the question that needs work.
        """
        item = self.items[item_id]

        def verdict_of(it: Item) -> Verdict:
            answers = Answers(it, values, cell_errors, copy_args=copy_args)
            return judge(it.id, lambda: it.check(answers), passthrough=passthrough)

        verdict = verdict_of(item)
        if verdict.status not in ("not attempted", "error"):
            return verdict
        untouched = set(untouched)
        worked = [n for n in item.reads if (n in values or n in (cell_errors or {})) and n not in untouched]
        if not worked:
            return verdict
        for name, dep in item.uses.items():
            if dep == item_id or dep not in self.items:
                continue
            earlier = verdict_of(self.items[dep])
            if earlier.status in ("not attempted", "error", "blocked"):
                state = "not answered yet" if earlier.status == "not attempted" else "not working yet"
                return Verdict(item_id, "blocked", f"`{item_id}` can't be checked yet: it builds on your `{name}`, "
                                                   f"which is {state}. Answer that question first, then run this "
                                                   "cell and its check again.")
        return verdict


class CellLedger:
    """Which answers' last cell raised, and which are still set by the release's blank cell.

    Kept the same way by the learner's kernel (pmle.lab) and by the grader (pmle.grading.trusted), so
    both hand `LabChecks.run` the same ``cell_errors`` and ``untouched`` for the same notebook.
    """

    def __init__(self, blanks: Iterable[str] = ()):
        self.blanks = {source.strip() for source in blanks}
        self.errors: dict[str, str] = {}  # name -> "ValueError: ..." for names whose last cell raised
        self.untouched: set[str] = set()

    def record(self, source: str, error: str = "") -> None:
        """A cell ran; ``error`` is "Type: message" when it raised (a NotImplementedError is a blank, not an error)."""
        from pmle.course.notebooks import bound_names

        blank = source.strip() in self.blanks
        for name in bound_names(source):
            (self.untouched.add if blank else self.untouched.discard)(name)
            if error and not error.startswith("NotImplementedError"):
                self.errors[name] = error[:2000]
            else:
                self.errors.pop(name, None)


# ---------------------------------------------------------------- carrying an earlier answer forward


def outputs(func: Callable, calls: Sequence[tuple]) -> list | None:
    """What ``func`` returns for each call (a tuple of arguments), or None if any call fails."""
    try:
        return [func(*args) for args in calls]
    except Exception:  # noqa: BLE001 - a learner function that fails matches no known behaviour
        return None


def same_outputs(theirs: Sequence | None, known: Sequence | None, *, rtol: float = 0.0, atol: float = 1e-6) -> bool:
    """The same values (flags, amounts, arrays) for every call; False for anything that can't be compared."""
    from pmle.feedback import same_values

    if theirs is None or known is None:
        return False
    try:
        return len(theirs) == len(known) and all(same_values(a, b, rtol=rtol, atol=atol) for a, b in zip(theirs, known))
    except Exception:  # noqa: BLE001
        return False


def carry_forward(theirs: Callable, calls: Sequence[tuple], known: Sequence[Callable], *,
                  rtol: float = 0.0, atol: float = 1e-6) -> Callable:
    """The known implementation the learner's earlier function behaves like on ``calls``, else the reference.

    ``known`` lists the reference first, then the recorded mistakes of the earlier item. A later item
    scored with the returned function charges an earlier mistake only once. Never the learner's own
    outputs: a function that matches no known behaviour (one that looks at the answers, say) is
    scored as the reference.
    """
    mine = outputs(theirs, calls)
    for candidate in known:
        if same_outputs(mine, outputs(candidate, calls), rtol=rtol, atol=atol):
            return candidate
    return known[0]


# ---------------------------------------------------------------- finding a lab's module


def checks_path(root: Path, lab: str) -> Path:
    return root.joinpath(*CHECKS_DIR, f"{lab}.py")


@functools.lru_cache(maxsize=None)
def _load(path: str, lab: str) -> LabChecks:
    spec = importlib.util.spec_from_file_location(f"pmle_checks_{lab}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    checks = getattr(module, "lab", None)
    if not isinstance(checks, LabChecks) or checks.info.id != lab:
        raise ValueError(f"{path} must define `lab = LabChecks(LabInfo(id={lab!r}, ...))`")
    checks.module = module  # its reference helpers, for the module's unit tests
    return checks


def load(root: Path, lab: str) -> LabChecks | None:
    """The course-side checks of ``lab``, or None where only the release is (a classroom student's copy)."""
    path = checks_path(root, lab)
    if not path.is_file():
        return None
    return _load(str(path.resolve()), lab)


def all_labs(root: Path) -> list[LabChecks]:
    from pmle.course import paths

    return [checks for lab in paths.lab_ids(root) if (checks := load(root, lab)) is not None]
