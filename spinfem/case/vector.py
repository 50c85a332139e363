"""``[model] kind = "vector"``: the non-collinear spin model from a case file.

Sections (spinfem.case.vector_schema): materials, contacts, interfaces (law "mixing"),
magnetization (3-vectors), boundaries (magnetic insulators), field (B), sweep (``kind =
"field"`` Hanle / ``"angle"``), observables (nonlocal, four-terminal, torques, SMR).
One solve of the case as given (fields as VTX/BP4 in ``fields/steady``, profiles,
contacts, torques), then the sweep (``sweep.csv``) and the SMR solves if asked for.
Scalar names carry their unit (``R_NL_ohm``, ``torque_DL_Py_Nm``, ``field_T``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from spinfem.case import common
from spinfem.case.build import Device
from spinfem.case.models import ModelSpec, RunContext, register_model
from spinfem.case.vector_schema import SECTIONS, MagnetizationFileSpec
from spinfem.errors import MaterialError

__all__ = ["SECTIONS", "scalars", "smr"]


def _insulators(case: Any) -> dict[str, Any]:
    from spinfem.mixing import MagneticInsulator

    out = {}
    for name, spec in (case.section("boundaries") or {}).items():
        G_r, G_i = spec.mixing_SI()
        out[name] = MagneticInsulator(G_r=G_r, G_i=G_i, m=tuple(spec.m))
    return out


def _names(ctx: RunContext, device: Device, insulators: dict[str, Any]) -> None:
    case = ctx.case
    names = common.NameCheck(device)
    names.common(case, magnet_surfaces=insulators)
    for name in insulators:
        names.surface(f"boundaries.{name}", name, "insulator boundary")
    sweep = case.section("sweep")
    if sweep is not None and sweep.kind == "angle":
        names.region("sweep.region", sweep.region, also=insulators)
    obs = case.section("observables")
    contacts = sorted(case.section("contacts") or {})

    def contact(path: str, name: str) -> None:
        if name not in contacts:
            names.unknown(path, name, contacts, "contact")

    if obs is not None:
        if obs.nonlocal_ is not None:
            for key in ("injector", "detector", "reference"):
                contact(f"observables.nonlocal.{key}", getattr(obs.nonlocal_, key))
        for label, ft in obs.four_terminal.items():
            for key in ("current", "voltage"):
                for i, name in enumerate(getattr(ft, key)):
                    contact(f"observables.four_terminal.{label}.{key}.{i}", name)
        if obs.torque_current_region is not None:
            names.region("observables.torque_current_region", obs.torque_current_region)
        if obs.smr is not None:
            if obs.smr.boundary not in insulators:
                names.unknown(
                    "observables.smr.boundary", obs.smr.boundary, insulators, "insulator boundary"
                )
            for key in ("current", "hall"):
                for i, name in enumerate(getattr(obs.smr, key) or []):
                    contact(f"observables.smr.{key}.{i}", name)
            if obs.smr.region is not None:
                names.region("observables.smr.region", obs.smr.region)
            elif len(device.mesh.regions) != 1:
                names.errors.append(
                    "observables.smr.region: the mesh has several regions; name the metal "
                    "film whose conductivity [S/m] normalises Delta rho_2"
                )
    names.raise_if_any()


def _field_needs_tau(case: Any, materials: dict[str, Any]) -> None:
    """An applied field needs tau_sf [s] in every non-magnetic material (key paths)."""
    field, sweep = case.section("field"), case.section("sweep")
    where = None
    if field is not None and any(b != 0 for b in field.tesla()):
        where = "field.B [T]"
    elif sweep is not None and sweep.kind == "field" and any(b != 0 for b in sweep.tesla()):
        where = "sweep.values [T] (kind = 'field')"
    lacking = sorted(r for r, m in materials.items() if m.tau_sf is None and m.P == 0)
    if where and lacking:
        paths = ", ".join(f"materials.{r}.tau_sf" for r in lacking)
        raise MaterialError(
            f"B without tau_sf: {where} is an applied field, which precesses the spin "
            f"accumulation at the Larmor frequency; give the spin-relaxation time [s] "
            f"({paths}, e.g. tau_sf = '50 ps')"
        )


def _magnetization(ctx: RunContext, device: Device, value: Any) -> Any:
    """A 3-vector, or the interpolated field of a ``{ file = ... }`` table."""
    if isinstance(value, MagnetizationFileSpec):
        from spinfem.magnetization import MagnetizationGrid

        grid = MagnetizationGrid.read(ctx.base / value.file, ctx.comm)
        return grid.in_mesh_units(device.mesh.length_unit)
    return tuple(value)


def problem(ctx: RunContext) -> tuple[Device, Any, dict[str, Any]]:
    """(device, VectorSpinProblem, materials) of a vector case, names checked."""
    from spinfem.vector_problem import VectorSpinProblem

    case = ctx.case
    device, materials, contacts, laws = common.inputs(ctx)
    insulators = _insulators(case)
    _names(ctx, device, insulators)
    common.contact_interface_overlap(device, contacts, laws)
    _field_needs_tau(case, materials)
    field = case.section("field")
    mags = {
        k: _magnetization(ctx, device, v) for k, v in (case.section("magnetization") or {}).items()
    }
    prob = VectorSpinProblem(
        device.mesh,
        materials,
        contacts,
        magnetization=mags,
        interfaces=laws,
        boundaries=insulators,
        field_T=field.tesla() if field is not None else None,
        solver=common.solver_settings(ctx),
    )
    return device, prob, materials


def _observables(case: Any) -> Any:
    from spinfem.case.vector_schema import ObservablesSpec

    return case.section("observables") or ObservablesSpec()


def _torques(sol: Any, obs: Any) -> dict[str, dict[str, Any]]:
    jc = None
    if obs.torque_current_region is not None:
        jc = float(np.linalg.norm(sol.average_current_density(obs.torque_current_region)))
    return sol.torques(current_density_A_per_m2=jc)


def scalars(sol: Any, obs: Any) -> dict[str, float]:
    """Flat observables of one solved state, unit in every name. Collective."""
    from spinfem.sweeps import nonlocal_resistance

    out: dict[str, float] = {}
    if len(sol.contacts) == 2 and sol.contacts[0].current_A != 0:
        out["resistance_ohm"] = sol.resistance()
    if obs.nonlocal_ is not None:
        nl = obs.nonlocal_
        out["R_NL_ohm"] = nonlocal_resistance(nl.injector, nl.detector, nl.reference)(sol)
    for label, ft in obs.four_terminal.items():
        out[f"R_{label}_ohm"] = sol.four_terminal(*ft.current, *ft.voltage)
    if obs.torques:
        for magnet, t in _torques(sol, obs).items():
            out[f"torque_DL_{magnet}_Nm"] = t["damping_like_abs_Nm"]
            out[f"torque_FL_{magnet}_Nm"] = t["field_like_abs_Nm"]
            for key in ("xi_DL", "xi_FL"):
                if key in t:
                    out[f"{key}_{magnet}"] = t[key]
    return out


def smr(prob: Any, spec: Any, materials: dict[str, Any]) -> dict[str, float]:
    """Delta rho_1/rho and (with Hall contacts) Delta rho_2/rho of a film on the insulator
    ``spec.boundary`` (see vector_schema.SmrSpec); the insulator's m is restored."""
    e1, n = np.asarray(spec.current_direction), np.asarray(spec.normal)
    e2 = np.cross(n, e1)
    c0, c1 = spec.current
    before = prob.magnetization.get(spec.boundary)

    def solved(m: Any) -> Any:
        prob.set_magnetization(spec.boundary, tuple(m))
        return prob.solve()

    try:
        R_x = solved(e1).four_terminal(c0, c1, c0, c1)
        R_y = solved(e2).four_terminal(c0, c1, c0, c1)
        out = {
            "R_long_m_current_ohm": R_x,
            "R_long_m_transverse_ohm": R_y,
            "Delta_rho_1_over_rho": (R_x - R_y) / R_y,
        }
        if spec.hall is not None:
            h0, h1 = spec.hall
            Rp = solved(n).four_terminal(c0, c1, h0, h1)
            Rm = solved(-n).four_terminal(c0, c1, h0, h1)
            region = spec.region or next(iter(prob.mesh.regions))
            sigma = materials[region].sigma
            out.update(
                R_hall_m_normal_ohm=Rp,
                R_hall_m_minus_normal_ohm=Rm,
                Delta_rho_2_over_rho=-sigma * spec.thickness * (Rp - Rm) / 2,
            )
    finally:
        if before is not None:
            prob.set_magnetization(spec.boundary, before)
    return out


