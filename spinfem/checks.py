"""Collective sanity checks of a device before anything is assembled.

Mesh checks (called by :func:`spinfem.mesh.validate`):
  * plausible size: the device extent in metres (coordinates x ``length_unit``) must be
    between 0.1 nm and 1 m (outside: :class:`MeshError` naming ``length_unit``), and a
    warning above 1 mm (a mesh drawn in nm but declared in um or mm);
  * no degenerate cells: the Jacobian determinant of every cell, at every vertex for
    quadrilaterals/hexahedra, must be clearly non-zero and of one sign within the cell
    (simplices may have either orientation: dolfinx integrates with |det J|).

Device checks (called by :class:`spinfem.problem.TwoCurrentProblem`):
  * contacts that touch (share vertices) are shorted: :class:`ContactError`;
  * every cell must reach a voltage contact through the conducting path (the graph of
    cells sharing facets, across regions too: every interface law conducts): a floating
    region, or a floating piece of a region, makes the operator singular, so it is a
    :class:`ContactError` before any solve;
  * warnings (logged by rank 0): implausible material parameters (l_sf over 1 mm or
    under 0.1 nm, sigma over 1e9 S/m) and regions whose elements are much coarser than
    l_sf (even the thinnest direction of some element exceeds ``RESOLUTION_FACTOR`` l_sf).

Counts are summed over ranks and the verdict is the same on every rank.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from mpi4py import MPI

from spinfem import compat
from spinfem.errors import ContactError, MeshError

if TYPE_CHECKING:
    from spinfem.contacts import Contact
    from spinfem.materials import Material
    from spinfem.mesh import DeviceMesh

__all__ = [
    "MAX_EXTENT_M",
    "MIN_EXTENT_M",
    "RESOLUTION_FACTOR",
    "WARN_EXTENT_M",
    "check_connected",
    "check_contacts_apart",
    "check_mesh",
    "check_problem",
    "material_warnings",
    "resolution_warnings",
]

log = logging.getLogger("spinfem")

MAX_EXTENT_M = 1.0  #: larger devices are an error [m]
WARN_EXTENT_M = 1e-3  #: larger devices give a warning [m]
MIN_EXTENT_M = 1e-10  #: smaller devices are an error [m]
DEGENERATE = 1e-10  #: |det J| / h^d below this is a degenerate cell [1]
RESOLUTION_FACTOR = 2.0  #: warn when a cell's smallest height exceeds this many l_sf [1]
NM = 1e-9


def _warn(comm: MPI.Comm, message: str) -> None:
    """A warning printed once (rank 0) for a condition every rank agrees on."""
    if comm.rank == 0:
        log.warning(message)


# ---------------------------------------------------------------------------- mesh
def _extent(dmesh: DeviceMesh) -> np.ndarray:
    """Global bounding-box size of the device in mesh units, per coordinate."""
    x = dmesh.mesh.geometry.x
    lo = x.min(axis=0) if x.size else np.full(3, np.inf)
    hi = x.max(axis=0) if x.size else np.full(3, -np.inf)
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    dmesh.comm.Allreduce(MPI.IN_PLACE, lo, op=MPI.MIN)
    dmesh.comm.Allreduce(MPI.IN_PLACE, hi, op=MPI.MAX)
    return hi - lo


def _check_extent(dmesh: DeviceMesh) -> None:
    size = float(np.max(_extent(dmesh))) * dmesh.length_unit
    where = (
        f"the device is {size:.3g} m across (mesh coordinates x 'length_unit' = "
        f"{dmesh.length_unit!r} m per unit)"
    )
    hint = "give the length unit of the mesh coordinates (e.g. length_unit = 1e-9 for nm)"
    if size > MAX_EXTENT_M:
        raise MeshError(f"{where}: implausible for a spin-transport device; {hint}")
    if size < MIN_EXTENT_M:
        raise MeshError(f"{where}: smaller than an atom; {hint}")
    if size > WARN_EXTENT_M:
        _warn(
            dmesh.comm,
            f"{where}: unusually large for a spin-transport device; check 'length_unit'",
        )


def _vertex_coordinates(dmesh: DeviceMesh, cells: np.ndarray) -> np.ndarray:
    """(ncells, nvertices, gdim) vertex coordinates (mesh units) of local ``cells``."""
    msh = dmesh.mesh
    gdim = msh.geometry.dim
    nv = _num_vertices(msh)
    dofs = compat.geometry_dofmap(msh)[cells, :nv]
    return msh.geometry.x[dofs][:, :, :gdim]


def _num_vertices(msh: Any) -> int:
    from dolfinx.cpp.mesh import cell_num_vertices

    return int(cell_num_vertices(msh.topology.cell_type))


def _simplex(msh: Any) -> bool:
    return _num_vertices(msh) == msh.topology.dim + 1


def cell_jacobians(dmesh: DeviceMesh, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Jacobian determinants and largest edge length of local ``cells`` (mesh units).

    Returns ``(det, h)``: ``det`` has shape (ncells, k) with k = 1 for simplices and one
    column per vertex (corner Jacobians) for quadrilaterals/hexahedra; unsigned (a volume
    measure) when the geometric dimension exceeds the topological one.
    """
    msh, tdim = dmesh.mesh, dmesh.tdim
    X = _vertex_coordinates(dmesh, cells)
    nv = X.shape[1]
    diff = X[:, :, None, :] - X[:, None, :, :]
    h = np.sqrt((diff**2).sum(axis=-1)).reshape(len(cells), -1).max(axis=1, initial=0.0)
    if _simplex(msh):
        corners = [(0, [1 + k for k in range(tdim)], [1] * tdim)]
    else:  # dolfinx tensor-product ordering: vertex i sits at the bits of i
        corners = [
            (
                i,
                [i ^ (1 << k) for k in range(tdim)],
                [-1 if i & (1 << k) else 1 for k in range(tdim)],
            )
            for i in range(nv)
        ]
    dets = []
    for i, nbrs, signs in corners:
        J = np.stack([s * (X[:, j] - X[:, i]) for j, s in zip(nbrs, signs, strict=True)], axis=1)
        if J.shape[1] == J.shape[2]:
            dets.append(np.linalg.det(J))
        else:
            dets.append(np.sqrt(np.abs(np.linalg.det(J @ J.transpose(0, 2, 1)))))
    return np.stack(dets, axis=1), h


