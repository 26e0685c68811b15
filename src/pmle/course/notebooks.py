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
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookError(f"{label}: is not a Jupyter notebook (no list of cells).")
    if raw.get("nbformat") != 4:
        raise NotebookError(f"{label}: has nbformat {raw.get('nbformat')!r}; only version 4 notebooks are supported.")
    try:
        return nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed content
        raise NotebookError(f"{label}: malformed notebook ({exc}).") from None


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
    except SyntaxError:  # a cell that does not compile: the names it assigns at the start of a line
        targets = re.findall(r"^([A-Za-z_][\w\s,]*?)\s*=[^=]", source, flags=re.M)
        return {name for line in targets for name in re.split(r"\s*,\s*", line.strip()) if name.isidentifier()}
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
