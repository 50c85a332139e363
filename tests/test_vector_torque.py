"""Spin-transfer torque in a non-collinear Co/Cu/Co spin valve with mixing conductances:
sin(theta) angular dependence, damping-like sign, field-like torque from G_i, serial vs
two ranks (MODEL.md section 3; sign conventions in docs/theory.md)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI
from vector_devices import spin_valve

from conftest import rel_err, run_script_json


def _torque(prob, deg: float):
    a = np.radians(deg)
    m = np.array([np.sin(a), 0.0, np.cos(a)])
    prob.set_magnetization("F2", m)
    sol = prob.solve()
    t = sol.torques()["F2"]
    return m, t, sol


@pytest.fixture(scope="module")
def valve():
    return spin_valve(MPI.COMM_WORLD)[0]


def test_small_angle_sin_dependence(valve):
    _, t0, _ = _torque(valve, 0.0)
    _, t90, _ = _torque(valve, 90.0)
    scale = t90["damping_like_abs_Nm"]
    assert scale > 0
    assert t0["damping_like_abs_Nm"] < 1e-10 * scale  # collinear: no torque
    ratios = [
        _torque(valve, d)[1]["damping_like_abs_Nm"] / np.sin(np.radians(d)) for d in (0.5, 1.0, 2.0)
    ]
    assert max(ratios) - min(ratios) < 2e-3 * ratios[0]
    # and the angular dependence is not pure sin at large angles (Slonczewski asymmetry)
    t150 = _torque(valve, 150.0)[1]["damping_like_abs_Nm"] / np.sin(np.radians(150))
    assert rel_err(t150, ratios[0]) > 0.01


def test_damping_like_drives_free_layer_toward_p(valve):
    p = np.array([0.0, 0.0, 1.0])  # fixed layer F1 (electrons come from it)
    for deg in (20.0, 90.0, 160.0):
        m, t, sol = _torque(valve, deg)
        assert sol.contact("top").current_A > 0  # electrons flow F1 -> F2
        toward_p = np.cross(m, np.cross(p, m))
        T = t["damping_like_Nm"]
        assert abs(np.dot(T, m)) < 1e-10 * np.linalg.norm(T)  # transverse to m
        assert np.dot(T, toward_p) > 0.99 * np.linalg.norm(T) * np.linalg.norm(toward_p)


def test_current_reversal_reverses_torque(valve):
    from spinfem.contacts import Contact
    from spinfem.vector_problem import VectorSpinProblem

    m, t, _ = _torque(valve, 45.0)
    rev = VectorSpinProblem(
        valve.mesh,
        valve.materials,
        [Contact("top", voltage=-1e-3), Contact("bottom", voltage=0.0)],
        {"F1": (0, 0, 1), "F2": m},
        interfaces=valve.interfaces,
    ).solve()
    T_rev = rev.torques()["F2"]["damping_like_Nm"]
    assert np.allclose(T_rev, -t["damping_like_Nm"], rtol=1e-9, atol=0)


def test_field_like_from_G_i():
    results = {}
    for gi in (0.0, 3e13, -3e13):
        prob = spin_valve(MPI.COMM_WORLD, G_i=gi)[0]
        _, t, _ = _torque(prob, 60.0)
        results[gi] = t
    assert results[0.0]["field_like_abs_Nm"] == 0.0
    fl_p, fl_m = results[3e13]["field_like_Nm"], results[-3e13]["field_like_Nm"]
    assert np.linalg.norm(fl_p) > 1e-3 * results[3e13]["damping_like_abs_Nm"]
    # field-like: along m x p, odd in G_i (to third order; O(G_i^2) parts are even)
    a = np.radians(60.0)
    m = np.array([np.sin(a), 0.0, np.cos(a)])
    e = np.cross(m, [0.0, 0.0, 1.0])
    e /= np.linalg.norm(e)
    assert abs(np.dot(fl_p, e)) > 0.99 * np.linalg.norm(fl_p)
    assert rel_err(np.dot(fl_p, e), -np.dot(fl_m, e)) < 1e-3
    assert np.dot(fl_p, e) * np.dot(fl_m, e) < 0


def test_torque_two_ranks_identical(tmp_path):
    ser = run_script_json("vector_observables.py", tmp_path, nprocs=1, extra=["torque"])
    par = run_script_json("vector_observables.py", tmp_path, nprocs=2, extra=["torque"])
    assert par["ranks"] == 2
    for deg, rec in ser.items():
        if deg == "ranks":
            continue
        for key, val in rec.items():
            a, b = np.asarray(par[deg][key], dtype=float), np.asarray(val, dtype=float)
            assert np.max(np.abs(a - b)) <= 1e-8 * np.max(np.abs(b)), (deg, key)


def test_sot_bilayer_against_1d_drift_diffusion():
    """HM/FM bilayer strip, mixing interface, m perpendicular to the spin Hall spin: the
    damping-like torque per area (end effects removed by differencing two lengths at equal
    field) equals (hbar/2e) G_r theta sigma E (1 - sech(d/l)) / (G_r + sigma tanh(d/l)/(2l)),
    pointing along -z for theta > 0, E along +x and the HM below the FM (2D, normal +y)."""
    import math

    from spinfem.contacts import Contact
    from spinfem.geometry.strip import bilayer
    from spinfem.materials import Material
    from spinfem.mixing import MixingConductance
    from spinfem.vector_problem import VectorSpinProblem
    from spinfem.vector_solution import HBAR_OVER_2E

    nm, lam, d, sig, theta, G_r = 1e-9, 2e-9, 2.4e-9, 4e6, 0.1, 5e14
    mats = {
        "HM": Material("HM", sigma=sig, l_sf=lam, theta_sh=theta),
        "FM": Material("FM", sigma=3e6, l_sf=5e-9, P=0.5),
    }
    law = {"HM|FM": MixingConductance(G_up=1e15, G_dn=5e14, G_r=G_r, G_i=0.0)}
    res = {}
    for L in (40, 60):
        dev = bilayer(L * nm, d, 2 * nm, size=0.4 * nm, comm=MPI.COMM_WORLD)
        contacts = [Contact("left", voltage=1e-3 * L / 40), Contact("right", voltage=0.0)]
        sol = VectorSpinProblem(dev, mats, contacts, {"FM": (1, 0, 0)}, interfaces=law).solve()
        t = sol.torques()["FM"]
        v = sol.probe([[-5, 1.2, 0], [5, 1.2, 0]])["V_V"]
        E_L = -(v[1] - v[0]) / (10 * nm)
        t = sol.torques(current_density_A_per_m2=sig * E_L)["FM"]
        res[L] = (t["damping_like_Nm"], t["area_m2"], E_L, t)
    per_area = (res[60][0] - res[40][0]) / (res[60][1] - res[40][1])
    E = res[60][2]
    assert rel_err(res[40][2], E) < 1e-3
    x = d / lam
    ref = HBAR_OVER_2E * G_r * theta * sig * E * (1 - 1 / math.cosh(x))
    ref /= G_r + sig * math.tanh(x) / (2 * lam)
    assert rel_err(-per_area[2], ref) < 5e-3
    assert abs(per_area[0]) + abs(per_area[1]) < 1e-9 * ref
    assert res[60][3]["field_like_abs_Nm"] == 0.0
    # efficiency (2e/hbar)|tau_DL/area|/j_c with j_c = sigma E (ends included: ~1 %)
    assert rel_err(res[60][3]["xi_DL"], ref / HBAR_OVER_2E / (sig * E)) < 0.02


def test_magnetization_as_callable_or_function(valve):
    """A uniform m given as a tuple, a callable (x in nm -> (3, N)) or a dolfinx Function
    gives the same torque; set_magnetization reuses the compiled forms."""
    from dolfinx import fem

    a = np.radians(40.0)
    m = np.array([np.sin(a), 0.0, np.cos(a)])
    valve.set_magnetization("F2", tuple(2.5 * m))  # normalised
    ref = valve.solve().torques()["F2"]["total_Nm"]
    valve.set_magnetization("F2", lambda x: np.outer(m, np.ones(x.shape[1])))
    t_callable = valve.solve().torques()["F2"]["total_Nm"]
    V = fem.functionspace(valve.mesh.mesh, ("Lagrange", 1, (3,)))
    f = fem.Function(V)
    f.interpolate(lambda x: np.outer(m, np.ones(x.shape[1])))
    valve.set_magnetization("F2", f)
    t_function = valve.solve().torques()["F2"]["total_Nm"]
    assert np.allclose(t_callable, ref, rtol=1e-12, atol=0)
    assert np.allclose(t_function, ref, rtol=1e-12, atol=0)
    assert valve._compiled is not None