def _check_cells(dmesh: DeviceMesh) -> None:
    """Degenerate (zero-volume) or inverted/tangled cells, counted per region over ranks."""
    comm, tdim = dmesh.comm, dmesh.tdim
    nown = dmesh.mesh.topology.index_map(tdim).size_local
    counts = []
    for name in dmesh.regions:
        cells = dmesh.cells(name)
        cells = cells[cells < nown]
        if cells.size:
            det, h = cell_jacobians(dmesh, cells)
            rel = np.abs(det) / np.maximum(h, np.finfo(float).tiny)[:, None] ** tdim
            flat = np.any(rel < DEGENERATE, axis=1)
            tangled = ~flat & (det.min(axis=1) * det.max(axis=1) < 0)
            counts.append((int(np.count_nonzero(flat)), int(np.count_nonzero(tangled))))
        else:
            counts.append((0, 0))
    total = comm.allreduce(np.asarray(counts, dtype=np.int64).reshape(-1, 2), op=MPI.SUM)
    bad = [
        f"region '{name}': {n_flat} degenerate (zero-volume) and {n_tangled} inverted cells"
        for name, (n_flat, n_tangled) in zip(dmesh.regions, total.tolist(), strict=True)
        if n_flat or n_tangled
    ]
    if bad:
        raise MeshError(
            "invalid cells (Jacobian determinant zero or changing sign): "
            + "; ".join(bad)
            + "; remesh (gmsh: Mesh.Optimize, check coincident points)"
        )


def check_mesh(dmesh: DeviceMesh) -> None:
    """Plausible size in metres and no degenerate or inverted cells. Collective."""
    _check_extent(dmesh)
    _check_cells(dmesh)


# ---------------------------------------------------------------------------- device
def _min_heights(dmesh: DeviceMesh, cells: np.ndarray) -> np.ndarray:
    """Smallest height of each local cell [mesh units] (simplex: d |vol| / largest facet;
    quadrilateral/hexahedron: smallest corner |det J| / largest edge^(d-1))."""
    det, h = cell_jacobians(dmesh, cells)
    tdim = dmesh.tdim
    if not _simplex(dmesh.mesh):
        return np.abs(det).min(axis=1) / np.maximum(h, 1e-300) ** (tdim - 1)
    X = _vertex_coordinates(dmesh, cells)
    gram_max = np.zeros(len(cells))
    for skip in range(tdim + 1):  # facet opposite vertex ``skip``
        idx = [i for i in range(tdim + 1) if i != skip]
        E = X[:, idx[1:]] - X[:, idx[:1]]
        gram = np.linalg.det(E @ E.transpose(0, 2, 1)) if tdim > 1 else np.ones(len(cells))
        gram_max = np.maximum(gram_max, np.abs(gram))
    return np.abs(det[:, 0]) / np.sqrt(np.maximum(gram_max, 1e-300))


