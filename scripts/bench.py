#!/usr/bin/env python3
"""spinfem solver benchmark (not a test): coupled solve vs dolfinx Poisson vs a vector triad.

For each size of a 3D rectangular multi-layer pillar this script, in ONE process and
alternating repetitions (operators re-assembled every repetition, so PETSc really
rebuilds the preconditioner), times

- spinfem: assembly of the (V, mu_s) operator and right-hand side, preconditioner setup,
  solve (the iterative path, forced even for small sizes);
- a plain dolfinx scalar P1 Poisson problem -div(sigma grad u) = 0 on the same mesh with
  the same contacts, solved with the same Krylov method and BoomerAMG options;
- a STREAM-like triad w = a x + y (PETSc VecWAXPY) on vectors of the matrix's size class;

and prints per size: DOFs, iterations, setup+solve time per DOF vs Poisson, assembly
ratio, MatMult bandwidth (bytes from nnz) vs the triad, the cost of one preconditioner
application in MatMult-equivalents, peak memory per DOF, and (``--np2``) the 1 -> 2
rank speedup from a re-launch under ``mpirun -n 2``. Medians over repetitions.

Usage (inside the environment: ``bash scripts/env.sh run python3 scripts/bench.py ...``):

    python3 scripts/bench.py                          # Co/Cu/Co, sizes 2.4,4.8,9.6 (~2.3M DOFs)
    python3 scripts/bench.py --sizes 1,2 --reps 2     # quick look
    python3 scripts/bench.py --stack Py:5,Cu:10,Co:5 --width 200e-9 --interfaces
    python3 scripts/bench.py --np2                    # plus the mpirun -n 2 speedup
    python3 scripts/bench.py --jit-check              # a second `spinfem demo` compiles nothing
    python3 scripts/bench.py --sizes 9.6 --refine 2   # gmsh meshes r = 2.4, refined twice
    python3 scripts/bench.py --model vector --sizes 1.5,3,6 --reps 2   # 4-field, Pt valve

``--sizes`` are refinement factors r: lateral element size = width / (8 r), elements
across a layer of thickness t = round(max(3, t / 5 nm) r); doubling r gives ~8x DOFs.
``--model vector`` times the 4-field (V, mu_vec) operator (GMRES) instead of (V, mu_s) (CG)
on ``pt-valve`` by default (Cu 10 / Pt 5 / Co 5 / Cu 10 / Co 5 / Cu 10 nm, non-collinear
magnetizations, spin Hall in Pt). ``--stack`` is ``co-cu-co`` (collinear default),
``trilayer`` (Py 5 / Cu 10 / Co 5 nm), or a list ``Material:thickness_nm[,...]`` of
:mod:`spinfem.library` materials, bottom to top.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NM = 1e-9
STACKS = {
    "co-cu-co": "Cu:20,Co:10,Cu:10,Co:5,Cu:20",
    "trilayer": "Py:5,Cu:10,Co:5",
    "pt-valve": "Cu:10,Pt:5,Co:5,Cu:10,Co:5,Cu:10",
}
#: magnetization of the i-th magnetic layer of ``--model vector`` (unit vectors, all
#: non-collinear with each other and with the spin Hall spins of the lateral faces)
M_DIRS = [(0.6, 0.0, 0.8), (0.0, 0.8, 0.6), (0.8, 0.6, 0.0)]
TARGETS = {
    "ratio_collinear": 3.0,
    "ratio_vector": 5.0,
    "its_max": 15,
    "its_growth_per_8x": 2,
    "pc_matvecs": 20.0,
    "bandwidth_fraction": 0.6,
    "speedup_2": 1.6,
}
REPO = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="2.4,4.8,9.6", help="refinement factors, comma-separated")
    p.add_argument(
        "--stack",
        default=None,
        help="co-cu-co (collinear default) | pt-valve (vector default) | trilayer | Mat:t_nm,...",
    )
    p.add_argument("--width", type=float, default=100e-9, help="pillar width along x [m]")
    p.add_argument("--depth", type=float, default=None, help="pillar depth along y [m]")
    p.add_argument("--interfaces", action="store_true", help="Co/Cu-like AR_b on every interface")
    p.add_argument("--model", default="collinear", choices=["collinear", "vector"])
    p.add_argument("--reps", type=int, default=3, help="repetitions (median)")
    p.add_argument("--rtol", type=float, default=1e-8, help="relative residual tolerance")
    p.add_argument("--matvecs", type=int, default=10, help="MatMult calls per timing")
    p.add_argument(
        "--refine",
        type=int,
        default=0,
        help="mesh at r / 2^K with gmsh, then refine K times on all ranks (spinfem.refine)",
    )
    p.add_argument("--np2", action="store_true", help="also run under mpirun -n 2: speedup")
    p.add_argument("--json", default=None, help="write the results as JSON here")
    p.add_argument("--jit-check", action="store_true", help="count FFCx compiles of 2 demos")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        help="extra PETSc option KEY=VALUE (no prefix) for both spinfem and Poisson AMG",
    )
    args = p.parse_args(argv)
    if args.stack is None:
        args.stack = "pt-valve" if args.model == "vector" else "co-cu-co"
    if args.refine < 0:
        p.error(f"--refine: passes must be >= 0, got {args.refine}")
    return args


# ----------------------------------------------------------------------------- device
def stack_rows(spec: str) -> list[tuple[str, Any, float]]:
    """(region, Material, thickness [m]) bottom to top from a stack spec."""
    from spinfem import library

    spec = STACKS.get(spec, spec)
    rows = []
    for i, item in enumerate(spec.split(",")):
        name, _, t = item.partition(":")
        mat = getattr(library, name.strip(), None)
        if mat is None or not t:
            raise SystemExit(f"--stack: '{item}' is not Material:thickness_nm (library names)")
        rows.append((f"L{i}_{name.strip()}", mat, float(t) * NM))
    return rows


def build_device(args: argparse.Namespace, r: float) -> tuple[Any, dict, dict]:
    from spinfem.geometry import Layer, pillar
    from spinfem.interfaces import SpinConductance

    rows = stack_rows(args.stack)
    r = r / 2**args.refine  # each refinement pass halves the elements' size
    layers = [Layer(n, t, elements=max(1, round(max(3, t / (5 * NM)) * r))) for n, _, t in rows]
    mats = {n: m for n, m, _ in rows}
    dev = pillar(
        layers,
        width=args.width,
        depth=args.depth or args.width,
        lateral_size=args.width / (8 * r),
        materials=mats,
    )
    if args.refine:
        from spinfem.refine import refine

        dev = refine(dev, args.refine)
    laws = {}
    if args.interfaces:
        law = SpinConductance.from_ARb(0.51e-15, 0.77)
        laws = {f"{a[0]}|{b[0]}": law for a, b in itertools.pairwise(rows)}
    return dev, mats, laws


# ----------------------------------------------------------------------------- problems
class Collinear:
    """The spinfem (V, mu_s) operator of the device with V = 1 on top, 0 at the bottom."""

    symmetric = True

    def __init__(self, dev: Any, mats: dict, laws: dict) -> None:
        import numpy as np
        from dolfinx import fem

        from spinfem.contacts import Contact
        from spinfem.layout import build_layout
        from spinfem.physics.scale import Scale
        from spinfem.problem import TwoCurrentProblem
        from spinfem.system import BlockSystem

        contacts = [Contact("top", voltage=1.0), Contact("bottom", voltage=0.0)]
        prob = TwoCurrentProblem(dev, mats, contacts, interfaces=laws)
        lay = build_layout(dev, laws)
        self.system = BlockSystem(
            lay, prob._coefficients(), Scale.of(dev), prob._effective_laws(lay)
        )
        self.bcs = []
        for name, value in (("top", 1.0), ("bottom", 0.0)):
            facets = dev.facets(name)
            for blk in range(self.system.nblocks):
                verts = lay.block_vertices_of_facets(blk, facets, side_cells=True)
                space = self.system.spaces[blk]
                dv = self.system.vertex_dofs(blk, verts, 0)
                dm = self.system.vertex_dofs(blk, verts, 1)
                self.bcs += [
                    fem.dirichletbc(np.float64(value), dv, space.sub(0)),
                    fem.dirichletbc(np.float64(0.0), dm, space.sub(1)),
                ]
        self.dofs = self.system.num_unknowns

    def assemble(self) -> tuple[Any, Any]:
        return self.system.matrix(self.bcs), self.system.rhs(self.bcs)


class Vector:
    """The spinfem (V, mu_x, mu_y, mu_z) operator of the device, V = 1 on top, 0 at the
    bottom: every magnetic layer (P != 0) gets a different non-collinear m (M_DIRS), spin
    Hall angles of the library materials on (Pt), so the operator is non-symmetric."""

    symmetric = False

    def __init__(self, dev: Any, mats: dict, laws: dict) -> None:
        from spinfem.contacts import Contact
        from spinfem.vector_problem import SOLVER_SPLITS, VectorSpinProblem

        self.splits = SOLVER_SPLITS  # the preconditioner VectorSpinProblem uses
        magnets = [n for n, m in mats.items() if m.P != 0]
        mag = {n: M_DIRS[i % len(M_DIRS)] for i, n in enumerate(magnets)}
        contacts = [Contact("top", voltage=1.0), Contact("bottom", voltage=0.0)]
        prob = VectorSpinProblem(dev, mats, contacts, mag, interfaces=laws)
        c = prob._compile()
        for val, v in zip(c["values"], (1.0, 0.0), strict=True):
            val.value = v
        self.system, self.bcs = c["system"], c["bcs"]
        self.dofs = self.system.num_unknowns

    def assemble(self) -> tuple[Any, Any]:
        return self.system.matrix(self.bcs), self.system.rhs(self.bcs)


class Poisson:
    """Scalar P1 -div(sigma grad u) = 0, u = 1 on top, 0 at the bottom (plain dolfinx)."""

    symmetric = True

    def __init__(self, dev: Any, mats: dict) -> None:
        import numpy as np
        import ufl
        from dolfinx import fem

        from spinfem.fields import piecewise_constant

        msh = dev.mesh
        V = fem.functionspace(msh, ("Lagrange", 1))
        sigma = piecewise_constant(dev, {n: m.sigma for n, m in mats.items()}, "sigma_S_per_m")
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self.a = fem.form(sigma * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx)
        self.L = fem.form(fem.Constant(msh, np.float64(0.0)) * v * ufl.dx)
        fdim = msh.topology.dim - 1
        self.bcs = [
            fem.dirichletbc(np.float64(val), fem.locate_dofs_topological(V, fdim, dev.facets(n)), V)
            for n, val in (("top", 1.0), ("bottom", 0.0))
        ]
        self.dofs = V.dofmap.index_map.size_global

    def assemble(self) -> tuple[Any, Any]:
        from dolfinx.fem import petsc
        from petsc4py import PETSc

        from spinfem import compat

        A = compat.assemble_matrix(self.a, self.bcs)
        b = compat.create_vector(self.L)
        with b.localForm() as loc:
            loc.set(0.0)
        petsc.assemble_vector(b, self.L)
        petsc.apply_lifting(b, [self.a], bcs=[self.bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        petsc.set_bc(b, self.bcs)
        return A, b


# ----------------------------------------------------------------------------- timing
def _sync_time(comm: Any) -> float:
    comm.Barrier()
    return time.perf_counter()


def run_solver(problem: Any, settings: Any, comm: Any, nmv: int) -> dict[str, float]:
    """One repetition: assemble, set up, solve, then time MatMult and PCApply."""
    from petsc4py import PETSc

    from spinfem.solvers import LinearSolver

    t0 = _sync_time(comm)
    A, b = problem.assemble()
    t1 = _sync_time(comm)
    splits = getattr(problem, "splits", None)
    solver = LinearSolver(A, settings, symmetric=problem.symmetric, splits=splits)
    t2 = _sync_time(comm)
    x = A.createVecRight()
    solver.solve(b, x, what="benchmark")
    t3 = _sync_time(comm)
    y = A.createVecLeft()
    A.mult(b, y)  # warm-up
    t4 = _sync_time(comm)
    for _ in range(nmv):
        A.mult(b, y)
    matvec = (_sync_time(comm) - t4) / nmv
    pc = solver.ksp.getPC()
    npc = max(2, nmv // 4)
    t5 = _sync_time(comm)
    for _ in range(npc):
        pc.apply(b, y)
    pcapply = (_sync_time(comm) - t5) / npc
    nnz = A.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM)["nz_used"]
    nrows = A.getSize()[0]
    out = {
        "assembly_s": t1 - t0,
        "setup_s": t2 - t1,
        "solve_s": t3 - t2,
        "iterations": solver.last_iterations,
        "matvec_s": matvec,
        "pcapply_s": pcapply,
        "nnz": nnz,
        "matrix_bytes": nnz * (8 + 4) + nrows * 4,  # CSR storage
        # CSR MatMult traffic: values + column indices, row offsets, x read once, y written
        "matvec_bytes": nnz * (8 + 4) + nrows * (4 + 8 + 8),
        "solver": solver.description,
    }
    # destroy explicitly: petsc4py defers freeing parallel objects that are garbage
    # collected (a lingering PC reference leaked its hypre hierarchy on 2 ranks)
    for obj in (pc, solver, A, b, x, y):
        obj.destroy()
    return out


def run_triad(n: int, comm: Any, reps: int) -> float:
    """Bandwidth [B/s] of w = a x + y on three distributed vectors of global size n."""
    from petsc4py import PETSc

    x = PETSc.Vec().createMPI(n, comm=comm)
    y, w = x.duplicate(), x.duplicate()
    x.set(1.0)
    y.set(2.0)
    w.waxpy(0.5, x, y)
    t0 = _sync_time(comm)
    for _ in range(reps):
        w.waxpy(0.5, x, y)
    dt = (_sync_time(comm) - t0) / reps
    for v in (x, y, w):
        v.destroy()
    return 3 * 8 * n / dt


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM (Linux >= 4.0: write 5 to /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def vm_hwm_bytes(comm: Any) -> float:
    """Sum over ranks of VmHWM [B] (peak RSS since the last reset; NaN if unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return comm.allreduce(float(line.split()[1]) * 1024.0)
    except OSError:
        pass
    return comm.allreduce(float("nan"))


def peak_rss_bytes(comm: Any) -> float:
    """Sum over ranks of the peak resident set size [B] (Linux ru_maxrss is in KiB)."""
    return comm.allreduce(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0)


def bench_size(args: argparse.Namespace, r: float, comm: Any) -> dict[str, Any]:
    from spinfem.solvers import SolverSettings

    extra = dict(kv.split("=", 1) for kv in args.option)
    t0 = _sync_time(comm)
    dev, mats, laws = build_device(args, r)
    t_mesh = _sync_time(comm) - t0
    spin = (Vector if args.model == "vector" else Collinear)(dev, mats, laws)
    pois = Poisson(dev, mats)
    t_forms = _sync_time(comm) - t0 - t_mesh
    common = {"direct_max_dofs": 0, "rtol": args.rtol, "petsc_options": extra}
    s_spin = SolverSettings(prefix="spinfem_", **common)
    s_pois = SolverSettings(prefix="poisson_", **common)
    peak_total = peak_rss_bytes(comm)  # meshing (gmsh) included
    reset_peak_rss()
    reps: dict[str, list[dict[str, Any]]] = {"spin": [], "pois": []}
    triad = []
    for _ in range(args.reps):  # alternate: spinfem, Poisson, triad
        reps["spin"].append(run_solver(spin, s_spin, comm, args.matvecs))
        reps["pois"].append(run_solver(pois, s_pois, comm, args.matvecs))
        nvec = max(1_000_000, int(reps["spin"][-1]["matvec_bytes"] / 24))
        triad.append(run_triad(nvec, comm, args.matvecs))

    def med(which: str, key: str) -> float:
        return statistics.median(rec[key] for rec in reps[which])

    res: dict[str, Any] = {
        "r": r,
        "ranks": comm.size,
        "dofs": spin.dofs,
        "poisson_dofs": pois.dofs,
        "blocks": spin.system.nblocks,
        "mesh_s": t_mesh,
        "forms_s": t_forms,
        "triad_Bps": statistics.median(triad),
        "peak_rss_B": max(peak_total, peak_rss_bytes(comm)),
        # peak while solving (mesh, forms and both problems alive): VmHWM reset after meshing
        "solve_peak_rss_B": vm_hwm_bytes(comm),
    }
    for which in ("spin", "pois"):
        for key in reps[which][0]:
            if key == "solver":
                res[f"{which}_solver"] = reps[which][0][key]
            else:
                res[f"{which}_{key}"] = med(which, key)
        res[f"{which}_iterations_all"] = [rec["iterations"] for rec in reps[which]]
    del spin, pois, dev
    gc.collect()
    return res


# ----------------------------------------------------------------------------- report
def derive(res: dict[str, Any]) -> dict[str, float]:
    """Ratios and rates of one size."""
    n, npois = res["dofs"], res["poisson_dofs"]
    spin_ss = (res["spin_setup_s"] + res["spin_solve_s"]) / n
    pois_ss = (res["pois_setup_s"] + res["pois_solve_s"]) / npois
    return {
        "ratio_setup_solve": spin_ss / pois_ss,
        "ratio_assembly": (res["spin_assembly_s"] / n) / (res["pois_assembly_s"] / npois),
        "ratio_total": (spin_ss + res["spin_assembly_s"] / n)
        / (pois_ss + res["pois_assembly_s"] / npois),
        "spin_ns_per_dof": 1e9 * spin_ss,
        "pois_ns_per_dof": 1e9 * pois_ss,
        "matvec_GBps": res["spin_matvec_bytes"] / res["spin_matvec_s"] / 1e9,
        "pois_matvec_GBps": res["pois_matvec_bytes"] / res["pois_matvec_s"] / 1e9,
        "triad_GBps": res["triad_Bps"] / 1e9,
        "bandwidth_fraction": res["spin_matvec_bytes"] / res["spin_matvec_s"] / res["triad_Bps"],
        "pc_matvecs": res["spin_pcapply_s"] / res["spin_matvec_s"],
        "pois_pc_matvecs": res["pois_pcapply_s"] / res["pois_matvec_s"],
        "rss_B_per_dof": res["peak_rss_B"] / n,
        "solve_rss_B_per_dof": res.get("solve_peak_rss_B", float("nan")) / n,
        "matrix_B_per_dof": res["spin_matrix_bytes"] / n,
    }


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"spinfem bench: stack {args.stack} ({STACKS.get(args.stack, args.stack)} nm), "
        f"width {args.width:g} m, interfaces {'AR_b' if args.interfaces else 'transparent'}, "
        f"model {args.model}, rtol {args.rtol:g}, {results[0]['ranks']} rank(s), "
        f"median of {args.reps}; solver {results[0]['spin_solver']}"
        + (f"; gmsh mesh refined {args.refine}x on all ranks" if args.refine else ""),
        f"{'DOFs':>9} {'blk':>3} {'its':>4} {'P its':>5} {'ss/DOF':>7} {'asm':>5} "
        f"{'tot':>5} {'ns/DOF':>7} {'P ns/DOF':>8} {'MV GB/s':>7} {'triad':>6} {'MV/tr':>5} "
        f"{'PC MV':>6} {'P PC MV':>7} {'RSS B/DOF':>9} {'solve':>6} {'A B/DOF':>7}",
    ]
    for res in results:
        d = derive(res)
        lines.append(
            f"{res['dofs']:>9d} {res['blocks']:>3d} {res['spin_iterations']:>4.0f} "
            f"{res['pois_iterations']:>5.0f} {d['ratio_setup_solve']:>7.2f} "
            f"{d['ratio_assembly']:>5.2f} {d['ratio_total']:>5.2f} {d['spin_ns_per_dof']:>7.0f} "
            f"{d['pois_ns_per_dof']:>8.0f} {d['matvec_GBps']:>7.2f} {d['triad_GBps']:>6.2f} "
            f"{d['bandwidth_fraction']:>5.2f} {d['pc_matvecs']:>6.1f} {d['pois_pc_matvecs']:>7.1f} "
            f"{d['rss_B_per_dof']:>9.0f} {d['solve_rss_B_per_dof']:>6.0f} "
            f"{d['matrix_B_per_dof']:>7.0f}"
        )
    lines.append(
        "columns: ss/DOF = spinfem (setup+solve)/DOF over Poisson's; asm = assembly/DOF ratio; "
        "tot = all three; MV/tr = MatMult bandwidth / triad bandwidth; PC MV = one "
        "preconditioner application in MatMult times; RSS = peak resident memory (all ranks, "
        "gmsh meshing included); solve = peak RSS while solving (mesh and forms alive)"
    )
    lines.extend(check_targets(results, args))
    return "\n".join(lines)


