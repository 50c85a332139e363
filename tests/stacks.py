"""Device stacks shared by tests and MPI scripts: (region, material, thickness [m]) rows."""

from __future__ import annotations

from spinfem import library
from spinfem.geometry import Layer

NM = 1e-9

#: the demo-like Co/Cu/Co CPP pillar, bottom to top
CO_CU_CO = (
    ("lead1", library.Cu, 20 * NM),
    ("F1", library.Co, 10 * NM),
    ("N", library.Cu, 10 * NM),
    ("F2", library.Co, 5 * NM),
    ("lead2", library.Cu, 20 * NM),
)


def materials(rows) -> dict:
    """Region name -> Material of a stack."""
    return {name: mat for name, mat, _ in rows}


def layers(rows) -> list[Layer]:
    """Geometry layers of a stack."""
    return [Layer(name, t) for name, _, t in rows]
