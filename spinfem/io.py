"""Output: VTX (ADIOS2 BP4) fields for ParaView and JSON summaries, never half-written.

A run directory is written under a temporary name next to its final one and renamed
when complete, so a crash or a bad input leaves no partial directory pretending to be
a result. Fields: ``potentials.bp`` (V [V], mu_s [eV]; P1) and ``currents.bp`` (j_c,
j_s [A/m^2]; DG1 vectors), coordinates in the mesh's length unit (``length_unit_m``
in ``summary.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx.io import VTXWriter
from mpi4py import MPI

from spinfem.errors import OutputError
from spinfem.parallel import raise_collective, root_call
from spinfem.solution import Solution

__all__ = ["run_directory", "write_fields", "write_json"]

ENGINE = "BP4"  # readable by ParaView before 5.12.1 too (BP5 needs >= 5.12.1)


@contextmanager
def run_directory(path: str | Path, comm: MPI.Comm, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``path`` when the block succeeds.

    Raises OutputError (on every rank) if ``path`` exists and ``overwrite`` is False, or
    if its parent cannot be written. On failure the temporary directory is removed.
    """
    final = Path(path).absolute()

    def prepare() -> str:
        if final.exists() and not overwrite:
            raise OutputError(
                f"output directory '{final}' exists: choose another or allow overwriting"
            )
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.parent / f".{final.name}.partial-{uuid.uuid4().hex[:8]}"
            tmp.mkdir()
        except OSError as exc:
            raise OutputError(f"cannot create output directory '{final}': {exc}") from exc
        return str(tmp)

    tmp = Path(root_call(comm, prepare, OutputError))
    try:
        yield tmp
        comm.Barrier()
    except BaseException:
        if comm.rank == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        raise

    def publish() -> None:
        old = None
        if final.exists():
            old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(final, old)
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    root_call(comm, publish, OutputError)


def write_fields(solution: Solution, directory: Path) -> list[Path]:
    """Write ``potentials.bp`` and ``currents.bp`` into ``directory``. Collective."""
    comm = solution.mesh.comm
    written = []
    files = (
        ("potentials.bp", [solution.V, solution.mu_s]),
        ("currents.bp", [solution.j_c, solution.j_s]),
    )
    _check_space(comm, Path(directory), [funcs for _, funcs in files])
    for name, funcs in files:
        target = Path(directory) / name
        error = None
        try:
            with VTXWriter(comm, str(target), funcs, engine=ENGINE) as writer:
                writer.write(0.0)
        except Exception as exc:  # ADIOS2 reports a full disk as RuntimeError or OSError
            error = f"cannot write '{target}': {type(exc).__name__}: {exc}"
        raise_collective(comm, error, OutputError)
        written.append(target)
    return written


def _check_space(comm: MPI.Comm, directory: Path, files: list[list[Any]]) -> None:
    """OutputError on every rank if a rank's file system lacks room for its part of the
    VTX files (estimate: values, mesh geometry and connectivity in float64 per file, plus
    metadata). Checked before writing: ADIOS2 cannot recover from a full disk (its C++
    destructor terminates the process), whereas this check fails cleanly."""
    need = 64 * 1024
    for funcs in files:
        space = funcs[0].function_space  # VTX writes the nodes of the (DG) space as points
        imap = space.dofmap.index_map
        nodes = imap.size_local + imap.num_ghosts
        cells = space.mesh.topology.index_map(space.mesh.topology.dim)
        ncells = cells.size_local + cells.num_ghosts
        per_cell = np.asarray(space.dofmap.list).shape[1] + 1
        need += 8 * (3 * nodes + per_cell * ncells) + 64 * 1024
        need += sum(
            8 * nodes * max(1, int(np.prod(f.ufl_shape)), 3 if f.ufl_shape else 1) for f in funcs
        )
    need = int(1.25 * need)
    try:
        free = shutil.disk_usage(directory).free
        error = (
            f"not enough space to write fields into '{directory}': about {need} bytes "
            f"needed on rank {comm.rank}, {free} bytes free (No space left on device)"
            if free < need
            else None
        )
    except OSError as exc:
        error = f"cannot write into '{directory}': {exc}"
    raise_collective(comm, error, OutputError)


def write_json(path: Path, data: Any, comm: MPI.Comm) -> None:
    """Write JSON on rank 0 through a temporary file and an atomic rename."""

    def write() -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
            os.replace(tmp, path)
        except OSError as exc:  # e.g. a full disk: no partial file is left behind
            tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write '{path}': {exc}") from exc

    root_call(comm, write, OutputError)
