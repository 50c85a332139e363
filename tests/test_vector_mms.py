"""Method of manufactured solutions for the vector spin model (MODEL.md section 3).

What is verified: the bulk operator ``vector_spin.bilinear_form`` (transport with a
non-uniform, non-collinear magnetization m(x) and P != 0, spin flip, exchange lambda_J,
dephasing lambda_phi, Larmor precession about a tilted B, spin Hall angle switched on),
assembled on a blocked (4,) P1 space and solved with spinfem's non-symmetric solver,
converges at the optimal L2 rate 2 to smooth exact fields (V, mu) in 2D and 3D.

Sources are derived HERE from the strong form (docs/theory.md), independently of
``vector_spin.currents``:

    j_c = -sigma grad V + (sigma P/2) m_a grad mu_a
    j_s,a = -sigma P m_a grad V + (sigma/2) grad mu_a
    f_v = div j_c
    f_a = -(1/2) div j_s,a + g_sf mu_a + sigma/(4 lJ^2) (mu x m)_a
          + sigma/(4 lphi^2) (m x (mu x m))_a - sigma tau/(4 l_sf^2) (Omega x mu)_a

(the spin Hall terms are divergence-free for constant theta sigma and do not enter the
strong form; with Dirichlet data everywhere they must not spoil the solution). A negative
control flips the sign of the exchange term in the source: the error then stalls.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

from spinfem import compat
from spinfem.physics import vector_spin
from spinfem.physics.scale import Scale
from spinfem.solvers import LinearSolver, SolverSettings

L_UNIT = 1e-8  # box side 10 nm [m]
SIGMA, POL, L_SF, TAU = 5e6, 0.5, 6e-9, 1e-13  # S/m, 1, m, s
L_J, L_PHI = 4e-9, 5e-9  # m
OMEGA = np.array([0.3, -0.5, 0.8]) * 5e13  # rad/s: Omega tau ~ 5, precession matters
THETA = 0.2
G_SF = SIGMA * (1 - POL**2) / (4 * L_SF**2)


def exact(x: Any, m: Any, dim: int) -> list[Any]:
    """(V [V], mu_x, mu_y, mu_z [eV]) of the mesh coordinate X = x_SI / L (math module m)."""
    X, Y = x[0], x[1]
    Z = x[2] if dim == 3 else 0.0 * X
    return [
        1e-3 * m.sin(math.pi * (X + 0.25)) * m.cos(0.5 * math.pi * Y) * m.exp(0.3 * Z),
        2e-4 * m.cos(0.5 * math.pi * X + 0.3) * m.exp(-0.7 * Y) + 1e-4 * Z,
        1.5e-4 * m.sin(1.3 * X + 0.5 * Y + 0.2) * m.cos(0.4 * Z),
        -1e-4 * m.exp(0.4 * X) * m.sin(math.pi * Y + 0.1 * Z + 0.4),
    ]


def magnetization(x: Any) -> Any:
    """A smooth unit vector field rotating across the box (UFL)."""
    a = 0.8 * x[0] + 0.5 * x[1]
    b = 0.6 + 0.4 * x[1]
    return ufl.as_vector([ufl.sin(b) * ufl.cos(a), ufl.sin(b) * ufl.sin(a), ufl.cos(b)])


def solve(dim: int, n: int, exchange_sign: float = 1.0) -> float:
    comm = MPI.COMM_WORLD
    msh = mesh.create_unit_square(comm, n, n) if dim == 2 else mesh.create_unit_cube(comm, n, n, n)
    W = fem.functionspace(msh, ("Lagrange", 1, (4,)))

    def const(v: Any) -> Any:
        return fem.Constant(msh, np.asarray(v, dtype=PETSc.ScalarType))

    X = ufl.SpatialCoordinate(msh)
    m = magnetization(X)
    scale = Scale(const(1 / L_UNIT), const(L_UNIT**dim), const(L_UNIT ** (dim - 1)))
    coeffs = vector_spin.VectorCoefficients(
        sigma=const(SIGMA),
        sigma_p=const(SIGMA * POL),
        g_sf=const(G_SF),
        m=m,
        exchange=const(SIGMA / (4 * L_J**2)),
        dephasing=const(SIGMA / (4 * L_PHI**2)),
        larmor=const(SIGMA * TAU / (4 * L_SF**2)),
        omega=const(OMEGA),
        theta_sigma=const(THETA * SIGMA),
    )
    u, w = ufl.TrialFunction(W), ufl.TestFunction(W)
    terms = frozenset({"exchange", "dephasing", "larmor"})
    a = fem.form(vector_spin.bilinear_form(u, w, coeffs, scale, ufl.dx, terms))

    # strong form, written independently
    ex = exact(X, ufl, dim)
    V, mu = ex[0], ufl.as_vector(ex[1:])

    def g(f: Any) -> Any:
        return ufl.grad(f) / L_UNIT

    j_c = -SIGMA * g(V) + 0.5 * SIGMA * POL * sum(m[k] * g(mu[k]) for k in range(3))
    f_v = ufl.div(j_c) / L_UNIT
    om = ufl.as_vector([float(o) for o in OMEGA])
    sink = (
        G_SF * mu
        + exchange_sign * SIGMA / (4 * L_J**2) * ufl.cross(mu, m)
        + SIGMA / (4 * L_PHI**2) * ufl.cross(m, ufl.cross(mu, m))
        - SIGMA * TAU / (4 * L_SF**2) * ufl.cross(om, mu)
    )
    f_q = [
        -0.5 * ufl.div(-SIGMA * POL * m[k] * g(V) + 0.5 * SIGMA * g(mu[k])) / L_UNIT + sink[k]
        for k in range(3)
    ]
    dxq = ufl.dx(metadata={"quadrature_degree": 6})
    rhs = fem.form((f_v * w[0] + sum(f_q[k] * w[k + 1] for k in range(3))) * L_UNIT**dim * dxq)

    u_bc = fem.Function(W)
    u_bc.interpolate(lambda x: np.vstack(exact(x, np, dim)))
    fdim = dim - 1
    msh.topology.create_connectivity(fdim, dim)
    facets = mesh.exterior_facet_indices(msh.topology)
    bc = fem.dirichletbc(u_bc, fem.locate_dofs_topological(W, fdim, facets))
    A = compat.assemble_matrix(a, [bc])
    b = compat.create_vector(rhs)
    with b.localForm() as loc:
        loc.set(0.0)
    fem_petsc.assemble_vector(b, rhs)
    fem_petsc.apply_lifting(b, [a], bcs=[[bc]])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, [bc])
    uh = fem.Function(W)
    solver = LinearSolver(A, SolverSettings(), symmetric=False)
    solver.solve(b, uh.x.petsc_vec, what="MMS vector")
    uh.x.scatter_forward()
    solver.destroy()
    A.destroy()
    b.destroy()
    dxe = ufl.dx(metadata={"quadrature_degree": 8})
    err = sum((uh[k] - ex[k]) ** 2 / (1e-3 if k == 0 else 2e-4) ** 2 for k in range(4))
    local = fem.assemble_scalar(fem.form(err * dxe))
    return math.sqrt(comm.allreduce(local, op=MPI.SUM))


@pytest.mark.parametrize(("dim", "ns"), [(2, [8, 16, 32, 64]), (3, [4, 8, 16])])
def test_vector_mms_rate2(dim, ns):
    errs = [solve(dim, n) for n in ns]
    rate = np.polyfit(np.log([1 / n for n in ns]), np.log(errs), 1)[0]
    assert all(e1 < e0 for e0, e1 in itertools.pairwise(errs)), errs
    assert 1.8 < rate < 2.3, (errs, rate)
    assert errs[-1] < 1e-2


def test_vector_mms_negative_control():
    """With the exchange sign flipped in the source the error stalls (the test can fail)."""
    errs = [solve(2, n, exchange_sign=-1.0) for n in (16, 32)]
    assert errs[1] > 0.7 * errs[0]
