"""The discrete (V, mu_s) system of a layout: spaces, compiled forms, PETSc objects.

One blocked P1 space of shape (2,) per block. A single block on the parent mesh is
assembled as an ordinary form (PETSc keeps block size 2 for AMG); several blocks are
assembled as a block system whose interface couplings come from the interface laws.
Vectors use the monolithic layout: owned entries of block 0, then block 1, ...
"""

from __future__ import annotations

from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from spinfem import blockmatrix, compat
from spinfem.interfaces import interface_fluxes, robin_terms
from spinfem.layout import Layout
from spinfem.physics import two_current
from spinfem.physics.scale import Scale

__all__ = ["BlockAlgebra", "BlockSystem"]


def _vertex_to_dof(space: fem.FunctionSpace) -> np.ndarray:
    """Block vertex -> P1 node (local dof k of a cell sits at its local vertex k)."""
    msh = space.mesh
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim, 0)
    c2v = msh.topology.connectivity(tdim, 0).array.reshape(-1, tdim + 1)
    dofs = space.dofmap.list
    v2d = np.full(
        msh.topology.index_map(0).size_local + msh.topology.index_map(0).num_ghosts,
        -1,
        dtype=np.int32,
    )
    v2d[c2v.ravel()] = dofs[: c2v.shape[0]].ravel()
    return v2d


class BlockAlgebra:
    """The PETSc side shared by the models' systems: monolithic layout, matrices,
    right-hand sides and block functions. Subclasses set ``ncomp`` (unknowns per node)
    and the attributes ``a``, ``L``, ``spaces``, ``offsets``, ``nblocks``."""

    ncomp = 2
    a: Any
    L: Any
    spaces: list[Any]
    offsets: list[int]
    nblocks: int
    layout: Layout

    def owned_monolithic(self, block: int, dofs: np.ndarray) -> np.ndarray:
        """Positions in the local (owned) part of a monolithic vector."""
        nown = self.offsets[block + 1] - self.offsets[block]
        return self.offsets[block] + dofs[dofs < nown]

    # ------------------------------------------------------------------ PETSc
    def matrix(self, bcs: list[Any]) -> Any:
        """A freshly assembled operator with Dirichlet rows/columns of ``bcs``; exact
        zeros removed (see below)."""
        if self.nblocks == 1:
            mat = compat.assemble_matrix(self.a, bcs)  # blocked space: bs = ncomp already
        else:
            if self.spaces[0].mesh.comm.size > 1 and compat.BLOCK_PATTERN_FROM_CELLS:
                # dolfinx's stacked sparsity pattern took half of the assembly on 2 ranks,
                # and the one-rank nest's per-block patterns serialise over the ranks
                couplings = self.layout.cell_couplings()
                mat = blockmatrix.create_block_matrix(self.spaces, couplings)
                compat.assemble_block_matrix_into(mat, self.a, bcs)
            else:
                mat = compat.assemble_block_matrix(self.a, bcs)
            # Every block holds whole nodes (ncomp unknowns each), so the monolithic rows
            # stay interlaced: declaring the block size lets BoomerAMG coarsen per unknown
            # (systems AMG); with block size 1 CG needs ~3x more iterations.
            mat.setBlockSize(self.ncomp)
        # The sparsity holds whole ncomp x ncomp nodal blocks, but most components do not
        # couple (normal metals: V and mu_s separate; zeroed Dirichlet columns; the block
        # assembly's padded interface couplings): 25-70 % of the entries are exact zeros.
        # Dropping them changes no value and halves setup and solve (docs/performance.md).
        # Every call assembles a new matrix, so no later assembly needs the dropped slots.
        # PETSc's "i-node" MatMult (rows with equal sparsity, e.g. V and mu_s in a magnet,
        # processed together) ran 1.5x slower per entry than the plain CSR kernel on
        # layered devices and no faster elsewhere: off before the zeros go (re-assembly).
        mat.setOption(PETSc.Mat.Option.USE_INODES, False)
        compat.eliminate_zeros(mat)
        return mat

    def operators(self, positions: list[list[np.ndarray]]) -> tuple[Any, Any]:
        """(A, A0) from one assembly: A0 without Dirichlet conditions (reaction fluxes),
        A with the rows and columns of ``positions`` (per contact and component, the
        owned monolithic positions of its Dirichlet dofs) made identity rows, which is
        what assembling with the conditions gives. A matrix assembly costs 5-20x a copy
        plus ``MatZeroRowsColumns`` (docs/performance.md)."""
        A0 = self.matrix([])
        A = A0.duplicate(copy=True)
        A.setOption(PETSc.Mat.Option.USE_INODES, False)
        start = A.getOwnershipRange()[0]
        rows = np.concatenate([np.concatenate(p) for p in positions]).astype(PETSc.IntType)
        A.zeroRowsColumns(rows + start, diag=1.0)
        compat.eliminate_zeros(A)  # the zeroed entries
        return A, A0

    def rhs(self, bcs: list[Any]) -> Any:
        if self.nblocks == 1:
            b = compat.create_vector(self.L)
            with b.localForm() as loc:
                loc.set(0.0)
            fem.petsc.assemble_vector(b, self.L)
            fem.petsc.apply_lifting(b, [self.a], bcs=[bcs])
            b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            fem.petsc.set_bc(b, bcs)
            return b
        return compat.assemble_block_vector(self.L, self.a, bcs)

    def split(self, x: Any, name: str = "u") -> list[fem.Function]:
        """Block functions from a monolithic solution vector (ghosts updated)."""
        arr = x.getArray(readonly=True)
        out = []
        for i, V in enumerate(self.spaces):
            f = fem.Function(V, name=f"{name}_{i}")
            n = self.offsets[i + 1] - self.offsets[i]
            f.x.array[:n] = arr[self.offsets[i] : self.offsets[i] + n]
            f.x.scatter_forward()
            out.append(f)
        return out


