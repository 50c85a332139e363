"""``spinfem check`` and ``spinfem run``: a case file -> a checked device / a run directory.

Run directory (built under a temporary name, renamed when complete)::

    RUN/case.toml        the case file as given      RUN/resolved.json  validated case, SI
    RUN/mesh/regions.xdmf cell + facet tags (ParaView) RUN/mesh/mesh.json names, source, hash
    RUN/fields/<state>/potentials.bp, currents.bp    (sweeps: fields/<index>/<state>/)
    RUN/results.json     scalar results               RUN/*.csv  results, contacts, profiles
    RUN/log.txt          the log (INFO)               RUN/manifest.json  versions, status

A failed run is renamed to ``RUN.failed`` (its manifest says ``"failed: <error>"``), never
to ``RUN``. An existing ``RUN`` is refused unless ``overwrite``. Transient models (``mm``)
write ``RUN`` in place (checkpoints must outlive a killed job): the manifest says
``"running"``, then ``"ok"``, ``"failed: ..."`` or ``"interrupted at t = ... s ...
(checkpoint ...)"`` (SIGTERM/SIGINT/SIGUSR1, exit code 5).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
import socket
import sys
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import spinfem
from spinfem.case.load import load_case, set_path, validate_case
from spinfem.case.models import RunContext, get_model
from spinfem.errors import InputError, Interrupted, OutputError
from spinfem.io import run_directory, write_json
from spinfem.parallel import global_sum, root_call

__all__ = ["check_case", "run_case", "versions"]

log = logging.getLogger("spinfem")


def versions() -> dict[str, Any]:
    import dolfinx
    from petsc4py import PETSc

    return {
        "spinfem": spinfem.__version__,
        "dolfinx": dolfinx.__version__,
        "petsc": ".".join(map(str, PETSc.Sys.getVersion())),
        "python": sys.version.split()[0],
        "mpi_ranks": MPI.COMM_WORLD.size,
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _resolved(case: Any) -> dict[str, Any]:
    data = case.model_dump(mode="json", exclude_none=True)
    data["units"] = "SI: lengths m, sigma S/m, rho Ohm m, RA/AR Ohm m^2, V, A, G S/m^2"
    return data


def case_hash(case: Any) -> str:
    text = json.dumps(_resolved(case), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _progress(comm: MPI.Comm) -> Any:
    tty = comm.rank == 0 and sys.stderr.isatty()

    def show(done: int, total: int, label: str) -> None:
        if not tty or total <= 0:
            return
        width = 30
        fill = int(width * done / total)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} {label:<30}{end}")
        sys.stderr.flush()

    return show


def _scaled(progress: Any, index: int, count: int) -> Any:
    """The progress of point ``index`` of ``count`` (sweeps) as a part of the whole run."""
    if count == 1:
        return progress

    def show(done: int, total: int, label: str) -> None:
        steps = 1000
        frac = (index + (done / total if total else 1.0)) / count
        progress(round(frac * steps), steps, f"point {index + 1}/{count} {label}")

    return show


# ----------------------------------------------------------------------------- check
def write_regions(device: Any, directory: Path) -> list[Path]:
    """``regions.xdmf`` (mesh + cell tags 'regions' + facet tags 'boundaries') and
    ``mesh.json`` (name <-> tag tables). Collective."""
    from dolfinx.io import XDMFFile

    m = device.mesh
    target = directory / "regions.xdmf"
    m.cell_tags.name = "regions"
    m.facet_tags.name = "boundaries"
    m.mesh.topology.create_connectivity(m.tdim - 1, m.tdim)
    with XDMFFile(m.comm, str(target), "w") as xdmf:
        xdmf.write_mesh(m.mesh)
        xdmf.write_meshtags(m.cell_tags, m.mesh.geometry)
        xdmf.write_meshtags(m.facet_tags, m.mesh.geometry)
    info = {
        "regions": m.regions,
        "boundaries": m.boundaries,
        "length_unit_m": m.length_unit,
        "depth_m": m.depth,
        "dim": m.tdim,
        "cells": m.num_cells_global(),
        "source": device.source,
    }
    write_json(directory / "mesh.json", info, m.comm)
    return [target, directory / "mesh.json"]


def counts(device: Any) -> dict[str, dict[str, int]]:
    """Entities per region / surface, summed over ranks (owned entities only)."""
    import numpy as np

    m = device.mesh
    out: dict[str, dict[str, int]] = {"regions": {}, "boundaries": {}}
    for kind, table, dim in (
        ("regions", m.regions, m.tdim),
        ("boundaries", m.boundaries, m.tdim - 1),
    ):
        nown = m.mesh.topology.index_map(dim).size_local
        for name in table:
            ents = m.cells(name) if kind == "regions" else m.facets(name)
            out[kind][name] = int(global_sum(m.comm, int(np.count_nonzero(ents < nown))))
    return out


def check_case(
    path: str | Path,
    overrides: list[str] = (),  # type: ignore[assignment]
    out: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> dict[str, Any]:
    """Validate a case, build its mesh, check every name; write the regions file. No solve."""
    path = Path(path)
    case, raw = load_case(path, overrides)
    spec = get_model(case.model.kind)
    ctx = RunContext(case=case, raw=raw, base=path.parent.absolute(), out=None, comm=comm)
    facts = spec.check(ctx)
    device = facts.pop("device")
    report = {"case": str(path), "model": case.model.kind, **counts(device), **facts}
    target = Path(out) if out is not None else Path.cwd() / f"{path.stem}-check"
    with run_directory(target, comm, overwrite=True) as tmp:
        write_regions(device, tmp)
        write_json(tmp / "check.json", report, comm)
    report["output"] = str(target.absolute())
    return report


# ----------------------------------------------------------------------------- run
def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    path.write_text(buf.getvalue())


def _cell(value: Any) -> Any:
    """CSV cell: floats with full precision (repr of a Python float), others as they are."""
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return str(value)


def _attach_log(directory: Path, comm: MPI.Comm) -> logging.Handler | None:
    logger = logging.getLogger("spinfem")
    for h in logger.handlers:  # the console keeps the --log-level; the file gets INFO
        if getattr(h, "_spinfem", False) and h.level == logging.NOTSET:
            h.setLevel(logger.level)
    logger.setLevel(min(logger.level or logging.INFO, logging.INFO))
    if comm.rank != 0:
        return None
    handler = logging.FileHandler(directory / "log.txt")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


def run_case(
    path: str | Path,
    out: str | Path | None = None,
    overrides: list[str] = (),  # type: ignore[assignment]
    overwrite: bool = False,
    restart: str | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> dict[str, Any]:
    """Run a case file into a run directory; return the results dict (with 'output')."""
    path = Path(path)
    case, raw = load_case(path, overrides)
    spec = get_model(case.model.kind)
    if restart is not None and not spec.transient:
        raise InputError(
            f"--restart {restart}: model '{case.model.kind}' is steady (no time steps, no "
            "checkpoints); --restart applies to transient models such as 'mm'"
        )
    if restart is not None and spec.restart_problem is not None:
        problem = spec.restart_problem(case)
        if problem:
            raise InputError(f"--restart {restart}: {problem}")
    final = Path(out) if out is not None else Path.cwd() / f"{path.stem}-run"
    if restart is not None and not final.is_dir():
        raise InputError(f"--restart {restart}: run directory '{final}' does not exist")
    if restart is None and not overwrite:

        def refuse() -> None:
            if final.exists():
                raise OutputError(
                    f"run directory '{final}' exists: give another --out, or --overwrite to "
                    "replace it (the old run stays until the new one is complete)"
                )

        root_call(comm, refuse, OutputError)
    manifest: dict[str, Any] = {
        "status": "running",
        "versions": versions(),
        "mpi_ranks": comm.size,
        "case_file": str(path.absolute()),
        "case_sha256": case_hash(case),
        "command": sys.argv,
        "host": socket.gethostname(),
        "start_utc": _now(),
    }
    if spec.transient:  # checkpoints must survive a kill: build in place, status "running"
        results = _run_in_place(final, path, case, raw, spec, restart, overwrite, comm, manifest)
    else:
        with run_directory(final, comm, overwrite=overwrite) as tmp:
            results = _execute(tmp, path, case, raw, spec, None, comm, manifest, final)
    results["output"] = str(final.absolute())
    return results


def _execute(directory, path, case, raw, spec, restart, comm, manifest, final) -> dict[str, Any]:
    """Run into ``directory``; write the manifest (ok or failed). ``final`` is None for an
    in-place run, else failures move ``directory`` to ``<final>.failed``."""
    t0 = time.perf_counter()
    handler = _attach_log(directory, comm)
    try:
        results = _run_in(directory, path, case, raw, spec, restart, comm, manifest)
        manifest.update(status="ok", end_utc=_now(), wall_time_s=time.perf_counter() - t0)
        manifest["outputs"] = root_call(
            comm,
            lambda: sorted(str(p.relative_to(directory)) for p in directory.rglob("*")),
            OutputError,
        )
        write_json(directory / "manifest.json", manifest, comm)
        return results
    except BaseException as exc:
        status = f"failed: {type(exc).__name__}: {exc}"
        if isinstance(exc, Interrupted):  # "interrupted at t = ... s ... (checkpoint ...)"
            status = f"{exc}; resume with --restart latest"
        if handler is not None:  # into log.txt; the console gets the error once, from the cli
            handler.emit(
                logging.LogRecord(
                    "spinfem", logging.ERROR, __file__, 0, "run failed: %s", (exc,), None
                )
            )
        manifest.update(status=status, end_utc=_now(), wall_time_s=time.perf_counter() - t0)
        if final is not None:
            _fail(directory, final, manifest, comm)
        elif comm.rank == 0:
            _write_manifest_now(directory, manifest)
        raise
    finally:
        if handler is not None:
            logging.getLogger("spinfem").removeHandler(handler)
            handler.close()


def _write_manifest_now(directory: Path, manifest: dict[str, Any]) -> None:
    try:
        tmp = directory / ".manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        os.replace(tmp, directory / "manifest.json")
    except OSError:
        pass


def _run_in_place(final, path, case, raw, spec, restart, overwrite, comm, manifest):
    """A transient run writes into ``final`` directly (its checkpoints must outlive a
    killed job); the manifest says "running" until it ends, then "ok" or "failed: ..."."""

    def prepare() -> dict[str, Any]:
        previous: dict[str, Any] = {}
        if restart is None:
            if final.exists():
                shutil.rmtree(final)  # only reached with overwrite (refused above otherwise)
            final.mkdir(parents=True)
        elif (final / "manifest.json").is_file():
            previous = json.loads((final / "manifest.json").read_text())
        return previous

    previous = root_call(comm, prepare, OutputError)
    if restart is not None:
        manifest["restarted"] = [*previous.get("restarted", []), previous.get("start_utc")]
        manifest["restart"] = restart
        if comm.rank == 0 and previous.get("case_sha256") not in (None, manifest["case_sha256"]):
            log.warning(
                "--restart %s: the case differs from the one of the checkpointed run in '%s' "
                "(case_sha256 %s..., was %s...); the run continues with the new case",
                restart,
                final,
                manifest["case_sha256"][:12],
                previous["case_sha256"][:12],
            )
    if comm.rank == 0:
        _write_manifest_now(final, manifest)
    return _execute(final, path, case, raw, spec, restart, comm, manifest, None)


def _fail(tmp: Path, final: Path, manifest: dict[str, Any], comm: MPI.Comm) -> None:
    """Keep what was written as ``RUN.failed`` with the manifest saying so (best effort)."""
    if comm.rank != 0:
        return
    try:
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        failed = final.absolute().with_name(final.name + ".failed")
        if failed.exists():
            shutil.rmtree(failed, ignore_errors=True)
        os.replace(tmp, failed)
    except OSError:
        pass


def _run_in(tmp, path, case, raw, spec, restart, comm, manifest) -> dict[str, Any]:
    log.info(
        "spinfem %s: case %s, model %s, %d rank(s)",
        spinfem.__version__,
        path,
        case.model.kind,
        comm.size,
    )

    def prepare() -> None:
        shutil.copyfile(path, tmp / "case.toml")
        (tmp / "mesh").mkdir(exist_ok=True)
        (tmp / "fields").mkdir(exist_ok=True)

    root_call(comm, prepare, OutputError)
    write_json(tmp / "resolved.json", _resolved(case), comm)
    points: list[tuple[Any, Any]] = [(None, case)]
    if case.sweep is not None:
        points = [
            (v, validate_case(set_path(raw, case.sweep.key, v), str(path)))
            for v in case.sweep.values
        ]
    progress = _progress(comm)
    all_results: dict[str, Any] = {"model": case.model.kind, "points": []}
    tables: dict[str, list[dict[str, Any]]] = {}
    for i, (value, case_i) in enumerate(points):
        fields = tmp / "fields" / (f"{i:03d}" if case.sweep is not None else "")
        if comm.rank == 0:
            fields.mkdir(parents=True, exist_ok=True)
        comm.Barrier()
        if case.sweep is not None:
            log.info("sweep point %d/%d: %s = %r", i + 1, len(points), case.sweep.key, value)
        ctx = RunContext(
            case=case_i,
            raw=raw,
            base=path.parent.absolute(),
            out=fields,
            comm=comm,
            restart=restart,
            progress=_scaled(progress, i, len(points)),
            run_dir=tmp,
        )
        res = spec.run(ctx)
        device = res.pop("device", None)
        if i == 0 and device is not None:
            write_regions(device, tmp / "mesh")
        point = {"index": i, "results": res.pop("states", res)}
        if case.sweep is not None:
            point.update(key=case.sweep.key, value=value)
        all_results["points"].append(point)
        for name, rows in res.pop("tables", {}).items():
            for row in rows:
                lead = {"sweep_index": i, "sweep_value": value} if case.sweep else {}
                tables.setdefault(name, []).append({**lead, **row})
    if case.sweep is None:
        all_results["states"] = all_results.pop("points")[0]["results"]
    write_json(tmp / "results.json", _jsonable(all_results), comm)

    def csvs() -> None:
        for name, rows in tables.items():
            _write_csv(tmp / f"{name}.csv", rows)

    root_call(comm, csvs, OutputError)
    return all_results


def _jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, default=lambda o: getattr(o, "tolist", lambda: str(o))()))
