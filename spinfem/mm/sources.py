"""Boundary conditions of the M-m model and time dependence of injected fluxes.

The injected flux ``J`` is the spin-accumulation flux INTO the magnet through a
boundary, ``J = -j_m . n_out = D_m d(deltam)/dn_out`` with ``j_m = -D_m grad(deltam)``;
unit A/s (= (A/m) * (m/s): magnetization density times velocity). ``J > 0`` raises dm.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spinfem.errors import ContactError

__all__ = [
    "Constant",
    "FixedDeltam",
    "InjectedFlux",
    "Pulse",
    "Sinusoid",
    "ZeroFlux",
    "as_source",
]


def _finite(name: str, value: Any, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ContactError(f"'{name}' [{unit}] must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Constant:
    """J(t) = value [A/s]."""

    value: float

    def __post_init__(self) -> None:
        _finite("value", self.value, "A/s")

    def __call__(self, t: float) -> float:
        return self.value

    def phasor(self) -> complex:
        return complex(self.value)


@dataclass(frozen=True)
class Pulse:
    """J(t) = value [A/s] for t_start <= t < t_stop [s], else 0."""

    value: float
    t_start: float
    t_stop: float

    def __post_init__(self) -> None:
        _finite("value", self.value, "A/s")
        if _finite("t_stop", self.t_stop, "s") <= _finite("t_start", self.t_start, "s"):
            raise ContactError(
                f"pulse: 't_stop' [s] = {self.t_stop} must exceed 't_start' = {self.t_start}"
            )

    def __call__(self, t: float) -> float:
        return self.value if self.t_start <= t < self.t_stop else 0.0

    def phasor(self) -> complex:
        raise ContactError("a pulse has no single-frequency phasor: use Sinusoid or Constant")


@dataclass(frozen=True)
class Sinusoid:
    """J(t) = amplitude cos(omega t - phase) = Re[amplitude e^{i phase} e^{-i omega t}].

    amplitude [A/s], omega [rad/s] (> 0), phase [rad]."""

    amplitude: float
    omega: float
    phase: float = 0.0

    def __post_init__(self) -> None:
        _finite("amplitude", self.amplitude, "A/s")
        _finite("phase", self.phase, "rad")
        if _finite("omega", self.omega, "rad/s") <= 0:
            raise ContactError(f"sinusoid: 'omega' [rad/s] must be positive, got {self.omega}")

    def __call__(self, t: float) -> float:
        return self.amplitude * math.cos(self.omega * t - self.phase)

    def phasor(self) -> complex:
        return self.amplitude * cmath.exp(1j * self.phase)


@dataclass(frozen=True)
class _Callable:
    fn: Callable[[float], float]

    def __call__(self, t: float) -> float:
        return float(self.fn(t))

    def phasor(self) -> complex:
        raise ContactError("a callable flux has no phasor: use Sinusoid or Constant")


def as_source(value: Any) -> Any:
    """A number, a source object or a callable J(t) [A/s]."""
    if isinstance(value, (Constant, Pulse, Sinusoid, _Callable)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Constant(float(value))
    if callable(value):
        return _Callable(value)
    raise ContactError(
        f"injected flux J [A/s] must be a number, a source or a callable J(t), got {value!r}"
    )


@dataclass(frozen=True)
class ZeroFlux:
    """j_m . n = 0 (the default on every boundary not named)."""


@dataclass(frozen=True, init=False)
class InjectedFlux:
    """Injected flux J(t) [A/s] into the magnet (see module docstring for the sign)."""

    J: Any

    def __init__(self, J: Any) -> None:
        object.__setattr__(self, "J", as_source(J))


@dataclass(frozen=True)
class FixedDeltam:
    """deltam = dm + xi dM = value [A/m] on the boundary (a complex phasor in frequency runs)."""

    value: complex | float = 0.0

    def __post_init__(self) -> None:
        v = complex(self.value) if isinstance(self.value, (int, float, complex)) else None
        if v is None or isinstance(self.value, bool) or not cmath.isfinite(v):
            raise ContactError(
                f"FixedDeltam 'value' [A/m] must be a finite number, got {self.value!r}"
            )
