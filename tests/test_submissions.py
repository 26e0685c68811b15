"""Does `collect` find each student's notebook in every hand-in layout, safely, and say why when it cannot?"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from pmle.errors import PmleError
from pmle.grading import submissions as subs
from pmle.grading.submissions import Found, SubmissionsError, collect, safe_student_id

LAB = "01_framing"
NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def write(path: Path, data: bytes = NB) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def by_student(found: list[Found]) -> dict[str, Found]:
    rows = {row.student: row for row in found}
    assert len(rows) == len(found), "one row per student"
    return rows


def assert_valid(row: Found) -> None:
    assert row.problem == "" and row.notebook is not None and row.notebook.is_file(), row


def assert_invalid(row: Found, *words: str) -> None:
    assert row.notebook is None and row.problem, row
    for word in words:
        assert word in row.problem, row.problem


# ---- nbgrader layout -------------------------------------------------------------------------------


@pytest.fixture
def nbgrader_course(tmp_path: Path) -> Path:
    submitted = tmp_path / "grading" / "submitted"
    write(submitted / "alice" / LAB / f"{LAB}.ipynb")
    write(submitted / "alice" / LAB / "scratch.ipynb")  # extra notebooks beside the right one are fine
    write(submitted / "bob" / LAB / "mylab.ipynb")
    write(submitted / "bob" / LAB / "notes.txt")
    (submitted / "carol" / LAB).mkdir(parents=True)
    write(submitted / "carol" / LAB / "answers.txt")
    write(submitted / "dave" / "02_evaluation" / "02_evaluation.ipynb")  # did not hand in this lab
    write(submitted / "erin" / LAB / f"{LAB}.ipynb.json")
    (submitted / ".ipynb_checkpoints" / LAB).mkdir(parents=True)
    return tmp_path


def test_nbgrader_layout_finds_each_students_lab_notebook(nbgrader_course: Path, tmp_path: Path):
    """Does the nbgrader layout give the right notebook, name wrong file names, and skip non-submitters?"""
    rows = by_student(collect(nbgrader_course / "grading" / "submitted", LAB, tmp_path / "work"))
    assert list(rows) == ["alice", "bob", "carol", "erin"]
    assert_valid(rows["alice"])
    assert rows["alice"].notebook.name == f"{LAB}.ipynb"
    assert rows["alice"].original == f"alice/{LAB}/{LAB}.ipynb"
    assert_invalid(rows["bob"], f"expected {LAB}.ipynb", "found mylab.ipynb")
    assert "notes.txt" not in rows["bob"].problem
    assert_invalid(rows["carol"])
    assert rows["carol"].problem == "no notebook submitted"
    assert_invalid(rows["erin"], f"{LAB}.ipynb.json")


def test_grading_folder_and_submitted_folder_give_the_same_result(nbgrader_course: Path, tmp_path: Path):
    """Is the course's grading/ folder (which contains submitted/) accepted as well as submitted/ itself?"""
    direct = collect(nbgrader_course / "grading" / "submitted", LAB, tmp_path / "w1")
    via_grading = collect(nbgrader_course / "grading", LAB, tmp_path / "w2")
    assert via_grading == direct


def test_nbgrader_layout_empty_lab_folder_and_download_copy_name(tmp_path: Path):
    """Is an empty lab folder 'no notebook submitted', and a browser's '<lab> (1).ipynb' copy accepted?"""
    submitted = tmp_path / "submitted"
    (submitted / "ann" / LAB).mkdir(parents=True)
    write(submitted / "ben" / LAB / f"{LAB} (1).ipynb")
    write(submitted / "cy" / LAB / f"{LAB}.ipynb")
    write(submitted / "cy" / LAB / f"{LAB} (1).ipynb")
    rows = by_student(collect(submitted, LAB, tmp_path / "work"))
    assert rows["ann"].problem == "no notebook submitted" and rows["ann"].notebook is None
    assert_valid(rows["ben"])
    assert_invalid(rows["cy"], "several notebooks", f"{LAB}.ipynb", f"{LAB} (1).ipynb")


