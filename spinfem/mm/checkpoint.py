"""Checkpoints of M-m transient runs (adios4dolfinx, BP4).

Layout of ``<dir>/checkpoint.bp``: the mesh, its cell and facet tags (``cells``,
``facets``), the P1 fields ``dM`` and ``dm`` [A/m] at the checkpoint time, and the
attribute group ``mm_state`` holding the stepper state (t [s], nominal dt [s], step
counters, output index, segment) and a JSON table (region and boundary names, length
unit). TR-BDF2 is a one-step scheme, so this is everything a restart needs.

Publication: written to ``checkpoint.tmp.bp``, then rank 0 records the sha256 of every
file of it in ``checkpoint.tmp.bp/spinfem-sha256.json``, renames ``checkpoint.bp`` to
``checkpoint.prev.bp`` and the temporary to ``checkpoint.bp``. A run killed at any moment
leaves at least one complete checkpoint.

Reading (:func:`read`) is collective and decided alike on every rank: rank 0 verifies the
checksums (a truncated or garbled file is named), the verdict is broadcast, and only a
verified checkpoint is read by all ranks (a failure while reading is agreed on with an
allreduce). ``checkpoint.bp`` is tried first; if it is missing or corrupt, a warning names
it, it is renamed to ``checkpoint.corrupt.bp`` (kept for inspection) and
``checkpoint.prev.bp`` is used. No readable checkpoint: :class:`OutputError` naming each
file and its problem. A checkpoint can be read on any number of ranks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import adios4dolfinx as a4d  # first: it selects adios2's MPI bindings (ADIOS2_ALWAYS_USE_MPI)
import numpy as np
from mpi4py import MPI

from spinfem.errors import OutputError
from spinfem.mesh import DeviceMesh

__all__ = ["NAMES", "read", "read_path", "verify", "write"]

NAMES = ("checkpoint.bp", "checkpoint.prev.bp")
_TMP = "checkpoint.tmp.bp"
SUMS = "spinfem-sha256.json"
log = logging.getLogger("spinfem")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and p.name != SUMS)


def _record(path: Path) -> None:
    sums = {str(p.relative_to(path)): [p.stat().st_size, _sha256(p)] for p in _files(path)}
    (path / SUMS).write_text(json.dumps(sums, indent=1))


def verify(path: Path) -> str | None:
    """None if the checkpoint ``path`` is complete and intact, else what is wrong (rank-local:
    call on one rank). Checkpoints without a checksum file (older runs) pass."""
    if not path.is_dir():
        return "missing"
    sums_file = path / SUMS
    if not sums_file.is_file():
        return None
    try:
        sums = json.loads(sums_file.read_text())
    except (OSError, ValueError) as exc:
        return f"unreadable checksum file {SUMS} ({exc})"
    for name, (size, digest) in sums.items():
        f = path / name
        if not f.is_file():
            return f"file '{name}' is missing"
        if f.stat().st_size != size:
            return f"file '{name}' is truncated or extended ({f.stat().st_size} of {size} bytes)"
        if _sha256(f) != digest:
            return f"file '{name}' is corrupt (sha256 mismatch)"
    return None


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
        _record(tmp)
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


def read_path(
    path: Path, comm: MPI.Comm = MPI.COMM_WORLD
) -> tuple[DeviceMesh, dict[str, float], Any, Any]:
    """Read the one checkpoint ``path`` (a ``.bp`` directory); OutputError naming it if it is
    missing, corrupt or unreadable (decided alike on every rank)."""
    problem = comm.bcast(verify(Path(path)) if comm.rank == 0 else None, root=0)
    if problem is None:
        try:
            result: Any = _read_one(Path(path), comm)
            local = None
        except Exception as exc:  # unreadable despite its checksums (e.g. an older layout)
            result, local = None, f"{type(exc).__name__}: {exc}"
        failures = [m for m in comm.allgather(local) if m is not None]
        if not failures:
            return result
        problem = failures[0]
    raise OutputError(f"M-m checkpoint '{path}': {problem}")


def read(
    directory: Path, comm: MPI.Comm = MPI.COMM_WORLD
) -> tuple[DeviceMesh, dict[str, float], Any, Any]:
    """(device mesh, stepper state, dM, dm) of the newest intact checkpoint in ``directory``
    (``checkpoint.bp``, else ``checkpoint.prev.bp`` with a warning). Collective."""
    directory = Path(directory)
    errors = []
    for i, name in enumerate(NAMES):
        path = directory / name
        try:
            return read_path(path, comm)
        except OutputError as exc:
            errors.append(str(exc))
            missing = str(exc).endswith(": missing")
            if i == 0 and comm.rank == 0 and (directory / NAMES[1]).is_dir():
                log.warning("%s; falling back to the previous checkpoint %s", exc, NAMES[1])
                if not missing:
                    bad = directory / "checkpoint.corrupt.bp"
                    shutil.rmtree(bad, ignore_errors=True)
                    path.rename(bad)
            comm.barrier()
    raise OutputError(
        f"no readable M-m checkpoint in '{directory}': {'; '.join(errors)} (run again without "
        "--restart, with --overwrite, to start from t = 0)"
    )
