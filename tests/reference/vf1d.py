"""Exact 1D collinear two-current (Valet-Fert) reference solutions.

Independent of spinfem (pure numpy).  Symbols, signs and units follow MODEL.md sections 0-2:

* unknowns ``V`` [V] and spin accumulation ``mu`` (= ``mu_s``) [eV, numerically V];
  ``phi_up = V - mu/2``, ``phi_dn = V + mu/2``, ``j_sigma = -sigma_sigma dphi_sigma/dx``;
* ``sigma_up = sigma (1 + P)/2``, ``sigma_dn = sigma (1 - P)/2`` (``P`` signed by the
  magnetization);
* ``j_c = j_up + j_dn = -sigma V' + (sigma P/2) mu'``,
  ``j_s = j_up - j_dn = -sigma P V' + (sigma/2) mu'`` [A/m^2];
  ``j_c' = 0``, ``j_s' = sigma (1 - P^2)/(2 l_sf^2) mu``.

Eliminating ``V'`` gives, in every layer, with the constant charge current ``J``::

    j_s = P J + sigma_s mu',   sigma_s = sigma (1 - P^2)/2   [S/m]
    mu'' = mu / l_sf^2
    V'  = -J/sigma + (P/2) mu'

so ``(mu, j_s)`` is the natural state, propagated through a layer of thickness ``t`` by the affine
transfer matrix of :func:`layer_transfer_matrix`.  Across a spin-dependent interface (per channel
``j_sigma = G_sigma (phi_sigma^L - phi_sigma^R)``) ``j_s`` is continuous and, with
``j_up = (J + j_s)/2``, ``j_dn = (J - j_s)/2``::

    mu_R - mu_L = j_up/G_up - j_dn/G_dn = 2 AR_b* (j_s - gamma J)
    V_L  - V_R  = (j_up/G_up + j_dn/G_dn)/2 = AR_b* (J - gamma j_s)

with ``AR_b* = (1/G_up + 1/G_dn)/4`` and ``gamma = (G_up - G_dn)/(G_up + G_dn)``, i.e.
``1/G_up = 2 AR_b* (1 - gamma)``, ``1/G_dn = 2 AR_b* (1 + gamma)``.

Positions ``x`` are in m, conductances per area in S/m^2, resistance-areas in Ohm m^2, current
densities in A/m^2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]

__all__ = [
    "Interface1D",
    "JunctionSolution",
    "Layer1D",
    "StackSolution",
    "fn_junction_interface",
    "fn_junction_transparent",
    "interface_transfer_matrix",
    "layer_transfer_matrix",
    "sml_layer",
    "solve_stack",
    "stack_transfer_matrix",
]


# --------------------------------------------------------------------------------------------------
# Materials
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layer1D:
    """One homogeneous layer of the stack.

    Attributes:
        thickness: layer thickness t [m] (> 0).
        sigma: total conductivity sigma = sigma_up + sigma_dn [S/m] (> 0).
        P: signed bulk polarization (sigma_up - sigma_dn)/sigma [1], |P| < 1.
        l_sf: spin-diffusion length [m] (> 0; ``math.inf`` = no spin flip).
    """

    thickness: float
    sigma: float
    P: float
    l_sf: float

    def __post_init__(self) -> None:
        if not (self.thickness > 0.0 and math.isfinite(self.thickness)):
            raise ValueError(f"thickness must be finite and > 0, got {self.thickness}")
        if not (self.sigma > 0.0 and math.isfinite(self.sigma)):
            raise ValueError(f"sigma must be finite and > 0, got {self.sigma}")
        if not abs(self.P) < 1.0:
            raise ValueError(f"|P| must be < 1, got {self.P}")
        if not self.l_sf > 0.0:
            raise ValueError(f"l_sf must be > 0 (inf allowed), got {self.l_sf}")

    @property
    def sigma_s(self) -> float:
        """Spin conductivity sigma (1 - P^2)/2 [S/m]: ``j_s - P j_c = sigma_s dmu/dx``."""
        return 0.5 * self.sigma * (1.0 - self.P**2)

    @property
    def r_spin(self) -> float:
        """Fert-Jaffres spin resistance-area r = l_sf/(sigma (1 - P^2)) [Ohm m^2]."""
        return self.l_sf / (self.sigma * (1.0 - self.P**2))

    @property
    def two_port(self) -> tuple[float, float]:
        """Bounded two-port coefficients (alpha [S/m^2], beta [Ohm m^2]) of the layer.

        With ``tau = t/l_sf``, ``a = sigma_s/l_sf``: ``alpha = a tanh(tau/2)``,
        ``beta = tanh(tau/2)/a``.  The end states satisfy (see :func:`solve_stack`)::

            j_s(t) - j_s(0)       = alpha (mu(0) + mu(t))
            mu(t) - mu(0)         = beta (j_s(0) + j_s(t) - 2 P J)

        ``l_sf = inf`` gives ``alpha = 0``, ``beta = t/(sigma (1 - P^2))``.
        """
        if math.isinf(self.l_sf):
            return 0.0, self.thickness / (2.0 * self.sigma_s)
        a = self.sigma_s / self.l_sf
        th = math.tanh(0.5 * self.thickness / self.l_sf)
        return a * th, th / a


@dataclass(frozen=True)
class Interface1D:
    """Spin-dependent interface conductances per channel (Valet-Fert law), in S/m^2.

    ``j_sigma = G_sigma (phi_sigma^L - phi_sigma^R)`` with ``n`` from L to R.
    """

    G_up: float
    G_dn: float

    def __post_init__(self) -> None:
        for name, g in (("G_up", self.G_up), ("G_dn", self.G_dn)):
            if not (g > 0.0 and math.isfinite(g)):
                raise ValueError(f"{name} must be finite and > 0, got {g}")

    @classmethod
    def from_ARb(cls, AR_b: float, gamma: float) -> Interface1D:
        """Build from AR_b* [Ohm m^2] and gamma [1] (MODEL.md definitions).

        Inverting ``AR_b* = (1/G_up + 1/G_dn)/4`` and ``gamma = (G_up - G_dn)/(G_up + G_dn)``
        gives ``G_up = 1/(2 AR_b* (1 - gamma))``, ``G_dn = 1/(2 AR_b* (1 + gamma))``
        (gamma > 0: the up channel conducts better, as in Valet-Fert/Fert-Jaffres).
        """
        if not AR_b > 0.0:
            raise ValueError(f"AR_b must be > 0, got {AR_b}")
        if not abs(gamma) < 1.0:
            raise ValueError(f"|gamma| must be < 1, got {gamma}")
        return cls(G_up=1.0 / (2.0 * AR_b * (1.0 - gamma)), G_dn=1.0 / (2.0 * AR_b * (1.0 + gamma)))

    @property
    def AR_b(self) -> float:
        """AR_b* = (1/G_up + 1/G_dn)/4 [Ohm m^2]."""
        return 0.25 * (1.0 / self.G_up + 1.0 / self.G_dn)

    @property
    def gamma(self) -> float:
        """Interface spin asymmetry gamma = (G_up - G_dn)/(G_up + G_dn) [1]."""
        return (self.G_up - self.G_dn) / (self.G_up + self.G_dn)

    @property
    def RA_equilibrium(self) -> float:
        """Resistance-area 1/(G_up + G_dn) = AR_b* (1 - gamma^2) [Ohm m^2] at mu_L = mu_R."""
        return 1.0 / (self.G_up + self.G_dn)

    def flipped(self) -> Interface1D:
        """The same interface with up and down exchanged (gamma -> -gamma)."""
        return Interface1D(G_up=self.G_dn, G_dn=self.G_up)


def sml_layer(t_I: float, sigma_I: float, delta: float, P_I: float = 0.0) -> Layer1D:
    """Spin-memory-loss interface as an explicit thin bulk layer.

    Args:
        t_I: interface-layer thickness [m].
        sigma_I: its conductivity [S/m] (AR_I = t_I/sigma_I [Ohm m^2]).
        delta: spin-flip parameter delta = t_I/l_sf,I [1] (0 = no spin flip).
        P_I: its bulk polarization [1].

    Returns:
        ``Layer1D(t_I, sigma_I, P_I, l_sf=t_I/delta)`` (``l_sf = inf`` when ``delta == 0``).
    """
    if delta < 0.0:
        raise ValueError(f"delta must be >= 0, got {delta}")
    l_sf = math.inf if delta == 0.0 else t_I / delta
    return Layer1D(thickness=t_I, sigma=sigma_I, P=P_I, l_sf=l_sf)


# --------------------------------------------------------------------------------------------------
# Transfer matrices on the state s = (mu [V], j_s [A/m^2]):  s_out = M s_in + c J
# --------------------------------------------------------------------------------------------------
def layer_transfer_matrix(layer: Layer1D) -> tuple[FloatArray, FloatArray]:
    """Affine transfer matrix of a layer: ``s(t) = M s(0) + c J`` with ``s = (mu, j_s)``.

    With ``u = j_s - P J = sigma_s mu'``, ``a = sigma_s/l_sf``, ``tau = t/l_sf``::

        mu(t) = cosh(tau) mu(0) + sinh(tau)/a u(0)
        u(t)  = a sinh(tau) mu(0) + cosh(tau) u(0)

    Units: M = [[1, Ohm m^2], [S/m^2, 1]], c = [Ohm m^2, 1].  Overflows for tau > ~700; it is
    used for checks and short stacks only (:func:`solve_stack` uses the bounded two-port form).
    """
    P = layer.P
    if math.isinf(layer.l_sf):
        ch, s_over_a, a_s = 1.0, layer.thickness / layer.sigma_s, 0.0
    else:
        tau = layer.thickness / layer.l_sf
        a = layer.sigma_s / layer.l_sf
        ch, s_over_a, a_s = math.cosh(tau), math.sinh(tau) / a, a * math.sinh(tau)
    M = np.array([[ch, s_over_a], [a_s, ch]])
    c = np.array([-P * s_over_a, P * (1.0 - ch)])
    return M, c


def interface_transfer_matrix(interface: Interface1D | None) -> tuple[FloatArray, FloatArray]:
    """Affine transfer matrix across an interface: ``s_R = M s_L + c J``.

    ``mu_R = mu_L + (1/G_up + 1/G_dn)/2 j_s + (1/G_up - 1/G_dn)/2 J``, ``j_s`` continuous;
    ``None`` (transparent) is the identity.
    """
    if interface is None:
        return np.eye(2), np.zeros(2)
    ru, rd = 1.0 / interface.G_up, 1.0 / interface.G_dn
    return np.array([[1.0, 0.5 * (ru + rd)], [0.0, 1.0]]), np.array([0.5 * (ru - rd), 0.0])


def stack_transfer_matrix(
    layers: Sequence[Layer1D], interfaces: Sequence[Interface1D | None] | None = None
) -> tuple[FloatArray, FloatArray]:
    """Product of all layer and interface transfer matrices: ``s(L) = M s(0) + c J``.

    Naive single shooting with it loses about ``exp(2 sum t/l_sf)`` relative precision; it is
    provided for cross-checks on short stacks.
    """
    ifaces = _check_stack(layers, interfaces)
    M, c = np.eye(2), np.zeros(2)
    for k, layer in enumerate(layers):
        if k > 0:
            Mi, ci = interface_transfer_matrix(ifaces[k - 1])
            M, c = Mi @ M, Mi @ c + ci
        Ml, cl = layer_transfer_matrix(layer)
        M, c = Ml @ M, Ml @ c + cl
    return M, c


def _check_stack(
    layers: Sequence[Layer1D], interfaces: Sequence[Interface1D | None] | None
) -> list[Interface1D | None]:
    if len(layers) == 0:
        raise ValueError("need at least one layer")
    if interfaces is None:
        return [None] * (len(layers) - 1)
    if len(interfaces) != len(layers) - 1:
        raise ValueError(
            f"interfaces must have len(layers) - 1 = {len(layers) - 1} entries, "
            f"got {len(interfaces)}"
        )
    return list(interfaces)


# --------------------------------------------------------------------------------------------------
# Stable profile kernels
# --------------------------------------------------------------------------------------------------
def _sinh_ratio(a: FloatArray, tau: float) -> FloatArray:
    """sinh(a)/sinh(tau) for 0 <= a <= tau, without overflow."""
    return np.exp(a - tau) * (-np.expm1(-2.0 * a)) / (-math.expm1(-2.0 * tau))


def _cosh_ratio(a: FloatArray, tau: float) -> FloatArray:
    """cosh(a)/sinh(tau) for 0 <= a <= tau, without overflow."""
    return np.exp(a - tau) * (1.0 + np.exp(-2.0 * a)) / (-math.expm1(-2.0 * tau))


def _layer_profile(
    layer: Layer1D, mu0: float, mut: float, xi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(mu, dmu/dx) at local coordinates xi in [0, t] given the end values mu0, mut."""
    t = layer.thickness
    if math.isinf(layer.l_sf):
        return mu0 + (mut - mu0) * xi / t, np.full_like(xi, (mut - mu0) / t)
    lam = layer.l_sf
    tau = t / lam
    p, q = xi / lam, (t - xi) / lam
    mu = mu0 * _sinh_ratio(q, tau) + mut * _sinh_ratio(p, tau)
    dmu = (-mu0 * _cosh_ratio(q, tau) + mut * _cosh_ratio(p, tau)) / lam
    return mu, dmu


