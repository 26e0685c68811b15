"""The pieces of `pmle grade`'s safety, one at a time: file view, names, estimators, proxies, CLI (verdicts: test_verdict.py)."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from pmle import feedback
from pmle.course.notebooks import bound_names
from pmle.grading.classroom import grades_csv
from pmle.grading.results import SubmissionResult
from pmle.grading.sandbox import Sandbox, isolation_available, local_exception, trusted_view, view
from pmle.grading.selfcheck import ItemResult
from pmle.grading.trusted import Remote, rebuild_estimator

from conftest import ROOT


def test_view_shows_data_labs_and_code_and_nothing_else_of_the_course():
    """Does a sandbox's file system hold the system, Python, the data, the labs and pmle's loader only?

    The view is an allow-list: solutions/, autograder/ (checks, answer keys), tests/, .git, grading/ (the
    gradebook), homes and everything else of the machine are simply not there; pmle.data shows its loader,
    not the seeded generators that rebuild the answer keys."""
    shown = view(ROOT, []).shown
    assert {str(ROOT / "src"), str(ROOT / "datasets"), str(ROOT / "labs"), "/usr"} <= set(shown)
    assert not {str(ROOT), "/root", "/home", "/srv", "/sys", "/etc"} & set(shown)
    assert not any(e.startswith(str(ROOT / name)) for e in shown
                   for name in ("solutions", "autograder", "tests", ".git", "grading"))
    masked = view(ROOT, []).masked
    data = ROOT / "src" / "pmle" / "data"
    assert masked == {str(data): [str(data / f) for f in ("__init__.py", "schema.py", "manifest.py")]}


def test_the_trusted_view_holds_one_lab_and_its_keys():
    """Does the trusted side see this lab's source, release and checks and the answer keys, but no other lab's?"""
    shown = trusted_view(ROOT, "03_bias_variance").shown
    assert {str(ROOT / "solutions/03_bias_variance/03_bias_variance.ipynb"), str(ROOT / "autograder/keys"),
            str(ROOT / "autograder/checks/03_bias_variance.py"), str(ROOT / "src"), str(ROOT / "nbgrader_config.py")} <= set(shown)
    assert not any("01_framing" in p or p.startswith(str(ROOT / "grading")) for p in shown)


def test_a_private_folder_inside_a_shown_one_is_refused(tmp_path):
    """Is a folder to hide that lies inside the labs, the data or the package refused, instead of shown with it?"""
    from pmle.grading import classroom

    with pytest.raises(ValueError, match="cannot hide"):
        view(ROOT, [ROOT / "datasets"])
    settings = classroom.Settings(workers=1, gradebook=None, private=(ROOT / "labs",))
    with pytest.raises(classroom.GradeError, match="every sandbox reads"):
        classroom.grade_class("01_framing", tmp_path, tmp_path / "out", settings, ROOT)
    assert not any(str(tmp_path) in p for p in view(ROOT, [tmp_path]).shown)


def test_bound_names_sees_top_level_bindings_only():
    """Which names does a cell bind: assignments, imports, defs, loop targets, but not function locals?"""
    code = ("import numpy as np\nfrom a.b import c as d\nx, (y, z) = 1, (2, 3)\nfor i in range(3): pass\n"
            "def f(q):\n    inner = q\n    return inner\nclass K: attr = 1\nw = [v for v in range(2)]\n"
            "if True:\n    t = 1\nwith open('f') as fh: pass\ndel t")
    assert bound_names(code) == {"np", "d", "x", "y", "z", "i", "f", "K", "w", "t", "fh"}
    assert bound_names("this is not python") == set()
    assert bound_names('report = f"{"a"}"\nx, y = 1,\nz == 3') == {"report", "x", "y"}, "a cell that does not compile"


def test_rebuild_estimator_builds_only_sklearn_estimators():
    """Is a named sklearn class rebuilt as the real thing, and anything else (os.system, a non-estimator) refused?"""
    from sklearn.linear_model import LogisticRegression

    model = rebuild_estimator({"module": "sklearn.linear_model._logistic", "name": "LogisticRegression", "params": {"C": 0.25}})
    assert type(model) is LogisticRegression and model.C == 0.25
    for spec in (
        {"module": "os", "name": "system", "params": {}},
        {"module": "sklearn.utils", "name": "Bunch", "params": {}},
        {"module": "sklearn.linear_model", "name": "LogisticRegression", "params": {"no_such": 1}},
        {"module": "sklearn..x", "name": "A", "params": {}},
        {"module": "sklearn.linear_model", "name": "__class__", "params": {}},
        "not a spec",
    ):
        assert rebuild_estimator(spec) is None, spec


def test_rebuilt_estimators_hold_no_learner_code_and_touch_no_files():
    """Is an estimator refused when its class is not on the allow-list, or its parameters carry learner
    callables, a cache folder or file input, at any depth?

    Rebuilt estimators are genuine library objects on the trusted side (to check their structure); a
    learner's FunctionTransformer(func=...), a CountVectorizer(input="filename") or a search whose grid
    sets a cache would make library code run learner code or touch files there.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    learner_fn = Remote(None, 5)
    refused = [
        {"module": "sklearn.preprocessing._function_transformer", "name": "FunctionTransformer", "params": {"func": learner_fn}},
        {"module": "sklearn.preprocessing._function_transformer", "name": "FunctionTransformer", "params": {"func": print}},
        {"module": "sklearn.pipeline", "name": "Pipeline", "params": {"steps": [("s", StandardScaler())], "memory": "/tmp/x"}},
        {"module": "sklearn.feature_extraction.text", "name": "CountVectorizer", "params": {"input": "filename"}},
        {"module": "sklearn.pipeline", "name": "Pipeline",
         "params": {"steps": [("v", CountVectorizer(analyzer=learner_fn))], "memory": None}},
        # a search sets the cache folder through its grid, a scoring dict holds a callable (red-team finding)
        {"module": "sklearn.model_selection._search", "name": "GridSearchCV",
         "params": {"estimator": Pipeline([("s", StandardScaler())]), "param_grid": {"memory": ["/tmp/x"]}}},
        {"module": "sklearn.model_selection._search", "name": "GridSearchCV",
         "params": {"estimator": Pipeline([("s", StandardScaler())]), "param_grid": [{"s__with_mean": [True]},
                                                                                     {"memory": ["/tmp/x"]}]}},
        {"module": "sklearn.model_selection._search", "name": "GridSearchCV",
         "params": {"estimator": StandardScaler(), "param_grid": {}, "scoring": {"x": print}}},
        {"module": "sklearn.linear_model._logistic", "name": "LogisticRegression", "params": {"C": {"x": learner_fn}}},
    ]
    for spec in refused:
        assert rebuild_estimator(spec) is None, spec
    ok = rebuild_estimator({"module": "sklearn.pipeline", "name": "Pipeline",
                            "params": {"steps": [("s", StandardScaler())], "memory": None}})
    assert type(ok).__name__ == "Pipeline"
    search = {"module": "sklearn.model_selection._search", "name": "GridSearchCV",
              "params": {"estimator": Pipeline([("s", StandardScaler())]),
                         "param_grid": {"s__with_mean": [True, False]}, "scoring": "roc_auc"}}
    assert rebuild_estimator(search) is None, "no meta-estimator that takes a parameter grid, even a plain one"
    weighted = rebuild_estimator({"module": "sklearn.linear_model._logistic", "name": "LogisticRegression",
                                  "params": {"C": 0.5, "class_weight": {0: 1, 1: 5}}})
    assert type(weighted).__name__ == "LogisticRegression" and weighted.class_weight == {0: 1, 1: 5}
    import sys

    before = set(sys.modules)
    assert rebuild_estimator({"module": "sklearn.externals.unknown", "name": "Pipeline", "params": {}}) is None
    assert rebuild_estimator({"module": "sklearn.pipeline", "name": "Bunch", "params": {}}) is None
    assert set(sys.modules) == before, "a learner's description made the trusted side import a module"


