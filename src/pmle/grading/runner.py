"""The process inside the sandbox: runs the learner's cells and answers questions about its variables.

It reads requests from one pipe and writes answers to another (4-byte length + pmle.grading.wire message):

- ``run``: execute a cell with IPython (magics work as in Jupyter); answer its printed text and error;
- ``get``: the values of some global names (data as data; anything else as a handle);
- ``call`` / ``getattr`` / ``getitem`` / ``len`` / ``iter`` / ``describe``: operations on a handle.

Nothing here is trusted: learner code runs in this process and may change any of it. The grader only
ever takes *data* from these answers (pmle.grading.wire decodes nothing else), so the worst a learner can do
is send values, and sending the right value is the same as answering right.
"""

from __future__ import annotations

import io
import os
import sys
import traceback

from pmle.grading import wire
from pmle.grading.sandbox import read_frame, write_frame

MAX_ITEMS = 10**6


class CappedText(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def value(self) -> str:
        text = "".join(self.parts)
        return text + (f"\n... ({self.dropped:,} more characters not kept)" if self.dropped else "")


class Runner:
    def __init__(self, output_limit: int):
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False  # no history database, and no thread that saves it
        self.shell = InteractiveShell.instance(config=config, colors="nocolor")
        self.output_limit = output_limit
        self.handles: dict[int, object] = {}

    # handles ---------------------------------------------------------------------------------

    def handle_for(self, obj) -> int:
        key = id(obj)
        self.handles[key] = obj
        return key

    def lookup(self, key: int):
        if key not in self.handles:
            raise KeyError(f"unknown handle {key}")
        return self.handles[key]

    # operations ------------------------------------------------------------------------------

    def op_run(self, source: str) -> dict:
        out = CappedText(self.output_limit)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = out
        error = ""
        try:
            result = self.shell.run_cell(source, store_history=True)
            exc = result.error_before_exec or result.error_in_exec
            if exc is not None:
                error = f"{type(exc).__name__}: {exc}"
        except BaseException as exc:  # noqa: BLE001 - a learner's SystemExit etc. must not end the runner
            error = f"{type(exc).__name__}: {exc}"
        finally:
            sys.stdout, sys.stderr = saved
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            try:
                pyplot.close("all")  # as the inline backend does after each cell
            except Exception:
                pass
        return {"output": out.value(), "error": error[:2000]}

    def op_ping(self) -> bool:
        """Ready: the grader starts each cell's clock only once the runner is up."""
        return True

    def op_store(self, value) -> int:
        """Keep a value the grader will pass again (a big frame), and name it by a handle."""
        return self.handle_for(value)

    def op_build(self, module: str, name: str, params: dict) -> int:
        """A scikit-learn estimator the grader passes to the learner's code, built here from its parameters."""
        import importlib

        if not module.startswith(("sklearn.", "imblearn.")):
            raise ValueError(f"not a scikit-learn module: {module}")
        cls = getattr(importlib.import_module(module), name)
        if not isinstance(cls, type):
            raise ValueError(f"not a class: {module}.{name}")
        return self.handle_for(cls(**params))

    def op_libcall(self, module: str, name: str, args: list, kwargs: dict):
        """Call a scikit-learn / imbalanced-learn function (cross_val_score ...): the grader's clean sandbox fits with it."""
        import importlib

        if not module.startswith(("sklearn.", "imblearn.")) or not all(p.isidentifier() for p in name.split(".")):
            raise ValueError(f"not a scikit-learn function: {module}.{name}")
        func = importlib.import_module(module)
        for part in name.split("."):
            func = getattr(func, part)
        if not callable(func) or isinstance(func, type):
            raise ValueError(f"not a function: {module}.{name}")
        return func(*args, **kwargs)

    def op_get(self, names: list[str]) -> dict:
        ns = self.shell.user_ns
        found = {name: ns[name] for name in names if isinstance(name, str) and name in ns}
        return {"found": found, "missing": [n for n in names if n not in found]}

    def op_call(self, handle: int, args: list, kwargs: dict):
        return self.lookup(handle)(*args, **kwargs)

    def op_getattr(self, handle: int, name: str):
        return getattr(self.lookup(handle), name)

    def op_getitem(self, handle: int, key):
        return self.lookup(handle)[key]

    def op_len(self, handle: int) -> int:
        return int(len(self.lookup(handle)))

    def op_iter(self, handle: int) -> list:
        items = []
        for item in self.lookup(handle):
            items.append(item)
            if len(items) > MAX_ITEMS:
                raise ValueError(f"more than {MAX_ITEMS:,} items")
        return items

    def op_describe(self, handle: int) -> dict:
        obj = self.lookup(handle)
        text = repr(obj)
        info = {"type": type(obj).__name__, "repr": text[:300], "callable": callable(obj)}
        spec = _estimator_spec(obj)
        if spec is not None:
            info["estimator"] = spec
        return info

    # the loop --------------------------------------------------------------------------------

    def serve(self, fd_in: int, fd_out: int) -> None:
        while True:
            try:
                frame = read_frame(fd_in)
            except EOFError:
                return
            self.mark(BUSY)
            try:
                request = wire.loads(frame, remote=self.lookup)
                name = request.pop("op")
                if name == "fork":
                    self.fork(fd_in, fd_out)
                    continue
                if name == "end":
                    if self.variant:
                        self.mark(ENDED)
                        os._exit(0)  # the parent, waiting for this process, answers the "end"
                    raise VariantEnded("no variant")
                op = getattr(self, f"op_{name}")
                reply = {"ok": True, "value": op(**request)}
                payload = wire.dumps(reply, handle_for=self.handle_for)
            except BaseException as exc:  # noqa: BLE001 - every failure becomes an answer
                payload = wire.dumps({"ok": False, "type": _name(exc), "message": _text(exc)})
            self.mark(IDLE)  # before the answer: dying between the two costs a timeout, never a stray answer
            write_frame(fd_out, payload)

    # variants ----------------------------------------------------------------------------------

    variant = False
    state = None  # in a variant: one byte shared with the parent, IDLE / BUSY / ENDED

    def mark(self, value: int) -> None:
        if self.state is not None:
            self.state[0] = value

    def fork(self, fd_in: int, fd_out: int) -> None:
        """Go on as a copy of this process for a variant of the notebook, then come back to this state.

        The child answers ``{"forked": true}`` and serves the pipe until ``end``, when it exits; this
        process waits for it, then answers the ``end``. If the child died instead, the request it was
        answering (if any) and every request after it up to the ``end`` get a ``VariantEnded`` error.
        Either way this process then serves again in the state it had before the fork. The course asks
        for this to judge catalog entries (a misconception in one answer cell) as if each ran alone,
        without re-running the cells before it.
        """
        import mmap

        if self.variant:
            write_frame(fd_out, wire.dumps({"ok": False, "type": "ValueError", "message": "a variant cannot fork"}))
            return
        state = mmap.mmap(-1, 1)  # shared with the child: what it was doing when it ended
        pid = os.fork()
        if pid == 0:
            self.variant, self.state = True, state
            self.mark(IDLE)
            write_frame(fd_out, wire.dumps({"ok": True, "value": {"forked": True}}))
            return
        _, status = os.waitpid(pid, 0)
        code, how = os.waitstatus_to_exitcode(status), state[0]
        state.close()
        ended = wire.dumps({"ok": False, "type": "VariantEnded", "message": str(code)})
        if how == ENDED:
            write_frame(fd_out, ended)  # the answer to the child's "end"
            return
        if how == BUSY:
            write_frame(fd_out, ended)  # the answer to the request it died on
        while True:  # then every request up to the "end" that closes the variant
            try:
                frame = read_frame(fd_in)
            except EOFError:
                os._exit(0)
            try:
                closing = wire.loads(frame, remote=self.lookup).get("op") == "end"
            except BaseException:  # noqa: BLE001 - whatever it asked, the child is gone
                closing = False
            write_frame(fd_out, ended)
            if closing:
                return


IDLE, BUSY, ENDED = 0, 1, 2


class VariantEnded(Exception):
    pass


def _estimator_spec(obj) -> dict | None:
    """An unfitted scikit-learn estimator as class + parameters (what sklearn.clone copies), else None."""
    base = sys.modules.get("sklearn.base")
    if base is None or not isinstance(obj, base.BaseEstimator):
        return None
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(obj)
        return None  # fitted: its state stays here; the grader uses it through calls
    except NotFittedError:
        pass
    except Exception:
        return None
    return {"module": type(obj).__module__, "name": type(obj).__qualname__, "params": obj.get_params(deep=False)}


def _name(exc: BaseException) -> str:
    try:
        return str(type(exc).__name__)
    except Exception:
        return "Exception"


def _text(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:
        return "".join(traceback.format_exception_only(type(exc), None))[:2000]


def main(argv: list[str]) -> int:
    fd_in, fd_out, output_limit = int(argv[0]), int(argv[1]), int(argv[2])
    sys.path.insert(0, "")  # the working folder is importable, as in Jupyter
    Runner(output_limit).serve(fd_in, fd_out)
    os._exit(0)  # threads the learner started must not keep this process alive


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
