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

from spinfem.case.build import Device
from spinfem.case.common import (
    NameCheck,
    contact_interface_overlap,
    inputs,
    line_points,
    probe_lines,
    solver_settings,
)
from spinfem.case.models import ModelSpec, RunContext, register_model
from spinfem.case.schema import ContactSpec, InterfaceSpec, Magnetization, MaterialSpec, StateSpec

__all__ = ["SECTIONS"]

SECTIONS: dict[str, Any] = {
    "materials": dict[str, MaterialSpec],
    "contacts": dict[str, ContactSpec],
    "interfaces": dict[str, InterfaceSpec],
    "magnetization": dict[str, Magnetization],
    "states": dict[str, StateSpec],
}


def states(case: Any) -> dict[str, dict[str, Any]]:
    """state name -> magnetization (the ``[magnetization]`` defaults updated per state)."""
    base = dict(case.section("magnetization") or {})
    given = case.section("states") or {}
    if not given:
        return {"steady": base}
    return {name: {**base, **s.magnetization} for name, s in given.items()}


def _names(ctx: RunContext, device: Device) -> None:
    """Every name of the case exists in the mesh: one error listing all misses, by key path."""
    names = NameCheck(device)
    names.common(ctx.case)
    for state, spec in (ctx.case.section("states") or {}).items():
        for name in spec.magnetization:
            names.region(f"states.{state}.magnetization.{name}", name)
    names.raise_if_any()


def _problems(ctx: RunContext, device: Device, materials, contacts, laws) -> dict[str, Any]:
    from spinfem.problem import TwoCurrentProblem

    settings = solver_settings(ctx)
    _names(ctx, device)
    contact_interface_overlap(device, contacts, laws)
    return {
        name: TwoCurrentProblem(
            device.mesh, materials, contacts, mag, interfaces=laws, solver=settings
        )
        for name, mag in states(ctx.case).items()
    }


def check(ctx: RunContext) -> dict[str, Any]:
    from spinfem.layout import build_layout

    device, materials, contacts, laws = inputs(ctx)
    problems = _problems(ctx, device, materials, contacts, laws)
    layout = build_layout(device.mesh, laws)
    return {
        "device": device,
        "states": list(problems),
        "blocks": [list(b.regions) for b in layout.blocks],
        "interfaces": {i.name: i.law.kind for i in layout.interfaces},
    }


def run(ctx: RunContext) -> dict[str, Any]:
    from spinfem.io import write_fields

    device, materials, contacts, laws = inputs(ctx)
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
        for name, a, b, n in probe_lines(ctx, device):
            t, pts, length = line_points(a, b, n)
            V, mu = sol.probe("V", pts), sol.probe("mu_s", pts)
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