def test_remote_objects_compare_by_identity():
    """Can a learner object's own __eq__ decide a comparison on the trusted side?"""
    a, b = Remote(None, 1), Remote(None, 2)
    assert a == a and a != b and (a == "B") is False and not callable(a)


def test_learner_exceptions_map_to_safe_local_ones():
    """Do learner exceptions become plain builtin ones, or a RemoteError, never a grader class or SystemExit?"""
    assert type(local_exception("ValueError", "bad")) is ValueError
    assert type(local_exception("NotImplementedError", "")) is NotImplementedError
    for name in ("Incorrect", "SystemExit", "KeyboardInterrupt", "GeneratorExit", "PassedSignal"):
        exc = local_exception(name, "x")
        assert type(exc).__name__ == "RemoteError" and not isinstance(exc, (feedback.Incorrect, SystemExit))


def test_grade_table_cells_cannot_become_formulas():
    """Does a detail or student id that starts like a spreadsheet formula stay text in grades.csv?"""
    result = SubmissionResult("-alice", "01_framing", "invalid", "=HYPERLINK(\"http://x\")\nsecond line",
                              [ItemResult("q", "auto", "not run", 0.0, 1.0, "")])
    row = list(csv.reader(grades_csv([result], ["q"]).splitlines()))[1]
    assert row[0] == "'-alice" and row[-1].startswith("'=") and "\n" not in row[-1]


