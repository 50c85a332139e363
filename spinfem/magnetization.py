"""Magnetization fields loaded from a file, for the vector spin model.

Micromagnetic codes (OOMMF, mumax3, Boris) write m on a regular grid of cell centres in
the OVF 2.0 format. :class:`MagnetizationGrid` reads it (text, binary 4 and binary 8
data; also ``.npz`` with ``origin_m``, ``step_m`` and ``m`` of shape (nz, ny, nx, 3)),
and interpolates trilinearly between cell centres (constant beyond the outer centres),
normalising the result to a unit vector. Pass ``grid.in_mesh_units(L)`` as a region's
magnetization to :class:`~spinfem.vector_problem.VectorSpinProblem`, or name the file in
a case file: ``[magnetization] F2 = { file = "m.ovf" }``.

OVF layout (OVF 2.0 spec, NIST OOMMF user guide): header lines ``# key: value``;
``xnodes``, ``ynodes``, ``znodes``, ``xstepsize`` ... [m], ``xbase`` ... (centre of the
first cell) [m] or ``xmin`` ... (corner) [m], ``valuedim: 3``; data with x fastest, then
y, then z; binary 4/8 blocks start with the check values 1234567.0 (float32) /
123456789012345.0 (float64), little endian.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mpi4py import MPI

from spinfem.errors import InputError
from spinfem.parallel import root_call

__all__ = ["MagnetizationGrid"]

_CHECK = {4: (np.dtype("<f4"), 1234567.0), 8: (np.dtype("<f8"), 123456789012345.0)}


def _ovf(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    raw = path.read_bytes()
    header: dict[str, str] = {}
    pos = 0
    kind = None
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        end = len(raw) if end < 0 else end
        line = raw[pos:end].decode("latin-1").strip()
        pos = end + 1
        if not line.startswith("#"):
            continue
        body = line.lstrip("#").strip()
        if body.lower().startswith("begin: data"):
            kind = body[len("begin: data") :].strip().lower()
            break
        if ":" in body:
            key, value = body.split(":", 1)
            header[key.strip().lower()] = value.strip()
    if kind is None:
        raise InputError(f"magnetization file '{path}': no '# Begin: Data' line (not OVF 2.0)")
    try:
        n = [int(header[f"{a}nodes"]) for a in "xyz"]
        step = np.array([float(header[f"{a}stepsize"]) for a in "xyz"])
        if all(f"{a}base" in header for a in "xyz"):
            origin = np.array([float(header[f"{a}base"]) for a in "xyz"])
        else:
            origin = np.array([float(header[f"{a}min"]) for a in "xyz"]) + step / 2
    except (KeyError, ValueError) as exc:
        raise InputError(
            f"magnetization file '{path}': OVF header entry missing or not a number ({exc}); "
            "need xnodes/ynodes/znodes, x/y/zstepsize [m], x/y/zbase or x/y/zmin [m]"
        ) from None
    if header.get("valuedim", "3") != "3":
        raise InputError(
            f"magnetization file '{path}': valuedim must be 3 (a vector field), "
            f"got {header['valuedim']}"
        )
    count = 3 * int(np.prod(n))
    if kind == "text":
        text = raw[pos:].decode("latin-1").splitlines()
        rows = [ln for ln in text if ln.strip() and not ln.lstrip().startswith("#")]
        data = np.array(" ".join(rows).split()[:count], dtype=float)
    elif kind in ("binary 4", "binary 8"):
        dtype, check = _CHECK[int(kind[-1])]
        available = (len(raw) - pos) // dtype.itemsize
        data = np.frombuffer(raw, dtype=dtype, count=min(count + 1, available), offset=pos)
        if data.size == 0 or data[0] != check:
            raise InputError(
                f"magnetization file '{path}': binary check value missing (expected "
                f"{check}): the file is damaged or not little endian"
            )
        data = data[1 : count + 1].astype(float)
    else:
        raise InputError(f"magnetization file '{path}': unsupported OVF data format '{kind}'")
    if data.size != count:
        raise InputError(
            f"magnetization file '{path}': {data.size} values, expected 3 x {n[0]} x {n[1]} x "
            f"{n[2]} = {count} (truncated file?)"
        )
    return origin, step, data.reshape(n[2], n[1], n[0], 3)


def _npz(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.load(path) as f:
        missing = {"origin_m", "step_m", "m"} - set(f.files)
        if missing:
            raise InputError(
                f"magnetization file '{path}': missing arrays {sorted(missing)} (need "
                "origin_m [m], step_m [m] and m of shape (nz, ny, nx, 3))"
            )
        return np.asarray(f["origin_m"], float), np.asarray(f["step_m"], float), f["m"] * 1.0


@dataclass(frozen=True, eq=False)
class MagnetizationGrid:
    """m on a regular grid of cell centres.

    Attributes:
        origin_m: centre of the first cell (x, y, z) [m].
        step_m: cell sizes (x, y, z) [m], > 0.
        values: m at the cell centres, shape (nz, ny, nx, 3) [1] (any length; normalised
            after interpolation).
        source: the file it came from.
    """

    origin_m: np.ndarray
    step_m: np.ndarray
    values: np.ndarray
    source: str = ""

    @classmethod
    def read(cls, path: str | Path, comm: MPI.Comm = MPI.COMM_WORLD) -> MagnetizationGrid:
        """Read an OVF 2.0 (``.ovf``, ``.omf``) or ``.npz`` file on rank 0 and broadcast it;
        errors name the file and are raised on every rank."""
        p = Path(path)

        def load() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            if not p.is_file():
                raise InputError(f"magnetization file '{p}' not found")
            origin, step, m = _npz(p) if p.suffix == ".npz" else _ovf(p)
            if origin.shape != (3,) or step.shape != (3,) or m.ndim != 4 or m.shape[3] != 3:
                raise InputError(
                    f"magnetization file '{p}': origin_m and step_m must be 3-vectors [m] and "
                    f"m of shape (nz, ny, nx, 3), got {origin.shape}, {step.shape}, {m.shape}"
                )
            if not (np.all(step > 0) and np.all(np.isfinite(m))):
                raise InputError(
                    f"magnetization file '{p}': cell sizes must be > 0 [m] and m finite"
                )
            return origin, step, m

        origin, step, m = root_call(comm, load, InputError)
        return cls(origin, step, m, str(p))

    def __call__(self, x_m: np.ndarray) -> np.ndarray:
        """Unit m at points ``x_m`` of shape (3, N) [m] -> shape (3, N); InputError where
        the interpolated m vanishes."""
        x = np.asarray(x_m, dtype=float).reshape(3, -1)
        shape = self.values.shape[2::-1]  # (nx, ny, nz)
        out = np.zeros((x.shape[1], 3))
        idx, wts = [], []
        for a in range(3):
            f = np.clip((x[a] - self.origin_m[a]) / self.step_m[a], 0.0, shape[a] - 1)
            i0 = np.minimum(np.floor(f).astype(int), max(shape[a] - 2, 0))
            idx.append(i0)
            wts.append(f - i0 if shape[a] > 1 else np.zeros_like(f))
        for corner in range(8):
            d = [(corner >> a) & 1 for a in range(3)]
            w = np.ones(x.shape[1])
            ijk = []
            for a in range(3):
                w = w * (wts[a] if d[a] else 1.0 - wts[a])
                ijk.append(np.minimum(idx[a] + d[a], shape[a] - 1))
            out += w[:, None] * self.values[ijk[2], ijk[1], ijk[0]]
        norm = np.linalg.norm(out, axis=1)
        if np.any(norm < 1e-12):
            k = int(np.argmax(norm < 1e-12))
            raise InputError(
                f"magnetization file '{self.source}': m vanishes at x = {x[:, k].tolist()} m "
                "(outside the magnet in the micromagnetic grid?)"
            )
        return (out / norm[:, None]).T

    def in_mesh_units(self, length_unit: float) -> Callable[[np.ndarray], np.ndarray]:
        """The same field for points in mesh coordinates (``length_unit`` [m] per unit)."""
        return lambda x: self(np.asarray(x, dtype=float) * length_unit)
