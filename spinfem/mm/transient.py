"""Adaptive implicit time stepping of the M-m model: TR-BDF2 with an embedded error estimate.

Scheme (Bank et al. 1985; Hosea & Shampine 1996), gamma = 2 - sqrt(2), d = gamma/2,
theta = d h. For ``M y' = -A y + F(t)`` with lumped M:

    stage 1 (trapezoid to t + gamma h): (M + theta A) y_g = M y_n + theta M f_n + theta F(t_g)
    stage 2 (BDF2 to t + h):            (M + theta A) y_1 = M (c_g y_g + c_n y_n) + theta F(t_1)

with c_g = 1/(gamma (2 - gamma)), c_n = 1 - c_g. Both stages use the SAME operator, so one
factorization (per step size) serves both; :class:`~spinfem.mm.problem.StageSolver` eliminates
dM node by node. The scheme is L-stable and second order.

Error: the local error C h^3 y''' with C = (-3 gamma^2 + 4 gamma - 2)/(12 (2 - gamma)) is
estimated from the divided difference of f at t_n, t_g, t_1, then filtered by
(M + theta A)^{-1} M (Hosea-Shampine, avoids overestimating stiff components). Weighted RMS
norm with w = atol + rtol max(|y_n|, |y_1|) over dM and dm. Accept if err <= 1; the new step is
h * clip(0.9 err^(-1/3), 0.2, 5); an accepted step keeps h when that factor lies in [1, 1.5)
so the factorization is reused (three factorizations are cached by step size, which covers
steps shortened to hit output times). First step: 0.01 ||y0||_w/||f0||_w (Hairer-Wanner), or
1e-6 (t_end - t0) if either norm vanishes; below ``dt_min`` (default 1e-12 (t_end - t0)) the run
stops with SolverError.
"""

from __future__ import annotations

import csv
import math
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem
from mpi4py import MPI

from spinfem.errors import InputError, Interrupted, SolverError
from spinfem.mm import checkpoint
from spinfem.mm.problem import MMProblem, StageSolver

__all__ = ["Interrupted", "Transient", "TransientResult"]

GAMMA = 2.0 - math.sqrt(2.0)
D = GAMMA / 2.0
C_G = 1.0 / (GAMMA * (2.0 - GAMMA))
C_N = 1.0 - C_G
C_ERR = (-3.0 * GAMMA**2 + 4.0 * GAMMA - 2.0) / (12.0 * (2.0 - GAMMA))

CSV_COLUMNS = [
    "t_s",
    "dt_s",
    "total_M_plus_m_Am2",
    "total_dM_Am2",
    "total_dm_Am2",
    "free_energy_J",
    "injection_rate_Am2_per_s",
    "max_abs_dm_A_per_m",
]


@dataclass
class TransientResult:
    """Output times [s], states at them (owned dof arrays [A/m]) and counters."""

    times: list[float] = field(default_factory=list)
    dM: list[np.ndarray] = field(default_factory=list)
    dm: list[np.ndarray] = field(default_factory=list)
    steps: int = 0
    rejected: int = 0
    factorizations: int = 0


