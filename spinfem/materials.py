"""Material parameters of the two-current (Valet-Fert) model, in SI units.

A :class:`Material` is a frozen record of bulk transport parameters. Values are
validated on construction, so a bad parameter fails at the line that made it, with
the parameter name and its unit in the message (identically on every MPI rank,
because every rank builds the same objects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from spinfem.errors import MaterialError

__all__ = ["Material"]


@dataclass(frozen=True)
class Material:
    """Bulk spin-transport parameters of one material.

    Attributes:
        name: label used in messages and the summary.
        sigma: conductivity sigma = sigma_up + sigma_dn [S/m], > 0.
        P: bulk spin polarization of the conductivity (sigma_up - sigma_dn)/sigma [1],
            -1 < P < 1 (Bass-Pratt beta). In a ferromagnet the sign of P follows m.
        l_sf: spin-diffusion length [m], > 0.
        theta_sh: spin Hall angle [1] (used by the non-collinear model; 0 = none).
        lambda_J: exchange (precession) length of transverse spin accumulation in a
            ferromagnet [m], > 0, or None (no exchange precession). Vector model only.
        lambda_phi: dephasing length of transverse spin accumulation in a ferromagnet [m],
            > 0, or None (no dephasing). Vector model only.
        tau_sf: spin-relaxation time [s], > 0, or None; needed for Larmor precession in an
            applied field (Hanle). Vector model only.
        reference: where the numbers come from (citation).
    """

    name: str
    sigma: float
    l_sf: float
    P: float = 0.0
    theta_sh: float = 0.0
    lambda_J: float | None = None
    lambda_phi: float | None = None
    tau_sf: float | None = None
    reference: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        def bad(param: str, unit: str, why: str, value: object) -> MaterialError:
            return MaterialError(
                f"material '{self.name}': parameter '{param}' [{unit}] {why}, got {value!r}"
            )

        for param, unit in (("sigma", "S/m"), ("l_sf", "m"), ("P", "1"), ("theta_sh", "1")):
            value = getattr(self, param)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad(param, unit, "must be a real number", value)
            if not math.isfinite(value):
                raise bad(param, unit, "must be finite", value)
        if self.sigma <= 0:
            raise bad("sigma", "S/m", "must be > 0", self.sigma)
        if self.l_sf <= 0:
            raise bad("l_sf", "m", "must be > 0", self.l_sf)
        if not -1.0 < self.P < 1.0:
            raise bad("P", "1", "must satisfy -1 < P < 1", self.P)
        if not -1.0 < self.theta_sh < 1.0:
            raise bad("theta_sh", "1", "must satisfy -1 < theta_sh < 1", self.theta_sh)
        for param, unit in (("lambda_J", "m"), ("lambda_phi", "m"), ("tau_sf", "s")):
            value = getattr(self, param)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad(param, unit, "must be a real number or None", value)
            if not math.isfinite(value) or value <= 0:
                raise bad(param, unit, "must be finite and > 0 (None switches it off)", value)

    @property
    def resistivity(self) -> float:
        """rho = 1/sigma [Ohm m]."""
        return 1.0 / self.sigma

    @property
    def sigma_up(self) -> float:
        """Majority-channel conductivity sigma (1 + P)/2 [S/m]."""
        return 0.5 * self.sigma * (1.0 + self.P)

    @property
    def sigma_dn(self) -> float:
        """Minority-channel conductivity sigma (1 - P)/2 [S/m]."""
        return 0.5 * self.sigma * (1.0 - self.P)

    @property
    def g_sf(self) -> float:
        """Spin-flip conductance per volume sigma_up sigma_dn / (sigma l_sf^2) [S/m^3]."""
        return self.sigma_up * self.sigma_dn / (self.sigma * self.l_sf**2)

    @property
    def spin_resistance_area(self) -> float:
        """Spin resistance-area r = l_sf / (sigma (1 - P^2)) [Ohm m^2] (Fert-Jaffres r_F/r_N
        up to their factor conventions: here r = rho* l_sf with rho* = rho/(1-P^2))."""
        return self.l_sf / (self.sigma * (1.0 - self.P**2))

    def with_(self, **changes: object) -> Material:
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)

    @classmethod
    def from_resistivity(
        cls, name: str, rho: float, l_sf: float, P: float = 0.0, **kw: object
    ) -> Material:
        """Build from resistivity rho [Ohm m] instead of conductivity."""
        if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not rho > 0:
            raise MaterialError(
                f"material '{name}': parameter 'rho' [Ohm m] must be > 0, got {rho!r}"
            )
        return cls(name=name, sigma=1.0 / rho, l_sf=l_sf, P=P, **kw)  # type: ignore[arg-type]
