# # A mesh made elsewhere: importing foreign formats through meshio
#
# `meshes/strip_fnf.msh` was not made by spinfem's builders: it is a structured
# triangulation written by meshio (see `meshes/strip_fnf_meshio.py`), standing for a mesh
# exported by another mesher. `spinfem.meshio_import.from_meshio` reads any format meshio
# knows (VTU, XDMF, MED, Abaqus, Gmsh 2.2, ...) with integer cell tags, copies it into a
# gmsh model and imports it exactly like a gmsh-built device (same checks, same
# distribution over MPI ranks). Names come from the file, or from a names table.
#
#     python3 examples/foreign_mesh.py           mpirun -n 2 python3 examples/foreign_mesh.py

# %%
from pathlib import Path

from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.interfaces import SpinConductance
from spinfem.meshio_import import from_meshio
from spinfem.problem import TwoCurrentProblem

comm = MPI.COMM_WORLD
here = Path(__file__).resolve().parent
nm = 1e-9

# %% [markdown]
# ## Import
# The file's coordinates are in nm: say so with `length_unit` (metres per file unit). A 2D
# mesh is a slab of the given out-of-plane `depth` [m].

# %%
device = from_meshio(here.parent / "meshes" / "strip_fnf.msh", length_unit=nm, depth=20 * nm)
if comm.rank == 0:
    print("regions:", sorted(device.regions), "surfaces:", sorted(device.boundaries))

# %% [markdown]
# ## A lateral F/N/F strip in P and AP
# Permalloy electrodes, a Cu channel with l_sf = 100 nm, Py/Cu interface resistances.

# %%
materials = {"Py_left": library.Py, "Cu": library.Cu.with_(l_sf=100 * nm), "Py_right": library.Py}
laws = {
    "Py_left|Cu": SpinConductance.from_ARb(0.5e-15, 0.7),
    "Cu|Py_right": SpinConductance.from_ARb(0.5e-15, 0.7),
}
contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
ra = {}
for state, mag in (("P", {}), ("AP", {"Py_right": -1})):
    sol = TwoCurrentProblem(device, materials, contacts, mag, interfaces=laws).solve()
    ra[state] = sol.resistance_area()
    mu_mid = float(sol.probe("mu_s", [[150 * nm, 10 * nm]])[0])
    if comm.rank == 0:
        print(f"{state}: RA = {ra[state]:.6e} Ohm m^2, mu_s(150 nm) = {mu_mid:.6e} eV")
if comm.rank == 0:
    print(f"MR = {(ra['AP'] - ra['P']) / ra['P']:.6e}")
assert ra["AP"] > ra["P"]