# --------------------------------------------------------------------------------------------------
# Finite stack between two spin-equilibrated reservoirs
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class StackSolution:
    """Exact solution of a 1D stack; layer k occupies [edges[k], edges[k+1]].

    Attributes:
        layers, interfaces: the input (interfaces[i] sits between layers i and i+1).
        J: charge current density along +x [A/m^2].
        edges: layer boundaries, shape (n+1,), edges[0] = 0 [m].
        mu_ends: mu at the left/right end of each layer, shape (n, 2) [V].
        js_ends: j_s at the left/right end of each layer, shape (n, 2) [A/m^2].
        V_ends: V at the left/right end of each layer, shape (n, 2) [V]; gauge V(L) = 0.
        RA: (V(0) - V(L))/J [Ohm m^2], interface jumps included (computed at unit J).

    Point evaluation: ``x`` exactly on an interior interface belongs to the layer on its
    ``side`` ("right" by default, i.e. layers are half-open [x_k, x_{k+1}); x = L always
    belongs to the last layer and x = 0 to the first).
    """

    layers: tuple[Layer1D, ...]
    interfaces: tuple[Interface1D | None, ...]
    J: float
    edges: FloatArray
    mu_ends: FloatArray
    js_ends: FloatArray
    V_ends: FloatArray
    RA: float

    @property
    def total_thickness(self) -> float:
        """L_total [m]."""
        return float(self.edges[-1])

    def _locate(self, x: ArrayLike, side: Side) -> tuple[FloatArray, NDArray[np.intp]]:
        xa = np.asarray(x, dtype=float)
        L = self.total_thickness
        tol = 1e-12 * L
        if np.any(xa < -tol) or np.any(xa > L + tol):
            raise ValueError("x outside [0, L_total]")
        if side not in ("left", "right"):
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        k = np.searchsorted(self.edges, xa, side=side) - 1
        k = np.clip(k, 0, len(self.layers) - 1)
        return xa, k

    def _eval(self, x: ArrayLike, side: Side) -> tuple[FloatArray, FloatArray, FloatArray]:
        xa, k = self._locate(x, side)
        mu = np.empty_like(xa)
        js = np.empty_like(xa)
        V = np.empty_like(xa)
        for kk in np.unique(k):
            sel = k == kk
            layer = self.layers[kk]
            xi = np.clip(xa[sel] - self.edges[kk], 0.0, layer.thickness)
            m, dm = _layer_profile(layer, self.mu_ends[kk, 0], self.mu_ends[kk, 1], xi)
            mu[sel] = m
            js[sel] = layer.P * self.J + layer.sigma_s * dm
            V[sel] = (
                self.V_ends[kk, 0]
                - self.J * xi / layer.sigma
                + 0.5 * layer.P * (m - self.mu_ends[kk, 0])
            )
        return mu, js, V

    def mu(self, x: ArrayLike, side: Side = "right") -> FloatArray:
        """Spin accumulation mu_s(x) [V]."""
        return self._eval(x, side)[0]

    def j_s(self, x: ArrayLike, side: Side = "right") -> FloatArray:
        """Spin current j_s(x) = j_up - j_dn [A/m^2]."""
        return self._eval(x, side)[1]

    def V(self, x: ArrayLike, side: Side = "right") -> FloatArray:
        """Electric potential V(x) [V], gauge V(L_total) = 0."""
        return self._eval(x, side)[2]

    def j_c(self, x: ArrayLike) -> FloatArray:
        """Charge current j_c(x) = J [A/m^2] (constant)."""
        return np.full_like(np.asarray(x, dtype=float), self.J)

    def phi_up_dn(self, x: ArrayLike, side: Side = "right") -> tuple[FloatArray, FloatArray]:
        """Channel potentials (phi_up, phi_dn) = (V - mu/2, V + mu/2) [V]."""
        mu, _, V = self._eval(x, side)
        return V - 0.5 * mu, V + 0.5 * mu

    def _check_iface(self, i: int) -> None:
        if not 0 <= i < len(self.layers) - 1:
            raise IndexError(f"interface index {i} out of range")

    def mu_left_right(self, i: int) -> tuple[float, float]:
        """(mu_L, mu_R) [V] on the two sides of interface i (between layers i and i+1)."""
        self._check_iface(i)
        return float(self.mu_ends[i, 1]), float(self.mu_ends[i + 1, 0])

    def V_left_right(self, i: int) -> tuple[float, float]:
        """(V_L, V_R) [V] on the two sides of interface i."""
        self._check_iface(i)
        return float(self.V_ends[i, 1]), float(self.V_ends[i + 1, 0])

    def j_s_left_right(self, i: int) -> tuple[float, float]:
        """(j_s^L, j_s^R) [A/m^2] at interface i (equal: no spin flip at a G_up/G_dn interface)."""
        self._check_iface(i)
        return float(self.js_ends[i, 1]), float(self.js_ends[i + 1, 0])

    def mu_jump(self, i: int) -> float:
        """[mu] = mu_R - mu_L [V] at interface i."""
        mL, mR = self.mu_left_right(i)
        return mR - mL

    def V_jump(self, i: int) -> float:
        """[V] = V_R - V_L [V] at interface i (negative for J > 0 through a resistive barrier)."""
        VL, VR = self.V_left_right(i)
        return VR - VL

    @property
    def mu_jumps(self) -> FloatArray:
        """[mu] at every interface, shape (n-1,) [V]."""
        return self.mu_ends[1:, 0] - self.mu_ends[:-1, 1]

    @property
    def V_jumps(self) -> FloatArray:
        """[V] at every interface, shape (n-1,) [V]."""
        return self.V_ends[1:, 0] - self.V_ends[:-1, 1]


