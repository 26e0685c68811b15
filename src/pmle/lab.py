"""Feedback inside the notebook: the check cell under each answer, like learntools' ``q1.check()``.

A lab's setup cell runs ``lab = Lab("01_framing")``; each check cell is one line, ``lab.check("framing")``.

- Where the course side is present (a self-study clone), the check is the full one, hidden tests
  included: the same item, run by the same code (pmle.course.labs), as `pmle check` and `pmle grade`.
- Where only the release is (a classroom student's copy), it checks that the answer is there and
  says that the full check runs when the lab is graded.

The verdict is one line with colour and no traceback. After a pass the worked explanation can be
opened; before, ``lab.solution("framing")`` reveals it on request. ``lab.check_all()`` prints the
whole-lab table of the saved notebook, the same as ``pmle check``.

Outside a person's Jupyter session (plain ``nbgrader autograde``, papermill) a check that does not
pass returns 0 as the cell's result, which nbgrader reads as that many points, so a wrong answer
scores 0 there too; it never raises, so "Run all" goes on past a wrong answer. In JupyterLab it
returns nothing, so no empty result row shows under the verdict.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

from pmle.grading.verdict import Verdict

VERDICT_MIME = "application/vnd.pmle.verdict+json"

STYLE = {  # symbol, colour (HTML), ANSI colour
    "pass": ("✔", "#1a7f37", "32"),
    "wrong": ("✘", "#cf222e", "31"),
    "not attempted": ("○", "#57606a", "90"),
    "error": ("⚠", "#bc4c00", "33"),
    "blocked": ("⏸", "#9a6700", "33"),
    "manual": ("✎", "#57606a", "90"),
    "not run": ("·", "#57606a", "90"),
    "info": ("ⓘ", "#0969da", "34"),
}


def _zero() -> "Points | None":
    """0 points as a cell result for plain nbgrader; nothing in a person's JupyterLab (no empty Out[] row)."""
    return None if _interactive() else Points(0)


class Points:
    """The points a check cell reports to plain nbgrader (its text/plain); shows nothing in JupyterLab."""

    def __init__(self, value: float):
        self.value = value

    def __repr__(self) -> str:
        return f"{self.value:g}"

    def _repr_html_(self) -> str:
        return "<span></span>"


def _code(text: str) -> str:
    """Escaped text with `backticks` as <code>."""
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(text))


def _markdown(text: str) -> str:
    import mistune

    return mistune.html(text)  # the course's own text (worked explanations), never the learner's


def show(verdict: Verdict, explanation: str = "", status: str | None = None) -> None:
    """Display a verdict: one coloured line (a few for a list), and the explanation folded after a pass."""
    status = status or verdict.status
    symbol, colour, ansi = STYLE.get(status, STYLE["info"])
    lines = verdict.message.splitlines() or [""]
    label = {"pass": "", "not attempted": "Not attempted: ", "error": "Error: ", "blocked": "Not gradable yet: "}.get(status, "")
    text = f"\x1b[{ansi}m{symbol} {label}{lines[0]}\x1b[0m" + "".join(f"\n  {line}" for line in lines[1:])
    body = f"<b>{symbol}</b> {html.escape(label)}{_code(lines[0])}"
    if len(lines) > 1:
        body += "<ul style='margin:0.2em 0 0 1.2em;padding:0'>" + "".join(
            f"<li>{_code(line.lstrip('- '))}</li>" for line in lines[1:]) + "</ul>"
    page = f"<div style='color:{colour}'>{body}</div>"
    if explanation and verdict.passed:
        page += (f"<details style='margin-top:0.3em'><summary>Worked explanation</summary>"
                 f"<div>{_markdown(explanation)}</div></details>")
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with every kernel
        print(text)
        return
    display({"text/plain": text, "text/html": page, VERDICT_MIME: verdict.as_dict()}, raw=True)


