"""The coarse Co | Cu bar of tests/refine_devices.py refined once on this many ranks:
JSON with the excess resistance-area, the global cell count, the worst cell shape and
whether every local cell, ghosts included, carries the region it lies in; and a 1D box
refined twice (cells, named end points)."""

import json
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import refine_devices as rd

from spinfem import compat
from spinfem.mm import box_mesh
from spinfem.refine import refine

fine = refine(rd.coarse_bar(), 1)
excess = rd.excess_ra(fine)
quality = MPI.COMM_WORLD.allreduce(float(rd.radius_ratio(fine).min()), op=MPI.MIN)
# F below z = L_F, N above: the tag of every owned and ghost cell against its centroid
m, tdim = fine.mesh, fine.mesh.topology.dim
n = len(m.topology.original_cell_index)
z = m.geometry.x[compat.geometry_dofmap(m)[:n]][:, :, tdim - 1].mean(axis=1) * fine.length_unit
tags = np.full(n, -1)
tags[fine.cell_tags.indices] = fine.cell_tags.values
expected = np.where(z < rd.L_F, fine.regions["F"], fine.regions["N"])
ghosts = m.topology.index_map(tdim).num_ghosts
regions_ok = MPI.COMM_WORLD.allreduce(bool(np.all(tags == expected)), op=MPI.LAND)
ghosts = MPI.COMM_WORLD.allreduce(ghosts)
# a 1D box refined twice: cells and the named end points, each owned once
box = refine(box_mesh((50.0,), (5,), length_unit=1e-9), 2)
npts = box.mesh.topology.index_map(0).size_local
ends = {
    name: MPI.COMM_WORLD.allreduce(int(np.count_nonzero(box.facet_tags.find(tag) < npts)))
    for name, tag in box.boundaries.items()
}
if MPI.COMM_WORLD.rank == 0:
    out = {"excess_RA": excess, "cells": fine.num_cells_global(), "quality_min": quality}
    out.update(regions_ok=regions_ok, ghost_cells=ghosts)
    out.update(box_cells=box.num_cells_global(), box_ends=ends)
    Path(sys.argv[1]).write_text(json.dumps(out))
