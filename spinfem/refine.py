"""Uniform refinement of a device mesh in parallel, named regions and surfaces kept.

A device meshed by gmsh on rank 0 is limited by that rank's memory (~3 kB per unknown
while meshing); refining a coarse device on all ranks is how 10^7-10^8 unknowns are
reached. Each pass is a *regular* ("red") refinement: every edge is halved (an interval
into 2), a triangle
splits into 4 triangles similar to it, a tetrahedron into 4 corner tetrahedra similar to
it and an inner octahedron cut into 4 along its shortest diagonal (regular refinement:
J. Bey, Computing 55 (1995) 355; the shortest diagonal as in S. Zhang, Houston J. Math.
21 (1995) 541, which keeps the shapes from degenerating over passes: the worst cell of
the refined mesh is as good as the coarse mesh's, tests/test_refine.py). Edge bisection
(dolfinx's Plaza refinement) was tried first: its children in flat layers are worse
shaped, and AMG needed twice the iterations of a gmsh mesh of the same size
(docs/performance.md).

Each rank splits the cells it owns; the new nodes are numbered by their owners (coarse
nodes, then edge midpoints), and the refined mesh is built anew from the distributed
cells with the ``shared_facet`` ghosting interface laws need. The children stay on their
parent's rank (no graph partitioner call over all fine cells); each cell's region comes by
its input number from the rank that made it, the named facets follow as entity data (the
way dolfinx's gmsh reader distributes them). Geometry is exact
for the straight-sided cells spinfem builds: volumes and areas of every named group are
kept.
"""

from __future__ import annotations

from dataclasses import replace

import dolfinx.mesh
import numpy as np
import ufl

from spinfem import compat
from spinfem.mesh import DeviceMesh, validate
from spinfem.parallel import renumbered

__all__ = ["refine"]

# Children of a simplex by local node: 0..d are its vertices, then the midpoints of its
# edges in the order of _PAIRS[d].
_PAIRS = {
    1: [(0, 1)],
    2: [(0, 1), (0, 2), (1, 2)],
    3: [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)],
}


def _children(d: int) -> list[np.ndarray]:
    """Child templates of a d-simplex (several for tetrahedra: one per octahedron
    diagonal, the caller picks the shortest)."""
    m = {p: d + 1 + k for k, p in enumerate(_PAIRS[d])}
    if d == 1:
        return [np.array([[0, m[0, 1]], [m[0, 1], 1]])]
    if d == 2:
        return [
            np.array(
                [
                    [0, m[0, 1], m[0, 2]],
                    [m[0, 1], 1, m[1, 2]],
                    [m[0, 2], m[1, 2], 2],
                    [m[0, 1], m[1, 2], m[0, 2]],
                ]
            )
        ]
    corners = [
        [0, m[0, 1], m[0, 2], m[0, 3]],
        [m[0, 1], 1, m[1, 2], m[1, 3]],
        [m[0, 2], m[1, 2], 2, m[2, 3]],
        [m[0, 3], m[1, 3], m[2, 3], 3],
    ]
    out = []
    # octahedron diagonal (a, b) and the 4 midpoints around it, in cyclic order
    for a, b, ring in (
        ((0, 1), (2, 3), [(0, 2), (0, 3), (1, 3), (1, 2)]),
        ((0, 2), (1, 3), [(0, 1), (0, 3), (2, 3), (1, 2)]),
        ((0, 3), (1, 2), [(0, 1), (0, 2), (2, 3), (1, 3)]),
    ):
        inner = [[m[a], m[b], m[ring[k]], m[ring[(k + 1) % 4]]] for k in range(4)]
        out.append(np.array(corners + inner))
    return out


def refine(dmesh: DeviceMesh, times: int = 1) -> DeviceMesh:
    """``dmesh`` uniformly refined ``times`` times (collective): every cell split into
    2^tdim children per pass, each keeping its region; every named facet split likewise,
    keeping its surface (contacts, interfaces). ``times = 0`` returns ``dmesh``.

    Raises ValueError unless ``times`` is an integer >= 0 and the mesh is made of
    straight-sided intervals, triangles or tetrahedra."""
    if isinstance(times, bool) or not isinstance(times, (int, np.integer)) or times < 0:
        raise ValueError(f"refine: 'times' must be an integer >= 0 (passes), got {times!r}")
    cell = dmesh.mesh.topology.cell_type.name
    degree = compat.coordinate_element(dmesh.mesh).degree
    if cell not in ("interval", "triangle", "tetrahedron") or degree != 1:
        raise ValueError(
            "refine: only meshes of straight-sided simplices (intervals, triangles, "
            "tetrahedra) can be refined, "
            f"this one has {cell} cells of geometry degree {degree}"
        )
    for _ in range(int(times)):
        dmesh = _refine_once(dmesh)
    return dmesh


