"""Closed forms for lateral nonlocal spin valves and Hanle precession, and an independent
numerical 1D network to check them.  Pure numpy, independent of spinfem.

Conventions (MODEL.md sections 0-1): ``phi_up,dn = V -/+ mu/2``, ``j_sigma = -sigma_sigma
grad phi_sigma``, spin currents in charge units, ``sigma_up,dn = sigma (1 +/- p)/2``; a
spin-dependent contact ``j_sigma = G_sigma (phi_sigma^F - phi_sigma^N)`` with
``R_I = 1/(A_J (G_up + G_dn))``, ``P_J = (G_up - G_dn)/(G_up + G_dn)``.

1. Takahashi-Maekawa (TM), S. Takahashi and S. Maekawa, PRB 67, 052409 (2003): the
   general expression of the nonlocal spin signal from the metallic to the tunnel regime.
   One-dimensional model: an infinite N channel (cross-section A_N, resistivity rho_N,
   spin-diffusion length lambda_N) with point-like contacts of area A_J at x = 0 (injector,
   current I from F1 into N, drained to x -> -infinity) and x = L (detector, floating);
   each F is a semi-infinite column of cross-section A_J (thickness >> lambda_F). With
   ``R_N = rho_N lambda_N/A_N``, ``R_F = rho_F lambda_F/A_J`` and per junction::

       K_i = P_J R_i/(1 - P_J^2) + p_F R_F/(1 - p_F^2)      (spin-selective resistance)
       Q_i = R_i/(1 - P_J^2) + R_F/(1 - p_F^2)              (spin resistance of contact + F)

   the detector voltage over the injected current in the parallel state is::

       R_s = V_NL/I = 2 R_N (K_1/R_N)(K_2/R_N) e^{-L/lambda_N}
                      / [ (1 + 2 Q_1/R_N)(1 + 2 Q_2/R_N) - e^{-2L/lambda_N} ]

   and the antiparallel state flips the sign of K_2, so ``Delta R_NL = R_s(P) - R_s(AP)
   = 2 R_s``. This is TM's general result in their notation (r_i = R_i/R_N,
   r_F = R_F/R_N); its limits, used in the tests, are TM's tunnel limit
   ``Delta R_NL = P_J^2 R_N e^{-L/lambda_N}`` (R_i >> R_N, R_F) and the transparent
   limit ``Delta R_NL = 4 R_N (p_F r_F/(1 - p_F^2))^2 e^{-L/lambda_N}/((1 + 2 r_F/(1 -
   p_F^2))^2 - e^{-2L/lambda_N})``. We derived it again from the 1D equations (the
   derivation is in docs/nonlocal.md) rather than copy it, and :func:`network_1d` checks
   it numerically.

2. Hanle precession, tunnel limit (M. Johnson and R. H. Silsbee, PRL 55, 1790 (1985);
   F. J. Jedema et al., Nature 416, 713 (2002)). A spin accumulation precesses about B at
   the Larmor frequency ``omega_L = g mu_B B/hbar`` in the physical (right-handed) sense,
   ``d mu/dt = omega_L x mu`` (both the spin and the magnetic moment of an electron
   precess this way). With B perpendicular to the injector magnetization m, write the
   accumulation in the plane normal to B as the complex number::

       s = mu . m + i mu . (m x b),     b = B/|B|

   then ``ds/dt = -i omega_L s`` and the steady Bloch-diffusion equation gives
   ``s(x) ~ lambda_w e^{-|x|/lambda_w}`` with ``lambda_w = lambda_N/sqrt(1 + i omega_L
   tau_sf)`` (principal square root). In the tunnel limit the detector voltage is
   ``P_J mu . m_det/2``, so::

       R_NL(B) = (P_J^2 R_N/2) Re[F]           detector parallel to m
       R_NL(B) = -(P_J^2 R_N/2) Re[F]          detector antiparallel
       R_NL(B) = -(P_J^2 R_N/2) Im[F]          detector along b x m (= -(m x b))
       F = (lambda_w/lambda_N) e^{-L/lambda_w}

   F is also the time integral of the diffusion kernel (Jedema et al.'s form),
   :func:`hanle_time_integral`. For small B > 0, Im F < 0: the signal of a detector along
   b x m is positive, i.e. the accumulation injected along m turns toward b x m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "G_E",
    "HBAR",
    "MU_B",
    "Junction",
    "Wire1D",
    "bloch_diffusion_1d",
    "delta_r_nl_tm",
    "hanle_factor",
    "hanle_time_integral",
    "larmor",
    "network_1d",
    "r_s_tm",
]

MU_B = 9.2740100783e-24  # Bohr magneton [J/T]
HBAR = 1.054571817e-34  # reduced Planck constant [J s]


G_E = 2.00231930436  # |g| of the free electron (CODATA 2018)


def larmor(B_T: float | np.ndarray, g: float = G_E) -> float | np.ndarray:
    """Larmor angular frequency omega_L = g mu_B B/hbar [rad/s] for a field B [T]."""
    return g * MU_B * np.asarray(B_T, dtype=float) / HBAR


@dataclass(frozen=True)
class Junction:
    """One F/N contact of the 1D model.

    Attributes:
        R_F: rho_F lambda_F / A_J [Ohm].
        p_F: bulk polarization of F [1] (its sign follows the magnetization).
        R_I: contact resistance 1/(A_J (G_up + G_dn)) [Ohm] (0: transparent).
        P_J: contact polarization (G_up - G_dn)/(G_up + G_dn) [1] (sign follows m).
    """

    R_F: float
    p_F: float
    R_I: float = 0.0
    P_J: float = 0.0

    def flipped(self) -> Junction:
        """The same junction with its magnetization reversed."""
        return Junction(self.R_F, -self.p_F, self.R_I, -self.P_J)

    @property
    def K(self) -> float:
        """Spin-selective resistance P_J R_I/(1 - P_J^2) + p_F R_F/(1 - p_F^2) [Ohm]."""
        return self.P_J * self.R_I / (1 - self.P_J**2) + self.p_F * self.R_F / (1 - self.p_F**2)

    @property
    def Q(self) -> float:
        """Spin resistance R_I/(1 - P_J^2) + R_F/(1 - p_F^2) [Ohm]."""
        return self.R_I / (1 - self.P_J**2) + self.R_F / (1 - self.p_F**2)


def r_s_tm(R_N: float, L_over_lambda: float, inj: Junction, det: Junction) -> float:
    """Takahashi-Maekawa nonlocal resistance V_NL/I [Ohm] for the given magnetic state
    (the signs of p_F, P_J of each junction carry it). R_N = rho_N lambda_N/A_N [Ohm]."""
    e = math.exp(-L_over_lambda)
    num = 2 * R_N * (inj.K / R_N) * (det.K / R_N) * e
    den = (1 + 2 * inj.Q / R_N) * (1 + 2 * det.Q / R_N) - e * e
    return num / den


def delta_r_nl_tm(R_N: float, L_over_lambda: float, inj: Junction, det: Junction) -> float:
    """Delta R_NL = R_NL(P) - R_NL(AP) [Ohm] (TM, PRB 67, 052409)."""
    return r_s_tm(R_N, L_over_lambda, inj, det) - r_s_tm(R_N, L_over_lambda, inj, det.flipped())


@dataclass(frozen=True)
class Wire1D:
    """A 1D conductor: conductivity sigma [S/m], polarization p [1], l_sf [m],
    cross-section area [m^2]."""

    sigma: float
    p: float
    l_sf: float
    area: float


def network_1d(
    channel: Wire1D,
    injector: Wire1D,
    detector: Wire1D,
    *,
    L: float,
    arm: float,
    height: float,
    R_I: tuple[float, float] = (0.0, 0.0),
    P_J: tuple[float, float] = (0.0, 0.0),
    h: float,
    h_col: float | None = None,
) -> float:
    """Nonlocal resistance V_NL/I [Ohm] of the 1D network by finite differences.

    A channel from x = -arm to L + arm (node spacing ~h [m]) with two columns of length
    ``height`` [m] (node spacing ~h_col [m], default h) attached at x = 0 and x = L by a
    spin-dependent contact of resistance R_I [Ohm] and polarization P_J (merged if R_I = 0).
    Unknowns are the channel potentials phi_up, phi_dn at the nodes; edges carry
    sigma_sigma A/h per channel, nodes a lumped spin-flip conductance g_sf A h
    (g_sf = sigma_up sigma_dn/(sigma l_sf^2)).
    Contacts are spin-equilibrated reservoirs (phi_up = phi_dn): current I = 1 A enters at
    the injector's end, the left channel end is grounded, the detector's end and the right
    channel end float. Returns V(detector end) - V(right end). Second order in h.
    """

    def nodes_of(name: str, n: int) -> list[tuple[str, int]]:
        return [(name, k) for k in range(n + 1)]

    n_arm = max(2, round(arm / h))
    n_mid = max(2, round(L / h))
    n_col = max(2, round(height / (h_col or h)))
    segments = []  # (wire, list of node keys, edge length)
    chan = nodes_of("c", n_arm + n_mid + n_arm)  # k = n_arm at x = 0, n_arm + n_mid at L
    x_nodes = np.concatenate(
        [
            np.linspace(-arm, 0, n_arm + 1),
            np.linspace(0, L, n_mid + 1)[1:],
            np.linspace(L, L + arm, n_arm + 1)[1:],
        ]
    )
    segments.append((channel, chan, np.diff(x_nodes)))
    for name, wire in (("i", injector), ("d", detector)):
        col = nodes_of(name, n_col)
        segments.append((wire, col, np.full(n_col, height / n_col)))
    # reservoirs: both channels of an end node share one unknown
    reservoirs = {
        ("i", n_col): "inj",
        ("d", n_col): "det",
        ("c", 0): "left",
        ("c", len(chan) - 1): "right",
    }
    transparent = [R_I[0] == 0, R_I[1] == 0]
    junction_nodes = (("i", n_arm), ("d", n_arm + n_mid))
    # a transparent contact merges the column's base node with its channel node
    alias = {(name, 0): ("c", k0) for j, (name, k0) in enumerate(junction_nodes) if transparent[j]}
    dof: dict[tuple[tuple[str, int], int], int] = {}
    res_dof: dict[str, int] = {}
    counter = 0
    for _, keys, _ in segments:
        for key0 in keys:
            key = alias.get(key0, key0)
            for ch in (0, 1):
                if (key, ch) in dof:
                    dof[(key0, ch)] = dof[(key, ch)]
                    continue
                if key in reservoirs:
                    r = reservoirs[key]
                    if r not in res_dof:
                        res_dof[r] = counter
                        counter += 1
                    dof[(key, ch)] = res_dof[r]
                else:
                    dof[(key, ch)] = counter
                    counter += 1
                dof[(key0, ch)] = dof[(key, ch)]
    K = np.zeros((counter, counter))

    def couple(a: int, b: int, g: float) -> None:
        K[a, a] += g
        K[b, b] += g
        K[a, b] -= g
        K[b, a] -= g

    for wire, keys, lengths in segments:
        s_up, s_dn = wire.sigma * (1 + wire.p) / 2, wire.sigma * (1 - wire.p) / 2
        gsf = s_up * s_dn / (wire.sigma * wire.l_sf**2)
        for e, hl in enumerate(lengths):
            a, b = keys[e], keys[e + 1]
            couple(dof[(a, 0)], dof[(b, 0)], s_up * wire.area / hl)
            couple(dof[(a, 1)], dof[(b, 1)], s_dn * wire.area / hl)
            for key in (a, b):
                if dof[(key, 0)] != dof[(key, 1)]:
                    couple(dof[(key, 0)], dof[(key, 1)], gsf * wire.area * hl / 2)
    for j, (name, k0) in enumerate(junction_nodes):
        if transparent[j]:
            continue
        g_up = (1 + P_J[j]) / (2 * R_I[j])
        g_dn = (1 - P_J[j]) / (2 * R_I[j])
        couple(dof[((name, 0), 0)], dof[(("c", k0), 0)], g_up)
        couple(dof[((name, 0), 1)], dof[(("c", k0), 1)], g_dn)
    f = np.zeros(counter)
    f[res_dof["inj"]] = 1.0
    keep = np.array([i for i in range(counter) if i != res_dof["left"]])
    u = np.zeros(counter)
    u[keep] = np.linalg.solve(K[np.ix_(keep, keep)], f[keep])
    return float(u[res_dof["det"]] - u[res_dof["right"]])


def hanle_factor(L: float, lambda_N: float, omega_tau: float | np.ndarray) -> np.ndarray:
    """F = (lambda_w/lambda_N) e^{-L/lambda_w}, lambda_w = lambda_N/sqrt(1 + i omega_L
    tau_sf) (complex; see the module docstring for the sign convention). F(0) = e^{-L/lambda_N}.
    L, lambda_N [m]; omega_tau = omega_L tau_sf [1]."""
    w = np.asarray(omega_tau, dtype=float)
    root = np.sqrt(1 + 1j * w)
    return np.exp(-L * root / lambda_N) / root


def hanle_time_integral(L: float, lambda_N: float, omega_tau: float, n: int = 200_001) -> complex:
    """The same F from the diffusion kernel (Johnson-Silsbee / Jedema form)::

        F = (2 lambda_N/tau) int_0^inf (4 pi D t)^{-1/2} e^{-L^2/(4 D t)}
                                       e^{-t/tau} e^{-i omega t} dt

    with D tau = lambda_N^2, evaluated numerically in the dimensionless time t/tau
    (trapezoid rule on a logarithmic grid). Accurate to ~1e-6 for moderate omega tau."""
    lam = lambda_N
    u = np.logspace(-8, math.log10(60.0), n)  # t/tau
    # (4 pi D t)^{-1/2} dt = (4 pi lam^2 u)^{-1/2} tau du; times 2 lam/tau
    kern = 2 * lam / np.sqrt(4 * math.pi * lam**2 * u) * np.exp(-(L**2) / (4 * lam**2 * u) - u)
    integrand = kern * np.exp(-1j * omega_tau * u)
    return complex(np.trapezoid(integrand, u))


def bloch_diffusion_1d(
    L: float, lambda_N: float, omega_tau: float, length: float, n: int
) -> complex:
    """s(L)/s0 of the 1D steady Bloch-diffusion equation solved by finite differences::

        s'' = (1 + i omega tau) s / lambda_N^2 - 2 delta(x)/lambda_N   on (-length, length)

    with s = 0 at both ends (n intervals). Equal to F for length >> lambda_N; the source
    2/lambda_N gives s(L) = e^{-L/lambda_N} at omega = 0 on an infinite line."""
    x = np.linspace(-length, length, n + 1)
    h = x[1] - x[0]
    k2 = (1 + 1j * omega_tau) / lambda_N**2
    m = n - 1
    diag = np.full(m, -2 / h**2 - k2, dtype=complex)
    off = 1 / h**2
    rhs = np.zeros(m, dtype=complex)
    rhs[int(np.argmin(np.abs(x[1:-1])))] = -2 / lambda_N / h
    # Thomas algorithm (tridiagonal, constant off-diagonals)
    for i in range(1, m):
        w = off / diag[i - 1]
        diag[i] -= w * off
        rhs[i] -= w * rhs[i - 1]
    s = np.zeros(m, dtype=complex)
    s[-1] = rhs[-1] / diag[-1]
    for i in range(m - 2, -1, -1):
        s[i] = (rhs[i] - off * s[i + 1]) / diag[i]
    return complex(np.interp(L, x[1:-1], s.real) + 1j * np.interp(L, x[1:-1], s.imag))
