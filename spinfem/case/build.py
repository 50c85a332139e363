"""Case -> device: a registry of mesh builders (``[mesh] kind``) and the two-current inputs
(materials, contacts, interface laws) built from validated case sections.

A mesh builder is ``(spec class, build function)``; the function gets the validated spec,
the case-file directory, the materials (for element sizes) and the communicator and
returns a :class:`Device`. Builders written elsewhere register with
:func:`register_mesh` (e.g. the lateral spin valve and Hall bar of the other branch)::

    from spinfem.case.build import register_mesh
    register_mesh("lateral_valve", LateralValveMesh, build_lateral_valve)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mpi4py import MPI

from spinfem import library
from spinfem.case.mm_schema import BoxMesh
from spinfem.case.schema import (
    ContactSpec,
    FileMesh,
    InterfaceSpec,
    MagnetSlabMesh,
    MaterialSpec,
    MtjMesh,
    PillarMesh,
)
from spinfem.contacts import Contact
from spinfem.errors import InputError, MaterialError, MeshError, SpinfemError
from spinfem.interfaces import (
    InterfaceLaw,
    SpinConductance,
    SpinMemoryLoss,
    Transparent,
    TunnelBarrier,
)
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh

__all__ = [
    "MESHES",
    "Device",
    "build_contacts",
    "build_device",
    "build_interfaces",
    "build_materials",
    "register_mesh",
]


@dataclass(frozen=True, eq=False)
class Device:
    """A meshed device and what its builder knows about it.

    Attributes:
        mesh: the device mesh.
        interfaces: interface laws implied by the builder (the MTJ barrier).
        lines: default probe segments (name, start [m], end [m]) for profiles.
        source: where the mesh came from (builder parameters, or file path + sha256).
    """

    mesh: DeviceMesh
    interfaces: dict[str, InterfaceLaw] = field(default_factory=dict)
    lines: list[tuple[str, list[float], list[float]]] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)


MeshBuild = Callable[[Any, Path, Mapping[str, Material], MPI.Comm], Device]

#: ``[mesh] kind`` -> (spec class, build function).
MESHES: dict[str, tuple[type, MeshBuild]] = {}


def register_mesh(kind: str, spec: type, build: MeshBuild) -> None:
    """Make ``[mesh] kind = "<kind>"`` available; ``spec`` is a schema.Strict subclass."""
    MESHES[kind] = (spec, build)


# ----------------------------------------------------------------------------- builders
def _stack_axis(spec: Any) -> list[tuple[str, list[float], list[float]]]:
    total = sum(layer.thickness for layer in spec.layers)
    if spec.dim == 3:
        return [("axis", [0.0, 0.0, 0.0], [0.0, 0.0, total])]
    return [("axis", [0.0, 0.0], [0.0, total])]


def _pillar(spec: Any, materials: Mapping[str, Material], comm: MPI.Comm) -> DeviceMesh:
    from spinfem.geometry import Layer, pillar

    layers = [Layer(lay.name, lay.thickness, lay.elements) for lay in spec.layers]
    return pillar(
        layers,
        radius=spec.radius,
        width=spec.width,
        depth=spec.depth,
        dim=spec.dim,
        materials=materials,
        lateral_size=spec.lateral_size,
        per_lsf=spec.per_lsf,
        min_elements=spec.min_elements,
        max_size=spec.max_size,
        comm=comm,
    )


def build_pillar(spec: PillarMesh, base: Path, materials: Mapping[str, Material], comm: Any):
    mesh = _pillar(spec, materials, comm)
    return Device(mesh, lines=_stack_axis(spec), source={"builder": "pillar"})


def build_mtj(spec: MtjMesh, base: Path, materials: Mapping[str, Material], comm: Any):
    from spinfem.geometry.devices import barrier_interface

    names = [lay.name for lay in spec.layers]
    key = barrier_interface(names, spec.barrier.below)
    mesh = _pillar(spec, materials, comm)
    law = TunnelBarrier.from_RA(spec.barrier.RA, spec.barrier.polarization)
    return Device(mesh, {key: law}, _stack_axis(spec), {"builder": "mtj", "barrier": key})


def build_magnet_slab(spec: MagnetSlabMesh, base: Path, materials: Any, comm: Any):
    from spinfem.geometry.devices import magnet_slab

    if len(spec.cells) != len(spec.size):
        raise MeshError("mesh.cells: give one cell count per entry of mesh.size")
    mesh = magnet_slab(spec.size, spec.cells, region=spec.region, depth=spec.depth, comm=comm)
    mid = [s / 2 for s in spec.size]
    start, end = list(mid), list(mid)
    start[0], end[0] = 0.0, spec.size[0]
    return Device(mesh, lines=[("x", start, end)], source={"builder": "magnet_slab"})


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_file(spec: FileMesh, base: Path, materials: Any, comm: Any) -> Device:
    from spinfem.mesh import from_msh
    from spinfem.meshio_import import from_meshio

    path = Path(spec.path)
    if not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise MeshError(f"mesh.path: mesh file '{path}' does not exist")
    reader = spec.reader
    if reader == "auto":
        reader = "gmsh" if path.suffix == ".msh" and not spec.regions else "meshio"
    depth = spec.depth if spec.depth is not None else 1.0
    if reader == "gmsh":
        mesh = from_msh(path, length_unit=spec.length_unit, comm=comm, depth=depth)
    else:
        mesh = from_meshio(
            path,
            length_unit=spec.length_unit,
            regions=spec.regions,
            boundaries=spec.boundaries,
            depth=depth,
            comm=comm,
        )
    digest = sha256(path) if comm.rank == 0 else None
    digest = comm.bcast(digest, root=0)
    return Device(mesh, source={"file": str(path), "sha256": digest, "reader": reader})


def build_box(spec: BoxMesh, base: Path, materials: Any, comm: Any) -> Device:
    from spinfem.mm.problem import box_mesh

    nm = 1e-9
    lengths = tuple(s / nm for s in spec.size)
    mesh = box_mesh(lengths, tuple(spec.cells), length_unit=nm, comm=comm, region=spec.region)
    start = [0.0] + [s / 2 for s in spec.size[1:]]
    end = [spec.size[0]] + [s / 2 for s in spec.size[1:]]
    lines = [("x", start, end)] if len(spec.size) > 1 else []
    return Device(mesh, lines=lines, source={"builder": "box"})


register_mesh("pillar", PillarMesh, build_pillar)
register_mesh("mtj", MtjMesh, build_mtj)
register_mesh("magnet_slab", MagnetSlabMesh, build_magnet_slab)
register_mesh("file", FileMesh, build_file)
register_mesh("box", BoxMesh, build_box)


def build_device(
    spec: Any, base: Path, materials: Mapping[str, Material], comm: MPI.Comm = MPI.COMM_WORLD
) -> Device:
    """Mesh the device of a validated ``[mesh]`` section."""
    _, build = MESHES[spec.kind]
    try:
        device = build(spec, base, materials, comm)
    except SpinfemError as exc:
        raise type(exc)(f"mesh ({spec.kind}): {exc}") from exc
    passes = spec.refine  # every mesh kind's spec is a MeshSpec
    if passes:
        from spinfem.refine import refine

        source = {**device.source, "refine": passes}
        device = replace(device, mesh=refine(device.mesh, passes), source=source)
    return device


# ----------------------------------------------------------------------------- two_current
#: Material parameters a ``[materials.<region>]`` table may set (SI after validation).
MATERIAL_KEYS = ("sigma", "P", "l_sf", "theta_sh", "lambda_J", "lambda_phi", "tau_sf")


def build_materials(specs: Mapping[str, MaterialSpec]) -> dict[str, Material]:
    """region -> Material from ``[materials.<region>]`` (library entry with overrides)."""
    out = {}
    for region, spec in specs.items():
        where = f"materials.{region}"
        try:
            changes: dict[str, Any] = {}
            if spec.rho is not None:
                changes["sigma"] = 1.0 / spec.rho if spec.rho > 0 else -1.0
            for key in MATERIAL_KEYS:  # the vector model's spec adds lambda_J, ...
                if getattr(spec, key, None) is not None:
                    changes[key] = getattr(spec, key)
            if spec.library is not None:
                base = library.get(spec.library)
                out[region] = base.with_(**changes) if changes else base
            else:
                out[region] = Material(name=region, **changes)
        except MaterialError as exc:
            raise MaterialError(f"{where}: {exc}") from None
    return out


def build_contacts(specs: Mapping[str, ContactSpec]) -> list[Contact]:
    return [Contact(name, voltage=s.voltage, current=s.current) for name, s in specs.items()]


def build_interfaces(specs: Mapping[str, InterfaceSpec]) -> dict[str, InterfaceLaw]:
    out: dict[str, InterfaceLaw] = {}
    for name, s in specs.items():
        try:
            if s.law == "transparent":
                out[name] = Transparent()
            elif s.law == "spin_conductance":
                if s.AR_b is not None:
                    out[name] = SpinConductance.from_ARb(s.AR_b, s.gamma or 0.0)
                else:
                    out[name] = SpinConductance(G_up=s.G_up, G_dn=s.G_dn)  # type: ignore[arg-type]
            elif s.law == "mixing":  # vector model (VectorInterfaceSpec)
                from spinfem.mixing import MixingConductance

                G_r, G_i = s.mixing_SI()  # type: ignore[attr-defined]
                if s.AR_b is not None:
                    out[name] = MixingConductance.from_ARb_mixing(s.AR_b, s.gamma or 0.0, G_r, G_i)
                else:
                    out[name] = MixingConductance(G_up=s.G_up, G_dn=s.G_dn, G_r=G_r, G_i=G_i)  # type: ignore[arg-type]
            elif s.law == "tunnel_barrier":
                out[name] = TunnelBarrier.from_RA(s.RA, s.polarization or 0.0)  # type: ignore[arg-type]
            else:
                out[name] = SpinMemoryLoss(
                    delta=s.delta,  # type: ignore[arg-type]
                    AR_I=s.AR_I,
                    t_I=s.t_I,
                    sigma_I=s.sigma_I,
                    gamma=s.gamma or 0.0,
                )
        except InputError as exc:
            raise InputError(f"interfaces.'{name}': {exc}") from None
    return out
