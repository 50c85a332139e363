"""Measure the M-m model's characteristic numbers from SIMULATIONS (for figures and users).

- :func:`simulated_mode_rates`: the two decay rates [1/s] of cos(k x) in a Neumann box,
  Prony-fitted from a transient run.
- :func:`simulated_k`: the complex wavenumber [1/m] of the ac response at omega.

The box length and the sampling interval are chosen from the expected scales (1/k, the
analytic rates) so that both exponentials are resolved; the returned numbers come from the
simulated fields only.
"""

from __future__ import annotations

import math

import numpy as np

from spinfem.mm.frequency import solve_frequency
from spinfem.mm.observables import fit_two_rates, k_of_omega, mode_amplitude, rates
from spinfem.mm.params import MagnetParams
from spinfem.mm.problem import MMProblem, box_mesh
from spinfem.mm.sources import InjectedFlux, Sinusoid
from spinfem.mm.transient import Transient

__all__ = ["simulated_k", "simulated_mode_rates"]


def simulated_mode_rates(
    p: MagnetParams, k: float, *, ncells: int = 40, rtol: float = 1e-8, n_out: int = 200
) -> tuple[float, float]:
    """(gamma_+, gamma_-) [1/s] fitted from the transient of cos(k x), k [1/m], on [0, pi/k]."""
    L = math.pi / k / 1e-9  # nm
    prob = MMProblem(box_mesh((L,), (ncells,), length_unit=1e-9), {"magnet": p})
    g_fast, g_slow = rates(p, k)
    T = max(0.2 / g_fast, 1.5 / (n_out * g_slow))
    run = Transient(
        prob,
        dM0=lambda x: np.cos(math.pi * x[0] / L),
        dm0=lambda x: 0.5 * np.cos(math.pi * x[0] / L),
        t_end=n_out * T,
        rtol=rtol,
        atol=1e-12,
        output_times=np.arange(1, n_out + 1) * T,
    )
    res = run.run()
    series = [
        np.array([mode_amplitude(prob, a, k), mode_amplitude(prob, b, k)])
        for a, b in zip(res.dM, res.dm, strict=True)
    ]
    return fit_two_rates(T, series)


def simulated_k(p: MagnetParams, omega: float, *, ncells: int = 160) -> complex:
    """Complex k [1/m] fitted from the frequency-domain deltam profile at omega [rad/s]
    (box of 4/|k| with the flux injected at x = 0)."""
    L = 4.0 / abs(k_of_omega(p, omega)) / 1e-9
    prob = MMProblem(
        box_mesh((L,), (ncells,), length_unit=1e-9),
        {"magnet": p},
        {"xmin": InjectedFlux(Sinusoid(1.0, omega))},
    )
    return solve_frequency(prob, omega).k()
