"""Solver strategy: direct/iterative switch, agreement, bounded iterations, failures,
PETSc options (prefix, command line, unused), preconditioner reuse, MPI."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import stacks
from mpi4py import MPI
from petsc4py import PETSc

from conftest import rel_err, run_python, run_script_json
from spinfem.contacts import Contact
from spinfem.errors import SolverError
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance
from spinfem.problem import TwoCurrentProblem
from spinfem.solvers import LinearSolver, SolverSettings, command_line_options, unused_options

NM = 1e-9
MATS = stacks.materials(stacks.CO_CU_CO)
LAWS = {"F1|N": SpinConductance.from_ARb(0.51e-15, 0.77), "N|F2": SpinConductance.from_ARb(0.3e-15)}


def device(r: int):
    """Rectangular Co/Cu/Co pillar; r = 2 has ~8x the unknowns of r = 1."""
    layers = [Layer(n, t, elements=max(3, round(t / (5 * NM))) * r) for n, _, t in stacks.CO_CU_CO]
    return pillar(layers, width=60 * NM, depth=60 * NM, lateral_size=60 * NM / (6 * r))


def solve(dev, settings: SolverSettings, laws=None):
    contacts = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
    prob = TwoCurrentProblem(dev, MATS, contacts, {"F2": -1}, interfaces=laws, solver=settings)
    return prob.solve()


@pytest.fixture(scope="module")
def dev1():
    return device(1)


def laplacian(n: int) -> PETSc.Mat:
    """1D Dirichlet Laplacian (SPD) of size n."""
    A = PETSc.Mat().createAIJ((n, n), nnz=3, comm=MPI.COMM_SELF)
    for i in range(n):
        A.setValue(i, i, 2.0)
        if i:
            A.setValue(i, i - 1, -1.0)
        if i < n - 1:
            A.setValue(i, i + 1, -1.0)
    A.assemble()
    return A


@pytest.mark.parametrize("laws", [None, LAWS], ids=["one-block", "interfaces"])
def test_iterative_agrees_with_mumps(dev1, laws):
    direct = solve(dev1, SolverSettings(), laws)
    iterative = solve(dev1, SolverSettings(direct_max_dofs=0, rtol=1e-12), laws)
    assert direct.iterations == 1  # preonly LU
    assert iterative.iterations > 1
    assert rel_err(iterative.resistance_area(), direct.resistance_area()) < 1e-9
    s_it, s_dir = iterative.contact("top").spin_current_A, direct.contact("top").spin_current_A
    assert rel_err(s_it, s_dir) < 1e-7


@pytest.mark.parametrize("laws", [None, LAWS], ids=["one-block", "interfaces"])
def test_iterations_bounded_under_refinement(laws):
    """CG + systems BoomerAMG: <= 15 iterations at rtol 1e-8, growth <= 2 for 8x DOFs."""
    its = []
    for r in (1, 2):
        sol = solve(device(r), SolverSettings(direct_max_dofs=0, rtol=1e-8), laws)
        its.append(sol.iterations)
    assert max(its) <= 15, its
    assert its[1] - its[0] <= 2, its


def test_block_size_two_on_multiblock_matrix(dev1):
    """Interface laws give a block system; its monolithic matrix must keep bs = 2 (without
    it BoomerAMG sees scalars and CG needs ~3x the iterations)."""
    from dolfinx import fem

    from spinfem.layout import build_layout
    from spinfem.physics.scale import Scale
    from spinfem.system import BlockSystem

    prob = TwoCurrentProblem(
        dev1, MATS, [Contact("top", voltage=1.0), Contact("bottom", voltage=0.0)], interfaces=LAWS
    )
    lay = build_layout(dev1, LAWS)
    system = BlockSystem(lay, prob._coefficients(), Scale.of(dev1), prob._effective_laws(lay))
    assert system.nblocks == 3
    A = system.matrix([])
    assert A.getBlockSize() == 2
    # and the pairs really are (V, mu_s) of one node: rows 2k, 2k+1 couple to the same
    # nodes (column pairs; the values differ once exact zeros are dropped)
    for k in (0, 7, 40):
        nodes = [np.unique(A.getRow(r)[0] // 2) for r in (2 * k, 2 * k + 1)]
        assert np.array_equal(*nodes)
    assert isinstance(system.spaces[0], fem.FunctionSpace)
    A.destroy()


@pytest.mark.parametrize("laws", [None, LAWS], ids=["one-block", "interfaces"])
def test_exact_zeros_dropped_without_changing_the_solution(dev1, laws, monkeypatch):
    """The operators hold no stored zeros off the diagonal, and the solution and CG
    iterations are those of the matrix with its zeros kept (they only cost time)."""
    from spinfem import compat

    settings = SolverSettings(direct_max_dofs=0, rtol=1e-10)
    lean = solve(dev1, settings, laws)
    A = _system(dev1, laws).matrix([])
    indptr, cols, vals = A.getValuesCSR()
    rows = np.repeat(np.arange(indptr.size - 1), np.diff(indptr)) + A.getOwnershipRange()[0]
    assert np.all((vals != 0) | (cols == rows))
    nnz_lean = A.getInfo()["nz_used"]
    monkeypatch.setattr(compat, "eliminate_zeros", lambda mat: False)
    B = _system(dev1, laws).matrix([])
    assert nnz_lean < 0.8 * B.getInfo()["nz_used"]  # a normal metal's blocks are diagonal
    full = solve(dev1, settings, laws)
    assert lean.iterations == full.iterations
    assert rel_err(lean.resistance_area(), full.resistance_area()) < 1e-10
    A.destroy()
    B.destroy()


def test_operators_use_the_plain_csr_matmult(tmp_path):
    """PETSc's i-node MatMult (1.5x slower per entry on layered devices,
    docs/performance.md) is off for the assembled operators; the same entries in a
    default PETSc matrix would use it (equal V and mu_s rows in the magnets)."""

    def info(mat) -> str:
        path = tmp_path / "info.txt"
        viewer = PETSc.Viewer().createASCII(str(path), comm=mat.getComm())
        viewer.pushFormat(PETSc.Viewer.Format.ASCII_INFO)
        mat.view(viewer)
        viewer.destroy()
        return path.read_text()

    rows = stacks.CO_CU_CO[1:4]  # magnets dominate: Co 10 / Cu 10 / Co 5 nm
    dev = pillar(stacks.layers(rows), width=30 * NM, depth=30 * NM, lateral_size=6 * NM)
    A = _system(dev, None, stacks.materials(rows)).matrix([])
    assert "not using I-node routines" in info(A)
    default = PETSc.Mat().createAIJ(A.getSize(), csr=A.getValuesCSR(), comm=A.getComm())
    default.assemble()
    assert "using I-node routines: found" in info(default)
    A.destroy()
    default.destroy()


def _system(dev, laws, mats=MATS):
    from spinfem.layout import build_layout
    from spinfem.physics.scale import Scale
    from spinfem.system import BlockSystem

    contacts = [Contact("top", voltage=1.0), Contact("bottom", voltage=0.0)]
    prob = TwoCurrentProblem(dev, mats, contacts, interfaces=laws)
    lay = build_layout(dev, laws or {})
    return BlockSystem(lay, prob._coefficients(), Scale.of(dev), prob._effective_laws(lay))


def test_strategy_switch_and_symmetry():
    A = laplacian(50)
    direct = LinearSolver(A, SolverSettings(direct_max_dofs=50))
    assert (direct.kind, direct.description) == ("direct", "preonly+lu")
    assert direct.ksp.getPC().getFactorSolverType() == "mumps"
    cg = LinearSolver(A, SolverSettings(direct_max_dofs=49))
    assert (cg.kind, cg.description) == ("iterative", "cg+hypre")
    gm = LinearSolver(A, SolverSettings(direct_max_dofs=49), symmetric=False)
    assert gm.description == "gmres+hypre"
    b = A.createVecLeft()
    b.set(1.0)
    xs = []
    for s in (direct, cg, gm):
        x = A.createVecRight()
        s.solve(b, x)
        xs.append(x.getArray().copy())
    assert np.allclose(xs[1], xs[0], rtol=1e-7) and np.allclose(xs[2], xs[0], rtol=1e-7)
    # the exact solution of the 1D problem: x_i = (i+1)(n-i)/2
    i = np.arange(50)
    assert np.allclose(xs[0], (i + 1) * (50 - i) / 2)


def test_split_preconditioner_options_and_validation():
    """``splits`` turn the iterative path into symmetric block Gauss-Seidel over groups of
    nodal unknowns (BoomerAMG on each; CG works with it) with the solution of LU;
    the direct path ignores them; a grouping that does not partition the unknowns per
    node is refused before any PETSc object exists."""
    from spinfem.solvers import AMG_OPTIONS, split_options

    opts = split_options(((0,), (1, 2, 3)), 4)
    assert opts["pc_type"] == "fieldsplit"
    assert opts["pc_fieldsplit_type"] == "symmetric_multiplicative"  # valid for CG too
    assert (opts["pc_fieldsplit_0_fields"], opts["pc_fieldsplit_1_fields"]) == ("0", "1,2,3")
    for i in (0, 1):
        assert opts[f"fieldsplit_{i}_ksp_type"] == "preonly"
        assert all(opts[f"fieldsplit_{i}_{k}"] == v for k, v in AMG_OPTIONS.items())
    assert split_options(((1,), (0,)), 2)["pc_fieldsplit_1_fields"] == "0"
    for bad, bs in (
        (((0,), (1, 2)), 4),
        (((0, 1), (1, 2, 3)), 4),
        (((0,), ()), 1),
        (((0,), (1, 2, 3)), 2),
    ):
        with pytest.raises(ValueError, match="do not partition the"):
            split_options(bad, bs)
    A = laplacian(200)
    A.setBlockSize(2)
    with pytest.raises(ValueError, match="2 unknowns per node"):
        LinearSolver(A, SolverSettings(direct_max_dofs=0), splits=((0,), (1, 2, 3)))
    direct = LinearSolver(A, SolverSettings(), splits=((0,), (1,)))
    cg = LinearSolver(A, SolverSettings(direct_max_dofs=0, rtol=1e-12), splits=((0,), (1,)))
    assert (direct.kind, direct.description) == ("direct", "preonly+lu")
    assert cg.description == "cg+fieldsplit" and cg.unused_options == []
    b = A.createVecLeft()
    b.set(1.0)
    xd, xc = A.createVecRight(), A.createVecRight()
    direct.solve(b, xd)
    assert cg.solve(b, xc) > 1
    assert np.allclose(xc.getArray(), xd.getArray(), rtol=1e-8)
    for obj in (direct, cg, A, b, xd, xc):
        obj.destroy()


def test_automatic_direct_limit_by_dimension():
    """Unset, the LU limit is 200k unknowns in 1D/2D and 30k in 3D (LU's fill makes it
    slower than AMG there, docs/performance.md), 60k in 1D/2D for operators with 4
    unknowns per node (read from the matrix's block size); a set value wins everywhere."""
    from spinfem.solvers import AUTO_DIRECT_MAX_DOFS, AUTO_DIRECT_MAX_DOFS_WIDE, direct_limit

    auto, fixed = SolverSettings(), SolverSettings(direct_max_dofs=1234)
    assert [direct_limit(auto, d) for d in (1, 2, 3, None)] == [200_000, 200_000, 30_000, 200_000]
    assert all(direct_limit(fixed, d) == 1234 for d in (1, 2, 3, None))
    # 4 unknowns per node (vector model): earlier in 1D/2D; the M-m model (no dimension)
    # keeps 200k whatever its block size; a set value always wins
    assert [direct_limit(auto, d, 4) for d in (1, 2, 3, None)] == [60_000, 60_000, 30_000, 200_000]
    assert [direct_limit(auto, d, 2) for d in (1, 2, 3)] == [200_000, 200_000, 30_000]
    assert all(direct_limit(fixed, d, 4) == 1234 for d in (1, 2, 3, None))
    A = laplacian(AUTO_DIRECT_MAX_DOFS[3] + 1)
    assert LinearSolver(A, auto, tdim=3).kind == "iterative"
    assert LinearSolver(A, auto, tdim=2).kind == "direct"
    assert LinearSolver(A, SolverSettings(direct_max_dofs=10**6), tdim=3).kind == "direct"
    A.destroy()
    W = laplacian(AUTO_DIRECT_MAX_DOFS_WIDE[2] + 4)
    assert LinearSolver(W, auto, tdim=2).kind == "direct"  # block size 1
    W.setBlockSize(4)
    assert LinearSolver(W, auto, tdim=2).kind == "iterative"
    assert LinearSolver(W, auto).kind == "direct"  # no dimension (M-m): 200k
    W.destroy()


def test_problems_pass_their_dimension_to_the_automatic_limit():
    """A 3D device just above the automatic 3D limit is solved iteratively by default
    (2D limit would give LU), with the answer of a forced LU solve."""
    dev = device(3)  # 43 992 unknowns
    auto = solve(dev, SolverSettings(rtol=1e-12))
    direct = solve(dev, SolverSettings(direct_max_dofs=10**6))
    assert direct.iterations == 1 and auto.iterations > 1
    assert rel_err(auto.resistance_area(), direct.resistance_area()) < 1e-9


def test_divergence_raises_with_reason():
    A = laplacian(200)
    b = A.createVecLeft()
    b.set(1.0)
    s = LinearSolver(
        A, SolverSettings(direct_max_dofs=0, petsc_options={"ksp_max_it": 2, "pc_type": "jacobi"})
    )
    with pytest.raises(SolverError, match=r"DIVERGED_MAX_IT.*after 2 iterations"):
        s.solve(b, A.createVecRight(), what="the test system")


def test_singular_operator_raises():
    A = laplacian(20)
    A.zeroRows([5], diag=0.0)  # a zero row: LU breaks down
    b = A.createVecLeft()
    b.set(1.0)
    with pytest.raises(SolverError):
        s = LinearSolver(A, SolverSettings())
        s.solve(b, A.createVecRight())


def test_options_prefix_override_and_no_leak():
    A = laplacian(30)
    opts = PETSc.Options()
    opts["spinfem_ksp_type"] = "gmres"  # as if given on the command line
    try:
        s = LinearSolver(A, SolverSettings(direct_max_dofs=0, petsc_options={"ksp_type": "bcgs"}))
        assert s.ksp.getType() == "gmres"  # the command line wins over petsc_options
        assert s.ksp.getOptionsPrefix() == "spinfem_"
    finally:
        opts.delValue("spinfem_ksp_type")
    s2 = LinearSolver(A, SolverSettings(direct_max_dofs=0, petsc_options={"ksp_type": "bcgs"}))
    assert s2.ksp.getType() == "bcgs"  # petsc_options win over the defaults
    s3 = LinearSolver(A, SolverSettings(prefix="other_", direct_max_dofs=0))
    assert s3.ksp.getOptionsPrefix() == "other_" and s3.ksp.getType() == "cg"
    # our defaults are not left behind in the global options database
    assert not any(k.startswith(("spinfem_", "other_")) for k in opts.getAll())


def test_unused_options_reported(caplog):
    A = laplacian(30)
    with caplog.at_level(logging.WARNING, logger="spinfem"):
        s = LinearSolver(A, SolverSettings(petsc_options={"ksp_bogus_setting": 3}))
    if not s.unused_options and not unused_options("") and PETSc.Options().getAll() == {}:
        pytest.skip("PetscOptionsUsed not reachable")
    assert s.unused_options == ["spinfem_ksp_bogus_setting"]
    assert "-spinfem_ksp_bogus_setting" in caplog.text
    ok = LinearSolver(A, SolverSettings(petsc_options={"ksp_view": None}))
    assert ok.unused_options == []


def test_preconditioner_reuse_is_real(monkeypatch):
    """update_operator keeps the old factorisation unless told otherwise: the kept LU of A
    preconditions GMRES on 2A's system (one iteration, no new factorisation, half the
    answer); told otherwise it factorises 2A. A kept preconditioner is rebuilt when
    the old one needs more than REUSE_MAX_IT iterations, with the right answer."""
    from spinfem import solvers

    A = laplacian(40)
    b = A.createVecLeft()
    b.set(1.0)
    s = LinearSolver(A, SolverSettings())
    x1 = A.createVecRight()
    s.solve(b, x1)
    s.solve(b, A.createVecRight())  # second right-hand side: no new setup
    assert s.iterations == [1, 1] and s.setups == 1
    A2 = A.copy()
    A2.scale(2.0)
    s.update_operator(A2)  # reuse
    x2 = A.createVecRight()
    s.solve(b, x2)
    assert np.allclose(x2.getArray(), 0.5 * x1.getArray())
    assert s.setups == 1 and s.stale and s.last_iterations == 1  # the LU of A, in GMRES
    s.update_operator(A2, reuse_preconditioner=False)  # rebuild
    s.solve(b, x2)
    assert np.allclose(x2.getArray(), 0.5 * x1.getArray())
    assert s.setups == 2 and not s.stale and s.ksp.getType() == "preonly"
    # an operator the old factorisation preconditions poorly: rebuilt on the way
    A3 = A.copy()
    A3.shift(3.0)
    monkeypatch.setattr(solvers, "REUSE_MAX_IT", 1)
    s.update_operator(A3)
    x3, ref = A.createVecRight(), A.createVecRight()
    s.solve(b, x3)
    assert s.rebuilds == 1 and s.setups == 3 and not s.stale
    LinearSolver(A3, SolverSettings()).solve(b, ref)
    assert np.allclose(x3.getArray(), ref.getArray(), rtol=1e-10, atol=0)


def test_command_line_options_take_effect(tmp_path):
    """A real command line: -spinfem_ksp_type gmres reaches the solver."""
    script = tmp_path / "cli.py"
    script.write_text(
        "import sys\n"
        "from petsc4py import PETSc\n"
        "import test_solvers as t\n"
        "from spinfem.solvers import LinearSolver, SolverSettings\n"
        "s = LinearSolver(t.laplacian(20), SolverSettings(direct_max_dofs=0))\n"
        "print('KSP', s.ksp.getType(), s.ksp.getTolerances()[0])\n"
    )
    proc = run_python([str(script), "-spinfem_ksp_type", "gmres", "-spinfem_ksp_rtol", "1e-3"])
    assert proc.returncode == 0, proc.stderr
    assert "KSP gmres 0.001" in proc.stdout


@pytest.mark.mpi
def test_solver_paths_mpi(tmp_path):
    one = run_script_json("solver_paths.py", tmp_path, nprocs=1)
    two = run_script_json("solver_paths.py", tmp_path, nprocs=2)
    for res in (one, two):
        assert rel_err(res["iterative"]["RA"], res["direct"]["RA"]) < 1e-9
        assert res["iterative"]["iterations"] <= 20
    assert rel_err(two["direct"]["RA"], one["direct"]["RA"]) < 1e-11
    assert rel_err(two["iterative"]["RA"], one["direct"]["RA"]) < 1e-9
    assert rel_err(two["iterative"]["spin_current_top"], one["direct"]["spin_current_top"]) < 1e-7
    # hypre's modular Galerkin product: tried on 2 ranks only (set where PETSc keeps it:
    # tests/test_compat.py), same answer and iterations as hypre's default product
    assert one["iterative"]["modular_rap"] == []
    calls = two["iterative"]["modular_rap"]
    assert calls and all(c == two["modular_rap_supported"] for c in calls)
    slow = two["iterative_default_rap"]
    assert slow["modular_rap"] and not any(slow["modular_rap"])  # rank 0 had a handle
    assert rel_err(slow["RA"], two["iterative"]["RA"]) < 1e-10
    assert abs(slow["iterations"] - two["iterative"]["iterations"]) <= 1
    # one assembly serves both operators: the constrained one equals dolfinx's assembly
    # with the contact conditions (same entries, same values), on 1 and 2 ranks
    for res in (one, two):
        ops = res["operators"]
        assert ops["dirichlet_rows"] > 0
        nnz_a, nnz_ref, nnz_free, nnz_free_ref = ops["nnz"]
        assert nnz_a == nnz_ref and nnz_free == nnz_free_ref and nnz_free > nnz_a
        assert ops["diff"] < 1e-15 and ops["diff_free"] == 0.0
    assert one["operators"]["dirichlet_rows"] == two["operators"]["dirichlet_rows"]


def test_command_line_parsing():
    argv = [
        "demo",
        "-spinfem_ksp_monitor",
        "-spinfem_ksp_rtol",
        "-1e-3",
        "-x",
        "-spinfem_pc_type",
        "lu",
    ]
    assert command_line_options("spinfem_", argv) == {
        "spinfem_ksp_monitor": "",
        "spinfem_ksp_rtol": "-1e-3",
        "spinfem_pc_type": "lu",
    }
    assert command_line_options("other_", argv) == {}
