"""Do `pmle data build` and `pmle data verify` work from the command line, and the data travel with a wheel?"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pmle.data
from pmle.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_cli_build_then_verify(tmp_path, capsys, monkeypatch):
    """Does `data build --out` write data and keys that `data verify` accepts, and reject a tampered file?"""
    out = tmp_path / "datasets"
    assert main(["data", "build", "--out", str(out)]) == 0
    monkeypatch.setenv("PMLE_DATA_DIR", str(out))
    capsys.readouterr()
    assert main(["data", "verify"]) == 0
    assert "match the manifest" in capsys.readouterr().out
    victim = next(p for p in sorted(out.rglob("*.csv")))
    victim.write_bytes(victim.read_bytes().replace(b"\n", b"\r\n", 1))
    assert main(["data", "verify"]) == 1
    assert victim.name in capsys.readouterr().out


def test_committed_data_verify():
    """Do the committed data sets and answer keys match their manifests?"""
    assert pmle.data.verify() == []


def test_wheel_install_loads_data(tmp_path):
    """Does a non-editable install (a wheel) find and load every data set from another folder?"""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # Dependencies come from the test environment; the package itself only from the wheel.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "deps.pth").write_text("\n".join(deps) + "\n")
    wheel = next(wheels.glob("*.whl"))
    # The new environment's own pip: the test environment's editable install stays untouched.
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    code = ("import pmle.data, pmle; assert 'site-packages' in pmle.__file__, pmle.__file__; "
            "print(pmle.data.data_dir()); print([len(pmle.data.load(n)) for n in pmle.data.available()])")
    done = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "share/pmle-labs/datasets" in done.stdout
