"""Shared M-m test cases: a single Fourier mode in a Neumann box (serial and MPI scripts)."""

from __future__ import annotations

import math

import numpy as np

from spinfem.mm import MagnetParams, MMProblem, Transient, box_mesh, fit_two_rates, mode_amplitude

R = 1e9  # fast rate r [1/s]
D_M = 1e-3  # diffusion constant [m^2/s]  -> 1/k_M = 1 um


def params(xi: float, lattice: bool) -> MagnetParams:
    kw = {"w_M": 0.1 * R, "w_m": 0.2 * R} if lattice else {}
    return MagnetParams.make(chi_M=1e-2, xi=xi, r=R, D_m=D_M, **kw)


def mode_run(
    p: MagnetParams,
    *,
    dim: int = 1,
    ncells: int = 40,
    rtol: float = 1e-7,
    n_out: int = 200,
    spacing: float = 0.25,
) -> dict:
    """cos(k x) with k = k_M in [0, pi/k_M] (nm mesh); returns fitted and exact data."""
    L = math.pi / p.k_M / 1e-9
    lengths = (L,) + (0.1 * L,) * (dim - 1)
    cells = (ncells,) + (1,) * (dim - 1)
    prob = MMProblem(box_mesh(lengths, cells, length_unit=1e-9), {"magnet": p})
    k = math.pi / (L * 1e-9)
    g_fast = p.r + p.D_m * k * k + p.w_m
    T = spacing / g_fast
    run = Transient(
        prob,
        dM0=lambda x: np.cos(math.pi * x[0] / L),
        dm0=0.0,
        t_end=n_out * T,
        rtol=rtol,
        atol=1e-9,
        output_times=np.arange(1, n_out + 1) * T,
    )
    res = run.run()
    series = [
        np.array([mode_amplitude(prob, a, k), mode_amplitude(prob, b, k)])
        for a, b in zip(res.dM, res.dm, strict=True)
    ]
    return {
        "k": k,
        "T": T,
        "prob": prob,
        "series": np.array(series),
        "times": np.array(res.times),
        "fit": fit_two_rates(T, series),
        "steps": res.steps,
        "factorizations": res.factorizations,
    }
