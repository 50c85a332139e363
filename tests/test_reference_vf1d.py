"""Tests of the independent 1D Valet-Fert reference (tests/reference/vf1d.py) itself."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from tests.reference.vf1d import (
    Interface1D,
    Layer1D,
    fn_junction_interface,
    fn_junction_transparent,
    interface_transfer_matrix,
    layer_transfer_matrix,
    sml_layer,
    solve_stack,
    stack_transfer_matrix,
)

NM = 1e-9
J0 = 1e11  # A/m^2

# Representative materials (sigma [S/m], P, l_sf [m]).
CO = dict(sigma=6.0e6, P=0.46, l_sf=59 * NM)
PY = dict(sigma=3.4e6, P=0.73, l_sf=5.5 * NM)
CU = dict(sigma=5.0e7, P=0.0, l_sf=500 * NM)
PT = dict(sigma=4.0e6, P=0.0, l_sf=1.5 * NM)
SC = dict(sigma=1.0e4, P=0.0, l_sf=1000 * NM)  # "semiconductor"-like N


def layer(mat: dict[str, float], t: float, P: float | None = None) -> Layer1D:
    return Layer1D(
        thickness=t, sigma=mat["sigma"], P=mat["P"] if P is None else P, l_sf=mat["l_sf"]
    )


def thick(mat: dict[str, float], n_lsf: float = 45.0, P: float | None = None) -> Layer1D:
    return layer(mat, n_lsf * mat["l_sf"], P)


def bulk_RA(layers: list[Layer1D]) -> float:
    return sum(lay.thickness / lay.sigma for lay in layers)


def approx(expected, rel: float = 1e-6, abs: float = 0.0):
    """pytest.approx WITHOUT its default absolute tolerance of 1e-12 (RA values are ~1e-15)."""
    return pytest.approx(expected, rel=rel, abs=abs)


# --------------------------------------------------------------------------------------------------
# Closed forms versus the finite-stack solver
# --------------------------------------------------------------------------------------------------
JUNCTIONS = [
    (CO, CU, None),
    (PY, CU, None),
    (CO, PT, None),
    (PY, SC, None),
    (CO, CU, -0.35),  # negative magnetization
    (CO, PY, None),  # F/F' junction, P_N != 0
]


@pytest.mark.parametrize(("fmat", "nmat", "pflip"), JUNCTIONS)
def test_transparent_closed_form_matches_stack(fmat, nmat, pflip):
    F, N = thick(fmat, 40.0, pflip), thick(nmat, 41.0)
    cf = fn_junction_transparent(F, N, J=J0)
    st = solve_stack([F, N], J=J0)
    muL, muR = st.mu_left_right(0)
    assert muL == approx(cf.mu_F0, rel=1e-6)
    assert muR == approx(cf.mu_N0, rel=1e-6)
    assert st.j_s_left_right(0)[0] / J0 == approx(cf.efficiency, rel=1e-6)
    assert st.RA - bulk_RA([F, N]) == approx(cf.excess_RA, rel=1e-6)
    # independent textbook forms, parameters written out again from the raw inputs
    rF = F.l_sf / (F.sigma * (1 - F.P**2))
    rN = N.l_sf / (N.sigma * (1 - N.P**2))
    if N.P == 0.0:
        assert cf.efficiency == approx(F.P * rF / (rF + rN), rel=1e-12)
        assert cf.excess_RA == approx(F.P**2 * rF * rN / (rF + rN), rel=1e-12)


@pytest.mark.parametrize(("fmat", "nmat", "pflip"), JUNCTIONS)
@pytest.mark.parametrize("gamma", [0.0, 0.55, -0.4])
@pytest.mark.parametrize("AR_b", [1e-16, 3e-15, 1e-12])
def test_interface_closed_form_matches_stack(fmat, nmat, pflip, gamma, AR_b):
    F, N = thick(fmat, 40.0, pflip), thick(nmat, 43.0)
    cf = fn_junction_interface(F, N, AR_b, gamma, J=J0)
    st = solve_stack([F, N], [Interface1D.from_ARb(AR_b, gamma)], J=J0)
    muL, muR = st.mu_left_right(0)
    assert muL == approx(cf.mu_F0, rel=1e-6)
    assert muR == approx(cf.mu_N0, rel=1e-6)
    assert st.j_s_left_right(0)[1] / J0 == approx(cf.efficiency, rel=1e-6)
    assert st.RA - bulk_RA([F, N]) == approx(cf.excess_RA, rel=1e-6)
    assert st.V_jump(0) == approx(-cf.V_F0, rel=1e-6)
    # the two algebraic forms of the excess RA agree
    assert cf.excess_RA == approx(cf.spin_coupled_RA + AR_b * (1 - gamma**2), rel=1e-10)
    # Fert-Jaffres form of the injection efficiency, written out from the raw parameters
    rF = F.l_sf / (F.sigma * (1 - F.P**2))
    rN = N.l_sf / (N.sigma * (1 - N.P**2))
    if N.P == 0.0:
        fj = (F.P * rF + gamma * AR_b) / (rF + rN + AR_b)
        assert cf.efficiency == approx(fj, rel=1e-12)


def test_interface_closed_form_tends_to_transparent():
    F, N = thick(CO), thick(CU)
    a = fn_junction_transparent(F, N)
    b = fn_junction_interface(F, N, 1e-24, 0.7)
    assert b.efficiency == approx(a.efficiency, rel=1e-6)
    assert b.excess_RA == approx(a.excess_RA, rel=1e-6)
    assert b.mu_F0 == approx(a.mu_F0, rel=1e-6)


def test_conductivity_mismatch_and_its_cure():
    """Known physics: F -> semiconductor injection ~ r_F/r_N << P; a tunnel barrier restores it."""
    F, N = thick(CO), thick(SC)
    eta0 = fn_junction_transparent(F, N).efficiency
    assert 0 < eta0 < 1e-2 * F.P
    eta_b = fn_junction_interface(F, N, 1e3 * N.r_spin, 0.5).efficiency
    assert eta_b == approx(0.5, rel=2e-3)


@pytest.mark.parametrize("AR_b", [None, 2e-15])
def test_closed_form_profiles_match_stack(AR_b):
    F, N = thick(PY, 40.0), thick(CU, 40.0)
    if AR_b is None:
        cf, iface = fn_junction_transparent(F, N, J=J0), None
    else:
        cf, iface = fn_junction_interface(F, N, AR_b, 0.3, J=J0), Interface1D.from_ARb(AR_b, 0.3)
    st = solve_stack([F, N], [iface], J=J0)
    x0 = F.thickness
    xs = np.concatenate([np.linspace(-8 * F.l_sf, 0.0, 41), np.linspace(0.0, 8 * N.l_sf, 41)])
    side = np.array(["left"] * 41 + ["right"] * 41)
    for s in ("left", "right"):
        sel = side == s
        m_ref = cf.mu(xs[sel], s)
        np.testing.assert_allclose(st.mu(x0 + xs[sel], s), m_ref, rtol=1e-6, atol=0)
        np.testing.assert_allclose(
            st.j_s(x0 + xs[sel], s), cf.j_s(xs[sel], s), rtol=1e-6, atol=1e-9 * J0
        )
        # V agrees up to the gauge constant
        dV = st.V(x0 + xs[sel], s) - cf.V(xs[sel], s)
        shift = st.V(x0, "right")[()] - cf.V(0.0, "right")[()]
        np.testing.assert_allclose(dV, shift, rtol=0, atol=1e-9 * abs(cf.excess_RA * J0))
    # far field: V approaches its asymptote, and the asymptotes' offset is the excess RA
    far = np.array([-30 * F.l_sf, 30 * N.l_sf])
    np.testing.assert_allclose(
        cf.V(far), cf.V_asymptote(far), rtol=0, atol=1e-9 * abs(cf.excess_RA * J0)
    )
    gap = cf.V_asymptote(0.0, "left")[()] - cf.V_asymptote(0.0, "right")[()]
    assert gap / J0 == approx(cf.excess_RA, rel=1e-12)


# --------------------------------------------------------------------------------------------------
# Exact limits and symmetries
# --------------------------------------------------------------------------------------------------
def test_unpolarized_stack_is_ohmic():
    layers = [
        layer(CU, 20 * NM),
        layer({**CO, "P": 0.0}, 7 * NM),
        layer(PT, 3 * NM),
        Layer1D(15 * NM, 1e6, 0.0, math.inf),
        layer(SC, 50 * NM),
    ]
    ifaces = [Interface1D.from_ARb(1e-15, 0.0), None, Interface1D(4e14, 4e14), None]
    st = solve_stack(layers, ifaces, J=J0)
    expected = bulk_RA(layers) + 1e-15 + 1.0 / 8e14
    assert approx(expected, rel=1e-13) == st.RA
    x = np.linspace(0.0, st.total_thickness, 2001)
    assert np.max(np.abs(st.mu(x))) == 0.0
    assert np.max(np.abs(st.j_s(x))) == 0.0
    # and with gamma != 0 the interface itself polarizes the current: RA changes
    ifaces[0] = Interface1D.from_ARb(1e-15, 0.5)
    assert approx(expected, rel=1e-6) != solve_stack(layers, ifaces).RA


def _demo_stack() -> tuple[list[Layer1D], list[Interface1D | None]]:
    layers = [
        layer(CU, 30 * NM),
        layer(CO, 12 * NM),
        layer(CU, 6 * NM),
        layer(PY, 4 * NM, P=-PY["P"]),
        layer(PT, 5 * NM),
        layer(CU, 25 * NM),
    ]
    ifaces = [
        Interface1D.from_ARb(0.5e-15, 0.7),
        Interface1D.from_ARb(0.3e-15, 0.6),
        None,
        Interface1D.from_ARb(0.7e-15, -0.2),
        Interface1D.from_ARb(0.2e-15, 0.0),
    ]
    return layers, ifaces


def test_reversed_stack_same_RA():
    layers, ifaces = _demo_stack()
    a = solve_stack(layers, ifaces, J=J0)
    b = solve_stack(layers[::-1], ifaces[::-1], J=J0)
    assert approx(a.RA, rel=1e-12) == b.RA
    L = a.total_thickness
    x = np.linspace(0.0, L, 997)
    # mirror image carries the current the other way: mu_rev(x) = -mu(L - x)
    np.testing.assert_allclose(
        b.mu(x), -a.mu(L - x, "left"), rtol=1e-9, atol=1e-12 * np.max(np.abs(a.mu(x)))
    )


def test_flipping_all_polarizations_keeps_RA():
    layers, ifaces = _demo_stack()
    a = solve_stack(layers, ifaces, J=J0)
    fl = [Layer1D(la.thickness, la.sigma, -la.P, la.l_sf) for la in layers]
    ff = [None if f is None else f.flipped() for f in ifaces]
    b = solve_stack(fl, ff, J=J0)
    assert approx(a.RA, rel=1e-12) == b.RA
    np.testing.assert_allclose(b.mu_ends, -a.mu_ends, rtol=1e-10, atol=0)
    np.testing.assert_allclose(b.js_ends, -a.js_ends, rtol=1e-10, atol=0)
    # with transparent / gamma = 0 interfaces flipping P alone is enough
    tr = [None] * (len(layers) - 1)
    assert approx(solve_stack(layers, tr).RA, rel=1e-12) == solve_stack(fl, tr).RA
    # ... but not with gamma != 0 (the test above is sensitive to the interface asymmetry)
    assert approx(a.RA, rel=1e-6) != solve_stack(fl, ifaces).RA


def test_linear_in_J():
    layers, ifaces = _demo_stack()
    a = solve_stack(layers, ifaces, J=1.0)
    b = solve_stack(layers, ifaces, J=-3.0e11)
    assert approx(a.RA, rel=1e-14) == b.RA
    np.testing.assert_allclose(b.mu_ends, -3.0e11 * a.mu_ends, rtol=1e-12)
    np.testing.assert_allclose(b.V_ends, -3.0e11 * a.V_ends, rtol=1e-12)
    assert b.V(0.0)[()] - b.V(b.total_thickness)[()] == approx(-3.0e11 * a.RA, rel=1e-12)


def test_no_spin_flip_is_two_channel_resistor_network():
    """l_sf = inf everywhere: two independent channels in parallel between the reservoirs."""
    layers = [
        Layer1D(10 * NM, 6e6, 0.4, math.inf),
        Layer1D(5 * NM, 5e7, 0.0, math.inf),
        Layer1D(8 * NM, 3e6, -0.6, math.inf),
    ]
    ifaces = [Interface1D(2e15, 5e14), Interface1D(1e15, 3e15)]
    R_up = sum(la.thickness / (la.sigma * (1 + la.P) / 2) for la in layers) + sum(
        1 / f.G_up for f in ifaces
    )
    R_dn = sum(la.thickness / (la.sigma * (1 - la.P) / 2) for la in layers) + sum(
        1 / f.G_dn for f in ifaces
    )
    st = solve_stack(layers, ifaces, J=J0)
    assert approx(R_up * R_dn / (R_up + R_dn), rel=1e-12) == st.RA
    assert st.j_s(5 * NM)[()] / J0 == approx((R_dn - R_up) / (R_up + R_dn), rel=1e-12)


def test_interface_laws_in_solution():
    layers, ifaces = _demo_stack()
    st = solve_stack(layers, ifaces, J=J0)
    for i, f in enumerate(ifaces):
        jsL, jsR = st.j_s_left_right(i)
        assert jsL == approx(jsR, rel=1e-12, abs=1e-12 * J0)
        edge = st.edges[i + 1]
        # point evaluation on both sides reproduces the stored end values
        assert st.mu(edge, "left")[()] == approx(st.mu_left_right(i)[0], rel=1e-12)
        assert st.mu(edge, "right")[()] == approx(st.mu_left_right(i)[1], rel=1e-12)
        assert st.j_s(edge, "left")[()] == approx(jsL, rel=1e-9, abs=1e-9 * J0)
        assert st.j_s(edge, "right")[()] == approx(jsR, rel=1e-9, abs=1e-9 * J0)
        if f is None:
            assert st.mu_jump(i) == approx(0.0, abs=1e-14 * np.max(np.abs(st.mu_ends)))
            assert st.V_jump(i) == approx(0.0, abs=1e-14 * st.RA * J0)
            continue
        # per channel: j_sigma = G_sigma (phi_sigma^L - phi_sigma^R)
        (pu_L,), (pd_L,) = st.phi_up_dn([edge], "left")
        (pu_R,), (pd_R,) = st.phi_up_dn([edge], "right")
        assert 0.5 * (J0 + jsL) == approx(f.G_up * (pu_L - pu_R), rel=1e-9)
        assert 0.5 * (J0 - jsL) == approx(f.G_dn * (pd_L - pd_R), rel=1e-9)
        # Valet-Fert form of the same laws
        assert st.mu_jump(i) == approx(2 * f.AR_b * (jsL - f.gamma * J0), rel=1e-9)
        assert st.V_jump(i) == approx(-f.AR_b * (J0 - f.gamma * jsL), rel=1e-9)
    np.testing.assert_allclose(st.mu_jumps, [st.mu_jump(i) for i in range(len(ifaces))])
    np.testing.assert_allclose(st.V_jumps, [st.V_jump(i) for i in range(len(ifaces))])
    # reservoirs
    assert st.mu(0.0)[()] == 0.0
    assert abs(st.mu(st.total_thickness)[()]) <= 1e-14 * np.max(np.abs(st.mu_ends))


def test_from_ARb_roundtrip():
    f = Interface1D.from_ARb(2e-15, 0.4)
    assert f.AR_b == approx(2e-15, rel=1e-14)
    assert f.gamma == approx(0.4, rel=1e-14)
    assert f.G_up > f.G_dn
    assert f.RA_equilibrium == approx(2e-15 * (1 - 0.4**2), rel=1e-14)


# --------------------------------------------------------------------------------------------------
# Spin-memory-loss layer
# --------------------------------------------------------------------------------------------------
def test_sml_layer_vanishes_for_small_delta_and_large_sigma():
    F, N1, N2 = layer(CO, 15 * NM), layer(CU, 10 * NM), layer(PT, 8 * NM)
    base = solve_stack([F, N1, N2], J=J0)
    sml = sml_layer(0.5 * NM, 1e14, 1e-9)
    assert sml.l_sf == approx(0.5 * NM / 1e-9)
    st = solve_stack([F, N1, sml, N2], J=J0)
    assert approx(base.RA, rel=1e-8) == st.RA
    # compare the profiles away from the (shifted) thin layer
    mu_scale = np.max(np.abs(base.mu_ends))
    x_left = np.linspace(0.0, 25 * NM, 51)
    x_right = np.linspace(25 * NM, 33 * NM, 51)
    np.testing.assert_allclose(st.mu(x_left, "left"), base.mu(x_left, "left"), atol=1e-7 * mu_scale)
    np.testing.assert_allclose(
        st.mu(x_right + 0.5 * NM), base.mu(x_right), rtol=0, atol=1e-7 * mu_scale
    )
    np.testing.assert_allclose(
        st.j_s(x_right + 0.5 * NM), base.j_s(x_right), rtol=0, atol=1e-7 * J0
    )
    # spin current across the thin layer is continuous in this limit ...
    js_in, js_out = st.js_ends[2]
    assert js_out == approx(js_in, rel=1e-7)
    # ... and not for a finite delta: the loss equals the spin flip inside the layer
    st2 = solve_stack([F, N1, sml_layer(0.5 * NM, 2e6, 0.8), N2], J=J0)
    js_in2, js_out2 = st2.js_ends[2]
    assert abs(js_out2 - js_in2) > 1e-2 * abs(js_in2)
    lay = st2.layers[2]
    xi = np.linspace(0.0, lay.thickness, 4001)
    flip = lay.sigma * (1 - lay.P**2) / (2 * lay.l_sf**2) * st2.mu(st2.edges[2] + xi)
    integral = float(np.sum(0.5 * (flip[1:] + flip[:-1]) * np.diff(xi)))
    assert js_out2 - js_in2 == approx(integral, rel=1e-6)
    # spin current is continuous everywhere else (inside layers and across transparent edges)
    for e in st2.edges[1:-1]:
        assert st2.j_s(e, "left")[()] == approx(st2.j_s(e, "right")[()], rel=1e-9)


@pytest.mark.parametrize("delta", [0.05, 0.5, 1.0, 2.5])
def test_sml_layer_eta_of_MODEL(delta):
    """MODEL.md s.2: eta = mu_out/mu_in = 1/(cosh d + (g lambda_I/sigma_I) sinh d), with g the
    conductance of the absorbing medium behind the layer normalised so j_s = (g/2) mu_s."""
    sigma_I, t_I = 1.0e6, 1.0 * NM
    N2 = thick(PT, 60.0)
    g = N2.sigma / N2.l_sf  # semi-infinite N: j_s = sigma mu/(2 l) = (g/2) mu
    st = solve_stack([layer(CO, 20 * NM), layer(CU, 5 * NM), sml_layer(t_I, sigma_I, delta), N2])
    m_in, m_out = st.mu_ends[2]
    lam = t_I / delta
    eta = 1.0 / (math.cosh(delta) + g * lam / sigma_I * math.sinh(delta))
    assert m_out / m_in == approx(eta, rel=1e-9)


# --------------------------------------------------------------------------------------------------
# F/N/F spin valve
# --------------------------------------------------------------------------------------------------
def _spin_valve(l_N: float, antiparallel: bool, t_N: float = 10 * NM) -> float:
    F1 = layer(CO, 20 * NM)
    F2 = layer(CO, 20 * NM, P=-CO["P"] if antiparallel else CO["P"])
    N = Layer1D(t_N, CU["sigma"], 0.0, l_N)
    g = 0.6
    i1 = Interface1D.from_ARb(0.5e-15, g)
    i2 = Interface1D.from_ARb(0.5e-15, -g if antiparallel else g)
    return solve_stack([layer(CU, 50 * NM), F1, N, F2, layer(CU, 50 * NM)],
                       [None, i1, i2, None]).RA  # fmt: skip


def test_spin_valve_AP_above_P_and_vanishes_with_short_lsf():
    dRA = []
    for l_N in [1000 * NM, 100 * NM, 10 * NM, 2 * NM, 1 * NM, 0.5 * NM]:
        rp, rap = _spin_valve(l_N, False), _spin_valve(l_N, True)
        assert rap > rp
        dRA.append(rap - rp)
    assert all(a > b for a, b in itertools.pairwise(dRA))
    assert dRA[-1] < 1e-7 * dRA[0]
    # l_N -> 0: N fully depolarizes, Delta RA ~ exp(-t_N/l_N) drops below rounding
    d_last = _spin_valve(0.1 * NM, True) - _spin_valve(0.1 * NM, False)
    assert abs(d_last) <= 1e-12 * dRA[0]
    # and no GMR when P = gamma = 0
    F = layer({**CO, "P": 0.0}, 20 * NM)
    N = layer(CU, 10 * NM)
    assert approx(bulk_RA([F, N, F]), rel=1e-13) == solve_stack([F, N, F]).RA


# --------------------------------------------------------------------------------------------------
# The returned profiles satisfy the ODEs
# --------------------------------------------------------------------------------------------------
def test_profiles_satisfy_drift_diffusion_equations():
    layers, ifaces = _demo_stack()
    st = solve_stack(layers, ifaces, J=J0)
    for k, la in enumerate(st.layers):
        lam = la.l_sf
        h = min(1e-3 * lam, 0.05 * la.thickness)
        x = st.edges[k] + np.linspace(0.1, 0.9, 17) * la.thickness
        mu = st.mu(x)
        mup, mum = st.mu(x + h), st.mu(x - h)
        Vp, Vm = st.V(x + h), st.V(x - h)
        dmu = (mup - mum) / (2 * h)
        d2mu = (mup - 2 * mu + mum) / h**2
        dV = (Vp - Vm) / (2 * h)
        scale = np.max(np.abs(st.mu_ends[k])) / lam**2
        np.testing.assert_allclose(d2mu, mu / lam**2, rtol=0, atol=1e-6 * scale)
        jc = -la.sigma * dV + 0.5 * la.sigma * la.P * dmu
        np.testing.assert_allclose(jc, J0, rtol=1e-6)
        js_fd = -la.sigma * la.P * dV + 0.5 * la.sigma * dmu
        js = st.j_s(x)
        np.testing.assert_allclose(js, js_fd, rtol=0, atol=1e-6 * J0)
        djs = (st.j_s(x + h) - st.j_s(x - h)) / (2 * h)
        np.testing.assert_allclose(
            djs, la.sigma * (1 - la.P**2) / (2 * lam**2) * mu, rtol=0, atol=1e-6 * scale * la.sigma
        )


# --------------------------------------------------------------------------------------------------
# Multiple shooting versus the plain product of transfer matrices (short stacks only)
# --------------------------------------------------------------------------------------------------
def test_end_states_obey_transfer_matrices_and_single_shooting():
    layers, ifaces = _demo_stack()
    st = solve_stack(layers, ifaces, J=J0)
    for k, la in enumerate(layers):
        M, c = layer_transfer_matrix(la)
        s0 = np.array([st.mu_ends[k, 0], st.js_ends[k, 0]])
        st_ = np.array([st.mu_ends[k, 1], st.js_ends[k, 1]])
        np.testing.assert_allclose(M @ s0 + c * J0, st_, rtol=1e-9, atol=1e-9 * np.abs(st_).max())
        if k > 0:
            Mi, ci = interface_transfer_matrix(ifaces[k - 1])
            sl = np.array([st.mu_ends[k - 1, 1], st.js_ends[k - 1, 1]])
            np.testing.assert_allclose(Mi @ sl + ci * J0, s0, rtol=1e-9, atol=1e-9 * abs(s0).max())
    # single shooting: mu(L) = M00 mu(0) + M01 js(0) + c0 J = 0 with mu(0) = 0
    M, c = stack_transfer_matrix(layers, ifaces)
    js0 = -c[0] * J0 / M[0, 1]
    assert js0 == approx(st.js_ends[0, 0], rel=1e-9)


def test_input_validation():
    with pytest.raises(ValueError):
        Layer1D(1e-9, 1e6, 1.0, 1e-9)
    with pytest.raises(ValueError):
        Layer1D(-1e-9, 1e6, 0.0, 1e-9)
    with pytest.raises(ValueError):
        Interface1D.from_ARb(1e-15, 1.0)
    with pytest.raises(ValueError):
        solve_stack([layer(CU, 1e-9), layer(CU, 1e-9)], [None, None])
    st = solve_stack([layer(CU, 1e-9)])
    with pytest.raises(ValueError):
        st.mu(2e-9)
