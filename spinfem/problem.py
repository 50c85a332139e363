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
from petsc4py import PETSc

from spinfem import compat
from spinfem.contacts import Contact
from spinfem.errors import ContactError, MaterialError, MeshError
from spinfem.fields import piecewise_constant
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh
from spinfem.parallel import did_you_mean, global_sum, raise_collective
from spinfem.physics import two_current
from spinfem.physics.scale import Scale
from spinfem.solution import ContactResult, Solution
from spinfem.solvers import LinearSolver, SolverSettings

__all__ = ["TwoCurrentProblem"]

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
        solver: linear-solver settings.
    """

    def __init__(
        self,
        mesh: DeviceMesh,
        materials: Mapping[str, Material],
        contacts: Sequence[Contact],
        magnetization: Mapping[str, Any] | None = None,
        solver: SolverSettings | None = None,
    ) -> None:
        self.mesh = mesh
        self.materials = dict(materials)
        self.contacts = tuple(contacts)
        self.magnetization = dict(magnetization or {})
        self.settings = solver or SolverSettings()
        self._validate()

    # ------------------------------------------------------------------ validation
    def _validate(self) -> None:
        m = self.mesh
        for name, mat in self.materials.items():
            if name not in m.regions:
                raise MeshError(
                    f"materials: unknown region '{name}'{did_you_mean(name, m.regions)}; "
                    f"regions of the mesh: {sorted(m.regions)}"
                )
            if not isinstance(mat, Material):
                raise MaterialError(f"region '{name}': expected a Material, got {mat!r}")
        missing = sorted(set(m.regions) - set(self.materials))
        if missing:
            raise MaterialError(f"region(s) without material: {missing}")
        for name, value in self.magnetization.items():
            m.region_tag(name, what="region in 'magnetization'")
            _polarity(name, value)
        if len(self.contacts) < 2:
            raise ContactError(
                f"need at least two contacts for a current to flow, got {len(self.contacts)}"
            )
        names = [c.name for c in self.contacts]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ContactError(f"contact(s) given twice: {dupes}")
        if not any(c.is_voltage for c in self.contacts):
            raise ContactError(
                "no contact has a prescribed 'voltage' [V]: the potential is floating; "
                "ground one contact (voltage = 0)"
            )
        for c in self.contacts:
            m.boundary_tag(c.name, what="contact")
        # Contacts must lie on the outer boundary and must not share facets.
        topo = m.mesh.topology
        topo.create_connectivity(m.tdim - 1, m.tdim)
        exterior = dmesh_mod.exterior_facet_indices(topo)
        nown = topo.index_map(m.tdim - 1).size_local
        seen: dict[int, str] = {}
        message = None
        for c in self.contacts:
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
        """Solve for every contact configuration; return fields and contact observables."""
        m = self.mesh
        space = fem.functionspace(m.mesh, ("Lagrange", 1, (2,)))
        coeffs = self._coefficients()
        scale = Scale.of(m)
        u, w = ufl.TrialFunction(space), ufl.TestFunction(space)
        dx = ufl.Measure("dx", domain=m.mesh)
        a_ufl = two_current.bilinear_form(u, w, coeffs, scale, dx)
        zero = fem.Constant(m.mesh, np.zeros(2))
        a = fem.form(a_ufl)
        rhs = fem.form(ufl.inner(zero, w) * dx)

        fdim = m.tdim - 1
        v_sub, mu_sub = space.sub(0), space.sub(1)
        values, bcs, dofs_v, dofs_mu = [], [], [], []
        for c in self.contacts:
            facets = m.facets(c.name, what="contact")
            dv = fem.locate_dofs_topological(v_sub, fdim, facets)
            dm = fem.locate_dofs_topological(mu_sub, fdim, facets)
            val = fem.Constant(m.mesh, np.float64(0.0))
            bcs += [fem.dirichletbc(val, dv, v_sub), fem.dirichletbc(np.float64(0.0), dm, mu_sub)]
            values.append(val)
            dofs_v.append(dv)
            dofs_mu.append(dm)

        A = compat.assemble_matrix(a, bcs)
        solver = LinearSolver(A, self.settings, symmetric=True)
        ndofs = space.dofmap.index_map.size_global * space.dofmap.index_map_bs
        log.info("two-current problem: %d unknowns, %d contacts", ndofs, len(self.contacts))

        u_h = fem.Function(space)
        residual = fem.form(ufl.action(a_ufl, u_h))
        b = compat.create_vector(rhs)
        r_vec = compat.create_vector(residual)
        nowned = space.dofmap.index_map.size_local * space.dofmap.index_map_bs

        def reactions(func: fem.Function) -> tuple[np.ndarray, np.ndarray]:
            """Charge and spin current [A] entering the device through each contact."""
            u_h.x.array[:] = func.x.array
            with r_vec.localForm() as loc:
                loc.set(0.0)
            fem.petsc.assemble_vector(r_vec, residual)
            r_vec.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            arr = r_vec.getArray(readonly=True)
            ic = [arr[d[d < nowned]].sum() for d in dofs_v]
            isp = [-2.0 * arr[d[d < nowned]].sum() for d in dofs_mu]
            both = m.comm.allreduce(np.array([ic, isp]), op=MPI.SUM)
            return both[0], both[1]

        ref = next(i for i, c in enumerate(self.contacts) if c.is_voltage)
        n = len(self.contacts)
        basis: dict[int, fem.Function] = {}
        G = np.zeros((n, n))
        G_spin = np.zeros((n, n))
        for k in range(n):
            if k == ref:
                continue
            for i, val in enumerate(values):
                val.value = 1.0 if i == k else 0.0
            with b.localForm() as loc:
                loc.set(0.0)
            fem.petsc.assemble_vector(b, rhs)
            fem.petsc.apply_lifting(b, [a], bcs=[bcs])
            b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            fem.petsc.set_bc(b, bcs)
            uk = fem.Function(space, name=f"basis_{self.contacts[k].name}")
            solver.solve(
                b, uk.x.petsc_vec, what=f"unit voltage on contact '{self.contacts[k].name}'"
            )
            uk.x.scatter_forward()
            basis[k] = uk
            G[:, k], G_spin[:, k] = reactions(uk)
        G[:, ref] = -G.sum(axis=1)
        G_spin[:, ref] = -G_spin.sum(axis=1)
        solver.destroy()
        A.destroy()

        volts = self._contact_voltages(G)
        V_ref = volts[ref]
        sol = fem.Function(space, name="V_mu_s")
        sol.x.array[0::2] = V_ref  # the uniform state V = V_ref, mu_s = 0 ...
        for k, uk in basis.items():  # ... plus the driven differences
            sol.x.array[:] += (volts[k] - V_ref) * uk.x.array
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
            u=sol,
            coefficients=coeffs,
            scale=scale,
            contacts=results,
            conductance_S=G,
            materials=self.materials,
            magnetization={r: _polarity(r, self.magnetization.get(r, 1.0)) for r in m.regions},
            iterations=solver.last_iterations,
        )

    def _contact_voltages(self, G: np.ndarray) -> np.ndarray:
        """Voltages of all contacts [V] from the prescribed voltages and currents."""
        n = len(self.contacts)
        fixed = [i for i, c in enumerate(self.contacts) if c.is_voltage]
        free = [i for i in range(n) if i not in fixed]
        volts = np.zeros(n)
        for i in fixed:
            volts[i] = float(self.contacts[i].voltage)  # type: ignore[arg-type]
        if free:
            currents = np.array([float(self.contacts[i].current) for i in free])  # type: ignore[arg-type]
            Gff = G[np.ix_(free, free)]
            rhs = currents - G[np.ix_(free, fixed)] @ volts[fixed]
            try:
                volts[free] = np.linalg.solve(Gff, rhs)
            except np.linalg.LinAlgError as exc:
                raise ContactError(
                    "current-driven contacts are not connected to a voltage contact"
                ) from exc
        return volts

    def _area(self, name: str, scale: Scale) -> float:
        """Area of a contact surface [m^2] (2D: length x depth)."""
        m = self.mesh
        ds = ufl.Measure("ds", domain=m.mesh, subdomain_data=m.facet_tags)
        one = fem.form(scale.area * ds(m.boundary_tag(name)))
        return float(global_sum(m.comm, fem.assemble_scalar(one)))
