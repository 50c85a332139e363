"""Bad inputs on every rank: each case must raise the same spinfem error everywhere.

Usage: python3 bad_input_cases.py OUT.json   (serially or under mpirun)

Every rank runs every case and records ``[exception type, message]`` (or
``["NO ERROR", ""]``); rank 0 gathers them and writes
``{"ranks": N, "cases": {case: [[type, message] per rank]}}``. A case that raises on
some ranks only, or a non-spinfem exception, makes the job hang or abort, which the
test sees as a timeout or a non-zero exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import gmsh
from collective_cases import run_cases
from mpi4py import MPI

from spinfem import library
from spinfem.contacts import Contact
from spinfem.geometry import Layer, pillar
from spinfem.materials import Material
from spinfem.mesh import from_gmsh_model, from_msh
from spinfem.problem import TwoCurrentProblem

NM = 1e-9
comm = MPI.COMM_WORLD
out_path = Path(sys.argv[1])

MATS = {"Co1": library.Co, "Cu": library.Cu, "Co2": library.Co}
device = pillar(
    [Layer("Co1", 5 * NM), Layer("Cu", 4 * NM), Layer("Co2", 5 * NM)],
    width=10 * NM,
    dim=2,
    materials=MATS,
    comm=comm,
)
MISSING_MSH = Path("/nonexistent-spinfem-dir/no-such-device.msh")  # same on 1 and 2 ranks
OK_CONTACTS = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]


def problem(materials=MATS, contacts=OK_CONTACTS, magnetization=None) -> None:
    TwoCurrentProblem(device, materials, contacts, magnetization)


def untagged_volume() -> None:
    """Two fragmented boxes, only the first in a physical group (gmsh on rank 0 only)."""
    if comm.rank == 0:
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("untagged")
        occ = gmsh.model.occ
        a = occ.addBox(0, 0, 0, 10, 10, 10)
        b = occ.addBox(10, 0, 0, 10, 10, 10)
        occ.fragment([(3, a)], [(3, b)])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [a], name="A")
        gmsh.option.setNumber("Mesh.MeshSizeMax", 5.0)
        gmsh.model.mesh.generate(3)
    try:
        from_gmsh_model(gmsh.model, length_unit=NM, comm=comm)
    finally:
        if comm.rank == 0:
            gmsh.finalize()


CASES: dict[str, Callable[[], object]] = {
    "material_sigma_zero": lambda: Material("X", sigma=0.0, l_sf=1e-8),
    "material_P_one": lambda: Material("X", sigma=1e7, l_sf=1e-8, P=-1.0),
    "library_typo": lambda: library.get("Coo"),
    "unknown_region": lambda: problem(materials={"Co_1": library.Co, **MATS}),
    "region_without_material": lambda: problem(materials={"Co1": library.Co, "Cu": library.Cu}),
    "magnetization_unknown_region": lambda: problem(magnetization={"Co3": -1}),
    "magnetization_not_collinear": lambda: problem(magnetization={"Co2": 0.5}),
    "unknown_contact": lambda: problem(
        contacts=[Contact("topp", voltage=1.0), Contact("bottom", voltage=0.0)]
    ),
    "one_contact": lambda: problem(contacts=OK_CONTACTS[:1]),
    "floating": lambda: problem(
        contacts=[Contact("top", current=1e-3), Contact("bottom", current=-1e-3)]
    ),
    "contact_twice": lambda: problem(contacts=[*OK_CONTACTS, OK_CONTACTS[0]]),
    # collective check: only some ranks own facets of the interface
    "interior_contact": lambda: problem(
        contacts=[Contact("Co1|Cu", voltage=1.0), Contact("bottom", voltage=0.0)]
    ),
    "contact_no_value": lambda: Contact("top"),
    "untagged_volume": untagged_volume,
    "missing_msh": lambda: from_msh(MISSING_MSH, length_unit=NM),
    "length_unit_string": lambda: from_gmsh_model(gmsh.model, length_unit="nm", comm=comm),
    "thickness_in_nm": lambda: Layer("Cu", 10.0),
    "pillar_dim4": lambda: pillar([Layer("Cu", 5 * NM)], width=10 * NM, dim=4),
}

run_cases(CASES, out_path)
