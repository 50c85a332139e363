"""The case-file schema: pydantic v2 models, ``extra="forbid"`` everywhere.

A case file has common sections (``[case]``, ``[model]``, ``[mesh]``, ``[solver]``,
``[output]``, ``[sweep]``) and the sections of its model (for ``two_current``:
``[materials.<region>]``, ``[contacts.<name>]``, ``[interfaces."<A|B>"]``,
``[magnetization]``, ``[states.<name>]``). ``[model] kind`` and ``[mesh] kind`` select
entries of registries (:mod:`spinfem.case.models`, :mod:`spinfem.case.build`), so new
models and device builders plug in without touching this file.

Dimensional values are strings with units (``"10 nm"``), stored in SI after
validation; unknown keys are rejected with their path and a "did you mean".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from spinfem.case.units import parse_quantity
from spinfem.errors import InputError

__all__ = [
    "Case",
    "ContactSpec",
    "FileMesh",
    "InterfaceSpec",
    "LayerSpec",
    "MagnetSlabMesh",
    "MaterialSpec",
    "MtjMesh",
    "PillarMesh",
    "Quantity",
    "Strict",
]


class Strict(BaseModel):
    """Base of every section: unknown keys are errors with a "did you mean"."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields)
            known |= {f.alias for f in cls.model_fields.values() if f.alias}
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key{hint}; allowed keys: {allowed}",
                        {"key": str(key), "hint": hint, "allowed": ", ".join(sorted(known))},
                    )
        return data


def _quantity(unit: str) -> Any:
    def check(value: Any) -> float:
        try:
            return parse_quantity(value, unit, "")
        except InputError as exc:
            raise PydanticCustomError("unit", "{msg}", {"msg": str(exc)}) from None

    return BeforeValidator(check)


@dataclass(frozen=True)
class UnitTag:
    """Marks a field as a quantity in SI ``unit`` (read by the case-file reference)."""

    unit: str


def Quantity(unit: str) -> Any:
    """A float in SI ``unit`` read from a string with a unit (or a number if unit is '1')."""
    return Annotated[float, _quantity(unit), UnitTag(unit)]


Length = Quantity("m")
Conductivity = Quantity("S/m")
Resistivity = Quantity("ohm*m")
ResistanceArea = Quantity("ohm*m^2")
ConductancePerArea = Quantity("S/m^2")
Voltage = Quantity("V")
Current = Quantity("A")
Dimensionless = Quantity("1")


# ----------------------------------------------------------------------------- common
class CaseInfo(Strict):
    """``[case]``: free-form metadata."""

    name: str = ""
    description: str = ""


class ModelHead(Strict):
    """``[model]``: which physics; the other keys belong to the model (see models.py)."""

    kind: str = "two_current"


class SolverSpec(Strict):
    """``[solver]``: linear solver; ``petsc_options`` go under the prefix ``spinfem_``.
    LU (MUMPS) up to ``direct_max_dofs`` unknowns, CG/GMRES + AMG above; unset: 200 000
    on 2D meshes (60 000 for the vector model), 30 000 on 3D meshes (M-m model:
    200 000). The vector model's AMG works on V and mu_vec separately (options of each
    under ``fieldsplit_0_`` and ``fieldsplit_1_``); ``pc_type = "hypre"`` gives one
    systems AMG on all four unknowns instead."""

    direct_max_dofs: int | None = Field(None, ge=0)
    rtol: float = Field(1e-10, gt=0, lt=1)
    petsc_options: dict[str, str | int | float | bool] = Field(default_factory=dict)


class LineSpec(Strict):
    """``[[output.lines]]``: a segment along which V and mu_s are sampled for plots."""

    name: str
    start: list[Length] = Field(min_length=2, max_length=3)
    end: list[Length] = Field(min_length=2, max_length=3)
    points: int = Field(101, ge=2, le=100_000)


