"""PETSc linear solvers with their own option prefix, size-based defaults and checks.

Strategy (docs/performance.md has the measurements behind it):

- up to ``direct_max_dofs`` unknowns (default by dimension: 200k in 1D/2D, 30k in 3D;
  60k in 1D/2D for 4 unknowns per node): LU with MUMPS (``preonly``);
- above: CG (symmetric positive definite operators, e.g. the collinear model) or GMRES
  (``symmetric=False``: precession, spin Hall, G_i) preconditioned by BoomerAMG with
  low-complexity 3D options (:data:`AMG_OPTIONS`). Operators carry their block size
  (2 for (V, mu_s), 4 for (V, mu_vec)); PETSc passes it to hypre as the number of
  functions, i.e. unknown-based *systems* AMG, which is what makes the coupled blocks
  converge like a scalar problem (block size 1: ~3x more iterations). Callers may
  split the nodal unknowns instead (``splits``, :func:`split_options`): the vector
  model preconditions V and mu_vec separately by symmetric block Gauss-Seidel, one
  BoomerAMG on each diagonal block (up to 1.3x faster than systems AMG on all four:
  hypre's Galerkin products of the V-mu coupling dominated its setup).

Anything can be overridden through ``SolverSettings.petsc_options`` or the command line
under the prefix, e.g. ``-spinfem_ksp_type gmres -spinfem_ksp_monitor``; the command
line wins. Options under the prefix that PETSc never read are reported (a warning and
:attr:`LinearSolver.unused_options`). The preconditioner is built once per operator
(:meth:`LinearSolver.setup`, timed) and reused by every right-hand side;
:meth:`LinearSolver.update_operator` swaps in a new operator and by default keeps it
(sweeps and time steps). Every solve checks the converged reason and the finiteness of
the result: a failure is a :class:`SolverError` naming the PETSc reason.
"""

from __future__ import annotations

import ctypes
import logging
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from petsc4py import PETSc

from spinfem import compat
from spinfem.errors import SolverError

__all__ = [
    "AMG_OPTIONS",
    "AUTO_DIRECT_MAX_DOFS",
    "AUTO_DIRECT_MAX_DOFS_WIDE",
    "LinearSolver",
    "PreconditionerReuse",
    "SolverSettings",
    "default_options",
    "direct_limit",
    "split_options",
]

log = logging.getLogger("spinfem")

_REASONS = {
    getattr(PETSc.KSP.ConvergedReason, n): n
    for n in dir(PETSc.KSP.ConvergedReason)
    if not n.startswith("_") and isinstance(getattr(PETSc.KSP.ConvergedReason, n), int)
}

#: BoomerAMG options for 3D P1 operators, tuned on (V, mu_s) pillars (docs/performance.md):
#: HMIS coarsening with ext+i interpolation capped at 4 entries per row gives operator
#: complexity ~2.2 (PETSc's Falgout/classical defaults: ~3.8). With these, strong
#: threshold 0.25 beats 0.5/0.7 on both iterations and complexity, and aggressive
#: coarsening (agg_nl >= 1) or nodal coarsening only add iterations and their growth
#: under refinement.
AMG_OPTIONS: dict[str, Any] = {
    "pc_type": "hypre",
    "pc_hypre_type": "boomeramg",
    "pc_hypre_boomeramg_strong_threshold": 0.25,
    "pc_hypre_boomeramg_coarsen_type": "HMIS",
    "pc_hypre_boomeramg_interp_type": "ext+i",
    "pc_hypre_boomeramg_P_max": 4,
    # one forward hybrid Gauss-Seidel sweep before, one backward sweep after the coarse
    # correction: a symmetric V-cycle (valid for CG) at half the smoothing cost of PETSc's
    # default symmetric-SOR both ways; 0-3 more iterations, 15-25 % less setup+solve
    "pc_hypre_boomeramg_relax_type_down": "SOR/Jacobi",
    "pc_hypre_boomeramg_relax_type_up": "backward-SOR/Jacobi",
}

DIRECT_OPTIONS: dict[str, Any] = {
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}


