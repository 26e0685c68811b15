"""Where the course lives: the folder with solutions/, labs/ and nbgrader_config.py."""

from __future__ import annotations

import os
from pathlib import Path

from pmle.errors import CourseNotFound


def is_course_root(path: Path) -> bool:
    return (path / "solutions").is_dir() and (path / "nbgrader_config.py").is_file()


def course_root(start: str | os.PathLike | None = None) -> Path:
    """PMLE_COURSE_ROOT, else the nearest course folder above ``start`` or the cwd, else this checkout."""
    if os.environ.get("PMLE_COURSE_ROOT"):
        root = Path(os.environ["PMLE_COURSE_ROOT"]).resolve()
        if not is_course_root(root):
            raise CourseNotFound(f"PMLE_COURSE_ROOT={root} has no solutions/ and nbgrader_config.py.")
        return root
    candidates = [Path(start).resolve()] if start else []
    candidates += [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for candidate in candidates:
        for folder in [candidate, *candidate.parents]:
            if is_course_root(folder):
                return folder
    raise CourseNotFound("Could not find the course folder (one with solutions/ and nbgrader_config.py).")


def lab_ids(root: Path) -> list[str]:
    """Labs with a source notebook, in order: solutions/NN_slug/NN_slug.ipynb."""
    return sorted(p.parent.name for p in (root / "solutions").glob("*/*.ipynb") if p.stem == p.parent.name)


def source_notebook(root: Path, lab: str) -> Path:
    return root / "solutions" / lab / f"{lab}.ipynb"


def release_notebook(root: Path, lab: str) -> Path:
    return root / "labs" / lab / f"{lab}.ipynb"