def _solve_unit(
    layers: Sequence[Layer1D], ifaces: Sequence[Interface1D | None]
) -> tuple[FloatArray, FloatArray]:
    """End states (mu_ends [V], js_ends [A/m^2]) for J = 1 A/m^2 (multiple shooting).

    Unknowns per layer k: mu(0), mu(t), j_s(0), j_s(t) (mu scaled by R0 to make the system O(1)).
    Each layer's transfer relation s(t) = M s(0) + c J is imposed in the algebraically
    equivalent, bounded two-port form (:attr:`Layer1D.two_port`); the interfaces impose the
    transfer relation of :func:`interface_transfer_matrix`; mu = 0 at x = 0 and x = L.
    """
    n = len(layers)
    coeffs = [layer.two_port for layer in layers]
    scales = [b for _, b in coeffs] + [
        0.5 * (1.0 / f.G_up + 1.0 / f.G_dn) for f in ifaces if f is not None
    ]
    R0 = float(np.median(scales))  # [Ohm m^2]; mu = R0 * mu_tilde at J = 1
    N = 4 * n
    A = np.zeros((N, N))
    b = np.zeros(N)

    def m0(k: int) -> int:
        return 4 * k

    def mt(k: int) -> int:
        return 4 * k + 1

    def j0(k: int) -> int:
        return 4 * k + 2

    def jt(k: int) -> int:
        return 4 * k + 3

    row = 0
    for k, (layer, (alpha, beta)) in enumerate(zip(layers, coeffs, strict=True)):
        # spin-flip balance: j_s(t) - j_s(0) = alpha (mu(0) + mu(t))
        A[row, jt(k)], A[row, j0(k)] = 1.0, -1.0
        A[row, m0(k)] = A[row, mt(k)] = -alpha * R0
        row += 1
        # diffusion drop: mu(t) - mu(0) = beta (j_s(0) + j_s(t) - 2 P J)
        A[row, mt(k)], A[row, m0(k)] = 1.0, -1.0
        A[row, j0(k)] = A[row, jt(k)] = -beta / R0
        b[row] = -2.0 * layer.P * beta / R0
        row += 1
    A[row, m0(0)] = 1.0  # mu(0) = 0
    row += 1
    A[row, mt(n - 1)] = 1.0  # mu(L) = 0
    row += 1
    for i, f in enumerate(ifaces):
        M, c = interface_transfer_matrix(f)
        # j_s continuous
        A[row, jt(i)], A[row, j0(i + 1)] = 1.0, -1.0
        row += 1
        # mu_R = mu_L + M[0, 1] j_s + c[0] J
        A[row, m0(i + 1)], A[row, mt(i)] = 1.0, -1.0
        A[row, jt(i)] = -M[0, 1] / R0
        b[row] = c[0] / R0
        row += 1
    assert row == N
    z = np.linalg.solve(A, b)
    z += np.linalg.solve(A, b - A @ z)  # one step of iterative refinement
    z = z.reshape(n, 4)
    return R0 * z[:, 0:2], z[:, 2:4].copy()


