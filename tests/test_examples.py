"""Every example in examples/ runs at smoke size, serially and under ``mpirun -n 2``, and
prints the same observables on both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import rel_err, run_python

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
NUMBER = re.compile(r"(\w[\w ]*?)\s*=\s*([-+]?\d\.\d+e[-+]\d+)")


def run_example(path: Path, nprocs: int, tmp_path: Path) -> dict[str, float]:
    proc = run_python(
        [
            "-c",
            f"import os, runpy, sys; os.environ['SPINFEM_SMOKE'] = '1'; "
            f"sys.argv = ['{path.name}', '{tmp_path / f'out{nprocs}'}']; "
            f"runpy.run_path('{path}', run_name='__main__')",
        ],
        nprocs=nprocs,
        timeout=300,
    )
    assert proc.returncode == 0, f"{path.name} on {nprocs} rank(s):\n{proc.stdout}\n{proc.stderr}"
    values = {k.strip(): float(v) for k, v in NUMBER.findall(proc.stdout)}
    assert values, f"{path.name} printed no observables:\n{proc.stdout}"
    return values


def test_there_are_examples():
    names = {p.name for p in EXAMPLES}
    assert {"cpp_spin_valve.py", "mtj.py"} <= names


@pytest.mark.mpi
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_serial_and_two_ranks(path, tmp_path):
    one = run_example(path, 1, tmp_path)
    two = run_example(path, 2, tmp_path)
    assert one.keys() == two.keys()
    for key, value in one.items():
        if value != 0:
            assert rel_err(two[key], value) < 1e-6, (key, value, two[key])