needs_root = pytest.mark.skipif(not isolation_available(), reason="full isolation needs root on Linux")


def test_isolation_is_available_where_ci_runs():
    """CI and this machine run as root: the sandbox tests below must not silently skip there."""
    import os

    if os.geteuid() == 0 and sys.platform == "linux":
        assert isolation_available()


@needs_root
def test_sandbox_runs_as_its_own_user_without_network():
    """Does learner code run under a sandbox uid, offline, in a private /tmp, with values coming back as data?"""
    sandbox = Sandbox.start(ROOT, slot=7)
    try:
        reply = sandbox.request("run", 30, source=(
            "import os, socket\nuid = os.getuid()\nentries = sorted(os.listdir(%r))\n"
            "try:\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n    net = 'up'\n"
            "except OSError as exc:\n    net = type(exc).__name__\n" % str(ROOT)))
        assert reply["error"] == ""
        got = sandbox.request("get", 30, names=["uid", "entries", "net", "missing"])
        assert got["found"]["uid"] != 0 and got["found"]["net"] != "up"
        assert set(got["found"]["entries"]) <= {"src", "datasets", "labs", ".venv"}
        assert got["missing"] == ["missing"]
    finally:
        sandbox.kill()
    assert sandbox.process.poll() is not None


@needs_root
def test_killing_a_sandbox_twice_never_touches_the_next_one_on_its_uid():
    """After a sandbox is killed, its uid is free: does a second kill() leave the sandbox that took that uid alone?

    (A runner that died was killed once where its death was noticed and once at the end of its grading;
    the second `pkill -U` once killed another student's runner that had the uid by then.)
    """
    first = Sandbox.start(ROOT, slot=9)
    first.request("ping", 30)
    uid = first.uid
    first.kill()
    second = Sandbox.start(ROOT, slot=9)
    try:
        assert second.uid == uid  # the same uid, free again
        second.request("run", 30, source="x = 1")
        first.kill()
        assert second.request("get", 30, names=["x"])["found"] == {"x": 1}
    finally:
        second.kill()


def test_sandbox_without_isolation_still_answers_with_data_and_limits():
    """Without root, does the runner still run cells in its own session, capped, answering with data only?"""
    import os

    sandbox = Sandbox.start(ROOT, isolate=False)
    try:
        sandbox.request("run", 30, source="import os, resource\nuid = os.getuid()\nsid = os.getsid(0)\n"
                                          "fsize = resource.getrlimit(resource.RLIMIT_FSIZE)[0]\nf = lambda x: x + 1")
        got = sandbox.request("get", 30, names=["uid", "sid", "fsize", "f"], remote=lambda n: ("handle", n))["found"]
        assert got["uid"] == os.getuid() and got["sid"] != os.getsid(0)
        assert got["fsize"] == 64 * 2**20 and got["f"][0] == "handle"
    finally:
        sandbox.kill()


def test_cli_grade_reports_an_unknown_lab():
    """Does `pmle grade` refuse an unknown lab in one line with a hint, exit code 2?"""
    done = subprocess.run([sys.executable, "-m", "pmle", "grade", "99_nothing", str(ROOT / "labs"), "--no-gradebook"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "unknown lab" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not isolation_available(), reason="needs root on Linux, as in CI")
def test_no_keyrings_or_io_uring_in_the_sandbox():
    """Kernel keyrings are per uid and uids are reused: a key would pass data to the next student (red-team B1)."""
    sandbox = Sandbox.start(ROOT, 0)
    try:
        sandbox.request("ping", 60)
        code = ("import ctypes, platform\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                "n = {'x86_64': (248, 250, 425), 'aarch64': (217, 219, 425)}[platform.machine()]\n"
                "p = b'note'\nadd = libc.syscall(n[0], b'user', b'rt', p, len(p), ctypes.c_int(-4))\n"
                "ring = libc.syscall(n[2], 8, None)\nprint('refused' if add == -1 and ring == -1 else 'ALLOWED', add, ring)")
        reply = sandbox.request("run", 60, source=code)
        assert reply["output"].startswith("refused"), reply
    finally:
        sandbox.kill()