def solve_stack(
    layers: Sequence[Layer1D],
    interfaces: Sequence[Interface1D | None] | None = None,
    J: float = 1.0,
) -> StackSolution:
    """Exact solution of a layer stack between two ideal spin-equilibrated reservoirs.

    Boundary conditions: mu_s = 0 at x = 0 and at x = L_total; charge current density J [A/m^2]
    flows along +x.  The two-point boundary problem on the state (mu, j_s) is solved exactly by
    multiple shooting: each layer's (cosh/sinh) and each interface's affine transfer relation
    is imposed between its own end states, and the resulting small linear system is solved
    directly.  This is algebraically identical to composing the transfer matrices
    (:func:`stack_transfer_matrix`) but does not lose the ``exp(2 sum t/l_sf)`` precision that
    single shooting loses in thick layers.

    Args:
        layers: the layers from x = 0 to x = L_total.
        interfaces: len(layers) - 1 entries, ``None`` = transparent (V and mu continuous).
        J: charge current density [A/m^2].

    Returns:
        :class:`StackSolution` (gauge V(L_total) = 0).
    """
    layers_t = tuple(layers)
    ifaces = _check_stack(layers_t, interfaces)
    mu1, js1 = _solve_unit(layers_t, ifaces)
    n = len(layers_t)
    # Potential at unit current, integrated from the right reservoir (V(L) = 0) leftwards:
    # layer:      V(0) - V(t) = J t/sigma - (P/2) (mu(t) - mu(0))
    # interface:  V_L - V_R  = (j_up/G_up + j_dn/G_dn)/2
    V1 = np.zeros((n, 2))
    v_right = 0.0
    for k in range(n - 1, -1, -1):
        layer = layers_t[k]
        V1[k, 1] = v_right
        V1[k, 0] = v_right + layer.thickness / layer.sigma - 0.5 * layer.P * (mu1[k, 1] - mu1[k, 0])
        if k > 0:
            f = ifaces[k - 1]
            drop = 0.0
            if f is not None:
                js = js1[k, 0]
                drop = 0.5 * (0.5 * (1.0 + js) / f.G_up + 0.5 * (1.0 - js) / f.G_dn)
            v_right = V1[k, 0] + drop
    edges = np.concatenate([[0.0], np.cumsum([layer.thickness for layer in layers_t])])
    return StackSolution(
        layers=layers_t,
        interfaces=tuple(ifaces),
        J=float(J),
        edges=edges,
        mu_ends=J * mu1,
        js_ends=J * js1,
        V_ends=J * V1,
        RA=float(V1[0, 0]),
    )


