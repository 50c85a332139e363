"""Observables of two devices (3D pillar P/AP, 2D F/N bar), written as JSON by rank 0.

Usage: python3 cpp_observables.py OUT.json   (serially or under mpirun)
"""

import json
import sys

import stacks
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
comm = MPI.COMM_WORLD
out: dict = {"ranks": comm.size}

mats = stacks.materials(stacks.CO_CU_CO)
layers = stacks.layers(stacks.CO_CU_CO)
device = pillar(layers, radius=40 * NM, materials=mats, comm=comm)
tdim = device.tdim
cells = device.mesh.topology.index_map(tdim)
out["ghost_cells"] = comm.allreduce(cells.num_ghosts)
# generic points, off element faces and interfaces (discontinuous fields are compared too)
pts = [[1.37 * NM, 0.71 * NM, z * NM] for z in (5.3, 21.1, 25.7, 35.3, 42.9, 60.1)]
for state, mag in (("P", {}), ("AP", {"F2": -1})):
    sol = TwoCurrentProblem(
        device, mats, [Contact("top", current=1e-3), Contact("bottom", voltage=0.0)], mag
    ).solve()
    out[state] = {
        "RA": sol.resistance_area(),
        "V_top": sol.contact("top").voltage_V,
        "spin_current_top": sol.contact("top").spin_current_A,
        "mu_s": sol.probe("mu_s", pts).tolist(),
        "V": sol.probe("V", pts).tolist(),
        "j_s": sol.probe("j_s", pts).tolist(),
    }

bar = pillar(
    [Layer("F", 300 * NM), Layer("N", 2000 * NM)],
    width=30 * NM,
    dim=2,
    materials={"F": library.Py, "N": library.Cu},
    comm=comm,
)
sol = TwoCurrentProblem(
    bar,
    {"F": library.Py, "N": library.Cu},
    [Contact("bottom", voltage=1e-3), Contact("top", voltage=0.0)],
).solve()
out["bar"] = {"RA": sol.resistance_area(), "mu_s": sol.probe("mu_s", [[0, 300 * NM]]).tolist()}
if comm.rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
