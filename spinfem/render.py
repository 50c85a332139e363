"""``spinfem render RUN``: an off-screen pyvista picture of a run's device and a field.

The picture is made from the run's own VTX output (``fields/<state>/potentials.bp``, read
with the adios2 Python module, so what you see is what ParaView reads) and saved as PNG.
VTK needs an X display or an OSMesa build: without ``DISPLAY`` the command re-runs itself
under ``xvfb-run`` when that exists (Debian: packages xvfb, xauth, libgl1-mesa-dri), and
otherwise stops with an :class:`~spinfem.errors.OutputError` saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from spinfem.errors import InputError, OutputError

__all__ = ["read_vtx", "render_run"]

# VTK Lagrange cell types written by dolfinx VTX -> linear VTK types (degree-1 vertices first)
_LINEAR = {68: (3, 2), 69: (5, 3), 70: (9, 4), 71: (10, 4), 72: (12, 8)}


def read_vtx(path: str | Path) -> tuple[np.ndarray, np.ndarray, int, dict[str, np.ndarray]]:
    """(points (n, 3), cells (m, k) vertex indices, linear VTK cell type, point data) of
    step 0 of a VTX ``.bp`` file written by dolfinx (any number of writer ranks)."""
    import adios2

    path = Path(path)
    if not path.exists():
        raise InputError(f"no VTX file '{path}'")
    points, cells, data = [], [], {}
    vtk_type = None
    with adios2.FileReader(str(path)) as reader:
        names = reader.available_variables()
        nblocks = len(reader.all_blocks_info("geometry")[0])
        offset = 0
        for b in range(nblocks):
            x = np.asarray(reader.read("geometry", block_id=b)).reshape(-1, 3)
            conn = np.asarray(reader.read("connectivity", block_id=b))
            ctype = int(np.asarray(reader.read("types")).ravel()[0])
            if ctype not in _LINEAR:
                raise InputError(f"'{path}': VTK cell type {ctype} is not supported here")
            vtk_type, nv = _LINEAR[ctype]
            conn = conn.reshape(-1, int(conn.shape[-1]) if conn.ndim > 1 else nv + 1)
            cells.append(conn[:, 1 : nv + 1] + offset)
            points.append(x)
            for name in names:
                if name in ("geometry", "connectivity", "types", "step") or name.startswith(
                    ("vtk", "Number")
                ):
                    continue
                data.setdefault(name, []).append(np.asarray(reader.read(name, block_id=b)))
            offset += x.shape[0]
    fields = {k: np.concatenate(v) for k, v in data.items()}
    assert vtk_type is not None
    return np.concatenate(points), np.concatenate(cells), vtk_type, fields


def _display_ok() -> bool:
    if os.environ.get("DISPLAY") or os.environ.get("PYVISTA_OFF_SCREEN_OSMESA"):
        return True
    try:
        import vtk

        return "OSMesa" in vtk.vtkRenderWindow().GetClassName()
    except Exception:
        return False


def render_run(
    run: str | Path, out: str | Path | None = None, field: str = "V_volt", state: str | None = None
) -> Path:
    """Render ``field`` of a run on its device surface into a PNG; return its path."""
    run = Path(run)
    fields_dir = run / "fields"
    if not fields_dir.is_dir():
        raise InputError(f"'{run}' is not a spinfem run directory (no fields/)")
    candidates = sorted(p.parent for p in fields_dir.rglob("potentials.bp"))
    if state is None and (run / "results.json").is_file():  # the first state of the run
        import json

        order = list(json.loads((run / "results.json").read_text()).get("states", {}))
        candidates.sort(key=lambda p: order.index(p.name) if p.name in order else len(order))
    elif state is not None:
        candidates = [p for p in candidates if p.name == state]
    if not candidates:
        raise InputError(f"run '{run}' has no potentials.bp fields to render")
    target = Path(out) if out is not None else run / "plots" / f"render_{field}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _display_ok():
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            raise OutputError(
                "no display for off-screen rendering: VTK needs an X server or OSMesa. Install "
                "xvfb (Debian: apt install xvfb xauth libgl1-mesa-dri) and run "
                "'xvfb-run -a spinfem render RUN', or use a VTK built with OSMesa"
            )
        bp = candidates[0] / "potentials.bp"
        cmd = [xvfb, "-a", sys.executable, "-m", "spinfem.render", str(bp), str(target), field]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not target.is_file():
            raise OutputError(f"rendering under xvfb-run failed: {proc.stderr.strip()[-800:]}")
        return target
    _render(candidates[0] / "potentials.bp", target, field)
    return target


def _render(bp: Path, target: Path, field: str) -> None:
    import pyvista as pv

    pv.OFF_SCREEN = True
    points, cells, vtk_type, data = read_vtx(bp)
    if field not in data:
        raise InputError(f"field '{field}' is not in {bp}: available {sorted(data)}")
    k = cells.shape[1]
    flat = np.hstack([np.full((cells.shape[0], 1), k), cells]).ravel()
    grid = pv.UnstructuredGrid(flat, np.full(cells.shape[0], vtk_type, dtype=np.uint8), points)
    grid.point_data[field] = data[field]
    plotter: Any = pv.Plotter(off_screen=True, window_size=(900, 700))
    plotter.add_mesh(grid, scalars=field, show_edges=True, cmap="viridis")
    plotter.add_axes()
    plotter.add_text(f"{field} ({bp.parent.name})", font_size=10)
    if np.ptp(points[:, 2]) > 0:
        plotter.view_isometric()
    else:
        plotter.view_xy()
    plotter.screenshot(str(target))
    plotter.close()


if __name__ == "__main__":  # the xvfb-run re-entry: BP_FILE TARGET FIELD
    _render(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
