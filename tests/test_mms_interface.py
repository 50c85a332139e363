"""Manufactured solution with a prescribed jump across a resistive interface (MODEL.md 1-2).

What is verified: spinfem's two-block system (``build_layout`` + ``BlockSystem``: bulk
operator per block on submeshes, interface Robin term int_Gamma W^T Y U dS of the law's
admittance, SI scaling with the 2D depth) converges at the optimal L2 rate 2, on EACH side
and for each field, to smooth exact fields (V, mu_s) that are different on the two sides,
so both V and mu_s jump at the interface. Two laws: ``SpinConductance`` (G_up != G_dn) and
``SpinMemoryLoss`` (delta = 1, gamma != 0).

Device: a 2D square of side 100 nm (x in [-50, 50] nm, y in [0, 100] nm) split at y = 50 nm
into region L (below, P != 0) and region R (above, another material, P != 0), joined by
the law; the exact solution is imposed on the outer boundary of each block.

Sources are derived HERE from MODEL.md's strong form, independently of spinfem:

    j_c = -sigma grad V + (sigma P/2) grad mu_s,   j_s = -sigma P grad V + (sigma/2) grad mu_s
    div j_c = 0,   div j_s = 2 g_sf mu_s,   g_sf = sigma (1 - P^2)/(4 l_sf^2)

On each block B, with n_B its outward normal, integrating by parts

    a_B(u, w) = int_B( -j_c . grad v + 1/2 j_s . grad q + g_sf mu_s q )
              = int_B( f_v v + f_q q ) + oint_dB( -j_c.n_B v + 1/2 j_s.n_B q ),
    f_v = div j_c,   f_q = -1/2 div j_s + g_sf mu_s.

At Gamma, n_L = n (from L to R) and n_R = -n, so the exact fields satisfy

    a_L(u_L, w_L) + a_R(u_R, w_R) = int f.w + int_Gamma W^T (-F),
    F = ( j_c^L.n, -1/2 j_s^L.n,  -j_c^R.n, +1/2 j_s^R.n )  tested with (v_L, q_L, v_R, q_R),

(on a physical solution F = Y U, which is the law). The discrete problem
a(u, w) + int_Gamma W^T Y U = int f.w + int_Gamma W^T (Y U_exact - F_exact) therefore has the
manufactured fields as its exact solution. Mesh coordinates are in nm; X = x / 100 nm.

Negative controls build the interface source with the sign of the Y U_exact term, or of
the F_exact term, flipped and check that the error then stalls on both sides, so the
assertions can fail.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from spinfem import compat
from spinfem.fields import piecewise_constant
from spinfem.geometry.stack import Layer, pillar
from spinfem.interfaces import InterfaceLaw, SpinConductance, SpinMemoryLoss
from spinfem.layout import build_layout
from spinfem.physics import two_current
from spinfem.physics.scale import Scale
from spinfem.solvers import LinearSolver, SolverSettings
from spinfem.system import BlockSystem

NM = 1e-9  # mesh coordinate unit [m]
SIDE = 100.0  # square side [nm]; X = x / SIDE in the exact fields
Y0 = 50.0  # interface height [nm]
DEPTH = 40e-9  # out-of-plane depth of the 2D model [m] (scales volume and area alike)
V0 = 1.0e-3  # [V]
MU0 = 2.0e-3  # [eV] (numerically V)

# Materials (sigma [S/m], P [1], l_sf [m]): different on the two sides, P != 0 on both.
MATERIALS = {"L": (5.0e6, 0.5, 40e-9), "R": (2.0e7, -0.3, 80e-9)}

# Interface laws: admittances ~1e14 S/m^2, comparable with the bulk sigma/L ~ 1e14 S/m^2,
# so the interface terms weigh as much as the bulk ones.
LAWS: dict[str, InterfaceLaw] = {
    "spin-conductance": SpinConductance(G_up=2.0e14, G_dn=5.0e13),
    "spin-memory-loss": SpinMemoryLoss(delta=1.0, AR_I=1.0e-14, gamma=0.4),
}

Q_ERR = 8  # quadrature degree of the error integrals
Q_RHS = 6  # quadrature degree of the source integrals


def g_sf(region: str) -> float:
    sigma, pol, l_sf = MATERIALS[region]
    return sigma * (1.0 - pol**2) / (4.0 * l_sf**2)  # [S/m^3]


# ------------------------------------------------------------------------------ exact fields
# Written once for numpy (boundary data) and UFL (sources, errors), of the mesh coordinate
# x [nm]; `m` is the math module (numpy or ufl). Different shapes and levels on each side.
def v_exact(region: str, x: Any, m: Any) -> Any:
    """V [V] on one side."""
    X, Y = x[0] / SIDE, x[1] / SIDE
    if region == "L":
        return V0 * m.sin(math.pi * (X + 0.25)) * m.cos(0.5 * math.pi * Y)
    return V0 * (0.3 + 0.5 * m.cos(0.8 * math.pi * X) * m.exp(-0.5 * Y))


def mu_exact(region: str, x: Any, m: Any) -> Any:
    """mu_s [eV] on one side."""
    X, Y = x[0] / SIDE, x[1] / SIDE
    if region == "L":
        return MU0 * m.cos(0.5 * math.pi * X + 0.3) * m.exp(-0.7 * Y)
    return MU0 * (-0.4 + m.sin(0.5 * math.pi * Y + 0.6 * X))


def grad_si(f: Any) -> Any:
    """SI gradient of a UFL expression of the mesh coordinate (x_SI = NM x)."""
    return ufl.grad(f) / NM


def exact_fluxes(region: str, x: Any) -> tuple[Any, Any, Any, Any]:
    """(V, mu_s, j_c, j_s) of the exact field of one side, from MODEL.md section 1."""
    sigma, pol, _ = MATERIALS[region]
    V, mu = v_exact(region, x, ufl), mu_exact(region, x, ufl)
    j_c = -sigma * grad_si(V) + 0.5 * sigma * pol * grad_si(mu)
    j_s = -sigma * pol * grad_si(V) + 0.5 * sigma * grad_si(mu)
    return V, mu, j_c, j_s


def bulk_sources(region: str, x: Any) -> tuple[Any, Any]:
    """(f_v, f_q) [A/m^3]: f_v = div j_c, f_q = -1/2 div j_s + g_sf mu_s."""
    _, mu, j_c, j_s = exact_fluxes(region, x)
    f_v = ufl.div(j_c) / NM
    f_q = -0.5 * ufl.div(j_s) / NM + g_sf(region) * mu
    return f_v, f_q


# ------------------------------------------------------------------------------ one solve
def make_device(n: int) -> Any:
    """The split square with n elements per side (structured: extruded layers)."""
    layers = [Layer("L", Y0 * NM, elements=n // 2), Layer("R", (SIDE - Y0) * NM, elements=n // 2)]
    return pillar(layers, width=SIDE * NM, depth=DEPTH, dim=2, lateral_size=SIDE * NM / n)


def outer_bc(space: Any, region: str) -> Any:
    """Exact (V, mu_s) on the outer boundary of one block's submesh (not on Gamma)."""
    sub = space.mesh
    fdim = sub.topology.dim - 1
    sub.topology.create_connectivity(fdim, fdim + 1)
    tol = 1e-6 * SIDE
    y_end = 0.0 if region == "L" else SIDE

    def outer(x: np.ndarray) -> np.ndarray:
        return np.isclose(np.abs(x[0]), SIDE / 2, atol=tol) | np.isclose(x[1], y_end, atol=tol)

    facets = mesh.locate_entities_boundary(sub, fdim, outer)
    u_bc = fem.Function(space)
    u_bc.interpolate(lambda x: np.vstack([v_exact(region, x, np), mu_exact(region, x, np)]))
    return fem.dirichletbc(u_bc, fem.locate_dofs_topological(space, fdim, facets))


