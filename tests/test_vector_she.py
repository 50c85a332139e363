"""Spin Hall film with open surfaces: mu_s and j_s profiles against the sinh/cosh closed
form, with a measured convergence rate (MODEL.md section 3)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from reference.spin_hall import she_open_film
from spinfem.contacts import Contact
from spinfem.geometry.strip import film
from spinfem.materials import Material
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
LAM, D, THETA, SIGMA = 2.0 * NM, 5.0 * NM, 0.1, 4.0e6
HM = Material("HM", sigma=SIGMA, l_sf=LAM, theta_sh=THETA)
LENGTH = 30 * LAM  # contacts (mu = 0) disturb the film only within a few lambda


def _solve(ny: int, theta: float = THETA):
    dev = film(LENGTH, D, elements=(60, ny), comm=MPI.COMM_WORLD)
    contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
    return VectorSpinProblem(dev, {"HM": HM.with_(theta_sh=theta)}, contacts).solve()


def _profile(sol, n: int = 41):
    s = np.linspace(0, D, n)
    pts = np.column_stack([np.full(n, 0.3), s / NM, np.zeros(n)])  # x = 0.3 nm: mid film
    p = sol.probe(pts, currents=True)
    # E_x from the potential in the uniform middle part
    v = sol.probe([[-3 * LAM / NM, D / 2 / NM, 0], [3 * LAM / NM, D / 2 / NM, 0]])["V_V"]
    E = -(v[1] - v[0]) / (6 * LAM)
    return s, p, E


@pytest.fixture(scope="module")
def fine():
    return _solve(64)


def test_she_profiles_match_closed_form(fine):
    s, p, E = _profile(fine)
    assert E > 0
    mu_ref, js_ref = she_open_film(s, D, LAM, THETA, SIGMA, E)
    mu = p["mu_s_eV"]
    # n = y, E along x: the accumulated spin points along +z (eps_yzx = +1)
    assert np.max(np.abs(mu[:, 2] - mu_ref)) < 2e-4 * np.max(np.abs(mu_ref))
    assert np.max(np.abs(mu[:, :2])) < 1e-9 * np.max(np.abs(mu_ref))
    assert mu[0, 2] > 0 > mu[-1, 2]
    # j_s is piecewise constant: compare at cell mid-heights (superconvergent points)
    sm = (np.arange(0, 64, 3) + 0.5) * D / 64
    pm = fine.probe(np.column_stack([np.full(sm.size, 0.3), sm / NM, 0 * sm]), currents=True)
    js = pm["j_s_A_per_m2"][:, 2, 1]  # spin z, flowing along the normal y
    _, js_ref = she_open_film(sm, D, LAM, THETA, SIGMA, E)
    assert np.max(np.abs(js - js_ref)) < 1e-3 * np.max(np.abs(js_ref))
    assert np.all(js_ref > 0) and np.all(js > 0)
    # the ISHE back-action lowers the resistivity by theta^2 (2 lambda/d) tanh(d/2 lambda)
    jx = p["j_c_A_per_m2"][:, 0]
    assert np.all(jx > SIGMA * E * (1 - 1e-6))


def test_she_profile_converges_at_rate_two():
    errs, hs = [], []
    for ny in (6, 12, 24):
        s, p, E = _profile(_solve(ny), n=61)
        mu_ref, _ = she_open_film(s, D, LAM, THETA, SIGMA, E)
        errs.append(np.sqrt(np.mean((p["mu_s_eV"][:, 2] - mu_ref) ** 2)))
        hs.append(D / ny)
    rate = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 1.8 < rate < 2.3, (errs, rate)


def test_no_spin_hall_no_accumulation():
    _s, p, _ = _profile(_solve(8, theta=0.0))
    assert np.max(np.abs(p["mu_s_eV"])) < 1e-15
