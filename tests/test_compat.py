"""One test per shim of spinfem.compat (runs on every supported dolfinx)."""

from __future__ import annotations

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI
from petsc4py import PETSc

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


def test_shared_facet_partitioner_takes_a_graph_partitioner():
    """A graph partitioner of our own (spinfem.refine keeps the partition): called with the
    dual graph and ghosting on, its destinations used (0.10+ wrap the returned list)."""
    from dolfinx.graph import adjacencylist

    calls = []

    def keep(comm, nparts, graph, ghosting):
        n = len(graph.offsets) - 1
        calls.append((nparts, ghosting, n))
        return adjacencylist(np.full(n, comm.rank, np.int32), np.arange(n + 1, dtype=np.int32))

    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    cells = np.array([[0, 1, 2], [1, 3, 2]], np.int64)
    domain = ufl.Mesh(
        mesh.create_unit_square(MPI.COMM_SELF, 1, 1).ufl_domain().ufl_coordinate_element()
    )
    part = compat.shared_facet_partitioner(keep)
    msh = compat.create_mesh(MPI.COMM_SELF, cells, x, domain, part)
    assert calls == [(1, True, 2)]
    assert msh.topology.index_map(2).size_local == 2


def test_create_mesh_and_distributed_meshtags_from_distributed_input():
    """Two triangles given on rank 0 by global node numbers, a tag per cell and on the
    shared edge: rebuilt with shared-facet ghosts, each tag on the entity it named."""
    comm = MPI.COMM_WORLD
    first = comm.rank == 0
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]) if first else np.zeros((0, 2))
    cells = np.array([[0, 1, 2], [1, 3, 2]], np.int64) if first else np.zeros((0, 3), np.int64)
    domain = ufl.Mesh(
        mesh.create_unit_square(MPI.COMM_SELF, 1, 1).ufl_domain().ufl_coordinate_element()
    )
    msh = compat.create_mesh(comm, cells, x, domain, compat.shared_facet_partitioner())
    assert msh.topology.index_map(2).size_global == 2
    ct = compat.distributed_meshtags(msh, 2, cells, np.array([7, 9] if first else [], np.int32))
    edge = np.array([[1, 2]] if first else np.zeros((0, 2)), np.int64)
    ft = compat.distributed_meshtags(msh, 1, edge, np.array([5] if first else [], np.int32))
    mid = compat.geometry_dofmap(msh)
    for cell, value in zip(ct.indices, ct.values, strict=True):
        centroid = msh.geometry.x[mid[cell], :2].mean(axis=0)
        assert value == (7 if centroid.sum() < 1.0 else 9)
    owned_edges = ft.indices[ft.indices < msh.topology.index_map(1).size_local]
    assert comm.allreduce(len(owned_edges)) == 1
    assert np.all(ft.values == 5)


def test_interpolation_points_is_an_array():
    m = mesh.create_unit_square(MPI.COMM_WORLD, 2, 2)
    space = fem.functionspace(m, ("Discontinuous Lagrange", 1, (2,)))
    pts = compat.interpolation_points(space)
    assert isinstance(pts, np.ndarray) and pts.shape == (3, 2)


def test_coordinate_element_has_degree():
    m = mesh.create_unit_square(MPI.COMM_WORLD, 2, 2)
    assert compat.coordinate_element(m).degree == 1


def test_geometry_dofmap_gives_the_nodes_of_each_cell():
    msh = mesh.create_unit_square(MPI.COMM_WORLD, 2, 3)
    dofs = compat.geometry_dofmap(msh)
    ncells = msh.topology.index_map(2).size_local + msh.topology.index_map(2).num_ghosts
    assert dofs.shape == (ncells, 3)
    x = msh.geometry.x[dofs[:, :3], :2]  # triangle vertices
    e1, e2 = x[:, 1] - x[:, 0], x[:, 2] - x[:, 0]
    area = 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    assert np.allclose(area, 1.0 / 12.0)  # 2 x 3 squares, two triangles each


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