#: :meth:`LinearSolver.update_operator` with a kept preconditioner: iterations allowed
#: with an older operator's preconditioner before it is rebuilt for the current one.
REUSE_MAX_IT = 30
#: relative tolerance of GMRES preconditioned by an older operator's LU factorisation:
#: the answer must be as good as the direct solve it replaces.
REUSE_DIRECT_RTOL = 1e-13

#: LU (MUMPS) up to this many global unknowns when ``SolverSettings.direct_max_dofs`` is
#: None, by topological dimension. In 3D the fill of LU makes it slower than CG/GMRES +
#: BoomerAMG from a few thousand unknowns on (43k: 1.2 s vs 0.2 s, 114k: 8.1 s vs 0.5 s,
#: docs/performance.md); in 1D/2D the fill stays mild and LU robust for many contacts.
AUTO_DIRECT_MAX_DOFS: dict[int, int] = {1: 200_000, 2: 200_000, 3: 30_000}
#: The same for operators with 4 or more unknowns per node (the vector model): LU's fill
#: per unknown grows with the nodal block, so 1D/2D meshes switch to GMRES earlier.
AUTO_DIRECT_MAX_DOFS_WIDE: dict[int, int] = {1: 60_000, 2: 60_000, 3: 30_000}


def direct_limit(settings: SolverSettings, tdim: int | None, block_size: int = 1) -> int:
    """The LU size limit of ``settings`` on a mesh of topological dimension ``tdim`` for
    an operator with ``block_size`` unknowns per node. Unknown dimension (the M-m model):
    the 2D limit of scalar operators, 200 000."""
    if settings.direct_max_dofs is not None:
        return settings.direct_max_dofs
    if tdim is None:
        return AUTO_DIRECT_MAX_DOFS[2]
    table = AUTO_DIRECT_MAX_DOFS_WIDE if block_size >= 4 else AUTO_DIRECT_MAX_DOFS
    return table.get(tdim, table[2])


@dataclass(frozen=True)
class SolverSettings:
    """How linear systems are solved.

    Attributes:
        prefix: PETSc options prefix (command-line options under it take precedence).
        direct_max_dofs: largest global number of unknowns solved with LU (MUMPS);
            None (default): by the mesh dimension and the unknowns per node,
            :data:`AUTO_DIRECT_MAX_DOFS`, :data:`AUTO_DIRECT_MAX_DOFS_WIDE`.
        rtol: relative residual tolerance of iterative solves [1].
        max_it: iteration limit of iterative solves.
        petsc_options: extra options (without prefix), applied over the defaults.
    """

    prefix: str = "spinfem_"
    direct_max_dofs: int | None = None
    rtol: float = 1e-8
    max_it: int = 500
    petsc_options: Mapping[str, Any] = field(default_factory=dict)


def split_options(splits: Sequence[Sequence[int]], block_size: int) -> dict[str, Any]:
    """Options (without prefix) of a symmetric block Gauss-Seidel preconditioner over
    groups of the ``block_size`` unknowns of each node (PETSc ``fieldsplit``, split ``i``
    under the prefix ``fieldsplit_i_``): one BoomerAMG V-cycle (:data:`AMG_OPTIONS`,
    systems AMG for a group of several unknowns) on each group's diagonal block, the
    groups forward then backward (V, mu, V for two) with the residual updated in between.
    Symmetric, so valid for CG too; on the vector model the forward sweep alone needed up
    to 16 iterations with interface laws against 13 (docs/performance.md).

    Raises ValueError unless ``splits`` partitions ``range(block_size)``."""
    fields = sorted(f for group in splits for f in group)
    if fields != list(range(block_size)) or any(not group for group in splits):
        raise ValueError(
            f"solver splits {[tuple(g) for g in splits]} do not partition the "
            f"{block_size} unknowns per node"
        )
    opts: dict[str, Any] = {
        "pc_type": "fieldsplit",
        "pc_fieldsplit_type": "symmetric_multiplicative",
        "pc_fieldsplit_block_size": block_size,
    }
    for i, group in enumerate(splits):
        opts[f"pc_fieldsplit_{i}_fields"] = ",".join(str(f) for f in group)
        opts[f"fieldsplit_{i}_ksp_type"] = "preonly"
        opts.update({f"fieldsplit_{i}_{k}": v for k, v in AMG_OPTIONS.items()})
    return opts


