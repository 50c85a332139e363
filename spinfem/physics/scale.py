"""Physical length scaling: meshes keep their own coordinate unit, forms are SI.

With x = L xhat (L = ``length_unit`` [m]): grad = gradhat / L, dx = L^d dxhat,
ds = L^(d-1) dshat. A 2D model stands for a slab of out-of-plane ``depth`` [m], so its
volume and surface measures carry that factor too. L is a dolfinx Constant, so one
compiled form serves every mesh unit (no re-compilation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import ufl
from dolfinx import fem

from spinfem.mesh import DeviceMesh

__all__ = ["Scale"]


@dataclass(frozen=True, eq=False)
class Scale:
    """SI calculus on a mesh drawn in ``length_unit``.

    Attributes:
        inv_length: 1/L [1/m] as a Constant.
        volume: SI volume of one coordinate unit cell [m^3] (2D: L^2 depth).
        area: SI area of one coordinate unit facet [m^2] (2D: L depth).
    """

    inv_length: Any
    volume: Any
    area: Any

    @classmethod
    def of(cls, dmesh: DeviceMesh, mesh: Any = None) -> Scale:
        """Scale of ``dmesh`` with its Constants on ``mesh`` (default: the device mesh; a
        block submesh for expressions evaluated there)."""
        L, d = dmesh.length_unit, dmesh.tdim
        mesh = dmesh.mesh if mesh is None else mesh
        extra = dmesh.depth if d == 2 else 1.0

        def const(value: float) -> Any:
            return fem.Constant(mesh, np.float64(value))

        return cls(const(1.0 / L), const(L**d * extra), const(L ** (d - 1) * extra))

    def grad(self, f: Any) -> Any:
        """SI gradient [unit of f per metre]."""
        return self.inv_length * ufl.grad(f)
