"""Case-file sections of the M-m model (``[model] kind = "mm"``); see :mod:`spinfem.case.mm`.

Every dimensional value carries its unit (``tau_mM = "1 ns"``, ``r = "1e9 1/s"``,
``D_m = "1e-3 m^2/s"``, ``J = "1e3 A/s"``, ``omega = "1e9 rad/s"``); a magnet's parameter
set is checked as a whole by :meth:`spinfem.mm.MagnetParams.make` (xi <= 1, Onsager
relation, positive times and rates), so ``spinfem check`` reports it with its key path.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from spinfem.case.schema import Dimensionless, Length, MeshSpec, Quantity, Strict, UnitTag
from spinfem.case.units import parse_quantity
from spinfem.errors import InputError, MaterialError

__all__ = [
    "BoundarySpec",
    "BoxMesh",
    "FieldInit",
    "FrequencySpec",
    "InitialSpec",
    "MagnetSpec",
    "TransientSpec",
]

Time = Quantity("s")
Rate = Quantity("1/s")
Diffusion = Quantity("m^2/s")
Flux = Quantity("A/s")
Magnetization = Quantity("A/m")
Wavenumber = Quantity("1/m")
Angle = Quantity("rad")


def _positive(unit: str) -> Any:
    """A quantity in SI ``unit`` that must be > 0 (message names the unit)."""

    def check(value: Any) -> float:
        try:
            v = parse_quantity(value, unit, "")
        except InputError as exc:
            raise PydanticCustomError("unit", "{msg}", {"msg": str(exc)}) from None
        if v <= 0:
            raise PydanticCustomError(
                "positive", "must be > 0 [{unit}], got {value!r}", {"unit": unit, "value": value}
            )
        return v

    return Annotated[float, BeforeValidator(check), UnitTag(unit)]


def _angular_frequency(value: Any) -> float:
    """rad/s; a frequency in Hz is refused (pint would convert 1 GHz to 1e9 rad/s, not 2 pi e9)."""
    if isinstance(value, str) and "hz" in value.lower():
        raise PydanticCustomError(
            "unit",
            "{value!r} is a frequency f; give the angular frequency omega = 2 pi f in rad/s, "
            "e.g. '6.283e9 rad/s' for 1 GHz",
            {"value": value},
        )
    try:
        v = parse_quantity(value, "rad/s", "")
    except InputError as exc:
        raise PydanticCustomError("unit", "{msg}", {"msg": str(exc)}) from None
    if v <= 0:
        raise PydanticCustomError(
            "positive", "must be > 0 [rad/s], got {value!r}", {"value": value}
        )
    return v


PositiveTime = _positive("s")
PositiveMagnetization = _positive("A/m")
AngularFrequency = Annotated[float, BeforeValidator(_angular_frequency), UnitTag("rad/s")]


# ----------------------------------------------------------------------------- mesh
class BoxMesh(MeshSpec):
    """``[mesh] kind = "box"``: a 1D interval, 2D rectangle or 3D box [0, L_i] of one region
    (``region``) with boundaries ``xmin, xmax`` (, ``ymin, ymax``, ``zmin, zmax``); structured
    cells (spinfem.mm.box_mesh), so line profiles and fitted wavenumbers are exact."""

    kind: Literal["box"] = "box"
    size: list[Length] = Field(min_length=1, max_length=3)
    cells: list[int] = Field(min_length=1, max_length=3)
    region: str = "magnet"

    @model_validator(mode="after")
    def _shape(self) -> BoxMesh:
        if len(self.cells) != len(self.size) or min(self.cells) < 1 or min(self.size) <= 0:
            raise PydanticCustomError(
                "box", "'size' [m] (> 0) and 'cells' (>= 1) need one entry per axis, alike", {}
            )
        return self


# ----------------------------------------------------------------------------- magnets
class MagnetSpec(Strict):
    """``[magnets.<region>]``: parameters of one magnet region (Saslow, Sun and Xu 2021).

    Give ``chi_m`` or ``xi`` = chi_m/chi_M (<= 1), ``tau_mM`` or ``r`` = (1 - xi)/tau_mM,
    optionally ``tau_Mm`` (checked against Onsager 1/tau_Mm = xi/tau_mM), lattice decay as
    times ``tau_ML``/``tau_mL`` or rates ``w_M``/``w_m`` (default: none)."""

    chi_M: Dimensionless
    chi_m: Dimensionless | None = None
    xi: Dimensionless | None = None
    tau_mM: Time | None = None
    r: Rate | None = None
    tau_Mm: Time | None = None
    tau_ML: Time | None = None
    tau_mL: Time | None = None
    w_M: Rate | None = None
    w_m: Rate | None = None
    D_m: Diffusion

    def params(self) -> Any:
        """The validated :class:`spinfem.mm.MagnetParams` (SI)."""
        from spinfem.mm.params import MagnetParams

        kw = {k: v for k, v in self.model_dump().items() if v is not None}
        return MagnetParams.make(**kw)

    @model_validator(mode="after")
    def _consistent(self) -> MagnetSpec:
        try:
            self.params()
        except MaterialError as exc:
            raise PydanticCustomError("magnet", "{msg}", {"msg": str(exc)}) from None
        return self


# ----------------------------------------------------------------------------- boundaries
class PulseSpec(Strict):
    """A rectangular pulse: ``value`` [A/s] for ``t_start`` <= t < ``t_stop`` [s]."""

    value: Flux
    t_start: Time
    t_stop: Time


class SinusoidSpec(Strict):
    """J(t) = amplitude cos(omega t - phase); in frequency runs the phasor amplitude e^{i phase}."""

    amplitude: Flux
    omega: AngularFrequency
    phase: Angle = 0.0


class BoundarySpec(Strict):
    """``[boundaries.<facet group>]``: ``kind = "zero_flux"`` (the default of unnamed
    boundaries), ``"injected_flux"`` with exactly one of ``J`` [A/s] (constant),
    ``pulse`` or ``sinusoid`` (J > 0 raises dm; J = D_m d(deltam)/dn_out), or
    ``"fixed_deltam"`` with ``value`` [A/m] (deltam = dm + xi dM held fixed)."""

    kind: Literal["zero_flux", "injected_flux", "fixed_deltam"]
    J: Flux | None = None
    pulse: PulseSpec | None = None
    sinusoid: SinusoidSpec | None = None
    value: Magnetization | None = None

    @model_validator(mode="after")
    def _keys(self) -> BoundarySpec:
        given = [k for k in ("J", "pulse", "sinusoid", "value") if getattr(self, k) is not None]
        allowed = {
            "zero_flux": (),
            "injected_flux": ("J", "pulse", "sinusoid"),
            "fixed_deltam": ("value",),
        }[self.kind]
        extra = [k for k in given if k not in allowed]
        if extra:
            raise PydanticCustomError(
                "bc_keys",
                "kind '{kind}' does not take {extra}",
                {"kind": self.kind, "extra": ", ".join(extra)},
            )
        if allowed and len(given) != 1:
            raise PydanticCustomError(
                "bc_keys",
                "kind '{kind}' takes exactly one of {allowed}",
                {"kind": self.kind, "allowed": ", ".join(allowed)},
            )
        if self.pulse is not None and self.pulse.t_stop <= self.pulse.t_start:
            raise PydanticCustomError("bc_keys", "pulse: 't_stop' [s] must exceed 't_start'", {})
        return self

    def condition(self) -> Any:
        """The spinfem.mm boundary condition object."""
        from spinfem.mm.sources import (
            Constant,
            FixedDeltam,
            InjectedFlux,
            Pulse,
            Sinusoid,
            ZeroFlux,
        )

        if self.kind == "zero_flux":
            return ZeroFlux()
        if self.kind == "fixed_deltam":
            return FixedDeltam(self.value)
        if self.pulse is not None:
            return InjectedFlux(Pulse(self.pulse.value, self.pulse.t_start, self.pulse.t_stop))
        if self.sinusoid is not None:
            s = self.sinusoid
            return InjectedFlux(Sinusoid(s.amplitude, s.omega, s.phase))
        return InjectedFlux(Constant(self.J))


# ----------------------------------------------------------------------------- initial
class StepInit(Strict):
    """``left`` [A/m] where x_axis < ``position`` [m], else ``right`` [A/m]."""

    axis: int = Field(0, ge=0, le=2)
    position: Length
    left: Magnetization
    right: Magnetization


class CosInit(Strict):
    """``amplitude`` [A/m] cos(``k`` [1/m] x_axis)."""

    amplitude: Magnetization
    k: Wavenumber
    axis: int = Field(0, ge=0, le=2)


class FieldInit(Strict):
    """Initial value of one field: exactly one of ``value`` [A/m] (uniform), ``step``, ``cos``."""

    value: Magnetization | None = None
    step: StepInit | None = None
    cos: CosInit | None = None

    @model_validator(mode="after")
    def _one(self) -> FieldInit:
        if sum(getattr(self, k) is not None for k in ("value", "step", "cos")) != 1:
            raise PydanticCustomError("init", "give exactly one of 'value', 'step', 'cos'", {})
        return self

    def function(self, length_unit: float) -> Any:
        """A number or f(x) of mesh coordinates (``length_unit`` [m] per unit), in A/m."""
        import numpy as np

        if self.value is not None:
            return self.value
        if self.step is not None:
            s = self.step
            return lambda x: np.where(x[s.axis] * length_unit < s.position, s.left, s.right)
        c = self.cos
        assert c is not None
        return lambda x: c.amplitude * np.cos(c.k * x[c.axis] * length_unit)


class InitialSpec(Strict):
    """``[initial]``: ``[initial.dM]`` and ``[initial.dm]`` (default 0 A/m)."""

    dM: FieldInit = Field(default_factory=lambda: FieldInit(value="0 A/m"))
    dm: FieldInit = Field(default_factory=lambda: FieldInit(value="0 A/m"))


# ----------------------------------------------------------------------------- runs
class TransientSpec(Strict):
    """``[transient]``: adaptive TR-BDF2 from t = 0 to ``t_end``; fields at ``n_outputs``
    equally spaced times, a checkpoint every ``checkpoint_every`` accepted steps (0: only at
    the end and on SIGTERM/SIGINT/SIGUSR1)."""

    t_end: PositiveTime
    rtol: float = Field(1e-5, gt=0, lt=1)
    atol: PositiveMagnetization = 1e-6
    dt0: PositiveTime | None = None
    dt_min: PositiveTime | None = None
    dt_max: PositiveTime | None = None
    n_outputs: int = Field(20, ge=1, le=100_000)
    checkpoint_every: int = Field(20, ge=0)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :class:`spinfem.mm.Transient`."""
        import numpy as np

        kw: dict[str, Any] = {
            "t_end": self.t_end,
            "rtol": self.rtol,
            "atol": self.atol,
            "dt0": self.dt0,
            "dt_min": self.dt_min,
            "dt_max": math.inf if self.dt_max is None else self.dt_max,
            "output_times": np.linspace(0.0, self.t_end, self.n_outputs + 1)[1:],
        }
        return kw


class FrequencySpec(Strict):
    """``[frequency]``: complex response at each angular frequency ``omega`` [rad/s] to the
    injected-flux phasors (sinusoid: amplitude e^{i phase}; J: J) and fixed deltam."""

    omega: list[AngularFrequency] = Field(min_length=1)
