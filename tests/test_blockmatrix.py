"""Monolithic block matrices built from the cells (spinfem.blockmatrix, used on several
ranks): the same stored entries and values as dolfinx's monolithic block assembly, on 1
and 2 ranks, for the collinear model with AR_b laws and the vector model with a
spin-mixing interface, with no entry outside the pattern; a coupling left out of the
pattern costs allocations, never values (dolfinx's release builds would drop a refused
entry silently)."""

from __future__ import annotations

import sys

import pytest

from conftest import MPI_SCRIPTS, run_script_json
from spinfem import compat

sys.path.insert(0, str(MPI_SCRIPTS))


@pytest.mark.parametrize("nprocs", [1, 2])
def test_cell_pattern_matrix_equals_dolfinx_block_assembly(tmp_path, nprocs):
    out = run_script_json("block_matrices.py", tmp_path, nprocs=nprocs)
    for name, blocks, bs in (("collinear", 3, 2), ("vector", 2, 4)):
        r = out[name]
        assert r["blocks"] == blocks and r["block_size"] == bs, r
        assert r["same_rows"], r
        assert r["nnz"] == r["nnz_dolfinx"] > 0, r
        # the cell pattern holds every entry where spinfem uses it (0.9); 0.10+'s block
        # assembly inserts zeros beyond the facet cells (compat.BLOCK_PATTERN_FROM_CELLS)
        assert (r["mallocs"] == 0) == compat.BLOCK_PATTERN_FROM_CELLS, r
        assert r["norm"] > 0 and r["max_diff"] <= 1e-14 * r["norm"], r


def test_missing_interface_coupling_costs_allocations_not_values():
    """Without the interface cell pairs the entries of the interface laws are allocated
    during assembly: the matrix equals dolfinx's (the laws are not dropped) and PETSc
    counts the allocations the complete pattern avoids."""
    from block_matrices import collinear

    from spinfem import blockmatrix

    system, bcs = collinear()
    ref = compat.assemble_block_matrix(system.a, bcs, nest=False)
    extra = not compat.BLOCK_PATTERN_FROM_CELLS  # 0.10+: zeros beyond the facet cells
    for couplings, mallocs in ((system.layout.cell_couplings(), extra), ([], True)):
        A = blockmatrix.create_block_matrix(system.spaces, couplings)
        compat.assemble_block_matrix_into(A, system.a, bcs)
        assert (A.getInfo()["mallocs"] > 0) == mallocs
        assert A.getInfo()["nz_used"] == ref.getInfo()["nz_used"]
        assert (A - ref).norm() <= 1e-14 * ref.norm()
        A.destroy()
    ref.destroy()


@pytest.mark.parametrize("bs", [1, 2, 4])
@pytest.mark.parametrize("chunk", [1, 2, 1 << 16])
def test_node_pattern_expands_to_scalar_rows(bs, chunk):
    """Node row i gives bs scalar rows, each with columns bs*c + t for its node columns c,
    whatever the chunking (an empty node row included)."""
    import numpy as np

    from spinfem.blockmatrix import _scalar_csr

    rows = np.array([0, 0, 1, 3, 3, 3])  # node row 2 is empty
    cols = np.array([0, 5, 1, 2, 3, 7])
    indptr, indices = _scalar_csr(rows, cols, 4, bs, chunk=chunk)
    expect_ptr, expect = [0], []
    for i in range(4):
        node_cols = cols[rows == i]
        for _ in range(bs):
            expect += [bs * c + t for c in node_cols for t in range(bs)]
            expect_ptr.append(len(expect))
    assert indptr.tolist() == expect_ptr
    assert indices.tolist() == expect
