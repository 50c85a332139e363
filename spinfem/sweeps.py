"""Parameter sweeps: run one problem over a list of values and collect observables.

A sweep changes the problem in place (field, magnetization of a region, or anything an
``apply`` callable does), solves, evaluates named observables on the solution and
returns arrays. :class:`~spinfem.vector_problem.VectorSpinProblem` compiles its forms once:
``set_field`` and ``set_magnetization`` only change values, so every point after the first
re-assembles without re-compiling, and :func:`field_sweep` / :func:`angle_sweep` keep
the previous point's AMG hierarchy as the preconditioner of the next point while GMRES
converges within ``solvers.REUSE_MAX_IT`` iterations (rebuilt otherwise; LU-sized
problems are refactorised: :class:`~spinfem.solvers.PreconditionerReuse`). The problem's
field/magnetization is restored after :func:`field_sweep` and :func:`angle_sweep`.

Progress: one INFO line per point on rank 0 (logger ``spinfem``), and a progress bar on
rank 0 only when its standard error is a terminal.

Observable names carry their unit (``R_NL_ohm``, ``V_det_V``); the swept parameter is
``field_T`` (applied B [T]) or ``angle_deg`` (rotation angle [degree]).

Example (Hanle)::

    from spinfem.sweeps import field_sweep, nonlocal_resistance
    hanle = field_sweep(problem, np.linspace(-0.2, 0.2, 41), direction=(0, 0, 1),
                        observables={"R_NL_ohm": nonlocal_resistance(
                            "injector_end", "detector_end", "channel_right")})
    hanle.values, hanle["R_NL_ohm"]
"""

from __future__ import annotations

import inspect
import logging
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spinfem.errors import InputError
from spinfem.solvers import PreconditionerReuse

__all__ = [
    "SweepResult",
    "angle_sweep",
    "contact_voltage",
    "field_sweep",
    "nonlocal_resistance",
    "sweep",
]

log = logging.getLogger("spinfem")

Observable = Callable[[Any], float]


def nonlocal_resistance(injector: str, detector: str, reference: str) -> Observable:
    """Observable R_NL = (V_detector - V_reference)/I_injector [Ohm], from the contact
    voltages [V] and the current [A] entering at ``injector`` of a solved state (the
    detector and reference contacts should be floating: current 0)."""
    for key, val in (("injector", injector), ("detector", detector), ("reference", reference)):
        if not isinstance(val, str) or not val:
            raise InputError(f"nonlocal_resistance: '{key}' must be a contact name, got {val!r}")

    def r_nl(sol: Any) -> float:
        i = sol.contact(injector).current_A
        if i == 0:
            raise InputError(f"nonlocal_resistance: no current [A] enters at contact '{injector}'")
        return (sol.contact(detector).voltage_V - sol.contact(reference).voltage_V) / i

    return r_nl


def contact_voltage(name: str) -> Observable:
    """Observable: the potential of contact ``name`` [V]."""
    return lambda sol: sol.contact(name).voltage_V


@dataclass(frozen=True)
class SweepResult:
    """Values of the swept parameter and of each observable (arrays of equal length).

    Attributes:
        parameter: name of the swept parameter with its unit (``field_T``, ``angle_deg``).
        values: the parameter values.
        observables: observable name (with unit) -> array of values.
    """

    parameter: str
    values: np.ndarray
    observables: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        if name == self.parameter:
            return self.values
        if name not in self.observables:
            raise KeyError(f"no observable '{name}'; have {[self.parameter, *self.observables]}")
        return self.observables[name]

    def as_dict(self) -> dict[str, list[float]]:
        """JSON-ready columns: the parameter, then every observable."""
        out = {self.parameter: self.values.tolist()}
        out.update({k: v.tolist() for k, v in self.observables.items()})
        return out


def _values(values: Sequence[float] | np.ndarray, unit: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InputError(f"sweep values [{unit}] must be numbers, got {values!r}") from exc
    if arr.size == 0:
        raise InputError(f"sweep values [{unit}]: need at least one value")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"sweep values [{unit}] must be finite, got {arr.tolist()}")
    return arr


def _check_observables(observables: Mapping[str, Observable]) -> None:
    if not observables:
        raise InputError("sweep: give at least one observable (name with unit -> callable)")
    for name, fn in observables.items():
        if not isinstance(name, str) or not name:
            raise InputError(f"sweep: observable names must be non-empty strings, got {name!r}")
        if not callable(fn):
            raise InputError(f"sweep: observable '{name}' must be a callable(solution) -> float")


class _Progress:
    """A text progress bar on rank 0 when stderr is a terminal."""

    def __init__(self, n: int, rank: int, enabled: bool | None) -> None:
        tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.on = rank == 0 and (tty if enabled is None else bool(enabled) and tty)
        self.n = n

    def update(self, k: int) -> None:
        if not self.on:
            return
        width = 30
        done = int(width * k / self.n)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {k}/{self.n}")
        if k == self.n:
            sys.stderr.write("\n")
        sys.stderr.flush()