def _blocked_operator(keep_zeros: bool):
    """(V, mu)-like blocked P1 operator: components uncoupled, component 1 only on half
    the square (zero diagonal elsewhere), one Dirichlet side. Returns (matrix, form):
    keep the form alive while the matrix is used (dolfinx's matrix layout refers to it)."""
    m = mesh.create_unit_square(MPI.COMM_WORLD, 6, 6)
    space = fem.functionspace(m, ("Lagrange", 1, (2,)))
    u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
    x = ufl.SpatialCoordinate(m)
    half = ufl.conditional(ufl.lt(x[0], 0.5), 1.0, 0.0)
    a = ufl.inner(ufl.grad(u[0]), ufl.grad(v[0])) * ufl.dx
    a += half * ufl.inner(ufl.grad(u[1]), ufl.grad(v[1])) * ufl.dx
    facets = mesh.locate_entities_boundary(m, 1, lambda p: np.isclose(p[0], 0.0))
    dofs = fem.locate_dofs_topological(space.sub(0), 1, facets)
    bc = fem.dirichletbc(np.float64(1.0), dofs, space.sub(0))
    form = fem.form(a)
    A = compat.assemble_matrix(form, [bc])
    if not keep_zeros:
        assert compat.eliminate_zeros(A)
    return A, form


def test_eliminate_zeros_drops_exact_zeros_only():
    (full, f0), (lean, f1) = _blocked_operator(True), _blocked_operator(False)
    info = (
        full.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM),
        lean.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM),
    )
    assert info[1]["nz_used"] < 0.6 * info[0]["nz_used"]
    assert lean.getBlockSize() == 2
    x = full.createVecRight()
    x.setRandom()
    y0, y1 = full.createVecLeft(), lean.createVecLeft()
    full.mult(x, y0)
    lean.mult(x, y1)
    assert (y0 - y1).norm() <= 1e-14 * y0.norm()
    r0, r1 = lean.getOwnershipRange()
    for row in range(r0, r1):  # the diagonal stays, zero or not (LU, smoothers need it)
        cols, vals = lean.getRow(row)
        assert row in cols
        assert np.all((vals != 0) | (cols == row))
    # without the PETSc symbol: a no-op, same operator
    keep, f2 = _blocked_operator(True)
    assert compat.eliminate_zeros(keep, lib=None) is False
    assert keep.getInfo()["nz_used"] == full.getInfo()["nz_used"]
    for mat in (full, lean, keep, x, y0, y1):
        mat.destroy()
    del f0, f1, f2


def _spd_blocked_operator():
    """An SPD 2-component P1 operator (coupled stiffness + mass) with block size 2."""
    m = mesh.create_unit_square(MPI.COMM_WORLD, 24, 24)
    space = fem.functionspace(m, ("Lagrange", 1, (2,)))
    u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
    a = ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx + 0.5 * ufl.inner(u, v) * ufl.dx
    a += 0.2 * (u[0] * v[1] + u[1] * v[0]) * ufl.dx
    form = fem.form(a)
    return compat.assemble_matrix(form, []), form


def _amg_ksp(A, prefix: str, threshold: str):
    ksp = PETSc.KSP().create(A.getComm())
    ksp.setOperators(A)
    ksp.setOptionsPrefix(prefix)
    opts = PETSc.Options()
    opts[prefix + "pc_type"] = "hypre"
    opts[prefix + "pc_hypre_type"] = "boomeramg"
    opts[prefix + "pc_hypre_boomeramg_strong_threshold"] = threshold
    ksp.setFromOptions()
    for key in ("pc_type", "pc_hypre_type", "pc_hypre_boomeramg_strong_threshold"):
        opts.delValue(prefix + key)
    return ksp


@pytest.mark.parametrize("threshold", ["0.25", "0.4"])
def test_boomeramg_handle_is_the_live_solver(threshold):
    """The handle found behind PETSc's PC is hypre's solver itself: hypre's getters read
    back the option given to PETSc and, after setup, the block size as the number of
    functions; the modular RAP switch is accepted and the preconditioner still works."""
    import ctypes

    A, form = _spd_blocked_operator()
    ksp = _amg_ksp(A, "shimtest_", threshold)
    pc = ksp.getPC()
    found = compat.boomeramg_handle(pc)
    assert found is not None
    lib, solver = found
    assert compat.boomeramg_modular_rap(pc) == compat._boomeramg_layout()[2]
    ksp.setUp()  # PETSc >= 3.25 passes its options to hypre here
    th, nfun = ctypes.c_double(), ctypes.c_int()
    lib.HYPRE_BoomerAMGGetStrongThreshold(ctypes.c_void_p(solver), ctypes.byref(th))
    assert th.value == float(threshold)
    lib.HYPRE_BoomerAMGGetNumFunctions(ctypes.c_void_p(solver), ctypes.byref(nfun))
    assert nfun.value == 2
    assert compat.boomeramg_handle(pc) == found
    b, x = A.createVecLeft(), A.createVecRight()
    b.set(1.0)
    ksp.solve(b, x)
    assert ksp.getConvergedReason() > 0
    for obj in (ksp, A, b, x):
        obj.destroy()
    del form


