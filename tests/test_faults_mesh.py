"""Mesh faults: a mesh in the wrong length unit, degenerate and inverted cells, and a mesh
much coarser than the spin-diffusion length (catalogue: docs/robustness.md)."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import mesh as dmesh_mod
from fault_helpers import NM, boxes, coarse_py_cu, gmsh_model, message, spinfem_warnings
from mpi4py import MPI

from spinfem import checks, library
from spinfem.contacts import Contact
from spinfem.errors import MeshError
from spinfem.geometry import Layer, pillar
from spinfem.mesh import DeviceMesh, from_gmsh_model, validate
from spinfem.problem import TwoCurrentProblem

TWO = [("A", 0.0, 10.0), ("B", 10.0, 20.0)]


# ------------------------------------------------------------------ length unit / scale
@pytest.mark.parametrize(("unit", "metres"), [(1.0, "20 m"), (1e-12, "2e-11 m")])
def test_mesh_in_wrong_length_unit_is_an_error(unit, metres):
    """A 20-unit device drawn in nm but declared in metres (20 m) or in pm (0.02 nm)."""
    with gmsh_model("unit") as model:
        boxes(model, TWO, size=10.0)
        with pytest.raises(MeshError) as info:
            from_gmsh_model(model, length_unit=unit)
    message(info, "'length_unit'", metres, repr(unit))


def test_mesh_in_mm_gives_a_warning():
    """Drawn in nm, declared in mm: 20 mm is possible but suspicious -> warning, no error."""
    with gmsh_model("unit_mm") as model, spinfem_warnings() as warned:
        boxes(model, TWO, size=10.0)
        dm = from_gmsh_model(model, length_unit=1e-3)
    assert dm.length_unit == 1e-3
    assert len(warned) == 1 and "'length_unit'" in warned[0] and "0.02 m" in warned[0], warned


def test_device_in_nm_has_no_scale_warning():
    with gmsh_model("unit_nm") as model, spinfem_warnings() as warned:
        boxes(model, TWO, size=10.0)
        from_gmsh_model(model, length_unit=NM)
    assert warned == []


# ------------------------------------------------------------------ degenerate / inverted
@pytest.fixture
def stack2d() -> DeviceMesh:
    layers = [Layer("a", 5 * NM), Layer("b", 5 * NM), Layer("c", 5 * NM)]
    return pillar(layers, width=10 * NM, dim=2)


def collapse_above(dm: DeviceMesh, y: float) -> None:
    """Squash every node above height ``y`` [nm] onto it: cells above become flat."""
    x = dm.mesh.geometry.x
    x[:, 1] = np.minimum(x[:, 1], y)


def test_valid_mesh_passes_cell_checks(stack2d):
    validate(stack2d)  # no error: the negative control of the two tests below
    det, _ = checks.cell_jacobians(stack2d, np.arange(4, dtype=np.int32))
    assert np.all(np.abs(det) > 0)


def test_degenerate_cells_are_counted_per_region(stack2d):
    collapse_above(stack2d, 12.0)  # inside region c (10-15 nm)
    with pytest.raises(MeshError) as info:
        validate(stack2d)
    msg = message(info, "region 'c'", "degenerate", "Jacobian")
    assert "region 'a'" not in msg and "region 'b'" not in msg
    n = int(msg.split("region 'c': ")[1].split()[0])
    tdim = stack2d.tdim
    nc = stack2d.mesh.topology.index_map(tdim).size_local
    cells = stack2d.cells("c")
    assert 0 < n <= MPI.COMM_WORLD.allreduce(int(np.count_nonzero(cells < nc)))


def unit_square_quads(n: int = 4) -> DeviceMesh:
    msh = dmesh_mod.create_unit_square(MPI.COMM_WORLD, n, n, dmesh_mod.CellType.quadrilateral)
    tdim = msh.topology.dim
    msh.topology.create_connectivity(tdim - 1, tdim)
    ncells = msh.topology.index_map(tdim).size_local + msh.topology.index_map(tdim).num_ghosts
    cells = np.arange(ncells, dtype=np.int32)
    ctags = dmesh_mod.meshtags(msh, tdim, cells, np.ones(ncells, dtype=np.int32))
    ftags = dmesh_mod.meshtags(msh, tdim - 1, np.zeros(0, np.int32), np.zeros(0, np.int32))
    return DeviceMesh(msh, ctags, ftags, {"sq": 1}, {}, length_unit=1e-7)


def test_inverted_quadrilateral_is_an_error():
    dm = unit_square_quads()
    validate(dm)  # the untouched mesh is fine
    x = dm.mesh.geometry.x
    node = np.flatnonzero(np.isclose(x[:, 0], 0.25) & np.isclose(x[:, 1], 0.25))
    x[node, :2] = [0.55, 0.55]  # beyond the opposite corner of its upper-right cell
    with pytest.raises(MeshError) as info:
        validate(dm)
    msg = message(info, "region 'sq'", "inverted")
    assert "0 degenerate" in msg


# ------------------------------------------------------------------ resolution vs l_sf
def test_mesh_coarser_than_l_sf_warns_with_region_and_sizes():
    """One 60 nm element across a Py layer whose l_sf is 5.5 nm."""
    dm, mats = coarse_py_cu()
    with spinfem_warnings() as warned:
        TwoCurrentProblem(dm, mats, [Contact("top", voltage=1e-3), Contact("bottom", voltage=0)])
    assert len(warned) == 1, warned
    msg = warned[0]
    for part in ("region 'F'", "l_sf = 5.5 nm", "nm thick"):
        assert part in msg, msg
    h = float(msg.split("elements up to ")[1].split(" nm")[0])
    assert 11.0 < h <= 60.0  # the thinnest direction of the coarsest element, in nm


def test_resolved_mesh_has_no_warning():
    mats = {"F": library.Py, "N": library.Cu}
    dm = pillar([Layer("F", 20 * NM), Layer("N", 60 * NM)], width=40 * NM, dim=2, materials=mats)
    with spinfem_warnings() as warned:
        TwoCurrentProblem(dm, mats, [Contact("top", voltage=1e-3), Contact("bottom", voltage=0)])
    assert warned == []
