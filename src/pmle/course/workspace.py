"""The learner's workspace: a git-ignored folder where their copies of the labs live, never in labs/.

`make lab` (``pmle lab``) copies each lab from labs/ into ``work/`` on first use and never overwrites
a copy after that, so a ``git pull`` never conflicts with the learner's work. New labs appear after a
pull; a lab whose release changed since it was copied is *offered* (``pmle workspace --update 02``
keeps the learner's copy beside the new one), not forced. The data sets' datasheets are copied into
``work/datasheets/`` so the labs' links open inside JupyterLab.

JupyterLab is started for learners without nbgrader's instructor controls (formgrader, Validate,
Create Assignment), and its terminals get the project's environment on PATH however JupyterLab was
started. ``pmle lab --instructor`` opens the course root with nbgrader's controls.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

from pmle.course import paths
from pmle.errors import PmleError

FOLDER = "work"
STATE = ".pmle-workspace.json"
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)
NBGRADER_LAB_EXTENSION = "@jupyter/nbgrader"
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


class WorkspaceError(PmleError):
    hint = "Labs are named by their number or id, for example 01 or 01_framing."


def folder(root: Path) -> Path:
    return root / FOLDER


def notebook(root: Path, lab: str) -> Path:
    return folder(root) / lab / f"{lab}.ipynb"


def lab_id(root: Path, text: str) -> str:
    """The lab id for "1", "01" or "01_framing"."""
    labs = paths.lab_ids(root)
    text = text.strip().rstrip("/")
    if text in labs:
        return text
    if text.isdigit():
        matches = [lab for lab in labs if lab.split("_", 1)[0] == f"{int(text):02d}"]
        if len(matches) == 1:
            return matches[0]
    raise WorkspaceError(f"no lab {text!r}; the labs are {', '.join(labs) or 'none'}.")


def _digest(path: Path) -> str:
    """A fingerprint of a released lab folder (its files and their bytes)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _state(root: Path) -> dict:
    try:
        state = json.loads((folder(root) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save_state(root: Path, state: dict) -> None:
    (folder(root) / STATE).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def sync(root: Path) -> list[str]:
    """Copy new labs and the datasheets into the workspace; returns what the learner should be told."""
    work = folder(root)
    work.mkdir(exist_ok=True)
    state = _state(root)
    notes = []
    for lab in paths.lab_ids(root):
        release = root / "labs" / lab
        if not release.is_dir():
            continue
        digest = _digest(release)
        mine = work / lab
        if not mine.exists():
            shutil.copytree(release, mine)
            state[lab] = digest
            notes.append(f"new lab: {FOLDER}/{lab}/")
        elif state.get(lab) != digest:
            notes.append(f"lab {lab} has a newer release than your copy. Your copy is kept; "
                         f"`pmle workspace --update {lab.split('_', 1)[0]}` puts the new one beside it.")
    _copy_datasheets(root, work / "datasheets")
    _save_state(root, state)
    return notes


def update(root: Path, lab: str) -> Path:
    """Replace the learner's copy of ``lab`` by the current release, keeping theirs; returns where theirs went."""
    release = root / "labs" / lab
    mine = notebook(root, lab)
    kept = mine.with_name(f"{lab}.mine-{time.strftime('%Y%m%d-%H%M%S')}.ipynb")
    if mine.exists():
        mine.rename(kept)
    for file in release.rglob("*"):
        if file.is_file():
            target = folder(root) / lab / file.relative_to(release)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
    state = _state(root)
    state[lab] = _digest(release)
    _save_state(root, state)
    return kept


def _copy_datasheets(root: Path, target: Path) -> None:
    target.mkdir(exist_ok=True)
    for sheet in sorted((root / "datasets").glob("*/DATASHEET.md")):
        copy = target / f"{sheet.parent.name}.md"
        if not copy.exists() or copy.read_bytes() != sheet.read_bytes():
            shutil.copyfile(sheet, copy)


# ---------------------------------------------------------------- JupyterLab for learners


def jupyter_config(root: Path, instructor: bool = False) -> Path:
    """A Jupyter config folder for this course: terminals get PATH; learners get no nbgrader controls."""
    config = (root / "grading" / ".jupyter-instructor") if instructor else (folder(root) / ".pmle" / "jupyter")
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    scripts = Path(sys.executable).parent
    rc = config / "terminal-rc.sh"
    home = root if instructor else folder(root)
    rc.write_text("# JupyterLab terminals of this course (written by pmle lab): the project's tools on PATH.\n"
                  '[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n'
                  f'export PATH="{scripts}:$PATH"\n'
                  f'export PMLE_COURSE_ROOT="{root}"\n'
                  f'cd "{home}"\n', encoding="utf-8")
    server = {"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash", "--rcfile", str(rc), "-i"]}}}
    page = {"disabledExtensions": {NEWS_PLUGIN: True}}  # the course is offline: no news pop-up asking to fetch any
    if not instructor:
        server["ServerApp"]["jpserver_extensions"] = {name: False for name in NBGRADER_SERVER_EXTENSIONS}
        page["disabledExtensions"][NBGRADER_LAB_EXTENSION] = True
    (config / "jupyter_server_config.json").write_text(json.dumps(server, indent=1) + "\n", encoding="utf-8")
    (config / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1) + "\n", encoding="utf-8")
    return config


def jupyter_command(root: Path, port: int = 8888, extra: list[str] = (), instructor: bool = False) -> tuple[list[str], dict]:
    """The command and environment that open JupyterLab on the workspace (or, for instructors, the course root)."""
    config = jupyter_config(root, instructor)
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(config), *filter(None, [env.get("JUPYTER_CONFIG_PATH")])])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PMLE_COURSE_ROOT"] = str(root)
    argv = [str(Path(sys.executable).parent / "jupyter"), "lab", f"--notebook-dir={root if instructor else folder(root)}",
            f"--port={port}"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")  # containers and CI run as root; JupyterLab refuses that unless told
    return argv + list(extra), env
