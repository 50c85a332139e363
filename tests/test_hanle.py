"""Hanle precession in a lateral spin valve, angle sweeps, and the sweep machinery.

R_NL(B) with B along z, perpendicular to the injector magnetization m = +x, against the
tunnel-limit closed form (Johnson-Silsbee / Jedema; tests/reference/nonlocal.py)::

    R_NL(B) = +/-(P_J^2 R_N/2) Re F,   F = (lambda_w/lambda_N) e^{-L/lambda_w},
    lambda_w = lambda_N/sqrt(1 + i omega_L tau_sf),  omega_L = |g_e| mu_B B/hbar

on the 2D quasi-1D valve (Cu channel 20 x 50 nm, lambda_N = 500 nm, tau_sf = 50 ps; Py
wires; barriers of RA = 1e-12 Ohm m^2, P_J = 0.3, i.e. R_I = 1 kOhm >> R_N = 3 Ohm).
Tolerance 0.5 % of R_NL(0) on the normalised lineshape (1 % on R_NL(0) itself): the
finite barrier (R_N/R_I ~ 0.3 %) and the finite wire width (w/lambda_N = 0.04) are the
departures; measured 0.05-0.11 % on the lineshape, 0.1 % on R_NL(0).

Sign of precession (pinned here): mu precesses right-handed about B; a detector along
b x m = +y sees R_NL > 0 for small B > 0 (= -(P_J^2 R_N/2) Im F).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from nlsv_devices import (
    CU_TAU,
    HANLE_MATS,
    HANLE_PJ,
    HANLE_RA,
    MATS,
    NM,
    R_NL,
    barriers,
    build,
    collinear_r_nl,
    contacts,
    hanle_problem,
    nl,
    valve,
)

from conftest import MPI_SCRIPTS, rel_err, run_python
from spinfem.errors import InputError, MaterialError, MeshError
from spinfem.geometry.lateral import LateralValve
from spinfem.problem import TwoCurrentProblem
from spinfem.sweeps import angle_sweep, field_sweep, nonlocal_resistance, sweep
from spinfem.vector_problem import VectorSpinProblem

FIELDS_T = np.array([0.0, 0.03, 0.06, 0.1, 0.2, 0.4, -0.1])
OBS = {"R_NL_ohm": R_NL}


def _closed_form(v, B):
    wt = nl.larmor(B) * CU_TAU.tau_sf
    F = nl.hanle_factor(v.L, CU_TAU.l_sf, wt)
    R_N = CU_TAU.l_sf / (CU_TAU.sigma * v.channel_area_m2)
    return HANLE_PJ**2 * R_N / 2 * F


@pytest.mark.parametrize("L_over_lambda", [0.5, 1.0, 2.0])
def test_hanle_lineshape_parallel_antiparallel_and_perpendicular(L_over_lambda):
    v, problem = hanle_problem(L_over_lambda)
    ref = _closed_form(v, FIELDS_T)
    curves = {}
    for state, m_det in (("P", (1, 0, 0)), ("AP", (-1, 0, 0)), ("perp", (0, 1, 0))):
        problem.set_magnetization("detector", m_det)
        res = field_sweep(problem, FIELDS_T, OBS, direction=(0, 0, 1))
        assert res.parameter == "field_T" and np.array_equal(res.values, FIELDS_T)
        curves[state] = res["R_NL_ohm"]
    assert np.all(problem.field_T == 0)  # restored after the sweep
    R0 = curves["P"][0]
    # absolute value at B = 0: the tunnel limit P_J^2 R_N/2 e^{-L/lambda}
    print(f"R_NL(0) FE {R0:.5e}, tunnel limit {ref[0].real:.5e} Ohm")
    assert rel_err(R0, ref[0].real) < 1e-2
    shape = {"P": ref.real, "AP": -ref.real, "perp": -ref.imag}
    for state, fe in curves.items():
        dev = np.max(np.abs(fe / R0 - shape[state] / ref[0].real))
        print(f"{state}: max |R/R0 - closed form| = {dev:.2e}")
        assert dev < 5e-3, (state, fe / R0, shape[state] / ref[0].real)
    # symmetries: P/AP even in B, perpendicular odd; sign of precession pinned
    assert curves["P"][3] == pytest.approx(curves["P"][6], rel=1e-7)
    assert curves["perp"][3] == pytest.approx(-curves["perp"][6], rel=1e-7)
    assert curves["perp"][1] > 0.05 * R0  # right-handed: m = +x turns toward +y for B = +z
    assert abs(curves["perp"][0]) < 1e-6 * R0


def test_angle_sweep_detector_follows_cos_theta():
    _, problem = hanle_problem(1.0)
    angles = np.array([0.0, 30.0, 60.0, 90.0, 135.0, 180.0])
    res = angle_sweep(problem, "detector", angles, OBS, start=(1, 0, 0), towards=(0, 1, 0))
    assert res.parameter == "angle_deg"
    r = res["R_NL_ohm"]
    print("R_NL(theta)/R_NL(0):", r / r[0])
    assert np.max(np.abs(r / r[0] - np.cos(np.radians(angles)))) < 1e-5
    assert problem.magnetization["detector"] == pytest.approx((1.0, 0.0, 0.0))  # restored
    # out-of-plane rotation (toward the field axis) gives the same cos law at B = 0
    res_z = angle_sweep(problem, "detector", [60.0], OBS, towards=(0, 0, 1))
    assert res_z["R_NL_ohm"][0] == pytest.approx(0.5 * r[0], rel=1e-5)
    assert res.as_dict()["angle_deg"] == angles.tolist()


def test_generic_sweep_with_the_collinear_model():
    v = valve(1.0, arm_lambdas=3.0)
    mesh = build(v, per_lsf=4)
    problem = TwoCurrentProblem(mesh, MATS, contacts(), magnetization={"detector": 1})
    res = sweep(
        [1, -1],
        lambda p: problem.magnetization.__setitem__("detector", p),
        problem.solve,
        {"R_NL_ohm": R_NL},
        parameter="detector_polarity",
        progress=False,
    )
    ref = collinear_r_nl(mesh, MATS, {})
    assert res["R_NL_ohm"] == pytest.approx([ref["P"], ref["AP"]], rel=1e-12)


def test_sweep_bad_inputs():
    v = valve(1.0, arm_lambdas=3.0)
    mesh = build(v, per_lsf=2)
    collinear = TwoCurrentProblem(mesh, MATS, contacts())
    with pytest.raises(InputError, match="field_sweep needs a problem with set_field"):
        field_sweep(collinear, [0.0], OBS)
    with pytest.raises(InputError, match="angle_sweep needs a problem with set_magnetization"):
        angle_sweep(collinear, "detector", [0.0], OBS)
    _, problem = hanle_problem(1.0)
    with pytest.raises(InputError, match=r"sweep values \[field_T\]: need at least one"):
        field_sweep(problem, [], OBS)
    with pytest.raises(InputError, match=r"sweep values \[field_T\] must be finite"):
        field_sweep(problem, [0.0, float("nan")], OBS)
    with pytest.raises(InputError, match="at least one observable"):
        field_sweep(problem, [0.0], {})
    with pytest.raises(InputError, match="'direction' must be a finite non-zero 3-vector"):
        field_sweep(problem, [0.1], OBS, direction=(0, 0, 0))
    with pytest.raises(MeshError, match="did you mean 'detector'"):
        angle_sweep(problem, "detecter", [0.0], OBS)
    with pytest.raises(InputError, match="'towards' \\(normal to 'start'\\)"):
        angle_sweep(problem, "detector", [0.0], OBS, start=(1, 0, 0), towards=(2, 0, 0))
    with pytest.raises(InputError, match="'detector' must be a contact name"):
        nonlocal_resistance("injector_end", "", "channel_right")
    # a field without tau_sf in the channel: the model's own error, raised by the sweep
    no_tau = VectorSpinProblem(
        mesh,
        MATS,
        contacts(),
        magnetization={"injector": (1, 0, 0), "detector": (1, 0, 0)},
    )
    with pytest.raises(MaterialError, match="B without tau_sf"):
        field_sweep(no_tau, [0.1], OBS)


@pytest.mark.mpi
def test_hanle_curve_identical_on_1_and_2_ranks_with_progress_on_rank_0(tmp_path):
    runs, logs = {}, {}
    for n in (1, 2):
        out = tmp_path / f"hanle-np{n}.json"
        proc = run_python([str(MPI_SCRIPTS / "nlsv_hanle.py"), str(out)], nprocs=n)
        assert proc.returncode == 0, proc.stderr
        runs[n] = json.loads(out.read_text())
        logs[n] = proc.stderr
    npts = len(runs[1]["field_T"])
    for n in (1, 2):
        assert runs[n]["ranks"] == n
        # one progress line per point, from rank 0 only; no progress bar without a TTY
        assert logs[n].count("sweep field_T: point") == 2 * npts, logs[n]  # two sweeps
        assert "[#" not in logs[n]
    for key in ("R_NL_P_ohm", "R_NL_perp_ohm"):
        a, b = np.array(runs[1][key]), np.array(runs[2][key])
        assert np.all(np.isfinite(a))
        assert np.max(np.abs(a - b)) <= 1e-8 * np.max(np.abs(a)), (key, a, b)


@pytest.mark.mpi
def test_sweeps_reusing_amg_agree_on_1_and_2_ranks(tmp_path):
    """The iterative path of the same sweeps (AMG hierarchy carried between points) on
    1 and 2 ranks gives the direct serial curves."""
    runs = {}
    for n, mode in ((1, []), (1, ["iterative"]), (2, ["iterative"])):
        out = tmp_path / f"hanle-np{n}-{len(mode)}.json"
        proc = run_python([str(MPI_SCRIPTS / "nlsv_hanle.py"), str(out), *mode], nprocs=n)
        assert proc.returncode == 0, proc.stderr
        runs[(n, bool(mode))] = json.loads(out.read_text())
        # the hierarchy is carried (iterative) or every point refactorised (direct)
        assert ("from an older operator" in proc.stderr) == bool(mode), proc.stderr[-2000:]
    ref = runs[(1, False)]
    for key in ("R_NL_P_ohm", "R_NL_perp_ohm"):
        scale = np.max(np.abs(ref["R_NL_P_ohm"]))
        for n in (1, 2):
            got = np.array(runs[(n, True)][key])
            assert runs[(n, True)]["ranks"] == n
            assert np.max(np.abs(got - np.array(ref[key]))) <= 1e-6 * scale, (key, n, got)


def test_hanle_on_a_3d_crossing():
    """3D: 20 nm thick Py wires across the channel, tunnel contacts (coarse: 1 element per
    l_sf, at least 1 across; 17 k tetrahedra). Measured: R_NL(0) within 1.2e-4 of the
    tunnel limit, lineshape within 1.4e-3 of R_NL(0)."""
    v = LateralValve(
        L=CU_TAU.l_sf,
        channel_width=50 * NM,
        channel_thickness=20 * NM,
        wire_width=20 * NM,
        wire_thickness=20 * NM,
        arm=4 * CU_TAU.l_sf,
        wire_arm=40 * NM,
    )
    mesh = build(v, dim=3, mats=HANLE_MATS, per_lsf=1, min_elements=1)
    problem = VectorSpinProblem(
        mesh,
        HANLE_MATS,
        contacts(),
        magnetization={"injector": (1, 0, 0), "detector": (1, 0, 0)},
        interfaces=barriers(HANLE_RA, HANLE_PJ),
    )
    fields = np.array([0.0, 0.1, 0.2])
    par = field_sweep(problem, fields, OBS)["R_NL_ohm"]
    problem.set_magnetization("detector", (0, 1, 0))
    perp = field_sweep(problem, fields[1:2], OBS)["R_NL_ohm"]
    ref = _closed_form(v, fields)
    assert rel_err(par[0], ref[0].real) < 1e-2
    assert np.max(np.abs(par / par[0] - ref.real / ref[0].real)) < 5e-3
    assert perp[0] > 0  # right-handed precession in 3D too
    assert abs(perp[0] / par[0] + ref[1].imag / ref[0].real) < 5e-3


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("rank", "shown"), [(0, True), (1, False)])
def test_progress_bar_only_on_rank_0_of_a_terminal(monkeypatch, rank, shown):
    fake = _Tty()
    monkeypatch.setattr("sys.stderr", fake)
    res = sweep(
        [1.0, 2.0, 3.0], lambda v: None, lambda: 2.0, {"x_V": float}, parameter="p_1", rank=rank
    )
    assert res["x_V"].tolist() == [2.0, 2.0, 2.0]
    assert ("[" + "#" * 30 + "] 3/3" in fake.getvalue()) is shown
    plain = io.StringIO()  # not a terminal: no bar even if asked for
    monkeypatch.setattr("sys.stderr", plain)
    sweep([1.0], lambda v: None, lambda: 1.0, {"x_V": float}, parameter="p_1", progress=True)
    assert plain.getvalue() == ""


def test_sweeps_reuse_the_preconditioner_with_fresh_answers():
    """A field sweep carries one solver. On the iterative path the AMG hierarchy of an
    earlier field preconditions GMRES at the next (fewer setups than points, rebuilt
    when it needs too many iterations); every point gives the answer of a fresh solve.
    On the direct path every point is refactorised (exact)."""
    from spinfem.solvers import PreconditionerReuse, SolverSettings

    _, problem = hanle_problem(1.0)
    iterative = SolverSettings(direct_max_dofs=0, rtol=1e-13)
    for settings, reused in ((iterative, True), (problem.settings, False)):
        problem.settings = settings
        reuse = PreconditionerReuse()
        try:
            res = sweep(
                FIELDS_T,
                lambda b: problem.set_field((0.0, 0.0, b)),
                lambda reuse=reuse: problem.solve(reuse=reuse),
                OBS,
                parameter="field_T",
            )
            s = reuse.solver
            print(f"{s.kind}: {FIELDS_T.size} points, {s.setups} setups, {s.rebuilds} rebuilds")
            assert (s.setups < FIELDS_T.size) == reused and s.setups >= 1 + s.rebuilds
        finally:
            reuse.close()
        assert reuse.solver is None
        for b, r in zip(FIELDS_T, res["R_NL_ohm"], strict=True):
            problem.set_field((0.0, 0.0, b))
            assert rel_err(r, R_NL(problem.solve())) < 1e-6
