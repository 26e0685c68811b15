"""Does the learner's workspace keep their work out of git's files, and does `make lab` open it without instructor controls?"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pmle.cli import main
from pmle.course import workspace

from conftest import LABS, ROOT


@pytest.fixture
def course(tmp_path) -> Path:
    """A copy of the course's release side (labs/, datasets' datasheets, solutions/ for the lab list)."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "labs", root / "labs")
    for lab in LABS:
        (root / "solutions" / lab).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / lab / f"{lab}.ipynb", root / "solutions" / lab)
    for sheet in (ROOT / "datasets").glob("*/DATASHEET.md"):
        (root / "datasets" / sheet.parent.name).mkdir(parents=True)
        shutil.copy(sheet, root / "datasets" / sheet.parent.name)
    return root


def test_first_sync_copies_every_lab_and_the_datasheets(course):
    """Does the first sync copy each released lab and every datasheet into work/?"""
    notes = workspace.sync(course)
    assert len(notes) == len(LABS)
    for lab in LABS:
        assert workspace.notebook(course, lab).read_bytes() == (course / "labs" / lab / f"{lab}.ipynb").read_bytes()
    assert (course / "work" / "datasheets" / "churn.md").read_text() == (course / "datasets/churn/DATASHEET.md").read_text()


def test_the_learners_copy_is_never_overwritten(course):
    """After the learner edits a lab and a new release arrives, is their copy kept and the release only offered?"""
    workspace.sync(course)
    mine = workspace.notebook(course, LABS[0])
    mine.write_text(mine.read_text().replace("Your answer", "My answer"))
    release = course / "labs" / LABS[0] / f"{LABS[0]}.ipynb"
    release.write_text(release.read_text().replace("Hint 1", "First hint"))
    notes = workspace.sync(course)
    assert "My answer" in mine.read_text()
    assert any("newer release" in n and LABS[0] in n for n in notes)
    kept = workspace.update(course, LABS[0])
    assert "My answer" in kept.read_text() and "First hint" in mine.read_text()
    assert not any("newer release" in n for n in workspace.sync(course))


def test_new_labs_appear_after_a_pull(course):
    """Does a lab released after the first sync appear, without touching the others?"""
    workspace.sync(course)
    shutil.copytree(course / "labs" / LABS[0], course / "labs" / "99_new")
    (course / "labs" / "99_new" / f"{LABS[0]}.ipynb").rename(course / "labs" / "99_new" / "99_new.ipynb")
    (course / "solutions" / "99_new").mkdir()
    shutil.copy(course / "labs" / "99_new" / "99_new.ipynb", course / "solutions" / "99_new")
    notes = workspace.sync(course)
    assert notes == ["new lab: work/99_new/"] and workspace.notebook(course, "99_new").exists()


@pytest.mark.parametrize("text, lab", [("1", LABS[0]), ("01", LABS[0]), (LABS[0], LABS[0]), (f"{LABS[0]}/", LABS[0])])
def test_labs_are_named_by_number_or_id(text, lab):
    """Are "1", "01" and "01_framing" all lab 01?"""
    assert workspace.lab_id(ROOT, text) == lab


def test_an_unknown_lab_is_one_clear_error(capsys):
    """Does `pmle check 42` say there is no such lab, in one line with the list of labs?"""
    assert main(["check", "42"]) == 2
    err = capsys.readouterr().err
    assert "no lab '42'" in err and LABS[0] in err and "Traceback" not in err


def test_learners_jupyter_has_no_nbgrader_controls(course):
    """Are nbgrader's server and lab extensions switched off for learners, and on for `make instructor`?"""
    argv, env = workspace.jupyter_command(course, 9999, ["--no-browser"])
    assert f"--notebook-dir={course / 'work'}" in argv and "--port=9999" in argv and argv[-1] == "--no-browser"
    config = Path(env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0])
    server = json.loads((config / "jupyter_server_config.json").read_text())["ServerApp"]
    assert set(server["jpserver_extensions"]) == set(workspace.NBGRADER_SERVER_EXTENSIONS)
    assert not any(server["jpserver_extensions"].values())
    page = json.loads((config / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {workspace.NBGRADER_LAB_EXTENSION: True, workspace.NEWS_PLUGIN: True}

    argv, env = workspace.jupyter_command(course, 9999, instructor=True)
    config = Path(env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0])
    assert f"--notebook-dir={course}" in argv
    assert "jpserver_extensions" not in json.loads((config / "jupyter_server_config.json").read_text())["ServerApp"]


def test_jupyterlab_sees_the_extensions_off(course):
    """Does JupyterLab itself, with the learner's environment, list nbgrader's lab extension as disabled?"""
    _, env = workspace.jupyter_command(course)
    done = subprocess.run([str(Path(sys.executable).parent / "jupyter"), "labextension", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    listing = done.stdout + done.stderr
    line = next(line for line in listing.splitlines() if workspace.NBGRADER_LAB_EXTENSION in line and "v0" in line)
    assert "disabled" in line


def test_terminals_get_pmle_on_path_even_after_a_login_reset(course):
    """Does a JupyterLab terminal find `pmle` even when the login profile has reset PATH?"""
    _, env = workspace.jupyter_command(course)
    config = Path(env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0])
    shell = json.loads((config / "jupyter_server_config.json").read_text())["ServerApp"]["terminado_settings"]["shell_command"]
    plain = {"PATH": "/usr/bin:/bin", "HOME": str(course), "TERM": "dumb"}
    (course / "work").mkdir(exist_ok=True)
    done = subprocess.run(shell, input="command -v pmle\necho root=$PMLE_COURSE_ROOT\necho cwd=$PWD\nexit\n", env=plain,
                          capture_output=True, text=True, timeout=60)
    assert str(Path(sys.executable).parent / "pmle") in done.stdout
    assert f"root={course}" in done.stdout and f"cwd={course / 'work'}" in done.stdout, "it opens in the workspace"


def test_git_ignores_the_workspace():
    """Is work/ ignored by git, so the learner's work never collides with tracked files?"""
    done = subprocess.run(["git", "check-ignore", "work/01_framing/01_framing.ipynb"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0
