"""Find each student's notebook in a class hand-in, for `pmle grade LAB SUBMISSIONS`.

SUBMISSIONS is one of three layouts, recognised in this order:

1. nbgrader's ``submitted/<student>/<lab>/<lab>.ipynb`` (or the course's ``grading/`` folder, or any
   folder that contains ``submitted/``). Student folders without a ``<lab>/`` folder did not hand in
   this lab and are left out.
2. A flat folder of notebooks: ``<student>.ipynb``, or files named the way an LMS names them (see
   ``PATTERNS``). Only the folder's own files count, not its subfolders.
3. A ``.zip`` downloaded from an LMS (Canvas, Blackboard, Moodle) or zipped by hand.

In a flat folder or a zip, ONE naming pattern is chosen for the whole hand-in: the one in ``PATTERNS``
that recognises the most notebooks (ties go to the earlier pattern), and only that pattern names
students. Each pattern takes the student's name from the part of the path the LMS writes (the start
of the file name, or the first folder below any wrapper), never from the student's own file name,
which follows it: a student cannot name their upload so that it passes for someone else's. A
notebook the chosen pattern does not recognise is graded as nobody: it gets a row of its own, keyed
by its path, saying so. Other files it does not recognise are ignored.

Decisions about awkward names:

* A notebook is a file ending in ``.ipynb`` in any letter case (``bob.IPYNB`` is Bob's notebook).
* A file such as ``bob.ipynb.json`` or ``bob.ipynb.txt`` (a browser or editor added a suffix) is
  not graded, but if it is all Bob handed in, Bob's row says so instead of Bob silently missing.
* Other files (``bob.txt``, ``README.md``, pictures) and hidden files and folders (``.DS_Store``,
  ``.ipynb_checkpoints/``, ``__MACOSX/``) are ignored.
* In a folder per student (nbgrader's ``<student>/<lab>/``, or ``<student>/`` in a zip) the
  notebook must be called ``<lab>.ipynb``; a download copy such as ``<lab> (1).ipynb`` or Canvas's
  re-upload name ``<lab>-1.ipynb`` also counts, in any letter case. In an LMS's file names the
  student's own file name is the student's choice: a single notebook is graded whatever its name,
  and ``<lab>.ipynb`` is preferred when there are several. A flat ``<lab>.ipynb`` names no student
  (it is the release notebook or an unrenamed copy): its row says so.
* When one student has several notebooks: the latest attempt wins when the names carry one
  (Blackboard's ``attempt_<timestamp>``, then Canvas's increasing file id); otherwise the student's
  row names the notebooks and nothing is graded.
* Student ids keep ``[A-Za-z0-9_.@+-]``, replace anything else with ``_``, never start with ``.``
  and are cut to 64 characters. When different names give the same id (``José`` and ``Jos#`` both
  give ``Jos_``; two Canvas users both named ``smithbob``), each gets that id with a short hash of
  its own name (and LMS user number) after it, ``Jos_-1a2b3c``: unique, the same on every run with
  the same names, and neither locks the other out. The row's ``note`` tells the instructor.

Nothing here opens a notebook: finding files is all; the grader parses and validates them.
Symbolic links are never followed (a symlinked student folder gets a row saying so, whichever lab it
holds), and a zip is extracted member by member into ``workdir/<student>/<lab>.ipynb``, under size
caps, to paths built from the safe student id only (never from the member's name). Zip members
that point outside the archive ('..', absolute paths) are never extracted; when a pattern still
recognises the student, that student's row says why.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pmle.errors import PmleError

MAX_MEMBERS = 5000  # members in one zip, counting folders and ignored files
MAX_MEMBER_BYTES = 50 * 2**20  # one extracted notebook, uncompressed
MAX_TOTAL_BYTES = 2**30  # everything extracted from one zip
CHUNK = 2**20

SAFE_ID = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")
UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9_.@+-]")
LAB_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
# A notebook, or a notebook a browser or editor saved with an extra suffix (bob.ipynb.json).
NOTEBOOKISH = r"\.ipynb(?:\.[A-Za-z0-9]{1,8})?"
JUNK_NAMES = {"__MACOSX"}


class SubmissionsError(PmleError):
    """SUBMISSIONS as a whole cannot be used: missing, empty, unreadable, or of no known layout."""

    hint = (
        "Pass nbgrader's submitted/ folder (submitted/<student>/<lab>/<lab>.ipynb), a folder of "
        "<student>.ipynb files, or the .zip of submissions your LMS downloads."
    )

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint


@dataclass
class Found:
    """One student's hand-in: the notebook to grade, or why there is none."""

    student: str  # safe id: [A-Za-z0-9_.@+-]{1,64}, not starting with "."
    notebook: Path | None  # the file to grade, or None when invalid
    problem: str = ""  # non-empty when notebook is None: one clear sentence for the grade table
    original: str = ""  # where it came from (path inside the folder or zip), for messages
    note: str = ""  # for the instructor, whatever the outcome: why the id is not the plain safe form of the name


