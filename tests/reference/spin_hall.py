"""Closed forms of spin Hall films (quasi-1D, infinite in the plane).

Frame of the closed forms: current (field E) along x, film normal n, film 0 <= s <= d
(s the coordinate along n). With the spinfem constitutive law (docs/theory.md)
j_s,ai = ... + theta sigma eps_iak E_k, the source of the normal spin current has spin
direction t = eps_{n a x} e_a (e.g. n = y, E along x: t = +z).

Chen et al., PRB 87, 144411 (2013), Eqs. (14)-(16) (their frame: x current, z normal,
y = z x x): rho_long = rho + Delta rho_0 + Delta rho_1 (1 - m_y^2),
rho_trans = Delta rho_1 m_x m_y + Delta rho_2 m_z, with

    Delta rho_0/rho = -theta^2 (2 lambda/d) tanh(d/(2 lambda))
    Delta rho_1/rho =  theta^2 (lambda/d) Re[B],   Delta rho_2/rho = -theta^2 (lambda/d) Im[B]
    B = 2 lambda G tanh^2(d/(2 lambda)) / (sigma + 2 lambda G coth(d/lambda))

G = G_r + i G_i [S/m^2] (to leading order in theta^2).
"""

from __future__ import annotations

import math

import numpy as np


def she_open_film(s: np.ndarray, d: float, lam: float, theta: float, sigma: float, E: float):
    """(mu_t [V], j_s along n with spin t [A/m^2]) at depth s [m] of a film with open
    surfaces: mu_t = 2 lambda theta E sinh((d/2 - s)/lambda)/cosh(d/(2 lambda)),
    j = theta sigma E [1 - cosh((d/2 - s)/lambda)/cosh(d/(2 lambda))]."""
    s = np.asarray(s, dtype=float)
    c = math.cosh(d / (2 * lam))
    mu = 2 * lam * theta * E * np.sinh((d / 2 - s) / lam) / c
    js = theta * sigma * E * (1 - np.cosh((d / 2 - s) / lam) / c)
    return mu, js


def _chen_bracket(d: float, lam: float, sigma: float, G: complex) -> complex:
    t2 = math.tanh(d / (2 * lam)) ** 2
    return 2 * lam * G * t2 / (sigma + 2 * lam * G / math.tanh(d / lam))


def smr_coefficients(d: float, lam: float, sigma: float, theta: float, G_r: float, G_i: float):
    """(Delta rho_0/rho, Delta rho_1/rho, Delta rho_2/rho) of Chen et al. (2013)."""
    br = _chen_bracket(d, lam, sigma, complex(G_r, G_i))
    r0 = -(theta**2) * (2 * lam / d) * math.tanh(d / (2 * lam))
    return r0, theta**2 * (lam / d) * br.real, -(theta**2) * (lam / d) * br.imag
