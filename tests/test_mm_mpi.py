"""M-m observables serially and under ``mpirun -n 2``: identical (relative 1e-8); 3D rates."""

from __future__ import annotations

import numpy as np
import pytest
from mm_cases import params

from conftest import rel_err, run_script_json
from spinfem.mm import k_of_omega, rates

pytestmark = pytest.mark.mpi


def test_mm_observables_identical_on_1_and_2_ranks(tmp_path):
    serial = run_script_json("mm_observables.py", tmp_path, nprocs=1)
    parallel = run_script_json("mm_observables.py", tmp_path, nprocs=2)
    assert serial["ranks"] == 1 and parallel["ranks"] == 2
    assert serial["steps"] == parallel["steps"]
    for key in ("rates", "k", "total", "energy", "norm_dM", "norm_dm"):
        a, b = np.atleast_1d(serial[key]), np.atleast_1d(parallel[key])
        assert np.max(np.abs(a - b)) <= 1e-8 * np.max(np.abs(a)), (key, a, b)
    # and the 3D results are right
    p = params(0.3, True)
    import math

    k = math.pi * p.k_M / math.pi  # mode_run uses k = k_M
    gp, gm = rates(p, k)
    assert rel_err(serial["rates"][0], gp) < 0.01
    assert rel_err(serial["rates"][1], gm) < 0.01
    ke = k_of_omega(p, 0.5 * p.r)
    assert abs(complex(*serial["k"]) - ke) < 0.01 * abs(ke)