def _sweep(prob: Any, spec: Any, obs: Any, names: list[str]) -> Any:
    """Run ``[sweep]`` with spinfem.sweeps (progress line on rank 0, bar on a TTY)."""
    import math

    from spinfem.sweeps import angle_sweep, field_sweep, sweep

    cache: dict[str, Any] = {}

    def getter(name: str) -> Any:
        def value(sol: Any) -> float:
            if cache.get("sol") is not sol:
                cache.update(sol=sol, values=scalars(sol, obs))
            return cache["values"][name]

        return value

    observables = {name: getter(name) for name in names}
    if spec.kind == "field":
        return field_sweep(prob, spec.tesla(), observables, direction=spec.direction)
    if spec.region in prob.mesh.regions:
        return angle_sweep(
            prob, spec.region, spec.degrees, observables, start=spec.start, towards=spec.towards
        )
    e1, t = np.asarray(spec.start), np.asarray(spec.towards)  # an insulator boundary
    e2 = t - np.dot(t, e1) * e1
    e2 = e2 / np.linalg.norm(e2)
    before = prob.magnetization.get(spec.region)

    def apply(deg: float) -> None:
        th = math.radians(deg)
        prob.set_magnetization(spec.region, tuple(math.cos(th) * e1 + math.sin(th) * e2))

    try:
        return sweep(
            spec.degrees,
            apply,
            prob.solve,
            observables,
            parameter="angle_deg",
            rank=prob.mesh.comm.rank,
        )
    finally:
        prob.set_magnetization(spec.region, before)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value.tolist() if isinstance(value, np.ndarray) else value


