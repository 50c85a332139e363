"""The only module that knows about dolfinx versions.

spinfem supports dolfinx 0.9 (Debian 13) and 0.10/0.11 (conda-forge, Docker, Debian
sid). Every API difference is isolated here behind a small function, selected by
feature detection (``hasattr``), never by comparing version strings. Each shim has a
test in ``tests/test_compat.py`` that runs on every supported stack.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MIN_DOLFINX = (0, 9)


def dolfinx_version_tuple(version: str) -> tuple[int, int]:
    """(major, minor) of a dolfinx version string such as '0.9.0' or '0.10.0.post1'."""
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    while len(parts) < 2:
        parts.append(0)
    return parts[0], parts[1]


def require_dolfinx() -> None:
    """Raise a clear ImportError if dolfinx is missing or older than 0.9."""
    try:
        import dolfinx
    except ImportError as exc:
        raise ImportError(
            "spinfem needs FEniCSx (dolfinx >= 0.9 with petsc4py, mpi4py and gmsh), which is "
            "not importable here. Install it from Debian 13 (`bash scripts/env.sh build` "
            "builds a ready environment), conda-forge (`conda install -c conda-forge "
            "fenics-dolfinx petsc4py mpi4py python-gmsh`) or the dolfinx Docker images, then "
            "`pip install .`"
        ) from exc
    if dolfinx_version_tuple(dolfinx.__version__) < MIN_DOLFINX:
        raise ImportError(
            f"spinfem needs dolfinx >= {MIN_DOLFINX[0]}.{MIN_DOLFINX[1]}, found "
            f"{dolfinx.__version__} at {dolfinx.__file__}; Debian 12 ships 0.5: use Debian 13 "
            "(`bash scripts/env.sh build`), conda-forge or Docker"
        )


require_dolfinx()

import dolfinx  # noqa: E402
import dolfinx.fem  # noqa: E402
import dolfinx.fem.petsc  # noqa: E402
import dolfinx.mesh  # noqa: E402

# ---------------------------------------------------------------------------- gmsh I/O
HAS_IO_GMSH = hasattr(dolfinx.io, "gmsh") and hasattr(
    getattr(dolfinx.io, "gmsh", None), "model_to_mesh"
)


def gmsh_model_to_mesh(
    model: Any, comm: Any, rank: int, gdim: int, partitioner: Any
) -> tuple[Any, Any, Any]:
    """Import a gmsh model: returns (mesh, cell_tags, facet_tags).

    0.9: ``dolfinx.io.gmshio.model_to_mesh`` returns a tuple; 0.10+:
    ``dolfinx.io.gmsh.model_to_mesh`` returns ``MeshData``.
    """
    if HAS_IO_GMSH:
        import dolfinx.io.gmsh as gmsh_io

        data = gmsh_io.model_to_mesh(model, comm, rank, gdim=gdim, partitioner=partitioner)
        return data.mesh, data.cell_tags, data.facet_tags
    from dolfinx.io import gmshio

    mesh, cell_tags, facet_tags = gmshio.model_to_mesh(
        model, comm, rank, gdim=gdim, partitioner=partitioner
    )
    return mesh, cell_tags, facet_tags


def shared_facet_partitioner() -> Any:
    """Cell partitioner that ghosts cells across shared facets (needed for dS integrals)."""
    return dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet)


# ---------------------------------------------------------------------------- elements
def interpolation_points(space: Any) -> np.ndarray:
    """Reference interpolation points of a space's element (method in 0.9, property later)."""
    pts = space.element.interpolation_points
    return pts() if callable(pts) else pts


def coordinate_element(mesh: Any) -> Any:
    """The mesh's coordinate element (``geometry.cmap`` up to 0.10, ``cmaps[0]`` in 0.11)."""
    geom = mesh.geometry
    if hasattr(geom, "cmaps"):
        return geom.cmaps[0]
    return geom.cmap


# ---------------------------------------------------------------------------- assembly
def assemble_matrix(form: Any, bcs: list[Any]) -> Any:
    """Assemble a PETSc matrix of a single bilinear form with Dirichlet rows/columns."""
    mat = dolfinx.fem.petsc.assemble_matrix(form, bcs=bcs)
    mat.assemble()
    return mat


def create_vector(form: Any) -> Any:
    """A PETSc vector laid out for the (single-space) linear form ``form``."""
    try:
        return dolfinx.fem.petsc.create_vector(form)
    except TypeError:  # 0.10+: create_vector(V or list of spaces)
        return dolfinx.fem.petsc.create_vector(form.function_spaces[0])


def petsc_options_for(prefix: str, options: dict[str, Any]) -> None:
    """Write ``options`` into the PETSc options database under ``prefix`` (no overwrite of
    values already given on the command line)."""
    from petsc4py import PETSc

    opts = PETSc.Options()
    for key, value in options.items():
        name = f"{prefix}{key}"
        if not opts.hasName(name):
            opts[name] = value
