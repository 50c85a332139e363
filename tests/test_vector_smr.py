"""Spin Hall magnetoresistance of a heavy-metal film on a magnetic insulator against
Chen et al., PRB 87, 144411 (2013) (MODEL.md section 3; docs/verification.md)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI
from vector_devices import LAM_HM, SIGMA_HM, smr_film

from conftest import rel_err, run_script_json
from reference.spin_hall import smr_coefficients

THETA = 0.05
CASES = [  # (d/lambda, G_r, G_i) [S/m^2]
    (0.2, 4e14, 1e14),
    (0.5, 4e14, 1e14),
    (1.0, 4e14, 1e14),
    (2.0, 4e14, 1e14),
    (5.0, 4e14, 1e14),
    (0.5, 1e15, -3e14),
    (3.0, 2e14, -1e14),
]


@pytest.mark.parametrize(("dl", "G_r", "G_i"), CASES)
def test_smr_against_chen(dl, G_r, G_i):
    r = smr_film(MPI.COMM_WORLD, dl, G_r, G_i, THETA)
    r0, r1, r2 = smr_coefficients(r["d"], LAM_HM, SIGMA_HM, THETA, G_r, G_i)
    assert rel_err(r["drho1"], r1) < 0.02, (r["drho1"], r1)
    assert rel_err(r["drho2"], r2) < 0.02, (r["drho2"], r2)
    assert np.sign(r["drho2"]) == -np.sign(G_i)  # Delta rho_2 follows -Im G
    assert abs(r["drho_long_x"] - (r0 + r1)) < 0.02 * abs(r0)


def test_smr_two_ranks_identical(tmp_path):
    ser = run_script_json("vector_observables.py", tmp_path, nprocs=1, extra=["smr"])
    par = run_script_json("vector_observables.py", tmp_path, nprocs=2, extra=["smr"])
    assert par["ranks"] == 2
    for key in ("drho1", "drho2", "drho_long_x"):
        assert rel_err(par[key], ser[key]) < 1e-8
    for m, rec in ser["raw"].items():
        for key in ("current_A", "V_probe_V", "torque_DL_Nm", "torque_FL_Nm"):
            a, b = np.asarray(par["raw"][m][key]), np.asarray(rec[key])
            assert np.max(np.abs(a - b)) <= 1e-8 * np.max(np.abs(b)) + 1e-300, (m, key)