class OutputSpec(Strict):
    """``[output]``: what is written besides the scalar results."""

    fields: bool = True
    lines: list[LineSpec] | None = None  # None: the device axis, if the builder knows one


class SweepSpec(Strict):
    """``[sweep]``: run the case once per value of the key path ``key``."""

    key: str
    values: list[Any] = Field(min_length=1)


# ----------------------------------------------------------------------------- meshes
class MeshSpec(Strict):
    """Keys every ``[mesh]`` kind takes: ``refine`` uniform refinement passes on all
    ranks after meshing (each splits every cell into 2^dim; spinfem.refine), the way to
    devices too large to mesh on one rank."""

    refine: int = Field(0, ge=0)


class LayerSpec(Strict):
    """One layer of a stack, bottom to top: its region name and thickness."""

    name: str
    thickness: Length
    elements: int | None = Field(None, ge=1)


class _StackMesh(MeshSpec):
    """Common keys of the stack builders (give ``radius`` or ``width``)."""

    layers: list[LayerSpec] = Field(min_length=1)
    radius: Length | None = None
    width: Length | None = None
    depth: Length | None = None
    dim: Literal[2, 3] = 3
    lateral_size: Length | None = None
    per_lsf: float = Field(8.0, gt=0)
    min_elements: int = Field(3, ge=1)
    max_size: Length | None = None


class PillarMesh(_StackMesh):
    """``[mesh] kind = "pillar"``: a CPP stack (spinfem.geometry.pillar)."""

    kind: Literal["pillar"] = "pillar"


class BarrierSpec(Strict):
    """The tunnel barrier of an MTJ: on the interface above layer ``below``."""

    below: str
    RA: ResistanceArea
    polarization: Dimensionless = 0.0


class MtjMesh(_StackMesh):
    """``[mesh] kind = "mtj"``: a pillar whose interface above ``barrier.below`` is a
    tunnel barrier (not meshed; spinfem.geometry.devices.mtj)."""

    kind: Literal["mtj"] = "mtj"
    barrier: BarrierSpec


class MagnetSlabMesh(MeshSpec):
    """``[mesh] kind = "magnet_slab"``: a box (3D) or rectangle (2D) of one region with
    faces xmin, xmax, ymin, ymax (, zmin, zmax)."""

    kind: Literal["magnet_slab"] = "magnet_slab"
    size: list[Length] = Field(min_length=2, max_length=3)
    cells: list[int] = Field(min_length=2, max_length=3)
    region: str = "magnet"
    depth: Length | None = None


class FileMesh(MeshSpec):
    """``[mesh] kind = "file"``: a mesh file with its length unit.

    ``.msh`` is read by gmsh; other formats (``.vtu``, ``.xdmf``, ``.med``, ``.inp``, ...)
    through meshio, with region/boundary names from the file or the ``regions`` /
    ``boundaries`` tables (name -> integer tag)."""

    kind: Literal["file"] = "file"
    path: str
    length_unit: Length
    reader: Literal["auto", "gmsh", "meshio"] = "auto"
    depth: Length | None = None
    regions: dict[str, int] | None = None
    boundaries: dict[str, int] | None = None


# ----------------------------------------------------------------------------- two_current
class MaterialSpec(Strict):
    """``[materials.<region>]``: a library name, explicit values, or a library name with
    some values replaced. Conductivity as ``sigma`` or ``rho``."""

    library: str | None = None
    sigma: Conductivity | None = None
    rho: Resistivity | None = None
    P: Dimensionless | None = None
    l_sf: Length | None = None
    theta_sh: Dimensionless | None = None

    @model_validator(mode="after")
    def _complete(self) -> MaterialSpec:
        if self.sigma is not None and self.rho is not None:
            raise PydanticCustomError("material", "give 'sigma' or 'rho', not both", {})
        if self.library is None:
            missing = [k for k in ("l_sf",) if getattr(self, k) is None]
            if self.sigma is None and self.rho is None:
                missing.insert(0, "sigma' or 'rho")
            if missing:
                raise PydanticCustomError(
                    "material",
                    "no 'library' material, so '{missing}' must be given",
                    {"missing": "', '".join(missing)},
                )
        return self


