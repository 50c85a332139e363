"""A single Fourier mode cos(k x) in a Neumann box decays with the two rates gamma_+-.

gamma_+- are the eigenvalues of the 2x2 mode matrix G(k) derived from MODEL.md section 4
(paper Eqs. 36 and 39); the rates are FITTED (Prony) from the simulated transient.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mm_cases import mode_run, params

from conftest import rel_err
from spinfem.mm import mode_matrix, rates


@pytest.mark.parametrize("lattice", [False, True])
@pytest.mark.parametrize("xi", [0.1, 0.3, 0.9])
def test_fitted_rates_match_mode_matrix(xi, lattice):
    p = params(xi, lattice)
    out = mode_run(p)
    gp, gm = rates(p, out["k"])
    fp, fm = out["fit"]
    assert rel_err(fp, gp) < 0.01, (fp, gp)
    assert rel_err(fm, gm) < 0.01, (fm, gm)
    # the k -> 0 limits of the paper: gamma_+ -> r, gamma_- -> xi D_m k^2 (no lattice)
    if not lattice:
        small = rates(p, 1e-3 * p.k_M)
        assert rel_err(small[0], p.r) < 1e-5
        assert rel_err(small[1], xi * p.D_m * (1e-3 * p.k_M) ** 2) < 1e-5
    # dt is reused: far fewer factorizations than steps
    assert out["factorizations"] < out["steps"] / 4


def expm(A):
    """exp(A) of a diagonalisable 2x2 matrix (numpy only)."""
    w, V = np.linalg.eig(A)
    return (V @ np.diag(np.exp(w)) @ np.linalg.inv(V)).real


def _semi_discrete_exact(p, out, h):
    """Exact mode solution of the P1-lumped semi-discretisation: q_h = 2 D (1 - cos kh)/h^2."""
    k = out["k"]
    qh = 2 * p.D_m * (1 - math.cos(k * h)) / h**2
    G = mode_matrix(p, math.sqrt(qh / p.D_m))
    return np.array([expm(-G * t) @ np.array([1.0, 0.0]) for t in out["times"]])


def test_time_error_converges_with_tolerance():
    p = params(0.3, True)
    errs = []
    for rtol in (1e-3, 1e-4, 1e-5, 1e-6):
        out = mode_run(p, rtol=rtol, n_out=4, spacing=10.0)
        h = (math.pi / out["k"]) / 40
        exact = _semi_discrete_exact(p, out, h)
        errs.append(np.max(np.abs(out["series"] - exact)))
    errs = np.array(errs)
    slope = np.polyfit(np.log10([1e-3, 1e-4, 1e-5, 1e-6]), np.log10(errs), 1)[0]
    print("time error vs rtol:", errs, "slope", slope)
    assert np.all(np.diff(errs) < 0), errs
    assert 0.5 < slope < 1.2, (slope, errs)
    assert errs[-1] < 1e-5, errs


def test_3d_box_gives_the_same_rates():
    p = params(0.3, True)
    out = mode_run(p, dim=3, ncells=16, n_out=120)
    gp, gm = rates(p, out["k"])
    assert rel_err(out["fit"][0], gp) < 0.01
    assert rel_err(out["fit"][1], gm) < 0.01


def test_simulated_mode_rates_helper_off_k_m():
    """The figure helper (other k, other initial mix, w_M-only lattice decay)."""
    from spinfem.mm import MagnetParams
    from spinfem.mm.verify import simulated_mode_rates

    p = MagnetParams.make(chi_M=1e-2, xi=0.6, r=1e9, D_m=1e-3, w_M=3e8)
    for k in (0.4 * p.k_M, 2.5 * p.k_M):
        fit = simulated_mode_rates(p, k)
        exact = rates(p, k)
        assert rel_err(fit[0], exact[0]) < 0.01 and rel_err(fit[1], exact[1]) < 0.01, (fit, exact)
