"""Vector model, collinear limit: with m = +/-z and no transverse physics the vector
model must reproduce the collinear two-current model to solver precision (MODEL.md 3)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI
from vector_devices import collinear

from conftest import run_script_json


@pytest.fixture(scope="module")
def serial():
    return collinear(MPI.COMM_WORLD)


def _check(r: dict) -> None:
    two_i, vec_i = np.asarray(r["two_current_A"]), np.asarray(r["vec_current_A"])
    assert np.max(np.abs(vec_i - two_i)) < 1e-10 * np.max(np.abs(two_i))
    spin = np.asarray(r["vec_spin_current_A"])
    two_s = np.asarray(r["two_spin_current_A"])
    assert np.max(np.abs(spin[:, 2] - two_s)) < 1e-9 * np.max(np.abs(two_s))
    assert np.max(np.abs(spin[:, :2])) < 1e-12 * np.max(np.abs(two_s))
    V, mu = np.asarray(r["vec_V"]), np.asarray(r["vec_mu"])
    assert np.max(np.abs(V - np.asarray(r["two_V"]))) < 1e-10 * np.max(np.abs(V))
    two_mu = np.asarray(r["two_mu"])
    assert np.max(np.abs(mu[:, 2] - two_mu)) < 1e-9 * np.max(np.abs(two_mu))
    assert np.max(np.abs(mu[:, :2])) < 1e-12 * np.max(np.abs(two_mu))
    # a non-trivial check: the spin accumulation changes sign along the AP stack
    assert two_mu.min() < 0 < two_mu.max()


def test_collinear_limit_serial(serial):
    _check(serial)


def test_collinear_limit_two_ranks(serial, tmp_path):
    par = run_script_json("vector_observables.py", tmp_path, nprocs=2, extra=["collinear"])
    assert par["ranks"] == 2
    _check(par)
    for key in ("vec_current_A", "vec_V", "vec_mu"):
        a, b = np.asarray(par[key], dtype=float), np.asarray(serial[key], dtype=float)
        assert np.max(np.abs(a - b)) <= 1e-9 * np.max(np.abs(b))
