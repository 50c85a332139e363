# # A CPP spin valve with the Python API
#
# This example computes the current-perpendicular-to-plane giant magnetoresistance
# (CPP-GMR) of a Co/Cu/Co nanopillar in the Valet-Fert two-current model, with the
# Co/Cu interface resistances of Bass and Pratt (J. Phys.: Condens. Matter 19, 183201
# (2007)). It shows the five steps of every spinfem script: build the device, give
# each region a material, choose the interface laws, choose the contacts, solve and
# look at the observables.
#
# Run it serially or in parallel (the results are the same)::
#
#     python3 examples/cpp_spin_valve.py [OUT_DIR]
#     mpirun -n 4 python3 examples/cpp_spin_valve.py [OUT_DIR]
#
# ``SPINFEM_SMOKE=1`` makes the mesh tiny (what the test suite runs).

# %%
import itertools
import json
import os
import sys
from pathlib import Path

from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.interfaces import SpinConductance
from spinfem.io import run_directory, write_fields, write_json
from spinfem.problem import TwoCurrentProblem

comm = MPI.COMM_WORLD
nm = 1e-9
smoke = os.environ.get("SPINFEM_SMOKE") == "1"

# %% [markdown]
# ## The device
# A pillar is a stack of layers, bottom to top. Every layer becomes a region named
# after it; the builder also names the end faces ``bottom`` and ``top`` (our contacts),
# the mantle ``side`` and every interface ``"<below>|<above>"``. Layers with the same
# material may still be different regions: here the two Co layers, so that we can
# flip the free one.

# %%
stack = [
    ("lead_bottom", library.Cu, 20 * nm),
    ("Co_fixed", library.Co, 10 * nm),
    ("spacer", library.Cu, 10 * nm),
    ("Co_free", library.Co, 5 * nm),
    ("lead_top", library.Cu, 20 * nm),
]
materials = {name: mat for name, mat, _ in stack}
device = pillar(
    [Layer(name, t) for name, _, t in stack],
    radius=(15 if smoke else 50) * nm,
    materials=materials,  # sizes the elements across each layer by its l_sf
    comm=comm,
)

# %% [markdown]
# ## Interfaces and contacts
# Each Co/Cu interface gets a spin-dependent interface resistance, AR_b* [Ohm m^2] and
# asymmetry gamma, in the frame of the adjacent Co layer. Contacts are ideal
# reservoirs: ``top`` at 1 mV, ``bottom`` grounded.

# %%
co_cu = SpinConductance.from_ARb(0.51e-15, 0.77)
laws = {f"{a}|{b}": co_cu for (a, _, _), (b, _, _) in itertools.pairwise(stack)}
contacts = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]

# %% [markdown]
# ## Solve in the parallel and antiparallel states
# ``magnetization`` flips the sign of P (and of the interface asymmetry) in a region.

# %%
results = {}
out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
solutions = {}
for state, magnetization in (("parallel", {}), ("antiparallel", {"Co_free": -1})):
    problem = TwoCurrentProblem(device, materials, contacts, magnetization, interfaces=laws)
    sol = problem.solve()
    solutions[state] = sol
    results[state] = {
        "RA_ohm_m2": sol.resistance_area(),
        "current_A": sol.contact("top").current_A,
        "mu_s_at_spacer_eV": float(sol.probe("mu_s", [[0.0, 0.0, 35 * nm]])[0]),
    }

ra_p, ra_ap = results["parallel"]["RA_ohm_m2"], results["antiparallel"]["RA_ohm_m2"]
results["GMR"] = (ra_ap - ra_p) / ra_p
results["ranks"] = comm.size
if comm.rank == 0:
    print(f"RA_P  = {ra_p:.6e} Ohm m^2")
    print(f"RA_AP = {ra_ap:.6e} Ohm m^2")
    print(f"GMR   = {100 * results['GMR']:.3f} %")

# %% [markdown]
# ## Fields for ParaView
# ``write_fields`` writes ``potentials.bp`` (V, mu_s) and ``currents.bp`` (j_c, j_s) in
# VTX/BP4; the run directory appears only when complete.

# %%
if out is not None:
    with run_directory(out, comm, overwrite=True) as tmp:
        for state, sol in solutions.items():
            if comm.rank == 0:
                (tmp / state).mkdir()
            comm.Barrier()
            write_fields(sol, tmp / state)
        write_json(tmp / "results.json", results, comm)
    if comm.rank == 0:
        print(json.dumps({"output": str(out)}))
