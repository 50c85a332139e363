"""Command line: ``spinfem demo``, ``spinfem info``.

Errors a user can cause are :class:`~spinfem.errors.SpinfemError`: they are raised on
every rank alike, printed once (rank 0) as ``spinfem: error: ...`` and end every rank
with the same exit code (2 input, 3 solver, 4 output). Any other exception is a bug:
its traceback is printed and, under MPI, the whole job is aborted so nothing hangs.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from mpi4py import MPI

import spinfem
from spinfem.errors import SpinfemError
from spinfem.log import setup_logging

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from spinfem.demo import format_demo, run_demo

    summary = run_demo(out=args.out, radius=args.radius_nm * 1e-9, interfaces=args.interfaces)
    if MPI.COMM_WORLD.rank == 0:
        print(format_demo(summary), flush=True)
    return 0


def _info(args: argparse.Namespace) -> int:
    import dolfinx
    import gmsh
    from petsc4py import PETSc

    if MPI.COMM_WORLD.rank == 0:
        ver = PETSc.Sys.getVersion()
        print(f"spinfem {spinfem.__version__}")
        print(
            f"  dolfinx {dolfinx.__version__}, PETSc {'.'.join(map(str, ver))}, "
            f"gmsh {gmsh.__version__}, MPI ranks {MPI.COMM_WORLD.size}"
        )
        print(
            f"  PETSc: MUMPS {PETSc.Sys.hasExternalPackage('mumps')}, "
            f"hypre {PETSc.Sys.hasExternalPackage('hypre')}"
        )
        print(
            "  models: collinear two-current (Valet-Fert) drift-diffusion with transparent "
            "interfaces, voltage/current contacts"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spinfem", description=spinfem.__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"spinfem {spinfem.__version__}")
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="Co/Cu/Co CPP-GMR pillar: RA_P, RA_AP, GMR, fields")
    demo.add_argument("--out", default="spinfem-demo", help="run directory (replaced)")
    demo.add_argument("--radius-nm", type=float, default=50.0, help="pillar radius [nm]")
    demo.add_argument(
        "--interfaces",
        action="store_true",
        help="Co/Cu interface resistances AR_b* = 0.51 fOhm m^2, gamma = 0.77 (Bass-Pratt)",
    )
    demo.set_defaults(func=_demo)
    info = sub.add_parser("info", help="versions and capabilities")
    info.set_defaults(func=_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    comm = MPI.COMM_WORLD
    try:
        return int(args.func(args) or 0)
    except SpinfemError as exc:
        if comm.rank == 0:
            print(f"spinfem: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except Exception:
        traceback.print_exc()
        sys.stderr.flush()
        if comm.size > 1:
            comm.Abort(1)
        return 1


if __name__ == "__main__":
    sys.exit(main())
