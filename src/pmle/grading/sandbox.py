"""Run untrusted notebook code in a separate, locked-down process and talk to it over a pipe.

`Sandbox.start()` launches `pmle.grading.runner` (which executes the learner's cells) so that it can do
little harm. With root on Linux ("full" isolation) the runner gets:

- its own user id (one per worker slot, never shared by two running submissions), no groups,
  and no way to gain privileges (no_new_privs, so set-uid programs don't help);
- no network (a fresh network namespace with no interfaces, not even loopback);
- its own process, IPC, UTS and cgroup namespaces: when the runner's init process ends, the kernel
  kills every process left in it, detached (`setsid`) or not, and its SysV IPC objects go with it;
  a cgroup (randomly named) caps the process count and memory;
- a file system built from nothing (`build_root`): the system, Python and its libraries, the course's
  data and released labs, and pmle.data's loader without the seeded generators, all read-only, and
  small private scratch folders; nothing else of the machine exists in it;
- a seccomp filter that refuses new user namespaces;
- limits on file size, open files and CPU time.

Without root ("none" isolation) the runner is only a separate process in its own session with the
same resource limits (by rlimit); it runs with the grader's permissions. Pass/fail is judged outside
the runner in both cases (see pmle.grading.trusted), so the verdicts can't be forged either way.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pmle.grading import wire

MAX_FRAME = 64 * 2**20  # bytes in one message from the runner
MAX_NODES = 2_000_000  # JSON lists and objects in one message: decoding each costs memory here
UID_BASE = 61000  # worker slot n runs learner code as uid/gid UID_BASE + n


class SandboxError(BaseException):
    """The runner did not answer as it should; ``kind`` is "timeout" or "crashed".

    A BaseException, like KeyboardInterrupt: the checks wrap every call of learner code in
    ``except Exception`` (its failures are the learner's), and a dead sandbox must end the submission's
    grading instead of passing for a learner's error."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class VariantEnded(SandboxError):
    """The copy of the runner that played a variant has exited (see Runner.fork); ``code`` is its exit code."""

    def __init__(self, code: str):
        super().__init__("crashed", f"the variant's process ended (exit code {code})")
        self.code = code


UNKNOWN_DEATH = "the notebook's process ended unexpectedly"  # where only the parent knows why (see channel)


class RemoteError(Exception):
    """Learner code raised an exception that has no safe local counterpart."""


@dataclass
class Limits:
    memory_mb: int = 2048  # resident memory of all the runner's processes (cgroup), else address space
    processes: int = 64
    file_mb: int = 64  # largest file the runner may write
    scratch_mb: int = 256  # the private /tmp
    open_files: int = 256
    cpu_seconds: int = 600  # CPU time of the runner process, a backstop behind the wall-clock limits
    output_kb: int = 20  # text kept per cell


@dataclass
class Plan:
    """Everything the boot step needs, written as JSON for `python -m pmle.grading.sandbox boot`."""

    argv: list[str]
    env: dict[str, str]
    uid: int
    view: View
    limits: Limits
    fds: list[int] = field(default_factory=list)
    memory_cgroup: bool = False  # resident memory capped by a cgroup too, not only address space


def isolation_available() -> bool:
    """Full isolation needs root, Linux namespaces (unshare) and the mount command."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return False
    if not (shutil.which("unshare") and shutil.which("mount")):
        return False
    probe = subprocess.run(["unshare", "--mount", "--net", "--pid", "--fork", "true"], capture_output=True)
    return probe.returncode == 0


# Fresh namespaces for the mounts, the network (none), the processes, SysV IPC (objects die with the
# sandbox, and no sandbox sees another's), the host name and the cgroup tree (no cgroup names).
NAMESPACES = ["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--cgroup", "--fork", "--kill-child", "--mount-proc"]
SCRATCH = {"/tmp": 0, "/var/tmp": 16, "/dev/shm": 16}  # size in MB; 0 means Limits.scratch_mb
# What a sandbox's file system holds besides Python and the course's exposed folders; nothing else of the
# machine is there (no /home, /root, /srv, other checkouts, gradebooks or earlier outputs, no /sys).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group", "nsswitch.conf",
       "host.conf", "hosts", "alternatives", "fonts", "mime.types", "os-release", "locale.alias", "matplotlibrc")
DEVICES = ("null", "zero", "full", "random", "urandom")
# pmle.data as a sandbox sees it: the loader, not the seeded generators that can rebuild the answer keys.
DATA_LOADER = ("__init__.py", "schema.py", "manifest.py")


def _python_dirs() -> set[Path]:
    """Folders the runner's Python needs to read: its prefixes and its import path."""
    dirs = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    dirs |= {Path(p) for p in sys.path if p and ("site-packages" in p or "/lib/python" in p) and Path(p).is_dir()}
    dirs.add(Path(__file__).resolve().parents[2])  # where pmle itself is imported from (src/ when editable)
    return {Path(os.path.realpath(d)) for d in dirs} | dirs


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def package_data() -> Path:
    """pmle.data's folder, wherever pmle is installed (src/ of a checkout, or site-packages)."""
    return Path(os.path.realpath(Path(__file__).resolve().parents[1] / "data"))


def _outermost(folders) -> list[Path]:
    folders = sorted({Path(os.path.realpath(p)) for p in folders if Path(p).exists()}, key=lambda p: len(p.parts))
    return [p for i, p in enumerate(folders) if not any(_within(p, other) for other in folders[:i])]


def exposed(course_root: Path, data_dir: Path | None = None) -> list[Path]:
    """The course's folders every sandbox reads besides the system's: the data, the released labs, Python and its libraries."""
    wanted = {course_root / "datasets", course_root / "labs", *_python_dirs()}
    if data_dir is not None:
        wanted.add(data_dir)
    return _outermost(wanted)


def unhideable(course_root: Path, private: list[Path]) -> list[Path]:
    """The private folders that lie inside a folder every sandbox reads, so no sandbox could be kept out of them."""
    shown = exposed(course_root)
    return [p for p in private if any(_within(Path(os.path.realpath(p)), e) for e in shown)]


@dataclass
class View:
    """A process's whole file system, built from nothing: only these paths of the machine, read-only.

    ``shown`` are bound at their own paths; each folder of ``masked`` is then covered by an empty one
    holding only the listed files of it (pmle.data's loader in a sandbox). Scratch folders are fresh.
    """

    shown: list[str]
    masked: dict[str, list[str]] = field(default_factory=dict)


def system_paths() -> list[str]:
    paths_ = [p for p in SYSTEM if os.path.lexists(p)]
    paths_ += [f"/etc/{name}" for name in ETC if os.path.exists(f"/etc/{name}")]
    return paths_


def view(course_root: Path, private: list[Path] = (), data_dir: Path | None = None) -> View:
    """What a sandbox sees: the system, Python and its libraries, the data and the released labs.

    Raises ValueError for a private folder inside a shown one: it would be shown with it.
    """
    inside = unhideable(course_root, private)
    if inside:
        raise ValueError(f"cannot hide {inside[0]} from the sandbox: it is inside a folder every sandbox reads")
    data = package_data()
    shown = system_paths() + [str(p) for p in exposed(course_root, data_dir)]
    masked = {}
    if any(_within(data, Path(p)) for p in shown):
        masked[str(data)] = [str(data / name) for name in DATA_LOADER if (data / name).is_file()]
    return View(shown, masked)


def trusted_view(course_root: Path, lab: str, data_dir: Path | None = None) -> View:
    """What the trusted side of grading sees: the sandbox's view and pmle whole, this lab's source,
    release and checks, the answer keys. No other lab's solution, no gradebook, submissions or outputs."""
    from pmle.course import labs, paths

    wanted = [paths.source_notebook(course_root, lab), paths.release_notebook(course_root, lab),
              labs.checks_path(course_root, lab), course_root / "autograder" / "keys", course_root / "datasets",
              course_root / "nbgrader_config.py",  # what makes the folder a course (pmle.course.paths.course_root)
              *_python_dirs(), Path(__file__).resolve().parents[1]]
    if data_dir is not None:
        wanted.append(data_dir)
    return View(system_paths() + [str(p) for p in _outermost(wanted)])


# ---------------------------------------------------------------- cgroups (v1 and v2)


def _cgroup_dir(controller: str) -> Path | None:
    """Our own cgroup folder for ``controller`` when we may create children in it."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            base = Path("/sys/fs/cgroup") / controller / path.lstrip("/")
            if base.is_dir() and os.access(base, os.W_OK):
                return base
    return None


def _registry(owner_pid: int) -> Path:
    return LOCKS / f"cgroups-{owner_pid}"


def cgroup_name() -> str:
    """A random cgroup name, recorded for `sweep`: the name tells a sandbox nothing (no pid to find the grader by)."""
    import secrets

    name = f"pmle-{secrets.token_hex(8)}"
    _locks()
    with open(_registry(os.getpid()), "a") as f:
        f.write(name + "\n")
    return name


def sweep(owner_pid: int) -> None:
    """Kill and remove the cgroups a grading process that died left behind (the names it recorded)."""
    registry = _registry(owner_pid)
    try:
        names = registry.read_text().split()
    except OSError:
        return
    for controller in ("pids", "memory", "cpu"):
        base = _cgroup_dir(controller)
        if base is None:
            continue
        for name in names:
            if (base / name).is_dir():
                group = Cgroups.__new__(Cgroups)
                group.dirs = [base / name]
                group.kill_all()
    registry.unlink(missing_ok=True)


class Cgroups:
    """A pids and a memory cgroup per sandbox (cgroup v1), when the machine lets us make them."""

    def __init__(self, name: str, limits: Limits):
        self.dirs: list[Path] = []
        for controller, settings in (
            ("pids", {"pids.max": str(limits.processes)}),
            ("memory", {"memory.limit_in_bytes": str(limits.memory_mb * 2**20)}),
            ("cpu", {"cpu.shares": "1024"}),  # all of a sandbox's processes share one fair slice of CPU
        ):
            base = _cgroup_dir(controller)
            if base is None:
                continue
            folder = base / name
            try:
                folder.mkdir(exist_ok=True)
                for key, value in settings.items():
                    (folder / key).write_text(value)
                if controller == "memory" and (folder / "memory.memsw.limit_in_bytes").exists():
                    (folder / "memory.memsw.limit_in_bytes").write_text(str(limits.memory_mb * 2**20))
            except OSError:
                continue
            self.dirs.append(folder)

    @property
    def has_memory(self) -> bool:
        return any("memory" in d.parts for d in self.dirs)

    def join(self) -> None:
        """Move the calling process in (called in the child between fork and exec)."""
        for folder in self.dirs:
            with open(folder / "cgroup.procs", "w") as f:
                f.write(str(os.getpid()))

    def oom_killed(self) -> bool:
        """Whether the memory cgroup hit its limit (failcnt) or killed a process for it (oom_control's oom_kill,
        the only sign on kernels whose failcnt stays 0)."""
        for folder in self.dirs:
            try:
                if (folder / "memory.failcnt").read_text().strip() not in ("", "0"):
                    return True
                control = dict(line.split() for line in (folder / "memory.oom_control").read_text().splitlines()
                               if len(line.split()) == 2)
                if control.get("oom_kill", "0") != "0":
                    return True
            except OSError:
                continue
        return False

    def kill_all(self) -> None:
        for _ in range(50):
            alive = False
            for folder in self.dirs:
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    pids = []
                for pid in pids:
                    alive = True
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            if not alive:
                break
            time.sleep(0.02)
        for folder in self.dirs:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


# ---------------------------------------------------------------- user ids


LOCKS = Path(tempfile.gettempdir()) / "pmle-sandbox-uids"


def _locks() -> Path:
    """LOCKS, made private to this user; refused if someone else made it first (it sits in a shared /tmp)."""
    import stat

    LOCKS.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(LOCKS)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise RuntimeError(f"{LOCKS} is not a private folder of this user: remove it and grade again")
    return LOCKS


def claim_uid(start: int) -> tuple[int, int]:
    """A sandbox user id no other running sandbox on this machine holds, and the lock fd that holds it."""
    import fcntl

    _locks()
    for offset in range(1000):
        uid = UID_BASE + (start + offset) % 1000
        fd = os.open(LOCKS / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fd
        except OSError:
            os.close(fd)
    raise RuntimeError("no free sandbox user id (1000 sandboxes running?)")


# ---------------------------------------------------------------- framing


def write_frame(fd: int, payload: bytes) -> None:
    data = struct.pack(">I", len(payload)) + payload
    view_ = memoryview(data)
    while view_:
        written = os.write(fd, view_)
        view_ = view_[written:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None) -> bytes:
    (size,) = struct.unpack(">I", _read_exact(fd, 4, deadline))
    if size > MAX_FRAME:
        raise ValueError(f"message of {size} bytes is over the {MAX_FRAME}-byte limit")
    return _read_exact(fd, size, deadline)


# ---------------------------------------------------------------- the sandbox


class Sandbox:
    """One runner process; `request()` sends an operation and returns its decoded answer."""

    def __init__(self, process: subprocess.Popen, to_runner: int, from_runner: int, cgroups: Cgroups | None,
                 workdir: Path, isolated: bool, uid: int | None, uid_lock: int = -1):
        self.uid_lock = uid_lock
        self.process, self.to_runner, self.from_runner = process, to_runner, from_runner
        self.cgroups, self.workdir, self.isolated, self.uid = cgroups, workdir, isolated, uid
        self.dead: SandboxError | None = None
        self.in_variant = False  # between "fork" and "end": a VariantEnded answer means the copy is gone
        self.killed = False

    @classmethod
    def start(cls, course_root: Path, slot: int = 0, limits: Limits | None = None, isolate: bool | None = None,
              private: list[Path] = (), data_dir: Path | None = None) -> "Sandbox":
        limits = limits or Limits()
        isolate = isolation_available() if isolate is None else isolate
        workdir = Path(tempfile.mkdtemp(prefix=f"pmle-sandbox-{slot}-"))
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        env = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PMLE_DATA_DIR": str(data_dir or (course_root / "datasets")),
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        runner = [sys.executable, "-I", "-m", "pmle.grading.runner", str(req_r), str(resp_w), str(limits.output_kb * 1024)]
        uid, uid_lock = claim_uid(slot) if isolate else (None, -1)
        cgroups = None
        if isolate:
            cgroups = Cgroups(cgroup_name(), limits)
            plan = Plan(runner, env, uid, view(course_root, list(private), data_dir), limits, [req_r, resp_w],
                        cgroups.has_memory)
            env.update(HOME="/tmp/work", MPLCONFIGDIR="/tmp/work/.matplotlib", TMPDIR="/tmp")
            plan_file = workdir / "plan.json"
            plan_file.write_text(json.dumps(asdict(plan)))
            argv = [*NAMESPACES, sys.executable, "-I", "-m", "pmle.grading.sandbox", "boot", str(plan_file)]

            def preexec():
                _die_with_parent()  # if the grader dies, unshare dies, and with it the whole namespace
                cgroups.join()
        else:
            scratch = workdir / "work"
            scratch.mkdir()
            env.update(HOME=str(scratch), MPLCONFIGDIR=str(scratch / ".matplotlib"), TMPDIR=str(scratch))
            argv, preexec = runner, (lambda: _set_rlimits(limits, address_space=True))
        process = subprocess.Popen(
            argv, pass_fds=(req_r, resp_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, env=env,
            cwd=str(workdir / "work") if not isolate else "/", preexec_fn=preexec,
        )
        os.close(req_r)
        os.close(resp_w)
        return cls(process, req_w, resp_r, cgroups, workdir, isolate, uid, uid_lock)

    def request(self, op: str, timeout: float, remote=None, handle_for=None, **fields):
        """Send ``op``; the answer's value, or raise RemoteError / a builtin error / SandboxError."""
        if self.dead:
            raise self.dead
        deadline = time.monotonic() + timeout
        try:
            write_frame(self.to_runner, wire.dumps({"op": op, **fields}, handle_for=handle_for))
            frame = read_frame(self.from_runner, deadline)
            if frame.count(b"[") + frame.count(b"{") > MAX_NODES:
                raise ValueError(f"a message with over {MAX_NODES:,} nested values")
            reply = wire.loads(frame, remote=remote, max_bytes=MAX_FRAME)
        except TimeoutError:
            self.dead = SandboxError("timeout", f"no answer within {timeout:g} s")
        except (EOFError, BrokenPipeError, OSError):
            self.dead = SandboxError("crashed", self._death())
        except (ValueError, wire.WireError) as exc:
            if isinstance(exc, wire.WireError) and "cannot send" in str(exc) and "message" not in str(exc):
                raise TypeError(f"cannot pass this value to the learner's code: {exc}") from None
            self.dead = SandboxError("crashed", f"the notebook's process sent a malformed message ({exc})")
        if self.dead:
            self.kill()
            raise self.dead
        if not isinstance(reply, dict) or "ok" not in reply:
            self.dead = SandboxError("crashed", "the notebook's process sent a malformed message")
            self.kill()
            raise self.dead
        if reply["ok"]:
            return reply.get("value")
        if self.in_variant and reply.get("type") == "VariantEnded":
            raise VariantEnded(str(reply.get("message", ""))[:20])
        raise local_exception(str(reply.get("type", "Exception")), str(reply.get("message", "")))

    def channel(self) -> "Sandbox":
        """The same runner, to talk to only: no process, cgroups or uid to clean up (the trusted child's copy)."""
        return Sandbox(None, self.to_runner, self.from_runner, None, None, self.isolated, None)

    def _death(self) -> str:
        if self.process is None:
            return UNKNOWN_DEATH
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if self.cgroups and self.cgroups.oom_killed():
            return "the notebook used more memory than allowed and was stopped"
        if code is not None and code < 0:
            return f"the notebook's process was killed by signal {signal.Signals(-code).name}"
        return f"the notebook's process ended unexpectedly (exit code {code})"

    def kill(self) -> None:
        """Stop the runner and everything it started; safe to call twice (the second call does nothing).

        Once the uid lock is released another sandbox may take the same uid, so nothing may act on
        this uid or process group after it: a second `pkill -U` here once killed another student's runner.
        """
        if self.killed:
            return
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.cgroups:
            self.cgroups.kill_all()
        if self.uid is not None:  # anything still running as the slot's user (there should be none)
            subprocess.run(["pkill", "-KILL", "-U", str(self.uid)], capture_output=True)
        self.killed = True  # only now: a cleanup cut short (a cell's alarm) is done again in full by the next call
        for fd in (self.to_runner, self.from_runner, self.uid_lock):  # the lock last: the uid is free again
            try:
                os.close(fd)
            except OSError:
                pass
        self.to_runner = self.from_runner = self.uid_lock = -1
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    close = kill


SAFE_EXCEPTIONS = {
    cls.__name__: cls
    for cls in (ValueError, TypeError, KeyError, IndexError, AttributeError, ZeroDivisionError, NotImplementedError,
                AssertionError, RuntimeError, NameError, LookupError, ArithmeticError, OverflowError, RecursionError,
                MemoryError, UnboundLocalError, FloatingPointError)
}


def local_exception(type_name: str, message: str) -> BaseException:
    """The trusted side's stand-in for an exception raised by learner code."""
    cls = SAFE_EXCEPTIONS.get(type_name)
    if cls is KeyError:
        return KeyError(message)
    if cls is not None:
        return cls(message)
    return RemoteError(f"{type_name}: {message}" if message else type_name)


# ---------------------------------------------------------------- inside the namespaces


def _set_rlimits(limits: Limits, address_space: bool, processes: bool = False) -> None:
    import resource

    mb = 2**20
    pairs = [
        (resource.RLIMIT_FSIZE, limits.file_mb * mb),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_CORE, 0),
    ]
    if address_space:  # one huge allocation fails with MemoryError; the cgroup (where there is one) catches the rest
        pairs.append((resource.RLIMIT_AS, limits.memory_mb * mb * 2))
    if processes:  # a per-user count: only meaningful for the sandbox's own user id
        pairs.append((resource.RLIMIT_NPROC, limits.processes))
    for which, value in pairs:
        resource.setrlimit(which, (value, value))