def material_warnings(materials: Mapping[str, Material], comm: MPI.Comm) -> list[str]:
    """Warnings for implausible material parameters (logged once by rank 0); returned."""
    out = []
    for region, mat in materials.items():
        who = f"region '{region}' (material '{mat.name}')"
        if mat.l_sf > 1e-3:
            out.append(
                f"{who}: 'l_sf' [m] = {mat.l_sf:g} m = {mat.l_sf / NM:.3g} nm is implausibly "
                "long for a spin-diffusion length (metals: 1-1000 nm); l_sf is in metres, e.g. "
                "5.5e-9 for 5.5 nm (a deliberately huge l_sf means no spin flip)"
            )
        elif mat.l_sf < 1e-10:
            out.append(
                f"{who}: 'l_sf' [m] = {mat.l_sf:g} m = {mat.l_sf / NM:.3g} nm is shorter than an "
                "atomic distance; l_sf is in metres, e.g. 5.5e-9 for 5.5 nm"
            )
        if mat.sigma > 1e9:
            out.append(
                f"{who}: 'sigma' [S/m] = {mat.sigma:g} S/m exceeds any metal (Ag: 6.3e7 S/m); "
                "sigma is a conductivity in S/m, not a resistivity"
            )
    for msg in out:
        _warn(comm, msg)
    return out


def resolution_warnings(dmesh: DeviceMesh, materials: Mapping[str, Material]) -> list[str]:
    """Warnings (logged once by rank 0; returned) for regions meshed much coarser than their
    spin-diffusion length: the largest smallest-height of a cell exceeds
    ``RESOLUTION_FACTOR`` l_sf."""
    comm, tdim = dmesh.comm, dmesh.tdim
    nown = dmesh.mesh.topology.index_map(tdim).size_local
    names = [n for n in dmesh.regions if n in materials]
    local = np.zeros(len(names))
    for i, name in enumerate(names):
        cells = dmesh.cells(name)
        cells = cells[cells < nown]
        if cells.size:
            local[i] = _min_heights(dmesh, cells).max()
    comm.Allreduce(MPI.IN_PLACE, local, op=MPI.MAX)
    size = local * dmesh.length_unit
    out = []
    for name, h in zip(names, size, strict=True):
        l_sf = materials[name].l_sf
        if h > RESOLUTION_FACTOR * l_sf:
            out.append(
                f"region '{name}': elements up to {h / NM:.3g} nm thick in their thinnest "
                f"direction, coarser than {RESOLUTION_FACTOR:g} x l_sf = "
                f"{RESOLUTION_FACTOR * l_sf / NM:.3g} nm (l_sf = {l_sf / NM:.3g} nm): the spin "
                "accumulation is not resolved; refine the mesh there"
            )
    for msg in out:
        _warn(comm, msg)
    return out


def _global_vertices(dmesh: DeviceMesh, facets: np.ndarray) -> np.ndarray:
    top, fdim = dmesh.mesh.topology, dmesh.tdim - 1
    top.create_connectivity(fdim, 0)
    if facets.size == 0:
        return np.zeros(0, dtype=np.int64)
    f2v = top.connectivity(fdim, 0)
    local = np.unique(np.concatenate([f2v.links(f) for f in facets]))
    return np.asarray(top.index_map(0).local_to_global(local.astype(np.int32)), dtype=np.int64)


