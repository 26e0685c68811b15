"""`pmle`: release labs, check a notebook, build and verify data sets."""

from __future__ import annotations

import argparse
import sys

from pmle import __version__
from pmle.errors import PmleError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmle", description="Graded ML-engineering labs.")
    parser.add_argument("--version", action="version", version=f"pmle {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="grade your notebook and say, per question, what is right and what is not")
    check.add_argument("notebook", help="a lab number or id for your copy in work/ (e.g. 01), or a notebook's path")
    check.add_argument("--json", action="store_true", help="print the result as JSON")

    lab = sub.add_parser("lab", help="open JupyterLab on your workspace (work/), copying new labs into it first")
    lab.add_argument("--port", type=int, default=8888, help="port (default: 8888)")
    lab.add_argument("--instructor", action="store_true",
                     help="open the course root with nbgrader's instructor controls instead")
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="further arguments for `jupyter lab`")

    work = sub.add_parser("workspace", help="copy new labs into work/ (never overwriting yours), or update one")
    work.add_argument("--update", metavar="LAB", help="put the current release of LAB beside your copy")

    release = sub.add_parser("release", help="regenerate labs/ from solutions/ (nbgrader generate_assignment)")
    release.add_argument("labs", nargs="*", help="lab ids (default: all)")
    release.add_argument("--check", action="store_true", help="only report whether labs/ is up to date")

    grade = sub.add_parser(
        "grade", help="autograde a whole class safely: sandboxed, parallel, resumable, with a grade table",
        description="Grade every submission of LAB. SUBMISSIONS is nbgrader's submitted/ folder (or the folder "
                    "holding it), a folder of <student>.ipynb files, or an LMS download .zip.")
    grade.add_argument("lab", help="lab id, e.g. 01_framing")
    grade.add_argument("submissions", help="submitted/ folder, folder of <student>.ipynb, or .zip")
    grade.add_argument("--out", default=None, help="output folder (default: grading/pmle/LAB)")
    grade.add_argument("--workers", type=int, default=0, help="submissions graded at once (default: number of cores)")
    grade.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per cell (default: 60)")
    grade.add_argument("--notebook-timeout", type=float, default=600.0, help="seconds allowed per notebook (default: 600)")
    grade.add_argument("--gradebook", default="", metavar="URL",
                       help="nbgrader gradebook database URL (default: the course's grading/gradebook.db)")
    grade.add_argument("--no-gradebook", action="store_true", help="don't write the nbgrader gradebook")
    grade.add_argument("--prune", action="store_true",
                       help="remove from the gradebook this lab's submissions of students not in SUBMISSIONS, unless "
                            "they hold manual grades or comments (default: keep them and list them in the summary)")
    grade.add_argument("--no-isolation", action="store_true",
                       help="run learner code without the root-only sandbox (same user, network on); see INSTRUCTOR.md")

    data = sub.add_parser("data", help="build or verify the committed data sets")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    build = data_sub.add_parser("build", help="regenerate every data set")
    build.add_argument("--out", default=None, help="folder to write to (default: the committed datasets/)")
    data_sub.add_parser("verify", help="check the committed files against the manifest")
    return parser


def _check(args) -> int:
    from pmle.grading import report, selfcheck

    result = selfcheck.check(args.notebook)
    print(report.as_json(result) if args.json else report.as_text(result, colour=report.use_colour()))
    return 0


def _workspace(args) -> int:
    from pmle.course import paths, workspace

    root = paths.course_root()
    if args.update:
        lab = workspace.lab_id(root, args.update)
        kept = workspace.update(root, lab)
        print(f"{workspace.notebook(root, lab)} is the new release; your copy is {kept.name} beside it.")
        return 0
    for note in workspace.sync(root):
        print(note)
    print(f"your workspace: {workspace.folder(root)}")
    return 0


def _lab(args) -> int:
    import os

    from pmle.course import paths, workspace

    root = paths.course_root()
    if not args.instructor:
        for note in workspace.sync(root):
            print(note)
    extra = [a for a in args.jupyter_args if a != "--"]
    argv, env = workspace.jupyter_command(root, args.port, extra, instructor=args.instructor)
    sys.stdout.flush()
    os.execvpe(argv[0], argv, env)
    return 0  # pragma: no cover - exec does not return


def _release(args) -> int:
    from pmle.course import paths, release

    root = paths.course_root()
    stale = release.release(root, args.labs or None, check=args.check)
    if args.check:
        if stale:
            print("labs/ is out of date with solutions/:\n" + "\n".join(f"  {s}" for s in stale))
            print("hint: run `pmle release` and commit labs/.")
            return 1
        print("labs/ is up to date.")
        return 0
    print(f"regenerated labs/ ({len(stale)} file(s) changed).")
    return 0


def _grade(args) -> int:
    from pathlib import Path

    from pmle.course import paths
    from pmle.grading import classroom
    from pmle.grading.sandbox import isolation_available

    root = paths.course_root()
    isolate = False if args.no_isolation else None
    if isolate is None and not isolation_available():
        print("pmle grade: full isolation needs root on Linux; learner code runs as you, with the network on "
              "(pass --no-isolation to silence this). See autograder/INSTRUCTOR.md.", file=sys.stderr)
        isolate = False
    settings = classroom.Settings(
        workers=max(0, args.workers), cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
        isolate=isolate, gradebook=None if args.no_gradebook else args.gradebook, prune=args.prune,
    )
    out = Path(args.out) if args.out else root / "grading" / "pmle" / args.lab

    from pmle.grading import classreport

    def progress(result):
        detail = classreport._printable(result.detail, 60)  # a learner's text: no terminal escapes
        print(f"  {result.student:<24} {result.status:<8} {result.score:g}/{result.max_score:g}  {detail}", flush=True)

    done = classroom.grade_class(args.lab, Path(args.submissions), out, settings, root, progress)

    print()
    print(classreport.summary_text(done.results, done.notes))
    print(f"graded {done.graded}, unchanged {done.reused}, in {done.seconds:g} s. Wrote {out / 'grades.csv'}, "
          f"{out / 'summary.html'} and feedback/ for each student.")
    if done.incomplete:
        print("pmle grade: some results were not written in full (see Notes above and the detail column of "
              "grades.csv); everything else was. Fix the cause and run it again: unchanged submissions are not "
              "re-graded.", file=sys.stderr)
        return 1
    return 0


def _data(args) -> int:
    from pmle import data

    if args.data_command == "build":
        from pmle.course import paths

        out = args.out or paths.course_root() / "datasets"
        data.build(out)
        print(f"wrote data sets to {out}")
        return 0
    problems = data.verify()
    for line in problems:
        print(line)
    print("data sets match the manifest." if not problems else f"{len(problems)} mismatch(es).")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"check": _check, "lab": _lab, "workspace": _workspace, "release": _release, "grade": _grade,
                "data": _data}
    try:
        return handlers[args.command](args)
    except PmleError as exc:
        print(f"pmle: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