def _midpoint_table(nodes: np.ndarray, edges: np.ndarray, edge_nodes: np.ndarray) -> np.ndarray:
    """(entities, len(_PAIRS[d])) local edge index of each vertex pair of each simplex
    (nodes: its geometry nodes, edges: its edges, edge_nodes: the edges' two nodes)."""
    d = nodes.shape[1] - 1
    en = edge_nodes[edges]  # (m, ne, 2)
    # position of each edge end among the simplex's nodes
    i = np.argmax(en[:, :, 0, None] == nodes[:, None, :], axis=2)
    j = np.argmax(en[:, :, 1, None] == nodes[:, None, :], axis=2)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    code = lo * (d + 1) + hi
    want = np.array([a * (d + 1) + b for a, b in _PAIRS[d]])
    col = np.argmax(code[:, None, :] == want[None, :, None], axis=2)  # (m, npairs)
    return np.take_along_axis(edges, col, axis=1)


def _split(nodes, edges, edge_nodes, node_num, edge_num, x) -> np.ndarray:
    """Children (global node numbers) of simplices given by local nodes and edges."""
    d = nodes.shape[1] - 1
    if len(nodes) == 0:
        return np.zeros((0, d + 1), np.int64)
    mids = _midpoint_table(nodes, edges, edge_nodes)
    table = np.hstack([node_num[nodes], edge_num[mids]])
    templates = _children(d)
    if len(templates) == 1:
        return table[:, templates[0]].reshape(-1, d + 1)
    # tetrahedra: cut the octahedron along its shortest diagonal, |x_a + x_b - x_c - x_d|/2;
    # equally long ones (structured meshes) by their direction, not by vertex order, so
    # that the children do not depend on the partition
    p = x[nodes]
    vec = np.stack(
        [
            p[:, 0] + p[:, 1] - p[:, 2] - p[:, 3],
            p[:, 0] + p[:, 2] - p[:, 1] - p[:, 3],
            p[:, 0] + p[:, 3] - p[:, 1] - p[:, 2],
        ],
        axis=1,
    )  # (m, 3, gdim)
    length = np.linalg.norm(vec, axis=2)
    tied = length <= length.min(axis=1, keepdims=True) * (1 + 1e-10)
    generic = np.array([0.5773502691, 0.6180339887, 0.5320888862])[: vec.shape[2]]
    choice = np.argmax(np.where(tied, np.abs(vec @ generic), -1.0), axis=1)
    stacked = np.stack([table[:, t] for t in templates], axis=1)  # (m, 3, 8, 4)
    return stacked[np.arange(len(nodes)), choice].reshape(-1, d + 1)


def _keep_partition(comm, nparts: int, graph, ghosting: bool):
    """Graph partitioner for the refined cells: each stays on the rank that made it (the
    children of the coarse partition are as balanced and as compact as their parents),
    ghosted to the ranks of its facet neighbours. Skips a graph partitioner call over
    all refined cells. ``graph`` is the distributed dual graph (global cell numbers,
    rank p's cells numbered after those of ranks < p)."""
    from dolfinx.graph import adjacencylist

    rank = comm.rank
    if nparts != comm.size:
        raise ValueError(f"refine: {nparts} parts asked on {comm.size} ranks")
    offsets = np.asarray(graph.offsets, np.int64)
    n = len(offsets) - 1
    starts = np.concatenate([[0], np.cumsum(comm.allgather(n))]).astype(np.int64)
    owner = np.searchsorted(starts, np.asarray(graph.array, np.int64), side="right") - 1
    row = np.repeat(np.arange(n), np.diff(offsets))
    foreign = owner != rank
    if not ghosting or not foreign.any():
        ghosts = np.zeros((0, 2), np.int64)
    else:
        ghosts = np.unique(np.stack([row[foreign], owner[foreign]], axis=1), axis=0)
    count = 1 + np.bincount(ghosts[:, 0], minlength=n)
    dest_offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
    dest = np.empty(dest_offsets[-1], np.int32)
    dest[dest_offsets[:-1]] = rank  # the owner first
    if len(ghosts):
        first = np.concatenate([[0], np.cumsum(count - 1)])[:-1]  # ghosts before each row
        k = np.arange(len(ghosts)) - first[ghosts[:, 0]]
        dest[dest_offsets[ghosts[:, 0]] + 1 + k] = ghosts[:, 1]
    return adjacencylist(dest, dest_offsets)


