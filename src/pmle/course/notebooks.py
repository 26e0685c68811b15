"""Reading notebooks safely and telling nbgrader's kinds of cells apart."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat

from pmle.errors import NotebookError

MAX_BYTES = 50 * 2**20  # a lab notebook with outputs is well under 10 MB


def read(path: str | Path) -> nbformat.NotebookNode:
    """A notebook from disk, or NotebookError saying in one line why it can't be one."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(f"{path}: no such file.")
    if path.is_dir():
        raise NotebookError(f"{path}: is a folder, not a notebook.")
    if path.suffix != ".ipynb":
        raise NotebookError(f"{path}: not a notebook (expected a .ipynb file).")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise NotebookError(f"{path}: is {path.stat().st_size / 2**20:.0f} MB; notebooks over {MAX_BYTES // 2**20} MB are refused.")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path}: cannot be read ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path}: is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    except RecursionError:
        raise NotebookError(f"{path}: is not a notebook (its JSON is nested too deeply).") from None
    return from_dict(raw, str(path))


def from_dict(raw: object, label: str = "notebook") -> nbformat.NotebookNode:
    """A notebook from its JSON, or NotebookError when it does not follow the notebook format (nbformat 4's schema).

    nbformat itself only logs a schema violation and returns the notebook, so a cell whose ``source`` is
    a number would reach (and crash) whatever reads it next; here it is refused with a short reason.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookError(f"{label}: is not a Jupyter notebook (no list of cells).")
    if raw.get("nbformat") != 4:
        raise NotebookError(f"{label}: has nbformat {_short(raw.get('nbformat'))}; only version 4 notebooks are supported.")
    problem = next((f"cell {i + 1}: is not a cell" for i, c in enumerate(raw["cells"]) if not isinstance(c, dict)), None)
    if problem is None and (type(raw.get("nbformat")) is not int or type(raw.get("nbformat_minor")) is not int):
        problem = "the notebook: its nbformat and nbformat_minor should be whole numbers"
    problem = problem or schema_problem(raw)
    if problem:
        raise NotebookError(f"{label}: is not a valid notebook ({problem}).")
    try:
        return nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed content
        raise NotebookError(f"{label}: malformed notebook ({_short(exc, 120)}).") from None


_TYPES = {"string": "text", "array": "a list", "object": "a mapping", "integer": "a whole number",
          "number": "a number", "boolean": "true or false", "null": "null"}


def _short(value: object, limit: int = 40) -> str:
    """``value`` on one printable line of at most ``limit`` characters (it may come from a learner's file)."""
    flat = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def schema_problem(raw: dict) -> str | None:
    """Why ``raw`` breaks nbformat's schema, in a few words naming the cell and field (None when it is valid).

    Duplicate or missing cell ids are not problems: nbformat repairs them (in ``raw``), as Jupyter does.
    """
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns for each id it repairs
            nbformat.validate(raw)
    except nbformat.ValidationError as exc:
        return _describe(exc, raw)
    except RecursionError:
        return "it is nested too deeply"
    except Exception as exc:  # the validator choking on malformed content is the same verdict
        return f"it does not follow the notebook format ({_short(exc, 80) or type(exc).__name__})"
    return None


def _describe(exc, raw: dict) -> str:
    path = list(getattr(exc, "absolute_path", None) or getattr(exc, "path", None) or [])
    where = "the notebook"
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        cell = raw["cells"][path[1]] if path[1] < len(raw["cells"]) else None
        kind = cell.get("cell_type") if isinstance(cell, dict) else None
        where = f"cell {path[1] + 1}" + (f", {kind}" if kind in ("code", "markdown", "raw") else "")
        path = path[2:]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{_short(p, 30)}" for p in path).lstrip(".")
    subject = f"{where}: its {field}" if field else f"{where}:"
    validator, expected = getattr(exc, "validator", None), getattr(exc, "validator_value", None)
    context = [c for c in (getattr(exc, "context", None) or []) if getattr(c, "validator", None) == "type"]
    if validator == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected or [])
        return f"{subject} should be " + " or ".join(_TYPES.get(t, str(t)) for t in wanted)
    if path and path[-1] == "source" and validator in ("oneOf", "anyOf", "type"):
        return f"{subject} should be text or a list of lines of text"
    if validator in ("oneOf", "anyOf") and context and len(context) == len(exc.context):
        wanted = dict.fromkeys(_TYPES.get(c.validator_value, str(c.validator_value)) for c in context
                               if isinstance(c.validator_value, str))
        return f"{subject} should be " + " or ".join(wanted)
    if validator in ("oneOf", "anyOf") and not field and where != "the notebook":
        return f"{where}: is not a code, markdown or raw cell of nbformat 4"
    if validator == "required":
        found = re.match(r"'([^']{1,40})' is a required property", str(getattr(exc, "message", "")))
        return f"{subject} lacks the required field {found.group(1)!r}" if found else f"{subject} lacks a required field"
    if validator == "additionalProperties":
        found = re.search(r"\((.*) (?:was|were) unexpected\)", str(getattr(exc, "message", "")))
        return f"{subject} has a field the format does not allow" + (f" ({_short(found.group(1))})" if found else "")
    if validator in ("pattern", "enum", "const", "format"):
        return f"{subject} is not one of the allowed values"
    if validator in ("maxLength", "minLength", "maxItems", "minItems"):
        return f"{subject} has the wrong length"
    return f"{subject} does not follow the notebook format"


def nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    value = nbgrader(cell).get("grade_id")
    return value if isinstance(value, str) else None


def is_grade(cell) -> bool:
    return bool(nbgrader(cell).get("grade"))


def is_solution(cell) -> bool:
    return bool(nbgrader(cell).get("solution"))


def is_locked(cell) -> bool:
    return bool(nbgrader(cell).get("locked"))


def is_test(cell) -> bool:
    """An auto-graded test cell: a graded code cell that is not an answer."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def is_manual(cell) -> bool:
    """A graded answer cell: graded by hand (written answers)."""
    return is_grade(cell) and is_solution(cell)


def points(cell) -> float:
    return float(nbgrader(cell).get("points", 0) or 0)


def has_tag(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Outputs and execution counts removed, in place; returns the notebook."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("execution", None)
    return nb


def bound_names(source: str) -> set[str]:
    """Names a cell binds at its top level (assignments, defs, imports, loop targets)."""
    try:
        tree = ast.parse(source)
        return _bound_in(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeError):
        # a cell that does not compile (or that the parser can't hold: a lone surrogate, a 60,000-term
        # expression): the names it assigns at the start of a line
        targets = re.findall(r"^([A-Za-z_][\w\s,]*?)\s*=[^=]", source, flags=re.M)
        return {name for line in targets for name in re.split(r"\s*,\s*", line.strip()) if name.isidentifier()}


def _bound_in(tree) -> set[str]:
    names: set[str] = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def lab_of(nb) -> str | None:
    """The lab id a notebook's metadata names (``metadata.pmle.lab``), or None."""
    meta = nb.get("metadata", {}).get("pmle") if isinstance(nb.get("metadata"), dict) else None
    lab = meta.get("lab") if isinstance(meta, dict) else None
    return lab if isinstance(lab, str) else None
