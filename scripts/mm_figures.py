"""Regenerate the M-m figures (Saslow, Sun, Xu 2021, Figs. 1-5) from spinfem simulations.

    bash scripts/env.sh run python3 scripts/mm_figures.py [outdir=docs/figures]

Lines: the analytic eigen-relations (eigenvalues of the 2x2 mode matrix, dispersion
det(G - i omega) = 0). Points: numbers FITTED from simulations (transient Prony fits,
frequency-domain profile fits). Fig. 1: relaxation of a step in M (profiles at several times).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spinfem.mm import MagnetParams, MMProblem, Transient, box_mesh, k_of_omega, rates
from spinfem.mm.verify import simulated_k, simulated_mode_rates

R, D = 1e9, 1e-3  # r [1/s], D_m [m^2/s]
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/figures")


def magnet(xi: float, **lattice: float) -> MagnetParams:
    return MagnetParams.make(chi_M=1e-2, xi=xi, r=R, D_m=D, **lattice)


def rate_figure(name: str, title: str, cases: list[tuple[str, MagnetParams]]) -> None:
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=80)
    x = np.logspace(-2, 1.3, 120)
    xs = np.logspace(-1, 1, 4)
    for i, (label, p) in enumerate(cases):
        col = f"C{i}"
        g = np.array([rates(p, math.sqrt(v) * p.k_M) for v in x])
        ax.plot(x, g[:, 0] / p.r, color=col, label=label)
        ax.plot(x, g[:, 1] / p.r, color=col, ls="--")
        sim = np.array([simulated_mode_rates(p, math.sqrt(v) * p.k_M) for v in xs])
        ax.plot(xs, sim[:, 0] / p.r, "o", color=col, ms=4)
        ax.plot(xs, sim[:, 1] / p.r, "s", color=col, ms=4, mfc="none")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$(k/k_M)^2$")
    ax.set_ylabel(r"$\gamma_\pm / r$")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / name)
    plt.close(fig)


def k_figure() -> None:
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=80)
    w = np.logspace(-3, 3, 120)
    ws = np.logspace(-3, 3, 7)
    cases = [
        ("xi=0.1", magnet(0.1)),
        ("xi=0.5", magnet(0.5)),
        ("xi=0.1, w_m=0.1r", magnet(0.1, w_m=0.1 * R)),
    ]
    for i, (label, p) in enumerate(cases):
        col = f"C{i}"
        k = np.array([k_of_omega(p, v * p.r) for v in w]) / p.k_M
        ax.plot(w, k.real, color=col, label=f"Re k, {label}")
        ax.plot(w, k.imag, color=col, ls="--")
        ks = np.array([simulated_k(p, v * p.r) for v in ws]) / p.k_M
        ax.plot(ws, ks.real, "o", color=col, ms=4)
        ax.plot(ws, ks.imag, "s", color=col, ms=4, mfc="none")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\omega / r$")
    ax.set_ylabel(r"Re $k/k_M$ (solid, o), Im $k/k_M$ (dashed, s)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "mm_fig5_k_omega.png")
    plt.close(fig)


def step_figure() -> None:
    p = magnet(0.3)
    L = 20.0 / p.k_M / 1e-9  # nm
    prob = MMProblem(box_mesh((L,), (400,), length_unit=1e-9), {"magnet": p})
    times = np.array([0.1, 1.0, 10.0, 100.0, 1000.0]) / p.r
    run = Transient(
        prob,
        dM0=lambda x: 1.0 * (x[0] < L / 2),
        t_end=times[-1],
        rtol=1e-5,
        atol=1e-8,
        output_times=times,
    )
    res = run.run()
    x = prob.V.tabulate_dof_coordinates()[: prob.n, 0] * 1e-9 * p.k_M
    order = np.argsort(x)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7, 3), dpi=80)
    a1.plot(x[order], (x[order] < 10).astype(float), "k:", label="t=0")
    for i, t in enumerate(res.times):
        lab = f"rt={t * p.r:g}"
        a1.plot(x[order], res.dM[i][order], color=f"C{i}", label=lab)
        a2.plot(x[order], res.dm[i][order], color=f"C{i}", label=lab)
    a1.set_title("dM (non-diffusing)", fontsize=9)
    a2.set_title("dm (spin accumulation)", fontsize=9)
    for a in (a1, a2):
        a.set_xlabel(r"$k_M x$")
    a1.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "mm_fig1_step.png")
    plt.close(fig)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    step_figure()
    rate_figure(
        "mm_fig2_rates_xi.png",
        "no lattice decay: gamma_+ (o) and gamma_- (s)",
        [(f"xi={xi}", magnet(xi)) for xi in (0.1, 0.3, 0.6, 0.9)],
    )
    rate_figure(
        "mm_fig3_rates_wm.png",
        "xi=0.3, lattice decay of m",
        [(f"w_m={f}r", magnet(0.3, w_m=f * R)) for f in (0.0, 0.1, 0.5)],
    )
    rate_figure(
        "mm_fig4_rates_wM.png",
        "xi=0.3, lattice decay of M",
        [(f"w_M={f}r", magnet(0.3, w_M=f * R)) for f in (0.0, 0.1, 0.5)],
    )
    k_figure()


if __name__ == "__main__":
    main()
