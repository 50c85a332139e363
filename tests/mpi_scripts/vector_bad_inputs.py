"""Bad inputs of the vector model on every rank: each case must raise the same spinfem
error everywhere (format as bad_input_cases.py).

Usage: python3 vector_bad_inputs.py OUT.json   (serially or under mpirun)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from collective_cases import run_cases
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.geometry.strip import film
from spinfem.interfaces import SpinConductance
from spinfem.mixing import MagneticInsulator, MixingConductance
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
comm = MPI.COMM_WORLD
MATS = {"Co1": library.Co, "Cu": library.Cu, "Co2": library.Co}
valve = pillar(
    [Layer("Co1", 5 * NM), Layer("Cu", 4 * NM), Layer("Co2", 5 * NM)],
    width=10 * NM,
    dim=2,
    materials=MATS,
    comm=comm,
)
strip = film(20 * NM, 4 * NM, elements=(10, 4), comm=comm)
PT = library.Pt
C_VALVE = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
C_STRIP = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
M_OK = {"Co1": (0, 0, 1), "Co2": (1, 0, 0)}


def valve_problem(mats=MATS, mag=M_OK, **kw):
    return VectorSpinProblem(valve, mats, C_VALVE, mag, **kw)


def strip_problem(mat=PT, **kw):
    return VectorSpinProblem(strip, {"HM": mat}, C_STRIP, **kw)


CASES = {
    "m_zero": lambda: valve_problem(mag={"Co1": (0, 0, 1), "Co2": (0, 0, 0)}),
    "m_zero_somewhere": lambda: valve_problem(
        mag={"Co1": (0, 0, 1), "Co2": lambda x: np.vstack([x[0] > 0, 0 * x[0], 0 * x[0]])}
    ),
    "m_not_a_vector": lambda: valve_problem(mag={"Co1": (0, 0, 1), "Co2": (1, 0)}),
    "m_callable_bad_shape": lambda: valve_problem(
        mag={"Co1": (0, 0, 1), "Co2": lambda x: np.ones((2, x.shape[1]))}
    ),
    "m_missing": lambda: valve_problem(mag={"Co1": (0, 0, 1)}),
    "m_unknown_region": lambda: valve_problem(mag={**M_OK, "Co3": (0, 0, 1)}),
    "lambda_J_zero": lambda: library.Co.with_(lambda_J=0.0),
    "lambda_phi_negative": lambda: library.Co.with_(lambda_phi=-1e-9),
    "tau_sf_zero": lambda: library.Cu.with_(tau_sf=0.0),
    "G_r_negative_insulator": lambda: MagneticInsulator(G_r=-1e14),
    "G_r_negative_interface": lambda: MixingConductance(G_up=1e15, G_dn=1e15, G_r=-1.0),
    "B_without_tau_sf": lambda: strip_problem(field_T=(0.0, 0.0, 1.0)),
    "B_not_a_vector": lambda: strip_problem(mat=PT.with_(tau_sf=1e-14), field_T=(1.0, 2.0)),
    "unknown_insulator_boundary": lambda: strip_problem(
        boundaries={"botom": MagneticInsulator(1e14)}
    ),
    "insulator_not_a_law": lambda: strip_problem(boundaries={"bottom": 1e14}),
    "insulator_on_contact": lambda: strip_problem(boundaries={"left": MagneticInsulator(1e14)}),
    "mixing_without_magnet": lambda: VectorSpinProblem(
        valve,
        {"Co1": library.Cu, "Cu": library.Cu, "Co2": library.Cu},
        C_VALVE,
        interfaces={"Co1|Cu": MixingConductance(G_up=1e15, G_dn=1e15, G_r=1e14)},
        default_interface=SpinConductance(1e15, 1e15),
    ).solve(),
    "set_magnetization_unknown": lambda: valve_problem().set_magnetization("Co_2", (1, 0, 0)),
}

run_cases(CASES, Path(sys.argv[1]))