def l2(expr: Any, domain: Any, measure: Any, entity_maps: Any = None) -> float:
    """sqrt(int expr^2) in mesh units (nm^d), summed over ranks."""
    form = fem.form(expr**2 * measure, entity_maps=entity_maps)
    return math.sqrt(domain.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))


def solve_mms(
    law: InterfaceLaw, n: int, y_sign: float = 1.0, f_sign: float = 1.0
) -> dict[str, Any]:
    """Solve on an n x n mesh. Returns the L2 errors of V and mu_s on each side (RMS over
    the side [V], [eV]), the relative L2 error of the jumps on Gamma, and #unknowns.
    ``y_sign``/``f_sign`` scale the Y U_exact / F_exact parts of the interface source
    (1 = correct; other values are negative controls)."""
    dmesh = make_device(n)
    layout = build_layout(dmesh, {"L|R": law})
    assert len(layout.blocks) == 2 and len(layout.interfaces) == 1
    itf = layout.interfaces[0]
    assert (itf.left, itf.right) == ("L", "R")
    side_of_block = {itf.left_block: "L", itf.right_block: "R"}

    coeffs = two_current.Coefficients(
        sigma=piecewise_constant(dmesh, {r: v[0] for r, v in MATERIALS.items()}, "sigma"),
        sigma_p=piecewise_constant(dmesh, {r: v[0] * v[1] for r, v in MATERIALS.items()}, "sP"),
        g_sf=piecewise_constant(dmesh, {r: g_sf(r) for r in MATERIALS}, "g_sf"),
    )
    system = BlockSystem(layout, coeffs, Scale.of(dmesh))
    emaps = layout.entity_maps()

    # Right-hand side on the parent mesh: bulk sources on each block and interface sources.
    parent = dmesh.mesh
    x = ufl.SpatialCoordinate(parent)
    nrm = ufl.FacetNormal(parent)("+")  # from "+" (L) to "-" (R)
    vol, area = NM**2 * DEPTH, NM * DEPTH  # SI measures of a unit cell / facet [m^3], [m^2]
    VL, muL, jcL, jsL = exact_fluxes("L", x)
    VR, muR, jcR, jsR = exact_fluxes("R", x)
    U = ufl.as_vector([VL("+"), muL("+"), VR("-"), muR("-")])
    F = ufl.as_vector(
        [
            ufl.dot(jcL("+"), nrm),
            -0.5 * ufl.dot(jsL("+"), nrm),
            -ufl.dot(jcR("-"), nrm),
            0.5 * ufl.dot(jsR("-"), nrm),
        ]
    )
    Y = ufl.as_matrix(law.admittance().tolist())
    g_itf = y_sign * ufl.dot(Y, U) - f_sign * F  # [A/m^2], tested with (v_L, q_L, v_R, q_R)
    dS = layout.dS()(itf.tag, metadata={"quadrature_degree": Q_RHS})
    forms = []
    for b, space in enumerate(system.spaces):
        region = side_of_block[b]
        w = ufl.TestFunction(space)
        f_v, f_q = bulk_sources(region, x)
        dx_b = layout.dx(b)(metadata={"quadrature_degree": Q_RHS})
        rhs = (f_v * w[0] + f_q * w[1]) * vol * dx_b
        if region == "L":
            rhs += (g_itf[0] * w[0]("+") + g_itf[1] * w[1]("+")) * area * dS
        else:
            rhs += (g_itf[2] * w[0]("-") + g_itf[3] * w[1]("-")) * area * dS
        forms.append(fem.form(rhs, entity_maps=emaps))

    bcs = [outer_bc(space, side_of_block[b]) for b, space in enumerate(system.spaces)]
    A = system.matrix(bcs)
    rhs_vec = compat.assemble_block_vector(forms, system.a, bcs)
    sol = A.createVecRight()
    solver = LinearSolver(A, SolverSettings(), symmetric=True)
    solver.solve(rhs_vec, sol, what="MMS interface")
    solver.destroy()
    funcs = system.split(sol)
    ndofs = system.num_unknowns
    for obj in (A, rhs_vec, sol):
        obj.destroy()

    out: dict[str, Any] = {"ndofs": ndofs}
    for b, uh in enumerate(funcs):
        region = side_of_block[b]
        sub = uh.function_space.mesh
        xs = ufl.SpatialCoordinate(sub)
        dx_e = ufl.dx(domain=sub, metadata={"quadrature_degree": Q_ERR})
        area_b = SIDE * (Y0 if region == "L" else SIDE - Y0)
        out[f"V_{region}"] = l2(uh[0] - v_exact(region, xs, ufl), sub, dx_e) / math.sqrt(area_b)
        out[f"mu_{region}"] = l2(uh[1] - mu_exact(region, xs, ufl), sub, dx_e) / math.sqrt(area_b)

    # Jumps [x] = x_R - x_L on Gamma: discrete against exact, relative L2 on Gamma.
    uL, uR = funcs[itf.left_block], funcs[itf.right_block]
    dS_e = layout.dS()(itf.tag, metadata={"quadrature_degree": Q_ERR})
    for k, name in enumerate(("V", "mu")):
        exact_jump = (VR("-"), muR("-"))[k] - (VL("+"), muL("+"))[k]
        err = l2(uR[k]("-") - uL[k]("+") - exact_jump, parent, dS_e, emaps)
        out[f"jump_{name}"] = err / l2(exact_jump, parent, dS_e, emaps)
    return out


