"""Devices for tests/test_refine.py and its MPI script: a Co | Cu bar with a
spin-dependent interface (Fert-Jaffres, closed form in tests/test_fert_jaffres.py), meshed
coarsely so that one uniform refinement visibly lowers the discretisation error; the
shape measure the refinement must keep."""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

from reference.vf1d import Layer1D, fn_junction_interface
from spinfem import compat, library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
F, N = library.Co, library.Cu
MATS = {"F": F, "N": N}
L_F, L_N = 6 * F.l_sf, 6 * N.l_sf
R_B, GAMMA = N.l_sf / N.sigma, 0.5  # r_b = r_N
WIDTH = 20 * NM


def coarse_bar(dim: int = 3, comm: MPI.Comm = MPI.COMM_WORLD):
    """2 elements per spin-diffusion length, one element across."""
    layers = [Layer("F", L_F), Layer("N", L_N)]
    return pillar(
        layers, width=WIDTH, dim=dim, materials=MATS, per_lsf=2, lateral_size=WIDTH, comm=comm
    )


def excess_ra(device) -> float:
    """Junction resistance-area on top of the bulk ohmic one [Ohm m^2]."""
    law = {"F|N": SpinConductance.from_ARb(R_B, GAMMA)}
    contacts = [Contact("bottom", voltage=1e-3), Contact("top", voltage=0.0)]
    sol = TwoCurrentProblem(device, MATS, contacts, interfaces=law).solve()
    return sol.resistance_area("bottom", "top") - L_F / F.sigma - L_N / N.sigma


def excess_ra_exact() -> float:
    """Closed form (finite layers, spin-equilibrated contacts) [Ohm m^2]."""
    J = 1.0  # the excess RA does not depend on it
    F1, N1 = Layer1D(L_F, F.sigma, F.P, F.l_sf), Layer1D(L_N, N.sigma, N.P, N.l_sf)
    return fn_junction_interface(F1, N1, R_B, GAMMA, J).excess_RA


def radius_ratio(dev) -> np.ndarray:
    """d * inradius / circumradius of every owned simplex (1 for the regular one)."""
    m = dev.mesh
    tdim = m.topology.dim
    n = m.topology.index_map(tdim).size_local
    p = m.geometry.x[compat.geometry_dofmap(m)[:n]][:, :, :tdim]
    e = p[:, 1:] - p[:, :1]  # (n, d, d) edge vectors from vertex 0
    vol = np.abs(np.linalg.det(e)) / (2 if tdim == 2 else 6)
    faces = [np.delete(np.arange(tdim + 1), k) for k in range(tdim + 1)]
    area = 0.0
    for f in faces:  # facet measures
        q = p[:, f]
        if tdim == 2:
            area = area + np.linalg.norm(q[:, 1] - q[:, 0], axis=1)
        else:
            area = area + 0.5 * np.linalg.norm(
                np.cross(q[:, 1] - q[:, 0], q[:, 2] - q[:, 0]), axis=1
            )
    inradius = tdim * vol / area
    # circumcentre c: 2 e c = |e|^2 (relative to vertex 0)
    c = np.linalg.solve(2 * e, np.einsum("nij,nij->ni", e, e)[..., None])[..., 0]
    circum = np.linalg.norm(c, axis=1)
    return tdim * inradius / circum
