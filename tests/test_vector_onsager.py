"""Onsager reciprocity of the nonlocal spin Hall / inverse spin Hall response on Hall
crosses, R_ij,kl(B) = R_kl,ij(-B), and the sense of Larmor precession (MODEL.md 3)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from mpi4py import MPI

from conftest import rel_err
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.geometry.strip import hall_bar, hall_cross
from spinfem.materials import Material
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
HM = Material("HM", sigma=4e6, l_sf=2e-9, theta_sh=0.2, tau_sf=1e-14)
NAMES = ("left", "right", "south", "north")
CONTACTS = [Contact("left", voltage=1e-3)] + [Contact(n, voltage=0.0) for n in NAMES[1:]]


def _all_R(sol) -> dict:
    return {p: sol.four_terminal(*p) for p in itertools.permutations(NAMES, 4)}


def test_reciprocity_2d_hall_bar():
    dev = hall_bar(40 * NM, 8 * NM, 6 * NM, 10 * NM, size=0.8 * NM, comm=MPI.COMM_WORLD)
    R = _all_R(VectorSpinProblem(dev, {"HM": HM}, CONTACTS).solve())
    scale = max(abs(v) for v in R.values())
    for (i, j, k, l), r in R.items():
        assert abs(r - R[(k, l, i, j)]) < 1e-6 * max(abs(r), 1e-3 * scale)


@pytest.fixture(scope="module")
def cross3d():
    dev = hall_cross(6 * NM, 6 * NM, thickness=3 * NM, dim=3, size=1.2 * NM, comm=MPI.COMM_WORLD)
    return VectorSpinProblem(dev, {"HM": HM}, CONTACTS)


def test_reciprocity_3d_cross_with_field(cross3d):
    """With B out of plane the Hanle-Hall response is odd in B: R(B) is not reciprocal by
    itself (the check can fail), but R_ij,kl(B) = R_kl,ij(-B) holds to solver precision."""
    cross3d.set_field((0.0, 0.0, 0.0))
    R0 = _all_R(cross3d.solve())
    cross3d.set_field((0.0, 0.0, 30.0))
    Rp = _all_R(cross3d.solve())
    cross3d.set_field((0.0, 0.0, -30.0))
    Rm = _all_R(cross3d.solve())
    scale = max(abs(v) for v in R0.values())
    hall = ("left", "right", "south", "north")
    assert abs(Rp[hall] - Rp[("south", "north", "left", "right")]) > 1e-2 * abs(Rp[hall])
    for (i, j, k, l), r in R0.items():
        floor = max(abs(r), 1e-3 * scale)
        assert abs(r - R0[(k, l, i, j)]) < 1e-6 * floor
        assert abs(Rp[(i, j, k, l)] - Rm[(k, l, i, j)]) < 1e-6 * max(abs(Rp[(i, j, k, l)]), floor)


def test_larmor_precession_is_right_handed():
    """Electrons from a ferromagnet with m = +x enter a normal metal: mu points along +x
    there; B along +z rotates it toward +y (d mu/dt = Omega x mu, Omega = |g| mu_B B/hbar)."""
    F = Material("F", sigma=4e6, l_sf=5e-9, P=0.5, tau_sf=1e-13)
    N = Material("N", sigma=2e7, l_sf=10e-9, tau_sf=1e-12)
    dev = pillar(
        [Layer("F", 10 * NM), Layer("N", 20 * NM)],
        width=10 * NM,
        dim=2,
        max_size=1 * NM,
        comm=MPI.COMM_WORLD,
    )
    contacts = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
    prob = VectorSpinProblem(dev, {"F": F, "N": N}, contacts, {"F": (1, 0, 0)})
    pts = [[0.0, y, 0.0] for y in (12.0, 16.0, 20.0)]
    mu = {}
    for Bz in (0.0, 2.0, -2.0):
        prob.set_field((0.0, 0.0, Bz))
        mu[Bz] = prob.solve().probe(pts)["mu_s_eV"]
    assert np.all(mu[0.0][:, 0] > 0)  # majority (along m) accumulation in N
    assert np.max(np.abs(mu[0.0][:, 1])) < 1e-12 * np.max(mu[0.0][:, 0])
    assert np.all(mu[2.0][:, 1] > 0) and np.all(mu[-2.0][:, 1] < 0)
    assert np.allclose(mu[2.0][:, 1], -mu[-2.0][:, 1], rtol=1e-9)
    # 1D estimate of the angle near the interface: ~ Omega tau_sf (small)
    angle = np.arctan2(mu[2.0][0, 1], mu[2.0][0, 0])
    assert 0 < angle < 2 * 1.76e11 * 2.0 * 1e-12
    assert rel_err(np.hypot(*mu[2.0][0, :2]), mu[0.0][0, 0]) < 0.05
