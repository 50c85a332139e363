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
    Interrupted,
    MaterialError,
    MeshError,
    OutputError,
    SolverError,
    SpinfemError,
)
from spinfem.materials import Material  # noqa: E402

# The public API, imported on first use (``spinfem.VectorSpinProblem``) so that
# ``import spinfem`` stays light; submodules are the same objects.
_LAZY = {
    "Contact": "spinfem.contacts",
    "DeviceMesh": "spinfem.mesh",
    "TwoCurrentProblem": "spinfem.problem",
    "VectorSpinProblem": "spinfem.vector_problem",
    "VectorSolution": "spinfem.vector_solution",
    "Transparent": "spinfem.interfaces",
    "SpinConductance": "spinfem.interfaces",
    "TunnelBarrier": "spinfem.interfaces",
    "SpinMemoryLoss": "spinfem.interfaces",
    "MixingConductance": "spinfem.mixing",
    "MagneticInsulator": "spinfem.mixing",
    "SolverSettings": "spinfem.solvers",
    "field_sweep": "spinfem.sweeps",
    "angle_sweep": "spinfem.sweeps",
    "sweep": "spinfem.sweeps",
    "nonlocal_resistance": "spinfem.sweeps",
    "SweepResult": "spinfem.sweeps",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'spinfem' has no attribute '{name}'")


__all__ = [
    *_LAZY,
    "ContactError",
    "InputError",
    "Interrupted",
    "Material",
    "MaterialError",
    "MeshError",
    "OutputError",
    "SolverError",
    "SpinfemError",
    "__version__",
]
