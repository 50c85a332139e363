"""The vector-model examples in meshes/ run serially and under mpirun -n 2, print the same
numbers on both, and the numbers are sane."""

from __future__ import annotations

import itertools
import re

import pytest

from conftest import REPO, run_python


def _numbers(line: str) -> list[float]:
    return [float(x) for x in re.findall(r"[-+]?\d+\.\d+(?:e[-+]\d+)?", line)]


@pytest.mark.parametrize(
    "script", ["spin_valve_angle_sweep.py", "sot_bilayer.py", "smr_pt_yig_hall_bar.py"]
)
def test_example_runs_serially_and_on_two_ranks(script):
    serial = run_python([str(REPO / "meshes" / script)], nprocs=1, timeout=240)
    assert serial.returncode == 0, serial.stderr
    proc = run_python([str(REPO / "meshes" / script)], nprocs=2, timeout=240)
    assert proc.returncode == 0, proc.stderr
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    assert lines
    one = [x for l in serial.stdout.splitlines() for x in _numbers(l)]
    two = [x for l in lines for x in _numbers(l)]
    assert len(one) == len(two) > 0
    scale = max(abs(x) for x in one)
    for a, b in zip(one, two, strict=True):  # same observables, 1 vs 2 ranks
        assert abs(a - b) <= 1e-6 * max(abs(a), 1e-3 * scale), (a, b)
    if script == "spin_valve_angle_sweep.py":
        R = [_numbers(l)[0] for l in lines if l.startswith("theta")]
        assert len(R) == 7 and all(b > a for a, b in itertools.pairwise(R))  # P < AP
    elif script == "sot_bilayer.py":
        xi = _numbers(next(l for l in lines if l.startswith("mixing")))[-1]
        ref = _numbers(lines[-1])[0]
        assert abs(xi - ref) < 0.1 * ref
    else:
        smr = _numbers(next(l for l in lines if l.startswith("SMR")))[-1]
        assert 0 < smr < 1e-2  # R_long(m || j) > R_long(m perpendicular in plane)
