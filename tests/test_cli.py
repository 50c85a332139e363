"""``spinfem run / check / info / plot`` end to end, as a user runs them (subprocesses,
serial and ``mpirun -n 2``); every output of the run directory is read back and the
numbers are compared with the Python API on the same device."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import rel_err, run_python

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "cases"
SMALL = ["--set", "mesh.radius=15 nm"]  # smoke size of the demo spin valve


def spinfem(*args: str, nprocs: int = 1, timeout: float = 300):
    return run_python(["-m", "spinfem.cli", *args], nprocs=nprocs, timeout=timeout)


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "sv"
    proc = spinfem("run", str(CASES / "spin_valve.toml"), "--out", str(out), *SMALL)
    assert proc.returncode == 0, proc.stderr
    assert "parallel: R =" in proc.stdout and "antiparallel: R =" in proc.stdout
    assert "INFO" not in proc.stderr and "\r[" not in proc.stderr  # default level; no TTY bar
    return out


def test_run_directory_contents(serial_run):
    names = sorted(p.name for p in serial_run.iterdir())
    assert names == sorted(
        [
            "case.toml",
            "contacts.csv",
            "fields",
            "log.txt",
            "manifest.json",
            "mesh",
            "profiles.csv",
            "resolved.json",
            "results.csv",
            "results.json",
        ]
    )
    assert sorted(p.name for p in (serial_run / "fields").iterdir()) == ["antiparallel", "parallel"]
    assert not list(serial_run.parent.glob(".*partial*"))
    assert (serial_run / "case.toml").read_text() == (CASES / "spin_valve.toml").read_text()


def test_manifest_and_resolved_case(serial_run):
    import dolfinx

    man = json.loads((serial_run / "manifest.json").read_text())
    assert man["status"] == "ok"
    assert man["versions"]["dolfinx"] == dolfinx.__version__
    assert man["mpi_ranks"] == 1 and len(man["case_sha256"]) == 64
    assert man["start_utc"] <= man["end_utc"]
    assert "results.csv" in man["outputs"] and "fields/parallel/potentials.bp" in man["outputs"]
    res = json.loads((serial_run / "resolved.json").read_text())
    assert res["mesh"]["radius"] == pytest.approx(15e-9, rel=1e-12)  # --set applied, SI
    assert res["solver"]["rtol"] == 1e-10  # defaults are written out
    assert res["solver"].get("direct_max_dofs") is None  # unset: automatic by dimension
    log = (serial_run / "log.txt").read_text()
    assert log.count("solved unit voltage") == 2  # one log line per solve (two states)


def test_results_agree_with_the_python_api(serial_run):
    """The case-file door and the Python door give the same numbers for one device."""
    from spinfem import library
    from spinfem.contacts import Contact
    from spinfem.geometry import Layer, pillar
    from spinfem.problem import TwoCurrentProblem

    nm = 1e-9
    spec = [("lead_bottom", "Cu", 20), ("Co_fixed", "Co", 10), ("spacer", "Cu", 10)]
    spec += [("Co_free", "Co", 5), ("lead_top", "Cu", 20)]
    mats = {n: library.get(m) for n, m, _ in spec}
    dev = pillar([Layer(n, t * nm) for n, _, t in spec], radius=15 * nm, materials=mats)
    contacts = [Contact("top", voltage=1e-3), Contact("bottom", voltage=0.0)]
    results = {r["state"]: r for r in rows(serial_run / "results.csv")}
    data = json.loads((serial_run / "results.json").read_text())
    for state, mag in (("parallel", {}), ("antiparallel", {"Co_free": -1})):
        sol = TwoCurrentProblem(dev, mats, contacts, mag).solve()
        ra = float(results[state]["resistance_area_ohm_m2"])
        print(f"{state}: RA case file {ra:.12e}, Python API {sol.resistance_area():.12e}")
        assert rel_err(ra, sol.resistance_area()) < 1e-10
        assert rel_err(data["states"][state]["resistance_area_ohm_m2"], ra) < 1e-14
    ra_p = float(results["parallel"]["resistance_area_ohm_m2"])
    ra_ap = float(results["antiparallel"]["resistance_area_ohm_m2"])
    assert rel_err(float(results["antiparallel"]["MR"]), (ra_ap - ra_p) / ra_p) < 1e-12


def test_contacts_and_profiles_csv(serial_run):
    cs = rows(serial_run / "contacts.csv")
    assert {(r["state"], r["contact"]) for r in cs} == {
        (s, c) for s in ("parallel", "antiparallel") for c in ("top", "bottom")
    }
    for r in cs:
        if r["contact"] == "top":
            assert float(r["voltage_V"]) == pytest.approx(1e-3, rel=1e-12)
            assert float(r["current_A"]) > 0
    prof = [r for r in rows(serial_run / "profiles.csv") if r["state"] == "parallel"]
    assert len(prof) == 101 and prof[0]["line"] == "axis"
    z = np.array([float(r["z_m"]) for r in prof])
    V = np.array([float(r["V_volt"]) for r in prof])
    assert z[0] == 0 and z[-1] == pytest.approx(65e-9, rel=1e-12)
    assert V[0] == pytest.approx(0.0, abs=1e-12) and V[-1] == pytest.approx(1e-3, rel=1e-9)
    assert np.all(np.diff(V) >= -1e-15)  # the potential rises from bottom to top


def test_fields_read_back(serial_run):
    from spinfem.render import read_vtx

    pts, cells, vtk_type, data = read_vtx(serial_run / "fields" / "parallel" / "potentials.bp")
    assert vtk_type == 10 and cells.shape[1] == 4 and cells.max() < len(pts)
    assert {"V_volt", "mu_s_eV"} <= set(data)
    assert data["V_volt"].min() == pytest.approx(0, abs=1e-12)
    assert data["V_volt"].max() == pytest.approx(1e-3, rel=1e-9)
    assert np.ptp(pts[:, 2]) == pytest.approx(65.0, rel=1e-9)  # coordinates in nm
    pts, cells, _, data = read_vtx(serial_run / "fields" / "antiparallel" / "currents.bp")
    jc = data["j_c_A_per_m2"].reshape(len(pts), -1)
    assert jc.shape[1] == 3 and np.all(np.isfinite(jc))
    assert np.median(jc[:, 2]) < 0  # current flows from top (1 mV) to bottom: along -z


def test_overwrite_is_refused_then_allowed(serial_run, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(serial_run, target)
    before = (target / "manifest.json").read_text()
    proc = spinfem("run", str(CASES / "spin_valve.toml"), "--out", str(target), *SMALL)
    assert proc.returncode == 4, proc.stderr
    assert "exists" in proc.stderr and "--overwrite" in proc.stderr
    assert (target / "manifest.json").read_text() == before
    proc = spinfem(
        "run",
        str(CASES / "spin_valve.toml"),
        "--out",
        str(target),
        "--overwrite",
        *SMALL,
        "--set",
        "contacts.top.voltage=2 mV",
    )
    assert proc.returncode == 0, proc.stderr
    top = [r for r in rows(target / "contacts.csv") if r["contact"] == "top"]
    assert float(top[0]["voltage_V"]) == pytest.approx(2e-3, rel=1e-12)


def test_failed_run_is_recorded_and_not_published(tmp_path):
    target = tmp_path / "fail"
    proc = spinfem(
        "run",
        str(CASES / "spin_valve.toml"),
        "--out",
        str(target),
        *SMALL,
        "--set",
        "solver.direct_max_dofs=0",
        "-spinfem_ksp_type",
        "cg",
        "-spinfem_pc_type",
        "none",
        "-spinfem_ksp_max_it",
        "2",
    )
    assert proc.returncode == 3, proc.stderr  # SolverError
    assert "did not converge" in proc.stderr and "DIVERGED" in proc.stderr
    assert proc.stderr.count("did not converge") == 1  # said once
    assert not target.exists()
    failed = tmp_path / "fail.failed"
    man = json.loads((failed / "manifest.json").read_text())
    assert man["status"].startswith("failed: SolverError") and "end_utc" in man
    assert "run failed" in (failed / "log.txt").read_text()


def test_petsc_options_from_case_and_command_line(tmp_path):
    out = tmp_path / "opts"
    proc = spinfem(
        "--log-level",
        "INFO",
        "run",
        str(CASES / "spin_valve.toml"),
        "--out",
        str(out),
        *SMALL,
        "--set",
        "solver.direct_max_dofs=0",
        "--set",
        "solver.petsc_options.ksp_type=gmres",
        "-spinfem_pc_type",
        "jacobi",
        "-spinfem_ksp_max_it",
        "5000",
    )
    assert proc.returncode == 0, proc.stderr
    assert "gmres+jacobi" in (out / "log.txt").read_text()
    assert "gmres+jacobi" in proc.stderr  # --log-level INFO shows it on the console too
    proc = spinfem("run", str(CASES / "spin_valve.toml"), "--out", str(out), "-ksp_monitor")
    assert proc.returncode == 2 and "prefix spinfem_" in proc.stderr


def test_check_and_bad_input_exit_codes(tmp_path):
    proc = spinfem("check", str(CASES / "mtj.toml"), "--out", str(tmp_path / "chk"))
    assert proc.returncode == 0, proc.stderr
    assert "ref|free" in proc.stdout and "tunnel barrier" in proc.stdout
    assert (tmp_path / "chk" / "regions.xdmf").is_file()
    proc = spinfem("check", str(CASES / "mtj.toml"), "--set", "mesh.barrier.below=reff")
    assert proc.returncode == 2
    assert "'reff'" in proc.stderr and "did you mean 'ref'" in proc.stderr
    proc = spinfem("run", str(CASES / "spin_valve.toml"), "--restart", "latest")
    assert proc.returncode == 2 and "steady" in proc.stderr


def test_info_lists_models_and_devices():
    proc = spinfem("info")
    assert proc.returncode == 0, proc.stderr
    assert "two_current" in proc.stdout
    for kind in ("pillar", "mtj", "magnet_slab", "file"):
        assert kind in proc.stdout


def test_plot_makes_pngs(serial_run, tmp_path):
    import matplotlib.image as mpimg

    out = tmp_path / "plots"
    proc = spinfem("plot", str(serial_run), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["contacts.png", "profile_axis.png", "states.png"]
    for name in names:
        img = mpimg.imread(out / name)
        assert img.ndim == 3 and img.shape[0] > 100 and np.ptp(img) > 0.1, name


@pytest.mark.mpi
def test_run_and_check_on_two_ranks(serial_run, tmp_path):
    out = tmp_path / "np2"
    proc = spinfem("run", str(CASES / "spin_valve.toml"), "--out", str(out), *SMALL, nprocs=2)
    assert proc.returncode == 0, proc.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "ok" and man["mpi_ranks"] == 2
    one = {r["state"]: r for r in rows(serial_run / "results.csv")}
    two = {r["state"]: r for r in rows(out / "results.csv")}
    for state in one:
        a = float(one[state]["resistance_area_ohm_m2"])
        b = float(two[state]["resistance_area_ohm_m2"])
        print(f"{state}: RA 1 rank {a:.12e}, 2 ranks {b:.12e}, rel diff {rel_err(b, a):.1e}")
        assert rel_err(b, a) < 1e-8
    p1 = np.array([float(r["mu_s_eV"]) for r in rows(serial_run / "profiles.csv")])
    p2 = np.array([float(r["mu_s_eV"]) for r in rows(out / "profiles.csv")])
    assert np.max(np.abs(p2 - p1)) <= 1e-8 * np.max(np.abs(p1))
    chk1 = tmp_path / "chk1"
    chk2 = tmp_path / "chk2"
    case = str(CASES / "spin_valve.toml")
    assert spinfem("check", case, "--out", str(chk1), *SMALL).returncode == 0
    proc = spinfem("check", case, "--out", str(chk2), *SMALL, nprocs=2)
    assert proc.returncode == 0, proc.stderr
    r1 = json.loads((chk1 / "check.json").read_text())
    r2 = json.loads((chk2 / "check.json").read_text())
    assert r1["regions"] == r2["regions"] and r1["boundaries"] == r2["boundaries"]
    # a bad name on two ranks: one message, same exit code, no hang
    proc = spinfem("check", case, *SMALL, "--set", "materials.Co_fre.library=Co", nprocs=2)
    assert proc.returncode == 2 and proc.stderr.count("materials.Co_fre") == 1, proc.stderr


def test_cluster_and_paraview_scripts_are_well_formed():
    """They need SLURM, Apptainer or ParaView to run; here: syntax and the essentials."""
    import subprocess

    sbatch = REPO / "scripts" / "slurm" / "spinfem.sbatch"
    assert subprocess.run(["bash", "-n", str(sbatch)], capture_output=True).returncode == 0
    text = sbatch.read_text()
    assert "spinfem check" in text and "spinfem --log-level INFO run" in text
    compile((REPO / "scripts" / "paraview_demo.py").read_text(), "paraview_demo.py", "exec")
    definition = (REPO / "scripts" / "apptainer.def").read_text()
    assert "Bootstrap: docker-daemon" in definition and "From: spinfem:latest" in definition
    assert 'exec spinfem "$@"' in definition
