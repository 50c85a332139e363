"""A solved vector spin problem: fields, contact observables, torques, summary.

Signs: contact currents [A] are positive INTO the device; the contact spin current is a
3-vector (charge units, j_up - j_dn along each axis) entering. Torques (docs/theory.md,
"Non-collinear model and sign conventions"): I_abs [A] is the transverse spin current
(charge units) absorbed by a magnet, from the mixing laws at its interfaces / insulator
boundary and from bulk dephasing/exchange in its volume; the torque on its magnetization
is T = -(hbar/2e) I_abs [N m], so that electrons whose moments point along p, entering a
magnet, give T . p > 0 (damping-like: m is driven toward p).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import ufl
from dolfinx import fem

from spinfem.errors import ContactError
from spinfem.fields import evaluate
from spinfem.layout import Layout, to_parent_dg1
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh
from spinfem.mixing import MixingConductance, absorbed
from spinfem.parallel import did_you_mean
from spinfem.physics import vector_spin
from spinfem.solution import ContactResult
from spinfem.vector_system import VectorSystem

__all__ = ["HBAR_OVER_2E", "VectorSolution"]

#: hbar/(2e) [J s/C = N m/A]
HBAR_OVER_2E = 1.054571817e-34 / (2 * 1.602176634e-19)


def _mu(u: Any) -> Any:
    return ufl.as_vector([u[1], u[2], u[3]])


@dataclass(frozen=True, eq=False)
class VectorSolution:
    """Fields and observables of a solved :class:`~spinfem.vector_problem.VectorSpinProblem`."""

    mesh: DeviceMesh
    layout: Layout
    system: VectorSystem
    blocks_u: tuple[fem.Function, ...]
    contacts: tuple[ContactResult, ...]
    spin_currents_A: dict[str, np.ndarray]
    conductance_S: np.ndarray
    materials: Mapping[str, Material]
    magnetization: Mapping[str, Any]
    field_T: tuple[float, float, float]
    insulators: Mapping[str, Any] = field(default_factory=dict)
    iterations: int = 0

    @property
    def single_block(self) -> bool:
        return len(self.blocks_u) == 1 and self.layout.blocks[0].is_parent

    # ------------------------------------------------------------------ fields
    @cached_property
    def u(self) -> fem.Function:
        """(V [V], mu_x, mu_y, mu_z [eV]) on the device (P1, or DG1 if fields jump)."""
        if self.single_block:
            return self.blocks_u[0]
        return to_parent_dg1(self.layout, list(self.blocks_u), "V_mu_s")

    @cached_property
    def V(self) -> fem.Function:
        """Electric potential V [V]."""
        f = self.u.sub(0).collapse()
        f.name = "V_volt"
        return f

    @cached_property
    def mu_s(self) -> fem.Function:
        """Spin-accumulation vector mu_s [eV] (numerically V)."""
        family = "Lagrange" if self.single_block else "Discontinuous Lagrange"
        space = fem.functionspace(self.u.function_space.mesh, (family, 1, (3,)))
        f = fem.Function(space, name="mu_s_eV")
        arr = self.u.x.array.reshape(-1, 4)
        f.x.array.reshape(-1, 3)[:] = arr[: f.x.array.size // 3, 1:]
        f.x.scatter_forward()
        return f

    def _restrict(self, f: fem.Function, blk: Any) -> fem.Function:
        """A parent-mesh DG0 (scalar or vector) field copied onto a block submesh."""
        shape = f.ufl_shape
        space = fem.functionspace(blk.mesh, ("DG", 0, shape) if shape else ("DG", 0))
        g = fem.Function(space, name=f.name)
        bs = int(np.prod(shape)) if shape else 1
        nb = blk.cell_map.size
        dst = space.dofmap.list[:nb, 0]
        src = f.function_space.dofmap.list[blk.cell_map, 0]
        for c in range(bs):
            g.x.array[dst * bs + c] = f.x.array[src * bs + c]
        g.x.scatter_forward()
        return g

    @cached_property
    def currents(self) -> fem.Function:
        """(j_c [A/m^2] (3), j_s [A/m^2] (3x3, row = spin, column = flow)) as one DG1
        field of 12 components (piecewise constant for P1 unknowns)."""
        from dataclasses import replace

        from spinfem import compat
        from spinfem.physics.scale import Scale

        parts = []
        co = self.system.coeffs
        for blk, u in zip(self.layout.blocks, self.blocks_u, strict=True):
            c = co
            if not blk.is_parent:
                c = replace(
                    co,
                    **{
                        k: self._restrict(getattr(co, k), blk)
                        for k in ("sigma", "sigma_p", "m", "theta_sigma")
                    },
                )
            scale = Scale.of(self.mesh, blk.mesh)
            j_c, j_s = vector_spin.currents(u, c, scale)
            expr = ufl.as_vector(
                [j_c[i] for i in range(3)] + [j_s[a, i] for a in range(3) for i in range(3)]
            )
            space = fem.functionspace(blk.mesh, ("Discontinuous Lagrange", 1, (12,)))
            f = fem.Function(space, name="j_c_j_s_A_per_m2")
            f.interpolate(fem.Expression(expr, compat.interpolation_points(space)))
            parts.append(f)
        if self.single_block:
            return parts[0]
        return to_parent_dg1(self.layout, parts, "j_c_j_s_A_per_m2")

    def _current_part(self, cols: slice, shape: tuple[int, ...], name: str) -> fem.Function:
        src = self.currents
        space = fem.functionspace(src.function_space.mesh, ("Discontinuous Lagrange", 1, shape))
        f = fem.Function(space, name=name)
        n = int(np.prod(shape))
        f.x.array.reshape(-1, n)[:] = src.x.array.reshape(-1, 12)[: f.x.array.size // n, cols]
        f.x.scatter_forward()
        return f

    @cached_property
    def j_c(self) -> fem.Function:
        """Charge current density j_c [A/m^2] (DG1 3-vector; z out of plane in 2D)."""
        return self._current_part(slice(0, 3), (3,), "j_c_A_per_m2")

    @cached_property
    def j_s(self) -> fem.Function:
        """Spin current density j_s [A/m^2] (DG1 3x3 tensor: row = spin, column = flow)."""
        return self._current_part(slice(3, 12), (3, 3), "j_s_A_per_m2")

    def probe(self, points: Any, currents: bool = False) -> dict[str, np.ndarray]:
        """V [V] (shape (n,)) and mu_s [eV] (shape (n, 3)) at points given in MESH units
        (NaN outside the mesh); with ``currents`` also j_c [A/m^2] (n, 3) and j_s [A/m^2]
        (n, 3, 3) (spin, flow). Collective."""
        pts = np.asarray(points, dtype=float)
        pts = pts.reshape(len(pts), -1)
        L = self.mesh.length_unit
        vals = evaluate(self.u, pts * L, L)
        out = {"V_V": vals[:, 0], "mu_s_eV": vals[:, 1:]}
        if currents:
            j = evaluate(self.currents, pts * L, L)
            out["j_c_A_per_m2"] = j[:, :3]
            out["j_s_A_per_m2"] = j[:, 3:].reshape(-1, 3, 3)
        return out

    # ------------------------------------------------------------------ integrals
    def _dx(self, region: str) -> Any:
        tag = self.mesh.region_tag(region)
        return ufl.Measure("dx", domain=self.mesh.mesh, subdomain_data=self.mesh.cell_tags)(tag)

    def _vector_integral(self, expr: Any, measure: Any) -> np.ndarray:
        return np.array([self.system.integrate(expr[k], measure) for k in range(3)])

    def average_current_density(self, region: str | None = None) -> np.ndarray:
        """Volume average of the charge current density j_c (3-vector, z out of plane in
        2D, spin Hall part included) over a region (default: the whole device) [A/m^2]."""
        regions = [region] if region else list(self.mesh.regions)
        s = self.system.scale
        total, vol = np.zeros(3), 0.0
        for r in regions:
            b = self.layout.block_of_region[r]
            j_c, _ = vector_spin.currents(self.blocks_u[b], self.system.coeffs, s)
            total += self._vector_integral(j_c * s.volume, self._dx(r))
            vol += self.system.integrate(s.volume, self._dx(r))
        return total / vol

    # ------------------------------------------------------------------ torques
    def absorbed_spin_currents(self) -> dict[str, dict[str, np.ndarray]]:
        """Per magnet (region or insulator boundary): transverse spin current absorbed
        [A] (charge units), split into the G_r/dephasing ("DL") and G_i/exchange ("FL")
        parts, as 3-vectors, and the absorbing area [m^2]."""
        sys, lay, co, s = self.system, self.layout, self.system.coeffs, self.system.scale
        out: dict[str, dict[str, Any]] = {}
        magnets = [r for r in self.magnetization if r in self.mesh.regions]
        dS = lay.dS()
        for r in magnets:
            b = lay.block_of_region[r]
            mu = _mu(self.blocks_u[b])
            dx = self._dx(r)
            dl = self._vector_integral(
                2 * co.dephasing * ufl.cross(co.m, ufl.cross(mu, co.m)) * s.volume, dx
            )
            fl = self._vector_integral(2 * co.exchange * ufl.cross(mu, co.m) * s.volume, dx)
            for itf in lay.interfaces:
                it = sys.interface_terms[itf.tag]
                if not isinstance(it.law, MixingConductance):
                    continue
                if r not in ((itf.left, itf.right)[0 if it.magnet_side == "L" else 1],):
                    continue
                side, nb = (
                    ("-", itf.right_block)
                    if it.magnet_side == "L"
                    else (
                        "+",
                        itf.left_block,
                    )
                )
                m = sys.interface_axis(it)
                muN = _mu(self.blocks_u[nb])(side)
                meas = dS(itf.tag)
                dl = dl + self._vector_integral(absorbed(it.G_r, 0.0, m, muN) * s.area, meas)
                fl = fl + self._vector_integral(absorbed(0.0, it.G_i, m, muN) * s.area, meas)
            area = self._region_interface_area(r)
            out[r] = {"DL_A": dl, "FL_A": fl, "area_m2": area}
        ds = sys.ds()
        for ins in sys.insulators:
            dl, fl, area = np.zeros(3), np.zeros(3), 0.0
            for b, sid in ins.ids.items():
                mu = _mu(self.blocks_u[b])
                dl = dl + self._vector_integral(absorbed(ins.G_r, 0.0, ins.m, mu) * s.area, ds(sid))
                fl = fl + self._vector_integral(absorbed(0.0, ins.G_i, ins.m, mu) * s.area, ds(sid))
                area += sys.integrate(s.area, ds(sid))
            out[ins.name] = {"DL_A": dl, "FL_A": fl, "area_m2": area}
        return out

    def interfaces(self) -> dict[str, dict[str, Any]]:
        """Per resistive interface: area [m^2], charge current L -> R [A], longitudinal
        spin current (along the interface axis m) arriving from L and leaving into R [A],
        area-averaged V_R - V_L [V], and for mixing laws the transverse spin current
        absorbed from the normal metal [A] (3-vector, charge units). Collective."""
        from spinfem.interfaces import interface_fluxes

        sys, lay, s = self.system, self.layout, self.system.scale
        dS = lay.dS()
        out: dict[str, dict[str, Any]] = {}
        for itf in lay.interfaces:
            it = sys.interface_terms[itf.tag]
            m = sys.interface_axis(it)
            uL, uR = self.blocks_u[itf.left_block], self.blocks_u[itf.right_block]
            UL = (uL[0]("+"), ufl.inner(m, _mu(uL)("+")))
            UR = (uR[0]("-"), ufl.inner(m, _mu(uR)("-")))
            J, jsl, jsr = interface_fluxes(it.Y, UL, UR)
            meas = dS(itf.tag)
            area = sys.integrate(s.area, meas)
            rec: dict[str, Any] = {
                "left": itf.left,
                "right": itf.right,
                "law": itf.law.kind,
                "area_m2": area,
                "current_A": sys.integrate(J * s.area, meas),
                "spin_current_from_left_A": sys.integrate(jsl * s.area, meas),
                "spin_current_into_right_A": sys.integrate(jsr * s.area, meas),
                "jump_V_V": sys.integrate((UR[0] - UL[0]) * s.area, meas) / area,
            }
            if isinstance(it.law, MixingConductance):
                side, nb = (
                    ("-", itf.right_block)
                    if it.magnet_side == "L"
                    else (
                        "+",
                        itf.left_block,
                    )
                )
                jout = absorbed(it.G_r, it.G_i, m, _mu(self.blocks_u[nb])(side))
                rec["transverse_absorbed_A"] = self._vector_integral(jout * s.area, meas)
            out[itf.name] = rec
        return out

    def _region_interface_area(self, region: str) -> float:
        """Area [m^2] of the interfaces between ``region`` and all other regions."""
        from dolfinx import mesh as dmesh_mod

        dm = self.mesh
        top = dm.mesh.topology
        fdim = dm.tdim - 1
        f2c = top.connectivity(fdim, fdim + 1)
        ncell = top.index_map(dm.tdim).size_local + top.index_map(dm.tdim).num_ghosts
        reg = np.full(ncell, -1, dtype=np.int64)
        reg[dm.cell_tags.indices] = dm.cell_tags.values
        tag = dm.region_tag(region)
        off, links = f2c.offsets, f2c.array
        two = np.flatnonzero(np.diff(off) == 2)
        a, b = reg[links[off[two]]], reg[links[off[two] + 1]]
        facets = two[(a != b) & ((a == tag) | (b == tag))].astype(np.int32)
        ft = dmesh_mod.meshtags(dm.mesh, fdim, facets, np.ones(facets.size, dtype=np.int32))
        dS = ufl.Measure("dS", domain=dm.mesh, subdomain_data=ft)
        one = fem.form(self.system.scale.area("+") * dS(1))
        from mpi4py import MPI

        return dm.comm.allreduce(fem.assemble_scalar(one), op=MPI.SUM)

    def torques(self, current_density_A_per_m2: float | None = None) -> dict[str, dict[str, Any]]:
        """Spin-transfer / spin-orbit torque per magnet [N m], per area [N/m] and the
        efficiencies xi = (2e/hbar) |tau per area| / j_c [1]; j_c [A/m^2] defaults to the
        current density through the first contact (|I|/area). Collective."""
        if current_density_A_per_m2 is None:
            c0 = self.contacts[0]
            current_density_A_per_m2 = abs(c0.current_A) / c0.area_m2
        jc = float(current_density_A_per_m2)
        out = {}
        for name, rec in self.absorbed_spin_currents().items():
            tdl = -HBAR_OVER_2E * rec["DL_A"]
            tfl = -HBAR_OVER_2E * rec["FL_A"]
            area = rec["area_m2"]
            entry = {
                "damping_like_Nm": tdl,
                "field_like_Nm": tfl,
                "total_Nm": tdl + tfl,
                "damping_like_abs_Nm": float(np.linalg.norm(tdl)),
                "field_like_abs_Nm": float(np.linalg.norm(tfl)),
                "area_m2": area,
            }
            if area > 0:
                entry["damping_like_per_area_N_per_m"] = tdl / area
                entry["field_like_per_area_N_per_m"] = tfl / area
                if jc > 0:
                    entry["xi_DL"] = float(np.linalg.norm(rec["DL_A"]) / area / jc)
                    entry["xi_FL"] = float(np.linalg.norm(rec["FL_A"]) / area / jc)
            out[name] = entry
        return out

    # ------------------------------------------------------------------ contacts
    def contact(self, name: str) -> ContactResult:
        for c in self.contacts:
            if c.name == name:
                return c
        names = [c.name for c in self.contacts]
        raise ContactError(f"no contact '{name}'{did_you_mean(name, names)}; contacts: {names}")

    def _index(self, name: str) -> int:
        return self.contacts.index(self.contact(name))

    def resistance(self, a: str | None = None, b: str | None = None) -> float:
        """Two-terminal resistance (V_a - V_b)/I_a [Ohm] of the solved state."""
        ca = self.contact(a) if a else self.contacts[0]
        cb = self.contact(b) if b else next(c for c in self.contacts if c.name != ca.name)
        if ca.current_A == 0:
            raise ContactError(f"no current through contact '{ca.name}': resistance undefined")
        return (ca.voltage_V - cb.voltage_V) / ca.current_A

    def four_terminal(self, i: str, j: str, k: str, l: str) -> float:
        """R_ij,kl = (V_k - V_l)/I [Ohm] for a current I entering at i and leaving at j,
        all other contacts floating (from the conductance matrix)."""
        idx = [self._index(n) for n in (i, j, k, l)]
        G = self.conductance_S
        keep = [p for p in range(G.shape[0]) if p != idx[1]]
        rhs = np.zeros(len(keep))
        rhs[keep.index(idx[0])] = 1.0
        v = np.zeros(G.shape[0])
        v[keep] = np.linalg.solve(G[np.ix_(keep, keep)], rhs)
        return float(v[idx[2]] - v[idx[3]])

    def summary(self) -> dict[str, Any]:
        """Machine-readable observables, SI units in the key names. Collective: call it on
        every rank (it integrates torques and interface currents)."""
        out: dict[str, Any] = {
            "model": "non-collinear vector spin drift-diffusion",
            "contacts": {
                c.name: {
                    "voltage_V": c.voltage_V,
                    "current_A": c.current_A,
                    "spin_current_vector_A": self.spin_currents_A[c.name].tolist(),
                    "area_m2": c.area_m2,
                }
                for c in self.contacts
            },
            "conductance_matrix_S": self.conductance_S.tolist(),
            "contact_order": [c.name for c in self.contacts],
            "field_T": list(self.field_T),
            "magnetization": {
                k: (list(v) if isinstance(v, tuple) else str(v))
                for k, v in self.magnetization.items()
            },
            "length_unit_m": self.mesh.length_unit,
        }
        if len(self.contacts) == 2 and self.contacts[0].current_A != 0:
            out["resistance_ohm"] = self.resistance()
        if self.layout.interfaces:
            out["interfaces"] = {
                name: {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in r.items()}
                for name, r in self.interfaces().items()
            }
        out["torques"] = {
            name: {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in t.items()}
            for name, t in self.torques().items()
        }
        return out
