"""Case-file mesh builders of the spin-Hall / nonlocal devices: ``[mesh] kind =
"lateral_valve"`` (:mod:`spinfem.geometry.lateral`), ``"film"``, ``"bilayer"``,
``"hall_bar"``, ``"hall_cross"`` (:mod:`spinfem.geometry.strip`). Every length is a
string with a unit; the meshes are drawn in nm (``length_unit`` 1e-9 m)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from spinfem.case.build import Device, register_mesh
from spinfem.case.schema import Length, MeshSpec

__all__ = ["BilayerMesh", "FilmMesh", "HallBarMesh", "HallCrossMesh", "LateralValveMesh"]

NM = 1e-9


class LateralValveMesh(MeshSpec):
    """``[mesh] kind = "lateral_valve"``: a channel with injector and detector wires
    (regions channel/injector/detector; contacts injector_end, detector_end,
    channel_left, channel_right; interfaces "injector|channel", "detector|channel").
    dim 2 is the quasi-1D cross-section with out-of-plane depth ``channel_width``."""

    kind: Literal["lateral_valve"] = "lateral_valve"
    L: Length
    channel_width: Length
    channel_thickness: Length
    wire_width: Length
    wire_thickness: Length
    arm: Length
    detector_width: Length | None = None
    wire_arm: Length | None = None
    wire_overhang: Length | None = None
    dim: Literal[2, 3] = 2
    per_lsf: float = Field(8.0, gt=0)
    min_elements: int = Field(3, ge=1)
    max_size: Length | None = None


class _Planar(MeshSpec):
    """Keys shared by the strip builders: 2D or 3D, element size, 2D out-of-plane depth."""

    dim: Literal[2, 3] = 2
    size: Length | None = None
    depth: Length | None = None


class _Film(_Planar):
    """A single-region film (region name, 3D thickness)."""

    region: str = "HM"
    thickness: Length | None = None


class FilmMesh(_Planar):
    """``[mesh] kind = "film"``: one metal film, current along x (contacts left/right;
    film faces bottom/top; 3D also south/north). 2D: x-y cross-section, normal y."""

    kind: Literal["film"] = "film"
    length: Length
    thickness: Length
    width: Length | None = None
    region: str = "HM"
    elements: list[int] | None = Field(None, min_length=2, max_length=2)


class BilayerMesh(_Planar):
    """``[mesh] kind = "bilayer"``: lower/upper films (``names``), interface
    "<lower>|<upper>", contacts left/right on both layers, faces bottom/top."""

    kind: Literal["bilayer"] = "bilayer"
    length: Length
    t_lower: Length
    t_upper: Length
    names: list[str] = Field(default_factory=lambda: ["HM", "FM"], min_length=2, max_length=2)
    width: Length | None = None


class HallBarMesh(_Film):
    """``[mesh] kind = "hall_bar"``: a bar along x (contacts left/right) with two arms at
    x = 0 (contacts south/north, y = -/+); 3D faces bottom/top; other edges "sides"."""

    kind: Literal["hall_bar"] = "hall_bar"
    length: Length
    width: Length
    arm_width: Length
    arm_length: Length


class HallCrossMesh(_Film):
    """``[mesh] kind = "hall_cross"``: a symmetric cross, contacts left/right/south/north."""

    kind: Literal["hall_cross"] = "hall_cross"
    arm_width: Length
    arm_length: Length


def build_lateral_valve(spec: LateralValveMesh, base: Path, materials: Any, comm: Any) -> Device:
    from spinfem.geometry.lateral import REGIONS, LateralValve, lateral_valve

    valve = LateralValve(
        L=spec.L,
        channel_width=spec.channel_width,
        channel_thickness=spec.channel_thickness,
        wire_width=spec.wire_width,
        wire_thickness=spec.wire_thickness,
        arm=spec.arm,
        detector_width=spec.detector_width,
        wire_arm=spec.wire_arm,
        wire_overhang=spec.wire_overhang or 0.0,
    )
    mats = {k: v for k, v in materials.items() if k in REGIONS}
    mesh = lateral_valve(
        valve,
        dim=spec.dim,
        materials=mats,
        per_lsf=spec.per_lsf,
        min_elements=spec.min_elements,
        max_size=spec.max_size,
        comm=comm,
    )
    return Device(mesh, source={"builder": "lateral_valve"})


def _normal_line(
    length: float, total: float, dim: int
) -> list[tuple[str, list[float], list[float]]]:
    """The film normal through x = length/4 (0 to the top) [m]."""
    x = length / 4
    if dim == 3:
        return [("normal", [x, 0.0, 0.0], [x, 0.0, total])]
    return [("normal", [x, 0.0], [x, total])]


def _strip(function: str, spec: Any, args: tuple[str, ...], comm: Any) -> Any:
    """Call spinfem.geometry.strip.<function> with the spec's positional ``args`` and
    every other key of the spec (except kind and refine, which build_device applies) as a
    keyword."""
    from spinfem.geometry import strip

    keywords = {
        k: getattr(spec, k) for k in type(spec).model_fields if k not in (*args, "kind", "refine")
    }
    if keywords.get("elements") is not None:
        keywords["elements"] = tuple(keywords["elements"])
    if "names" in keywords:
        keywords["names"] = tuple(keywords["names"])
    return getattr(strip, function)(*(getattr(spec, a) for a in args), **keywords, comm=comm)


def build_film(spec: FilmMesh, base: Path, materials: Any, comm: Any) -> Device:
    mesh = _strip("film", spec, ("length", "thickness"), comm)
    lines = _normal_line(spec.length, spec.thickness, spec.dim)
    return Device(mesh, lines=lines, source={"builder": "film"})


def build_bilayer(spec: BilayerMesh, base: Path, materials: Any, comm: Any) -> Device:
    mesh = _strip("bilayer", spec, ("length", "t_lower", "t_upper"), comm)
    lines = _normal_line(spec.length, spec.t_lower + spec.t_upper, spec.dim)
    return Device(mesh, lines=lines, source={"builder": "bilayer"})


def build_hall_bar(spec: HallBarMesh, base: Path, materials: Any, comm: Any) -> Device:
    mesh = _strip("hall_bar", spec, ("length", "width", "arm_width", "arm_length"), comm)
    return Device(mesh, source={"builder": "hall_bar"})


def build_hall_cross(spec: HallCrossMesh, base: Path, materials: Any, comm: Any) -> Device:
    mesh = _strip("hall_cross", spec, ("arm_width", "arm_length"), comm)
    return Device(mesh, source={"builder": "hall_cross"})


register_mesh("lateral_valve", LateralValveMesh, build_lateral_valve)
register_mesh("film", FilmMesh, build_film)
register_mesh("bilayer", BilayerMesh, build_bilayer)
register_mesh("hall_bar", HallBarMesh, build_hall_bar)
register_mesh("hall_cross", HallCrossMesh, build_hall_cross)
