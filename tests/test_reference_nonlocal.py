"""Self-tests of the nonlocal-spin-valve and Hanle references (tests/reference/nonlocal.py).

The Takahashi-Maekawa closed form is checked against an independent finite-difference
solution of the 1D two-current network (second-order convergence, then the extrapolated
value), in its limits and symmetries; the Hanle factor against the diffusion-kernel time
integral (Johnson-Silsbee / Jedema form) and a finite-difference Bloch-diffusion solve.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from conftest import rel_err

nl = importlib.import_module("reference.nonlocal")  # 'nonlocal' is a Python keyword

NM = 1e-9
# Cu channel, Py wires (library-like values), 50 nm wide, 20 nm thick channel, 20 nm wires
RHO_N, LAM_N, RHO_F, LAM_F, P_F = 6e-9, 500e-9, 123e-9, 5.5e-9, 0.73
A_N = 20 * NM * 50 * NM
A_J = 20 * NM * 50 * NM
R_N = RHO_N * LAM_N / A_N
R_F = RHO_F * LAM_F / A_J


def _network(L, R_I, P_J, n):
    """1D network with n nodes per lambda (channel and columns)."""
    ch = nl.Wire1D(1 / RHO_N, 0.0, LAM_N, A_N)
    f = nl.Wire1D(1 / RHO_F, P_F, LAM_F, A_J)
    return nl.network_1d(
        ch,
        f,
        f,
        L=L,
        arm=9 * LAM_N,
        height=14 * LAM_F,
        R_I=(R_I, R_I),
        P_J=(P_J, P_J),
        h=LAM_N / n,
        h_col=LAM_F / n,
    )


@pytest.mark.parametrize(("R_I", "P_J"), [(0.0, 0.0), (200.0, 0.3)], ids=["transparent", "tunnel"])
@pytest.mark.parametrize("L_over_lambda", [0.5, 2.0])
def test_tm_closed_form_matches_the_1d_network(R_I, P_J, L_over_lambda):
    j = nl.Junction(R_F, P_F, R_I, P_J)
    exact = nl.r_s_tm(R_N, L_over_lambda, j, j)
    coarse, fine = (_network(L_over_lambda * LAM_N, R_I, P_J, n) for n in (12, 24))
    e1, e2 = coarse - exact, fine - exact
    rate = math.log2(abs(e1 / e2))
    extrapolated = (4 * fine - coarse) / 3
    print(f"errors {e1 / exact:.2e} {e2 / exact:.2e}, rate {rate:.2f}")
    assert 1.8 < rate < 2.2
    assert rel_err(extrapolated, exact) < 2e-5
    # the antiparallel state reverses the signal exactly in 1D
    assert nl.r_s_tm(R_N, L_over_lambda, j, j.flipped()) == pytest.approx(-exact, rel=1e-14)


def test_tm_limits_and_symmetries():
    e = math.exp(-1.0)
    # tunnel limit: Delta R = P_J^2 R_N e^{-L/lambda} (TM), approached as 1/R_I
    errs = []
    for R_I in (1e3 * R_N, 1e5 * R_N):
        j = nl.Junction(R_F, P_F, R_I, 0.4)
        errs.append(rel_err(nl.delta_r_nl_tm(R_N, 1.0, j, j), 0.4**2 * R_N * e))
    assert errs[1] < 1e-4 and errs[1] < errs[0] / 50
    # transparent limit (R_I = 0): TM/Kimura form
    j = nl.Junction(R_F, P_F)
    rf = R_F / R_N / (1 - P_F**2)
    ref = 4 * R_N * (P_F * rf) ** 2 * e / ((1 + 2 * rf) ** 2 - e * e)
    assert rel_err(nl.delta_r_nl_tm(R_N, 1.0, j, j), ref) < 1e-13
    # reciprocity: exchanging injector and detector leaves R_s unchanged
    a, b = nl.Junction(R_F, P_F, 50.0, 0.2), nl.Junction(2 * R_F, 0.5, 5.0, 0.6)
    assert nl.r_s_tm(R_N, 0.7, a, b) == pytest.approx(nl.r_s_tm(R_N, 0.7, b, a), rel=1e-14)
    # long distance: pure exponential decay with lambda_N
    far = [nl.r_s_tm(R_N, x, a, b) for x in (8.0, 9.0)]
    assert far[1] / far[0] == pytest.approx(math.exp(-1.0), rel=1e-6)
    # no polarization, no signal
    assert nl.r_s_tm(R_N, 1.0, nl.Junction(R_F, 0.0), nl.Junction(R_F, P_F)) == 0.0


def test_larmor_frequency():
    # |g| mu_B/hbar = 1.7609e11 rad/(s T) for the free electron
    assert nl.larmor(1.0) == pytest.approx(1.76086e11, rel=1e-5)
    assert nl.larmor(2.0, g=2.0) == pytest.approx(2 * 2 * nl.MU_B / nl.HBAR)


@pytest.mark.parametrize("L_over_lambda", [0.5, 1.0, 2.5])
def test_hanle_factor_against_time_integral_and_bloch_diffusion(L_over_lambda):
    lam = 1e-6
    L = L_over_lambda * lam
    for wt in (0.0, 0.3, 1.0, 4.0, -2.0):
        F = complex(nl.hanle_factor(L, lam, wt))
        T = nl.hanle_time_integral(L, lam, wt)
        B = nl.bloch_diffusion_1d(L, lam, wt, length=12 * lam, n=6000)
        assert abs(F - T) < 1e-6 * abs(F) + 1e-9, (wt, F, T)
        assert abs(F - B) < 2e-5 * max(abs(F), math.exp(-L_over_lambda)), (wt, F, B)


def test_hanle_factor_limits_and_sign():
    lam, L = 1.0, 1.3
    assert complex(nl.hanle_factor(L, lam, 0.0)) == pytest.approx(math.exp(-L / lam))
    w = np.linspace(0.01, 3, 50)
    Fp, Fm = nl.hanle_factor(L, lam, w), nl.hanle_factor(L, lam, -w)
    assert np.allclose(Fp.real, Fm.real, rtol=0, atol=1e-15)  # parallel signal even in B
    assert np.allclose(Fp.imag, -Fm.imag, rtol=0, atol=1e-15)  # perpendicular signal odd
    # right-handed precession: a detector along b x m sees -Im F > 0 for small B > 0
    assert -Fp.imag[0] > 0
    # the parallel signal changes sign (spins precessed by more than 90 degrees) ...
    assert np.any(Fp.real < 0)
    # ... and vanishes at large fields (dephasing)
    assert abs(complex(nl.hanle_factor(L, lam, 1e4))) < 1e-20
