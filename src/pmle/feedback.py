"""Checkers that lab checks call: one readable verdict per answer, no traceback noise.

A checker either confirms a pass (``passed``) or raises one of the exceptions below, so a grader can
tell not attempted, wrong (with the misconception named), an error in the learner's code, blocked by
an earlier answer, and correct apart. A bug in a checker raises anything else and is reported as a
fault of the course's checks, never as "wrong" (see pmle.grading.verdict).

Every checker converts the learner's value to a plain type (str, float, numpy array, frozenset)
before comparing, so an object with a doctored ``__eq__`` cannot pass for a right answer.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


class Incorrect(AssertionError):
    """The answer is wrong; the message says what was expected and, if recognised, the mistake."""

    status = "wrong"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback for exceptions that define this hook.
        return [f"\x1b[31m✘ {line}\x1b[0m" if i == 0 else f"  {line}" for i, line in enumerate(self.message.splitlines())]


class NotAttempted(Incorrect):
    """The placeholder is still there (None, ..., or NotImplementedError)."""

    status = "not attempted"


class AnswerError(Incorrect):
    """The learner's code raised an exception (their function when a check called it, or their answer cell)."""

    status = "error"


class Blocked(Incorrect):
    """The item builds on an earlier answer that is missing or unusable; the message names that answer."""

    status = "blocked"


_notes: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("pmle_pass_notes", default=None)


_fitter: contextvars.ContextVar = contextvars.ContextVar("pmle_fitter", default=None)


def fit_clean(model, X, y=None):
    """A copy of the learner's unfitted scikit-learn ``model``, fitted on ``X, y`` where it can do no harm.

    A check that must fit an estimator the learner chose (to see that their pipeline runs, say) calls
    this instead of ``model.fit``. Under `pmle grade` the copy is built and fitted in a fresh sandbox of
    its own, where no learner code has run (so nothing can have patched the library) and whatever the
    learner's parameters make the library do (caches, files, endless loops) stays inside it and its time
    limit; the result is a proxy whose methods (``predict_proba`` ...) answer with data. Under `pmle
    check` (the learner's own machine) it is fitted here.
    """
    from sklearn.base import clone

    fit_elsewhere = _fitter.get()
    if fit_elsewhere is None:
        return clone(model).fit(X, y)
    return fit_elsewhere(clone(model), X, y)


def run_clean(func, *args, **kwargs):
    """``func(*args, **kwargs)`` for a scikit-learn function that fits a learner's estimator (``cross_val_score``
    of the learner's pipeline, say): under `pmle grade` it runs in the clean sandbox of `fit_clean`, where
    the estimators are built anew from their parameters; under `pmle check`, here. It answers with data."""
    fitter = _fitter.get()
    if fitter is None:
        return func(*args, **kwargs)
    return fitter.call(func, args, kwargs)


def fit_in(fitter) -> contextvars.Token:
    """Make ``fitter(model, X, y)`` do the fitting of `fit_clean` (the grader sets it)."""
    return _fitter.set(fitter)


def record_passes(notes: list[str]) -> contextvars.Token:
    """Collect the pass notes of the checkers called from now on into ``notes`` (see pmle.grading.verdict)."""
    return _notes.set(notes)


def stop_recording(token: contextvars.Token) -> None:
    _notes.reset(token)


def pass_text(name: str, note: str = "") -> str:
    return f"`{name}` is correct." + (f" {note}" if note else "")


def passed(name: str, note: str = "") -> None:
    """Confirm that the check of ``name`` passed; a verdict is a pass only when every part confirmed one."""
    notes = _notes.get()
    if notes is not None:
        notes.append(pass_text(name, note))


def require_answer(name: str, value: Any) -> None:
    """Raise NotAttempted when ``value`` is still a placeholder."""
    if value is None or value is Ellipsis:
        raise NotAttempted(f"`{name}` is still the placeholder: replace it with your answer and run the cell.")


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())  # one line: a repr's line breaks and column padding become single spaces
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _item(value: Any) -> str:
    """One element of a container, short: floats to 4 significant digits, text quoted."""
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return f"{float(value):.4g}"
    if isinstance(value, (np.integer, np.bool_)):
        return repr(value.item())
    return _cut(repr(value), 24)


