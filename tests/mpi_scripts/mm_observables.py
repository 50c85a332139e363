"""M-m observables on a 3D box (rates, k(omega), a driven transient) as JSON: OUT.json."""

from __future__ import annotations

import json
import sys

import numpy as np
from mpi4py import MPI

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from mm_cases import mode_run, params

from spinfem.mm import (
    FixedDeltam,
    InjectedFlux,
    MMProblem,
    Sinusoid,
    Transient,
    box_mesh,
    solve_frequency,
)

comm = MPI.COMM_WORLD
p = params(0.3, True)
mode = mode_run(p, dim=3, ncells=16, n_out=120)
omega = 0.5 * p.r
dmesh = box_mesh((4000.0, 200.0, 200.0), (48, 2, 2), length_unit=1e-9)
prob = MMProblem(
    dmesh,
    {"magnet": p},
    {"xmin": InjectedFlux(Sinusoid(1e3, omega)), "xmax": FixedDeltam(0.0)},
)
fr = solve_frequency(prob, omega)
k = fr.k()
run = Transient(
    prob,
    dM0=lambda x: 1e3 * (x[0] < 1020.0),
    t_end=5e-9,
    rtol=1e-6,
    atol=1e-3,
    output_times=[1e-9, 2e-9],
)
res = run.run(keep_states=False)
out = {
    "ranks": comm.size,
    "rates": list(mode["fit"]),
    "k": [k.real, k.imag],
    "total": prob.total(run.a, run.b),
    "energy": prob.free_energy(run.a, run.b),
    "norm_dM": float(np.sqrt(comm.allreduce(float(run.a @ run.a)))),
    "norm_dm": float(np.sqrt(comm.allreduce(float(run.b @ run.b)))),
    "steps": res.steps,
}
if comm.rank == 0:
    with open(sys.argv[1], "w") as fh:
        json.dump(out, fh)
