"""Method of manufactured solutions for the collinear two-current model (MODEL.md section 1).

What is verified: spinfem's weak form ``two_current.bilinear_form`` (with the SI scaling of
``Scale``), assembled on a blocked P1 space and solved with spinfem's ``LinearSolver``,
converges at the optimal L2 rate 2 to smooth non-polynomial exact fields (V, mu_s) with
P != 0 and a spin-flip length comparable to the box, in 2D and 3D.

The source terms are derived HERE from the strong form of MODEL.md, independently of
spinfem's ``currents``:

    j_c = -sigma grad V + (sigma P/2) grad mu_s
    j_s = -sigma P grad V + (sigma/2) grad mu_s
    div j_c = 0,   div j_s = sigma (1 - P^2)/(2 l_sf^2) mu_s

Multiplying the first equation by v and the second by -q/2 and integrating by parts gives,
for test functions vanishing on the Dirichlet boundary,

    int( -j_c . grad v + 1/2 j_s . grad q + g_sf mu_s q ) = int( f_v v + f_q q ),
    f_v = div j_c,   f_q = -1/2 div j_s + g_sf mu_s,   g_sf = sigma (1 - P^2)/(4 l_sf^2),

so the physical problem has f_v = f_q = 0, and the manufactured one takes f_v, f_q from the
exact fields. The mesh is the unit square/cube in units of L = 100 nm: x_SI = L X,
grad_SI = grad_X / L, dx_SI = L^d dX, applied to both sides.

A negative control builds the source with the sign of the P coupling flipped and checks
that the error then stalls, so the convergence assertions can fail.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

from spinfem import compat
from spinfem.physics import two_current
from spinfem.physics.scale import Scale
from spinfem.solvers import LinearSolver, SolverSettings

L_UNIT = 1e-7  # mesh coordinate unit: the box side L = 100 nm [m]
SIGMA = 5.0e6  # [S/m]
POL = 0.6  # bulk polarization P [1]
L_SF = 50e-9  # spin-diffusion length [m]: (L/l_sf)^2 (1-P^2)/2 ~ 1.3, spin flip matters
V0 = 1.0e-3  # [V]
MU0 = 2.0e-3  # [eV] (numerically V)

G_SF = SIGMA * (1.0 - POL**2) / (4.0 * L_SF**2)  # [S/m^3]
Q_ERR = 8  # quadrature degree of the error integrals
Q_RHS = 6  # quadrature degree of the source integrals


# ------------------------------------------------------------------------------ exact fields
# Written once for both numpy (boundary interpolation) and UFL (source, error), in SI
# coordinates x_SI [m]; `m` is the math module (numpy or ufl).
def v_exact(x: Any, m: Any, dim: int) -> Any:
    """V [V]: a shifted sine times a cosine (times an exponential in z in 3D)."""
    X, Y = x[0] / L_UNIT, x[1] / L_UNIT
    val = V0 * m.sin(math.pi * (X + 0.25)) * m.cos(0.5 * math.pi * Y)
    if dim == 3:
        val = val * m.exp(0.5 * x[2] / L_UNIT)
    return val


def mu_exact(x: Any, m: Any, dim: int) -> Any:
    """mu_s [eV]: a different shape (cosine times exponential; cosine in z in 3D)."""
    X, Y = x[0] / L_UNIT, x[1] / L_UNIT
    val = MU0 * m.cos(0.5 * math.pi * X + 0.3) * m.exp(-0.7 * Y)
    if dim == 3:
        val = val * m.cos(math.pi * x[2] / (3.0 * L_UNIT) - 0.2)
    return val


def grad_si(f: Any) -> Any:
    """SI gradient of a UFL expression of the mesh coordinate X (x_SI = L X)."""
    return ufl.grad(f) / L_UNIT


def div_si(f: Any) -> Any:
    return ufl.div(f) / L_UNIT


def source_terms(x_si: Any, dim: int, p_source: float) -> tuple[Any, Any]:
    """(f_v, f_q) [A/m^3] from the strong form; ``p_source`` is the P used in the fluxes."""
    V = v_exact(x_si, ufl, dim)
    mu = mu_exact(x_si, ufl, dim)
    j_c = -SIGMA * grad_si(V) + 0.5 * SIGMA * p_source * grad_si(mu)
    j_s = -SIGMA * p_source * grad_si(V) + 0.5 * SIGMA * grad_si(mu)
    f_v = div_si(j_c)
    f_q = -0.5 * div_si(j_s) + G_SF * mu
    return f_v, f_q


# ------------------------------------------------------------------------------ one solve
def make_mesh(dim: int, n: int) -> Any:
    comm = MPI.COMM_WORLD
    if dim == 2:
        return mesh.create_unit_square(comm, n, n)
    return mesh.create_unit_cube(comm, n, n, n)


def rms(expr: Any, msh: Any) -> float:
    """L2 norm over the unit box in mesh units = RMS value over the device [unit of expr]."""
    dx_err = ufl.dx(metadata={"quadrature_degree": Q_ERR})
    local = fem.assemble_scalar(fem.form(expr**2 * dx_err))
    return math.sqrt(msh.comm.allreduce(local, op=MPI.SUM))


def solve_mms(dim: int, n: int, p_source: float = POL) -> tuple[float, float, int]:
    """Solve on an n^dim mesh; return (RMS error of V [V], of mu_s [eV], #dofs)."""
    msh = make_mesh(dim, n)
    W = fem.functionspace(msh, ("Lagrange", 1, (2,)))

    def const(value: float) -> Any:
        return fem.Constant(msh, PETSc.ScalarType(value))

    scale = Scale(const(1.0 / L_UNIT), const(L_UNIT**dim), const(L_UNIT ** (dim - 1)))
    coeffs = two_current.Coefficients(
        sigma=const(SIGMA), sigma_p=const(SIGMA * POL), g_sf=const(G_SF)
    )

    u, w = ufl.TrialFunction(W), ufl.TestFunction(W)
    a = fem.form(two_current.bilinear_form(u, w, coeffs, scale, ufl.dx))

    x_si = L_UNIT * ufl.SpatialCoordinate(msh)
    f_v, f_q = source_terms(x_si, dim, p_source)
    vol = L_UNIT**dim  # dx_SI = L^d dX, independent of the Scale under test
    dx_rhs = ufl.dx(metadata={"quadrature_degree": Q_RHS})
    rhs = fem.form((f_v * w[0] + f_q * w[1]) * vol * dx_rhs)

    # Dirichlet data on every boundary facet, both components, from the exact solution.
    u_bc = fem.Function(W)
    u_bc.interpolate(
        lambda x: np.vstack([v_exact(L_UNIT * x, np, dim), mu_exact(L_UNIT * x, np, dim)])
    )
    fdim = msh.topology.dim - 1
    msh.topology.create_connectivity(fdim, msh.topology.dim)
    facets = mesh.exterior_facet_indices(msh.topology)
    bc = fem.dirichletbc(u_bc, fem.locate_dofs_topological(W, fdim, facets))

    A = compat.assemble_matrix(a, [bc])
    b = compat.create_vector(rhs)
    with b.localForm() as b_loc:
        b_loc.set(0.0)
    fem_petsc.assemble_vector(b, rhs)
    fem_petsc.apply_lifting(b, [a], bcs=[[bc]])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, [bc])

    uh = fem.Function(W)
    solver = LinearSolver(A, SolverSettings(), symmetric=True)
    solver.solve(b, uh.x.petsc_vec, what="MMS two-current")
    uh.x.scatter_forward()
    solver.destroy()

    err_v = rms(uh[0] - v_exact(x_si, ufl, dim), msh)
    err_mu = rms(uh[1] - mu_exact(x_si, ufl, dim), msh)
    ndofs = W.dofmap.index_map.size_global * W.dofmap.index_map_bs
    A.destroy()
    b.destroy()
    return err_v, err_mu, ndofs


