"""Is every lab's assessment proven? One parametrised set of checks per lab in solutions/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pmle import notebooks as nbu
from pmle import paths

from conftest import LABS, ROOT, grade, release, source

CATALOG = Path(__file__).parent / "catalog"


def catalog(lab: str) -> dict:
    path = CATALOG / f"{lab}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def replace_cell(notebook, grade_id: str, code: str):
    matches = [c for c in notebook.cells if nbu.grade_id(c) == grade_id]
    assert len(matches) == 1, f"catalog names answer cell {grade_id!r}, found {len(matches)}"
    assert nbu.is_solution(matches[0]), f"{grade_id!r} is not an answer cell"
    matches[0].source = code
    return notebook


def auto_items(lab: str) -> set[str]:
    return {nbu.grade_id(c) for c in source(lab).cells if nbu.is_test(c)}


def test_there_are_labs():
    """Is there at least one lab, so the parametrised checks below run at all?"""
    assert LABS, "no labs found in solutions/"


@pytest.mark.parametrize("lab", LABS)
def test_solution_earns_full_marks(lab, tmp_path):
    """Does the reference solution earn every automatic point?"""
    result = grade(source(lab), lab, tmp_path)
    failed = [f"{i.item}: {i.status}: {i.message}" for i in result.items if i.kind == "auto" and i.status != "pass"]
    assert not failed, "\n".join(failed)
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("lab", LABS)
def test_blank_release_earns_zero(lab, tmp_path):
    """Does the untouched release run to the end and earn nothing on every automatic item?"""
    result = grade(release(lab), lab, tmp_path)
    earned = [f"{i.item}: {i.status}" for i in result.items if i.kind == "auto" and i.points > 0]
    assert not earned, "\n".join(earned)
    assert all(i.status != "not run" for i in result.items), "the release did not run to the end"


@pytest.mark.parametrize("lab", LABS)
def test_every_item_has_a_misconception(lab):
    """Does every automatic item have at least one recorded misconception?"""
    covered = {m["item"] for m in catalog(lab).get("misconceptions", [])}
    assert auto_items(lab) <= covered, f"items without a misconception: {sorted(auto_items(lab) - covered)}"


def _cases(kind: str):
    return [pytest.param(lab, i, entry, id=f"{lab}-{entry.get('name', i)}")
            for lab in LABS for i, entry in enumerate(catalog(lab).get(kind, []))]


@pytest.mark.parametrize(("lab", "index", "entry"), _cases("misconceptions"))
def test_misconception_is_rejected(lab, index, entry, tmp_path):
    """Does this plausible wrong answer lose the item's points, with a message that names the mistake?"""
    notebook = replace_cell(source(lab), entry["cell"], entry["code"])
    result = grade(notebook, lab, tmp_path).item(entry["item"])
    assert result.points == 0, f"{entry['item']} still earned {result.points}"
    assert entry["message"].lower() in result.message.lower(), f"message was: {result.message}"


@pytest.mark.parametrize(("lab", "index", "entry"), _cases("alternatives"))
def test_alternative_earns_full_marks(lab, index, entry, tmp_path):
    """Does a second correct approach earn full marks too?"""
    notebook = replace_cell(source(lab), entry["cell"], entry["code"])
    result = grade(notebook, lab, tmp_path)
    failed = [f"{i.item}: {i.message}" for i in result.items if i.kind == "auto" and i.status != "pass"]
    assert not failed, "\n".join(failed)


def test_release_is_in_sync():
    """Is labs/ exactly what `pmle release` generates from solutions/?"""
    done = subprocess.run([sys.executable, "-m", "pmle", "release", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("lab", LABS)
def test_lab_has_header_and_parameters(lab):
    """Does the lab open with objectives, time and exam sections, and have a papermill parameters cell?"""
    nb = source(lab)
    header = nb.cells[0].source.lower()
    for needed in ("estimated time", "learning objectives", "pmle exam guide", "prerequisites", "data"):
        assert needed in header, f"header lacks {needed!r}"
    assert sum(nbu.has_tag(c, "parameters") for c in nb.cells) == 1, "exactly one cell tagged 'parameters'"


@pytest.mark.parametrize("lab", LABS)
def test_lab_item_counts(lab):
    """Does the lab have 8 to 15 graded items, at least one written, with hints?"""
    nb = source(lab)
    graded = [c for c in nb.cells if nbu.is_grade(c)]
    assert 8 <= len(graded) <= 15, f"{len(graded)} graded items"
    assert any(nbu.is_manual(c) for c in graded), "no manually graded written answer"
    assert sum("<summary>Hint" in c.source for c in nb.cells if c.cell_type == "markdown") >= len(auto_items(lab))
    ids = [nbu.grade_id(c) for c in nb.cells if nbu.grade_id(c)]
    assert len(ids) == len(set(ids)), "duplicated grade ids"


def test_no_notebook_in_git_carries_outputs():
    """Are all committed notebooks free of outputs and execution counts?"""
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    dirty = []
    for name in listed:
        raw = json.loads((ROOT / name).read_text(encoding="utf-8"))
        for cell in raw["cells"]:
            if cell.get("outputs") or cell.get("execution_count") is not None:
                dirty.append(name)
                break
    assert not dirty, f"notebooks with outputs: {dirty}"


@pytest.mark.parametrize("lab", LABS)
def test_solution_within_budget(lab):
    """Does the solution run headless without errors, under 1 GiB of kernel memory and well under the time limit?

    The 20 s budget itself is reported by `make bench` on a quiet machine; here, beside other tests
    running in parallel, the time is only held to three times the budget so the check is not flaky.
    """
    from pmle.bench import MEMORY_BUDGET_MB, TIME_BUDGET_S

    done = subprocess.run([sys.executable, "-m", "pmle.bench", "--one", lab], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert row["errors"] == 0
    assert row["peak_mb"] < MEMORY_BUDGET_MB
    assert row["seconds"] < 3 * TIME_BUDGET_S
