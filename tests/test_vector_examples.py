"""The vector-model examples in meshes/ run under mpirun -n 2 and print sane numbers."""

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
def test_example_runs_on_two_ranks(script):
    proc = run_python([str(REPO / "meshes" / script)], nprocs=2, timeout=240)
    assert proc.returncode == 0, proc.stderr
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    assert lines
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
