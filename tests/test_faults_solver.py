"""Solver faults: a Krylov solve that does not converge, a NaN in the solution, a PETSc
error: each is a SolverError naming the PETSc reason and what was being solved, never a
silent result (catalogue: docs/robustness.md). Failures are provoked through
``SolverSettings.petsc_options`` (an iterative solver with 1 iteration allowed)."""

from __future__ import annotations

import numpy as np
import pytest
from fault_helpers import NM, message
from petsc4py import PETSc

from spinfem import library
from spinfem.contacts import Contact
from spinfem.errors import SolverError, SpinfemError
from spinfem.geometry import Layer, pillar
from spinfem.problem import TwoCurrentProblem
from spinfem.solvers import SolverSettings
from spinfem.system import BlockSystem

MATS = {"F": library.Co, "N": library.Cu}
CONTACTS = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]


@pytest.fixture(scope="module")
def bar():
    return pillar([Layer("F", 10 * NM), Layer("N", 10 * NM)], width=10 * NM, dim=2)


@pytest.fixture
def clean_petsc_options():
    """Remove PETSc options a failed solver set-up leaves in the global database (they
    would silently change every later solver of the process)."""
    before = set(PETSc.Options().getAll())
    yield
    opts = PETSc.Options()
    for name in set(opts.getAll()) - before:
        opts.delValue(name)


def solve(device, **settings):
    return TwoCurrentProblem(device, MATS, CONTACTS, solver=SolverSettings(**settings)).solve()


def test_reference_solve_converges(bar):
    """Negative control: the same settings with enough iterations converge."""
    sol = solve(bar, direct_max_dofs=0, petsc_options={"ksp_type": "cg", "pc_type": "jacobi"})
    assert sol.iterations > 1
    assert np.isfinite(sol.resistance_area()) and sol.resistance_area() > 0


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"ksp_type": "cg", "pc_type": "jacobi", "ksp_max_it": 1}, "(-3)"),  # DIVERGED_(MAX_)IT(S)
        ({"ksp_type": "gmres", "pc_type": "none", "ksp_max_it": 2}, "(-3)"),
        ({"ksp_type": "richardson", "ksp_richardson_scale": 1e6, "pc_type": "none"}, "DIVERGED_"),
    ],
)
def test_diverged_krylov_solve_names_the_reason(bar, options, reason):
    with pytest.raises(SolverError) as info:
        solve(bar, direct_max_dofs=0, petsc_options=options)
    msg = message(
        info, "KSP reason DIVERGED_", reason, "unit voltage on contact", "did not converge"
    )
    assert options["ksp_type"] in msg  # which solver failed
    assert info.value.exit_code == 3


def test_nan_in_the_solution_is_detected(bar, monkeypatch):
    """A right-hand side poisoned with NaN (as a NaN coefficient would give): the direct
    solve 'converges' and the NaN is caught on the result."""
    rhs = BlockSystem.rhs

    def poisoned(self, bcs):
        b = rhs(self, bcs)
        arr = b.getArray()
        if arr.size:
            arr[0] = np.nan
        return b

    monkeypatch.setattr(BlockSystem, "rhs", poisoned)
    with pytest.raises(SolverError) as info:
        solve(bar)
    message(info, "NaN")


def test_nan_in_an_iterative_solve_is_named(bar, monkeypatch):
    rhs = BlockSystem.rhs

    def poisoned(self, bcs):
        b = rhs(self, bcs)
        b.getArray()[:] = np.inf
        return b

    monkeypatch.setattr(BlockSystem, "rhs", poisoned)
    with pytest.raises(SolverError) as info:
        solve(bar, direct_max_dofs=0, petsc_options={"ksp_type": "cg", "pc_type": "jacobi"})
    msg = str(info.value)
    assert "NANORINF" in msg or "NaN" in msg, msg


def test_unknown_preconditioner_is_a_spinfem_error(bar, clean_petsc_options):
    with pytest.raises(SpinfemError) as info:
        solve(bar, direct_max_dofs=0, petsc_options={"pc_type": "no_such_pc"})
    message(info, "no_such_pc")
