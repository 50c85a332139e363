"""The non-collinear (vector) spin-transport problem: validate, sum terms, solve, observe.

Same contact handling as :class:`~spinfem.problem.TwoCurrentProblem` (superposition of
unit-voltage basis solutions, consistent reaction fluxes, a small dense solve for
prescribed currents), on the non-symmetric operator of
:mod:`spinfem.physics.vector_spin` (LU or GMRES). Forms are compiled on the first
:meth:`VectorSpinProblem.solve`; :meth:`~VectorSpinProblem.set_magnetization` and
:meth:`~VectorSpinProblem.set_field` only change Function/Constant values, so angle and
field sweeps re-assemble without re-compiling.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from dolfinx import fem
from dolfinx import mesh as dmesh_mod
from mpi4py import MPI

from spinfem.checks import check_problem
from spinfem.contacts import Contact
from spinfem.errors import ContactError, InputError, MaterialError, MeshError
from spinfem.fields import piecewise_constant
from spinfem.interfaces import InterfaceLaw, Transparent
from spinfem.layout import Layout, build_layout
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh
from spinfem.mixing import MagneticInsulator, MixingConductance, unit_vector
from spinfem.parallel import did_you_mean, global_sum, raise_collective
from spinfem.physics import vector_spin
from spinfem.physics.scale import Scale
from spinfem.problem import (
    contact_voltages,
    surface_area,
    unit_voltage_basis,
    validate_contacts,
    validate_materials,
)
from spinfem.solution import ContactResult
from spinfem.solvers import LinearSolver, PreconditionerReuse, SolverSettings
from spinfem.vector_solution import VectorSolution
from spinfem.vector_system import NCOMP, InterfaceTerm, VectorSystem

__all__ = ["LARMOR_RAD_PER_S_T", "VectorSpinProblem"]

log = logging.getLogger("spinfem")

#: |g_e| mu_B / hbar [rad/(s T)] (CODATA 2018: g_e = -2.00231930436, mu_B/hbar)
LARMOR_RAD_PER_S_T = 2.00231930436 * 9.2740100783e-24 / 1.054571817e-34

#: The nodal unknowns (V, mu_x, mu_y, mu_z) as split by the iterative solver: block
#: symmetric Gauss-Seidel over V and mu_vec, BoomerAMG on each (solvers.split_options).
SOLVER_SPLITS = ((0,), (1, 2, 3))


def _is_magnet(mat: Material) -> bool:
    return mat.P != 0 or mat.lambda_J is not None or mat.lambda_phi is not None


class VectorSpinProblem:
    """Steady non-collinear spin drift-diffusion (MODEL.md section 3).

    Args:
        mesh: the device.
        materials: region name -> Material (every region).
        contacts: at least two contacts (mu = 0 there), one with a prescribed voltage.
        magnetization: region -> unit 3-vector, callable x -> (3, N) array (x of shape
            (3, N) in mesh units, evaluated at cell midpoints), or a dolfinx Function on the
            device mesh. Every region with P != 0, lambda_J or lambda_phi needs one. Vectors
            are normalised; |m| = 0 is an error. A magnetic-insulator boundary name may be
            given too (3-vector; overrides the law's m).
        interfaces: interface name -> law (see :mod:`spinfem.interfaces`,
            :class:`~spinfem.mixing.MixingConductance`).
        default_interface: law of all other interfaces (default transparent).
        boundaries: facet group -> :class:`~spinfem.mixing.MagneticInsulator`.
        field_T: applied magnetic flux density B [T], uniform 3-vector (Hanle).
        solver: linear-solver settings (default: LU up to 60 000 unknowns on 1D/2D meshes
            and 30 000 in 3D, ``solvers.AUTO_DIRECT_MAX_DOFS_WIDE``; above that
            GMRES + systems BoomerAMG on the blocked (bs = 4) operator: 6-9 iterations
            at rtol 1e-8 from 20k to 1M unknowns, docs/performance.md).
    """

    def __init__(
        self,
        mesh: DeviceMesh,
        materials: Mapping[str, Material],
        contacts: Sequence[Contact],
        magnetization: Mapping[str, Any] | None = None,
        interfaces: Mapping[str, InterfaceLaw] | None = None,
        default_interface: InterfaceLaw | None = None,
        boundaries: Mapping[str, Any] | None = None,
        field_T: Sequence[float] | None = None,
        solver: SolverSettings | None = None,
    ) -> None:
        self.mesh = mesh
        self.materials = dict(materials)
        self.contacts = tuple(contacts)
        self.interfaces = dict(interfaces or {})
        self.default_interface = default_interface or Transparent()
        self.boundaries = dict(boundaries or {})
        self.settings = solver or SolverSettings()
        validate_materials(mesh, self.materials)
        validate_contacts(mesh, self.contacts)
        check_problem(mesh, self.materials, self.contacts)  # shorts, floating regions
        magnetization = dict(magnetization or {})
        for name in magnetization:
            if name not in self.boundaries:  # an insulator boundary's m may be given here too
                mesh.region_tag(name, what="region in 'magnetization'")
        missing = sorted(
            r for r, mat in self.materials.items() if _is_magnet(mat) and r not in magnetization
        )
        if missing:
            raise MaterialError(
                f"region(s) {missing} are ferromagnetic (P != 0, lambda_J or lambda_phi) but "
                "have no 'magnetization' (a unit 3-vector)"
            )
        self._validate_boundaries()
        self._m = fem.Function(fem.functionspace(mesh.mesh, ("DG", 0, (3,))), name="m")
        self._m.x.array[:] = np.tile([0.0, 0.0, 1.0], self._m.x.array.size // 3)
        self.magnetization: dict[str, Any] = {}
        for region, value in magnetization.items():
            self.set_magnetization(region, value)
        self._omega = fem.Constant(mesh.mesh, np.zeros(3))
        self.field_T = np.zeros(3)
        self._has_larmor = any(m.tau_sf is not None for m in self.materials.values())
        self.set_field(field_T if field_T is not None else (0.0, 0.0, 0.0))
        self._compiled: dict[str, Any] | None = None

    # ------------------------------------------------------------------ inputs
    def _validate_boundaries(self) -> None:
        m = self.mesh
        topo = m.mesh.topology
        exterior = dmesh_mod.exterior_facet_indices(topo)
        nown = topo.index_map(m.tdim - 1).size_local
        contact_facets = [m.facets(c.name) for c in self.contacts]
        message = None
        for name, law in self.boundaries.items():
            m.boundary_tag(name, what="magnetic-insulator boundary")
            if not isinstance(law, MagneticInsulator):
                raise InputError(
                    f"boundary '{name}': expected a MagneticInsulator(G_r [S/m^2], G_i [S/m^2], "
                    f"m), got {law!r}"
                )
            facets = m.facets(name)
            owned = facets[facets < nown]
            inner = global_sum(m.comm, int(np.setdiff1d(owned, exterior).size))
            shared = global_sum(
                m.comm, int(sum(np.intersect1d(owned, cf).size for cf in contact_facets))
            )
            if inner and message is None:
                message = f"boundary '{name}' has {inner} facets inside the device"
            if shared and message is None:
                message = f"boundary '{name}' shares facets with a contact"
        raise_collective(m.comm, message, MeshError)
        self._insulator_m = {
            name: fem.Constant(m.mesh, np.asarray(law.m, dtype=float))
            for name, law in self.boundaries.items()
        }

    def set_magnetization(self, region: str, m: Any) -> None:
        """Set the magnetization of a region (unit 3-vector, callable or Function) or of a
        magnetic-insulator boundary (3-vector). Only values change: no re-compilation."""
        if region in self.boundaries and region not in self.mesh.regions:
            self._insulator_m[region].value = unit_vector(f"boundary '{region}'", m)
            self.magnetization[region] = tuple(self._insulator_m[region].value)
            return
        if region not in self.mesh.regions:
            known = list(self.mesh.regions) + list(self.boundaries)
            raise MeshError(
                f"set_magnetization: unknown region '{region}'{did_you_mean(region, known)}; "
                f"regions: {sorted(self.mesh.regions)}, insulator boundaries: "
                f"{sorted(self.boundaries)}"
            )
        dm = self.mesh
        cells = dm.cells(region)
        space = self._m.function_space
        desc: Any = m  # callables and Functions are kept as given (sweeps restore them)
        if callable(m) and not isinstance(m, fem.Function):
            mid = dmesh_mod.compute_midpoints(dm.mesh, dm.tdim, cells).T
            message = None
            try:
                vals = np.asarray(m(mid), dtype=float).reshape(3, cells.size).T
            except Exception as exc:  # a user callable: report it on every rank
                vals = np.zeros((0, 3))
                message = (
                    f"region '{region}': the magnetization callable must map x of shape "
                    f"(3, N) [mesh units] to an array of shape (3, N): {type(exc).__name__}: "
                    f"{exc}"
                )
            raise_collective(dm.comm, message, InputError)
        elif isinstance(m, fem.Function):
            if m.ufl_shape != (3,):
                raise InputError(
                    f"region '{region}': a magnetization Function must be a 3-vector field, "
                    f"got shape {m.ufl_shape}"
                )
            tmp = fem.Function(space)
            tmp.interpolate(m)
            vals = tmp.x.array.reshape(-1, 3)[space.dofmap.list[cells, 0]]
        else:
            vals = np.tile(unit_vector(f"region '{region}'", m), (cells.size, 1))
            desc = (
                tuple(float(v) for v in vals[0])
                if cells.size
                else tuple(unit_vector(f"region '{region}'", m))
            )
        norms = np.linalg.norm(vals, axis=1) if vals.size else np.zeros(0)
        bad = not np.all(np.isfinite(vals)) or bool(np.any(norms < 1e-12))
        raise_collective(
            dm.comm,
            f"region '{region}': magnetization has |m| = 0 or non-finite values" if bad else None,
            InputError,
        )
        arr = self._m.x.array.reshape(-1, 3)
        if cells.size:
            arr[space.dofmap.list[cells, 0]] = vals / norms[:, None]
        self._m.x.scatter_forward()
        self.magnetization[region] = desc

    def set_field(self, field_T: Sequence[float]) -> None:
        """Set the applied magnetic flux density B [T] (uniform 3-vector)."""
        try:
            B = np.asarray(field_T, dtype=float).reshape(3)
        except (TypeError, ValueError) as exc:
            raise InputError(f"'field_T' [T] must be a 3-vector, got {field_T!r}") from exc
        if not np.all(np.isfinite(B)):
            raise InputError(f"'field_T' [T] must be finite, got {field_T!r}")
        if np.any(B != 0):
            lacking = sorted(
                r for r, mat in self.materials.items() if mat.tau_sf is None and mat.P == 0
            )
            if lacking:
                raise MaterialError(
                    f"B without tau_sf: an applied field 'field_T' [T] needs the spin "
                    f"relaxation time 'tau_sf' [s] of the non-magnetic region(s) {lacking}"
                )
        self.field_T = B
        self._omega.value = LARMOR_RAD_PER_S_T * B

    # ------------------------------------------------------------------ assembly
    def _coefficients(self) -> vector_spin.VectorCoefficients:
        dm = self.mesh
        mats = self.materials

        def field(fn: Any, name: str) -> Any:
            return piecewise_constant(dm, {r: fn(mat) for r, mat in mats.items()}, name)

        def inv2(x: float | None) -> float:
            return 0.0 if x is None else 1.0 / x**2

        return vector_spin.VectorCoefficients(
            sigma=field(lambda t: t.sigma, "sigma_S_per_m"),
            sigma_p=field(lambda t: t.sigma * t.P, "sigmaP_S_per_m"),
            g_sf=field(lambda t: t.g_sf, "g_sf_S_per_m3"),
            m=self._m,
            exchange=field(lambda t: t.sigma / 4 * inv2(t.lambda_J), "exchange_S_per_m3"),
            dephasing=field(lambda t: t.sigma / 4 * inv2(t.lambda_phi), "dephasing_S_per_m3"),
            larmor=field(
                lambda t: 0.0 if t.tau_sf is None else t.sigma * t.tau_sf / (4 * t.l_sf**2),
                "larmor_S_s_per_m3",
            ),
            omega=self._omega,
            theta_sigma=field(lambda t: t.theta_sh * t.sigma, "theta_sigma_S_per_m"),
        )

    def _interface_terms(self, layout: Layout) -> dict[int, InterfaceTerm]:
        out = {}
        for itf in layout.interfaces:
            magnets = [s for s, r in (("L", itf.left), ("R", itf.right)) if r in self.magnetization]
            side = magnets[0] if magnets else None
            law = itf.law
            if isinstance(law, MixingConductance) and len(magnets) != 1:
                raise InputError(
                    f"interface '{itf.name}': a MixingConductance needs exactly one side with a "
                    f"magnetization (F/N interface), found {len(magnets)}"
                )
            G_r = getattr(law, "G_r", 0.0)
            G_i = getattr(law, "G_i", 0.0)
            Y = np.asarray(law.admittance(), dtype=float)
            mesh = self.mesh.mesh
            out[itf.tag] = InterfaceTerm(
                law,
                side,
                fem.Constant(mesh, Y),
                fem.Constant(mesh, np.float64(G_r)),
                fem.Constant(mesh, np.float64(G_i)),
            )
        return out

    def _compile(self) -> dict[str, Any]:
        if self._compiled is not None:
            return self._compiled
        dm = self.mesh
        layout = build_layout(dm, self.interfaces, self.default_interface)
        coeffs = self._coefficients()
        scale = Scale.of(dm)
        terms = {"exchange", "dephasing"} & {
            k
            for mat in self.materials.values()
            for k, v in (("exchange", mat.lambda_J), ("dephasing", mat.lambda_phi))
            if v is not None
        }
        if self._has_larmor:
            terms.add("larmor")
        insulators = {
            name: (
                fem.Constant(dm.mesh, np.float64(law.G_r)),
                fem.Constant(dm.mesh, np.float64(law.G_i)),
                self._insulator_m[name],
            )
            for name, law in self.boundaries.items()
        }
        system = VectorSystem(
            layout, coeffs, scale, self._interface_terms(layout), insulators, frozenset(terms)
        )
        values, bcs, positions = [], [], []
        for c in self.contacts:
            facets = dm.facets(c.name, what="contact")
            val = fem.Constant(dm.mesh, np.float64(0.0))
            values.append(val)
            pos = [np.zeros(0, dtype=np.int32) for _ in range(NCOMP)]
            for blk in range(system.nblocks):
                verts = layout.block_vertices_of_facets(blk, facets, side_cells=True)
                if global_sum(dm.comm, verts.size) == 0:
                    continue
                space = system.spaces[blk]
                for comp in range(NCOMP):
                    dofs = system.vertex_dofs(blk, verts, comp)
                    bcval = val if comp == 0 else np.float64(0.0)
                    bcs.append(fem.dirichletbc(bcval, dofs, space.sub(comp)))
                    pos[comp] = np.concatenate([pos[comp], system.owned_monolithic(blk, dofs)])
            positions.append([np.unique(p) for p in pos])
        areas = [surface_area(dm, c.name, scale) for c in self.contacts]
        self._compiled = dict(
            layout=layout,
            coeffs=coeffs,
            scale=scale,
            system=system,
            values=values,
            bcs=bcs,
            positions=positions,
            areas=areas,
        )
        return self._compiled

    # ------------------------------------------------------------------ solve
    def solve(self, reuse: PreconditionerReuse | None = None) -> VectorSolution:
        """Solve for every contact configuration; return fields and observables.
        ``reuse`` (sweeps): keep the previous solve's preconditioner while it still
        converges in a few iterations (:class:`~spinfem.solvers.PreconditionerReuse`)."""
        if np.any(self.field_T != 0) and not self._has_larmor:
            raise MaterialError("B without tau_sf: no material has 'tau_sf' [s]")
        c = self._compile()
        system, bcs, values, positions = c["system"], c["bcs"], c["values"], c["positions"]
        comm = self.mesh.comm
        A, A0 = system.operators(positions)  # one assembly for both

        def make(M: Any) -> LinearSolver:
            return LinearSolver(
                M, self.settings, symmetric=False, tdim=self.mesh.tdim, splits=SOLVER_SPLITS
            )

        solver = reuse.solver_for(A, make) if reuse is not None else make(A)
        log.info(
            "vector spin problem: %d unknowns, %d block(s), %d resistive interface(s), "
            "%d contacts, %d insulator boundary(ies)",
            system.num_unknowns,
            system.nblocks,
            len(c["layout"].interfaces),
            len(self.contacts),
            len(self.boundaries),
        )
        r = A0.createVecLeft()

        def reactions(x: Any) -> np.ndarray:
            """(4, ncontacts): charge current [A] and spin-current vector [A] entering."""
            A0.mult(x, r)
            arr = r.getArray(readonly=True)
            rows = [[arr[p[0]].sum() for p in positions]]
            for comp in range(1, NCOMP):
                rows.append([-2.0 * arr[p[comp]].sum() for p in positions])
            return comm.allreduce(np.array(rows), op=MPI.SUM)

        ref = next(i for i, ct in enumerate(self.contacts) if ct.is_voltage)
        n = len(self.contacts)
        basis = unit_voltage_basis(self.contacts, values, system, bcs, solver)
        G = np.zeros((NCOMP, n, n))
        for k, x in basis.items():
            G[:, :, k] = reactions(x)
        G[:, :, ref] = -G.sum(axis=2)
        iterations = solver.last_iterations
        if reuse is None:
            solver.destroy()
        A.destroy()
        volts = contact_voltages(self.contacts, G[0])
        V_ref = volts[ref]
        x = A0.createVecRight()
        arr = x.getArray()
        arr[:] = 0.0
        arr[0::NCOMP] = V_ref  # blocks hold multiples of 4 entries
        for k, xk in basis.items():
            x.axpy(volts[k] - V_ref, xk)
            xk.destroy()
        funcs = system.split(x, name="V_mu_s")
        x.destroy()
        A0.destroy()
        r.destroy()
        currents = G[0] @ volts
        spin = np.stack([G[a] @ volts for a in range(1, NCOMP)], axis=1)
        results = tuple(
            ContactResult(
                name=ct.name,
                voltage_V=float(volts[i]),
                current_A=float(currents[i]),
                spin_current_A=float(spin[i][2]),  # z; full vector in spin_currents_A
                area_m2=c["areas"][i],
            )
            for i, ct in enumerate(self.contacts)
        )
        if not all(math.isfinite(v) for v in currents):
            raise ContactError("non-finite contact currents")
        return VectorSolution(
            mesh=self.mesh,
            layout=c["layout"],
            system=system,
            blocks_u=tuple(funcs),
            contacts=results,
            spin_currents_A={ct.name: spin[i].copy() for i, ct in enumerate(self.contacts)},
            conductance_S=G[0].copy(),
            materials=self.materials,
            magnetization=dict(self.magnetization),
            field_T=tuple(float(b) for b in self.field_T),
            insulators=dict(self.boundaries),
            iterations=iterations,
        )
