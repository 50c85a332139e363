"""A Py/Cu lateral nonlocal spin valve: Delta R_NL and a Hanle sweep (smoke size).

Run:  python3 meshes/nlsv_py_cu.py [OUT.json]
      mpirun -n 2 python3 meshes/nlsv_py_cu.py [OUT.json]

The device: a Cu channel (20 nm thick, 50 nm wide) with two Py wires (20 nm wide) at a
centre-to-centre distance L = 500 nm. We use the 2D (quasi-1D) cross-section, whose
out-of-plane depth is the channel width, so cross-sections are those of the real device.

1. Collinear model: Delta R_NL = R_NL(P) - R_NL(AP) with transparent Py/Cu contacts and
   with tunnel barriers, next to the Takahashi-Maekawa 1D formula.
2. Vector model: a Hanle sweep R_NL(B), B perpendicular to the magnetizations, with tunnel
   barriers (the regime of Jedema et al., Nature 416, 713 (2002)).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry.lateral import LateralValve, lateral_valve
from spinfem.interfaces import TunnelBarrier
from spinfem.log import setup_logging
from spinfem.problem import TwoCurrentProblem
from spinfem.sweeps import field_sweep, nonlocal_resistance
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
comm = MPI.COMM_WORLD
setup_logging("INFO")


def say(*args: object) -> None:
    if comm.rank == 0:
        print(*args, flush=True)


# --- materials: library Cu and Py; Cu gets a spin-relaxation time for precession --------
Cu = library.Cu.with_(tau_sf=50e-12)  # l_sf = 500 nm, rho = 6 nOhm m (4.2 K)
Py = library.Py  # l_sf = 5.5 nm, rho = 123 nOhm m, P = 0.73
materials = {"channel": Cu, "injector": Py, "detector": Py}

# --- geometry: every length in metres; the mesh is drawn in nm ------------------------
valve = LateralValve(
    L=500 * NM,
    channel_width=50 * NM,
    channel_thickness=20 * NM,
    wire_width=20 * NM,
    wire_thickness=12 * Py.l_sf,  # 2D: the wire column height (>> l_sf of Py)
    arm=3 * Cu.l_sf,  # channel beyond each wire, to the channel contacts
)
device = lateral_valve(valve, dim=2, materials=materials, per_lsf=4, comm=comm)
say("regions:", sorted(device.regions), " surfaces:", sorted(device.boundaries))

# --- nonlocal measurement: current into the injector, out at the left channel end; the
# --- detector voltage is taken against the far right end of the channel --------------
contacts = [
    Contact("injector_end", current=1e-6),
    Contact("channel_left", voltage=0.0),
    Contact("detector_end", current=0.0),
    Contact("channel_right", current=0.0),
]
R_NL = nonlocal_resistance("injector_end", "detector_end", "channel_right")
barrier = TunnelBarrier.from_RA(1e-12, 0.3)  # RA = 1 Ohm um^2, P_J = 0.3
tunnel = {"injector|channel": barrier, "detector|channel": barrier}

# --- Takahashi-Maekawa, PRB 67, 052409 (2003), for comparison -------------------------
R_N = Cu.l_sf / (Cu.sigma * valve.channel_area_m2)
R_F = Py.l_sf / (Py.sigma * valve.contact_area_m2)
e = math.exp(-valve.L / Cu.l_sf)


def tm(R_I: float, P_J: float) -> float:
    K = P_J * R_I / (1 - P_J**2) + Py.P * R_F / (1 - Py.P**2)
    Q = R_I / (1 - P_J**2) + R_F / (1 - Py.P**2)
    return 4 * R_N * (K / R_N) ** 2 * e / ((1 + 2 * Q / R_N) ** 2 - e * e)


results: dict = {"L_m": valve.L, "R_N_ohm": R_N}
for label, laws, R_I, P_J in (
    ("transparent", {}, 0.0, 0.0),
    ("tunnel", tunnel, 1e-12 / valve.contact_area_m2, 0.3),
):
    r = {}
    for state, m_det in (("P", 1), ("AP", -1)):
        sol = TwoCurrentProblem(
            device, materials, contacts, magnetization={"detector": m_det}, interfaces=laws
        ).solve()
        r[state] = R_NL(sol)
    delta = r["P"] - r["AP"]
    results[label] = {"delta_R_NL_ohm": delta, "takahashi_maekawa_ohm": tm(R_I, P_J)}
    say(f"{label:12s} Delta R_NL = {delta * 1e3:8.3f} mOhm   TM 1D: {tm(R_I, P_J) * 1e3:8.3f} mOhm")

# --- Hanle: B along z, magnetizations along x (parallel) -----------------------------
problem = VectorSpinProblem(
    device,
    materials,
    contacts,
    magnetization={"injector": (1, 0, 0), "detector": (1, 0, 0)},
    interfaces=tunnel,
)
fields = np.linspace(-0.3, 0.3, 7)
hanle = field_sweep(problem, fields, {"R_NL_ohm": R_NL}, direction=(0, 0, 1))
say("B [T]    R_NL [mOhm]")
for B, R in zip(hanle.values, hanle["R_NL_ohm"], strict=True):
    say(f"{B:+.3f}   {R * 1e3:9.4f}")
results["hanle"] = hanle.as_dict()

if comm.rank == 0 and len(sys.argv) > 1:
    with open(sys.argv[1], "w") as f:
        json.dump(results, f, indent=1)