def _first(values: Sequence[Any], n: int = 5) -> str:
    shown = ", ".join(_item(v) for v in list(values[:n]))
    return f"[{shown}{', ...' if len(values) > n else ''}]"


def _show(value: Any, limit: int = 80) -> str:
    """A learner's value in one line that shows values: a frame, Series or array as its size and first values."""
    try:
        if isinstance(value, pd.DataFrame):
            n, m = value.shape
            cols = _first([str(c) for c in value.columns], 6)
            text = f"a DataFrame of {n} rows x {m} columns {cols}"
            if n and m:
                label, row = value.index[0], value.iloc[0]
                cells = ", ".join(f"{c}={_item(v)}" for c, v in list(row.items())[:4])
                text += f"; its first row ({_item(label)}): {cells}{', ...' if m > 4 else ''}"
            return _cut(text, max(limit, 200))
        if isinstance(value, pd.Series):
            text = f"a Series of {len(value)} values {_first(value.to_numpy())} with index {_first(value.index)}"
            return _cut(text, max(limit, 160))
        if isinstance(value, np.ndarray) and value.ndim >= 1:
            kind = f"an array of shape {value.shape}" if value.ndim > 1 else f"an array of {value.size} values"
            return _cut(f"{kind} {_first(value.reshape(-1))}", max(limit, 120))
    except Exception:  # noqa: BLE001 - an odd object: fall back to its repr
        pass
    return _cut(repr(value), limit)


# ---------------------------------------------------------------- choices


def _norm_choice(value: Any) -> str | None:
    if isinstance(value, (str, np.str_)):
        return " ".join(str(value).split()).casefold()
    return None


def check_choice(
    name: str,
    answer: Any,
    expected: str,
    *,
    options: Sequence[str],
    mistakes: Mapping[str, str] | None = None,
    why: str = "",
) -> None:
    """A single-choice answer: one of ``options``; ``mistakes`` maps wrong options to what they reveal."""
    require_answer(name, answer)
    by_norm = {_norm_choice(o): o for o in options}
    chosen = by_norm.get(_norm_choice(answer))
    if chosen is None:
        raise Incorrect(f"`{name}` must be one of {', '.join(map(repr, options))}; got {_show(answer)}.")
    if chosen != expected:
        hint = (mistakes or {}).get(chosen, f"{chosen!r} is not the best answer; reread the brief.")
        raise Incorrect(f"`{name}` = {chosen!r}: {hint}")
    passed(name, why)


def check_choices(
    name: str,
    answer: Any,
    expected: Iterable[str],
    *,
    options: Sequence[str],
    mistakes: Mapping[str, str] | None = None,
    why: str = "",
) -> None:
    """A multiple-select answer (a set or list of options); ``mistakes`` explains single wrong picks or misses."""
    require_answer(name, answer)
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        raise Incorrect(f"`{name}` must be a set or list of options such as {{{options[0]!r}}}; got {_show(answer)}.")
    by_norm = {_norm_choice(o): o for o in options}
    picked = set()
    for item in list(answer):
        chosen = by_norm.get(_norm_choice(item))
        if chosen is None:
            raise Incorrect(f"`{name}` contains {_show(item)}, which is not one of {', '.join(map(repr, options))}.")
        picked.add(chosen)
    expected = set(expected)
    extra, missing = sorted(picked - expected), sorted(expected - picked)
    if not extra and not missing:
        passed(name, why)
        return
    notes = [(mistakes or {}).get(o, f"{o!r} should not be selected.") for o in extra]
    notes += [(mistakes or {}).get(o, f"{o!r} is missing.") for o in missing]
    raise Incorrect(f"`{name}` = {sorted(picked)} is not right:\n" + "\n".join(f"- {n}" for n in notes))


