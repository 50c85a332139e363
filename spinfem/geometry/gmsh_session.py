"""A gmsh session on rank 0 that is torn down again, and leaves a user's own session alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mpi4py import MPI

__all__ = ["gmsh_session"]


@contextmanager
def gmsh_session(comm: MPI.Comm = MPI.COMM_WORLD, verbose: bool = False) -> Iterator[None]:
    """Initialise gmsh on rank 0 for the duration of the block (unless already running,
    e.g. in a user's script, in which case a fresh model is added and removed)."""
    import gmsh

    started = False
    added = False
    if comm.rank == 0:
        if not gmsh.isInitialized():
            gmsh.initialize(interruptible=False)
            started = True
        gmsh.option.setNumber("General.Terminal", 1 if verbose else 0)
        if not started:
            added = True
    try:
        yield
    finally:
        if comm.rank == 0:
            if started:
                gmsh.finalize()
            elif added:
                gmsh.model.remove()