def fitted_rate(hs: list[float], errs: list[float]) -> float:
    """Least-squares slope of log(err) against log(h)."""
    slope, _ = np.polyfit(np.log(hs), np.log(errs), 1)
    return float(slope)


KEYS = ("V_L", "mu_L", "V_R", "mu_R")
UNITS = {"V": "V", "mu": "eV"}


def convergence(
    label: str, law: InterfaceLaw, ns: list[int], y_sign: float = 1.0, f_sign: float = 1.0
) -> tuple[dict[str, list[float]], dict[str, float], dict[str, Any]]:
    """Relative errors per side and field on meshes ``ns``, their rates, the finest result."""
    rms = {}
    msh = mesh.create_rectangle(
        MPI.COMM_SELF, [[-SIDE / 2, 0.0], [SIDE / 2, SIDE]], [16, 16], mesh.CellType.triangle
    )
    xs = ufl.SpatialCoordinate(msh)
    for region, (y_lo, y_hi) in (("L", (0.0, Y0)), ("R", (Y0, SIDE))):
        chi = ufl.conditional(ufl.And(ufl.ge(xs[1], y_lo), ufl.le(xs[1], y_hi)), 1.0, 0.0)
        dx_e = ufl.dx(metadata={"quadrature_degree": Q_ERR})
        for name, f in (("V", v_exact), ("mu", mu_exact)):
            rms[f"{name}_{region}"] = l2(chi * f(region, xs, ufl), msh, dx_e) / math.sqrt(
                SIDE * (y_hi - y_lo)
            )
    tag = f"[mms-interface {label}]"
    hs: list[float] = []
    errs: dict[str, list[float]] = {k: [] for k in KEYS}
    last: dict[str, Any] = {}
    t0 = time.perf_counter()
    for n in ns:
        last = solve_mms(law, n, y_sign, f_sign)
        hs.append(SIDE / n)
        row = []
        for k in KEYS:
            rel = last[k] / rms[k]
            errs[k].append(rel)
            row.append(f"{k} {last[k]:.3e} {UNITS[k.split('_')[0]]} ({rel:.2e})")
        print(f"\n{tag} N={n:3d} dofs={last['ndofs']:6d}  " + "  ".join(row), end="")
    rates = {k: fitted_rate(hs, errs[k]) for k in KEYS}
    print(
        f"\n{tag} L2 rates: "
        + ", ".join(f"{k} {r:.3f}" for k, r in rates.items())
        + f"; finest jump rel. errors V {last['jump_V']:.2e}, mu_s {last['jump_mu']:.2e}"
        + f"  ({time.perf_counter() - t0:.1f} s)"
    )
    return errs, rates, last