def _cell_values(mesh, values: np.ndarray) -> np.ndarray:
    """Value of every local cell (owned and ghost) of a mesh built from distributed
    input cells carrying ``values`` (this rank's input cells): by the input number dolfinx
    keeps, asked of the rank that gave the cell (the ghosts' ranks, with the partition
    kept). Far cheaper than matching the cells by their nodes as entity data."""
    comm = mesh.comm
    starts = np.concatenate([[0], np.cumsum(comm.allgather(len(values)))]).astype(np.int64)
    orig = np.asarray(mesh.topology.original_cell_index, np.int64)
    owner = np.searchsorted(starts, orig, side="right") - 1
    out = np.empty(len(orig), np.int32)
    mine = owner == comm.rank
    out[mine] = values[orig[mine] - starts[comm.rank]]
    asks = [orig[owner == q] if q != comm.rank else orig[:0] for q in range(comm.size)]
    wanted = comm.alltoall(asks)
    answers = comm.alltoall([values[g - starts[comm.rank]] for g in wanted])
    for q, vals in enumerate(answers):
        if q != comm.rank:
            out[owner == q] = vals
    return out


def _refine_once(dmesh: DeviceMesh) -> DeviceMesh:
    coarse, comm = dmesh.mesh, dmesh.mesh.comm
    tdim, gdim = coarse.topology.dim, coarse.geometry.dim
    top = coarse.topology
    top.create_entities(1)
    if tdim > 1:
        top.create_connectivity(1, tdim)  # entities_to_geometry goes through the cells
    top.create_connectivity(tdim - 1, tdim)
    gmap, emap = coarse.geometry.index_map(), top.index_map(1)
    nown, eown = gmap.size_local, emap.size_local

    # refined numbering: rank p holds its coarse nodes, then its edges' midpoints
    sizes = np.array(comm.allgather((nown, eown, gmap.local_range[0], emap.local_range[0])))
    offsets = np.concatenate([[0], np.cumsum(sizes[:, 0] + sizes[:, 1])[:-1]]).astype(np.int64)
    node_num = renumbered(comm, gmap, offsets, sizes[:, 2].astype(np.int64))
    edge_num = renumbered(comm, emap, offsets + sizes[:, 0], sizes[:, 3].astype(np.int64))
    nedges = eown + emap.num_ghosts
    edge_nodes = dolfinx.mesh.entities_to_geometry(
        coarse, 1, np.arange(nedges, dtype=np.int32)
    ).reshape(nedges, 2)
    xc = coarse.geometry.x[:, :gdim]
    x = np.vstack([xc[:nown], 0.5 * (xc[edge_nodes[:eown, 0]] + xc[edge_nodes[:eown, 1]])])

    ncells = top.index_map(tdim).size_local
    cell_nodes = compat.geometry_dofmap(coarse)[:ncells]
    if tdim == 1:  # the cells are the edges
        cell_edges = np.arange(ncells, dtype=np.int32)[:, None]
    else:
        top.create_connectivity(tdim, 1)
        cell_edges = np.asarray(top.connectivity(tdim, 1).array).reshape(-1, len(_PAIRS[tdim]))
    cells = _split(cell_nodes, cell_edges[:ncells], edge_nodes, node_num, edge_num, xc)
    region = np.full(ncells, -1, np.int32)
    owned = dmesh.cell_tags.indices < ncells
    region[dmesh.cell_tags.indices[owned]] = dmesh.cell_tags.values[owned]
    cvals = np.repeat(region, 2**tdim)

    # named facets this rank owns, each split like a simplex of dimension tdim - 1
    nfacets = top.index_map(tdim - 1).size_local
    tagged = dmesh.facet_tags.indices < nfacets
    fidx = dmesh.facet_tags.indices[tagged].astype(np.int32)
    fnodes = dolfinx.mesh.entities_to_geometry(coarse, tdim - 1, fidx).reshape(len(fidx), tdim)
    if tdim == 1:  # facets are points: they stay as they are
        facets = node_num[fnodes]
    elif tdim == 2:  # facets are edges
        facets = _split(fnodes, fidx[:, None], edge_nodes, node_num, edge_num, xc)
    else:
        top.create_connectivity(tdim - 1, 1)
        f2e = np.asarray(top.connectivity(tdim - 1, 1).array).reshape(-1, 3)
        facets = _split(fnodes, f2e[fidx], edge_nodes, node_num, edge_num, xc)
    fvals = np.repeat(dmesh.facet_tags.values[tagged], 2 ** (tdim - 1))

    # a domain of its own: dolfinx points a UFL domain at the mesh built on it, and the
    # coarse device's forms must keep integrating over the coarse mesh
    domain = ufl.Mesh(coarse.ufl_domain().ufl_coordinate_element())
    partitioner = compat.shared_facet_partitioner(_keep_partition)
    mesh = compat.create_mesh(comm, cells, x, domain, partitioner)
    n = len(mesh.topology.original_cell_index)
    new_cells = dolfinx.mesh.meshtags(
        mesh, tdim, np.arange(n, dtype=np.int32), _cell_values(mesh, cvals)
    )
    new_facets = compat.distributed_meshtags(mesh, tdim - 1, facets, fvals)
    out = replace(dmesh, mesh=mesh, cell_tags=new_cells, facet_tags=new_facets)
    validate(out)
    return out
