"""UFL terms of the longitudinal M-m model (MODEL.md section 4).

Only the spatial operators live here; the local (per-vertex) relaxation terms are
lumped: ``lumped`` integrates a cell-wise coefficient against each P1 basis function,
which equals the row sum of the mass matrix weighted by that coefficient (vertex
quadrature), so the relaxation couples dM and dm node by node only.
"""

from __future__ import annotations

from typing import Any

import ufl

from spinfem.physics.scale import Scale

__all__ = ["boundary_load", "diffusion", "lumped"]


def diffusion(u: Any, v: Any, coef: Any, s: Scale, dx: Any) -> Any:
    """``int coef grad(u).grad(v) dx`` in SI (coef e.g. D_m [m^2/s])."""
    return coef * ufl.inner(s.grad(u), s.grad(v)) * s.volume * dx


def lumped(coef: Any, v: Any, s: Scale, dx: Any) -> Any:
    """``int coef v dx`` in SI: the lumped (row-sum) mass weighted by ``coef``."""
    return coef * v * s.volume * dx


def boundary_load(v: Any, s: Scale, ds: Any) -> Any:
    """``int v ds`` in SI [m^(d-1)]: the load of a unit injected flux."""
    return v * s.area * ds
