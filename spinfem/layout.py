"""Blocks of unknowns and the interfaces between them: the only place that knows submeshes.

Regions joined by transparent interfaces form one block (union-find); each block gets
its own submesh (or the parent mesh itself when there is one block) and its own space.
Every non-transparent interface is an interior-facet integral on the PARENT mesh with
ordered data (cell+, local facet+, cell-, local facet-): "+" is always the left (L)
region's block, so jumps and normals have one orientation. All collective decisions
(laws, blocks, interface ids) are made from data gathered over all ranks, so every rank
builds the same layout and raises the same errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import ufl
from dolfinx import mesh as dmesh_mod

from spinfem import compat
from spinfem.errors import InputError
from spinfem.interfaces import InterfaceLaw, Transparent
from spinfem.mesh import DeviceMesh
from spinfem.parallel import did_you_mean, global_sum, raise_collective

__all__ = ["Block", "Interface", "Layout", "build_layout"]


@dataclass(frozen=True, eq=False)
class Block:
    """One block of unknowns: regions sharing continuous (V, mu_s)."""

    index: int
    regions: tuple[str, ...]
    mesh: Any
    cell_map: np.ndarray  # block cell -> parent cell
    vertex_map: np.ndarray  # block vertex -> parent vertex
    parent_to_block: np.ndarray  # parent cell -> block cell, -1 elsewhere
    parent_vertex_to_block: np.ndarray  # parent vertex -> block vertex, -1 elsewhere
    handle: Any  # compat handle for entity maps (0.10+), None on 0.9 / parent block
    is_parent: bool


@dataclass(frozen=True, eq=False)
class Interface:
    """A non-transparent interface between region ``left`` (L, "+") and ``right`` (R, "-")."""

    name: str
    law: InterfaceLaw
    left: str
    right: str
    left_block: int
    right_block: int
    tag: int  # subdomain id of the interior-facet measure
    data: np.ndarray  # (n, 4) owned facets: (cell L, local facet L, cell R, local facet R)
    facets: np.ndarray  # local parent facets with both cells local (owned and ghost)


@dataclass(frozen=True, eq=False)
class Layout:
    dmesh: DeviceMesh
    blocks: tuple[Block, ...]
    interfaces: tuple[Interface, ...]
    block_of_region: dict[str, int]
    block_tags: Any  # parent cell meshtags: value = block index

    def dx(self, block: int) -> Any:
        """Cell measure over one block's cells, on the parent mesh."""
        return ufl.Measure("dx", domain=self.dmesh.mesh, subdomain_data=self.block_tags)(block)

    def dS(self) -> Any:
        """The ONE ordered interior-facet measure for all non-transparent interfaces."""
        data = [(i.tag, i.data.ravel()) for i in self.interfaces]
        return ufl.Measure("dS", domain=self.dmesh.mesh, subdomain_data=data)

    def entity_maps(self) -> Any:
        """``entity_maps`` for forms on the parent mesh (padded on 0.9, see compat)."""
        if len(self.blocks) == 1 and self.blocks[0].is_parent:
            return None
        padded = [b.parent_to_block.copy() for b in self.blocks]
        for itf in self.interfaces:
            cl, cr = itf.data[:, 0], itf.data[:, 2]
            padded[itf.left_block][cr] = self.blocks[itf.left_block].parent_to_block[cl]
            padded[itf.right_block][cl] = self.blocks[itf.right_block].parent_to_block[cr]
        return compat.form_entity_maps(
            [(b.mesh, p, b.handle) for b, p in zip(self.blocks, padded, strict=True)]
        )

    def cell_couplings(self) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        """(left block, right block, left cells, right cells) per interface, cells in
        block numbering, one pair per owned interface facet: the only cells the
        interface laws couple across blocks (``blockmatrix``'s sparsity)."""
        out = []
        for itf in self.interfaces:
            left, right = self.blocks[itf.left_block], self.blocks[itf.right_block]
            cells = (left.parent_to_block[itf.data[:, 0]], right.parent_to_block[itf.data[:, 2]])
            out.append((itf.left_block, itf.right_block, *cells))
        return out

    def block_vertices_of_facets(
        self, block: int, facets: np.ndarray, side_cells: bool
    ) -> np.ndarray:
        """Block vertex indices of parent ``facets``; with ``side_cells`` only facets that
        have a cell in this block (so a contact only constrains the block it touches)."""
        top = self.dmesh.mesh.topology
        fdim = self.dmesh.tdim - 1
        b = self.blocks[block]
        if side_cells and len(facets):
            f2c = top.connectivity(fdim, fdim + 1)
            keep = [f for f in facets if np.any(b.parent_to_block[f2c.links(f)] >= 0)]
            facets = np.asarray(keep, dtype=np.int32)
        if len(facets) == 0:
            return np.zeros(0, dtype=np.int32)
        f2v = top.connectivity(fdim, 0)
        verts = np.unique(np.concatenate([f2v.links(f) for f in facets]))
        mapped = b.parent_vertex_to_block[verts]
        return mapped[mapped >= 0].astype(np.int32)


