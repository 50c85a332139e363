"""Command line: ``spinfem run|check|plot|render|demo|info``.

Errors a user can cause are :class:`~spinfem.errors.SpinfemError`: they are raised on
every rank alike, printed once (rank 0) as ``spinfem: error: ...`` and end every rank
with the same exit code (2 input, 3 solver, 4 output, 5 transient run interrupted by
SIGTERM/SIGINT/SIGUSR1 after writing a checkpoint). An error raised on one rank only
ends the whole job with its exit code; any other exception is a bug: its traceback is
printed and, under MPI, the whole job is aborted so nothing hangs
(:func:`spinfem.parallel.run_collective`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mpi4py import MPI

import spinfem
from spinfem.errors import InputError
from spinfem.log import setup_logging
from spinfem.parallel import run_collective

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from spinfem.demo import format_demo, run_demo

    summary = run_demo(out=args.out, radius=args.radius_nm * 1e-9, interfaces=args.interfaces)
    if MPI.COMM_WORLD.rank == 0:
        print(format_demo(summary), flush=True)
    return 0


def _petsc_options(extra: Sequence[str]) -> None:
    """Put ``-spinfem_<option> [value]`` arguments into the PETSc options database."""
    from petsc4py import PETSc

    opts = PETSc.Options()
    i = 0
    while i < len(extra):
        arg = extra[i]
        if not arg.startswith("-spinfem_"):
            raise InputError(
                f"unknown argument '{arg}': PETSc options pass through under the prefix "
                "spinfem_ (e.g. -spinfem_ksp_monitor, -spinfem_ksp_type gmres)"
            )
        value = None
        if i + 1 < len(extra) and not extra[i + 1].startswith("-spinfem_"):
            value = extra[i + 1]
            i += 1
        opts[arg[1:]] = "" if value is None else value
        i += 1


def _run(args: argparse.Namespace) -> int:
    from spinfem.case.run import run_case

    res = run_case(
        args.case,
        out=args.out,
        overrides=args.set,
        overwrite=args.overwrite,
        restart=args.restart,
    )
    if MPI.COMM_WORLD.rank == 0:
        print(format_results(res), flush=True)
    return 0


def format_results(res: dict) -> str:
    """A short human-readable report of run_case's results."""
    lines = [f"spinfem run: model {res['model']}, output {res['output']}"]
    blocks = (
        [("", res["states"])]
        if "states" in res
        else [(f"[{p['key']} = {p['value']}] ", p["results"]) for p in res["points"]]
    )
    for prefix, states in blocks:
        for state, summ in states.items():
            if not isinstance(summ, dict):
                continue
            ra = summ.get("resistance_area_ohm_m2")
            r = summ.get("resistance_ohm")
            if "observables" in summ:  # vector model: its scalar observables
                shown = {**summ["observables"], **summ.get("smr", {})}
                extra = ", ".join(f"{k} = {v:.6e}" for k, v in shown.items())
                if "sweep" in summ:
                    n = next(len(v) for v in summ["sweep"].values() if isinstance(v, list))
                    extra += f"; {summ['sweep']['kind']} sweep of {n} points -> sweep.csv"
            elif ra is not None:
                extra = f"R = {r:.6e} Ohm, RA = {ra:.6e} Ohm m^2"
            else:  # other models: their scalar results
                extra = ", ".join(
                    f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}"
                    for k, v in summ.items()
                    if isinstance(v, (int, float))
                )
            lines.append(f"  {prefix}{state}: {extra}")
    return "\n".join(lines)


def _check(args: argparse.Namespace) -> int:
    from spinfem.case.run import check_case

    rep = check_case(args.case, overrides=args.set, out=args.out)
    if MPI.COMM_WORLD.rank == 0:
        print(f"spinfem check: {args.case} is valid (model {rep['model']})")
        for kind in ("regions", "boundaries"):
            items = ", ".join(f"{k} ({v})" for k, v in rep[kind].items())
            print(f"  {kind}: {items}")
        print(f"  blocks of unknowns: {rep.get('blocks')}")
        if rep.get("interfaces"):
            print(f"  resistive interfaces: {rep['interfaces']}")
        if rep.get("insulators"):
            print(f"  magnetic-insulator boundaries: {rep['insulators']}")
        print(f"  regions file for ParaView: {rep['output']}/regions.xdmf")
    return 0


def _plot(args: argparse.Namespace) -> int:
    from spinfem.plot import plot_run

    files = plot_run(args.run, out=args.out) if MPI.COMM_WORLD.rank == 0 else []
    for f in files:
        print(f"  wrote {f}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from spinfem.render import render_run

    if MPI.COMM_WORLD.rank == 0:
        print(f"  wrote {render_run(args.run, out=args.out, field=args.field, state=args.state)}")
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
        from spinfem.case.build import MESHES
        from spinfem.case.models import MODELS, get_model

        get_model("two_current")
        print("  case-file models ([model] kind):")
        for kind, spec in MODELS.items():
            print(f"    {kind}: {spec.description}{' (transient)' if spec.transient else ''}")
        print(f"  case-file devices ([mesh] kind): {', '.join(MESHES)}")
        print("  outputs: VTX/ADIOS2 BP4 (ParaView), XDMF regions, JSON, CSV, PNG")
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
    run = sub.add_parser("run", help="solve a case file into a run directory")
    run.add_argument("case", help="the case file (TOML)")
    run.add_argument("--out", help="run directory (default: ./<case name>-run)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing run")
    run.add_argument(
        "--restart",
        metavar="latest|CHECKPOINT",
        help="resume a transient run from its latest (or the given) checkpoint",
    )
    check = sub.add_parser("check", help="validate a case and its mesh without solving")
    check.add_argument("case", help="the case file (TOML)")
    check.add_argument("--out", help="where regions.xdmf goes (default: ./<case name>-check)")
    for p in (run, check):
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a case value, e.g. --set mesh.radius='40 nm' (repeatable)",
        )
    run.set_defaults(func=_run)
    check.set_defaults(func=_check)
    plot = sub.add_parser("plot", help="PNG plots of a run directory")
    plot.add_argument("run", help="run directory")
    plot.add_argument("--out", help="where the PNGs go (default: RUN/plots)")
    plot.set_defaults(func=_plot)
    render = sub.add_parser("render", help="off-screen 3D picture of a run (pyvista)")
    render.add_argument("run", help="run directory")
    render.add_argument("--out", help="PNG file (default: RUN/plots/render.png)")
    render.add_argument("--field", default="V_volt", help="V_volt or mu_s_eV")
    render.add_argument("--state", help="which state's fields (default: the first)")
    render.set_defaults(func=_render)
    info = sub.add_parser("info", help="versions and capabilities")
    info.set_defaults(func=_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = build_parser().parse_known_args(argv)
    setup_logging(args.log_level)

    def program() -> int:
        _petsc_options(extra)
        return int(args.func(args) or 0)

    # collective errors print once; an error on one rank only or a bug aborts the job
    return run_collective(program, MPI.COMM_WORLD)


if __name__ == "__main__":
    sys.exit(main())
