"""Foreign mesh formats through meshio: VTK/VTU, XDMF, MED, Abaqus, Gmsh 2.2 written by
other tools, ... (anything meshio reads with simplex cells and integer cell tags).

meshio is barely maintained, so it stays off the main path: the file is read on rank 0,
copied into a discrete gmsh model (one entity per tag) and then goes through exactly the
same import and validation as a gmsh-built device (:func:`spinfem.mesh.from_gmsh_model`).

Tags are taken from the cell data ``gmsh:physical``, ``cell_tags``, ``region``, ``tags``
or ``medit:ref`` (the first present). Names come from the file's ``field_data``
(gmsh ``$PhysicalNames``) or from the ``regions`` / ``boundaries`` tables
(name -> tag); a tag without a name is named by its number.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from mpi4py import MPI

from spinfem.errors import MeshError
from spinfem.geometry.gmsh_session import gmsh_session
from spinfem.mesh import DeviceMesh, from_gmsh_model
from spinfem.parallel import root_call

__all__ = ["TAG_KEYS", "from_meshio"]

TAG_KEYS = ("gmsh:physical", "cell_tags", "region", "tags", "medit:ref")
_GMSH_TYPE = {"line": (1, 1, 2), "triangle": (2, 2, 3), "tetra": (3, 4, 4)}  # dim, type, nodes


def _read(path: Path, regions: Mapping[str, int] | None, boundaries: Mapping[str, int] | None):
    import meshio

    if not path.is_file():
        raise MeshError(f"mesh file '{path}' does not exist")
    try:
        mesh = meshio.read(str(path))
    except Exception as exc:
        raise MeshError(f"meshio cannot read '{path}': {type(exc).__name__}: {exc}") from None
    key = next((k for k in TAG_KEYS if k in mesh.cell_data), None)
    if key is None:
        raise MeshError(
            f"mesh file '{path}' has no integer cell tags: expected one of the cell data "
            f"{list(TAG_KEYS)}, found {sorted(mesh.cell_data)}"
        )
    blocks = [
        (b.type, np.asarray(b.data), np.asarray(tags).astype(np.int64).ravel())
        for b, tags in zip(mesh.cells, mesh.cell_data[key], strict=True)
        if b.type in _GMSH_TYPE
    ]
    others = sorted({b.type for b in mesh.cells} - set(_GMSH_TYPE) - {"vertex"})
    if others:
        raise MeshError(f"mesh file '{path}': cell types {others} are not supported (simplices)")
    if not blocks:
        raise MeshError(f"mesh file '{path}' has no line/triangle/tetra cells")
    tdim = max(_GMSH_TYPE[t][0] for t, _, _ in blocks)
    names: dict[int, dict[int, str]] = {tdim: {}, tdim - 1: {}}
    for name, (tag, dim) in ((n, (int(v[0]), int(v[1]))) for n, v in mesh.field_data.items()):
        if dim in names:
            names[dim][tag] = name
    for dim, table in ((tdim, regions), (tdim - 1, boundaries)):
        if table:
            names[dim] = {int(tag): name for name, tag in table.items()}
    return mesh.points, blocks, tdim, names


def from_meshio(
    path: str | Path,
    *,
    length_unit: float,
    regions: Mapping[str, int] | None = None,
    boundaries: Mapping[str, int] | None = None,
    depth: float = 1.0,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> DeviceMesh:
    """Read a mesh file with meshio and build a validated :class:`DeviceMesh`.

    Args:
        path: the mesh file (format from its suffix).
        length_unit: metres per coordinate unit of the file [m].
        regions: region name -> cell tag (overrides the names in the file).
        boundaries: facet group name -> facet tag.
        depth: out-of-plane depth of a 2D mesh [m].
    """
    path = Path(path)

    def build() -> None:
        import gmsh

        points, blocks, tdim, names = _read(path, regions, boundaries)
        gmsh.model.add(path.stem)
        pts = np.zeros((len(points), 3))
        pts[:, : points.shape[1]] = points
        nodes_entity = None
        next_elem = 1
        for dim in (tdim, tdim - 1):
            for ctype, conn, tags in blocks:
                if _GMSH_TYPE[ctype][0] != dim:
                    continue
                for tag in np.unique(tags):
                    if dim == tdim - 1 and tag not in names[dim] and names[dim]:
                        continue  # unnamed facets of a file with a names table: not needed
                    ent = gmsh.model.addDiscreteEntity(dim)
                    if nodes_entity is None:
                        gmsh.model.mesh.addNodes(dim, ent, np.arange(1, len(pts) + 1), pts.ravel())
                        nodes_entity = ent
                    sel = conn[tags == tag]
                    etags = np.arange(next_elem, next_elem + len(sel))
                    next_elem += len(sel)
                    gmsh.model.mesh.addElementsByType(
                        ent, _GMSH_TYPE[ctype][1], etags, (sel + 1).ravel()
                    )
                    name = names[dim].get(int(tag), str(int(tag)))
                    gmsh.model.addPhysicalGroup(dim, [ent], name=name)

    with gmsh_session(comm):
        root_call(comm, build, MeshError)
        return from_gmsh_model(length_unit=length_unit, comm=comm, depth=depth)