class BlockSystem(BlockAlgebra):
    """Forms and matrices of the collinear model on a :class:`Layout`."""

    def __init__(
        self,
        layout: Layout,
        coeffs: two_current.Coefficients,
        scale: Scale,
        laws: dict[int, Any] | None = None,
    ) -> None:
        """``laws``: interface tag -> effective law (default: each interface's own law)."""
        self.layout = layout
        self.scale = scale
        self.coeffs = coeffs
        blocks = layout.blocks
        self.nblocks = len(blocks)
        self.spaces = [fem.functionspace(b.mesh, ("Lagrange", 1, (2,))) for b in blocks]
        self.v2d = [_vertex_to_dof(V) for V in self.spaces]
        u = [ufl.TrialFunction(V) for V in self.spaces]
        w = [ufl.TestFunction(V) for V in self.spaces]
        n = self.nblocks
        full: list[list[Any]] = [[None] * n for _ in range(n)]
        for i in range(n):
            full[i][i] = two_current.bilinear_form(u[i], w[i], coeffs, scale, layout.dx(i))
        dS = layout.dS()
        self.admittances = {}
        for itf in layout.interfaces:
            law = (laws or {}).get(itf.tag, itf.law)
            Y = fem.Constant(layout.dmesh.mesh, np.asarray(law.admittance(), dtype=float))
            self.admittances[itf.tag] = Y
            L, R = itf.left_block, itf.right_block
            terms = robin_terms(
                Y,
                (u[L][0]("+"), u[L][1]("+")),
                (w[L][0]("+"), w[L][1]("+")),
                (u[R][0]("-"), u[R][1]("-")),
                (w[R][0]("-"), w[R][1]("-")),
            )
            for (ti, tj), expr in terms.items():
                bi, bj = (L, R)[ti], (L, R)[tj]
                term = expr * scale.area * dS(itf.tag)
                full[bi][bj] = term if full[bi][bj] is None else full[bi][bj] + term
        self._zero = [fem.Constant(b.mesh, np.zeros(2)) for b in blocks]
        rhs = [ufl.inner(self._zero[i], w[i]) * ufl.dx(domain=blocks[i].mesh) for i in range(n)]
        emaps = layout.entity_maps()
        if n == 1:
            self.a = fem.form(full[0][0])
            self.L = fem.form(rhs[0])
        else:
            self.a = fem.form(full, entity_maps=emaps)
            self.L = fem.form(rhs)
        self.offsets = np.cumsum(
            [0] + [V.dofmap.index_map.size_local * V.dofmap.index_map_bs for V in self.spaces]
        )

    @property
    def num_unknowns(self) -> int:
        return int(sum(V.dofmap.index_map.size_global * V.dofmap.index_map_bs for V in self.spaces))

    # ------------------------------------------------------------------ dofs
    def vertex_dofs(self, block: int, vertices: np.ndarray, component: int) -> np.ndarray:
        """Unrolled dof indices (node*2 + component) of block vertices."""
        nodes = self.v2d[block][vertices]
        return (2 * nodes[nodes >= 0] + component).astype(np.int32)

    # ------------------------------------------------------------------ interfaces
    def interface_scalars(self, funcs: list[fem.Function]) -> dict[str, dict[str, float]]:
        """Per interface: current [A], spin currents from L / into R [A], area [m^2],
        area-averaged jumps V_R - V_L [V], mu_R - mu_L [eV] and mu_s on each side [eV],
        from the law (collective)."""
        lay = self.layout
        if not lay.interfaces:
            return {}
        comm = lay.dmesh.comm
        dS = lay.dS()
        emaps = lay.entity_maps()
        out = {}
        for itf in lay.interfaces:
            uL, uR = funcs[itf.left_block], funcs[itf.right_block]
            UL, UR = (uL[0]("+"), uL[1]("+")), (uR[0]("-"), uR[1]("-"))
            J, jsl, jsr = interface_fluxes(self.admittances[itf.tag], UL, UR)
            one = fem.Constant(lay.dmesh.mesh, np.float64(1.0))
            exprs = {
                "current_A": J,
                "spin_current_from_left_A": jsl,
                "spin_current_into_right_A": jsr,
                "area_m2": one,
                "jump_V_integral": UR[0] - UL[0],
                "jump_mu_integral": UR[1] - UL[1],
                "mu_left_integral": UL[1],
                "mu_right_integral": UR[1],
            }
            vals = {}
            for key, expr in exprs.items():
                form = fem.form(expr * self.scale.area * dS(itf.tag), entity_maps=emaps)
                vals[key] = comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
            area = vals.pop("area_m2")
            out[itf.name] = {
                "left": itf.left,
                "right": itf.right,
                "law": itf.law.kind,
                "area_m2": area,
                "current_A": vals["current_A"],
                "spin_current_from_left_A": vals["spin_current_from_left_A"],
                "spin_current_into_right_A": vals["spin_current_into_right_A"],
                "jump_V_V": vals.pop("jump_V_integral") / area,
                "jump_mu_s_eV": vals.pop("jump_mu_integral") / area,
                "mu_s_left_eV": vals.pop("mu_left_integral") / area,
                "mu_s_right_eV": vals.pop("mu_right_integral") / area,
            }
            rec = out[itf.name]
            rec["spin_current_loss_A"] = (
                rec["spin_current_from_left_A"] - rec["spin_current_into_right_A"]
            )
            # (V_L - V_R) / (J / area): the interface's share of the device RA
            rec["resistance_area_ohm_m2"] = (
                -rec["jump_V_V"] * area / rec["current_A"] if rec["current_A"] else float("nan")
            )
        return out

    def side_fluxes(self, funcs: list[fem.Function]) -> dict[str, dict[str, float]]:
        """Interface currents from each side's bulk (consistent reaction fluxes) [A]: the
        bulk residual a_bulk(u_b; w) of the blocks ``funcs`` at their interface vertices,
        one vector assembly per block (collective)."""
        lay = self.layout
        if not lay.interfaces:
            return {}
        emaps = lay.entity_maps()
        residuals: dict[int, np.ndarray] = {}

        def residual(blk: int) -> np.ndarray:  # owned entries [A]
            if blk not in residuals:
                w = ufl.TestFunction(self.spaces[blk])
                bulk = two_current.bilinear_form(
                    funcs[blk], w, self.coeffs, self.scale, lay.dx(blk)
                )
                form = fem.form(bulk, entity_maps=emaps)
                vec = compat.create_vector(form)
                with vec.localForm() as loc:
                    loc.set(0.0)
                fem.petsc.assemble_vector(vec, form)
                vec.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
                residuals[blk] = vec.getArray(readonly=True).copy()
                vec.destroy()
            return residuals[blk]

        comm = lay.dmesh.comm
        out = {}
        for itf in lay.interfaces:
            sums = []
            for blk in (itf.left_block, itf.right_block):
                arr = residual(blk)
                verts = lay.block_vertices_of_facets(blk, itf.facets, side_cells=False)
                for comp in (0, 1):
                    dofs = np.unique(self.vertex_dofs(blk, verts, comp))
                    sums.append(arr[dofs[dofs < arr.size]].sum())
            s = comm.allreduce(np.array(sums), op=MPI.SUM)
            out[itf.name] = {
                "current_from_left_A": -s[0],
                "current_from_right_A": s[2],
                "spin_current_from_left_A": 2 * s[1],
                "spin_current_into_right_A": -2 * s[3],
            }
        return out