# ------------------------------------------------------------------------------ tests
@pytest.mark.parametrize("label", list(LAWS))
def test_mms_interface_rate2(label: str) -> None:
    errs, rates, finest = convergence(label, LAWS[label], [8, 16, 32, 64])
    for k in KEYS:
        e = errs[k]
        assert all(e1 < e0 for e0, e1 in itertools.pairwise(e)), (
            f"{label}: {k} L2 error not monotonically decreasing: {e}"
        )
        # A wrong sign or factor in the interface terms leaves an O(1) stalled error.
        assert e[-1] < 1e-2, f"{label}: {k} finest relative L2 error {e[-1]:.3e}"
        assert 1.8 <= rates[k] <= 2.2, f"{label}: {k} L2 rate {rates[k]:.3f} not in [1.8, 2.2]"
    # The discrete jumps at Gamma approximate the exact (prescribed) jumps.
    assert finest["jump_V"] < 1e-3, f"{label}: V jump relative L2 error {finest['jump_V']:.3e}"
    assert finest["jump_mu"] < 1e-3, f"{label}: mu_s jump relative error {finest['jump_mu']:.3e}"


@pytest.mark.parametrize(
    ("label", "y_sign", "f_sign"), [("wrong-Y-sign", -1.0, 1.0), ("wrong-flux-sign", 1.0, -1.0)]
)
def test_mms_interface_negative_control(label: str, y_sign: float, f_sign: float) -> None:
    """An interface source with the sign of the law's coupling Y U_exact flipped, or with
    the sign of the exact boundary fluxes F_exact flipped, must not converge to the
    manufactured fields on either side: the error stalls, so the assertions can fail."""
    law = LAWS["spin-conductance"]
    errs, rates, finest = convergence(label, law, [8, 16, 32], y_sign=y_sign, f_sign=f_sign)
    for k in KEYS:
        assert rates[k] < 1.0, (k, rates[k], errs[k])
        assert errs[k][-1] > 1e-2, (k, errs[k])
    assert finest["jump_V"] > 1e-2 or finest["jump_mu"] > 1e-2, finest