@dataclass(frozen=True)
class Pattern:
    """How one naming convention puts the student (and maybe an attempt) into a file's path.

    ``regex`` is a template: ``{LAB}`` becomes the lab id, ``{ROOT}`` the folder that wraps a whole
    zip (empty for a folder), ``{NB}`` the notebook suffix. Every regex starts ``^{ROOT}``, so the
    student's name is read from the path's LMS-written start. Named groups: ``student`` (required),
    ``file`` (the student's own file name; the whole base name when absent), ``uid`` (an LMS user
    number: same name with another number is another person), ``attempt`` (orders submissions: all
    files of the latest attempt are kept), ``fileid`` (orders single uploads: the highest wins a tie).
    ``strict``: the file must be named ``<lab>.ipynb``. ``flat``: the base name is the student.
    ``fallback``: the pattern fits almost any name, so when choosing the hand-in's pattern it only
    counts the notebooks that no LMS pattern recognises.
    """

    name: str
    regex: str
    strict: bool = False
    flat: bool = False
    fallback: bool = False

    def compile(self, lab: str, root: str) -> re.Pattern[str]:
        text = self.regex.replace("{LAB}", re.escape(lab)).replace("{ROOT}", re.escape(root))
        return re.compile(text.replace("{NB}", NOTEBOOKISH), re.IGNORECASE)


# Matched against each file's path ("/"-separated, relative to SUBMISSIONS, or to the zip's wrapper
# folder ROOT). One pattern is chosen per hand-in (see _pick_pattern); ties go to the earlier one.
# The order puts first the patterns whose student name starts the LMS-written part of the path, and
# Blackboard (whose name follows the assignment's name, so a file name can imitate it) after them.
# nbgrader's ZipCollectApp has no default (FileNameCollectorPlugin.named_regexp must be configured);
# its documented example is the Blackboard one below. Examples for lab 01_framing:
PATTERNS: list[Pattern] = [
    # Canvas: smithbob_340934_208490284_01_framing.ipynb, late: smithbob_late_340934_208490284_...
    # (sortable name, user id, file id, the student's file name; a re-upload may be 01_framing-1.ipynb)
    Pattern(
        "canvas",
        r"^{ROOT}(?P<student>[^_/]+)(?:_late)?_(?P<uid>\d+)_(?P<fileid>\d+)_(?P<file>[^/]+{NB})$",
    ),
    # Moodle: Alice Smith_1234_assignsubmission_file_/01_framing.ipynb (older: ..._file_01_framing.ipynb).
    # The folder is Moodle's, so every notebook in it, at any depth, is that student's.
    Pattern(
        "moodle",
        r"^{ROOT}(?P<student>[^/]+?)_(?P<uid>\d+)_assignsubmission_file_(?:/(?:[^/]+/)*)?(?P<file>[^/]+{NB})$",
    ),
    # nbgrader's own layout, zipped: [submitted/]alice/01_framing/01_framing.ipynb (submitted/ is ROOT)
    Pattern("nbgrader", r"^{ROOT}(?P<student>[^/]+)/{LAB}/(?P<file>[^/]+{NB})$", strict=True),
    # Blackboard: Lab 1_alice_attempt_2024-01-30-15-00-00_01_framing.ipynb (nbgrader's docs example).
    # The assignment's name comes first; the first "_<name>_attempt_<time>_" is Blackboard's.
    Pattern(
        "blackboard",
        r"^{ROOT}[^/]*?_(?P<student>[^_/]+)_attempt_(?P<attempt>\d{4}(?:-\d{2}){5})_(?P<file>[^/]+{NB})$",
    ),
    # A folder per student: alice/01_framing.ipynb
    Pattern("student folder", r"^{ROOT}(?P<student>[^/]+)/(?P<file>[^/]+{NB})$", strict=True, fallback=True),
    # One notebook per student: alice.ipynb
    Pattern("flat", r"^{ROOT}(?P<student>[^/]+?){NB}$", flat=True, fallback=True),
]


