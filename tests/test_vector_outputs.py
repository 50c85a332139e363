"""Vector-model outputs: fields written with spinfem.io (VTX/BP4) read back with adios2,
and a JSON-serialisable summary with units in the keys."""

from __future__ import annotations

import json

import numpy as np
from mpi4py import MPI
from test_outputs import read_bp
from vector_devices import spin_valve

from spinfem.io import write_fields


def test_vector_fields_and_summary(tmp_path):
    prob, _ = spin_valve(MPI.COMM_WORLD)
    prob.set_magnetization("F2", (1.0, 0.0, 0.0))
    sol = prob.solve()
    written = write_fields(sol, tmp_path)
    assert [p.name for p in written] == ["potentials.bp", "currents.bp"]
    _, pot = read_bp(tmp_path / "potentials.bp")
    _, cur = read_bp(tmp_path / "currents.bp")
    mu = pot["mu_s_eV"].reshape(-1, 3)
    assert np.isclose(np.abs(mu).max(), np.abs(sol.mu_s.x.array).max(), rtol=1e-12)
    assert np.abs(mu[:, 0]).max() > 0 and np.abs(mu[:, 2]).max() > 0  # non-collinear
    js = cur["j_s_A_per_m2"]
    assert js.size == 3 * cur["j_c_A_per_m2"].size
    assert np.isclose(np.abs(js).max(), np.abs(sol.j_s.x.array).max(), rtol=1e-12)
    summary = json.loads(json.dumps(sol.summary()))
    assert summary["contact_order"] == ["top", "bottom"]
    assert abs(sum(c["current_A"] for c in summary["contacts"].values())) < 1e-12
    t = summary["torques"]["F2"]
    assert len(t["damping_like_Nm"]) == 3 and t["area_m2"] > 0
    assert summary["resistance_ohm"] > 0


def test_vector_interface_observables_conserve_current():
    prob, _ = spin_valve(MPI.COMM_WORLD)
    prob.set_magnetization("F2", (np.sin(1.0), 0.0, np.cos(1.0)))
    sol = prob.solve()
    itfs = sol.interfaces()
    assert set(itfs) == {"F1|N", "N|F2"}
    I = sol.contact("bottom").current_A  # entering at the bottom = flowing bottom -> top
    assert I < 0  # top is at +1 mV
    for rec in itfs.values():
        assert abs(rec["current_A"] - I) < 1e-9 * abs(I)  # L -> R = bottom -> top
        assert rec["area_m2"] > 0 and rec["law"] == "spin-mixing conductance"
    # the torque on F2 is -(hbar/2e) times the spin current absorbed at N|F2
    from spinfem.vector_solution import HBAR_OVER_2E

    T = sol.torques()["F2"]["total_Nm"]
    assert np.allclose(T, -HBAR_OVER_2E * itfs["N|F2"]["transverse_absorbed_A"], rtol=1e-12)


def test_insulator_magnetization_given_in_magnetization_mapping():
    from spinfem.contacts import Contact
    from spinfem.geometry.strip import film
    from spinfem.materials import Material
    from spinfem.mixing import MagneticInsulator
    from spinfem.vector_problem import VectorSpinProblem

    dev = film(20e-9, 3e-9, elements=(20, 6), comm=MPI.COMM_WORLD)
    mat = {"HM": Material("HM", sigma=4e6, l_sf=2e-9, theta_sh=0.1)}
    contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
    yig = MagneticInsulator(5e14, 1e14, m=(0, 0, 1))
    a = VectorSpinProblem(dev, mat, contacts, {"bottom": (1, 0, 0)}, boundaries={"bottom": yig})
    b = VectorSpinProblem(
        dev, mat, contacts, boundaries={"bottom": MagneticInsulator(5e14, 1e14, m=(2, 0, 0))}
    )
    ta, tb = a.solve().torques()["bottom"], b.solve().torques()["bottom"]
    assert np.linalg.norm(ta["total_Nm"]) > 0
    assert np.allclose(ta["total_Nm"], tb["total_Nm"], rtol=1e-12, atol=0)
    assert a.magnetization["bottom"] == (1.0, 0.0, 0.0)
