"""Uniform refinement of a device mesh in parallel, named regions and surfaces kept.

A device meshed by gmsh on rank 0 is limited by that rank's memory (~3 kB per unknown
while meshing); refining a coarse device on all ranks is how 10^7-10^8 unknowns are
reached. Each pass splits every cell into 2^tdim by edge bisection (dolfinx's Plaza
refinement, without redistribution, where the tags can be carried to the children), then
builds the refined mesh anew from the distributed cells with the ``shared_facet``
ghosting interface laws need, and distributes the region and surface tags to it as
entity data (the way dolfinx's gmsh reader distributes them). Geometry is exact for the
straight-sided cells spinfem builds: volumes and areas of every named group are kept.
"""

from __future__ import annotations

from dataclasses import replace

import dolfinx.mesh
import numpy as np
import ufl

from spinfem import compat
from spinfem.mesh import DeviceMesh, validate

__all__ = ["refine"]


def refine(dmesh: DeviceMesh, times: int = 1) -> DeviceMesh:
    """``dmesh`` uniformly refined ``times`` times (collective): every cell split into
    2^tdim children per pass, each keeping its region; every named facet split likewise,
    keeping its surface (contacts, interfaces). ``times = 0`` returns ``dmesh``.

    Raises ValueError unless ``times`` is an integer >= 0."""
    if isinstance(times, bool) or not isinstance(times, (int, np.integer)) or times < 0:
        raise ValueError(f"refine: 'times' must be an integer >= 0 (passes), got {times!r}")
    for _ in range(int(times)):
        dmesh = _refine_once(dmesh)
    return dmesh


def _global_nodes(mesh, local: np.ndarray) -> np.ndarray:
    """Global geometry node numbers of local geometry node indices."""
    imap = mesh.geometry.index_map()
    return np.asarray(
        imap.local_to_global(np.ascontiguousarray(local.ravel(), np.int32)), np.int64
    ).reshape(local.shape)


def _inherit_tags(
    dmesh: DeviceMesh, fine, parent_cell: np.ndarray, parent_facet: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Region of every fine cell (its parent's) and the surface of every fine facet that
    lies in a named coarse facet: (cell values, facet indices, facet values), sorted by
    facet. dolfinx's ``transfer_meshtag`` refuses ghosted parents, hence by hand:
    ``parent_facet`` names, per facet of a child, the parent-local facet it lies in."""
    coarse = dmesh.mesh
    tdim = coarse.topology.dim
    ncoarse = (
        coarse.topology.index_map(tdim).size_local + coarse.topology.index_map(tdim).num_ghosts
    )
    region = np.full(ncoarse, -1, np.int32)
    region[dmesh.cell_tags.indices] = dmesh.cell_tags.values
    # refine reports parents in the order the children were created, before the fine
    # mesh reordered its cells: child c was input number original_cell_index[c]
    nfine = len(parent_cell)
    offset = coarse.comm.exscan(nfine) or 0
    order = np.asarray(fine.topology.original_cell_index, np.int64)[:nfine] - offset
    parent_cell = parent_cell[order]
    cvals = region[parent_cell]

    nfc = coarse.topology.index_map(tdim - 1)
    surface = np.full(nfc.size_local + nfc.num_ghosts, -1, np.int32)
    surface[dmesh.facet_tags.indices] = dmesh.facet_tags.values
    coarse.topology.create_connectivity(tdim, tdim - 1)
    c2f = coarse.topology.connectivity(tdim, tdim - 1)
    cf = np.asarray(c2f.array).reshape(ncoarse, -1)  # facets per simplex: fixed
    fine.topology.create_connectivity(tdim, tdim - 1)
    ff = np.asarray(fine.topology.connectivity(tdim, tdim - 1).array).reshape(len(parent_cell), -1)
    pf = parent_facet.reshape(ff.shape)[order]
    child, local = np.nonzero(pf >= 0)
    values = surface[cf[parent_cell[child], pf[child, local]]]
    keep = values >= 0
    facets, first = np.unique(ff[child[keep], local[keep]], return_index=True)
    return cvals, facets.astype(np.int32), values[keep][first]


def _refine_once(dmesh: DeviceMesh) -> DeviceMesh:
    coarse = dmesh.mesh
    tdim = coarse.topology.dim
    coarse.topology.create_entities(1)
    coarse.topology.create_connectivity(tdim - 1, tdim)
    fine, parent_cell, parent_facet = compat.refine_unghosted(coarse)
    fine.topology.create_entities(tdim - 1)
    fine.topology.create_connectivity(tdim - 1, tdim)
    cvals_all, ftag_all, fvals_all = _inherit_tags(dmesh, fine, parent_cell, parent_facet)

    # the refined mesh as distributed input: owned cells by global node numbers, owned
    # nodes in their global order (a rank's range follows the previous ranks')
    gimap = fine.geometry.index_map()
    x = fine.geometry.x[: gimap.size_local, : fine.geometry.dim]
    ncells = fine.topology.index_map(tdim).size_local
    cells = _global_nodes(fine, compat.geometry_dofmap(fine)[:ncells])
    cvals = cvals_all[:ncells]
    nfacets = fine.topology.index_map(tdim - 1).size_local
    fsel = ftag_all < nfacets  # owned facets only: each once
    ftag_idx = ftag_all[fsel]
    fnodes = dolfinx.mesh.entities_to_geometry(fine, tdim - 1, ftag_idx)
    facets = (
        _global_nodes(fine, fnodes) if len(ftag_idx) else np.zeros((0, fnodes.shape[1]), np.int64)
    )
    fvals = fvals_all[fsel]

    # a domain of its own: dolfinx points a UFL domain at the mesh built on it, and the
    # coarse device's forms must keep integrating over the coarse mesh
    domain = ufl.Mesh(coarse.ufl_domain().ufl_coordinate_element())
    mesh = compat.create_mesh(coarse.comm, cells, x, domain, compat.shared_facet_partitioner())
    new_cells = compat.distributed_meshtags(mesh, tdim, cells, cvals)
    new_facets = compat.distributed_meshtags(mesh, tdim - 1, facets, fvals)  # facet-cell too
    out = replace(dmesh, mesh=mesh, cell_tags=new_cells, facet_tags=new_facets)
    validate(out)
    return out
