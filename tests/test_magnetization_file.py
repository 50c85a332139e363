"""Magnetization loaded from a file (OVF 2.0 text/binary, .npz): exact interpolation of a
linear field, the same solution as the equivalent callable, case files, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import REPO, run_python
from spinfem.errors import InputError
from spinfem.magnetization import MagnetizationGrid

ORIGIN = np.array([-45e-9, -8e-9, 0.5e-9])  # centre of the first cell [m]
STEP = np.array([10e-9, 4e-9, 1e-9])
SHAPE = (3, 5, 10)  # nz, ny, nx


def field(x: np.ndarray) -> np.ndarray:
    """A field whose components are linear in x, y, z (trilinear interpolation is exact),
    before normalisation; shape (3, N) -> (3, N)."""
    return np.vstack([1.0 + 0 * x[0], 2e7 * x[0] + 1e7 * x[1], 0.3 + 1e8 * x[2]])


def cell_values() -> np.ndarray:
    nz, ny, nx = SHAPE
    k, j, i = np.meshgrid(range(nz), range(ny), range(nx), indexing="ij")
    pts = ORIGIN[:, None] + STEP[:, None] * np.vstack([i.ravel(), j.ravel(), k.ravel()])
    return field(pts).T.reshape(nz, ny, nx, 3)


def write_ovf(path, kind: str, values: np.ndarray | None = None, corner: bool = False) -> None:
    values = cell_values() if values is None else values
    nz, ny, nx = SHAPE
    lines = ["# OOMMF OVF 2.0", "# Segment count: 1", "# Begin: Segment", "# Begin: Header"]
    for a, n in zip("xyz", (nx, ny, nz), strict=True):
        lines.append(f"# {a}nodes: {n}")
    for a, s, o in zip("xyz", STEP, ORIGIN, strict=True):
        lines.append(f"# {a}stepsize: {float(s)!r}")
        lines.append(f"# {a}min: {float(o - s / 2)!r}" if corner else f"# {a}base: {float(o)!r}")
    lines += ["# valuedim: 3", "# End: Header", f"# Begin: Data {kind}"]
    flat = values.reshape(-1, 3)
    if kind == "Text":
        body = "\n".join(" ".join(repr(float(v)) for v in row) for row in flat) + "\n"
        path.write_text("\n".join(lines) + "\n" + body + "# End: Data Text\n# End: Segment\n")
    else:
        size = int(kind[-1])
        dtype = "<f4" if size == 4 else "<f8"
        check = 1234567.0 if size == 4 else 123456789012345.0
        data = np.concatenate([[check], flat.ravel()]).astype(dtype).tobytes()
        path.write_bytes(
            ("\n".join(lines) + "\n").encode() + data + f"\n# End: Data {kind}\n".encode()
        )


def points() -> np.ndarray:
    rng = np.random.default_rng(3)
    lo, hi = ORIGIN, ORIGIN + STEP * (np.array(SHAPE[::-1]) - 1)
    return lo[:, None] + (hi - lo)[:, None] * rng.random((3, 200))


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=0)


@pytest.mark.parametrize("kind", ["Text", "Binary 8", "Binary 4"])
def test_ovf_interpolates_a_linear_field_exactly(tmp_path, kind):
    path = tmp_path / "m.ovf"
    write_ovf(path, kind, corner=kind == "Binary 8")
    grid = MagnetizationGrid.read(path)
    x = points()
    tol = 1e-6 if kind == "Binary 4" else 1e-13  # float32 data
    assert np.max(np.abs(grid(x) - unit(field(x)))) < tol
    # outside the outer cell centres the field is held constant (clamped)
    far = np.array([[1e-3], [0.0], [0.0]])
    edge = np.array([[ORIGIN[0] + STEP[0] * (SHAPE[2] - 1)], [0.0], [0.0]])
    assert np.allclose(grid(far), grid(edge), atol=tol)


def test_npz_and_mesh_units(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, origin_m=ORIGIN, step_m=STEP, m=cell_values())
    grid = MagnetizationGrid.read(path)
    x = points()
    f = grid.in_mesh_units(1e-9)
    assert np.max(np.abs(f(x / 1e-9) - unit(field(x)))) < 1e-13


def test_vector_problem_with_a_file_equals_the_callable(tmp_path):
    """A bilayer whose ferromagnet's m is read from an OVF file solves to the same fields
    as with the analytic callable (the interpolation is exact for this field)."""
    path = tmp_path / "m.ovf"
    write_ovf(path, "Text")
    script = REPO / "tests" / "mpi_scripts" / "magnetization_file.py"
    out = {}
    for n in (1, 2):
        proc = run_python([str(script), str(path)], nprocs=n, timeout=300)
        assert proc.returncode == 0, proc.stderr
        out[n] = [float(v) for v in proc.stdout.split("RESULT")[1].split()]
    file_1, call_1 = np.array(out[1][: len(out[1]) // 2]), np.array(out[1][len(out[1]) // 2 :])
    assert np.max(np.abs(file_1 - call_1)) <= 1e-10 * np.max(np.abs(call_1))
    assert np.max(np.abs(np.array(out[2]) - np.array(out[1]))) <= 1e-8 * np.max(np.abs(call_1))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda p: p.unlink(), "not found"),
        (lambda p: p.write_text("# OOMMF OVF 2.0\n# xnodes: 2\n"), "Begin: Data"),
        (lambda p: p.write_text(p.read_text().replace("# xstepsize", "# xsteps")), "stepsize"),
        (lambda p: p.write_text(p.read_text().replace("valuedim: 3", "valuedim: 1")), "valuedim"),
        (lambda p: p.write_text("\n".join(p.read_text().splitlines()[:-20])), "truncated"),
        (lambda p: p.write_text(p.read_text().replace("Data Text", "Data Binary 4")), "check"),
    ],
    ids=["missing", "not-ovf", "header", "valuedim", "truncated", "binary-check"],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, mutate, expected):
    path = tmp_path / "m.ovf"
    write_ovf(path, "Text")
    mutate(path)
    with pytest.raises(InputError) as info:
        MagnetizationGrid.read(path)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_vanishing_m_is_an_error(tmp_path):
    path = tmp_path / "m.ovf"
    write_ovf(path, "Text", values=np.zeros((*SHAPE, 3)))
    grid = MagnetizationGrid.read(path)
    with pytest.raises(InputError, match="vanishes"):
        grid(points())


def test_case_file_names_a_magnetization_file(tmp_path):
    """cases/sot_bilayer.toml with Py's m = (1, 0, 0) given as an OVF file (uniform grid):
    the same torques as with the vector; a missing file is an input error (exit 2)."""
    import json

    text = (REPO / "cases" / "sot_bilayer.toml").read_text()
    assert "Py = [1, 0, 0]" in text
    uniform = np.zeros((*SHAPE, 3))
    uniform[..., 0] = 2.0  # any length: normalised
    write_ovf(tmp_path / "m.ovf", "Binary 8", values=uniform)
    (tmp_path / "file.toml").write_text(text.replace("Py = [1, 0, 0]", 'Py = { file = "m.ovf" }'))
    (tmp_path / "vector.toml").write_text(text)
    torques = {}
    for name in ("vector", "file"):
        proc = run_python(
            ["-m", "spinfem.cli", "run", str(tmp_path / f"{name}.toml"), "--out",
             str(tmp_path / f"run-{name}")],
            timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        res = json.loads((tmp_path / f"run-{name}" / "results.json").read_text())
        torques[name] = np.asarray(res["states"]["steady"]["torques"]["Py"]["damping_like_Nm"])
    ref = torques["vector"]
    assert np.max(np.abs(torques["file"] - ref)) <= 1e-12 * np.max(np.abs(ref))
    (tmp_path / "m.ovf").unlink()
    proc = run_python(
        ["-m", "spinfem.cli", "run", str(tmp_path / "file.toml"), "--out", str(tmp_path / "x")],
        timeout=300,
    )
    assert proc.returncode == 2 and "m.ovf' not found" in proc.stdout + proc.stderr
    assert not (tmp_path / "x").exists()
