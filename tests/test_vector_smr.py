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


def test_smr_3d_strip_hall_voltage():
    """3D strip (width 6 lambda): Delta rho_1 from the longitudinal field (m along x vs y)
    and Delta rho_2 from the open-circuit Hall voltage between the side faces (m = +/-z),
    in Chen's own frame. Finite width adds edge currents (~2 % on Delta rho_2)."""
    from spinfem.contacts import Contact
    from spinfem.geometry.strip import film
    from spinfem.materials import Material
    from spinfem.mixing import MagneticInsulator
    from spinfem.vector_problem import VectorSpinProblem

    nm, lam, sig, G_r, G_i = 1e-9, LAM_HM, SIGMA_HM, 4e14, 1e14
    d, W = lam, 6 * lam
    dev = film(16 * lam, d, width=W, dim=3, size=lam / 3, comm=MPI.COMM_WORLD)
    prob = VectorSpinProblem(
        dev,
        {"HM": Material("HM", sigma=sig, l_sf=lam, theta_sh=THETA)},
        [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)],
        boundaries={"bottom": MagneticInsulator(G_r, G_i)},
    )
    z = d / 2 / nm
    zs = np.linspace(0, d / nm, 9)
    out = {}
    for key, m in (("x", (1, 0, 0)), ("y", (0, 1, 0)), ("+z", (0, 0, 1)), ("-z", (0, 0, -1))):
        prob.set_magnetization("bottom", m)
        sol = prob.solve()
        jx = sol.contact("left").current_A / (d * W)
        v = sol.probe([[-3 * lam / nm, 0, z], [3 * lam / nm, 0, z]])["V_V"]
        vs = sol.probe([[0, -W / 2 / nm, q] for q in zs])["V_V"].mean()
        vn = sol.probe([[0, W / 2 / nm, q] for q in zs])["V_V"].mean()
        out[key] = (-(v[1] - v[0]) / (6 * lam) / jx, -(vn - vs) / W / jx)
    _, r1, r2 = smr_coefficients(d, lam, sig, THETA, G_r, G_i)
    assert rel_err(sig * (out["x"][0] - out["y"][0]), r1) < 0.01
    assert rel_err(sig * (out["+z"][1] - out["-z"][1]) / 2, r2) < 0.03
