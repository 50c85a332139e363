"""Frequency-domain response of the M-m model at real omega (amplitudes ~ exp(-i omega t)).

``(A - i omega M) y = F``: dM is eliminated node by node, ``dM = alpha dm`` with
``alpha = wab/(wMa - i omega mL)``, leaving one complex screened-diffusion system for dm,
``S = K + Kx diag(alpha) + diag(wbb + wba alpha - i omega mL)``, solved as the real 2x2 block
system ``[[Re S, -Im S], [Im S, Re S]] (Re dm, Im dm) = (Re F, Im F)`` (PETSc MatNest of the
scalar blocks, converted to AIJ for the LU/Krylov solver). Injected-flux phasors come from
``InjectedFlux(Sinusoid(amplitude, omega, phase))`` (phasor amplitude e^{i phase}) or
``InjectedFlux(Constant(J))`` (phasor J); FixedDeltam values are phasors [A/m].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from petsc4py import PETSc

from spinfem.errors import InputError
from spinfem.mm.observables import fit_k
from spinfem.mm.problem import MMProblem
from spinfem.solvers import LinearSolver

__all__ = ["FrequencyResult", "solve_frequency"]


@dataclass
class FrequencyResult:
    """Complex amplitudes of dM, dm and deltam [A/m] at the owned dofs (``x``: their mesh
    coordinates) for angular frequency ``omega`` [rad/s]."""

    problem: MMProblem
    omega: float
    dM: np.ndarray
    dm: np.ndarray
    x: np.ndarray

    @property
    def deltam(self) -> np.ndarray:
        return self.dm + self.problem.xi_node * self.dM

    def profile(self, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(positions [m], deltam [A/m]) along ``axis``, averaged over nodes with the same
        coordinate (gathered on every rank)."""
        comm = self.problem.dmesh.comm
        xs = np.concatenate(comm.allgather(self.x[:, axis]))
        fs = np.concatenate(comm.allgather(self.deltam))
        span = max(np.ptp(xs), 1e-300)
        key = np.round(xs / span * 1e9).astype(np.int64)
        _, inv = np.unique(key, return_inverse=True)
        pos = np.bincount(inv, weights=xs) / np.bincount(inv)
        val = np.bincount(inv, weights=fs.real) + 1j * np.bincount(inv, weights=fs.imag)
        val /= np.bincount(inv)
        return pos * self.problem.dmesh.length_unit, val

    def k(self, axis: int = 0) -> complex:
        """Fitted complex wavenumber [1/m] of the deltam profile (Im k >= 0), see
        :func:`~spinfem.mm.observables.fit_k`; needs a mesh with uniform node planes."""
        x, f = self.profile(axis)
        return fit_k(x, f)

    def write(self, path: Path | str) -> None:
        """VTX (BP4) file with P1 fields ``dM_re/dM_im/dm_re/dm_im_A_per_m`` (phasors [A/m])."""
        from dolfinx import fem
        from dolfinx.io import VTXWriter

        V, n = self.problem.V, self.problem.n
        funcs = []
        for name, arr in (("dM", self.dM), ("dm", self.dm)):
            for part, vals in (("re", arr.real), ("im", arr.imag)):
                f = fem.Function(V, name=f"{name}_{part}_A_per_m")
                f.x.array[:n] = vals
                f.x.scatter_forward()
                funcs.append(f)
        with VTXWriter(self.problem.dmesh.comm, str(path), funcs, engine="BP4") as w:
            w.write(0.0)

    def decay_length(self, axis: int = 0) -> float:
        """1/Im k [m]."""
        k = self.k(axis)
        return math.inf if k.imag == 0 else 1.0 / k.imag

    def wavelength(self, axis: int = 0) -> float:
        """2 pi/|Re k| [m] (inf for a purely evanescent response)."""
        k = self.k(axis)
        return math.inf if k.real == 0 else 2 * math.pi / abs(k.real)


def solve_frequency(problem: MMProblem, omega: float) -> FrequencyResult:
    """Complex response at angular frequency ``omega`` [rad/s] (> 0) to the problem's
    injected-flux phasors [A/s] and fixed-deltam phasors [A/m]."""
    if (
        isinstance(omega, bool)
        or not isinstance(omega, (int, float))
        or not math.isfinite(omega)
        or omega <= 0
    ):
        raise InputError(f"'omega' [rad/s] must be a positive number, got {omega!r}")
    p = problem
    alpha = p.wab / (p.wMa - 1j * omega * p.mL)
    Sr = p.Kx.copy()
    Sr.diagonalScale(None, p.vec(alpha.real.copy()))
    Sr.axpy(1.0, p.K, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
    Sr.setDiagonal(p.vec(p.wbb + p.wba * alpha.real), addv=PETSc.InsertMode.ADD_VALUES)
    Si = p.Kx.copy()
    Si.diagonalScale(None, p.vec(alpha.imag.copy()))
    Si.setDiagonal(p.vec(p.wba * alpha.imag - omega * p.mL), addv=PETSc.InsertMode.ADD_VALUES)
    F = np.zeros(p.n, dtype=complex)
    for _, g, J in p.loads:
        F += J.phasor() * g
    if p.has_fixed:
        rows = (p.fixed + p.offset).astype(PETSc.IntType)
        Sr.zeroRows(rows, 1.0)
        Si.zeroRows(rows, 0.0)
        pos = {int(d): i for i, d in enumerate(p.fixed)}
        val = np.zeros(p.fixed.size, dtype=complex)
        for _, dofs, bc in p.dirichlet:
            for d in dofs:
                val[pos[int(d)]] = complex(bc.value)
        f = p.fixed
        F[f] = val / (1.0 + p.xi_node[f] * alpha[f])
    Sr.assemble()
    Si.assemble()
    mSi = Si.copy()
    mSi.scale(-1.0)
    nest = PETSc.Mat().createNest([[Sr, mSi], [Si, Sr]], comm=p.dmesh.comm)
    A = nest.convert("aij")
    x, b = A.createVecs()
    n = p.n
    b.array[:n] = F.real
    b.array[n:] = F.imag
    solver = LinearSolver(A, p.solver, symmetric=False)
    solver.solve(b, x, what=f"M-m frequency response (omega={omega:.3e} rad/s)")
    dm = x.array[:n] + 1j * x.array[n:]
    result = FrequencyResult(
        p, float(omega), alpha * dm, dm, p.V.tabulate_dof_coordinates()[:n].copy()
    )
    for m in (solver, A, nest, Sr, Si, mSi, x, b):
        m.destroy()
    return result
