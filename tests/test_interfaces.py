"""Resistive interfaces (MODEL.md section 2): exact CPP-GMR with AR_b* and gamma, the
transparent limit, orientation, conservation and bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import ufl
from dolfinx import fem
from mpi4py import MPI
from stacks import CO_CU_CO

from conftest import rel_err
from reference.vf1d import Interface1D, Layer1D, solve_stack
from spinfem import library
from spinfem.contacts import Contact
from spinfem.errors import InputError
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance, SpinMemoryLoss, Transparent, TunnelBarrier
from spinfem.layout import build_layout
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
Cu, Ag, Co, Py, CoFe = library.Cu, library.Ag, library.Co, library.Py, library.CoFe
CONTACTS = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]

# Co/Cu interface AR* = 0.51 fOhm m^2, gamma = 0.77 (Bass & Pratt 2007 review values)
CO_CU = (0.51e-15, 0.77)
STACKS = {
    # layers, free layer, geometry, {interface: (AR_b, gamma)} (others transparent)
    "Co/Cu/Co all resistive, disk": (
        list(CO_CU_CO),
        "F2",
        {"radius": 40 * NM},
        {"lead1|F1": CO_CU, "F1|N": CO_CU, "N|F2": CO_CU, "F2|lead2": CO_CU},
    ),
    "Py/Ag/Py spacer-only, rect": (
        [
            ("lead1", Ag, 30 * NM),
            ("F1", Py, 12 * NM),
            ("N", Ag, 20 * NM),
            ("F2", Py, 6 * NM),
            ("lead2", Ag, 15 * NM),
        ],
        "F2",
        {"width": 60 * NM, "depth": 30 * NM},
        {"F1|N": (0.25e-15, 0.5), "N|F2": (0.25e-15, 0.5)},
    ),
    "CoFe/Cu/Co mixed, 2D": (
        [("F1", CoFe, 8 * NM), ("N", Cu, 15 * NM), ("F2", Co, 40 * NM), ("lead", Cu, 25 * NM)],
        "F1",
        {"width": 50 * NM, "dim": 2},
        {"F1|N": (1.0e-15, -0.3), "N|F2": CO_CU},
    ),
}


def _reference(layers, flipped, ifaces):
    sign = {name: (-1 if name == flipped else 1) for name, _, _ in layers}
    l1d = [Layer1D(t, m.sigma, sign[n] * m.P, m.l_sf) for n, m, t in layers]
    i1d = []
    for (na, ma, _), (nb, _, _) in itertools.pairwise(layers):
        law = ifaces.get(f"{na}|{nb}")
        if law is None:
            i1d.append(None)
            continue
        ar, gamma = law
        ferro = na if ma.P != 0 else nb  # laws follow the adjacent ferromagnet
        i1d.append(Interface1D.from_ARb(ar, sign[ferro] * gamma))
    return solve_stack(l1d, i1d).RA


@pytest.mark.parametrize("stack", list(STACKS))
def test_cpp_gmr_with_interface_resistances(stack):
    layers, free, geom, iface = STACKS[stack]
    mats = {n: m for n, m, _ in layers}
    device = pillar([Layer(n, t) for n, _, t in layers], materials=mats, **geom)
    laws = {k: SpinConductance.from_ARb(*v) for k, v in iface.items()}
    ra = {}
    for state, mag in (("P", {}), ("AP", {free: -1})):
        sol = TwoCurrentProblem(device, mats, CONTACTS, mag, interfaces=laws).solve()
        ra[state] = sol.resistance_area("top", "bottom")
        top = sol.contact("top")
        for name, itf in sol.interfaces.items():  # series stack: the same current everywhere
            assert rel_err(abs(itf["current_A"]), abs(top.current_A)) < 1e-9, name
            bulk = itf["from_bulk"]
            for side in ("current_from_left_A", "current_from_right_A"):
                assert rel_err(bulk[side], itf["current_A"]) < 1e-8, (name, side)
            assert rel_err(bulk["spin_current_from_left_A"], itf["spin_current_from_left_A"]) < 1e-7
            assert rel_err(itf["spin_current_into_right_A"], itf["spin_current_from_left_A"]) < 1e-9
            assert abs(itf["spin_current_loss_A"]) < 1e-9 * abs(itf["spin_current_from_left_A"])
            assert itf["resistance_area_ohm_m2"] > 0
    ref = {"P": _reference(layers, None, iface), "AP": _reference(layers, free, iface)}
    print(stack, ra, ref)
    for state in ("P", "AP"):
        assert rel_err(ra[state], ref[state]) < 5e-3
    assert rel_err(ra["AP"] - ra["P"], ref["AP"] - ref["P"]) < 5e-3


def test_large_conductance_reproduces_transparent():
    layers = [("lead", Cu, 20 * NM), ("F", Co, 10 * NM), ("N", Cu, 30 * NM)]
    mats = {n: m for n, m, _ in layers}
    device = pillar([Layer(n, t) for n, _, t in layers], width=30 * NM, dim=2, materials=mats)
    transparent = TwoCurrentProblem(device, mats, CONTACTS).solve()
    huge = SpinConductance(G_up=1e22, G_dn=5e21)
    stiff = TwoCurrentProblem(device, mats, CONTACTS, default_interface=huge).solve()
    assert len(stiff.layout.blocks) == 3 and len(transparent.layout.blocks) == 1
    assert rel_err(stiff.resistance_area(), transparent.resistance_area()) < 1e-5
    pts = [[3.1 * NM, y * NM] for y in (5.3, 24.7, 41.1, 58.9)]
    for field in ("V", "mu_s"):
        a, b = stiff.probe(field, pts), transparent.probe(field, pts)
        assert np.max(np.abs(a - b)) < 1e-4 * np.max(np.abs(b)), field


def test_orientation_plus_side_is_left_region_and_normal_points_left_to_right():
    layers = [Layer("A", 10 * NM), Layer("B", 10 * NM), Layer("C", 10 * NM)]
    device = pillar(layers, width=20 * NM, depth=20 * NM)
    laws = {"A|B": SpinConductance(1e15, 1e15), "C|B": SpinConductance(1e15, 1e15)}
    layout = build_layout(device, laws)
    names = {i.name: i for i in layout.interfaces}
    assert set(names) == {"A|B", "C|B"}
    assert (names["A|B"].left, names["A|B"].right) == ("A", "B")
    assert (names["C|B"].left, names["C|B"].right) == ("C", "B")  # key order wins
    regions = device.cell_tags
    for itf in layout.interfaces:
        left_cells = regions.find(device.regions[itf.left])
        assert np.all(np.isin(itf.data[:, 0], left_cells))
        assert not np.any(np.isin(itf.data[:, 2], left_cells))
        # n('+') points from L to R: along +z for A|B (A below), along -z for C|B
        n = ufl.FacetNormal(device.mesh)
        flux = fem.form(n("+")[2] * layout.dS()(itf.tag))
        nz = device.comm.allreduce(fem.assemble_scalar(flux), op=MPI.SUM)
        area = device.comm.allreduce(
            fem.assemble_scalar(fem.form(fem.Constant(device.mesh, 1.0) * layout.dS()(itf.tag))),
            op=MPI.SUM,
        )
        assert area > 0
        assert nz == pytest.approx(area if itf.name == "A|B" else -area, rel=1e-12)


def test_swapping_the_key_flips_the_reported_jump():
    layers = [("F", Co, 15 * NM), ("N", Cu, 30 * NM)]
    mats = {n: m for n, m, _ in layers}
    device = pillar([Layer(n, t) for n, _, t in layers], width=20 * NM, dim=2, materials=mats)
    law = SpinConductance.from_ARb(0.5e-15, 0.4)
    a = TwoCurrentProblem(device, mats, CONTACTS, interfaces={"F|N": law}).solve()
    b = TwoCurrentProblem(device, mats, CONTACTS, interfaces={"N|F": law}).solve()
    ia, ib = a.interfaces["F|N"], b.interfaces["N|F"]
    assert rel_err(a.resistance_area(), b.resistance_area()) < 1e-12
    assert rel_err(ia["jump_V_V"], -ib["jump_V_V"]) < 1e-10
    assert rel_err(ia["jump_mu_s_eV"], -ib["jump_mu_s_eV"]) < 1e-10
    assert rel_err(ia["current_A"], -ib["current_A"]) < 1e-10
    # the charge current flows from top (1 mV) to bottom: from N to F, i.e. R -> L for F|N
    assert ia["current_A"] < 0 and ia["jump_V_V"] > 0


def test_mtj_tmr_from_barrier_laws():
    """An MTJ pillar: the barrier's own G_up/G_dn per state; RA and TMR are what the
    barrier dictates in the low-current, thick-barrier limit (Julliere-like input)."""
    layers = [("F1", CoFe, 10 * NM), ("F2", CoFe, 5 * NM)]
    mats = {n: m for n, m, _ in layers}
    device = pillar([Layer(n, t) for n, _, t in layers], radius=30 * NM, materials=mats)
    ra_b, pol = 1e-12, 0.5  # 1 Ohm um^2 barrier
    parallel = TunnelBarrier.from_RA(ra_b, pol)
    anti = TunnelBarrier.from_RA(ra_b * (1 + pol**2) / (1 - pol**2), 0.0)
    rp = TwoCurrentProblem(device, mats, CONTACTS, interfaces={"F1|F2": parallel}).solve()
    rap = TwoCurrentProblem(device, mats, CONTACTS, {"F2": -1}, interfaces={"F1|F2": anti}).solve()
    tmr = rap.resistance_area() / rp.resistance_area() - 1
    julliere = 2 * pol**2 / (1 - pol**2)
    assert rel_err(tmr, julliere) < 1e-2  # the metal adds ~1e-4 of the barrier RA


@pytest.mark.parametrize(
    ("laws", "default", "match"),
    [
        ({"top": SpinConductance(1e15, 1e15)}, None, "not an interface between"),
        ({"side": SpinConductance(1e15, 1e15)}, None, "not an interface between"),
        ({"a|c": SpinConductance(1e15, 1e15)}, None, "unknown region 'c'"),
        ({"a|bb": SpinConductance(1e15, 1e15)}, None, "did you mean 'b'"),
        ({"barier": SpinConductance(1e15, 1e15)}, None, "unknown interface 'barier'"),
        ({"a|b": SpinConductance(1e15, 1e15)}, Transparent(), "joined by a transparent path"),
        ({"a|b": "resistive"}, None, "expected an interface law"),
    ],
)
def test_bad_interface_input(laws, default, match):
    device = pillar(
        [Layer("a", 10 * NM), Layer("b", 10 * NM), Layer("a", 10 * NM)], width=20 * NM, dim=2
    )
    with pytest.raises(InputError, match=match):
        build_layout(device, laws, default)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SpinConductance(0.0, 1e15), "'G_up' \\[S/m\\^2\\]"),
        (lambda: SpinConductance(1e15, -1.0), "'G_dn' \\[S/m\\^2\\]"),
        (lambda: SpinConductance.from_ARb(-1e-15, 0.5), "'AR_b' \\[Ohm m\\^2\\]"),
        (lambda: SpinConductance.from_ARb(1e-15, 1.0), "'gamma'"),
        (lambda: SpinMemoryLoss(delta=-0.1, AR_I=1e-15), "'delta' \\[1\\]"),
        (lambda: SpinMemoryLoss(delta=0.5), "give 'AR_I'"),
        (lambda: SpinMemoryLoss(delta=0.5, AR_I=1e-15, t_I=1e-9, sigma_I=1e6), "not both"),
        (lambda: SpinMemoryLoss(delta=0.5, t_I=-1e-9, sigma_I=1e6), "'t_I' \\[m\\]"),
        (lambda: TunnelBarrier.from_RA(0.0, 0.3), "'RA' \\[Ohm m\\^2\\]"),
    ],
)
def test_bad_law_parameters(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_sml_two_port_is_symmetric_and_reduces_to_g_law():
    for delta in (0.0, 0.7, 3.0):
        Y = SpinMemoryLoss(delta=delta, AR_I=2e-15, gamma=0.3).admittance()
        assert np.allclose(Y, Y.T, rtol=0, atol=1e-12 * abs(Y).max())
        assert np.all(np.linalg.eigvalsh(Y) > -1e-9 * abs(Y).max())
    g = SpinConductance(G_up=1.3 / 4e-15, G_dn=0.7 / 4e-15).admittance()
    s = SpinMemoryLoss(delta=0.0, AR_I=2e-15, gamma=0.3).admittance()
    assert np.allclose(g, s, rtol=1e-12, atol=0)
