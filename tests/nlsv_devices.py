"""Lateral nonlocal spin valves shared by the NLSV/Hanle tests and their MPI scripts."""

from __future__ import annotations

import importlib

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry.lateral import LateralValve, lateral_valve
from spinfem.interfaces import TunnelBarrier
from spinfem.problem import TwoCurrentProblem
from spinfem.sweeps import nonlocal_resistance

nl = importlib.import_module("reference.nonlocal")  # 'nonlocal' is a Python keyword

NM = 1e-9
CU = library.Cu
PY = library.Py
MATS = {"channel": CU, "injector": PY, "detector": PY}
INTERFACES = ("injector|channel", "detector|channel")
#: R_NL = (V_detector_end - V_channel_right)/I_injector [Ohm]
R_NL = nonlocal_resistance("injector_end", "detector_end", "channel_right")


def contacts(current_A: float = 1e-6) -> list[Contact]:
    """Current into the injector, drained at the left channel end; detector and right
    channel end floating."""
    return [
        Contact("injector_end", current=current_A),
        Contact("channel_left", voltage=0.0),
        Contact("detector_end", current=0.0),
        Contact("channel_right", current=0.0),
    ]


def valve(
    L_over_lambda: float,
    width: float = 20 * NM,
    thickness: float = 20 * NM,
    channel_width: float = 50 * NM,
    lam_N: float = CU.l_sf,
    lam_F: float = PY.l_sf,
    arm_lambdas: float = 5.0,
) -> LateralValve:
    """Quasi-1D valve: wires ``width`` wide, channel ``thickness`` thick, wire columns 12
    l_sf(F) high, arms ``arm_lambdas`` l_sf(N) beyond each wire."""
    return LateralValve(
        L=L_over_lambda * lam_N,
        channel_width=channel_width,
        channel_thickness=thickness,
        wire_width=width,
        wire_thickness=12 * lam_F,
        arm=arm_lambdas * lam_N,
    )


def barriers(RA: float | None, P_J: float) -> dict:
    """Tunnel barriers of resistance-area RA [Ohm m^2] at both F/N contacts (None: none)."""
    if RA is None:
        return {}
    return {name: TunnelBarrier.from_RA(RA, P_J) for name in INTERFACES}


def collinear_r_nl(mesh, mats, interfaces) -> dict[str, float]:
    """R_NL [Ohm] in the parallel and antiparallel states (collinear model)."""
    out = {}
    for state, m_det in (("P", 1), ("AP", -1)):
        sol = TwoCurrentProblem(
            mesh, mats, contacts(), magnetization={"detector": m_det}, interfaces=interfaces
        ).solve()
        out[state] = R_NL(sol)
    return out


def tm_delta_r(v: LateralValve, mats, RA: float | None, P_J: float) -> float:
    """Takahashi-Maekawa Delta R_NL [Ohm] for the valve's cross-sections."""
    N, F = mats["channel"], mats["injector"]
    R_N = N.l_sf / (N.sigma * v.channel_area_m2)
    R_F = F.l_sf / (F.sigma * v.contact_area_m2)
    R_I = 0.0 if RA is None else RA / v.contact_area_m2
    j = nl.Junction(R_F, F.P, R_I, P_J)
    return nl.delta_r_nl_tm(R_N, v.L / N.l_sf, j, j)


def build(v: LateralValve, dim: int = 2, mats=None, **kw):
    return lateral_valve(v, dim=dim, materials=mats or MATS, **kw)


#: Cu with a spin-relaxation time for Hanle precession: omega_L tau_sf = 8.8 per tesla
CU_TAU = CU.with_(tau_sf=50e-12)
HANLE_MATS = {"channel": CU_TAU, "injector": PY, "detector": PY}
#: tunnel limit: R_I = RA/A_J = 1 kOhm >> R_N = 3 Ohm
HANLE_RA, HANLE_PJ = 1e-12, 0.3


def hanle_problem(L_over_lambda: float, comm=None, m_det=(1.0, 0.0, 0.0)):
    """Vector-model 2D valve with tunnel contacts, injector m = +x, detector ``m_det``."""
    from mpi4py import MPI

    from spinfem.vector_problem import VectorSpinProblem

    v = valve(L_over_lambda)
    mesh = build(v, mats=HANLE_MATS, per_lsf=4, comm=comm or MPI.COMM_WORLD)
    problem = VectorSpinProblem(
        mesh,
        HANLE_MATS,
        contacts(),
        magnetization={"injector": (1.0, 0.0, 0.0), "detector": m_det},
        interfaces=barriers(HANLE_RA, HANLE_PJ),
    )
    return v, problem
