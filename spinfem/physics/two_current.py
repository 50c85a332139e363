"""Collinear two-current (Valet-Fert) drift-diffusion, MODEL.md section 1.

Unknown u = (V, mu_s) in one blocked P1 space of shape (2,): electric potential V [V]
and spin accumulation mu_s [eV, numerically V]; test functions w = (v, q).

    j_c = -sigma grad V + (sigma P/2) grad mu_s                 [A/m^2]
    j_s = -sigma P grad V + (sigma/2) grad mu_s                 [A/m^2]
    div j_c = 0,   div j_s = 2 g_sf mu_s,   g_sf = sigma (1-P^2)/(4 l_sf^2)  [S/m^3]

Weak form (multiply by v and q/2, integrate by parts):

    a(u, w) = int( -j_c . grad v + (1/2) j_s . grad q + g_sf mu_s q ) dx
            = -oint j_c.n v + (1/2) oint j_s.n q

This is the channel form sum_s sigma_s grad phi_s . grad w_s + g_sf (phi_up - phi_dn)
(w_up - w_dn) with phi_up,dn = V -/+ mu_s/2, written in (V, mu_s): symmetric, and
positive definite once a contact fixes V and mu_s (det = sigma^2 (1-P^2)/4 > 0).
The signed polarization sigma*P*m (m = +/-1 along the quantisation axis) is a DG0
field, so one compiled form serves every device and magnetic configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ufl

from spinfem.physics.scale import Scale

__all__ = ["Coefficients", "bilinear_form", "currents", "spin_flip", "transport"]


@dataclass(frozen=True, eq=False)
class Coefficients:
    """Piecewise-constant (DG0) material fields.

    Attributes:
        sigma: conductivity [S/m].
        sigma_p: signed sigma*P*m [S/m] (m = +/-1 per ferromagnet).
        g_sf: spin-flip conductance per volume sigma (1-P^2)/(4 l_sf^2) [S/m^3].
    """

    sigma: Any
    sigma_p: Any
    g_sf: Any


def currents(u: Any, c: Coefficients, s: Scale) -> tuple[Any, Any]:
    """(j_c, j_s) [A/m^2] as UFL expressions of u = (V, mu_s)."""
    grad_v, grad_mu = s.grad(u[0]), s.grad(u[1])
    j_c = -c.sigma * grad_v + 0.5 * c.sigma_p * grad_mu
    j_s = -c.sigma_p * grad_v + 0.5 * c.sigma * grad_mu
    return j_c, j_s


def transport(u: Any, w: Any, c: Coefficients, s: Scale, dx: Any) -> Any:
    """Drift-diffusion term int(-j_c . grad v + j_s . grad q / 2) dx [W/V^2 * V^2 = A V]."""
    j_c, j_s = currents(u, c, s)
    return (-ufl.inner(j_c, s.grad(w[0])) + 0.5 * ufl.inner(j_s, s.grad(w[1]))) * s.volume * dx


def spin_flip(u: Any, w: Any, c: Coefficients, s: Scale, dx: Any) -> Any:
    """Spin relaxation int(g_sf mu_s q) dx."""
    return c.g_sf * u[1] * w[1] * s.volume * dx


def bilinear_form(u: Any, w: Any, c: Coefficients, s: Scale, dx: Any) -> Any:
    """The collinear operator: the sum of its terms."""
    return transport(u, w, c, s, dx) + spin_flip(u, w, c, s, dx)
