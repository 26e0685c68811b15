"""What `pmle grade` shows after grading a class: one feedback page per student and a class summary.

Everything in a ``SubmissionResult`` is shaped by an untrusted submission (cell sources, outputs, error
messages, feedback messages, even the ``detail`` of a crash), so every piece of it is escaped before it
reaches HTML, and reduced to printable single lines before it reaches the plain-text summary that an
instructor may ``cat`` in a terminal. The pages hold only what the result holds, which is no test code.

The chart is drawn on a bare ``matplotlib.figure.Figure`` with the Agg canvas: no pyplot, no GUI backend,
no global figure registry, so nothing is shown, nothing is left open, and importing this module does not
change the backend of whoever imports it (a notebook, the test run).
"""

from __future__ import annotations

import html
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from pmle.errors import PmleError
from pmle.grading.results import STATUSES, SubmissionResult

BINS = 10  # score histogram: 10 % bins of the automatic maximum
BAR_WIDTH = 40  # characters of the longest text-histogram bar
ITEM_STATUS_CLASSES = {"pass": "pass", "wrong": "wrong", "not attempted": "skipped", "error": "error", "not run": "skipped", "manual": "manual"}

PAGE_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
td.message { white-space: pre-wrap; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: .6em; overflow-x: auto; white-space: pre-wrap; }
pre.error { background: #fdecec; border-color: #e0a0a0; }
.status { font-weight: bold; }
.pass { color: #1a7f37; } .wrong, .error { color: #b42318; } .skipped { color: #9a6700; }
.manual { color: #0969da; } .other { color: #555; }
.notice { background: #fff4e5; border: 1px solid #f0c36d; padding: .6em; }
"""


class UnsafeStudentId(PmleError, ValueError):
    """A student id that cannot be used as a file name under the feedback folder."""

    hint = "Student ids become file names: use ids without '/', '\\' or a leading '.'."


@dataclass
class ItemRate:
    """How one item went over the graded submissions of the class."""

    item: str
    kind: str  # "auto" or "manual"
    passed: int
    graded: int  # graded submissions: the denominator of the pass rate
    common_miss: str  # most common status other than pass ("" when everybody passed)

    @property
    def rate(self) -> float:
        """Pass rate in per cent (0 when nobody was graded)."""
        return 100.0 * self.passed / self.graded if self.graded else 0.0


# ---------------------------------------------------------------------------------------------- helpers


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _points(value: float) -> str:
    return f"{value:g}"


def _printable(text: str, limit: int = 200) -> str:
    """One printable line: control characters (terminal escapes, newlines) shown as ``?``, long text cut."""
    flat = "".join(ch if ch.isprintable() else ("?" if ch not in "\n\r\t" else " ") for ch in str(text))
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _manual_points(result: SubmissionResult) -> float:
    return sum(i.max_points for i in result.items if i.kind == "manual")


def graded_results(results: list[SubmissionResult]) -> list[SubmissionResult]:
    """The submissions that ran to the end (status ``graded``): the only ones scores are taken over."""
    return [r for r in results if r.status == "graded"]


def status_counts(results: list[SubmissionResult]) -> dict[str, int]:
    """How many submissions have each status: the known statuses in order, then any others."""
    counts = Counter(r.status for r in results)
    ordered = {s: counts.get(s, 0) for s in STATUSES}
    ordered.update({s: n for s, n in counts.items() if s not in ordered})
    return ordered


def score_fraction(result: SubmissionResult) -> float | None:
    """Score as a fraction of the automatic maximum, None when the lab has no automatic points."""
    return result.score / result.max_score if result.max_score > 0 else None


def score_histogram(fractions: list[float]) -> list[int]:
    """Counts in ten 10 % bins; a full score lands in the last bin (90-100 %)."""
    counts = [0] * BINS
    for f in fractions:
        index = int(f * BINS + 1e-9)
        counts[min(max(index, 0), BINS - 1)] += 1
    return counts


def item_rates(results: list[SubmissionResult]) -> list[ItemRate]:
    """Per-item pass rates over the graded submissions: automatic items hardest first, then manual ones.

    An item absent from a graded submission counts as not passed, with status "missing". Ties keep
    the items' order in the lab.
    """
    graded = graded_results(results)
    kinds: dict[str, str] = {}
    for r in graded:
        for i in r.items:
            if i.kind == "manual" or i.item not in kinds:
                kinds[i.item] = i.kind
    rates = []
    for name, kind in kinds.items():
        statuses = [next((i.status for i in r.items if i.item == name), "missing") for r in graded]
        misses = Counter(s for s in statuses if s != "pass")
        common = misses.most_common(1)[0][0] if misses else ""
        rates.append(ItemRate(name, kind, statuses.count("pass"), len(graded), common))
    auto = sorted((r for r in rates if r.kind != "manual"), key=lambda r: r.rate)
    return auto + [r for r in rates if r.kind == "manual"]


def _score_stats(graded: list[SubmissionResult]) -> dict[str, float]:
    scores = [r.score for r in graded]
    return {
        "n": len(scores),
        "mean": statistics.fmean(scores),
        "median": statistics.median(scores),
        "min": min(scores),
        "max": max(scores),
    }


def _max_label(graded: list[SubmissionResult]) -> str:
    maxima = sorted({r.max_score for r in graded})
    if len(maxima) == 1:
        return f"out of {_points(maxima[0])}"
    return f"out of maxima from {_points(maxima[0])} to {_points(maxima[-1])}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _bin_label(index: int) -> str:
    return f"{index * 100 // BINS}-{(index + 1) * 100 // BINS}%"


def _labs(results: list[SubmissionResult]) -> str:
    return ", ".join(dict.fromkeys(_printable(r.lab, 60) for r in results))


# ---------------------------------------------------------------------------------------- feedback page


def _header_html(result: SubmissionResult, lab_title: str) -> list[str]:
    status_class = "pass" if result.status == "graded" else "error"
    parts = [
        f"<h1>Feedback: {_esc(lab_title or result.lab)}</h1>",
        "<table>",
        f"<tr><th>Student</th><td>{_esc(result.student)}</td></tr>",
        f"<tr><th>Lab</th><td>{_esc(result.lab)}</td></tr>",
        f'<tr><th>Status</th><td><span class="status {status_class}">{_esc(result.status)}</span></td></tr>',
    ]
    if result.status != "graded" and result.detail:
        parts.append(f'<tr><th>Why</th><td class="message">{_esc(result.detail)}</td></tr>')
    if result.items:
        score = f"{_esc(_points(result.score))} / {_esc(_points(result.max_score))}"
        manual = _manual_points(result)
        if manual:
            score += f" + {_esc(_points(manual))} points graded by hand"
        parts.append(f"<tr><th>Automatic score</th><td>{score}</td></tr>")
    parts.append("</table>")
    if result.status != "graded":
        parts.append('<p class="notice">This submission could not be graded in full: see "Why" above.</p>')
    return parts


def _items_html(result: SubmissionResult) -> list[str]:
    if not result.items:
        return ["<h2>Items</h2>", "<p>No items were graded.</p>"]
    parts = ["<h2>Items</h2>", "<table>", "<tr><th>Item</th><th>Points</th><th>Result</th><th>Feedback</th></tr>"]
    for i in result.items:
        earned = "-" if i.kind == "manual" else _points(i.points)
        css = ITEM_STATUS_CLASSES.get(i.status, "other")
        parts.append(
            f"<tr><td>{_esc(i.item)}</td><td class=\"num\">{_esc(earned)} / {_esc(_points(i.max_points))}</td>"
            f'<td class="status {css}">{_esc(i.status)}</td><td class="message">{_esc(i.message)}</td></tr>'
        )
    parts.append("</table>")
    return parts


def _cells_html(result: SubmissionResult) -> list[str]:
    parts = ["<h2>Your cells</h2>"]
    if not result.cells:
        return parts + ["<p>No cells of yours were recorded.</p>"]
    for cell in result.cells:
        label = f"answer {cell.grade_id}" if cell.grade_id else "your extra cell"
        parts += [f"<h3>{_esc(label)}</h3>", f"<pre>{_esc(cell.source)}</pre>"]
        if cell.output:
            parts += ["<p>Output:</p>", f"<pre>{_esc(cell.output)}</pre>"]
        if cell.error:
            parts += ["<p>Error:</p>", f'<pre class="error">{_esc(cell.error)}</pre>']
    return parts


def _page(title: str, body: list[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{_esc(title)}</title>",
            f"<style>{PAGE_CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def feedback_html(result: SubmissionResult, *, lab_title: str = "") -> str:
    """One self-contained HTML page of feedback for the student, every piece of the result escaped."""
    body = _header_html(result, lab_title) + _items_html(result) + _cells_html(result)
    return _page(f"{lab_title or result.lab}: feedback for {result.student}", body)


def _check_student_ids(results: list[SubmissionResult]) -> None:
    seen: set[str] = set()
    for r in results:
        sid = r.student
        if not sid or "/" in sid or "\\" in sid or "\0" in sid or sid.startswith("."):
            raise UnsafeStudentId(f"Refusing to write feedback for student id {sid!r}: not a safe file name.")
        if sid in seen:
            raise UnsafeStudentId(f"Student id {sid!r} appears twice: its feedback pages would overwrite each other.")
        seen.add(sid)


def write_feedback(results: list[SubmissionResult], out_dir: Path, errors: dict[str, str] | None = None) -> list[Path]:
    """Write out_dir/feedback/<student>.html for every result; all ids are checked before anything is written.

    With ``errors`` (a dict), a page that cannot be written is recorded there (student -> why), its old
    page removed, and the other pages are written all the same; without it the first failure raises.
    """
    _check_student_ids(results)
    folder = Path(out_dir) / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for r in results:
        path = folder / f"{r.student}.html"
        try:
            _write_page(path, feedback_html(r))
        except Exception as exc:
            if errors is None:
                raise
            path.unlink(missing_ok=True)
            errors[r.student] = _printable(str(exc) or type(exc).__name__)
            continue
        paths.append(path)
    return paths


def _write_page(path: Path, text: str) -> None:
    """Write atomically as valid UTF-8 (a learner's lone surrogate becomes "?")."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", errors="replace")
    tmp.replace(path)


# ------------------------------------------------------------------------------------------ text summary


def _status_lines(results: list[SubmissionResult]) -> list[str]:
    counts = status_counts(results)
    width = max(len(_printable(s, 40)) for s in counts)
    return ["Submissions by status"] + [f"  {_printable(s, 40):<{width}}  {n:>4}" for s, n in counts.items()]


def _score_lines(graded: list[SubmissionResult]) -> list[str]:
    stats = _score_stats(graded)
    lines = [
        f"Scores of graded submissions (automatic points, {_max_label(graded)})",
        f"  n {stats['n']}   mean {stats['mean']:.2f}   median {_points(stats['median'])}"
        f"   min {_points(stats['min'])}   max {_points(stats['max'])}",
    ]
    fractions = [f for f in map(score_fraction, graded) if f is not None]
    if not fractions:
        return lines + ["  (no automatic points in this lab: no histogram)"]
    counts = score_histogram(fractions)
    top = max(counts)
    lines.append("")
    for index, n in enumerate(counts):
        bar = "#" * (round(BAR_WIDTH * n / top) if top else 0)
        lines.append(f"  {_bin_label(index):>7} | {bar:<{BAR_WIDTH}} {n}")
    return lines


def _item_lines(rates: list[ItemRate], n_graded: int) -> list[str]:
    if not rates:
        return ["Items: none recorded in the graded submissions."]
    width = max(len("item"), *(len(_printable(r.item, 40)) for r in rates))
    lines = [
        f"Items, hardest first (pass rate over {_count(n_graded, 'graded submission')})",
        f"  {'item':<{width}}  {'pass rate':>9}  {'passed':>9}  most common non-pass",
    ]
    for r in rates:
        name = _printable(r.item, 40)
        if r.kind == "manual":
            lines.append(f"  {name:<{width}}  graded by hand")
            continue
        passed = f"{r.passed} / {r.graded}"
        lines.append(f"  {name:<{width}}  {r.rate:>8.0f}%  {passed:>9}  {_printable(r.common_miss, 40) or '-'}")
    return lines


def _not_graded_lines(results: list[SubmissionResult]) -> list[str]:
    others = sorted((r for r in results if r.status != "graded"), key=lambda r: r.student)
    if not others:
        return ["Not graded: none, every submission ran to the end."]
    names = [_printable(r.student, 60) for r in others]
    statuses = [_printable(r.status, 20) for r in others]
    nw, sw = max(map(len, names)), max(map(len, statuses))
    lines = [f"Not graded ({len(others)})"]
    for name, status, r in zip(names, statuses, others):
        lines.append(f"  {name:<{nw}}  {status:<{sw}}  {_printable(r.detail) or '(no detail)'}")
    return lines


def _note_lines(notes: dict[str, list[str]] | None) -> list[str]:
    """The run's notes (ids made unique, students gone since an earlier run, outputs not written), by student."""
    rows = [("(class)" if who == "" else _printable(who, 60), _printable(text, 300))
            for who, texts in sorted((notes or {}).items()) for text in texts]
    if not rows:
        return []
    width = max(len(who) for who, _ in rows)
    return [f"Notes ({len(rows)})"] + [f"  {who:<{width}}  {text}" for who, text in rows]


def summary_text(results: list[SubmissionResult], notes: dict[str, list[str]] | None = None) -> str:
    """Plain-text summary for the instructor: statuses, score distribution, item pass rates, who was not graded,
    and the run's ``notes`` by student ("" for the class)."""
    if not results:
        lines = _note_lines(notes)
        return "Class summary: no submissions.\n" + ("\n" + "\n".join(lines) + "\n" if lines else "")
    graded = graded_results(results)
    sections = [
        [f"Class summary: lab {_labs(results)}, {_count(len(results), 'submission')}, {len(graded)} graded"],
        _status_lines(results),
    ]
    if graded:
        sections += [_score_lines(graded), _item_lines(item_rates(results), len(graded))]
    else:
        sections.append(["No graded submissions: no score distribution and no item pass rates."])
    sections.append(_not_graded_lines(results))
    if _note_lines(notes):
        sections.append(_note_lines(notes))
    return "\n\n".join("\n".join(s) for s in sections) + "\n"


# -------------------------------------------------------------------------------------- html and chart


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    parts = ["<table>", "<tr>" + "".join(f"<th>{_esc(h)}</th>" for h in header) + "</tr>"]
    parts += ["<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows]
    return parts + ["</table>"]


def _summary_html(results: list[SubmissionResult], notes: dict[str, list[str]] | None = None) -> str:
    """The summary's tables as HTML, with the chart (summary.png, next to the page) below them."""
    graded = graded_results(results)
    body = [f"<h1>Class summary: {_esc(_labs(results) or 'no submissions')}</h1>"]
    body.append(f"<p>{_count(len(results), 'submission')}, {len(graded)} graded.</p>")
    body += ["<h2>Submissions by status</h2>"] + _table(["status", "count"], [[s, str(n)] for s, n in status_counts(results).items()])
    if graded:
        stats = _score_stats(graded)
        body.append(f"<h2>Scores of graded submissions (automatic points, {_esc(_max_label(graded))})</h2>")
        body += _table(["n", "mean", "median", "min", "max"], [[str(stats["n"]), f"{stats['mean']:.2f}", *(_points(stats[k]) for k in ("median", "min", "max"))]])
        fractions = [f for f in map(score_fraction, graded) if f is not None]
        if fractions:
            body += _table(["score", "students"], [[_bin_label(i), str(n)] for i, n in enumerate(score_histogram(fractions))])
        rows = [
            [r.item, "graded by hand", "", ""] if r.kind == "manual" else [r.item, f"{r.rate:.0f}%", f"{r.passed} / {r.graded}", r.common_miss or "-"]
            for r in item_rates(results)
        ]
        body += ["<h2>Items, hardest first</h2>"] + _table(["item", "pass rate", "passed", "most common non-pass"], rows)
    else:
        body.append("<p>No graded submissions: no score distribution and no item pass rates.</p>")
    others = sorted((r for r in results if r.status != "graded"), key=lambda r: r.student)
    body.append("<h2>Not graded</h2>")
    body += _table(["student", "status", "detail"], [[r.student, r.status, r.detail] for r in others]) if others else ["<p>None.</p>"]
    rows = [["(class)" if who == "" else who, text] for who, texts in sorted((notes or {}).items()) for text in texts]
    if rows:
        body += ["<h2>Notes</h2>"] + _table(["student", "note"], rows)
    body.append('<p><img src="summary.png" alt="Score histogram and item pass rates" style="max-width: 100%"></p>')
    return _page("Class summary", body)


def _short(label: str, limit: int = 30) -> str:
    label = _printable(label, 200)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def summary_figure(results: list[SubmissionResult]) -> Figure:
    """Left: histogram of score / max_score over graded submissions. Right: item pass rates, hardest at top."""
    graded = graded_results(results)
    rates = [r for r in item_rates(results) if r.kind != "manual"]
    fig = Figure(figsize=(11, max(3.8, 1.6 + 0.32 * len(rates))))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.2]})

    fractions = [f for f in map(score_fraction, graded) if f is not None]
    if fractions:
        # the same bins as the text histogram, so the two always agree
        left.bar([100 * i / BINS for i in range(BINS)], score_histogram(fractions), width=100 / BINS, align="edge", color="#4c72b0", edgecolor="white")
        left.yaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        left.text(0.5, 0.5, "no graded submissions", ha="center", va="center", transform=left.transAxes)
        left.set_yticks([])
    left.set_xlim(0, 100)
    left.set_xlabel("score (% of automatic points)")
    left.set_ylabel("students")
    left.set_title(f"Scores of {_count(len(graded), 'graded submission')}")

    if rates:
        positions = range(len(rates))
        values = [r.rate for r in rates]
        bars = right.barh(positions, values, color="#dd8452")
        right.set_yticks(list(positions), [_short(r.item) for r in rates])
        right.invert_yaxis()  # hardest (first) at the top
        right.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3, fontsize=8)
    else:
        right.text(0.5, 0.5, "no item pass rates", ha="center", va="center", transform=right.transAxes)
        right.set_yticks([])
    right.set_xlim(0, 110)
    right.set_xlabel("pass rate (%)")
    right.set_title("Items, hardest at top")
    fig.tight_layout()
    return fig


def write_summary(results: list[SubmissionResult], out_dir: Path, notes: dict[str, list[str]] | None = None) -> list[Path]:
    """Write summary.txt, summary.png and summary.html into out_dir (with the run's ``notes``); return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text_path, png_path, html_path = out_dir / "summary.txt", out_dir / "summary.png", out_dir / "summary.html"
    _write_page(text_path, summary_text(results, notes))
    fig = summary_figure(results)
    fig.savefig(png_path, dpi=100, format="png")
    fig.clear()
    _write_page(html_path, _summary_html(results, notes))
    return [text_path, png_path, html_path]