def default_options(
    num_unknowns: int,
    settings: SolverSettings,
    symmetric: bool,
    tdim: int | None = None,
    block_size: int = 1,
    splits: Sequence[Sequence[int]] | None = None,
) -> dict[str, Any]:
    """The options (without prefix) a solver of ``num_unknowns`` global unknowns on a mesh
    of topological dimension ``tdim`` (``block_size`` unknowns per node) starts from.
    With ``splits`` the iterative path preconditions by :func:`split_options`; the
    top-level BoomerAMG options stay set, so ``pc_type hypre`` alone restores the
    monolithic preconditioner."""
    if num_unknowns <= direct_limit(settings, tdim, block_size):
        opts: dict[str, Any] = dict(DIRECT_OPTIONS)
    else:
        opts = {"ksp_type": "cg" if symmetric else "gmres", **AMG_OPTIONS}
        if not symmetric:
            opts["ksp_gmres_restart"] = 100
        if splits:
            opts.update(split_options(splits, block_size))
    opts.update({"ksp_rtol": settings.rtol, "ksp_atol": 1e-50, "ksp_max_it": settings.max_it})
    opts.update(settings.petsc_options)
    return opts


def _is_value(token: str) -> bool:
    """A command-line token that is an option value, not the next option (-1e-3 is a value)."""
    if not token.startswith("-"):
        return True
    try:
        float(token)
    except ValueError:
        return False
    return True


