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
