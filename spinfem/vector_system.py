"""The discrete (V, mu_x, mu_y, mu_z) system of a layout: spaces, compiled forms, PETSc.

One blocked P1 space of shape (4,) per block (PETSc keeps block size 4). Forms are
compiled once; material, magnetization and field data are DG0 Functions/Constants, so a
magnetization or field sweep only re-assembles. Interface laws act on the longitudinal
part (V, m.mu) with their 4x4 admittance Y and on the transverse part (mu minus its
component along m) with Y's spin block; a :class:`~spinfem.mixing.MixingConductance`
replaces the transverse part by one-sided absorption on the normal-metal side, and a
:class:`~spinfem.mixing.MagneticInsulator` adds the same absorption on a boundary.
Vectors use the monolithic layout: owned entries of block 0, then block 1, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh_mod

from spinfem.interfaces import robin_terms
from spinfem.layout import Layout
from spinfem.mixing import MixingConductance, absorbed
from spinfem.physics import vector_spin
from spinfem.physics.scale import Scale
from spinfem.system import BlockAlgebra, _vertex_to_dof

__all__ = ["InsulatorTerm", "InterfaceTerm", "VectorSystem"]

NCOMP = 4


@dataclass(frozen=True, eq=False)
class InterfaceTerm:
    """Effective data of one non-transparent interface: the law, which side is the magnet
    ("L", "R" or None: then the quantisation axis is z) and the Constants used."""

    law: Any
    magnet_side: str | None
    Y: Any
    G_r: Any
    G_i: Any


@dataclass(frozen=True, eq=False)
class InsulatorTerm:
    """A magnetic-insulator boundary: facet-group name, Constants G_r, G_i [S/m^2], m."""

    name: str
    G_r: Any
    G_i: Any
    m: Any
    ids: dict[int, int]  # block -> subdomain id of the boundary measure


def _mu(u: Any) -> Any:
    return ufl.as_vector([u[1], u[2], u[3]])


def _perp(m: Any, x: Any) -> Any:
    return x - ufl.inner(m, x) * m


class VectorSystem(BlockAlgebra):
    """Forms and matrices of the vector model on a :class:`Layout`."""

    ncomp = NCOMP

    def __init__(
        self,
        layout: Layout,
        coeffs: vector_spin.VectorCoefficients,
        scale: Scale,
        interface_terms: dict[int, InterfaceTerm],
        insulators: dict[str, tuple[float, float, np.ndarray]],
        terms: frozenset[str],
    ) -> None:
        self.layout = layout
        self.scale = scale
        self.coeffs = coeffs
        blocks = layout.blocks
        n = self.nblocks = len(blocks)
        self.spaces = [fem.functionspace(b.mesh, ("Lagrange", 1, (NCOMP,))) for b in blocks]
        self.v2d = [_vertex_to_dof(V) for V in self.spaces]
        u = [ufl.TrialFunction(V) for V in self.spaces]
        w = [ufl.TestFunction(V) for V in self.spaces]
        self.u, self.w = u, w
        full: list[list[Any]] = [[None] * n for _ in range(n)]
        for i in range(n):
            full[i][i] = vector_spin.bilinear_form(u[i], w[i], coeffs, scale, layout.dx(i), terms)

        def add(bi: int, bj: int, term: Any) -> None:
            full[bi][bj] = term if full[bi][bj] is None else full[bi][bj] + term

        dS = layout.dS()
        self.interface_terms = interface_terms
        for itf in layout.interfaces:
            it = interface_terms[itf.tag]
            L, R = itf.left_block, itf.right_block
            m = self.interface_axis(it)
            sides = (("+", L), ("-", R))
            UU = [(u[b][0](r), ufl.inner(m, _mu(u[b])(r))) for r, b in sides]
            WW = [(w[b][0](r), ufl.inner(m, _mu(w[b])(r))) for r, b in sides]
            for (ti, tj), expr in robin_terms(it.Y, UU[0], WW[0], UU[1], WW[1]).items():
                add((L, R)[ti], (L, R)[tj], expr * scale.area * dS(itf.tag))
            if isinstance(it.law, MixingConductance):
                # transverse spin current absorbed at the interface, normal-metal side only
                r, b = sides[1] if it.magnet_side == "L" else sides[0]
                jout = absorbed(it.G_r, it.G_i, m, _mu(u[b])(r))
                add(b, b, -0.5 * ufl.inner(jout, _mu(w[b])(r)) * scale.area * dS(itf.tag))
            else:
                Y = it.Y
                mus = [_perp(m, _mu(u[b])(r)) for r, b in sides]
                qs = [_mu(w[b])(r) for r, b in sides]
                for ti in (0, 1):
                    for tj in (0, 1):
                        expr = Y[2 * ti + 1, 2 * tj + 1] * ufl.inner(mus[tj], qs[ti])
                        add(sides[ti][1], sides[tj][1], expr * scale.area * dS(itf.tag))
        self.insulators = self._insulator_terms(insulators)
        ds = self.ds()
        for ins in self.insulators:
            for b, sid in ins.ids.items():
                jout = absorbed(ins.G_r, ins.G_i, ins.m, _mu(u[b]))
                add(b, b, -0.5 * ufl.inner(jout, _mu(w[b])) * scale.area * ds(sid))
        self._zero = [fem.Constant(b.mesh, np.zeros(NCOMP)) for b in blocks]
        rhs = [ufl.inner(self._zero[i], w[i]) * ufl.dx(domain=blocks[i].mesh) for i in range(n)]
        self.emaps = layout.entity_maps()
        if n == 1:
            self.a = fem.form(full[0][0])
            self.L = fem.form(rhs[0])
        else:
            self.a = fem.form(full, entity_maps=self.emaps)
            self.L = fem.form(rhs)
        self.offsets = np.cumsum(
            [0] + [V.dofmap.index_map.size_local * V.dofmap.index_map_bs for V in self.spaces]
        )

    # ------------------------------------------------------------------ geometry helpers
    def interface_axis(self, it: InterfaceTerm) -> Any:
        """Quantisation axis at an interface: m of the magnetic side (z if none)."""
        if it.magnet_side == "L":
            return self.coeffs.m("+")
        if it.magnet_side == "R":
            return self.coeffs.m("-")
        return ufl.as_vector([0.0, 0.0, 1.0])

    def _insulator_terms(self, insulators: dict[str, tuple[Any, Any, Any]]) -> list[InsulatorTerm]:
        lay = self.layout
        dm = lay.dmesh
        top = dm.mesh.topology
        fdim = dm.tdim - 1
        f2c = top.connectivity(fdim, fdim + 1)
        block_of_cell = np.full(
            top.index_map(dm.tdim).size_local + top.index_map(dm.tdim).num_ghosts,
            -1,
            dtype=np.int32,
        )
        block_of_cell[lay.block_tags.indices] = lay.block_tags.values
        out, ents, vals = [], [], []
        sid = 1
        for name, (G_r, G_i, m) in insulators.items():
            facets = dm.facets(name, what="magnetic-insulator boundary")
            ids = {}
            blk = np.array([block_of_cell[f2c.links(f)[0]] for f in facets], dtype=np.int32)
            for b in range(self.nblocks):
                ids[b] = sid
                sel = facets[blk == b]
                ents.append(sel)
                vals.append(np.full(sel.size, sid, dtype=np.int32))
                sid += 1
            out.append(InsulatorTerm(name, G_r, G_i, m, ids))
        if ents:
            e = np.concatenate(ents).astype(np.int32)
            v = np.concatenate(vals)
            order = np.argsort(e)
            self.insulator_tags = dmesh_mod.meshtags(dm.mesh, fdim, e[order], v[order])
        else:
            self.insulator_tags = None
        return out

    def ds(self) -> Any:
        """The boundary measure of magnetic-insulator facets (one id per group and block)."""
        return ufl.Measure("ds", domain=self.layout.dmesh.mesh, subdomain_data=self.insulator_tags)

    @property
    def num_unknowns(self) -> int:
        return int(sum(V.dofmap.index_map.size_global * V.dofmap.index_map_bs for V in self.spaces))

    # ------------------------------------------------------------------ dofs
    def vertex_dofs(self, block: int, vertices: np.ndarray, component: int) -> np.ndarray:
        """Unrolled dof indices (node*4 + component) of block vertices."""
        nodes = self.v2d[block][vertices]
        return (NCOMP * nodes[nodes >= 0] + component).astype(np.int32)

    def integrate(self, expr: Any, measure: Any) -> float:
        """Collective integral of a UFL expression over a parent-mesh measure."""
        from mpi4py import MPI

        kw = {} if self.emaps is None else {"entity_maps": self.emaps}
        form = fem.form(expr * measure, **kw)
        return self.layout.dmesh.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