class ContactSpec(Strict):
    """``[contacts.<surface>]``: exactly one of ``voltage`` or ``current`` (into the device)."""

    voltage: Voltage | None = None
    current: Current | None = None

    @model_validator(mode="after")
    def _one(self) -> ContactSpec:
        if (self.voltage is None) == (self.current is None):
            raise PydanticCustomError(
                "contact", "give exactly one of 'voltage' [V] or 'current' [A]", {}
            )
        return self


_LAW_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # law -> (required, optional)
    "transparent": ((), ()),
    "spin_conductance": ((), ("AR_b", "gamma", "G_up", "G_dn")),
    "tunnel_barrier": (("RA",), ("polarization",)),
    "spin_memory_loss": (("delta",), ("AR_I", "t_I", "sigma_I", "gamma")),
    # vector model only (spinfem.case.vector_schema.VectorInterfaceSpec)
    "mixing": ((), ("AR_b", "gamma", "G_up", "G_dn", "G_r", "G_i", "g_r", "g_i")),
}


class InterfaceSpec(Strict):
    """``[interfaces."<name>"]``: the law of an interface (facet group or ``"A|B"``)."""

    law: Literal["transparent", "spin_conductance", "tunnel_barrier", "spin_memory_loss"]
    AR_b: ResistanceArea | None = None
    gamma: Dimensionless | None = None
    G_up: ConductancePerArea | None = None
    G_dn: ConductancePerArea | None = None
    RA: ResistanceArea | None = None
    polarization: Dimensionless | None = None
    delta: Dimensionless | None = None
    AR_I: ResistanceArea | None = None
    t_I: Length | None = None
    sigma_I: Conductivity | None = None

    @model_validator(mode="after")
    def _keys(self) -> InterfaceSpec:
        required, optional = _LAW_KEYS[self.law]
        given = {k for k in type(self).model_fields if k != "law" and getattr(self, k) is not None}
        extra = sorted(given - set(required) - set(optional))
        missing = sorted(set(required) - given)
        if extra or missing:
            raise PydanticCustomError(
                "law_keys",
                "law '{law}' takes {allowed}; {problem}",
                {
                    "law": self.law,
                    "allowed": ", ".join(required + optional) or "no parameters",
                    "problem": (f"unexpected: {', '.join(extra)}" if extra else "")
                    + ("; " if extra and missing else "")
                    + (f"missing: {', '.join(missing)}" if missing else ""),
                },
            )
        if self.law in ("spin_conductance", "mixing") and (self.AR_b is None) == (
            self.G_up is None
        ):
            raise PydanticCustomError(
                "law_keys",
                "law '{law}' takes 'AR_b' (and 'gamma') or 'G_up', 'G_dn'",
                {"law": self.law},
            )
        return self


Magnetization = int | float | list[float]


class StateSpec(Strict):
    """``[states.<name>]``: a magnetic configuration solved in the same run."""

    magnetization: dict[str, Magnetization] = Field(default_factory=dict)


# ----------------------------------------------------------------------------- the case
class Case(Strict):
    """A validated case: common sections plus the sections of its model (``sections``)."""

    case: CaseInfo = Field(default_factory=CaseInfo)
    model: ModelHead = Field(default_factory=ModelHead)
    model_params: Any = None  # the model's own [model] keys, validated by the model
    mesh: Any  # one of the registered mesh specs
    solver: SolverSpec = Field(default_factory=SolverSpec)
    output: OutputSpec = Field(default_factory=OutputSpec)
    sweep: SweepSpec | None = None
    sections: dict[str, Any] = Field(default_factory=dict)  # model sections, validated

    def section(self, name: str) -> Any:
        return self.sections.get(name)