def check_targets(results: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    out = ["targets (largest size unless stated):"]
    big = results[-1]
    d = derive(big)
    limit = TARGETS["ratio_collinear" if args.model == "collinear" else "ratio_vector"]
    its = [res["spin_iterations"] for res in results]

    def line(ok: bool, text: str) -> None:
        out.append(f"  [{'met ' if ok else 'MISS'}] {text}")

    line(
        d["ratio_setup_solve"] <= limit,
        f"setup+solve/DOF {d['ratio_setup_solve']:.2f}x Poisson <= {limit}",
    )
    line(max(its) <= TARGETS["its_max"], f"iterations {its} <= {TARGETS['its_max']}")
    for a, b in itertools.pairwise(results):
        growth = (b["spin_iterations"] - a["spin_iterations"]) / max(
            math.log(b["dofs"] / a["dofs"], 8), 1e-12
        )
        line(
            growth <= TARGETS["its_growth_per_8x"],
            f"iteration growth {growth:+.1f} per 8x DOFs ({a['dofs']} -> {b['dofs']}) "
            f"<= {TARGETS['its_growth_per_8x']}",
        )
    line(
        d["pc_matvecs"] <= TARGETS["pc_matvecs"],
        f"PC application {d['pc_matvecs']:.1f} MatMults <= 20",
    )
    line(
        d["bandwidth_fraction"] >= TARGETS["bandwidth_fraction"],
        f"MatMult {d['bandwidth_fraction']:.2f} of triad bandwidth >= 0.6",
    )
    return out


def speedup_lines(serial: list[dict[str, Any]], par: list[dict[str, Any]]) -> list[str]:
    out = ["1 -> 2 ranks (same sizes, separate run):"]
    for s, p in zip(serial, par, strict=False):
        t1 = s["spin_setup_s"] + s["spin_solve_s"]
        t2 = p["spin_setup_s"] + p["spin_solve_s"]
        a1, a2 = s["spin_assembly_s"], p["spin_assembly_s"]
        q1 = s["pois_setup_s"] + s["pois_solve_s"]
        q2 = p["pois_setup_s"] + p["pois_solve_s"]
        per_rank = s["dofs"] // 2
        ok = t1 / t2 >= TARGETS["speedup_2"]
        tag = ("met " if ok else "MISS") if per_rank >= 200_000 else "n/a "
        out.append(
            f"  [{tag}] {s['dofs']} DOFs ({per_rank} per rank): setup+solve {t1 / t2:.2f}x "
            f"(its {s['spin_iterations']:.0f} -> {p['spin_iterations']:.0f}), assembly "
            f"{a1 / a2:.2f}x, Poisson setup+solve {q1 / q2:.2f}x; target >= 1.6 at >= 200k/rank"
        )
        out.append(
            f"         whole spinfem solve (assembly+setup+solve) {(a1 + t1) / (a2 + t2):.2f}x "
            "(the tag above is for setup+solve alone)"
        )

        def ratio(key: str, s: dict = s, p: dict = p) -> float:
            return s[key] / p[key]

        out.append(
            f"         phases: setup {ratio('spin_setup_s'):.2f}x, "
            f"solve {ratio('spin_solve_s'):.2f}x, MatMult {ratio('spin_matvec_s'):.2f}x, "
            f"PC application {ratio('spin_pcapply_s'):.2f}x, "
            f"Poisson setup {ratio('pois_setup_s'):.2f}x, triad bandwidth "
            f"{p['triad_Bps'] / s['triad_Bps']:.2f}x"
        )
    return out


def relaunch(argv: list[str], nprocs: int) -> dict[str, Any]:
    """Run this script (without --np2) on ``nprocs`` ranks in a child; return its JSON."""
    scratch = REPO / ".scratch"
    fd, out = tempfile.mkstemp(suffix=".json", dir=scratch if scratch.is_dir() else None)
    os.close(fd)
    keep = [a for a in argv if a != "--np2"]
    if "--json" in keep:
        i = keep.index("--json")
        del keep[i : i + 2]
    cmd = [sys.executable, __file__, *keep, "--json", out]
    if nprocs > 1:
        mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
        if mpirun is None:
            raise SystemExit("--np2: no mpirun")
        cmd = [mpirun, "-n", str(nprocs), *cmd]
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    print("running:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env)
    data = json.loads(Path(out).read_text())
    os.unlink(out)
    return data


# ----------------------------------------------------------------------------- JIT cache
_COUNT = r"""
import sys, ffcx.codegeneration.jit as j
n = [0]
orig = j._compile_objects
def counted(*a, **k):
    n[0] += 1
    return orig(*a, **k)
j._compile_objects = counted
from spinfem.cli import main
rc = main(["demo", "--out", sys.argv[1]])
print("FFCX_COMPILES", n[0])
sys.exit(rc)
"""


def jit_check() -> list[str]:
    """Run `spinfem demo` twice with a fresh JIT cache; count FFCx compilations."""
    home = Path(
        tempfile.mkdtemp(
            prefix="jit-home-", dir=REPO / ".scratch" if (REPO / ".scratch").is_dir() else None
        )
    )
    # dolfinx caches under $XDG_CACHE_HOME/fenics (default ~/.cache/fenics)
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"))
    counts, times = [], []
    for i in range(2):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", _COUNT, str(home / f"demo{i}")],
            capture_output=True,
            text=True,
            env=env,
        )
        times.append(time.perf_counter() - t0)
        if proc.returncode:
            raise SystemExit(f"demo failed:\n{proc.stdout}\n{proc.stderr}")
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("FFCX_COMPILES")][-1]
        counts.append(int(line.split()[1]))
    shutil.rmtree(home, ignore_errors=True)
    ok = counts[1] == 0
    return [
        f"JIT: `spinfem demo` with an empty cache: {counts[0]} FFCx compilations, "
        f"{times[0]:.1f} s; second run: {counts[1]} compilations, {times[1]:.1f} s",
        f"  [{'met ' if ok else 'MISS'}] a second run of the demo compiles nothing",
    ]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    if args.jit_check:
        if comm.rank == 0:
            print("\n".join(jit_check()), flush=True)
        return 0
    if args.np2 and comm.size == 1:
        # the 1- and 2-rank runs each in a child, one after the other, so this process
        # holds no memory while the other runs
        one = relaunch(argv, 1)
        two = relaunch(argv, 2)
        text = "\n".join(speedup_lines(one["results"], two["results"]))
        print(text, flush=True)
        if args.json:
            payload = {"args": vars(args), "results": one["results"]}
            payload["results_np2"] = two["results"]
            payload["speedup"] = text
            Path(args.json).write_text(json.dumps(payload, indent=1))
        return 0
    results = []
    for r in (float(s) for s in args.sizes.split(",")):
        res = bench_size(args, r, comm)
        results.append(res)
        if comm.rank == 0:
            print(
                f"size r={r:g}: {res['dofs']} DOFs, mesh {res['mesh_s']:.1f} s, forms "
                f"{res['forms_s']:.1f} s, its {res['spin_iterations_all']}, Poisson its "
                f"{res['pois_iterations_all']}",
                flush=True,
            )
        if args.json and comm.rank == 0:  # after every size: partial results survive
            Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}))
    text = report(results, args)
    if comm.rank == 0:
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
