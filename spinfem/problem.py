"""The collinear spin-transport problem: validate inputs, sum physics terms, solve, observe.

Contacts are handled by superposition. The operator is assembled once with every
contact's (V, mu_s) as Dirichlet unknowns; for each contact k but a reference one,
a basis solution u_k (V = 1 on k, 0 on the other contacts, mu_s = 0 on all) is
computed with the same factorisation/preconditioner. Contact currents of u_k are
consistent reaction fluxes (exactly conservative), giving the conductance matrix
G [S]. Prescribed voltages and currents are then met by a small dense solve, and the
field is the linear combination of basis solutions: no further PDE solve.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh_mod
from mpi4py import MPI

from spinfem.checks import check_problem
from spinfem.contacts import Contact
from spinfem.errors import ContactError, MaterialError, MeshError
from spinfem.fields import piecewise_constant
from spinfem.interfaces import InterfaceLaw, Transparent
from spinfem.layout import build_layout
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh
from spinfem.parallel import did_you_mean, global_sum, raise_collective
from spinfem.physics import two_current
from spinfem.physics.scale import Scale
from spinfem.solution import ContactResult, Solution
from spinfem.solvers import LinearSolver, SolverSettings
from spinfem.system import BlockSystem

__all__ = [
    "TwoCurrentProblem",
    "contact_voltages",
    "surface_area",
    "validate_contacts",
    "validate_materials",
]

log = logging.getLogger("spinfem")


def _polarity(region: str, value: Any) -> float:
    """+1/-1 from a collinear magnetization given as +/-1 or a unit vector along +/-z."""
    try:
        arr = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        arr = np.zeros(0)
    if arr.size == 1 and abs(abs(arr[0]) - 1) < 1e-12:
        return float(np.sign(arr[0]))
    if arr.size == 3 and np.allclose(np.abs(arr), [0, 0, 1]):
        return float(np.sign(arr[2]))
    raise MaterialError(
        f"region '{region}': collinear 'magnetization' must be +1, -1 or (0, 0, +/-1), got "
        f"{value!r} (non-collinear directions need the vector spin model)"
    )


class TwoCurrentProblem:
    """Steady collinear two-current drift-diffusion on a device (MODEL.md section 1).

    Args:
        mesh: the device.
        materials: region name -> Material; every region needs one.
        contacts: at least two contacts, at least one with a prescribed voltage.
        magnetization: region name -> +1 or -1 (direction of m along the quantisation
            axis; flips the sign of P). Regions not listed have +1.
        interfaces: interface name (facet group, or region pair "A|B") -> law.
        default_interface: law of every other interface between regions (default
            :class:`~spinfem.interfaces.Transparent`).
        solver: linear-solver settings.
    """

    def __init__(
        self,
        mesh: DeviceMesh,
        materials: Mapping[str, Material],
        contacts: Sequence[Contact],
        magnetization: Mapping[str, Any] | None = None,
        interfaces: Mapping[str, InterfaceLaw] | None = None,
        default_interface: InterfaceLaw | None = None,
        solver: SolverSettings | None = None,
    ) -> None:
        self.mesh = mesh
        self.materials = dict(materials)
        self.contacts = tuple(contacts)
        self.magnetization = dict(magnetization or {})
        self.interfaces = dict(interfaces or {})
        self.default_interface = default_interface or Transparent()
        self.settings = solver or SolverSettings()
        self._validate()

    # ------------------------------------------------------------------ validation
    def _validate(self) -> None:
        validate_materials(self.mesh, self.materials)
        for name, value in self.magnetization.items():
            self.mesh.region_tag(name, what="region in 'magnetization'")
            _polarity(name, value)
        validate_contacts(self.mesh, self.contacts)
        check_problem(self.mesh, self.materials, self.contacts)  # shorts, floating regions

    # ------------------------------------------------------------------ assembly
    def _coefficients(self) -> two_current.Coefficients:
        sig, sig_p, gsf = {}, {}, {}
        for region, mat in self.materials.items():
            pol = _polarity(region, self.magnetization.get(region, 1.0))
            sig[region] = mat.sigma
            sig_p[region] = mat.sigma * mat.P * pol
            gsf[region] = mat.g_sf
        m = self.mesh
        return two_current.Coefficients(
            sigma=piecewise_constant(m, sig, "sigma_S_per_m"),
            sigma_p=piecewise_constant(m, sig_p, "sigmaP_S_per_m"),
            g_sf=piecewise_constant(m, gsf, "g_sf_S_per_m3"),
        )

    def solve(self) -> Solution:
        """Solve for every contact configuration; return fields and observables."""
        m = self.mesh
        layout = build_layout(m, self.interfaces, self.default_interface)
        coeffs = self._coefficients()
        scale = Scale.of(m)
        system = BlockSystem(layout, coeffs, scale, self._effective_laws(layout))
        values, bcs, positions = self._contact_conditions(system, layout)
        A, A0 = system.operators(positions)  # one assembly for both
        solver = LinearSolver(A, self.settings, symmetric=True, tdim=m.tdim)
        log.info(
            "two-current problem: %d unknowns, %d block(s), %d resistive interface(s), %d contacts",
            system.num_unknowns,
            system.nblocks,
            len(layout.interfaces),
            len(self.contacts),
        )
        r = A0.createVecLeft()

        def reactions(x: Any) -> tuple[np.ndarray, np.ndarray]:
            """Charge and spin current [A] entering the device through each contact."""
            A0.mult(x, r)
            arr = r.getArray(readonly=True)
            ic = [arr[p[0]].sum() for p in positions]
            isp = [-2.0 * arr[p[1]].sum() for p in positions]
            both = m.comm.allreduce(np.array([ic, isp]), op=MPI.SUM)
            return both[0], both[1]

        ref = next(i for i, c in enumerate(self.contacts) if c.is_voltage)
        n = len(self.contacts)
        basis = unit_voltage_basis(self.contacts, values, system, bcs, solver)
        G = np.zeros((n, n))
        G_spin = np.zeros((n, n))
        for k, x in basis.items():
            G[:, k], G_spin[:, k] = reactions(x)
        G[:, ref] = -G.sum(axis=1)
        G_spin[:, ref] = -G_spin.sum(axis=1)
        iterations = solver.last_iterations
        solver.destroy()
        A.destroy()

        volts = self._contact_voltages(G)
        V_ref = volts[ref]
        x = A0.createVecRight()
        arr = x.getArray()
        arr[:] = 0.0
        arr[0::2] = V_ref  # the uniform state V = V_ref, mu_s = 0 (blocks hold even sizes) ...
        for k, xk in basis.items():  # ... plus the driven differences
            x.axpy(volts[k] - V_ref, xk)
            xk.destroy()
        funcs = system.split(x, name="V_mu_s")
        interfaces = system.interface_scalars(funcs)
        for name, sides in system.side_fluxes(funcs).items():
            interfaces[name]["from_bulk"] = sides
        x.destroy()
        A0.destroy()
        currents = G @ volts
        spin_currents = G_spin @ volts
        results = tuple(
            ContactResult(
                name=c.name,
                voltage_V=float(volts[i]),
                current_A=float(currents[i]),
                spin_current_A=float(spin_currents[i]),
                area_m2=self._area(c.name, scale),
            )
            for i, c in enumerate(self.contacts)
        )
        return Solution(
            mesh=m,
            layout=layout,
            blocks_u=tuple(funcs),
            coefficients=coeffs,
            contacts=results,
            conductance_S=G,
            materials=self.materials,
            magnetization={r: _polarity(r, self.magnetization.get(r, 1.0)) for r in m.regions},
            interfaces=interfaces,
            iterations=iterations,
        )

    def _contact_conditions(
        self, system: BlockSystem, layout: Any
    ) -> tuple[list[Any], list[Any], list[list[np.ndarray]]]:
        """Per contact: its voltage Constant [V], the Dirichlet conditions (V, mu_s = 0)
        of every block it touches, and the owned monolithic positions of those (V, mu_s)
        dofs (reaction currents, identity rows of the operator)."""
        m = self.mesh
        values, bcs = [], []
        positions: list[list[np.ndarray]] = []
        for c in self.contacts:
            facets = m.facets(c.name, what="contact")
            val = fem.Constant(m.mesh, np.float64(0.0))
            values.append(val)
            pos = [np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)]
            for blk in range(system.nblocks):
                verts = layout.block_vertices_of_facets(blk, facets, side_cells=True)
                if global_sum(m.comm, verts.size) == 0:
                    continue
                space = system.spaces[blk]
                dv = system.vertex_dofs(blk, verts, 0)
                dm = system.vertex_dofs(blk, verts, 1)
                bcs += [
                    fem.dirichletbc(val, dv, space.sub(0)),
                    fem.dirichletbc(np.float64(0.0), dm, space.sub(1)),
                ]
                pos[0] = np.concatenate([pos[0], system.owned_monolithic(blk, dv)])
                pos[1] = np.concatenate([pos[1], system.owned_monolithic(blk, dm)])
            positions.append([np.unique(p) for p in pos])
        return values, bcs, positions

    def _effective_laws(self, layout: Any) -> dict[int, InterfaceLaw]:
        """Laws in the global frame: flipped where the adjacent ferromagnet has m = -1."""
        out = {}
        for itf in layout.interfaces:
            side = next((r for r in (itf.left, itf.right) if self.materials[r].P != 0), None)
            pol = _polarity(side, self.magnetization.get(side, 1.0)) if side else 1.0
            out[itf.tag] = itf.law.flipped() if pol < 0 else itf.law
        return out

    def _contact_voltages(self, G: np.ndarray) -> np.ndarray:
        """Voltages of all contacts [V] from the prescribed voltages and currents."""
        return contact_voltages(self.contacts, G)

    def _area(self, name: str, scale: Scale) -> float:
        """Area of a contact surface [m^2] (2D: length x depth)."""
        return surface_area(self.mesh, name, scale)


def validate_materials(m: DeviceMesh, materials: Mapping[str, Material]) -> None:
    """Every region has a Material and every named region exists (shared by the models)."""
    for name, mat in materials.items():
        if name not in m.regions:
            raise MeshError(
                f"materials: unknown region '{name}'{did_you_mean(name, m.regions)}; "
                f"regions of the mesh: {sorted(m.regions)}"
            )
        if not isinstance(mat, Material):
            raise MaterialError(f"region '{name}': expected a Material, got {mat!r}")
    missing = sorted(set(m.regions) - set(materials))
    if missing:
        raise MaterialError(f"region(s) without material: {missing}")


def validate_contacts(m: DeviceMesh, contacts: Sequence[Contact]) -> None:
    """Contacts: at least two, unique, one voltage, on the outer boundary, not shorted.
    Collective (shared by the models)."""
    if len(contacts) < 2:
        raise ContactError(f"need at least two contacts for a current to flow, got {len(contacts)}")
    names = [c.name for c in contacts]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ContactError(f"contact(s) given twice: {dupes}")
    if not any(c.is_voltage for c in contacts):
        raise ContactError(
            "no contact has a prescribed 'voltage' [V]: the potential is floating; "
            "ground one contact (voltage = 0)"
        )
    for c in contacts:
        m.boundary_tag(c.name, what="contact")
    # Contacts must lie on the outer boundary and must not share facets.
    topo = m.mesh.topology
    topo.create_connectivity(m.tdim - 1, m.tdim)
    exterior = dmesh_mod.exterior_facet_indices(topo)
    nown = topo.index_map(m.tdim - 1).size_local
    seen: dict[int, str] = {}
    message = None
    for c in contacts:
        facets = m.facets(c.name, what="contact")
        owned = facets[facets < nown]
        inner = global_sum(m.comm, int(np.setdiff1d(owned, exterior).size))
        if inner and message is None:
            message = (
                f"contact '{c.name}' has {inner} facets inside the device: a contact "
                "must be on the outer boundary"
            )
        for f in owned:
            other = seen.setdefault(int(f), c.name)
            if other != c.name and message is None:
                message = f"contacts '{other}' and '{c.name}' share facets (shorted contacts)"
    raise_collective(m.comm, message, ContactError)


def unit_voltage_basis(
    contacts: Sequence[Contact], values: Sequence[Any], system: Any, bcs: list[Any], solver: Any
) -> dict[int, Any]:
    """Basis solutions [PETSc Vec] for a unit voltage on each contact but the reference
    (the first voltage contact), all others at 0: ``values`` are the contacts' Dirichlet
    Constants, ``system.rhs(bcs)`` assembles the right-hand side, ``solver`` reuses one
    factorisation/preconditioner for all of them (shared by the models)."""
    ref = next(i for i, c in enumerate(contacts) if c.is_voltage)
    basis: dict[int, Any] = {}
    for k in range(len(contacts)):
        if k == ref:
            continue
        for i, val in enumerate(values):
            val.value = 1.0 if i == k else 0.0
        b = system.rhs(bcs)
        x = solver.ksp.getOperators()[0].createVecRight()
        solver.solve(b, x, what=f"unit voltage on contact '{contacts[k].name}'")
        b.destroy()
        basis[k] = x
    return basis


def contact_voltages(contacts: Sequence[Contact], G: np.ndarray) -> np.ndarray:
    """Voltages of all contacts [V] from the prescribed voltages and currents [A] and the
    conductance matrix G [S]."""
    n = len(contacts)
    fixed = [i for i, c in enumerate(contacts) if c.is_voltage]
    free = [i for i in range(n) if i not in fixed]
    volts = np.zeros(n)
    for i in fixed:
        volts[i] = float(contacts[i].voltage)  # type: ignore[arg-type]
    if free:
        currents = np.array([float(contacts[i].current) for i in free])  # type: ignore[arg-type]
        Gff = G[np.ix_(free, free)]
        rhs = currents - G[np.ix_(free, fixed)] @ volts[fixed]
        try:
            volts[free] = np.linalg.solve(Gff, rhs)
        except np.linalg.LinAlgError as exc:
            raise ContactError(
                "current-driven contacts are not connected to a voltage contact"
            ) from exc
    return volts


def surface_area(m: DeviceMesh, name: str, scale: Scale) -> float:
    """Area of a named surface [m^2] (2D: length x depth). Collective."""
    ds = ufl.Measure("ds", domain=m.mesh, subdomain_data=m.facet_tags)
    one = fem.form(scale.area * ds(m.boundary_tag(name)))
    return float(global_sum(m.comm, fem.assemble_scalar(one)))