def test_no_student_has_the_lab_is_an_error(tmp_path: Path):
    """When nobody has a <lab>/ folder, is SUBMISSIONS rejected with the lab folders it did find?"""
    write(tmp_path / "submitted" / "dave" / "02_evaluation" / "02_evaluation.ipynb")
    for given in (tmp_path / "submitted", tmp_path):
        with pytest.raises(SubmissionsError, match="02_evaluation") as info:
            collect(given, LAB, tmp_path / "work")
        assert isinstance(info.value, PmleError) and info.value.hint


def test_symlinked_notebook_and_student_folder_are_not_followed(tmp_path: Path):
    """Is a symlinked notebook or student folder reported as a symbolic link instead of being graded?"""
    outside = write(tmp_path / "outside" / "secret.ipynb")
    submitted = tmp_path / "submitted"
    write(submitted / "alice" / LAB / f"{LAB}.ipynb")
    (submitted / "mallory" / LAB).mkdir(parents=True)
    (submitted / "mallory" / LAB / f"{LAB}.ipynb").symlink_to(outside)
    (tmp_path / "outside" / LAB).mkdir()
    (submitted / "trent").symlink_to(tmp_path / "outside", target_is_directory=True)
    rows = by_student(collect(submitted, LAB, tmp_path / "work"))
    assert_valid(rows["alice"])
    assert_invalid(rows["mallory"], "symbolic link")
    assert_invalid(rows["trent"], "symbolic link")


def test_a_fifo_named_like_a_notebook_is_not_graded(tmp_path: Path):
    """Is a special file (a FIFO, which would hang a reader) reported instead of being passed on?"""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    (tmp_path / "submitted" / "pat" / LAB).mkdir(parents=True)
    os.mkfifo(tmp_path / "submitted" / "pat" / LAB / f"{LAB}.ipynb")
    [row] = collect(tmp_path / "submitted", LAB, tmp_path / "work")
    assert_invalid(row, "not a regular file")


def test_student_folders_that_map_to_one_id_both_get_an_id_of_their_own(tmp_path: Path):
    """Do two folder names that sanitise to the same id each get a unique id, both graded, with a note naming both?"""
    write(tmp_path / "submitted" / "José" / LAB / f"{LAB}.ipynb", b"e")
    write(tmp_path / "submitted" / "Jos#" / LAB / f"{LAB}.ipynb", b"#")
    write(tmp_path / "submitted" / "Jos_" / LAB / f"{LAB}.ipynb", b"_")  # the plain id is someone's own
    rows = collect(tmp_path / "submitted", LAB, tmp_path / "work")
    ids = subs.unique_ids([("José", ""), ("Jos#", ""), ("Jos_", "")])
    assert {r.student for r in rows} == {ids[("José", "")][0], ids[("Jos#", "")][0], ids[("Jos_", "")][0]}
    assert len({r.student for r in rows}) == 3
    for row in rows:
        assert_valid(row)
        assert row.student.startswith("Jos_-") and subs.SAFE_ID.fullmatch(row.student)
        assert "José" in row.note and "Jos#" in row.note and row.student in row.note
    assert {r.notebook.read_bytes() for r in rows} == {b"e", b"#", b"_"}
    again = collect(tmp_path / "submitted", LAB, tmp_path / "work2")
    assert [(r.student, r.notebook.read_bytes()) for r in again] == [(r.student, r.notebook.read_bytes()) for r in rows]


# ---- flat folder -----------------------------------------------------------------------------------


def test_flat_folder_of_student_notebooks(tmp_path: Path):
    """Does a folder of <student>.ipynb files give one row per student, ignoring other files?"""
    folder = tmp_path / "handin"
    write(folder / "alice.ipynb")
    write(folder / "Bob Smith.IPYNB")
    write(folder / "carol.ipynb.json")
    write(folder / "dave.txt")
    write(folder / "README.md")
    write(folder / ".DS_Store")
    write(folder / "sub" / "eve.ipynb")  # subfolders are not looked into
    rows = by_student(collect(folder, LAB, tmp_path / "work"))
    assert list(rows) == ["Bob_Smith", "alice", "carol"]
    assert_valid(rows["alice"])
    assert rows["alice"].notebook == (folder / "alice.ipynb").resolve()
    assert_valid(rows["Bob_Smith"])
    assert_invalid(rows["carol"], "carol.ipynb.json")


