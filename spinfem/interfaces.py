"""Interface laws: what happens where two regions meet (MODEL.md section 2).

A law is chosen per interface by name (an interface facet group such as ``"Co|Cu"`` or
a region pair ``"A|B"``), with a default for all others. :class:`Transparent` joins
the two regions into one block of unknowns (V, mu_s continuous). Spin asymmetries of a
law (G_up vs G_dn, gamma) are given in the frame of the adjacent ferromagnet
(majority = up): where that magnet's magnetization is -1 the problem uses
``law.flipped()``. The ferromagnetic side is the one whose material has P != 0 (the
left one if both have). Every other law is a two-sided Robin term on the interface
Gamma (no penalty, no multiplier)::

    int_Gamma W^T Y U dS,   U = (V_L, mu_L, V_R, mu_R),  W = (v_L, q_L, v_R, q_R)

with a symmetric, positive semi-definite admittance Y [S/m^2] (reciprocity). Side L is
the "+" side of the ordered interface data, the normal n points from L to R. From Y U:

    J      = (Y U)_0        charge current density L -> R        [A/m^2]
    j_s^L  = -2 (Y U)_1     spin current density arriving from L  [A/m^2]
    j_s^R  = +2 (Y U)_3     spin current density leaving into R   [A/m^2]

j_s^L = j_s^R unless the law loses spin (spin-memory loss).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from spinfem.errors import InputError

__all__ = [
    "InterfaceLaw",
    "SpinConductance",
    "SpinMemoryLoss",
    "Transparent",
    "TunnelBarrier",
    "channel_admittance",
    "interface_fluxes",
    "robin_terms",
]

# (V_L, mu_L, V_R, mu_R) -> (phi_up_L, phi_dn_L, phi_up_R, phi_dn_R); phi = V -/+ mu_s/2
_T = np.array([[1, -0.5, 0, 0], [1, 0.5, 0, 0], [0, 0, 1, -0.5], [0, 0, 1, 0.5]], dtype=float)


def _positive(law: str, name: str, unit: str, value: object, allow_zero: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        cond = ">= 0" if allow_zero else "> 0"
        raise InputError(
            f"{law}: parameter '{name}' [{unit}] must be finite and {cond}, got {value!r}"
        )
    return float(value)  # type: ignore[arg-type]


def _gamma(law: str, value: object) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not -1 < value < 1:  # type: ignore[operator]
        raise InputError(f"{law}: parameter 'gamma' [1] must satisfy -1 < gamma < 1, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def channel_admittance(Y_channels: np.ndarray) -> np.ndarray:
    """Y in (V, mu_s) variables from a 4x4 admittance in channel variables (up/dn, L/R)."""
    return _T.T @ Y_channels @ _T


class InterfaceLaw:
    """Base class of interface laws."""

    kind = "interface law"
    transparent = False

    def admittance(self) -> np.ndarray:
        """4x4 symmetric admittance per area [S/m^2] on (V_L, mu_L, V_R, mu_R)."""
        raise NotImplementedError

    def resistance_area(self) -> float:
        """Spin-equilibrium resistance-area 1/Y_00 [Ohm m^2] (mu_s = 0 on both sides)."""
        return 1.0 / self.admittance()[0, 0]

    def flipped(self) -> InterfaceLaw:
        """The law seen with the adjacent magnetization reversed (up <-> down)."""
        return self


@dataclass(frozen=True)
class Transparent(InterfaceLaw):
    """V and mu_s continuous: the two regions share one block of unknowns."""

    kind = "transparent"
    transparent = True

    def admittance(self) -> np.ndarray:
        raise InputError("a transparent interface has no admittance (its sides share unknowns)")


@dataclass(frozen=True)
class SpinConductance(InterfaceLaw):
    """Spin-dependent interface conductance (Valet-Fert): per channel
    j_sigma . n = G_sigma (phi_sigma^L - phi_sigma^R); spin current continuous.

    Attributes:
        G_up: majority-channel conductance per area [S/m^2], > 0.
        G_dn: minority-channel conductance per area [S/m^2], > 0.
    """

    G_up: float
    G_dn: float
    kind = "spin-dependent interface conductance"

    def __post_init__(self) -> None:
        _positive(self.kind, "G_up", "S/m^2", self.G_up)
        _positive(self.kind, "G_dn", "S/m^2", self.G_dn)

    @classmethod
    def from_ARb(cls, AR_b: float, gamma: float = 0.0) -> SpinConductance:
        """From the Valet-Fert AR_b* [Ohm m^2] and gamma [1]:
        AR_b* = (1/G_up + 1/G_dn)/4, gamma = (G_up - G_dn)/(G_up + G_dn), i.e.
        1/G_up = 2 AR_b* (1 - gamma), 1/G_dn = 2 AR_b* (1 + gamma)."""
        ar = _positive(cls.kind, "AR_b", "Ohm m^2", AR_b)
        g = _gamma(cls.kind, gamma)
        return cls(G_up=1.0 / (2 * ar * (1 - g)), G_dn=1.0 / (2 * ar * (1 + g)))

    @property
    def AR_b(self) -> float:
        """AR_b* = (1/G_up + 1/G_dn)/4 [Ohm m^2]."""
        return (1 / self.G_up + 1 / self.G_dn) / 4

    @property
    def gamma(self) -> float:
        """(G_up - G_dn)/(G_up + G_dn) [1]."""
        return (self.G_up - self.G_dn) / (self.G_up + self.G_dn)

    def flipped(self) -> SpinConductance:
        """The same interface with up and down exchanged (reversed magnetization)."""
        return replace(self, G_up=self.G_dn, G_dn=self.G_up)

    def admittance(self) -> np.ndarray:
        G = np.diag([self.G_up, self.G_dn])
        return channel_admittance(np.block([[G, -G], [-G, G]]))


@dataclass(frozen=True)
class TunnelBarrier(SpinConductance):
    """A tunnel barrier (MTJ): the spin-dependent conductance law with the barrier's own
    G_up, G_dn [S/m^2] (give the law of each magnetic state; ``flipped()`` swaps them)."""

    kind = "tunnel barrier"

    @classmethod
    def from_RA(cls, RA: float, polarization: float = 0.0) -> TunnelBarrier:
        """From the barrier's resistance-area RA = 1/(G_up + G_dn) [Ohm m^2] and its
        conductance polarization (G_up - G_dn)/(G_up + G_dn) [1]."""
        ra = _positive(cls.kind, "RA", "Ohm m^2", RA)
        p = _gamma(cls.kind, polarization)
        return cls(G_up=(1 + p) / (2 * ra), G_dn=(1 - p) / (2 * ra))


@dataclass(frozen=True)
class SpinMemoryLoss(InterfaceLaw):
    """Spin-memory loss: a thin interfacial layer (thickness t_I, conductivity sigma_I,
    spin-flip length lambda_I = t_I/delta, spin asymmetry gamma) represented EXACTLY as a
    zero-thickness two-port (the cosh/sinh admittance of the 1D layer), so no layer is
    meshed. With AR_I = t_I/sigma_I, G_I = 1/AR_I:

        Y = G_I a a^T + K_s [[c, -1], [-1, c]] on (mu_L, mu_R),   a = (1, -gamma/2, -1, gamma/2)
        c = cosh(delta),  K_s = (1 - gamma^2) delta / (4 AR_I sinh(delta))

    (evaluated as delta coth(delta) and delta/sinh(delta): finite for any delta >= 0)

    delta -> 0 recovers :class:`SpinConductance` with G_up,dn = (1 +/- gamma)/(2 AR_I).
    Bass-Pratt / Rojas-Sanchez delta parametrisation. Give ``AR_I`` [Ohm m^2] or both
    ``t_I`` [m] and ``sigma_I`` [S/m].
    """

    delta: float
    AR_I: float | None = None
    t_I: float | None = None
    sigma_I: float | None = None
    gamma: float = 0.0
    kind = "spin-memory loss"

    def __post_init__(self) -> None:
        _positive(self.kind, "delta", "1", self.delta, allow_zero=True)
        _gamma(self.kind, self.gamma)
        if self.AR_I is not None:
            if self.t_I is not None or self.sigma_I is not None:
                raise InputError(
                    f"{self.kind}: give 'AR_I' [Ohm m^2] or ('t_I', 'sigma_I'), not both"
                )
            _positive(self.kind, "AR_I", "Ohm m^2", self.AR_I)
        else:
            if self.t_I is None or self.sigma_I is None:
                raise InputError(
                    f"{self.kind}: give 'AR_I' [Ohm m^2] or both 't_I' [m] and 'sigma_I' [S/m]"
                )
            _positive(self.kind, "t_I", "m", self.t_I)
            _positive(self.kind, "sigma_I", "S/m", self.sigma_I)

    def flipped(self) -> SpinMemoryLoss:
        """gamma -> -gamma (reversed magnetization of the adjacent ferromagnet)."""
        return replace(self, gamma=-self.gamma)

    @property
    def area_resistance(self) -> float:
        """AR_I = t_I/sigma_I [Ohm m^2]."""
        if self.AR_I is not None:
            return float(self.AR_I)
        return float(self.t_I) / float(self.sigma_I)  # type: ignore[arg-type]

    def admittance(self) -> np.ndarray:
        G = 1.0 / self.area_resistance
        g, d = self.gamma, self.delta
        a = np.array([1.0, -g / 2, -1.0, g / 2])
        # delta/sinh(delta) and delta*coth(delta), overflow-free for any delta >= 0
        if d == 0:
            off, diag = 1.0, 1.0
        elif d < 20:
            off, diag = d / math.sinh(d), d / math.tanh(d)
        else:
            off, diag = 2 * d * math.exp(-d) / (1 - math.exp(-2 * d)), d / math.tanh(d)
        K = (1 - g * g) * G / 4
        Y = G * np.outer(a, a)
        Y[1, 1] += K * diag
        Y[3, 3] += K * diag
        Y[1, 3] -= K * off
        Y[3, 1] -= K * off
        return Y


def robin_terms(
    Y: object, UL: tuple, WL: tuple, UR: tuple, WR: tuple
) -> dict[tuple[int, int], object]:
    """Two-sided Robin contribution W^T Y U split into (test side, trial side) blocks.

    ``Y`` is a 4x4 UFL tensor (a Constant of the law's admittance); ``UL``/``WL`` are the
    left (V, mu_s) trial/test pieces restricted to "+", ``UR``/``WR`` the right ones
    restricted to "-". Keys: (0, 0) LL, (0, 1) LR, (1, 0) RL, (1, 1) RR.
    """
    U, W = (UL, UR), (WL, WR)
    out = {}
    for i in (0, 1):
        for j in (0, 1):
            out[(i, j)] = sum(
                Y[2 * i + a, 2 * j + b] * W[i][a] * U[j][b] for a in (0, 1) for b in (0, 1)
            )
    return out


def interface_fluxes(Y: object, UL: tuple, UR: tuple) -> tuple[object, object, object]:
    """(J, j_s arriving from L, j_s leaving into R) [A/m^2] as UFL expressions."""
    U = (*UL, *UR)

    def row(k: int) -> object:
        return sum(Y[k, j] * U[j] for j in range(4))

    return row(0), -2 * row(1), 2 * row(3)