def command_line_options(prefix: str, argv: Sequence[str] | None = None) -> dict[str, str]:
    """``-PREFIXkey [value]`` pairs of the command line (default ``sys.argv``).

    petsc4py is initialised without the command line when dolfinx imports it, so PETSc
    never sees these; :class:`LinearSolver` inserts them itself (they win over defaults
    and ``petsc_options``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = {}
    for i, tok in enumerate(args):
        if tok.startswith("-" + prefix) and len(tok) > len(prefix) + 1:
            nxt = args[i + 1] if i + 1 < len(args) else None
            out[tok[1:]] = nxt if nxt is not None and _is_value(nxt) else ""
    return out


_LIB = compat.PETSC_LIB


def unused_options(prefix: str) -> list[str]:
    """Options in the database under ``prefix`` that PETSc has not read (empty if unknown)."""
    if _LIB is None:
        return []
    out = []
    for name in PETSc.Options().getAll():
        if name.startswith(prefix):
            used = ctypes.c_int(0)
            if (
                _LIB.PetscOptionsUsed(None, name.encode(), ctypes.byref(used)) == 0
                and not used.value
            ):
                out.append(name)
    return sorted(out)


class LinearSolver:
    """A KSP for one assembled operator; the preconditioner is built once (here, timed)
    and reused for every right-hand side. ``tdim`` (the mesh's topological dimension)
    and the operator's block size select the automatic LU size limit (:func:`direct_limit`).
    ``splits`` (groups of the unknowns per node, e.g. ``((0,), (1, 2, 3))``) make the
    iterative path a symmetric block Gauss-Seidel with BoomerAMG per group
    (:func:`split_options`); ValueError if they do not partition the block size.

    Attributes:
        kind: "direct" or "iterative".
        description: e.g. "cg+hypre", "gmres+fieldsplit".
        setup_time_s: time of the last preconditioner/factorisation setup [s].
        solve_time_s: accumulated time in :meth:`solve` [s].
        iterations: iteration count of every solve so far.
        stale: the preconditioner was built for an older operator (:meth:`update_operator`).
        rebuilds: how often a solve had to rebuild such a preconditioner.
        setups: how many preconditioners/factorisations were built.
        unused_options: options under the prefix PETSc did not read.
    """

    def __init__(
        self,
        A: Any,
        settings: SolverSettings,
        symmetric: bool = True,
        tdim: int | None = None,
        splits: Sequence[Sequence[int]] | None = None,
    ) -> None:
        self.settings = settings
        n = A.getSize()[0]
        bs = A.getBlockSize()
        defaults = default_options(n, settings, symmetric, tdim, bs, splits)
        self.ksp = PETSc.KSP().create(A.getComm())
        self.ksp.setOperators(A)
        self.ksp.setOptionsPrefix(settings.prefix)
        self.kind = "direct" if n <= direct_limit(settings, tdim, bs) else "iterative"
        opts = PETSc.Options()
        for name, value in command_line_options(settings.prefix).items():
            opts[name] = value
        added = []
        for key, value in defaults.items():
            name = settings.prefix + key
            if not opts.hasName(name):  # the command line wins
                opts[name] = value
                added.append(name)
        try:
            try:
                self.ksp.setFromOptions()
            except PETSc.Error as exc:
                given = {**settings.petsc_options, **command_line_options(settings.prefix)}
                raise SolverError(
                    f"PETSc rejected the solver options under prefix '{settings.prefix}' "
                    f"(PETSc error {exc}); options given: {given or 'none'}; check the names "
                    "and values of 'solver.petsc_options' / -spinfem_* (e.g. an unknown "
                    "pc_type or ksp_type)"
                ) from exc
            self._ksp_type = self.ksp.getType()
            self.description = f"{self._ksp_type}+{self.ksp.getPC().getType()}"
            self.stale = False
            self.rebuilds = 0
            self.setups = 0
            self.setup_time_s = 0.0
            self.solve_time_s = 0.0
            self.iterations: list[int] = []
            self.setup()
            # our own defaults may legitimately go unread (e.g. hypre options after
            # -spinfem_pc_type gamg): report only what the user set
            mine = set(added) - {settings.prefix + k for k in settings.petsc_options}
            self.unused_options = [n for n in unused_options(settings.prefix) if n not in mine]
        finally:
            for name in added:  # do not leak our defaults into the next solver
                opts.delValue(name)
        if self.unused_options:
            log.warning(
                "PETSc options under prefix '%s' not used by the %s solver: %s",
                settings.prefix,
                self.description,
                ", ".join("-" + n for n in self.unused_options),
            )

    @property
    def last_iterations(self) -> int:
        return self.iterations[-1] if self.iterations else 0

    def setup(self) -> float:
        """Build the preconditioner (factorisation or AMG hierarchy) now; return seconds."""
        t0 = time.perf_counter()
        pc = self.ksp.getPC()
        distributed = self.ksp.getComm().getSize() > 1
        if pc.getType() == "hypre" and distributed:
            compat.boomeramg_modular_rap(pc)  # distributed only: ~10 % slower on 1 rank
        try:
            self.ksp.setUp()
            if pc.getType() == "fieldsplit":
                # the splits' preconditioners are built at their first use: build them
                # now, so that the setup is timed here and hypre gets the modular product
                for sub in pc.getFieldSplitSubKSP():
                    if sub.getPC().getType() == "hypre" and distributed:
                        compat.boomeramg_modular_rap(sub.getPC())
                    sub.setUp()
        except PETSc.Error as exc:
            raise SolverError(
                f"setting up the {self.description} solver failed: PETSc error {exc}"
            ) from exc
        self.setup_time_s = time.perf_counter() - t0
        self.setups += 1
        log.info("%s setup: %.3f s", self.description, self.setup_time_s)
        return self.setup_time_s

    def update_operator(self, A: Any, reuse_preconditioner: bool = True) -> None:
        """Use a new operator (same layout). With ``reuse_preconditioner`` the current
        preconditioner is kept (time steps, sweeps with small changes); otherwise it is
        rebuilt now. Each solve with a kept preconditioner is tried with at most
        :data:`REUSE_MAX_IT` iterations; if that fails, the preconditioner is rebuilt for
        ``A`` and the solve repeated. A kept LU factorisation is no longer exact: the KSP
        then runs GMRES with it as the preconditioner."""
        self.ksp.getPC().setReusePreconditioner(reuse_preconditioner)
        self.ksp.setOperators(A)
        self.stale = reuse_preconditioner
        if self.kind == "direct":
            # preonly runs without a residual norm; GMRES must test convergence, and to
            # a direct solver's accuracy (small signals such as nonlocal voltages are
            # 1e-4..1e-6 of the solution: rtol 1e-8 left errors of 1e-3 in them)
            self.ksp.setType("gmres" if reuse_preconditioner else self._ksp_type)
            self.ksp.setNormType(
                PETSc.KSP.NormType.PRECONDITIONED
                if reuse_preconditioner
                else PETSc.KSP.NormType.NONE
            )
            self.ksp.setTolerances(
                rtol=REUSE_DIRECT_RTOL if reuse_preconditioner else self.settings.rtol
            )
        if not reuse_preconditioner:
            self.setup()

    def solve(self, b: Any, x: Any, what: str = "linear system") -> int:
        """Solve A x = b; raise SolverError on divergence or non-finite result.

        Only owned entries of ``x`` are set: ghosted callers scatter forward themselves."""
        if self.stale:  # an older operator's preconditioner (update_operator)
            max_it = self.ksp.getTolerances()[3]
            self.ksp.setTolerances(max_it=REUSE_MAX_IT)
            try:
                return self._solve(b, x, what)
            except SolverError as exc:
                self.rebuilds += 1
                log.info("older preconditioner not good enough (%s): rebuilding", exc)
            finally:
                self.ksp.setTolerances(max_it=max_it)
            self.update_operator(self.ksp.getOperators()[0], reuse_preconditioner=False)
        return self._solve(b, x, what)

    def _solve(self, b: Any, x: Any, what: str) -> int:
        t0 = time.perf_counter()
        try:
            self.ksp.solve(b, x)
        except PETSc.Error as exc:
            raise SolverError(f"{what}: PETSc error {exc} ({self.description})") from exc
        reason = self.ksp.getConvergedReason()
        its = self.ksp.getIterationNumber()
        if reason < 0:
            raise SolverError(
                f"{what}: the {self.description} solve did not converge: "
                f"KSP reason {_REASONS.get(reason, reason)} ({reason}) after {its} iterations, "
                f"residual norm {self.ksp.getResidualNorm():.3e}. A floating region without "
                "contact or a singular operator gives this; try -spinfem_ksp_monitor"
            )
        norm = x.norm()
        if not math.isfinite(norm):
            raise SolverError(f"{what}: the solution contains NaN/Inf ({self.description})")
        dt = time.perf_counter() - t0
        self.solve_time_s += dt
        self.iterations.append(its)
        log.info(
            "solved %s: %s, %d iterations, residual %.2e, %.3f s (preconditioner reused: %s)",
            what,
            self.description,
            its,
            self.ksp.getResidualNorm(),
            dt,
            "from an older operator"
            if self.stale
            else ("yes" if len(self.iterations) > 1 else "built for this operator"),
        )
        return its

    def destroy(self) -> None:
        self.ksp.destroy()


class PreconditionerReuse:
    """Carries one :class:`LinearSolver` from solve to solve of a parameter sweep: the
    first solve builds it; each later one switches it to its new operator and, on the
    iterative path, keeps the AMG hierarchy (:meth:`LinearSolver.update_operator`: rebuilt when
    it needs more than :data:`REUSE_MAX_IT` iterations; same tolerance as a fresh solve),
    on the direct path refactorises (exact). Owned by the sweep, not by the problem;
    call :meth:`close` at the end (the sweeps do)."""

    def __init__(self) -> None:
        self.solver: LinearSolver | None = None

    def solver_for(self, A: Any, make: Any) -> LinearSolver:
        """The carried solver switched to ``A``, or ``make(A)`` for the first operator or
        one of another size."""
        if self.solver is not None and self.solver.ksp.getOperators()[0].getSizes() == A.getSizes():
            if self.solver.kind == "direct":
                # refactorise: below the LU limit a factorisation is cheap, and GMRES with
                # an older one needed 14-22 iterations and still moved nonlocal voltages
                # (1e-5 of the solution) by 1e-6 relative (docs/performance.md)
                self.solver.update_operator(A, reuse_preconditioner=False)
            else:
                self.solver.update_operator(A)  # AMG: same rtol either way, fewer setups
            return self.solver
        self.close()
        self.solver = make(A)
        return self.solver

    def close(self) -> None:
        if self.solver is not None:
            self.solver.destroy()
            self.solver = None
