"""Checkpoints of M-m transient runs (adios4dolfinx, BP4).

Layout of ``<dir>/checkpoint.bp``: the mesh, its cell and facet tags (``cells``,
``facets``), the P1 fields ``dM`` and ``dm`` [A/m] at the checkpoint time, and the
attribute group ``mm_state`` holding the stepper state (t [s], nominal dt [s], step
counters, output index, segment) and a JSON table (region and boundary names, length
unit). TR-BDF2 is a one-step scheme, so this is everything a restart needs.

Publication: written to ``checkpoint.tmp.bp``, then ``checkpoint.bp`` is renamed to
``checkpoint.prev.bp`` and the temporary to ``checkpoint.bp``. A run killed at any
moment leaves at least one complete checkpoint; :func:`read` tries ``checkpoint.bp``
first, then ``checkpoint.prev.bp``. A checkpoint can be read on any number of ranks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import adios4dolfinx as a4d  # first: it selects adios2's MPI bindings (ADIOS2_ALWAYS_USE_MPI)
import numpy as np
from mpi4py import MPI

from spinfem.errors import OutputError
from spinfem.mesh import DeviceMesh

__all__ = ["NAMES", "read", "write"]

NAMES = ("checkpoint.bp", "checkpoint.prev.bp")
_TMP = "checkpoint.tmp.bp"


def write(directory: Path, dmesh: DeviceMesh, dM: Any, dm: Any, state: dict[str, float]) -> Path:
    """Write and publish a checkpoint of ``dM``, ``dm`` (Functions) and ``state``."""
    comm = dmesh.comm
    directory = Path(directory)
    tmp = directory / _TMP
    if comm.rank == 0 and tmp.exists():
        shutil.rmtree(tmp)
    comm.barrier()
    a4d.write_mesh(tmp, dmesh.mesh, engine="BP4")
    a4d.write_meshtags(tmp, dmesh.mesh, dmesh.cell_tags, engine="BP4", meshtag_name="cells")
    a4d.write_meshtags(tmp, dmesh.mesh, dmesh.facet_tags, engine="BP4", meshtag_name="facets")
    a4d.write_function(tmp, dM, engine="BP4", time=0.0, name="dM")
    a4d.write_function(tmp, dm, engine="BP4", time=0.0, name="dm")
    table = json.dumps(
        {
            "regions": dmesh.regions,
            "boundaries": dmesh.boundaries,
            "length_unit": dmesh.length_unit,
            "depth": dmesh.depth,
        }
    )
    attrs = {k: np.array([float(v)]) for k, v in state.items()}
    attrs["table"] = np.frombuffer(table.encode(), dtype=np.uint8).astype(np.float64)
    a4d.write_attributes(tmp, comm, "mm_state", attrs, engine="BP4")
    comm.barrier()
    if comm.rank == 0:
        cur, prev = directory / NAMES[0], directory / NAMES[1]
        if cur.exists():
            if prev.exists():
                shutil.rmtree(prev)
            cur.rename(prev)
        tmp.rename(cur)
    comm.barrier()
    return directory / NAMES[0]


def _read_one(path: Path, comm: MPI.Comm) -> tuple[DeviceMesh, dict[str, float], Any, Any]:
    from dolfinx import fem

    attrs = a4d.read_attributes(path, comm, "mm_state", engine="BP4")
    table = json.loads(bytes(np.asarray(attrs.pop("table")).astype(np.uint8)).decode())
    state = {k: float(np.asarray(v).ravel()[0]) for k, v in attrs.items()}
    mesh = a4d.read_mesh(path, comm, engine="BP4")
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    cells = a4d.read_meshtags(path, mesh, meshtag_name="cells", engine="BP4")
    facets = a4d.read_meshtags(path, mesh, meshtag_name="facets", engine="BP4")
    dmesh = DeviceMesh(
        mesh,
        cells,
        facets,
        {k: int(v) for k, v in table["regions"].items()},
        {k: int(v) for k, v in table["boundaries"].items()},
        float(table["length_unit"]),
        float(table["depth"]),
    )
    V = fem.functionspace(mesh, ("Lagrange", 1))
    dM, dm = fem.Function(V), fem.Function(V)
    a4d.read_function(path, dM, engine="BP4", time=0.0, name="dM")
    a4d.read_function(path, dm, engine="BP4", time=0.0, name="dm")
    return dmesh, state, dM, dm


def read(
    directory: Path, comm: MPI.Comm = MPI.COMM_WORLD
) -> tuple[DeviceMesh, dict[str, float], Any, Any]:
    """(device mesh, stepper state, dM, dm) of the newest readable checkpoint in ``directory``."""
    errors = []
    for name in NAMES:
        path = Path(directory) / name
        exists = comm.bcast(path.exists() if comm.rank == 0 else None, root=0)
        if not exists:
            errors.append(f"{name}: missing")
            continue
        try:
            return _read_one(path, comm)
        except Exception as exc:  # a half-written checkpoint: fall back to the previous one
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    raise OutputError(f"no readable M-m checkpoint in '{directory}': {'; '.join(errors)}")
