"""``[model] kind = "two_current"``: the collinear Valet-Fert model from a case file.

Sections: ``[materials.<region>]``, ``[contacts.<surface>]``, ``[interfaces."<name>"]``,
``[magnetization]`` (region -> +1/-1) and ``[states.<name>]`` (magnetic configurations
solved in one run; default: one state ``steady``). Results per state: contact voltages,
currents and spin currents, R, RA, MR relative to the first state, interface
observables, line profiles of V and mu_s; fields as VTX (BP4) per state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from spinfem.case.build import (
    Device,
    build_contacts,
    build_device,
    build_interfaces,
    build_materials,
)
from spinfem.case.models import ModelSpec, RunContext, register_model
from spinfem.case.schema import ContactSpec, InterfaceSpec, Magnetization, MaterialSpec, StateSpec
from spinfem.errors import ContactError, MeshError
from spinfem.parallel import did_you_mean, global_sum, raise_collective

__all__ = ["SECTIONS"]

SECTIONS: dict[str, Any] = {
    "materials": dict[str, MaterialSpec],
    "contacts": dict[str, ContactSpec],
    "interfaces": dict[str, InterfaceSpec],
    "magnetization": dict[str, Magnetization],
    "states": dict[str, StateSpec],
}


def _inputs(ctx: RunContext) -> tuple[Device, dict[str, Any], list[Any], dict[str, Any]]:
    case = ctx.case
    materials = build_materials(case.section("materials") or {})
    contacts = build_contacts(case.section("contacts") or {})
    laws = build_interfaces(case.section("interfaces") or {})
    device = build_device(case.mesh, ctx.base, materials, ctx.comm)
    for key, law in device.interfaces.items():
        laws.setdefault(key, law)
    return device, materials, contacts, laws


def states(case: Any) -> dict[str, dict[str, Any]]:
    """state name -> magnetization (the ``[magnetization]`` defaults updated per state)."""
    base = dict(case.section("magnetization") or {})
    given = case.section("states") or {}
    if not given:
        return {"steady": base}
    return {name: {**base, **s.magnetization} for name, s in given.items()}


def _contact_interface_overlap(device: Device, contacts: list[Any], laws: dict[str, Any]) -> None:
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


def _names(ctx: RunContext, device: Device) -> None:
    """Every name of the case exists in the mesh: one error listing all misses, by key path."""
    m = device.mesh
    regions, surfaces = sorted(m.regions), sorted(m.boundaries)
    errors = []

    def unknown(path: str, name: str, table: list[str], what: str) -> None:
        errors.append(
            f"{path}: unknown {what} '{name}'{did_you_mean(name, table)}; {what}s of the mesh: "
            f"{table}"
        )

    for name in ctx.case.section("materials") or {}:
        if name not in m.regions:
            unknown(f"materials.{name}", name, regions, "region")
    missing = [r for r in regions if r not in (ctx.case.section("materials") or {})]
    if missing:
        errors.append(f"materials: region(s) without material: {missing}; add [materials.<region>]")
    for name in ctx.case.section("magnetization") or {}:
        if name not in m.regions:
            unknown(f"magnetization.{name}", name, regions, "region")
    for state, spec in (ctx.case.section("states") or {}).items():
        for name in spec.magnetization:
            if name not in m.regions:
                unknown(f"states.{state}.magnetization.{name}", name, regions, "region")
    for name in ctx.case.section("contacts") or {}:
        if name not in m.boundaries:
            unknown(f"contacts.{name}", name, surfaces, "surface")
    for name in ctx.case.section("interfaces") or {}:
        if name in m.boundaries:
            continue
        left, bar, right = name.partition("|")
        if not bar:
            unknown(f"interfaces.'{name}'", name, surfaces, "surface")
            continue
        for r in (left, right):
            if r not in m.regions:
                unknown(f"interfaces.'{name}'", r, regions, "region")
    if errors:
        raise MeshError("; ".join(errors) if len(errors) == 1 else "\n  " + "\n  ".join(errors))


def _problems(ctx: RunContext, device: Device, materials, contacts, laws) -> dict[str, Any]:
    from spinfem.problem import TwoCurrentProblem
    from spinfem.solvers import SolverSettings

    s = ctx.case.solver
    settings = SolverSettings(
        direct_max_dofs=s.direct_max_dofs, rtol=s.rtol, petsc_options=dict(s.petsc_options)
    )
    _names(ctx, device)
    _contact_interface_overlap(device, contacts, laws)
    return {
        name: TwoCurrentProblem(
            device.mesh, materials, contacts, mag, interfaces=laws, solver=settings
        )
        for name, mag in states(ctx.case).items()
    }


def check(ctx: RunContext) -> dict[str, Any]:
    from spinfem.layout import build_layout

    device, materials, contacts, laws = _inputs(ctx)
    problems = _problems(ctx, device, materials, contacts, laws)
    layout = build_layout(device.mesh, laws)
    return {
        "device": device,
        "states": list(problems),
        "blocks": [list(b.regions) for b in layout.blocks],
        "interfaces": {i.name: i.law.kind for i in layout.interfaces},
    }


def _lines(ctx: RunContext, device: Device) -> list[tuple[str, list[float], list[float], int]]:
    given = ctx.case.output.lines
    if given is not None:
        return [(ln.name, ln.start, ln.end, ln.points) for ln in given]
    return [(name, a, b, 101) for name, a, b in device.lines]


def run(ctx: RunContext) -> dict[str, Any]:
    from spinfem.io import write_fields

    device, materials, contacts, laws = _inputs(ctx)
    problems = _problems(ctx, device, materials, contacts, laws)
    comm = ctx.comm
    rows, contact_rows, profile_rows, summaries = [], [], [], {}
    first_R = None
    for i, (state, problem) in enumerate(problems.items()):
        ctx.progress(i, len(problems), f"state {state}")
        sol = problem.solve()
        summaries[state] = sol.summary()
        if ctx.case.output.fields and ctx.out is not None:
            target = Path(ctx.out) / state
            if comm.rank == 0:
                target.mkdir(parents=True, exist_ok=True)
            comm.Barrier()
            write_fields(sol, target)
        row: dict[str, Any] = {"state": state}
        if len(contacts) == 2 and sol.contacts[0].current_A != 0:
            R, RA = sol.resistance(), sol.resistance_area()
            first_R = R if first_R is None else first_R
            row.update(resistance_ohm=R, resistance_area_ohm_m2=RA, MR=(R - first_R) / first_R)
        row.update(
            current_balance_A=summaries[state]["current_balance_A"],
            unknowns=summaries[state]["unknowns"],
        )
        rows.append(row)
        for c in sol.contacts:
            contact_rows.append(
                {
                    "state": state,
                    "contact": c.name,
                    "voltage_V": c.voltage_V,
                    "current_A": c.current_A,
                    "spin_current_A": c.spin_current_A,
                    "area_m2": c.area_m2,
                }
            )
        for name, a, b, n in _lines(ctx, device):
            a3, b3 = np.zeros(3), np.zeros(3)
            a3[: len(a)], b3[: len(b)] = a, b
            t = np.linspace(0.0, 1.0, n)
            pts = a3[None, :] + t[:, None] * (b3 - a3)[None, :]
            V, mu = sol.probe("V", pts), sol.probe("mu_s", pts)
            length = float(np.linalg.norm(b3 - a3))
            for k in range(n):
                profile_rows.append(
                    {
                        "line": name,
                        "state": state,
                        "s_m": t[k] * length,
                        "x_m": pts[k, 0],
                        "y_m": pts[k, 1],
                        "z_m": pts[k, 2],
                        "V_volt": float(V[k]),
                        "mu_s_eV": float(mu[k]),
                    }
                )
    ctx.progress(len(problems), len(problems), "done")
    return {
        "states": summaries,
        "device": device,
        "tables": {"results": rows, "contacts": contact_rows, "profiles": profile_rows},
    }


register_model(
    ModelSpec(
        kind="two_current",
        description="collinear two-current (Valet-Fert) drift-diffusion, steady; interface "
        "laws transparent / spin_conductance / tunnel_barrier / spin_memory_loss",
        run=run,
        check=check,
        sections=SECTIONS,
        required=("materials", "contacts"),
    )
)