def _union_find(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


def build_layout(
    dmesh: DeviceMesh,
    laws: Mapping[str, InterfaceLaw],
    default: InterfaceLaw | None = None,
) -> Layout:
    """Assign a law to every interface, group regions into blocks, build the submeshes."""
    default = default if default is not None else Transparent()
    comm, tdim = dmesh.comm, dmesh.tdim
    fdim = tdim - 1
    msh = dmesh.mesh
    top = msh.topology
    for d0, d1 in ((fdim, tdim), (tdim, fdim), (tdim, 0), (fdim, 0)):
        top.create_connectivity(d0, d1)
    names = list(dmesh.regions)  # region order of the mesh (bottom to top for stacks)
    ncells = top.index_map(tdim).size_local + top.index_map(tdim).num_ghosts
    cell_region = np.full(ncells, -1, dtype=np.int32)
    for i, name in enumerate(names):
        cell_region[dmesh.cells(name)] = i
    for key, law in laws.items():
        if not isinstance(law, InterfaceLaw):
            raise InputError(f"interface '{key}': expected an interface law object, got {law!r}")

    # Interior facets with both cells present locally and different regions.
    f2c = top.connectivity(fdim, tdim)
    offs = f2c.offsets
    two = np.flatnonzero(np.diff(offs) == 2).astype(np.int32)
    c0, c1 = f2c.array[offs[two]], f2c.array[offs[two] + 1]
    r0, r1 = cell_region[c0], cell_region[c1]
    sel = r0 != r1
    ifacets, ra, rb = two[sel], np.minimum(r0, r1)[sel], np.maximum(r0, r1)[sel]
    nfacets_owned = top.index_map(fdim).size_local

    # Law of each interface facet: facet-group keys, then region-pair keys, then default.
    keys = list(laws)
    law_of = np.full(len(ifacets), len(keys), dtype=np.int32)  # len(keys) = default
    error = None
    for k, key in enumerate(keys):
        if key in dmesh.boundaries:
            group = dmesh.facets(key)
            group = group[group < nfacets_owned]
            inside = np.isin(group, ifacets)
            bad = global_sum(comm, int(np.count_nonzero(~inside)))
            if bad and error is None:
                error = (
                    f"interface law on '{key}': {bad} of its facets are not an interface between "
                    "two different regions (a law needs an interior interface)"
                )
            law_of[np.isin(ifacets, dmesh.facets(key))] = k
        elif "|" in key:
            left, _, right = key.partition("|")
            for region in (left, right):
                if region not in dmesh.regions:
                    raise InputError(
                        f"interface '{key}': unknown region '{region}'"
                        f"{did_you_mean(region, dmesh.regions)}; regions: {sorted(dmesh.regions)}"
                    )
            i, j = sorted((names.index(left), names.index(right)))
            hit = (ra == i) & (rb == j) & (law_of == len(keys))
            if global_sum(comm, int(np.count_nonzero(hit))) == 0 and error is None:
                error = f"interface '{key}': regions '{left}' and '{right}' do not touch"
            law_of[hit] = k
        else:
            raise InputError(
                f"unknown interface '{key}': not a facet group"
                f"{did_you_mean(key, dmesh.boundaries)} nor a region pair 'A|B'; facet groups: "
                f"{sorted(dmesh.boundaries)}"
            )
    raise_collective(comm, error, InputError)
    all_laws = [*(laws[k] for k in keys), default]

    # Global list of (region a, region b, law) present anywhere.
    local = {(int(a), int(b), int(k)) for a, b, k in zip(ra, rb, law_of, strict=True)}
    present = sorted(set().union(*comm.allgather(local)))
    joins = [(a, b) for a, b, k in present if all_laws[k].transparent]
    root = _union_find(len(names), joins)
    roots = sorted(set(root), key=root.index)
    block_of_index = [roots.index(r) for r in root]
    for a, b, k in present:
        if not all_laws[k].transparent and block_of_index[a] == block_of_index[b]:
            raise InputError(
                f"regions '{names[a]}' and '{names[b]}' are joined by a transparent path and also "
                f"separated by a '{all_laws[k].kind}' interface: a block of unknowns cannot "
                "jump inside; make every interface between them non-transparent"
            )
    blocks = _make_blocks(dmesh, names, block_of_index, cell_region)

    interfaces = []
    for tag, (a, b, k) in enumerate(
        ((a, b, k) for a, b, k in present if not all_laws[k].transparent), start=1
    ):
        key = keys[k] if k < len(keys) else None
        left, right = names[a], names[b]
        if key and "|" in key:
            kl, _, kr = key.partition("|")
            if (kl, kr) == (right, left):
                left, right = right, left
        mask = (ra == a) & (rb == b) & (law_of == k)
        facets = ifacets[mask]
        data = compat.interior_facet_domains(top, facets)
        li = names.index(left)
        swap = cell_region[data[:, 0]] != li
        data[swap] = data[swap][:, [2, 3, 0, 1]]
        name = f"{left}|{right}" if key is None or key not in dmesh.boundaries else key
        interfaces.append(
            Interface(
                name,
                all_laws[k],
                left,
                right,
                block_of_index[names.index(left)],
                block_of_index[names.index(right)],
                tag,
                data,
                facets,
            )
        )
    counts = {}
    for itf in interfaces:
        counts[itf.name] = counts.get(itf.name, 0) + 1
    interfaces = [
        itf
        if counts[itf.name] == 1
        else Interface(
            f"{itf.name}[{itf.left}|{itf.right}]",
            itf.law,
            itf.left,
            itf.right,
            itf.left_block,
            itf.right_block,
            itf.tag,
            itf.data,
            itf.facets,
        )
        for itf in interfaces
    ]
    cells = np.arange(ncells, dtype=np.int32)
    values = np.asarray([block_of_index[r] for r in cell_region], dtype=np.int32)
    block_tags = dmesh_mod.meshtags(msh, tdim, cells, values)
    return Layout(
        dmesh=dmesh,
        blocks=tuple(blocks),
        interfaces=tuple(interfaces),
        block_of_region={n: block_of_index[i] for i, n in enumerate(names)},
        block_tags=block_tags,
    )


def _make_blocks(
    dmesh: DeviceMesh, names: list[str], block_of_index: list[int], cell_region: np.ndarray
) -> list[Block]:
    msh, tdim = dmesh.mesh, dmesh.tdim
    nblocks = max(block_of_index) + 1
    nverts_parent = msh.topology.index_map(0).size_local + msh.topology.index_map(0).num_ghosts
    ncells = cell_region.size
    out = []
    for b in range(nblocks):
        regions = tuple(n for i, n in enumerate(names) if block_of_index[i] == b)
        if nblocks == 1:
            ident_c = np.arange(ncells, dtype=np.int32)
            ident_v = np.arange(nverts_parent, dtype=np.int32)
            out.append(Block(b, regions, msh, ident_c, ident_v, ident_c, ident_v, None, True))
            continue
        members = [i for i, n in enumerate(names) if n in regions]
        cells = np.flatnonzero(np.isin(cell_region, members)).astype(np.int32)
        sub, cell_map, vertex_map, handle = compat.create_submesh(msh, tdim, cells)
        p2b = np.full(ncells, -1, dtype=np.int32)
        p2b[cell_map] = np.arange(cell_map.size, dtype=np.int32)
        pv2b = np.full(nverts_parent, -1, dtype=np.int32)
        pv2b[vertex_map] = np.arange(vertex_map.size, dtype=np.int32)
        sub.topology.create_connectivity(tdim, 0)
        out.append(Block(b, regions, sub, cell_map, vertex_map, p2b, pv2b, handle, False))
    return out


def to_parent_dg1(layout: Layout, funcs: list[Any], name: str) -> Any:
    """One discontinuous P1 field on the parent mesh from per-block degree-1 fields, so
    ParaView shows the jumps at resistive interfaces in a single file."""
    from dolfinx import fem

    msh, tdim = layout.dmesh.mesh, layout.dmesh.tdim
    shape = funcs[0].ufl_shape
    space = fem.functionspace(
        msh, ("Discontinuous Lagrange", 1, shape) if shape else ("Discontinuous Lagrange", 1)
    )
    out = fem.Function(space, name=name)
    bs = space.dofmap.index_map_bs
    pc2v = msh.topology.connectivity(tdim, 0).array.reshape(-1, tdim + 1)
    for blk, f in zip(layout.blocks, funcs, strict=True):
        bmesh = blk.mesh
        bc2v = bmesh.topology.connectivity(tdim, 0).array.reshape(-1, tdim + 1)
        nb = bc2v.shape[0]
        pcells = blk.cell_map[:nb]
        sub_as_parent = blk.vertex_map[bc2v]  # (nb, d+1) parent vertex ids
        par = pc2v[pcells]
        perm = np.argmax(sub_as_parent[:, None, :] == par[:, :, None], axis=2)  # par k <- sub j
        sdofs = f.function_space.dofmap.list[:nb]
        pdofs = space.dofmap.list[pcells]
        rows = np.arange(nb)[:, None]
        src = sdofs[rows, perm]
        for c in range(bs):
            out.x.array[pdofs * bs + c] = f.x.array[src * bs + c]
    out.x.scatter_forward()
    return out
