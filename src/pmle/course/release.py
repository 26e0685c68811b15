"""Generate labs/ from solutions/ with nbgrader's own generate_assignment, deterministically."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from pmle.course import notebooks as nbu
from pmle.course import paths
from pmle.errors import PmleError


def nbgrader_env() -> dict[str, str]:
    """nbgrader runs `alembic` from PATH: make sure this interpreter's scripts folder is on it."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def generate(root: Path, lab: str, out: Path) -> Path:
    """Run `nbgrader generate_assignment` for ``lab`` into ``out``/lab (no gradebook writes)."""
    command = [
        sys.executable, "-m", "nbgrader", "generate_assignment", lab,
        "--force", "--no-db", "--log-level=ERROR",
        f"--CourseDirectory.root={root}",
        f"--CourseDirectory.release_directory={out}",
    ]
    done = subprocess.run(command, cwd=root, env=nbgrader_env(), capture_output=True, text=True)
    target = out / lab
    if done.returncode != 0 or not target.is_dir():
        raise PmleError(f"nbgrader could not generate {lab}:\n{(done.stderr or done.stdout).strip()[-2000:]}")
    for notebook in target.glob("*.ipynb"):
        normalise(notebook)
    return target


def normalise(path: Path) -> None:
    """Outputs and execution counts cleared; nbformat's canonical JSON with a final newline."""
    nb = nbformat.read(path, as_version=4)
    nbu.strip_outputs(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ between two folders, either way round."""
    def files(folder: Path) -> set[str]:
        if not folder.is_dir():
            return set()
        return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    ours, theirs = files(expected), files(actual)
    changed = {f for f in ours & theirs if not filecmp.cmp(expected / f, actual / f, shallow=False)}
    return sorted((ours ^ theirs) | changed)


MANIFEST = Path("src", "pmle", "course", "manifest.json")  # in the course root: the package's public list of items


def manifest_text(root: Path) -> str:
    """The public list of each lab's title and items with the names they grade (read by pmle.lab without the course side)."""
    from pmle.course import labs as course_labs

    data = {}
    for checks in course_labs.all_labs(root):
        data[checks.info.id] = {"title": checks.info.title,
                                "items": {item.id: list(item.reads) for item in checks.items.values()}}
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


TABLE_START = "<!-- lab table: written by `pmle release` from each lab's LabInfo (autograder/checks) -->"
TABLE_END = "<!-- end of lab table -->"


def lab_table(root: Path) -> str:
    """The README's table of labs, from the labs' metadata."""
    from pmle.course import labs as course_labs

    rows = ["| lab | topic | time | data | exam sections |", "|---|---|---|---|---|"]
    for checks in course_labs.all_labs(root):
        info = checks.info
        rows.append(f"| {info.number} | {info.title} | {info.minutes[0]}-{info.minutes[1]} min | "
                    f"{', '.join(f'`{d}`' for d in info.datasets)} | {', '.join(map(str, sorted(info.exam_sections)))} |")
    return "\n".join(rows)


def readme_with_table(root: Path) -> str | None:
    """README.md with its lab table brought up to date (None when the README has no table markers)."""
    readme = root / "README.md"
    if not readme.exists():
        return None
    text = readme.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        return None
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{TABLE_START}\n{lab_table(root)}\n{TABLE_END}{tail}"


def release(root: Path, labs: list[str] | None = None, check: bool = False) -> list[str]:
    """Regenerate labs/ (or, with ``check``, only compare); returns the out-of-date files."""
    labs = labs or paths.lab_ids(root)
    stale: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pmle-release-") as tmp:
        for lab in labs:
            fresh = generate(root, lab, Path(tmp))
            current = root / "labs" / lab
            stale += [f"labs/{lab}/{name}" for name in differences(fresh, current)]
            if not check:
                shutil.rmtree(current, ignore_errors=True)
                shutil.copytree(fresh, current)
        target = root / MANIFEST
        if target.parent.is_dir():  # a checkout of this project (a course folder of its own has no package)
            manifest = manifest_text(root)
            if not target.exists() or target.read_text(encoding="utf-8") != manifest:
                stale.append(str(MANIFEST))
                if not check:
                    target.write_text(manifest, encoding="utf-8")
        readme = readme_with_table(root)
        if readme is not None and readme != (root / "README.md").read_text(encoding="utf-8"):
            stale.append("README.md (lab table)")
            if not check:
                (root / "README.md").write_text(readme, encoding="utf-8")
        known = set(labs) | set(paths.lab_ids(root))
        if (root / "labs").is_dir():
            orphans = [p for p in (root / "labs").iterdir() if p.is_dir() and p.name not in known]
            stale += [f"labs/{p.name}/ (no source in solutions/)" for p in orphans]
            if not check:
                for orphan in orphans:
                    shutil.rmtree(orphan)
    return stale
