"""Parameters of a magnet in the longitudinal M-m model (MODEL.md section 4).

Saslow, Sun and Xu (2021): per magnet the non-diffusing deviation ``dM`` and the
diffusing spin accumulation ``dm`` [A/m] relax through

- ``d_t dM = -deltaM (1/tau_Mm + 1/tau_ML) + deltam/tau_mM``
- ``d_t dm - D_m lap(deltam) = -deltam (1/tau_mM + 1/tau_mL) + deltaM/tau_Mm``

with ``deltaM = dM + dm``, ``deltam = dm + xi dM``, ``xi = chi_m/chi_M``. Onsager
reciprocity fixes ``1/tau_Mm = xi/tau_mM``; ``r = 1/tau_mM - 1/tau_Mm``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spinfem.errors import MaterialError

__all__ = ["MagnetParams"]

_ONSAGER_RTOL = 1e-9


def _num(name: str, value: Any, unit: str, *, allow_inf: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MaterialError(f"'{name}' [{unit}] must be a number, got {value!r}")
    v = float(value)
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise MaterialError(f"'{name}' [{unit}] must be finite, got {value!r}")
    return v


def _positive(name: str, value: Any, unit: str, *, allow_inf: bool = False) -> float:
    v = _num(name, value, unit, allow_inf=allow_inf)
    if v <= 0:
        raise MaterialError(f"'{name}' [{unit}] must be positive, got {value!r}")
    return v


@dataclass(frozen=True)
class MagnetParams:
    """Validated parameters of one magnet region (all SI).

    Construct with :meth:`make`, which accepts the equivalent parametrisations.

    Attributes:
        chi_M: susceptibility of the magnetization M [1].
        chi_m: susceptibility of the spin accumulation m [1].
        tau_mM: relaxation time of m into M [s].
        tau_ML: relaxation time of M to the lattice [s] (``inf``: no lattice decay).
        tau_mL: relaxation time of m to the lattice [s] (``inf``: no lattice decay).
        D_m: diffusion constant of m [m^2/s].
    """

    chi_M: float
    chi_m: float
    tau_mM: float
    tau_ML: float
    tau_mL: float
    D_m: float

    @classmethod
    def make(
        cls,
        *,
        chi_M: float,
        D_m: float,
        chi_m: float | None = None,
        xi: float | None = None,
        tau_mM: float | None = None,
        r: float | None = None,
        tau_Mm: float | None = None,
        tau_ML: float = math.inf,
        tau_mL: float = math.inf,
        w_M: float | None = None,
        w_m: float | None = None,
    ) -> MagnetParams:
        """Build and validate.

        Args:
            chi_M: susceptibility of M [1], > 0.
            D_m: diffusion constant of m [m^2/s], > 0.
            chi_m: susceptibility of m [1]; or give ``xi`` = chi_m/chi_M [1] instead.
            tau_mM: m -> M relaxation time [s]; or give ``r`` [1/s]
                (r = (1 - xi)/tau_mM, the k -> 0 fast rate; needs xi < 1).
            tau_Mm: M -> m relaxation time [s]; optional, checked against Onsager
                ``1/tau_Mm = xi/tau_mM`` (relative 1e-9).
            tau_ML, tau_mL: lattice relaxation times [s] (``inf`` = none); or rates
                ``w_M = 1/tau_ML``, ``w_m = 1/tau_mL`` [1/s] (>= 0).
        """
        chi_M = _positive("chi_M", chi_M, "1")
        D_m = _positive("D_m", D_m, "m^2/s")
        if (chi_m is None) == (xi is None):
            raise MaterialError("give exactly one of 'chi_m' [1] and 'xi' = chi_m/chi_M [1]")
        if xi is not None:
            xi = _positive("xi", xi, "1")
            chi_m = xi * chi_M
        else:
            chi_m = _positive("chi_m", chi_m, "1")
            xi = chi_m / chi_M
        if xi > 1.0:
            raise MaterialError(
                f"'xi' = chi_m/chi_M [1] = {xi:.6g} > 1: the M-m model is unstable "
                "(the free energy is not positive definite); need chi_m <= chi_M"
            )
        if (tau_mM is None) == (r is None):
            raise MaterialError("give exactly one of 'tau_mM' [s] and 'r' [1/s]")
        if tau_mM is not None:
            tau_mM = _positive("tau_mM", tau_mM, "s")
        else:
            r = _positive("r", r, "1/s")
            if xi >= 1.0:
                raise MaterialError(
                    "'r' [1/s] cannot fix tau_mM when xi = 1 (r = 0): give 'tau_mM'"
                )
            tau_mM = (1.0 - xi) / r
        if tau_Mm is not None:
            tau_Mm = _positive("tau_Mm", tau_Mm, "s")
            want = xi / tau_mM
            if abs(1.0 / tau_Mm - want) > _ONSAGER_RTOL * want:
                raise MaterialError(
                    f"'tau_Mm' = {tau_Mm:.6g} s breaks the Onsager relation chi_m/tau_mM = "
                    f"chi_M/tau_Mm (1/tau_Mm = xi/tau_mM): need tau_Mm = {1.0 / want:.6g} s "
                    f"for xi = {xi:.6g} and tau_mM = {tau_mM:.6g} s"
                )
        for tname, tval, rname, rval in (
            ("tau_ML", tau_ML, "w_M", w_M),
            ("tau_mL", tau_mL, "w_m", w_m),
        ):
            if rval is not None:
                if tval != math.inf:
                    raise MaterialError(f"give either '{tname}' [s] or '{rname}' [1/s], not both")
                rv = _num(rname, rval, "1/s")
                if rv < 0:
                    raise MaterialError(f"'{rname}' [1/s] must be >= 0, got {rval!r}")
            else:
                _positive(tname, tval, "s", allow_inf=True)
        tau_ML = 1.0 / w_M if w_M else (math.inf if w_M is not None else float(tau_ML))
        tau_mL = 1.0 / w_m if w_m else (math.inf if w_m is not None else float(tau_mL))
        return cls(chi_M, float(chi_m), float(tau_mM), tau_ML, tau_mL, D_m)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "magnet") -> MagnetParams:
        """From a case-file table; unknown keys are errors naming ``where``."""
        allowed = {
            "chi_M",
            "chi_m",
            "xi",
            "tau_mM",
            "r",
            "tau_Mm",
            "tau_ML",
            "tau_mL",
            "w_M",
            "w_m",
            "D_m",
        }
        extra = sorted(set(data) - allowed)
        if extra:
            from spinfem.parallel import did_you_mean

            raise MaterialError(
                f"{where}: unknown parameter '{extra[0]}'{did_you_mean(extra[0], allowed)}; "
                f"allowed: {sorted(allowed)}"
            )
        for key in ("chi_M", "D_m"):
            if key not in data:
                raise MaterialError(f"{where}: missing parameter '{key}'")
        try:
            return cls.make(**dict(data))
        except MaterialError as exc:
            raise MaterialError(f"{where}: {exc}") from None

    # ------------------------------------------------------------------ derived
    @property
    def xi(self) -> float:
        """chi_m/chi_M [1]."""
        return self.chi_m / self.chi_M

    @property
    def g(self) -> float:
        """1/tau_mM [1/s]."""
        return 1.0 / self.tau_mM

    @property
    def r(self) -> float:
        """r = 1/tau_mM - 1/tau_Mm = (1 - xi)/tau_mM [1/s]."""
        return (1.0 - self.xi) / self.tau_mM

    @property
    def w_M(self) -> float:
        """Lattice rate of M, 1/tau_ML [1/s]."""
        return 0.0 if math.isinf(self.tau_ML) else 1.0 / self.tau_ML

    @property
    def w_m(self) -> float:
        """Lattice rate of m, 1/tau_mL [1/s]."""
        return 0.0 if math.isinf(self.tau_mL) else 1.0 / self.tau_mL

    @property
    def k_M(self) -> float:
        """k_M = sqrt(r/D_m) [1/m]."""
        return math.sqrt(self.r / self.D_m)