def fitted_rate(hs: list[float], errs: list[float]) -> float:
    """Least-squares slope of log(err) against log(h)."""
    slope, _ = np.polyfit(np.log(hs), np.log(errs), 1)
    return float(slope)


def convergence(
    dim: int, ns: list[int], p_source: float = POL, label: str = ""
) -> tuple[list[float], list[float], float, float]:
    """Errors on the meshes ``ns`` and their fitted rates; prints a table (pytest -s)."""
    v_rms, mu_rms = rms_exact(v_exact, dim), rms_exact(mu_exact, dim)
    tag = f"[mms {label}{dim}D]"
    print(f"\n{tag} exact RMS: V {v_rms:.4e} V, mu_s {mu_rms:.4e} eV")
    hs, ev, em = [], [], []
    t0 = time.perf_counter()
    for n in ns:
        err_v, err_mu, ndofs = solve_mms(dim, n, p_source)
        hs.append(1.0 / n)
        ev.append(err_v)
        em.append(err_mu)
        print(
            f"{tag} N={n:3d} dofs={ndofs:6d}  err V {err_v:.4e} V ({err_v / v_rms:.2e} rel)"
            f"  err mu_s {err_mu:.4e} eV ({err_mu / mu_rms:.2e} rel)"
        )
    rate_v, rate_mu = fitted_rate(hs, ev), fitted_rate(hs, em)
    print(
        f"{tag} L2 rates (least squares): V {rate_v:.3f}, mu_s {rate_mu:.3f}"
        f"  ({time.perf_counter() - t0:.1f} s)"
    )
    return [e / v_rms for e in ev], [e / mu_rms for e in em], rate_v, rate_mu


