"""Region-wise fields and point evaluation (compare results by coordinates, not dofs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dolfinx.geometry
import numpy as np
from dolfinx import fem

from spinfem.mesh import DeviceMesh

__all__ = ["evaluate", "piecewise_constant"]


def piecewise_constant(dmesh: DeviceMesh, values: Mapping[str, float], name: str) -> fem.Function:
    """A DG0 function equal to ``values[region]`` on each named region."""
    space = fem.functionspace(dmesh.mesh, ("DG", 0))
    f = fem.Function(space, name=name)
    for region, value in values.items():
        cells = dmesh.cells(region)
        f.x.array[space.dofmap.list[cells].ravel()] = value
    f.x.scatter_forward()
    return f


def evaluate(f: fem.Function, points_m: Any, length_unit: float) -> np.ndarray:
    """Values of ``f`` at physical points [m] (shape (n, 3) or (n, gdim)), on every rank.

    Points outside the mesh give NaN. Collective.
    """
    mesh = f.function_space.mesh
    pts = np.zeros((len(points_m), 3))
    arr = np.asarray(points_m, dtype=float).reshape(len(points_m), -1) / length_unit
    pts[:, : arr.shape[1]] = arr
    tree = dolfinx.geometry.bb_tree(mesh, mesh.topology.dim)
    cand = dolfinx.geometry.compute_collisions_points(tree, pts)
    hits = dolfinx.geometry.compute_colliding_cells(mesh, cand, pts)
    vsize = int(np.prod(f.ufl_shape)) if f.ufl_shape else 1
    out = np.full((len(pts), vsize), np.nan)
    idx, cells = [], []
    for i in range(len(pts)):
        links = hits.links(i)
        if len(links):
            idx.append(i)
            cells.append(links[0])
    if idx:
        out[idx] = f.eval(pts[idx], np.asarray(cells, dtype=np.int32)).reshape(len(idx), vsize)
    gathered = mesh.comm.allgather(out)
    result = np.full_like(out, np.nan)
    for part in gathered:
        mask = np.isnan(result[:, 0]) & ~np.isnan(part[:, 0])
        result[mask] = part[mask]
    return result[:, 0] if vsize == 1 else result
