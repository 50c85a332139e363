"""Monolithic matrices of block systems on several ranks, without dolfinx's stacked
sparsity pattern.

dolfinx 0.9's ``create_matrix_block`` builds the monolithic sparsity by stacking every
block pair's pattern unrolled to scalar entries (block size 1) and sorting that: half of
a block assembly on 2 ranks (Co/Cu/Co with AR_b laws, 598 344 unknowns: 1.4 of 2.8 s,
docs/performance.md). The nest assembly used on one rank finalises one pattern per
block pair, each collectively: with the partition along the stack the ranks take turns.

Here the pattern comes from the cells instead, with numpy: every pair of nodes of a cell
of a block (P1: the nodes of a cell couple), and for each interface facet every node of
its left cell with every node of its right cell (``Layout.cell_couplings``; the
interface laws couple only the two cells of a facet). Pairs are made at node level,
rows owned by another rank are sent to it, each rank sorts its own rows once, and the
node pattern is expanded by the block size. The matrix gets dolfinx's monolithic local
numbering (block by block, owned then ghost nodes), so dolfinx's block assembly inserts
into it unchanged. An entry outside the pattern is still inserted (PETSc allocates it,
counted in ``getInfo()["mallocs"]``; tests check there are none): a missing coupling
costs time, never values. Refusing it instead would drop it silently, because dolfinx's
release builds ignore the error code of ``MatSetValuesLocal``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from petsc4py import PETSc

from spinfem.parallel import renumbered

__all__ = ["create_block_matrix", "monolithic_nodes"]


def monolithic_nodes(spaces: Sequence[Any]) -> tuple[list[np.ndarray], np.ndarray]:
    """Monolithic node number of every local (owned, then ghost) node of each block's
    space, and the first monolithic node of every rank (plus the total at the end).

    Rank r numbers its owned nodes block by block after those of ranks < r (the layout
    of dolfinx's block vectors)."""
    comm = spaces[0].mesh.comm
    maps = [V.dofmap.index_map for V in spaces]
    # per rank and block: owned nodes, first global index of the block's own numbering
    info = np.array(comm.allgather([(m.size_local, m.local_range[0]) for m in maps]), np.int64)
    owned, block_starts = info[:, :, 0], info[:, :, 1]
    starts = np.concatenate([[0], np.cumsum(owned.sum(axis=1))])
    first = starts[:-1, None] + np.cumsum(owned, axis=1) - owned  # (ranks, blocks)
    numbers = [renumbered(comm, m, first[:, b], block_starts[:, b]) for b, m in enumerate(maps)]
    return numbers, starts


def _pairs(rows: np.ndarray, cols: np.ndarray, total: int) -> np.ndarray:
    """Keys row * total + col of every (row node, col node) pair of each cell row."""
    return (rows[:, :, None] * total + cols[:, None, :]).ravel()


def _owned_keys(keys: np.ndarray, starts: np.ndarray, comm: Any) -> np.ndarray:
    """Keep the keys of this rank's rows; send the others to their owners."""
    total = int(starts[-1])
    lo, hi = starts[comm.rank] * total, starts[comm.rank + 1] * total
    mine = (keys >= lo) & (keys < hi)
    out = np.unique(keys[~mine])  # sorted by row, so by owner
    counts = np.bincount(
        np.searchsorted(starts, out // total, side="right") - 1, minlength=comm.size
    )
    rcounts = np.asarray(comm.alltoall(counts.tolist()), dtype=np.int64)
    recv = np.empty(int(rcounts.sum()), dtype=np.int64)
    comm.Alltoallv([out, counts], [recv, rcounts])
    return np.concatenate([keys[mine], recv])


def _scalar_csr(
    rows: np.ndarray, cols: np.ndarray, n: int, bs: int, chunk: int = 1 << 16
) -> tuple[np.ndarray, np.ndarray]:
    """Scalar CSR (PETSc integers) of a sorted node pattern (local row, global column):
    node row i gives bs rows, each with the columns bs * c + t of every node column c.
    Expanded ``chunk`` node rows at a time, so the temporaries stay small next to the
    result (the whole expansion at once took ~4x the index array, ~0.5 GB per rank for
    the 4-field model at 287k unknowns per rank)."""
    per_node = np.bincount(rows, minlength=n)
    node_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_node, out=node_ptr[1:])
    indptr = np.zeros(n * bs + 1, dtype=np.int64)
    np.cumsum(np.repeat(per_node * bs, bs), out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=PETSc.IntType)
    offsets = np.arange(bs, dtype=np.int64)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        seg = (bs * cols[node_ptr[lo] : node_ptr[hi]][:, None] + offsets).ravel()
        seg_len = np.repeat(per_node[lo:hi] * bs, bs)  # one entry per scalar row
        seg_start = np.repeat(bs * (node_ptr[lo:hi] - node_ptr[lo]), bs)
        row_start = np.cumsum(seg_len) - seg_len
        pos = np.arange(int(seg_len.sum())) - np.repeat(row_start - seg_start, seg_len)
        indices[indptr[lo * bs] : indptr[hi * bs]] = seg[pos]
    return indptr.astype(PETSc.IntType), indices


def create_block_matrix(
    spaces: Sequence[Any], couplings: Sequence[tuple[int, int, np.ndarray, np.ndarray]]
) -> Any:
    """An assembled, zero monolithic AIJ matrix for the block forms on ``spaces``
    (P1, one block size for all), with the local-to-global map dolfinx's block assembly
    expects. ``couplings``: (left block, right block, left cells, right cells), one pair
    of block cells per interface facet."""
    comm = spaces[0].mesh.comm
    bs = spaces[0].dofmap.index_map_bs
    numbers, starts = monolithic_nodes(spaces)
    total = int(starts[-1])
    keys = []
    for V, g in zip(spaces, numbers, strict=True):
        nodes = g[V.dofmap.list]
        keys.append(_pairs(nodes, nodes, total))
    for left, right, cl, cr in couplings:
        nl = numbers[left][spaces[left].dofmap.list[cl]]
        nr = numbers[right][spaces[right].dofmap.list[cr]]
        keys += [_pairs(nl, nr, total), _pairs(nr, nl, total)]
    allkeys = np.concatenate(keys)
    del keys
    if comm.size > 1:
        allkeys = _owned_keys(allkeys, starts, comm)
    allkeys = np.unique(allkeys)  # sorted: rows, then columns
    first, n = int(starts[comm.rank]), int(starts[comm.rank + 1] - starts[comm.rank])
    rows = allkeys // total - first
    cols = allkeys - (rows + first) * total
    del allkeys
    indptr, indices = _scalar_csr(rows, cols, n, bs)
    del rows, cols
    size = (n * bs, total * bs)
    A = PETSc.Mat().createAIJ(
        (size, size),
        bsize=bs,
        csr=(indptr, indices),
        comm=comm,
    )
    local = np.concatenate([(bs * g[:, None] + np.arange(bs)).ravel() for g in numbers])
    lgmap = PETSc.LGMap().create(local.astype(PETSc.IntType), comm=comm)
    A.setLGMap(lgmap, lgmap)
    A.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)  # see the module doc
    return A
