"""Case-dict entry point of the M-m solver (for ``spinfem run``).

``run_case(config, out, restart=None)`` with ``config`` a mapping (parsed TOML/JSON)::

    [mesh]  box = {lengths = [8000.0, 400.0], cells = [80, 4]}, length_unit = 1e-9
            # or file = "device.msh", length_unit = 1e-9
    [magnets.magnet]   chi_M = 1e-2, xi = 0.3, r = 1e9, D_m = 1e-3   (MagnetParams)
    [boundaries.xmin]  type = "injected_flux", J = 1e3   [A/s]; or sinusoid =
                       {amplitude, omega, phase}, pulse = {value, t_start, t_stop}
    [boundaries.xmax]  type = "fixed_deltam", value = 0.0   [A/m]   ("zero_flux" too)
    [initial]  dM = 0.0 | {step = {axis = 0, position = 2000.0, left = 1e3, right = 0.0}}
               | {cos = {amplitude = 1.0, k = 1e6, axis = 0}}  (position: mesh units, k: 1/m)
               dm = (same forms)
    [transient]  t_end = 2e-8, rtol = 1e-5, atol = 1e-6, dt0, dt_max, n_outputs = 20 (or
                 output_times = [...]), checkpoint_every = 20   (times in s, atol in A/m)
    [frequency]  omega = [1e8, 1e9]   (rad/s; optional)

Outputs in ``out``: ``fields.bp`` (VTX, dM/dm [A/m]), ``scalars.csv``, ``checkpoint.bp``
(+ ``.prev``), ``frequency.json`` (complex k [1/m], decay length and wavelength [m] per
omega), ``frequency_<i>.bp`` (VTX phasors of dM, dm [A/m] for the i-th omega), ``summary.json``.
``restart``: a directory holding a checkpoint of the same case; the run continues from it.
Errors: :class:`~spinfem.errors.InputError` subclasses naming the key; SIGTERM/SIGINT ->
:class:`~spinfem.mm.transient.Interrupted` (exit code 5).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from mpi4py import MPI

from spinfem.errors import ContactError, InputError
from spinfem.mm.frequency import solve_frequency
from spinfem.mm.params import MagnetParams
from spinfem.mm.problem import MMProblem, box_mesh
from spinfem.mm.sources import Constant, FixedDeltam, InjectedFlux, Pulse, Sinusoid, ZeroFlux
from spinfem.mm.transient import Transient
from spinfem.parallel import did_you_mean

__all__ = ["run_case"]

_TOP = {"mesh", "magnets", "boundaries", "initial", "transient", "frequency"}
_TRANSIENT = {
    "t_end",
    "t0",
    "rtol",
    "atol",
    "dt0",
    "dt_min",
    "dt_max",
    "n_outputs",
    "output_times",
    "checkpoint_every",
}


def _keys(where: str, data: Any, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InputError(f"[{where}] must be a table, got {data!r}")
    for key in data:
        if key not in allowed:
            raise InputError(
                f"unknown key '{key}' in [{where}]{did_you_mean(key, allowed)}; "
                f"allowed: {sorted(allowed)}"
            )
    return data


def _mesh(cfg: Mapping[str, Any], comm: MPI.Comm) -> Any:
    cfg = _keys("mesh", cfg, {"box", "file", "length_unit", "depth"})
    if "length_unit" not in cfg:
        raise InputError("[mesh] needs 'length_unit' [m per mesh coordinate unit]")
    if "box" in cfg:
        box = _keys("mesh.box", cfg["box"], {"lengths", "cells"})
        return box_mesh(
            tuple(box["lengths"]), tuple(box["cells"]), length_unit=cfg["length_unit"], comm=comm
        )
    if "file" in cfg:
        from spinfem.mesh import from_msh

        return from_msh(
            cfg["file"], length_unit=cfg["length_unit"], comm=comm, depth=cfg.get("depth", 1.0)
        )
    raise InputError("[mesh] needs 'box' or 'file'")


def _boundary(name: str, cfg: Mapping[str, Any]) -> Any:
    where = f"boundaries.{name}"
    cfg = _keys(where, cfg, {"type", "J", "sinusoid", "pulse", "value"})
    kind = cfg.get("type")
    if kind == "zero_flux":
        return ZeroFlux()
    if kind == "fixed_deltam":
        return FixedDeltam(cfg.get("value", 0.0))
    if kind == "injected_flux":
        if "sinusoid" in cfg:
            s = _keys(f"{where}.sinusoid", cfg["sinusoid"], {"amplitude", "omega", "phase"})
            return InjectedFlux(Sinusoid(**s))
        if "pulse" in cfg:
            return InjectedFlux(
                Pulse(**_keys(f"{where}.pulse", cfg["pulse"], {"value", "t_start", "t_stop"}))
            )
        if "J" in cfg:
            return InjectedFlux(Constant(cfg["J"]))
        raise ContactError(f"[{where}] injected_flux needs 'J' [A/s], 'sinusoid' or 'pulse'")
    kinds = ["zero_flux", "injected_flux", "fixed_deltam"]
    raise ContactError(
        f"[{where}] 'type' = {kind!r}{did_you_mean(str(kind), kinds)}; one of {kinds}"
    )


def _initial(name: str, cfg: Any) -> Any:
    if isinstance(cfg, (int, float)) and not isinstance(cfg, bool):
        return float(cfg)
    cfg = _keys(f"initial.{name}", cfg, {"step", "cos"})
    if "step" in cfg:
        s = _keys(f"initial.{name}.step", cfg["step"], {"axis", "position", "left", "right"})
        ax, pos, lv, rv = (
            int(s.get("axis", 0)),
            float(s["position"]),
            float(s["left"]),
            float(s["right"]),
        )
        return lambda x: np.where(x[ax] < pos, lv, rv)
    if "cos" in cfg:
        c = _keys(f"initial.{name}.cos", cfg["cos"], {"amplitude", "k", "axis"})
        return ("cos", float(c["amplitude"]), float(c["k"]), int(c.get("axis", 0)))
    raise InputError(f"[initial.{name}] needs a number, 'step' or 'cos'")


def _resolve(init: Any, unit: float) -> Any:
    if isinstance(init, tuple):
        _, amp, k, ax = init
        return lambda x: amp * np.cos(k * x[ax] * unit)
    return init


def run_case(
    config: Mapping[str, Any],
    out: Path | str,
    restart: str | Path | None = None,
    *,
    comm: MPI.Comm = MPI.COMM_WORLD,
    on_step: Callable[[Transient], None] | None = None,
) -> dict[str, Any]:
    """Run an M-m case (see the module docstring); returns the summary written to
    ``out/summary.json``."""
    config = _keys("M-m case", config, _TOP)
    for key in ("mesh", "magnets"):
        if key not in config:
            raise InputError(f"the M-m case needs a [{key}] table")
    magnets = {
        name: MagnetParams.from_mapping(v, where=f"magnets.{name}")
        for name, v in _keys("magnets", config["magnets"], set(config["magnets"])).items()
    }
    bcs = {name: _boundary(name, v) for name, v in dict(config.get("boundaries", {})).items()}
    init = _keys("initial", config.get("initial", {}), {"dM", "dm"})
    dM0, dm0 = _initial("dM", init.get("dM", 0.0)), _initial("dm", init.get("dm", 0.0))
    tcfg = dict(_keys("transient", config.get("transient", {}), _TRANSIENT))
    fcfg = _keys("frequency", config.get("frequency", {}), {"omega"})
    out = Path(out)
    if comm.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    comm.barrier()

    def make_problem(dmesh: Any) -> MMProblem:
        return MMProblem(dmesh, magnets, bcs)

    summary: dict[str, Any] = {}
    if tcfg:
        if "t_end" not in tcfg:
            raise InputError("[transient] needs 't_end' [s]")
        every = int(tcfg.pop("checkpoint_every", 0))
        n_out = tcfg.pop("n_outputs", None)
        if n_out is not None:
            t0 = float(tcfg.get("t0", 0.0))
            tcfg["output_times"] = np.linspace(t0, tcfg["t_end"], int(n_out) + 1)[1:]
        if restart is not None:
            run = Transient.resume(Path(restart), make_problem, **tcfg)
        else:
            prob = make_problem(_mesh(config["mesh"], comm))
            unit = prob.dmesh.length_unit
            run = Transient(prob, _resolve(dM0, unit), _resolve(dm0, unit), **tcfg)
        res = run.run(out, checkpoint_every=every, keep_states=False, on_step=on_step)
        summary["transient"] = {
            "t_end_s": run.state["t"],
            "steps": res.steps,
            "rejected": res.rejected,
            "factorizations": res.factorizations,
            "total_M_plus_m_Am2": run.p.total(run.a, run.b),
            "free_energy_J": run.p.free_energy(run.a, run.b),
        }
        prob = run.p
    elif fcfg:
        prob = make_problem(_mesh(config["mesh"], comm))
    if fcfg:
        rows = []
        omegas = np.atleast_1d(np.asarray(fcfg.get("omega", []), dtype=float))
        if omegas.size == 0:
            raise InputError("[frequency] needs 'omega' [rad/s] (a number or a list)")
        for i, omega in enumerate(omegas):
            r = solve_frequency(prob, float(omega))
            r.write(out / f"frequency_{i}.bp")
            k = r.k()
            rows.append(
                {
                    "omega_rad_per_s": float(omega),
                    "k_re_per_m": k.real,
                    "k_im_per_m": k.imag,
                    "decay_length_m": math.inf if k.imag == 0 else 1 / k.imag,
                    "wavelength_m": math.inf if k.real == 0 else 2 * math.pi / abs(k.real),
                }
            )
        summary["frequency"] = rows
    if comm.rank == 0:
        (out / "summary.json").write_text(json.dumps(summary, indent=2))
        if fcfg:
            (out / "frequency.json").write_text(json.dumps(summary["frequency"], indent=2))
    return summary
