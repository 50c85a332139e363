"""The M-m problem: P1 fields dM, dm [A/m] on a device mesh, semi-discrete operators.

Semi-discretisation (P1, lumped mass ``mL``; all relaxation terms lumped, so they are
diagonal): with ``a`` = dM and ``b`` = dm at the vertices,

    mL a' = -wMa a + wab b
    mL b' = -K b - Kx a - wbb b - wba a + F(t)

where ``K = int D_m grad.grad``, ``Kx = int D_m xi grad.grad`` (deltam = dm + xi dM
diffuses), ``wMa = lump(w_M)``, ``wab = lump(r - w_M)``, ``wbb = lump(r + w_m)``,
``wba = lump(xi w_m)`` (MODEL.md section 4 after inserting Onsager 1/tau_Mm = xi/tau_mM),
``F = sum_j J_j(t) int_Gamma_j v ds``. :class:`StageSolver` solves
``(M + theta A) y = R`` by eliminating ``a`` node by node and solving ONE screened
diffusion system for ``b``; its factorization is kept for its ``theta``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh_mod
from mpi4py import MPI
from petsc4py import PETSc

from spinfem import compat
from spinfem.errors import ContactError, MaterialError
from spinfem.mesh import DeviceMesh
from spinfem.mm.params import MagnetParams
from spinfem.mm.sources import FixedDeltam, InjectedFlux, ZeroFlux
from spinfem.physics import mm as terms
from spinfem.physics.scale import Scale
from spinfem.solvers import LinearSolver, SolverSettings

__all__ = ["MMProblem", "StageSolver", "box_mesh"]

MU0 = 4e-7 * np.pi  # vacuum permeability [T m/A] (free energy prefactor)


def box_mesh(
    lengths: tuple[float, ...],
    cells: tuple[int, ...],
    *,
    length_unit: float = 1.0,
    comm: MPI.Comm = MPI.COMM_WORLD,
    region: str = "magnet",
) -> DeviceMesh:
    """A 1D/2D/3D box [0, L_i] (coordinates in ``length_unit`` [m]) as a DeviceMesh with one
    region (``region``) and boundaries ``xmin, xmax, ymin, ...`` (shared_facet ghosting)."""
    dim = len(lengths)
    ghost = dmesh_mod.GhostMode.shared_facet
    if dim == 1:
        m = dmesh_mod.create_interval(comm, cells[0], [0.0, lengths[0]], ghost_mode=ghost)
    elif dim == 2:
        m = dmesh_mod.create_rectangle(
            comm, [[0.0, 0.0], list(lengths)], list(cells), ghost_mode=ghost
        )
    else:
        m = dmesh_mod.create_box(comm, [[0.0] * 3, list(lengths)], list(cells), ghost_mode=ghost)
    tdim = m.topology.dim
    m.topology.create_connectivity(tdim - 1, tdim)
    ncell = m.topology.index_map(tdim).size_local + m.topology.index_map(tdim).num_ghosts
    cidx = np.arange(ncell, dtype=np.int32)
    ct = dmesh_mod.meshtags(m, tdim, cidx, np.ones(ncell, dtype=np.int32))
    names, fl, fv = {}, [], []
    for axis in range(dim):
        for side, pos in (("min", 0.0), ("max", lengths[axis])):
            tag = len(names) + 1
            names["xyz"[axis] + side] = tag
            f = dmesh_mod.locate_entities_boundary(
                m, tdim - 1, lambda x, a=axis, p=pos: np.isclose(x[a], p, atol=1e-12 * max(lengths))
            )
            fl.append(f)
            fv.append(np.full(f.size, tag, dtype=np.int32))
    fidx = np.concatenate(fl)
    order = np.argsort(fidx)
    ft = dmesh_mod.meshtags(m, tdim - 1, fidx[order], np.concatenate(fv)[order])
    return DeviceMesh(m, ct, ft, {region: 1}, names, float(length_unit))


def _owned(vec: Any, n: int) -> np.ndarray:
    vec.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    return vec.getArray(readonly=True)[:n].copy()


@dataclass(eq=False)
class MMProblem:
    """The M-m model on ``dmesh``.

    Args:
        dmesh: the device mesh; EVERY region must be a magnet.
        magnets: region name -> :class:`MagnetParams`.
        boundaries: facet group name -> ZeroFlux | InjectedFlux(J [A/s]) | FixedDeltam(value [A/m]);
            unnamed boundaries are zero flux.
        solver: PETSc settings (prefix ``spinfem_mm_``).
    """

    dmesh: DeviceMesh
    magnets: Mapping[str, MagnetParams]
    boundaries: Mapping[str, Any] = field(default_factory=dict)
    solver: SolverSettings = field(default_factory=lambda: SolverSettings(prefix="spinfem_mm_"))

    def __post_init__(self) -> None:
        dm = self.dmesh
        for name in self.magnets:
            dm.region_tag(name, "magnet region")
            if not isinstance(self.magnets[name], MagnetParams):
                raise MaterialError(
                    f"magnet '{name}': expected MagnetParams, got {self.magnets[name]!r}"
                )
        missing = sorted(set(dm.regions) - set(self.magnets))
        if missing:
            raise MaterialError(
                f"region '{missing[0]}' has no magnet parameters: the M-m model needs every region "
                f"to be a magnet (given: {sorted(self.magnets)})"
            )
        for name, bc in self.boundaries.items():
            dm.boundary_tag(name, "M-m boundary")
            if not isinstance(bc, (ZeroFlux, InjectedFlux, FixedDeltam)):
                raise ContactError(
                    f"boundary '{name}': expected ZeroFlux, InjectedFlux or FixedDeltam, got {bc!r}"
                )
        self.V = fem.functionspace(dm.mesh, ("Lagrange", 1))
        imap = self.V.dofmap.index_map
        self.n = imap.size_local
        self.N = imap.size_global
        self.offset = imap.local_range[0]
        self._assemble()

    # ------------------------------------------------------------------ assembly
    def _dg0(self, fn: Any) -> Any:
        Q = fem.functionspace(self.dmesh.mesh, ("DG", 0))
        f = fem.Function(Q)
        for name, p in self.magnets.items():
            cells = self.dmesh.cells(name)
            f.x.array[cells] = fn(p)
        f.x.scatter_forward()
        return f

    def _assemble(self) -> None:
        dm, V = self.dmesh, self.V
        s = Scale.of(dm)
        dx = ufl.Measure("dx", domain=dm.mesh)
        ds = ufl.Measure("ds", domain=dm.mesh, subdomain_data=dm.facet_tags)
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        D = self._dg0(lambda p: p.D_m)
        Dxi = self._dg0(lambda p: p.D_m * p.xi)
        self.K = compat.assemble_matrix(fem.form(terms.diffusion(u, v, D, s, dx)), [])
        self.Kx = compat.assemble_matrix(fem.form(terms.diffusion(u, v, Dxi, s, dx)), [])

        def lump(fn: Any) -> np.ndarray:
            form = fem.form(terms.lumped(self._dg0(fn), v, s, dx))
            vec = compat.create_vector(form)
            vec.set(0.0)
            fem.petsc.assemble_vector(vec, form)
            out = _owned(vec, self.n)
            vec.destroy()
            return out

        self.mL = lump(lambda p: 1.0)
        self.wMa = lump(lambda p: p.w_M)
        self.wab = lump(lambda p: p.r - p.w_M)
        self.wbb = lump(lambda p: p.r + p.w_m)
        self.wba = lump(lambda p: p.xi * p.w_m)
        self.xi_node = lump(lambda p: p.xi) / self.mL
        self.eM = lump(lambda p: MU0 / p.chi_M)
        self.em = lump(lambda p: MU0 * (1.0 / p.chi_m - 1.0 / p.chi_M))
        self.loads: list[tuple[str, np.ndarray, Any]] = []
        self.dirichlet: list[tuple[str, np.ndarray, FixedDeltam]] = []
        for name, bc in self.boundaries.items():
            tag = dm.boundary_tag(name)
            if isinstance(bc, InjectedFlux):
                form = fem.form(terms.boundary_load(v, s, ds(tag)))
                vec = compat.create_vector(form)
                vec.set(0.0)
                fem.petsc.assemble_vector(vec, form)
                self.loads.append((name, _owned(vec, self.n), bc.J))
                vec.destroy()
            elif isinstance(bc, FixedDeltam):
                facets = dm.facets(name)
                dofs = fem.locate_dofs_topological(V, dm.tdim - 1, facets)
                self.dirichlet.append((name, dofs[dofs < self.n].astype(np.int32), bc))
        self.fixed = (
            np.unique(np.concatenate([d for _, d, _ in self.dirichlet])).astype(np.int32)
            if self.dirichlet
            else np.zeros(0, dtype=np.int32)
        )
        # collective: PETSc row operations must be entered by every rank
        self.has_fixed = bool(dm.comm.allreduce(int(self.fixed.size), op=MPI.SUM))

    # ------------------------------------------------------------------ helpers
    def vec(self, arr: np.ndarray) -> Any:
        """PETSc Vec sharing the owned array ``arr``."""
        return PETSc.Vec().createWithArray(arr, size=(self.n, self.N), comm=self.dmesh.comm)

    def matvec(self, A: Any, x: np.ndarray) -> np.ndarray:
        out = np.empty(self.n)
        A.mult(self.vec(np.ascontiguousarray(x)), self.vec(out))
        return out

    def forcing(self, t: float) -> np.ndarray:
        """Boundary load F(t) [A/s per basis function]."""
        F = np.zeros(self.n)
        for _, g, J in self.loads:
            F += J(t) * g
        return F

    def rhs(self, a: np.ndarray, b: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Time derivatives (a', b') [A/m/s] of the semi-discrete system (Dirichlet rows 0)."""
        fa = (-self.wMa * a + self.wab * b) / self.mL
        fb = (
            -self.matvec(self.K, b)
            - self.matvec(self.Kx, a)
            - self.wbb * b
            - self.wba * a
            + self.forcing(t)
        ) / self.mL
        fb[self.fixed] = 0.0
        return fa, fb

    def fixed_values(self, t: float) -> np.ndarray:
        vals = np.zeros(self.fixed.size)
        pos = {int(d): i for i, d in enumerate(self.fixed)}
        for _, dofs, bc in self.dirichlet:
            for d in dofs:
                vals[pos[int(d)]] = float(np.real(bc.value))
        return vals

    def total(self, a: np.ndarray, b: np.ndarray) -> float:
        """int (dM + dm) dx [A m^2 = (A/m) m^3] (2D: times the depth)."""
        return float(self.dmesh.comm.allreduce(float(self.mL @ (a + b)), op=MPI.SUM))

    def free_energy(self, a: np.ndarray, b: np.ndarray) -> float:
        """F = (mu0/2) int [(dM + dm)^2/chi_M + dm^2 (1/chi_m - 1/chi_M)] dx [J] (lumped)."""
        loc = 0.5 * float(self.eM @ (a + b) ** 2 + self.em @ b**2)
        return float(self.dmesh.comm.allreduce(loc, op=MPI.SUM))

    def injected(self, t: float) -> float:
        """Total injected flux sum_j J_j(t) |Gamma_j| [A m = (A/s) m^2 ... per second of M]."""
        loc = sum(J(t) * float(g.sum()) for _, g, J in self.loads)
        return float(self.dmesh.comm.allreduce(loc, op=MPI.SUM))