def test_flat_folder_symlink_same_student_twice_and_lab_named_file(tmp_path: Path):
    """Are a symlinked notebook, one student's two unordered notebooks and a file named after the lab refused?"""
    folder = tmp_path / "handin"
    write(folder / "alice.ipynb")
    write(tmp_path / "elsewhere.ipynb")
    (folder / "mallory.ipynb").symlink_to(tmp_path / "elsewhere.ipynb")
    write(folder / "zed.ipynb")
    write(folder / "zed.IPYNB")
    write(folder / f"{LAB}.ipynb")  # the release notebook, or someone's unrenamed copy
    rows = by_student(collect(folder, LAB, tmp_path / "work"))
    assert_invalid(rows[LAB], "named after the lab")
    assert_valid(rows["alice"])
    assert_invalid(rows["mallory"], "symbolic link")
    assert_invalid(rows["zed"], "several notebooks", "zed.ipynb", "zed.IPYNB")


def test_flat_folder_with_lms_names_uses_the_patterns(tmp_path: Path):
    """Does an unzipped Canvas download name students by Canvas's naming, not by the whole file name?"""
    folder = tmp_path / "unzipped"
    write(folder / "smithbob_340934_208490284_01_framing.ipynb")
    write(folder / "wellslane_334244_394803489_mylab.ipynb")
    rows = by_student(collect(folder, LAB, tmp_path / "work"))
    assert list(rows) == ["smithbob", "wellslane"]
    assert all(row.notebook is not None for row in rows.values())


# ---- zips ------------------------------------------------------------------------------------------


def test_canvas_zip_keeps_the_latest_upload_and_extracts_into_workdir(tmp_path: Path):
    """Are Canvas-named members attributed by student, the newest re-upload kept, and extracted to workdir?"""
    archive = make_zip(tmp_path / "submissions.zip", {
        "smithbob_340934_208490284_01_framing.ipynb": b"old",
        "smithbob_340934_208490999_01_framing-1.ipynb": b"new",
        "wellslane_late_334244_394803489_MyLab.ipynb": b"lane",
        "wellslane_late_334244_394803489_screenshot.png": b"png",
        "doejane_111_222_01_framing.ipynb": b"jane",
        "doejane_111_333_scratch.ipynb": b"scratch",  # a second file in the same hand-in: the lab one wins
    })
    work = tmp_path / "work"
    rows = by_student(collect(archive, LAB, work))
    assert list(rows) == ["doejane", "smithbob", "wellslane"]
    for row in rows.values():
        assert_valid(row)
        assert row.notebook.parent.parent == work
        assert row.notebook.name == f"{LAB}.ipynb"
    assert rows["smithbob"].notebook.read_bytes() == b"new"
    assert rows["smithbob"].original == "smithbob_340934_208490999_01_framing-1.ipynb"
    assert rows["wellslane"].notebook.read_bytes() == b"lane"
    assert rows["doejane"].notebook.read_bytes() == b"jane"