def _die_with_parent() -> None:
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def build_root(view_: View, scratch_mb: int, uid: int, root: str, proc_options: str = "") -> None:
    """Make ``view_`` this mount namespace's whole file system (pivot_root), with fresh scratch folders.

    Called as root inside fresh mount and pid namespaces. ``root`` is an empty folder to build in;
    the machine's own root is detached at the end, so nothing outside the view can be reached by any path.
    """
    import socket

    os.umask(0o022)
    socket.sethostname("pmle-sandbox")  # a fresh UTS namespace: the machine's name is not the learner's business
    _mount("--make-rprivate", "/")
    os.makedirs(root, exist_ok=True)
    _mount("-t", "tmpfs", "-o", "size=8m,mode=0755", "pmle-root", root)

    def bind(path: str) -> None:
        target = root + path
        if os.path.islink(path) and path in SYSTEM:  # /lib -> usr/lib on merged-/usr systems
            os.symlink(os.readlink(path), target)
            return
        if os.path.isdir(path):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        _mount("--bind", path, target)
        _mount("-o", "remount,bind,ro,nosuid,nodev", target)

    os.makedirs(root + "/dev", exist_ok=True)
    _mount("-t", "tmpfs", "-o", "size=1m,mode=0755,nosuid", "pmle-dev", root + "/dev")
    for path, size in SCRATCH.items():  # fresh, small, private; first, as a course may itself live in /tmp
        os.makedirs(root + path, exist_ok=True)
        _mount("-t", "tmpfs", "-o", f"size={size or scratch_mb}m,mode=1777,nosuid,nodev", "pmle-scratch", root + path)
    for path in view_.shown:
        bind(path)
    for folder, files in view_.masked.items():
        _mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "pmle-masked", root + folder)
        for path in files:
            bind(path)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("-t", "proc", "-o", ",".join(filter(None, ["nosuid,nodev,noexec", proc_options])), "proc", root + "/proc")
    for name in DEVICES:
        open(f"{root}/dev/{name}", "a").close()
        _mount("--bind", f"/dev/{name}", f"{root}/dev/{name}")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.makedirs(root + "/tmp/work/.matplotlib")
    for folder in ("/tmp/work", "/tmp/work/.matplotlib"):
        os.chown(root + folder, uid, uid)
        os.chmod(root + folder, 0o700)
    os.chdir(root)
    os.mkdir("old-root")
    pivot = shutil.which("pivot_root", path="/usr/sbin:/sbin:/usr/bin:/bin") or "pivot_root"
    subprocess.run([pivot, ".", "old-root"], check=True, capture_output=True)
    os.chdir("/")
    subprocess.run(["umount", "-l", "/old-root"], check=True, capture_output=True)
    os.rmdir("/old-root")
    _mount("-o", "remount,bind,ro", "/")


