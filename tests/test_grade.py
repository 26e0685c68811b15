"""Can `pmle grade` be trusted with a class of hostile submissions?

One `pmle grade` run over an adversarial corpus: each submission's expected outcome is asserted
(status, score, the verdict of the items it attacks), and afterwards nothing the submissions started
is still running, nothing outside their sandbox was read or written, and no connection left the
sandbox. The attacks target the grader, not a lab's content, so they run on a tiny lab whose cells
are instant (tests/tiny_course.py: one item per kind of checker, lab 01's first items), under a short
cell time limit; a right, a wrong and a blank submission of lab 01 itself are graded as well.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
import tiny_course

from pmle.course import notebooks as nbu
from pmle.grading import classroom
from pmle.grading.sandbox import isolation_available

from conftest import ROOT, release, source

LAB = tiny_course.LAB
FULL = tiny_course.FULL  # automatic points of the tiny lab
CELL_TIMEOUT = 10  # seconds: every cell of the tiny lab takes well under one, even on a loaded machine
SECRET = Path.home() / f".pmle-grade-test-secret-{os.getpid()}"  # the grader's own file: no sandbox may read it
REAL_LAB, REAL_FULL = "01_framing", 21
SHM_KEY = 0x504D4C45  # SysV shared-memory key the sysv_ipc cases use



def real_answered() -> nbformat.NotebookNode:
    """Lab 01's release with the reference answers typed in, as a learner would hand it in."""
    nb = release(REAL_LAB)
    answers = {nbu.grade_id(c): c.source for c in source(REAL_LAB).cells if nbu.is_solution(c)}
    for cell in nb.cells:
        if nbu.is_solution(cell):
            cell.source = answers[nbu.grade_id(cell)]
    return nb


def cell_of(nb, gid: str):
    return next(c for c in nb.cells if nbu.grade_id(c) == gid)


def answer(nb, gid: str, code: str):
    cell_of(nb, f"{gid}_answer").source = code
    return nb


def after(nb, gid: str, code: str):
    """A learner cell of their own right after the cell with grade id ``gid``."""
    index = next(i for i, c in enumerate(nb.cells) if nbu.grade_id(c) == gid)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(code))
    return nb


def wrong_framing(nb):
    return answer(nb, "framing", 'framing = "A"')


XSS = ('<img src=x onerror="alert(1)"> <script>alert(2)</script> [click](javascript:alert(3)) '
       '<svg onload=alert(4)></svg> [obfuscated](JaVa&#115;cript:alert(7)) <a href="data:text/html,x">d</a>')
SVG_PAYLOAD = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(8)"><script>alert(8)</script></svg>').decode()
HTML_PAYLOAD = base64.b64encode(b"<script>alert(10)</script>").decode()
PNG_DOT = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


@dataclass
class Case:
    name: str
    notebook: object  # a NotebookNode, or bytes written as they are
    status: str = "graded"
    score: float | None = None
    items: dict[str, str] = field(default_factory=dict)  # grade id -> expected status
    detail: str = ""  # text the detail must contain
    message: dict[str, str] = field(default_factory=dict)  # grade id -> text its message must contain