def test_blackboard_zip_keeps_the_latest_attempt(tmp_path: Path):
    """Is nbgrader's documented Blackboard naming parsed, and the latest attempt graded even if renamed?"""
    archive = make_zip(tmp_path / "bb.zip", {
        "Lab 1_hacker_attempt_2016-01-30-20-30-10_01_framing.ipynb": b"first",
        "Lab 1_hacker_attempt_2016-02-01-09-00-00_final.ipynb": b"second",
        "Lab 1_hacker_attempt_2016-02-01-09-00-00.txt": b"metadata",
        "Lab 1_bitdiddle_attempt_2016-01-30-15-00-00_01_framing.ipynb": b"ben",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert list(rows) == ["bitdiddle", "hacker"]
    assert rows["hacker"].notebook.read_bytes() == b"second"
    assert rows["bitdiddle"].notebook.read_bytes() == b"ben"


def test_moodle_and_plain_zip_layouts(tmp_path: Path):
    """Are Moodle's per-student folders, <student>/<lab>.ipynb and wrapped <student>.ipynb zips understood?"""
    moodle = make_zip(tmp_path / "moodle.zip", {
        "Alice Smith_1234_assignsubmission_file_/01_framing.ipynb": b"alice",
        "Bob Jones_99_assignsubmission_file_lab.ipynb": b"bob",
    })
    rows = by_student(collect(moodle, LAB, tmp_path / "w1"))
    assert list(rows) == ["Alice_Smith", "Bob_Jones"]
    assert rows["Alice_Smith"].notebook.read_bytes() == b"alice"

    folders = make_zip(tmp_path / "folders.zip", {
        "alice/01_framing.ipynb": b"a", "bob/mylab.ipynb": b"b", "alice/data.csv": b"x",
    })
    rows = by_student(collect(folders, LAB, tmp_path / "w2"))
    assert rows["alice"].notebook.read_bytes() == b"a"
    assert_invalid(rows["bob"], f"expected {LAB}.ipynb", "mylab.ipynb")

    wrapped = make_zip(tmp_path / "wrapped.zip", {"class/alice.ipynb": b"a", "class/bob.ipynb": b"b", "notes.txt": b""})
    rows = by_student(collect(wrapped, LAB, tmp_path / "w3"))
    assert list(rows) == ["alice", "bob"]

    nbgrader = make_zip(tmp_path / "nbg.zip", {"submitted/alice/01_framing/01_framing.ipynb": b"a"})
    [row] = collect(nbgrader, LAB, tmp_path / "w4")
    assert row.student == "alice" and row.notebook.read_bytes() == b"a"


def test_zip_slip_members_are_refused_and_nothing_lands_outside_workdir(tmp_path: Path):
    """Are '..' and absolute member paths that student's problem, with no file written outside workdir?"""
    archive = make_zip(tmp_path / "evil.zip", {
        "alice.ipynb": b"a",
        "../../mallory.ipynb": b"m",
        "/trudy.ipynb": b"t",
        "..\\..\\victor.ipynb": b"v",
        "bob.ipynb": b"b",
        "../bob.ipynb": b"b2",  # beside a safe notebook, the bad member still decides Bob's row
    })
    work = tmp_path / "deep" / "work"
    rows = by_student(collect(archive, LAB, work))
    assert_valid(rows["alice"])
    for name in ("mallory", "trudy", "victor", "bob"):
        assert_invalid(rows[name], "outside the archive")
    assert not (tmp_path / "mallory.ipynb").exists() and not (tmp_path / "deep" / "mallory.ipynb").exists()
    written = [p for p in work.rglob("*") if p.is_file()]
    assert written == [work / "alice" / f"{LAB}.ipynb"]


def test_zip_bomb_member_is_that_students_problem_and_never_extracted(tmp_path: Path):
    """Is a 60 MB (highly compressible) member refused under the 50 MB cap while others are extracted?"""
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("alice.ipynb", NB)
        with z.open("bomb.ipynb", "w", force_zip64=True) as member:
            block = bytes(2**20)
            for _ in range(60):
                member.write(block)
    assert archive.stat().st_size < 2**20
    work = tmp_path / "work"
    rows = by_student(collect(archive, LAB, work))
    assert_valid(rows["alice"])
    assert_invalid(rows["bomb"], "60 MB", "50 MB")
    assert sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) == len(NB)


def test_capped_copy_stops_at_the_limit_whatever_the_header_says():
    """Does the streaming copy stop (writing no more than the limit) when the data outgrows it?"""
    sink = io.BytesIO()
    assert subs._copy_capped(io.BytesIO(bytes(1000)), sink, limit=999) is None
    assert len(sink.getvalue()) <= 999
    sink = io.BytesIO()
    assert subs._copy_capped(io.BytesIO(bytes(1000)), sink, limit=1000) == 1000
    assert sink.getvalue() == bytes(1000)


def test_zip_total_and_member_count_caps_reject_the_whole_zip(tmp_path: Path, monkeypatch):
    """Are a zip whose notebooks exceed the total cap, or that has too many members, rejected as a whole?"""
    archive = make_zip(tmp_path / "many.zip", {f"s{i}.ipynb": bytes(100) for i in range(4)})
    monkeypatch.setattr(subs, "MAX_TOTAL_BYTES", 250)
    with pytest.raises(SubmissionsError, match="add up to 400 bytes"):
        collect(archive, LAB, tmp_path / "w1")
    monkeypatch.setattr(subs, "MAX_TOTAL_BYTES", 2**30)
    monkeypatch.setattr(subs, "MAX_MEMBERS", 3)
    with pytest.raises(SubmissionsError, match="4 members"):
        collect(archive, LAB, tmp_path / "w2")


def test_symlink_member_is_refused(tmp_path: Path):
    """Is a zip member stored as a symbolic link reported instead of being extracted?"""
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as z:
        link = zipfile.ZipInfo("mallory.ipynb")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
        z.writestr("alice.ipynb", NB)
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert_valid(rows["alice"])
    assert_invalid(rows["mallory"], "symbolic link")
    assert not (tmp_path / "work" / "mallory").exists()


def test_single_student_zip_is_not_mistaken_for_a_wrapper_folder(tmp_path: Path):
    """Is a zip holding only alice/<lab>.ipynb (plus scratch) read as Alice's folder, not as a wrapper?"""
    archive = make_zip(tmp_path / "one.zip", {"alice/01_framing.ipynb": b"a", "alice/scratch.ipynb": b"s"})
    [row] = collect(archive, LAB, tmp_path / "work")
    assert row.student == "alice" and row.notebook.read_bytes() == b"a"


def test_different_people_with_one_id_each_get_their_own(tmp_path: Path):
    """Do two Canvas students with the same name but different user ids, or two names with one id, each get a
    unique id of their own (never one locking the other out), with a note?"""
    archive = make_zip(tmp_path / "same.zip", {
        "smithbob_1_10_01_framing.ipynb": b"one", "smithbob_2_20_01_framing.ipynb": b"two",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "w1"))
    assert len(rows) == 2 and all(s.startswith("smithbob-") for s in rows)
    assert sorted(r.notebook.read_bytes() for r in rows.values()) == [b"one", b"two"]
    assert all("#1" in r.note and "#2" in r.note for r in rows.values())
    folder = tmp_path / "flat"
    write(folder / "José.ipynb", b"e")
    write(folder / "Jos#.ipynb", b"#")
    write(folder / "alice.ipynb", b"a")
    rows = by_student(collect(folder, LAB, tmp_path / "w2"))
    assert len(rows) == 3 and rows["alice"].note == ""
    jos = [r for s, r in rows.items() if s != "alice"]
    assert all(r.student.startswith("Jos_-") and "José" in r.note and "Jos#" in r.note for r in jos)
    assert sorted(r.notebook.read_bytes() for r in jos) == [b"#", b"e"]


def test_unique_ids_are_deterministic_and_distinct():
    """Are ids unique across colliding names, the plain safe form when there is no collision, the same whatever
    the order, and never someone else's plain id?"""
    people = [("José", ""), ("Jos#", ""), ("Jos?", ""), ("bob", ""), ("smith", "1"), ("smith", "2"), ("x" * 80, ""),
              ("x" * 80 + "!", "")]
    ids = subs.unique_ids(people)
    assert subs.unique_ids(list(reversed(people))) == ids
    assert ids[("bob", "")] == ("bob", "")
    values = [i for i, _ in ids.values()]
    assert len(set(values)) == len(values)
    assert all(subs.SAFE_ID.fullmatch(i) and not i.startswith(".") for i in values)
    assert ids[("smith", "1")][0] != ids[("smith", "2")][0] and ids[("smith", "1")][0].startswith("smith-")
    assert len(ids[("x" * 80, "")][0]) <= 64
    # a suffixed id that happens to be another student's plain id takes more digits
    clash = subs.unique_ids([("a!", ""), ("a?", "")])[("a!", "")][0]
    ids = subs.unique_ids([("a!", ""), ("a?", ""), (clash, "")])
    assert ids[(clash, "")][0] == clash and ids[("a!", "")][0] != clash


def test_duplicate_members_without_attempts_are_reported(tmp_path: Path):
    """Does a student with two candidate notebooks and nothing to order them get a row naming both?"""
    archive = make_zip(tmp_path / "dup.zip", {
        "alice/01_framing.ipynb": b"1", "alice/01_framing (1).ipynb": b"2", "bob/01_framing.ipynb": b"b",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert_invalid(rows["alice"], "several notebooks", "alice/01_framing.ipynb", "alice/01_framing (1).ipynb")
    assert_valid(rows["bob"])


# ---- one naming pattern per hand-in: a student's own file name never names a student ----------------

# A file name Bob chose, imitating Blackboard's "_<student>_attempt_<time>_" with Alice's name in it.
FORGED_CANVAS = "jonesbob_2222_900002_x_smithalice_attempt_2099-12-31-23-59-59_01_framing.ipynb"
FORGED_MOODLE = "Bob Jones_5678_assignsubmission_file_/x_Alice Smith_attempt_2099-12-31-23-59-59_01_framing.ipynb"


def test_canvas_upload_named_like_another_student_stays_its_authors(tmp_path: Path):
    """In a Canvas zip, does a file name imitating Blackboard's naming leave Alice and Bob each their own graded row?"""
    archive = make_zip(tmp_path / "canvas.zip", {
        "smithalice_1111_900001_01_framing.ipynb": b"alice",
        FORGED_CANVAS: b"bob",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert list(rows) == ["jonesbob", "smithalice"]
    assert_valid(rows["smithalice"])
    assert rows["smithalice"].notebook.read_bytes() == b"alice"
    assert_valid(rows["jonesbob"])
    assert rows["jonesbob"].notebook.read_bytes() == b"bob"
    assert rows["jonesbob"].original == FORGED_CANVAS


def test_forged_canvas_upload_is_its_authors_even_when_alice_did_not_hand_in(tmp_path: Path):
    """With no file of Alice's in the zip (a tie between Canvas and Blackboard naming), is Bob's file still Bob's?"""
    archive = make_zip(tmp_path / "canvas.zip", {FORGED_CANVAS: b"bob"})
    [row] = collect(archive, LAB, tmp_path / "work")
    assert row.student == "jonesbob"
    assert row.notebook.read_bytes() == b"bob"


def test_unzipped_canvas_folder_resists_the_same_forgery(tmp_path: Path):
    """Is an unzipped Canvas download read with one pattern too, so the forged name is still Bob's?"""
    folder = tmp_path / "unzipped"
    write(folder / "smithalice_1111_900001_01_framing.ipynb", b"alice")
    write(folder / FORGED_CANVAS, b"bob")
    rows = by_student(collect(folder, LAB, tmp_path / "work"))
    assert list(rows) == ["jonesbob", "smithalice"]
    assert rows["smithalice"].notebook.read_bytes() == b"alice"
    assert rows["jonesbob"].notebook.read_bytes() == b"bob"


def test_moodle_upload_named_like_another_student_stays_its_authors(tmp_path: Path):
    """In a Moodle zip, is the student named by Moodle's folder, not by a Blackboard-like name of a file inside it?"""
    archive = make_zip(tmp_path / "moodle.zip", {
        "Alice Smith_1234_assignsubmission_file_/01_framing.ipynb": b"alice",
        FORGED_MOODLE: b"bob",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert list(rows) == ["Alice_Smith", "Bob_Jones"]
    assert_valid(rows["Alice_Smith"])
    assert rows["Alice_Smith"].notebook.read_bytes() == b"alice"
    assert_valid(rows["Bob_Jones"])
    assert rows["Bob_Jones"].notebook.read_bytes() == b"bob"


@pytest.mark.parametrize("inside", ["smithalice_1111_900001_01_framing.ipynb", "sub/smithalice.ipynb",
                                    "alice/01_framing/01_framing.ipynb"])
def test_one_students_moodle_zip_is_not_unwrapped_into_their_own_files(tmp_path: Path, inside: str):
    """In a zip holding only Bob's Moodle folder, is Moodle's folder (not a name Bob chose inside it) the student?"""
    archive = make_zip(tmp_path / "moodle.zip", {f"Bob Jones_5678_assignsubmission_file_/{inside}": b"bob"})
    [row] = collect(archive, LAB, tmp_path / "work")
    assert row.student == "Bob_Jones"
    assert row.notebook.read_bytes() == b"bob"


def test_zip_mixing_two_lms_namings_uses_the_majority_one(tmp_path: Path):
    """Does a zip with two Blackboard-named notebooks and one Canvas-named one use Blackboard's naming only?"""
    canvas_named = "smithcy_333_444_01_framing.ipynb"
    archive = make_zip(tmp_path / "mixed.zip", {
        "Lab 1_ann_attempt_2024-01-30-15-00-00_01_framing.ipynb": b"ann",
        "Lab 1_ben_attempt_2024-01-30-16-00-00_mylab.ipynb": b"ben",
        "Lab 1_ben_attempt_2024-01-30-16-00-00.txt": b"metadata",
        canvas_named: b"cy",
        "smithcy_333_444_notes.txt": b"not a notebook: ignored",
    })
    work = tmp_path / "work"
    rows = by_student(collect(archive, LAB, work))
    assert list(rows) == ["ann", "ben", canvas_named]
    assert rows["ann"].notebook.read_bytes() == b"ann"
    assert rows["ben"].notebook.read_bytes() == b"ben"
    assert_invalid(rows[canvas_named], canvas_named, "blackboard naming", "not graded")
    assert not (work / "smithcy").exists() and not (work / canvas_named).exists()


def test_majority_wins_whichever_lms_comes_first_in_patterns(tmp_path: Path):
    """Does one Canvas-named notebook beside two Moodle folders give Moodle's naming, and vice versa Canvas's?"""
    moodle_majority = make_zip(tmp_path / "m.zip", {
        "Ann Lee_1_assignsubmission_file_/01_framing.ipynb": b"ann",
        "Ben Ode_2_assignsubmission_file_/01_framing.ipynb": b"ben",
        "smithcy_3_4_01_framing.ipynb": b"cy",
    })
    rows = by_student(collect(moodle_majority, LAB, tmp_path / "w1"))
    assert list(rows) == ["Ann_Lee", "Ben_Ode", "smithcy_3_4_01_framing.ipynb"]
    assert_invalid(rows["smithcy_3_4_01_framing.ipynb"], "moodle naming")
    canvas_majority = make_zip(tmp_path / "c.zip", {
        "leeann_1_10_01_framing.ipynb": b"ann", "odeben_2_20_01_framing.ipynb": b"ben",
        "Cy Smith_3_assignsubmission_file_/01_framing.ipynb": b"cy",
    })
    rows = by_student(collect(canvas_majority, LAB, tmp_path / "w2"))
    stray = "Cy_Smith_3_assignsubmission_file__01_framing.ipynb"
    assert list(rows) == [stray, "leeann", "odeben"]
    assert_invalid(rows[stray], "canvas naming")
    assert rows["leeann"].notebook.read_bytes() == b"ann"


def test_lms_names_beat_the_catch_all_student_ipynb_naming(tmp_path: Path):
    """Is a Canvas zip read as Canvas, even though every file name would also pass as <student>.ipynb?"""
    archive = make_zip(tmp_path / "c.zip", {
        "leeann_1_10_01_framing.ipynb": b"ann", "odeben_2_20_01_framing.ipynb": b"ben", "carol.ipynb": b"c",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert list(rows) == ["carol.ipynb", "leeann", "odeben"]
    assert_invalid(rows["carol.ipynb"], "canvas naming")


def test_notebooks_nested_in_an_nbgrader_lab_folder_name_nobody(tmp_path: Path):
    """Is a notebook Alice put in <lab>/x/bob/<lab>/ a row of its own, not Bob's, with Alice's own notebook graded?"""
    nested = f"submitted/alice/{LAB}/x/bob/{LAB}/{LAB}.ipynb"
    archive = make_zip(tmp_path / "nbg.zip", {
        f"submitted/alice/{LAB}/{LAB}.ipynb": b"alice",
        nested: b"fake",
        f"submitted/carol/{LAB}/{LAB}.ipynb": b"carol",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert "bob" not in rows
    assert rows["alice"].notebook.read_bytes() == b"alice"
    assert rows["carol"].notebook.read_bytes() == b"carol"
    [stray] = [row for student, row in rows.items() if student not in ("alice", "carol")]
    assert stray.student == safe_student_id(nested)
    assert_invalid(stray, nested, "nbgrader naming")


def test_one_students_nbgrader_zip_is_not_unwrapped_into_their_lab_folder(tmp_path: Path):
    """With only Alice's folder in the zip, is the submitted/bob/ she made inside her lab folder never graded as Bob?"""
    archive = make_zip(tmp_path / "nbg.zip", {f"submitted/alice/{LAB}/x/submitted/bob/{LAB}/{LAB}.ipynb": b"fake"})
    with pytest.raises(SubmissionsError, match="no student notebooks"):
        collect(archive, LAB, tmp_path / "work")


def test_stray_notebook_in_a_flat_folder_is_reported_not_graded(tmp_path: Path):
    """In a folder of Canvas-named files, is a plain <name>.ipynb reported on its own row instead of graded?"""
    folder = tmp_path / "unzipped"
    write(folder / "leeann_1_10_01_framing.ipynb")
    write(folder / "odeben_2_20_01_framing.ipynb")
    write(folder / "carol.ipynb")
    rows = by_student(collect(folder, LAB, tmp_path / "work"))
    assert list(rows) == ["carol.ipynb", "leeann", "odeben"]
    assert_invalid(rows["carol.ipynb"], "carol.ipynb", "canvas naming", "folder")
    assert_valid(rows["leeann"])


def test_blackboard_student_is_the_first_attempt_marker_in_the_name(tmp_path: Path):
    """In a Blackboard zip, does a second '_<name>_attempt_<time>_' in a student's own file name not rename them?"""
    archive = make_zip(tmp_path / "bb.zip", {
        "Lab 1_alice_attempt_2024-01-30-15-00-00_01_framing.ipynb": b"alice",
        "Lab 1_bob_attempt_2024-01-30-16-00-00_x_alice_attempt_2099-12-31-23-59-59_01_framing.ipynb": b"bob",
    })
    rows = by_student(collect(archive, LAB, tmp_path / "work"))
    assert list(rows) == ["alice", "bob"]
    assert rows["alice"].notebook.read_bytes() == b"alice"
    assert rows["bob"].notebook.read_bytes() == b"bob"


# ---- SUBMISSIONS itself unusable -------------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing", "empty", "unknown", "not a zip", "one notebook", "no notebooks in zip"])
def test_unusable_submissions_raise_a_submissions_error(tmp_path: Path, case: str):
    """Is each unusable SUBMISSIONS a SubmissionsError (a PmleError with a hint), never a traceback?"""
    target = tmp_path / "subs"
    if case == "empty":
        target.mkdir()
    elif case == "unknown":
        write(target / "readme.txt", b"hello")
        write(target / "alice" / "notes.txt", b"x")
    elif case == "not a zip":
        target = write(tmp_path / "subs.zip", b"PK\x03\x04 truncated garbage")
    elif case == "one notebook":
        target = write(tmp_path / f"{LAB}.ipynb")
    elif case == "no notebooks in zip":
        target = make_zip(tmp_path / "subs.zip", {"readme.txt": b"x", "pics/a.png": b"y"})
    with pytest.raises(SubmissionsError) as info:
        collect(target, LAB, tmp_path / "work")
    assert isinstance(info.value, PmleError)
    assert str(info.value) and info.value.hint


def test_safe_student_ids():
    """Are unsafe characters replaced, a leading dot removed and long names cut to 64 characters?"""
    assert safe_student_id("alice.b+tag@uni-x.edu") == "alice.b+tag@uni-x.edu"
    assert safe_student_id("../etc/passwd") == "_._etc_passwd"
    assert safe_student_id(".hidden") == "_hidden"
    assert safe_student_id("Zoë Ödegaard") == "Zo___degaard"
    assert len(safe_student_id("x" * 100)) == 64
    assert subs.SAFE_ID.fullmatch(safe_student_id("日本語"))
