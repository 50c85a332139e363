"""MPI helpers that keep errors collective: every rank raises the same error or none does.

dolfinx does not do this for us: an exception on one rank while the others enter a
collective call hangs the job. Every check whose outcome may differ between ranks
goes through :func:`raise_collective`, and work done on one rank only (gmsh) goes
through :func:`root_call`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from mpi4py import MPI

from spinfem.errors import SpinfemError

T = TypeVar("T")

__all__ = ["did_you_mean", "global_sum", "raise_collective", "root_call"]


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


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
