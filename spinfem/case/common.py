"""Pieces shared by the case-file models (``two_current``, ``vector``): inputs from the
validated sections, name checks against the mesh (one error listing every miss by key
path, with a "did you mean"), contact/interface overlap, solver settings, probe lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from spinfem.case.build import (
    Device,
    build_contacts,
    build_device,
    build_interfaces,
    build_materials,
)
from spinfem.case.models import RunContext
from spinfem.errors import ContactError, MeshError
from spinfem.parallel import did_you_mean, global_sum, raise_collective

__all__ = [
    "NameCheck",
    "contact_interface_overlap",
    "inputs",
    "line_points",
    "probe_lines",
    "solver_settings",
]


def inputs(ctx: RunContext) -> tuple[Device, dict[str, Any], list[Any], dict[str, Any]]:
    """(device, materials, contacts, interface laws) of a case; builder laws (the MTJ
    barrier) are added unless the case names the same interface."""
    case = ctx.case
    materials = build_materials(case.section("materials") or {})
    contacts = build_contacts(case.section("contacts") or {})
    laws = build_interfaces(case.section("interfaces") or {})
    device = build_device(case.mesh, ctx.base, materials, ctx.comm)
    for key, law in device.interfaces.items():
        laws.setdefault(key, law)
    return device, materials, contacts, laws


def solver_settings(ctx: RunContext) -> Any:
    """SolverSettings from ``[solver]``."""
    from spinfem.solvers import SolverSettings

    s = ctx.case.solver
    return SolverSettings(
        direct_max_dofs=s.direct_max_dofs, rtol=s.rtol, petsc_options=dict(s.petsc_options)
    )


def contact_interface_overlap(device: Device, contacts: list[Any], laws: dict[str, Any]) -> None:
    """ContactError (on every rank) if a contact is also an interface or shares facets."""
    m = device.mesh
    nown = m.mesh.topology.index_map(m.tdim - 1).size_local
    message = None
    for c in contacts:
        if c.name not in m.boundaries:
            continue
        cf = m.facets(c.name)
        cf = cf[cf < nown]
        for key in laws:
            if key == c.name:
                message = message or (
                    f"contacts.{c.name} and interfaces.'{key}' are the same surface: a contact "
                    "is on the outer boundary, an interface law between two regions"
                )
            elif key in m.boundaries:
                n = int(np.intersect1d(cf, m.facets(key)).size)
                if global_sum(m.comm, n) and message is None:
                    message = (
                        f"contacts.{c.name} overlaps interfaces.'{key}': {global_sum(m.comm, n)} "
                        "facets are in both"
                    )
    raise_collective(m.comm, message, ContactError)


class NameCheck:
    """Collects unknown names (key path, name, what) and raises them all in one MeshError."""

    def __init__(self, device: Device) -> None:
        self.mesh = device.mesh
        self.regions = sorted(self.mesh.regions)
        self.surfaces = sorted(self.mesh.boundaries)
        self.errors: list[str] = []

    def unknown(self, path: str, name: str, table: Iterable[str], what: str) -> None:
        table = sorted(table)
        self.errors.append(
            f"{path}: unknown {what} '{name}'{did_you_mean(name, table)}; {what}s of the "
            f"mesh: {table}"
        )

    def region(self, path: str, name: str, also: Iterable[str] = ()) -> None:
        if name not in self.mesh.regions and name not in set(also):
            self.unknown(path, name, [*self.regions, *also], "region")

    def surface(self, path: str, name: str, what: str = "surface") -> None:
        if name not in self.mesh.boundaries:
            self.unknown(path, name, self.surfaces, what)

    def common(self, case: Any, magnet_surfaces: Iterable[str] = ()) -> None:
        """materials, magnetization, contacts, interfaces of a case."""
        mats = case.section("materials") or {}
        for name in mats:
            self.region(f"materials.{name}", name)
        missing = [r for r in self.regions if r not in mats]
        if missing:
            self.errors.append(
                f"materials: region(s) without material: {missing}; add [materials.<region>]"
            )
        for name in case.section("magnetization") or {}:
            self.region(f"magnetization.{name}", name, also=magnet_surfaces)
        for name in case.section("contacts") or {}:
            self.surface(f"contacts.{name}", name)
        for name in case.section("interfaces") or {}:
            if name in self.mesh.boundaries:
                continue
            left, bar, right = name.partition("|")
            if not bar:
                self.unknown(f"interfaces.'{name}'", name, self.surfaces, "surface")
                continue
            for r in (left, right):
                if r not in self.mesh.regions:
                    self.unknown(f"interfaces.'{name}'", r, self.regions, "region")

    def raise_if_any(self) -> None:
        e = self.errors
        if e:
            raise MeshError(e[0] if len(e) == 1 else "\n  " + "\n  ".join(e))


def probe_lines(ctx: RunContext, device: Device) -> list[tuple[str, list[float], list[float], int]]:
    """[[output.lines]] of the case, else the builder's default segments (101 points)."""
    given = ctx.case.output.lines
    if given is not None:
        return [(ln.name, ln.start, ln.end, ln.points) for ln in given]
    return [(name, a, b, 101) for name, a, b in device.lines]


def line_points(a: list[float], b: list[float], n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(t in [0, 1], points (n, 3) [m], length [m]) of a segment."""
    a3, b3 = np.zeros(3), np.zeros(3)
    a3[: len(a)], b3[: len(b)] = a, b
    t = np.linspace(0.0, 1.0, n)
    return t, a3[None, :] + t[:, None] * (b3 - a3)[None, :], float(np.linalg.norm(b3 - a3))
