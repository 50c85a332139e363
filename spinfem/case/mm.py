"""``[model] kind = "mm"``: longitudinal M-m magnet dynamics (Saslow, Sun and Xu 2021) from a
case file, through the :mod:`spinfem.mm` Python API.

Sections (schema in :mod:`spinfem.case.mm_schema`): ``[magnets.<region>]`` (every region of
the mesh is a magnet), ``[boundaries.<facet group>]``, ``[initial]``, and at least one of
``[transient]`` and ``[frequency]``. Mesh: any ``[mesh]`` kind (``box`` for 1D/2D/3D
structured boxes, ``magnet_slab``, ``file``).

Outputs in ``RUN/fields`` (``RUN/fields/<index>`` in a sweep): ``fields.bp`` (VTX: dM, dm
[A/m] at the output times; ``fields_restart<n>.bp`` after the n-th restart),
``scalars.csv`` (every accepted step: t [s], totals [A m^2], free energy [J], ...),
``checkpoint.bp`` (+ ``checkpoint.prev.bp``), ``frequency_<i>.bp`` (VTX phasors of the i-th
omega). Results: ``results.json`` (``transient``: final time, steps, totals;
``frequency``: complex k [1/m], decay length and wavelength [m] per omega) and
``frequency.csv``.

Transient runs are written in place; SIGTERM/SIGINT/SIGUSR1 finish the current step, write
a checkpoint and raise :class:`~spinfem.errors.Interrupted` (exit code 5, the manifest says
``interrupted at t = ... s (checkpoint ...)``); ``--restart latest`` resumes from the
newest intact checkpoint of ``RUN/fields``, ``--restart PATH`` from the checkpoint
``PATH`` (a ``.bp`` directory, or a directory holding ``checkpoint.bp``).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from mpi4py import MPI

from spinfem.case.build import Device, build_device
from spinfem.case.mm_schema import (
    BoundarySpec,
    FrequencySpec,
    InitialSpec,
    MagnetSpec,
    TransientSpec,
)
from spinfem.case.models import ModelSpec, RunContext, register_model
from spinfem.errors import InputError, MeshError
from spinfem.parallel import did_you_mean

__all__ = ["SECTIONS"]

log = logging.getLogger("spinfem")

SECTIONS: dict[str, Any] = {
    "magnets": dict[str, MagnetSpec],
    "boundaries": dict[str, BoundarySpec],
    "initial": InitialSpec,
    "transient": TransientSpec,
    "frequency": FrequencySpec,
}


def _need_a_run(ctx: RunContext) -> None:
    case = ctx.case
    if case.section("transient") is None and case.section("frequency") is None:
        raise InputError(
            "model 'mm' needs [transient] (t_end, ...) or [frequency] (omega = [...]) or both"
        )
    if ctx.restart is not None and case.section("transient") is None:
        raise InputError(
            f"--restart {ctx.restart}: this 'mm' case has no [transient] section (a frequency "
            "run has no time steps to resume)"
        )


def _restart_problem(case: Any) -> str | None:
    if case.section("transient") is None:
        return "this 'mm' case has no [transient] section (a frequency run has no time steps)"
    return None


def _names(ctx: RunContext, device: Device) -> None:
    """Every name of the case exists in the mesh: one MeshError listing all misses."""
    m = device.mesh
    regions, groups = sorted(m.regions), sorted(m.boundaries)
    magnets = ctx.case.section("magnets") or {}
    errors = []
    for name in magnets:
        if name not in m.regions:
            errors.append(
                f"magnets.{name}: unknown region '{name}'{did_you_mean(name, regions)}; regions "
                f"of the mesh: {regions}"
            )
    missing = [r for r in regions if r not in magnets]
    if missing:
        errors.append(
            f"magnets: region(s) without magnet parameters: {missing}; the M-m model needs "
            "[magnets.<region>] for every region"
        )
    for name in ctx.case.section("boundaries") or {}:
        if name not in m.boundaries:
            errors.append(
                f"boundaries.{name}: unknown facet group '{name}'{did_you_mean(name, groups)}; "
                f"facet groups of the mesh: {groups}"
            )
    if errors:
        raise MeshError("; ".join(errors) if len(errors) == 1 else "\n  " + "\n  ".join(errors))


def _problem(ctx: RunContext, dmesh: Any) -> Any:
    from spinfem.mm.problem import MMProblem
    from spinfem.solvers import SolverSettings

    case, s = ctx.case, ctx.case.solver
    settings = SolverSettings(
        direct_max_dofs=s.direct_max_dofs,
        rtol=s.rtol,
        petsc_options=dict(s.petsc_options),
        prefix="spinfem_mm_",
    )
    magnets = {name: spec.params() for name, spec in (case.section("magnets") or {}).items()}
    bcs = {name: b.condition() for name, b in (case.section("boundaries") or {}).items()}
    return MMProblem(dmesh, magnets, bcs, solver=settings)


def check(ctx: RunContext) -> dict[str, Any]:
    _need_a_run(ctx)
    device = build_device(ctx.case.mesh, ctx.base, {}, ctx.comm)
    _names(ctx, device)
    prob = _problem(ctx, device.mesh)
    return {
        "device": device,
        "blocks": [sorted(device.mesh.regions)],
        "interfaces": {},
        "unknowns": 2 * prob.N,
    }


def _restart_source(ctx: RunContext) -> Path:
    assert ctx.out is not None
    if ctx.restart == "latest":
        return Path(ctx.out)
    path = Path(ctx.restart)  # type: ignore[arg-type]
    if not path.is_absolute():
        path = Path.cwd() / path
    return path


def _transient(ctx: RunContext, spec: TransientSpec) -> tuple[Any, dict[str, Any]]:
    from spinfem.mm import checkpoint
    from spinfem.mm.transient import Transient

    out = Path(ctx.out) if ctx.out is not None else None
    kw = spec.kwargs()
    if ctx.restart is not None:
        src = _restart_source(ctx)
        # a .bp path: that checkpoint only (no fallback); a directory: the newest intact one
        reader = checkpoint.read_path if src.suffix == ".bp" else checkpoint.read
        dmesh, state, fM, fm = reader(src, ctx.comm)
        device = Device(dmesh, source={"checkpoint": str(src)})
        _names(ctx, device)
        prob = _problem(ctx, dmesh)
        n = prob.n
        run = Transient(prob, fM.x.array[:n].copy(), fm.x.array[:n].copy(), **kw)
        run.state.update(state)
        run.state["segment"] = state["segment"] + 1
        log.info("M-m restart from %s at t = %.6e s", src, state["t"])
    else:
        device = build_device(ctx.case.mesh, ctx.base, {}, ctx.comm)
        _names(ctx, device)
        prob = _problem(ctx, device.mesh)
        init = ctx.case.section("initial") or InitialSpec()
        unit = device.mesh.length_unit
        run = Transient(prob, init.dM.function(unit), init.dm.function(unit), **kw)
    total = len(run.outputs)

    def step(r: Any) -> None:
        ctx.progress(int(r.state["out_index"]), total, f"t = {r.state['t']:.3e} s")

    res = run.run(out, checkpoint_every=spec.checkpoint_every, keep_states=False, on_step=step)
    log.info(
        "M-m transient: t = %.6e s, %d steps (%d rejected), %d factorizations",
        run.state["t"],
        res.steps,
        res.rejected,
        res.factorizations,
    )
    summary = {
        "t_end_s": run.state["t"],
        "steps": res.steps,
        "rejected": res.rejected,
        "factorizations": res.factorizations,
        "total_M_plus_m_Am2": run.p.total(run.a, run.b),
        "free_energy_J": run.p.free_energy(run.a, run.b),
        "max_abs_dm_A_per_m": float(
            ctx.comm.allreduce(float(abs(run.b).max(initial=0.0)), op=MPI.MAX)
        ),
    }
    return (run.p, device), summary


def _frequency(ctx: RunContext, prob: Any, spec: FrequencySpec) -> list[dict[str, Any]]:
    from spinfem.mm.frequency import solve_frequency

    rows = []
    for i, omega in enumerate(spec.omega):
        ctx.progress(i, len(spec.omega), f"omega = {omega:.3e} rad/s")
        r = solve_frequency(prob, float(omega))
        if ctx.out is not None and ctx.case.output.fields:
            r.write(Path(ctx.out) / f"frequency_{i}.bp")
        row: dict[str, Any] = {"index": i, "omega_rad_per_s": float(omega)}
        try:
            k = r.k()
        except InputError as exc:  # no uniform node planes along x: no fitted k
            if i == 0:
                log.warning("frequency: no wavenumber fitted (%s); phasor fields written", exc)
        else:
            row.update(
                k_re_per_m=k.real,
                k_im_per_m=k.imag,
                decay_length_m=math.inf if k.imag == 0 else 1.0 / k.imag,
                wavelength_m=math.inf if k.real == 0 else 2 * math.pi / abs(k.real),
            )
        _, dm = r.profile()
        row["deltam_at_xmin_re_A_per_m"] = float(dm[0].real)
        row["deltam_at_xmin_im_A_per_m"] = float(dm[0].imag)
        rows.append(row)
    ctx.progress(len(spec.omega), len(spec.omega), "done")
    return rows


def run(ctx: RunContext) -> dict[str, Any]:
    _need_a_run(ctx)
    case = ctx.case
    states: dict[str, Any] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    tspec, fspec = case.section("transient"), case.section("frequency")
    if tspec is not None:
        (prob, device), states["transient"] = _transient(ctx, tspec)
    else:
        device = build_device(case.mesh, ctx.base, {}, ctx.comm)
        _names(ctx, device)
        prob = _problem(ctx, device.mesh)
    if fspec is not None:
        rows = _frequency(ctx, prob, fspec)
        states["frequency"] = {"rows": rows}
        tables["frequency"] = rows
    return {"states": states, "device": device, "tables": tables}


register_model(
    ModelSpec(
        kind="mm",
        description="longitudinal M-m magnet dynamics (Saslow-Sun-Xu): transient TR-BDF2 "
        "with checkpoints/restart, frequency response",
        run=run,
        check=check,
        sections=SECTIONS,
        required=("magnets",),
        transient=True,
        restart_problem=_restart_problem,
    )
)