def _drop_privileges(uid: int) -> None:
    import ctypes

    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_NO_NEW_PRIVS = 38
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


# seccomp: no new user namespaces (kernel attack surface: `unshare -U` gives a learner "root" in one).
# Per architecture: audit arch, and the numbers of unshare, clone, clone3 and setns.
SYSCALLS = {"x86_64": (0xC000003E, 272, 56, 435, 308), "aarch64": (0xC00000B7, 97, 220, 435, 268)}
# Also refused: the kernel keyrings (add_key, request_key, keyctl), which no namespace isolates: keys are
# per uid on the host and uids are reused, so they would pass data between students and outlive grading
# (red-team finding); and io_uring (setup, enter, register), kernel attack surface a notebook never needs.
REFUSED = {"x86_64": (248, 249, 250, 425, 426, 427), "aarch64": (217, 218, 219, 425, 426, 427)}
CLONE_NEWUSER = 0x10000000


def deny_user_namespaces() -> bool:
    """Install a seccomp filter: unshare/clone with CLONE_NEWUSER, setns, the keyrings and io_uring fail with
    EPERM; clone3 (whose
    flags a filter cannot read) fails with ENOSYS, so the C library falls back to clone. Other ABIs of the
    machine (x32, i386) are refused whole. Returns False where the architecture is not known (nothing installed)."""
    import ctypes
    import errno
    import platform

    numbers = SYSCALLS.get(platform.machine())
    if numbers is None:
        return False
    arch, unshare, clone, clone3, setns = numbers
    LD, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JSET|K, BPF_RET|K
    ALLOW, EPERM, ENOSYS = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
    program = [
        (LD, 0, 0, 4), (JEQ, 1, 0, arch), (RET, 0, 0, EPERM),  # another ABI: refused
        (LD, 0, 0, 0), (JSET, 0, 1, 0x40000000), (RET, 0, 0, EPERM),  # x32 numbers
        (JEQ, 0, 1, clone3), (RET, 0, 0, ENOSYS),
        (JEQ, 0, 1, setns), (RET, 0, 0, EPERM),
        *[step for nr in REFUSED[platform.machine()] for step in ((JEQ, 0, 1, nr), (RET, 0, 0, EPERM))],
        (JEQ, 1, 0, unshare), (JEQ, 0, 3, clone),
        (LD, 0, 0, 16), (JSET, 0, 1, CLONE_NEWUSER), (RET, 0, 0, EPERM),
        (RET, 0, 0, ALLOW),
    ]

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(program))(*[Filter(*f) for f in program])
    prog = Program(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
    return True


def boot(plan_file: str) -> int:
    """PID 1 of the sandbox: build the file view, start the runner as the slot's user, reap, exit."""
    raw = json.loads(Path(plan_file).read_text())
    plan = Plan(**{**raw, "limits": Limits(**raw["limits"]), "view": View(**raw["view"])})
    build_root(plan.view, plan.limits.scratch_mb, plan.uid, str(Path(plan_file).parent / "root"))
    for fd in plan.fds:
        os.set_inheritable(fd, True)
    child = os.fork()
    if child == 0:
        try:
            os.chdir("/tmp/work")
            _set_rlimits(plan.limits, address_space=True, processes=True)
            _drop_privileges(plan.uid)
            deny_user_namespaces()
            os.execve(plan.argv[0], plan.argv, plan.env)
        finally:
            os._exit(127)
    for fd in plan.fds:
        os.close(fd)
    while True:  # reap everything; when the runner ends, so does the namespace and all left in it
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        if pid == child:
            return os.waitstatus_to_exitcode(status) & 0xFF


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "boot":
        sys.exit(boot(sys.argv[2]))
    sys.exit("usage: python -m pmle.grading.sandbox boot PLAN.json")