# --------------------------------------------------------------------------------------------------
# Closed forms: two semi-infinite media, F at x < 0, N at x > 0, current J along +x
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class JunctionSolution:
    """Closed-form solution of a semi-infinite F (x < 0) / N (x > 0) junction.

    Attributes:
        F, N: the two media (their ``thickness`` is ignored; ``N.P`` may be nonzero).
        J: charge current density along +x [A/m^2].
        AR_b, gamma: interface AR_b* [Ohm m^2] and gamma [1] (0, 0 = transparent).
        r_F, r_N, r_b: l_F/(sigma_F (1 - P_F^2)), l_N/(sigma_N (1 - P_N^2)), AR_b* [Ohm m^2].
        efficiency: injection efficiency j_s(0)/J [1].
        mu_F0, mu_N0: mu_s at x = 0^- and x = 0^+ [V].
        V_F0: V(0^-) [V] in the gauge V(0^+) = 0.
        excess_RA: (V_F^asym(0) - V_N^asym(0))/J [Ohm m^2], where V^asym are the straight lines
            to which V(x) tends far from the junction (x -> -inf in F, x -> +inf in N): the
            resistance-area of the junction on top of the bulk ohmic x/sigma of both media.
        spin_coupled_RA: excess_RA - AR_b* (1 - gamma^2) [Ohm m^2], i.e. the part due to spin
            accumulation (AR_b* (1 - gamma^2) = 1/(G_up + G_dn) is the interface RA at mu_L=mu_R).
    """

    F: Layer1D
    N: Layer1D
    J: float
    AR_b: float
    gamma: float
    r_F: float
    r_N: float
    r_b: float
    efficiency: float
    mu_F0: float
    mu_N0: float
    V_F0: float
    excess_RA: float
    spin_coupled_RA: float

    def _split(self, x: ArrayLike, side: Side) -> tuple[FloatArray, NDArray[np.bool_]]:
        xa = np.asarray(x, dtype=float)
        if side not in ("left", "right"):
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        in_F = (xa < 0.0) | ((xa == 0.0) & (side == "left"))
        return xa, in_F

    def mu(self, x: ArrayLike, side: Side = "right") -> FloatArray:
        """mu_s(x) [V]: mu_F0 exp(x/l_F) for x < 0, mu_N0 exp(-x/l_N) for x > 0."""
        xa, in_F = self._split(x, side)
        xF = np.minimum(xa, 0.0)
        xN = np.maximum(xa, 0.0)
        return np.where(
            in_F, self.mu_F0 * np.exp(xF / self.F.l_sf), self.mu_N0 * np.exp(-xN / self.N.l_sf)
        )

    def j_s(self, x: ArrayLike, side: Side = "right") -> FloatArray:
        """j_s(x) [A/m^2]: P_F J + mu/(2 r_F) for x < 0, P_N J - mu/(2 r_N) for x > 0."""
        _, in_F = self._split(x, side)
        m = self.mu(x, side)
        return np.where(
            in_F, self.F.P * self.J + m / (2.0 * self.r_F), self.N.P * self.J - m / (2.0 * self.r_N)
        )

    def V(self, x: ArrayLike, side: Side = "right") -> FloatArray:
        """V(x) [V] in the gauge V(0^+) = 0: V = V_0 - J x/sigma + (P/2)(mu(x) - mu_0) per side."""
        xa, in_F = self._split(x, side)
        m = self.mu(x, side)
        VF = self.V_F0 - self.J * xa / self.F.sigma + 0.5 * self.F.P * (m - self.mu_F0)
        VN = -self.J * xa / self.N.sigma + 0.5 * self.N.P * (m - self.mu_N0)
        return np.where(in_F, VF, VN)

    def V_asymptote(self, x: ArrayLike, side: Side = "right") -> FloatArray:
        """Far-field straight lines of V [V]: V_F0 - J x/sigma_F - P_F mu_F0/2 on the F side,
        -J x/sigma_N - P_N mu_N0/2 on the N side."""
        xa, in_F = self._split(x, side)
        VF = self.V_F0 - self.J * xa / self.F.sigma - 0.5 * self.F.P * self.mu_F0
        VN = -self.J * xa / self.N.sigma - 0.5 * self.N.P * self.mu_N0
        return np.where(in_F, VF, VN)