def check_mapping(
    name: str,
    answer: Any,
    expected: Mapping[str, str],
    *,
    options: Sequence[str],
    mistakes: Mapping[tuple[str, str], str] | None = None,
) -> None:
    """A dict answering several small choices at once; every key must map to the expected option."""
    require_answer(name, answer)
    if not isinstance(answer, Mapping):
        raise Incorrect(f"`{name}` must be a dict like {{{next(iter(expected))!r}: ...}}; got {_show(answer)}.")
    by_norm = {_norm_choice(o): o for o in options}
    notes = []
    for key, want in expected.items():
        if key not in answer or answer[key] is None or answer[key] is Ellipsis:
            notes.append(f"{key!r}: no answer yet.")
            continue
        got = by_norm.get(_norm_choice(answer[key]))
        if got is None:
            notes.append(f"{key!r}: {_show(answer[key])} is not one of {', '.join(map(repr, options))}.")
        elif got != want:
            notes.append(f"{key!r}: " + (mistakes or {}).get((key, got), f"{got!r} is not the best fit."))
    if all(n.endswith("no answer yet.") for n in notes) and len(notes) == len(expected):
        raise NotAttempted(f"`{name}` has no answers yet: fill in every key.")
    if notes:
        raise Incorrect(f"`{name}`: {len(notes)} of {len(expected)} not right:\n" + "\n".join(f"- {n}" for n in notes))
    passed(name)


# ---------------------------------------------------------------- numbers, sets


def as_number(name: str, value: Any) -> float:
    """``value`` as a float, or Incorrect naming what was received instead."""
    require_answer(name, value)
    if isinstance(value, (bool, np.bool_)):
        raise Incorrect(f"`{name}` must be a number; got the boolean {value}.")
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif isinstance(value, np.ndarray) and value.size == 1:
        number = float(value.reshape(-1)[0])
    else:
        raise Incorrect(f"`{name}` must be a single number; got {type(value).__name__} {_show(value)}.")
    if math.isnan(number):
        raise Incorrect(f"`{name}` is NaN: check for missing values or an empty selection.")
    return number