class StageSolver:
    """Solves ``(M + theta A) (a, b) = (Ra, Rb)`` for one ``theta`` [s] (factorization kept).

    Node by node ``a = alpha b + rho`` with ``alpha = theta s/(1 + theta p)``; then
    ``S b = Rb - theta (Kx + wba) rho`` with
    ``S = theta K + theta Kx diag(alpha) + diag(mL + theta wbb + theta wba alpha)``.
    Fixed-deltam rows: ``b = (value - xi rho)/(1 + xi alpha)``.
    """

    def __init__(self, prob: MMProblem, theta: float) -> None:
        self.prob, self.theta = prob, theta
        p = prob.wMa / prob.mL
        s = prob.wab / prob.mL
        self.den = 1.0 + theta * p
        self.alpha = theta * s / self.den
        S = prob.Kx.copy()
        S.diagonalScale(None, prob.vec(self.alpha.copy()))
        S.scale(theta)
        S.axpy(theta, prob.K, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
        diag = prob.mL + theta * prob.wbb + theta * prob.wba * self.alpha
        S.setDiagonal(prob.vec(diag.copy()), addv=PETSc.InsertMode.ADD_VALUES)
        if prob.has_fixed:
            S.zeroRows((prob.fixed + prob.offset).astype(PETSc.IntType), 1.0)
        S.assemble()
        self.S = S
        self.ksp = LinearSolver(S, prob.solver, symmetric=False)
        self.b = np.empty(prob.n)

    def solve(
        self, Ra: np.ndarray, Rb: np.ndarray, fixed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        prob, th = self.prob, self.theta
        rho = Ra / prob.mL / self.den
        rhs = Rb - th * (prob.matvec(prob.Kx, rho) + prob.wba * rho)
        if prob.fixed.size:
            f = prob.fixed
            val = np.zeros(f.size) if fixed is None else fixed
            rhs[f] = (val - prob.xi_node[f] * rho[f]) / (1.0 + prob.xi_node[f] * self.alpha[f])
        b = np.empty(prob.n)
        self.ksp.solve(prob.vec(rhs), prob.vec(b), what=f"M-m stage (theta={th:.3e} s)")
        return self.alpha * b + rho, b

    def destroy(self) -> None:
        self.ksp.destroy()
        self.S.destroy()