def test_boomeramg_modular_rap_changes_the_hierarchy_where_it_claims_to():
    """Where the switch is reported set, hypre really forms the coarse operators the
    other way (the same operators up to rounding: four CG steps differ in the last
    digits); where PETSc resets it at setup (3.25), it is reported unset and the
    iterates are bit-identical."""
    A, form = _spd_blocked_operator()
    b = A.createVecLeft()
    b.set(1.0)
    b.setValue(A.getOwnershipRange()[0], 2.0)
    b.assemble()
    xs, flags = [], []
    for modular in (False, True):
        ksp = _amg_ksp(A, "shimtest_", "0.25")
        ksp.setType("cg")
        ksp.setTolerances(rtol=1e-30, atol=1e-300, max_it=4)
        ksp.setConvergenceTest(lambda *args: 0)  # exactly four iterations
        flags.append(compat.boomeramg_modular_rap(ksp.getPC()) if modular else False)
        x = A.createVecRight()
        ksp.solve(b, x)
        xs.append(x.getArray().copy())
        ksp.destroy()
        x.destroy()
    assert flags[1] == compat._boomeramg_layout()[2]
    assert np.allclose(xs[0], xs[1], rtol=1e-8, atol=1e-12)
    assert (not np.array_equal(xs[0], xs[1])) == flags[1]
    A.destroy()
    b.destroy()
    del form


def test_boomeramg_handle_refuses_what_it_cannot_verify(monkeypatch):
    """Another PC type, no hypre library, or memory that is not readable: no handle and
    nothing set (the caller keeps hypre's default product)."""
    A, form = _blocked_operator(False)
    ksp = PETSc.KSP().create(A.getComm())
    ksp.setOperators(A)
    ksp.getPC().setType("jacobi")
    assert compat.boomeramg_handle(ksp.getPC()) is None
    assert compat.boomeramg_modular_rap(ksp.getPC()) is False
    assert compat._read_words(0, 1) is None
    assert compat._read_words(8, 1) is None  # the zero page: an error, not a crash
    assert compat._read_words(2**62, 1) is None
    amg = _amg_ksp(A, "shimtest_", "0.25")
    probe = compat._boomeramg_layout.__wrapped__  # uncached
    assert probe() is not None  # the layout is verified on this stack
    monkeypatch.setattr(compat, "_hypre_library", lambda: None)
    assert probe() is None
    monkeypatch.setattr(compat, "_boomeramg_layout", lambda: None)
    assert compat.boomeramg_modular_rap(amg.getPC()) is False
    for obj in (ksp, amg, A):
        obj.destroy()
    del form


def _two_region_square():
    m = mesh.create_unit_square(MPI.COMM_WORLD, 4, 4, ghost_mode=mesh.GhostMode.shared_facet)
    tdim = m.topology.dim
    m.topology.create_connectivity(tdim - 1, tdim)
    left = mesh.locate_entities(m, tdim, lambda x: x[0] <= 0.5 + 1e-12)
    iface = mesh.locate_entities(m, tdim - 1, lambda x: np.isclose(x[0], 0.5))
    return m, left, iface


def test_create_submesh_maps_cells_and_vertices():
    m, left, _ = _two_region_square()
    sub, cell_map, vertex_map, _ = compat.create_submesh(m, m.topology.dim, left)
    n = sub.topology.index_map(2).size_local + sub.topology.index_map(2).num_ghosts
    assert cell_map.shape == (n,) and np.all(np.isin(cell_map, left))
    # mapped vertices sit at the same coordinates
    sub.topology.create_connectivity(0, 2)
    m.topology.create_connectivity(0, 2)
    sub_x = sub.geometry.x[
        mesh.entities_to_geometry(sub, 0, np.arange(vertex_map.size, dtype=np.int32)).ravel()
    ]
    par_x = m.geometry.x[mesh.entities_to_geometry(m, 0, vertex_map).ravel()]
    assert np.allclose(sub_x, par_x)


