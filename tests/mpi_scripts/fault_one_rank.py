"""An error on ONE rank only must end the whole job, with a message and a non-zero exit
code, without hanging (the other rank waits in a collective call meanwhile).

Usage: python3 fault_one_rank.py MODE [OUT_DIR]   (under mpirun -n 2; exits with the code
the job would give). Modes:
  ok                  every rank succeeds                                  -> 0
  collective_input    every rank raises the same InputError               -> 2
  local_input         the last rank raises an InputError, rank 0 waits    -> 2 (abort)
  local_bug           the last rank raises a RuntimeError, rank 0 waits   -> 1 (abort)
  cli_local_bug       spinfem.cli.main(['demo']) with the demo failing with a RuntimeError
                      on the last rank only                               -> non-zero
  cli_local_output    the same with an OutputError on the last rank only  -> 4
"""

from __future__ import annotations

import sys

from mpi4py import MPI

import spinfem.demo
from spinfem import cli
from spinfem.errors import InputError, OutputError
from spinfem.parallel import run_collective

comm = MPI.COMM_WORLD
mode = sys.argv[1]
last = comm.rank == comm.size - 1
TIMEOUT = 3.0  # [s] before a rank-local error aborts the job


def main() -> int:
    if mode == "ok":
        comm.Barrier()
        return 0
    if mode == "collective_input":
        raise InputError("material 'X': parameter 'sigma' [S/m] must be > 0, got -1.0")
    if mode in ("local_input", "local_bug"):
        if last:
            kind = InputError if mode == "local_input" else RuntimeError
            raise kind(f"cannot read 'part-{comm.rank}.msh' (this rank only)")
        comm.Barrier()  # never completed: the other rank is gone
        return 0
    raise SystemExit(f"unknown mode {mode}")


def failing_demo(kind: type[Exception]):
    def run_demo(**_kwargs):
        if last:
            raise kind(f"cannot write 'fields-r{comm.rank}.bp' (this rank only)")
        comm.Barrier()
        return {}

    return run_demo


if mode.startswith("cli_"):
    kind = RuntimeError if mode == "cli_local_bug" else OutputError
    spinfem.demo.run_demo = failing_demo(kind)
    sys.exit(cli.main(["demo", "--out", sys.argv[2]]))
sys.exit(run_collective(main, comm, timeout=TIMEOUT))
