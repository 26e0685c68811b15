"""Is every lab's assessment proven? One parametrised set of checks per lab in solutions/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pmle.course import notebooks as nbu

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


def variants(lab: str) -> list[dict]:
    """The lab's misconceptions as variants of the reference: each replaces its cell and is judged up to its item."""
    return [{"name": m["name"], "cell": m["cell"], "code": m["code"], "until": m["item"]}
            for m in catalog(lab).get("misconceptions", [])]


def catalog_run(lab: str):
    """The reference solution graded by `pmle check`, with every misconception judged on the way as if it ran alone.

    The runner forks before each misconception's answer cell (pmle.grading.trusted.Variant): the copy
    plays the entry and the cells after it up to the entry's item; the reference goes on untouched.
    Its items are the reference's verdicts (test_grade_labs holds them to the unforked run of the
    notebook in a kernel, test_forked_variants_agree_with_solo_runs holds a variant to a solo run).
    """
    return grade(source(lab), lab, variants=variants(lab))


@pytest.mark.parametrize("lab", LABS)
def test_solution_earns_full_marks(lab):
    """Does the reference solution earn every automatic point?"""
    result = catalog_run(lab)
    failed = [f"{i.item}: {i.status}: {i.message}" for i in result.items if i.kind == "auto" and i.status != "pass"]
    assert not failed, "\n".join(failed)
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("lab", LABS)
def test_blank_release_earns_zero(lab):
    """Does the untouched release run to the end and earn nothing on every automatic item?"""
    result = grade(release(lab), lab)
    earned = [f"{i.item}: {i.status}" for i in result.items if i.kind == "auto" and i.points > 0]
    assert not earned, "\n".join(earned)
    assert all(i.status != "not run" for i in result.items), "the release did not run to the end"


@pytest.mark.parametrize("lab", LABS)
def test_every_item_has_a_misconception(lab):
    """Does every automatic item have at least one recorded misconception?"""
    entries = catalog(lab).get("misconceptions", [])
    covered = {m["item"] for m in entries}
    assert all({"name", "cell", "item", "message", "code"} <= set(m) for m in entries), "incomplete catalog entry"
    assert auto_items(lab) <= covered, f"items without a misconception: {sorted(auto_items(lab) - covered)}"


def with_answers(lab: str, entries: list[dict]):
    notebook = source(lab)
    for entry in entries:
        replace_cell(notebook, entry["cell"], entry["code"])
    return notebook


def rejection_problem(judged, entry: dict) -> str | None:
    """None when the entry's item lost its points with the recorded message; else what went wrong."""
    item = judged.item(entry["item"])
    if item is None:
        return f"{entry['name']}: {entry['item']} was not judged"
    if item.points != 0:
        return f"{entry['name']}: {entry['item']} still earned {item.points}"
    if entry["message"].lower() not in item.message.lower():
        return f"{entry['name']}: {entry['item']} said: {item.message}"
    return None


@pytest.mark.parametrize("lab", [lab for lab in LABS if catalog(lab).get("misconceptions")])
def test_misconceptions_are_rejected(lab):
    """Does every recorded misconception, alone in the reference, lose its item's points with a message that names the mistake?"""
    problems = []
    judged = {v.name: v for v in catalog_run(lab).variants}
    for entry in catalog(lab)["misconceptions"]:
        variant = judged.get(entry["name"])
        if variant is None or variant.status != "graded":
            problems.append(f"{entry['name']}: {variant.status + ' ' + variant.detail if variant else 'not judged'}")
        elif problem := rejection_problem(variant, entry):
            problems.append(problem)
    assert not problems, "\n".join(problems)


def last_entry(lab: str) -> dict:
    """The misconception judged last: the latest answer cell, after every other variant of it ran."""
    cells = [nbu.grade_id(c) for c in source(lab).cells if nbu.is_solution(c)]
    entries = catalog(lab)["misconceptions"]
    return max(entries, key=lambda e: (cells.index(e["cell"]), entries.index(e)))