def check(ctx: RunContext) -> dict[str, Any]:
    from spinfem.layout import build_layout

    device, prob, _ = problem(ctx)
    layout = build_layout(device.mesh, prob.interfaces)
    return {
        "device": device,
        "states": ["steady"],
        "blocks": [list(b.regions) for b in layout.blocks],
        "interfaces": {i.name: i.law.kind for i in layout.interfaces},
        "insulators": sorted(prob.boundaries),
    }


def run(ctx: RunContext) -> dict[str, Any]:
    from spinfem.io import write_fields

    case, comm = ctx.case, ctx.comm
    obs = _observables(case)
    device, prob, materials = problem(ctx)
    ctx.progress(0, 1, "solve")
    sol = prob.solve()
    summary = sol.summary()
    values = scalars(sol, obs)
    summary["observables"] = values
    if obs.torques:
        summary["torques"] = _jsonable(_torques(sol, obs))
    if ctx.case.output.fields and ctx.out is not None:
        target = Path(ctx.out) / "steady"
        if comm.rank == 0:
            target.mkdir(parents=True, exist_ok=True)
        comm.Barrier()
        write_fields(sol, target)
    row: dict[str, Any] = {"state": "steady", **values}
    contact_rows = [
        {
            "state": "steady",
            "contact": c.name,
            "voltage_V": c.voltage_V,
            "current_A": c.current_A,
            "spin_current_A": c.spin_current_A,
            **dict(
                zip(("spin_x_A", "spin_y_A", "spin_z_A"), sol.spin_currents_A[c.name], strict=True)
            ),
            "area_m2": c.area_m2,
        }
        for c in sol.contacts
    ]
    profile_rows = []
    for name, a, b, n in common.probe_lines(ctx, device):
        t, pts, length = common.line_points(a, b, n)
        p = sol.probe(pts / device.mesh.length_unit)
        for k in range(n):
            mu = p["mu_s_eV"][k]
            profile_rows.append(
                {
                    "line": name,
                    "state": "steady",
                    "s_m": t[k] * length,
                    "x_m": pts[k, 0],
                    "y_m": pts[k, 1],
                    "z_m": pts[k, 2],
                    "V_volt": float(p["V_V"][k]),
                    "mu_s_x_eV": float(mu[0]),
                    "mu_s_y_eV": float(mu[1]),
                    "mu_s_z_eV": float(mu[2]),
                }
            )
    tables: dict[str, list[dict[str, Any]]] = {
        "contacts": contact_rows,
        "profiles": profile_rows,
    }
    if obs.smr is not None:
        ctx.progress(1, 3, "SMR")
        summary["smr"] = smr(prob, obs.smr, materials)
        row.update(summary["smr"])
    tables["results"] = [row]
    spec = case.section("sweep")
    if spec is not None:
        res = _sweep(prob, spec, obs, list(values))
        summary["sweep"] = {"kind": spec.kind, **res.as_dict()}
        cols = res.as_dict()
        tables["sweep"] = [{k: cols[k][i] for k in cols} for i in range(len(cols[res.parameter]))]
    ctx.progress(1, 1, "done")
    return {"states": {"steady": summary}, "device": device, "tables": tables}


register_model(
    ModelSpec(
        kind="vector",
        description="non-collinear vector spin drift-diffusion, steady: spin Hall effect, "
        "exchange/dephasing, Larmor precession (Hanle), mixing-conductance interfaces, "
        "magnetic-insulator boundaries; field/angle sweeps, nonlocal and four-terminal "
        "resistances, torques, SMR",
        run=run,
        check=check,
        sections=SECTIONS,
        required=("materials", "contacts"),
    )
)
