"""spinfem: finite-element spin transport for spintronic devices, on FEniCSx.

Data flow: geometry (gmsh, named physical groups) -> :class:`spinfem.mesh.DeviceMesh`
-> materials per region -> physics terms -> PETSc solve -> observables and export.
All quantities are SI; the unit is in every docstring and output name.
"""

from __future__ import annotations

__version__ = "0.1.0"

from spinfem.compat import require_dolfinx

require_dolfinx()

from spinfem.errors import (  # noqa: E402
    ContactError,
    InputError,
    MaterialError,
    MeshError,
    OutputError,
    SolverError,
    SpinfemError,
)
from spinfem.materials import Material  # noqa: E402

__all__ = [
    "ContactError",
    "InputError",
    "Material",
    "MaterialError",
    "MeshError",
    "OutputError",
    "SolverError",
    "SpinfemError",
    "__version__",
]
