"""Balance laws: without lattice decay the total int (dM + dm) dx changes only by injection;
the free energy F = (mu0/2) int [(dM+dm)^2/chi_M + dm^2 (1/chi_m - 1/chi_M)] never grows."""

from __future__ import annotations

import csv

import numpy as np
from mm_cases import params

from spinfem.mm import Constant, InjectedFlux, MMProblem, Pulse, Transient, box_mesh


def _rows(path):
    with open(path, newline="") as fh:
        r = list(csv.DictReader(fh))
    return {k: np.array([float(row[k]) for row in r]) for k in r[0]}


def _step_problem(p, boundaries=None, L=8000.0, n=80):
    dmesh = box_mesh((L, 400.0), (n, 4), length_unit=1e-9)
    return MMProblem(dmesh, {"magnet": p}, boundaries or {}), L


def test_total_conserved_without_lattice_decay(tmp_path):
    p = params(0.3, False)
    prob, L = _step_problem(p)
    run = Transient(
        prob, dM0=lambda x: 1e3 * (x[0] < L / 4), dm0=0.0, t_end=2e-8, rtol=1e-4, atol=1e-3
    )
    run.run(tmp_path, keep_states=False)
    s = _rows(tmp_path / "scalars.csv")
    assert len(s["t_s"]) > 10
    tot = s["total_M_plus_m_Am2"]
    assert np.max(np.abs(tot - tot[0])) < 1e-11 * abs(tot[0])
    # the step excites m at its edge, m spreads and relaxes back into M (dm -> 0)
    assert s["max_abs_dm_A_per_m"].max() > 1.0
    assert s["max_abs_dm_A_per_m"][-1] < 0.5 * s["max_abs_dm_A_per_m"].max()
    assert np.all(np.diff(s["free_energy_J"]) <= 1e-12 * s["free_energy_J"][0])


def test_injection_balance_without_lattice_decay(tmp_path):
    """d/dt int (dM + dm) = J |Gamma| for a constant injected flux J [A/s]."""
    p = params(0.3, False)
    J = 2.0e3
    prob, _ = _step_problem(p, {"xmin": InjectedFlux(Constant(J))})
    run = Transient(prob, t_end=1e-8, rtol=1e-4, atol=1e-6)
    run.run(tmp_path, keep_states=False)
    s = _rows(tmp_path / "scalars.csv")
    area = 400e-9 * 1.0  # 2D: edge length times the depth 1 m
    expect = J * area * s["t_s"]
    assert np.allclose(s["injection_rate_Am2_per_s"][1:], J * area, rtol=1e-12)
    assert np.max(np.abs(s["total_M_plus_m_Am2"] - expect)) < 1e-10 * expect[-1]


def test_free_energy_decreases_with_lattice_decay(tmp_path):
    p = params(0.5, True)
    prob, L = _step_problem(p)
    run = Transient(
        prob,
        dM0=lambda x: 1e3 * (x[0] < L / 4),
        dm0=lambda x: -3e2 * (x[0] > L / 2),
        t_end=5e-8,
        rtol=1e-5,
        atol=1e-3,
    )
    run.run(tmp_path, keep_states=False)
    s = _rows(tmp_path / "scalars.csv")
    F = s["free_energy_J"]
    assert np.all(np.diff(F) < 0), np.max(np.diff(F))
    assert F[-1] < 1e-3 * F[0]  # lattice decay removes everything (rates >= 0.1 r)
    assert abs(s["total_M_plus_m_Am2"][-1]) < 1e-3 * abs(s["total_M_plus_m_Am2"][0])


def test_pulse_then_free_relaxation_conserves(tmp_path):
    p = params(0.3, False)
    J = 1e3
    prob, _ = _step_problem(p, {"xmax": InjectedFlux(Pulse(J, 1e-9, 3e-9))})
    run = Transient(prob, t_end=6e-9, rtol=1e-5, atol=1e-6, output_times=[1e-9, 3e-9])
    run.run(tmp_path, keep_states=False)
    s = _rows(tmp_path / "scalars.csv")
    assert np.isclose(s["total_M_plus_m_Am2"][-1], J * 400e-9 * 2e-9, rtol=1e-9)
