"""Device library on top of :func:`~spinfem.geometry.pillar`: the magnetic tunnel junction
(a pillar whose barrier is an interface law, not a meshed layer) and the magnet slab
(one box-shaped region with named faces, for the M-m model).

The lateral nonlocal spin valve and the Hall bar / bilayer strip builders live in their
own modules (other branch); case files reach every builder through
:func:`spinfem.case.build.register_mesh`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mpi4py import MPI

from spinfem.errors import MeshError
from spinfem.geometry.gmsh_session import gmsh_session
from spinfem.geometry.stack import Layer, pillar
from spinfem.interfaces import TunnelBarrier
from spinfem.materials import Material
from spinfem.mesh import DeviceMesh, from_gmsh_model
from spinfem.parallel import did_you_mean, root_call

__all__ = ["barrier_interface", "magnet_slab", "mtj"]

NM = 1e-9


def barrier_interface(layer_names: Sequence[str], below: str) -> str:
    """Name ``"below|above"`` of the interface on top of layer ``below`` of a stack."""
    names = list(layer_names)
    if below not in names:
        raise MeshError(
            f"barrier: 'below' = '{below}' is not a layer{did_you_mean(below, names)}; "
            f"layers: {names}"
        )
    i = names.index(below)
    if names.count(below) > 1 or i == len(names) - 1:
        raise MeshError(
            f"barrier: layer '{below}' must occur once and not be the top layer of {names}"
        )
    return f"{below}|{names[i + 1]}"


def mtj(
    layers: Sequence[Layer],
    *,
    barrier_below: str,
    RA: float,
    polarization: float = 0.0,
    materials: Mapping[str, Material] | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    **pillar_args: Any,
) -> tuple[DeviceMesh, dict[str, TunnelBarrier]]:
    """A magnetic tunnel junction: a pillar with a tunnel barrier on top of ``barrier_below``.

    Args:
        layers: bottom to top, without the barrier (it has no volume in the model).
        barrier_below: name of the layer under the barrier (the reference layer).
        RA: barrier resistance-area [Ohm m^2] (parallel channels, spin-averaged).
        polarization: tunnelling spin polarization [1] in the frame of the adjacent magnet.
        pillar_args: radius / width / depth / dim ... as for :func:`pillar`.

    Returns:
        the mesh and ``{"<below>|<above>": TunnelBarrier}`` to pass as ``interfaces=``.
    """
    key = barrier_interface([layer.name for layer in layers], barrier_below)
    law = TunnelBarrier.from_RA(RA, polarization)
    device = pillar(layers, materials=materials, comm=comm, **pillar_args)
    return device, {key: law}


def _axis_of(box: Sequence[float], eps: float) -> int:
    """Axis along which a straight edge with bounding box ``box`` runs."""
    ext = [box[3 + k] - box[k] for k in range(3)]
    return max(range(3), key=lambda k: ext[k])


def magnet_slab(
    size: Sequence[float],
    cells: Sequence[int],
    *,
    region: str = "magnet",
    depth: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """A structured box (3D, ``size = [Lx, Ly, Lz]`` [m]) or rectangle (2D, ``[Lx, Ly]``)
    of one region with faces ``xmin, xmax, ymin, ymax`` (and ``zmin, zmax``), corner at 0.

    Args:
        size: edge lengths [m].
        cells: elements along each edge.
        region: region name.
        depth: out-of-plane depth of a 2D slab [m] (default Ly).
    """
    dim = len(size)
    if dim not in (2, 3) or len(cells) != dim:
        raise MeshError("magnet_slab: 'size' [m] and 'cells' need 2 or 3 entries each, alike")
    for s in size:
        if not (isinstance(s, (int, float)) and 0 < s <= 1e-3):
            raise MeshError(f"magnet_slab: 'size' entries [m] must be in (0, 1 mm], got {s!r}")
    for c in cells:
        if not (isinstance(c, int) and c >= 1):
            raise MeshError(f"magnet_slab: 'cells' must be positive integers, got {c!r}")
    L = [s / NM for s in size]

    def build() -> None:
        import gmsh

        occ = gmsh.model.occ
        gmsh.model.add("magnet_slab")
        if dim == 3:
            tag = occ.addBox(0, 0, 0, L[0], L[1], L[2])
        else:
            tag = occ.addRectangle(0, 0, 0, L[0], L[1])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(dim, [tag], name=region)
        eps = 1e-6 * max(L)
        for _, face in gmsh.model.getBoundary([(dim, tag)], oriented=False):
            box = gmsh.model.getBoundingBox(dim - 1, face)
            lo, hi = box[:3], box[3:]
            for axis in range(dim):
                if hi[axis] - lo[axis] < eps:
                    side = "min" if abs(lo[axis]) < eps else "max"
                    gmsh.model.addPhysicalGroup(dim - 1, [face], name="xyz"[axis] + side)
        for curve in gmsh.model.getEntities(1):
            gmsh.model.mesh.setTransfiniteCurve(
                curve[1],
                1 + cells[_axis_of(gmsh.model.getBoundingBox(1, curve[1]), eps)],
            )
        gmsh.model.mesh.generate(dim)

    with gmsh_session(comm):
        root_call(comm, build, MeshError)
        out_of_plane = (depth if depth is not None else size[1]) if dim == 2 else 1.0
        return from_gmsh_model(length_unit=NM, comm=comm, depth=out_of_plane)
