"""Exact Valet-Fert CPP-GMR of F/N/F pillars against the independent 1D transfer matrix.

Finite l_sf in every layer, spin-equilibrated reservoirs at both ends (the ``bottom``
and ``top`` contacts). The pillars are 3D (circular and rectangular) and a 2D
cross-section; RA_P, RA_AP and Delta RA must agree within 0.5 %.
"""

from __future__ import annotations

import pytest
from stacks import CO_CU_CO

from conftest import rel_err
from reference.vf1d import Layer1D, solve_stack
from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
Cu, Ag, Co, Py, CoFe = library.Cu, library.Ag, library.Co, library.Py, library.CoFe

STACKS = {
    # name: (layers [(region, material, thickness)], free layer, geometry kwargs)
    "Co/Cu/Co-disk": (
        list(CO_CU_CO),
        "F2",
        {"radius": 40 * NM},
    ),
    "Py/Cu/Py-rect": (
        [
            ("lead1", Cu, 30 * NM),
            ("F1", Py, 12 * NM),
            ("N", Cu, 20 * NM),
            ("F2", Py, 6 * NM),
            ("lead2", Cu, 15 * NM),
        ],
        "F2",
        {"width": 60 * NM, "depth": 30 * NM},
    ),
    "CoFe/Ag/Co-2D": (
        [("F1", CoFe, 8 * NM), ("N", Ag, 15 * NM), ("F2", Co, 40 * NM), ("lead", Ag, 25 * NM)],
        "F1",
        {"width": 50 * NM, "dim": 2},
    ),
}


def reference_ra(layers, flipped: str | None) -> float:
    return solve_stack(
        [Layer1D(t, m.sigma, (-m.P if name == flipped else m.P), m.l_sf) for name, m, t in layers]
    ).RA


@pytest.mark.parametrize("stack", list(STACKS))
def test_cpp_gmr_against_transfer_matrix(stack):
    layers, free, geom = STACKS[stack]
    mats = {name: m for name, m, _ in layers}
    device = pillar([Layer(n, t) for n, _, t in layers], materials=mats, **geom)
    contacts = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
    ra = {}
    for state, mag in (("P", {}), ("AP", {free: -1})):
        sol = TwoCurrentProblem(device, mats, contacts, magnetization=mag).solve()
        top, bottom = sol.contact("top"), sol.contact("bottom")
        assert abs(top.current_A + bottom.current_A) < 1e-10 * abs(top.current_A)
        ra[state] = sol.resistance_area("top", "bottom")
    ref = {"P": reference_ra(layers, None), "AP": reference_ra(layers, free)}
    print(stack, {k: (ra[k], ref[k]) for k in ra})
    assert ref["AP"] > ref["P"]
    assert rel_err(ra["P"], ref["P"]) < 5e-3
    assert rel_err(ra["AP"], ref["AP"]) < 5e-3
    assert rel_err(ra["AP"] - ra["P"], ref["AP"] - ref["P"]) < 5e-3


def test_current_driven_contact_matches_voltage_driven():
    layers, _free, geom = STACKS["Co/Cu/Co-disk"]
    mats = {name: m for name, m, _ in layers}
    device = pillar([Layer(n, t) for n, _, t in layers], materials=mats, **geom)
    by_v = TwoCurrentProblem(
        device, mats, [Contact("top", voltage=2e-3), Contact("bottom", voltage=0.0)]
    ).solve()
    current = 1e-3
    by_i = TwoCurrentProblem(
        device, mats, [Contact("top", current=current), Contact("bottom", voltage=0.0)]
    ).solve()
    top = by_i.contact("top")
    assert rel_err(top.current_A, current) < 1e-12
    assert rel_err(by_i.resistance(), by_v.resistance()) < 1e-10
    assert rel_err(top.voltage_V, current * by_v.resistance()) < 1e-10
    # the fields are linear in the drive: compare by coordinates
    pts = [[0, 0, 25e-9], [10e-9, 5e-9, 42e-9]]
    ratio = top.voltage_V / 2e-3
    for name in ("V", "mu_s"):
        a, b = by_i.probe(name, pts), by_v.probe(name, pts)
        assert max(abs(a - ratio * b)) <= 1e-10 * max(abs(b))


def test_three_terminal_conductance_matrix_is_symmetric():
    """Onsager reciprocity of the collinear operator: G_ij = G_ji with three contacts."""
    import gmsh
    from mpi4py import MPI

    from spinfem.geometry.gmsh_session import gmsh_session
    from spinfem.mesh import from_gmsh_model

    comm = MPI.COMM_WORLD
    with gmsh_session(comm):
        if comm.rank == 0:
            occ = gmsh.model.occ
            gmsh.model.add("tee")
            a = occ.addRectangle(0, 0, 0, 300, 40)  # F bar along x, nm
            b = occ.addRectangle(130, 40, 0, 40, 200)  # N arm up
            _out, _ = occ.fragment([(2, a)], [(2, b)])
            occ.synchronize()
            gmsh.model.addPhysicalGroup(2, [a], name="F")
            gmsh.model.addPhysicalGroup(2, [b], name="N")
            left = [
                c for _, c in gmsh.model.getEntities(1) if abs(occ.getCenterOfMass(1, c)[0]) < 1e-6
            ]
            right = [
                c
                for _, c in gmsh.model.getEntities(1)
                if abs(occ.getCenterOfMass(1, c)[0] - 300) < 1e-6
            ]
            top = [
                c
                for _, c in gmsh.model.getEntities(1)
                if abs(occ.getCenterOfMass(1, c)[1] - 240) < 1e-6
            ]
            for name, tags in (("left", left), ("right", right), ("arm", top)):
                gmsh.model.addPhysicalGroup(1, tags, name=name)
            gmsh.option.setNumber("Mesh.MeshSizeMax", 6)
            gmsh.model.mesh.generate(2)
        device = from_gmsh_model(length_unit=NM, comm=comm, depth=20 * NM)
    mats = {"F": Py, "N": Cu}
    sol = TwoCurrentProblem(
        device,
        mats,
        [Contact("left", voltage=1e-3), Contact("right", voltage=0.0), Contact("arm", voltage=0.0)],
    ).solve()
    G = sol.conductance_S
    assert abs(G - G.T).max() < 1e-9 * abs(G).max()
    assert abs(G.sum(axis=0)).max() < 1e-9 * abs(G).max()