def close(a: float, b: float, *, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """True when |a - b| <= atol + rtol * |b| (NaN never is)."""
    return abs(a - b) <= atol + rtol * abs(b)


def check_number(
    name: str,
    value: Any,
    expected: float,
    *,
    rtol: float = 0.0,
    atol: float = 0.0,
    mistakes: Sequence[tuple[float, str]] = (),
    why: str = "",
) -> None:
    """A number within tolerance of ``expected``; ``mistakes`` pairs a plausible wrong value with its message."""
    number = as_number(name, value)
    if close(number, expected, rtol=rtol, atol=atol):
        passed(name, why)
        return
    for wrong, message in mistakes:
        if close(number, wrong, rtol=rtol, atol=atol):
            raise Incorrect(f"`{name}` = {number:.4g}: {message}")
    raise Incorrect(f"`{name}` = {_versus(number, expected)}.")


def _distinct(a: float, b: float) -> tuple[str, str]:
    """Two numbers shown alike and with digits enough to read how far apart they are.

    At least 4 significant digits, and at least 2 of their difference, both with the same number of
    decimals (0.995060 and 0.995040, never 0.9951 and 0.995, which look like one number rounded);
    whole numbers as integers.
    """
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        return f"{a!r}", f"{b!r}"
    if a.is_integer() and b.is_integer() and max(abs(a), abs(b)) < 1e15:
        return f"{int(a)}", f"{int(b)}"
    lead = math.floor(math.log10(max(abs(a), abs(b))))
    gap = float(f"{abs(a - b):.2g}")  # rounded first: 0.9951 - 0.995 is 9.99999e-05, a gap of 1e-04
    digits = max(4, lead - math.floor(math.log10(gap)) + 2)
    if digits > 17:
        return f"{a!r}", f"{b!r}"
    if -4 <= lead < 9:
        decimals = max(0, digits - 1 - lead)
        return f"{a:.{decimals}f}", f"{b:.{decimals}f}"
    return f"{a:.{digits - 1}e}", f"{b:.{digits - 1}e}"


def _versus(got: float, want: float) -> str:
    """ "0.995060, expected about 0.995040 (off by 2e-05)": the difference named when the two are close."""
    got_text, want_text = _distinct(got, want)
    text = f"{got_text}, expected about {want_text}"
    if math.isfinite(got) and math.isfinite(want) and got != want and abs(got - want) < 0.01 * max(abs(got), abs(want)):
        text += f" (off by {abs(got - want):.2g})"
    return text


def check_set(
    name: str,
    answer: Any,
    expected: Iterable[Any],
    *,
    mistakes: Sequence[tuple[Iterable[Any], str]] = (),
) -> None:
    """A set of labels (column names, ids); order and duplicates do not matter."""
    require_answer(name, answer)
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        raise Incorrect(f"`{name}` must be a collection (set or list); got {_show(answer)}.")
    got, want = {str(a) for a in answer}, {str(e) for e in expected}
    if got == want:
        passed(name)
        return
    for wrong, message in mistakes:
        if got == {str(w) for w in wrong}:
            raise Incorrect(f"`{name}`: {message}")
    parts = []
    if want - got:
        parts.append(f"missing {len(want - got)}")
    if got - want:
        parts.append(f"{len(got - want)} that should not be there: {sorted(got - want)[:5]}")
    raise Incorrect(f"`{name}` is not right: " + "; ".join(parts) + ".")


# ---------------------------------------------------------------- functions


def as_array(value: Any) -> np.ndarray:
    """A learner's array-like result (list, Series, ndarray) as a 1-D numpy array."""
    if isinstance(value, (pd.Series, pd.Index)):
        value = value.to_numpy()
    array = np.asarray(value)
    if array.dtype == object:
        try:
            array = array.astype(float)
        except (TypeError, ValueError):
            pass
    return array


def same_values(got: Any, want: Any, *, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    """Equal as values: numbers within tolerance, arrays element-wise, booleans as 0/1, labels as text."""
    if isinstance(want, (pd.Series, pd.Index, np.ndarray, list, tuple)):
        a, b = as_array(got), as_array(want)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
            return bool(np.allclose(a.astype(float), b.astype(float), rtol=rtol, atol=atol, equal_nan=True))
        return [str(x) for x in a.tolist()] == [str(x) for x in b.tolist()]
    if isinstance(want, (int, float, np.integer, np.floating)) and not isinstance(want, bool):
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
            return False
        return close(float(got), float(want), rtol=rtol, atol=atol) or (math.isnan(float(got)) and math.isnan(float(want)))
    return type(got) is type(want) and str(got) == str(want)


@dataclass
class Case:
    """One call of the learner's function: its inputs, the right output, and what it exercises."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    about: str = ""


def _aligned(name: str, got: Any, want: pd.Series, about: str) -> Any:
    """The learner's Series reordered to ``want``'s index, or Incorrect when its labels are not that index."""
    if not isinstance(got, pd.Series):
        raise Incorrect(f"`{name}` {about}: it must return a pandas Series aligned with the input's index; "
                        f"got {type(got).__name__}.")
    if got.index.has_duplicates or len(got) != len(want) or not got.index.isin(want.index).all():
        raise Incorrect(f"`{name}` {about}: the Series it returns does not carry the input frame's index "
                        "(a reset or new index loses which row is which); build it from the frame's columns.")
    return got.reindex(want.index)


def check_function(
    name: str,
    func: Any,
    cases: Sequence[Case],
    *,
    mistakes: Sequence[tuple[Callable, str]] = (),
    rtol: float = 1e-9,
    atol: float = 1e-12,
    aligned: bool = False,
) -> None:
    """Call ``func`` on fresh cases; a mismatch that a known wrong implementation reproduces is named.

    With ``aligned``, a case whose expected value is a Series needs a Series with the same index labels
    back (in any order): values are compared label by label, never by position.
    """
    require_answer(name, func)
    if not callable(func):
        raise Incorrect(f"`{name}` must be a function; got {_show(func)}.")
    for case in cases:
        try:
            got = func(*case.args, **case.kwargs)
        except NotImplementedError:
            raise NotAttempted(f"`{name}` still raises NotImplementedError: write its body.") from None
        except Exception as exc:  # the learner's code failed: report it as theirs, not as a checker bug
            raise AnswerError(f"`{name}` raised {type(exc).__name__}: {exc} ({case.about}).") from None
        if got is None and case.expected is not None:
            raise NotAttempted(f"`{name}` returned None ({case.about}): does it `return` its result?")
        want = case.expected
        if aligned and isinstance(want, pd.Series):
            got = _aligned(name, got, want, case.about)
        if same_values(got, want, rtol=rtol, atol=atol):
            continue
        for wrong, message in mistakes:
            try:
                theirs = wrong(*case.args, **case.kwargs)
            except Exception:
                continue
            if isinstance(theirs, pd.Series) and isinstance(got, pd.Series):
                theirs = theirs.reindex(got.index)
            if same_values(got, theirs, rtol=rtol, atol=atol):
                raise Incorrect(f"`{name}` {case.about}: {message}")
        raise Incorrect(f"`{name}` {case.about}: expected {_show(want)}, got {_show(got)}{_where_differs(got, want)}.")
    passed(name)


def _where_differs(got: Any, want: Any) -> str:
    """ " (element 3: 0.5000, expected about 0.2500)" for two arrays of numbers of one shape; else nothing."""
    try:
        a, b = as_array(got), as_array(want)
        if a.shape != b.shape or a.ndim == 0 or a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
            return ""
        a, b = a.astype(float).reshape(-1), b.astype(float).reshape(-1)
        off = np.flatnonzero(~np.isclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))
        if not len(off):
            return ""
        i = int(off[0])
        return f" (element {i}: {_versus(a[i], b[i])})"
    except Exception:  # noqa: BLE001 - values that don't compare as numbers: the values shown say it
        return ""


# ---------------------------------------------------------------- rows, picks


def check_rows(
    name: str,
    frame: Any,
    expected_index: Iterable[Any],
    *,
    mistakes: Sequence[tuple[Callable[[pd.DataFrame], bool], str]] = (),
) -> None:
    """A DataFrame holding exactly the expected rows (by index label); ``mistakes`` test the frame."""
    require_answer(name, frame)
    if not isinstance(frame, pd.DataFrame):
        raise Incorrect(f"`{name}` must be a pandas DataFrame; got {type(frame).__name__}.")
    want = pd.Index(expected_index)
    if frame.index.has_duplicates:
        raise Incorrect(f"`{name}` has duplicated rows (repeated index labels): select rows, don't stack copies.")
    if frame.index.sort_values().equals(want.sort_values()):
        passed(name)
        return
    for predicate, message in mistakes:
        try:
            recognised = bool(predicate(frame))
        except Exception:  # a frame without the columns a known mistake has: not that mistake
            recognised = False
        if recognised:
            raise Incorrect(f"`{name}`: {message}")
    missing, extra = len(want.difference(frame.index)), len(frame.index.difference(want))
    if len(frame) == len(want):
        labels = "none of its index labels are" if missing == len(want) else f"{extra} of its index labels are not"
        raise Incorrect(f"`{name}` has the right number of rows ({len(want)}), but {labels} the expected rows': the "
                        "index labels differ; keep the original index (no `reset_index` or `ignore_index`), it says "
                        "which rows these are. If you kept it, these are other rows.")
    renumbered = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1
    found = [f"{missing} of the expected rows are missing"] if missing else []
    found += [f"{extra} rows should not be there"] if extra else []
    raise Incorrect(f"`{name}` has {len(frame)} rows, expected {len(want)}: {' and '.join(found)} (rows are compared "
                    "by index label" + ("; its index is 0, 1, 2, ...: if you reset it, keep the original index"
                                        if renumbered and extra else "") + ").")


def check_pick(
    name: str,
    value: Any,
    scores: Mapping[Any, float],
    *,
    tol: float = 0.0,
    score_name: str = "score",
    mistakes: Sequence[tuple[Any, str]] = (),
) -> None:
    """A choice among candidates judged by its score: anything within ``tol`` of the best passes."""
    require_answer(name, value)
    number = as_number(name, value)
    lookup = {float(k): v for k, v in scores.items()}
    nearest = min(lookup, key=lambda k: abs(k - number))
    if abs(nearest - number) <= 1e-9 * max(1.0, abs(nearest)):
        number = nearest  # a candidate rebuilt with np.arange or linspace may differ in the last bits
    if number not in lookup:
        low, high = min(lookup), max(lookup)
        raise Incorrect(f"`{name}` = {number:g} is not one of the candidates ({low:g} to {high:g}).")
    best_key = max(lookup, key=lookup.get)
    if lookup[number] >= lookup[best_key] - tol:
        passed(name)
        return
    for wrong, message in mistakes:
        if number == float(wrong):
            raise Incorrect(f"`{name}` = {number:g}: {message}")
    mine, best = _distinct(lookup[number], lookup[best_key])
    raise Incorrect(f"`{name}` = {number:g} has {score_name} {mine}; the best candidate, {best_key:g}, has {best}.")


def check_shape(name: str, value: Any, shape: tuple[int | None, ...], *, mistakes: Sequence[tuple[tuple, str]] = ()) -> None:
    """An array or frame of the expected shape (None in ``shape`` matches any size on that axis)."""
    require_answer(name, value)
    got = getattr(value, "shape", None)
    if got is None:
        raise Incorrect(f"`{name}` must be an array or DataFrame; got {type(value).__name__}.")
    got = tuple(int(n) for n in got)
    if len(got) == len(shape) and all(w is None or g == w for g, w in zip(got, shape)):
        passed(name)
        return
    for wrong, message in mistakes:
        if got == tuple(wrong):
            raise Incorrect(f"`{name}` has shape {got}: {message}")
    want = tuple("any" if w is None else w for w in shape)
    raise Incorrect(f"`{name}` has shape {got}, expected {want}.")


# ---------------------------------------------------------------- arrays of numbers


def check_array(
    name: str,
    value: Any,
    expected: Any,
    *,
    rtol: float = 0.0,
    atol: float = 0.0,
    mistakes: Sequence[tuple[Any, str]] = (),
    why: str = "",
) -> None:
    """An array of numbers (list, Series, ndarray) equal to ``expected`` element-wise within tolerance.

    ``mistakes`` pairs a plausible wrong array (training scores, test-set scores, reversed order ...) with
    its message; a wrong array matches a mistake when it has the same shape and is close to it.
    """
    require_answer(name, value)
    if isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        raise Incorrect(f"`{name}` must be an array or list of numbers; got {_show(value)}.")
    got = as_array(value)
    if got.dtype.kind not in "biuf":
        raise Incorrect(f"`{name}` must hold numbers; got {_show(value)}.")
    got = got.astype(float)
    want = np.asarray(expected, dtype=float)

    def _close(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))

    if _close(got, want):
        passed(name, why)
        return
    if np.isnan(got).any():
        raise Incorrect(f"`{name}` contains NaN: check for missing values or an empty selection.")
    for wrong, message in mistakes:
        if _close(got, np.asarray(wrong, dtype=float)):
            raise Incorrect(f"`{name}`: {message}")
    if got.shape != want.shape:
        raise Incorrect(f"`{name}` has shape {got.shape}, expected {want.shape}.")
    worst = int(np.argmax(np.abs(got - want).reshape(-1)))
    mine, right = _distinct(got.reshape(-1)[worst], want.reshape(-1)[worst])
    raise Incorrect(f"`{name}` differs from the expected values: element {worst} is {mine}, expected about {right}.")
