"""Outputs are read back: the demo's summary.json and its VTX/BP4 fields (with the adios2
python module, independent of dolfinx), the all-or-nothing run directory, and
``spinfem info``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import adios2
import dolfinx
import numpy as np
import pytest
from mpi4py import MPI

from conftest import rel_err, run_python
from spinfem.demo import run_demo
from spinfem.errors import OutputError
from spinfem.io import run_directory

STATES = ("parallel", "antiparallel")
BIAS = 1e-3  # run_demo's default bias [V]
FIELDS = {
    "potentials.bp": ("V_volt", "mu_s_eV"),
    "currents.bp": ("j_c_A_per_m2", "j_s_A_per_m2"),
}


# ------------------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("outputs") / "demo"
    summary = run_demo(out=out, bias=BIAS)
    return summary, out


def read_bp(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """(engine, {variable: values of all blocks of step 0}) of a BP file via adios2."""
    values: dict[str, np.ndarray] = {}
    with adios2.FileReader(str(path)) as reader:
        impl = getattr(reader.engine, "impl", None)
        if impl is not None and hasattr(impl, "Type"):
            engine = impl.Type()  # e.g. "BP4Reader"
        else:  # BP5 directories have an mmd.0 (metadata index) file, BP4 ones do not
            engine = "BP5" if (path / "mmd.0").exists() else "BP4"
        for name in reader.available_variables():
            var = reader.inquire_variable(name)
            if var.shape_id() == adios2.bindings.ShapeID.LocalArray:
                nblocks = len(reader.all_blocks_info(name)[0])
                blocks = [np.asarray(reader.read(name, block_id=b)) for b in range(nblocks)]
                values[name] = np.concatenate(blocks)
            else:
                values[name] = np.asarray(reader.read(name))
    return engine, values


def test_demo_writes_exactly_the_run_directory(demo):
    _, out = demo
    assert sorted(p.name for p in out.iterdir()) == ["antiparallel", "parallel", "summary.json"]
    for state in STATES:
        assert sorted(p.name for p in (out / state).iterdir()) == sorted(FIELDS)
    # no temporary directories or files left next to it or inside it
    assert [p.name for p in out.parent.iterdir()] == ["demo"]
    assert not [p for p in out.rglob(".*")]


def test_demo_summary_json(demo):
    returned, out = demo
    summary = json.loads((out / "summary.json").read_text())
    ra_p, ra_ap = summary["RA_P_ohm_m2"], summary["RA_AP_ohm_m2"]
    assert ra_ap > ra_p > 0
    assert rel_err(summary["GMR"], (ra_ap - ra_p) / ra_p) < 1e-12
    assert rel_err(summary["delta_RA_ohm_m2"], ra_ap - ra_p) < 1e-12
    assert summary["RA_P_ohm_m2"] == returned["RA_P_ohm_m2"]
    assert summary["RA_AP_ohm_m2"] == returned["RA_AP_ohm_m2"]
    assert set(summary["states"]) == set(STATES)
    for state in STATES:
        st = summary["states"][state]
        assert set(st["contacts"]) == {"top", "bottom"}
        top, bottom = st["contacts"]["top"], st["contacts"]["bottom"]
        assert top["voltage_V"] == BIAS and bottom["voltage_V"] == 0.0
        assert top["current_A"] > 0 > bottom["current_A"]  # current enters at top
        scale = max(abs(top["current_A"]), abs(bottom["current_A"]))
        assert abs(top["current_A"] + bottom["current_A"]) <= 1e-10 * scale
        assert abs(st["current_balance_A"]) <= 1e-10 * scale
        assert top["area_m2"] > 0 and rel_err(bottom["area_m2"], top["area_m2"]) < 1e-10
        assert rel_err(st["resistance_area_ohm_m2"], BIAS / top["current_A"] * top["area_m2"]) < (
            1e-10
        )
    assert rel_err(summary["states"]["parallel"]["resistance_area_ohm_m2"], ra_p) < 1e-12
    assert rel_err(summary["states"]["antiparallel"]["resistance_area_ohm_m2"], ra_ap) < 1e-12


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("filename", sorted(FIELDS))
def test_demo_fields_read_back_with_adios2(demo, state, filename):
    _, out = demo
    engine, values = read_bp(out / state / filename)
    assert "BP4" in engine  # readable by ParaView < 5.12.1 too
    nodes = int(values["NumberOfNodes"].ravel()[0])
    assert values["geometry"].shape == (nodes, 3)
    for name in FIELDS[filename]:
        assert name in values, f"{filename} lacks {name}: {sorted(values)}"
        data = values[name]
        assert data.shape[0] == nodes, (name, data.shape, nodes)
        assert data.size > 0 and np.all(np.isfinite(data)), name
        assert np.max(np.abs(data)) > 0, f"{name} is identically zero"
    if filename == "potentials.bp":
        V = values["V_volt"]
        tol = 1e-9 * BIAS
        assert abs(V.min()) <= tol and abs(V.max() - BIAS) <= tol, (V.min(), V.max())
    else:
        assert values["j_c_A_per_m2"].shape == (nodes, 3)


# ------------------------------------------------------------------------------- run_directory
def leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.glob(f".{name}.*"))


def make_old(target: Path) -> None:
    (target / "sub").mkdir(parents=True)
    (target / "old.txt").write_text("old result")
    (target / "sub" / "data").write_text("old data")


def assert_old(target: Path) -> None:
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [
        "old.txt",
        "sub",
        "sub/data",
    ]
    assert (target / "old.txt").read_text() == "old result"
    assert (target / "sub" / "data").read_text() == "old data"


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_run_directory_failure_leaves_nothing(tmp_path, error):
    target = tmp_path / "run"
    with pytest.raises(error), run_directory(target, MPI.COMM_WORLD) as tmp:
        assert tmp.is_dir() and tmp != target and tmp.parent == target.parent
        (tmp / "half.txt").write_text("half written")
        raise error("boom")
    assert not target.exists()
    assert leftovers(tmp_path, "run") == []
    assert list(tmp_path.iterdir()) == []


def test_run_directory_existing_target_without_overwrite(tmp_path):
    target = tmp_path / "run"
    make_old(target)
    with (
        pytest.raises(OutputError) as info,
        run_directory(target, MPI.COMM_WORLD, overwrite=False),
    ):
        pytest.fail("the block must not run when the target exists")
    assert "run" in str(info.value) and "exist" in str(info.value)
    assert_old(target)
    assert leftovers(tmp_path, "run") == []


def test_run_directory_overwrite_replaces_atomically(tmp_path):
    target = tmp_path / "run"
    make_old(target)
    with run_directory(target, MPI.COMM_WORLD, overwrite=True) as tmp:
        assert tmp != target and tmp.parent == target.parent
        (tmp / "new.txt").write_text("new result")
        assert_old(target)  # the old result stays complete until the new one is
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert (target / "new.txt").read_text() == "new result"
    assert leftovers(tmp_path, "run") == []
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_run_directory_overwrite_failure_keeps_old(tmp_path):
    target = tmp_path / "run"
    make_old(target)
    with pytest.raises(RuntimeError), run_directory(target, MPI.COMM_WORLD, overwrite=True) as tmp:
        (tmp / "new.txt").write_text("half written")
        raise RuntimeError("boom")
    assert_old(target)
    assert leftovers(tmp_path, "run") == []


# ------------------------------------------------------------------------------- cli
def test_cli_info_prints_dolfinx_version():
    proc = run_python(["-m", "spinfem.cli", "info"], timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert f"dolfinx {dolfinx.__version__}" in proc.stdout, proc.stdout
