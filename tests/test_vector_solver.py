"""Vector (4-field) model on the iterative path: GMRES preconditioned by block
Gauss-Seidel over V | mu_vec (BoomerAMG on each; systems AMG with bs = 4 on request) on a
3D HM/FM bilayer with spin Hall effect, a spin-mixing interface (two blocks) and a
non-collinear magnetization agrees with LU, with bounded iterations under refinement."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from conftest import rel_err, run_script_json
from spinfem.contacts import Contact
from spinfem.geometry.strip import bilayer
from spinfem.materials import Material
from spinfem.mixing import MixingConductance
from spinfem.solvers import LinearSolver, SolverSettings
from spinfem.vector_problem import SOLVER_SPLITS, VectorSpinProblem

NM = 1e-9
MATS = {
    "HM": Material("HM", sigma=4e6, l_sf=2e-9, theta_sh=0.1),
    "FM": Material("FM", sigma=3e6, l_sf=5e-9, P=0.5),
}
LAWS = {"HM|FM": MixingConductance(G_up=1e15, G_dn=5e14, G_r=5e14, G_i=1e14)}
M_FM = tuple(np.array([1.0, 2.0, 2.0]) / 3.0)  # non-collinear with the spin Hall spin (y)
CONTACTS = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]


def _device(size_nm: float):
    return bilayer(
        16 * NM, 3 * NM, 2 * NM, width=6 * NM, dim=3, size=size_nm * NM, comm=MPI.COMM_WORLD
    )


def _problem(dev, settings: SolverSettings) -> VectorSpinProblem:
    return VectorSpinProblem(dev, MATS, CONTACTS, {"FM": M_FM}, interfaces=LAWS, solver=settings)


@pytest.fixture(scope="module")
def dev():
    return _device(1.0)


def test_multiblock_matrix_has_block_size_four(dev):
    prob = _problem(dev, SolverSettings())
    system = prob._compile()["system"]
    assert system.nblocks == 2
    A = system.matrix([])
    assert A.getBlockSize() == 4
    # the fours are whole nodes: rows 4k..4k+3 couple to the same nodes (column quads;
    # values differ, exact zeros are dropped)
    for k in (0, 9, 30):
        nodes = [np.unique(A.getRow(4 * k + c)[0] // 4) for c in range(4)]
        assert all(np.array_equal(nodes[0], n) for n in nodes[1:])
    A.destroy()


def test_iterative_agrees_with_lu(dev):
    direct = _problem(dev, SolverSettings(direct_max_dofs=10**9)).solve()
    it = _problem(dev, SolverSettings(direct_max_dofs=0, rtol=1e-12)).solve()
    assert direct.iterations == 1 and it.iterations > 1
    assert rel_err(it.contacts[0].current_A, direct.contacts[0].current_A) < 1e-9
    s_d = direct.spin_currents_A["left"]
    s_i = it.spin_currents_A["left"]
    assert np.max(np.abs(s_i - s_d)) < 1e-7 * np.max(np.abs(s_d))
    pts = [[0.0, 0.0, z] for z in (0.5, 2.5, 4.0)]
    mu_d, mu_i = direct.probe(pts)["mu_s_eV"], it.probe(pts)["mu_s_eV"]
    assert np.max(np.abs(mu_d)) > 0
    assert np.max(np.abs(mu_i - mu_d)) < 1e-7 * np.max(np.abs(mu_d))
    # the spin accumulation is truly non-collinear (all three components present)
    assert np.all(np.max(np.abs(mu_d), axis=0) > 1e-3 * np.max(np.abs(mu_d)))


def test_gmres_iterations_bounded_under_refinement(dev):
    its = []
    for d in (dev, _device(0.5)):
        its.append(_problem(d, SolverSettings(direct_max_dofs=0, rtol=1e-8)).solve().iterations)
    assert max(its) <= 20, its
    assert its[1] - its[0] <= 3, its


def _iterative_solver(dev, **options) -> tuple[LinearSolver, object, object, dict]:
    """Solver, operator and right-hand side of the iterative path, and the compiled
    system they live on (keep it: PETSc objects outlive dolfinx's communicators only
    while their spaces exist)."""
    c = _problem(dev, SolverSettings())._compile()
    for value, contact in zip(c["values"], CONTACTS, strict=True):
        value.value = contact.voltage  # a non-zero right-hand side
    A, b = c["system"].matrix(c["bcs"]), c["system"].rhs(c["bcs"])
    settings = SolverSettings(direct_max_dofs=0, rtol=1e-10, petsc_options=options)
    return LinearSolver(A, settings, symmetric=False, splits=SOLVER_SPLITS), A, b, c


def test_iterative_path_splits_V_from_mu(dev):
    """The preconditioner is a fieldsplit of V (scalar BoomerAMG) and mu_vec (systems
    BoomerAMG, 3 functions), built (and timed) by the setup, not at the first solve; a
    rebuild for a new operator keeps it; pc_type hypre alone gives the bs = 4 systems AMG
    and the same solution."""
    s, A, b, _system = _iterative_solver(dev)
    pc = s.ksp.getPC()
    assert s.description == "gmres+fieldsplit" and s.unused_options == []
    n = A.getSize()[0]

    def splits() -> list[tuple[str, int, int]]:
        return [
            (
                k.getPC().getType(),
                k.getOperators()[0].getBlockSize(),
                k.getOperators()[0].getSize()[0],
            )
            for k in pc.getFieldSplitSubKSP()
        ]

    assert splits() == [("hypre", 1, n // 4), ("hypre", 3, 3 * n // 4)]
    x = A.createVecRight()
    its = s.solve(b, x)
    assert x.norm() > 0
    s.update_operator(A, reuse_preconditioner=False)  # rebuilt: same splits and options
    assert s.setups == 2 and splits() == [("hypre", 1, n // 4), ("hypre", 3, 3 * n // 4)]
    x2 = A.createVecRight()
    assert s.solve(b, x2) == its
    mono, A_mono, b_mono, _mono_system = _iterative_solver(dev, pc_type="hypre")
    assert mono.description == "gmres+hypre" and mono.unused_options == []
    x3 = A.createVecRight()
    mono.solve(b_mono, x3)
    for y in (x2, x3):
        y.axpy(-1.0, x)
        assert y.norm() < 1e-7 * x.norm()
    for obj in (s, mono, A, b, A_mono, b_mono, x, x2, x3):
        obj.destroy()


@pytest.mark.mpi
def test_iterative_vector_solve_mpi(tmp_path):
    """Two ranks: the bs = 4 block system (local sizes multiples of 4) gives the serial
    observables, with bounded iterations and the same V | mu_vec split."""
    one = run_script_json("vector_solver_paths.py", tmp_path, nprocs=1)
    two = run_script_json("vector_solver_paths.py", tmp_path, nprocs=2)
    assert rel_err(two["current_A"], one["current_A"]) < 1e-9
    s1, s2 = np.array(one["spin_current_A"]), np.array(two["spin_current_A"])
    assert np.max(np.abs(s2 - s1)) < 1e-7 * np.max(np.abs(s1))
    assert max(one["iterations"], two["iterations"]) <= 20
    for run in (one, two):
        assert run["solver"] == "gmres+fieldsplit"
        assert run["splits"] == [["hypre", 1], ["hypre", 3]]
