"""MPI helpers that keep errors collective: every rank raises the same error or none does.

dolfinx does not do this for us: an exception on one rank while the others enter a
collective call hangs the job. Every check whose outcome may differ between ranks
goes through :func:`raise_collective`, and work done on one rank only (gmsh) goes
through :func:`root_call`.
"""

from __future__ import annotations

import difflib
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np
from mpi4py import MPI

from spinfem.errors import SpinfemError

T = TypeVar("T")

__all__ = [
    "did_you_mean",
    "global_sum",
    "raise_collective",
    "renumbered",
    "root_call",
    "run_collective",
]


def root_call(comm: MPI.Comm, fn: Callable[[], T], error_type: type[SpinfemError]) -> T:
    """Run ``fn`` on rank 0 and broadcast its result; if it raises, raise the same error
    (as ``error_type`` unless it already is a :class:`SpinfemError`) on every rank."""
    result: Any = None
    err: SpinfemError | None = None
    if comm.rank == 0:
        try:
            result = fn()
        except SpinfemError as exc:
            err = exc
        except Exception as exc:  # gmsh and file errors become named spinfem errors
            err = error_type(f"{type(exc).__name__}: {exc}")
    result, err = comm.bcast((result, err), root=0)
    if err is not None:
        raise err
    return result


def raise_collective(comm: MPI.Comm, message: str | None, error_type: type[SpinfemError]) -> None:
    """Raise ``error_type`` on every rank if ``message`` is set on any rank.

    The message of the lowest rank that has one is used, so all ranks print the same.
    """
    messages = comm.allgather(message)
    for msg in messages:
        if msg is not None:
            raise error_type(msg)


def global_sum(comm: MPI.Comm, value: float | int) -> Any:
    """Sum of a local number over all ranks."""
    return comm.allreduce(value, op=MPI.SUM)


def renumbered(comm: MPI.Comm, imap: Any, first: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """New global number of every local entry (owned, then ghost) of the dolfinx index
    map ``imap`` when rank q numbers its owned entries consecutively from ``first[q]``
    (``starts[q]``: ``imap``'s own first global index on rank q). No communication:
    a ghost's number follows from its owner and old index."""
    n = imap.size_local
    out = np.empty(n + imap.num_ghosts, np.int64)
    out[:n] = first[comm.rank] + np.arange(n)
    if imap.num_ghosts:
        q = np.asarray(imap.owners)
        out[n:] = first[q] + (np.asarray(imap.ghosts, np.int64) - starts[q])
    return out


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def run_collective(
    fn: Callable[[], int], comm: MPI.Comm = MPI.COMM_WORLD, timeout: float = 30.0
) -> int:
    """Run a program's main ``fn`` so that no error can hang an MPI job; return its exit code.

    * A :class:`SpinfemError` raised on every rank (spinfem's checks are collective) is
      printed once, by rank 0, as ``spinfem: error: ...``, and every rank returns its
      ``exit_code`` (2 input, 3 solver, 4 output).
    * A :class:`SpinfemError` raised on some ranks only (the others are computing or wait
      in a collective call): after ``timeout`` seconds [s] without every rank reporting,
      the raising rank prints the message and aborts the whole job with that exit code.
    * Any other exception is a bug: its traceback is printed and, under MPI, the job is
      aborted with exit code 1.

    The agreement uses a non-blocking barrier on a private duplicate of ``comm`` (created
    here, collectively, before ``fn`` runs), so it never matches the program's own calls.
    """
    private = comm.Dup() if comm.size > 1 else comm
    try:
        return int(fn() or 0)
    except SpinfemError as exc:
        code = int(exc.exit_code)
        if comm.size == 1:
            print(f"spinfem: error: {exc}", file=sys.stderr, flush=True)
            return code
        request = private.Ibarrier()
        deadline = time.monotonic() + timeout
        while not request.Test():
            if time.monotonic() > deadline:
                print(
                    f"spinfem: error: {exc} [raised on rank {comm.rank} only: aborting all "
                    f"{comm.size} ranks]",
                    file=sys.stderr,
                    flush=True,
                )
                comm.Abort(code)
            time.sleep(0.005)
        if comm.rank == 0:
            print(f"spinfem: error: {exc}", file=sys.stderr, flush=True)
        return code
    except Exception:
        traceback.print_exc()
        sys.stderr.flush()
        if comm.size > 1:
            comm.Abort(1)
        return 1
