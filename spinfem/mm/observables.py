"""Analytic relations of the M-m model and fits of simulated data.

Mode matrix (derived from MODEL.md section 4 with Onsager 1/tau_Mm = xi/tau_mM): a Fourier
mode (dM, dm) ~ cos(k x) obeys d/dt (dM, dm) = -G (dM, dm) with q = D_m k^2 and

    G = [[ w_M,             -(r - w_M)     ],
         [ xi (q + w_m),     q + r + w_m   ]]

Its eigenvalues are the decay rates gamma_+- (paper Eqs. 36 and 39: without lattice decay
gamma_+- = (q + r)/2 +- sqrt((q + r)^2/4 - xi r q), so gamma_+ -> r, gamma_- -> xi D_m k^2
as k -> 0). At real omega (amplitudes ~ exp(-i omega t)) det(G - i omega) = 0 gives one
complex q (paper Eq. 44 in the lattice-free limit):

    q = -[(w_M - i omega)(r + w_m - i omega) + xi w_m (r - w_M)] / [w_M - i omega + xi (r - w_M)]

and without lattice decay k^2/k_M^2 = i (omega/r)(omega + i r)/(omega + i xi r).
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Sequence

import numpy as np

from spinfem.errors import InputError
from spinfem.mm.params import MagnetParams

__all__ = ["fit_k", "fit_two_rates", "k_of_omega", "mode_amplitude", "mode_matrix", "rates"]


def mode_matrix(p: MagnetParams, k: float) -> np.ndarray:
    """G(k) [1/s] for wavenumber k [1/m]."""
    q = p.D_m * k * k
    r, wM, wm, xi = p.r, p.w_M, p.w_m, p.xi
    return np.array([[wM, -(r - wM)], [xi * (q + wm), q + r + wm]])


def rates(p: MagnetParams, k: float) -> tuple[float, float]:
    """(gamma_+, gamma_-) [1/s], the eigenvalues of G(k), largest first."""
    ev = np.linalg.eigvals(mode_matrix(p, k))
    ev = np.sort(ev.real)[::-1]
    return float(ev[0]), float(ev[1])


def k_of_omega(p: MagnetParams, omega: float) -> complex:
    """Complex wavenumber k [1/m] (Im k >= 0: decays away from the source) at omega [rad/s]."""
    r, wM, wm, xi = p.r, p.w_M, p.w_m, p.xi
    iw = 1j * omega
    q = -((wM - iw) * (r + wm - iw) + xi * wm * (r - wM)) / (wM - iw + xi * (r - wM))
    k = cmath.sqrt(q / p.D_m)
    return -k if k.imag < 0 else k


def fit_k(x: np.ndarray, f: np.ndarray) -> complex:
    """Complex k [1/(unit of x)] of a profile f = A e^{ikx} + B e^{-ikx} sampled on a uniform
    grid x: least squares for c in f_{j+1} + f_{j-1} = 2 c f_j, k h = arccos c (exact for
    sampled exponentials). Returns the root with Im k >= 0."""
    x = np.asarray(x, dtype=float)
    f = np.asarray(f, dtype=complex)
    order = np.argsort(x)
    x, f = x[order], f[order]
    h = np.diff(x)
    if x.size < 3 or np.max(np.abs(h - h.mean())) > 1e-6 * h.mean():
        raise InputError("fit_k needs at least 3 uniformly spaced samples")
    mid, side = f[1:-1], f[2:] + f[:-2]
    c = np.vdot(mid, side) / (2.0 * np.vdot(mid, mid))
    k = complex(np.arccos(c + 0j)) / h.mean()
    if k.imag < 0 or (k.imag == 0 and k.real < 0):
        k = -k
    return k


def fit_two_rates(dt: float, series: Sequence[np.ndarray]) -> tuple[float, float]:
    """Two decay rates [1/s] of a sum of two exponentials sampled every ``dt`` [s]
    (Prony: least squares for y_{n+2} = p1 y_{n+1} + p0 y_n over all components)."""
    Y = np.asarray(series, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    A = np.column_stack([Y[1:-1].ravel(), Y[:-2].ravel()])
    rhs = Y[2:].ravel()
    (p1, p0), *_ = np.linalg.lstsq(A, rhs, rcond=None)
    z = np.roots([1.0, -p1, -p0])
    g = sorted((-np.log(z.astype(complex)).real / dt).tolist(), reverse=True)
    if any(not math.isfinite(v) for v in g):
        raise InputError("fit_two_rates: the series is not a sum of two decaying exponentials")
    return float(g[0]), float(g[1])


def mode_amplitude(problem: object, values: np.ndarray, k: float, axis: int = 0) -> float:
    """Amplitude [A/m] of cos(k x) in a P1 field (owned dof values), by the lumped L2
    projection sum(mL f c)/sum(mL c^2), c = cos(k x); k in 1/m, x the SI coordinate."""
    p = problem
    x = p.V.tabulate_dof_coordinates()[: p.n, axis] * p.dmesh.length_unit  # type: ignore[attr-defined]
    c = np.cos(k * x)
    w = p.mL * c  # type: ignore[attr-defined]
    comm = p.dmesh.comm  # type: ignore[attr-defined]
    num = comm.allreduce(float(w @ values))
    den = comm.allreduce(float(w @ c))
    return num / den
