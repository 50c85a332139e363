"""Contact and boundary-condition faults: a floating region or device, touching (shorted)
contacts, a current-driven part without a voltage reference (catalogue:
docs/robustness.md). Each is refused before any solve, with the culprit named."""

from __future__ import annotations

import gmsh
import numpy as np
import pytest
from dolfinx import mesh as mesh_mod
from fault_helpers import NM, boxes, gmsh_model, message
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.errors import ContactError
from spinfem.mesh import DeviceMesh, from_gmsh_model
from spinfem.problem import TwoCurrentProblem

THREE = [("A", 0.0, 10.0), ("B", 10.0, 20.0), ("C", 30.0, 40.0)]  # C stands apart


@pytest.fixture(scope="module")
def islands() -> DeviceMesh:
    """Boxes A|B touching, C separate (10 nm gap): C is not connected to anything."""
    with gmsh_model("islands") as model:
        boxes(model, THREE, size=5.0)
        return from_gmsh_model(model, length_unit=NM)


@pytest.fixture(scope="module")
def pair() -> DeviceMesh:
    with gmsh_model("pair") as model:
        boxes(model, [("A", 0.0, 10.0), ("B", 10.0, 20.0)], size=5.0)
        return from_gmsh_model(model, length_unit=NM)


MATS3 = {"A": library.Cu, "B": library.Co, "C": library.Cu}


def test_floating_region_is_named(islands):
    contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(islands, MATS3, contacts)
    msg = message(info, "['C']", "floating", "'left'", "'right'")
    assert "'A'" not in msg and "'B'" not in msg


def test_region_with_current_contact_only_is_floating(islands):
    """C carries a current contact but no voltage reference: its potential is undefined."""
    contacts = [
        Contact("left", voltage=1e-3),
        Contact("right", voltage=0.0),
        Contact("c_face", current=1e-6),
    ]
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(islands, MATS3, contacts)
    message(info, "['C']", "voltage contact")


def test_connected_device_with_both_islands_contacted_is_accepted(islands):
    """Negative control: a voltage contact on C too makes every region grounded."""
    contacts = [
        Contact("left", voltage=1e-3),
        Contact("right", voltage=0.0),
        Contact("c_face", voltage=0.0),
    ]
    sol = TwoCurrentProblem(islands, MATS3, contacts).solve()
    assert sol.contact("c_face").current_A == pytest.approx(0.0, abs=1e-12 * 1e-3)
    assert abs(sol.contact("left").current_A) > 0


@pytest.fixture(scope="module")
def split_region() -> DeviceMesh:
    """Region A made of two boxes, x in [0, 10] (touching B in [10, 20]) and x in [30, 40]
    (touching nothing): one piece of A floats although A as a region is connected."""
    with gmsh_model("split") as model:
        occ = model.occ
        a1 = occ.addBox(0, 0, 0, 10, 10, 10)
        b = occ.addBox(10, 0, 0, 10, 10, 10)
        a2 = occ.addBox(30, 0, 0, 10, 10, 10)
        occ.fragment([(3, a1)], [(3, b), (3, a2)])
        occ.synchronize()
        model.addPhysicalGroup(3, [a1, a2], name="A")
        model.addPhysicalGroup(3, [b], name="B")
        for name, x in (("left", 0.0), ("right", 20.0)):
            ents = model.getEntitiesInBoundingBox(x - 0.1, -0.1, -0.1, x + 0.1, 10.1, 10.1, 2)
            model.addPhysicalGroup(2, [t for _, t in ents], name=name)
        gmsh.option.setNumber("Mesh.MeshSizeMax", 5.0)
        model.mesh.generate(3)
        return from_gmsh_model(model, length_unit=NM)


def test_floating_piece_of_a_region_is_named_with_its_cell_count(split_region):
    """The region graph (A touches B) cannot see this: the cell graph does. Without the
    check the solve 'succeeds' with arbitrary fields in the floating piece."""
    dm = split_region
    tdim = dm.tdim
    nown = dm.mesh.topology.index_map(tdim).size_local
    cells = dm.cells("A")
    cells = cells[cells < nown]
    mid = mesh_mod.compute_midpoints(dm.mesh, tdim, cells)
    far = MPI.COMM_WORLD.allreduce(int(np.count_nonzero(mid[:, 0] > 25.0)))
    total = MPI.COMM_WORLD.allreduce(int(cells.size))
    mats = {"A": library.Cu, "B": library.Co}
    contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(dm, mats, contacts)
    msg = message(info, "['A']", f"'A' ({far} cells of {total})", "floating")
    assert "'B'" not in msg.split("float")[0].split("through")[1]
    assert 0 < far < total


def test_contacts_sharing_an_edge_are_shorted(pair):
    """'left' (x = 0) and 'front_A' (y = 0 of box A) meet along an edge: no shared facet,
    but the edge's vertices would get two different voltages."""
    mats = {"A": library.Cu, "B": library.Cu}
    contacts = [Contact("left", voltage=1e-3), Contact("front_A", voltage=0.0)]
    with pytest.raises(ContactError) as info:
        TwoCurrentProblem(pair, mats, contacts)
    msg = message(info, "'left'", "'front_A'", "shorted")
    n = int(msg.split("(")[1].split()[0])
    assert n >= 2  # at least the two end points of the shared edge


def test_separate_contacts_are_accepted(pair):
    mats = {"A": library.Cu, "B": library.Cu}
    TwoCurrentProblem(pair, mats, [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)])