def _check_semi_infinite(F: Layer1D, N: Layer1D) -> None:
    if math.isinf(F.l_sf) or math.isinf(N.l_sf):
        raise ValueError("semi-infinite media need finite l_sf")


def fn_junction_transparent(F: Layer1D, N: Layer1D, J: float = 1.0) -> JunctionSolution:
    """Semi-infinite F/N junction without interface resistance (mu and V continuous at x=0).

    References: M. Johnson and R. H. Silsbee, PRB 35, 4959 (1987); T. Valet and A. Fert,
    PRB 48, 7099 (1993) (single-interface limit); A. Fert and H. Jaffres, PRB 64, 184420 (2001),
    current spin polarization at the interface and interface resistance r_SI with r_b* = 0
    (equation numbers not re-checked here; the formulas below are derived independently).

    Derivation (project conventions, module docstring): mu = mu0 exp(x/l_F) in F,
    mu0 exp(-x/l_N) in N, so j_s(0^-) = P_F J + mu0/(2 r_F) and j_s(0^+) = P_N J - mu0/(2 r_N)
    with r = l_sf/(sigma (1 - P^2)) (= 1/(2 sigma_s/l_sf)).  Continuity of j_s gives::

        mu0        = -2 (P_F - P_N) r_F r_N J / (r_F + r_N)
        j_s(0)/J   = (P_F r_F + P_N r_N) / (r_F + r_N)     (= P r_F/(r_F + r_N) for F/N)
        excess RA  = (P_F - P_N)^2 r_F r_N / (r_F + r_N)    (= P^2 r_F r_N/(r_F + r_N))

    The excess RA follows from V' = -J/sigma + (P/2) mu': V(x) - V^asym(x) = (P/2) mu(x) on each
    side, so (V_F^asym(0) - V_N^asym(0))/J = (P_N mu0 - P_F mu0)/(2 J).
    """
    _check_semi_infinite(F, N)
    r_F, r_N = F.r_spin, N.r_spin
    dP = F.P - N.P
    mu0 = -2.0 * dP * r_F * r_N * J / (r_F + r_N)
    eta = (F.P * r_F + N.P * r_N) / (r_F + r_N)
    exc = dP**2 * r_F * r_N / (r_F + r_N)
    return JunctionSolution(
        F=F, N=N, J=float(J), AR_b=0.0, gamma=0.0, r_F=r_F, r_N=r_N, r_b=0.0,
        efficiency=eta, mu_F0=mu0, mu_N0=mu0, V_F0=0.0, excess_RA=exc, spin_coupled_RA=exc,
    )  # fmt: skip


