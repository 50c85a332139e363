"""``[model] kind = "mm"`` case files: schema (units, key paths, did-you-mean, the M-m bad
inputs as case-file values), names checked against the mesh, the example cases run
through the front door against the Python API and the analytic dispersion, serially and
under ``mpirun -n 2``."""

from __future__ import annotations

import copy
import csv
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from conftest import rel_err, run_python
from spinfem.case.load import read_toml, validate_case
from spinfem.errors import InputError, MeshError

REPO = Path(__file__).resolve().parents[1]
STEP = REPO / "cases" / "mm_step_relaxation.toml"
AC = REPO / "cases" / "mm_ac_response.toml"
STEP_SMOKE = ["mesh.cells=[40]", "transient.t_end=5 ns", "transient.n_outputs=5"]
AC_SMOKE = ["mesh.cells=[300]"]


def spinfem(*args: str, nprocs: int = 1, timeout: float = 300):
    return run_python(["-m", "spinfem.cli", *args], nprocs=nprocs, timeout=timeout)


def sets(items: list[str]) -> list[str]:
    return [a for item in items for a in ("--set", item)]


def problems(raw: dict) -> str:
    with pytest.raises(InputError) as info:
        validate_case(raw)
    return str(info.value)


def step_raw() -> dict:
    return read_toml(STEP)


# ------------------------------------------------------------------ schema
def test_listed_by_info_and_in_the_reference():
    proc = spinfem("info")
    assert proc.returncode == 0, proc.stderr
    assert "    mm: longitudinal M-m magnet dynamics" in proc.stdout
    assert "(transient)" in proc.stdout
    assert "box" in proc.stdout.split("([mesh] kind):")[1]
    text = (REPO / "docs" / "cases.md").read_text()
    assert "### [magnets.<name>] (model mm)" in text and '### [mesh] kind = "box"' in text


def test_units_and_equivalent_parametrisations():
    """r = (1 - xi)/tau_mM: the example's r = 1e9 1/s equals tau_mM = 0.7 ns; rates and
    times of lattice decay are alike; units are converted to SI."""
    a = validate_case(step_raw())
    raw = step_raw()
    mag = raw["magnets"]["magnet"]
    del mag["r"]
    mag.update(tau_mM="0.7 ns", D_m="10 cm^2/s", tau_mL="5 ns")
    raw["mesh"]["size"] = ["8000 nm"]
    b = validate_case(raw)
    pa, pb = a.section("magnets")["magnet"].params(), b.section("magnets")["magnet"].params()
    assert rel_err(pb.r, pa.r) < 1e-12 and rel_err(pb.D_m, 1e-3) < 1e-12
    assert rel_err(pb.w_m, 2e8) < 1e-12 and pa.w_m == 0.0
    assert a.mesh.size == pytest.approx([8e-6], rel=1e-12) == b.mesh.size
    t = a.section("transient")
    assert t.t_end == pytest.approx(2e-8, rel=1e-12) and t.atol == pytest.approx(1e-3)
    assert a.section("initial").dM.step.position == pytest.approx(4e-6, rel=1e-12)
    raw = tomllib.loads(AC.read_text())
    f = validate_case(raw).section("frequency")
    assert f.omega == pytest.approx([1e8, 1e9, 1e10], rel=1e-12)


def edit(path: str, value):
    def apply(raw: dict) -> None:
        *head, last = path.split(".")
        node = raw
        for p in head:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(last)
        else:
            node[last] = value

    return apply