def _manifest() -> dict:
    """The public list of each lab's items and the names they grade (written by `pmle release`)."""
    try:
        return json.loads(resources.files("pmle.course").joinpath("manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class Lab:
    """The checks of one lab, bound to the notebook that created it."""

    def __init__(self, lab_id: str):
        self.id = lab_id
        self._checks = None
        self._looked = False
        self._ledger = None
        self._watch()

    # -- course side -------------------------------------------------------------------------

    @property
    def checks(self):
        """The course-side checks (pmle.course.labs.LabChecks), or None in a release-only copy."""
        if not self._looked:
            from pmle.course import labs, paths
            from pmle.errors import CourseNotFound

            self._looked = True
            try:
                self._checks = labs.load(paths.course_root(), self.id)
            except CourseNotFound:
                self._checks = None
        return self._checks

    @property
    def ledger(self):
        """Which answers' cells raised or are still the release's blank (pmle.course.labs.CellLedger)."""
        if self._ledger is None:
            from pmle.course import notebooks as nbu
            from pmle.course import paths
            from pmle.course.labs import CellLedger

            blanks = []
            if self.checks is not None:
                try:
                    release = nbu.read(paths.release_notebook(paths.course_root(), self.id))
                    blanks = [c.source for c in release.cells if nbu.is_solution(c)]
                except Exception:  # noqa: BLE001 - without the release every answer counts as worked on
                    blanks = []
            self._ledger = CellLedger(blanks)
        return self._ledger

    # -- the learner's kernel ----------------------------------------------------------------

    def _watch(self) -> None:
        """Remember which answers' cells raised, and show an unanswered cell's NotImplementedError as one line."""
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            return
        shell = get_ipython()
        if shell is None:
            return
        def after(result) -> None:
            source = getattr(getattr(result, "info", None), "raw_cell", "") or ""
            error = result.error_in_exec or result.error_before_exec  # a SyntaxError comes before execution
            self.ledger.record(source, f"{type(error).__name__}: {error}" if error is not None else "")

        def not_implemented(shell, etype, value, tb, tb_offset=None):
            stb = [f"\x1b[90m{_not_implemented_line(tb)}\x1b[0m"]
            shell._showtraceback(etype, value, stb)  # an error output of one line (IPython shows none by itself)
            return stb

        for old in [f for f in shell.events.callbacks["post_run_cell"] if getattr(f, "__qualname__", "").startswith("Lab._watch")]:
            shell.events.unregister("post_run_cell", old)
        shell.events.register("post_run_cell", after)
        shell.set_custom_exc((NotImplementedError,), not_implemented)

    def check(self, item_id: str) -> Points | None:
        """Check one answer and show the verdict under it."""
        namespace = sys._getframe(1).f_globals
        checks = self.checks
        if checks is None:
            return self._visible_check(item_id, namespace)
        item = checks.items.get(item_id)
        if item is None:
            raise KeyError(f"lab {self.id} has no item {item_id!r}")
        values = {name: namespace[name] for name in checks.names(item_id) if name in namespace}
        verdict = checks.run(item_id, values, self.ledger.errors, self.ledger.untouched, copy_args=True)
        show(verdict, item.explanation)
        return None if verdict.passed else _zero()

    def _visible_check(self, item_id: str, namespace: dict) -> Points:
        reads = _manifest().get(self.id, {}).get("items", {}).get(item_id, [])
        missing = [n for n in reads if namespace.get(n, None) is None or n in self.ledger.errors]
        if missing:
            verdict = Verdict(item_id, "not attempted", f"`{missing[0]}` has no answer yet: replace the placeholder and run its cell.")
            show(verdict)
        else:
            show(Verdict(item_id, "info", f"`{item_id}` is answered. This copy of the lab has only the visible checks: "
                                          "the full check runs when your lab is graded."), status="info")
        return _zero()  # nothing is proven here: plain nbgrader must not read this as full marks

    def solution(self, item_id: str) -> None:
        """Reveal the worked explanation of an item (before or after a pass)."""
        checks = self.checks
        item = checks.items.get(item_id) if checks is not None else None
        if item is None or not item.explanation:
            print("The worked explanation is part of the course side, which this copy of the lab does not have.")
            return
        try:
            from IPython.display import Markdown, display
        except ImportError:  # pragma: no cover
            print(item.explanation)
            return
        display(Markdown(f"**Worked explanation of `{item_id}`**\n\n{item.explanation}"))

    # -- the whole lab -----------------------------------------------------------------------

    def notebook_path(self) -> Path | None:
        """The saved notebook this Jupyter session belongs to, else one of this lab in its folder.

        Outside a Jupyter session (papermill, nbgrader, a grader's runner) there is none: the whole-lab
        check is then a terminal's job, and never runs the grader again from inside a graded notebook.
        """
        session = os.environ.get("JPY_SESSION_NAME") or ""
        if not session:
            return None
        candidates = [Path(session), Path.cwd() / Path(session).name, *sorted(Path.cwd().glob("*.ipynb"))]
        for path in candidates:
            if path.is_file() and path.suffix == ".ipynb" and _lab_of(path) == self.id:
                return path
        return None

    def check_all(self) -> None:
        """Grade the saved notebook as `pmle check` does and print its table (save the notebook first)."""
        path = self.notebook_path()
        if path is None:
            print(f"Could not find the saved notebook of lab {self.id} here; run `pmle check {self.id[:2]}` in a terminal.")
            return
        print(f"Grading the saved {path.name} in a separate process, as `pmle check` does (10-30 s) ...", flush=True)
        done = subprocess.run([sys.executable, "-m", "pmle", "check", str(path)], capture_output=True, text=True,
                              env={**os.environ, "NO_COLOR": "1"})
        print((done.stdout + done.stderr).rstrip())


def _not_implemented_line(tb) -> str:
    """What an unanswered cell's NotImplementedError means: the cell's own placeholder, or a function still to write.

    Only frames of notebook cells count (from the cell's ``<module>`` frame on, in files like it), so
    IPython's own frames and library code are never named as the learner's function.
    """
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    start = next((i for i, code in enumerate(frames) if code.co_name == "<module>"), None)
    where = None
    if start is not None:
        cell_file = frames[start].co_filename

        def is_cell(filename: str) -> bool:
            return filename.startswith("<ipython-input") or Path(filename).parent == Path(cell_file).parent

        for code in frames[start + 1:]:
            if is_cell(code.co_filename) and code.co_name != "<module>":
                where = code.co_name
    if where:
        return f"○ Not attempted yet: `{where}` still raises NotImplementedError. Write its body, then run its cell."
    return "○ Not attempted yet: replace `raise NotImplementedError()` with your answer, then run the cell."


def _interactive() -> bool:
    """Whether this kernel belongs to a Jupyter session a person is using (JupyterLab sets JPY_SESSION_NAME)."""
    return bool(os.environ.get("JPY_SESSION_NAME"))


def _lab_of(path: Path) -> str | None:
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return None
    lab = meta.get("pmle", {}).get("lab") if isinstance(meta.get("pmle"), dict) else None
    return lab if isinstance(lab, str) else None
