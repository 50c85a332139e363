#!/usr/bin/env python3
"""Diagnostic (not a test): hypre BoomerAMG setup time on the benchmark operator, driven
through hypre's own API (no PETSc in between), with the Galerkin product done by
``BuildCoarseOperatorKT`` (hypre's and PETSc's CPU default), by two ``ParMatmul``
products (RAP2) or by hypre's modular triple product (``ModuleRAP2``, optionally keeping
the transposes): ``--variants KT,RAP2,modular,modular+keepT``.

Why it exists: `bench.py --np2` showed the BoomerAMG setup barely speeding up from 1 to
2 ranks; the default and RAP2 products scan the rows sent to other ranks once per local
coarse row, the modular product does not, and spinfem now selects it on several ranks
(``compat.boomeramg_modular_rap``, docs/performance.md). This script separates hypre
from PETSc and spinfem:

    bash scripts/env.sh run python3 scripts/amg_setup_scaling.py --size 8
    bash scripts/env.sh run mpirun -n 2 python3 scripts/amg_setup_scaling.py --size 8
    # the machine's own limit: two independent half-size runs at once
    bash scripts/env.sh run python3 scripts/amg_setup_scaling.py --size 6.35 &
    bash scripts/env.sh run python3 scripts/amg_setup_scaling.py --size 6.35; wait

Same AMG options as ``spinfem.solvers.AMG_OPTIONS`` (HMIS, ext+i, P_max 4, threshold
0.25, 2 functions). Needs a hypre built with 32-bit integers (Debian's).
"""

from __future__ import annotations

import argparse
import ctypes as C
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench

PARCSR = 5555  # HYPRE_PARCSR
HMIS, EXT_I = 10, 6


def main() -> None:
    from mpi4py import MPI

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=float, default=8.0, help="bench.py refinement factor r")
    p.add_argument("--reps", type=int, default=2)
    p.add_argument("--variants", default="KT,RAP2,modular,modular+keepT")
    opts = p.parse_args()
    comm = MPI.COMM_WORLD
    dev, mats, laws = bench.build_device(bench.parse_args(["--sizes", str(opts.size)]), opts.size)
    prob = bench.Collinear(dev, mats, laws)
    A, _ = prob.assemble()
    indptr, cols, vals = A.getValuesCSR()
    r0, r1 = A.getOwnershipRange()
    hypre = C.CDLL("libHYPRE.so", mode=C.RTLD_GLOBAL)
    handle = C.c_void_p(MPI._handleof(comm))

    def ptr(a: np.ndarray) -> C.c_void_p:
        return a.ctypes.data_as(C.c_void_p)

    mat = C.c_void_p()
    hypre.HYPRE_IJMatrixCreate(handle, r0, r1 - 1, r0, r1 - 1, C.byref(mat))
    hypre.HYPRE_IJMatrixSetObjectType(mat, PARCSR)
    sizes = np.diff(indptr).astype(np.int32)
    hypre.HYPRE_IJMatrixSetRowSizes(mat, ptr(sizes))
    hypre.HYPRE_IJMatrixInitialize(mat)
    rows = np.arange(r0, r1, dtype=np.int32)
    cols32, vals64 = cols.astype(np.int32), vals.astype(np.float64)
    hypre.HYPRE_IJMatrixSetValues(mat, r1 - r0, ptr(sizes), ptr(rows), ptr(cols32), ptr(vals64))
    hypre.HYPRE_IJMatrixAssemble(mat)
    par = C.c_void_p()
    hypre.HYPRE_IJMatrixGetObject(mat, C.byref(par))
    vecs = []
    for _ in range(2):
        v, vpar = C.c_void_p(), C.c_void_p()
        hypre.HYPRE_IJVectorCreate(handle, r0, r1 - 1, C.byref(v))
        hypre.HYPRE_IJVectorSetObjectType(v, PARCSR)
        hypre.HYPRE_IJVectorInitialize(v)
        hypre.HYPRE_IJVectorAssemble(v)
        hypre.HYPRE_IJVectorGetObject(v, C.byref(vpar))
        vecs.append((v, vpar))
    # (RAP2, ModuleRAP2, KeepTranspose)
    variants = {
        "KT": (0, 0, 0),
        "RAP2": (1, 0, 0),
        "modular": (0, 1, 0),
        "modular+keepT": (0, 1, 1),
    }
    for name in opts.variants.split(",") * opts.reps:
        rap2, modular, keept = variants[name]
        amg = C.c_void_p()
        hypre.HYPRE_BoomerAMGCreate(C.byref(amg))
        hypre.HYPRE_BoomerAMGSetStrongThreshold(amg, C.c_double(0.25))
        hypre.HYPRE_BoomerAMGSetCoarsenType(amg, HMIS)
        hypre.HYPRE_BoomerAMGSetInterpType(amg, EXT_I)
        hypre.HYPRE_BoomerAMGSetPMaxElmts(amg, 4)
        hypre.HYPRE_BoomerAMGSetNumFunctions(amg, 2)
        hypre.HYPRE_BoomerAMGSetMaxIter(amg, 1)
        hypre.HYPRE_BoomerAMGSetTol(amg, C.c_double(0.0))
        hypre.HYPRE_BoomerAMGSetRAP2(amg, rap2)
        hypre.HYPRE_BoomerAMGSetModuleRAP2(amg, modular)
        hypre.HYPRE_BoomerAMGSetKeepTranspose(amg, keept)
        comm.Barrier()
        t0 = time.perf_counter()
        hypre.HYPRE_BoomerAMGSetup(amg, par, vecs[0][1], vecs[1][1])
        comm.Barrier()
        dt = time.perf_counter() - t0
        if comm.rank == 0:
            print(
                f"ranks {comm.size}, unknowns {prob.dofs}, {name}: setup {dt:.2f} s",
                flush=True,
            )
        hypre.HYPRE_BoomerAMGDestroy(amg)
    for v, _ in vecs:
        hypre.HYPRE_IJVectorDestroy(v)
    hypre.HYPRE_IJMatrixDestroy(mat)
    A.destroy()


if __name__ == "__main__":
    main()
