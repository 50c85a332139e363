"""Case-file sections of the vector (non-collinear) model, ``[model] kind = "vector"``.

``[materials.<region>]`` (adds lambda_J, lambda_phi, tau_sf to the two-current keys),
``[contacts.<surface>]``, ``[interfaces."<A|B>"]`` (adds law ``"mixing"``),
``[magnetization]`` (region or insulator boundary -> 3-vector), ``[boundaries.<facets>]``
(magnetic insulators), ``[field]`` (applied B), ``[sweep]`` (``kind = "field"`` or
``"angle"``) and ``[observables]``. Values with units are stored in SI.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from spinfem.case.schema import (
    ConductancePerArea,
    ContactSpec,
    Length,
    MaterialSpec,
    Quantity,
    Strict,
)
from spinfem.case.schema import InterfaceSpec as _TwoCurrentInterface

__all__ = [
    "AngleSweep",
    "FieldSpec",
    "FieldSweep",
    "InsulatorSpec",
    "ObservablesSpec",
    "Vec3",
    "VectorInterfaceSpec",
    "VectorMaterialSpec",
]

Time = Quantity("s")
FluxDensity = Quantity("T")
MixingPerArea = Quantity("1/m^2")
#: e^2/h [S]: G = (e^2/h) g (same constant as spinfem.mixing.E2_OVER_H)
_E2_OVER_H = 3.874045846e-5


def _unit_vector(v: list[float]) -> list[float]:
    norm = math.sqrt(sum(float(x) ** 2 for x in v))
    if not math.isfinite(norm):
        raise PydanticCustomError("vector", "the 3-vector {v} is not finite", {"v": v})
    if norm < 1e-12:
        raise PydanticCustomError(
            "vector",
            "|m| = 0: the direction {v} is undefined; give a non-zero 3-vector [1] "
            "(it is normalised)",
            {"v": v},
        )
    return [float(x) / norm for x in v]


#: A direction: three numbers [1], normalised; |v| = 0 is an error.
Vec3 = Annotated[list[float], Field(min_length=3, max_length=3), AfterValidator(_unit_vector)]


class VectorMaterialSpec(MaterialSpec):
    """``[materials.<region>]`` of the vector model: the two-current keys plus the
    transverse lengths of a ferromagnet and the spin-relaxation time for precession."""

    lambda_J: Length | None = None
    lambda_phi: Length | None = None
    tau_sf: Time | None = None


def _mixing(G: float | None, g: float | None, name: str, required: bool) -> float | None:
    if G is not None and g is not None:
        raise PydanticCustomError(
            "law_keys", "give 'G_{n}' [S/m^2] or 'g_{n}' [1/m^2], not both", {"n": name}
        )
    if G is None and g is None and required:
        raise PydanticCustomError(
            "law_keys",
            "law 'mixing' needs 'G_{n}' [S/m^2] or 'g_{n}' [1/m^2] (G = (e^2/h) g)",
            {"n": name},
        )
    return G if g is None else _E2_OVER_H * g


class _Transverse(Strict):
    """The transverse (mixing) conductances: G_r, G_i [S/m^2] or g_r, g_i [1/m^2]."""

    G_r: ConductancePerArea | None = None
    G_i: ConductancePerArea | None = None
    g_r: MixingPerArea | None = None
    g_i: MixingPerArea | None = None

    def mixing_SI(self) -> tuple[float, float]:
        """(G_r, G_i) [S/m^2]; errors for both or neither of G_r, g_r (and both G_i, g_i)."""
        return (
            _mixing(self.G_r, self.g_r, "r", True) or 0.0,
            _mixing(self.G_i, self.g_i, "i", False) or 0.0,
        )


class VectorInterfaceSpec(_TwoCurrentInterface, _Transverse):
    """``[interfaces."<name>"]`` of the vector model. ``law = "mixing"`` (alias ``kind``):
    longitudinal part ``AR_b`` (+ ``gamma``) or ``G_up``/``G_dn``, transverse part
    ``G_r`` (>= 0), ``G_i`` [S/m^2] or ``g_r``, ``g_i`` [1/m^2]."""

    law: Literal[
        "transparent", "spin_conductance", "tunnel_barrier", "spin_memory_loss", "mixing"
    ] = Field(alias="kind")

    @model_validator(mode="after")
    def _transverse(self) -> VectorInterfaceSpec:
        if self.law == "mixing":
            self.mixing_SI()
        return self


class InsulatorSpec(_Transverse):
    """``[boundaries.<facet group>]``: a metal surface on a magnetic insulator (the spin
    Hall magnetoresistance boundary law: no charge current, transverse spin absorbed)."""

    kind: Literal["magnetic_insulator"]
    m: Vec3 = Field(default_factory=lambda: [0.0, 0.0, 1.0])

    @model_validator(mode="after")
    def _values(self) -> InsulatorSpec:
        if self.mixing_SI()[0] < 0:
            raise PydanticCustomError("law_keys", "G_r [S/m^2] must be >= 0", {})
        return self


def _exactly_one(spec: Any, a: str, b: str, error: str) -> list[float]:
    """The value of exactly one of the keys ``a`` (with units, [T]) and ``b``."""
    va, vb = getattr(spec, a), getattr(spec, b)
    if (va is None) == (vb is None):
        raise PydanticCustomError(error, "give exactly one of '{a}' [T] or '{b}'", {"a": a, "b": b})
    return list(va if va is not None else vb)


class FieldSpec(Strict):
    """``[field]``: the applied magnetic flux density, ``B = ["0 T", "0 T", "0.1 T"]`` or
    ``B_T = [0, 0, 0.1]`` (needs ``tau_sf`` in every non-magnetic material)."""

    B: list[FluxDensity] | None = Field(None, min_length=3, max_length=3)
    B_T: list[float] | None = Field(None, min_length=3, max_length=3)

    @model_validator(mode="after")
    def _one(self) -> FieldSpec:
        self.tesla()
        return self

    def tesla(self) -> list[float]:
        """B [T]."""
        return _exactly_one(self, "B", "B_T", "field")


class FieldSweep(Strict):
    """``[sweep] kind = "field"``: Hanle sweep, B = value x ``direction`` for each value
    (``values = ["-0.2 T", ...]`` or ``values_T = [-0.2, ...]``)."""

    kind: Literal["field"]
    values: list[FluxDensity] | None = Field(None, min_length=1)
    values_T: list[float] | None = Field(None, min_length=1)
    direction: Vec3 = Field(default_factory=lambda: [0.0, 0.0, 1.0])

    @model_validator(mode="after")
    def _one(self) -> FieldSweep:
        self.tesla()
        return self

    def tesla(self) -> list[float]:
        """The swept B values [T]."""
        return _exactly_one(self, "values", "values_T", "sweep")


class AngleSweep(Strict):
    """``[sweep] kind = "angle"``: rotate the magnetization of ``region`` (a region or an
    insulator boundary): m = cos(t) start + sin(t) towards' (towards' = the part of
    ``towards`` normal to ``start``), t in ``degrees``."""

    kind: Literal["angle"]
    region: str
    degrees: list[float] = Field(min_length=1)
    start: Vec3 = Field(default_factory=lambda: [1.0, 0.0, 0.0])
    towards: Vec3 = Field(default_factory=lambda: [0.0, 1.0, 0.0])


VectorSweep = Annotated[FieldSweep | AngleSweep, Field(discriminator="kind")]


class NonlocalSpec(Strict):
    """R_NL = (V_detector - V_reference)/I_injector [Ohm] (detector, reference floating)."""

    injector: str
    detector: str
    reference: str


class FourTerminalSpec(Strict):
    """R = (V_k - V_l)/I [Ohm] for I entering at current[0], leaving at current[1] (all
    other contacts floating): ``current = ["left", "right"], voltage = ["north", "south"]``."""

    current: list[str] = Field(min_length=2, max_length=2)
    voltage: list[str] = Field(min_length=2, max_length=2)


class SmrSpec(Strict):
    """Spin Hall magnetoresistance of a film on the insulator ``boundary`` (Chen et al.,
    PRB 87, 144411, Eqs. 14-16; docs/theory.md): four extra solves with the insulator m
    along x (current), y = normal x x, +normal, -normal. Delta rho_1/rho = (R_x - R_y)/R_y
    from the resistance between the ``current`` contacts; with ``hall`` contacts (first
    on the +y side) and ``thickness``, Delta rho_2/rho = -sigma t (R_H(+n) - R_H(-n))/2."""

    boundary: str
    current: list[str] = Field(min_length=2, max_length=2)
    hall: list[str] | None = Field(None, min_length=2, max_length=2)
    thickness: Length | None = None
    region: str | None = None
    current_direction: Vec3 = Field(default_factory=lambda: [1.0, 0.0, 0.0])
    normal: Vec3 = Field(default_factory=lambda: [0.0, 0.0, 1.0])

    @model_validator(mode="after")
    def _hall(self) -> SmrSpec:
        if self.hall is not None and self.thickness is None:
            raise PydanticCustomError(
                "smr", "'hall' contacts need the film 'thickness' [m] for Delta rho_2", {}
            )
        if abs(sum(a * b for a, b in zip(self.current_direction, self.normal, strict=True))) > 1e-9:
            raise PydanticCustomError(
                "smr", "'current_direction' must be perpendicular to 'normal'", {}
            )
        return self


class ObservablesSpec(Strict):
    """``[observables]``: what is computed besides contact voltages/currents (always) and
    the two-terminal resistance (two contacts)."""

    nonlocal_: NonlocalSpec | None = Field(None, alias="nonlocal")
    four_terminal: dict[str, FourTerminalSpec] = Field(default_factory=dict)
    torques: bool = True
    torque_current_region: str | None = None
    smr: SmrSpec | None = None


class MagnetizationFileSpec(Strict):
    """``[magnetization] <region> = { file = "m.ovf" }``: m from a micromagnetic grid file
    (OVF 2.0 text/binary from OOMMF, mumax3, Boris, or ``.npz``), interpolated trilinearly
    (:class:`spinfem.magnetization.MagnetizationGrid`); relative to the case file."""

    file: str


SECTIONS: dict[str, Any] = {
    "materials": dict[str, VectorMaterialSpec],
    "contacts": dict[str, ContactSpec],
    "interfaces": dict[str, VectorInterfaceSpec],
    "magnetization": dict[str, Vec3 | MagnetizationFileSpec],
    "boundaries": dict[str, InsulatorSpec],
    "field": FieldSpec,
    "sweep": VectorSweep,
    "observables": ObservablesSpec,
}