@pytest.mark.parametrize(
    ("edits", "words"),
    [
        # the M-m bad inputs of issue 5 as case-file values: key path, parameter, unit
        ([edit("magnets.magnet.xi", 1.2)], ["magnets.magnet", "'xi'", "[1]", "> 1", "unstable"]),
        (
            [edit("magnets.magnet.tau_Mm", "1 ns")],
            ["magnets.magnet", "'tau_Mm'", "Onsager", "1/tau_Mm = xi/tau_mM", "need tau_Mm"],
        ),
        ([edit("magnets.magnet.r", "-1e9 1/s")], ["magnets.magnet", "'r' [1/s]", "positive"]),
        ([edit("magnets.magnet.w_m", "-1e8 1/s")], ["magnets.magnet", "'w_m' [1/s]", ">= 0"]),
        ([edit("magnets.magnet.tau_ML", "-1 ns")], ["magnets.magnet", "'tau_ML' [s]"]),
        ([edit("transient.dt0", "0 s")], ["transient.dt0", "must be > 0 [s]"]),
        ([edit("transient.dt0", "-1 ps")], ["transient.dt0", "must be > 0 [s]"]),
        ([edit("transient.dt_max", "-1 ps")], ["transient.dt_max", "[s]"]),
        ([edit("transient.t_end", "0 ns")], ["transient.t_end", "must be > 0 [s]"]),
        ([edit("transient.atol", "0 A/m")], ["transient.atol", "[A/m]"]),
        # units
        ([edit("transient.t_end", "20 nm")], ["transient.t_end", "wrong dimension", "[s]"]),
        ([edit("magnets.magnet.r", 1e9)], ["magnets.magnet.r", "no unit", "[1/s]"]),
        ([edit("magnets.magnet.D_m", "1e-3 m/s")], ["magnets.magnet.D_m", "[m^2/s]"]),
        ([edit("initial.dM.step.left", "1e3 A")], ["initial.dM.step.left", "[A/m]"]),
        (
            [edit("frequency.omega", ["1 GHz"])],
            ["frequency.omega.0", "angular frequency", "rad/s", "2 pi f"],
        ),
        (
            [edit("boundaries.xmin", {"kind": "injected_flux", "J": "1e3 A/m"})],
            ["boundaries.xmin.J", "[A/s]"],
        ),
        # structure
        ([edit("transient.rtoll", 1e-5)], ["transient.rtoll", "did you mean 'rtol'"]),
        ([edit("magnets.magnet.Dm", "1 m^2/s")], ["magnets.magnet.Dm", "did you mean 'D_m'"]),
        ([edit("magnets.magnet.D_m", None)], ["magnets.magnet.D_m", "missing"]),
        ([edit("magnets.magnet.xi", None)], ["exactly one of 'chi_m'", "'xi'"]),
        (
            [edit("boundaries.xmin", {"kind": "injected"})],
            ["boundaries.xmin.kind", "injected_flux"],
        ),
        (
            [edit("boundaries.xmin", {"kind": "injected_flux"})],
            ["boundaries.xmin", "exactly one of J, pulse, sinusoid"],
        ),
        (
            [edit("boundaries.xmax", {"kind": "zero_flux", "value": "1 A/m"})],
            ["boundaries.xmax", "'zero_flux' does not take value"],
        ),
        (
            [edit("initial.dm", {"value": "0 A/m", "cos": {"amplitude": "1 A/m", "k": "1 1/um"}})],
            ["initial.dm", "exactly one of 'value', 'step', 'cos'"],
        ),
        ([edit("magnet", {})], ["magnet: unknown section", "did you mean 'magnets'"]),
        ([edit("materials", {})], ["materials: unknown section"]),
        ([edit("magnets", None)], ["magnets: missing (required by model 'mm')"]),
    ],
)
def test_bad_case_values_name_key_and_unit(edits, words):
    raw = step_raw()
    raw["frequency"] = {"omega": ["1e9 rad/s"]}
    for e in edits:
        e(raw)
    text = problems(raw)
    for w in words:
        assert w in text, (w, text)


def test_check_names_regions_and_boundaries(tmp_path):
    """spinfem check: unknown magnet regions and facet groups with a did-you-mean, regions
    without parameters, a case without [transient]/[frequency]; no solve."""
    from spinfem.case.run import check_case

    def check(raw: dict, error=MeshError) -> str:
        path = tmp_path / "c.toml"
        path.write_text(_toml(raw))
        with pytest.raises(error) as info:
            check_case(path, out=tmp_path / "chk")
        return str(info.value)

    raw = step_raw()
    raw["magnets"]["magent"] = raw["magnets"].pop("magnet")
    raw["boundaries"]["xmni"] = raw["boundaries"].pop("xmin")
    text = check(raw)
    assert "magnets.magent: unknown region 'magent' (did you mean 'magnet'?)" in text
    assert "boundaries.xmni: unknown facet group 'xmni' (did you mean 'xmin'?)" in text
    assert "region(s) without magnet parameters: ['magnet']" in text
    raw = step_raw()
    del raw["transient"]
    assert "needs [transient]" in check(raw, InputError)
    rep = check_case(STEP, out=tmp_path / "ok")
    assert rep["model"] == "mm" and rep["regions"] == {"magnet": 160}
    assert rep["boundaries"] == {"xmin": 1, "xmax": 1} and rep["unknowns"] == 2 * 161