def fn_junction_interface(
    F: Layer1D, N: Layer1D, AR_b: float, gamma: float, J: float = 1.0
) -> JunctionSolution:
    """Semi-infinite F/N junction with a spin-dependent interface (AR_b*, gamma).

    Reference: A. Fert and H. Jaffres, PRB 64, 184420 (2001): current spin polarization at the
    interface SP(0) = (beta r_F + gamma r_b*)/(r_F + r_N + r_b*) and the spin-coupled interface
    resistance r_SI (equation numbers not re-checked; derived independently below).  In this
    project's conventions (j_s = j_up - j_dn, mu_s = mu_up - mu_dn in eV, P = beta) the
    resistances are exactly Fert-Jaffres' ones:
    ``r_F = l_F/(sigma_F (1 - P_F^2))``, ``r_N = l_N/(sigma_N (1 - P_N^2))`` (= l_N/sigma_N for
    P_N = 0), ``r_b = AR_b*``.

    Derivation: with eta = j_s(0)/J, the semi-infinite solutions give
    mu_F0 = 2 r_F (eta - P_F) J and mu_N0 = 2 r_N (P_N - eta) J; the interface law gives
    mu_N0 - mu_F0 = 2 r_b (eta - gamma) J.  Hence::

        eta = (P_F r_F + P_N r_N + gamma r_b) / (r_F + r_N + r_b)

    With V(0^-) - V(0^+) = r_b (1 - gamma eta) J and V - V^asym = (P/2) mu on each side::

        excess RA = r_b (1 - gamma eta) - P_F r_F (eta - P_F) - P_N r_N (eta - P_N)
                  = r_b + P_F^2 r_F + P_N^2 r_N - (P_F r_F + P_N r_N + gamma r_b)^2/(r_F+r_N+r_b)
                  = r_b (1 - gamma^2)
                    + [(P_F-gamma)^2 r_F r_b + (P_N-gamma)^2 r_N r_b + (P_F-P_N)^2 r_F r_N]
                      / (r_F + r_N + r_b)

    The second line is ``excess_RA``, the bracket of the third line is ``spin_coupled_RA``
    (evaluated separately, so the two forms check each other).
    """
    _check_semi_infinite(F, N)
    if not AR_b > 0.0:
        raise ValueError(f"AR_b must be > 0, got {AR_b}")
    if not abs(gamma) < 1.0:
        raise ValueError(f"|gamma| must be < 1, got {gamma}")
    r_F, r_N, r_b = F.r_spin, N.r_spin, AR_b
    s = r_F + r_N + r_b
    lead = F.P * r_F + N.P * r_N + gamma * r_b
    eta = lead / s
    mu_F0 = 2.0 * r_F * (eta - F.P) * J
    mu_N0 = 2.0 * r_N * (N.P - eta) * J
    V_F0 = r_b * (1.0 - gamma * eta) * J
    exc = r_b + F.P**2 * r_F + N.P**2 * r_N - lead**2 / s
    sc = (
        (F.P - gamma) ** 2 * r_F * r_b
        + (N.P - gamma) ** 2 * r_N * r_b
        + (F.P - N.P) ** 2 * r_F * r_N
    ) / s
    return JunctionSolution(
        F=F, N=N, J=float(J), AR_b=r_b, gamma=gamma, r_F=r_F, r_N=r_N, r_b=r_b,
        efficiency=eta, mu_F0=mu_F0, mu_N0=mu_N0, V_F0=V_F0, excess_RA=exc, spin_coupled_RA=sc,
    )  # fmt: skip
