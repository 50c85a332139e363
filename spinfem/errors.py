"""Exception types of spinfem.

Every error a user can cause derives from :class:`SpinfemError`. Input errors are
detected identically on every MPI rank (the inputs are the same everywhere, and
mesh-dependent checks reduce their counts over the communicator first), so every
rank raises the same exception with the same message and nothing hangs.
"""

from __future__ import annotations

__all__ = [
    "ContactError",
    "InputError",
    "Interrupted",
    "MaterialError",
    "MeshError",
    "OutputError",
    "SolverError",
    "SpinfemError",
]


class SpinfemError(Exception):
    """Base class of all spinfem errors."""

    exit_code = 1


class InputError(SpinfemError, ValueError):
    """A user input (parameter, name, option) is invalid."""

    exit_code = 2


class MaterialError(InputError):
    """A material parameter is invalid or a region has no material."""


class MeshError(InputError):
    """The mesh or its physical groups are invalid (missing names, untagged cells)."""


class ContactError(InputError):
    """Contacts / boundary conditions are invalid."""


class SolverError(SpinfemError, RuntimeError):
    """A linear solve failed (the PETSc converged reason is in the message)."""

    exit_code = 3


class OutputError(SpinfemError, OSError):
    """Output cannot be written (existing run directory, unwritable path)."""

    exit_code = 4


class Interrupted(SpinfemError):
    """A transient run stopped by SIGTERM/SIGINT/SIGUSR1 at a step boundary after writing a
    checkpoint; ``spinfem run --restart latest`` resumes it (exit code 5)."""

    exit_code = 5