def rms_exact(f: Callable[..., Any], dim: int) -> float:
    """RMS value of an exact field over the device, to express errors relative to it."""
    msh = make_mesh(dim, 8)
    return rms(f(L_UNIT * ufl.SpatialCoordinate(msh), ufl, dim), msh)


# ------------------------------------------------------------------------------ tests
@pytest.mark.parametrize(("dim", "ns"), [(2, [8, 16, 32, 64]), (3, [4, 8, 16])])
def test_mms_two_current_rate2(dim: int, ns: list[int]) -> None:
    ev, em, rate_v, rate_mu = convergence(dim, ns)
    for name, errs in (("V", ev), ("mu_s", em)):
        assert all(e1 < e0 for e0, e1 in itertools.pairwise(errs)), (
            f"{dim}D {name} L2 error not monotonically decreasing: {errs}"
        )
        # A wrong factor anywhere (scaling, g_sf, coupling) leaves an O(1) stalled error.
        assert errs[-1] < 1e-2, f"{dim}D {name} finest relative L2 error {errs[-1]:.3e}"
    assert 1.8 <= rate_v <= 2.2, f"{dim}D V L2 rate {rate_v:.3f} not in [1.8, 2.2]: {ev}"
    assert 1.8 <= rate_mu <= 2.2, f"{dim}D mu_s L2 rate {rate_mu:.3f} not in [1.8, 2.2]: {em}"


def test_mms_negative_control_wrong_p_sign() -> None:
    """A source built with -P (the spin-charge coupling sign flipped) must not converge:
    the discrete solution then tends to another field and the error stalls. Proves that
    the assertions above can fail."""
    ev, em, rate_v, rate_mu = convergence(2, [8, 16, 32], p_source=-POL, label="wrong-P ")
    assert not 1.8 <= rate_v <= 2.2 and not 1.8 <= rate_mu <= 2.2, (rate_v, rate_mu)
    assert rate_v < 1.0 and rate_mu < 1.0, (rate_v, rate_mu)
    assert ev[-1] > 1e-2 and em[-1] > 1e-2, (ev, em)