def test_interior_facet_domains_pairs_cells_across_the_facet():
    m, _, iface = _two_region_square()
    data = compat.interior_facet_domains(m.topology, iface)
    owned = iface[iface < m.topology.index_map(1).size_local]
    assert data.shape == (owned.size, 4)
    c2f = m.topology.connectivity(2, 1) if m.topology.connectivity(2, 1) else None
    if c2f is None:
        m.topology.create_connectivity(2, 1)
        c2f = m.topology.connectivity(2, 1)
    for c0, l0, c1, l1 in data:
        assert c0 != c1 and c2f.links(c0)[l0] == c2f.links(c1)[l1]


def test_form_entity_maps_and_block_assembly():
    """A mass matrix on a submesh assembled over the parent mesh, as a 1x1 block system."""
    m, left, _ = _two_region_square()
    sub, cell_map, _, handle = compat.create_submesh(m, 2, left)
    ncells = m.topology.index_map(2).size_local + m.topology.index_map(2).num_ghosts
    p2s = np.full(ncells, -1, dtype=np.int32)
    p2s[cell_map] = np.arange(cell_map.size, dtype=np.int32)
    emaps = compat.form_entity_maps([(sub, p2s, handle)])
    assert isinstance(emaps, (dict, list))
    tags = mesh.meshtags(m, 2, np.sort(left).astype(np.int32), np.ones(left.size, dtype=np.int32))
    dx = ufl.Measure("dx", domain=m, subdomain_data=tags)
    V = fem.functionspace(sub, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = fem.form([[u * v * dx(1)]], entity_maps=emaps)
    L = fem.form([fem.Constant(sub, 1.0) * v * ufl.dx(domain=sub)])
    A = compat.assemble_block_matrix(a, [])
    b = compat.assemble_block_vector(L, a, [])
    ones = A.createVecRight()
    ones.set(1.0)
    y = A.createVecLeft()
    A.mult(ones, y)
    assert y.sum() == pytest.approx(0.5, rel=1e-12)  # area of the left half
    assert b.sum() == pytest.approx(0.5, rel=1e-12)


def test_block_assembly_through_a_nest_equals_the_monolithic_one():
    """A device with interface laws (three blocks coupled across two interfaces): the
    nest assembly converted to AIJ (spinfem's default) has dolfinx's monolithic block
    assembly's entries, values and row layout, with and without Dirichlet conditions."""
    import sys

    from conftest import MPI_SCRIPTS

    sys.path.insert(0, str(MPI_SCRIPTS))
    from block_matrices import collinear  # the same device the cell-pattern tests use

    system, bcs = collinear()
    assert system.nblocks == 3
    assert bcs
    for conditions in ([], bcs):
        A = compat.assemble_block_matrix(system.a, conditions)
        B = compat.assemble_block_matrix(system.a, conditions, nest=False)
        assert A.getOwnershipRange() == B.getOwnershipRange()
        assert A.getInfo()["nz_used"] == B.getInfo()["nz_used"]
        assert B.norm() > 0 and (A - B).norm() <= 1e-14 * B.norm()
        A.destroy()
        B.destroy()


def test_open_mpi_topology_workaround_is_set_before_mpi_starts():
    """import spinfem sets OMPI_MCA_topo=basic (unless the user chose) before MPI_Init, so
    MPI_Dist_graph_create cannot deadlock (open-mpi/ompi#13918); a subprocess that sets it
    to something else keeps its choice."""
    import os
    import subprocess
    import sys

    assert os.environ.get("OMPI_MCA_topo") is not None  # noqa: SIM112 (Open MPI's spelling)
    code = "import os, spinfem; print(os.environ['OMPI_MCA_topo'])"
    env = {k: v for k, v in os.environ.items() if k != "OMPI_MCA_topo"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == compat.OMPI_TOPO_WORKAROUND[1], out.stderr
    env["OMPI_MCA_topo"] = "basic,treematch"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "basic,treematch", out.stderr
