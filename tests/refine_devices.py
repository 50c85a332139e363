"""Devices for tests/test_refine.py and its MPI script: a Co | Cu bar with a
spin-dependent interface (Fert-Jaffres, closed form in tests/test_fert_jaffres.py), meshed
coarsely so that one uniform refinement visibly lowers the discretisation error."""

from __future__ import annotations

from mpi4py import MPI

from reference.vf1d import Layer1D, fn_junction_interface
from spinfem import library
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
