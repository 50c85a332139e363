"""One test per shim of spinfem.compat (runs on every supported dolfinx)."""

from __future__ import annotations

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from spinfem import compat


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.9.0", (0, 9)),
        ("0.10.0.post2", (0, 10)),
        ("0.11.1", (0, 11)),
        ("1.0", (1, 0)),
        ("0.5", (0, 5)),
    ],
)
def test_version_tuple(text, expected):
    assert compat.dolfinx_version_tuple(text) == expected


def test_require_dolfinx_accepts_this_stack():
    compat.require_dolfinx()


def test_gmsh_model_to_mesh_returns_mesh_and_tags():
    import gmsh

    from spinfem.geometry.gmsh_session import gmsh_session

    comm = MPI.COMM_WORLD
    with gmsh_session(comm):
        if comm.rank == 0:
            gmsh.model.add("box")
            box = gmsh.model.occ.addBox(0, 0, 0, 1, 1, 1)
            gmsh.model.occ.synchronize()
            gmsh.model.addPhysicalGroup(3, [box], tag=7, name="box")
            surf = gmsh.model.getBoundary([(3, box)], oriented=False)
            gmsh.model.addPhysicalGroup(2, [surf[0][1]], tag=3, name="face")
            gmsh.model.mesh.generate(3)
        msh, ct, ft = compat.gmsh_model_to_mesh(
            gmsh.model, comm, 0, 3, compat.shared_facet_partitioner()
        )
    assert msh.topology.dim == 3
    assert set(np.unique(ct.values)) == {7}
    assert comm.allreduce(len(ft.find(3))) > 0


def test_shared_facet_partitioner_is_callable():
    part = compat.shared_facet_partitioner()
    m = mesh.create_unit_square(MPI.COMM_WORLD, 4, 4, partitioner=part)
    assert m.topology.index_map(2).size_global == 32


def test_interpolation_points_is_an_array():
    m = mesh.create_unit_square(MPI.COMM_WORLD, 2, 2)
    space = fem.functionspace(m, ("Discontinuous Lagrange", 1, (2,)))
    pts = compat.interpolation_points(space)
    assert isinstance(pts, np.ndarray) and pts.shape == (3, 2)


def test_coordinate_element_has_degree():
    m = mesh.create_unit_square(MPI.COMM_WORLD, 2, 2)
    assert compat.coordinate_element(m).degree == 1


def test_assemble_matrix_and_create_vector():
    m = mesh.create_unit_square(MPI.COMM_WORLD, 4, 4)
    space = fem.functionspace(m, ("Lagrange", 1))
    u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
    a = fem.form(ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx + u * v * ufl.dx)
    L = fem.form(fem.Constant(m, 1.0) * v * ufl.dx)
    A = compat.assemble_matrix(a, [])
    b = compat.create_vector(L)
    assert A.getSize() == (25, 25) and b.getSize() == 25
    ones = A.createVecRight()
    ones.set(1.0)
    y = A.createVecLeft()
    A.mult(ones, y)  # row sums of K + M = integral of v = 1 in total
    assert abs(y.sum() - 1.0) < 1e-12
