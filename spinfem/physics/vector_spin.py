"""Non-collinear (vector) spin drift-diffusion, MODEL.md section 3.

Unknown u = (V, mu_x, mu_y, mu_z) in one blocked P1 space of shape (4,): electric
potential V [V] and the spin-accumulation vector mu [eV, numerically V]; test functions
w = (v, q_x, q_y, q_z). Spatial vectors are always 3-vectors (a 2D mesh lies in the x-y
plane, fields do not vary along z), so the Levi-Civita couplings of the spin Hall effect
are the same in 2D and 3D. With unit magnetization m, polarization P, spin Hall angle
theta (eps = Levi-Civita, E = -grad V):

    j_c,i  = -sigma d_i V + (sigma P/2) m_a d_i mu_a + theta (sigma/2) eps_iak d_k mu_a
    j_s,ai = -sigma P m_a d_i V + (sigma/2) d_i mu_a + theta sigma eps_iak E_k
    div j_c = 0
    d_i j_s,ai = 2 g_sf mu_a + (sigma/2)[(mu x m)_a / lambda_J^2
                 + (m x (mu x m))_a / lambda_phi^2] + (sigma/2)(tau_sf/l_sf^2)(omega_L x mu)_a

with g_sf = sigma (1 - P^2)/(4 l_sf^2) and the Larmor vector omega_L = gamma_e B,
gamma_e = g_e mu_B/hbar with the CODATA sign g_e = -2.00231930436 (electron moment
opposite to its spin). In terms of Omega = |g_e| mu_B B/hbar the last term reads
-(sigma/2)(tau_sf/l_sf^2)(Omega x mu): mu precesses right-handed about B,
d mu/dt = Omega x mu (docs/theory.md, "Non-collinear model and sign conventions").

Weak form (multiply the spin equation by q/2, integrate by parts):

    a(u, w) = int( -j_c . grad v + (1/2) j_s,a . grad q_a + g_sf mu . q
                   + (sigma/(4 lambda_J^2)) (mu x m) . q
                   + (sigma/(4 lambda_phi^2)) (m x (mu x m)) . q
                   + (sigma tau_sf/(4 l_sf^2)) (mu x Omega) . q ) dx
            = -oint j_c.n v + (1/2) oint j_s,a.n q_a

The transport/spin-flip/dephasing part is symmetric; the spin Hall couplings of V and mu
are antisymmetric (Casimir-Onsager: mu is odd under time reversal), exchange and
Larmor precession are antisymmetric in mu: the operator is non-symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ufl

from spinfem.physics.scale import Scale

__all__ = [
    "VectorCoefficients",
    "bilinear_form",
    "currents",
    "dephasing",
    "exchange",
    "grad3",
    "larmor",
    "spin_flip",
    "transport",
]

#: Levi-Civita symbol as (i, a, k, sign) tuples
_EPS = ((0, 1, 2, 1), (1, 2, 0, 1), (2, 0, 1, 1), (0, 2, 1, -1), (2, 1, 0, -1), (1, 0, 2, -1))


@dataclass(frozen=True, eq=False)
class VectorCoefficients:
    """Material fields of the vector model (DG0 unless noted).

    Attributes:
        sigma: conductivity [S/m].
        sigma_p: sigma*P [S/m] (the direction is carried by ``m``).
        g_sf: spin-flip conductance per volume sigma (1-P^2)/(4 l_sf^2) [S/m^3].
        m: unit magnetization, a vector DG0 field [1] ((0, 0, 1) outside magnets).
        exchange: sigma/(4 lambda_J^2) [S/m^3] (0: none).
        dephasing: sigma/(4 lambda_phi^2) [S/m^3] (0: none).
        larmor: sigma tau_sf/(4 l_sf^2) [S s/m^3] (0: none).
        omega: Larmor vector Omega = |g_e| mu_B B/hbar [rad/s], a Constant 3-vector.
        theta_sigma: theta_SH * sigma [S/m].
    """

    sigma: Any
    sigma_p: Any
    g_sf: Any
    m: Any
    exchange: Any
    dephasing: Any
    larmor: Any
    omega: Any
    theta_sigma: Any


def grad3(f: Any, s: Scale) -> Any:
    """SI gradient as a 3-vector [unit of f per metre] (z-component 0 on a 2D mesh)."""
    g = s.grad(f)
    if g.ufl_shape[0] == 3:
        return g
    return ufl.as_vector([g[0], g[1], 0])


def _mu(u: Any) -> Any:
    return ufl.as_vector([u[1], u[2], u[3]])


def currents(u: Any, c: VectorCoefficients, s: Scale) -> tuple[Any, Any]:
    """(j_c, j_s) [A/m^2]: j_c a 3-vector, j_s a 3x3 tensor j_s[a, i] (spin a, flow i)."""
    gv = grad3(u[0], s)
    gmu = [grad3(u[1 + a], s) for a in range(3)]
    m = c.m
    j_c = [
        -c.sigma * gv[i] + 0.5 * c.sigma_p * sum(m[a] * gmu[a][i] for a in range(3))
        for i in range(3)
    ]
    j_s = [
        [-c.sigma_p * m[a] * gv[i] + 0.5 * c.sigma * gmu[a][i] for i in range(3)] for a in range(3)
    ]
    for i, a, k, sgn in _EPS:
        j_c[i] = j_c[i] + sgn * 0.5 * c.theta_sigma * gmu[a][k]
        j_s[a][i] = j_s[a][i] - sgn * c.theta_sigma * gv[k]
    return ufl.as_vector(j_c), ufl.as_matrix(j_s)


def transport(u: Any, w: Any, c: VectorCoefficients, s: Scale, dx: Any) -> Any:
    """int(-j_c . grad v + (1/2) j_s,a . grad q_a) dx, spin Hall couplings included."""
    j_c, j_s = currents(u, c, s)
    gq = [grad3(w[1 + a], s) for a in range(3)]
    form = -ufl.inner(j_c, grad3(w[0], s)) + 0.5 * sum(
        ufl.inner(j_s[a, :], gq[a]) for a in range(3)
    )
    return form * s.volume * dx


def spin_flip(u: Any, w: Any, c: VectorCoefficients, s: Scale, dx: Any) -> Any:
    """Isotropic spin relaxation int(g_sf mu . q) dx."""
    return c.g_sf * ufl.inner(_mu(u), _mu(w)) * s.volume * dx


def exchange(u: Any, w: Any, c: VectorCoefficients, s: Scale, dx: Any) -> Any:
    """Exchange precession int(sigma/(4 lambda_J^2) (mu x m) . q) dx."""
    return c.exchange * ufl.inner(ufl.cross(_mu(u), c.m), _mu(w)) * s.volume * dx


def dephasing(u: Any, w: Any, c: VectorCoefficients, s: Scale, dx: Any) -> Any:
    """Transverse dephasing int(sigma/(4 lambda_phi^2) (m x (mu x m)) . q) dx."""
    mu = _mu(u)
    perp = ufl.cross(c.m, ufl.cross(mu, c.m))
    return c.dephasing * ufl.inner(perp, _mu(w)) * s.volume * dx


def larmor(u: Any, w: Any, c: VectorCoefficients, s: Scale, dx: Any) -> Any:
    """Larmor precession (Hanle) int(sigma tau_sf/(4 l_sf^2) (mu x Omega) . q) dx."""
    return c.larmor * ufl.inner(ufl.cross(_mu(u), c.omega), _mu(w)) * s.volume * dx


def bilinear_form(
    u: Any, w: Any, c: VectorCoefficients, s: Scale, dx: Any, terms: frozenset[str]
) -> Any:
    """The vector operator on one block: the sum of the requested terms
    (``transport`` and ``spin_flip`` always; ``exchange``, ``dephasing``, ``larmor``
    when some region needs them, so the collinear limit compiles the same operator)."""
    form = transport(u, w, c, s, dx) + spin_flip(u, w, c, s, dx)
    for name, term in (("exchange", exchange), ("dephasing", dephasing), ("larmor", larmor)):
        if name in terms:
            form = form + term(u, w, c, s, dx)
    return form