def check_contacts_apart(dmesh: DeviceMesh, contacts: Sequence[Contact]) -> None:
    """Contacts that touch (share a vertex: an edge or a corner) are shorted. Collective."""
    comm = dmesh.comm
    verts = []
    for c in contacts:
        mine = _global_vertices(dmesh, dmesh.facets(c.name, what="contact"))
        verts.append(np.unique(np.concatenate(comm.allgather(mine))))
    for i, a in enumerate(contacts):
        for j in range(i + 1, len(contacts)):
            n = np.intersect1d(verts[i], verts[j]).size
            if n:
                b = contacts[j]
                raise ContactError(
                    f"contacts '{a.name}' and '{b.name}' touch ({n} shared mesh vertices): "
                    "they are shorted; separate the contact surfaces by an insulating gap"
                )


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of a graph of ``n`` nodes with edges (a, b): the smallest node
    of each component for every node (hooking of roots plus pointer jumping)."""
    parent = np.arange(n)
    while True:
        pa, pb = parent[a], parent[b]
        lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
        join = lo != hi
        if not np.any(join):
            return parent
        np.minimum.at(parent, hi[join], lo[join])
        while True:
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt


def check_connected(dmesh: DeviceMesh, contacts: Sequence[Contact]) -> None:
    """Every cell must reach a voltage contact through cells sharing facets (every
    interface law conducts); otherwise its potential floats and the operator is singular.

    Connected components of the cell graph: locally first, then joined across ranks
    through ghost cells (gathered over all ranks), so a region split into pieces with one
    piece left floating is caught too. Collective; raises before any solve."""
    comm, tdim = dmesh.comm, dmesh.tdim
    fdim = tdim - 1
    top = dmesh.mesh.topology
    top.create_connectivity(fdim, tdim)
    names = list(dmesh.regions)
    imap = top.index_map(tdim)
    nown, n = imap.size_local, imap.size_local + imap.num_ghosts
    region = np.full(n, -1, dtype=np.int64)
    for i, name in enumerate(names):
        region[dmesh.cells(name)] = i
    f2c = top.connectivity(fdim, tdim)
    offs = f2c.offsets
    two = np.flatnonzero(np.diff(offs) == 2)
    root = _components(n, f2c.array[offs[two]], f2c.array[offs[two] + 1])
    roots, comp = np.unique(root, return_inverse=True)
    k = roots.size
    first = comm.exscan(k) if comm.size > 1 else 0
    first = first or 0
    node = comp + first  # global component-piece id of every local cell
    # pieces are joined where a ghost cell here is an owned cell elsewhere
    gids = np.asarray(imap.local_to_global(np.arange(n, dtype=np.int32)), dtype=np.int64)
    ghosts = np.stack([gids[nown:], node[nown:]], axis=1)
    lo, hi = imap.local_range
    links = []
    for other in comm.allgather(ghosts):
        mine = (other[:, 0] >= lo) & (other[:, 0] < hi)
        owned_local = other[mine, 0] - lo
        links.append(np.stack([other[mine, 1], node[owned_local]], axis=1))
    links_all = np.concatenate(comm.allgather(np.concatenate(links)))
    grounded = np.zeros(k, dtype=bool)
    for c in contacts:
        if c.is_voltage:
            for f in dmesh.facets(c.name, what="contact"):
                grounded[comp[f2c.links(f)]] = True
    cells = np.zeros((k, len(names)), dtype=np.int64)
    np.add.at(cells, (comp[:nown], region[:nown]), 1)
    grounded_all = np.concatenate(comm.allgather(grounded))
    cells_all = np.concatenate(comm.allgather(cells))
    total = grounded_all.size
    piece_root = _components(total, links_all[:, 0], links_all[:, 1])
    ok = np.zeros(total, dtype=bool)
    ok[piece_root[grounded_all]] = True
    floating = ~ok[piece_root]
    if np.any(floating):
        counts = cells_all[floating].sum(axis=0)
        where = ", ".join(
            f"'{name}' ({int(c)} cells of {int(dmesh_cells)})"
            for name, c, dmesh_cells in zip(names, counts, cells_all.sum(axis=0), strict=True)
            if c
        )
        bad = [name for name, c in zip(names, counts, strict=True) if c]
        volts = [c.name for c in contacts if c.is_voltage]
        raise ContactError(
            f"region(s) {bad} are not connected to any voltage contact {volts} through "
            f"the conducting path: {where} float (floating device; the potential there is "
            "undefined); add a contact on them or join them to the rest of the device"
        )


def check_problem(
    dmesh: DeviceMesh, materials: Mapping[str, Material], contacts: Sequence[Contact]
) -> None:
    """Device checks of a problem: errors for shorted contacts and floating regions,
    warnings for implausible materials and an under-resolved l_sf. Collective."""
    check_contacts_apart(dmesh, contacts)
    check_connected(dmesh, contacts)
    material_warnings(materials, dmesh.comm)
    resolution_warnings(dmesh, materials)
