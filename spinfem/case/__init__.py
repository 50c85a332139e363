"""Case files: TOML with units, validated (schema), loaded with overrides (load), built
into devices and problems (build, models, two_current), checked and run (run)."""

from spinfem.case.build import Device, register_mesh
from spinfem.case.load import load_case, validate_case
from spinfem.case.models import ModelSpec, RunContext, register_model

__all__ = [
    "Device",
    "ModelSpec",
    "RunContext",
    "load_case",
    "register_mesh",
    "register_model",
    "validate_case",
]