@dataclass
class Candidate:
    """A file that may be a student's notebook, before one is chosen per student."""

    raw: str  # the student's name as written in the path
    original: str  # path inside SUBMISSIONS (or the zip), for messages
    file: str  # the file's own name
    strict: bool = False
    uid: str = ""
    attempt: tuple[int, ...] = ()
    fileid: tuple[int, ...] = ()
    problem: str = ""  # set when this file, if chosen, must not be graded
    stray: bool = False  # a notebook the hand-in's pattern does not recognise: graded as nobody
    unsafe: bool = False  # a zip member whose path leaves the archive: the student's row says so
    path: Path | None = None  # a file in a folder layout
    member: zipfile.ZipInfo | None = None  # a member of a zip

    @property
    def is_notebook(self) -> bool:
        return self.file.lower().endswith(".ipynb")


def collect(submissions: Path, lab: str, workdir: Path) -> list[Found]:
    """Every student who handed in ``lab`` in ``submissions``, sorted by student id.

    ``workdir`` is a private folder that a zip's notebooks are extracted into. Raises
    ``SubmissionsError`` only when ``submissions`` itself is unusable; a problem with one
    student's files is that student's ``Found.problem``.
    """
    if not LAB_ID.fullmatch(lab):
        raise ValueError(f"not a lab id: {lab!r}")
    submissions = Path(submissions)
    if not submissions.exists():
        raise SubmissionsError(f"{submissions} does not exist")
    if submissions.is_dir():
        return _sorted(_from_folder(submissions, lab))
    if submissions.suffix.lower() == ".ipynb":
        raise SubmissionsError(
            f"{submissions} is a single notebook, not a class's submissions",
            hint="Use `pmle check NOTEBOOK` for one notebook.",
        )
    if not zipfile.is_zipfile(submissions):
        raise SubmissionsError(f"{submissions} is neither a folder nor a readable zip file")
    return _sorted(_from_zip(submissions, lab, workdir))


def safe_student_id(raw: str) -> str:
    """``raw`` with characters outside ``[A-Za-z0-9_.@+-]`` replaced by "_", no leading ".", at most 64."""
    text = UNSAFE_CHAR.sub("_", raw.strip())[:64] or "_"
    return "_" + text[1:] if text.startswith(".") else text


STRAY = "\0stray"  # the LMS-number slot of a person key that stands for a stray notebook (keyed by its path)


def _label(person: tuple[str, str]) -> str:
    name, uid = person
    shown = "".join(ch if ch.isprintable() else "?" for ch in name)
    return shown + (f" (#{uid})" if uid and uid != STRAY else "")


