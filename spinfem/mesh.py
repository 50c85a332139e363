"""The device mesh: a dolfinx mesh with named regions and boundaries.

Users refer to regions (cells), contacts and interfaces (facets) by their gmsh
physical-group NAMES; integer tags stay inside this module. A
:class:`DeviceMesh` is built from a live gmsh model or a ``.msh`` file, always with
``shared_facet`` ghosting (interior-facet integrals need it in parallel), and
validated: every cell belongs to exactly one named region, names are unique, and
every named group has entities (counts summed over ranks).

Coordinates stay in the mesh's own length unit (``length_unit`` metres per unit,
1e-9 for the built-in nm devices), so ParaView shows nm; the physics rescales.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mpi4py import MPI

from spinfem import compat
from spinfem.errors import MeshError
from spinfem.parallel import did_you_mean, global_sum, raise_collective, root_call

__all__ = ["DeviceMesh", "from_gmsh_model", "from_msh"]


@dataclass(frozen=True, eq=False)
class DeviceMesh:
    """A dolfinx mesh with name <-> tag tables.

    Attributes:
        mesh: the dolfinx mesh (coordinates in ``length_unit``).
        cell_tags: region tags of cells (dimension tdim).
        facet_tags: tags of named facets (contacts, interfaces, other surfaces).
        regions: region name -> cell tag.
        boundaries: facet group name -> facet tag.
        length_unit: metres per coordinate unit [m].
        depth: out-of-plane depth of a 2D mesh [m] (quantities of a 2D model are for
            this depth; resistance-area does not depend on it); 1.0 in 3D (unused).
    """

    mesh: Any
    cell_tags: Any
    facet_tags: Any
    regions: dict[str, int]
    boundaries: dict[str, int]
    length_unit: float
    depth: float = 1.0

    @property
    def comm(self) -> MPI.Comm:
        return self.mesh.comm

    @property
    def tdim(self) -> int:
        return self.mesh.topology.dim

    def region_tag(self, name: str, what: str = "region") -> int:
        """Tag of a region, or a MeshError naming it and listing the known regions."""
        if name not in self.regions:
            raise MeshError(
                f"unknown {what} '{name}': the mesh has no {self.tdim}D physical group of that "
                f"name{did_you_mean(name, self.regions)}; regions: {sorted(self.regions)}"
            )
        return self.regions[name]

    def boundary_tag(self, name: str, what: str = "boundary") -> int:
        """Tag of a facet group (contact, interface), or a MeshError listing known names."""
        if name not in self.boundaries:
            raise MeshError(
                f"unknown {what} '{name}': the mesh has no {self.tdim - 1}D physical group of "
                f"that name{did_you_mean(name, self.boundaries)}; "
                f"surfaces: {sorted(self.boundaries)}"
            )
        return self.boundaries[name]

    def cells(self, name: str) -> np.ndarray:
        """Local cell indices (owned and ghost) of a region."""
        return self.cell_tags.find(self.region_tag(name))

    def facets(self, name: str, what: str = "boundary") -> np.ndarray:
        """Local facet indices of a named facet group."""
        return self.facet_tags.find(self.boundary_tag(name, what))

    def num_cells_global(self) -> int:
        imap = self.mesh.topology.index_map(self.tdim)
        return int(imap.size_global)


# ---------------------------------------------------------------------------- import
def _read_groups(model: Any) -> dict[str, Any]:
    """On the gmsh rank: names, dimension and the untagged/overlap checks."""
    dim = model.getDimension()
    if dim < 2:
        raise MeshError(f"gmsh model '{model.getCurrent()}' has dimension {dim}: need 2 or 3")
    groups: dict[int, dict[str, int]] = {dim: {}, dim - 1: {}}
    for gdim, tag in model.getPhysicalGroups():
        if gdim not in groups:
            continue
        name = model.getPhysicalName(gdim, tag) or str(tag)
        if name in groups[gdim]:
            raise MeshError(
                f"physical name '{name}' is used by two {gdim}D groups "
                f"(tags {groups[gdim][name]} and {tag}): names must be unique"
            )
        groups[gdim][name] = tag
    if not groups[dim]:
        raise MeshError(
            f"the mesh has no {dim}D physical groups: name every region with "
            "gmsh.model.addPhysicalGroup(dim, tags, name=...)"
        )
    # Every cell must be in exactly one region: dolfinx silently drops untagged cells.
    untagged, overlapping = [], []
    for _, ent in model.getEntities(dim):
        phys = model.getPhysicalGroupsForEntity(dim, ent)
        _types, elems, _ = model.mesh.getElements(dim, ent)
        nelem = sum(len(e) for e in elems)
        if nelem == 0:
            continue
        if len(phys) == 0:
            untagged.append((ent, nelem))
        elif len(phys) > 1:
            names = [model.getPhysicalName(dim, p) or str(p) for p in phys]
            overlapping.append((ent, names))
    if untagged:
        desc = ", ".join(f"entity {e} ({n} cells)" for e, n in untagged)
        raise MeshError(
            f"untagged cells: {dim}D {desc} belong to no physical group; every cell must be in "
            "a named region (gmsh.model.addPhysicalGroup)"
        )
    if overlapping:
        desc = ", ".join(f"entity {e} in {names}" for e, names in overlapping)
        raise MeshError(f"overlapping regions: {dim}D {desc}; a cell must be in one region")
    # A facet in two named surface groups keeps only one tag in dolfinx: refuse it.
    owner: dict[int, str] = {}
    for name, tag in groups[dim - 1].items():
        for ent in model.getEntitiesForPhysicalGroup(dim - 1, tag):
            other = owner.setdefault(int(ent), name)
            if other != name:
                raise MeshError(
                    f"overlapping surface groups: {dim - 1}D entity {ent} is in both '{other}' "
                    f"and '{name}'; a facet can carry one name only"
                )
    if model.mesh.getNodes()[0].size == 0:
        raise MeshError("the gmsh model has no mesh: call gmsh.model.mesh.generate(dim) first")
    return {"dim": dim, "regions": groups[dim], "boundaries": groups[dim - 1]}


def _check_length_unit(length_unit: float) -> None:
    if (
        isinstance(length_unit, bool)
        or not isinstance(length_unit, (int, float))
        or not math.isfinite(length_unit)
        or length_unit <= 0
    ):
        raise MeshError(
            f"'length_unit' [m per mesh coordinate unit] must be a positive number "
            f"(e.g. 1e-9 for a mesh drawn in nm), got {length_unit!r}"
        )


def from_gmsh_model(
    model: Any = None,
    *,
    length_unit: float,
    comm: MPI.Comm = MPI.COMM_WORLD,
    depth: float = 1.0,
) -> DeviceMesh:
    """Build a :class:`DeviceMesh` from a meshed gmsh model held on rank 0.

    Args:
        model: the gmsh model (``gmsh.model``); only rank 0's is read.
        length_unit: metres per gmsh coordinate unit [m] (gmsh coordinates have none).
        comm: communicator to distribute the mesh on.
        depth: out-of-plane depth of a 2D device [m].
    """
    _check_length_unit(length_unit)
    if model is None:
        import gmsh

        model = gmsh.model
    info = root_call(comm, lambda: _read_groups(model), MeshError)
    dim = info["dim"]
    mesh, cell_tags, facet_tags = compat.gmsh_model_to_mesh(
        model, comm, 0, gdim=dim, partitioner=compat.shared_facet_partitioner()
    )
    mesh.topology.create_connectivity(dim - 1, dim)
    dmesh = DeviceMesh(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions=dict(info["regions"]),
        boundaries=dict(info["boundaries"]),
        length_unit=float(length_unit),
        depth=float(depth),
    )
    validate(dmesh)
    return dmesh


def from_msh(
    path: str | Path, *, length_unit: float, comm: MPI.Comm = MPI.COMM_WORLD, depth: float = 1.0
) -> DeviceMesh:
    """Load a gmsh ``.msh`` file (any version gmsh reads) with named physical groups.

    Args:
        path: the ``.msh`` file.
        length_unit: metres per coordinate unit of the file [m] (e.g. 1e-9 for nm).
    """
    import gmsh

    path = Path(path)

    def load() -> None:
        if not path.is_file():
            raise MeshError(f"mesh file '{path}' does not exist")
        gmsh.open(str(path))

    started = False
    if comm.rank == 0 and not gmsh.isInitialized():
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        started = True
    try:
        root_call(comm, load, MeshError)
        return from_gmsh_model(gmsh.model, length_unit=length_unit, comm=comm, depth=depth)
    finally:
        if started:
            gmsh.finalize()


def validate(dmesh: DeviceMesh) -> None:
    """Collective checks: every named group has entities; every cell has a region tag."""
    comm, tdim = dmesh.comm, dmesh.tdim
    cmap = dmesh.mesh.topology.index_map(tdim)
    owned = dmesh.cell_tags.indices[dmesh.cell_tags.indices < cmap.size_local]
    untagged = cmap.size_global - global_sum(comm, np.unique(owned).size)
    raise_collective(
        comm,
        f"{untagged} of {cmap.size_global} cells have no region tag" if untagged else None,
        MeshError,
    )
    fmap = dmesh.mesh.topology.index_map(tdim - 1)
    for kind, table, tags, imap in (
        ("region", dmesh.regions, dmesh.cell_tags, cmap),
        ("surface", dmesh.boundaries, dmesh.facet_tags, fmap),
    ):
        for name, tag in table.items():
            local = tags.find(tag)
            n = global_sum(comm, int(np.count_nonzero(local < imap.size_local)))
            if n == 0:
                raise MeshError(f"{kind} '{name}' (tag {tag}) has no mesh entities")
    from spinfem.checks import check_mesh  # size in metres, degenerate/inverted cells

    check_mesh(dmesh)
