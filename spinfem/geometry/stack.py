"""Layered devices: CPP pillar stacks in 3D (circular or rectangular cross-section) and
their 2D cross-section, built with gmsh and named for spinfem.

The stack grows along the last axis (z in 3D, y in 2D) from 0. Each layer is an
extrusion of the previous layer's top, so interfaces are conformal by construction,
and the elements across a layer follow its spin-diffusion length (several elements
across even the thinnest layer). Coordinates are in nm (``length_unit = 1e-9``).

Physical groups (names users refer to):
- one region per layer name (layers with equal names form one region);
- ``bottom`` and ``top`` end faces (the natural contacts), ``side`` the mantle;
- ``"A|B"`` the interface between layer A (below) and layer B (above).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mpi4py import MPI

from spinfem.errors import MeshError
from spinfem.geometry.gmsh_session import gmsh_session
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh, from_gmsh_model
from spinfem.parallel import root_call

__all__ = ["Layer", "layer_elements", "pillar"]

NM = 1e-9


@dataclass(frozen=True)
class Layer:
    """One layer of a stack.

    Attributes:
        name: region name (gmsh physical group).
        thickness: thickness [m], > 0.
        elements: number of elements across (None: from l_sf and the defaults).
    """

    name: str
    thickness: float
    elements: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "|" in self.name:
            raise MeshError(f"layer name must be a non-empty string without '|', got {self.name!r}")
        if not isinstance(self.thickness, (int, float)) or not self.thickness > 0:
            raise MeshError(
                f"layer '{self.name}': 'thickness' [m] must be > 0, got {self.thickness!r}"
            )
        if self.thickness > 1e-3:
            raise MeshError(
                f"layer '{self.name}': 'thickness' [m] is {self.thickness!r}, i.e. over 1 mm: "
                "thicknesses are in metres (use 10e-9 for 10 nm)"
            )
        if self.elements is not None and (not isinstance(self.elements, int) or self.elements < 1):
            raise MeshError(f"layer '{self.name}': 'elements' must be a positive integer")


def layer_elements(
    layer: Layer,
    material: Material | None,
    *,
    per_lsf: float = 8.0,
    minimum: int = 3,
    max_size: float | None = None,
) -> int:
    """Elements across a layer: at least ``minimum``, and at most l_sf/per_lsf thick [m]."""
    if layer.elements is not None:
        return layer.elements
    h = math.inf
    if material is not None:
        h = material.l_sf / per_lsf
    if max_size is not None:
        h = min(h, max_size)
    if not math.isfinite(h):
        return minimum
    # tolerate rounding: 22 nm / (5.5 nm / 8) is 32 elements, not 33
    return max(minimum, math.ceil(layer.thickness / h * (1 - 1e-9)))


def pillar(
    layers: Sequence[Layer],
    *,
    radius: float | None = None,
    width: float | None = None,
    depth: float | None = None,
    dim: int = 3,
    materials: Mapping[str, Material] | None = None,
    lateral_size: float | None = None,
    per_lsf: float = 8.0,
    min_elements: int = 3,
    max_size: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """Mesh a CPP pillar: a stack of layers between a ``bottom`` and a ``top`` face.

    Args:
        layers: bottom to top.
        radius: radius of a circular cross-section [m] (3D).
        width: width of a rectangular cross-section along x [m] (3D and 2D).
        depth: extent along y of a rectangular cross-section [m] (3D); in 2D the
            out-of-plane depth carried by the mesh [m] (default: ``width``).
        dim: 3 (pillar) or 2 (cross-section in the x-y plane, stack along y).
        materials: region name -> Material, used only to size elements by l_sf.
        lateral_size: element size across the pillar [m] (default: a quarter of the width).
        per_lsf: elements per spin-diffusion length across a layer.
        min_elements: minimum elements across any layer.
        max_size: maximum element thickness across layers [m].
    """
    if not layers:
        raise MeshError("a pillar needs at least one layer")
    if dim not in (2, 3):
        raise MeshError(f"'dim' must be 2 or 3, got {dim!r}")
    if dim == 3 and (radius is None) == (width is None):
        raise MeshError("give either 'radius' [m] (circular) or 'width' [m] (rectangular)")
    if dim == 2 and width is None:
        raise MeshError("a 2D cross-section needs 'width' [m]")
    for key, val in (("radius", radius), ("width", width), ("depth", depth)):
        if val is not None and not (isinstance(val, (int, float)) and val > 0):
            raise MeshError(f"'{key}' [m] must be > 0, got {val!r}")
        if val is not None and val > 1e-3:
            raise MeshError(
                f"'{key}' [m] is {val!r}, i.e. over 1 mm: lengths are in metres (50e-9 for 50 nm)"
            )
    materials = materials or {}
    counts = [
        layer_elements(
            l, materials.get(l.name), per_lsf=per_lsf, minimum=min_elements, max_size=max_size
        )
        for l in layers
    ]
    span = 2 * radius if radius is not None else width
    assert span is not None
    lateral = lateral_size if lateral_size is not None else span / 4
    if dim == 3 and radius is None:
        depth = depth if depth is not None else width
    out_of_plane = (depth if depth is not None else width) if dim == 2 else 1.0

    def build() -> None:
        import gmsh

        occ = gmsh.model.occ
        gmsh.model.add("pillar")
        if dim == 3:
            if radius is not None:
                base = occ.addDisk(0, 0, 0, radius / NM, radius / NM)
            else:
                assert width is not None and depth is not None
                base = occ.addRectangle(-width / NM / 2, -depth / NM / 2, 0, width / NM, depth / NM)
            current = [(2, base)]
        else:
            assert width is not None
            p0 = occ.addPoint(-width / NM / 2, 0, 0)
            p1 = occ.addPoint(width / NM / 2, 0, 0)
            current = [(1, occ.addLine(p0, p1))]
        bottom = current[0][1]
        volumes: dict[str, list[int]] = {}
        tops, sides = [], []
        for layer, n in zip(layers, counts, strict=True):
            t = layer.thickness / NM
            dx, dy, dz = (0, 0, t) if dim == 3 else (0, t, 0)
            out = occ.extrude(current, dx, dy, dz, numElements=[n], recombine=False)
            top, vol = out[0], out[1]
            volumes.setdefault(layer.name, []).append(vol[1])
            sides.extend(tag for d, tag in out[2:] if d == dim - 1)
            tops.append(top[1])
            current = [top]
        occ.synchronize()
        fdim = dim - 1
        for name, tags in volumes.items():
            gmsh.model.addPhysicalGroup(dim, tags, name=name)
        gmsh.model.addPhysicalGroup(fdim, [bottom], name="bottom")
        gmsh.model.addPhysicalGroup(fdim, [tops[-1]], name="top")
        gmsh.model.addPhysicalGroup(fdim, sides, name="side")
        interfaces: dict[str, list[int]] = {}
        for below, above, tag in zip(layers[:-1], layers[1:], tops[:-1], strict=True):
            if below.name != above.name:
                interfaces.setdefault(f"{below.name}|{above.name}", []).append(tag)
        for name, tags in interfaces.items():
            gmsh.model.addPhysicalGroup(fdim, tags, name=name)
        gmsh.option.setNumber("Mesh.MeshSizeMax", lateral / NM)
        gmsh.option.setNumber("Mesh.MeshSizeMin", lateral / NM / 4)
        gmsh.model.mesh.generate(dim)

    with gmsh_session(comm):
        root_call(comm, build, MeshError)
        return from_gmsh_model(length_unit=NM, comm=comm, depth=out_of_plane * 1.0)
