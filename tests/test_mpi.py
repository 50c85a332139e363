"""The same observables serially and under ``mpirun -n 2`` (relative 1e-8)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_script_json

pytestmark = pytest.mark.mpi


def _flatten(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flatten(v, f"{prefix}{k}.")
        elif k not in ("ranks", "ghost_cells"):
            yield f"{prefix}{k}", np.asarray(v, dtype=float)


def test_observables_identical_on_1_and_2_ranks(tmp_path):
    serial = run_script_json("cpp_observables.py", tmp_path, nprocs=1)
    parallel = run_script_json("cpp_observables.py", tmp_path, nprocs=2)
    assert serial["ranks"] == 1 and parallel["ranks"] == 2
    assert parallel["ghost_cells"] > 0  # shared_facet ghosting is on
    a, b = dict(_flatten(serial)), dict(_flatten(parallel))
    assert a.keys() == b.keys()
    for key in a:
        assert np.all(np.isfinite(a[key])), key
        scale = np.max(np.abs(a[key]))
        assert np.max(np.abs(a[key] - b[key])) <= 1e-8 * scale, (key, a[key], b[key])
    assert serial["AP"]["RA"] > serial["P"]["RA"]


def test_interface_observables_identical_on_1_2_3_ranks(tmp_path):
    runs = {n: run_script_json("interface_observables.py", tmp_path, nprocs=n) for n in (1, 2, 3)}
    ref = dict(_flatten(runs[1]))
    assert runs[1]["P"]["RA"] < runs[1]["AP"]["RA"]
    for n in (2, 3):
        other = dict(_flatten(runs[n]))
        assert other.keys() == ref.keys()
        for key in ref:
            assert np.all(np.isfinite(ref[key])), key
            scale = np.max(np.abs(ref[key]))
            assert np.max(np.abs(ref[key] - other[key])) <= 1e-8 * scale, (n, key)
