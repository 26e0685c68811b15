"""Do the README's commands do what they say: `make lab` serves JupyterLab on labs/, honouring PORT?"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_serves_jupyterlab_on_the_given_port():
    """Does `make lab PORT=...` start JupyterLab, serving the labs folder, on that port?"""
    port = free_port()
    args = "--no-browser --ServerApp.token= --ServerApp.ip=127.0.0.1"
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"PORT={port}", f"LAB_ARGS={args}"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, body = time.monotonic() + 60, None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/01_framing", timeout=2) as reply:
                    body = reply.read().decode()
            except OSError:
                time.sleep(0.5)
        assert body is not None, "JupyterLab did not answer"
        assert "01_framing.ipynb" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=5) as reply:
            assert reply.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_ci_runs_the_readme_test_command():
    """Does .ci/run call exactly the README's test command?"""
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
