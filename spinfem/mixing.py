"""Spin-mixing laws of the vector model (magnetoelectronic circuit theory, MODEL.md section 3).

:class:`MixingConductance` is an F/N interface law: the longitudinal part is the
spin-dependent conductance law (G_up, G_dn) on (V, m.mu), the transverse part (with
respect to the magnetization m of the ferromagnetic side) is absorbed AT the interface
(it does not enter the ferromagnet: the magnetoelectronic-circuit-theory limit of a
transverse decoherence length much shorter than the mesh):

    j_out = G_r m x (m x mu_N) + G_i m x mu_N       [A/m^2]

is the spin current (charge units, j_up - j_dn) flowing OUT of the normal metal N into
the magnet, mu_N [eV, numerically V] the normal-metal spin accumulation at the interface.
G_r >= 0 [S/m^2] (dissipative), G_i [S/m^2] of either sign; G = (e^2/h) g with g the
mixing conductance per area in 1/m^2 (Brataas, Nazarov, Bauer, Eur. Phys. J. B 22, 99
(2001); Chen et al., PRB 87, 144411 (2013), Eq. (13), same normalisation).

:class:`MagneticInsulator` is the same transverse law on a metal surface touching a
magnetic insulator (no charge current, no longitudinal spin current): the spin-Hall
magnetoresistance boundary condition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from spinfem.errors import InputError
from spinfem.interfaces import SpinConductance

__all__ = ["E2_OVER_H", "MagneticInsulator", "MixingConductance", "unit_vector"]

#: conductance quantum per spin e^2/h [S]
E2_OVER_H = 3.874045846e-5


def _real(law: str, name: str, unit: str, value: object, nonneg: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (nonneg and value < 0):  # type: ignore[operator]
        cond = "finite and >= 0" if nonneg else "finite"
        raise InputError(f"{law}: parameter '{name}' [{unit}] must be {cond}, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def unit_vector(what: str, value: Any) -> np.ndarray:
    """A 3-vector normalised to 1 [1]; InputError for a wrong shape or |m| = 0."""
    try:
        arr = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        arr = np.zeros(0)
    if arr.size != 3 or not np.all(np.isfinite(arr)):
        raise InputError(f"{what}: magnetization must be a finite 3-vector, got {value!r}")
    norm = float(np.linalg.norm(arr))
    if norm < 1e-12:
        raise InputError(f"{what}: magnetization has |m| = 0, cannot define its direction")
    return arr / norm


@dataclass(frozen=True)
class MixingConductance(SpinConductance):
    """F/N interface of magnetoelectronic circuit theory.

    Attributes:
        G_up, G_dn: longitudinal majority/minority conductances per area [S/m^2], > 0.
        G_r: real part of the spin-mixing conductance per area [S/m^2], >= 0.
        G_i: imaginary part of the spin-mixing conductance per area [S/m^2].
    """

    G_r: float = 0.0
    G_i: float = 0.0
    kind = "spin-mixing conductance"

    def __post_init__(self) -> None:
        super().__post_init__()
        _real(self.kind, "G_r", "S/m^2", self.G_r, nonneg=True)
        _real(self.kind, "G_i", "S/m^2", self.G_i)

    @classmethod
    def from_ARb_mixing(
        cls, AR_b: float, gamma: float, G_r: float, G_i: float = 0.0
    ) -> MixingConductance:
        """From AR_b* [Ohm m^2], gamma [1] (Valet-Fert) and G_r, G_i [S/m^2]."""
        base = SpinConductance.from_ARb(AR_b, gamma)
        return cls(G_up=base.G_up, G_dn=base.G_dn, G_r=G_r, G_i=G_i)

    def flipped(self) -> MixingConductance:
        """Reversed magnetization: up <-> down (the transverse part follows m itself)."""
        return replace(self, G_up=self.G_dn, G_dn=self.G_up)


@dataclass(frozen=True)
class MagneticInsulator:
    """Metal surface on a magnetic insulator (e.g. Pt on YIG).

    Attributes:
        G_r: real part of the spin-mixing conductance per area [S/m^2], >= 0.
        G_i: imaginary part [S/m^2].
        m: magnetization direction of the insulator (3-vector, normalised) [1].
    """

    G_r: float
    G_i: float = 0.0
    m: tuple[float, float, float] = (0.0, 0.0, 1.0)
    kind = "magnetic-insulator boundary"

    def __post_init__(self) -> None:
        _real(self.kind, "G_r", "S/m^2", self.G_r, nonneg=True)
        _real(self.kind, "G_i", "S/m^2", self.G_i)
        object.__setattr__(self, "m", tuple(unit_vector(self.kind, self.m)))

    @classmethod
    def from_gmix(cls, g_r: float, g_i: float = 0.0, m: Any = (0.0, 0.0, 1.0)) -> MagneticInsulator:
        """From mixing conductances per area g_r, g_i [1/m^2]: G = (e^2/h) g [S/m^2]."""
        return cls(G_r=E2_OVER_H * g_r, G_i=E2_OVER_H * g_i, m=m)


def absorbed(G_r: Any, G_i: Any, m: Any, mu: Any) -> Any:
    """UFL: spin current out of the metal into the magnet, G_r m x (m x mu) + G_i m x mu
    [A/m^2]."""
    import ufl

    return G_r * ufl.cross(m, ufl.cross(m, mu)) + G_i * ufl.cross(m, mu)
