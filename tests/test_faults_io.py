"""Output faults: an unwritable output directory, a full disk (simulated mid-write and a
real 64 KiB tmpfs), a failing field writer. Each ends with an OutputError (exit code 4)
naming the path; a previous run stays complete and readable; no partial file or
directory is left pretending to be a result (catalogue: docs/robustness.md)."""

from __future__ import annotations

import errno
import json
import subprocess
from pathlib import Path

import pytest
from fault_helpers import message
from mpi4py import MPI

from conftest import run_python
from spinfem import io as sio
from spinfem.demo import run_demo
from spinfem.errors import OutputError
from spinfem.io import write_json

RADIUS = 15e-9  # a small demo pillar [m]


def make_old(target: Path) -> None:
    target.mkdir(parents=True)
    (target / "summary.json").write_text(json.dumps({"RA_P_ohm_m2": 1.0}))


def assert_old(target: Path) -> None:
    assert sorted(p.name for p in target.iterdir()) == ["summary.json"]
    assert json.loads((target / "summary.json").read_text()) == {"RA_P_ohm_m2": 1.0}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_output_below_a_regular_file(tmp_path):
    """The parent of the run directory is a file: not creatable, whoever runs the test."""
    blocker = tmp_path / "results.txt"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError) as info:
        run_demo(out=blocker / "run", radius=RADIUS)
    message(info, "results.txt", "cannot create output directory")
    assert info.value.exit_code == 4
    assert blocker.read_text() == "not a directory"


def test_disk_full_while_writing_the_summary(tmp_path, monkeypatch):
    """ENOSPC half-way through summary.json of a rerun: the old run survives untouched,
    the error names the file, nothing partial is left."""
    target = tmp_path / "run"
    make_old(target)
    real = Path.write_text

    def full(self: Path, text: str, *args, **kwargs) -> int:
        if self.name.endswith("summary.json.tmp"):
            real(self, text[: len(text) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OutputError) as info:
        run_demo(out=target, radius=RADIUS, overwrite=True)
    message(info, "summary.json", "No space left on device")
    assert_old(target)
    assert leftovers(tmp_path) == []


def test_write_json_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full(self: Path, text: str, *args, **kwargs) -> int:
        Path.open(self, "w").write(text[:3])
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OutputError) as info:
        write_json(tmp_path / "summary.json", {"a": 1}, MPI.COMM_WORLD)
    message(info, "summary.json")
    assert list(tmp_path.iterdir()) == []


def test_failing_field_writer_is_an_output_error(tmp_path, monkeypatch):
    """An ADIOS2 failure (RuntimeError) inside the VTX writer becomes an OutputError naming
    the file, on every rank, and the run directory is not published."""

    class Broken:
        def __init__(self, comm, path, funcs, engine):
            self.path = path

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, t):
            raise RuntimeError(f"couldn't write to file {self.path}/data.0 : errno = 28")

    monkeypatch.setattr(sio, "VTXWriter", Broken)
    with pytest.raises(OutputError) as info:
        run_demo(out=tmp_path / "run", radius=RADIUS)
    message(info, "potentials.bp", "errno = 28")
    assert list(tmp_path.iterdir()) == []


def test_existing_run_directory_is_refused_by_the_api(tmp_path):
    target = tmp_path / "run"
    make_old(target)
    with pytest.raises(OutputError) as info:
        run_demo(out=target, radius=RADIUS, overwrite=False)
    message(info, str(target), "exists")
    assert_old(target)


# ------------------------------------------------------------------ a real full disk
@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs (needs root and mount rights; skipped otherwise)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


@pytest.mark.parametrize("nprocs", [1, 2])
def test_cli_on_a_full_disk(tiny_fs, nprocs):
    """The demo's fields do not fit: exit code 4 on every rank, one message naming the
    directory, no traceback, the old run in place, no partial directory."""
    old = tiny_fs / "run"
    make_old(old)
    args = ["-m", "spinfem.cli", "demo", "--radius-nm", "15", "--out", str(old)]
    proc = run_python(args, nprocs=nprocs, timeout=180)
    assert proc.returncode == 4, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("spinfem: error:")]
    assert len(lines) == 1, proc.stderr[-2000:]
    assert "No space left on device" in lines[0] and str(tiny_fs) in lines[0]
    assert "Traceback" not in proc.stderr
    assert_old(old)
    assert leftovers(tiny_fs) == []
