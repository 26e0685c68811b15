"""One lab result shown as a text table or as JSON."""

from __future__ import annotations

import json
import os
import sys
import textwrap

from pmle.grading.results import LabResult

COLOURS = {"pass": "32", "manual": "36", "not attempted": "33"}


def use_colour(stream=sys.stdout) -> bool:
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def _points(value: float) -> str:
    return f"{value:g}"


def as_text(result: LabResult, colour: bool = False, width: int = 100) -> str:
    items = result.items
    name_w = max([len("item")] + [len(i.item) for i in items])
    lines = [f"Lab {result.lab}: {result.notebook}", ""]
    if result.detail:
        lines[1:1] = [f"Grading stopped early: {result.detail}"]
    lines.append(f"{'item':<{name_w}}  {'points':>7}  {'result':<13}  feedback")
    message_w = max(30, width - name_w - 28)
    for i in items:
        pts = f"{'-' if i.kind == 'manual' else _points(i.points)} / {_points(i.max_points)}"
        status = f"{i.status:<13}"
        if colour:
            status = f"\x1b[{COLOURS.get(i.status, '31')}m{status}\x1b[0m"
        wrapped = []
        for para in i.message.splitlines() or [""]:
            wrapped += textwrap.wrap(para, message_w) or [""]
        lines.append(f"{i.item:<{name_w}}  {pts:>7}  {status}  {wrapped[0]}")
        lines += [" " * (name_w + 26) + w for w in wrapped[1:]]
    lines.append("")
    total = f"Total: {_points(result.score)} / {_points(result.max_score)} automatic points"
    if result.manual_points:
        total += f" (+ {_points(result.manual_points)} graded by hand)"
    lines.append(total)
    return "\n".join(lines)


def as_json(result: LabResult) -> str:
    return json.dumps(result.as_dict(), indent=2)
