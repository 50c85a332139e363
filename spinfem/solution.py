"""A solved collinear problem: fields, contact observables and a JSON-ready summary.

Sign conventions: a contact current [A] is positive when conventional current flows
INTO the device through that contact; the spin current [A] likewise counts the
spin-current (charge units, j_up - j_dn) entering. Two-terminal resistance
R = (V_a - V_b)/I_a [Ohm], resistance-area RA = R * area_a [Ohm m^2].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from dolfinx import fem

from spinfem import compat
from spinfem.errors import ContactError
from spinfem.fields import evaluate
from spinfem.layout import Layout, to_parent_dg1
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh
from spinfem.parallel import did_you_mean
from spinfem.physics import two_current
from spinfem.physics.scale import Scale

__all__ = ["ContactResult", "Solution"]


@dataclass(frozen=True)
class ContactResult:
    """Observables of one contact.

    Attributes:
        name: contact (surface) name.
        voltage_V: its potential [V].
        current_A: charge current entering the device through it [A].
        spin_current_A: spin current (j_up - j_dn, charge units) entering [A].
        area_m2: contact area [m^2] (2D: length x depth).
    """

    name: str
    voltage_V: float
    current_A: float
    spin_current_A: float
    area_m2: float


@dataclass(frozen=True, eq=False)
class Solution:
    """Fields and observables of a solved two-current problem."""

    mesh: DeviceMesh
    layout: Layout
    blocks_u: tuple[fem.Function, ...]
    coefficients: two_current.Coefficients
    contacts: tuple[ContactResult, ...]
    conductance_S: np.ndarray
    materials: Mapping[str, Material]
    magnetization: Mapping[str, float]
    interfaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    iterations: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def single_block(self) -> bool:
        return len(self.blocks_u) == 1 and self.layout.blocks[0].is_parent

    # ------------------------------------------------------------------ fields
    def _component(self, comp: int, name: str) -> fem.Function:
        parts = [u.sub(comp).collapse() for u in self.blocks_u]
        if self.single_block:
            parts[0].name = name
            return parts[0]
        return to_parent_dg1(self.layout, parts, name)

    @cached_property
    def V(self) -> fem.Function:
        """Electric potential V [V] (P1; discontinuous P1 on the device if it jumps)."""
        return self._component(0, "V_volt")

    @cached_property
    def mu_s(self) -> fem.Function:
        """Spin accumulation mu_s = mu_up - mu_dn [eV] (P1 or discontinuous P1)."""
        return self._component(1, "mu_s_eV")

    @cached_property
    def _currents(self) -> tuple[fem.Function, fem.Function]:
        names = ("j_c_A_per_m2", "j_s_A_per_m2")
        per_block: list[list[fem.Function]] = [[], []]
        for blk, u in zip(self.layout.blocks, self.blocks_u, strict=True):
            bmesh = blk.mesh
            coeffs = self.coefficients if blk.is_parent else self._restrict(blk)
            scale = Scale.of(self.mesh, bmesh)
            space = fem.functionspace(bmesh, ("Discontinuous Lagrange", 1, (bmesh.geometry.dim,)))
            for k, expr in enumerate(two_current.currents(u, coeffs, scale)):
                f = fem.Function(space, name=names[k])
                f.interpolate(fem.Expression(expr, compat.interpolation_points(space)))
                per_block[k].append(f)
        if self.single_block:
            return per_block[0][0], per_block[1][0]
        return (
            to_parent_dg1(self.layout, per_block[0], names[0]),
            to_parent_dg1(self.layout, per_block[1], names[1]),
        )

    def _restrict(self, blk: Any) -> two_current.Coefficients:
        """DG0 material fields of the parent copied onto a block submesh."""
        out = []
        space = fem.functionspace(blk.mesh, ("DG", 0))
        for f in (self.coefficients.sigma, self.coefficients.sigma_p, self.coefficients.g_sf):
            g = fem.Function(space, name=f.name)
            nb = blk.cell_map.size
            g.x.array[space.dofmap.list[:nb, 0]] = f.x.array[
                f.function_space.dofmap.list[blk.cell_map, 0]
            ]
            g.x.scatter_forward()
            out.append(g)
        return two_current.Coefficients(*out)

    @property
    def j_c(self) -> fem.Function:
        """Charge current density j_c [A/m^2] (DG1 vector; piecewise constant in P1)."""
        return self._currents[0]

    @property
    def j_s(self) -> fem.Function:
        """Spin current density j_s = j_up - j_dn [A/m^2] (DG1 vector)."""
        return self._currents[1]

    def probe(self, field_name: str, points_m: Any) -> np.ndarray:
        """Values of 'V', 'mu_s', 'j_c' or 'j_s' at physical points [m]. Collective."""
        fields = {"V": self.V, "mu_s": self.mu_s, "j_c": self.j_c, "j_s": self.j_s}
        if field_name not in fields:
            raise KeyError(f"unknown field '{field_name}'{did_you_mean(field_name, fields)}")
        return evaluate(fields[field_name], points_m, self.mesh.length_unit)

    # ------------------------------------------------------------------ observables
    def contact(self, name: str) -> ContactResult:
        for c in self.contacts:
            if c.name == name:
                return c
        names = [c.name for c in self.contacts]
        raise ContactError(f"no contact '{name}'{did_you_mean(name, names)}; contacts: {names}")

    def resistance(self, a: str | None = None, b: str | None = None) -> float:
        """Two-terminal resistance (V_a - V_b)/I_a [Ohm] (default: the first two contacts)."""
        ca, cb = self._pair(a, b)
        return (ca.voltage_V - cb.voltage_V) / ca.current_A

    def resistance_area(self, a: str | None = None, b: str | None = None) -> float:
        """Resistance-area R * area_a [Ohm m^2]."""
        ca, _ = self._pair(a, b)
        return self.resistance(ca.name, b or self.contacts[1].name) * ca.area_m2

    def _pair(self, a: str | None, b: str | None) -> tuple[ContactResult, ContactResult]:
        ca = self.contact(a) if a else self.contacts[0]
        cb = self.contact(b) if b else next(c for c in self.contacts if c.name != ca.name)
        if ca.current_A == 0:
            raise ContactError(f"no current through contact '{ca.name}': resistance undefined")
        return ca, cb

    def summary(self) -> dict[str, Any]:
        """Machine-readable observables with SI units in the key names."""
        contacts = {
            c.name: {
                "voltage_V": c.voltage_V,
                "current_A": c.current_A,
                "spin_current_A": c.spin_current_A,
                "area_m2": c.area_m2,
            }
            for c in self.contacts
        }
        out: dict[str, Any] = {
            "model": "collinear two-current (Valet-Fert)",
            "contacts": contacts,
            "conductance_matrix_S": self.conductance_S.tolist(),
            "contact_order": [c.name for c in self.contacts],
            "current_balance_A": float(sum(c.current_A for c in self.contacts)),
            "magnetization": dict(self.magnetization),
            "regions": {
                r: {
                    "material": m.name,
                    "sigma_S_per_m": m.sigma,
                    "P": m.P,
                    "l_sf_m": m.l_sf,
                }
                for r, m in self.materials.items()
            },
            "length_unit_m": self.mesh.length_unit,
            "unknowns": int(
                sum(
                    u.function_space.dofmap.index_map.size_global
                    * u.function_space.dofmap.index_map_bs
                    for u in self.blocks_u
                )
            ),
        }
        if len(self.contacts) == 2 and self.contacts[0].current_A != 0:
            out["resistance_ohm"] = self.resistance()
            out["resistance_area_ohm_m2"] = self.resistance_area()
        if self.interfaces:
            out["interfaces"] = self.interfaces
        out["blocks"] = [list(b.regions) for b in self.layout.blocks]
        out.update(self.extra)
        return out