def unique_ids(people: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """A unique, deterministic safe id for each person, a (name as written, LMS user number or "") pair.

    The id is ``safe_student_id(name)``, except when several people's names give the same one: then
    each gets it with ``-`` and the first 6 hex digits of a SHA-256 of its own name and number
    (more digits only if that is someone else's id), cut to fit 64 characters. The same names give
    the same ids on every run. Returns person -> (id, note); the note ("" for a plain id) says which
    names collided and which id this one got.
    """
    import hashlib

    groups: dict[str, list[tuple[str, str]]] = {}
    for person in sorted(set(people)):
        groups.setdefault(safe_student_id(person[0]), []).append(person)
    taken = {base for base, members in groups.items() if len(members) == 1}
    ids: dict[tuple[str, str], tuple[str, str]] = {}
    for base, members in groups.items():
        if len(members) == 1:
            ids[members[0]] = (base, "")
            continue
        names = ", ".join(_label(p) for p in members)
        for person in members:
            digest = hashlib.sha256("\0".join(person).encode("utf-8", "surrogatepass")).hexdigest()
            for n in range(6, len(digest) + 1):
                unique = f"{base[:63 - n]}-{digest[:n]}"
                if unique not in taken:
                    break
            taken.add(unique)
            ids[person] = (unique, f"names {names} all give the id {base}: {_label(person)} is {unique}")
    return ids


def _by_id(groups: dict[tuple[str, str], list]) -> tuple[dict[str, list], dict[str, str]]:
    """Groups keyed by person re-keyed by unique id, and the note of each id that had to be made unique."""
    ids = unique_ids(groups)
    return {ids[p][0]: members for p, members in groups.items()}, {ids[p][0]: ids[p][1] for p in groups if ids[p][1]}


# ---- folders ----------------------------------------------------------------------------------


def _from_folder(folder: Path, lab: str) -> list[Found]:
    root = folder.resolve()
    if (root / "submitted").is_dir():
        return _from_nbgrader(root / "submitted", lab, shown=folder / "submitted")
    entries = _visible(root)
    if not entries:
        raise SubmissionsError(f"{folder} is empty")
    student_dirs = [e for e in entries if _is_real_dir(e)]
    if any(os.path.lexists(d / lab) for d in student_dirs):
        return _from_nbgrader(root, lab, shown=folder)
    notebooks = [e for e in entries if _notebookish(e.name)]
    if notebooks:
        return _from_flat(root, lab, notebooks)
    if root.name == "submitted" or any(_subfolders(d) for d in student_dirs):
        raise _no_lab_error(folder, lab, student_dirs)
    zips = [e.name for e in entries if e.suffix.lower() == ".zip"]
    if zips:
        raise SubmissionsError(
            f"{folder} holds {', '.join(zips[:3])} but no notebooks",
            hint="Pass the .zip file itself as SUBMISSIONS.",
        )
    raise SubmissionsError(f"found no student notebooks in {folder}")


def _from_nbgrader(root: Path, lab: str, shown: Path) -> list[Found]:
    """``root/<student>/<lab>/<lab>.ipynb``; students without ``<lab>/`` are left out."""
    rows: dict[tuple[str, str], list[tuple[str, Found | list[Candidate]]]] = {}  # person -> (folder name, row or files)
    for student_dir in _visible(root):
        name = student_dir.name
        if student_dir.is_symlink():
            problem = f"student folder {name} is a symbolic link; not followed"
            entry: Found | list[Candidate] = Found("", None, problem, name)
        elif not student_dir.is_dir() or not os.path.lexists(student_dir / lab):
            continue
        else:
            entry = _lab_folder(student_dir / lab, f"{name}/{lab}")
        rows.setdefault((name, ""), []).append((name, entry))  # folder names are unique: one person each
    if not rows:
        raise _no_lab_error(shown, lab, [d for d in _visible(root) if _is_real_dir(d)])
    by_id, notes = _by_id(rows)
    found = []
    for student, entries in by_id.items():
        name, entry = entries[0]
        if isinstance(entry, Found):
            entry.student = student
            row = entry
        elif not entry:
            row = Found(student, None, "no notebook submitted", f"{name}/{lab}")
        else:
            row = _decide(student, entry, lab)
        row.note = notes.get(student, "")
        found.append(row)
    return found


def _no_lab_error(shown: Path, lab: str, student_dirs: list[Path]) -> SubmissionsError:
    """The error for an nbgrader layout in which nobody has ``<lab>/``, naming the lab folders seen."""
    seen = sorted({name for d in student_dirs for name in _subfolders(d)})
    listed = f" (folders found: {', '.join(seen[:5])}{', ...' if len(seen) > 5 else ''})" if seen else ""
    return SubmissionsError(
        f"no student in {shown} has a {lab}/ folder{listed}",
        hint="Check the lab id, and that SUBMISSIONS holds this lab's hand-ins.",
    )


def _lab_folder(lab_dir: Path, original: str) -> Found | list[Candidate]:
    """The notebook-like files in one student's lab folder, or a row saying why it cannot be used."""
    if lab_dir.is_symlink():
        return Found("", None, f"{original} is a symbolic link; not followed", original)
    if not lab_dir.is_dir():
        return Found("", None, f"{original} is not a folder", original)
    try:
        files = _visible(lab_dir)
    except SubmissionsError as exc:
        return Found("", None, str(exc), original)
    raw = original.split("/")[0]
    candidates = [_folder_candidate(f, raw, f"{original}/{f.name}", strict=True) for f in files]
    return [c for c in candidates if _notebookish(c.file)]


def _from_flat(root: Path, lab: str, files: list[Path]) -> list[Found]:
    """A folder of ``<student>.ipynb`` (or LMS-named) files; subfolders are not looked into."""
    pattern = _pick_pattern([path.name for path in files], lab, "")
    if pattern is None:
        raise SubmissionsError(f"found no student notebooks in {root}")
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for path in files:
        candidate = _match(path.name, lab, "", pattern) or _stray(path.name, path.name, pattern, "folder")
        _fill_from_path(candidate, path)
        groups.setdefault(_person(candidate, path.name), []).append(candidate)
    by_id, notes = _by_id(groups)
    found = [_decide(student, candidates, lab) for student, candidates in by_id.items()]
    for row in found:
        row.note = notes.get(row.student, "")
    return found


def _folder_candidate(path: Path, raw: str, original: str, strict: bool) -> Candidate:
    candidate = Candidate(raw=raw, original=original, file=path.name, strict=strict)
    _fill_from_path(candidate, path)
    return candidate


def _fill_from_path(candidate: Candidate, path: Path) -> None:
    """Record the file and, without following links, whether it may be graded."""
    candidate.path = path
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        candidate.problem = f"{candidate.original} cannot be read ({exc.strerror or exc})"
        return
    if stat.S_ISLNK(mode):
        candidate.problem = f"{candidate.original} is a symbolic link; not followed"
    elif not stat.S_ISREG(mode):
        candidate.problem = f"{candidate.original} is not a regular file"


def _visible(folder: Path) -> list[Path]:
    """The folder's entries, sorted, without hidden ones and macOS leftovers."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise SubmissionsError(f"cannot read {folder} ({exc.strerror or exc})") from exc
    return [e for e in entries if not e.name.startswith(".") and e.name not in JUNK_NAMES]


def _is_real_dir(path: Path) -> bool:
    return not path.is_symlink() and path.is_dir()


def _subfolders(folder: Path) -> list[str]:
    """Names of the visible real folders in ``folder`` ([] when it cannot be read)."""
    try:
        return [e.name for e in folder.iterdir() if not e.name.startswith(".") and _is_real_dir(e)]
    except OSError:
        return []


def _notebookish(name: str) -> bool:
    """``name`` ends in .ipynb, or in .ipynb plus one more suffix (bob.ipynb.json)."""
    return re.search(NOTEBOOKISH + "$", name, re.IGNORECASE) is not None


# ---- zips -------------------------------------------------------------------------------------


def _from_zip(path: Path, lab: str, workdir: Path) -> list[Found]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SubmissionsError(f"{path} is not a readable zip file ({exc})") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise SubmissionsError(
                f"{path} has {len(members)} members, more than the {MAX_MEMBERS} allowed",
                hint="Download one lab's submissions at a time, or unzip it and pass the folder.",
            )
        groups, notes = _zip_candidates(members, lab)
        if not groups:
            raise SubmissionsError(f"found no student notebooks in {path}")
        decided = {student: _choose(candidates, lab) for student, candidates in groups.items()}
        declared = sum(c.member.file_size for c, _ in decided.values() if c is not None and c.member is not None)
        if declared > MAX_TOTAL_BYTES:
            raise SubmissionsError(
                f"the notebooks in {path} add up to {_size(declared)} uncompressed, "
                f"more than the {_size(MAX_TOTAL_BYTES)} allowed",
                hint="Check the zip: real notebooks are well under a few MB each.",
            )
        workdir.mkdir(parents=True, exist_ok=True)
        found = []
        budget = [MAX_TOTAL_BYTES]
        for student in sorted(decided):
            chosen, problem = decided[student]
            originals = ", ".join(c.original for c in groups[student])
            if chosen is None:
                found.append(Found(student, None, problem, originals, notes.get(student, "")))
                continue
            target = workdir / student / f"{lab}.ipynb"
            problem = _extract(archive, chosen, target, budget, path)
            found.append(Found(student, None if problem else target, problem, chosen.original, notes.get(student, "")))
        return found


def _zip_candidates(members: Iterable[zipfile.ZipInfo], lab: str) -> tuple[dict[str, list[Candidate]], dict[str, str]]:
    """Candidates per student id (the members the zip's one pattern recognises, plus stray notebooks), and
    the note of each id that had to be made unique.

    Empty when no pattern recognises any member.
    """
    named = []
    for info in members:
        if info.is_dir():
            continue
        raw_name = info.filename.replace("\\", "/")
        parts = raw_name.split("/")
        unsafe = raw_name.startswith("/") or re.match(r"^[A-Za-z]:", raw_name) is not None or ".." in parts
        clean = [p for p in parts if p not in ("", ".", "..")]
        if clean and re.match(r"^[A-Za-z]:$", clean[0]):
            clean = clean[1:]
        if not clean or any(p.startswith(".") or p in JUNK_NAMES for p in clean):
            continue
        named.append((info, raw_name, "/".join(clean), unsafe))
    notebooks = [name for _, _, name, _ in named if _notebookish(name)]
    root = _wrapper(notebooks, lab)
    pattern = _pick_pattern(notebooks, lab, root)
    if pattern is None:
        return {}, {}
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for info, raw_name, name, unsafe in named:
        candidate = _match(name, lab, root, pattern)
        if candidate is None:
            if not _notebookish(name):
                continue
            candidate = _stray(name, raw_name, pattern, "zip")
        candidate.original = raw_name
        candidate.member = info
        candidate.unsafe = unsafe
        candidate.problem = candidate.problem or _member_problem(info, raw_name, unsafe)
        groups.setdefault(_person(candidate, name), []).append(candidate)
    return _by_id(groups)


def _wrapper(names: list[str], lab: str) -> str:
    """The folder(s) that wrap every file in the zip ("submissions/"), or "" when there are none.

    It stops where a student's folder may begin, so that the folders of a zip holding one student's
    files are not taken for a wrapper (and the student's own files for the layout): at a folder
    holding ``<lab>.ipynb`` (a folder per student) or ``<lab>/`` (nbgrader), and at a level where an
    LMS pattern already recognises a name (Moodle's ``<name>_<id>_assignsubmission_file_/``).
    """
    lab_named = re.compile(re.escape(lab) + r"(?:-\d+| ?\(\d+\))?" + NOTEBOOKISH, re.IGNORECASE)
    lms = [p for p in PATTERNS if not p.fallback]
    root = ""
    rest = [n.split("/") for n in names]
    while rest and all(len(parts) > 1 for parts in rest) and len({parts[0] for parts in rest}) == 1:
        if any(len(parts) == 2 and lab_named.fullmatch(parts[1]) for parts in rest):
            break
        if any(len(parts) > 2 and parts[1].lower() == lab.lower() for parts in rest):
            break
        if any(p.compile(lab, root).match(name) for p in lms for name in names):
            break
        root += rest[0][0] + "/"
        rest = [parts[1:] for parts in rest]
    return root


def _pick_pattern(names: list[str], lab: str, root: str) -> Pattern | None:
    """The one pattern of ``PATTERNS`` that names the students of a whole zip or folder, or None.

    It is the pattern that recognises the most of ``names`` (the hand-in's notebooks); ties go to the
    earlier pattern. A name counts for every LMS pattern that recognises it, but for a fallback
    pattern (which fits nearly any name) only when no LMS pattern recognises it. A student controls
    only their own file's name, so cannot make a pattern other than their LMS's win a real class.
    """
    recognised = {p.name: [n for n in names if p.compile(lab, root).match(n)] for p in PATTERNS}
    by_lms = {n for p in PATTERNS if not p.fallback for n in recognised[p.name]}
    best, best_count = None, 0
    for pattern in PATTERNS:
        hits = [n for n in recognised[pattern.name] if not (pattern.fallback and n in by_lms)]
        if len(hits) > best_count:
            best, best_count = pattern, len(hits)
    return best


def _stray(name: str, original: str, pattern: Pattern, where: str) -> Candidate:
    """A notebook that ``pattern``, chosen for the whole ``where`` (zip or folder), does not recognise."""
    problem = f"{original} is not named the way the rest of the {where} is ({pattern.name} naming); not graded"
    return Candidate(raw=original, original=original, file=name.rsplit("/", 1)[-1], problem=problem, stray=True)


def _person(candidate: Candidate, name: str) -> tuple[str, str]:
    """Whose row a candidate belongs to: its student (name as written, trimmed, and LMS user number), or for
    a stray one, its path. Each person gets a row and an id of its own (``unique_ids``)."""
    return (name, STRAY) if candidate.stray else (candidate.raw.strip(), candidate.uid)


def _member_problem(info: zipfile.ZipInfo, name: str, unsafe: bool) -> str:
    """Why this member must not be extracted, or ""."""
    if unsafe:
        return f"zip member {name} points outside the archive (absolute path or '..'); not extracted"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"zip member {name} is a symbolic link; not extracted"
    if info.flag_bits & 0x1:
        return f"zip member {name} is encrypted"
    if info.file_size > MAX_MEMBER_BYTES:
        return (
            f"zip member {name} is {_size(info.file_size)} uncompressed, "
            f"over the {_size(MAX_MEMBER_BYTES)} limit; not extracted"
        )
    return ""


def _extract(archive: zipfile.ZipFile, chosen: Candidate, target: Path, budget: list[int], path: Path) -> str:
    """Copy the member to ``target`` under the caps; "" when done, else the student's problem.

    ``budget`` holds the bytes the whole zip may still extract; running out is the zip's error.
    """
    assert chosen.member is not None
    limit = min(MAX_MEMBER_BYTES, budget[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open(chosen.member) as source, open(target, "wb") as sink:
            written = _copy_capped(source, sink, limit)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
        target.unlink(missing_ok=True)
        return f"zip member {chosen.original} is corrupt ({exc})"
    except NotImplementedError as exc:
        target.unlink(missing_ok=True)
        return f"zip member {chosen.original} cannot be extracted ({exc})"
    if written is None:
        target.unlink(missing_ok=True)
        if limit < MAX_MEMBER_BYTES:
            raise SubmissionsError(
                f"the notebooks in {path} add up to more than the {_size(MAX_TOTAL_BYTES)} allowed",
                hint="Check the zip: real notebooks are well under a few MB each.",
            )
        return (
            f"zip member {chosen.original} is over the {_size(MAX_MEMBER_BYTES)} limit "
            "when uncompressed; not extracted"
        )
    budget[0] -= written
    return ""


def _copy_capped(source: IO[bytes], sink: IO[bytes], limit: int) -> int | None:
    """Copy in chunks; the number of bytes, or None (with at most ``limit`` bytes written) when there are more."""
    written = 0
    while True:
        chunk = source.read(min(CHUNK, limit - written + 1))
        if not chunk:
            return written
        if written + len(chunk) > limit:
            return None
        sink.write(chunk)
        written += len(chunk)


# ---- choosing one notebook per student -----------------------------------------------------------


def _match(name: str, lab: str, root: str, pattern: Pattern) -> Candidate | None:
    """The candidate ``pattern`` makes of ``name``, or None when it does not recognise it."""
    match = pattern.compile(lab, root).match(name)
    if match is None:
        return None
    base = name.rsplit("/", 1)[-1]
    groups = match.groupdict()
    candidate = Candidate(
        raw=groups["student"],
        original=name,
        file=groups.get("file") or base,
        strict=pattern.strict,
        uid=groups.get("uid") or "",
        attempt=_numbers(groups.get("attempt")),
        fileid=_numbers(groups.get("fileid")),
    )
    if pattern.flat and _lab_rank(candidate.raw + ".ipynb", lab) == 0:
        candidate.problem = f"{base} is named after the lab, not a student; name it <student>.ipynb"
    return candidate


def _decide(student: str, candidates: list[Candidate], lab: str) -> Found:
    chosen, problem = _choose(candidates, lab)
    if chosen is None:
        return Found(student, None, problem, ", ".join(c.original for c in candidates))
    return Found(student, chosen.path, "", chosen.original)


def _choose(candidates: list[Candidate], lab: str) -> tuple[Candidate | None, str]:
    """The one file to grade among a student's candidates, or None and the reason."""
    strays = [c for c in candidates if c.stray]
    if strays:  # graded as nobody, and never beside a student whose id a stray's path happens to give
        others = [c.original for c in candidates if not c.stray]
        clash = f"; {', '.join(others)} maps to the same id, so is not graded either" if others else ""
        return None, "; ".join(c.problem for c in strays) + clash
    people = sorted({(c.raw, c.uid) for c in candidates})
    if len(people) > 1:
        names = ", ".join(raw + (f" (#{uid})" if uid else "") for raw, uid in people)
        return None, f"different students' names map to the same id: {names}; rename them"
    if not candidates:
        return None, "no notebook submitted"
    unsafe = [c for c in candidates if c.unsafe]
    if unsafe:
        return None, unsafe[0].problem
    notebooks = [c for c in candidates if c.is_notebook]
    strict = all(c.strict for c in candidates)
    if not notebooks:
        expected = f"{lab}.ipynb" if strict else "a .ipynb notebook"
        return None, f"expected {expected}, found {_names(candidates)}"
    if all(c.attempt for c in notebooks):
        latest = max(c.attempt for c in notebooks)
        notebooks = [c for c in notebooks if c.attempt == latest]
    best = min(_lab_rank(c.file, lab) for c in notebooks)
    if strict and best > 0:
        return None, f"expected {lab}.ipynb, found {_names(candidates)}"
    notebooks = [c for c in notebooks if _lab_rank(c.file, lab) == best]
    if len(notebooks) > 1 and all(c.fileid for c in notebooks):
        newest = max(c.fileid for c in notebooks)
        notebooks = [c for c in notebooks if c.fileid == newest]
    if len(notebooks) > 1:
        return None, f"several notebooks and no way to tell which to grade: {', '.join(c.original for c in notebooks)}"
    chosen = notebooks[0]
    if chosen.problem:
        return None, chosen.problem
    return chosen, ""


def _lab_rank(file: str, lab: str) -> int:
    """0 for ``<lab>.ipynb`` (any case, or a download copy ``<lab> (1).ipynb`` / ``<lab>-1.ipynb``), else 1."""
    return 0 if re.fullmatch(re.escape(lab) + r"(?:-\d+| ?\(\d+\))?\.ipynb", file, re.IGNORECASE) else 1


def _numbers(text: str | None) -> tuple[int, ...]:
    """``"2024-01-30-15-00-00"`` -> ``(2024, 1, 30, 15, 0, 0)``; () for None."""
    return tuple(int(n) for n in re.findall(r"\d+", text or ""))


def _names(candidates: list[Candidate]) -> str:
    return ", ".join(sorted({c.file for c in candidates}))


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n} bytes"


def _sorted(found: list[Found]) -> list[Found]:
    for row in found:
        assert SAFE_ID.fullmatch(row.student) and not row.student.startswith("."), row.student
    return sorted(found, key=lambda row: row.student)