def sweep(
    values: Sequence[float] | np.ndarray,
    apply: Callable[[float], None],
    solve: Callable[[], Any],
    observables: Mapping[str, Observable],
    *,
    parameter: str,
    rank: int = 0,
    progress: bool | None = None,
) -> SweepResult:
    """Generic sweep: for each value, ``apply(value)``, ``solution = solve()``, evaluate
    every observable on the solution.

    Args:
        values: parameter values (unit given by ``parameter``'s suffix).
        apply: changes the problem for one value.
        solve: returns a solved state (collective on every rank).
        observables: name (with unit, e.g. ``R_NL_ohm``) -> callable(solution) -> float.
        parameter: name of the parameter with its unit (e.g. ``field_T``).
        rank: MPI rank of this process (progress output only on rank 0).
        progress: progress bar (default: only if stderr is a terminal).
    """
    if not isinstance(parameter, str) or not parameter:
        raise InputError(f"sweep: 'parameter' must be a name with its unit, got {parameter!r}")
    arr = _values(values, parameter)
    _check_observables(observables)
    out = {name: np.zeros(arr.size) for name in observables}
    bar = _Progress(arr.size, rank, progress)
    for k, value in enumerate(arr):
        apply(float(value))
        sol = solve()
        for name, fn in observables.items():
            out[name][k] = float(fn(sol))
        if rank == 0:
            shown = " ".join(f"{name}={out[name][k]:.6g}" for name in observables)
            log.info(
                "sweep %s: point %d/%d %s=%.6g %s",
                parameter,
                k + 1,
                arr.size,
                parameter,
                value,
                shown,
            )
        bar.update(k + 1)
    return SweepResult(parameter=parameter, values=arr, observables=out)


def _unit(what: str, v: Sequence[float]) -> np.ndarray:
    try:
        arr = np.asarray(v, dtype=float).reshape(3)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be a 3-vector, got {v!r}") from exc
    norm = float(np.linalg.norm(arr))
    if not math.isfinite(norm) or norm < 1e-12:
        raise InputError(f"{what} must be a finite non-zero 3-vector, got {v!r}")
    return arr / norm


def _solve_reusing(problem: Any, reuse: Any) -> Callable[[], Any]:
    """``problem.solve`` carrying the preconditioner between points where it can."""
    if "reuse" in inspect.signature(problem.solve).parameters:
        return lambda: problem.solve(reuse=reuse)
    return problem.solve


def _rank(problem: Any) -> int:
    try:
        return int(problem.mesh.comm.rank)
    except AttributeError:
        return 0


def field_sweep(
    problem: Any,
    fields_T: Sequence[float] | np.ndarray,
    observables: Mapping[str, Observable],
    *,
    direction: Sequence[float] = (0.0, 0.0, 1.0),
    progress: bool | None = None,
) -> SweepResult:
    """Hanle-type sweep: B = value * direction for each value [T] (``problem.set_field``).

    Args:
        problem: a problem with ``set_field(field_T)`` and ``solve()`` (e.g.
            :class:`~spinfem.vector_problem.VectorSpinProblem`); its field is restored after.
        fields_T: field magnitudes along ``direction`` [T] (signed).
        observables: name (with unit) -> callable(solution) -> float.
        direction: direction of B (normalised) [1].
    """
    if not hasattr(problem, "set_field"):
        raise InputError(
            f"field_sweep needs a problem with set_field (the vector spin model), got "
            f"{type(problem).__name__}"
        )
    axis = _unit("field_sweep: 'direction'", direction)
    before = np.array(problem.field_T, dtype=float)
    reuse = PreconditionerReuse()
    try:
        return sweep(
            fields_T,
            lambda b: problem.set_field(b * axis),
            _solve_reusing(problem, reuse),
            observables,
            parameter="field_T",
            rank=_rank(problem),
            progress=progress,
        )
    finally:
        reuse.close()
        problem.set_field(before)


def angle_sweep(
    problem: Any,
    region: str,
    angles_deg: Sequence[float] | np.ndarray,
    observables: Mapping[str, Observable],
    *,
    start: Sequence[float] = (1.0, 0.0, 0.0),
    towards: Sequence[float] = (0.0, 1.0, 0.0),
    progress: bool | None = None,
) -> SweepResult:
    """Rotate the magnetization of ``region``: m(theta) = cos(theta) e1 + sin(theta) e2,
    e1 = ``start``, e2 = the part of ``towards`` normal to e1 (both normalised).

    Args:
        problem: a problem with ``set_magnetization(region, m)`` and ``solve()``; a uniform
            magnetization of the region is restored after.
        region: region name (gmsh physical group).
        angles_deg: rotation angles theta [degree].
        observables: name (with unit) -> callable(solution) -> float.
    """
    if not hasattr(problem, "set_magnetization"):
        raise InputError(
            f"angle_sweep needs a problem with set_magnetization (the vector spin model), got "
            f"{type(problem).__name__}"
        )
    if region not in problem.mesh.regions:
        problem.mesh.region_tag(region, what="region in angle_sweep")
    e1 = _unit("angle_sweep: 'start'", start)
    t = np.asarray(towards, dtype=float).reshape(-1)
    e2 = _unit("angle_sweep: 'towards' (normal to 'start')", t - np.dot(t, e1) * e1)
    before = problem.magnetization.get(region)

    def apply(deg: float) -> None:
        th = math.radians(deg)
        problem.set_magnetization(region, math.cos(th) * e1 + math.sin(th) * e2)

    reuse = PreconditionerReuse()
    try:
        return sweep(
            angles_deg,
            apply,
            _solve_reusing(problem, reuse),
            observables,
            parameter="angle_deg",
            rank=_rank(problem),
            progress=progress,
        )
    finally:
        reuse.close()
        if isinstance(before, tuple):
            problem.set_magnetization(region, before)
