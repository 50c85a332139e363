"""Uniform parallel refinement of a device (spinfem.refine): every region and named
surface keeps its volume / area exactly, cells multiply by 2^tdim, interface laws on the
refined interfaces converge at second order to the closed form, 1 and 2 ranks agree, and
bad pass counts are refused."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import refine_devices as rd
import ufl
from dolfinx import fem
from mpi4py import MPI

from conftest import rel_err, run_script_json
from spinfem.compat import geometry_dofmap as compat_nodes
from spinfem.geometry import Layer, pillar
from spinfem.refine import refine

NM = 1e-9


def measures(dev) -> dict[str, float]:
    """Volume of every region and area of every named surface (exterior and interior)."""
    m, comm = dev.mesh, dev.comm
    one = fem.Constant(m, 1.0)
    out = {}
    for name, tag in dev.regions.items():
        form = fem.form(one * ufl.Measure("dx", m, subdomain_data=dev.cell_tags)(tag))
        out[name] = comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
    for name, tag in dev.boundaries.items():
        ds = ufl.Measure("ds", m, subdomain_data=dev.facet_tags)(tag)
        dS = ufl.Measure("dS", m, subdomain_data=dev.facet_tags)(tag)
        form = fem.form(one * ds + ufl.avg(one) * dS)
        out[name] = comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
    return out


def owned_count(dev, tags, dim: int, tag: int) -> int:
    imap = dev.mesh.topology.index_map(dim)
    return dev.comm.allreduce(int(np.count_nonzero(tags.find(tag) < imap.size_local)))


@pytest.mark.parametrize("dim", [2, 3])
def test_refine_keeps_every_region_and_surface(dim):
    layers = [
        Layer("Py", 5 * NM, elements=2),
        Layer("Cu", 10 * NM, elements=2),
        Layer("Co", 5 * NM, elements=2),
    ]
    dev = pillar(layers, width=40 * NM, dim=dim, lateral_size=20 * NM)
    k = 2 if dim == 2 else 1  # passes
    before = measures(dev)
    fine = refine(dev, k)
    after = measures(fine)
    assert measures(dev) == before  # the coarse device is left as it was
    assert set(after) == set(before) and {"Py|Cu", "Cu|Co", "top", "bottom"} <= set(after)
    for name, value in before.items():
        assert value > 0 and rel_err(after[name], value) < 1e-12, name
    assert fine.num_cells_global() == dev.num_cells_global() * 2 ** (dim * k)
    for name, tag in dev.boundaries.items():
        n0 = owned_count(dev, dev.facet_tags, dim - 1, tag)
        n1 = owned_count(fine, fine.facet_tags, dim - 1, fine.boundaries[name])
        assert n1 == n0 * 2 ** ((dim - 1) * k), name
    assert fine.mesh.topology.index_map(dim).num_ghosts == 0 or dev.comm.size > 1
    assert refine(dev, 0) is dev


@pytest.mark.parametrize("dim", [2, 3])
def test_refinement_keeps_the_cell_shapes(dim):
    """Regular refinement: the worst cell is as good after two passes as before (a
    triangle's children are similar to it, so are a tetrahedron's corner children; the
    inner ones, cut along the octahedron's shortest diagonal, do not degenerate).
    dolfinx's edge bisection (Plaza) took the 3D one from 0.59 to 0.18."""
    layers = [Layer("Py", 5 * NM, elements=2), Layer("Cu", 10 * NM, elements=3)]
    dev = pillar(layers, width=40 * NM, dim=dim, lateral_size=10 * NM)
    q0 = dev.comm.allreduce(rd.radius_ratio(dev).min(), op=MPI.MIN)
    fine = refine(dev, 2)
    q2 = fine.comm.allreduce(rd.radius_ratio(fine).min(), op=MPI.MIN)
    print(f"worst radius ratio {q0:.3f} -> {q2:.3f}")
    assert q2 > (0.999 if dim == 2 else 0.75) * q0, (q0, q2)


def test_refined_interface_law_converges_at_second_order():
    """A Co | Cu bar with an AR_b law at 2 elements per spin-diffusion length: the excess
    resistance-area's error falls ~4x per refinement, as on a finer gmsh mesh."""
    exact = rd.excess_ra_exact()
    errors = []
    dev = rd.coarse_bar()
    for _ in range(3):
        errors.append(rel_err(rd.excess_ra(dev), exact))
        dev = refine(dev)
    rates = [np.log2(a / b) for a, b in itertools.pairwise(errors)]
    print(f"excess RA errors {errors}, rates {rates}")
    assert errors[-1] < 1e-2 and all(1.7 < r < 2.3 for r in rates), (errors, rates)


@pytest.mark.parametrize("times", [-1, 1.5, True, "2"])
def test_bad_pass_count_is_refused(times):
    dev = rd.coarse_bar(dim=2)
    with pytest.raises(ValueError, match="'times' must be an integer >= 0"):
        refine(dev, times)


@pytest.mark.mpi
def test_refined_device_on_2_ranks(tmp_path):
    """Refined on 2 ranks (each rank splits its cells, which stay on it, then the mesh
    is rebuilt with shared-facet ghosts): the serial cell count and excess resistance-area
    to round-off, every cell's region (ghosts included) where it lies,
    since the children do not depend on the partition (equally long octahedron diagonals
    are told apart by direction, not by vertex number)."""
    one = run_script_json("refined_device.py", tmp_path, nprocs=1)
    two = run_script_json("refined_device.py", tmp_path, nprocs=2)
    assert two["cells"] == one["cells"]
    assert rel_err(two["excess_RA"], one["excess_RA"]) < 1e-9
    assert rel_err(two["quality_min"], one["quality_min"]) < 1e-12
    # ghost cells get their region from the rank that made them
    assert two["ghost_cells"] > 0 and two["regions_ok"] and one["regions_ok"]
    assert two["box_cells"] == one["box_cells"] == 20
    assert two["box_ends"] == one["box_ends"] == {"xmin": 1, "xmax": 1}


def test_refined_cells_stay_and_are_ghosted_to_their_facet_neighbours():
    """The refined mesh's partitioner: every cell stays on its rank, ghosted to the
    ranks of its dual-graph (facet) neighbours; rank 0 of 2 holds cells 0-2, rank 1 3-4."""
    from types import SimpleNamespace

    from spinfem.refine import _keep_partition

    comm = SimpleNamespace(rank=0, size=2, allgather=lambda n: [n, 2])
    graph = SimpleNamespace(
        offsets=np.array([0, 2, 3, 6]), array=np.array([1, 3, 0, 3, 4, 1], np.int64)
    )
    dest = _keep_partition(comm, 2, graph, True)
    links = [list(dest.links(i)) for i in range(3)]
    assert links == [[0, 1], [0], [0, 1]]
    dest = _keep_partition(comm, 2, graph, False)
    assert [list(dest.links(i)) for i in range(3)] == [[0], [0], [0]]
    with pytest.raises(ValueError, match="3 parts asked on 2 ranks"):
        _keep_partition(comm, 3, graph, True)


def test_refined_interval_box():
    """A 1D box (``[mesh] kind = "box"``, the M-m model's line profiles): cells x 2 per
    pass, nodes at the halved spacing, the end points keep their names."""
    from spinfem.mm import box_mesh

    dev = box_mesh((50.0,), (5,), length_unit=1e-9)
    fine = refine(dev, 2)
    assert fine.num_cells_global() == 20
    m = fine.mesh
    n = m.topology.index_map(1).size_local
    x = np.sort(m.geometry.x[compat_nodes(m)[:n]][:, :, 0].ravel())
    assert np.allclose(np.unique(x), np.linspace(0.0, 50.0, 21))
    after = measures(fine)
    assert after == pytest.approx(measures(dev), rel=1e-12)
    for name in ("xmin", "xmax"):
        assert owned_count(fine, fine.facet_tags, 0, fine.boundaries[name]) == 1


def test_quadrilateral_mesh_is_refused():
    """Regular refinement is written for simplices: a mesh of quadrilaterals is named."""
    from dolfinx import mesh as dmesh_mod

    from spinfem.mesh import DeviceMesh

    msh = dmesh_mod.create_unit_square(MPI.COMM_WORLD, 2, 2, dmesh_mod.CellType.quadrilateral)
    n = msh.topology.index_map(2).size_local + msh.topology.index_map(2).num_ghosts
    ctags = dmesh_mod.meshtags(msh, 2, np.arange(n, dtype=np.int32), np.ones(n, np.int32))
    ftags = dmesh_mod.meshtags(msh, 1, np.zeros(0, np.int32), np.zeros(0, np.int32))
    dev = DeviceMesh(msh, ctags, ftags, {"sq": 1}, {}, length_unit=1e-7)
    with pytest.raises(ValueError, match=r"simplices.*quadrilateral cells"):
        refine(dev)