def _check_pos(name: str, value: Any, unit: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"'{name}' [{unit}] must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(f"'{name}' [{unit}] must be positive, got {value!r}")
    return float(value)


class Transient:
    """A transient run of ``problem`` from ``dM0``, ``dm0`` [A/m] (arrays of owned dofs,
    callables f(x) of mesh coordinates, or numbers) over [t0, t_end] [s].

    Args:
        rtol: relative tolerance [1]; atol: absolute tolerance [A/m].
        dt0: first step [s] (> 0; default: estimated); dt_min, dt_max: step bounds [s].
        output_times: times [s] at which states are stored/written (steps land on them);
            t_end is always one.
    """

    def __init__(
        self,
        problem: MMProblem,
        dM0: Any = 0.0,
        dm0: Any = 0.0,
        *,
        t_end: float,
        t0: float = 0.0,
        rtol: float = 1e-5,
        atol: float = 1e-6,
        dt0: float | None = None,
        dt_min: float | None = None,
        dt_max: float = math.inf,
        output_times: Any = None,
    ) -> None:
        self.p = problem
        _check_pos("t_end - t0", t_end - t0, "s")
        self.t0, self.t_end = float(t0), float(t_end)
        self.rtol = _check_pos("rtol", rtol, "1")
        self.atol = _check_pos("atol", atol, "A/m")
        if dt0 is not None:
            _check_pos("dt", dt0, "s")
        self.dt0 = dt0
        self.dt_min = (
            _check_pos("dt_min", dt_min, "s") if dt_min is not None else 1e-12 * (t_end - t0)
        )
        self.dt_max = dt_max if math.isinf(dt_max) else _check_pos("dt_max", dt_max, "s")
        outs = np.asarray([] if output_times is None else output_times, dtype=float)
        outs = outs[(outs > self.t0) & (outs < self.t_end)]
        self.outputs = np.unique(np.append(outs, self.t_end))
        self.x = problem.V.tabulate_dof_coordinates()[: problem.n]
        self.a = self._initial(dM0, "dM0")
        self.b = self._initial(dm0, "dm0")
        self.state = {
            "t": self.t0,
            "h": 0.0,
            "steps": 0,
            "rejected": 0,
            "out_index": 0,
            "segment": 0,
        }
        self._solvers: OrderedDict[float, StageSolver] = OrderedDict()
        self.factorizations = 0
        self._stop = False

    def _initial(self, v: Any, name: str) -> np.ndarray:
        if isinstance(v, np.ndarray):
            if v.shape != (self.p.n,):
                raise InputError(
                    f"'{name}' [A/m]: expected {self.p.n} owned dof values, got {v.shape}"
                )
            return v.astype(float).copy()
        if callable(v):
            return np.asarray(v(self.x.T), dtype=float).reshape(-1).copy()
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"'{name}' [A/m] must be a number, an array or a callable, got {v!r}")
        return np.full(self.p.n, float(v))

    # ---------------------------------------------------------------- numerics
    def _solver(self, theta: float) -> StageSolver:
        s = self._solvers.get(theta)
        if s is None:
            s = StageSolver(self.p, theta)
            self.factorizations += 1
            self._solvers[theta] = s
            if len(self._solvers) > 3:
                _, old = self._solvers.popitem(last=False)
                old.destroy()
        else:
            self._solvers.move_to_end(theta)
        return s

    def _norm(self, ea: np.ndarray, eb: np.ndarray, ya: np.ndarray, yb: np.ndarray) -> float:
        wa = self.atol + self.rtol * np.abs(ya)
        wb = self.atol + self.rtol * np.abs(yb)
        loc = float(np.sum((ea / wa) ** 2) + np.sum((eb / wb) ** 2))
        tot = self.p.dmesh.comm.allreduce(loc, op=MPI.SUM)
        return math.sqrt(tot / (2 * self.p.N))

    def step(self, h: float) -> tuple[float, np.ndarray, np.ndarray]:
        """One TR-BDF2 step of size h [s] from the current state: (err, a1, b1)."""
        p, t, a, b = self.p, self.state["t"], self.a, self.b
        th = D * h
        S = self._solver(th)
        tg, t1 = t + GAMMA * h, t + h
        fa0, fb0 = p.rhs(a, b, t)
        fixed_g = p.fixed_values(tg) if p.fixed.size else None
        ag, bg = S.solve(p.mL * (a + th * fa0), p.mL * (b + th * fb0) + th * p.forcing(tg), fixed_g)
        fixed_1 = p.fixed_values(t1) if p.fixed.size else None
        a1, b1 = S.solve(
            p.mL * (C_G * ag + C_N * a), p.mL * (C_G * bg + C_N * b) + th * p.forcing(t1), fixed_1
        )
        fag, fbg = p.rhs(ag, bg, tg)
        fa1, fb1 = p.rhs(a1, b1, t1)
        k = 2.0 * h * C_ERR
        ea = k * (fa0 / GAMMA - fag / (GAMMA * (1 - GAMMA)) + fa1 / (1 - GAMMA))
        eb = k * (fb0 / GAMMA - fbg / (GAMMA * (1 - GAMMA)) + fb1 / (1 - GAMMA))
        ea, eb = S.solve(p.mL * ea, p.mL * eb, None)
        err = self._norm(
            ea, eb, np.maximum(np.abs(a), np.abs(a1)), np.maximum(np.abs(b), np.abs(b1))
        )
        return err, a1, b1

    def _first_step(self) -> float:
        if self.dt0 is not None:
            return self.dt0
        fa, fb = self.p.rhs(self.a, self.b, self.t0)
        w = np.concatenate(
            [self.atol + self.rtol * np.abs(self.a), self.atol + self.rtol * np.abs(self.b)]
        )
        comm = self.p.dmesh.comm
        d0 = math.sqrt(
            comm.allreduce(float(np.sum((np.concatenate([self.a, self.b]) / w) ** 2)), op=MPI.SUM)
            / (2 * self.p.N)
        )
        d1 = math.sqrt(
            comm.allreduce(float(np.sum((np.concatenate([fa, fb]) / w) ** 2)), op=MPI.SUM)
            / (2 * self.p.N)
        )
        span = self.t_end - self.t0
        h = 0.01 * d0 / d1 if d0 > 1e-5 and d1 > 1e-5 else 1e-6 * span
        return min(h, span, self.dt_max)

    # ---------------------------------------------------------------- outputs
    def _open_outputs(self, out: Path | None) -> None:
        self._vtx = None
        self._csv = None
        if out is None:
            return
        V = self.p.V
        self._fM, self._fm = fem.Function(V, name="dM_A_per_m"), fem.Function(V, name="dm_A_per_m")
        from dolfinx.io import VTXWriter

        seg = int(self.state["segment"])
        name = "fields.bp" if seg == 0 else f"fields_restart{seg}.bp"
        self._vtx = VTXWriter(
            self.p.dmesh.comm, str(out / name), [self._fM, self._fm], engine="BP4"
        )
        if self.p.dmesh.comm.rank == 0:
            path = out / "scalars.csv"
            rows = []
            if seg > 0 and path.exists():  # drop rows written after the checkpoint
                with open(path, newline="") as fh:
                    rows = [r for r in csv.reader(fh)][1:]
                rows = [r for r in rows if float(r[0]) <= self.state["t"] * (1 + 1e-14)]
            self._csv = open(path, "w", newline="")  # noqa: SIM115 (closed in _close_outputs)
            w = csv.writer(self._csv)
            w.writerow(CSV_COLUMNS)
            w.writerows(rows)
            self._csv.flush()

    def _set_functions(self) -> None:
        n = self.p.n
        for f, arr in ((self._fM, self.a), (self._fm, self.b)):
            f.x.array[:n] = arr
            f.x.scatter_forward()

    def _write_row(self, h: float) -> None:
        p, t = self.p, self.state["t"]
        comm = p.dmesh.comm
        tot_a = comm.allreduce(float(p.mL @ self.a), op=MPI.SUM)
        tot_b = comm.allreduce(float(p.mL @ self.b), op=MPI.SUM)
        mx = comm.allreduce(float(np.max(np.abs(self.b), initial=0.0)), op=MPI.MAX)
        row = [t, h, tot_a + tot_b, tot_a, tot_b, p.free_energy(self.a, self.b), p.injected(t), mx]
        if self._csv is not None:
            csv.writer(self._csv).writerow([repr(float(v)) for v in row])
            self._csv.flush()

    def _close_outputs(self) -> None:
        if self._vtx is not None:
            self._vtx.close()
            self._vtx = None
        if self._csv is not None:
            self._csv.close()
            self._csv = None

    def write_checkpoint(self, out: Path) -> None:
        self._set_functions()
        checkpoint.write(out, self.p.dmesh, self._fM, self._fm, self.state)

    # ---------------------------------------------------------------- driver
    def run(
        self,
        out: Path | str | None = None,
        *,
        checkpoint_every: int = 0,
        keep_states: bool = True,
        on_step: Callable[[Transient], None] | None = None,
    ) -> TransientResult:
        """Integrate to t_end. With ``out``: VTX ``fields.bp`` (dM, dm [A/m] at output times),
        ``scalars.csv`` (every accepted step) and checkpoints every ``checkpoint_every``
        accepted steps and at the end. SIGTERM/SIGINT: finish the step, checkpoint, close the
        outputs, raise :class:`Interrupted` (exit code 5)."""
        outp = Path(out) if out is not None else None
        res = TransientResult()
        self._open_outputs(outp)
        handlers = self._install_signals()
        try:
            if self.state["h"] <= 0:
                self.state["h"] = self._first_step()
                if outp is not None:
                    self._set_functions()
                    self._vtx.write(self.state["t"])
                    self._write_row(0.0)
            self._loop(outp, res, checkpoint_every, keep_states, on_step)
            if outp is not None:
                self.write_checkpoint(outp)
        finally:
            self._close_outputs()
            self._restore_signals(handlers)
        res.steps, res.rejected = int(self.state["steps"]), int(self.state["rejected"])
        res.factorizations = self.factorizations
        return res

    def _loop(
        self, outp: Path | None, res: TransientResult, every: int, keep: bool, on_step: Any
    ) -> None:
        st = self.state
        comm = self.p.dmesh.comm
        while st["out_index"] < len(self.outputs):
            target = float(self.outputs[int(st["out_index"])])
            h_nom = min(st["h"], self.dt_max)
            h = h_nom
            clipped = st["t"] + h >= target - 1e-12 * (self.t_end - self.t0)
            if clipped:
                h = target - st["t"]
            err, a1, b1 = self.step(h)
            fac = min(5.0, max(0.2, 0.9 * (err if err > 0 else 1e-10) ** (-1.0 / 3.0)))
            if not math.isfinite(err) or err > 1.0:
                st["rejected"] += 1
                st["h"] = h * (fac if math.isfinite(err) else 0.2)
                if st["h"] < self.dt_min:
                    raise SolverError(
                        f"M-m time step {st['h']:.3e} s fell below dt_min = {self.dt_min:.3e} s at "
                        f"t = {st['t']:.6e} s (error norm {err:.3e}); loosen rtol/atol"
                    )
                continue
            st["t"] = target if clipped else st["t"] + h
            self.a, self.b = a1, b1
            st["steps"] += 1
            if clipped:
                st["h"] = min(h_nom, h * fac) if fac < 1 else h_nom
            elif not (1.0 <= fac < 1.5):
                st["h"] = h * fac
            if outp is not None:
                self._write_row(h)
            if clipped:
                st["out_index"] += 1
                if keep:
                    res.times.append(st["t"])
                    res.dM.append(self.a.copy())
                    res.dm.append(self.b.copy())
                if outp is not None:
                    self._set_functions()
                    self._vtx.write(st["t"])
            if on_step is not None:
                on_step(self)
            stop = comm.allreduce(1 if self._stop else 0, op=MPI.MAX)
            if outp is not None and (stop or (every and st["steps"] % every == 0)):
                self.write_checkpoint(outp)
            if stop:
                raise Interrupted(
                    f"interrupted at t = {st['t']:.6e} s after {int(st['steps'])} steps "
                    f"(checkpoint {outp / checkpoint.NAMES[0]})"
                    if outp
                    else "interrupted (no output directory)"
                )

    def _install_signals(self) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return None

        def handler(signum: int, frame: Any) -> None:
            self._stop = True

        sigs = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)
        return {s: signal.signal(s, handler) for s in sigs}

    def _restore_signals(self, handlers: Any) -> None:
        if handlers:
            for s, h in handlers.items():
                signal.signal(s, h)

    # ---------------------------------------------------------------- restart
    @classmethod
    def resume(
        cls, directory: Path | str, make_problem: Callable[[Any], MMProblem], **kwargs: Any
    ) -> Transient:
        """Continue from the newest checkpoint in ``directory``: ``make_problem(dmesh)`` rebuilds
        the problem on the checkpoint's mesh; ``kwargs`` as for the constructor (same t_end,
        tolerances and output times as the interrupted run give the same result)."""
        dmesh, state, fM, fm = checkpoint.read(Path(directory))
        prob = make_problem(dmesh)
        n = prob.n
        run = cls(prob, fM.x.array[:n].copy(), fm.x.array[:n].copy(), **kwargs)
        run.state.update(state)
        run.state["segment"] = state["segment"] + 1
        return run
