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
    check.add_argument("notebook", help="path to a lab notebook, e.g. labs/01_framing/01_framing.ipynb")
    check.add_argument("--json", action="store_true", help="print the result as JSON")

    release = sub.add_parser("release", help="regenerate labs/ from solutions/ (nbgrader generate_assignment)")
    release.add_argument("labs", nargs="*", help="lab ids (default: all)")
    release.add_argument("--check", action="store_true", help="only report whether labs/ is up to date")

    data = sub.add_parser("data", help="build or verify the committed data sets")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    build = data_sub.add_parser("build", help="regenerate every data set")
    build.add_argument("--out", default=None, help="folder to write to (default: the committed datasets/)")
    data_sub.add_parser("verify", help="check the committed files against the manifest")
    return parser


def _check(args) -> int:
    from pmle import report, selfcheck

    result = selfcheck.check(args.notebook)
    print(report.as_json(result) if args.json else report.as_text(result, colour=report.use_colour()))
    return 0


def _release(args) -> int:
    from pmle import paths, release

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


def _data(args) -> int:
    from pmle import data

    if args.data_command == "build":
        from pmle import paths

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
    handlers = {"check": _check, "release": _release, "data": _data}
    try:
        return handlers[args.command](args)
    except PmleError as exc:
        print(f"pmle: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