def _cases(tmp: Path, port: int, course: Path) -> list[Case]:
    out, subs = tmp / "out", tmp / "subs"
    gradebook_file = tmp / "gradebook.db"

    def answered():
        return tiny_course.answered(course)

    cases = [
        Case("correct", answered(), score=FULL),
        Case("wrong", answer(answer(answered(), "framing", 'framing = "A"'), "majority_scores",
                             "majority_accuracy = float((orders['churned'] == 0).mean())\nmajority_recall = 1.0"),
             score=FULL - 3, items={"framing": "wrong", "majority_scores": "wrong"},
             message={"framing": "has no horizon", "majority_scores": "recall of the 'stays' class"}),
        Case("blank", tiny_course.blank(course), score=0, items={"framing": "not attempted", "make_label": "not attempted"}),
        Case("warning", answer(answered(), "framing",
                               "import sys, warnings\nfrom sklearn.exceptions import ConvergenceWarning\n"
                               "warnings.warn('lbfgs failed to converge', ConvergenceWarning)\n"
                               "warnings.warn('old API', DeprecationWarning)\nprint('careful', file=sys.stderr)\n"
                               'framing = "B"'),
             score=FULL, items={"framing": "pass"}),
    ]

    edited = wrong_framing(answered())
    cell_of(edited, "framing").source = "from pmle.feedback import passed\npassed('framing')"
    cases.append(Case("edited_test", edited, score=FULL - 1, items={"framing": "wrong"}))

    deleted = wrong_framing(answered())
    deleted.cells = [c for c in deleted.cells if not nbu.is_test(c)]
    cases.append(Case("deleted_tests", deleted, score=FULL - 1, items={"framing": "wrong", "decision": "pass"}))

    duplicated = answered()
    test = cell_of(duplicated, "framing")
    index = duplicated.cells.index(test)
    for _ in range(3):
        clone = copy.deepcopy(test)
        clone["id"] = f"copy{_}"
        duplicated.cells.insert(index, clone)
    cases.append(Case("duplicated_tests", duplicated, score=FULL))

    retagged = wrong_framing(answered())
    meta = cell_of(retagged, "framing_answer").metadata.nbgrader
    meta.update(grade=True, solution=False, points=50)
    for cell in retagged.cells:
        if cell.cell_type == "markdown":
            cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": False, "points": 10,
                                         "grade_id": "bonus", "schema_version": 3}
            break
    cases.append(Case("retagged_tests", retagged, score=FULL - 1, items={"framing": "wrong"}))

    points = wrong_framing(answered())
    for cell in points.cells:
        if nbu.is_test(cell):
            cell.metadata.nbgrader["points"] = 100
    cases.append(Case("changed_points", points, score=FULL - 1, items={"framing": "wrong"}))

    schema = answered()
    for cell in schema.cells:
        if nbu.nbgrader(cell):
            cell.metadata.nbgrader["schema_version"] = 99
    cases.append(Case("schema_99", schema, score=FULL))

    same_ids = answered()
    raw_ids = json.loads(nbformat.writes(same_ids))
    for cell in raw_ids["cells"]:
        cell["id"] = "same"
    cases.append(Case("duplicate_cell_ids", json.dumps(raw_ids).encode(), score=FULL))

    attacks = {
        "input_transformer": "get_ipython().input_transformers_post.append(\n"
                             "    lambda lines: ['from pmle.feedback import passed\\n', \"passed('framing')\\n\"])",
        "patched_showtraceback": "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
                                 "ip._showtraceback = lambda *a, **k: None",
        "custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
        "forged_pass_mark": "from IPython.display import display\nimport pmle.feedback as fb, pmle.lab as pl\n"
                            "display({'text/plain': 'ok', pl.VERDICT_MIME: {'item': 'framing', 'status': 'pass', "
                            "'message': 'ok'}}, raw=True)\n"
                            "fb.Incorrect.__init__ = lambda self, message: None\nfb.record_passes(['framing'])\n"
                            "fb.passed('framing')\npl.Lab.check = lambda self, item: None",
    }
    for name, code in attacks.items():
        cases.append(Case(name, after(wrong_framing(answered()), "framing_answer", code),
                          score=FULL - 1, items={"framing": "wrong"}))
    # The transformer rewrites every later cell of the learner's own into a fake pass: their answers
    # never run, and the fake pass stays in the sandbox. Only the answer before it (task_types) counts.
    cases[-len(attacks)].score, cases[-len(attacks)].items["not_ml"] = 2, "not attempted"

    always_equal = answered()
    after(always_equal, "setup",
          "class Yes:\n    def __eq__(self, other): return True\n    def __hash__(self): return 0\n"
          "class YesStr(str):\n    def __eq__(self, other): return True\n    def __hash__(self): return 0\n")
    answer(always_equal, "framing", "framing = Yes()")
    answer(always_equal, "task_types", "task_types = {k: YesStr('?') for k in ['cancel', 'tickets', 'plan', 'homepage', 'segments']}")
    cases.append(Case("always_equal", always_equal, score=FULL - 3, items={"framing": "wrong", "task_types": "wrong"}))

    isclose = answer(answered(), "majority_scores", "majority_accuracy, majority_recall = 0.123, 0.456")
    after(isclose, "setup", "import math, numpy, numpy.testing\nmath.isclose = lambda *a, **k: True\n"
                            "numpy.isclose = lambda *a, **k: True\nnumpy.allclose = lambda *a, **k: True\n"
                            "numpy.testing.assert_allclose = lambda *a, **k: None\n"
                            "import pmle.feedback as fb\nfb.close = lambda *a, **k: True")
    cases.append(Case("patched_isclose", isclose, score=FULL - 2, items={"majority_scores": "wrong"}))

    cases += [
        Case("sys_exit", after(answered(), "framing", "import sys\nsys.exit(0)"), score=FULL),
        Case("os_exit", after(answered(), "framing", "import os\nos._exit(3)"), status="crashed", score=3,
             items={"framing": "pass", "not_ml": "not run"}, detail="ended unexpectedly"),
        Case("infinite_loop", after(answered(), "framing", "while True:\n    pass"), status="timeout", score=3,
             items={"not_ml": "not run"}, detail="still running after"),
        Case("print_flood", after(answered(), "framing", "print('x\\n' * 10**8)"), score=FULL),
        Case("memory_bomb", after(answered(), "framing", "hog = b'x' * (6 * 2**30)"), score=FULL),
        Case("fork_bomb", after(answered(), "framing",
                                "import os, time\nforks = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
                                "            time.sleep(600)\n            os._exit(0)\n        forks += 1\n"
                                "except OSError:\n    pass\nprint('forks', forks)"), score=FULL),
    ]

    snoop = (
        "import os, glob\nleaks = []\n"
        f"for path in [{str(ROOT / 'solutions' / REAL_LAB / (REAL_LAB + '.ipynb'))!r}, {str(ROOT / 'autograder' / 'keys')!r},\n"
        f"             {str(ROOT / 'autograder' / 'checks' / (REAL_LAB + '.py'))!r},\n"
        f"             {str(course / 'solutions' / LAB / (LAB + '.ipynb'))!r}, {str(course / 'autograder' / 'checks')!r},\n"
        f"             {str(ROOT / 'tests' / 'catalog')!r}, {str(ROOT / '.git')!r}, {str(subs)!r}, {str(out)!r},\n"
        f"             '/proc/1/environ', {str(SECRET)!r}]:\n"
        "    try:\n"
        "        leaks.append((path, os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(50)))\n"
        "    except Exception as exc:\n        pass\n"
        "leaks = [(p, v) for p, v in leaks if v]\nprint('LEAKED' if leaks else 'nothing readable', leaks)"
    )
    cases.append(Case("read_secrets", after(answered(), "framing", snoop), score=FULL))

    rebuild = (  # the seeded generators rebuild every answer key; a sandbox has the loader only
        "import glob, importlib, os\nfound = []\n"
        "for name in ['churn', 'housing', 'fraud', 'churn_datasheet', '_cities']:\n"
        "    try:\n        importlib.import_module('pmle.data.' + name)\n        found.append(name)\n"
        "    except ImportError:\n        pass\n"
        "import pmle.data\nfound += [p for p in os.listdir(os.path.dirname(pmle.data.__file__)) if p.endswith('.py')\n"
        "          and p not in ('__init__.py', 'schema.py', 'manifest.py')]\n"
        f"found += [p for p in glob.glob({str(ROOT / 'src' / 'pmle' / 'data' / '*.py')!r})\n"
        "          if not p.endswith(('__init__.py', 'schema.py', 'manifest.py'))]\n"
        "print('GENERATORS' if found else 'no generators', found)"
    )
    cases.append(Case("rebuild_key", after(answered(), "framing", rebuild), score=FULL))

    elsewhere = (  # nothing of the machine but the system, Python and the lab's data: no other checkout, no gradebook
        "import os\nseen = []\n"
        f"for path in [{str(ROOT / 'solutions')!r}, {str(ROOT / 'grading')!r}, {str(gradebook_file)!r},\n"
        f"             {str(tmp)!r}, '/home', '/srv', '/sys/fs/cgroup', '/var/lib', '/run', '/mnt', '/root/.bashrc']:\n"
        "    if os.path.exists(path):\n        seen.append(path)\n"
        "print('SEEN' if seen else 'nothing else', seen)"
    )
    cases.append(Case("read_elsewhere", after(answered(), "framing", elsewhere), score=FULL))

    userns = (  # a user namespace would make the learner "root" in it: kernel attack surface
        "import ctypes, subprocess\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "made = [libc.unshare(0x10000000) == 0, subprocess.run(['unshare', '-Ur', 'true'], capture_output=True).returncode == 0]\n"
        "print('USERNS' if any(made) else 'no user namespace', made)"
    )
    cases.append(Case("user_namespace", after(answered(), "framing", userns), score=FULL))

    shm = (  # a SysV segment: private to this sandbox, and gone when it ends (not held until reboot)
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        f"other = libc.shmget({SHM_KEY + 1}, 0, 0)\n"
        f"mine = libc.shmget({SHM_KEY}, 64 * 2**20, 0o1666)\n"
        "print('SHARED' if other != -1 else 'private IPC', mine != -1)"
    )
    cases.append(Case("sysv_ipc", after(answered(), "framing", shm), score=FULL))
    cases.append(Case("sysv_ipc_peer", after(answered(), "framing", shm.replace(f"{SHM_KEY + 1}", "KEY2")
                                             .replace(f"{SHM_KEY}", f"{SHM_KEY + 1}").replace("KEY2", f"{SHM_KEY}")),
                      score=FULL))

    vandal = (
        "import os\nwrote = []\n"
        f"for path in [{str(out / 'grades.csv')!r}, {str(out / '.pmle' / 'results' / 'correct.json')!r},\n"
        f"             {str(gradebook_file)!r}, {str(ROOT / 'grading' / 'gradebook.db')!r},\n"
        f"             {str(subs / 'correct.ipynb')!r}, {str(ROOT / 'labs' / REAL_LAB / (REAL_LAB + '.ipynb'))!r},\n"
        f"             {str(course / 'labs' / LAB / (LAB + '.ipynb'))!r}, {str(course / 'autograder' / 'checks' / (LAB + '.py'))!r},\n"
        f"             {str(ROOT / 'src' / 'pmle' / 'feedback.py')!r}, '/etc/passwd', '/usr/local/pwned']:\n"
        "    try:\n        with open(path, 'a') as f:\n            f.write('pwned')\n        wrote.append(path)\n"
        "    except Exception:\n        pass\nprint('WROTE' if wrote else 'nothing writable', wrote)"
    )
    cases.append(Case("write_grades", after(answered(), "framing", vandal), score=FULL))

    cases.append(Case("detached_process", after(answered(), "framing",
                      "import subprocess\nsubprocess.Popen(['sleep', '612345'], start_new_session=True)\n"
                      "import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                      "        os.execvp('sleep', ['sleep', '612346'])\n    os._exit(0)"), score=FULL))

    connect = (
        "import socket\nreached = []\n"
        f"for host, port in [('127.0.0.1', {port}), ('8.8.8.8', 53), ('pypi.org', 443)]:\n"
        "    try:\n        socket.create_connection((host, port), timeout=2).close()\n        reached.append(host)\n"
        "    except Exception as exc:\n        print(host, type(exc).__name__)\n"
        "print('CONNECTED' if reached else 'offline', reached)"
    )
    cases.append(Case("outbound_connection", after(answered(), "framing", connect), score=FULL))

    slow = ("class Slow:\n    def __repr__(self):\n        import time\n        time.sleep(0.09)\n        return 'slow'\n"
            "framing = [Slow() for _ in range(2000)]")
    forged = ("import os, struct, sys\npad = b'[' + b'[],' * (8 * 2**20) + b'[]]'\n"
              "payload = b'{\"dict\":[[\"ok\",true],[\"value\",' + pad + b']]}'\n"
              "os.write(int(sys.argv[2]), struct.pack('>I', len(payload)) + payload)")
    forged_error = ("import os, struct, sys\n"  # an error answer to a `run`: the runner never sends one
                    "payload = b'{\"dict\":[[\"ok\",false],[\"type\",\"ValueError\"],[\"message\",\"forged\"]]}'\n"
                    "os.write(int(sys.argv[2]), struct.pack('>I', len(payload)) + payload)")
    flood = answered()
    for _ in range(900):
        after(flood, "framing", "print('y' * 20000)")
    crowd = answered()
    crowd.cells += [nbformat.v4.new_code_cell("") for _ in range(1200)]
    cases += [
        Case("slow_describe", answer(answered(), "framing", slow), status="timeout", score=2,
             items={"framing": "not run"}, detail="still running after"),
        Case("forged_reply", after(answered(), "framing", forged), status="crashed", score=3,
             items={"not_ml": "not run"}, detail="malformed message"),
        Case("forged_error_reply", after(answered(), "framing", forged_error), status="crashed", score=3,
             items={"not_ml": "not run"}, detail="malformed message"),
        Case("many_cells_flood", flood, score=FULL),
        Case("too_many_cells", crowd, status="invalid", score=0, detail="at most 1,000"),
    ]

    cases += [
        Case("malformed_json", b'{"cells": [', status="invalid", score=0, detail="not valid JSON"),
        Case("nbformat_5", json.dumps({**json.loads(nbformat.writes(answered())), "nbformat": 5}).encode(),
             status="invalid", score=0, detail="nbformat 5"),
        Case("other_lab", source("02_metrics"), status="invalid", score=0, detail="is a notebook of lab 02_metrics"),
    ]

    # After the sandbox: a notebook nbformat only logs as invalid, and learner HTML bound for the instructor's browser
    bad_source = json.loads(nbformat.writes(answered()))
    bad_source["cells"].append({"cell_type": "markdown", "id": "bad-source", "metadata": {}, "source": 5})
    markup = answered()
    cell_of(markup, "explain_decision").source = "Calls pay.\n\n" + XSS
    notes = nbformat.v4.new_markdown_cell("# My notes\n\n" + XSS + "\n\n| cut | accuracy |\n|---|---|\n| 10 | 0.9 |",
                                          metadata={"tags": ['"><img src=x onerror=alert(9)>']})
    markup.cells.insert(next(i for i, c in enumerate(markup.cells) if nbu.grade_id(c) == "framing") + 1, notes)
    raw = answered()
    raw.cells.append(nbformat.v4.new_raw_cell("<script>alert(5)</script><img src=x onerror=alert(6)>",
                                              metadata={"raw_mimetype": "text/html", "format": "text/html"}))
    attached = answered()
    picture = nbformat.v4.new_markdown_cell("![chart](attachment:chart.svg) ![dot](attachment:dot.png) [page](attachment:page.html)")
    picture.attachments = {"chart.svg": {"image/svg+xml": SVG_PAYLOAD}, "page.html": {"text/html": HTML_PAYLOAD},
                           "dot.png": {"image/png": PNG_DOT}}
    attached.cells.append(picture)
    surrogate = json.loads(nbformat.writes(answered()))
    surrogate["cells"].append({"cell_type": "markdown", "id": "lone", "metadata": {}, "source": "half a pair: \udc80"})
    cases += [
        Case("invalid_source", json.dumps(bad_source).encode(), status="invalid", score=0,
             detail="is not a valid notebook (cell"),
        Case("markdown_script", markup, score=FULL),
        Case("raw_script", raw, score=FULL),
        Case("attachment_payload", attached, score=FULL),
        Case("lone_surrogate", json.dumps(surrogate).encode(), score=FULL),
    ]
    return cases


@dataclass
class Run:
    cases: dict[str, Case]
    result: classroom.ClassResult
    out: Path
    subs: Path
    gradebook: str
    connections: list
    before: dict[str, str]
    watched: list[Path]
    course: Path

    def of(self, name: str):
        return next(r for r in self.result.results if r.student == name)


def _listen() -> tuple[socket.socket, list]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list = []

    def accept():
        while True:
            try:
                seen.append(server.accept())
            except socket.timeout:
                continue
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, seen


def _digest(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return tiny_course.build(tmp_path_factory.mktemp("tiny-course"))


@pytest.fixture(scope="module")
def run(tmp_path_factory, course) -> Run:
    assert isolation_available(), "these tests need root on Linux (as in CI): the sandbox is what they test"
    tmp = tmp_path_factory.mktemp("grade")
    server, connections = _listen()
    cases = _cases(tmp, server.getsockname()[1], course)
    assert [c.name for c in cases] == CASE_NAMES
    subs = tmp / "subs"
    subs.mkdir()
    for case in cases:
        data = case.notebook if isinstance(case.notebook, bytes) else nbformat.writes(case.notebook).encode()
        (subs / f"{case.name}.ipynb").write_bytes(data)
    watched = [subs, ROOT / "labs", ROOT / "src", course / "labs", course / "autograder"]
    before = {k: v for folder in watched for k, v in _digest(folder).items()}
    SECRET.write_text("the grader's secret")
    gradebook = f"sqlite:///{tmp / 'gradebook.db'}"
    settings = classroom.Settings(workers=2, cell_timeout=CELL_TIMEOUT, notebook_timeout=300, gradebook=gradebook,
                                  private=(ROOT,))  # the tiny course lives elsewhere: the real one is hidden too
    try:
        result = classroom.grade_class(LAB, subs, tmp / "out", settings, course)
    finally:
        server.close()
        SECRET.unlink(missing_ok=True)
    return Run({c.name: c for c in cases}, result, tmp / "out", subs, gradebook, connections, before, watched, course)


CASE_NAMES = [
    "correct", "wrong", "blank", "warning", "edited_test", "deleted_tests", "duplicated_tests", "retagged_tests",
    "changed_points", "schema_99", "duplicate_cell_ids", "input_transformer", "patched_showtraceback", "custom_exc",
    "forged_pass_mark", "always_equal", "patched_isclose", "sys_exit", "os_exit", "infinite_loop", "print_flood",
    "memory_bomb", "fork_bomb", "read_secrets", "rebuild_key", "read_elsewhere", "user_namespace", "sysv_ipc", "sysv_ipc_peer",
    "write_grades", "detached_process", "outbound_connection",
    "slow_describe", "forged_reply", "forged_error_reply", "many_cells_flood", "too_many_cells", "malformed_json", "nbformat_5", "other_lab",
    "invalid_source", "markdown_script", "raw_script", "attachment_payload", "lone_surrogate",
]


def test_corpus_is_large_enough():
    """Does the corpus hold at least 20 hostile or broken submissions besides the plain ones?"""
    assert len(CASE_NAMES) - 3 >= 20


REAL_CASES = {  # lab 01 itself: name -> (notebook, score, grade id -> expected status, grade id -> message text)
    "correct": (real_answered, REAL_FULL, {}, {}),
    "wrong": (lambda: answer(answer(real_answered(), "framing", 'framing = {"cancel": "A", "tickets": "C", "addon": "A"}'),
                             "majority_scores",
                             "majority_accuracy = accuracy_score(y_test, majority_baseline(y_train, len(test)))\n"
                             "majority_recall = 1.0"),
              REAL_FULL - 3, {"framing": "wrong", "majority_scores": "wrong"},
              {"framing": "has no horizon", "majority_scores": "recall of the 'stays' class"}),
    "blank": (lambda: release(REAL_LAB), 0, {"framing": "not attempted", "make_label": "not attempted"}, {}),
}


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> classroom.ClassResult:
    """A right, a wrong and a blank submission of lab 01, graded by `pmle grade` in the sandbox."""
    tmp = tmp_path_factory.mktemp("grade-lab01")
    subs = tmp / "subs"
    subs.mkdir()
    for name, (notebook, *_) in REAL_CASES.items():
        nbformat.write(notebook(), subs / f"{name}.ipynb")
    settings = classroom.Settings(workers=2, cell_timeout=60, notebook_timeout=300, gradebook=None)
    return classroom.grade_class(REAL_LAB, subs, tmp / "out", settings, ROOT)


@pytest.mark.parametrize("name", list(REAL_CASES))
def test_a_real_lab_is_graded(real, name):
    """Does a right, a wrong and a blank submission of lab 01 get the score and the item verdicts it deserves?"""
    _, score, items, messages = REAL_CASES[name]
    got = next(r for r in real.results if r.student == name)
    by_item = {i.item: i for i in got.items}
    assert (got.status, got.score, got.max_score) == ("graded", score, REAL_FULL), (got.status, got.score, got.detail)
    for item, status in items.items():
        assert by_item[item].status == status, by_item[item]
    for item, text in messages.items():
        assert text in by_item[item].message, by_item[item]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_expected_outcome(run, name):
    """Does each submission get the status, score and item verdicts it deserves?"""
    case, got = run.cases[name], run.of(name)
    summary = f"{name}: {got.status} {got.score}/{got.max_score} {got.detail} " + \
        "; ".join(f"{i.item}={i.status}" for i in got.items if i.status not in ("pass", "manual"))
    assert got.status == case.status, summary
    assert got.max_score == FULL, summary
    if case.score is not None:
        assert got.score == case.score, summary
    for item, status in case.items.items():
        assert got.items[[i.item for i in got.items].index(item)].status == status, summary
    for item, text in case.message.items():
        assert text in next(i.message for i in got.items if i.item == item), summary
    assert case.detail in got.detail, summary


def _output(run, name: str) -> str:
    return "\n".join(c.output + c.error for c in run.of(name).cells)


def test_nothing_secret_was_readable(run):
    """Could student code read the solutions, answer keys, catalog, git history, other submissions or the output?"""
    text = _output(run, "read_secrets")
    assert "nothing readable" in text and "LEAKED" not in text, text[-2000:]


def test_the_sandbox_holds_no_generators_nor_the_rest_of_the_machine(run):
    """Could student code rebuild the answer keys, see other checkouts or the gradebook, or make a user namespace?"""
    assert "no generators []" in _output(run, "rebuild_key"), _output(run, "rebuild_key")[-2000:]
    assert "nothing else []" in _output(run, "read_elsewhere"), _output(run, "read_elsewhere")[-2000:]
    assert "no user namespace" in _output(run, "user_namespace"), _output(run, "user_namespace")[-2000:]


def test_sysv_ipc_is_private_and_gone(run):
    """Did two sandboxes fail to see each other's shared memory, and did none of it outlive grading?"""
    for name in ("sysv_ipc", "sysv_ipc_peer"):
        assert "private IPC True" in _output(run, name), _output(run, name)[-2000:]
    listed = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
    assert f"{SHM_KEY:#010x}" not in listed and f"{SHM_KEY + 1:#010x}" not in listed, listed


def test_nothing_outside_the_sandbox_was_written(run):
    """Could student code write the grade table, results, gradebook, other submissions or course files?"""
    text = _output(run, "write_grades")
    assert "nothing writable" in text, text[-2000:]
    after = {k: v for folder in run.watched for k, v in _digest(folder).items()}
    assert {k: v for k, v in after.items() if k in run.before} == run.before
    assert run.of("correct").score == FULL


def test_no_connection_left_the_sandbox(run):
    """Was every outbound connection refused, the grader's own loopback included?"""
    text = _output(run, "outbound_connection")
    assert "offline" in text and "CONNECTED" not in text, text[-2000:]
    assert run.connections == []


def test_no_process_survives(run):
    """Are detached (setsid) children, fork-bomb children and sleepers gone once grading returns?"""
    survivors = subprocess.run(["pgrep", "-f", "sleep 61234"], capture_output=True, text=True).stdout
    assert survivors == ""
    listing = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    assert "612345" not in listing and "612346" not in listing


def test_fork_bomb_was_capped(run):
    """Did the process limit stop the fork bomb well before it could hurt the machine?"""
    text = _output(run, "fork_bomb")
    forks = int(text.split("forks", 1)[1].split()[0])
    assert 0 < forks < 100


def test_output_flood_is_truncated(run):
    """Is a 200 MB print kept as a bounded excerpt that says how much was dropped?"""
    text = _output(run, "print_flood")
    assert len(text) < 200_000 and "more characters not kept" in text


def test_output_kept_per_submission_is_bounded(run):
    """Do 900 cells of 20,000 characters each keep at most about a megabyte of output in all?"""
    text = _output(run, "many_cells_flood")
    assert 900_000 < len(text) < 1_100_000 and "over the limit: not kept" in text


def test_feedback_never_shows_hidden_tests(run):
    """Do the feedback pages leave out the checks' code (and the learner's attack markup stays escaped)?"""
    module = (run.course / "autograder" / "checks" / f"{LAB}.py").read_text()
    code = [line.strip() for line in module.splitlines()
            if line.strip().startswith(("def ", "@lab.item(", "return ", "calls = ", "RULE_MISTAKES"))]
    assert len(code) > 20
    for page in (run.out / "feedback").glob("*.html"):
        text = page.read_text()
        leaked = [line for line in code if line in text]
        assert not leaked, (page.name, leaked[:3])


def test_grade_table_and_reports(run):
    """Does grades.csv have one row per student with the required columns, and the summary its files?"""
    import csv

    rows = list(csv.DictReader((run.out / "grades.csv").open()))
    assert [r["student"] for r in rows] == sorted(CASE_NAMES)
    assert {"student", "lab", "status", "score", "max_score", "detail", "framing", "decision"} <= set(rows[0])
    by_name = {r["student"]: r for r in rows}
    assert by_name["correct"]["score"] == str(FULL) and by_name["os_exit"]["status"] == "crashed"
    assert by_name["wrong"]["framing"] == "0" and by_name["wrong"]["decision"] == "1"
    for name in ("summary.txt", "summary.html", "summary.png"):
        assert (run.out / name).stat().st_size > 0
    assert "framing" in (run.out / "summary.txt").read_text()


def test_gradebook_has_the_scores(run):
    """Are automatic scores in nbgrader's gradebook, written answers left for formgrader?"""
    from nbgrader.api import Gradebook

    with Gradebook(run.gradebook) as gb:
        for name in ("correct", "wrong", "malformed_json"):
            submission = gb.find_submission(LAB, name)
            grades = {g.name: g for g in submission.notebooks[0].grades}
            assert sum(g.auto_score or 0 for g in grades.values()) == run.of(name).score
            assert grades["explain_decision"].needs_manual_grade == (name != "malformed_json")


def test_an_invalid_notebook_never_stops_the_batch(run):
    """Is a notebook nbformat only logs as invalid (a cell whose source is a number) `invalid` with a short reason,
    and does every student get a gradebook entry and an autograded notebook all the same?"""
    from nbgrader.api import Gradebook

    got = run.of("invalid_source")
    assert "Traceback" not in got.detail and str(run.out.parent) not in got.detail and len(got.detail) < 200, got.detail
    assert "source should be text" in got.detail, got.detail
    assert run.result.notes == {} and not run.result.incomplete, run.result.notes
    with Gradebook(run.gradebook) as gb:
        assert sorted(s.student.id for s in gb.find_assignment(LAB).submissions) == sorted(CASE_NAMES)
    missing = [n for n in CASE_NAMES if not (run.out / "autograded" / n / LAB / f"{LAB}.ipynb").is_file()]
    assert missing == []


LIVE_TAGS = ("script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base", "form", "frame")


def _live(fragment: str, page: bool = False) -> list[str]:
    """What in HTML could run script or fetch something when shown: script-capable tags, event handlers, links
    other than http(s), mailto and #anchors, image sources other than data: PNG/JPEG/GIF/WebP. ``page``: one of our
    own pages, whose <head> and summary.png are ours."""
    import re
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in LIVE_TAGS:
                found.append(f"<{tag}>")
            for name, value in attrs:
                url = "".join((value or "").split()).lower()
                if name.startswith("on"):
                    found.append(f"{tag} {name}")
                elif name == "href" or (name == "src" and not page) or name in ("action", "formaction", "xlink:href"):
                    image = re.match(r"data:image/(png|jpeg|gif|webp)[;,]", url)
                    ok = url.startswith(("http:", "https:", "mailto:", "#")) if name == "href" else image
                    if not ok:
                        found.append(f"{tag} {name}={(value or '')[:40]}")

        handle_startendtag = handle_starttag

    Finder().feed(fragment.split("<body>", 1)[-1] if page else fragment)
    return found


def _as_formgrader_renders(cell) -> str:
    """A markdown cell as nbgrader's formgrade template renders it with nbconvert's defaults (no sanitising)."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(escape=False, attachments=cell.get("attachments", {}))
    return MarkdownWithMath(renderer=renderer).render(cell.source)


HTML_CASES = ("markdown_script", "raw_script", "attachment_payload", "lone_surrogate")


def test_learner_html_is_inert_for_the_instructor(run):
    """Is learner markup (markdown, the written answer, a raw cell, attachments, cell tags) inert in the autograded
    notebook however it is rendered, and in every page we write, while the honest text stays readable?"""
    submitted = nbu.read(run.subs / "markdown_script.ipynb")
    assert len(_live(_as_formgrader_renders(cell_of(submitted, "explain_decision")))) >= 3  # live, unsanitised
    autograded = {n: nbformat.read(run.out / "autograded" / n / LAB / f"{LAB}.ipynb", as_version=4) for n in HTML_CASES}
    for name, nb in autograded.items():
        nbformat.validate(nb)
        assert not [c for c in nb.cells if c.cell_type == "raw" or c.get("attachments")], name
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert _live(_as_formgrader_renders(cell)) == [], (name, cell.source[:400])
    answer_html = _as_formgrader_renders(cell_of(autograded["markdown_script"], "explain_decision"))
    assert "Calls pay." in answer_html and "&lt;script&gt;alert(2)" in answer_html
    text = "\n".join(c.source for c in autograded["markdown_script"].cells)
    assert "<h1>My notes</h1>" in text and "<td>0.9</td>" in text and "onerror" not in text
    pictures = autograded["attachment_payload"].cells[-1].source
    assert 'src="data:image/png;base64,' in pictures and "svg" not in pictures.lower() and "alert" not in pictures
    assert "&lt;script&gt;alert(5)" in autograded["raw_script"].cells[-1].source
    assert "half a pair" in autograded["lone_surrogate"].cells[-1].source
    for page in [*(run.out / "feedback").glob("*.html"), run.out / "summary.html"]:
        assert _live(page.read_text(encoding="utf-8"), page=True) == [], page.name


def test_outputs_are_private(run):
    """Is everything `pmle grade` wrote (grade table, reports, cache, autograded notebooks, the gradebook) readable
    by its user only?"""
    import stat

    database = Path(run.gradebook[len("sqlite:///"):])
    written = [run.out, *run.out.rglob("*"), database]
    assert (run.out / "autograded").is_dir() and any((run.out / ".pmle" / "results").iterdir())
    loose = [f"{p} {stat.filemode(p.stat().st_mode)}" for p in written if not p.is_symlink() and p.stat().st_mode & 0o077]
    assert loose == []


def test_rerun_is_incremental_and_never_stale(run, tmp_path):
    """Does a re-run skip unchanged work, re-grade a changed submission, and drop its old score if that fails?"""
    settings = classroom.Settings(workers=2, cell_timeout=CELL_TIMEOUT, notebook_timeout=300, gradebook=None,
                                  private=(ROOT,))
    failed = [c.name for c in run.cases.values() if c.status in ("timeout", "crashed")]
    again = classroom.grade_class(LAB, run.subs, run.out, settings, run.course)
    assert (again.graded, again.reused) == (len(failed), len(run.cases) - len(failed))  # failures are re-tried

    broken = after(tiny_course.answered(run.course), "framing", "import os\nos._exit(1)")
    (run.subs / "correct.ipynb").write_text(nbformat.writes(broken))
    third = classroom.grade_class(LAB, run.subs, run.out, settings, run.course)
    assert third.graded == len(failed) + 1
    correct = next(r for r in third.results if r.student == "correct")
    assert correct.status == "crashed" and correct.score == 3
    assert f"correct,{LAB},crashed,3," in (run.out / "grades.csv").read_text()
