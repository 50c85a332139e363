"""The only module that knows about dolfinx versions.

spinfem supports dolfinx 0.9 (Debian 13) and 0.10/0.11 (conda-forge, Docker, Debian
sid). Every API difference is isolated here behind a small function, selected by
feature detection (``hasattr``), never by comparing version strings. Each shim has a
test in ``tests/test_compat.py`` that runs on every supported stack.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import logging
import os
from typing import Any

import numpy as np

MIN_DOLFINX = (0, 9)

#: Open MPI: ``MPI_Dist_graph_create`` (adios4dolfinx calls it when a checkpoint is read
#: on a different number of ranks) deadlocks at random: its edge exchange uses fixed
#: internal tags that the nonblocking-collective tag counter of a long-used communicator
#: reaches (open-mpi/ompi#13918, fixed by #13931; seen here: ~2 of 3 two-rank restarts of
#: a one-rank checkpoint hung). The maintainers' workaround is the ``basic`` topology
#: component; set before MPI is initialised (``import spinfem`` before mpi4py/dolfinx), a
#: user's own setting wins, MPICH ignores ``OMPI_MCA_*``.
OMPI_TOPO_WORKAROUND = ("OMPI_MCA_topo", "basic")
os.environ.setdefault(*OMPI_TOPO_WORKAROUND)


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


def shared_facet_partitioner(graph_partitioner: Any = None) -> Any:
    """Cell partitioner that ghosts cells across shared facets (needed for dS integrals),
    with dolfinx's default graph partitioner or ``graph_partitioner(comm, nparts,
    dual_graph, ghosting) -> destinations`` (owner first, then the ranks to ghost to).

    0.11 requires ``max_facet_to_cell_links`` (2: a non-branching manifold mesh).
    """
    mode = dolfinx.mesh.GhostMode.shared_facet
    args: tuple = (mode,)
    if graph_partitioner is not None:

        def part(*a: Any) -> Any:
            # 0.10+ wrap AdjacencyList in Python; the C++ side wants the inner object
            dest = graph_partitioner(*a)
            return getattr(dest, "_cpp_object", dest)

        args = (part, mode)
    try:
        return dolfinx.mesh.create_cell_partitioner(*args)
    except TypeError:  # 0.11: create_cell_partitioner([part,] mode, max_facet_to_cell_links)
        return dolfinx.mesh.create_cell_partitioner(*args, 2)


def create_mesh(comm: Any, cells: np.ndarray, x: np.ndarray, domain: Any, partitioner: Any) -> Any:
    """A mesh from distributed input (global node numbers, this rank's nodes): the
    coordinate element and the coordinates swapped places in 0.10's signature."""
    return dolfinx.mesh.create_mesh(comm, cells=cells, x=x, e=domain, partitioner=partitioner)


def distributed_meshtags(mesh: Any, dim: int, entities: np.ndarray, values: np.ndarray) -> Any:
    """Mesh tags of ``dim``-entities given on any rank by their global input node
    numbers, sent to the ranks that hold them (as dolfinx's gmsh reader does)."""
    from dolfinx.graph import adjacencylist
    from dolfinx.io.utils import distribute_entity_data

    local, vals = distribute_entity_data(mesh, dim, np.asarray(entities, np.int64), values)
    mesh.topology.create_connectivity(dim, mesh.topology.dim)
    adj = adjacencylist(np.ascontiguousarray(local, dtype=np.int32))
    return dolfinx.mesh.meshtags_from_entities(mesh, dim, adj, np.asarray(vals, np.int32))


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


def geometry_dofmap(mesh: Any) -> np.ndarray:
    """(cells, nodes per cell) geometry node indices (``geometry.dofmap`` up to 0.10,
    ``geometry.dofmaps[0]`` in 0.11, where ``dofmap`` is deprecated)."""
    geom = mesh.geometry
    if hasattr(geom, "dofmaps"):
        return np.asarray(geom.dofmaps[0])
    return np.asarray(geom.dofmap)


# ---------------------------------------------------------------------------- assembly
def assemble_matrix(form: Any, bcs: list[Any]) -> Any:
    """Assemble a PETSc matrix of a single bilinear form with Dirichlet rows/columns."""
    mat = dolfinx.fem.petsc.assemble_matrix(form, bcs=bcs)
    mat.assemble()
    return mat


def petsc_library() -> Any:
    """The loaded libpetsc (for calls petsc4py does not wrap), or None if not found."""
    try:
        import petsc4py

        cfg = petsc4py.get_config()
        libdir = os.path.join(cfg["PETSC_DIR"], cfg.get("PETSC_ARCH") or "", "lib")
        for path in sorted(glob.glob(os.path.join(libdir, "libpetsc*.so*"))):
            lib = ctypes.CDLL(path)
            if hasattr(lib, "PetscOptionsUsed"):
                return lib
    except (OSError, KeyError, ImportError):
        pass
    return None


PETSC_LIB = petsc_library()


def eliminate_zeros(mat: Any, lib: Any = PETSC_LIB) -> bool:
    """Drop the explicitly stored zeros of an assembled AIJ matrix in place (the
    diagonal is kept); return whether it was done.

    dolfinx stores whole ncomp x ncomp nodal blocks of a blocked space and the zeroed
    Dirichlet rows/columns, so the (V, mu) operators carry 25-70 % exact zeros that
    BoomerAMG copies into every level (docs/performance.md). petsc4py does not wrap
    ``MatEliminateZeros(Mat, PetscBool keep_diagonal)`` (PETSc >= 3.21), hence ctypes;
    without the library symbol the matrix is left as it is (same operator, slower).
    """
    fn = getattr(lib, "MatEliminateZeros", None) if lib is not None else None
    if fn is None or mat.getType() not in ("seqaij", "mpiaij"):
        logging.getLogger("spinfem").debug("explicit zeros kept (no MatEliminateZeros)")
        return False
    fn.argtypes = [ctypes.c_void_p, ctypes.c_int]
    if fn(ctypes.c_void_p(mat.handle), 1) != 0:
        raise RuntimeError("MatEliminateZeros failed")
    return True


_WORD = ctypes.sizeof(ctypes.c_void_p)


def _read_words(addr: int, count: int) -> list[int] | None:
    """``count`` machine words at ``addr`` of this process, or None where unreadable
    (read through /proc/self/mem: a bad address is an error, not a crash)."""
    if not addr:
        return None
    try:
        fd = os.open("/proc/self/mem", os.O_RDONLY)
    except OSError:
        return None
    try:
        data = os.pread(fd, count * _WORD, addr)
    except (OSError, OverflowError, ValueError):
        return None
    finally:
        os.close(fd)
    if len(data) != count * _WORD:
        return None
    return list(np.frombuffer(data, dtype=np.uintp).tolist())


@functools.cache
def _pc_data_offset() -> int | None:
    """Byte offset of ``data`` (the implementation's private struct) in PETSc's
    ``struct _p_PC``, found on a probe PC of type ``ksp`` whose private struct starts
    with the handle of its inner KSP (``PC_KSP.ksp``): the first slot of the PC that
    points at it, or None. The scan may run past the PC into other heap blocks, whose
    words can point at the same struct (a second hit once made the probe fail at
    random); the first slot is inside the PC, and the layout is verified afterwards
    (:func:`_boomeramg_layout`)."""
    from petsc4py import PETSc

    pc = PETSc.PC().create(PETSc.COMM_SELF)
    try:
        pc.setType("ksp")
        inner = pc.getKSP().handle
        words = next((w for n in (256, 128, 64) if (w := _read_words(pc.handle, n))), [])
        for i, w in enumerate(words):
            head = _read_words(w, 1) if w > 4096 else None
            if head is not None and head[0] == inner:
                return i * _WORD
        return None
    finally:
        pc.destroy()


def _hypre_library(petsc_lib: Any = PETSC_LIB) -> Any:
    """The hypre library PETSc runs (the one mapped in this process), or None."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {ln.split()[-1] for ln in maps if "libHYPRE" in ln and "/" in ln}
    except OSError:
        paths = set()
    for path in sorted(paths):
        lib = ctypes.CDLL(path)  # already loaded: the same handle
        if hasattr(lib, "HYPRE_BoomerAMGSetModuleRAP2"):
            return lib
    if petsc_lib is not None and hasattr(petsc_lib, "HYPRE_BoomerAMGSetModuleRAP2"):
        return petsc_lib  # hypre linked statically into libpetsc
    return None


def _solver_of(pc: Any, offset: int) -> int:
    """``((PC_HYPRE *)pc->data)->hsolver`` read without dereferencing a bad pointer."""
    data = (_read_words(pc.handle + offset, 1) or [0])[0]
    return (_read_words(data, 1) or [0])[0] if data > 4096 else 0


@functools.cache
def _boomeramg_layout() -> tuple[Any, int, bool] | None:
    """(hypre library, offset of ``pc->data``, whether a setting made before setup
    survives it) once verified on a probe, or None.

    The probe is a BoomerAMG PC set up on a tiny local matrix with a strong threshold
    no one uses (0.3141): the handle is accepted only if hypre's own getters read that
    threshold and PETSc's one V-cycle per application back from it. Then 0.2718 is set
    through the handle and the PC set up again: PETSc 3.22 leaves it, PETSc 3.25
    passes all its options (hence its ``mod_rap2 = 0``) to hypre at every setup."""
    from petsc4py import PETSc

    lib, off = _hypre_library(), _pc_data_offset()
    if lib is None or off is None:
        return None
    prefix, opts = "spinfem_layout_probe_", PETSc.Options()
    mat = PETSc.Mat().createAIJ([4, 4], nnz=1, comm=PETSc.COMM_SELF)
    pc = PETSc.PC().create(PETSc.COMM_SELF)

    def setup(value: float) -> float:
        for i in range(4):
            mat.setValue(i, i, value)
        mat.assemble()  # a new operator state: PETSc really sets up again
        pc.setUp()
        th = ctypes.c_double(-1.0)
        lib.HYPRE_BoomerAMGGetStrongThreshold(ctypes.c_void_p(solver), ctypes.byref(th))
        return th.value

    try:
        pc.setOptionsPrefix(prefix)
        opts[prefix + "pc_hypre_boomeramg_strong_threshold"] = 0.3141
        pc.setOperators(mat)
        pc.setType("hypre")
        pc.setHYPREType("boomeramg")
        pc.setFromOptions()
        solver = _solver_of(pc, off)
        if solver <= 4096 or _read_words(solver, 16) is None:
            return None
        its = ctypes.c_int(-1)
        if setup(2.0) != 0.3141:
            return None
        lib.HYPRE_BoomerAMGGetMaxIter(ctypes.c_void_p(solver), ctypes.byref(its))
        if its.value != 1:
            return None
        lib.HYPRE_BoomerAMGSetStrongThreshold(ctypes.c_void_p(solver), ctypes.c_double(0.2718))
        return lib, off, setup(3.0) == 0.2718
    except Exception:  # any failure means: no verified handle
        return None
    finally:
        opts.delValue(prefix + "pc_hypre_boomeramg_strong_threshold")
        pc.destroy()
        mat.destroy()


def boomeramg_handle(pc: Any) -> tuple[Any, int] | None:
    """(hypre library, ``HYPRE_Solver``) of a PETSc BoomerAMG preconditioner, or None.

    PETSc (3.22-3.25) has no public getter (``PCHYPREGetSolver`` is not exported); the
    solver is the first member of the PC's private struct (``PC_HYPRE.hsolver``). That
    layout is verified once per process on a probe (:func:`_boomeramg_layout`)."""
    if pc.getType() != "hypre" or pc.getHYPREType() != "boomeramg":
        return None
    layout = _boomeramg_layout()
    if layout is None:
        return None
    lib, off, _ = layout
    solver = _solver_of(pc, off)
    return (lib, solver) if solver > 4096 else None


def boomeramg_modular_rap(pc: Any, on: bool = True) -> bool:
    """Make BoomerAMG form its coarse operators with hypre's modular triple product
    (``HYPRE_BoomerAMGSetModuleRAP2``); return whether it was set. Collective on the
    PC's communicator: set on every rank or on none.

    hypre's default Galerkin product on the CPU (``BuildCoarseOperatorKT``, and
    ``ParMatmul``/``ParTMatmul`` behind RAP2) looks up each local coarse row in the
    list of rows sent to other ranks by a linear scan, O(rows x boundary rows) per
    rank: on 2 ranks it made the setup slower than on 1 (docs/performance.md). The
    modular product merges the received rows after one sort. PETSc enables it only
    for GPU execution and exposes no option, hence the handle. Call after
    ``KSPSetFromOptions`` and before ``KSPSetUp``. Without a verified handle, or with
    PETSc 3.25 (which passes its own ``mod_rap2 = 0`` to hypre at every setup), nothing
    changes: same preconditioner, slower distributed setup."""
    from mpi4py import MPI

    layout = _boomeramg_layout()
    found = boomeramg_handle(pc) if layout is not None and layout[2] else None
    # collective: every rank must form the coarse operators the same way
    if not pc.getComm().tompi4py().allreduce(found is not None, op=MPI.LAND):
        # PETSc 3.25 resets it at setup; no handle: keep hypre's default product
        logging.getLogger("spinfem").debug("hypre modular RAP not set (no usable handle)")
        return False
    lib, solver = found  # type: ignore[misc]
    if lib.HYPRE_BoomerAMGSetModuleRAP2(ctypes.c_void_p(solver), int(on)) != 0:
        raise RuntimeError("HYPRE_BoomerAMGSetModuleRAP2 failed")
    return True


def create_vector(form: Any) -> Any:
    """A PETSc vector laid out for the (single-space) linear form ``form``."""
    try:
        return dolfinx.fem.petsc.create_vector(form)
    except TypeError:  # 0.10+: create_vector(V or list of spaces)
        return dolfinx.fem.petsc.create_vector(form.function_spaces[0])


# ---------------------------------------------------------------------------- submeshes
# (blocks of unknowns on submeshes, interior-facet integrals on the parent mesh)
HAS_ENTITY_MAP = hasattr(dolfinx.mesh, "EntityMap")


def create_submesh(
    mesh: Any, dim: int, entities: np.ndarray
) -> tuple[Any, np.ndarray, np.ndarray, Any]:
    """Submesh of ``entities``: (submesh, sub->parent cell array, sub->parent vertex array,
    handle for :func:`form_entity_maps`).

    0.9 returns arrays; 0.10+ returns ``EntityMap`` objects (kept as the handle).
    """
    sub, emap, vmap, _ = dolfinx.mesh.create_submesh(mesh, dim, entities)
    if HAS_ENTITY_MAP and not isinstance(emap, np.ndarray):
        ncells = sub.topology.index_map(dim)
        idx = np.arange(ncells.size_local + ncells.num_ghosts, dtype=np.int32)
        cells = np.asarray(emap.sub_topology_to_topology(idx, inverse=False), dtype=np.int32)
        sub.topology.create_connectivity(0, dim)
        nverts = sub.topology.index_map(0)
        vidx = np.arange(nverts.size_local + nverts.num_ghosts, dtype=np.int32)
        verts = np.asarray(vmap.sub_topology_to_topology(vidx, inverse=False), dtype=np.int32)
        return sub, cells, verts, emap
    return sub, np.asarray(emap, dtype=np.int32), np.asarray(vmap, dtype=np.int32), None


def form_entity_maps(blocks: list[tuple[Any, np.ndarray, Any]]) -> Any:
    """The ``entity_maps`` argument of ``fem.form`` for forms on the parent mesh whose
    arguments live on block submeshes.

    ``blocks`` holds (submesh, padded parent->sub cell array, handle). 0.9 wants a dict
    {submesh: parent->sub array} and its sparsity builder does not skip -1 on interior
    facets, hence the *padded* arrays (the other side of each interface facet maps to this
    side's cell); 0.10+ takes the ``EntityMap`` handles and needs no padding.
    """
    if HAS_ENTITY_MAP and all(h is not None for _, _, h in blocks):
        return [h for _, _, h in blocks]
    return {sub: padded for sub, padded, _ in blocks}


def interior_facet_domains(topology: Any, facets: np.ndarray) -> np.ndarray:
    """(n, 4) array (cell0, local_facet0, cell1, local_facet1) of owned interior facets."""
    from dolfinx.fem import IntegralType, compute_integration_domains

    fdim = topology.dim - 1
    try:
        data = compute_integration_domains(IntegralType.interior_facet, topology, facets, fdim)
    except TypeError:  # 0.10+: no trailing dimension argument
        data = compute_integration_domains(IntegralType.interior_facet, topology, facets)
    return np.asarray(data, dtype=np.int32).reshape(-1, 4)


def assemble_block_matrix(a: list[list[Any]], bcs: list[Any], nest: bool | None = None) -> Any:
    """Monolithic PETSc matrix of a block form (blocks contiguous, owned rows per rank).

    With ``nest`` every block is assembled into its own matrix (PETSc nest) and the nest
    is converted to one AIJ matrix: the same entries and row layout as dolfinx's
    monolithic block assembly (tests/test_compat.py), 1.5-1.8x faster on one rank with
    dolfinx 0.9 and 0.11 (docs/performance.md). Each block's assembly is collective,
    though, so ranks holding none of a block's cells wait: on 2 ranks it was no faster.
    Default (None): the nest on one rank, dolfinx's monolithic block assembly on
    several. The conversion is in place: a converted copy used after the nest was
    destroyed crashed PETSc 3.22."""
    petsc = dolfinx.fem.petsc
    if nest is None:
        form = next(f for row in a for f in row if f is not None)
        nest = form.mesh.comm.size == 1
    if nest:
        if hasattr(petsc, "assemble_matrix_nest"):
            mat = petsc.assemble_matrix_nest(a, bcs=bcs)
        else:  # 0.10+
            mat = petsc.assemble_matrix(a, bcs=bcs, kind="nest")
        mat.assemble()
        return mat.convert("aij", mat)  # MAT_INPLACE_MATRIX
    if hasattr(petsc, "assemble_matrix_block"):
        mat = petsc.assemble_matrix_block(a, bcs=bcs)
    else:  # 0.10+
        mat = petsc.assemble_matrix(a, bcs=bcs, kind="mpi")
    mat.assemble()
    return mat


# 0.9 (padded entity maps): interface forms insert only into their facet's two cells, as
# blockmatrix's cell pattern assumes; 0.10+ also inserts zeros beyond them (+14 % on 0.11)
# that would be allocated one by one, so dolfinx's own pattern is kept there.
BLOCK_PATTERN_FROM_CELLS = not HAS_ENTITY_MAP


def assemble_block_matrix_into(mat: Any, a: list[list[Any]], bcs: list[Any]) -> Any:
    """dolfinx's monolithic block assembly into ``mat`` (created with dolfinx's block
    layout and local-to-global map, e.g. by :func:`spinfem.blockmatrix.create_block_matrix`);
    Dirichlet rows get 1 on the diagonal. Returns ``mat``, assembled."""
    petsc = dolfinx.fem.petsc
    if hasattr(petsc, "assemble_matrix_block"):  # 0.9
        petsc.assemble_matrix_block(mat, a, bcs=bcs)
    else:  # 0.10+: assemble_matrix dispatches on a matrix and a list of form rows
        petsc.assemble_matrix(mat, a, bcs=bcs)
    mat.assemble()
    return mat


def assemble_block_vector(L: list[Any], a: list[list[Any]], bcs: list[Any]) -> Any:
    """Monolithic right-hand side with Dirichlet lifting, matching :func:`assemble_block_matrix`."""
    petsc = dolfinx.fem.petsc
    if hasattr(petsc, "assemble_vector_block"):
        return petsc.assemble_vector_block(L, a, bcs=bcs)
    from petsc4py import PETSc  # 0.10+

    b = petsc.assemble_vector(L, kind="mpi")
    bcs1 = dolfinx.fem.bcs_by_block(dolfinx.fem.extract_function_spaces(a, 1), bcs)
    petsc.apply_lifting(b, a, bcs=bcs1)
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    bcs0 = dolfinx.fem.bcs_by_block(dolfinx.fem.extract_function_spaces(L), bcs)
    petsc.set_bc(b, bcs0)
    return b
