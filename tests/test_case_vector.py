"""The vector model from case files (cases/nlsv_hanle, smr_hall_bar, sot_bilayer,
nc_spin_valve): every case runs through the CLI at smoke size and its outputs are read
back; one case under ``mpirun -n 2`` gives the same numbers; a case-file run equals the
Python API on the same device; the sweep plot is a real PNG; check and info know the model."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import rel_err, run_python
from reference.spin_hall import smr_coefficients

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "cases"
NAMES = ("nlsv_hanle", "smr_hall_bar", "sot_bilayer", "nc_spin_valve")


def spinfem(*args: str, nprocs: int = 1):
    return run_python(["-m", "spinfem.cli", *args], nprocs=nprocs, timeout=400)


def rows(path: Path) -> list[dict[str, float | str]]:
    with open(path, newline="") as f:
        out = []
        for r in csv.DictReader(f):
            row: dict[str, float | str] = {}
            for k, v in r.items():
                try:
                    row[k] = float(v)
                except ValueError:
                    row[k] = v
            out.append(row)
        return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("vector_cases")
    out = {}
    for name in NAMES:
        target = base / name
        proc = spinfem("run", str(CASES / f"{name}.toml"), "--out", str(target))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "model vector" in proc.stdout
        out[name] = target
    return out


@pytest.mark.parametrize("name", NAMES)
def test_run_directory_is_complete(runs, name):
    run = runs[name]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["mpi_ranks"] == 1
    res = json.loads((run / "results.json").read_text())
    steady = res["states"]["steady"]
    assert res["model"] == "vector"
    assert set(steady["contacts"]) == set(
        json.loads((run / "resolved.json").read_text())["sections"]["contacts"]
    )
    # the scalar table equals results.json, units in every name
    table = rows(run / "results.csv")[0]
    for key, value in steady["observables"].items():
        assert table[key] == pytest.approx(value, rel=1e-14)
        assert key.endswith(("_ohm", "_Nm")) or key.startswith("xi_")
    # charge conservation through the contacts
    currents = [c["current_A"] for c in steady["contacts"].values()]
    assert abs(sum(currents)) <= 1e-9 * max(abs(c) for c in currents)
    # fields: VTX (BP4) directories of V, mu_s and currents
    for bp in ("potentials.bp", "currents.bp"):
        assert (run / "fields" / "steady" / bp / "md.idx").is_file()
    assert (run / "mesh" / "regions.xdmf").is_file()


def test_hanle_sweep_is_even_in_B_and_peaks_at_zero(runs):
    sweep = rows(runs["nlsv_hanle"] / "sweep.csv")
    B = np.array([r["field_T"] for r in sweep])
    R = np.array([r["R_NL_ohm"] for r in sweep])
    assert B.tolist() == [-0.3, -0.15, 0.0, 0.15, 0.3]
    # B perpendicular to both magnetizations: R_NL(B) = R_NL(-B), largest at B = 0
    assert np.allclose(R, R[::-1], rtol=1e-8, atol=0)
    assert R.argmax() == 2 and R[2] > 0
    steady = json.loads((runs["nlsv_hanle"] / "results.json").read_text())["states"]["steady"]
    assert steady["observables"]["R_NL_ohm"] == pytest.approx(R[2], rel=1e-12)


def test_smr_case_against_chen(runs):
    """Hall bar 3D smoke mesh: Delta rho_2 (Hall) within 5 % of Chen et al. PRB 87, 144411
    and of the sign of -G_i; Delta rho_1 > 0 (arms and end contacts make it ~15 % low
    at this size)."""
    from spinfem import library

    res = json.loads((runs["smr_hall_bar"] / "results.json").read_text())["states"]["steady"]
    smr = res["smr"]
    _, r1, r2 = smr_coefficients(3e-9, 1.1e-9, library.Pt.sigma, 0.08, 7e14, 5e13)
    assert rel_err(smr["Delta_rho_2_over_rho"], r2) < 0.05
    assert smr["Delta_rho_2_over_rho"] < 0
    assert 0.7 * r1 < smr["Delta_rho_1_over_rho"] < 1.1 * r1
    assert res["torques"]["bottom"]["damping_like_abs_Nm"] > 0


def test_angle_sweep_torque_vanishes_collinear(runs):
    sweep = rows(runs["nc_spin_valve"] / "sweep.csv")
    ang = [r["angle_deg"] for r in sweep]
    tq = np.array([r["torque_DL_F2_Nm"] for r in sweep])
    R = np.array([r["resistance_ohm"] for r in sweep])
    assert ang == [0, 45, 90, 135, 180]
    assert tq[0] < 1e-12 * tq.max() and tq[-1] < 1e-12 * tq.max()
    assert np.all(np.diff(R) > 0)  # R grows from P to AP


def test_sot_case_equals_python_api(runs):
    """Same device, materials and laws through the Python API: torques identical."""
    from mpi4py import MPI

    from spinfem import library
    from spinfem.contacts import Contact
    from spinfem.geometry.strip import bilayer
    from spinfem.mixing import MixingConductance
    from spinfem.vector_problem import VectorSpinProblem

    nm = 1e-9
    dev = bilayer(40 * nm, 4 * nm, 2 * nm, names=("Pt", "Py"), size=0.5 * nm, comm=MPI.COMM_WORLD)
    mats = {"Pt": library.Pt, "Py": library.Py.with_(lambda_J=1e-9, lambda_phi=1.5e-9)}
    law = MixingConductance.from_ARb_mixing(0.5e-15, 0.4, 6e14, 3e13)
    sol = VectorSpinProblem(
        dev,
        mats,
        [Contact("left", voltage=1e-3), Contact("right", voltage=0.0)],
        {"Py": (1, 0, 0)},
        interfaces={"Pt|Py": law},
    ).solve()
    jc = float(np.linalg.norm(sol.average_current_density("Pt")))
    api = sol.torques(current_density_A_per_m2=jc)["Py"]
    case = json.loads((runs["sot_bilayer"] / "results.json").read_text())["states"]["steady"]
    t = case["torques"]["Py"]
    for key in ("damping_like_Nm", "field_like_Nm"):
        a, b = np.asarray(t[key]), api[key]
        assert np.max(np.abs(a - b)) <= 1e-10 * np.max(np.abs(b)), key
    assert rel_err(t["xi_DL"], api["xi_DL"]) < 1e-10
    assert rel_err(case["observables"]["xi_DL_Py"], api["xi_DL"]) < 1e-10
    assert rel_err(case["resistance_ohm"], sol.resistance()) < 1e-10


def test_nlsv_case_equals_python_api(runs):
    """Hanle point B = 0.15 T through the Python API (the example's device)."""
    from mpi4py import MPI

    from spinfem import library
    from spinfem.contacts import Contact
    from spinfem.geometry.lateral import LateralValve, lateral_valve
    from spinfem.interfaces import TunnelBarrier
    from spinfem.sweeps import nonlocal_resistance
    from spinfem.vector_problem import VectorSpinProblem

    nm = 1e-9
    mats = {"channel": library.Cu.with_(tau_sf=50e-12), "injector": library.Py}
    mats["detector"] = library.Py
    valve = LateralValve(500 * nm, 50 * nm, 20 * nm, 20 * nm, 66 * nm, 1500 * nm)
    dev = lateral_valve(valve, dim=2, materials=mats, per_lsf=4, comm=MPI.COMM_WORLD)
    barrier = TunnelBarrier.from_RA(1e-12, 0.3)
    prob = VectorSpinProblem(
        dev,
        mats,
        [
            Contact("injector_end", current=1e-6),
            Contact("channel_left", voltage=0.0),
            Contact("detector_end", current=0.0),
            Contact("channel_right", current=0.0),
        ],
        {"injector": (1, 0, 0), "detector": (1, 0, 0)},
        interfaces={"injector|channel": barrier, "detector|channel": barrier},
        field_T=(0, 0, 0.15),
    )
    r_nl = nonlocal_resistance("injector_end", "detector_end", "channel_right")(prob.solve())
    sweep = rows(runs["nlsv_hanle"] / "sweep.csv")
    assert rel_err(sweep[3]["R_NL_ohm"], r_nl) < 1e-10


def test_two_ranks_identical(runs, tmp_path):
    target = tmp_path / "np2"
    proc = spinfem("run", str(CASES / "nlsv_hanle.toml"), "--out", str(target), nprocs=2)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((target / "manifest.json").read_text())["mpi_ranks"] == 2
    ser, par = rows(runs["nlsv_hanle"] / "sweep.csv"), rows(target / "sweep.csv")
    assert len(ser) == len(par)
    # scale: the largest |R_NL| (at 0.3 T R_NL is 200x smaller, a cancellation of spin
    # signals in which the round-off of another factorisation order is amplified)
    scale = max(abs(b["R_NL_ohm"]) for b in ser)
    for a, b in zip(par, ser, strict=True):
        assert a["field_T"] == b["field_T"]
        assert abs(a["R_NL_ohm"] - b["R_NL_ohm"]) < 1e-8 * scale
    cs, cp = rows(runs["nlsv_hanle"] / "contacts.csv"), rows(target / "contacts.csv")
    for a, b in zip(cp, cs, strict=True):
        assert a["contact"] == b["contact"]
        assert abs(a["voltage_V"] - b["voltage_V"]) <= 1e-8 * abs(b["voltage_V"]) + 1e-18


def test_plot_of_the_hanle_sweep(runs, tmp_path):
    import matplotlib.image

    proc = spinfem("plot", str(runs["nlsv_hanle"]), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    png = tmp_path / "sweep_field_T.png"
    assert str(png.name) in proc.stdout
    img = matplotlib.image.imread(png)
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 400
    assert img[..., :3].std() > 0.05  # not blank
    proc = spinfem("plot", str(runs["sot_bilayer"]), "--out", str(tmp_path / "sot"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "sot" / "profile_normal.png").is_file()  # mu_s x, y, z across the film
    proc = spinfem("plot", str(runs["nc_spin_valve"]), "--out", str(tmp_path / "nc"))
    assert proc.returncode == 0, proc.stderr
    img = matplotlib.image.imread(tmp_path / "nc" / "sweep_angle_deg.png")
    assert img.shape[0] > 1000  # one panel per observable (R and 8 torque/xi columns)


def test_check_and_info_know_the_vector_model(tmp_path):
    proc = spinfem("check", str(CASES / "smr_hall_bar.toml"), "--out", str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    assert "magnetic-insulator boundaries: ['bottom']" in proc.stdout
    rep = json.loads((tmp_path / "c" / "check.json").read_text())
    assert rep["model"] == "vector" and rep["regions"]["Pt"] > 0 and rep["boundaries"]["bottom"] > 0
    assert (tmp_path / "c" / "regions.xdmf").is_file()
    proc = spinfem("info")
    assert proc.returncode == 0
    assert "vector: non-collinear" in proc.stdout and "Hanle" in proc.stdout
    for kind in ("lateral_valve", "film", "bilayer", "hall_bar", "hall_cross"):
        assert kind in proc.stdout
