"""Block matrices of two multi-block devices on this many ranks, built from the cells
(spinfem.blockmatrix) and by dolfinx's monolithic block assembly: JSON with both
stored-entry counts, the largest entry difference, the norm and the block size.
Devices: Co/Cu/Co pillar with AR_b laws (collinear, 3 blocks, Dirichlet rows) and a 3D
HM/FM bilayer with a spin-mixing interface (vector model, 2 blocks)."""

import json
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import stacks

from spinfem import blockmatrix, compat
from spinfem.contacts import Contact
from spinfem.geometry import pillar
from spinfem.geometry.strip import bilayer
from spinfem.interfaces import SpinConductance
from spinfem.layout import build_layout
from spinfem.materials import Material
from spinfem.mixing import MixingConductance
from spinfem.physics.scale import Scale
from spinfem.problem import TwoCurrentProblem
from spinfem.system import BlockSystem
from spinfem.vector_problem import VectorSpinProblem

NM = 1e-9
comm = MPI.COMM_WORLD


def collinear() -> tuple[object, list]:
    rows = stacks.CO_CU_CO[1:4]
    dev = pillar(stacks.layers(rows), width=20 * NM, depth=20 * NM, lateral_size=5 * NM)
    laws = {
        "F1|N": SpinConductance.from_ARb(0.51e-15, 0.77),
        "N|F2": SpinConductance.from_ARb(0.3e-15),
    }
    contacts = [Contact("top", voltage=1.0), Contact("bottom", voltage=0.0)]
    prob = TwoCurrentProblem(dev, stacks.materials(rows), contacts, interfaces=laws)
    lay = build_layout(dev, laws)
    system = BlockSystem(lay, prob._coefficients(), Scale.of(dev), prob._effective_laws(lay))
    _, bcs, _ = prob._contact_conditions(system, lay)
    return system, bcs


def vector() -> tuple[object, list]:
    dev = bilayer(16 * NM, 3 * NM, 2 * NM, width=6 * NM, dim=3, size=1.5 * NM, comm=comm)
    mats = {
        "HM": Material("HM", sigma=4e6, l_sf=2e-9, theta_sh=0.1),
        "FM": Material("FM", sigma=3e6, l_sf=5e-9, P=0.5),
    }
    laws = {"HM|FM": MixingConductance(G_up=1e15, G_dn=5e14, G_r=5e14, G_i=1e14)}
    contacts = [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)]
    m = tuple(np.array([1.0, 2.0, 2.0]) / 3.0)
    c = VectorSpinProblem(dev, mats, contacts, {"FM": m}, interfaces=laws)._compile()
    return c["system"], c["bcs"]


def main(path: str) -> None:
    out = {}
    for name, make in (("collinear", collinear), ("vector", vector)):
        system, bcs = make()
        A = blockmatrix.create_block_matrix(system.spaces, system.layout.cell_couplings())
        compat.assemble_block_matrix_into(A, system.a, bcs)
        B = compat.assemble_block_matrix(system.a, bcs, nest=False)
        D = B.copy()
        D.axpy(-1.0, A, structure=PETSc.Mat.Structure.DIFFERENT)
        mallocs = comm.allreduce(A.getInfo(PETSc.Mat.InfoType.LOCAL)["mallocs"])
        out[name] = {
            "mallocs": mallocs,
            "blocks": system.nblocks,
            "nnz": A.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM)["nz_used"],
            "nnz_dolfinx": B.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM)["nz_used"],
            "max_diff": D.norm(PETSc.NormType.INFINITY),
            "norm": B.norm(PETSc.NormType.INFINITY),
            "same_rows": A.getOwnershipRange() == B.getOwnershipRange(),
            "block_size": A.getBlockSize(),
            "unknowns": A.getSize()[0],
        }
        for mat in (A, B, D):
            mat.destroy()
    same = comm.allreduce(all(v["same_rows"] for v in out.values()), op=MPI.LAND)
    for v in out.values():
        v["same_rows"] = same
    if comm.rank == 0:
        Path(path).write_text(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