def _toml(raw: dict) -> str:
    """A minimal TOML writer for the nested tables of these tests."""

    def value(v) -> str:
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return repr(v)

    lines: list[str] = []

    def table(prefix: str, d: dict) -> None:
        scalars = {k: v for k, v in d.items() if not isinstance(v, dict)}
        if prefix:
            lines.append(f"[{prefix}]")
        lines.extend(f"{k} = {value(v)}" for k, v in scalars.items())
        for k, v in d.items():
            if isinstance(v, dict):
                table(f"{prefix}.{k}" if prefix else k, v)

    table("", raw)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the example cases
def _final_fields(run: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from spinfem.mm import checkpoint

    _, _, dM, dm = checkpoint.read_path(run / "fields" / "checkpoint.bp")
    x = dM.function_space.tabulate_dof_coordinates()[:, 0]
    order = np.argsort(x)
    return x[order], dM.x.array[order], dm.x.array[order]


def _csv(path: Path) -> list[dict[str, float]]:
    with open(path, newline="") as fh:
        return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def step_run(tmp_path_factory) -> Path:
    from spinfem.case.run import run_case

    out = tmp_path_factory.mktemp("mmstep") / "run"
    run_case(STEP, out=out, overrides=STEP_SMOKE)
    return out


def test_step_relaxation_equals_the_python_api(step_run):
    """The case file and the spinfem.mm API on the same inputs give the same fields."""
    from spinfem.mm import MagnetParams, MMProblem, Transient, box_mesh

    p = MagnetParams.make(chi_M=1e-2, xi=0.3, r=1e9, D_m=1e-3)
    prob = MMProblem(box_mesh((8000.0,), (40,), length_unit=1e-9), {"magnet": p})
    run = Transient(
        prob,
        dM0=lambda x: np.where(x[0] * 1e-9 < 4e-6, 1e3, 0.0),
        dm0=0.0,
        t_end=5e-9,
        rtol=1e-5,
        atol=1e-3,
        output_times=np.linspace(0, 5e-9, 6)[1:],
    )
    run.run(keep_states=False)
    x = prob.V.tabulate_dof_coordinates()[: prob.n, 0]
    order = np.argsort(x)
    _, dM, dm = _final_fields(step_run)
    assert np.max(np.abs(dM - run.a[order])) <= 1e-12 * np.max(np.abs(run.a))
    assert np.max(np.abs(dm - run.b[order])) <= 1e-12 * np.max(np.abs(run.b))


def test_step_relaxation_physics(step_run):
    """Fig. 1: zero flux, no lattice decay -> total M + m conserved (to solver precision),
    free energy non-increasing; dm builds up at the step and the step spreads."""
    rows = _csv(step_run / "fields" / "scalars.csv")
    total = np.array([r["total_M_plus_m_Am2"] for r in rows])
    energy = np.array([r["free_energy_J"] for r in rows])
    assert np.max(np.abs(total - total[0])) <= 1e-10 * abs(total[0])
    assert total[0] == pytest.approx(1e3 * 4e-6 - 0.5 * 1e3 * 2e-7, rel=1e-12)  # P1 step
    assert np.all(np.diff(energy) <= 1e-12 * energy[0]) and energy[-1] < 0.9 * energy[0]
    x, dM, dm = _final_fields(step_run)
    assert np.max(np.abs(dm)) > 1.0  # the accumulation created by the step
    assert 0 < dM[np.argmin(np.abs(x - 4500.0))] < 500.0  # M has crossed the step
    res = json.loads((step_run / "results.json").read_text())["states"]["transient"]
    assert res["t_end_s"] == pytest.approx(5e-9, rel=1e-14)
    assert json.loads((step_run / "manifest.json").read_text())["status"] == "ok"


@pytest.fixture(scope="module")
def ac_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mmac") / "run"
    proc = spinfem("run", str(AC), "--out", str(out), *sets(AC_SMOKE))
    assert proc.returncode == 0, proc.stderr
    assert "frequency" in proc.stdout
    return out


def test_ac_response_matches_the_dispersion(ac_run):
    """k(omega) from the frequency-domain run vs k^2 of the mode matrix with lattice decay
    (spinfem.mm.k_of_omega; paper Eq. 44 generalised), 1% (measured ~1e-4)."""
    from spinfem.mm import MagnetParams, k_of_omega

    p = MagnetParams.make(chi_M=1e-2, xi=0.3, r=1e9, D_m=1e-3, w_M=1e8, w_m=2e8)
    rows = _csv(ac_run / "frequency.csv")
    assert [r["omega_rad_per_s"] for r in rows] == [1e8, 1e9, 1e10]
    for r in rows:
        k = complex(r["k_re_per_m"], r["k_im_per_m"])
        ke = k_of_omega(p, r["omega_rad_per_s"])
        assert abs(k - ke) < 0.01 * abs(ke), (r, ke)
        assert r["decay_length_m"] == pytest.approx(1 / ke.imag, rel=0.01)
        assert r["wavelength_m"] == pytest.approx(2 * math.pi / ke.real, rel=0.01)
    res = json.loads((ac_run / "results.json").read_text())
    assert len(res["states"]["frequency"]["rows"]) == 3
    assert (ac_run / "fields" / "frequency_2.bp").is_dir()


@pytest.mark.mpi
def test_example_cases_on_two_ranks(step_run, ac_run, tmp_path):
    """mpirun -n 2 spinfem run: the same observables as the serial runs."""
    out = tmp_path / "ac2"
    proc = spinfem("run", str(AC), "--out", str(out), *sets(AC_SMOKE), nprocs=2)
    assert proc.returncode == 0, proc.stderr
    for a, b in zip(_csv(out / "frequency.csv"), _csv(ac_run / "frequency.csv"), strict=True):
        for key in ("k_re_per_m", "k_im_per_m", "deltam_at_xmin_re_A_per_m"):
            assert rel_err(a[key], b[key]) < 1e-8, (key, a[key], b[key])
    out = tmp_path / "step2"
    proc = spinfem("run", str(STEP), "--out", str(out), *sets(STEP_SMOKE), nprocs=2)
    assert proc.returncode == 0, proc.stderr
    _, dM2, dm2 = _final_fields(out)
    _, dM1, dm1 = _final_fields(step_run)
    assert np.max(np.abs(dM2 - dM1)) <= 1e-8 * np.max(np.abs(dM1))
    assert np.max(np.abs(dm2 - dm1)) <= 1e-8 * np.max(np.abs(dm1))
    r1 = json.loads((step_run / "results.json").read_text())["states"]["transient"]
    r2 = json.loads((out / "results.json").read_text())["states"]["transient"]
    assert r2["steps"] == r1["steps"]
    assert rel_err(r2["free_energy_J"], r1["free_energy_J"]) < 1e-8
    assert json.loads((out / "manifest.json").read_text())["mpi_ranks"] == 2


def test_sweep_and_overrides_reach_the_model(tmp_path):
    """--set and [sweep] work on mm keys with units (one frequency run per xi)."""
    from spinfem.case.run import run_case

    raw = copy.deepcopy(tomllib.loads(AC.read_text()))
    raw["frequency"]["omega"] = ["1e9 rad/s"]
    raw["sweep"] = {"key": "magnets.magnet.xi", "values": [0.1, 0.9]}
    path = tmp_path / "sweep.toml"
    path.write_text(_toml(raw))
    res = run_case(path, out=tmp_path / "s", overrides=AC_SMOKE)
    rows = _csv(tmp_path / "s" / "frequency.csv")
    assert [r["sweep_value"] for r in rows] == [0.1, 0.9]
    from spinfem.mm import MagnetParams, k_of_omega

    for r in rows:
        p = MagnetParams.make(chi_M=1e-2, xi=r["sweep_value"], r=1e9, D_m=1e-3, w_M=1e8, w_m=2e8)
        ke = k_of_omega(p, 1e9)
        assert abs(complex(r["k_re_per_m"], r["k_im_per_m"]) - ke) < 0.01 * abs(ke)
    assert len(res["points"]) == 2


def test_plots_of_mm_runs(step_run, ac_run, tmp_path):
    """spinfem plot: the M-m time series and k(omega) figures are written and readable."""
    import matplotlib.image as mpimg

    from spinfem.plot import plot_run

    files = plot_run(step_run, out=tmp_path / "p1") + plot_run(ac_run, out=tmp_path / "p2")
    names = sorted(p.name for p in files)
    assert names == ["mm_frequency.png", "mm_transient.png"]
    for p in files:
        img = mpimg.imread(p)
        assert img.shape[0] > 100 and img.shape[1] > 100 and img.std() > 0


def test_restart_of_a_frequency_run_is_refused_untouched(ac_run):
    """--restart needs [transient]: refused before the run directory is touched."""
    from spinfem.case.run import run_case

    before = (ac_run / "manifest.json").read_text()
    with pytest.raises(InputError, match=r"--restart latest: .*no \[transient\] section"):
        run_case(AC, out=ac_run, overrides=AC_SMOKE, restart="latest")
    assert (ac_run / "manifest.json").read_text() == before