@pytest.mark.parametrize("lab", [lab for lab in LABS if catalog(lab).get("misconceptions")])
def test_forked_variants_agree_with_solo_runs(lab):
    """Is a forked variant judged exactly as the notebook with that one change, run alone from the top?

    Checked on the entry judged last (the most state, and every other variant of its cell, before it):
    every item it judged has the solo run's status, points and message.
    """
    entry = last_entry(lab)
    variant = next(v for v in catalog_run(lab).variants if v.name == entry["name"])
    solo = grade(with_answers(lab, [entry]), lab)
    assert variant.status == "graded" and variant.items, variant
    differences = [f"{i.item}: variant {i.status} {i.points} {i.message!r} != solo {s.status} {s.points} {s.message!r}"
                   for i in variant.items if (s := solo.item(i.item)) and (i.status, i.points, i.message) != (s.status, s.points, s.message)]
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize("lab", [lab for lab in LABS if catalog(lab).get("alternatives")])
def test_alternatives_earn_full_marks(lab):
    """Does every recorded second correct approach earn full marks (all together, else one by one)?"""
    def failures(entries):
        result = grade(with_answers(lab, entries), lab)
        return [f"{i.item}: {i.message}" for i in result.items if i.kind == "auto" and i.status != "pass"]

    alternatives = catalog(lab)["alternatives"]
    if not failures(alternatives):
        return
    problems = [f"{entry['name']}: {'; '.join(found)}" for entry in alternatives if (found := failures([entry]))]
    assert not problems, "\n".join(problems)


def test_release_is_in_sync():
    """Is labs/ exactly what `pmle release` generates from solutions/?"""
    done = subprocess.run([sys.executable, "-m", "pmle", "release", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("lab", LABS)
def test_lab_has_header_and_parameters(lab):
    """Does the lab open with objectives, time and exam sections as its metadata states them, and have a parameters cell?"""
    from conftest import lab_checks

    info = lab_checks(lab).info
    nb = source(lab)
    header = nb.cells[0].source
    for needed in ("estimated time", "learning objectives", "pmle exam guide", "prerequisites", "data"):
        assert needed in header.lower(), f"header lacks {needed!r}"
    title = header.splitlines()[0]
    assert title == f"# Lab {info.number} · {info.title}", title
    assert f"{info.minutes[0]}–{info.minutes[1]} minutes" in header, "the estimated time differs from LabInfo.minutes"
    for dataset in info.datasets:
        assert f"`{dataset}`" in header, f"the header does not name the data set {dataset!r}"
    for section in info.exam_sections:
        assert f"Section {section}," in header, f"the header does not name exam section {section}"
    assert sum(nbu.has_tag(c, "parameters") for c in nb.cells) == 1, "exactly one cell tagged 'parameters'"


def test_readme_lab_table_is_the_labs_metadata():
    """Is the README's table of labs the one their metadata gives (so it never drifts)?"""
    from pmle.course.release import lab_table

    assert lab_table(ROOT) in (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(lab_table(ROOT).splitlines()) == 2 + len(LABS)


@pytest.mark.parametrize("lab", LABS)
def test_catalog_is_well_formed(lab):
    """Without a kernel: are the catalog's names unique, its cells and items real, and its code valid Python?"""
    from conftest import lab_checks

    entries = catalog(lab)
    answers = {nbu.grade_id(c) for c in source(lab).cells if nbu.is_solution(c) and c.cell_type == "code"}
    items = set(lab_checks(lab).items)
    names = [e["name"] for kind in ("misconceptions", "alternatives") for e in entries.get(kind, [])]
    assert len(names) == len(set(names)), "duplicated catalog names"
    for kind in ("misconceptions", "alternatives"):
        for entry in entries.get(kind, []):
            assert entry["cell"] in answers, f"{entry['name']}: no answer cell {entry['cell']!r}"
            compile(entry["code"], entry["name"], "exec")
            if kind == "misconceptions":
                assert entry["item"] in items, f"{entry['name']}: no item {entry['item']!r}"
                assert entry["message"].strip(), f"{entry['name']}: empty message fragment"


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


def test_the_checks_never_reach_the_release():
    """Does nothing in labs/ carry the checks' code or the reference solutions' markers?"""
    for path in (ROOT / "labs").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in ("LabChecks(", "@lab.item(", "carry_forward(", "BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
                assert marker not in text, f"{path.relative_to(ROOT)} contains {marker!r}"


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
    """Does the solution run headless (papermill, a real kernel) without errors, within its budget, every check cell showing its pass?

    The budget (LabInfo: 20 s, 1 GiB by default) itself is reported by `make bench` on a quiet machine;
    here, beside other tests running in parallel, the time is only held to three times the budget so the
    check is not flaky. Each check cell must show the verdict `pmle check` gives the reference, in status
    and message: the in-kernel check agrees with the grader, and the catalog run's reference (which
    forked for every misconception) is judged as the plain notebook is.
    """
    from conftest import lab_checks

    info = lab_checks(lab).info
    done = subprocess.run([sys.executable, "-m", "pmle.bench", "--one", lab], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert row["errors"] == 0
    assert row["peak_mb"] < info.budget_mb
    assert row["seconds"] < 3 * info.budget_seconds
    checked = {i.item: [i.status, i.message] for i in catalog_run(lab).items if i.kind == "auto"}
    assert row["verdicts"] == checked
