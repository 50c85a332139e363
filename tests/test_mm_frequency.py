"""Spatial response at fixed omega: the fitted complex k of the simulated deltam profile
agrees with the dispersion det(G(k) - i omega) = 0 (paper Eq. 44; without lattice decay
k^2/k_M^2 = i (omega/r)(omega + i r)/(omega + i xi r)) across omega/r in [1e-3, 1e3]."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
from mm_cases import params

from spinfem.mm import (
    InjectedFlux,
    MMProblem,
    Sinusoid,
    Transient,
    box_mesh,
    k_of_omega,
    solve_frequency,
)


def _k_paper(p, omega):
    """The closed form of MODEL.md (lattice-free), written independently of k_of_omega."""
    w = omega / p.r
    k2 = p.k_M**2 * 1j * w * (omega + 1j * p.r) / (omega + 1j * p.xi * p.r)
    k = cmath.sqrt(k2)
    return k if k.imag >= 0 else -k


def _solve(p, omega, ncells=160, dim=1):
    ke = k_of_omega(p, omega)
    L = 4.0 / abs(ke) / 1e-9  # domain per omega: 4/|k| (nm), so kh = 1/40
    lengths = (L,) + (0.05 * L,) * (dim - 1)
    cells = (ncells,) + (1,) * (dim - 1)
    prob = MMProblem(
        box_mesh(lengths, cells, length_unit=1e-9),
        {"magnet": p},
        {"xmin": InjectedFlux(Sinusoid(1.0, omega))},
    )
    return solve_frequency(prob, omega), ke


@pytest.mark.parametrize("xi", [0.1, 0.5])
def test_k_matches_dispersion_without_lattice(xi):
    p = params(xi, False)
    for w in np.logspace(-3, 3, 7):
        res, ke = _solve(p, w * p.r)
        kp = _k_paper(p, w * p.r)
        assert abs(ke - kp) < 1e-12 * abs(kp)
        k = res.k()
        assert abs(k - ke) < 0.01 * abs(ke), (w, k, ke)
        assert math.isclose(res.decay_length(), 1 / ke.imag, rel_tol=0.01)
    # the three regimes: xi D_m diffusion, 1/k_M plateau, D_m diffusion
    lo = solve_frequency_regime(p, 1e-4 * xi)
    assert abs(lo**2 - 1j * 1e-4 * xi * p.r / (xi * p.D_m)) < 0.02 * abs(lo**2)
    mid = solve_frequency_regime(p, math.sqrt(xi))
    assert abs(mid.imag - p.k_M) < 0.3 * p.k_M
    hi = solve_frequency_regime(p, 1e3)
    assert abs(hi**2 - 1j * 1e3 * p.r / p.D_m) < 0.02 * abs(hi**2)


def solve_frequency_regime(p, w):
    res, _ = _solve(p, w * p.r)
    return res.k()


@pytest.mark.parametrize("xi", [0.3, 0.9])
def test_k_matches_dispersion_with_lattice_decay(xi):
    p = params(xi, True)
    for w in (1e-3, 3e-2, 1.0, 30.0, 1e3):
        res, ke = _solve(p, w * p.r)
        assert abs(res.k() - ke) < 0.01 * abs(ke), (w, res.k(), ke)


def test_3d_box_gives_the_same_k():
    p = params(0.3, True)
    res, ke = _solve(p, 0.5 * p.r, ncells=60, dim=3)
    assert abs(res.k() - ke) < 0.01 * abs(ke)


def test_time_domain_ac_steady_state_matches_frequency_response():
    """Drive with J = cos(omega t) for many periods: the periodic state equals Re[A e^{-i w t}]."""
    p = params(0.3, False)
    omega = 0.3 * p.r
    res, _ = _solve(p, omega, ncells=60)
    prob = res.problem
    period = 2 * math.pi / omega
    t_end = 40 * period  # slowest transient ~ 1/(xi D k^2) with k ~ 1/L
    run = Transient(prob, t_end=t_end, rtol=1e-6, atol=1e-12)
    run.run(keep_states=False)
    expect = (res.dm * np.exp(-1j * omega * t_end)).real
    scale = np.max(np.abs(res.dm))
    assert np.max(np.abs(run.b - expect)) < 2e-3 * scale


def test_case_frequency_outputs(tmp_path):
    """A case file with [frequency]: frequency.csv k agrees with the dispersion and the
    VTX phasor files are readable."""
    import csv

    import adios4dolfinx

    assert adios4dolfinx  # imported first: it selects adios2's MPI bindings
    import adios2

    from spinfem.case.run import run_case

    p = params(0.3, True)
    omega = 2.0 * p.r
    ke = k_of_omega(p, omega)
    L = 4.0 / abs(ke)
    case = tmp_path / "ac.toml"
    case.write_text(
        f"""[model]
kind = "mm"
[mesh]
kind = "box"
size = ["{L!r} m"]
cells = [160]
[magnets.magnet]
chi_M = 1e-2
xi = 0.3
r = "{p.r!r} 1/s"
D_m = "{p.D_m!r} m^2/s"
w_M = "{p.w_M!r} 1/s"
w_m = "{p.w_m!r} 1/s"
[boundaries.xmin]
kind = "injected_flux"
sinusoid = {{ amplitude = "1 A/s", omega = "{omega!r} rad/s" }}
[frequency]
omega = ["{omega!r} rad/s"]
"""
    )
    run_case(case, out=tmp_path / "o")
    with open(tmp_path / "o" / "frequency.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows = [{k: float(v) for k, v in r.items()} for r in rows]
    k = complex(rows[0]["k_re_per_m"], rows[0]["k_im_per_m"])
    assert abs(k - ke) < 0.01 * abs(ke)
    assert math.isclose(rows[0]["decay_length_m"], 1 / ke.imag, rel_tol=0.01)
    with adios2.FileReader(str(tmp_path / "o" / "fields" / "frequency_0.bp")) as f:
        assert "dm_im_A_per_m" in f.available_variables()
        assert np.all(np.isfinite(f.read("dm_re_A_per_m")))
