# # A magnetic tunnel junction with the Python API
#
# A CoFe/barrier/CoFe junction between Cu leads. The barrier is not meshed: it is a
# tunnel-barrier interface law (resistance-area RA and tunnelling spin polarization) on
# the interface above the reference layer. ``spinfem.geometry.devices.mtj`` builds the
# pillar and returns that law under the interface's name.
#
# In the diffusive two-current model the barrier's spin selectivity acts through the
# spin accumulation it builds up next to it; with RA much larger than the spin
# resistances of the electrodes (l_sf/sigma ~ 1e-15 Ohm m^2) the magnetoresistance is
# therefore small, of order r_F/RA. Julliere-type TMR (a product of the two electrode
# polarizations) is not part of this model. The example checks that RA_P is the barrier
# RA plus the bulk series resistance.
#
#     python3 examples/mtj.py            mpirun -n 2 python3 examples/mtj.py
#
# ``SPINFEM_SMOKE=1`` makes the mesh tiny (what the test suite runs).

# %%
import os

from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer
from spinfem.geometry.devices import mtj
from spinfem.problem import TwoCurrentProblem

comm = MPI.COMM_WORLD
nm = 1e-9
smoke = os.environ.get("SPINFEM_SMOKE") == "1"

# %% [markdown]
# ## Device, materials, barrier
# ``RA`` is for both spin channels together [Ohm m^2]; 5 Ohm um^2 = 5e-12 Ohm m^2.
# Lower it towards the electrodes' spin resistance to see the MR grow.

# %%
layers = [
    Layer("lead_bottom", 10 * nm),
    Layer("ref", 5 * nm),
    Layer("free", 3 * nm),
    Layer("lead_top", 10 * nm),
]
materials = {
    "lead_bottom": library.Cu,
    "ref": library.CoFe,
    "free": library.CoFe,
    "lead_top": library.Cu,
}
RA_barrier = float(os.environ.get("MTJ_RA", "5e-12"))
device, barrier = mtj(
    layers,
    barrier_below="ref",
    RA=RA_barrier,
    polarization=0.5,
    width=(20 if smoke else 60) * nm,
    materials=materials,
    comm=comm,
)

# %% [markdown]
# ## P and AP with a current-driven top contact
# The top contact injects 10 uA; its voltage is an output.

# %%
contacts = [Contact("top", current=10e-6), Contact("bottom", voltage=0.0)]
ra = {}
for state, mag in (("P", {}), ("AP", {"free": -1})):
    sol = TwoCurrentProblem(device, materials, contacts, mag, interfaces=barrier).solve()
    ra[state] = sol.resistance_area()
    if comm.rank == 0:
        print(
            f"{state}: V_top = {sol.contact('top').voltage_V:.6e} V, RA = {ra[state]:.6e} Ohm m^2"
        )

bulk = sum(layer.thickness / materials[layer.name].sigma for layer in layers)
if comm.rank == 0:
    print(f"barrier RA + bulk series RA = {RA_barrier + bulk:.6e} Ohm m^2")
    print(f"MR = (RA_AP - RA_P)/RA_P = {(ra['AP'] - ra['P']) / ra['P']:.3e}")
assert abs(ra["P"] - (RA_barrier + bulk)) < 1e-3 * RA_barrier, "RA_P != RA_barrier + bulk"
